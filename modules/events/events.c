/*
 * events - the event bus (docs/event-guide.md): nothing runs unless an
 * event happened.
 *
 * Sources raise events: timers (`timer add`), file changes (the vfs
 * service's watch), module loads and unloads (the kmod service's watch),
 * interrupt lines through the IRQ bridge, and custom events from the
 * shell (`event raise`) or from handlers granted "events.raise" (this
 * module's "events" service).  Each event gets the next sequence number
 * and the virtual clock (sched.h), and a copy goes into the queue of every
 * subscription whose pattern matches it; a full queue drops the new event
 * and counts it, so what a handler sees is always in order.
 *
 * Delivery: every handler with subscriptions has a task of its own
 * ("ev.NAME", below the shell's priority, so the shell stays responsive
 * in a storm) that takes the oldest queued event of its subscriptions and
 * has the runner (the tcc module's "runner.event") run the handler's
 * on_event to completion on it, under the subscription's gas; one event
 * per turn.  The runner checks the handler's manifest at subscription
 * (admit) and again at every delivery.  A handler that is gone or no
 * longer allows a subscription loses it, with a message.
 *
 * Every raise happens in a task, never in an interrupt: the bridge's
 * interrupt handler only does the bucket arithmetic (bridge.c) and passes
 * counts to the clock task, which raises them with the timers'.
 */
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/kmod.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include "events_int.h"

#define TICK_MS         10      /* the scheduler's tick (100 Hz) */
#define RTC_PORT        0x70
#define NEED_DEVICES    0       /* .needs index: KR_SYS_DEVICES */

kr_domain_t *ev_self;
const struct kr_sched_ops *ev_sched;
const struct kr_vfs_ops *ev_vfs;
const struct kr_shell_ops *ev_shell;
struct sub ev_subs[MAX_SUBS];
unsigned ev_top;                        /* ev_subs[ev_top...] are all unused */
struct timer ev_timers[MAX_TIMERS];
struct source ev_sources[MAX_SOURCES];
uint64_t ev_raised, ev_seq;

static const struct kr_kmod_ops *kmod;
static const struct kr_event_runner_ops *runner_ops;
static struct deliverer deliverers[MAX_DELIVERERS];
static uint32_t next_sub_id = 1;
static uint32_t clock_task;
static kr_cap_t devices;                /* to take a source's line while it is exposed */

uint64_t irq_off(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) : : "memory");
	return f;
}

void irq_restore(uint64_t f)
{
	if (f & (1u << 9))
		__asm__ volatile("sti" : : : "memory");
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kr_console_write(buf, strlen(buf));
}

const struct kr_event_runner_ops *runner(void)
{
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (!runner_ops && kr_service_open(ev_self, KR_EVENT_RUNNER_SERVICE, KR_EVENT_RUNNER_VERSION,
					   &c) == KR_OK && kr_service_ops(ev_self, c, &h) == KR_OK)
		runner_ops = (const struct kr_event_runner_ops *)h;
	return runner_ops;
}

/* ---- the bus ---- */

bool kind_ok(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;

	if (!n || n >= KR_EVENT_KIND_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((kind[i] >= 'a' && kind[i] <= 'z') || (kind[i] >= '0' && kind[i] <= '9') ||
		      kind[i] == '_' || kind[i] == '.' || kind[i] == '-'))
			return false;
	return true;
}

kr_err_t bus_raise(const char *kind, uint32_t source, uint32_t count, const void *data,
		   size_t size, uint64_t *seq)
{
	struct kr_event ev;
	uint32_t flags = 0;

	if (!kind_ok(kind) || (size && !data))
		return KR_EINVAL;
	if (size >= KR_EVENT_DATA_MAX) {        /* a long path: kept in part, and said so */
		size = KR_EVENT_DATA_MAX - 1;
		flags |= KR_EVENT_TRUNCATED;
	}
	ev = (struct kr_event){ .version = KR_EVENT_VERSION, .source = source, .seq = ++ev_seq,
				.time = ev_sched->vclock(), .count = count,
				.size = (uint32_t)size, .flags = flags };
	memcpy(ev.kind, kind, strlen(kind) + 1);
	if (size)
		memcpy(ev.data, data, size);
	ev_raised++;
	for (unsigned i = 0; i < ev_top; i++) {
		struct sub *s = &ev_subs[i];

		if (!s->used || !kr_event_match(s->pattern, ev.kind, ev.data))
			continue;
		if (evq_push(&s->q, &ev)) {
			ev_sched->wake(s->d->task);
		} else if (s->q.dropped == s->drops_told + 1) {
			say("events: %s's queue for %s is full (%u): dropping events until it "
			    "drains\n", s->handler, s->pattern, s->q.cap);
		}
	}
	if (seq)
		*seq = ev.seq;
	return KR_OK;
}

