/*
 * log.h - writing to the kernel log (the console and `dmesg`).
 */
#ifndef KARYON_LOG_H
#define KARYON_LOG_H

#include <karyon/abi.h>

enum kr_log_level { KR_LOG_ERR, KR_LOG_WARN, KR_LOG_INFO, KR_LOG_DEBUG };

/* In what kr_log_read returns, each line starts with this byte
 * and 11 lowercase hex digits: microseconds since kernel entry when the
 * line was logged.  The reader formats it (dmesg: "[   0.012345] "); the
 * console never shows it. */
#define KR_LOG_STAMP '\x01'
#define KR_LOG_STAMP_DIGITS 11

/* printf-style; no floating point.  End lines with "\n". */
KR_API(1, 0) void kr_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Mark the kernel tainted (it runs code nobody vouched for); the first
 * call logs why, and every panic report says the kernel is tainted. */
KR_API(1, 0) void kr_taint(const char *why);

#endif
