/*
 * kmod.c - the module manager, a module built into the kernel image: the
 * one the core starts, first in link order.
 *
 * When it starts, it starts the other built-in modules (builtin.c), then
 * lists the boot modules and loads the .kmod files among them (boot.c); at run time
 * it loads buffers through its "kmod" service.  It starts each module in a
 * domain of its own, and unloads one only when nothing depends on it.  It
 * uses the core only
 * through the ABI: the image lives in pages it holds a capability to,
 * mapped read+write while kmod_elf.c relocates it and then protected
 * (text RX, rodata R, data RW: never writable and executable at once).
 *
 * Loading is a ladder; each failure unwinds exactly the steps before it:
 *   validate and read the descriptor (names [a-z0-9_]) -> check the name
 *   (not loaded, not built in) and dependencies -> check the file against
 *   the manifest -> load the image (lay out, copy, resolve, relocate) ->
 *   check its exports (no name another module exports) -> protect ->
 *   domain -> measure -> init -> live
 * Symbols resolve against the modules it depends on (their KR_EXPORTs),
 * then the core's export table, and nothing else (resolve.c).  A file is
 * measured (logged) only when its code is about to run, so a boot module
 * retried until its dependencies load is logged once.
 */
#include <stdbool.h>
#include <karyon/boot_info.h>
#include <karyon/hash.h>
#include <karyon/kmod.h>
#include <karyon/libc.h>
#include <karyon/log.h>

#include "builtin.h"
#include "guarded.h"
#include "kmod_elf.h"
#include "kmod_int.h"
#include "measure.h"
#include "resolve.h"
#include "state.h"

#define MAX_MODULES 32

/* tools/gdb/karyon.py reads mods[] by name from the kernel's debug
 * information (state, info->name, img.base, img.size, digest): renaming
 * one of those means changing it too. */
struct kmod {
	uint32_t state;                 /* 0: free slot, else enum kr_kmod_state */
	const struct kr_module_info *info;
	struct kmod_image img;
	kr_cap_t img_cap;               /* the image's pages, in kmod's domain */
	kr_domain_t *domain;            /* the module's own */
	uint32_t users;
	uint32_t seq;                   /* load order, for listings */
	uint8_t digest[DIGEST_LEN];     /* BLAKE2b-256 of the file */
	bool committed;                 /* loaded by a commit (state.c): reset unloads it */
	bool early;                     /* a boot module loaded early for a replay */
	struct kmod *deps[KR_MODULE_DEPS_MAX];
};

static struct kmod mods[MAX_MODULES];
static kr_domain_t *self;
static kr_cap_t devices;                /* hands modules their .needs */
static uint32_t next_seq;

#define WATCHERS 4
static struct watcher {
	kr_domain_t *d;
	void (*fn)(void *ctx, bool loaded, const char *name);
	void *ctx;
} watchers[WATCHERS];

static void tell(bool loaded, const char *name)
{
	for (int i = 0; i < WATCHERS; i++)
		if (watchers[i].fn)
			watchers[i].fn(watchers[i].ctx, loaded, name);
}

static kr_err_t kmod_watch(kr_domain_t *d, void (*fn)(void *ctx, bool loaded, const char *name),
			   void *ctx)
{
	int mine = -1, free_slot = -1;

	if (!d)
		return KR_EINVAL;
	for (int i = 0; i < WATCHERS; i++)
		if (watchers[i].d == d)
			mine = i;
		else if (!watchers[i].d && free_slot < 0)
			free_slot = i;
	if (mine < 0 && !fn)
		return KR_OK;
	if (mine < 0)
		mine = free_slot;
	if (mine < 0)
		return KR_ENOSPC;
	watchers[mine] = fn ? (struct watcher){ d, fn, ctx } : (struct watcher){ 0 };
	return KR_OK;
}

/* What one load needs while kmod_elf works. */
struct load_ctx {
	kr_cap_t cap;
	struct kres res;
	struct kres_module deps[KR_MODULE_DEPS_MAX];    /* the loaded ones, in res */
	struct kres_module others[MAX_MODULES];         /* for kres_explain only */
};

