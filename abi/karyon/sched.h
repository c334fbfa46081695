/*
 * sched.h - the scheduler's service, "sched" (modules/sched), ABI 1.2.
 *
 * How a module gets CPU time: it spawns a task (a kernel context with a
 * stack of its own, ctx.h) that runs its function.  Tasks are cooperative
 * kernel code: a task runs until it calls yield, block or sleep, or its
 * function returns.  The scheduler picks the ready task of highest
 * priority; tasks of equal priority take turns (the one that ran longest
 * ago first).  The order depends only on spawn order, priorities and
 * wake-ups, never on addresses.
 *
 * A task that raises a CPU exception on its own stack is ended, reported
 * (vector, instruction, domain) and, if spawned with KR_TASK_RESTART,
 * started again from its function: a module bug costs the task, not the
 * kernel.  Tasks end with their domain.
 *
 * A task that keeps the CPU for more than ten seconds without yielding is
 * reported once (the timer is the safety net for kernel code; it cannot
 * preempt it).  Untrusted code (handlers) runs in user mode, where the
 * tasks that run it are preempted at gas checks.
 *
 *	const struct kr_sched_ops *s = ...;      (kr_service_open "sched")
 *	struct kr_task_spec t = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_NORMAL,
 *				  .fn = loop, .arg = NULL, .name = "mytask" };
 *	s->spawn(self, &t, &id);
 */
#ifndef KARYON_SCHED_H
#define KARYON_SCHED_H

#include <stdbool.h>

#include <karyon/cap.h>
#include <karyon/console.h>
#include <karyon/service.h>

#define KR_SCHED_SERVICE "sched"
#define KR_SCHED_VERSION 4    /* 2: work tokens, the virtual clock, turn; 3: charge;
                                 * 4: incarnation */

#define KR_PRIO_MIN     0
#define KR_PRIO_NORMAL  16
#define KR_PRIO_MAX     31

enum kr_task_flags {
	KR_TASK_RESTART = 1u << 0,      /* start again after a fault */
	KR_TASK_FOREGROUND = 1u << 1,   /* may read the console (the shell); how
					 * many may exist: /etc/karyon.conf */
};

typedef void (*kr_task_fn)(void *arg);

#define KR_TASK_SPEC_VERSION 1
struct kr_task_spec {
	uint32_t version;       /* KR_TASK_SPEC_VERSION */
	uint32_t prio;          /* KR_PRIO_MIN..KR_PRIO_MAX; higher runs first */
	uint32_t stack_pages;   /* 4 KiB pages of stack, 0: 4; at most 64 */
	uint32_t flags;         /* enum kr_task_flags */
	kr_task_fn fn;          /* runs in the task; the task ends when it returns */
	void *arg;
	char name[32];          /* for reports: [a-z0-9_.-], NUL-terminated */
};
KR_ABI_OFFSET(struct kr_task_spec, fn, 16);
KR_ABI_SIZE(struct kr_task_spec, 64);

enum kr_task_state {
	KR_TASK_READY = 1,
	KR_TASK_RUNNING = 2,
	KR_TASK_BLOCKED = 3,    /* waiting for wake or a deadline */
};

#define KR_TASK_INFO_VERSION 1
struct kr_task_info {
	uint32_t version;       /* KR_TASK_INFO_VERSION */
	uint32_t id;
	uint32_t state;         /* enum kr_task_state */
	uint32_t prio;
	uint32_t flags;
	uint32_t domain;        /* kr_domain_id of its spawner */
	uint64_t switches;      /* times it was switched to */
	uint64_t faults;        /* faults survived (KR_TASK_RESTART) */
	char name[32];
};
KR_ABI_OFFSET(struct kr_task_info, switches, 24);
KR_ABI_SIZE(struct kr_task_info, 72);

struct kr_sched_ops {
	struct kr_ops_header hdr;       /* version KR_SCHED_VERSION */
	/* Start a task; *id names it (ids are never reused while it lives).
	 * KR_EINVAL for a bad spec, KR_ENOSPC when 64 tasks exist. */
	kr_err_t (*spawn)(kr_domain_t *d, const struct kr_task_spec *spec, uint32_t *id);
	/* The running task's id; 0 outside tasks (boot, idle, interrupts). */
	uint32_t (*self)(void);
	/* Let every other ready task of the same or higher priority run. */
	void (*yield)(void);
	/* Wait for wake(self) (returns at once if one came since the last
	 * block), or for ticks timer ticks if ticks is not 0.  KR_EPERM
	 * outside a task. */
	kr_err_t (*block)(uint64_t ticks);
	/* Make task id ready; callable from interrupt handlers.  KR_ENOENT if
	 * there is no such task. */
	kr_err_t (*wake)(uint32_t id);
	/* The index-th task (0, 1, ... until KR_ENOENT), in id order. */
	kr_err_t (*task_info)(uint32_t index, struct kr_task_info *out);
	/* An idle hook (console.h kr_idle_hook goes here): fn runs in the
	 * idle loop after every wake-up, before tasks; ends with d. */
	kr_err_t (*idle_hook)(kr_domain_t *d, kr_idle_fn fn, void *ctx);

