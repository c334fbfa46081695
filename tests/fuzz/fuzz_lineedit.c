/*
 * fuzz_lineedit.c - libFuzzer target for the shell's line editor
 * (modules/shell/lineedit.c), fed the input one byte at a time as from the
 * UART.
 *
 * Checks what lineedit.h promises: output never holds a raw control byte
 * but \r \n \b \a and ESC sequences; the line stays NUL-terminated with the
 * cursor inside it; a finished line is shorter than LE_LINE_MAX; the
 * completion callback is asked about a word inside the line.  Built and
 * run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/lineedit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t written;

static void t_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\r' && c != '\n' && c != '\b' && c != '\a' && c != 0x1b) ||
		    c == 0x7f)
			abort();
	}
	written += n;
}

static const char *const words[] = { "cat", "cd", "cp", "echo", "/boot/", "/bin/", "a b" };

static size_t t_complete(void *ctx, const char *line, size_t ws, size_t cur, const char **cands,
			 size_t max)
{
	size_t n = 0;

	(void)ctx;
	if (ws > cur || cur > strlen(line))
		abort();
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]) && n < max; i++)
		if (!strncmp(words[i], line + ws, cur - ws))
			cands[n++] = words[i];
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct le e;
	struct le_io io = { .write = t_write, .complete = t_complete };

	/* The first byte picks the prompt's length and whether Tab completes. */
	char prompt[80];
	size_t plen = size ? data[0] % sizeof(prompt) : 8;

	memset(prompt, 'p', plen);
	prompt[plen] = '\0';
	if (size && (data[0] & 0x80))
		io.complete = NULL;
	le_init(&e, &io, prompt);
	le_start(&e);
	for (size_t i = 1; i < size; i++) {
		enum le_result r = le_feed(&e, data[i]);

		if (e.len >= LE_LINE_MAX || e.cur > e.len || e.line[e.len] ||
		    e.hist_used > LE_HIST_BYTES || e.nout > LE_OUT_MAX)
			abort();
		if (r == LE_LINE) {
			if (strlen(le_line(&e)) >= LE_LINE_MAX)
				abort();
			le_start(&e);
		} else if (r != LE_MORE && r != LE_CANCEL) {
			abort();
		}
	}
	return 0;
}
