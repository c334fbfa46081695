/*
 * shim.c - what the VM's pure code (modules/vm: exec.c, state.c) takes
 * from the kernel's library, for host programs (tools/chain, the CMocka
 * tests): formatting through the C library's and the VM's allocator as
 * malloc (error texts: link tcc-runtime/krt/err.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <karyon/err.h>

int ksnprintf(char *buf, size_t size, const char *fmt, ...);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void *vm_alloc(size_t n);
void vm_release(void *p);

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void *vm_alloc(size_t n)
{
	return malloc(n ? n : 1);
}

void vm_release(void *p)
{
	free(p);
}