kr_err_t ev_raise_custom(const char *kind, const void *data, size_t size, uint64_t *seq)
{
	if (!kind_ok(kind) || size >= KR_EVENT_DATA_MAX)
		return KR_EINVAL;
	if (kr_event_kind_reserved(kind))
		return KR_EPERM;
	return bus_raise(kind, KR_EVSRC_CUSTOM, 1, data, size, seq);
}

/* The service's irq_source: the index-th used slot of the bridge's table.
 * Only the configuration is read, never the bucket the interrupt changes. */
static kr_err_t ev_irq_source(uint32_t index, struct kr_irq_source *out)
{
	if (!out)
		return KR_EINVAL;
	for (int i = 0; i < MAX_SOURCES; i++) {
		const struct source *s = &ev_sources[i];

		if (!s->used || index--)
			continue;
		*out = (struct kr_irq_source){ KR_IRQ_SOURCE_VERSION, s->line, s->rtc_hz,
					       s->b.c.rate, s->b.c.burst, s->b.c.debounce_us, "" };
		memcpy(out->name, s->name, sizeof(out->name));
		return KR_OK;
	}
	return KR_ENOENT;
}

static const struct kr_events_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_EVENTS_VERSION, sizeof(struct kr_events_ops), 0 },
	.raise = ev_raise_custom,
	.irq_source = ev_irq_source,
};

/* ---- delivery ---- */

static bool has_subs(const struct deliverer *d)
{
	return d->nsubs != 0;
}

/* The subscription of d holding the oldest queued event, or NULL. */
static struct sub *next_for(const struct deliverer *d)
{
	struct sub *best = NULL;

	for (unsigned i = 0; i < ev_top; i++) {
		struct sub *s = &ev_subs[i];

		if (s->used && s->d == d && s->q.len &&
		    (!best || evq_peek(&s->q)->seq < evq_peek(&best->q)->seq))
			best = s;
	}
	return best;
}

static void sub_free(struct sub *s)
{
	kr_free(ev_self, s->q.ring);
	s->d->nsubs--;
	*s = (struct sub){ 0 };
	while (ev_top && !ev_subs[ev_top - 1].used)
		ev_top--;
}

/* The handler is gone or refuses: its subscriptions end. */
static void drop_handler(struct deliverer *d, const char *why)
{
	say("events: %s: %s; its subscriptions end\n", d->handler, why);
	for (int i = 0; i < MAX_SUBS; i++)
		if (ev_subs[i].used && ev_subs[i].d == d)
			sub_free(&ev_subs[i]);
}

static void deliver_one(struct deliverer *d, struct sub *s)
{
	const struct kr_event_runner_ops *r = runner();
	struct kr_event_result res;
	/* Delivered from the queue itself: a raise during the run adds at
	 * the other end, or drops when full; it never overwrites this one. */
	const struct kr_event *ev = evq_peek(&s->q);
	kr_err_t e = r ? r->deliver(d->handler, ev, s->gas, &res) : KR_ENOENT;
	uint64_t seq = ev->seq, time = ev->time;
	char kind[KR_EVENT_KIND_MAX];

	if (e == KR_EBUSY) {            /* `run` or a token has it: try again next tick */
		ev_sched->block(1);
		return;
	}
	if (e == KR_EPERM) {            /* recompiled with a narrower manifest */
		say("events: %s: %s; its subscription to %s ends\n", d->handler, res.detail,
		    s->pattern);
		sub_free(s);
		return;
	}
	if (e) {                        /* gone: every subscription of it ends */
		drop_handler(d, r ? res.detail : "no runner (the tcc module is not loaded)");
		return;
	}
	memcpy(kind, ev->kind, sizeof(kind));
	evq_pop(&s->q);
	s->last_seq = seq;
	s->last_time = time;
	s->last_exit = res.exit_code;
	s->last_entry_tsc = res.entry_tsc;
	s->last_done_us = kr_uptime_us();
	s->last_done_ms = s->last_done_us / 1000;
	if (res.violation == KR_VIOL_NONE) {
		s->ran++;
	} else {
		s->failed++;
		say("events: %s on %s #%llu: %s; its globals stay as they were\n", d->handler,
		    kind, (unsigned long long)seq, res.detail);
	}
	if (!s->q.len && s->q.dropped > s->drops_told) {
		say("events: %s: %llu events for %s dropped while its queue was full\n", d->handler,
		    (unsigned long long)(s->q.dropped - s->drops_told), s->pattern);
		s->drops_told = s->q.dropped;
	}
}

