/*
 * events_int.h - what the events module's files share (events.c: the
 * bus, subscriptions, delivery, timers, the IRQ bridge; cmds.c: the shell
 * commands and /etc/events).
 */
#ifndef KARYON_EVENTS_INT_H
#define KARYON_EVENTS_INT_H

#include <karyon/events.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>
#include "bridge.h"
#include "evq.h"

#define MAX_SUBS        64
#define MAX_DELIVERERS  32      /* handlers with subscriptions */
#define MAX_TIMERS      32
#define MAX_SOURCES     8       /* IRQ bridge sources */
#define HANDLER_MAX     32      /* a handler's name, with its NUL */
#define QUEUE_DEFAULT   64
#define GAS_DEFAULT     1000000ull
#define GAS_MAX         (1ull << 40)

#include "../lib/print_to.h"

struct deliverer;

struct sub {
	bool used;
	uint32_t id;                    /* 1, 2, ...: the order they were made */
	char pattern[KR_EVENT_PATTERN_MAX];
	char handler[HANDLER_MAX];
	uint64_t gas;
	struct evq q;
	uint64_t ran, failed;           /* runs that returned; runs that broke a budget */
	uint64_t last_seq, last_time;   /* the last delivered event's */
	int32_t last_exit;
	uint64_t last_entry_tsc;        /* benchmarks (event bench): on_event entered, */
	uint64_t last_done_us;          /* and the delivery done */
	uint64_t last_done_ms;          /* uptime of the last delivery (events) */
	uint64_t drops_told;            /* dropped events already reported */
	struct deliverer *d;
};

struct deliverer {
	bool used;
	char handler[HANDLER_MAX];
	uint32_t task;
	unsigned nsubs;                 /* its subscriptions; none: the task ends */
};

struct timer {
	bool used;
	char name[KR_EVENT_KIND_MAX - 6];       /* kind "timer.NAME" */
	uint64_t period_ms;             /* 0: once, at due */
	uint64_t start_ms, due_ms;      /* uptime */
	uint32_t fired, missed;         /* firings raised; periods skipped while late */
};

#define SRC_RING 16
struct source {
	bool used, rtc;
	char name[KR_EVENT_KIND_MAX - 4];       /* kind "irq.NAME" */
	unsigned line;
	uint32_t rtc_hz;
	kr_domain_t *dom;               /* holds the line (and the RTC's ports) */
	kr_cap_t cap, ports;            /* in dom */
	struct bridge_src b;            /* changed in the interrupt: irq_off around reads */
	uint32_t ring[SRC_RING];        /* counts of events to raise, from the interrupt */
	uint32_t head, tail;
};

extern kr_domain_t *ev_self;
extern const struct kr_sched_ops *ev_sched;
extern const struct kr_vfs_ops *ev_vfs;
extern const struct kr_shell_ops *ev_shell;
extern struct sub ev_subs[MAX_SUBS];
extern unsigned ev_top;                 /* ev_subs[ev_top...] are unused */
extern struct timer ev_timers[MAX_TIMERS];
extern struct source ev_sources[MAX_SOURCES];
extern uint64_t ev_raised;              /* events raised since boot */
extern uint64_t ev_seq;                 /* the last sequence number given */


/* events.c.  bus_raise: data longer than KR_EVENT_DATA_MAX - 1 bytes (a
 * long path) is cut there and the event flagged KR_EVENT_TRUNCATED. */
kr_err_t bus_raise(const char *kind, uint32_t source, uint32_t count, const void *data,
		   size_t size, uint64_t *seq);
bool kind_ok(const char *kind);
/* The service's raise: custom kinds only (KR_EPERM for a source's). */
kr_err_t ev_raise_custom(const char *kind, const void *data, size_t size, uint64_t *seq);
const struct kr_event_runner_ops *runner(void);
/* sub_check and timer_check: every refusal of sub_add and timer_add,
 * changing nothing (the commit log's check). */
kr_err_t sub_check(const char *pattern, const char *handler, uint64_t gas, uint32_t depth,
		   char *why, size_t whysz);
kr_err_t timer_check(const char *name, bool every, uint64_t ms, char *why, size_t whysz);
kr_err_t sub_add(const char *pattern, const char *handler, uint64_t gas, uint32_t depth,
		 char *why, size_t whysz);
kr_err_t sub_remove(const char *pattern, const char *handler);
kr_err_t timer_add(const char *name, bool every, uint64_t ms, char *why, size_t whysz);
kr_err_t timer_remove(const char *name);
kr_err_t source_add(const char *name, unsigned line, uint32_t rtc_hz,
		    const struct bridge_conf *c, char *why, size_t whysz);
kr_err_t source_remove(const char *name);
void source_stat(struct source *s, struct bridge_src *out);
uint64_t irq_off(void);
void irq_restore(uint64_t f);

/* cmds.c */
kr_err_t cmds_add(void);
void config_load(const char *path);
/* /etc/events, once: the first of the clock task and the commit log (its
 * genesis view, taken before it replays) runs it. */
void ev_genesis(void);

/* state.c: the commit log's side.  While ev_gate is set (and /etc/events
 * is not being applied) on, off, timer add and timer del are commits. */
struct kr_gate_ops;
struct ecommit;
extern const struct kr_gate_ops *ev_gate;
extern bool ev_in_config;
int ev_commit(const char *kind, const struct ecommit *c, const char *cmd, print_fn print,
	      void *ctx);
void ev_state_publish(void);
void ev_state_exit(void);
/* What /etc/events made: reset goes back to it. */
void ev_genesis_record(void);

#endif