/* The module called name; during a live replacement (live.c), when two
 * share the name, the one that is live. */
static struct kmod *find(const char *name)
{
	struct kmod *any = NULL;

	for (int i = 0; i < MAX_MODULES; i++)
		if (mods[i].state && !strcmp(mods[i].info->name, name)) {
			if (mods[i].state == KR_KMOD_LIVE)
				return &mods[i];
			any = any ? any : &mods[i];
		}
	return any;
}

static void *env_alloc(void *ctx, size_t size)
{
	struct load_ctx *lc = ctx;
	void *va;

	if (kr_page_alloc(self, size / KR_PAGE_SIZE, &lc->cap) != KR_OK)
		return NULL;
	if (kr_page_map(self, lc->cap, KR_RIGHT_READ | KR_RIGHT_WRITE, &va) != KR_OK) {
		kr_cap_delete(self, lc->cap);
		return NULL;
	}
	return va;
}

static void env_free(void *ctx, void *p, size_t size)
{
	(void)p;
	(void)size;
	kr_cap_delete(self, ((struct load_ctx *)ctx)->cap);     /* unmaps, frees */
}

static kr_err_t env_resolve(void *ctx, const char *name, uint64_t *addr)
{
	return kres_lookup(&((struct load_ctx *)ctx)->res, name, addr);
}

static struct kres_module exports_of(const struct kmod *m)
{
	return (struct kres_module){ m->info->name, m->img.exports, m->img.nexports };
}

/* What symbols the module may see: its loaded dependencies' exports (a
 * built-in dependency has none: deps[i] NULL), then the core's. */
static void resolve_from(struct load_ctx *lc, const struct kr_module_info *info,
			 struct kmod **deps)
{
	lc->res = (struct kres){ .info = info, .deps = lc->deps, .core = kr_export_lookup };
	for (uint32_t i = 0; i < info->ndeps; i++)
		if (deps[i])
			lc->deps[lc->res.ndeps++] = exports_of(deps[i]);
}

/* Why name did not resolve; the other live modules only name an exporter
 * the module forgot to depend on. */
static kr_err_t unresolved(struct load_ctx *lc, kr_err_t r, const char *name, char *err,
			   size_t len)
{
	for (int i = 0; i < MAX_MODULES; i++)
		if (mods[i].state == KR_KMOD_LIVE)
			lc->others[lc->res.nothers++] = exports_of(&mods[i]);
	lc->res.others = lc->others;
	if (err && len)
		kres_explain(&lc->res, name, err, len);
	return r;
}

/* A name img exports that a module in another slot exports already. */
static const char *second_exporter(const struct kmod_image *img, const char **owner)
{
	struct kres_module loaded[MAX_MODULES];
	const struct kres_module m = { img->info->name, img->exports, img->nexports };
	size_t n = 0;

	for (int i = 0; i < MAX_MODULES; i++)
		if (mods[i].state &&    /* a stopped, kept one still holds its names */
		    strcmp(mods[i].info->name, img->info->name))        /* a predecessor */
			loaded[n++] = exports_of(&mods[i]);
	return kres_conflict(&m, loaded, n, owner);
}

static const struct kmod_env env_ops = { .alloc = env_alloc, .free = env_free,
					  .resolve = env_resolve };

static kr_err_t fail(char *err, size_t len, kr_err_t code, const char *fmt, const char *a,
		     const char *b)
{
	if (err && len)
		ksnprintf(err, len, fmt, a, b);
	return code;
}

/* A built-in module by name (started or not), and its version. */
static bool builtin(const char *name, bool *started, uint32_t *version)
{
	const struct kr_module_info *bi;

	for (uint32_t i = 0; kr_builtin_module(NULL, i, &bi, started, NULL) == KR_OK; i++)
		if (!strcmp(bi->name, name)) {
			*version = bi->version;
			return true;
		}
	return false;
}

/* Every dependency live and new enough: a loaded module (deps[i]) or a
 * started built-in one (deps[i] NULL: built-ins are never unloaded). */
