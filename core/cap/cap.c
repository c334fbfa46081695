/*
 * cap.c - capability spaces and the derivation tree.
 *
 * Three layers:
 *   slots    a cspace is a kcalloc'd table; a handle is index | gen << 16,
 *            and a slot's generation moves on each time it is emptied, so
 *            old handles go stale instead of reaching a new capability;
 *   tree     every slot links to its parent, first child and siblings, in
 *            any cspace; cap_remove() is the one way a capability dies, and
 *            it hands the dying slot's children to its parent;
 *   ops      cap_create/derive/mint/revoke/delete decode (look up and check
 *            everything) before they invoke, so an error changes nothing;
 *            cap_info and cap_list report, and leave how a table looks as
 *            text to tcc-runtime/krt/capdump.c.
 * Trees can be as deep as there are slots, so every walk is iterative.
 */
#include <stdbool.h>
#include "cap/cap.h"
#include <krt/kheap.h>
#include <krt/string.h>

#define CAP_MAX_SLOTS 0xffffu  /* the handle's 16-bit index */
#define CAP_MAX_DEPTH 0xffffu  /* cap_slot.depth is 16 bits */

kr_err_t cspace_init(struct cspace *cs, const char *name, uint32_t nslots)
{
	struct cap_slot *slots;

	if (!cs || nslots == 0 || nslots > CAP_MAX_SLOTS)
		return KR_EINVAL;
	slots = kcalloc(nslots, sizeof(*slots));
	if (!slots)
		return KR_ENOMEM;
	*cs = (struct cspace){ .name = name, .nslots = nslots, .slots = slots };
	return KR_OK;
}

kr_cap_t cap_handle(const struct cap_slot *s)
{
	return (kr_cap_t)(s - s->owner->slots) | (kr_cap_t)s->gen << 16;
}

/* Lowest free slot, so handles do not depend on history beyond the table. */
static struct cap_slot *cap_free_slot(struct cspace *cs)
{
	if (cs->used == cs->nslots)
		return NULL;
	for (uint32_t i = 0;; i++)
		if (!cs->slots[i].obj)
			return &cs->slots[i];
}

static bool cap_valid_obj(const struct cap_object *obj)
{
	return obj && obj->refs == 0 && obj->type >= KR_OBJ_PAGES &&
	       obj->type <= KR_OBJ_ASPACE;
}

/* Fill the free slot s (in its cspace cs) as a new child of parent (or a root). */
static kr_cap_t cap_install(struct cspace *cs, struct cap_slot *s, struct cap_object *obj,
			    uint32_t rights, struct cap_slot *parent)
{
	uint16_t gen = s->gen ? s->gen : 1;

	*s = (struct cap_slot){ .obj = obj, .rights = rights, .gen = gen, .owner = cs,
				.parent = parent };
	if (parent) {
		s->depth = parent->depth + 1;
		s->next_sibling = parent->first_child;
		if (parent->first_child)
			parent->first_child->prev_sibling = s;
		parent->first_child = s;
	}
	obj->refs++;
	cs->used++;
	return cap_handle(s);
}

/* Pre-order walk of s's subtree without s: the node after n, or NULL. */
static struct cap_slot *cap_walk_next(struct cap_slot *s, struct cap_slot *n)
{
	if (n->first_child)
		return n->first_child;
	while (n != s && !n->next_sibling)
		n = n->parent;
	return n == s ? NULL : n->next_sibling;
}

/*
 * Take s out of the tree: its children take its place among its parent's
 * children, one level up, or become roots (which have no siblings).
 */
static void cap_unlink(struct cap_slot *s)
{
	struct cap_slot *p = s->parent, *first = s->first_child, *last = NULL, *n, *next;

	for (n = first; n; n = cap_walk_next(s, n))
		n->depth--;
	for (n = first; n; n = next) {
		next = n->next_sibling;
		n->parent = p;
		if (!p)
			n->prev_sibling = n->next_sibling = NULL;
		last = n;
	}
	if (!p)
		return;
	if (first) {
		first->prev_sibling = s->prev_sibling;
		last->next_sibling = s->next_sibling;
	} else {
		first = s->next_sibling;
		last = s->prev_sibling;
	}
	if (s->next_sibling)
		s->next_sibling->prev_sibling = last;
	if (s->prev_sibling)
		s->prev_sibling->next_sibling = first;
	else
		p->first_child = first;
}

