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
 */
#ifndef KARYON_MODULE_H
#define KARYON_MODULE_H

#include <karyon/cap.h>

#define KR_MODULE_MAGIC     0x444f4d4bu /* "KMOD" */
#define KR_MODULE_NAME_MAX  32          /* including the NUL */
#define KR_MODULE_DEPS_MAX  8
#define KR_EXPORT_NAME_MAX  48

struct kr_module_dep {
	char     name[KR_MODULE_NAME_MAX];
	uint32_t min_version;   /* KR_VERSION(...) */
	uint32_t reserved;
};
KR_ABI_SIZE(struct kr_module_dep, 40);

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
};
KR_ABI_OFFSET(struct kr_module_info, name, 16);
KR_ABI_OFFSET(struct kr_module_info, deps, 208);
KR_ABI_OFFSET(struct kr_module_info, init, 528);
KR_ABI_SIZE(struct kr_module_info, 544);

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
/* The index-th module built into the kernel image (started at boot, in
 * link order, each in its own domain); KR_ENOENT past the last. */
KR_API(1, 0) kr_err_t kr_builtin_module(uint32_t index, const struct kr_module_info **info,
					kr_domain_t **domain);

#define KR_MODULE(...)                                                       \
	__attribute__((used, section(".kr_module"), aligned(8)))             \
	static const struct kr_module_info kr_this_module = {                \
		.magic = KR_MODULE_MAGIC, .abi_major = KR_ABI_MAJOR,         \
		.abi_minor = KR_ABI_MINOR, __VA_ARGS__ }

#define KR_EXPORT(sym)                                                       \
	__attribute__((used, section(".kr_exports"), aligned(8)))            \
	static const struct kr_module_export kr_export_##sym = { #sym, (const void *)&(sym) }

#endif