static kr_err_t check_deps(const struct kr_module_info *info, struct kmod **deps, char *err,
			   size_t len)
{
	char need[48];

	for (uint32_t i = 0; i < info->ndeps; i++) {
		const struct kr_module_dep *d = &info->deps[i];

		bool started = false;
		uint32_t version = 0;

		deps[i] = find(d->name);
		ksnprintf(need, sizeof(need), "%s >= %u.%u.%u", d->name, KR_VERSION_MAJOR(d->min_version),
			  KR_VERSION_MINOR(d->min_version), KR_VERSION_PATCH(d->min_version));
		if (!deps[i] && builtin(d->name, &started, &version)) {
			if (!started)
				return fail(err, len, KR_ENOENT, "needs %s, which did not start%s", need, "");
			if (version < d->min_version)
				return fail(err, len, KR_ERANGE, "needs %s; the built-in one is older%s",
					    need, "");
			continue;
		}
		if (!deps[i] || deps[i]->state != KR_KMOD_LIVE)
			return fail(err, len, KR_ENOENT, "needs %s, which is not loaded%s", need, "");
		if (deps[i]->info->version < d->min_version)
			return fail(err, len, KR_ERANGE, "needs %s; the loaded one is older%s", need, "");
	}
	return KR_OK;
}

static kr_err_t protect(kr_cap_t cap, size_t off, size_t size, uint32_t prot)
{
	return size ? kr_page_protect(self, cap, off / KR_PAGE_SIZE,
				      (size + KR_PAGE_SIZE - 1) / KR_PAGE_SIZE, prot) : KR_OK;
}

/* Called with each module placed in memory, before its init runs: a
 * debugger breaks here to load the module's symbols (tools/gdb/karyon.py),
 * so breakpoints in init work too.  Does nothing itself; noinline and the
 * asm keep the call and m where gdb can see them. */
static __attribute__((noinline, used)) void kmod_debug_placed(const struct kmod *m)
{
	__asm__ volatile("" : : "r"(m) : "memory");
}

/* The checks of a load that need no loading: a free slot, the descriptor,
 * the name free, the dependencies live, the manifest.  Changes nothing. */
static kr_err_t insert_check(const void *file, size_t size, const char *origin, unsigned how,
			     struct kmod **slot, struct kr_module_info *desc, struct kmod **deps,
			     uint8_t digest[DIGEST_LEN], char *err, size_t len)
{
	struct kmod_error e = { 0 };
	bool started;
	uint32_t version;
	kr_err_t r;

	*slot = NULL;
	for (int i = 0; i < MAX_MODULES && !*slot; i++)
		if (!mods[i].state)
			*slot = &mods[i];
	if (!*slot)
		return fail(err, len, KR_ENOSPC, "%s: no room for more modules%s", origin, "");
	r = kmod_describe(file, size, desc, &e);
	if (r)
		return fail(err, len, r, "%s: %s", e.what ? e.what : kr_strerror(r),
			    e.detail[0] ? e.detail : "");
	if (!(how & KMOD_SUCCESSOR) && find(desc->name))
		return fail(err, len, KR_EEXIST, "%s is already loaded%s", desc->name, "");
	if (!(how & KMOD_SUCCESSOR) && builtin(desc->name, &started, &version))
		return fail(err, len, KR_EEXIST, "%s is built in%s", desc->name, "");
	r = check_deps(desc, deps, err, len);
	if (!r)
		r = measure_check(desc->name, file, size, digest, err, len);
	return r;
}

kr_err_t kmod_load_check(const void *file, size_t size, const char *origin, char *err, size_t len)
{
	struct kmod *m, *deps[KR_MODULE_DEPS_MAX] = { 0 };
	struct kr_module_info desc;
	uint8_t digest[DIGEST_LEN];

	return insert_check(file, size, origin, 0, &m, &desc, deps, digest, err, len);
}

