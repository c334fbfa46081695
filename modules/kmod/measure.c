/*
 * measure.c - module measurement and the image's manifest.
 *
 * Every file kmod loads is hashed with BLAKE2b-256, and the digest goes
 * into the measurement log (the kernel log, one line per module).  The
 * kernel's own digest gates nothing, and hashing its half megabyte is most
 * of a boot's cost, so with a scheduler it is a task of its own, the first
 * to run after "karyon: ready" (above the shell's priority: its line comes
 * before the shell's first output, never in the middle of typing); without
 * a scheduler it is logged here, first.  An image may carry a manifest as a boot module
 * named "manifest", written by the build:
 *
 *	mode enforce                      (or: mode permissive)
 *	blake2b-256 <64 hex digits> NAME
 *
 * An enforcing image loads only files whose digest the manifest lists; a
 * permissive one (or one without a manifest) loads anything, but a file
 * the manifest does not list taints the kernel, and the log says so.
 */
#include <karyon/hash.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/sched.h>

#include "measure.h"

#define MANIFEST_MAX 64

static uint8_t listed[MANIFEST_MAX][DIGEST_LEN];
static uint32_t nlisted;
static bool enforce, have_manifest;

void measure_hex(const uint8_t d[DIGEST_LEN], char out[2 * DIGEST_LEN + 1])
{
	for (int i = 0; i < DIGEST_LEN; i++) {
		out[2 * i] = "0123456789abcdef"[d[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	out[2 * DIGEST_LEN] = '\0';
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One manifest line; false if it is malformed. */
static bool parse_line(const char *l, size_t n)
{
	static const char tag[] = "blake2b-256 ";

	if (n == 12 && !memcmp(l, "mode enforce", 12))
		return enforce = true;
	if (n == 15 && !memcmp(l, "mode permissive", 15))
		return !(enforce = false);
	if (n == 0 || l[0] == '#')
		return true;
	if (n > 9 && !memcmp(l, "channels ", 9))
		return true;    /* the channel graph's digest: the organelles module's */
	if (n < sizeof(tag) - 1 + 2 * DIGEST_LEN + 2 || memcmp(l, tag, sizeof(tag) - 1) ||
	    nlisted == MANIFEST_MAX)
		return false;
	l += sizeof(tag) - 1;
	for (int i = 0; i < DIGEST_LEN; i++) {
		int hi = hexval(l[2 * i]), lo = hexval(l[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		listed[nlisted][i] = (uint8_t)(hi << 4 | lo);
	}
	nlisted++;
	return l[2 * DIGEST_LEN] == ' ';
}

static void read_manifest(const char *text, size_t size)
{
	size_t start = 0;

	have_manifest = true;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && text[i] != '\n')
			continue;
		if (!parse_line(text + start, i - start)) {
			/* A damaged manifest must not open an enforcing image. */
			kr_log(KR_LOG_ERR, "kmod: manifest line %.*s is malformed; enforcing, "
			       "nothing listed\n", (int)(i - start > 40 ? 40 : i - start), text + start);
			enforce = true;
			nlisted = 0;
			return;
		}
		start = i + 1;
	}
}

static void measure_kernel(void *arg)
{
	uint8_t d[DIGEST_LEN];
	char hex[2 * DIGEST_LEN + 1];
	const void *img;
	size_t len;

	(void)arg;
	if (kr_kernel_image(&img, &len) == KR_OK && kr_blake2b_256(d, img, len) == KR_OK) {
		measure_hex(d, hex);
		kr_log(KR_LOG_INFO, "measure: kernel blake2b-256 %s (%zu bytes of code and rodata)\n",
		       hex, len);
	}
}

/* As the first task to run, if there is a scheduler. */
static void measure_kernel_soon(kr_domain_t *self)
{
	const struct kr_task_spec spec = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_MAX,
					   .fn = measure_kernel, .name = "measure" };
	const struct kr_ops_header *h;
	uint32_t id;
	kr_cap_t c;

	if (kr_service_open(self, KR_SCHED_SERVICE, KR_SCHED_VERSION, &c) != KR_OK ||
	    kr_service_ops(self, c, &h) != KR_OK ||
	    ((const struct kr_sched_ops *)h)->spawn(self, &spec, &id) != KR_OK)
		measure_kernel(NULL);
}

void measure_init(kr_domain_t *self)
{
	struct kr_boot_module_info bi;
	uint8_t d[DIGEST_LEN];
	char hex[2 * DIGEST_LEN + 1];
	kr_cap_t cap;
	void *va;

	measure_kernel_soon(self);
	for (uint32_t i = 0; kr_boot_module(self, i, &cap, &bi) == KR_OK; i++) {
		if (!strcmp(bi.name, "manifest") &&
		    kr_page_map(self, cap, KR_RIGHT_READ, &va) == KR_OK) {
			read_manifest((const char *)va + bi.offset, bi.size);
			if (kr_blake2b_256(d, (const char *)va + bi.offset, bi.size) == KR_OK) {
				measure_hex(d, hex);
				kr_log(KR_LOG_INFO, "measure: manifest blake2b-256 %s\n", hex);
			}
		}
		kr_cap_delete(self, cap);
	}
	kr_log(KR_LOG_INFO, "measure: %s image, %u module digests in its manifest\n",
	       enforce ? "enforcing" : "permissive", nlisted);
}

static bool is_listed(const uint8_t digest[DIGEST_LEN])
{
	for (uint32_t i = 0; i < nlisted; i++)
		if (!memcmp(listed[i], digest, DIGEST_LEN))
			return true;
	return false;
}

kr_err_t measure_check(const char *name, const void *file, size_t size,
		       uint8_t digest[DIGEST_LEN], char *err, size_t len)
{
	char hex[2 * DIGEST_LEN + 1];
	kr_err_t r = kr_blake2b_256(digest, file, size);

	if (r)
		return r;
	if (enforce && !is_listed(digest)) {
		measure_hex(digest, hex);
		if (err && len)
			ksnprintf(err, len, "%s: blake2b-256 %.16s... is not in the image's manifest",
				  name, hex);
		return KR_EPERM;
	}
	return KR_OK;
}

void measure_log(const char *name, const uint8_t digest[DIGEST_LEN])
{
	char hex[2 * DIGEST_LEN + 1];

	measure_hex(digest, hex);
	kr_log(KR_LOG_INFO, "measure: %s blake2b-256 %s\n", name, hex);
	if (!is_listed(digest))
		kr_taint(have_manifest ? "a module not in the image's manifest was loaded"
				       : "a module was loaded without a manifest to check it");
}
