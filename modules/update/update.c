/*
 * update.c - the update module (issue 19, second slice): module updates
 * through two strands per module, without live replacement.
 *
 *   update MODULE FILE.kmod   write FILE into MODULE's strand that is not
 *                             preferred, read it back, check its digest and
 *                             the allow-list, prefer it, then replace the
 *                             running version: unload the old, load the new;
 *                             if the new fails to start, the old again and
 *                             the preference back (strand_fail)
 *        ... --next-boot      prefer it (on probation) without replacing
 *                             what runs: the next boot runs it, or falls back
 *        ... --live [--probation CALLS]
 *                             replace the running version live (kmod,
 *                             <karyon/live.h>): its state and users handed
 *                             over; the next CALLS calls (default 64) are
 *                             guarded, and a fault rolls back by itself
 *   update confirm MODULE     end a live replacement's probation now
 *   update status [MODULE]    both strands, digests, versions, preferred
 *   update rollback MODULE    prefer the other strand and run it
 *   update digest FILE        the line /etc/update.allow takes for FILE
 *
 * At boot (a task, so that commits can wait for the disk): for every table
 * under /var/update, strand_boot_choice names the strand to run (falling
 * back when the preferred one is damaged or a trial of it never
 * confirmed), and the module is made to run that strand's image.
 * The strands and the records are kept by strand.c on store.c's vfs store;
 * loading goes through the kmod service (and so through the commit log).
 * docs/module-updates.md has the design.
 */
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/sched.h>
#include <karyon/shell.h>

#include "../lib/print_to.h"
#include "update_int.h"

kr_domain_t *upd_self;
const struct kr_vfs_ops *upd_vfs;
const struct kr_kmod_ops *upd_kmod;
static const struct kr_shell_ops *upd_shell;
/* The boot task is restoring tables: commands wait for it to finish (both
 * yield inside vfs and kmod calls while commits wait for the disk, so they
 * would interleave).  Only set with a scheduler (upd_sched). */
static bool upd_booting;
static const struct kr_sched_ops *upd_sched;

/* ---- update MODULE FILE ------------------------------------------------- */

/* No table yet: the version to keep as the way back is
 * /lib/modules/NAME.kmod, which must be what runs (if anything does; a
 * built-in module's .kmod is the object built into the kernel, whose
 * digest is not known). */
static kr_err_t create_table(struct upd_out *o, const char *name, struct upd_store *s,
			     struct strand_table *t, struct upd_allow *allow)
{
	struct strand_env env;
	struct kr_module_info info;
	struct kr_kmod_entry e;
	uint8_t *base, d[KR_UPDATE_DIGEST_LEN];
	char path[UPD_PATH_MAX], err[ERRLEN];
	const char *why;
	size_t len;
	kr_err_t r;

