/*
 * kmod_int.h - what live.c (live replacement) needs from the loader
 * (kmod.c) and the built-in starter (builtin.c).
 */
#ifndef KMOD_INT_H
#define KMOD_INT_H

#include <karyon/kmod.h>
#include <karyon/live.h>

struct kmod;

kr_domain_t *kmod_self(void);
/* A new version of a running module, placed beside it: its domain made and
 * given its needs, no init run.  NULL (err says why) if refused. */
struct kmod *kmod_stage(const void *file, size_t size, const char *origin, char *err, size_t len);
/* The loaded module called name if it is live, else NULL. */
struct kmod *kmod_running(const char *name);
kr_domain_t *kmod_domain_of(const struct kmod *m);
/* Do loaded modules link against m's exports?  names: which. */
bool kmod_linked_users(const struct kmod *m, char *names, size_t len);
const struct kr_module_info *kmod_info_of(const struct kmod *m);
const struct kr_live_ops *kmod_live_of(const struct kmod *m);      /* NULL: none */
void kmod_text_of(const struct kmod *m, uint64_t *lo, uint64_t *hi);
/* A staged module goes (domain, image), without exit. */
void kmod_discard(struct kmod *m);
/* A staged module becomes the live one (logged with how). */
void kmod_activate(struct kmod *m, const char *how);
/* A replaced module waits, not live (its successor is in probation). */
void kmod_standby(struct kmod *m);
/* A replaced module goes: its exit (guarded), domain and image. */
void kmod_retire(struct kmod *m);

/* builtin.c: a running built-in's domain (NULL if none), and its end once
 * a loaded version replaced it (exit guarded, domain destroyed). */
kr_domain_t *builtin_domain(const char *name);
void builtin_retire(const char *name);

/* live.c: the kmod service's live, live_status and live_confirm. */
kr_err_t live_replace(const void *file, size_t size, const struct kr_kmod_live *how,
		      char *err, size_t len);
kr_err_t live_status(struct kr_kmod_live_status *out);
kr_err_t live_end(bool confirm, char *err, size_t len);

#endif
