/*
 * state.c - the tcc module as an owner of state: the "state.tcc" service
 * the commit log (modules/clog, <karyon/clog.h>) drives, and the cc and
 * unload commands routed through its gateway while it is attached.
 *
 * Kinds and payloads (commit.h; docs/commit-log-parts.md):
 *	tcc.cc		name, path (absolute), source[32], flags, grants,
 *			budgets, -D values, -I directories (absolute)
 *	tcc.unload	name
 * Items: every handler, name -> BLAKE2b-256 of (source digest, u32 LE
 * grants, u32 LE manifest version: 0 without one).
 *
 * check(tcc.cc) compiles and links into a stage, printing the compile's
 * messages to the user of the cc command exactly as cc does without the
 * log (the file as typed, relative to the shell's cwd); apply installs the
 * stage and prints cc's summary.  At replay (stage NULL) apply compiles
 * the recorded absolute path with cwd "/" and installs, printing nothing.
 * The grants given with -g are part of the record: that is how the
 * capability grants the shell makes to handlers are committed.
 */
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include "../lib/state_view.h"
#include "cc.h"
#include "commit.h"
#include "grants.h"

#define PATH_LEN 256

const struct kr_gate_ops *tcc_gate;
static kr_cap_t state_cap;
static bool published;

/* A compiled handler waiting for its record's apply. */
struct stage {
	struct handler h;
	struct cc_cost cost;
	bool verbose;
	print_fn print;         /* where apply prints cc's summary: the command's, */
	void *ctx;              /* kept here as the append may block (another cc) */
};

/* Records being made by cc commands: cc compiles before it makes the
 * record, and the record's check takes the stage whose payload it is
 * (the gateway may block, in its audit or append, and another cc run
 * meanwhile: the bytes say which stage is whose). */
#define PENDING 4
static struct pending {
	const void *payload;
	uint32_t len;
	struct stage *stage;
} pending[PENDING];

static uint32_t mf_version(const struct handler *h)
{
	return h->mf.present ? h->mf.version : 0;
}

static void quiet(void *ctx, const char *s)
{
	(void)ctx;
	(void)s;
}

static void item_digest(const struct handler *h, uint8_t out[32])
{
	uint8_t b[40];
	uint32_t mv = mf_version(h);

	memcpy(b, h->source, 32);
	for (int i = 0; i < 4; i++) {
		b[32 + i] = (uint8_t)(h->grants >> 8 * i);
		b[36 + i] = (uint8_t)(mv >> 8 * i);
	}
	kr_blake2b_256(out, b, sizeof(b));
}

static kr_err_t build(const struct tcommit_cc *c, const struct cc_args *typed, struct stage *s,
		      print_fn print, void *ctx, char *err, size_t len);
static void st_drop(void *stage);

/* ---- the commands' side ---- */

