/*
 * sched - the scheduler (abi/karyon/sched.h): kernel tasks on the core's
 * contexts (abi/karyon/ctx.h), picked by priority, in a deterministic order.
 *
 * The core gives contexts, switching and two bindable lines; this module
 * holds KR_IRQ_IDLE, so kmain's idle loop (the boot context) runs
 * on_idle after every wake-up: the idle hooks, then every ready task in
 * turn until none is ready, when the core halts until the next interrupt.
 * A task gives the CPU back by switching to the boot context (yield,
 * block, or the end of its function); the core does the same for a task
 * that faults.  KR_IRQ_TIMER counts ticks, wakes sleepers and watches for a
 * task that keeps the CPU too long.
 *
 * The choice: the ready task of highest priority; among equals the one
 * switched to longest ago (a sequence number, not a clock), then the
 * lowest id.  Nothing depends on addresses or time but deadlines in ticks.
 *
 * Work tokens (work.c) run as tasks of their own, below every kernel task
 * (priorities 0-15), at most WORK_RUNNING at once, started in work_next's
 * order from on_idle.  A runner module runs each one; at every quantum of
 * gas it calls turn(), which advances the virtual clock and lets the next
 * token of the same priority run.  With the same submissions the tokens
 * therefore interleave the same way and see the same virtual times on
 * every run, whatever the wall clock or the shell does in between.
 *
 * State shared with interrupt handlers (task states, wake_pending, ticks)
 * changes with interrupts off; there is one CPU.
 */
#include <stdbool.h>
#include <karyon/cap.h>
#include <karyon/ctx.h>
#include <karyon/guard.h>
#include <karyon/kmod.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/sched.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>

#include "sched_int.h"
#include "work.h"

#define MAX_TASKS       64
#define MAX_HOOKS       8
#define MAX_WATCHED     16
#define STACK_PAGES     4
#define WATCHDOG_US     10000000        /* a task holding the CPU this long is reported */
#define WORK_RUNNING    32              /* tokens started at once, at most */

enum { NEED_TIMER, NEED_IDLE };         /* .needs order */

struct task {
	struct kr_ctx ctx;              /* first: the array keeps it 16-byte aligned */
	struct kr_ctx *at;              /* where it gave the CPU back: ctx, or a guarded
					 * call's context inside it (NULL: ctx) */
	uint32_t id;                    /* 0: a free slot */
	uint32_t state;                 /* enum kr_task_state */
	struct kr_task_spec spec;
	uint32_t dom_id;
	kr_cap_t stack_cap;
	uint8_t *stack;                 /* a read-only guard page, then the stack */
	bool wake_pending, dying;
	uint64_t deadline;              /* tick to wake at when blocked; 0: none */
	uint64_t last_run;              /* sequence number of its last turn */
	uint64_t end_vt;                /* a token's: the virtual time its run ended */
	bool ended;                     /* end_vt is set (charge, at the run's end) */
	uint64_t switches, faults;
	struct work *work;              /* the token it runs, if any */
	uint64_t turn_gas;              /* gas its runner has reported so far */
};

static kr_domain_t *self;
static struct kr_ctx *boot_ctx;         /* where on_idle runs */
static struct task tasks[MAX_TASKS] __attribute__((aligned(16)));
static struct task *current;            /* the task running, NULL in on_idle */
static uint32_t next_id;
static int top;                         /* slots past this were never used */
static uint64_t seq, ticks, turn_start_us;
static bool watchdog_said;
static struct { uint32_t dom_id; kr_idle_fn fn; void *ctx; } hooks[MAX_HOOKS];
static uint32_t watched[MAX_WATCHED];
static bool started_up;
static uint64_t vclock;                 /* virtual ns: the gas tokens have spent */
static uint32_t running_tokens, foreground_limit = 1;
static const struct kr_runner_ops *runner;
struct work_table sched_works;
bool sched_works_changed;               /* dispatch has work to look at */
const struct kr_shell_ops *sched_shell;
const struct kr_vfs_ops *sched_vfs;

static kr_err_t svc_spawn(kr_domain_t *d, const struct kr_task_spec *spec, uint32_t *id);

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t irq_off(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) : : "memory");
	return f;
}

