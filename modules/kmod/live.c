/*
 * live.c - live replacement (<karyon/live.h>): a new version of a running
 * module takes over its state and its services' users without a reboot.
 *
 * The ladder (live_replace): decode everything first (both descriptors,
 * the state versions, a table in the new version for every service the old
 * one roots), then quiesce (wait until the old one is not busy; from there
 * on nothing yields, so callers wait in the run queue), export, import in
 * the new version instead of its init, hand every service over.  Until the
 * handover nothing of the old version changed, so any failure before it
 * discards the new one and the old one runs on.
 *
 * Probation: the services' tables point at a relay, one stub per slot,
 * that runs each call of the new version as a guarded call on a stack of
 * its own.  A fault rolls back (the services go back to the old version,
 * which kept its state and its domain) and the call is made again there;
 * `window` calls without one confirm (the old version's exit runs and it
 * goes).  One replacement is in probation at a time.
 */
#include <stdarg.h>
#include <karyon/guard.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/sched.h>

#include "../lib/print_to.h"
#include "kmod_int.h"

#define LIVE_SERVICES 6
#define LIVE_SLOTS    ((KR_SERVICE_OPS_MAX - sizeof(struct kr_ops_header)) / 8)
#define LIVE_STACK    8         /* pages of stack per guarded call, a guard page below */
#define QUIESCE_TICKS 500       /* timer ticks to wait for the old version to be idle */

typedef long (*slot_fn)(long, long, long, long, long, long);

union table {
	struct kr_ops_header h;
	uint64_t w[KR_SERVICE_OPS_MAX / 8];
};

struct live_svc {
	char name[KR_SERVICE_NAME_MAX];
	const struct kr_ops_header *old_tab, *new_tab;
	const struct kr_ops_header *cur;        /* outside probation: the one kept */
	bool is_live;                           /* live.NAME: never relayed */
	union table relay;
};

/* PAUSED: the services point at the relay, which holds callers until the
 * replacement is made or given up (then they go on where the tables say). */
enum { IDLE, PAUSED, PROBATION };
enum { TAB_OLD, TAB_NEW, TAB_RELAY };

static struct {
	int state;
	char name[KR_MODULE_NAME_MAX];
	struct kmod *old_m, *new_m;     /* old_m NULL: the old one is built in */
	kr_domain_t *old_dom, *new_dom;
	const struct kr_live_ops *old_live, *new_live;
	struct kr_live_ops old_copy;    /* old_live: the service's table changes hands */
	struct kmod *zombie;            /* rolled back, to discard once no call is in it */
	uint32_t inflight;              /* relayed calls in progress */
	uint32_t calls, window, nsvc;
	uint64_t state_bytes, pause_tsc;
	struct live_svc svc[LIVE_SERVICES];
	void (*report)(void *ctx, const char *name, bool kept, const char *line);
	void *ctx;
} L;

static const struct kr_sched_ops *sched;

/* A line of the log; the outcome of a probation (final) goes to the
 * replacement's report too. */