int cc_commit(struct cc_args *a, const char *name, print_fn print, void *ctx)
{
	char path[PATH_LEN], dirs[COMPILE_MAX_OPTS][PATH_LEN], err[160];
	struct tcommit_cc c = { .name = name, .path = path, .grants = a->grants,
				.budget_ms = (uint32_t)a->budget_ms,
				.budget_mb = (uint32_t)a->budget_mb, .ndefines = a->q.ndefines,
				.nincdirs = a->q.nincdirs };
	uint8_t source[32];
	uint32_t cap = 64, n;
	struct pending *p = NULL;
	struct stage *st;
	void *buf;
	kr_err_t e;

	err[0] = '\0';
	/* Refused here as cc refuses them, with nothing to commit. */
	if ((e = cc_source_digest(a->cwd, a->file, source)) != KR_OK)
		return cc_source_error(a, e, print, ctx);
	if ((e = tcc_vfs->normalize(a->cwd, a->file, path, sizeof(path))) != KR_OK) {
		print_to(print, ctx, "cc: %s: %s\n", a->file, kr_strerror(e));
		return 1;
	}
	for (unsigned i = 0; i < a->q.nincdirs; i++) {
		if ((e = tcc_vfs->normalize(a->cwd, a->q.incdirs[i], dirs[i], PATH_LEN))) {
			print_to(print, ctx, "cc: -I %s: %s\n", a->q.incdirs[i], kr_strerror(e));
			return 1;
		}
		c.incdirs[i] = dirs[i];
		cap += (uint32_t)strlen(dirs[i]) + 1;
	}
	for (unsigned i = 0; i < a->q.ndefines; i++) {
		c.defines[i] = a->q.defines[i];
		cap += (uint32_t)strlen(a->q.defines[i]) + 1;
	}
	c.source = source;
	c.flags = (a->q.gas ? TCOMMIT_GAS : 0) | (a->q.lines ? TCOMMIT_LINES : 0) |
		  (a->grants_given ? TCOMMIT_GRANTS : 0);
	cap += (uint32_t)(strlen(name) + strlen(path) + 2 + 32 + 8);
	if (!(buf = kr_malloc(tcc_self, cap))) {
		print_to(print, ctx, "cc: %s\n", kr_strerror(KR_ENOMEM));
		return 1;
	}
	/* The compile comes first: its effective grants and manifest
	 * version go into the record, and a compile that fails (and said
	 * why) records nothing.  check takes the stage over. */
	if (!(st = kr_calloc(tcc_self, 1, sizeof(*st)))) {
		kr_free(tcc_self, buf);
		print_to(print, ctx, "cc: %s\n", kr_strerror(KR_ENOMEM));
		return 1;
	}
	if (build(&c, a, st, print, ctx, err, sizeof(err)) != KR_OK) {
		kr_free(tcc_self, st);
		kr_free(tcc_self, buf);
		if (err[0])
			print_to(print, ctx, "cc: %s\n", err);
		return 1;
	}
	for (int i = 0; i < PENDING && !p; i++)
		if (!pending[i].stage)
			p = &pending[i];
	st->print = print;
	st->ctx = ctx;
	c.effective = st->h.grants;
	c.mf_version = mf_version(&st->h);
	n = tcommit_cc_encode(buf, cap, &c);
	if (!p || !n) {
		e = p ? KR_ERANGE : KR_EBUSY;
		ksnprintf(err, sizeof(err), "%s", p ? "the record does not fit" :
			  "too many compiles are being committed at once");
	} else {
		*p = (struct pending){ buf, n, st };
		e = tcc_gate->commit("tcc.cc", buf, n, NULL, err, sizeof(err));
		st = p->stage;          /* still there: refused before its check */
		*p = (struct pending){ 0 };
	}
	st_drop(st);
	kr_free(tcc_self, buf);
	if (e)
		print_to(print, ctx, "cc: %s\n", err[0] ? err : kr_strerror(e));
	return e ? 1 : 0;
}

int unload_commit(const char *name, print_fn print, void *ctx)
{
	char err[160] = "";
	kr_err_t e;

	if (!tcommit_name_ok(name, strlen(name))) {
		print_to(print, ctx, "unload: no handler %s\n", name);
		return 1;
	}
	e = tcc_gate->commit("tcc.unload", name, (uint32_t)strlen(name) + 1, NULL, err,
			     sizeof(err));
	if (e)
		print_to(print, ctx, "unload: %s\n", err[0] ? err : kr_strerror(e));
	return e ? 1 : 0;
}

/* ---- check and apply ---- */

static bool is_kind(const struct kr_commit *c, const char *kind)
{
	return c && c->kind && !strcmp(c->kind, kind);
}

/* A compile of c: cc's arguments from the record (the file as typed and
 * the shell's cwd for the command's own messages, if typed). */
static void args_of(const struct tcommit_cc *c, const struct cc_args *typed, struct cc_args *a)
{
	*a = (struct cc_args){ .file = c->path, .name = c->name, .cwd = "/",
			       .budget_ms = c->budget_ms, .budget_mb = c->budget_mb,
			       .grants = c->grants,
			       .grants_given = (c->flags & TCOMMIT_GRANTS) != 0 };
	if (typed) {
		a->file = typed->file;
		a->cwd = typed->cwd;
		a->verbose = typed->verbose;
	}
	a->q.gas = (c->flags & TCOMMIT_GAS) != 0;
	a->q.lines = (c->flags & TCOMMIT_LINES) != 0;
	a->q.ndefines = c->ndefines;
	a->q.nincdirs = c->nincdirs;
	memcpy(a->q.defines, c->defines, sizeof(a->q.defines));
	memcpy(a->q.incdirs, c->incdirs, sizeof(a->q.incdirs));
}