/* A handler's task: its events, oldest first, one per turn. */
static void deliver_loop(void *arg)
{
	struct deliverer *d = arg;

	for (;;) {
		struct sub *s;

		if (!has_subs(d)) {
			*d = (struct deliverer){ 0 };
			return;
		}
		s = next_for(d);
		if (!s) {
			ev_sched->block(0);
			continue;
		}
		deliver_one(d, s);
		ev_sched->yield();
	}
}

static struct deliverer *deliverer_for(const char *handler, char *why, size_t whysz)
{
	struct deliverer *d = NULL;
	struct kr_task_spec t = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_NORMAL, .stack_pages = 8,
				  .fn = deliver_loop };
	kr_err_t e;

	for (int i = 0; i < MAX_DELIVERERS; i++)
		if (deliverers[i].used && !strcmp(deliverers[i].handler, handler))
			return &deliverers[i];
	for (int i = 0; i < MAX_DELIVERERS && !d; i++)
		if (!deliverers[i].used)
			d = &deliverers[i];
	if (!d) {
		ksnprintf(why, whysz, "%u handlers have subscriptions, the most there can be",
			  MAX_DELIVERERS);
		return NULL;
	}
	t.arg = d;
	ksnprintf(t.name, sizeof(t.name), "ev.%s", handler);
	e = ev_sched->spawn(ev_self, &t, &d->task);
	if (e) {
		ksnprintf(why, whysz, "no task for %s: %s", handler, kr_strerror(e));
		return NULL;
	}
	d->used = true;
	memcpy(d->handler, handler, strlen(handler) + 1);
	return d;
}

kr_err_t sub_check(const char *pattern, const char *handler, uint64_t gas, uint32_t depth,
		   char *why, size_t whysz)
{
	const struct kr_event_runner_ops *r = runner();
	bool room = false;
	kr_err_t e;

	why[0] = '\0';
	if (!r) {
		ksnprintf(why, whysz, "no handler runner (the tcc module is not loaded)");
		return KR_ENOENT;
	}
	if (!handler || strlen(handler) >= HANDLER_MAX || !gas || gas > GAS_MAX || !depth ||
	    depth > EVQ_MAX) {
		ksnprintf(why, whysz, "bad subscription (gas 1..%llu, queue 1..%u)",
			  (unsigned long long)GAS_MAX, EVQ_MAX);
		return KR_EINVAL;
	}
	e = r->admit(handler, pattern, why, whysz);
	if (e)
		return e;
	for (int i = 0; i < MAX_SUBS; i++) {
		if (ev_subs[i].used && !strcmp(ev_subs[i].pattern, pattern) &&
		    !strcmp(ev_subs[i].handler, handler)) {
			ksnprintf(why, whysz, "%s is subscribed to %s already", handler, pattern);
			return KR_EEXIST;
		}
		room |= !ev_subs[i].used;
	}
	if (!room) {
		ksnprintf(why, whysz, "%u subscriptions exist, the most there can be", MAX_SUBS);
		return KR_ENOSPC;
	}
	return KR_OK;
}