static void irq_restore(uint64_t f)
{
	if (f & (1u << 9))
		__asm__ volatile("sti" : : : "memory");
}

static void free_stack(struct task *t)
{
	kr_page_unmap(self, t->stack_cap);
	kr_cap_delete(self, t->stack_cap);
	t->id = 0;
	if (t->work) {                  /* its token ended with it (a fault) */
		struct work *w = t->work;

		t->work = NULL;
		w->violation = KR_VIOL_FAULT;
		ksnprintf(w->detail, sizeof(w->detail), "its kernel task faulted");
		work_end(&sched_works, w, KR_WORK_VIOLATED, vclock);
		running_tokens--;
		sched_works_changed = true;
	}
}

static void task_main(void *arg)
{
	struct task *t = arg;

	t->spec.fn(t->spec.arg);
}

static kr_err_t task_start(struct task *t)
{
	t->ctx = (struct kr_ctx){ .version = KR_CTX_VERSION,
		.stack_lo = (uint64_t)t->stack + KR_PAGE_SIZE,
		.stack_hi = (uint64_t)t->stack + (t->spec.stack_pages + 1) * KR_PAGE_SIZE,
		.resume = boot_ctx };
	t->at = NULL;
	t->state = KR_TASK_READY;
	return kr_ctx_init(self, &t->ctx, task_main, t);
}

/* The token whose run has ended and whose runner is still finishing it
 * (applying its writes: a commit may wait for a disk), or 0.  Until it is
 * done no other token takes a turn, so the wall-clock time of that wait
 * never becomes virtual time: the tokens' schedule stays the same on every
 * run, disk or no disk.  Kernel tasks (the disk's, the commit log's) run. */
static uint32_t finishing;

/* The ready task to run next, or NULL; interrupts off. */
static struct task *pick(void)
{
	struct task *best = NULL;

	for (int i = 0; i < top; i++) {
		struct task *t = &tasks[i];

		if (!t->id || t->state != KR_TASK_READY || (finishing && t->work && t->id != finishing))
			continue;
		if (!best || t->spec.prio > best->spec.prio ||
		    (t->spec.prio == best->spec.prio && (t->last_run < best->last_run ||
		     (t->last_run == best->last_run && t->id < best->id))))
			best = t;
	}
	return best;
}

/* " in NAME+0xOFF" when rip lies in a loaded module (kmod's layout), so a
 * fault in a module's code running in someone's task names the module;
 * "" otherwise (the kernel image's addresses the backtrace names). */
static void fault_where(uint64_t rip, char *buf, size_t len)
{
	static const struct kr_kmod_ops *kmod;
	const struct kr_ops_header *h;
	struct kr_kmod_entry e;
	struct kr_kmod_layout l;
	kr_cap_t c;

	buf[0] = '\0';
	if (!kmod && kr_service_open(self, "kmod", 4, &c) == KR_OK &&
	    kr_service_ops(self, c, &h) == KR_OK)
		kmod = (const struct kr_kmod_ops *)h;
	for (uint32_t i = 0; kmod && kmod->get(i, &e) == KR_OK; i++) {
		l.version = KR_KMOD_LAYOUT_VERSION;
		if (kmod->layout(i, &l) == KR_OK && rip - l.base < l.size) {
			ksnprintf(buf, len, " in %.*s+%#llx", (int)sizeof(e.name), e.name,
				  (unsigned long long)(rip - l.base));
			return;
		}
	}
}

/* Back in on_idle after t's turn: did it end? */
static void after_turn(struct task *t)
{
	const struct kr_fault *f = &t->ctx.fault;
	bool restart = (t->spec.flags & KR_TASK_RESTART) && !t->dying;
	char where[64];

	if (finishing == t->id && (t->dying || t->ctx.state == KR_CTX_DONE ||
				   t->ctx.state == KR_CTX_FAULTED))
		finishing = 0;          /* it will not finish: the other tokens go on */
	if (t->dying || t->ctx.state == KR_CTX_DONE) {
		free_stack(t);
		return;
	}
	if (t->ctx.state != KR_CTX_FAULTED)
		return;
	t->faults++;
	fault_where(f->rip, where, sizeof(where));
	kr_log(KR_LOG_ERR, "sched: task %s (id %u, domain %u) faulted: %s at %#llx%s "
	       "(address %#llx, error %#llx); %s\n", t->spec.name, t->id, t->dom_id,
	       kr_exc_name(f->vector), (unsigned long long)f->rip, where,
	       (unsigned long long)f->addr, (unsigned long long)f->error,
	       restart ? "restarted" : "ended");
	if (!restart || task_start(t) != KR_OK)
		free_stack(t);
}

