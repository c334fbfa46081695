/*
 * update_int.h - the update module's parts (issue 19, second slice):
 *   allow.c   manifest lines into digests (pure; unit-tested on the host);
 *   store.c   the strand store on the vfs (/var/update/MODULE/...: every
 *             write a commit when the commit log is attached), files read
 *             whole, and the allow-list (the image's manifest plus
 *             /etc/update.allow);
 *   update.c  the commands, replacing a running module (unload the old,
 *             load the new, the old again if the new fails) and the boot
 *             task that restores each table's preferred strand.
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
