/*
 * state_view.h - what the owners of state (kmod, tcc, events) share for
 * their "state.PART" services (<karyon/clog.h>): a view, a sorted table of
 * items (name and BLAKE2b-256 digest) that commits can be applied to
 * without touching the live state, and the reading and writing of commit
 * payloads (a NUL-terminated subject, then strings, u32s and bytes).
 *
 * Pure code (kr_malloc and libc only), compiled into each owner that lists
 * it in its meson.build and into the CMocka suite tests/unit/test_state_view.c.
 * Not a module: modules/lib has no meson.build of its own.
 */
#ifndef MODULES_LIB_STATE_VIEW_H
#define MODULES_LIB_STATE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/cap.h>
#include <karyon/clog.h>

#define SV_NAME_MAX 128         /* with the NUL: a module, handler, "on EVENT HANDLER" */

struct sv_item {
	char name[SV_NAME_MAX];
	uint8_t digest[32];
};

/* Items in strcmp order of names, each name once. */
struct state_view {
	kr_domain_t *owner;     /* whose heap holds it */
	uint32_t n, cap;
	struct sv_item *items;
};

/* An empty view, or a copy of from; NULL when out of memory. */
struct state_view *sv_new(kr_domain_t *owner);
struct state_view *sv_copy(const struct state_view *from);
void sv_free(struct state_view *v);
/* Add name or replace its digest.  KR_ERANGE: name too long (or empty),
 * KR_ENOMEM. */
kr_err_t sv_set(struct state_view *v, const char *name, const uint8_t digest[32]);
/* KR_ENOENT if name is not there. */
kr_err_t sv_del(struct state_view *v, const char *name);
const struct sv_item *sv_get(const struct state_view *v, const char *name);
/* fn over every item in order; fn's error stops it and is returned. */
kr_err_t sv_items(const struct state_view *v, kr_state_item_fn fn, void *ctx);

/* What each owner's state.PART service does alike: its items (view NULL:
 * the live state, as live() builds it, freed after), a new view (from
 * NULL: the live state), and attach's check that g is a clog gateway v1
 * (KR_EINVAL otherwise; NULL is fine: detach). */
kr_err_t sv_items_of(const struct state_view *view, struct state_view *(*live)(void),
		     kr_state_item_fn fn, void *ctx);
struct state_view *sv_view_of(const struct state_view *from, struct state_view *(*live)(void));
kr_err_t sv_gate_ok(const struct kr_gate_ops *g);

/* ---- payloads ---- */

/* Writing into buf[0..cap): over is set (and nothing more written) when a
 * value does not fit. */
struct pl_w {
	uint8_t *buf;
	uint32_t cap, len;
	bool over;
};
void plw_str(struct pl_w *w, const char *s);            /* with its NUL */
void plw_u32(struct pl_w *w, uint32_t v);               /* little-endian */
void plw_u64(struct pl_w *w, uint64_t v);
void plw_bytes(struct pl_w *w, const void *p, uint32_t n);

/* Reading strictly: every call checks its bounds, the first failure sets
 * why (and makes the later calls fail too), plr_end refuses trailing bytes. */
struct pl_r {
	const uint8_t *p;
	uint32_t len, off;
	const char *why;        /* NULL while everything decoded */
};
void plr_init(struct pl_r *r, const void *p, uint32_t len);
/* A NUL-terminated string of printable characters (empty allowed only if
 * empty_ok), or NULL. */
const char *plr_str(struct pl_r *r, bool empty_ok);
bool plr_u32(struct pl_r *r, uint32_t *v);
bool plr_u64(struct pl_r *r, uint64_t *v);
const uint8_t *plr_bytes(struct pl_r *r, uint32_t n);
/* Everything after the current position (n bytes, may be 0). */
const uint8_t *plr_rest(struct pl_r *r, uint32_t *n);
bool plr_end(struct pl_r *r);
/* KR_EFORMAT and "KIND: bad payload: WHY" in err. */
kr_err_t plr_fail(const struct pl_r *r, const char *kind, char *err, size_t errlen);

#endif
