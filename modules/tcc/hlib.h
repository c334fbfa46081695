/*
 * hlib.h - the handler C library's state: what a running handler's calls
 * write to and allocate from (hlib.c), set up by the tcc module around
 * each run.
 */
#ifndef KARYON_TCC_HLIB_H
#define KARYON_TCC_HLIB_H

#include <stdbool.h>
#include <karyon/cap.h>
#include <karyon/vfs.h>
#include <krt/libc.h>           /* jmp_buf, setjmp: tcc-runtime/libc/setjmp.S */

struct hlib_run {
	void (*print)(void *ctx, const char *s);        /* the shell's output */
	void *print_ctx;
	kr_domain_t *heap;              /* the run's heap (freed with it) */
	size_t heap_limit;              /* bytes malloc may hold at once */
	size_t heap_used;
	const struct kr_vfs_ops *vfs;      /* NULL: vfs_* calls fail */
	const char *cwd;
	jmp_buf exit_env;               /* exit() and abort() land here */
	int status;                     /* exit()'s value */
	bool aborted;                   /* abort() or a heap misuse */
	char why[80];                   /* what aborted it */
	char buf[256];                  /* output not yet printed */
	size_t len;
};

/* Route the handler calls to r until hlib_end(). */
void hlib_begin(struct hlib_run *r);
void hlib_end(void);           /* prints what is buffered */

#endif
