/*
 * module.h - what a loadable module declares about itself.
 *
 * Every module has exactly one struct kr_module_info, placed by
 * KR_MODULE(...) in the ELF section ".kr_module" of its .kmod file.  All
 * its text is inline (no pointers but init and exit), so tools can read it
 * from the file without applying relocations (tools/modinfo.py).
 *
 *	static kr_err_t hello_init(kr_domain_t *self) { ... }
 *	KR_MODULE(.name = "hello", .version = KR_VERSION(1, 0, 0),
 *		  .description = "says hello", .license = "MIT",
 *		  .author = "Karyon", .init = hello_init);
 *
 * A module offers functions to the modules that name it as a dependency
 * with KR_EXPORT(function); nothing else of it is visible to them.
 *
 * A driver declares the devices it needs, and any module the kernel
 * facilities it needs; the module starter (kmod, for built-in and loaded
 * modules alike) derives each into the module's domain before init, or
 * refuses the module with the reason ("needs IRQ 11, held by ne2k"):
 *
 *	KR_MODULE(.name = "pcidev", ...,
 *		  .needs = { KR_NEED_IRQ(11), KR_NEED_PORTS(0xcf8, 8) });
 *
 * init finds them with kr_need_cap(self, index, &cap), in .needs order.
 */
#ifndef KARYON_MODULE_H
#define KARYON_MODULE_H

#include <stdbool.h>
#include <karyon/cap.h>

#define KR_MODULE_MAGIC     0x444f4d4bu /* "KMOD" */
#define KR_MODULE_NAME_MAX  32          /* including the NUL */
#define KR_MODULE_DEPS_MAX  8
#define KR_MODULE_NEEDS_MAX 8
#define KR_EXPORT_NAME_MAX  48

struct kr_module_dep {
	char     name[KR_MODULE_NAME_MAX];
	uint32_t min_version;   /* KR_VERSION(...) */
	uint32_t reserved;
};
KR_ABI_SIZE(struct kr_module_dep, 40);

/* What a module needs from the kernel domain.  IRQ lines, port ranges and
 * MMIO ranges are exclusive: one module holds each at a time (an overlap
 * counts).  Unused entries are zero (kind KR_NEED_NONE). */
enum kr_need_kind {
	KR_NEED_NONE   = 0,
	KR_NEED_IRQ_LINE = 1,   /* base: the line (0-15, not 2) */
	KR_NEED_IOPORTS  = 2,   /* base: first port; count: ports */
	KR_NEED_DEVMEM   = 3,   /* base: physical address; count: bytes (whole pages) */
	KR_NEED_FACILITY = 4,   /* base: enum kr_sys_facility */
};

struct kr_need {
	uint32_t kind;          /* enum kr_need_kind */
	uint32_t reserved;      /* 0 */
	uint64_t base;
	uint64_t count;
};
KR_ABI_SIZE(struct kr_need, 24);

#define KR_NEED_IRQ(line)         { .kind = KR_NEED_IRQ_LINE, .base = (line), .count = 1 }
#define KR_NEED_PORTS(first, n)   { .kind = KR_NEED_IOPORTS, .base = (first), .count = (n) }
#define KR_NEED_MMIO(phys, bytes) { .kind = KR_NEED_DEVMEM, .base = (phys), .count = (bytes) }
#define KR_NEED_SYSTEM(facility)  { .kind = KR_NEED_FACILITY, .base = (facility), .count = 1 }

/* self: the module's own domain; its capabilities go when it is unloaded. */
typedef kr_err_t (*kr_module_init_fn)(kr_domain_t *self);
typedef void (*kr_module_exit_fn)(kr_domain_t *self);

struct kr_module_info {
	uint32_t magic;         /* KR_MODULE_MAGIC */
	uint16_t abi_major;     /* the ABI the module was built against */
	uint16_t abi_minor;
	uint32_t version;       /* KR_VERSION(...) */
	uint32_t ndeps;         /* entries used in deps[] */
	char     name[KR_MODULE_NAME_MAX];  /* [a-z0-9_], unique among loaded modules */
	char     description[96];
	char     license[16];
	char     author[48];
	struct kr_module_dep deps[KR_MODULE_DEPS_MAX];
	kr_module_init_fn init; /* may be NULL */
	kr_module_exit_fn exit; /* may be NULL */
	struct kr_need needs[KR_MODULE_NEEDS_MAX];  /* given before init */
};
KR_ABI_OFFSET(struct kr_module_info, name, 16);
KR_ABI_OFFSET(struct kr_module_info, deps, 208);
KR_ABI_OFFSET(struct kr_module_info, init, 528);
KR_ABI_OFFSET(struct kr_module_info, needs, 544);
KR_ABI_SIZE(struct kr_module_info, 736);

struct kr_module_export {
	char        name[KR_EXPORT_NAME_MAX];
	const void *addr;
};
KR_ABI_SIZE(struct kr_module_export, 56);

/* What the core offers a module loader. */
#define KR_BOOT_MODULE_INFO_VERSION 1
struct kr_boot_module_info {
	uint32_t version;       /* KR_BOOT_MODULE_INFO_VERSION */
	uint32_t reserved;
	uint64_t offset;        /* where the file starts in the capability's pages */
	uint64_t size;          /* bytes */
	char     name[64];      /* the module2 line's string */
};
KR_ABI_SIZE(struct kr_boot_module_info, 88);