	/* Version 2.  The virtual clock: the gas all work tokens (and, from
	 * version 3, event handlers: charge) have spent
	 * (1 gas = 1 virtual ns), so the same submissions see the same times
	 * on every run.  A handler's time_us() reads it. */
	uint64_t (*vclock)(void);
	/* From a runner, in a token's task, at each gas check that ends a
	 * quantum: gas spent since the last call.  The clock advances and the
	 * next ready token of the same priority runs (deterministic
	 * preemption).  KR_ETIME when the token's virtual time budget is
	 * spent, KR_EALREADY when it was cancelled: the runner then stops it;
	 * KR_EPERM outside a token. */
	kr_err_t (*turn)(uint64_t gas);
	/* Is the running task a foreground program (KR_TASK_FOREGROUND)?
	 * Only those read the console; true outside tasks. */
	bool (*foreground)(void);
	/* Version 3.  Gas spent by untrusted work that is not a token (an
	 * event handler's run): the virtual clock advances by it, so event
	 * times depend on the work done, never on the wall clock.  From a
	 * token, when its run has ended: the gas of its last, partial
	 * quantum, and the token's end time is then (whatever the runner does
	 * after, such as applying its writes, takes). */
	void (*charge)(uint64_t gas);
	/* Version 4.  Which run of the running task this is: its id in the
	 * low 32 bits, the faults it survived (each one restarted it) in the
	 * high 32; 0 outside tasks.  A task restarted after a fault is a new
	 * incarnation: code that noted where a task was (organelles: a
	 * delivery under way in it) can tell the run it noted is gone. */
	uint64_t (*incarnation)(void);
};
KR_ABI_OFFSET(struct kr_sched_ops, vclock, 72);
KR_ABI_OFFSET(struct kr_sched_ops, incarnation, 104);
KR_ABI_SIZE(struct kr_sched_ops, 112);

/*
 * Work tokens (OS2): a run of untrusted work, queued with `task submit`,
 * with a priority and budgets, that ends completed, violated (a budget or
 * capability broken: nothing it wrote is kept) or cancelled.  The
 * scheduler owns the queue, the order and the virtual clock; a runner
 * module runs the work itself: the tcc module publishes "runner.handler".
 */
enum kr_work_state {
	KR_WORK_SCHEDULED = 1,
	KR_WORK_STARTED = 2,
	KR_WORK_COMPLETED = 3,
	KR_WORK_VIOLATED = 4,
	KR_WORK_CANCELLED = 5,
};

enum kr_work_violation {
	KR_VIOL_NONE = 0,
	KR_VIOL_GAS = 1,        /* budget: its gas */
	KR_VIOL_MEMORY = 2,     /* budget: its memory pages */
	KR_VIOL_VTIME = 3,      /* budget: its virtual time */
	KR_VIOL_CAPABILITY = 4, /* a call outside its grants */
	KR_VIOL_FAULT = 5,      /* a CPU exception in the work */
	KR_VIOL_ENERGY = 6,     /* its energy budget (<karyon/organelles.h>): killed; 1.3 */
};

#define KR_WORK_VERSION 1
struct kr_work {
	uint32_t version;       /* KR_WORK_VERSION */
	uint32_t id;            /* the token */
	uint64_t gas_limit;     /* all the gas it may spend */
	uint64_t quantum;       /* gas per turn: call turn() when it is spent */
	uint32_t mem_pages;     /* most 4 KiB pages of memory it may hold */
	uint32_t argc;          /* argv[0]: what to run (a handler's name) */
	const char *const *argv;
};
KR_ABI_OFFSET(struct kr_work, argv, 32);
KR_ABI_SIZE(struct kr_work, 40);

#define KR_WORK_RESULT_VERSION 1
struct kr_work_result {
	uint32_t version;       /* KR_WORK_RESULT_VERSION, set by the runner */
	uint32_t violation;     /* enum kr_work_violation; NONE: completed */
	int32_t exit_code;      /* main's return, when completed */
	uint32_t reserved;
	uint64_t gas_used;
	char detail[96];        /* one line: where it stopped, what it broke */
};
KR_ABI_OFFSET(struct kr_work_result, gas_used, 16);
KR_ABI_SIZE(struct kr_work_result, 120);

#define KR_RUNNER_VERSION 1
struct kr_runner_ops {
	struct kr_ops_header hdr;       /* version KR_RUNNER_VERSION */
	/* Is there such a thing to run?  KR_ENOENT, with a reason in why. */
	kr_err_t (*check)(const char *name, char *why, size_t why_size);
	/* Run w in the calling task to its end, calling the scheduler's
	 * turn() at every quantum and stopping when it says so.  Its output
	 * goes to out (up to out_size bytes, *out_len set) and its file
	 * writes are kept aside, made only if it completes. */
	kr_err_t (*run)(const struct kr_work *w, struct kr_work_result *res, char *out,
			size_t out_size, size_t *out_len);
};
KR_ABI_SIZE(struct kr_runner_ops, 32);

#endif
