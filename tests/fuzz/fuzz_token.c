/*
 * fuzz_token.c - libFuzzer target for the shell's word splitter
 * (modules/shell/token.c).
 *
 * The input, up to its first NUL, is one command line.  tok_split must
 * either give words that lie inside its own buffer (at most TOK_MAX_ARGS,
 * NULL-terminated) and a rest just past one of the line's ';', or refuse
 * with argc 0, no redirection and a message.
 * Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inbuf(const struct tok_result *r, const char *p)
{
	return p >= r->buf && p < r->buf + sizeof(r->buf) &&
	       memchr(p, '\0', (size_t)(r->buf + sizeof(r->buf) - p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tok_result r;
	char *line = malloc(size + 1), err[128];
	kr_err_t e;

	memcpy(line, data, size);
	line[size] = '\0';
	err[0] = 'X';
	e = tok_split(line, &r, err, sizeof(err));
	if (e == KR_OK) {
		if (r.argc < 0 || r.argc > TOK_MAX_ARGS || r.argv[r.argc])
			abort();
		for (int i = 0; i < r.argc; i++)
			if (!inbuf(&r, r.argv[i]))
				abort();
		if ((r.redirect != TOK_REDIR_NONE) != (r.redirect_path != NULL) ||
		    (r.redirect_path && !inbuf(&r, r.redirect_path)))
			abort();
		/* rest: just past a ';' of the line, and splitting from it works too */
		if (r.rest && (r.rest <= line || r.rest > line + strlen(line) || r.rest[-1] != ';'))
			abort();
		if (r.rest && tok_split_from(line, r.rest, &r, err, sizeof(err)) != KR_OK && !err[0])
			abort();
	} else if (r.argc || r.redirect || r.redirect_path || !memchr(err, '\0', sizeof(err)) ||
		   !err[0]) {
		abort();
	}
	free(line);
	return 0;
}