kr_err_t sub_add(const char *pattern, const char *handler, uint64_t gas, uint32_t depth,
		 char *why, size_t whysz)
{
	struct kr_event *ring;
	struct sub *s = NULL;
	kr_err_t e = sub_check(pattern, handler, gas, depth, why, whysz);

	if (e)
		return e;
	for (int i = 0; i < MAX_SUBS && !s; i++)
		if (!ev_subs[i].used)
			s = &ev_subs[i];
	ring = kr_malloc(ev_self, (size_t)depth * sizeof(struct kr_event));
	if (!ring) {
		ksnprintf(why, whysz, "no memory for a queue of %u events", depth);
		return KR_ENOMEM;
	}
	s->d = deliverer_for(handler, why, whysz);
	if (!s->d) {
		kr_free(ev_self, ring);
		return KR_ENOSPC;
	}
	s->used = true;
	s->d->nsubs++;
	if (ev_top <= (unsigned)(s - ev_subs))
		ev_top = (unsigned)(s - ev_subs) + 1;
	s->id = next_sub_id++;
	memcpy(s->pattern, pattern, strlen(pattern) + 1);
	memcpy(s->handler, handler, strlen(handler) + 1);
	s->gas = gas;
	evq_init(&s->q, ring, depth);
	return KR_OK;
}

kr_err_t sub_remove(const char *pattern, const char *handler)
{
	for (int i = 0; i < MAX_SUBS; i++) {
		struct sub *s = &ev_subs[i];

		if (s->used && !strcmp(s->pattern, pattern) && !strcmp(s->handler, handler)) {
			struct deliverer *d = s->d;

			sub_free(s);
			ev_sched->wake(d->task);        /* it ends if that was its last */
			return KR_OK;
		}
	}
	return KR_ENOENT;
}

/* ---- timers and the bridge: the clock task ---- */

static uint64_t now_ms(void)
{
	return kr_uptime_us() / 1000;
}

kr_err_t timer_check(const char *name, bool every, uint64_t ms, char *why, size_t whysz)
{
	const struct timer *t = NULL;

	if (!name || strlen(name) >= sizeof(t->name) || !kind_ok(name) || (every && !ms) ||
	    ms > 1000ull * 86400 * 365) {
		ksnprintf(why, whysz, "a timer is NAME ([a-z0-9_.-], at most %u bytes) and a time "
			  "in ms (every: at least 1)", (unsigned)sizeof(t->name) - 1);
		return KR_EINVAL;
	}
	for (int i = 0; i < MAX_TIMERS; i++) {
		if (ev_timers[i].used && !strcmp(ev_timers[i].name, name)) {
			ksnprintf(why, whysz, "timer %s exists (timer del %s first)", name, name);
			return KR_EEXIST;
		}
		if (!ev_timers[i].used && !t)
			t = &ev_timers[i];
	}
	if (!t) {
		ksnprintf(why, whysz, "%u timers exist, the most there can be", MAX_TIMERS);
		return KR_ENOSPC;
	}
	return KR_OK;
}

kr_err_t timer_add(const char *name, bool every, uint64_t ms, char *why, size_t whysz)
{
	struct timer *t = NULL;
	uint64_t now = now_ms();
	kr_err_t e = timer_check(name, every, ms, why, whysz);

	if (e)
		return e;
	for (int i = 0; i < MAX_TIMERS && !t; i++)
		if (!ev_timers[i].used)
			t = &ev_timers[i];
	*t = (struct timer){ .used = true, .period_ms = every ? ms : 0, .start_ms = now,
			     .due_ms = every ? now + ms : ms };
	memcpy(t->name, name, strlen(name) + 1);
	ev_sched->wake(clock_task);
	return KR_OK;
}

kr_err_t timer_remove(const char *name)
{
	for (int i = 0; i < MAX_TIMERS; i++)
		if (ev_timers[i].used && !strcmp(ev_timers[i].name, name)) {
			ev_timers[i] = (struct timer){ 0 };
			return KR_OK;
		}
	return KR_ENOENT;
}