/* The loader's ladder (top of the file).  how: KMOD_QUIET tells no
 * watchers (a replay), KMOD_COMMITTED marks the module as a commit's,
 * KMOD_SUCCESSOR loads a new version beside the running one for live.c:
 * placed, its domain made and given its needs, but no init (*out). */
static kr_err_t load(const void *file, size_t size, const char *origin, unsigned how,
		     struct kmod **out, char *err, size_t len)
{
	struct load_ctx lc = { 0 };
	struct kmod_env env = env_ops;
	struct kmod *m = NULL, *deps[KR_MODULE_DEPS_MAX] = { 0 };
	struct kmod_image img;
	struct kr_module_info desc;
	uint8_t digest[DIGEST_LEN];
	struct kmod_error e = { 0 };
	kr_domain_t *dom;
	const char *sym, *owner;
	char why[128];
	kr_err_t r;

	r = insert_check(file, size, origin, how, &m, &desc, deps, digest, err, len);
	if (r)
		return r;
	env.ctx = &lc;
	resolve_from(&lc, &desc, deps);
	r = kmod_load(file, size, &env, &img, &e);
	if (r && e.what && !strcmp(e.what, KMOD_UNRESOLVED))
		return unresolved(&lc, r, e.detail, err, len);
	if (r)
		return fail(err, len, r, "%s: %s", e.what ? e.what : kr_strerror(r),
			    e.detail[0] ? e.detail : "");
	if ((sym = second_exporter(&img, &owner))) {
		r = KR_EEXIST;
		ksnprintf(why, sizeof(why), "%s is already exported by %s", sym, owner);
		fail(err, len, r, "%s: %s", img.info->name, why);
		goto release;
	}
	r = protect(lc.cap, img.text_off, img.text_size, KR_RIGHT_READ | KR_RIGHT_EXEC);
	if (!r)
		r = protect(lc.cap, img.ro_off, img.ro_size, KR_RIGHT_READ);
	if (r) {
		fail(err, len, r, "cannot protect %s: %s", img.info->name, kr_strerror(r));
		goto release;
	}
	r = kr_domain_create(self, img.info->name, 32, &dom);
	if (r) {
		fail(err, len, r, "no domain for %s: %s", img.info->name, kr_strerror(r));
		goto release;
	}
	r = kr_module_grant(self, devices, dom, img.info->needs, why, sizeof(why));
	if (r) {                /* its devices before its init, or nothing */
		fail(err, len, r, "%s: %s", img.info->name, why);
		kr_domain_destroy(self, dom);
		goto release;
	}
	*m = (struct kmod){ .state = KR_KMOD_LOADING, .info = img.info, .img = img,
			    .img_cap = lc.cap, .domain = dom, .seq = next_seq++,
			    .committed = (how & KMOD_COMMITTED) != 0,
			    .early = (how & KMOD_EARLY) != 0 };
	memcpy(m->deps, deps, sizeof(deps));
	memcpy(m->digest, digest, sizeof(digest));
	for (uint32_t i = 0; i < img.info->ndeps; i++)
		if (deps[i])
			deps[i]->users++;
	measure_log(img.info->name, digest);
	kmod_debug_placed(m);
	if (how & KMOD_SUCCESSOR) {
		*out = m;
		return KR_OK;
	}
	r = guarded_call_init(img.info, dom, (uint64_t)img.base + img.text_off,
			      (uint64_t)img.base + img.text_off + img.text_size);
	if (r == KR_EFAULT) {
		fail(err, len, r, "%s: init faulted (see the log); stopped%s", img.info->name, "");
		goto undo_init;
	}
	if (r) {
		fail(err, len, r, "%s: init failed: %s", img.info->name, kr_strerror(r));
		goto undo_init;
	}
	m->state = KR_KMOD_LIVE;
	kr_log(KR_LOG_INFO, "kmod: loaded %s %u.%u.%u from %s\n", m->info->name,
	       KR_VERSION_MAJOR(m->info->version), KR_VERSION_MINOR(m->info->version), KR_VERSION_PATCH(m->info->version),
	       origin);
	if (!(how & KMOD_QUIET))
		tell(true, m->info->name);
	return KR_OK;

undo_init:
	for (uint32_t i = 0; i < img.info->ndeps; i++)
		if (deps[i])
			deps[i]->users--;
	if (kr_domain_destroy(self, dom) != KR_OK) {    /* revokes whatever init took */
		/* Another domain holds a capability init granted (an open
		 * service, say): its code may still be called, so keep it. */
		m->state = KR_KMOD_UNLOADING;
		kr_log(KR_LOG_ERR, "kmod: %s failed but lent capabilities out; kept\n",
		       img.info->name);
		return r;
	}
	*m = (struct kmod){ 0 };
release:
	kmod_release(&env, &img);
	return r;
}

