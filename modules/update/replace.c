/*
 * replace.c - making a module run a strand (the update module): a
 * strand's image read and checked (strand_load), the running version
 * unloaded and the strand's loaded through the kmod service; when the new
 * one fails to start, strand_fail and the old strand loaded back, or, with
 * no strand left, the image's own version (/lib/modules/NAME.kmod).  Used
 * by the commands and by the boot restore (update.c).
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/live.h>
#include <karyon/log.h>

#include "../lib/print_to.h"
#include "update_int.h"

void upd_log_print(void *ctx, const char *s)
{
	(void)ctx;
	kr_log(KR_LOG_INFO, "%s", s);
}

void upd_vstr(uint32_t v, char out[16])
{
	ksnprintf(out, 16, "%u.%u.%u", KR_VERSION_MAJOR(v), KR_VERSION_MINOR(v), KR_VERSION_PATCH(v));
}

bool upd_name_ok(const char *n)
{
	size_t len = strnlen(n, KR_UPDATE_NAME_LEN);

	if (len == 0 || len >= KR_UPDATE_NAME_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
			return false;
	return true;
}

/* The loaded module named name, if it is: the live one while a live
 * replacement's probation lists both versions. */
bool upd_find_loaded(const char *name, struct kr_kmod_entry *e)
{
	struct kr_kmod_entry x;
	bool found = false;

	for (uint32_t i = 0; upd_kmod->get(i, &x) == KR_OK; i++)
		if (!strcmp(x.name, name) && (!found || x.state == KR_KMOD_LIVE)) {
			*e = x;
			found = true;
		}
	return found;
}

/* Open name's table (KR_ENOENT: none). */
kr_err_t upd_open_table(const char *name, struct upd_store *s, struct strand_table *t)
{
	struct strand_env env;
	kr_err_t e;

	memset(t, 0, sizeof(*t));
	e = store_env(s, &env, name);

	return e ? e : strand_open(t, &env, name);
}

/* A strand's image, read and checked against its digest (strand_load). */
static kr_err_t load_strand_image(struct strand_table *t, unsigned which, uint8_t **img,
				  size_t *len)
{
	size_t cap = (size_t)t->rec.s[which].length;
	kr_err_t e;

	*img = NULL;
	if (!cap)
		return KR_ENOENT;
	if (!(*img = kr_malloc(upd_self, cap)))
		return KR_ENOMEM;
	if ((e = strand_load(t, which, *img, cap, len)) != KR_OK) {
		kr_free(upd_self, *img);
		*img = NULL;
	}
	return e;
}

/* Strand which of t's image to kmod: loaded (how NULL) or replacing the
 * running version live.  err gets kmod's reason. */
static kr_err_t run_strand(struct strand_table *t, unsigned which, struct kr_kmod_live *how,
			   char *err, size_t len)
{
	char origin[48];
	uint8_t *img;
	size_t n;
	kr_err_t e = load_strand_image(t, which, &img, &n);

	if (e) {
		ksnprintf(err, len, "strand %c: %s", strand_letter(which),
			  e == KR_EFORMAT ? "its image does not match its digest" : kr_strerror(e));
		return e;
	}
	ksnprintf(origin, sizeof(origin), "%s/strand.%c", t->rec.name, 'a' + which);
	if (how)
		how->origin = origin;
	e = how ? upd_kmod->live(img, n, how, err, len) : upd_kmod->load(img, n, origin, err, len);
	kr_free(upd_self, img);
	return e;
}

/* Load strand which of t as the running version (the module is not loaded
 * now). */
kr_err_t upd_start_strand(struct strand_table *t, unsigned which, char *err, size_t len)
{
	return run_strand(t, which, NULL, err, len);
}

/* No strand can run: the image's own version, /lib/modules/NAME.kmod, if
 * there is one, so that a failed update leaves a working version. */
static void start_image_version(struct upd_out *o, const char *name)
{
	char path[UPD_PATH_MAX], err[ERRLEN];
	const char *why;
	uint8_t *img;
	size_t n;

	ksnprintf(path, sizeof(path), "/lib/modules/%s.kmod", name);
	if (store_read_file(NULL, path, KR_UPDATE_IMAGE_MAX, &img, &n, &why) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: %s: %s; %s is not running\n", name, path, why,
			 name);
		return;
	}
	if (upd_kmod->load(img, n, path, err, sizeof(err)) == KR_OK)
		print_to(o->print, o->ctx, "update: %s: running the image's own version (%s)\n",
			 name, path);
	else
		print_to(o->print, o->ctx, "update: %s: %s did not start either: %s; %s is not "
			 "running\n", name, path, err, name);
	kr_free(upd_self, img);
}

/* The preferred strand failed to start (why): mark it failed, prefer the
 * other, and start that one.  Says what happened on o. */