/* ---- work tokens ---- */

static const struct kr_runner_ops *open_runner(void)
{
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (!runner && kr_service_open(self, "runner.handler", KR_RUNNER_VERSION, &c) == KR_OK &&
	    kr_service_ops(self, c, &h) == KR_OK)
		runner = (const struct kr_runner_ops *)h;
	return runner;
}

kr_err_t sched_check_runnable(const char *name, char *why, size_t why_size)
{
	if (!open_runner()) {
		ksnprintf(why, why_size, "nothing runs handlers here (no runner.handler service: the tcc module)");
		return KR_ENOENT;
	}
	return runner->check(name, why, why_size);
}

static void token_main(void *arg)
{
	struct task *t = current;
	struct work *w = arg;
	const char *argv[WORK_ARGS + 1];
	struct kr_work_result res = { 0 };
	struct kr_work kw = { KR_WORK_VERSION, w->id, w->gas_limit, w->quantum,
			      (uint32_t)w->mem_pages, w->argc, argv };
	uint32_t state;
	kr_err_t err;

	work_argv(w, argv);
	err = open_runner() ? runner->run(&kw, &res, w->out, sizeof(w->out), &w->out_len) :
	      KR_ENOENT;
	if (res.gas_used > t->turn_gas)         /* the last, partial quantum */
		vclock += res.gas_used - t->turn_gas;
	w->gas_used = res.gas_used;
	w->exit_code = res.exit_code;
	w->violation = res.violation;
	memcpy(w->detail, res.detail, sizeof(w->detail));
	w->detail[sizeof(w->detail) - 1] = '\0';
	if (err && !res.violation && !w->detail[0])     /* keep the runner's reason */
		ksnprintf(w->detail, sizeof(w->detail), "the runner failed: %s", kr_strerror(err));
	state = w->cancel ? KR_WORK_CANCELLED : res.violation || err ? KR_WORK_VIOLATED :
		KR_WORK_COMPLETED;
	if (err && !res.violation && !w->cancel)
		w->violation = KR_VIOL_FAULT;
	w->tsc = rdtsc() - w->tsc;     /* start to end: guest instructions under icount */
	/* Its end is when its run ended (the runner's charge), not when the
	 * runner returned: applying its writes may have waited for a disk
	 * while other tokens took turns. */
	work_end(&sched_works, w, state, t->ended ? t->end_vt : vclock);
	finishing = 0;
	t->work = NULL;
	running_tokens--;
	sched_works_changed = true;
	sched_write_metrics();
}

/* Start the tokens that can start, in work_next's order: only after a
 * submission or an ending (sched_works_changed), not at every switch. */
static void dispatch(void)
{
	struct work *w;

	if (!sched_works_changed)
		return;
	sched_works_changed = false;
	while (running_tokens < WORK_RUNNING && (w = work_next(&sched_works)) != NULL) {
		struct kr_task_spec spec = { KR_TASK_SPEC_VERSION, .prio = w->prio,
					     .fn = token_main, .arg = w };
		uint32_t id;
		kr_err_t err;

		ksnprintf(spec.name, sizeof(spec.name), "work-%u", w->id);
		err = svc_spawn(self, &spec, &id);
		if (err) {              /* no task slot: it stays queued, try again later */
			sched_works_changed = true;
			if (err != KR_ENOSPC)
				kr_log(KR_LOG_ERR, "sched: cannot start token %u: %s\n", w->id,
				       kr_strerror(err));
			return;
		}
		for (int i = 0; i < MAX_TASKS; i++)
			if (tasks[i].id == id)
				tasks[i].work = w;
		w->task = id;
		w->tsc = rdtsc();
		running_tokens++;
		work_start(&sched_works, w, vclock);
	}
}