kr_err_t kmod_load_file(const void *file, size_t size, const char *origin, unsigned how,
			char *err, size_t len)
{
	return load(file, size, origin, how & ~KMOD_SUCCESSOR, NULL, err, len);
}

/* ---- For live.c (kmod_int.h) ---- */

static void users_of(const struct kmod *m, char *buf, size_t len);

struct kmod *kmod_stage(const void *file, size_t size, const char *origin, char *err, size_t len)
{
	struct kmod *m = NULL;

	return load(file, size, origin, KMOD_SUCCESSOR, &m, err, len) ? NULL : m;
}

struct kmod *kmod_running(const char *name)
{
	struct kmod *m = find(name);

	return m && m->state == KR_KMOD_LIVE ? m : NULL;
}

bool kmod_linked_users(const struct kmod *m, char *names, size_t len)
{
	if (!m->users || !m->img.nexports)
		return false;
	users_of(m, names, len);
	return true;
}

kr_domain_t *kmod_domain_of(const struct kmod *m)
{
	return m->domain;
}

const struct kr_module_info *kmod_info_of(const struct kmod *m)
{
	return m->info;
}

const struct kr_live_ops *kmod_live_of(const struct kmod *m)
{
	return m->img.live;
}

void kmod_text_of(const struct kmod *m, uint64_t *lo, uint64_t *hi)
{
	*lo = (uint64_t)m->img.base + m->img.text_off;
	*hi = *lo + m->img.text_size;
}

/* A staged or retired module's deps, domain and image go; no exit. */
static void drop(struct kmod *m)
{
	for (int d = 0; d < KR_MODULE_DEPS_MAX; d++)
		if (m->deps[d])
			m->deps[d]->users--;
	if (kr_domain_destroy(self, m->domain) != KR_OK) {
		m->state = KR_KMOD_UNLOADING;   /* lent out: its code stays */
		kr_log(KR_LOG_ERR, "kmod: %s lent capabilities out; kept, stopped\n", m->info->name);
		return;
	}
	kr_cap_delete(self, m->img_cap);        /* unmaps and frees the image */
	*m = (struct kmod){ 0 };
}

void kmod_discard(struct kmod *m)
{
	drop(m);
}

void kmod_activate(struct kmod *m, const char *how)
{
	m->state = KR_KMOD_LIVE;
	kr_log(KR_LOG_INFO, "kmod: %s %s %u.%u.%u\n", how, m->info->name,
	       KR_VERSION_MAJOR(m->info->version), KR_VERSION_MINOR(m->info->version),
	       KR_VERSION_PATCH(m->info->version));
}

void kmod_standby(struct kmod *m)
{
	m->state = KR_KMOD_UNLOADING;
}

void kmod_retire(struct kmod *m)
{
	uint64_t lo, hi;

	kmod_text_of(m, &lo, &hi);
	m->state = KR_KMOD_UNLOADING;
	guarded_call_exit(m->info, m->domain, lo, hi);
	drop(m);
}

kr_domain_t *kmod_self(void)
{
	return self;
}

/* "a, b": the loaded modules that depend on m. */
static void users_of(const struct kmod *m, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < MAX_MODULES; i++)
		for (int d = 0; mods[i].state && d < KR_MODULE_DEPS_MAX; d++)
			if (mods[i].deps[d] == m && n + 1 < len)
				n += ksnprintf(buf + n, len - n, "%s%s", n ? ", " : "",
					       mods[i].info->name);
}

