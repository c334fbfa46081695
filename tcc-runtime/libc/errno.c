/*
 * errno.c - errno, which glibc's headers spell (*__errno_location()).
 *
 * glibc keeps one errno per thread.  Here it is a single int: the kernel
 * runs one TinyCC compile (and one compiled program) at a time, so nothing
 * else can write it in between.  If compiles ever run concurrently this
 * must move into the per-task state.
 */
#include <krt/libc.h>

static int errno_value;

int *__errno_location(void)
{
	return &errno_value;
}
