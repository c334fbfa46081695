/*
 * token.h - splits a command line into words the way sh does, for the
 * shell: blanks separate words, quotes and backslashes protect characters,
 * '>' and '>>' redirect output, '#' starts a comment, ';' ends a command
 * and '|' one of a pipeline.  No variables, no '&&' or '||': those are
 * refused, not taken as text.  No
 * globbing: an unquoted glob character is reported (glob) for the caller
 * to refuse.
 */
#ifndef SHELL_TOKEN_H
#define SHELL_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <karyon/err.h>

#define TOK_MAX_ARGS 64
#define TOK_LINE_MAX 4096	/* lines hold at most 4095 bytes, as in lineedit */

enum tok_redirect { TOK_REDIR_NONE, TOK_REDIR_WRITE /* > */, TOK_REDIR_APPEND /* >> */ };

struct tok_result {
	int argc;
	char *argv[TOK_MAX_ARGS + 1];	/* NULL-terminated; point into buf */
	int redirect;			/* enum tok_redirect */
	char *redirect_path;		/* NULL without a redirection */
	const char *rest;		/* past an unquoted ';' or '|': the next
					 * command (points into the line); NULL at
					 * the end */
	bool pipe;			/* it was '|': the next command reads
					 * this one's output */
	const char *glob;		/* the first unquoted '*', '?' or '[' (in
					 * the line; kept in its word), or NULL */
	/* The words, each NUL-terminated.  Quotes and backslashes take
	 * input bytes but no output, so only the last word's NUL can be
	 * beyond the line's length: 4095 + 1 bytes suffice. */
	char buf[TOK_LINE_MAX];
};

/*
 * Split line, up to its end or first unquoted ';' or '|', into out.  On
 * error returns KR_EFORMAT (unterminated quote, trailing backslash,
 * redirection without a path or given twice, a '|' with no command before
 * it or after it, a redirection of a command whose output goes on to
 * '|'), KR_ENOSYS (syntax sh has and this shell does not: '&&', '||',
 * '&', '<', '$NAME', '`', '$(', '(', ')' outside quotes),
 * KR_ENOSPC (more than TOK_MAX_ARGS words) or KR_ERANGE (line of
 * TOK_LINE_MAX bytes or more), leaves out empty (argc 0, no redirection)
 * and writes a one-line message to err (if errlen > 0).  A line with only
 * blanks or a comment gives argc 0; so does "> file" alone.
 */
kr_err_t tok_split(const char *line, struct tok_result *out, char *err, size_t errlen);
/* The same from a point of line (line itself or a previous split's rest,
 * nothing else: a rest just past '|' is how it knows a command must
 * follow), columns in messages still counted from line's start. */
kr_err_t tok_split_from(const char *line, const char *from, struct tok_result *out, char *err,
			size_t errlen);

#endif
