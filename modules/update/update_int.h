/*
 * update_int.h - the update module's parts (issue 19, second slice):
 *   allow.c   manifest lines into digests (pure; unit-tested on the host);
 *   store.c   the strand store on the vfs (/var/update/MODULE/...: every
 *             write a commit when the commit log is attached), files read
 *             whole, and the allow-list (the image's manifest plus
 *             /etc/update.allow);
 *   replace.c making a module run a strand: unload the old, load the
 *             new, the old again if the new fails;
 *   update.c  the commands and the boot task that restores each table's
 *             preferred strand.
 * strand.c keeps the tables; nothing here writes a record itself.
 */
#ifndef UPDATE_INT_H
#define UPDATE_INT_H

#include <karyon/kmod.h>
#include <karyon/vfs.h>

#include "allow.h"
#include "strand.h"

#define UPD_DIR         "/var/update"
#define UPD_ALLOW_FILE  "/etc/update.allow"
#define UPD_PATH_MAX    64
#define UPD_LIVE_WINDOW 64      /* calls guarded after a live replacement */

/* Set by init; the services are built in (vfs) or published before boot
 * modules load (kmod). */
extern kr_domain_t *upd_self;
extern const struct kr_vfs_ops *upd_vfs;
extern const struct kr_kmod_ops *upd_kmod;

/* One table's store: its directory, UPD_DIR "/" MODULE. */
struct upd_store {
	char dir[UPD_PATH_MAX];
};

/* env for module name's table (name already checked); KR_ERANGE if the
 * path would not fit. */
kr_err_t store_env(struct upd_store *s, struct strand_env *env, const char *name);
/* mkdir -p the table's directory. */
kr_err_t store_mkdir(const struct upd_store *s);

/* A whole file of the vfs (path relative to cwd) into a heap buffer of
 * the update module's domain (kr_free it), at most max bytes; why gets a
 * one-line reason on an error. */
kr_err_t store_read_file(const char *cwd, const char *path, size_t max, uint8_t **out,
			 size_t *len, const char **why);

/* ---- replace.c ---- */

#define ERRLEN 160

/* Where a command or the boot task says what happens: the shell's print,
 * or upd_log_print (the kernel log). */
struct upd_out {
	void (*print)(void *ctx, const char *s);
	void *ctx;
};
void upd_log_print(void *ctx, const char *s);
void upd_vstr(uint32_t v, char out[16]);        /* "1.2.3" */
bool upd_name_ok(const char *n);                /* [a-z0-9_], 1..31 */
/* The loaded module named name, if it is. */
bool upd_find_loaded(const char *name, struct kr_kmod_entry *e);
/* Open name's table (KR_ENOENT: none); t zeroed first, t->why on errors. */
kr_err_t upd_open_table(const char *name, struct upd_store *s, struct strand_table *t);
/* Load strand which of t (its image checked) while the module is not
 * loaded; err gets kmod's reason. */
kr_err_t upd_start_strand(struct strand_table *t, unsigned which, char *err, size_t len);
/* Make the module run its preferred strand, replacing what runs (the
 * caller checked upd_replaceable); confirms a probation once it started,
 * falls back (strand_fail, the old strand, the image's own version) when
 * it does not. */
kr_err_t upd_run_preferred(struct upd_out *o, struct strand_table *t);
/* Not built in and no users, or live-capable; or says why not. */
bool upd_replaceable(struct upd_out *o, const char *name);
/* Does the running name publish live.NAME? */
bool upd_live_capable(const char *name);
/* Replace the running version with strand which live (probation: window
 * calls); err gets kmod's reason. */
kr_err_t upd_live_strand(struct strand_table *t, unsigned which, uint32_t window, char *err,
			 size_t len);
/* update.c: kmod's report at the end of a live replacement's probation. */
void upd_live_report(void *ctx, const char *name, bool kept, const char *line);

/* ---- store.c ---- */

/* The allow-list: the image's manifest (read once) and UPD_ALLOW_FILE. */
struct upd_allow {
	struct strand_allow a;          /* a.ctx points back here */
	struct allow_list user;         /* UPD_ALLOW_FILE's digests */
	char why[96];                   /* why UPD_ALLOW_FILE was refused */
};
/* Read the image's manifest (boot module "manifest"): once, from init. */
void allow_boot_init(void);
/* Fill a from the image's manifest and UPD_ALLOW_FILE (read now; none is
 * fine).  An error when the file cannot be read or is malformed (a->why). */
kr_err_t allow_load(struct upd_allow *a);
bool allow_in_manifest(const uint8_t d[KR_UPDATE_DIGEST_LEN]);
bool allow_enforcing(void);
bool allow_have_manifest(void);

#endif
