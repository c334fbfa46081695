/*
 * state.c - the events module as an owner of state: the "state.events"
 * service the commit log (modules/clog, <karyon/clog.h>) drives, and the
 * on, off, timer add and timer del commands routed through its gateway
 * while it is attached.
 *
 * Kinds and payloads (commit.h; docs/commit-log-parts.md):
 *	events.on		"EVENT HANDLER", u64 gas, u32 queue
 *	events.off		"EVENT HANDLER"
 *	events.timer_add	NAME, u32 every (1) or at (0), u64 ms
 *	events.timer_del	NAME
 * Items: "on EVENT HANDLER" -> BLAKE2b-256 of (u64 LE gas, u32 LE queue);
 * "timer NAME" -> BLAKE2b-256 of (u32 LE every, u64 LE ms: the period, or
 * the due time of a one-shot timer).
 *
 * Genesis is what /etc/events made (ev_genesis): it runs before the log
 * takes its genesis view, so at boot the log replays onto the boot
 * configuration, and its lines are never commits.  check makes every test
 * the command makes (sub_check, timer_check, the subscription or timer
 * there); apply is the command's own change, at run time and at replay.
 */
#include <karyon/clog.h>
#include <karyon/hash.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include "../lib/state_view.h"
#include "commit.h"
#include "events_int.h"

const struct kr_gate_ops *ev_gate;
bool ev_in_config;
static kr_cap_t state_cap;
static bool published;

/* The boot configuration, for reset. */
static struct {
	char pattern[KR_EVENT_PATTERN_MAX], handler[HANDLER_MAX];
	uint64_t gas;
	uint32_t queue;
} genesis_subs[MAX_SUBS];
static struct {
	char name[KR_EVENT_KIND_MAX];
	bool every;
	uint64_t ms;
} genesis_timers[MAX_TIMERS];
static unsigned ngenesis_subs, ngenesis_timers;

static void sub_digest(uint64_t gas, uint32_t queue, uint8_t out[32])
{
	uint8_t b[12];
	struct pl_w w = { b, sizeof(b), 0, false };

	plw_u64(&w, gas);
	plw_u32(&w, queue);
	kr_blake2b_256(out, b, sizeof(b));
}

static void timer_digest(bool every, uint64_t ms, uint8_t out[32])
{
	uint8_t b[12];
	struct pl_w w = { b, sizeof(b), 0, false };

	plw_u32(&w, every);
	plw_u64(&w, ms);
	kr_blake2b_256(out, b, sizeof(b));
}

static uint64_t timer_ms(const struct timer *t)
{
	return t->period_ms ? t->period_ms : t->due_ms;
}

void ev_genesis_record(void)
{
	ngenesis_subs = ngenesis_timers = 0;
	for (int i = 0; i < MAX_SUBS; i++) {
		const struct sub *s = &ev_subs[i];

		if (!s->used)
			continue;
		memcpy(genesis_subs[ngenesis_subs].pattern, s->pattern, sizeof(s->pattern));
		memcpy(genesis_subs[ngenesis_subs].handler, s->handler, sizeof(s->handler));
		genesis_subs[ngenesis_subs].gas = s->gas;
		genesis_subs[ngenesis_subs++].queue = s->q.cap;
	}
	for (int i = 0; i < MAX_TIMERS; i++) {
		const struct timer *t = &ev_timers[i];

		if (!t->used)
			continue;
		memcpy(genesis_timers[ngenesis_timers].name, t->name, sizeof(t->name));
		genesis_timers[ngenesis_timers].every = t->period_ms != 0;
		genesis_timers[ngenesis_timers++].ms = timer_ms(t);
	}
}

/* ---- the commands' side ---- */

int ev_commit(const char *kind, const struct ecommit *c, const char *cmd, print_fn print,
	      void *ctx)
{
	uint8_t buf[ECOMMIT_SUBJECT_MAX + 16];
	uint32_t n = ecommit_encode(kind, c, buf, sizeof(buf));
	char err[200] = "";
	kr_err_t e;

	if (!n) {
		print_to(print, ctx, "%s: a name too long\n", cmd);
		return 1;
	}
	e = ev_gate->commit(kind, buf, n, NULL, err, sizeof(err));
	if (e)
		print_to(print, ctx, "%s: %s\n", cmd, err[0] ? err : kr_strerror(e));
	return e ? 1 : 0;
}

/* ---- check and apply ---- */