/* The refusals of an unload; changes nothing. */
kr_err_t kmod_unload_check(const char *name, char *err, size_t len)
{
	struct kmod *m = name ? find(name) : NULL;
	char users[64];

	bool started;
	uint32_t version;

	if (!m && name && builtin(name, &started, &version))
		return fail(err, len, KR_EPERM, "%s is built in and cannot be unloaded%s", name, "");
	if (!m)
		return fail(err, len, KR_ENOENT, "%s is not loaded%s", name ? name : "(null)", "");
	if (m->state != KR_KMOD_LIVE)
		return fail(err, len, KR_EBUSY, "%s is still starting or stopping%s", name, "");
	if (m->users) {
		users_of(m, users, sizeof(users));
		return fail(err, len, KR_EBUSY, "%s is used by %s", name, users);
	}
	if (kr_domain_busy(m->domain))
		return fail(err, len, KR_EBUSY,
			    "%s has granted capabilities that are still in use%s", name, "");
	return KR_OK;
}

kr_err_t kmod_unload_name(const char *name, unsigned how, char *err, size_t len)
{
	kr_err_t r = kmod_unload_check(name, err, len);
	struct kmod *m;

	if (r)
		return r;
	m = find(name);
	m->state = KR_KMOD_UNLOADING;
	guarded_call_exit(m->info, m->domain, (uint64_t)m->img.base + m->img.text_off,
			  (uint64_t)m->img.base + m->img.text_off + m->img.text_size);
	if (kr_domain_destroy(self, m->domain) != KR_OK) {
		/* exit lent a capability out after all: its code may still be
		 * reached through it, so the module stays, stopped. */
		kr_log(KR_LOG_ERR, "kmod: %s lent capabilities out in exit; kept, stopped\n", name);
		return fail(err, len, KR_EBUSY, "%s has granted capabilities that are still in use%s",
			    name, "");
	}
	for (int d = 0; d < KR_MODULE_DEPS_MAX; d++)
		if (m->deps[d])
			m->deps[d]->users--;
	kr_log(KR_LOG_INFO, "kmod: unloaded %s\n", name);
	kr_cap_delete(self, m->img_cap);        /* unmaps and frees the image */
	*m = (struct kmod){ 0 };
	if (!(how & KMOD_QUIET))
		tell(false, name);
	return KR_OK;
}

static uint32_t builtin_count(void)
{
	const struct kr_module_info *bi;
	bool bd;
	uint32_t n = 0;

	while (kr_builtin_module(NULL, n, &bi, &bd, NULL) == KR_OK)
		n++;
	return n;
}

/* The k-th loaded module in load order (k from 0), or NULL: a small
 * table, so scan. */
static struct kmod *loaded_nth(uint32_t k)
{
	struct kmod *best = NULL;

	for (uint32_t n = 0; n <= k; n++) {
		struct kmod *next = NULL;

		for (int i = 0; i < MAX_MODULES; i++)
			if (mods[i].state && (!best || mods[i].seq > best->seq) &&
			    (!next || mods[i].seq < next->seq))
				next = &mods[i];
		if (!next)
			return NULL;
		best = next;
	}
	return best;
}

/* Built-in modules first (link order), then loaded ones in load order. */
static bool needs(const struct kr_module_info *info, const char *name)
{
	for (uint32_t d = 0; d < info->ndeps && d < KR_MODULE_DEPS_MAX; d++)
		if (!strcmp(info->deps[d].name, name))
			return true;
	return false;
}

/* A built-in module's users: the running modules, built in or loaded,
 * that name it among their dependencies. */
