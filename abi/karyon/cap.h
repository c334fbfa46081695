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
#include <karyon/err.h>

/* A protection domain: the kernel, a module, later a handler.  Opaque; a
 * module is given its own at init. */
typedef struct kr_domain kr_domain_t;

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
	KR_OBJ_MODULE  = 5,     /* a module's domain, to look at (never to act as) */
	KR_OBJ_MMIO    = 6,     /* a range of device memory (physical, not RAM) */
	KR_OBJ_SYSTEM  = 7,     /* a kernel facility: enum kr_sys_facility */
	KR_OBJ_ASPACE  = 8,     /* an address space for user mode (uspace.h) */
};

/* The facilities a KR_OBJ_SYSTEM capability stands for (its base). */
enum kr_sys_facility {
	KR_SYS_POWER   = 1,     /* kr_poweroff, kr_reboot */
	KR_SYS_KLOG    = 2,     /* kr_log_read */
	KR_SYS_DEVICES = 3,     /* kr_need_grant, kr_module_grant, kr_builtin_domain: start
				 * domains with their needs (module.h) */
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
	uint32_t depth;         /* derivation steps from the root of its tree (0: a root) */
	uint64_t base;          /* PAGES: physical address; IRQ: line; IOPORT: first port */
	uint64_t count;         /* PAGES: pages; IOPORT: ports; otherwise 0 */
	char     name[32];      /* SERVICE, MODULE: its name; otherwise empty */
};
KR_ABI_OFFSET(struct kr_cap_info, base, 16);
KR_ABI_OFFSET(struct kr_cap_info, name, 32);
KR_ABI_SIZE(struct kr_cap_info, 64);

/* Operations on d's own capability c.  Deriving into another domain needs
 * KR_RIGHT_GRANT on c; rights must be a subset of c's (else KR_ERIGHTS).
 * Revoke deletes everything derived from c (KR_EALREADY if nothing is);
 * delete removes c itself, and its children move up to c's parent. */
KR_API(1, 0) kr_err_t kr_cap_info(kr_domain_t *d, kr_cap_t c, struct kr_cap_info *out);
KR_API(1, 0) kr_err_t kr_cap_derive(kr_domain_t *d, kr_cap_t c, kr_domain_t *to,
				    uint32_t rights, kr_cap_t *out);
KR_API(1, 0) kr_err_t kr_cap_revoke(kr_domain_t *d, kr_cap_t c);
KR_API(1, 0) kr_err_t kr_cap_delete(kr_domain_t *d, kr_cap_t c);

/* One capability of a table, as kr_cap_list() reports it, with what a
 * listing of the whole table shows besides (its name, how full it is). */
#define KR_CAP_ENTRY_VERSION 1
#define KR_CAP_ENTRY_PARENT_AWAY (1u << 0)     /* the parent lives in another table */
struct kr_cap_entry {
	uint32_t version;               /* KR_CAP_ENTRY_VERSION */
	kr_cap_t handle;                /* in the listed table */
	struct kr_cap_info info;        /* what kr_cap_info() tells of it */
	kr_cap_t parent;                /* in the parent's own table; KR_CAP_NULL: a root */
	uint32_t flags;                 /* KR_CAP_ENTRY_PARENT_AWAY */
	uint32_t used, nslots;          /* the listed table: live capabilities, slots */
	char parent_table[32];          /* with PARENT_AWAY: the parent's table's name */
	char table[32];                 /* the listed table's name */
};
KR_ABI_OFFSET(struct kr_cap_entry, info, 8);
KR_ABI_OFFSET(struct kr_cap_entry, parent, 72);
KR_ABI_OFFSET(struct kr_cap_entry, flags, 76);
KR_ABI_OFFSET(struct kr_cap_entry, used, 80);
KR_ABI_OFFSET(struct kr_cap_entry, parent_table, 88);
KR_ABI_OFFSET(struct kr_cap_entry, table, 120);
KR_ABI_SIZE(struct kr_cap_entry, 152);

/* The index-th live capability, in slot order (0 first), of d's own table
 * (target KR_CAP_NULL) or of the module d holds a KR_OBJ_MODULE capability
 * target to (KR_RIGHT_READ).  Looking is all a MODULE capability allows.
 * KR_ENOENT past the last one; out still tells the table then (version,
 * used, nslots, table; the rest zero), so an empty table can be listed. */
KR_API(1, 1) kr_err_t kr_cap_list(kr_domain_t *d, kr_cap_t target, uint32_t index,
				  struct kr_cap_entry *out);

/* The same table as text, through print: a header line, one line per live
 * capability (handle, type, rights "rwxgbc", object, depth, parent), a
 * summary line.  Library code on kr_cap_list (tcc-runtime/krt/capdump.c):
 * KR_EINVAL without print; an error of kr_cap_list's other than KR_ENOENT
 * ends the listing and is returned (for a bad d or target, before any line). */
typedef void (*kr_print_fn)(void *ctx, const char *line);
KR_API(1, 0) kr_err_t kr_cap_dump(kr_domain_t *d, kr_cap_t target, kr_print_fn print, void *ctx);

/* Page and heap accounting, for `mem` and for leak checks. */
#define KR_MEM_STATS_VERSION 1
struct kr_mem_stats {
	uint32_t version;       /* KR_MEM_STATS_VERSION */
	uint32_t reserved;
	uint64_t total_pages;   /* usable 4 KiB pages the core manages */
	uint64_t free_pages;
	uint64_t heap_bytes;    /* bytes in live heap blocks */
	uint64_t heap_blocks;   /* live heap blocks */
	uint64_t heap_pages;    /* pages the heap holds */
};
KR_ABI_SIZE(struct kr_mem_stats, 48);
KR_API(1, 0) void kr_mem_stats(struct kr_mem_stats *out);

