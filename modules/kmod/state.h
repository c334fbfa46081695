/*
 * state.h - kmod as an owner of state for the commit log (state.c), and
 * what state.c needs from the loader (kmod.c).
 */
#ifndef KMOD_STATE_H
#define KMOD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <karyon/kmod.h>

/* ---- kmod.c, for state.c ---- */
#define KMOD_QUIET     1u       /* tell no watcher (a replay) */
#define KMOD_COMMITTED 2u       /* loaded by a commit: reset unloads it */
#define KMOD_EARLY     4u       /* a boot module loaded early for a replay: genesis,
				 * and the boot loop skips it */
#define KMOD_SUCCESSOR 8u       /* live.c's: beside the running version, no init */

/* Everything a load checks before it loads anything; changes nothing. */
kr_err_t kmod_load_check(const void *file, size_t size, const char *origin, char *err, size_t len);
kr_err_t kmod_load_file(const void *file, size_t size, const char *origin, unsigned how,
			char *err, size_t len);
/* The refusals of an unload; changes nothing. */
kr_err_t kmod_unload_check(const char *name, char *err, size_t len);
kr_err_t kmod_unload_name(const char *name, unsigned how, char *err, size_t len);
/* Built-in modules, then loaded ones (the kmod service's get). */
kr_err_t kmod_entry(uint32_t index, struct kr_kmod_entry *out);
/* The module a commit loaded last that is still loaded, or NULL. */
const char *kmod_last_committed(void);
bool kmod_is_committed(const char *name);
/* Does the loaded module user list dep among its dependencies? */
bool kmod_needs(const char *user, const char *dep);
/* Was name loaded early for a replay (KMOD_EARLY), from a file with digest? */
bool kmod_loaded_early(const char *name, const uint8_t digest[32]);

/* ---- boot.c ---- */

/* Log the boot modules; load the .kmod files among them. */
void boot_list(kr_domain_t *kmod);
void boot_load_all(kr_domain_t *kmod);
/* Is kmod loading the boot modules (the commit log replays from one's init)? */
bool kmod_booting(void);
/* Load the boot module whose descriptor names name (how: kmod_load_file's). */
kr_err_t kmod_load_boot(const char *name, unsigned how, char *err, size_t len);

/* ---- state.c ---- */

/* Publish "state.kmod" (before the boot modules load). */
void kstate_init(kr_domain_t *self);
/* The kmod service's load and unload: through the gateway when the commit
 * log is attached, else straight to the loader. */
kr_err_t kstate_load(const void *file, size_t size, const char *origin, char *err, size_t len);
kr_err_t kstate_unload(const char *name, char *err, size_t len);

#endif
