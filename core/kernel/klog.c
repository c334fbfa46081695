/*
 * klog.c - the kernel log: a byte ring plus the console sink.
 *
 * Formatting streams straight into the ring and the UART (no line buffer),
 * so a message of any length is logged whole, and a panic can still print
 * when the heap is gone.
 */
#include <stdarg.h>
#include <stdbool.h>

#include "arch/x86_64/serial.h"
#include "kernel/klog.h"
#include "kernel/time.h"
#include <karyon/log.h>
#include <krt/fmt.h>

#define RING_SIZE 65536 /* power of two: positions wrap by masking */

static char ring[RING_SIZE];
static uint64_t ring_head;      /* bytes ever written */
static enum kr_log_level console_level = KR_LOG_INFO;
static bool line_start = true;  /* the ring's next byte starts a line */

/* Into the ring, each line after its time (KR_LOG_STAMP and 11 hex digits
 * of microseconds: dmesg shows it, the console never); to the console if
 * ctx says so.  The time is raw: the reader formats it, the core does not. */
static void emit(void *ctx, const char *s, size_t n)
{
	uint64_t us = time_tsc_to_us(time_tsc_since_entry());

	/* b 48: the stamp's mark, 44..4: its digits, 0: the byte itself */
	for (size_t i = 0; i < n; line_start = s[i++] == '\n')
		for (int b = line_start ? 48 : 0; b >= 0; b -= 4)
			ring[ring_head++ & (RING_SIZE - 1)] = b == 48 ? KR_LOG_STAMP :
				b ? "0123456789abcdef"[(us >> (b - 4)) & 15] : s[i];
	if (*(bool *)ctx)
		serial_write(s, n);
}

/* Every kernel message: to the ring always, to the console up to its level
 * (KR_LOG_ERR, what kprintf uses, always). */
void kr_log(int level, const char *fmt, ...)
{
	bool console = level <= (int)console_level;
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(emit, &console, fmt, ap);
	va_end(ap);
}

void klog_set_console_level(enum kr_log_level level)
{
	console_level = level;
}

size_t klog_read(uint64_t *pos, char *buf, size_t n)
{
	size_t got = 0;

	if (ring_head - *pos > RING_SIZE)
		*pos = ring_head - RING_SIZE;
	while (got < n && *pos < ring_head)
		buf[got++] = ring[(*pos)++ & (RING_SIZE - 1)];
	return got;
}
