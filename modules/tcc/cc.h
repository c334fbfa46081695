/*
 * cc.h - the cc command's parts (cc.c), for the commit log's side of it
 * (state.c): a compile is built (compiled, linked, given its address
 * space) and then installed in the handler table, two steps a commit's
 * check and apply take one each.
 */
#ifndef KARYON_TCC_CC_H
#define KARYON_TCC_CC_H

#include <stdbool.h>
#include <karyon/clog.h>
#include "compile.h"
#include "tcc.h"

#define SOURCE_MAX      (1u << 20)

struct cc_args {
	const char *file, *name;
	const char *cwd;                /* file and -I are relative to it */
	bool verbose;                   /* -v: print what each step cost */
	uint64_t budget_ms, budget_mb;  /* --budget-ms, --budget-mb */
	uint32_t grants;
	bool grants_given;              /* -g: checked against a manifest */
	struct compile_req q;
};

/* What a build cost, for -v. */
struct cc_cost {
	uint64_t t0, t1, t2, len;
	unsigned charges;
	bool gas;
};

int cc_run(int argc, char **argv, bool direct, print_fn print, void *ctx);
int cc_parse(int argc, char **argv, struct cc_args *a, print_fn print, void *ctx);
int cc_handler_name(struct cc_args *a, char *name, print_fn print, void *ctx);
kr_err_t cc_source_digest(const char *cwd, const char *path, uint8_t digest[32]);
int cc_source_error(const struct cc_args *a, kr_err_t e, print_fn print, void *ctx);
/* Compile and link a into h (h->name set): 0 with h ready but not in the
 * table, else 1 with why printed and h freed. */
int cc_build(struct cc_args *a, struct handler *h, struct cc_cost *cost, print_fn print,
	     void *ctx);
/* Put h in the table, replacing the handler of its name: 0, or 1 (why
 * printed) with h freed. */
int cc_install(struct handler *h, bool verbose, const struct cc_cost *cost, print_fn print,
	       void *ctx);

/* state.c: the commit log's gateway while attached (else NULL) */
extern const struct kr_gate_ops *tcc_gate;
/* cc and unload through it. */
int cc_commit(struct cc_args *a, const char *name, print_fn print, void *ctx);
int unload_commit(const char *name, print_fn print, void *ctx);
kr_err_t tcc_state_publish(void);
void tcc_state_exit(void);

#endif