static struct sub *sub_find(const char *pattern, const char *handler)
{
	for (int i = 0; i < MAX_SUBS; i++)
		if (ev_subs[i].used && !strcmp(ev_subs[i].pattern, pattern) &&
		    !strcmp(ev_subs[i].handler, handler))
			return &ev_subs[i];
	return NULL;
}

static struct timer *timer_find(const char *name)
{
	for (int i = 0; i < MAX_TIMERS; i++)
		if (ev_timers[i].used && !strcmp(ev_timers[i].name, name))
			return &ev_timers[i];
	return NULL;
}

static bool is(const struct kr_commit *c, const char *kind)
{
	return !strcmp(c->kind, kind);
}

/* Every refusal of the command, against the live state. */
static kr_err_t refused(const struct kr_commit *c, const struct ecommit *d, char *err, size_t len)
{
	if (is(c, "events.on"))
		return sub_check(d->pattern, d->handler, d->gas, d->queue, err, len);
	if (is(c, "events.off")) {
		if (sub_find(d->pattern, d->handler))
			return KR_OK;
		ksnprintf(err, len, "%s is not subscribed to %s (see: events)", d->handler, d->pattern);
		return KR_ENOENT;
	}
	if (is(c, "events.timer_add"))
		return timer_check(d->name, d->every, d->ms, err, len);
	if (timer_find(d->name))
		return KR_OK;
	ksnprintf(err, len, "no timer %s (see: timer list)", d->name);
	return KR_ENOENT;
}

static kr_err_t st_check(const struct kr_commit *c, void **stage, char *err, size_t len)
{
	struct ecommit d;
	kr_err_t e;

	*stage = NULL;
	ev_genesis();
	if ((e = ecommit_decode(c, &d, err, len)) != KR_OK)
		return e;
	return refused(c, &d, err, len);
}

static void st_drop(void *stage)
{
	(void)stage;            /* check stages nothing */
}

static kr_err_t apply_view(struct state_view *v, const struct kr_commit *c,
			   const struct ecommit *d, char *err, size_t len)
{
	char name[ECOMMIT_SUBJECT_MAX + 8];
	uint8_t dg[32];
	kr_err_t e;

	if (is(c, "events.on") || is(c, "events.off"))
		ksnprintf(name, sizeof(name), "on %s %s", d->pattern, d->handler);
	else
		ksnprintf(name, sizeof(name), "timer %s", d->name);
	if (is(c, "events.off") || is(c, "events.timer_del")) {
		if ((e = sv_del(v, name)) != KR_OK)
			ksnprintf(err, len, "%s: not there", name);
		return e;
	}
	if (sv_get(v, name)) {
		ksnprintf(err, len, "%s: there already", name);
		return KR_EEXIST;
	}
	if (is(c, "events.on"))
		sub_digest(d->gas, d->queue, dg);
	else
		timer_digest(d->every, d->ms, dg);
	return sv_set(v, name, dg);
}

static kr_err_t st_apply(void *view, const struct kr_commit *c, void *stage, uint32_t flags,
			 char *err, size_t len)
{
	struct ecommit d;
	kr_err_t e;

	(void)stage;
	(void)flags;            /* the commands print nothing when they succeed */
	if ((e = ecommit_decode(c, &d, err, len)) != KR_OK)
		return e;
	if (view)
		return apply_view(view, c, &d, err, len);
	ev_genesis();
	if ((e = refused(c, &d, err, len)) != KR_OK)
		return e;
	if (is(c, "events.on"))
		return sub_add(d.pattern, d.handler, d.gas, d.queue, err, len);
	if (is(c, "events.off"))
		return sub_remove(d.pattern, d.handler);
	if (is(c, "events.timer_add"))
		return timer_add(d.name, d.every, d.ms, err, len);
	return timer_remove(d.name);
}

static struct state_view *live_view(void)
{
	struct state_view *v;
	char name[ECOMMIT_SUBJECT_MAX + 8];
	uint8_t dg[32];

	ev_genesis();
	v = sv_new(ev_self);
	for (int i = 0; v && i < MAX_SUBS + MAX_TIMERS; i++) {
		const struct sub *s = i < MAX_SUBS ? &ev_subs[i] : NULL;
		const struct timer *t = s ? NULL : &ev_timers[i - MAX_SUBS];

		if (s ? !s->used : !t->used)
			continue;
		if (s) {
			ksnprintf(name, sizeof(name), "on %s %s", s->pattern, s->handler);
			sub_digest(s->gas, s->q.cap, dg);
		} else {
			ksnprintf(name, sizeof(name), "timer %s", t->name);
			timer_digest(t->period_ms != 0, timer_ms(t), dg);
		}
		if (sv_set(v, name, dg) != KR_OK) {
			sv_free(v);
			return NULL;
		}
	}
	return v;
}

