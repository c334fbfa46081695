/*
 * tcc.h - what the tcc module's files share (tcc.c: the module and the
 * handler table; cc.c: compile and link; run.c: run and report).
 */
#ifndef KARYON_TCC_TCC_H
#define KARYON_TCC_TCC_H

#include <stdbool.h>
#include <karyon/guard.h>
#include <karyon/kmod.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>

#define MAX_HANDLERS    32
#define NAME_MAX        32
#define STACK_PAGES     64      /* 256 KiB, below it one read-only guard page */

typedef void (*print_fn)(void *ctx, const char *s);

/* The TSC: under QEMU with -icount shift=0 it counts guest instructions,
 * which is how -v's figures are meant to be read (tools/bench_tcc.py). */
static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

struct handler {
	bool used;
	char name[NAME_MAX];
	kr_domain_t *dom;               /* owns the image pages and data_copy */
	kr_cap_t img_cap;
	struct kr_kmod_linked img;
	void *data_copy;                /* the data region as linked */
	uint32_t grants;
	uint8_t version[8];             /* BLAKE2b-256 of the source, first bytes */
};

extern kr_domain_t *tcc_self;
extern const struct kr_shell_ops *tcc_shell;
extern const struct kr_vfs_ops *tcc_vfs;
extern const struct kr_kmod_ops *tcc_kmod;         /* opened at the first cc */
extern struct handler tcc_handlers[MAX_HANDLERS];
extern uint8_t *tcc_stack;                      /* guard page + STACK_PAGES */
extern uint32_t tcc_budget_ms;

void printf_to(print_fn print, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct handler *handler_find(const char *name);
void handler_free(struct handler *h);
/* A guard on the module's stack; budget stops only inside [code_lo, code_hi). */
struct kr_guard guard_for(uint32_t budget_ms, uint64_t code_lo, uint64_t code_hi);
const char *fault_name(uint32_t vector);
kr_err_t open_service(const char *name, uint32_t version, const void **ops);

int cmd_cc(int argc, char **argv, print_fn print, void *ctx);          /* cc.c */
int cmd_run(int argc, char **argv, print_fn print, void *ctx);         /* run.c */

#endif