static void on_idle(void *ctx, unsigned line)
{
	(void)ctx;
	(void)line;
	boot_ctx = kr_ctx_current();
	if (!started_up) {
		started_up = true;
		sched_start_up();
	}
	for (int i = 0; i < MAX_HOOKS; i++)
		if (hooks[i].fn)
			hooks[i].fn(hooks[i].ctx);
	for (;;) {
		uint64_t f;
		struct task *t;

		dispatch();
		f = irq_off();
		t = pick();

		if (t) {
			t->state = KR_TASK_RUNNING;
			t->last_run = ++seq;
			t->switches++;
			current = t;
			turn_start_us = kr_uptime_us();
			watchdog_said = false;
		}
		irq_restore(f);
		if (!t)
			return;
		if (kr_ctx_switch(self, t->at ? t->at : &t->ctx) != KR_OK) {
			kr_log(KR_LOG_ERR, "sched: cannot run task %s (id %u); ended\n",
			       t->spec.name, t->id);
			t->dying = true;
		}
		current = NULL;
		after_turn(t);
	}
}

static void on_tick(void *ctx, unsigned line)
{
	(void)ctx;
	(void)line;
	ticks++;
	for (int i = 0; i < top; i++)
		if (tasks[i].id && tasks[i].state == KR_TASK_BLOCKED && tasks[i].deadline &&
		    tasks[i].deadline <= ticks) {
			tasks[i].deadline = 0;
			tasks[i].state = KR_TASK_READY;
		}
	if (current && !watchdog_said && kr_uptime_us() - turn_start_us > WATCHDOG_US) {
		watchdog_said = true;
		kr_log(KR_LOG_WARN, "sched: task %s (id %u) has run for 10 s without yielding\n",
		       current->spec.name, current->id);
	}
}

/* ---- the service ---- */

static void dom_gone(void *ctx, uint32_t id)
{
	(void)ctx;
	for (int i = 0; i < MAX_HOOKS; i++)
		if (hooks[i].dom_id == id)
			hooks[i].fn = NULL;
	for (int i = 0; i < MAX_WATCHED; i++)
		if (watched[i] == id)
			watched[i] = 0;
	for (int i = 0; i < MAX_TASKS; i++) {
		struct task *t = &tasks[i];

		if (!t->id || t->dom_id != id)
			continue;
		if (t == current)
			t->dying = true;        /* freed when it next gives the CPU back */
		else
			free_stack(t);
	}
}

/* Watch each domain with tasks or hooks once: the core has 32 watches. */
static kr_err_t watch(uint32_t id)
{
	int free_slot = -1;
	kr_err_t err;

	for (int i = 0; i < MAX_WATCHED; i++) {
		if (watched[i] == id)
			return KR_OK;
		if (!watched[i] && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return KR_ENOSPC;
	err = kr_domain_watch(self, id, dom_gone, NULL);
	if (!err)
		watched[free_slot] = id;
	return err;
}

static bool name_ok(const char *n)
{
	size_t len = strnlen(n, 32);

	if (len == 0 || len == 32)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') ||
		      n[i] == '_' || n[i] == '.' || n[i] == '-'))
			return false;
	return true;
}

static uint32_t foreground_count(void)
{
	uint32_t n = 0;

	for (int i = 0; i < MAX_TASKS; i++)
		n += tasks[i].id && (tasks[i].spec.flags & KR_TASK_FOREGROUND);
	return n;
}

