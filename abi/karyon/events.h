/*
 * events.h - the "events" service (modules/events) and the event runner
 * the tcc module publishes for it, "runner.event" (ABI 1.3).
 *
 * The events module owns the bus: sources, subscriptions, their queues
 * and the tasks that deliver.  It knows handlers only by name: whether a
 * handler may see what a subscription covers (its manifest) and how to run
 * it are the runner's, so the bus works with any runner that publishes
 * this table.  docs/event-guide.md is the user's side.
 */
#ifndef KARYON_EVENTS_H
#define KARYON_EVENTS_H

#include <karyon/event.h>
#include <karyon/sched.h>
#include <karyon/service.h>

#define KR_EVENTS_SERVICE "events"
#define KR_EVENTS_VERSION 2     /* 2: irq_source */

/* An interrupt line the IRQ bridge exposes as events "irq.NAME", and its
 * limits (docs/event-guide.md): what the boot proofs record. */
#define KR_IRQ_SOURCE_VERSION 1
struct kr_irq_source {
	uint32_t version;       /* KR_IRQ_SOURCE_VERSION, set by the service */
	uint32_t line;          /* 0..15 */
	uint32_t rtc_hz;        /* the RTC's periodic rate on line 8, 0: none */
	uint32_t rate;          /* events a second */
	uint32_t burst;
	uint32_t debounce_us;
	char name[KR_EVENT_KIND_MAX - 4];       /* the kind is "irq.NAME" */
};
KR_ABI_OFFSET(struct kr_irq_source, name, 24);
KR_ABI_SIZE(struct kr_irq_source, 52);

struct kr_events_ops {
	struct kr_ops_header hdr;       /* version KR_EVENTS_VERSION */
	/* Raise a custom event: kind (not a source's prefix) and size bytes
	 * of data (less than KR_EVENT_DATA_MAX).  KR_OK and *seq (if not
	 * NULL); KR_EINVAL for a bad kind or size, KR_EPERM for "timer.",
	 * "vfs.", "kmod." or "irq.".  Callable from tasks, not interrupts. */
	kr_err_t (*raise)(const char *kind, const void *data, size_t size, uint64_t *seq);
	/* Version 2.  The index-th line the bridge exposes now (0, 1, ...
	 * until KR_ENOENT), in the order of the bridge's table.  Read only;
	 * callable from tasks. */
	kr_err_t (*irq_source)(uint32_t index, struct kr_irq_source *out);
};
KR_ABI_OFFSET(struct kr_events_ops, irq_source, 24);
KR_ABI_SIZE(struct kr_events_ops, 32);

#define KR_EVENT_RUNNER_SERVICE "runner.event"
#define KR_EVENT_RUNNER_VERSION 1

/* How a delivery went. */
#define KR_EVENT_RESULT_VERSION 1
struct kr_event_result {
	uint32_t version;       /* KR_EVENT_RESULT_VERSION, set by the runner */
	uint32_t violation;     /* enum kr_work_violation (sched.h); NONE: it returned */
	int32_t exit_code;      /* on_event's return */
	uint32_t reserved;
	uint64_t gas_used;
	uint64_t entry_tsc;     /* the TSC as on_event was entered, 0 if it was not
				 * (benchmarks: event raised -> handler entry) */
	char detail[96];        /* one line: how it ended, or why it did not run */
};
KR_ABI_OFFSET(struct kr_event_result, gas_used, 16);
KR_ABI_SIZE(struct kr_event_result, 128);

struct kr_event_runner_ops {
	struct kr_ops_header hdr;       /* version KR_EVENT_RUNNER_VERSION */
	/* May handler subscribe with pattern (event.h)?  KR_OK; KR_ENOENT if
	 * there is no such handler, KR_EPERM if its manifest does not cover
	 * the pattern (or it has none, no on_event, or no background
	 * context); why says so in one line. */
	kr_err_t (*admit)(const char *handler, const char *pattern, char *why, size_t why_size);
	/* Run handler's on_event(ev) to completion, in the calling task, with
	 * at most gas: its globals as its last good run left them, kept if
	 * this run returns, dropped if it faults, runs out of gas or breaks
	 * its manifest.  What it prints goes to the console.  KR_OK when it
	 * ran (res says how it ended); KR_ENOENT: no such handler; KR_EPERM:
	 * ev is outside its manifest (it did not run); KR_EBUSY: it is
	 * running elsewhere.  res->detail says why for each. */
	kr_err_t (*deliver)(const char *handler, const struct kr_event *ev, uint64_t gas,
			    struct kr_event_result *res);
	/* Compile file (a C source) as handler name, as the shell's `cc FILE
	 * -o NAME` would (replacing one of that name); what the compiler says
	 * goes to the console.  KR_OK, or the error (KR_EINVAL: it did not
	 * compile).  For an image's /etc/events. */
	kr_err_t (*compile)(const char *file, const char *name);
};
KR_ABI_SIZE(struct kr_event_runner_ops, 40);

#endif
