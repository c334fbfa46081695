/*
 * work.h - work tokens: the queue, their budgets and states, the trace and
 * the metrics (sched.h "Work tokens").  Pure bookkeeping, no kernel calls
 * but none: tests/unit/test_work.c runs it on the host.
 */
#ifndef SCHED_WORK_H
#define SCHED_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WORK_MAX        64      /* tokens kept, ended ones included */
#define WORK_ARGS       16
#define WORK_ARGTEXT    256
#define WORK_OUT        1024    /* output kept per token */
#define WORK_TRACE      16384
#define WORK_LATENCIES  1024

#define WORK_DEFAULT_PRIO       8
#define WORK_PRIO_MAX           15      /* below every kernel task */
#define WORK_DEFAULT_GAS        1000000000ull   /* 1 s of virtual time */
#define WORK_DEFAULT_MEM        1024            /* 4 MiB */
#define WORK_QUANTUM            1000000ull      /* gas per turn: 1 virtual ms */
#define WORK_QUANTUM_MIN        1000ull

struct work_req {
	uint32_t prio;
	uint32_t after;         /* a token to wait for; 0: none */
	uint64_t gas;
	uint64_t vtime_us;      /* 0: no limit */
	uint64_t quantum;       /* gas per turn */
	uint32_t mem_pages;
	uint32_t argc;
	char *argv[WORK_ARGS];
};

struct work {
	uint32_t id;            /* 0: a free slot */
	uint32_t state;         /* enum kr_work_state */
	uint32_t prio, after;
	uint64_t gas_limit, vtime_limit, mem_pages, quantum;
	uint64_t tsc;           /* TSC cycles from start to end (not deterministic: shown
				 * by task show, never traced) */
	uint64_t submit_vt, start_vt, end_vt, gas_used;
	uint32_t violation;     /* enum kr_work_violation */
	int32_t exit_code;
	uint32_t task;          /* its scheduler task while started */
	bool cancel;
	uint32_t argc;
	char argtext[WORK_ARGTEXT];     /* argv, NUL-separated */
	char detail[96];
	char out[WORK_OUT];
	size_t out_len;
};

struct work_table {
	struct work w[WORK_MAX];
	uint32_t next_id;
	uint64_t started, completed, violated, cancelled, gas;
	uint64_t lat[WORK_LATENCIES];   /* submit to end, virtual ns, a ring */
	uint32_t nlat;
	char trace[WORK_TRACE];
	size_t trace_len;
	bool trace_full;
};

/* Parse "HANDLER [ARGS] [--prio N] [--gas N] [--mem PAGES] [--after ID]
 * [--time US] [--quantum GAS]" (options anywhere after HANDLER; "--" ends
 * them).  argv
 * strings are kept by pointer.  0, or -1 with a message in err. */
int work_parse(int argc, char **argv, struct work_req *r, char *err, size_t errsz);
/* Queue r at virtual time now: 0 and *id, or -1 with a message. */
int work_submit(struct work_table *t, const struct work_req *r, uint64_t now, uint32_t *id,
		char *err, size_t errsz);
/* The token to start next (scheduled, whatever it is after has ended, no
 * token running the same handler): highest priority, then lowest id; NULL
 * if none. */
struct work *work_next(struct work_table *t);
struct work *work_find(struct work_table *t, uint32_t id);
void work_start(struct work_table *t, struct work *w, uint64_t now);
/* w ended in state (completed, violated, cancelled) at virtual time now:
 * trace it and count it. */
void work_end(struct work_table *t, struct work *w, uint32_t state, uint64_t now);
/* argv of w, argc entries, into out (WORK_ARGS + 1, NULL-terminated). */
void work_argv(const struct work *w, const char **out);
/* Scheduled or started tokens. */
uint32_t work_depth(const struct work_table *t);
/* The p-th percentile (nearest rank, p in 1..100) of the latencies kept,
 * in virtual ns; 0 with none. */
uint64_t work_percentile(const struct work_table *t, unsigned p);
/* The Prometheus text exposition of the counters into buf; its length. */
size_t work_metrics(const struct work_table *t, uint64_t kernel_tasks, char *buf, size_t size);
const char *work_state_name(uint32_t state, uint32_t violation);

/* /etc/karyon.conf: "key = value" lines, # comments.  The foreground
 * limit into *foreground; 0, or -1 with the first problem in err. */
int conf_parse(const char *text, size_t len, uint32_t *foreground, char *err, size_t errsz);

#endif