static uint32_t builtin_users(const char *name, char *buf, size_t len)
{
	const struct kr_module_info *bi;
	uint32_t users = 0, nbuiltin = builtin_count();
	size_t n = 0;
	bool running;

	buf[0] = '\0';
	for (uint32_t i = 0; i < nbuiltin + MAX_MODULES; i++) {
		const struct kr_module_info *info = NULL;

		if (i < nbuiltin && kr_builtin_module(NULL, i, &bi, &running, NULL) == KR_OK &&
		    running)
			info = bi;
		else if (i >= nbuiltin && mods[i - nbuiltin].state)
			info = mods[i - nbuiltin].info;
		if (!info || !needs(info, name))
			continue;
		users++;
		if (n + 1 < len)
			n += ksnprintf(buf + n, len - n, "%s%s", n ? ", " : "", info->name);
	}
	return users;
}

static kr_err_t kmod_get(uint32_t index, struct kr_kmod_entry *out)
{
	const struct kr_module_info *bi;
	struct kmod *best;
	bool bd;
	uint32_t nbuiltin = builtin_count();

	if (!out)
		return KR_EINVAL;
	if (index < nbuiltin) {
		kr_builtin_module(NULL, index, &bi, &bd, NULL);
		*out = (struct kr_kmod_entry){ .version = KR_KMOD_ENTRY_VERSION,
			.state = bd ? KR_KMOD_LIVE : 0, .module_version = bi->version, .builtin = 1 };
		kr_builtin_size(index, &out->size);     /* 0 if the table has none */
		memcpy(out->name, bi->name, sizeof(out->name));
		out->users = builtin_users(bi->name, out->used_by, sizeof(out->used_by));
		return KR_OK;
	}
	if (!(best = loaded_nth(index - nbuiltin)))
		return KR_ENOENT;
	*out = (struct kr_kmod_entry){ .version = KR_KMOD_ENTRY_VERSION, .state = best->state,
		.module_version = best->info->version, .users = best->users,
		.size = best->img.size };
	memcpy(out->name, best->info->name, sizeof(out->name));
	users_of(best, out->used_by, sizeof(out->used_by));
	memcpy(out->digest, best->digest, sizeof(out->digest));
	return KR_OK;
}

kr_err_t kmod_entry(uint32_t index, struct kr_kmod_entry *out)
{
	return kmod_get(index, out);
}

const char *kmod_last_committed(void)
{
	struct kmod *last = NULL;

	for (int i = 0; i < MAX_MODULES; i++)
		if (mods[i].state && mods[i].committed && (!last || mods[i].seq > last->seq))
			last = &mods[i];
	return last ? last->info->name : NULL;
}

bool kmod_loaded_early(const char *name, const uint8_t digest[DIGEST_LEN])
{
	const struct kmod *m = find(name);

	return m && m->early && !memcmp(m->digest, digest, DIGEST_LEN);
}

bool kmod_is_committed(const char *name)
{
	const struct kmod *m = find(name);

	return m && m->committed;
}

bool kmod_needs(const char *user, const char *dep)
{
	const struct kmod *m = find(user);

	for (uint32_t i = 0; m && i < m->info->ndeps; i++)
		if (!strcmp(m->info->deps[i].name, dep))
			return true;
	return false;
}

static kr_err_t kmod_layout_of(uint32_t index, struct kr_kmod_layout *out)
{
	uint32_t nbuiltin = builtin_count();
	const struct kmod *m;
	uint64_t base;

	if (!out)
		return KR_EINVAL;
	if (index < nbuiltin)
		return KR_ENOSYS;
	if (!(m = loaded_nth(index - nbuiltin)))
		return KR_ENOENT;
	base = (uint64_t)(uintptr_t)m->img.base;
	*out = (struct kr_kmod_layout){ .version = KR_KMOD_LAYOUT_VERSION,
		.base = base, .size = m->img.size,
		.text = base + m->img.text_off, .text_size = m->img.text_size,
		.ro = base + m->img.ro_off, .ro_size = m->img.ro_size,
		.data = base + m->img.data_off, .data_size = m->img.data_size };
	return KR_OK;
}

static kr_err_t kmod_info(const void *file, size_t size, struct kr_module_info *out, char *err,
			  size_t len)
{
	struct kmod_error e = { 0 };
	kr_err_t r = out ? kmod_describe(file, size, out, &e) : KR_EINVAL;

	if (r && e.what)
		fail(err, len, r, e.detail[0] ? "%s: %s" : "%s%s", e.what, e.detail);
	return r;
}

