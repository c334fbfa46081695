/*
 * gas.h - deterministic gas metering for handlers (gas.c): a pass over the
 * handler's *preprocessed* C that inserts a charge at every loop iteration,
 * function entry and goto, before TinyCC compiles it (compile.c).
 *
 * Because it runs after the preprocessor, no macro, #undef or ## pasting
 * can hide a loop or forge the charge; because it only inserts text beside
 * tokens (never a newline) and keeps the `# N "file"` line markers, the
 * compiler's messages still name the user's lines.  The charge is
 *
 *     subq $W, __karyon_gas ; jns +5 ; call __karyon_gas_out
 *
 * (TinyCC inline assembly the pass writes itself: the user's own `asm` is
 * refused), two instructions on the path that does not run out.  W, the
 * weight, is 1 + T / GAS_TOKENS_PER_GAS, where T is the number of tokens
 * the charge guards: a loop's header and body, or a function's body, less
 * the bodies of the loops directly inside (they pay for themselves on
 * every iteration); a backward goto's tokens from its label to the goto; a
 * forward goto 1; a computed goto the whole function's body.  Pure code
 * with no kernel dependencies (tests/unit/test_gas.c); the memory it
 * returns is from realloc.
 */
#ifndef KARYON_TCC_GAS_H
#define KARYON_TCC_GAS_H

#include <stddef.h>
#include <karyon/err.h>

#define GAS_TOKENS_PER_GAS 4
#define GAS_WEIGHT_MAX     (1u << 24)   /* one charge, at most */
#define GAS_DEPTH_MAX      200          /* statements nested deeper are refused */

/* The instrumented text, NUL-terminated, from realloc: free it with free(). */
struct gas_result {
	char *text;
	size_t len;
	unsigned charges;               /* charges inserted */
};

/* Instrument the preprocessed source src[0..len).  KR_OK and *res, or
 * KR_EFORMAT with "file:line: error: what" in err (inline assembly, a
 * reserved __karyon_gas name, a directive made by a macro, a loop it cannot
 * parse), or KR_ENOMEM. */
kr_err_t gas_instrument(const char *src, size_t len, struct gas_result *res, char *err,
			size_t errlen);

/* Modes of gas_instrument_mode.  GAS_CONTRACT: the source is a contract of
 * the contract VM (contract.c, tools/chain/hostrun.c): floating point
 * (`float`, `double`, a floating literal) is refused as well, with
 * "file:line: error: floating point is not allowed in a contract", and
 * the other refusals say "contract" where they say "metered handler". */
#define GAS_CONTRACT 1u
kr_err_t gas_instrument_mode(const char *src, size_t len, unsigned flags,
			     struct gas_result *res, char *err, size_t errlen);

#endif
