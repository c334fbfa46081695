/*
 * fuzz_gas.c - libFuzzer target for the gas metering pass
 * (modules/tcc/gas.c) over arbitrary "preprocessed C".
 *
 * The source is libFuzzer's exact-size buffer (gas_instrument takes a
 * length).  A success must return text NUL-terminated at the length it
 * says, holding every input byte in order (the pass only inserts), and it
 * must be freed; a refusal a message.  Built and run by tools/fuzz.sh.
 */
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
		size_t j = 0;

		if (!r.text || r.text[r.len] || strnlen(r.text, r.len) > r.len)
			abort();
		/* The input is a subsequence of the output (a NUL in the input
		 * would end the text early, so compare up to the first one). */
		for (size_t i = 0; i < size && data[i]; i++) {
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