static void say(bool final, bool kept, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(bool final, bool kept, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	kr_log(kept ? KR_LOG_INFO : KR_LOG_WARN, "kmod: %s\n", line);
	if (final && L.report)
		L.report(L.ctx, L.name, kept, line);
}

/* ---- The probation relay ---- */

static long relay(unsigned s, unsigned i, long a, long b, long c, long d, long e, long f);

#define STUB(s, i)                                                            \
	static long stub_##s##_##i(long a, long b, long c, long d, long e, long f) \
	{ return relay(s, i, a, b, c, d, e, f); }
#define STUB10(s, t) STUB(s, t##0) STUB(s, t##1) STUB(s, t##2) STUB(s, t##3) STUB(s, t##4) \
		     STUB(s, t##5) STUB(s, t##6) STUB(s, t##7) STUB(s, t##8) STUB(s, t##9)
#define STUBS(s) STUB10(s, ) STUB10(s, 1) STUB10(s, 2)
#define REF10(s, t) stub_##s##_##t##0, stub_##s##_##t##1, stub_##s##_##t##2, stub_##s##_##t##3, \
		    stub_##s##_##t##4, stub_##s##_##t##5, stub_##s##_##t##6, stub_##s##_##t##7, \
		    stub_##s##_##t##8, stub_##s##_##t##9
#define REFS(s) { REF10(s, ), REF10(s, 1), REF10(s, 2) }

STUBS(0) STUBS(1) STUBS(2) STUBS(3) STUBS(4) STUBS(5)

static const slot_fn stubs[LIVE_SERVICES][30] = { REFS(0), REFS(1), REFS(2), REFS(3), REFS(4),
						 REFS(5) };
_Static_assert(LIVE_SLOTS == 30, "one stub per slot of the largest table");

struct guarded {
	slot_fn fn;
	long a[6];
};

static long call_guarded(void *arg)
{
	struct guarded *g = arg;

	return g->fn(g->a[0], g->a[1], g->a[2], g->a[3], g->a[4], g->a[5]);
}

/* fn(a...) as a guarded call on a stack of its own: KR_EFAULT (and *f) if
 * it faulted, KR_ENOMEM without a stack, else KR_OK and *ret. */
static kr_err_t guarded(struct guarded *g, long *ret, struct kr_fault *f)
{
	struct kr_guard gd = { .version = KR_GUARD_VERSION };
	kr_domain_t *kself = kmod_self();
	kr_cap_t cap;
	void *va;
	kr_err_t r;

	if (kr_page_alloc(kself, LIVE_STACK + 1, &cap) != KR_OK)
		return KR_ENOMEM;
	if (kr_page_map(kself, cap, KR_RIGHT_READ | KR_RIGHT_WRITE, &va) != KR_OK ||
	    kr_page_protect(kself, cap, 0, 1, KR_RIGHT_READ) != KR_OK) {
		kr_cap_delete(kself, cap);
		return KR_ENOMEM;
	}
	gd.stack_lo = (uint64_t)va;
	gd.stack_hi = (uint64_t)va + (LIVE_STACK + 1) * KR_PAGE_SIZE;
	r = kr_guard_call(kself, &gd, call_guarded, g, ret);
	kr_cap_delete(kself, cap);
	if (f)
		*f = gd.fault;
	return r;
}

static slot_fn slot(const struct kr_ops_header *t, unsigned i)
{
	return (slot_fn)((const uint64_t *)t)[2 + i];
}

/* Slot i of t called; an empty one (a function the other version has and
 * this one does not) answers KR_ENOSYS. */
static long call_slot(const struct kr_ops_header *t, unsigned i, long a, long b, long c, long d,
		      long e, long f)
{
	slot_fn fn = slot(t, i);

	return fn ? fn(a, b, c, d, e, f) : KR_ENOSYS;
}

static void rollback(const char *why);
static void confirm(void);

static void reap(void)
{
	if (L.zombie && L.inflight == 0) {
		kmod_discard(L.zombie);
		L.zombie = NULL;
	}
}

static long relay(unsigned s, unsigned i, long a, long b, long c, long d, long e, long f)
{
	struct live_svc *v = &L.svc[s];
	struct guarded g = { slot(v->new_tab, i), { a, b, c, d, e, f } };
	struct kr_fault ft;
	uint64_t lo, hi;
	long ret = 0;
	kr_err_t r;

	/* Paused: wait (queued, not failed) until the replacement is made or
	 * given up.  Outside a task nothing can wait: the table kept runs. */
	while (L.state == PAUSED && sched && sched->block(1) == KR_OK)
		;
	if (L.state != PROBATION)
		return call_slot(v->cur, i, a, b, c, d, e, f);
	L.inflight++;
	L.calls++;
	r = guarded(&g, &ret, &ft);
	L.inflight--;
	if (r == KR_ENOMEM) {
		kr_log(KR_LOG_WARN, "kmod: live: no stack for a guarded call; made unguarded\n");
		ret = g.fn(a, b, c, d, e, f);
	}
	if (r == KR_EFAULT && L.state == PROBATION) {
		char why[128];

		kmod_text_of(L.new_m, &lo, &hi);
		if (ft.rip >= lo && ft.rip < hi)
			ksnprintf(why, sizeof(why), "%s at %s+%#llx in call %u of %u to %s",
				  kr_exc_name(ft.vector), L.name, (unsigned long long)(ft.rip - lo),
				  L.calls, L.window, v->name);
		else
			ksnprintf(why, sizeof(why), "%s at %#llx in call %u of %u to %s",
				  kr_exc_name(ft.vector), (unsigned long long)ft.rip, L.calls,
				  L.window, v->name);
		rollback(why);
		return call_slot(v->old_tab, i, a, b, c, d, e, f);     /* made again, on the old one */
	}
	if (r == KR_EFAULT)     /* another call's fault rolled back first */
		return call_slot(v->old_tab, i, a, b, c, d, e, f);
	if (L.state == PROBATION && L.calls >= L.window)
		confirm();
	reap();
	return ret;
}

/* ---- Handing the services over ---- */

/* The table of service v that tab names (live.NAME is never relayed: the
 * holder's own descriptor). */
static const struct kr_ops_header *pick(const struct live_svc *v, int tab, kr_domain_t *dom)
{
	if (tab == TAB_RELAY && v->is_live)
		tab = dom == L.old_dom ? TAB_OLD : TAB_NEW;
	return tab == TAB_OLD ? v->old_tab : tab == TAB_NEW ? v->new_tab : &v->relay.h;
}

/* Every service to dom (its root moved there) with table tab; if one
 * fails, the ones done go back to the old domain and tables. */
static kr_err_t hand_all(kr_domain_t *dom, int tab)
{
	kr_domain_t *kself = kmod_self();
	kr_cap_t cap;
	kr_err_t e = KR_OK;
	uint32_t i;

	for (i = 0; i < L.nsvc && !e; i++)
		e = kr_service_handover(kself, L.svc[i].name, dom, pick(&L.svc[i], tab, dom), &cap);
	if (e)
		for (uint32_t j = 0; j + 1 < i; j++)
			kr_service_handover(kself, L.svc[j].name, L.old_dom, L.svc[j].old_tab, &cap);
	return e;
}

static void end_probation(void)
{
	L.state = IDLE;
	L.old_m = L.new_m = NULL;
	L.old_dom = L.new_dom = NULL;
}

static void confirm(void)
{
	kr_cap_t cap;

	for (uint32_t i = 0; i < L.nsvc; i++) { /* the relay out of the way */
		kr_service_handover(kmod_self(), L.svc[i].name, L.new_dom, L.svc[i].new_tab, &cap);
		L.svc[i].cur = L.svc[i].new_tab;
	}
	if (L.old_m)
		kmod_retire(L.old_m);
	else
		builtin_retire(L.name);
	say(true, true, "live: %s confirmed after %u guarded calls; the old version is unloaded",
	    L.name, L.calls);
	end_probation();
}

/* The new version's state back into the old one, both guarded; false
 * (the old one keeps the state it had at the swap) if either fails. */
static bool carry_back(void)
{
	struct guarded g = { (slot_fn)(uintptr_t)L.new_live->export_state, { 0 } };
	size_t n = 0;
	void *buf;
	long ret = -1;
	bool ok = false;

	if (!L.new_live->export_state)
		return false;
	g.a[2] = (long)(uintptr_t)&n;
	/* (kr_err_t)ret: a function returning int leaves rax's top half as it was */
	if (guarded(&g, &ret, NULL) != KR_OK || (kr_err_t)ret != KR_OK ||
	    !(buf = kr_malloc(kmod_self(), n + 1)))
		return false;
	g.a[0] = (long)(uintptr_t)buf;
	g.a[1] = (long)n;
	if (guarded(&g, &ret, NULL) == KR_OK && (kr_err_t)ret == KR_OK) {
		g = (struct guarded){ (slot_fn)(uintptr_t)L.old_live->import_state,
				      { (long)(uintptr_t)L.old_dom, (long)(uintptr_t)buf, (long)n } };
		ok = guarded(&g, &ret, NULL) == KR_OK && (kr_err_t)ret == KR_OK;
		if (!ok)
			kr_log(KR_LOG_ERR, "kmod: live: %s: the old version did not take the new one's "
			       "state back\n", L.name);
	}
	kr_free(kmod_self(), buf);
	return ok;
}

static void rollback(const char *why)
{
	bool carried = carry_back();
	kr_err_t e = hand_all(L.old_dom, TAB_OLD);

	for (uint32_t i = 0; i < L.nsvc; i++)
		L.svc[i].cur = L.svc[i].old_tab;
	if (e)          /* the old domain has the slots it gave up: a kernel bug */
		kr_log(KR_LOG_ERR, "kmod: live: %s: services not given back: %s\n", L.name,
		       kr_strerror(e));
	if (L.old_live->standby)
		L.old_live->standby(false);
	if (L.old_m)
		kmod_activate(L.old_m, "back to");
	kmod_standby(L.new_m);
	L.zombie = L.new_m;
	say(true, false, "live: %s rolled back: %s; the old version runs on with %s", L.name, why,
	    carried ? "the state the new one had" : "its state from before the swap");
	end_probation();
	reap();
}

/* ---- Decoding ---- */

/* The new version's code runs guarded: a fault in it is reported and
 * refuses the replacement, the old version untouched. */
static const struct kr_ops_header *new_table(const char *service)
{
	struct guarded g = { (slot_fn)(uintptr_t)L.new_live->table, { (long)(uintptr_t)service } };
	long ret = 0;

	return guarded(&g, &ret, NULL) == KR_OK ? (const struct kr_ops_header *)ret : NULL;
}

static kr_err_t new_import(const void *state, size_t n, char *err, size_t len)
{
	struct guarded g = { (slot_fn)(uintptr_t)L.new_live->import_state,
			     { (long)(uintptr_t)L.new_dom, (long)(uintptr_t)state, (long)n } };
	struct kr_fault f = { 0 };
	uint64_t lo, hi;
	long ret = KR_OK;
	kr_err_t r = guarded(&g, &ret, &f);

	if (r != KR_EFAULT)
		return r ? r : (kr_err_t)ret;
	kmod_text_of(L.new_m, &lo, &hi);
	kr_log(KR_LOG_ERR, "kmod: live: %s: the new version's import faulted: %s at %s+%#llx\n",
	       L.name, kr_exc_name(f.vector), L.name, (unsigned long long)(f.rip - lo));
	return err_to(err, len, KR_EFAULT, "%s: the new version's import faulted (%s at %s+%#llx); "
		      "the old one runs on", L.name, kr_exc_name(f.vector), L.name,
		      (unsigned long long)(f.rip - lo));
}

/* The running version's live descriptor, from its "live.NAME" service,
 * copied to *out: the service's table is the new version's after the
 * handover. */
static const struct kr_live_ops *running_live(const char *name, struct kr_live_ops *out)
{
	char svc[KR_SERVICE_NAME_MAX];
	const struct kr_ops_header *h;
	kr_cap_t c;
	const struct kr_live_ops *l = NULL;

	ksnprintf(svc, sizeof(svc), KR_LIVE_PREFIX "%s", name);
	if (kr_service_open(kmod_self(), svc, KR_LIVE_VERSION, &c) != KR_OK)
		return NULL;
	if (kr_service_ops(kmod_self(), c, &h) == KR_OK && h->size == sizeof(*l) &&
	    ((const struct kr_live_ops *)h)->export_state && ((const struct kr_live_ops *)h)->table) {
		memcpy(out, h, sizeof(*out));
		l = out;
	}
	kr_cap_delete(kmod_self(), c);  /* the old domain must not stay lent to */
	return l;
}

/* The services the old domain roots, each with both versions' tables. */
static kr_err_t list_services(char *err, size_t len)
{
	struct kr_cap_entry ce;
	char live_name[KR_SERVICE_NAME_MAX];

	ksnprintf(live_name, sizeof(live_name), KR_LIVE_PREFIX "%s", L.name);
	L.nsvc = 0;
	for (uint32_t i = 0; kr_cap_list(L.old_dom, KR_CAP_NULL, i, &ce) == KR_OK; i++) {
		struct live_svc *v = &L.svc[L.nsvc];
		bool is_live;

		if (ce.info.type != KR_OBJ_SERVICE || ce.info.depth != 0)
			continue;
		if (L.nsvc == LIVE_SERVICES)
			return err_to(err, len, KR_ENOSPC, "%s publishes more than %d services",
				      L.name, LIVE_SERVICES);
		memset(v, 0, sizeof(*v));
		memcpy(v->name, ce.info.name, strnlen(ce.info.name, sizeof(v->name) - 1));
		is_live = v->is_live = !strcmp(v->name, live_name);
		v->old_tab = is_live ? &L.old_live->hdr : L.old_live->table(v->name);
		v->new_tab = is_live ? &L.new_live->hdr : new_table(v->name);
		if (!v->old_tab || !v->new_tab)
			return err_to(err, len, KR_ENOENT, "the %s version has no table for service %s",
				      v->old_tab ? "new" : "old", v->name);
		if (v->new_tab->magic != KR_OPS_MAGIC || v->new_tab->size != v->old_tab->size)
			return err_to(err, len, KR_EINVAL,
				      "service %s's table changed size (%u to %u bytes)", v->name,
				      v->old_tab->size, v->new_tab->size);
		v->cur = v->old_tab;
		/* The relay: the new table's header, a stub for every function. */
		memcpy(&v->relay, v->new_tab, v->new_tab->size);
		for (unsigned s = 0; !is_live && s < (v->new_tab->size - 16) / 8; s++)
			if (v->relay.w[2 + s])
				v->relay.w[2 + s] = (uint64_t)stubs[L.nsvc][s];
		L.nsvc++;
	}
	return L.nsvc ? KR_OK : err_to(err, len, KR_ENOENT, "%s publishes no service", L.name);
}

/* Pause: new calls wait in the relay; then wait for the ones in progress
 * (tasks blocked inside the old version) to come out.  On failure the
 * services are the old version's again. */
static kr_err_t quiesce(char *err, size_t len)
{
	const struct kr_ops_header *h;
	kr_cap_t c;
	kr_err_t e;

	if (!sched && kr_service_open(kmod_self(), KR_SCHED_SERVICE, KR_SCHED_VERSION, &c) == KR_OK &&
	    kr_service_ops(kmod_self(), c, &h) == KR_OK)
		sched = (const struct kr_sched_ops *)h;
	if ((e = hand_all(L.old_dom, TAB_RELAY)))
		return err_to(err, len, e, "%s: cannot pause its services: %s", L.name, kr_strerror(e));
	L.state = PAUSED;
	for (int i = 0; L.old_live->busy && L.old_live->busy() && i < QUIESCE_TICKS; i++)
		if (!sched || sched->block(1) != KR_OK)
			break;
	if (L.old_live->busy && L.old_live->busy()) {
		e = err_to(err, len, KR_EBUSY, "%s stays busy (%u calls in progress); nothing changed",
			   L.name, L.old_live->busy());
		hand_all(L.old_dom, TAB_OLD);
		L.state = IDLE;
		return e;
	}
	return KR_OK;
}

/* ---- The kmod service's side ---- */

kr_err_t live_replace(const void *file, size_t size, const struct kr_kmod_live *how,
		      char *err, size_t len)
{
	const struct kr_module_info *info;
	uint64_t t0;
	void *state = NULL;
	char users[64];
	size_t n = 0;
	bool exported;
	kr_err_t e;

	if (!file || !how || how->version != KR_KMOD_LIVE_VERSION)
		return err_to(err, len, KR_EINVAL, "bad arguments");
	if (L.state != IDLE)
		return err_to(err, len, KR_EBUSY, "%s is %s: `update confirm` or `update rollback` "
			      "it first", L.name, L.state == PAUSED ? "being replaced" : "in probation");
	reap();
	if (L.zombie)
		return err_to(err, len, KR_EBUSY, "a rolled-back version is still being called");
	memset(&L, 0, sizeof(L));
	L.new_m = kmod_stage(file, size, how->origin ? how->origin : "(live)", err, len);
	if (!L.new_m)
		return KR_EINVAL;
	info = kmod_info_of(L.new_m);
	memcpy(L.name, info->name, strnlen(info->name, sizeof(L.name) - 1));
	L.new_dom = kmod_domain_of(L.new_m);
	L.new_live = kmod_live_of(L.new_m);
	L.old_m = kmod_running(L.name);
	L.old_dom = L.old_m ? kmod_domain_of(L.old_m) : builtin_domain(L.name);
	L.old_live = running_live(L.name, &L.old_copy);
	L.window = how->window;
	if (!L.old_dom)
		e = err_to(err, len, KR_ENOENT, "%s is not running", L.name);
	else if (L.old_m && kmod_linked_users(L.old_m, users, sizeof(users)))
		e = err_to(err, len, KR_EBUSY, "%s is linked against %s's exports (their code holds "
			   "its addresses): unload them first", users, L.name);
	else if (!L.old_live)
		e = err_to(err, len, KR_ENOSYS, "the running %s cannot be replaced live "
			   "(no " KR_LIVE_PREFIX "%s service)", L.name, L.name);
	else if (!L.new_live || L.new_live->hdr.magic != KR_OPS_MAGIC ||
		 L.new_live->hdr.version != KR_LIVE_VERSION || !L.new_live->import_state ||
		 !L.new_live->table)
		e = err_to(err, len, KR_ENOSYS, "the new %s cannot take state (no live descriptor)",
			   L.name);
	else if (L.new_live->state_version != L.old_live->state_version)
		e = err_to(err, len, KR_ERANGE, "state version %u of the new %s is not %u, the "
			   "running one's; nothing changed", L.new_live->state_version, L.name,
			   L.old_live->state_version);
	else
		e = list_services(err, len);
	t0 = __builtin_ia32_rdtsc();
	if (!e)
		e = quiesce(err, len);
	/* From here to the handover nothing yields; callers wait in the relay. */
	exported = !e;
	if (!e && (e = L.old_live->export_state(NULL, 0, &n)) == KR_OK &&
	    (!(state = kr_malloc(kmod_self(), n ? n : 1)) ||
	     (e = L.old_live->export_state(state, n, &n)) != KR_OK))
		e = e ? e : KR_ENOMEM;
	if (e && exported)
		err_to(err, len, e, "%s: export failed: %s; nothing changed", L.name, kr_strerror(e));
	if (!e && (e = new_import(state, n, err, len)) != KR_OK && e != KR_EFAULT)
		err_to(err, len, e, "%s: the new version's import failed: %s; the old one runs on",
		       L.name, kr_strerror(e));
	kr_free(kmod_self(), state);
	if (!e && (e = hand_all(L.new_dom, L.window ? TAB_RELAY : TAB_NEW)) != KR_OK)
		err_to(err, len, e, "%s: services not handed over: %s; the old one runs on", L.name,
		       kr_strerror(e));
	if (e) {
		if (L.state == PAUSED)
			hand_all(L.old_dom, TAB_OLD);
		kmod_discard(L.new_m);
		L.state = IDLE;         /* callers waiting in the relay take cur: old */
		L.new_m = L.old_m = NULL;
		L.new_dom = L.old_dom = NULL;
		return e;
	}
	L.pause_tsc = __builtin_ia32_rdtsc() - t0;
	L.state_bytes = n;
	L.report = how->report;
	L.ctx = how->ctx;
	if (L.old_live->standby)
		L.old_live->standby(true);
	if (L.old_m)
		kmod_standby(L.old_m);
	kmod_activate(L.new_m, "replaced live:");
	L.state = PROBATION;
	say(false, true, "live: %s %u.%u.%u took over %u services and %zu bytes of state; %s",
	    L.name, KR_VERSION_MAJOR(info->version), KR_VERSION_MINOR(info->version),
	    KR_VERSION_PATCH(info->version), L.nsvc, n,
	    L.window ? "probation begins" : "no probation");
	if (!L.window)
		confirm();
	else
		say(false, true, "live: %s in probation for %u calls", L.name, L.window);
	return KR_OK;
}

kr_err_t live_status(struct kr_kmod_live_status *out)
{
	if (!out)
		return KR_EINVAL;
	*out = (struct kr_kmod_live_status){ .version = KR_KMOD_LIVE_STATUS_VERSION,
		.active = L.state == PROBATION, .calls = L.calls, .window = L.window,
		.services = L.nsvc, .state_bytes = L.state_bytes, .pause_tsc = L.pause_tsc };
	memcpy(out->name, L.name, sizeof(out->name));
	return KR_OK;
}

kr_err_t live_end(bool ok, char *err, size_t len)
{
	if (L.state != PROBATION)
		return err_to(err, len, KR_ENOENT, "no live replacement is in probation");
	if (ok)
		confirm();
	else
		rollback("asked for");
	return KR_OK;
}