static kr_err_t svc_spawn(kr_domain_t *d, const struct kr_task_spec *spec, uint32_t *id)
{
	uint32_t dom_id = kr_domain_id(d), pages;
	struct task *t = NULL;
	void *va;
	kr_err_t err;

	if (!dom_id || !spec || !id || spec->version != KR_TASK_SPEC_VERSION || !spec->fn ||
	    spec->prio > KR_PRIO_MAX || spec->stack_pages > 64 ||
	    (spec->flags & ~(KR_TASK_RESTART | KR_TASK_FOREGROUND)) || !name_ok(spec->name))
		return KR_EINVAL;
	for (int i = 0; i < MAX_TASKS && !t; i++)
		if (!tasks[i].id)
			t = &tasks[i];
	if (!t)
		return KR_ENOSPC;
	if (t - tasks >= top)
		top = (int)(t - tasks) + 1;
	if ((spec->flags & KR_TASK_FOREGROUND) && foreground_count() >= foreground_limit) {
		kr_log(KR_LOG_ERR, "sched: %s refused: %u foreground program(s) allowed "
		       "(foreground in /etc/karyon.conf)\n", spec->name, foreground_limit);
		return KR_EBUSY;
	}
	if ((err = watch(dom_id)) != KR_OK)
		return err;
	pages = spec->stack_pages ? spec->stack_pages : STACK_PAGES;
	err = kr_page_alloc(self, pages + 1, &t->stack_cap);
	if (err)
		return err;
	if ((err = kr_page_map(self, t->stack_cap, KR_RIGHT_READ | KR_RIGHT_WRITE, &va)) ||
	    (err = kr_page_protect(self, t->stack_cap, 0, 1, KR_RIGHT_READ))) {
		kr_cap_delete(self, t->stack_cap);
		return err;
	}
	t->stack = va;
	t->spec = *spec;
	t->spec.stack_pages = pages;
	t->dom_id = dom_id;
	t->wake_pending = t->dying = false;
	t->deadline = t->last_run = t->switches = t->faults = t->turn_gas = t->end_vt = 0;
	t->ended = false;
	t->work = NULL;
	t->id = ++next_id;
	if ((err = task_start(t)) != KR_OK) {
		free_stack(t);
		return err;
	}
	*id = t->id;
	return KR_OK;
}

void sched_set_foreground(uint32_t n)
{
	foreground_limit = n;
}

uint32_t sched_foreground_limit(void)
{
	return foreground_limit;
}

static uint32_t svc_self(void)
{
	return current ? current->id : 0;
}

static uint64_t svc_incarnation(void)
{
	return current ? (uint64_t)(uint32_t)current->faults << 32 | current->id : 0;
}

/* Give the CPU back to on_idle in state; interrupts off on entry.  From
 * the task's own context or from a guarded call's inside it (kr_guard_call
 * makes one whose resume is the task's): the task runs on where it gave
 * the CPU back, and the guarded call ends into the task as it would have. */
static kr_err_t give_back(uint32_t state)
{
	struct task *t = current;

	if (!t)
		return KR_EPERM;
	t->at = kr_ctx_current();
	t->state = state;
	return kr_ctx_switch(self, boot_ctx);
}

static void svc_yield(void)
{
	uint64_t f = irq_off();

	give_back(KR_TASK_READY);
	irq_restore(f);
}

static kr_err_t svc_block(uint64_t nticks)
{
	uint64_t f = irq_off();
	kr_err_t err = KR_OK;

	if (current && current->wake_pending)
		current->wake_pending = false;
	else if (current) {
		current->deadline = nticks ? ticks + nticks : 0;
		err = give_back(KR_TASK_BLOCKED);
		current->wake_pending = false;
	} else
		err = KR_EPERM;
	irq_restore(f);
	return err;
}

static kr_err_t svc_wake(uint32_t id)
{
	uint64_t f = irq_off();
	kr_err_t err = KR_ENOENT;

	for (int i = 0; i < MAX_TASKS; i++) {
		struct task *t = &tasks[i];

		if (!id || t->id != id)
			continue;
		if (t->state == KR_TASK_BLOCKED) {
			t->state = KR_TASK_READY;
			t->deadline = 0;
		} else {
			t->wake_pending = true;
		}
		err = KR_OK;
	}
	irq_restore(f);
	return err;
}

static uint64_t svc_vclock(void)
{
	return vclock;
}

static kr_err_t svc_turn(uint64_t gas)
{
	struct task *t = current;
	struct work *w = t ? t->work : NULL;

	if (!w)
		return KR_EPERM;
	vclock += gas;
	t->turn_gas += gas;
	if (w->cancel)
		return KR_EALREADY;
	if (w->vtime_limit && vclock - w->start_vt > w->vtime_limit)
		return KR_ETIME;
	svc_yield();
	return w->cancel ? KR_EALREADY : KR_OK;
}