/* Raise what is due; the ms until the next timer (or UINT64_MAX). */
static uint64_t timers_run(void)
{
	uint64_t now = now_ms(), next = UINT64_MAX;
	char kind[KR_EVENT_KIND_MAX];

	for (int i = 0; i < MAX_TIMERS; i++) {
		struct timer *t = &ev_timers[i];

		if (!t->used)
			continue;
		if (t->due_ms <= now) {
			t->fired++;
			ksnprintf(kind, sizeof(kind), "timer.%s", t->name);
			bus_raise(kind, KR_EVSRC_TIMER, t->fired, t->name, strlen(t->name), NULL);
			if (!t->period_ms) {
				*t = (struct timer){ 0 };
				continue;
			}
			t->due_ms += t->period_ms;
			if (t->due_ms <= now) {         /* late: the firings missed are counted */
				uint64_t skip = (now - t->due_ms) / t->period_ms + 1;

				t->missed += (uint32_t)skip;
				t->due_ms += skip * t->period_ms;
			}
		}
		if (t->due_ms - now < next)
			next = t->due_ms - now;
	}
	return next;
}

static void rtc_ack(struct source *s)
{
	uint32_t v;

	kr_io_write(s->dom, s->ports, RTC_PORT, 1, 0x0c);       /* register C: clears the flag */
	kr_io_read(s->dom, s->ports, RTC_PORT + 1, 1, &v);
}

static void rtc_setup(struct source *s, uint32_t hz, bool on)
{
	kr_domain_t *d = s->dom;
	kr_cap_t p = s->ports;
	uint32_t a, b, rate = 3;

	while (rate < 15 && (32768u >> (rate - 1)) > hz)
		rate++;
	kr_io_write(d, p, RTC_PORT, 1, 0x8a);     /* register A, NMI off */
	kr_io_read(d, p, RTC_PORT + 1, 1, &a);
	kr_io_write(d, p, RTC_PORT, 1, 0x8a);
	kr_io_write(d, p, RTC_PORT + 1, 1, (a & 0xf0) | rate);
	kr_io_write(d, p, RTC_PORT, 1, 0x8b);     /* register B: periodic */
	kr_io_read(d, p, RTC_PORT + 1, 1, &b);
	kr_io_write(d, p, RTC_PORT, 1, 0x8b);
	kr_io_write(d, p, RTC_PORT + 1, 1, on ? (b | 0x40) : (b & ~0x40u));
	kr_io_write(d, p, RTC_PORT, 1, 0x0d);     /* NMI back on */
	rtc_ack(s);
}

static bool sources_run(void);
static void on_kmod(void *ctx, bool loaded, const char *name);
static kr_err_t open_ops(const char *name, uint32_t version, const void **ops_out);

/* In the interrupt: the bucket's verdict, handed to the clock task. */
static void on_line(void *ctx, unsigned line)
{
	struct source *s = ctx;
	uint32_t n;

	(void)line;
	if (s->rtc)
		rtc_ack(s);
	n = bridge_hit(&s->b, kr_uptime_us());
	if (!n)
		return;
	if (s->head - s->tail == SRC_RING)
		bridge_lost(&s->b, n);  /* the task is behind: counted, not hidden */
	else
		s->ring[s->head++ % SRC_RING] = n;
	ev_sched->wake(clock_task);
}

/* Raise the sources' events; true if some interrupts are still held. */
static bool sources_run(void)
{
	char kind[KR_EVENT_KIND_MAX];
	bool held = false;

	for (int i = 0; i < MAX_SOURCES; i++) {
		struct source *s = &ev_sources[i];
		uint64_t f;
		uint32_t n;

		if (!s->used)
			continue;
		ksnprintf(kind, sizeof(kind), "irq.%s", s->name);
		for (;;) {
			f = irq_off();
			n = s->tail != s->head ? s->ring[s->tail++ % SRC_RING] :
			    bridge_flush(&s->b, kr_uptime_us());
			held |= s->b.pending != 0;
			irq_restore(f);
			if (!n)
				break;
			if (bus_raise(kind, KR_EVSRC_IRQ, n, s->name, strlen(s->name), NULL)) {
				f = irq_off();
				bridge_lost(&s->b, n);
				irq_restore(f);
			}
		}
	}
	return held;
}

void source_stat(struct source *s, struct bridge_src *out)
{
	uint64_t f = irq_off();

	*out = s->b;
	irq_restore(f);
}

/* The source's own domain holds its line (and the RTC's ports) while it
 * is exposed: taken through the devices facility, exclusive like any
 * driver's, given back with the domain. */
