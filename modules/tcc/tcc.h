/*
 * tcc.h - what the tcc module's files share (tcc.c: the module and the
 * handler table; cc.c: compile and link; run.c: run and report).
 */
#ifndef KARYON_TCC_TCC_H
#define KARYON_TCC_TCC_H

#include <stdbool.h>
#include <karyon/guard.h>
#include <karyon/kmod.h>
#include <karyon/sched.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>
#include "lines.h"
#include "manifest.h"

#define MAX_HANDLERS    32
#define NAME_MAX        32
#define STACK_PAGES     64      /* libtcc's stack, below it one read-only guard page */

/* A handler's address space (user addresses; uspace.c). */
#define ULIB_BASE       0x00100000ull   /* the C library: text, ro, data */
#define HANDLER_BASE    0x01000000ull   /* the handler: text, ro, data */
#define USTACK_TOP      0x7ff000000000ull
#define USTACK_MAX      (256u << 10)    /* pages mapped as it grows */
#define USTACK_GAP      (1u << 20)      /* faults this far below it: overflow */
#define RUN_CAPS        256     /* a run's stack and heap pieces */
#define AS_SLOTS        (RUN_CAPS + 16)
#define HANDLER_SLOTS   (RUN_CAPS + 16)

#include "../lib/print_to.h"

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
	kr_domain_t *dom;               /* owns all of the handler's pages */
	kr_cap_t img_cap;               /* its linked image, mapped in the kernel too */
	struct kr_kmod_linked img;      /* base: the kernel mapping; runs at HANDLER_BASE */
	void *data_copy;                /* the data region as linked */
	kr_cap_t as;                    /* its address space */
	kr_cap_t ulib_data;             /* its copy of the library's data pages */
	kr_cap_t stack_top;             /* the stack's top page (argv), kept: its page
					 * tables stay, so a run allocates none */
	uint8_t *stack_top_kva;
	uint8_t *ulib_data_kva;
	uint32_t grants;
	bool metered;                   /* compiled with gas charges (gas.h) */
	bool busy;                      /* running (the run command or a work token) */
	uint8_t version[8];             /* BLAKE2b-256 of the source, first bytes */
	uint8_t source[32];             /* ... and all of it (the commit log's items) */
	bool committed;                 /* compiled by a commit: reset unloads it */
	struct line_table *lines;       /* from its stabs, or NULL */
	struct manifest mf;             /* KR_MANIFEST, if it has one */
	uint64_t main_entry;            /* main(), or 0: its user address */
	uint64_t event_entry;           /* on_event(), or 0 */
	/* Its snapshot (event.c): the data region as the last good event run
	 * left it.  warm: the live data region is the snapshot (else the next
	 * event run copies it back first). */
	uint8_t *snap;
	bool warm;
	uint64_t ev_runs, ev_failed;    /* event runs kept, and dropped */
	/* Its endpoint "h:NAME" of the organelles' fabric (endpoint.c). */
	bool ep_open;
	uint32_t ep;                    /* the service's handle, if ep_open */
	kr_err_t ep_err;                /* why it is not open: what the calls return */
};

/* The user-mode C library, linked once (uspace.c). */
struct ulib {
	bool ready;
	kr_cap_t cap;                   /* its pages, in tcc_self */
	struct kr_kmod_linked img;      /* base: the kernel mapping; runs at ULIB_BASE */
	void *data_copy;
	uint64_t start, out, t_main;    /* __karyon_start, __karyon_out, __karyon_t_main */
	uint64_t ev_start;              /* __karyon_event */
	uint64_t method;                /* __karyon_method: a contract's entry */
	uint64_t addr[256];             /* by call number: the name's address */
};

extern kr_domain_t *tcc_self;
extern const struct kr_shell_ops *tcc_shell;
extern const struct kr_vfs_ops *tcc_vfs;
extern const struct kr_kmod_ops *tcc_kmod;         /* opened at the first cc */
extern struct handler tcc_handlers[MAX_HANDLERS];
extern uint8_t *tcc_stack;                      /* guard page + STACK_PAGES */
extern uint32_t tcc_budget_ms;
extern uint64_t tcc_heap_limit;                 /* bytes a run's heap may reach */
extern struct ulib tcc_ulib_img;