static kr_err_t kmod_link(const void *file, size_t size, const struct kr_kmod_link *how,
			  struct kr_kmod_linked *out, char *err, size_t len)
{
	struct kmod_error e = { 0 };
	struct kmod_image img;
	struct kmod_env env;
	kr_err_t r;

	if (!how || (how->version != 1 && how->version != KR_KMOD_LINK_VERSION) || !how->entry ||
	    !out || (how->version > 1 && (how->link_addr & (KR_PAGE_SIZE - 1))))
		return fail(err, len, KR_EINVAL, "link: bad request%s%s", "", "");
	env = (struct kmod_env){ .ctx = how->ctx, .alloc = how->alloc, .free = how->free,
				 .resolve = how->resolve, .entry = how->entry };
	if (how->version > 1) {         /* version 1 callers' structs end before these */
		env.link_addr = how->link_addr;
		env.defined = how->defined;
	}
	r = kmod_load(file, size, &env, &img, &e);
	if (r)
		return fail(err, len, r, "%s: %s", e.what ? e.what : kr_strerror(r), e.detail);
	*out = (struct kr_kmod_linked){ .version = KR_KMOD_LINKED_VERSION, .base = img.base,
		.size = img.size, .text_off = img.text_off, .text_size = img.text_size,
		.ro_off = img.ro_off, .ro_size = img.ro_size, .data_off = img.data_off,
		.data_size = img.data_size, .entry = img.entry };
	return KR_OK;
}

static kr_err_t kmod_caps(const char *name, kr_print_fn print, void *ctx)
{
	const struct kmod *m = name ? find(name) : NULL;

	if (!print)
		return KR_EINVAL;
	return m ? kr_cap_dump(m->domain, KR_CAP_NULL, print, ctx) : KR_ENOENT;
}

static const struct kr_kmod_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_KMOD_SERVICE_VERSION, sizeof(struct kr_kmod_ops), 0 },
	.load = kstate_load, .unload = kstate_unload, .get = kmod_get, .describe = kmod_info,
	.link = kmod_link, .watch = kmod_watch, .layout = kmod_layout_of, .caps = kmod_caps,
	.live = live_replace, .live_status = live_status, .live_end = live_end,
};

/* One line with every module, built-in and loaded: what this image runs
 * (kmod first, the core's one built-in; then the ones it started). */
static void log_module_set(void)
{
	struct kr_kmod_entry e;
	char line[256];
	size_t n = 0;

	for (uint32_t i = 0; kmod_get(i, &e) == KR_OK && n + 1 < sizeof(line); i++)
		if (e.state == KR_KMOD_LIVE)
			n += ksnprintf(line + n, sizeof(line) - n, " %s", e.name);
	line[n] = '\0';
	kr_log(KR_LOG_INFO, "kmod: modules:%s\n", line);
}

static kr_err_t kmod_init(kr_domain_t *dom)
{
	kr_cap_t cap;
	kr_err_t r;

	self = dom;
	r = kr_need_cap(self, 0, &devices);     /* KR_SYS_DEVICES, from .needs */
	if (!r)
		r = guarded_init(self);
	if (r)
		return r;                       /* could start nothing */
	builtin_start_all(self, devices);
	boot_list(self);                /* before any is used */
	measure_init(self);
	/* Both before the boot modules: the clog module's init opens
	 * state.kmod and replays the log, and a replayed compile (tcc.cc)
	 * links through the kmod service. */
	kstate_init(self);
	r = kr_service_publish(self, "kmod", &ops.hdr, &cap);
	boot_load_all(self);
	log_module_set();
	return r;
}

KR_MODULE(.name = "kmod", .version = KR_VERSION(1, 0, 0),
	  .description = "loads, links and unloads modules; the kmod service",
	  .license = "MIT", .author = "Karyon developers", .init = kmod_init,
	  .needs = { KR_NEED_SYSTEM(KR_SYS_DEVICES) });
