/*
 * boot.c - kmod's boot modules: list them, load the .kmod files among
 * them (retried until no more load: a module may come before one it
 * depends on), and load one by name again (the commit log's replay and
 * reset, state.c).
 *
 * While the loop runs, the clog module's init may replay its log (a nested
 * load, docs/commit-log-parts.md); a boot module it loaded early for a
 * replayed one is skipped when the loop gets to it.
 */
#include <stdbool.h>
#include <karyon/boot_info.h>
#include <karyon/hash.h>
#include <karyon/libc.h>
#include <karyon/log.h>

#include "kmod_elf.h"
#include "measure.h"
#include "state.h"

static kr_domain_t *self;               /* kmod's, from boot_list */
static bool booting;                    /* in boot_load_all */

/* One line per boot module GRUB handed over, before any is used (the core
 * has said which were empty and left them out). */
void boot_list(kr_domain_t *kmod)
{
	struct kr_boot_module_info bi;
	struct kr_cap_info ci;
	kr_cap_t cap;

	self = kmod;
	for (uint32_t i = 0; kr_boot_module(self, i, &cap, &bi) == KR_OK; i++) {
		if (kr_cap_info(self, cap, &ci) == KR_OK)
			kr_log(KR_LOG_INFO, "boot: module %u '%s': %llu bytes at %#llx\n", i,
			       bi.name[0] ? bi.name : "(unnamed)", (unsigned long long)bi.size,
			       (unsigned long long)(ci.base + bi.offset));
		kr_cap_delete(self, cap);
	}
}

bool kmod_booting(void)
{
	return booting;
}

/* Is file a boot module the commit log's replay loaded early (one a
 * replayed module needs), from the same bytes?  Without the log none is:
 * a boot module given twice is refused as before. */
static bool loaded_already(const void *file, size_t size)
{
	struct kr_module_info desc;
	struct kmod_error e;
	uint8_t digest[DIGEST_LEN];

	return kmod_describe(file, size, &desc, &e) == KR_OK &&
	       kr_blake2b_256(digest, file, size) == KR_OK && kmod_loaded_early(desc.name, digest);
}

/* Boot modules in GRUB order, retried until no more load.  Files that are
 * not ELF are left alone. */
void boot_load_all(kr_domain_t *kmod)
{
	static char why[KR_BOOT_MODULES_MAX][128];
	bool done[KR_BOOT_MODULES_MAX] = { 0 }, progress = true;

	self = kmod;
	booting = true;
	/* Until no pass loads one more: a module may need one later on the
	 * list.  Only a missing dependency (KR_ENOENT) is worth another try;
	 * any other refusal, a faulting init above all, is said at once and
	 * never retried. */
	while (progress) {
		progress = false;
		for (uint32_t i = 0; i < KR_BOOT_MODULES_MAX; i++) {
			struct kr_boot_module_info bi;
			kr_cap_t cap;
			const uint8_t *va;
			kr_err_t r;

			if (done[i] || kr_boot_module(self, i, &cap, &bi) != KR_OK)
				continue;
			if (kr_page_map(self, cap, KR_RIGHT_READ, (void **)&va) == KR_OK) {
				va += bi.offset;
				if (bi.size < 4 || memcmp(va, "\177ELF", 4) ||
				    loaded_already(va, bi.size)) {
					done[i] = true;
				} else if ((r = kmod_load_file(va, bi.size, bi.name, 0, why[i],
							       sizeof(why[i]))) == KR_OK) {
					done[i] = progress = true;
				} else if (r != KR_ENOENT) {
					done[i] = true;
					kr_log(KR_LOG_ERR, "kmod: cannot load boot module %s: %s\n",
					       bi.name, why[i]);
				}
			}
			kr_cap_delete(self, cap);
		}
	}
	booting = false;
	for (uint32_t i = 0; i < KR_BOOT_MODULES_MAX; i++) {     /* say why the rest failed */
		struct kr_boot_module_info bi;
		kr_cap_t cap;

		if (done[i] || kr_boot_module(self, i, &cap, &bi) != KR_OK)
			continue;
		kr_log(KR_LOG_ERR, "kmod: cannot load boot module %s: %s\n", bi.name, why[i]);
		kr_cap_delete(self, cap);
	}
}

kr_err_t kmod_load_boot(const char *name, unsigned how, char *err, size_t len)
{
	struct kr_boot_module_info bi;
	struct kr_module_info desc;
	struct kmod_error e;
	kr_err_t r = KR_ENOENT;
	bool found = false;
	kr_cap_t cap;
	const uint8_t *va;

	for (uint32_t i = 0; !found && kr_boot_module(self, i, &cap, &bi) == KR_OK; i++) {
		if (kr_page_map(self, cap, KR_RIGHT_READ, (void **)&va) == KR_OK) {
			va += bi.offset;
			if (bi.size >= 4 && !memcmp(va, "\177ELF", 4) &&
			    kmod_describe(va, bi.size, &desc, &e) == KR_OK && !strcmp(desc.name, name)) {
				found = true;
				r = kmod_load_file(va, bi.size, bi.name, how, err, len);
			}
		}
		kr_cap_delete(self, cap);
	}
	if (!found && err && len)
		ksnprintf(err, len, "no boot module holds %s", name);
	return r;
}