static void svc_charge(uint64_t gas)
{
	struct task *t = current;

	vclock += gas;
	if (t && t->work) {     /* a token's last, partial quantum: its run has ended */
		t->turn_gas += gas;
		t->end_vt = vclock;
		t->ended = true;
		finishing = t->id;
	}
}

static bool svc_foreground(void)
{
	return !current || (current->spec.flags & KR_TASK_FOREGROUND);
}

static kr_err_t svc_task_info(uint32_t index, struct kr_task_info *out)
{
	const struct task *by_id[MAX_TASKS];
	uint32_t n = 0;

	if (!out)
		return KR_EINVAL;
	for (int i = 0; i < MAX_TASKS; i++) {   /* insertion sort by id */
		uint32_t j = n++;

		if (!tasks[i].id) {
			n--;
			continue;
		}
		for (; j > 0 && by_id[j - 1]->id > tasks[i].id; j--)
			by_id[j] = by_id[j - 1];
		by_id[j] = &tasks[i];
	}
	if (index >= n)
		return KR_ENOENT;
	*out = (struct kr_task_info){ .version = KR_TASK_INFO_VERSION, .id = by_id[index]->id,
		.state = by_id[index]->state, .prio = by_id[index]->spec.prio,
		.flags = by_id[index]->spec.flags, .domain = by_id[index]->dom_id,
		.switches = by_id[index]->switches, .faults = by_id[index]->faults };
	memcpy(out->name, by_id[index]->spec.name, sizeof(out->name));
	return KR_OK;
}

static kr_err_t svc_idle_hook(kr_domain_t *d, kr_idle_fn fn, void *ctx)
{
	uint32_t id = kr_domain_id(d);
	kr_err_t err;

	if (!id || !fn)
		return KR_EINVAL;
	for (int i = 0; i < MAX_HOOKS; i++)
		if (!hooks[i].fn) {
			if ((err = watch(id)) != KR_OK)
				return err;
			hooks[i].dom_id = id;
			hooks[i].ctx = ctx;
			hooks[i].fn = fn;
			return KR_OK;
		}
	return KR_ENOSPC;
}

static const struct kr_sched_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_SCHED_VERSION, sizeof(struct kr_sched_ops), 0 },
	.spawn = svc_spawn, .self = svc_self, .yield = svc_yield, .block = svc_block,
	.wake = svc_wake, .task_info = svc_task_info, .idle_hook = svc_idle_hook,
	.vclock = svc_vclock, .turn = svc_turn, .foreground = svc_foreground,
	.charge = svc_charge, .incarnation = svc_incarnation,
};

kr_err_t sched_task_info(uint32_t index, struct kr_task_info *out)
{
	return svc_task_info(index, out);
}

uint64_t sched_vclock(void)
{
	return vclock;
}

kr_err_t sched_wait_tick(void)
{
	return svc_block(1);
}

kr_domain_t *sched_self(void)
{
	return self;
}

static kr_err_t sched_init(kr_domain_t *d)
{
	kr_cap_t timer, idle, svc;
	kr_err_t err;

	self = d;
	boot_ctx = kr_ctx_current();    /* kmod starts us from the boot context */
	if ((err = kr_need_cap(d, NEED_TIMER, &timer)) || (err = kr_need_cap(d, NEED_IDLE, &idle)))
		return err;
	if ((err = kr_service_publish(d, KR_SCHED_SERVICE, &ops.hdr, &svc)))
		return err;
	if ((err = kr_irq_bind(d, timer, on_tick, NULL)) || (err = kr_irq_bind(d, idle, on_idle, NULL)))
		return err;
	return KR_OK;
}

KR_MODULE(.name = "sched", .version = KR_VERSION(1, 0, 0),
	  .description = "scheduler: kernel tasks by priority on the core's contexts",
	  .license = "MIT", .author = "Karyon developers", .init = sched_init,
	  .needs = { KR_NEED_IRQ(KR_IRQ_TIMER), KR_NEED_IRQ(KR_IRQ_IDLE) });
