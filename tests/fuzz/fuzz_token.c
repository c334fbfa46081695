/*
 * fuzz_token.c - libFuzzer target for the shell's word splitter
 * (modules/shell/token.c).
 *
 * The input, up to its first NUL, is one command line, split command by
 * command as the shell does (from each rest).  Each tok_split_from must
 * either give words that lie inside its own buffer (at most TOK_MAX_ARGS,
 * NULL-terminated) and a rest just past one of the line's ';' or '|' (a
 * '|' when pipe says so, and then words and no redirection before it), or
 * refuse with argc 0, no redirection, no rest and a message.
 * Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/token.h"

#define ERR_LEN 128

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inbuf(const struct tok_result *r, const char *p)
{
	return p >= r->buf && p < r->buf + sizeof(r->buf) &&
	       memchr(p, '\0', (size_t)(r->buf + sizeof(r->buf) - p));
}

/* One split's result: well formed, whether it succeeded or not. */
static void check(const char *line, const struct tok_result *r, kr_err_t e, const char *err)
{
	if (e == KR_OK) {
		if (r->argc < 0 || r->argc > TOK_MAX_ARGS || r->argv[r->argc])
			abort();
		for (int i = 0; i < r->argc; i++)
			if (!inbuf(r, r->argv[i]))
				abort();
		if ((r->redirect != TOK_REDIR_NONE) != (r->redirect_path != NULL) ||
		    (r->redirect_path && !inbuf(r, r->redirect_path)))
			abort();
		/* rest: just past a ';' or '|' of the line, the one pipe says */
		if (r->rest && (r->rest <= line || r->rest > line + strlen(line) ||
			       r->rest[-1] != (r->pipe ? '|' : ';')))
			abort();
		if (r->pipe && (!r->rest || !r->argc || r->redirect))
			abort();
	} else if (r->argc || r->redirect || r->redirect_path || r->rest || r->pipe ||
		   !memchr(err, '\0', ERR_LEN) || !err[0]) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tok_result r;
	char *line = malloc(size + 1), err[ERR_LEN];
	const char *from;
	kr_err_t e;

	memcpy(line, data, size);
	line[size] = '\0';
	for (from = line; from; from = e == KR_OK ? r.rest : NULL) {
		err[0] = 'X';
		e = tok_split_from(line, from, &r, err, sizeof(err));
		check(line, &r, e, err);
	}
	free(line);
	return 0;
}
