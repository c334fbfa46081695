/*
 * service.h - named, versioned operation tables published by modules.
 *
 * A module publishes an ops table under a name ("vfs") and a version; other
 * domains ask for a name and a minimum version and get a capability to it
 * (KR_RIGHT_CALL), derived from the publisher's, so the publisher can
 * revoke every user at once.  Unpublishing is refused (KR_EBUSY) while any
 * other capability to the service exists.
 */
#ifndef KARYON_SERVICE_H
#define KARYON_SERVICE_H

#include <karyon/cap.h>

#define KR_SERVICE_NAME_MAX 32          /* including the NUL */
#define KR_OPS_MAGIC        0x53504f4bu /* "KOPS" */
#define KR_SERVICE_OPS_MAX  256         /* the largest ops table (ABI 1.4) */

/* Every ops table starts with this header; the functions follow it. */
struct kr_ops_header {
	uint32_t magic;         /* KR_OPS_MAGIC */
	uint32_t version;       /* the service's version; higher is newer */
	uint32_t size;          /* sizeof the whole ops table */
	uint32_t reserved;      /* 0 */
};
KR_ABI_SIZE(struct kr_ops_header, 16);
KR_ABI_OFFSET(struct kr_ops_header, size, 8);

/* name: 1..31 characters of [a-z0-9_.-].  KR_EEXIST if taken.  The
 * service keeps a copy of *ops (at most KR_SERVICE_OPS_MAX bytes since ABI
 * 1.4), and kr_service_ops hands out that copy, so users may keep the
 * pointer for as long as they hold their capability. */
KR_API(1, 0) kr_err_t kr_service_publish(kr_domain_t *d, const char *name,
					 const struct kr_ops_header *ops, kr_cap_t *out);
/* KR_ENOENT if no such service, KR_ERANGE if it is older than min_version. */
KR_API(1, 0) kr_err_t kr_service_open(kr_domain_t *d, const char *name, uint32_t min_version,
				      kr_cap_t *out);
KR_API(1, 0) kr_err_t kr_service_ops(kr_domain_t *d, kr_cap_t c,
				     const struct kr_ops_header **ops);
/* c must be the publisher's original capability (KR_EPERM otherwise). */
KR_API(1, 0) kr_err_t kr_service_unpublish(kr_domain_t *d, kr_cap_t c);

/* ABI 1.4, live replacement (kmod): d created both the domain holding the
 * root of service name and domain to.  Every user's table (the pointer
 * kr_service_ops gave) becomes a copy of *ops (same magic and size), and,
 * if to is not the holder, the root capability moves into to (its place in
 * the derivation tree kept), *out its handle there; the holder's goes
 * stale.  Users keep their capabilities; their next call reaches ops.
 * KR_ENOENT: no such service or it was withdrawn; KR_EPERM: d did not
 * create both; KR_EINVAL: a bad table; KR_ENOSPC: no slot in to. */
KR_API(1, 4) kr_err_t kr_service_handover(kr_domain_t *d, const char *name, kr_domain_t *to,
					  const struct kr_ops_header *ops, kr_cap_t *out);

#endif
