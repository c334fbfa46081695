/*
 * fuzz_gas.c - libFuzzer target for the gas metering pass
 * (modules/tcc/gas.c) over arbitrary "preprocessed C".
 *
 * The source is libFuzzer's exact-size buffer (gas_instrument takes a
 * length).  A success must return text NUL-terminated at the length it
 * says, with the input's newlines, holding every input byte in order (the
 * pass only inserts, but blanks pragmas), and it must be freed; a refusal
 * a message.  Built and run by tools/fuzz.sh.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcc/gas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gas_result r = { 0 };
	char err[160];
	kr_err_t e;

	err[0] = '\0';
	e = gas_instrument((const char *)data, size, &r, err, sizeof(err));
	if (e == KR_OK) {
		size_t j = 0, n = strnlen((const char *)data, size), lines = 0;

		if (!r.text || r.text[r.len])
			abort();
		/* It never inserts a newline, nor drops one (a compiler's
		 * messages must still name the user's lines). */
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		for (size_t i = 0; i < r.len; i++)
			lines -= r.text[i] == '\n';
		if (lines)
			abort();
		/* Without pragmas (blanked, as gas.c says) it only inserts: the
		 * input, up to a NUL, is a subsequence of the output (the NUL
		 * keeps its place, so the output's own NUL-terminated text is not
		 * the point). */
		if (!memmem(data, n, "ragma", 5))
			for (size_t i = 0; i < n; i++) {
				while (j < r.len && r.text[j] != (char)data[i])
					j++;
				if (j++ >= r.len)
					abort();
			}
		free(r.text);
	} else if (e != KR_ENOMEM && (!err[0] || !memchr(err, '\0', sizeof(err)))) {
		abort();
	}
	return 0;
}
