/*
 * log.h - writing to the kernel log (the console and `dmesg`).
 */
#ifndef KARYON_LOG_H
#define KARYON_LOG_H

#include <karyon/abi.h>

enum kr_log_level { KR_LOG_ERR, KR_LOG_WARN, KR_LOG_INFO, KR_LOG_DEBUG };

/* printf-style; no floating point.  End lines with "\n". */
KR_API(1, 0) void kr_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Mark the kernel tainted (it runs code nobody vouched for); the first
 * call logs why, and every panic report says the kernel is tainted. */
KR_API(1, 0) void kr_taint(const char *why);

#endif