/* The one way a capability dies. */
static void cap_remove(struct cap_slot *s)
{
	struct cap_object *o = s->obj;
	uint16_t gen = s->gen == 0xffff ? 1 : s->gen + 1;  /* 0 is never issued */

	if (o->ops && o->ops->cap_removed)
		o->ops->cap_removed(o, s);
	cap_unlink(s);
	s->owner->used--;
	*s = (struct cap_slot){ .gen = gen };
	if (--o->refs == 0 && o->ops && o->ops->destroy)
		o->ops->destroy(o);
}

/* Leaves first, so no removal ever has children to hand up. */
static void cap_remove_descendants(struct cap_slot *s)
{
	struct cap_slot *n = s, *p;

	for (;;) {
		while (n->first_child)
			n = n->first_child;
		if (n == s)
			return;
		p = n->parent;
		cap_remove(n);
		n = p;
	}
}

void cspace_destroy(struct cspace *cs)
{
	for (uint32_t i = 0; i < cs->nslots; i++) {
		if (cs->slots[i].obj) {
			cap_remove_descendants(&cs->slots[i]);
			cap_remove(&cs->slots[i]);
		}
	}
	kfree(cs->slots);
	*cs = (struct cspace){ .name = cs->name };
}

bool cspace_lends(const struct cspace *cs)
{
	/* Every slot of cs is visited, so looking one level down suffices:
	 * any path out of cs starts with a parent in cs and a child outside. */
	for (uint32_t i = 0; i < cs->nslots; i++)
		for (const struct cap_slot *c = cs->slots[i].obj ? cs->slots[i].first_child : NULL;
		     c; c = c->next_sibling)
			if (c->owner != cs && !c->owner->mappings)
				return true;
	return false;
}

kr_err_t cap_lookup(struct cspace *cs, kr_cap_t c, uint32_t type, uint32_t rights,
		    struct cap_slot **out)
{
	uint32_t i = KR_CAP_INDEX(c);
	struct cap_slot *s;

	if (!cs || i >= cs->nslots || KR_CAP_GEN(c) == 0)
		return KR_EBADCAP;
	s = &cs->slots[i];
	if (s->gen == 0)
		return KR_EBADCAP;
	if (s->gen != KR_CAP_GEN(c))
		return KR_ESTALE;
	if (!s->obj)  /* a generation not issued yet */
		return KR_EBADCAP;
	if (type != KR_OBJ_NONE && s->obj->type != type)
		return KR_ETYPE;
	if (rights & ~s->rights)
		return KR_ERIGHTS;
	if (out)
		*out = s;
	return KR_OK;
}

kr_err_t cap_create(struct cspace *cs, struct cap_object *obj, uint32_t rights, kr_cap_t *out)
{
	struct cap_slot *s;

	if (!cs || !out || !cap_valid_obj(obj) || (rights & ~KR_RIGHTS_ALL))
		return KR_EINVAL;
	s = cap_free_slot(cs);
	if (!s)
		return KR_ENOSPC;
	*out = cap_install(cs, s, obj, rights, NULL);
	return KR_OK;
}

/* The checks derive and mint share: the parent and the free slot for the child. */
static kr_err_t cap_decode_child(struct cspace *cs, kr_cap_t c, struct cspace *to,
				 uint32_t rights, struct cap_slot **parent, struct cap_slot **slot)
{
	kr_err_t err = to ? cap_lookup(cs, c, KR_OBJ_NONE, 0, parent) : KR_EINVAL;

	if (err)
		return err;
	if ((rights & ~(*parent)->rights) || (to != cs && !((*parent)->rights & KR_RIGHT_GRANT)))
		return KR_ERIGHTS;
	*slot = cap_free_slot(to);
	if (!*slot || (*parent)->depth == CAP_MAX_DEPTH)
		return KR_ENOSPC;
	return KR_OK;
}

