/*
 * parceltest - the parcel codec linked as kernel code (tests/meson.build,
 * 'parcel-kmod'): modules/organelles/parcel.c and xxh.c with Debian's
 * libxxhash.a, compiled and linked (ld -r) exactly as a module with
 * 'fpu' and 'link' would be, so modpost can say every symbol the archive
 * needs is one the kernel exports.  At init (test_boot.py parcel-kmod-boot
 * loads it) it frames parcels, decodes them, flips a bit and says what
 * the decoder answered, so the checks computed in the kernel can be
 * compared with the host's.
 */
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>

#include "parcel.h"

/* Frame one parcel, decode it, say what came back; then flip a payload bit. */
static void try(uint8_t *buf, size_t cap, uint8_t kind, uint32_t seq, const void *p, uint16_t len)
{
	struct parcel_view v = { 0 };
	const char *why = "";
	size_t n = 0;
	kr_err_t e = parcel_encode(buf, cap, 7, kind, 0, seq, p, len, &n);

	if (!e)
		e = parcel_decode(buf, n, &v, &why);
	kr_log(KR_LOG_INFO, "parceltest: length %u: %s, seq %u, check %08x\n", (unsigned)len,
	       kr_strerror(e), (unsigned)v.seq, (unsigned)v.check);
	buf[n - 1] ^= 1;
	e = parcel_decode(buf, n, &v, &why);
	kr_log(KR_LOG_INFO, "parceltest: flipped: %s (%s)\n", kr_strerror(e), why);
}

/* The third golden parcel (tests/unit/golden/parcel.bin), then a full one,
 * whose 4096 bytes take XXH3's SSE2 path, as parcelcat would frame the line
 * "abc...zab..." (tests/qemu/test_boot.py compares both checks). */
static kr_err_t parceltest_init(kr_domain_t *self)
{
	static const char msg[] = "hello, organelles";
	static uint8_t buf[KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX], text[KR_PARCEL_PAYLOAD_MAX];

	(void)self;
	try(buf, sizeof(buf), 3, 42, msg, sizeof(msg) - 1);
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)('a' + i % 26);
	try(buf, sizeof(buf), 0, 0, text, sizeof(text));
	return KR_OK;
}

KR_MODULE(.name = "parceltest", .version = KR_VERSION(1, 0, 0),
	  .description = "parcel codec and libxxhash.a in kernel code", .license = "MIT",
	  .author = "Karyon", .init = parceltest_init);