static kr_err_t source_take(struct source *s, char *why, size_t whysz)
{
	const struct kr_need line = KR_NEED_IRQ(s->line), ports = KR_NEED_PORTS(RTC_PORT, 2);
	const char *holder = NULL;
	char name[32];
	kr_err_t e;

	ksnprintf(name, sizeof(name), "irq.%s", s->name);
	e = devices ? kr_domain_create(ev_self, name, 8, &s->dom) : KR_EPERM;
	if (e) {
		ksnprintf(why, whysz, "cannot take line %u: %s", s->line, devices ?
			  kr_strerror(e) : "no devices facility");
		s->dom = NULL;
		return e;
	}
	e = kr_need_grant(ev_self, devices, s->dom, 0, &line, &holder);
	if (!e && s->rtc)
		e = kr_need_grant(ev_self, devices, s->dom, 1, &ports, &holder);
	if (!e)
		e = kr_need_cap(s->dom, 0, &s->cap);
	if (!e && s->rtc)
		e = kr_need_cap(s->dom, 1, &s->ports);
	if (!e)
		e = kr_irq_bind(s->dom, s->cap, on_line, s);
	if (e) {
		ksnprintf(why, whysz, "cannot take line %u: %s%s%s", s->line, kr_strerror(e),
			  holder ? ", held by " : e == KR_EBUSY ? " (bound already)" : "",
			  holder ? holder : "");
		kr_domain_destroy(ev_self, s->dom);
		s->dom = NULL;
	}
	return e;
}

kr_err_t source_add(const char *name, unsigned line, uint32_t rtc_hz,
		    const struct bridge_conf *c, char *why, size_t whysz)
{
	struct source *s = NULL;
	kr_err_t e;

	if (!name || strlen(name) >= sizeof(s->name) || !kind_ok(name) || line > 15 ||
	    line == 2 || bridge_conf_check(c) || (rtc_hz && (line != 8 || rtc_hz < 2 ||
							     rtc_hz > 8192))) {
		ksnprintf(why, whysz, "a source is NAME, a line 0..15 but 2 (--rtc HZ, 2..8192, "
			  "on 8 only), rate 1..100000, burst 1..1000, debounce 0..10000 ms");
		return KR_EINVAL;
	}
	for (int i = 0; i < MAX_SOURCES; i++) {
		if (ev_sources[i].used && (!strcmp(ev_sources[i].name, name) ||
					   ev_sources[i].line == line)) {
			ksnprintf(why, whysz, "line %u or the name %s is exposed already",
				  line, name);
			return KR_EEXIST;
		}
		if (!ev_sources[i].used && !s)
			s = &ev_sources[i];
	}
	if (!s) {
		ksnprintf(why, whysz, "%u sources exist, the most there can be", MAX_SOURCES);
		return KR_ENOSPC;
	}
	*s = (struct source){ .rtc = rtc_hz != 0, .line = line, .rtc_hz = rtc_hz };
	memcpy(s->name, name, strlen(name) + 1);
	bridge_init(&s->b, c, kr_uptime_us());
	e = source_take(s, why, whysz);
	if (e) {
		*s = (struct source){ 0 };
		return e;
	}
	s->used = true;
	if (rtc_hz)
		rtc_setup(s, rtc_hz, true);
	return KR_OK;
}

kr_err_t source_remove(const char *name)
{
	for (int i = 0; i < MAX_SOURCES; i++) {
		struct source *s = &ev_sources[i];

		if (s->used && !strcmp(s->name, name)) {
			char kind[KR_EVENT_KIND_MAX];

			if (s->rtc)
				rtc_setup(s, s->rtc_hz, false);
			kr_irq_unbind(s->dom, s->cap);
			kr_domain_destroy(ev_self, s->dom);     /* the line is free again */
			sources_run();          /* what the interrupt handed over */
			ksnprintf(kind, sizeof(kind), "irq.%s", s->name);
			if (s->b.pending &&     /* held ones go out in a last event */
			    bus_raise(kind, KR_EVSRC_IRQ, s->b.pending, s->name, strlen(s->name), NULL))
				kr_log(KR_LOG_WARN, "events: irq.%s: %u held interrupts lost\n",
				       s->name, s->b.pending);
			*s = (struct source){ 0 };
			return KR_OK;
		}
	}
	return KR_ENOENT;
}

