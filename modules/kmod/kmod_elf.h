/*
 * kmod_elf.h - the ELF loader for Karyon modules: a .kmod file (an x86_64
 * ELF relocatable object) in, a relocated image in memory out.
 *
 * It only reads the file and writes the image it was given; memory and
 * symbol lookup come from the caller through struct kmod_env, so the same
 * code runs in the kernel and in host tests.  The caller applies page
 * permissions (text RX, ro R, data RW: never W+X) and calls info->init.
 */
#ifndef KARYON_KMOD_ELF_H
#define KARYON_KMOD_ELF_H

#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/live.h>
#include <karyon/module.h>

struct kmod_env {
	void *ctx;
	/* Memory for the whole image: size bytes (a multiple of 4096),
	 * page-aligned, writable while loading; its address is the run-time
	 * address.  NULL: out of memory. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p, size_t size);
	/* An undefined symbol: KR_OK with *addr, or KR_ENOENT.  A pure lookup:
	 * it may be asked for the same name more than once. */
	kr_err_t (*resolve)(void *ctx, const char *name, uint64_t *addr);
	/* NULL: a module (a .kr_module descriptor is required).  Else a plain
	 * object, such as a handler compiled on the device: it must have no
	 * descriptor, and the global function of this name is its entry. */
	const char *entry;
	/* Plain objects only.  link_addr: the address the image will run at,
	 * if not where alloc put it (a handler linked for its user address
	 * space); 0: alloc's address.  defined (may be NULL): called with each
	 * global symbol the object defines and its run-time address. */
	uint64_t link_addr;
	kr_err_t (*defined)(void *ctx, const char *name, uint64_t addr);
};

struct kmod_image {
	uint8_t *base;                  /* from env->alloc */
	size_t size;
	/* Page-aligned regions inside the image, in this order. */
	size_t text_off, text_size;     /* executable sections */
	size_t ro_off, ro_size;         /* read-only data, .kr_module, .kr_exports, the GOT */
	size_t data_off, data_size;     /* writable data and .bss (zeroed) */
	const struct kr_module_info *info;      /* inside the image, relocated */
	const struct kr_module_export *exports; /* NULL if the module exports nothing */
	size_t nexports;
	const struct kr_live_ops *live;         /* .kr_live, relocated; NULL if none */
	uint64_t entry;                 /* plain objects: env->entry's run-time address */
};

/* Why a file was refused: what="unresolved symbol", detail="kr_foo". */
#define KMOD_UNRESOLVED "unresolved symbol"     /* what, when env->resolve failed */
struct kmod_error {
	const char *what;       /* static text; NULL after success */
	char detail[160];       /* "" when there is nothing to add; fits a quoted name */
};

/* Everything that can be checked without memory: headers, the bounds of
 * every section, symbol, string and relocation, and the descriptor.
 * err may be NULL. */
kr_err_t kmod_validate(const void *file, size_t size, struct kmod_error *err);

/* validate -> lay out -> alloc + copy (zero .bss) -> relocate, resolving the
 * undefined symbols relocations use (unused ones are never looked up).
 * On failure nothing stays allocated and *img is zeroed. */
/* Validate, then copy the file's descriptor (names, version, dependencies:
 * everything but init and exit, which are NULL until the image is loaded). */
kr_err_t kmod_describe(const void *file, size_t size, struct kr_module_info *out,
		       struct kmod_error *err);
kr_err_t kmod_load(const void *file, size_t size, const struct kmod_env *env,
		   struct kmod_image *img, struct kmod_error *err);

/* Free a loaded image (the caller has undone page permissions) and zero *img. */
void kmod_release(const struct kmod_env *env, struct kmod_image *img);

#endif
