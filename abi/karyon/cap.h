/*
 * cap.h - capabilities: the only way a domain (the kernel, a module, later a
 * handler) names a kernel object.
 *
 * A domain owns a table of slots.  A kr_cap_t names one slot of the caller's
 * own table: slot index in the low 16 bits, the slot's generation in the
 * high 16.  Freeing a slot bumps its generation, so an old kr_cap_t for a
 * reused slot is refused (KR_ESTALE) instead of reaching another object.
 * Generation 0 is never issued: KR_CAP_NULL is never valid.
 *
 * Every capability but an object's first was derived from another, with
 * equal or fewer rights; revoking a capability deletes everything derived
 * from it, recursively.  An object dies with its last capability.
 */
#ifndef KARYON_CAP_H
#define KARYON_CAP_H

#include <karyon/abi.h>

typedef uint32_t kr_cap_t;
#define KR_CAP_NULL        0u
#define KR_CAP_INDEX(c)    ((c) & 0xffffu)
#define KR_CAP_GEN(c)      ((c) >> 16)

/* What a capability names. */
enum kr_obj_type {
	KR_OBJ_NONE    = 0,
	KR_OBJ_PAGES   = 1,     /* a run of raw physical pages */
	KR_OBJ_IRQ     = 2,     /* one interrupt line */
	KR_OBJ_IOPORT  = 3,     /* a range of x86 I/O ports */
	KR_OBJ_SERVICE = 4,     /* a published service endpoint */
	KR_OBJ_MODULE  = 5,     /* a loaded module */
};

/* Rights: a derived capability holds a subset of its parent's. */
#define KR_RIGHT_READ   (1u << 0)   /* map readable; read ports; look at */
#define KR_RIGHT_WRITE  (1u << 1)   /* map writable; write ports */
#define KR_RIGHT_EXEC   (1u << 2)   /* map executable (never with write) */
#define KR_RIGHT_GRANT  (1u << 3)   /* derive into another domain */
#define KR_RIGHT_BIND   (1u << 4)   /* bind a handler to an IRQ line */
#define KR_RIGHT_CALL   (1u << 5)   /* use a service's operations */
#define KR_RIGHTS_ALL   0x3fu

/* What kr_cap_info() reports about one capability. */
#define KR_CAP_INFO_VERSION 1
struct kr_cap_info {
	uint32_t version;       /* KR_CAP_INFO_VERSION */
	uint32_t type;          /* enum kr_obj_type */
	uint32_t rights;        /* KR_RIGHT_* */
	uint32_t depth;         /* 0 for an object's original capability */
	uint64_t base;          /* PAGES: physical address; IRQ: line; IOPORT: first port */
	uint64_t count;         /* PAGES: pages; IOPORT: ports; otherwise 0 */
	char     name[32];      /* SERVICE, MODULE: its name; otherwise empty */
};
KR_ABI_OFFSET(struct kr_cap_info, base, 16);
KR_ABI_OFFSET(struct kr_cap_info, name, 32);
KR_ABI_SIZE(struct kr_cap_info, 64);

#endif
