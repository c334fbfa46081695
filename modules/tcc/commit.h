/*
 * commit.h - the payloads of the tcc module's commits (pure code: state.c
 * and the CMocka suite tests/unit/test_state_view.c).
 *
 *	tcc.cc		name NUL, path NUL, source[32], u32 flags, u32 grants,
 *			u32 budget_ms, u32 budget_mb, u32 effective grants,
 *			u32 manifest version, u32 ndefines, ndefines x
 *			(define NUL), u32 nincdirs, nincdirs x (dir NUL)
 *	tcc.unload	name NUL
 *
 * name is the handler's; path the source, normalised (absolute); source
 * its BLAKE2b-256 when committed (replay refuses a different file); flags
 * TCOMMIT_GAS (metered: not --no-gas), TCOMMIT_LINES (-l), TCOMMIT_GRANTS
 * (-g given: grants is its mask, checked against a manifest; else grants
 * is cc's default); the effective grants (the manifest's, or grants)
 * and the manifest's version (0: none) are what the compile gave when
 * committed, and a replay that gives others is refused; defines as -D gave them ("NAME" or "NAME=VALUE"),
 * include directories absolute.  Everything the compile depends on but
 * the VFS (replayed before it) and the cwd (not needed: every path is
 * absolute); -v only changes what cc prints, and is not recorded.
 */
#ifndef KARYON_TCC_COMMIT_H
#define KARYON_TCC_COMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/clog.h>
#include "compile.h"

#define TCOMMIT_GAS    1u
#define TCOMMIT_LINES  2u
#define TCOMMIT_GRANTS 4u
#define TCOMMIT_NAME_MAX 32     /* with the NUL: tcc.h's NAME_MAX */

struct tcommit_cc {
	const char *name, *path;
	const uint8_t *source;          /* 32 bytes */
	uint32_t flags, grants, budget_ms, budget_mb;
	uint32_t effective, mf_version;
	uint32_t ndefines, nincdirs;
	const char *defines[COMPILE_MAX_OPTS], *incdirs[COMPILE_MAX_OPTS];
};

/* A handler's name: letters, digits (not first) and _, 1 to 31 of them. */
bool tcommit_name_ok(const char *s, size_t n);
/* Encode into buf[0..cap); the length, or 0 if it does not fit. */
uint32_t tcommit_cc_encode(void *buf, uint32_t cap, const struct tcommit_cc *c);
/* Decode strictly (KR_EFORMAT and why in err); out points into c. */
kr_err_t tcommit_cc_decode(const struct kr_commit *c, struct tcommit_cc *out, char *err,
			   size_t len);
kr_err_t tcommit_unload_decode(const struct kr_commit *c, const char **name, char *err,
			       size_t len);

#endif
