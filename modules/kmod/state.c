/*
 * state.c - kmod as an owner of state: the "state.kmod" service the commit
 * log (modules/clog, <karyon/clog.h>) drives, and the kmod service's load
 * and unload routed through its gateway while it is attached.
 *
 * Kinds and payloads (commit.h; docs/commit-log-parts.md):
 *	kmod.load	name NUL, origin NUL, digest[32] (BLAKE2b-256 of the
 *			file), the file (at most KR_CLOG_PAYLOAD_MAX in all)
 *	kmod.unload	name NUL
 * Items: every module, built-in (started) or loaded (boot modules too),
 * name -> BLAKE2b-256 of (u32 LE version, the file's digest: zeroes for a
 * built-in).
 *
 * check runs every test the loader makes before it loads anything
 * (descriptor, manifest, name free, dependencies live), or the unload's
 * refusals; apply loads or unloads, the same function at run time and at
 * replay (quiet then: no watcher hears of it).  Genesis is what was loaded
 * before the first commit: the built-ins and the boot modules.
 *
 * Nesting: the clog module replays from its own init, which runs inside
 * kmod_load_file of the boot module loop, so apply(kmod.load) loads a
 * module while another one is LOADING.  That is safe here: kernel tasks
 * are cooperative, so nothing else runs kmod meanwhile; the loader keeps
 * no state across a load but mods[] (the outer module holds its slot,
 * LOADING, so the inner one takes another; a dependency on the loading one
 * is refused as not loaded) and next_seq; guarded.c runs the nested init
 * unguarded on the outer one's guard stack (its busy flag); and the boot
 * loop's own state lives in load_boot_modules' frame.  See
 * docs/commit-log-parts.md for what it costs.
 */
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>

#include "../lib/state_view.h"
#include "commit.h"
#include "kmod_elf.h"
#include "state.h"

#define GONE_MAX 8

static kr_domain_t *self;
static const struct kr_gate_ops *gate;  /* NULL: apply directly */
/* Genesis modules a commit unloaded: reset loads them again from the
 * boot modules if one holds them. */
static char gone[GONE_MAX][KR_MODULE_NAME_MAX];
static uint32_t ngone;

static void item_digest(uint32_t version, const uint8_t file[32], uint8_t out[32])
{
	uint8_t b[36] = { (uint8_t)version, (uint8_t)(version >> 8), (uint8_t)(version >> 16),
			  (uint8_t)(version >> 24) };

	memcpy(b + 4, file, 32);
	kr_blake2b_256(out, b, sizeof(b));
}

/* ---- the gateway's side of the kmod service ---- */

kr_err_t kstate_load(const void *file, size_t size, const char *origin, char *err, size_t len)
{
	struct kr_module_info desc;
	struct kmod_error e;
	struct kcommit_load l;
	uint8_t digest[32];
	uint32_t n;
	void *buf;
	kr_err_t r;

	if (!gate)
		return kmod_load_file(file, size, origin, 0, err, len);
	/* The descriptor's name is the record's subject: a file without one
	 * is refused as the loader refuses it, with nothing to commit. */
	if (!file || kmod_describe(file, size, &desc, &e) != KR_OK)
		return kmod_load_check(file, size, origin, err, len);
	if (!origin || !*origin)
		origin = desc.name;
	if (!(n = kcommit_load_size(desc.name, origin, size))) {
		if (err && len)
			ksnprintf(err, len, "%s: %s is %zu bytes; a commit holds at most %u with its "
				  "name and origin", desc.name, origin, size, KR_CLOG_PAYLOAD_MAX);
		return KR_ERANGE;
	}
	if ((r = kr_blake2b_256(digest, file, size)) != KR_OK)
		return r;
	if (!(buf = kr_malloc(self, n)))
		return KR_ENOMEM;
	l = (struct kcommit_load){ desc.name, origin, digest, file, (uint32_t)size };
	kcommit_load_encode(buf, &l);
	r = gate->commit("kmod.load", buf, n, NULL, err, len);
	kr_free(self, buf);
	return r;
}

kr_err_t kstate_unload(const char *name, char *err, size_t len)
{
	if (!gate || !name || !*name || strlen(name) >= KR_MODULE_NAME_MAX)
		return kmod_unload_name(name, 0, err, len);
	return gate->commit("kmod.unload", name, (uint32_t)strlen(name) + 1, NULL, err, len);
}

/* ---- decoding ---- */

/* A kmod.load whose digest is the file's and whose subject is the name in
 * its descriptor; desc gets the descriptor. */