static kr_err_t st_items(void *view, kr_state_item_fn fn, void *ctx)
{
	return sv_items_of(view, live_view, fn, ctx);
}

/* Back to the boot configuration: subscriptions and timers that are not
 * in it go, the ones it had come back (a one-shot timer only if it is not
 * due yet: one that fired is done).  What /etc/events did besides (irq
 * expose, event raise, handler) is not touched.  A subscription whose
 * handler is gone cannot come back: reset names it. */
static kr_err_t st_reset(char *err, size_t len)
{
	uint64_t now = kr_uptime_us() / 1000;
	char why[160];
	kr_err_t e = KR_OK, r;

	for (int i = 0; i < MAX_SUBS; i++) {
		struct sub *s = &ev_subs[i];
		unsigned g;

		for (g = 0; s->used && g < ngenesis_subs; g++)
			if (!strcmp(genesis_subs[g].pattern, s->pattern) &&
			    !strcmp(genesis_subs[g].handler, s->handler) &&
			    genesis_subs[g].gas == s->gas && genesis_subs[g].queue == s->q.cap)
				break;
		if (s->used && g == ngenesis_subs)
			sub_remove(s->pattern, s->handler);
	}
	for (int i = 0; i < MAX_TIMERS; i++) {
		struct timer *t = &ev_timers[i];
		unsigned g;

		for (g = 0; t->used && g < ngenesis_timers; g++)
			if (!strcmp(genesis_timers[g].name, t->name) &&
			    genesis_timers[g].every == (t->period_ms != 0) &&
			    genesis_timers[g].ms == timer_ms(t))
				break;
		if (t->used && g == ngenesis_timers)
			timer_remove(t->name);
	}
	for (unsigned g = 0; g < ngenesis_subs; g++) {
		if (sub_find(genesis_subs[g].pattern, genesis_subs[g].handler))
			continue;
		r = sub_add(genesis_subs[g].pattern, genesis_subs[g].handler, genesis_subs[g].gas,
			    genesis_subs[g].queue, why, sizeof(why));
		if (r && !e) {
			e = r;
			ksnprintf(err, len, "reset: on %s %s cannot come back: %s",
				  genesis_subs[g].pattern, genesis_subs[g].handler, why);
		}
	}
	for (unsigned g = 0; g < ngenesis_timers; g++) {
		if (timer_find(genesis_timers[g].name) ||
		    (!genesis_timers[g].every && genesis_timers[g].ms <= now))
			continue;
		r = timer_add(genesis_timers[g].name, genesis_timers[g].every, genesis_timers[g].ms,
			      why, sizeof(why));
		if (r && !e) {
			e = r;
			ksnprintf(err, len, "reset: timer %s cannot come back: %s",
				  genesis_timers[g].name, why);
		}
	}
	return e;
}

static kr_err_t st_attach(const struct kr_gate_ops *g)
{
	if (sv_gate_ok(g))
		return KR_EINVAL;
	ev_genesis();
	ev_gate = g;
	return KR_OK;
}

static void *st_view_new(const void *from)
{
	return sv_view_of(from, live_view);
}

static void st_view_free(void *view)
{
	sv_free(view);
}

static const struct kr_state_ops state_ops = {
	.hdr = { KR_OPS_MAGIC, KR_STATE_SERVICE_VERSION, sizeof(struct kr_state_ops), 0 },
	.part = "events", .check = st_check, .apply = st_apply, .drop = st_drop,
	.items = st_items, .reset = st_reset, .attach = st_attach, .view_new = st_view_new,
	.view_free = st_view_free, .view_mount = NULL,
};

void ev_state_publish(void)
{
	published = kr_service_publish(ev_self, "state.events", &state_ops.hdr, &state_cap) ==
		    KR_OK;
	if (!published)
		kr_log(KR_LOG_ERR, "events: cannot publish state.events: no commit log for events\n");
}

void ev_state_exit(void)
{
	ev_gate = NULL;
	if (published && kr_service_unpublish(ev_self, state_cap) == KR_OK)
		published = false;
}