struct handler *handler_find(const char *name);
void handler_free(struct handler *h);
/* A guard on the module's stack, for libtcc. */
struct kr_guard guard_for(void);
/* The same, stopped at a timer tick past budget_ms landing in libtcc's
 * code (KR_FAULT_BUDGET), when the kernel links libtcc where it says. */
struct kr_guard guard_budget(uint32_t budget_ms);
void libtcc_snapshot(void);      /* tcc.c: libtcc's statics as at boot ... */
bool libtcc_restore(void);       /* ... and back to them; false if unknown */
const char *fault_name(uint32_t vector);
kr_err_t open_service(const char *name, uint32_t version, const void **ops);

/* uspace.c: link the library (once), build a handler's address space. */
kr_err_t ulib_load(char *err, size_t len);
kr_err_t space_build(struct handler *h);
/* Reset what a run changed: data of the handler (unless keep_data: an
 * event run's, which event.c keeps or restores) and of its library, the
 * stack's top page (at cc and after every run, so a run starts at once). */
void space_reset(struct handler *h, bool keep_data);
/* Pages for a linker in domain d, mapped read+write in the kernel. */
void *pages_for(kr_domain_t *d, size_t size, kr_cap_t *cap);

/* endpoint.c: handler NAME as the endpoint "h:NAME" (grant "parcel"). */
struct kr_org_sent;
struct ulib_parcel_info;
void endpoint_open(struct handler *h);  /* at install: opens, or revives, it */
void endpoint_close(struct handler *h); /* before its domain goes */
/* Is its endpoint in the dead-map (why: one line saying so)? */
bool endpoint_dead(const struct handler *h, char *why, size_t len);
/* The calls: the parcel's seq or the payload's length, or < 0 (res->why
 * says why a send was refused). */
long endpoint_send(struct handler *h, uint64_t chan, const char *to, const void *data,
		   size_t n, struct kr_org_sent *res);
long endpoint_send_raw(struct handler *h, const char *to, const void *bytes, size_t n,
		       struct kr_org_sent *res);
long endpoint_take(struct handler *h, void *buf, size_t cap, struct ulib_parcel_info *info);
/* A run's gas and pages against its budget: KR_EENERGY (why) killed it. */
kr_err_t endpoint_charge(struct handler *h, uint64_t gas, uint64_t pages, uint64_t io, char *why,
			 size_t len);

int cmd_cc(int argc, char **argv, print_fn print, void *ctx);          /* cc.c */
int cmd_run(int argc, char **argv, print_fn print, void *ctx);         /* run.c */

/* A work token's run (runner.c): the scheduler it turns with, its quantum
 * and memory budget, its output and the file writes kept aside. */
struct staged;
struct token {
	const struct kr_sched_ops *sched;
	const struct kr_event *event;   /* an event run (event.c): on_event(event),
					 * output to the console, no turns */
	uint64_t quantum, mem_limit;    /* gas, bytes */
	char *out;
	size_t out_size, out_len;
	struct staged *staged, **tail;
	size_t staged_bytes;
	uint64_t t_main;                /* an event run's: TSC at on_event's entry */
};
void run_token(struct handler *h, struct token *tok, int argc, char **argv, uint64_t gas,
	       struct kr_work_result *res);                             /* run.c */
void token_print(void *ctx, const char *s);                             /* runner.c */
kr_err_t token_stage(struct token *t, const char *cwd, const char *path, const void *data,
		     size_t n, bool append);     /* cwd NULL: an event, path its kind */
struct kr_events_ops;
const struct kr_events_ops *events_ops(void);   /* NULL without the events module */
kr_err_t runner_publish(void);
/* Commit a token's staged writes (commit true) or drop them (runner.c). */
kr_err_t token_unstage(struct token *t, bool commit);
/* event.c: the "runner.event" service, snapshots, the snapshot command. */
kr_err_t event_publish(void);
void snapshot_new(struct handler *h, const struct handler *old);
int cmd_snapshot(int argc, char **argv, print_fn print, void *ctx);
extern const struct kr_sched_ops *tcc_sched;    /* NULL without a scheduler */

#endif
