/*
 * kmod_host.c - the module loader (modules/kmod/kmod_elf.c) built for the
 * host, loading one .kmod file N times, for callgrind to count
 * (tools/bench_kmod.py).  Symbols resolve to a fake address beside the
 * image; the image lives below 2 GiB (MAP_32BIT) so 32-bit relocations fit.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "kmod/kmod_elf.h"

static void *alloc(void *ctx, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	(void)ctx;
	return p == MAP_FAILED ? NULL : p;
}

static void release(void *ctx, void *p, size_t size)
{
	(void)ctx;
	munmap(p, size);
}

static kr_err_t resolve(void *ctx, const char *name, uint64_t *addr)
{
	(void)ctx;
	(void)name;
	*addr = 0x10000000;     /* any address within 2 GiB of the image */
	return KR_OK;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	struct kmod_env env = { .alloc = alloc, .free = release, .resolve = resolve };
	struct kmod_image img;
	struct kmod_error err;
	FILE *f = argc == 3 ? fopen(argv[1], "rb") : NULL;
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	int rounds = argc == 3 ? atoi(argv[2]) : 0;

	if (!f || n == 0 || rounds <= 0) {
		fprintf(stderr, "usage: kmod_host FILE.kmod ROUNDS\n");
		return 2;
	}
	for (int i = 0; i < rounds; i++) {
		if (kmod_load(buf, n, &env, &img, &err) != KR_OK) {
			fprintf(stderr, "kmod_host: %s %s\n", err.what, err.detail);
			return 1;
		}
		kmod_release(&env, &img);
	}
	return 0;
}