/* Compile and link c into s->h; its messages to print. */
static kr_err_t build(const struct tcommit_cc *c, const struct cc_args *typed, struct stage *s,
		      print_fn print, void *ctx, char *err, size_t len)
{
	struct cc_args a;

	args_of(c, typed, &a);
	s->verbose = a.verbose;
	memcpy(s->h.name, c->name, strlen(c->name) + 1);
	if (cc_build(&a, &s->h, &s->cost, print, ctx)) {
		if (err && len)
			err[0] = '\0';  /* cc_build said why */
		return KR_EINVAL;
	}
	if (memcmp(s->h.source, c->source, 32)) {
		handler_free(&s->h);
		ksnprintf(err, len, "%s: %s is not the source that was committed", c->name, c->path);
		return KR_EINVAL;
	}
	s->h.committed = true;
	return KR_OK;
}

/* Is s what c recorded (the same source, grants and manifest)? */
static kr_err_t same(const struct tcommit_cc *c, const struct stage *s, char *err, size_t len)
{
	if (!strcmp(s->h.name, c->name) && !memcmp(s->h.source, c->source, 32) &&
	    s->h.grants == c->effective && mf_version(&s->h) == c->mf_version)
		return KR_OK;
	ksnprintf(err, len, "%s: the compile gives other grants or another manifest than the "
		  "record", c->name);
	return KR_EINVAL;
}

static kr_err_t unload_check(const char *name, char *err, size_t len)
{
	struct handler *h = handler_find(name);

	if (!h) {
		ksnprintf(err, len, "no handler %s", name);
		return KR_ENOENT;
	}
	if (h->busy) {
		ksnprintf(err, len, "%s is running as a work token or for an event (see: task list, "
			  "events)", name);
		return KR_EBUSY;
	}
	return KR_OK;
}

static kr_err_t unknown(const struct kr_commit *c, char *err, size_t len)
{
	ksnprintf(err, len, "state.tcc: unknown kind %s", c && c->kind ? c->kind : "(none)");
	return KR_EINVAL;
}

static kr_err_t st_check(const struct kr_commit *c, void **stage, char *err, size_t len)
{
	struct tcommit_cc cc;
	struct stage *s;
	const char *name;
	kr_err_t e;

	*stage = NULL;
	if (is_kind(c, "tcc.unload"))
		return (e = tcommit_unload_decode(c, &name, err, len)) ? e :
		       unload_check(name, err, len);
	if (!is_kind(c, "tcc.cc"))
		return unknown(c, err, len);
	if ((e = tcommit_cc_decode(c, &cc, err, len)) != KR_OK)
		return e;
	for (int i = 0; i < PENDING; i++) {
		struct pending *p = &pending[i];

		if (p->stage && p->len == c->length && !memcmp(p->payload, c->payload, c->length)) {
			if ((e = same(&cc, p->stage, err, len)) != KR_OK)
				return e;
			*stage = p->stage;      /* compiled by cc_commit */
			p->stage = NULL;
			return KR_OK;
		}
	}
	if (!(s = kr_calloc(tcc_self, 1, sizeof(*s))))
		return KR_ENOMEM;
	e = build(&cc, NULL, s, quiet, NULL, err, len);
	if (!e && (e = same(&cc, s, err, len)) != KR_OK)
		handler_free(&s->h);
	if (e)
		kr_free(tcc_self, s);
	else
		*stage = s;
	return e;
}

static void st_drop(void *stage)
{
	struct stage *s = stage;

	if (!s)
		return;
	handler_free(&s->h);
	kr_free(tcc_self, s);
}

static kr_err_t apply_view(struct state_view *v, const struct kr_commit *c, char *err,
			   size_t len)
{
	struct tcommit_cc cc;
	const char *name;
	kr_err_t e;

	if (is_kind(c, "tcc.unload")) {
		if ((e = tcommit_unload_decode(c, &name, err, len)) != KR_OK)
			return e;
		if ((e = sv_del(v, name)) != KR_OK)
			ksnprintf(err, len, "no handler %s", name);
		return e;
	}
	if ((e = tcommit_cc_decode(c, &cc, err, len)) != KR_OK)
		return e;
	{                               /* the record has what the compile gave */
		struct handler h = { .grants = cc.effective,
				     .mf = { .present = cc.mf_version != 0, .version = cc.mf_version } };
		uint8_t d[32];

		memcpy(h.source, cc.source, 32);
		item_digest(&h, d);
		return sv_set(v, cc.name, d);
	}
}