/* A read-only PAGES capability (into d) to the index-th non-empty boot
 * module, and what it holds; KR_ENOENT past the last. */
KR_API(1, 0) kr_err_t kr_boot_module(kr_domain_t *d, uint32_t index, kr_cap_t *out,
				     struct kr_boot_module_info *info);
/* The address of a function the core exports (KR_API), or KR_ENOENT; and,
 * if version is not NULL, the ABI that introduced it as KR_VERSION(major,
 * minor, 0). */
KR_API(1, 0) kr_err_t kr_export_lookup(const char *name, uint64_t *addr, uint32_t *version);
/* The kernel's code and read-only data as loaded, for measuring it. */
KR_API(1, 0) kr_err_t kr_kernel_image(const void **start, size_t *len);
/* The kernel command line; options named "module.key" are left to modules. */
KR_API(1, 0) const char *kr_cmdline(void);
/* ABI 1.3: the ACPI RSDP the boot loader handed over (multiboot2's RSDP
 * tag; under UEFI the only way to it), *len bytes (20 or 36; 0: none). */
KR_API(1, 3) const uint8_t *kr_acpi_rsdp(size_t *len);
/* The index-th module built into the kernel image, in link order (started
 * at boot, each in its own domain): its descriptor and whether it is
 * running (has its domain); KR_ENOENT past the last.  With view not NULL,
 * d also gets a KR_OBJ_MODULE capability to it (read: kr_cap_list), never
 * its domain. */
KR_API(1, 0) kr_err_t kr_builtin_module(kr_domain_t *d, uint32_t index,
					const struct kr_module_info **info, bool *running,
					kr_cap_t *view);
/* The size of the index-th built-in module (kr_builtin_module's order):
 * the bytes of its code, data and bss in the kernel image, as the build
 * measured its object.  KR_ENOENT past the last.  (Library code over the
 * table the build links into .ksyms, tcc-runtime/krt/ksyms.c.) */
KR_API(1, 3) kr_err_t kr_builtin_size(uint32_t index, uint64_t *bytes);
/* The starter's side of a built-in module: the core starts only the first
 * in link order (kmod), and it starts the rest.  This makes the domain of
 * the index-th one, named after it and created by d (so only d gives it
 * its needs and may destroy it), with the view kr_builtin_module hands
 * out; the module counts as running until d destroys the domain.  c is d's
 * KR_SYS_DEVICES capability.  KR_EALREADY if it has a domain. */
KR_API(1, 1) kr_err_t kr_builtin_domain(kr_domain_t *d, kr_cap_t c, uint32_t index,
					kr_domain_t **out);

/* The module starter's side: give domain m, which d created, what needs[]
 * asks for (derived from the kernel domain), before m's init runs.  c is
 * d's KR_SYS_DEVICES capability.  Refused with nothing given: KR_EBUSY
 * when another domain holds an exclusive one, KR_EOVERLAP for one named
 * twice, KR_EINVAL or KR_ERANGE for a malformed need, KR_EPERM if d did
 * not create m, KR_EALREADY if m has its needs; err (if not NULL) gets the
 * reason, e.g. "needs IRQ 11, held by ne2k".  Library code on
 * kr_need_grant (tcc-runtime/krt/needs.c). */
KR_API(1, 0) kr_err_t kr_module_grant(kr_domain_t *d, kr_cap_t c, kr_domain_t *m,
				      const struct kr_need *needs, char *err, size_t errlen);
/* The core's part of it, one need: derive what n asks for from the kernel
 * domain into m, which d created (else KR_EPERM), as m's need number index
 * (what kr_need_cap(m, index) finds from then on).  c is d's
 * KR_SYS_DEVICES capability.  Refused with nothing given: KR_EINVAL,
 * KR_ERANGE or KR_EALIGN for a malformed need, KR_EOVERLAP for MMIO over
 * RAM, KR_EBUSY when a domain (m too) holds an exclusive device n
 * overlaps: then *holder (if holder is not NULL) is that domain's name,
 * valid while it lives.  Lists, and what a need named twice or given twice
 * means, are the caller's business (kr_module_grant). */
KR_API(1, 1) kr_err_t kr_need_grant(kr_domain_t *d, kr_cap_t c, kr_domain_t *m, uint32_t index,
				    const struct kr_need *n, const char **holder);
/* The module's side: its capability for needs[index], while it holds it
 * (KR_ENOENT if none, or once deleted). */
KR_API(1, 0) kr_err_t kr_need_cap(kr_domain_t *self, uint32_t index, kr_cap_t *out);

#define KR_MODULE(...)                                                       \
	__attribute__((used, section(".kr_module"), aligned(8)))             \
	static const struct kr_module_info kr_this_module = {                \
		.magic = KR_MODULE_MAGIC, .abi_major = KR_ABI_MAJOR,         \
		.abi_minor = KR_ABI_MINOR, __VA_ARGS__ }

#define KR_EXPORT(sym)                                                       \
	__attribute__((used, section(".kr_exports"), aligned(8)))            \
	static const struct kr_module_export kr_export_##sym = { #sym, (const void *)&(sym) }

#endif
