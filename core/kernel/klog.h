/*
 * klog.h - kernel console output and the kernel log ring (later `dmesg`).
 *
 * Every message goes into the ring; it goes to the console too when its
 * level is at or below the console level (cmdline loglevel=).  The console
 * shows no timestamps (its output must be the same on every boot of the
 * same image); the ring keeps each line's time (KR_LOG_STAMP) for dmesg.
 */
#ifndef KARYON_KLOG_H
#define KARYON_KLOG_H

#include <stddef.h>
#include <stdint.h>

#include <karyon/log.h>        /* enum kr_log_level: the one set of levels */

void klog_set_console_level(enum kr_log_level level);
/* Copy log bytes from sequence number *pos on; returns bytes copied and
 * advances *pos (skipping what the ring has already overwritten). */
size_t klog_read(uint64_t *pos, char *buf, size_t n);

/* kr_log (abi/karyon/log.h) at each level; kprintf always reaches the console. */
#define kprintf(...)  kr_log(KR_LOG_ERR, __VA_ARGS__)
#define pr_err(...)   kr_log(KR_LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  kr_log(KR_LOG_WARN, __VA_ARGS__)
#define pr_info(...)  kr_log(KR_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) kr_log(KR_LOG_DEBUG, __VA_ARGS__)

#endif
