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
 * A task that keeps the CPU for more than two seconds without yielding is
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

#include <karyon/cap.h>
#include <karyon/console.h>
#include <karyon/service.h>

#define KR_SCHED_SERVICE "sched"
#define KR_SCHED_VERSION 1

#define KR_PRIO_MIN     0
#define KR_PRIO_NORMAL  16
#define KR_PRIO_MAX     31

enum kr_task_flags {
	KR_TASK_RESTART = 1u << 0,      /* start again after a fault */
	KR_TASK_FOREGROUND = 1u << 1,   /* may read the console (the shell) */
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
};

#endif