static kr_err_t decode_load(const struct kr_commit *c, struct kcommit_load *l,
			    struct kr_module_info *desc, char *err, size_t len)
{
	struct kmod_error e = { 0 };
	uint8_t digest[32];
	kr_err_t r = kcommit_load_decode(c, l, err, len);

	if (r)
		return r;
	if ((r = kr_blake2b_256(digest, l->file, l->size)) != KR_OK)
		return r;
	if (memcmp(digest, l->digest, 32)) {
		ksnprintf(err, len, "kmod.load: bad payload: the digest is not the file's");
		return KR_EFORMAT;
	}
	if ((r = kmod_describe(l->file, l->size, desc, &e)) != KR_OK) {
		ksnprintf(err, len, "%s: %s %s", l->origin, e.what ? e.what : kr_strerror(r), e.detail);
		return r;
	}
	if (strcmp(desc->name, l->name)) {
		ksnprintf(err, len, "kmod.load: bad payload: subject %s, but the file is %s", l->name,
			  desc->name);
		return KR_EFORMAT;
	}
	return KR_OK;
}

static bool is_kind(const struct kr_commit *c, const char *kind)
{
	return c && c->kind && !strcmp(c->kind, kind);
}

static kr_err_t unknown(const struct kr_commit *c, char *err, size_t len)
{
	if (err && len)
		ksnprintf(err, len, "state.kmod: unknown kind %s", c && c->kind ? c->kind : "(none)");
	return KR_EINVAL;
}

/* ---- the state.kmod service ---- */

static kr_err_t unload_refused(const char *name, char *err, size_t len)
{
	if (!strcmp(name, "clog")) {
		ksnprintf(err, len, "the commit log cannot unload itself");
		return KR_EPERM;
	}
	if (kmod_needs("clog", name)) {
		ksnprintf(err, len, "%s: the commit log depends on it", name);
		return KR_EPERM;
	}
	return kmod_unload_check(name, err, len);
}

static kr_err_t st_check(const struct kr_commit *c, void **stage, char *err, size_t len)
{
	struct kr_module_info desc;
	struct kcommit_load l;
	const char *name;
	kr_err_t r;

	*stage = NULL;
	if (is_kind(c, "kmod.load")) {
		if ((r = decode_load(c, &l, &desc, err, len)) != KR_OK)
			return r;
		return kmod_load_check(l.file, l.size, l.origin, err, len);
	}
	if (is_kind(c, "kmod.unload")) {
		if ((r = kcommit_unload_decode(c, &name, err, len)) != KR_OK)
			return r;
		return unload_refused(name, err, len);
	}
	return unknown(c, err, len);
}

static void gone_add(const char *name)
{
	for (uint32_t i = 0; i < ngone; i++)
		if (!strcmp(gone[i], name))
			return;
	if (ngone < GONE_MAX)
		memcpy(gone[ngone++], name, strlen(name) + 1);
	else
		kr_log(KR_LOG_ERR, "kmod: too many genesis modules unloaded to remember %s\n", name);
}

/* A view's change: the names and digests only. */
static kr_err_t apply_view(struct state_view *v, const struct kr_commit *c, char *err, size_t len)
{
	struct kr_module_info desc;
	struct kcommit_load l;
	const char *name;
	uint8_t d[32];
	kr_err_t r;

	if (is_kind(c, "kmod.load")) {
		if ((r = decode_load(c, &l, &desc, err, len)) != KR_OK)
			return r;
		if (sv_get(v, l.name)) {
			ksnprintf(err, len, "%s is already loaded", l.name);
			return KR_EEXIST;
		}
		item_digest(desc.version, l.digest, d);
		return sv_set(v, l.name, d);
	}
	if ((r = kcommit_unload_decode(c, &name, err, len)) != KR_OK)
		return r;
	if ((r = sv_del(v, name)) != KR_OK)
		ksnprintf(err, len, "%s is not loaded", name);
	return r;
}

/* Replaying at boot (from the clog module's init, inside the boot module
 * loop): a dependency that is a boot module later in the boot order than
 * the clog module is loaded now, from its boot module (the loop skips it
 * when it gets there: the same bytes are loaded). */
static void boot_deps(const struct kr_module_info *desc)
{
	struct kr_kmod_entry e;
	char why[128];

	for (uint32_t i = 0; i < desc->ndeps; i++) {
		bool present = false;

		for (uint32_t k = 0; !present && kmod_entry(k, &e) == KR_OK; k++)
			present = !strcmp(e.name, desc->deps[i].name);
		if (!present && kmod_load_boot(desc->deps[i].name, KMOD_EARLY, why,
					       sizeof(why)) == KR_OK)
			kr_log(KR_LOG_INFO, "kmod: %s loaded early: %s needs it\n", desc->deps[i].name,
			       desc->name);
	}
}

