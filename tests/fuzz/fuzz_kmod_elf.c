/*
 * fuzz_kmod_elf.c - libFuzzer target for the module ELF loader.
 *
 * Each input goes through kmod_validate and kmod_load.  Images live in
 * MAP_32BIT memory (so 32-bit relocations can fit) between PROT_NONE guard
 * pages, so a write outside the image faults; the input itself is in
 * libFuzzer's exact-size buffer, so ASan sees any read past it.  Every name
 * resolves except those starting with "missing", and a load that succeeds
 * must describe an image inside its own allocation.  Each input is also
 * loaded as a plain object (struct kmod_env's entry, link_addr and defined:
 * a handler compiled on the device), whose entry must lie in its image.
 * Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kmod/kmod_elf.h"

#define PG 4096u

static long live;       /* allocations not yet freed */

static void *f_alloc(void *ctx, size_t size)
{
	uint8_t *p;

	(void)ctx;
	/* Size 0: a plain object whose only loaded sections are empty is
	 * laid out as an image of no pages (docs/reliability.md, open).  An
	 * allocator that refuses it gives KR_ENOMEM, so this one does. */
	if (size == 0)
		return NULL;
	if (size % PG || size > (64u << 20))
		abort();
	p = mmap(NULL, size + 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + PG, size, PROT_READ | PROT_WRITE))
		abort();
	memset(p + PG, 0xaa, size);
	live++;
	return p + PG;
}

static void f_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	live--;
	munmap((uint8_t *)p - PG, size + 2 * PG);
}

static kr_err_t f_resolve(void *ctx, const char *name, uint64_t *addr)
{
	(void)ctx;
	if (!strncmp(name, "missing", 7))
		return KR_ENOENT;
	*addr = 0x10000000u + 16u * (uint64_t)strlen(name);
	return KR_OK;
}

static kr_err_t f_defined(void *ctx, const char *name, uint64_t addr)
{
	(void)ctx;
	(void)addr;
	/* Any NUL-terminated name (ASan checks the read): an object may
	 * define a global called "", which is the caller's to ignore. */
	if (strlen(name) > 1u << 20)
		abort();
	return KR_OK;
}

static const struct kmod_env env = { .alloc = f_alloc, .free = f_free, .resolve = f_resolve };
static const struct kmod_env plain = { .alloc = f_alloc, .free = f_free, .resolve = f_resolve,
				       .entry = "main", .link_addr = 0x400000,
				       .defined = f_defined };

static int inside(const struct kmod_image *img, const void *p, size_t n)
{
	const uint8_t *q = p;

	return q >= img->base + img->ro_off && q + n <= img->base + img->ro_off + img->ro_size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmod_error err;
	struct kmod_image img;
	kr_err_t v, l;

	v = kmod_validate(data, size, &err);
	if (v && !err.what)
		abort();
	l = kmod_load(data, size, &env, &img, &err);
	if (v && l != v)        /* what validation refuses, loading refuses alike */
		abort();
	if (l == KR_OK) {
		if (!inside(&img, img.info, sizeof(*img.info)) ||
		    strnlen(img.info->name, KR_MODULE_NAME_MAX) == KR_MODULE_NAME_MAX ||
		    (img.nexports && !inside(&img, img.exports, img.nexports * sizeof(*img.exports))))
			abort();
		kmod_release(&env, &img);
	} else if (img.base || !err.what) {
		abort();
	}
	if (live)
		abort();

	/* The entry must be inside the image.  Not in its text, strictly: an
	 * entry function of size 0, or at the very end of its section, is
	 * accepted (docs/reliability.md); calling it faults in the handler. */
	if (kmod_load(data, size, &plain, &img, &err) == KR_OK) {
		if (img.info || img.entry < plain.link_addr ||
		    img.entry > plain.link_addr + img.size)
			abort();
		kmod_release(&plain, &img);
	} else if (img.base || !err.what) {
		abort();
	}
	if (live)
		abort();
	return 0;
}
