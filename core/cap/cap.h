/*
 * cap/cap.h - capability spaces: the core's tables of capabilities.
 *
 * A cspace is a fixed table of slots; a kr_cap_t (see <karyon/cap.h>) names
 * one slot of one cspace.  Each live slot names a cap_object, which the
 * caller embeds in its own type-specific object and describes by ops.
 * Slots form a derivation tree (seL4's CDT, simplified) that may span
 * cspaces: revoking a capability deletes its whole subtree, wherever it
 * lives; deleting one capability hands its children to its parent.
 *
 * Every function checks everything before it changes anything: on an error
 * nothing changed.  Not locked: single CPU, thread context only.  The ops
 * callbacks run in the middle of a removal and must not create, derive,
 * revoke or delete capabilities themselves.
 */
#ifndef KARYON_CORE_CAP_H
#define KARYON_CORE_CAP_H

#include <stdbool.h>
#include <stdint.h>
#include <karyon/cap.h>
#include <karyon/err.h>

struct cap_slot;
struct cap_object;

struct cap_object_ops {
	/* last capability gone: release the object (may be NULL) */
	void (*destroy)(struct cap_object *o);
	/* just before slot s stops naming o (delete, revoke, cspace_destroy):
	 * undo per-capability state, e.g. unmap what s mapped (may be NULL) */
	void (*cap_removed)(struct cap_object *o, struct cap_slot *s);
};

/* Embedded in a type-specific object by the caller. */
struct cap_object {
	uint32_t type;                  /* enum kr_obj_type */
	uint32_t refs;                  /* capabilities naming it; managed by cap.c */
	const struct cap_object_ops *ops;
	uint64_t base, count;           /* reported by cap_info (see kr_cap_info) */
	const char *name;               /* SERVICE/MODULE name or NULL */
};

struct cap_slot {
	struct cap_object *obj;         /* NULL = empty */
	uint32_t rights;
	uint16_t gen;                   /* current generation of this slot, never 0 once used */
	uint16_t depth;                 /* distance from its derivation root (0 = root) */
	struct cap_slot *parent, *first_child, *next_sibling, *prev_sibling;
	struct cspace *owner;
	uint64_t state;                 /* per-capability state for the object's type; 0 when created */
};

struct cspace {
	const char *name;
	bool mappings;                  /* an address space's: its children are mappings, not loans */
	uint32_t nslots, used;
	struct cap_slot *slots;
};

/* 1..65535 slots, kcalloc'd; KR_EINVAL, KR_ENOMEM. */
kr_err_t cspace_init(struct cspace *cs, const char *name, uint32_t nslots);
/* Revoke and delete every capability in cs (descendants in other cspaces
 * die too), then free the table. */
void cspace_destroy(struct cspace *cs);
/* Does another cspace hold a capability derived from one in cs?  (An
 * address space's mappings do not count: they go with the pages.) */
bool cspace_lends(const struct cspace *cs);

/* First capability of a new object (obj->refs == 0, valid type, rights
 * within KR_RIGHTS_ALL, else KR_EINVAL); KR_ENOSPC if cs is full. */
kr_err_t cap_create(struct cspace *cs, struct cap_object *obj, uint32_t rights, kr_cap_t *out);
/* type KR_OBJ_NONE = any; out may be NULL.  KR_EBADCAP (forged: index out
 * of range, generation 0, slot never used or empty), KR_ESTALE (deleted or
 * revoked), KR_ETYPE, KR_ERIGHTS, in that order. */
kr_err_t cap_lookup(struct cspace *cs, kr_cap_t c, uint32_t type, uint32_t rights,
		    struct cap_slot **out);
/* Child of c in `to` naming c's object.  rights must be a subset of c's and
 * a different cspace needs KR_RIGHT_GRANT on c (else KR_ERIGHTS); KR_ENOSPC
 * if `to` is full or the tree is 65535 deep. */
kr_err_t cap_derive(struct cspace *cs, kr_cap_t c, struct cspace *to, uint32_t rights,
		    kr_cap_t *out);
/* Like cap_derive, but the child names the new object obj (refs 0, else
 * KR_EINVAL), which the caller checked is a narrowing of c's object. */
kr_err_t cap_mint(struct cspace *cs, kr_cap_t c, struct cspace *to, struct cap_object *obj,
		  uint32_t rights, kr_cap_t *out);
/* Delete everything derived from c, in any cspace; KR_EALREADY if nothing is. */
kr_err_t cap_revoke(struct cspace *cs, kr_cap_t c);
/* Remove c; its children move up to c's parent (or become roots). */
kr_err_t cap_delete(struct cspace *cs, kr_cap_t c);
/* Move the capability in s into a free slot of to (*out), keeping its place
 * in the derivation tree and its object; s's old handle goes stale. */
kr_err_t cap_move(struct cap_slot *s, struct cspace *to, struct cap_slot **out);
kr_err_t cap_info(struct cspace *cs, kr_cap_t c, struct kr_cap_info *out);
/* s's handle in its owner's table. */
kr_cap_t cap_handle(const struct cap_slot *s);

/* The index-th live capability of cs, in slot order, and cs's name and
 * counts; KR_ENOENT (with only those) past the last. */
kr_err_t cap_list(const struct cspace *cs, uint32_t index, struct kr_cap_entry *out);

#endif