static void fall_back(struct upd_out *o, struct strand_table *t, const char *why)
{
	unsigned bad = t->rec.preferred;
	char err[ERRLEN], v[16];
	kr_err_t e;

	upd_vstr(t->rec.s[bad].version, v);
	if ((e = strand_fail(t)) != KR_OK) {
		print_to(o->print, o->ctx, "update: %s: %s (strand %c) failed to start: %s; "
			 "no other strand to go back to (%s)\n", t->rec.name, v, strand_letter(bad),
			 why, t->why ? t->why : kr_strerror(e));
		start_image_version(o, t->rec.name);
		return;
	}
	print_to(o->print, o->ctx, "update: %s: %s (strand %c) failed to start: %s; "
		 "preferring strand %c again\n", t->rec.name, v, strand_letter(bad), why,
		 strand_letter(t->rec.preferred));
	upd_vstr(t->rec.s[t->rec.preferred].version, v);
	if (upd_start_strand(t, t->rec.preferred, err, sizeof(err)) == KR_OK)
		print_to(o->print, o->ctx, "update: %s: rolled back to %s (strand %c), running\n",
			 t->rec.name, v, strand_letter(t->rec.preferred));
	else {
		print_to(o->print, o->ctx, "update: %s: the old version %s (strand %c) did not "
			 "start either: %s\n", t->rec.name, v, strand_letter(t->rec.preferred), err);
		start_image_version(o, t->rec.name);
	}
}

/* Does the running name publish live.NAME (<karyon/live.h>)? */
bool upd_live_capable(const char *name)
{
	char svc[KR_SERVICE_NAME_MAX];
	kr_cap_t c;

	ksnprintf(svc, sizeof(svc), KR_LIVE_PREFIX "%s", name);
	if (kr_service_open(upd_self, svc, KR_LIVE_VERSION, &c) != KR_OK)
		return false;
	kr_cap_delete(upd_self, c);
	return true;
}

/* Replace the running version of t's module with strand which live, with
 * a probation of window calls (kmod's live; the report flips the strand
 * table when the probation ends). */
kr_err_t upd_live_strand(struct strand_table *t, unsigned which, uint32_t window, char *err,
			 size_t len)
{
	/* without a probation the caller confirms the strand itself */
	struct kr_kmod_live how = { .version = KR_KMOD_LIVE_VERSION, .window = window,
				    .report = window ? upd_live_report : NULL };

	return run_strand(t, which, &how, err, len);
}

/* Make the module run its preferred strand, replacing what runs (checked
 * by the caller: not built in and no users, or live-capable).  A module
 * that supports it is replaced live, without probation (the version ran
 * before); else unloaded and the strand loaded.  On probation, confirmed
 * once it started; falls back when it does not. */
kr_err_t upd_run_preferred(struct upd_out *o, struct strand_table *t)
{
	struct kr_kmod_entry e;
	char err[ERRLEN], v[16];
	unsigned p = t->rec.preferred;
	kr_err_t r;

	if (upd_find_loaded(t->rec.name, &e)) {
		if (!memcmp(e.digest, t->rec.s[p].digest, KR_UPDATE_DIGEST_LEN) ||
		    (e.builtin && e.state == KR_KMOD_LIVE && e.module_version == t->rec.s[p].version))
			goto started;   /* (a built-in's digest is not known: its version) */
		if (upd_live_capable(t->rec.name)) {
			if ((r = upd_live_strand(t, p, 0, err, sizeof(err))) != KR_OK) {
				print_to(o->print, o->ctx, "update: %s: not replaced live: %s\n",
					 t->rec.name, err);
				if (strand_fail(t) == KR_OK)
					print_to(o->print, o->ctx, "update: %s: strand %c preferred "
						 "again; the running version stays\n", t->rec.name,
						 strand_letter(t->rec.preferred));
				return r;
			}
			goto started;
		}
		if ((r = upd_kmod->unload(t->rec.name, err, sizeof(err))) != KR_OK) {
			print_to(o->print, o->ctx, "update: %s: cannot unload the running version: %s\n",
				 t->rec.name, err);
			return r;
		}
	}
	if ((r = upd_start_strand(t, p, err, sizeof(err))) != KR_OK) {
		fall_back(o, t, err);
		return r;
	}
started:
	/* started: the end of this slice's probation */
	if ((t->rec.flags & KR_UPDATE_F_PROBATION) && (r = strand_confirm(t)) != KR_OK)
		print_to(o->print, o->ctx, "update: %s: started, but could not be confirmed (%s): "
			 "the next boot falls back from it\n", t->rec.name,
			 t->why ? t->why : kr_strerror(r));
	upd_vstr(t->rec.s[p].version, v);
	print_to(o->print, o->ctx, "update: %s: running %s (strand %c)\n", t->rec.name, v,
		 strand_letter(p));
	return KR_OK;
}

/* The checks before anything changes: a module that can be replaced. */
bool upd_replaceable(struct upd_out *o, const char *name)
{
	struct kr_kmod_entry e;

	if (!upd_find_loaded(name, &e) || upd_live_capable(name))
		return true;
	if (e.builtin) {
		print_to(o->print, o->ctx, "update: %s is built into the kernel and cannot be "
			 "replaced live (it publishes no live.%s)\n", name, name);
		return false;
	}
	if (e.users) {
		print_to(o->print, o->ctx, "update: %s is used by %s: unload them first (it cannot "
			 "be replaced live)\n", name, e.used_by);
		return false;
	}
	return true;
}