kr_err_t cap_derive(struct cspace *cs, kr_cap_t c, struct cspace *to, uint32_t rights,
		    kr_cap_t *out)
{
	struct cap_slot *p, *s;
	kr_err_t err = out ? cap_decode_child(cs, c, to, rights, &p, &s) : KR_EINVAL;

	if (err)
		return err;
	*out = cap_install(to, s, p->obj, rights, p);
	return KR_OK;
}

kr_err_t cap_mint(struct cspace *cs, kr_cap_t c, struct cspace *to, struct cap_object *obj,
		  uint32_t rights, kr_cap_t *out)
{
	struct cap_slot *p, *s;
	kr_err_t err;

	if (!out || !cap_valid_obj(obj))
		return KR_EINVAL;
	if ((err = cap_decode_child(cs, c, to, rights, &p, &s)))
		return err;
	*out = cap_install(to, s, obj, rights, p);
	return KR_OK;
}

kr_err_t cap_revoke(struct cspace *cs, kr_cap_t c)
{
	struct cap_slot *s;
	kr_err_t err = cap_lookup(cs, c, KR_OBJ_NONE, 0, &s);

	if (err)
		return err;
	if (!s->first_child)
		return KR_EALREADY;
	cap_remove_descendants(s);
	return KR_OK;
}

kr_err_t cap_move(struct cap_slot *s, struct cspace *to, struct cap_slot **out)
{
	struct cap_slot *n = cap_free_slot(to);
	uint16_t gen = n && n->gen ? n->gen : 1;

	if (!n)
		return KR_ENOSPC;
	*n = *s;
	n->gen = gen;
	n->owner = to;
	if (n->parent && n->parent->first_child == s)
		n->parent->first_child = n;
	if (n->prev_sibling)
		n->prev_sibling->next_sibling = n;
	if (n->next_sibling)
		n->next_sibling->prev_sibling = n;
	for (struct cap_slot *c = n->first_child; c; c = c->next_sibling)
		c->parent = n;
	to->used++;
	s->owner->used--;
	*s = (struct cap_slot){ .gen = s->gen == 0xffff ? 1 : s->gen + 1 };
	*out = n;
	return KR_OK;
}

kr_err_t cap_delete(struct cspace *cs, kr_cap_t c)
{
	struct cap_slot *s;
	kr_err_t err = cap_lookup(cs, c, KR_OBJ_NONE, 0, &s);

	if (err)
		return err;
	cap_remove(s);
	return KR_OK;
}

/* A name into a zeroed char[32] of the ABI, cut to fit; NULL stays empty. */
static void cap_copy_name(char *dst, const char *src)
{
	if (src)
		memcpy(dst, src, strnlen(src, 31));
}

/* What kr_cap_info and kr_cap_list tell of the live slot s. */
static void cap_describe(const struct cap_slot *s, struct kr_cap_info *out)
{
	*out = (struct kr_cap_info){ .version = KR_CAP_INFO_VERSION, .type = s->obj->type,
		.rights = s->rights, .depth = s->depth, .base = s->obj->base, .count = s->obj->count };
	cap_copy_name(out->name, s->obj->name);
}

kr_err_t cap_info(struct cspace *cs, kr_cap_t c, struct kr_cap_info *out)
{
	struct cap_slot *s;
	kr_err_t err = out ? cap_lookup(cs, c, KR_OBJ_NONE, 0, &s) : KR_EINVAL;

	if (!err)
		cap_describe(s, out);
	return err;
}

kr_err_t cap_list(const struct cspace *cs, uint32_t index, struct kr_cap_entry *out)
{
	const struct cap_slot *s = cs->slots;

	*out = (struct kr_cap_entry){ .version = KR_CAP_ENTRY_VERSION, .used = cs->used,
				      .nslots = cs->nslots };
	cap_copy_name(out->table, cs->name);
	if (index >= cs->used)
		return KR_ENOENT;
	while (!s->obj || index--)      /* ends: more than index slots are live */
		s++;
	out->handle = cap_handle(s);
	cap_describe(s, &out->info);
	out->parent = s->parent ? cap_handle(s->parent) : KR_CAP_NULL;
	out->flags = s->parent && s->parent->owner != cs ? KR_CAP_ENTRY_PARENT_AWAY : 0;
	cap_copy_name(out->parent_table, out->flags ? s->parent->owner->name : NULL);
	return KR_OK;
}