/* Raw pages: npages zeroed physical pages as a new PAGES capability with
 * rights read, write, exec and grant.  kr_page_map maps them into the kernel
 * address space with prot (KR_RIGHT_READ/WRITE/EXEC) limited by the
 * capability's rights and never writable and executable at once (KR_EPERM);
 * each capability maps at most once (KR_EALREADY).  Deleting or revoking a
 * capability unmaps what it mapped; the pages go back, zeroed for their next
 * owner, with the last capability. */
KR_API(1, 0) kr_err_t kr_page_alloc(kr_domain_t *d, size_t npages, kr_cap_t *out);
KR_API(1, 0) kr_err_t kr_page_map(kr_domain_t *d, kr_cap_t c, uint32_t prot, void **va);
KR_API(1, 0) kr_err_t kr_page_unmap(kr_domain_t *d, kr_cap_t c);
/* Change the permissions of npages pages of c's mapping, from page first
 * on, in place (the addresses stay): e.g. write code, then make it
 * read+exec.  Same limits as kr_page_map. */
KR_API(1, 0) kr_err_t kr_page_protect(kr_domain_t *d, kr_cap_t c, size_t first, size_t npages,
				      uint32_t prot);

/* Device memory: map the MMIO range c names (whole pages) uncached into
 * the kernel address space, readable and, with KR_RIGHT_WRITE, writable;
 * never executable.  Each capability maps once (KR_EALREADY); the mapping
 * goes with the capability. */
KR_API(1, 0) kr_err_t kr_mmio_map(kr_domain_t *d, kr_cap_t c, volatile void **va);

/* DMA: npages zeroed, physically contiguous pages like kr_page_alloc, whose
 * physical address kr_page_phys tells (only for pages from here: other
 * page capabilities keep it to themselves, KR_EPERM).  KR_DMA_32BIT puts
 * the whole run below 4 GiB (devices with 32-bit addresses, virtio). */
#define KR_DMA_32BIT (1u << 0)
KR_API(1, 0) kr_err_t kr_dma_alloc(kr_domain_t *d, size_t npages, uint32_t flags, kr_cap_t *out);
KR_API(1, 0) kr_err_t kr_page_phys(kr_domain_t *d, kr_cap_t c, uint64_t *phys);

/* Domains: self creates an empty domain (nslots 1..65535 capability slots)
 * and only its creator may destroy it.  Destroying revokes and deletes
 * every capability the domain holds; it is refused (KR_EBUSY) while other
 * domains hold capabilities derived from its own (a service in use, say). */
KR_API(1, 0) kr_err_t kr_domain_create(kr_domain_t *self, const char *name, uint32_t nslots,
				       kr_domain_t **out);
KR_API(1, 0) kr_err_t kr_domain_destroy(kr_domain_t *self, kr_domain_t *d);
/* KR_EBUSY if kr_domain_destroy would be refused now, else KR_OK. */
KR_API(1, 0) kr_err_t kr_domain_busy(kr_domain_t *d);
/* A domain's id: a number that names it in messages and watches, unique
 * for the kernel's run and never reused (0: not a domain).  It is not a
 * credential: nothing can be done as a domain by its id. */
KR_API(1, 0) uint32_t kr_domain_id(kr_domain_t *d);
/* Call fn(ctx, id) just before the domain with that id is destroyed, so
 * watcher can drop what it keeps for it (the shell: its commands).  Ends
 * with either domain.  KR_ENOSPC when the core's 32 watch slots are taken. */
typedef void (*kr_domain_gone_fn)(void *ctx, uint32_t id);
KR_API(1, 0) kr_err_t kr_domain_watch(kr_domain_t *watcher, uint32_t id, kr_domain_gone_fn fn,
				      void *ctx);

/* IRQ lines: the holder of an IRQ capability with KR_RIGHT_BIND binds one
 * handler (KR_EBUSY if the line is bound).  The core masks, acknowledges
 * and counts; fn runs with interrupts off and must not block.  The binding
 * ends with kr_irq_unbind or when the binding capability goes. */
typedef void (*kr_irq_fn)(void *ctx, unsigned line);
/* Two lines that are not interrupts (ABI 1.2): the local APIC timer, fn
 * runs at every tick (interrupts off); the idle loop, fn runs in the boot
 * context with interrupts on after every wake-up (the scheduler's). */
#define KR_IRQ_TIMER 16
#define KR_IRQ_IDLE  17
KR_API(1, 0) kr_err_t kr_irq_bind(kr_domain_t *d, kr_cap_t c, kr_irq_fn fn, void *ctx);
KR_API(1, 0) kr_err_t kr_irq_unbind(kr_domain_t *d, kr_cap_t c);

/* I/O ports: kr_ioport_sub makes a capability to part of c's range (a
 * child of c); reads need KR_RIGHT_READ, writes KR_RIGHT_WRITE; width is 1,
 * 2 or 4 bytes and the whole access must lie in the range. */
KR_API(1, 0) kr_err_t kr_ioport_sub(kr_domain_t *d, kr_cap_t c, uint32_t base, uint32_t count,
				    uint32_t rights, kr_cap_t *out);
KR_API(1, 0) kr_err_t kr_io_read(kr_domain_t *d, kr_cap_t c, uint32_t port, unsigned width,
				 uint32_t *val);
KR_API(1, 0) kr_err_t kr_io_write(kr_domain_t *d, kr_cap_t c, uint32_t port, unsigned width,
				  uint32_t val);

#endif