	ksnprintf(path, sizeof(path), "/lib/modules/%s.kmod", name);
	if ((r = store_read_file(NULL, path, KR_UPDATE_IMAGE_MAX, &base, &len, &why)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: %s: %s (its first update keeps it as "
			 "the way back)\n", name, path, why);
		return r;
	}
	if ((r = upd_kmod->describe(base, len, &info, err, sizeof(err))) != KR_OK ||
	    strcmp(info.name, name)) {
		print_to(o->print, o->ctx, "update: %s: %s: %s\n", name, path,
			 r ? err : "holds another module");
		kr_free(upd_self, base);
		return r ? r : KR_EINVAL;
	}
	kr_blake2b_256(d, base, len);
	memset(t, 0, sizeof(*t));
	if (upd_find_loaded(name, &e) && !e.builtin && memcmp(e.digest, d, sizeof(d))) {
		print_to(o->print, o->ctx, "update: %s: the running version is not %s (another "
			 "digest): it cannot be kept as the way back\n", name, path);
		kr_free(upd_self, base);
		return KR_EINVAL;
	}
	if ((r = store_env(s, &env, name)) == KR_OK && (r = store_mkdir(s)) == KR_OK)
		r = strand_create(t, &env, name, base, len, info.version, &allow->a, NULL);
	kr_free(upd_self, base);
	if (r)
		print_to(o->print, o->ctx, "update: %s: cannot keep %s in strand A: %s\n", name,
			 path, t->why ? t->why : kr_strerror(r));
	return r;
}

/* kmod's outcome of a live replacement's probation (see cmd_update): the
 * strand confirmed, or marked failed and the old one preferred again. */
void upd_live_report(void *ctx, const char *name, bool kept, const char *line)
{
	struct strand_table t;
	struct upd_store s;
	kr_err_t r;

	(void)ctx;
	(void)line;
	if (upd_open_table(name, &s, &t) != KR_OK)
		return;
	r = kept ? strand_confirm(&t) : strand_fail(&t);
	if (r && r != KR_EALREADY)
		kr_log(KR_LOG_ERR, "update: %s: the strand table was not updated after the live "
		       "replacement's probation: %s\n", name, t.why ? t.why : kr_strerror(r));
	else
		kr_log(KR_LOG_INFO, "update: %s: strand %c preferred%s\n", name,
		       strand_letter(t.rec.preferred), kept ? ", confirmed" : " again (rolled back)");
}

/* The new image replaces the running version live (kmod, <karyon/live.h>);
 * the strand is preferred on probation first, failed if it is refused. */
static int replace_live(struct upd_out *o, struct strand_table *t, const uint8_t *img, size_t len,
			const char *file, uint32_t window)
{
	struct kr_kmod_live how = { .version = KR_KMOD_LIVE_VERSION, .window = window,
				    .origin = file, .report = upd_live_report };
	struct kr_kmod_live_status st;
	char err[ERRLEN], v[16];
	kr_err_t r;

	if ((r = strand_prefer(t, window, 0)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: cannot prefer the new strand: %s\n",
			 t->rec.name, t->why ? t->why : kr_strerror(r));
		return 1;
	}
	if ((r = upd_kmod->live(img, len, &how, err, sizeof(err))) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: not replaced: %s\n", t->rec.name, err);
		if (strand_fail(t) == KR_OK)
			print_to(o->print, o->ctx, "update: %s: strand %c preferred again\n",
				 t->rec.name, strand_letter(t->rec.preferred));
		return 1;
	}
	upd_kmod->live_status(&st);
	upd_vstr(t->rec.s[t->rec.preferred].version, v);
	print_to(o->print, o->ctx, "update: %s: running %s (strand %c), replaced live: %u services "
		 "and %llu bytes of state handed over, callers paused %llu TSC ticks%s\n",
		 t->rec.name, v, strand_letter(t->rec.preferred), st.services,
		 (unsigned long long)st.state_bytes, (unsigned long long)st.pause_tsc,
		 st.active ? "; on probation" : "");
	if (st.active)
		print_to(o->print, o->ctx, "update: %s: probation: the next %u calls are guarded; a "
			 "fault rolls back to the old version\n", t->rec.name, st.window);
	return 0;
}

static int cmd_update(struct upd_out *o, const char *name, const char *file, bool next_boot,
		      bool live, uint32_t window)
{
	struct strand_table t;
	struct upd_store s;
	struct upd_allow *allow;
	struct kr_module_info info;
	struct kr_kmod_entry e;
	uint8_t *img = NULL, d[KR_UPDATE_DIGEST_LEN];
	char err[ERRLEN], hex[2 * KR_UPDATE_DIGEST_LEN + 1], v[16], vold[16];
	const char *why, *cwd = upd_shell->cwd();
	size_t len;
	bool unlisted = false, was_running;
	unsigned other;
	kr_err_t r;

	/* decode: everything checked before anything is written */
	if (!upd_name_ok(name)) {
		print_to(o->print, o->ctx, "update: %s: not a module name ([a-z0-9_], 1..31)\n", name);
		return 1;
	}
	if (!live && upd_find_loaded(name, &e) && (e.builtin || e.users) &&
	    upd_live_capable(name)) {
		print_to(o->print, o->ctx, "update: %s is %s: replace it live (update %s %s --live)\n",
			 name, e.builtin ? "built into the kernel" : "in use", name, file);
		return 1;
	}
	if (!live && !upd_replaceable(o, name))
		return 1;
	if (store_read_file(cwd, file, KR_UPDATE_IMAGE_MAX, &img, &len, &why) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: %s\n", file, why);
		return 1;
	}
	if (upd_kmod->describe(img, len, &info, err, sizeof(err)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: not a module: %s\n", file, err);
		goto fail;
	}
	if (strcmp(info.name, name)) {
		print_to(o->print, o->ctx, "update: %s holds module %s, not %s\n", file, info.name, name);
		goto fail;
	}
	kr_blake2b_256(d, img, len);
	allow_hex(d, hex);
	if (!(allow = kr_malloc(upd_self, sizeof(*allow))))
		goto fail;
	if (allow_load(allow) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s\n", allow->why);
		goto fail_allow;
	}
	if (allow_enforcing() && !allow->a.listed(allow, d)) {
		print_to(o->print, o->ctx, "update: %s: %s: blake2b-256 %.16s... is not in the "
			 "image's manifest: this image is enforcing, nothing is written\n", name,
			 file, hex);
		goto fail_allow;
	}
	r = upd_open_table(name, &s, &t);
	if (r == KR_ENOENT)
		r = create_table(o, name, &s, &t, allow);
	else if (r)
		print_to(o->print, o->ctx, "update: %s: its strand table cannot be read: %s\n", name,
			 t.why ? t.why : kr_strerror(r));
	if (r)
		goto fail_allow;
	if (!memcmp(t.rec.s[t.rec.preferred].digest, d, sizeof(d))) {
		print_to(o->print, o->ctx, "update: %s: %s is the preferred strand's image already\n",
			 name, file);
		goto fail_allow;
	}
	/* invoke: the other strand, written, read back and checked */
	other = !t.rec.preferred;
	if ((r = strand_write(&t, img, len, info.version)) != KR_OK ||
	    (r = strand_verify(&t, &allow->a, &unlisted)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: strand %c: %s\n", name, strand_letter(other),
			 t.why ? t.why : kr_strerror(r));
		goto fail_allow;
	}
	kr_free(upd_self, allow);
	allow = NULL;
	if (unlisted)
		print_to(o->print, o->ctx, "update: %s: %s is in no allow-list (accepted: this "
			 "image is permissive; strand %c flagged unlisted)\n", name, file,
			 strand_letter(other));
	upd_vstr(t.rec.s[t.rec.preferred].version, vold);
	upd_vstr(info.version, v);
	if (live) {
		print_to(o->print, o->ctx, "update: %s: strand %c holds %s (blake2b-256 %.16s...); "
			 "replacing %s live\n", name, strand_letter(other), v, hex, vold);
		r = replace_live(o, &t, img, len, file, window);
		kr_free(upd_self, img);
		return r;
	}
	if (next_boot) {
		/* staged: preferred now (on probation), run by the next boot, which
		 * confirms it once it starts or falls back to the other strand */
		if ((r = strand_prefer(&t, 0, 0)) != KR_OK) {
			print_to(o->print, o->ctx, "update: %s: cannot prefer strand %c: %s\n", name,
				 strand_letter(other), t.why ? t.why : kr_strerror(r));
			goto fail;
		}
		print_to(o->print, o->ctx, "update: %s: strand %c holds %s (blake2b-256 %.16s...), "
			 "preferred over %s from the next boot\n", name, strand_letter(other), v, hex,
			 vold);
		kr_free(upd_self, img);
		return 0;
	}
	was_running = upd_find_loaded(name, &e);
	if (was_running && (r = upd_kmod->unload(name, err, sizeof(err))) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: cannot unload %s: %s (strand %c holds %s, "
			 "verified, not preferred)\n", name, vold, err, strand_letter(other), v);
		goto fail;
	}
	if ((r = strand_prefer(&t, 0, 0)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: cannot prefer strand %c: %s\n", name,
			 strand_letter(other), t.why ? t.why : kr_strerror(r));
		if (was_running && upd_start_strand(&t, t.rec.preferred, err, sizeof(err)) != KR_OK)
			print_to(o->print, o->ctx, "update: %s: %s did not start again: %s\n", name,
				 vold, err);
		goto fail;
	}
	print_to(o->print, o->ctx, "update: %s: strand %c holds %s (blake2b-256 %.16s...), "
		 "preferred over %s\n", name, strand_letter(other), v, hex, vold);
	kr_free(upd_self, img);
	return upd_run_preferred(o, &t) == KR_OK ? 0 : 1;
fail_allow:
	if (allow)
		kr_free(upd_self, allow);
fail:
	kr_free(upd_self, img);
	return 1;
}

/* ---- update rollback MODULE --------------------------------------------- */

/* A live replacement of name in probation, if there is one. */
static bool in_probation(const char *name)
{
	struct kr_kmod_live_status st;

	return upd_kmod->live_status(&st) == KR_OK && st.active && !strcmp(st.name, name);
}

/* update confirm MODULE, and update rollback MODULE in probation. */
static int cmd_end(struct upd_out *o, const char *name, bool confirm)
{
	char err[ERRLEN];

	if (!upd_name_ok(name) || !in_probation(name)) {
		print_to(o->print, o->ctx, "update: %s: no live replacement of it is in probation\n",
			 name);
		return 1;
	}
	if (upd_kmod->live_end(confirm, err, sizeof(err)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: %s\n", name, err);
		return 1;
	}
	print_to(o->print, o->ctx, "update: %s: %s\n", name, confirm ?
		 "confirmed; the old version is unloaded" :
		 "rolled back live; the old version runs with its state");
	return 0;
}

static int cmd_rollback(struct upd_out *o, const char *name)
{
	struct strand_table t;
	struct upd_store s;
	char v[16];
	kr_err_t r;

	if (!upd_name_ok(name)) {
		print_to(o->print, o->ctx, "update: %s: not a module name ([a-z0-9_], 1..31)\n", name);
		return 1;
	}
	if (in_probation(name))
		return cmd_end(o, name, false);
	if ((r = upd_open_table(name, &s, &t)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: %s\n", name, r == KR_ENOENT ?
			 "has no strands (never updated)" : t.why ? t.why : kr_strerror(r));
		return 1;
	}
	if (!upd_replaceable(o, name))
		return 1;
	if ((r = strand_rollback(&t)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: cannot roll back: %s\n", name,
			 t.why ? t.why : kr_strerror(r));
		return 1;
	}
	upd_vstr(t.rec.s[t.rec.preferred].version, v);
	print_to(o->print, o->ctx, "update: %s: strand %c (%s) preferred again\n", name,
		 strand_letter(t.rec.preferred), v);
	return upd_run_preferred(o, &t) == KR_OK ? 0 : 1;
}

/* ---- update status [MODULE] --------------------------------------------- */

static void show(struct upd_out *o, const char *name)
{
	struct strand_table t;
	struct upd_store s;
	struct kr_kmod_entry e;
	char hex[2 * KR_UPDATE_DIGEST_LEN + 1], v[16];
	bool running = upd_find_loaded(name, &e);
	kr_err_t r = upd_open_table(name, &s, &t);

	if (r) {
		print_to(o->print, o->ctx, "%s: %s\n", name, r == KR_ENOENT ?
			 "no strands (never updated)" : t.why ? t.why : kr_strerror(r));
		return;
	}
	print_to(o->print, o->ctx, "%s: strand %c preferred%s%s, generation %llu\n", name,
		 strand_letter(t.rec.preferred),
		 t.rec.flags & KR_UPDATE_F_PROBATION ? ", on probation" : "",
		 t.rec.flags & KR_UPDATE_F_TRIAL ? " (trial boot)" : "",
		 (unsigned long long)t.rec.generation);
	for (unsigned i = 0; i < 2; i++) {
		const struct strand_info *si = &t.rec.s[i];

		if (si->state == KR_STRAND_EMPTY) {
			print_to(o->print, o->ctx, "%c %c  empty\n", i == t.rec.preferred ? '*' : ' ',
				 strand_letter(i));
			continue;
		}
		allow_hex(si->digest, hex);
		upd_vstr(si->version, v);
		print_to(o->print, o->ctx, "%c %c  %-8s  %-8s  %llu bytes  blake2b-256 %s%s%s\n",
			 i == t.rec.preferred ? '*' : ' ', strand_letter(i),
			 strand_state_name(si->state), v, (unsigned long long)si->length, hex,
			 si->flags & KR_STRAND_F_UNLISTED ? "  unlisted" : "",
			 running && !memcmp(e.digest, si->digest, sizeof(si->digest)) ? "  running" : "");
	}
}

struct names {
	char n[16][KR_UPDATE_NAME_LEN];
	unsigned count;
};

static kr_err_t collect(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	struct names *ns = ctx;

	if (st->type == KR_VFS_DIR && upd_name_ok(name) && ns->count < 16)
		ksnprintf(ns->n[ns->count++], KR_UPDATE_NAME_LEN, "%s", name);
	return KR_OK;
}

static void list_tables(struct names *ns)
{
	ns->count = 0;
	upd_vfs->list(NULL, UPD_DIR, collect, ns);
}

static int cmd_status(struct upd_out *o, const char *name)
{
	struct names *ns;

	if (name) {
		if (!upd_name_ok(name)) {
			print_to(o->print, o->ctx, "update: %s: not a module name ([a-z0-9_], 1..31)\n",
				 name);
			return 1;
		}
		show(o, name);
		return 0;
	}
	if (!(ns = kr_malloc(upd_self, sizeof(*ns))))
		return 1;
	list_tables(ns);
	print_to(o->print, o->ctx, "allow-list: the image's manifest (%s)%s\n",
		 allow_have_manifest() ? (allow_enforcing() ? "enforcing" : "permissive") : "none",
		 allow_enforcing() ? "" : " and " UPD_ALLOW_FILE);
	if (!ns->count)
		print_to(o->print, o->ctx, "no module has strands (none updated)\n");
	for (unsigned i = 0; i < ns->count; i++)
		show(o, ns->n[i]);
	kr_free(upd_self, ns);
	return 0;
}

static int cmd_digest(struct upd_out *o, const char *file)
{
	struct kr_module_info info;
	uint8_t *img, d[KR_UPDATE_DIGEST_LEN];
	char hex[2 * KR_UPDATE_DIGEST_LEN + 1], err[ERRLEN];
	const char *why;
	size_t len;

	if (store_read_file(upd_shell->cwd(), file, KR_UPDATE_IMAGE_MAX, &img, &len, &why)) {
		print_to(o->print, o->ctx, "update: %s: %s\n", file, why);
		return 1;
	}
	if (upd_kmod->describe(img, len, &info, err, sizeof(err)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: not a module: %s\n", file, err);
		kr_free(upd_self, img);
		return 1;
	}
	kr_blake2b_256(d, img, len);
	kr_free(upd_self, img);
	allow_hex(d, hex);
	print_to(o->print, o->ctx, "blake2b-256 %s %s\n", hex, info.name);
	return 0;
}

/* --probation CALLS: 1..100000. */
static bool parse_window(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000)
			return false;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	if (v < 1 || v > 100000)
		return false;
	*out = v;
	return true;
}

static int update_run(int argc, char **argv, void (*print)(void *ctx, const char *s), void *ctx)
{
	struct upd_out o = { print, ctx };

	if (!upd_kmod) {
		print(ctx, "update: no kmod service: modules cannot be loaded\n");
		return 1;
	}
	/* the boot restore first: wait for it (about 30 s at most) */
	for (unsigned tries = 0; upd_booting && tries < 3000; tries++)
		upd_sched->block(1);
	if (upd_booting) {
		print(ctx, "update: busy: the boot restore is still running (try again)\n");
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "status"))
		return cmd_status(&o, NULL);
	if (argc == 3 && !strcmp(argv[1], "status"))
		return cmd_status(&o, argv[2]);
	if (argc == 3 && !strcmp(argv[1], "rollback"))
		return cmd_rollback(&o, argv[2]);
	if (argc == 3 && !strcmp(argv[1], "digest"))
		return cmd_digest(&o, argv[2]);
	if (argc == 3 && !strcmp(argv[1], "confirm"))
		return cmd_end(&o, argv[2], true);
	if (argc >= 3 && argv[1][0] != '-' && argv[2][0] != '-' && strcmp(argv[1], "status") &&
	    strcmp(argv[1], "rollback") && strcmp(argv[1], "digest") && strcmp(argv[1], "confirm")) {
		bool next_boot = false, live = false, bad = false;
		uint32_t window = UPD_LIVE_WINDOW;

		for (int i = 3; i < argc && !bad; i++) {
			if (!strcmp(argv[i], "--next-boot"))
				next_boot = true;
			else if (!strcmp(argv[i], "--live"))
				live = true;
			else if (!strcmp(argv[i], "--probation") && i + 1 < argc &&
				 parse_window(argv[i + 1], &window))
				i++;
			else
				bad = true;
		}
		if (!bad && !(next_boot && live) && (live || window == UPD_LIVE_WINDOW))
			return cmd_update(&o, argv[1], argv[2], next_boot, live, window);
	}
	print(ctx, "usage: update MODULE FILE.kmod [--next-boot | --live [--probation CALLS]] | "
	      "update status [MODULE] | update rollback|confirm MODULE | update digest FILE\n");
	return 1;
}

static const struct kr_shell_command update_command = {
	"update", "update MODULE FILE.kmod [--next-boot | --live [--probation CALLS]] | "
	"status [MODULE] | rollback|confirm MODULE | digest FILE",
	"update a module through its two strands (docs/module-updates.md)", update_run,
};

/* ---- at boot ------------------------------------------------------------ */

static const struct kr_ops_header *open_ops(const char *name, uint32_t version)
{
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (kr_service_open(upd_self, name, version, &c) != KR_OK ||
	    kr_service_ops(upd_self, c, &h) != KR_OK)
		return NULL;
	return h;
}


/* Boot modules may still be loading when the task first runs (clog's init
 * waits for the disk while it replays the log): wait until none is, so the
 * tables read are the replayed ones.  At most about 30 s. */
static void wait_for_boot_modules(void)
{
	struct kr_kmod_entry e;

	for (unsigned tries = 0; tries < 3000; tries++) {
		bool loading = false;

		for (uint32_t i = 0; upd_kmod->get(i, &e) == KR_OK; i++)
			if (e.state == KR_KMOD_LOADING && strcmp(e.name, "update"))
				loading = true;
		if (!loading)
			return;
		upd_sched->block(1);
	}
	kr_log(KR_LOG_WARN, "update: boot modules still loading after 30 s; restoring anyway\n");
}

/* Each table's chosen strand, running. */
static void boot_restore(void *arg)
{
	struct upd_out o = { upd_log_print, NULL };
	struct strand_table t;
	struct upd_store s;
	struct names *ns;
	unsigned which;
	kr_err_t r;

	(void)arg;
	wait_for_boot_modules();
	if (!(ns = kr_malloc(upd_self, sizeof(*ns)))) {
		upd_booting = false;
		return;
	}
	list_tables(ns);
	for (unsigned i = 0; i < ns->count; i++) {
		const char *name = ns->n[i];

		if ((r = upd_open_table(name, &s, &t)) != KR_OK) {
			if (r != KR_ENOENT)
				kr_log(KR_LOG_WARN, "update: %s: its strand table cannot be read: %s; "
				       "running what the image has\n", name, t.why ? t.why : kr_strerror(r));
			continue;
		}
		r = strand_boot_choice(&t, &which);
		if (r == KR_ENOENT) {
			kr_log(KR_LOG_WARN, "update: %s: no strand can be loaded (%s); running what "
			       "the image has\n", name, t.why ? t.why : "none verified");
			continue;
		}
		if (t.why)
			kr_log(KR_LOG_WARN, "update: %s: %s; falling back to strand %c\n", name, t.why,
			       strand_letter(which));
		if (r)
			kr_log(KR_LOG_WARN, "update: %s: the strand table could not be updated: %s\n",
			       name, kr_strerror(r));
		if (which != t.rec.preferred) {
			/* a store error skipped the preferred strand this boot only */
			kr_log(KR_LOG_WARN, "update: %s: strand %c cannot be read; not replacing what "
			       "runs\n", name, strand_letter(t.rec.preferred));
			continue;
		}
		if (upd_replaceable(&o, name))
			upd_run_preferred(&o, &t);
	}
	kr_free(upd_self, ns);
	upd_booting = false;
}

/* The boot restore, as a task: it runs once the boot modules have started
 * (clog among them, which replays /var/update from the disk), and the
 * unloads and loads it makes are commits that wait for the disk. */
static void boot_schedule(void)
{
	const struct kr_task_spec spec = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_NORMAL + 1,
					   .stack_pages = 8, .fn = boot_restore,
					   .name = "update-boot" };
	uint32_t id;

	if (!upd_kmod)
		return;
	if (!(upd_sched = (const struct kr_sched_ops *)open_ops(KR_SCHED_SERVICE, KR_SCHED_VERSION))) {
		kr_log(KR_LOG_WARN, "update: no scheduler: strands are not restored at boot\n");
		return;
	}
	upd_booting = true;
	if (upd_sched->spawn(upd_self, &spec, &id) != KR_OK) {
		upd_booting = false;
		kr_log(KR_LOG_WARN, "update: cannot start the boot restore task\n");
	}
}

static kr_err_t update_init(kr_domain_t *self)
{
	upd_self = self;
	if (!(upd_vfs = (const struct kr_vfs_ops *)open_ops("vfs", 1))) {
		kr_log(KR_LOG_ERR, "update: no vfs service: there is nowhere to keep strands\n");
		return KR_ENOENT;
	}
	upd_kmod = (const struct kr_kmod_ops *)open_ops("kmod", 1);
	upd_shell = (const struct kr_shell_ops *)open_ops("shell", 2);
	if (upd_shell)
		upd_shell->add(kr_domain_id(self), &update_command);
	allow_boot_init();
	boot_schedule();
	return KR_OK;
}

static void update_exit(kr_domain_t *self)
{
	if (upd_shell)
		upd_shell->remove(kr_domain_id(self), "update");
}

KR_MODULE(.name = "update", .version = KR_VERSION(1, 0, 0),
	  .description = "module updates: two strands per module, checked, with rollback",
	  .license = "MIT", .author = "Karyon developers",
	  .init = update_init, .exit = update_exit);