static kr_err_t st_apply(void *view, const struct kr_commit *c, void *stage, uint32_t flags,
			 char *err, size_t len)
{
	unsigned how = KMOD_COMMITTED | (flags & KR_APPLY_REPLAY ? KMOD_QUIET : 0);
	struct kr_module_info desc;
	struct kcommit_load l;
	char name[KR_MODULE_NAME_MAX];
	const char *n;
	bool genesis;
	kr_err_t r;

	(void)stage;
	if (!is_kind(c, "kmod.load") && !is_kind(c, "kmod.unload"))
		return unknown(c, err, len);
	if (view)
		return apply_view(view, c, err, len);
	if (is_kind(c, "kmod.load")) {
		if ((r = decode_load(c, &l, &desc, err, len)) != KR_OK)
			return r;
		if ((flags & KR_APPLY_REPLAY) && kmod_booting())
			boot_deps(&desc);
		return kmod_load_file(l.file, l.size, l.origin, how, err, len);
	}
	if ((r = kcommit_unload_decode(c, &n, err, len)) != KR_OK ||
	    (r = unload_refused(n, err, len)) != KR_OK)
		return r;
	memcpy(name, n, strlen(n) + 1);
	genesis = !kmod_is_committed(name);
	if ((r = kmod_unload_name(name, how, err, len)) == KR_OK && genesis)
		gone_add(name);
	return r;
}

static void st_drop(void *stage)
{
	(void)stage;            /* check stages nothing */
}

/* The live items, as a view. */
static struct state_view *live_view(void)
{
	struct state_view *v = sv_new(self);
	struct kr_kmod_entry e;
	uint8_t d[32];

	for (uint32_t i = 0; v && kmod_entry(i, &e) == KR_OK; i++) {
		if (!e.state)
			continue;       /* a built-in that did not start */
		item_digest(e.module_version, e.digest, d);
		if (sv_set(v, e.name, d) != KR_OK) {
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

/* Unload what commits loaded, newest first; then load the genesis modules
 * commits unloaded again from the boot modules.  A module given to the
 * kmod service as a buffer (insmod of a file) that a commit unloaded has
 * no file left to load: reset says which. */
static kr_err_t st_reset(char *err, size_t len)
{
	char name[KR_MODULE_NAME_MAX], why[128];
	const char *n;
	kr_err_t r, first = KR_OK;
	uint32_t n_kept;

	while ((n = kmod_last_committed())) {
		memcpy(name, n, strlen(n) + 1);
		if ((r = kmod_unload_name(name, 0, why, sizeof(why))) != KR_OK) {
			ksnprintf(err, len, "reset: cannot unload %s: %s", name, why);
			return r;
		}
	}
	for (uint32_t i = 0; i < ngone; i++) {
		r = kmod_load_boot(gone[i], 0, why, sizeof(why));
		if (r == KR_EEXIST)
			r = KR_OK;      /* loaded again meanwhile (not by a commit) */
		if (r && !first) {
			first = r;
			ksnprintf(err, len, "reset: genesis module %s cannot come back: %s", gone[i],
				  why);
		}
		if (!r)
			gone[i][0] = '\0';
	}
	n_kept = 0;             /* keep the ones still gone */
	for (uint32_t i = 0; i < ngone; i++)
		if (gone[i][0])
			memmove(gone[n_kept++], gone[i], sizeof(gone[i]));
	ngone = n_kept;
	return first;
}

static kr_err_t st_attach(const struct kr_gate_ops *g)
{
	kr_err_t e = sv_gate_ok(g);

	if (!e)
		gate = g;
	return e;
}

/* view_new(NULL): the live items (the genesis view, taken before replay). */
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
	.part = "kmod", .check = st_check, .apply = st_apply, .drop = st_drop,
	.items = st_items, .reset = st_reset, .attach = st_attach, .view_new = st_view_new,
	.view_free = st_view_free, .view_mount = NULL,
};

/* kmod is built in and never exits: state.kmod stays published, and the
 * clog module's exit detaches it (attach(NULL)). */
void kstate_init(kr_domain_t *dom)
{
	kr_cap_t cap;

	self = dom;
	if (kr_service_publish(self, "state.kmod", &state_ops.hdr, &cap) != KR_OK)
		kr_log(KR_LOG_ERR, "kmod: cannot publish state.kmod: no commit log for modules\n");
}