/* Timers and the bridge; first, the image's /etc/events. */
static void clock_loop(void *arg)
{
	(void)arg;
	/* After boot: the kmod service is published once the built-ins run. */
	if (open_ops("kmod", 3, (const void **)&kmod) == KR_OK &&
	    kmod->watch(ev_self, on_kmod, NULL) != KR_OK)
		kmod = NULL;
	if (!kmod)
		kr_log(KR_LOG_INFO, "events: no kmod service: no kmod.load/unload events\n");
	ev_genesis();
	for (;;) {
		uint64_t next = timers_run(), ticks;
		bool held = sources_run();

		/* 0: until woken (a new timer, an interrupt) */
		ticks = held ? 1 : next == UINT64_MAX ? 0 : (next + TICK_MS - 1) / TICK_MS;
		ev_sched->block(ticks || next == UINT64_MAX ? ticks : 1);
	}
}

/* ---- the vfs and kmod sources ---- */

static void on_vfs(void *ctx, uint32_t change, const char *path)
{
	static const char *const kinds[] = { NULL, "vfs.create", "vfs.write", "vfs.remove" };
	size_t n = strlen(path);

	(void)ctx;
	if (change >= 1 && change <= 3)
		bus_raise(kinds[change], KR_EVSRC_VFS, 1, path, n, NULL);
}

static void on_kmod(void *ctx, bool loaded, const char *name)
{
	(void)ctx;
	bus_raise(loaded ? "kmod.load" : "kmod.unload", KR_EVSRC_KMOD, 1, name, strlen(name), NULL);
}

/* ---- the module ---- */

static kr_err_t open_ops(const char *name, uint32_t version, const void **ops_out)
{
	const struct kr_ops_header *h;
	kr_cap_t c;
	kr_err_t e = kr_service_open(ev_self, name, version, &c);

	if (!e)
		e = kr_service_ops(ev_self, c, &h);
	if (!e)
		*ops_out = h;
	return e;
}

static kr_err_t events_init(kr_domain_t *d)
{
	struct kr_task_spec t = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_NORMAL + 1,
				  .fn = clock_loop, .name = "ev.clock" };
	kr_err_t e;
	kr_cap_t c;

	ev_self = d;
	if ((e = open_ops(KR_SCHED_SERVICE, 3, (const void **)&ev_sched)) != KR_OK) {
		kr_log(KR_LOG_ERR, "events: no scheduler (version 3): %s\n", kr_strerror(e));
		return e;
	}
	if (open_ops("vfs", 2, (const void **)&ev_vfs) == KR_OK)
		ev_vfs->watch(ev_self, on_vfs, NULL);
	if (kr_need_cap(ev_self, NEED_DEVICES, &c) == KR_OK)
		devices = c;
	if ((e = ev_sched->spawn(ev_self, &t, &clock_task)) ||
	    (e = kr_service_publish(ev_self, KR_EVENTS_SERVICE, &ops.hdr, &c)))
		return e;
	cmds_add();
	ev_state_publish();
	kr_log(KR_LOG_INFO, "events: bus ready (sources: timers%s, irq bridge, custom)\n",
	       ev_vfs ? ", vfs" : "");
	return KR_OK;
}

static void events_exit(kr_domain_t *d)
{
	(void)d;
	ev_state_exit();
	if (ev_vfs)
		ev_vfs->watch(ev_self, NULL, NULL);
	if (kmod)
		kmod->watch(ev_self, NULL, NULL);
	for (int i = 0; i < MAX_SOURCES; i++)
		if (ev_sources[i].used)
			source_remove(ev_sources[i].name);
	for (int i = 0; i < MAX_SUBS; i++)
		if (ev_subs[i].used)
			sub_free(&ev_subs[i]);
}

KR_MODULE(.name = "events", .version = KR_VERSION(1, 0, 0),
	  .description = "events: timers, file and module changes, an IRQ bridge, handlers",
	  .license = "MIT", .author = "Karyon developers",
	  .init = events_init, .exit = events_exit,
	  .deps = { { .name = "sched", .min_version = KR_VERSION(1, 0, 0) } }, .ndeps = 1,
	  /* The IRQ bridge takes a line only while a source exposes it. */
	  .needs = { KR_NEED_SYSTEM(KR_SYS_DEVICES) });
