/*
 * parceltest - the parcel codec linked as kernel code (tests/meson.build,
 * 'parcel-kmod'): modules/organelles/parcel.c and xxh.c with Debian's
 * libxxhash.a, compiled and linked (ld -r) exactly as a module with
 * 'fpu' and 'link' would be, so modpost can say every symbol the archive
 * needs is one the kernel exports.  At init (when loaded) it frames a
 * parcel, decodes it, flips a bit and says what the decoder answered.
 */
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>

#include "parcel.h"

static kr_err_t parceltest_init(kr_domain_t *self)
{
	static const char msg[] = "hello, organelles";
	uint8_t buf[KR_PARCEL_HDR_SIZE + sizeof(msg)];
	struct parcel_view v;
	const char *why = "";
	size_t n;
	kr_err_t e;

	(void)self;
	e = parcel_encode(buf, sizeof(buf), 7, 1, 0, 42, msg, sizeof(msg) - 1, &n);
	if (!e)
		e = parcel_decode(buf, n, &v, &why);
	kr_log(KR_LOG_INFO, "parceltest: round trip: %s, seq %u, check %08x\n", kr_strerror(e),
	       (unsigned)v.seq, (unsigned)v.check);
	buf[KR_PARCEL_HDR_SIZE] ^= 1;
	e = parcel_decode(buf, n, &v, &why);
	kr_log(KR_LOG_INFO, "parceltest: flipped: %s (%s)\n", kr_strerror(e), why);
	return KR_OK;
}

KR_MODULE(.name = "parceltest", .version = KR_VERSION(1, 0, 0),
	  .description = "parcel codec and libxxhash.a in kernel code", .license = "MIT",
	  .author = "Karyon", .init = parceltest_init);
