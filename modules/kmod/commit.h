/*
 * commit.h - the payloads of kmod's commits (pure code: the kernel's
 * state.c and the CMocka suite tests/unit/test_state_view.c).
 *
 *	kmod.load	name NUL, origin NUL, digest[32] (BLAKE2b-256 of the
 *			file), the file's bytes (the rest, at least one)
 *	kmod.unload	name NUL
 *
 * name is the module's descriptor name ([a-z0-9_], shorter than
 * KR_MODULE_NAME_MAX); origin says where the file came from (a path, a
 * boot module name) for messages; the whole payload is at most
 * KR_CLOG_PAYLOAD_MAX bytes.
 */
#ifndef KMOD_COMMIT_H
#define KMOD_COMMIT_H

#include <stddef.h>
#include <stdint.h>
#include <karyon/clog.h>

struct kcommit_load {
	const char *name, *origin;
	const uint8_t *digest;          /* 32 bytes */
	const uint8_t *file;
	uint32_t size;
};

/* The payload's size, or 0 if it would pass KR_CLOG_PAYLOAD_MAX. */
uint32_t kcommit_load_size(const char *name, const char *origin, size_t size);
/* Into buf[0..kcommit_load_size()). */
void kcommit_load_encode(void *buf, const struct kcommit_load *l);
/* Decode strictly (KR_EFORMAT and why in err); out points into c's payload.
 * The digest is not checked against the file here (the caller hashes). */
kr_err_t kcommit_load_decode(const struct kr_commit *c, struct kcommit_load *out, char *err,
			     size_t len);
kr_err_t kcommit_unload_decode(const struct kr_commit *c, const char **name, char *err,
			       size_t len);

#endif