static kr_err_t st_apply(void *view, const struct kr_commit *c, void *stage, uint32_t flags,
			 char *err, size_t len)
{
	struct stage *s = stage;
	bool out = !(flags & KR_APPLY_REPLAY) && s && s->print;
	print_fn print = out ? s->print : quiet;
	void *ctx = out ? s->ctx : NULL;
	struct tcommit_cc cc;
	const char *name;
	kr_err_t e;

	if (!is_kind(c, "tcc.cc") && !is_kind(c, "tcc.unload"))
		return unknown(c, err, len);
	if (view)
		return apply_view(view, c, err, len);
	if (is_kind(c, "tcc.unload")) {
		if ((e = tcommit_unload_decode(c, &name, err, len)) ||
		    (e = unload_check(name, err, len)))
			return e;
		handler_free(handler_find(name));
		return KR_OK;
	}
	if (!s) {                       /* replay: all of the work */
		if ((e = tcommit_cc_decode(c, &cc, err, len)) != KR_OK)
			return e;
		if (!(s = kr_calloc(tcc_self, 1, sizeof(*s))))
			return KR_ENOMEM;
		if ((e = build(&cc, NULL, s, print, ctx, err, len)) != KR_OK) {
			if (err && len && !err[0])
				ksnprintf(err, len, "%s: the compile failed", cc.name);
			kr_free(tcc_self, s);
			return e;
		}
		if ((e = same(&cc, s, err, len)) != KR_OK) {
			st_drop(s);
			return e;
		}
	}
	e = cc_install(&s->h, s->verbose && out, &s->cost, print, ctx) ? KR_EBUSY : KR_OK;
	if (e)
		ksnprintf(err, len, "%s: cannot be installed (running, or no room)", s->h.name);
	kr_free(tcc_self, s);
	return e;
}

static struct state_view *live_view(void)
{
	struct state_view *v = sv_new(tcc_self);
	uint8_t d[32];

	for (int i = 0; v && i < MAX_HANDLERS; i++) {
		if (!tcc_handlers[i].used)
			continue;
		item_digest(&tcc_handlers[i], d);
		if (sv_set(v, tcc_handlers[i].name, d) != KR_OK) {
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

/* Every handler a commit compiled goes.  A genesis handler (compiled
 * before the log attached) that a commit replaced or unloaded cannot come
 * back: what compiled it is not recorded.  Nothing compiles handlers
 * before the clog module attaches at boot, so genesis has none. */
static kr_err_t st_reset(char *err, size_t len)
{
	kr_err_t e = KR_OK;

	for (int i = 0; i < MAX_HANDLERS; i++) {
		struct handler *h = &tcc_handlers[i];

		if (!h->used || !h->committed)
			continue;
		if (h->busy) {
			if (!e)
				ksnprintf(err, len, "reset: handler %s is running; it stays", h->name);
			e = KR_EBUSY;
			continue;
		}
		handler_free(h);
	}
	return e;
}

static kr_err_t st_attach(const struct kr_gate_ops *g)
{
	kr_err_t e = sv_gate_ok(g);

	if (!e)
		tcc_gate = g;
	return e;
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
	.part = "tcc", .check = st_check, .apply = st_apply, .drop = st_drop,
	.items = st_items, .reset = st_reset, .attach = st_attach, .view_new = st_view_new,
	.view_free = st_view_free, .view_mount = NULL,
};

kr_err_t tcc_state_publish(void)
{
	kr_err_t e = kr_service_publish(tcc_self, "state.tcc", &state_ops.hdr, &state_cap);

	published = e == KR_OK;
	return e;
}

void tcc_state_exit(void)
{
	tcc_gate = NULL;
	if (published && kr_service_unpublish(tcc_self, state_cap) == KR_OK)
		published = false;
}
