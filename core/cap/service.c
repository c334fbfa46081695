/*
 * service.c - the service registry: named, versioned ops tables.
 *
 * A service is a capability object.  Its publisher holds the original
 * capability (the root); every capability handed out by kr_service_open is
 * derived from the root, so the publisher can revoke all users at once, and
 * unpublishing is refused while any of them exists.  The registry is a list
 * sorted by name, so listings do not depend on load order or addresses.
 *
 * Users get the service's own copy of the ops table, not the publisher's:
 * that copy outlives the publisher's code, so kr_service_handover can point
 * every user at a successor's functions (live replacement) in one store.
 */
#include <krt/kheap.h>
#include <krt/string.h>
#include <karyon/service.h>

#include "cap/domain.h"

struct service {
	struct cap_object o;    /* o.name = name, o.base = version */
	char name[KR_SERVICE_NAME_MAX];
	struct cap_slot *root;  /* the publisher's capability; NULL once gone */
	struct service *next;
	union {                 /* what kr_service_ops hands out */
		struct kr_ops_header h;
		uint64_t words[KR_SERVICE_OPS_MAX / 8];
	} ops;
};

static struct service *services;

static bool name_ok(const char *name)
{
	size_t n = name ? strnlen(name, KR_SERVICE_NAME_MAX) : 0;

	if (n == 0 || n == KR_SERVICE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

static struct service **find(const char *name)
{
	struct service **pp = &services;

	while (*pp && strcmp((*pp)->name, name) < 0)
		pp = &(*pp)->next;
	return pp;
}

static void service_removed(struct cap_object *o, struct cap_slot *s)
{
	struct service *sv = (struct service *)o;

	if (sv->root == s)
		sv->root = NULL;        /* withdrawn: no new users */
}

static void service_destroy(struct cap_object *o)
{
	struct service **pp = find(((struct service *)o)->name);

	*pp = (*pp)->next;
	kfree(o);
}

static const struct cap_object_ops service_ops = { service_destroy, service_removed };

kr_err_t kr_service_publish(kr_domain_t *d, const char *name, const struct kr_ops_header *ops,
			    kr_cap_t *out)
{
	struct service *sv, **pp;
	kr_err_t err;

	if (!domain_ok(d) || !out || !name_ok(name) || !ops || ops->magic != KR_OPS_MAGIC ||
	    ops->size < sizeof(*ops) || ops->size > KR_SERVICE_OPS_MAX || ops->reserved != 0)
		return KR_EINVAL;
	pp = find(name);
	if (*pp && strcmp((*pp)->name, name) == 0)
		return KR_EEXIST;
	sv = kcalloc(1, sizeof(*sv));
	if (!sv)
		return KR_ENOMEM;
	memcpy(sv->name, name, strlen(name) + 1);
	sv->o = (struct cap_object){ .type = KR_OBJ_SERVICE, .ops = &service_ops,
				     .base = ops->version, .name = sv->name };
	memcpy(&sv->ops, ops, ops->size);
	err = cap_create(&d->cs, &sv->o, KR_RIGHT_READ | KR_RIGHT_CALL | KR_RIGHT_GRANT, out);
	if (err) {
		kfree(sv);
		return err;
	}
	cap_lookup(&d->cs, *out, KR_OBJ_SERVICE, 0, &sv->root);
	sv->next = *pp;
	*pp = sv;
	return KR_OK;
}

kr_err_t kr_service_open(kr_domain_t *d, const char *name, uint32_t min_version, kr_cap_t *out)
{
	struct service *sv;

	if (!domain_ok(d) || !out || !name_ok(name))
		return KR_EINVAL;
	sv = *find(name);
	if (!sv || strcmp(sv->name, name) != 0 || !sv->root)
		return KR_ENOENT;
	if (sv->ops.h.version < min_version)
		return KR_ERANGE;
	return cap_derive(sv->root->owner, cap_handle(sv->root), &d->cs, KR_RIGHT_CALL, out);
}

kr_err_t kr_service_ops(kr_domain_t *d, kr_cap_t c, const struct kr_ops_header **ops)
{
	struct cap_slot *s;
	kr_err_t err;

	if (!domain_ok(d) || !ops)
		return KR_EINVAL;
	err = cap_lookup(&d->cs, c, KR_OBJ_SERVICE, KR_RIGHT_CALL, &s);
	if (!err)
		*ops = &((struct service *)s->obj)->ops.h;
	return err;
}

kr_err_t kr_service_unpublish(kr_domain_t *d, kr_cap_t c)
{
	struct cap_slot *s;
	kr_err_t err;

	if (!domain_ok(d))
		return KR_EINVAL;
	err = cap_lookup(&d->cs, c, KR_OBJ_SERVICE, 0, &s);
	if (err)
		return err;
	if (((struct service *)s->obj)->root != s)
		return KR_EPERM;
	if (s->obj->refs > 1)
		return KR_EBUSY;
	return cap_delete(&d->cs, c);
}

kr_err_t kr_service_handover(kr_domain_t *d, const char *name, kr_domain_t *to,
			     const struct kr_ops_header *ops, kr_cap_t *out)
{
	struct service *sv = name_ok(name) ? *find(name) : NULL;
	struct cap_slot *root;
	kr_domain_t *holder;
	kr_err_t err = KR_OK;

	if (!sv || strcmp(sv->name, name) != 0 || !sv->root)
		return KR_ENOENT;
	root = sv->root;
	holder = (kr_domain_t *)((char *)root->owner - __builtin_offsetof(struct kr_domain, cs));
	if (!domain_ok(d) || !domain_ok(to) || !out || !ops || ops->magic != KR_OPS_MAGIC ||
	    ops->size != sv->ops.h.size || ops->reserved != 0)
		return KR_EINVAL;
	if (holder->creator != d || to->creator != d)
		return KR_EPERM;
	if (to != holder)
		err = cap_move(root, &to->cs, &sv->root);
	if (err)
		return err;
	*out = cap_handle(sv->root);
	memcpy(&sv->ops, ops, ops->size);
	sv->o.base = ops->version;
	return KR_OK;
}
