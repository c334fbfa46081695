/*
 * clog_int.h - what the clog module's files share.
 *
 *	clog.c     the module: the device, the parts, the gateway (group commit)
 *	replay.c   boot replay, state roots, views, restore, ledger verify
 *	ckpt.c     checkpoints
 *	compact.c  checkpoint compact
 *	bench.c    ledger bench
 *	syslog.c   the audit ring
 *	cmds.c     syslog, ledger, checkpoint
 *	format.c, log.c  the on-disk log (log.h), pure code shared with the host
 */
#ifndef KARYON_CLOG_INT_H
#define KARYON_CLOG_INT_H

#include <karyon/blk.h>
#include <karyon/clog.h>
#include <karyon/sched.h>
#include <karyon/shell.h>
#include "log.h"

/* The TSC: guest instructions under -icount (the benchmarks' clock). */
static inline uint64_t clog_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#include "../lib/print_to.h"

extern kr_domain_t *cl_self;
extern const struct kr_sched_ops *cl_sched;
extern struct clog *cl_log;             /* NULL: no log open */
extern bool cl_attached;                /* the parts send their changes to the gateway */
extern char cl_device[32];
extern struct clog_report cl_report;   /* what opening the log found */

/* The parts, in the state root's order (clog_part_names). */
struct part {
	const struct kr_state_ops *ops; /* NULL: no such service in this image */
	void *genesis;                  /* the genesis view (NULL: none) */
};
extern struct part cl_parts[KR_CLOG_PARTS];
/* The part that owns kind "PART.OP", or -1. */
int part_of(const char *kind);

/* Append the clog's own records (kind "clog.*") through the group commit,
 * outside the gateway's check/apply.  roots_off (not 0): the writer puts
 * the state roots (struct kr_clog_roots) there, computed when every
 * commit before this one has been applied.  *seq gets the record's seq. */
kr_err_t clog_commit_own(const char *kind, void *payload, uint32_t len, size_t roots_off,
			 uint64_t *seq);

/* `ledger format`: detach, erase the superblocks, make an empty log; the
 * next boot starts it from genesis. */
kr_err_t clog_reformat(char *why, size_t whylen);
bool clog_has_device(void);
kr_err_t clog_status_now(struct kr_clog_status *out);

/* ---- replay.c ---- */

/* The live roots (view NULL) or a set of views' roots. */
kr_err_t roots_of(void *const views[KR_CLOG_PARTS], struct kr_clog_roots *out);
/* Boot: take the genesis views, check or write clog.genesis, replay every
 * record, verify the last state root.  KR_OK: the parts may be attached. */
kr_err_t replay_boot(const struct clog_report *rep);
/* Apply a committed clog.* record live (the gateway's apply for them). */
kr_err_t replay_own_live(const struct kr_commit *c, char *err, size_t errlen);
/* Commits since the last clog.root: the gateway commits one every
 * ROOT_EVERY. */
extern uint64_t cl_since_root;
#define ROOT_EVERY 256
kr_err_t commit_root(void);

/* The state at seq s is genesis with these ranges of records applied in
 * order (a restore jumps back to its checkpoint's state). */
#define MAX_RESTORES    64
#define MAX_SEGS        (MAX_RESTORES + 1)
struct seg { uint64_t from, to; };
unsigned segments(uint64_t s, struct seg *out);
/* The image's genesis roots, as the log's clog.genesis holds them. */
extern struct kr_clog_roots cl_genesis_roots;
/* After a compaction: index the new area's checkpoints and restores. */
kr_err_t reindex(void);

/* Checkpoints, in log order. */
struct ckpt {
	uint64_t seq;           /* the checkpoint record's seq */
	char label[32];
	struct kr_clog_roots roots;
	bool mounted;
	void *view;             /* the vfs view mounted at /ckpt/ID while replayed */
};
#define MAX_CKPTS 64
extern struct ckpt cl_ckpts[MAX_CKPTS];
extern unsigned cl_nckpts;
/* views := the state at seq s (views_free frees them). */
kr_err_t views_at(uint64_t s, void *views[KR_CLOG_PARTS]);
void views_free(void *views[KR_CLOG_PARTS]);

/* Items of one part of a view (or the live state), sorted by name
 * (ckpt.c's diff, compact.c). */
struct item {
	char *name;
	uint8_t digest[32];
};
struct items {
	struct item *v;
	unsigned n, cap;
	kr_err_t err;
};
kr_err_t items_collect(void *ctx, const char *name, const uint8_t digest[32]);  /* a kr_state_item_fn */
void items_free(struct items *it);
void items_sort(struct items *it);

/* "3" (an id), a label: the checkpoint, or NULL. */
struct ckpt *ckpt_find(const char *id);
kr_err_t ckpt_create(const char *label, print_fn print, void *ctx);
kr_err_t ckpt_diff(const char *a, const char *b, print_fn print, void *ctx);
kr_err_t ckpt_replay(const char *id, bool close, print_fn print, void *ctx);
kr_err_t ckpt_restore(const char *id, print_fn print, void *ctx);
void ckpt_replay_close(struct ckpt *c);
kr_err_t ckpt_compact(const char *label, print_fn print, void *ctx);
kr_err_t ledger_verify(print_fn print, void *ctx);

/* ---- syslog.c ---- */

/* A gateway call: begin at the request, end with the response. */
unsigned syslog_begin(const char *kind, const void *payload, uint32_t len);
void syslog_end(unsigned id, kr_err_t result, uint64_t seq, const char *why);
void syslog_print(unsigned n, print_fn print, void *ctx);
/* The subject of a payload (its leading NUL-terminated string), printable,
 * cut to fit out. */
void payload_subject(const void *payload, uint32_t len, char *out, size_t outlen);

/* The log to oneself (no writer running): `ledger bench append`. */
bool clog_lock(void);
void clog_unlock(void);

/* ---- cmds.c, bench.c ---- */
void cmds_add(void);
void cmds_remove(void);
bool parse_u64(const char *s, uint64_t *out);
int ledger_bench(int argc, char **argv, print_fn print, void *ctx);

#endif
