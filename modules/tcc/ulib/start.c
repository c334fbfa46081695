/*
 * start.c - how a handler's run begins and ends in user mode: the entry
 * point the kernel jumps to, exit() and abort(), and the one way the
 * library itself gives up (ulib_fail: heap misuse, a _FORTIFY_SOURCE
 * overflow).  Every way out writes the buffered console output first, so
 * the shell shows what the handler printed before it stopped.
 */
#include <stdlib.h>
#include <karyon/err.h>
#include <karyon/handler.h>
#include "ulib.h"

unsigned long long __karyon_t_main;
long __karyon_gas;

void __karyon_start(int argc, char **argv, int (*main)(int, char **))
{
	unsigned int lo, hi;

	/* The kernel reads this to split start-up cost from main()'s own. */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	__karyon_t_main = (unsigned long long)hi << 32 | lo;
	exit(main(argc, argv));
}

void __karyon_event(const struct kr_event *ev, int (*on_event)(const struct kr_event *))
{
	unsigned int lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	__karyon_t_main = (unsigned long long)hi << 32 | lo;
	exit(on_event(ev));
}

void exit(int status)
{
	ulib_flush();
	ulib_sys_exit(status);
}

void ulib_fail(const char *why)
{
	ulib_flush();
	ulib_sys_abort(why);
}

void abort(void)
{
	ulib_fail("abort() called");
}

/* The _FORTIFY_SOURCE checks in tcc-runtime's string2.c and printf.c
 * land here, as in glibc ("*** buffer overflow detected ***"). */
__attribute__((noreturn)) void __chk_fail(void);
void __chk_fail(void)
{
	ulib_fail("buffer overflow detected");
}

/* What a negative return of a call means (krt/err.c's table). */
const char *karyon_strerror(long code)
{
	return code >= 0 ? "success" : code < -1000 ? "unknown error" : kr_strerror((kr_err_t)code);
}
