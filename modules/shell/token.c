/*
 * token.c - the shell's sh-like word splitter.
 *
 * One pass over the line, copying the bytes of each word into out->buf
 * without their quotes and backslashes:
 *   'a b'   literal up to the next '
 *   "a b"   literal except \" and \\ (sh also escapes $ ` and newline; we
 *           have no variables, commands or continuation lines)
 *   \x      x, outside quotes
 * and quoted and unquoted parts that touch form one word ("a"'b'c is abc).
 * Blanks end a word, and so does an unquoted '>' or '>>', which makes the
 * next word the redirection's path.  '#' at the start of a word ends the
 * line, an unquoted ';' or '|' ends the command (out->rest is what
 * follows; out->pipe says it was '|').  A pipeline's syntax is checked
 * from both sides of each '|': the command before it must have words and
 * no redirection, the one after it (split from a rest just past the '|')
 * must have words.
 * Unquoted characters to which sh gives a meaning this shell does not have
 * (&& and ||, &, <, variables, command substitution, subshells) are
 * refused with KR_ENOSYS, never taken as text.  Glob characters are kept
 * but out->glob points at the first: the shell refuses them for its own
 * commands (a user who typed "ls *.c" must not get "no such entry: *.c")
 * and leaves them to commands modules add, whose words may be patterns
 * (the events module's "on custom.* NAME").  Errors name the column where
 * the problem starts.
 */
#include <stdbool.h>
#include <karyon/libc.h>
#include "token.h"

static kr_err_t fail(struct tok_result *out, char *err, size_t errlen, kr_err_t code,
		     const char *what, const char *line, const char *at)
{
	out->argc = 0;
	out->argv[0] = NULL;
	out->redirect = TOK_REDIR_NONE;
	out->redirect_path = NULL;
	out->rest = NULL;
	out->pipe = false;
	out->glob = NULL;
	if (errlen && at && code == KR_ENOSYS)
		ksnprintf(err, errlen, "%s (column %zu; quote it to mean the character)", what,
			  (size_t)(at - line) + 1);
	else if (errlen && at)
		ksnprintf(err, errlen, "%s at column %zu", what, (size_t)(at - line) + 1);
	else if (errlen)
		ksnprintf(err, errlen, "%s", what);
	return code;
}

/* What sh would do with the unquoted character at p, if this shell does
 * not do it; NULL for a plain character. */
static const char *unsupported(const char *p)
{
	char n = p[1];

	switch (*p) {
	case '|':
		return n == '|' ? "'||' is not supported" : NULL;	/* a pipe */
	case '&':
		return n == '&' ? "'&&' is not supported" : "background jobs ('&') are not supported";
	case '<':
		return "input redirection ('<') is not supported";
	case '`':
		return "command substitution ('`') is not supported";
	case '$':
		if (n == '(')
			return "command substitution ('$(') is not supported";
		if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || (n >= '0' && n <= '9') ||
		    (n && strchr("_{?#@*!$-", n)))
			return "variables ('$') are not supported";
		return NULL;            /* a lone '$' is text in sh too */
	case '(': case ')':
		return "subshells ('(' and ')') are not supported";
	}
	return NULL;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

kr_err_t tok_split(const char *line, struct tok_result *out, char *err, size_t errlen)
{
	return tok_split_from(line, line, out, err, errlen);
}

kr_err_t tok_split_from(const char *line, const char *from, struct tok_result *out, char *err,
			size_t errlen)
{
	const char *p = from, *start = from, *redir = NULL;	/* redir: a '>' awaiting its path */
	const char *redir_at = NULL;	/* the '>' of the redirection */
	/* from is just past a '|' (a rest is just past its ';' or '|') */
	const char *piped = from > line && from[-1] == '|' ? from - 1 : NULL;
	char *w = out->buf, *o = out->buf;	/* the word being built, its end */
	bool in_word = false;
	char why[112];

	out->argc = 0;
	out->redirect = TOK_REDIR_NONE;
	out->redirect_path = NULL;
	out->rest = NULL;
	out->pipe = false;
	out->glob = NULL;
	if (strnlen(line, TOK_LINE_MAX) == TOK_LINE_MAX)
		return fail(out, err, errlen, KR_ERANGE, "line too long (max 4095 bytes)", line, NULL);
	for (;;) {
		char c = *p;

		if (c == '\0' || blank(c) || c == '>' || c == ';' || (c == '|' && p[1] != '|') ||
		    (c == '#' && !in_word)) {
			if (in_word) {
				*o++ = '\0';
				in_word = false;
				if (redir) {
					out->redirect = redir[1] == '>' ? TOK_REDIR_APPEND : TOK_REDIR_WRITE;
					out->redirect_path = w;
					redir = NULL;
				} else if (out->argc == TOK_MAX_ARGS) {
					return fail(out, err, errlen, KR_ENOSPC, "too many arguments (max 64)",
						    line, start);
				} else {
					out->argv[out->argc++] = w;
				}
			}
			if (c == ';' || c == '|') {
				out->rest = p + 1;
				out->pipe = c == '|';
			}
			if (c == '\0' || c == '#' || c == ';' || c == '|')
				break;
			if (c == '>') {
				if (redir)	/* "> >x", ">>>" */
					break;
				if (out->redirect)
					return fail(out, err, errlen, KR_EFORMAT,
						    "more than one redirection", line, p);
				redir = redir_at = p;
				p += p[1] == '>' ? 2 : 1;
			} else {
				p++;
			}
			continue;
		}
		if (!in_word) {
			in_word = true;
			w = o;
			start = p;
		}
		if (c == '\'' || c == '"') {
			const char *open = p;

			for (p++; *p != c; p++) {
				if (!*p)
					return fail(out, err, errlen, KR_EFORMAT, c == '"' ?
						    "unterminated double quote" : "unterminated single quote",
						    line, open);
				if (c == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*o++ = *p;
			}
			p++;
		} else if (c == '\\') {
			if (!p[1])
				return fail(out, err, errlen, KR_EFORMAT, "trailing backslash", line, p);
			*o++ = p[1];
			p += 2;
		} else {
			const char *no = unsupported(p);

			if (no)
				return fail(out, err, errlen, KR_ENOSYS, no, line, p);
			if (!out->glob && (c == '*' || c == '?' || c == '['))
				out->glob = p;
			*o++ = c;
			p++;
		}
	}
	if (redir)
		return fail(out, err, errlen, KR_EFORMAT, "redirection without a path", line, redir);
	if (piped && !out->argc)	/* "a |", "a | ; b", "a | > f" */
		return fail(out, err, errlen, KR_EFORMAT, "missing command after '|'", line, piped);
	if (out->pipe && !out->argc)	/* "| a", "a; | b" */
		return fail(out, err, errlen, KR_EFORMAT, "missing command before '|'", line, p);
	if (out->pipe && out->redirect) {	/* "a > f | b": f would get nothing */
		ksnprintf(why, sizeof(why), "redirection at column %zu before '|' at column %zu "
			  "(only a pipeline's last command can redirect)",
			  (size_t)(redir_at - line) + 1, (size_t)(p - line) + 1);
		return fail(out, err, errlen, KR_EFORMAT, why, line, NULL);
	}
	out->argv[out->argc] = NULL;
	return KR_OK;
}
