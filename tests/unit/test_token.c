/*
 * test_token.c - the shell's word splitter (modules/shell/token.c).
 *
 * A table of lines with the words, redirection and error each must give;
 * pipelines split command by command, with their errors; then seeded
 * random lines over the characters that matter.  Each result is
 * re-quoted ('...' per word) and split again, which must give it back, and
 * every split runs on an exact-size heap copy of the line and a heap
 * tok_result (buf is its last field), so ASan sees any read or write past
 * either.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "shell/token.h"

static struct tok_result *res;
static char err[128];

static kr_err_t split(const char *line)
{
	size_t n = strlen(line) + 1;
	char *copy = malloc(n);
	kr_err_t rc;

	memcpy(copy, line, n);
	memset(res, 0x5a, sizeof(*res));
	memset(err, 0, sizeof(err));
	rc = tok_split(copy, res, err, sizeof(err));
	free(copy);
	return rc;
}

/* The result is well formed whatever the input. */
static void check_shape(kr_err_t rc)
{
	assert_true(res->argc >= 0 && res->argc <= TOK_MAX_ARGS);
	assert_null(res->argv[res->argc]);
	for (int i = 0; i < res->argc; i++)
		assert_true(res->argv[i] >= res->buf && res->argv[i] < res->buf + sizeof(res->buf));
	assert_true((res->redirect == TOK_REDIR_NONE) == (res->redirect_path == NULL));
	assert_true(!res->pipe || res->rest);
	if (!rc && res->pipe)
		assert_true(res->argc > 0 && res->redirect == TOK_REDIR_NONE);
	if (rc) {
		assert_int_equal(res->argc, 0);
		assert_int_equal(res->redirect, TOK_REDIR_NONE);
		assert_null(res->rest);
		assert_false(res->pipe);
		assert_true(err[0] != 0 && strlen(err) < sizeof(err) - 1);
	}
}

struct case_ {
	const char *line;
	kr_err_t rc;
	const char *words[16];	/* expected argv, NULL-terminated */
	int redirect;
	const char *path;
	const char *msg;	/* expected error text */
};

#define OK(l, ...) { .line = l, .words = { __VA_ARGS__ } }
#define REDIR(l, r, p, ...) { .line = l, .redirect = r, .path = p, .words = { __VA_ARGS__ } }
#define ERR(l, code, m) { .line = l, .rc = code, .msg = m }
static const struct case_ cases[] = {
	OK("", NULL),
	OK("   \t  ", NULL),
	OK("# just a comment", NULL),
	OK("   #indented comment 'unterminated", NULL),
	OK("ls", "ls"),
	OK("  ls  -l\t/boot  ", "ls", "-l", "/boot"),
	OK("echo a#b # c d", "echo", "a#b"),
	OK("echo '#' \\#x \"#\"", "echo", "#", "#x", "#"),
	OK("echo 'a  b' \"c  d\"", "echo", "a  b", "c  d"),
	OK("echo \"a\"'b'c", "echo", "abc"),
	OK("echo '' \"\" x", "echo", "", "", "x"),
	OK("echo 'it\"s' \"it's\"", "echo", "it\"s", "it's"),
	OK("echo 'a\\b' \"a\\b\" \"q\\\"q\" \"s\\\\s\"", "echo", "a\\b", "a\\b", "q\"q", "s\\s"),
	OK("echo a\\ b \\'x\\' \\\\ \\>", "echo", "a b", "'x'", "\\", ">"),
	OK("echo '>' \">>\" \\>x", "echo", ">", ">>", ">x"),
	OK("a\nb\rc", "a", "b", "c"),
	REDIR("echo hi > out", TOK_REDIR_WRITE, "out", "echo", "hi"),
	REDIR("echo hi >> out", TOK_REDIR_APPEND, "out", "echo", "hi"),
	REDIR("echo hi>out there", TOK_REDIR_WRITE, "out", "echo", "hi", "there"),
	REDIR(">'my file' cat x", TOK_REDIR_WRITE, "my file", "cat", "x"),
	REDIR("> out", TOK_REDIR_WRITE, "out", NULL),
	REDIR("echo >out#x", TOK_REDIR_WRITE, "out#x", "echo"),
	ERR("echo 'abc", KR_EFORMAT, "unterminated single quote at column 6"),
	ERR("echo \"abc\\\"", KR_EFORMAT, "unterminated double quote at column 6"),
	ERR("echo x\\", KR_EFORMAT, "trailing backslash at column 7"),
	ERR("echo >", KR_EFORMAT, "redirection without a path at column 6"),
	ERR("echo >>   ", KR_EFORMAT, "redirection without a path at column 6"),
	ERR("echo > # c", KR_EFORMAT, "redirection without a path at column 6"),
	ERR("echo > >x", KR_EFORMAT, "redirection without a path at column 6"),
	ERR("echo >>>x", KR_EFORMAT, "redirection without a path at column 6"),
	ERR("echo >a >b", KR_EFORMAT, "more than one redirection at column 9"),
	ERR("echo >a x>>b", KR_EFORMAT, "more than one redirection at column 10"),
	/* What sh would do and this shell does not: refused, never text. */
	/* A pipe ends the command (test_pipeline splits the rest). */
	OK("echo a | cat", "echo", "a"),
	OK("echo a|cat", "echo", "a"),
	OK("echo 'a|b' a\\|b", "echo", "a|b", "a|b"),
	ERR("| a", KR_EFORMAT, "missing command before '|' at column 1"),
	ERR("  |a", KR_EFORMAT, "missing command before '|' at column 3"),
	ERR("> f | a", KR_EFORMAT, "missing command before '|' at column 5"),
	ERR("a > f | b", KR_EFORMAT,
	    "redirection at column 3 before '|' at column 7 (only a pipeline's last command can redirect)"),
	ERR("a>>f|b", KR_EFORMAT,
	    "redirection at column 2 before '|' at column 5 (only a pipeline's last command can redirect)"),
	ERR("a > | b", KR_EFORMAT, "redirection without a path at column 3"),
	ERR("a || b", KR_ENOSYS, "'||' is not supported (column 3; quote it to mean the character)"),
	ERR("a ||| b", KR_ENOSYS, "'||' is not supported (column 3; quote it to mean the character)"),
	ERR("a && b", KR_ENOSYS, "'&&' is not supported (column 3; quote it to mean the character)"),
	ERR("a &", KR_ENOSYS, "background jobs ('&') are not supported (column 3; quote it to mean the character)"),
	ERR("cat < f", KR_ENOSYS, "input redirection ('<') is not supported (column 5; quote it to mean the character)"),
	ERR("echo $HOME", KR_ENOSYS, "variables ('$') are not supported (column 6; quote it to mean the character)"),
	ERR("echo x${a}", KR_ENOSYS, "variables ('$') are not supported (column 7; quote it to mean the character)"),
	ERR("echo $?", KR_ENOSYS, "variables ('$') are not supported (column 6; quote it to mean the character)"),
	ERR("echo $(ls)", KR_ENOSYS, "command substitution ('$(') is not supported (column 6; quote it to mean the character)"),
	ERR("echo `ls`", KR_ENOSYS, "command substitution ('`') is not supported (column 6; quote it to mean the character)"),
	ERR("(ls)", KR_ENOSYS, "subshells ('(' and ')') are not supported (column 1; quote it to mean the character)"),
	OK("echo 'a|b' \\|\\| \"a*\" \\$HOME '$(x)' \\* a\\?b \\[ \\&\\& \\< \\`", "echo", "a|b", "||", "a*",
	   "$HOME", "$(x)", "*", "a?b", "[", "&&", "<", "`"),
	OK("echo $ a$ '#'$", "echo", "$", "a$", "#$"),
	OK("echo a] b} {c} ~ !", "echo", "a]", "b}", "{c}", "~", "!"),
	OK("echo a; echo b", "echo", "a"),
	OK("echo 'a;b' a\\;b", "echo", "a;b", "a;b"),
	OK(";", NULL),
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct case_ *c = &cases[i];
		kr_err_t rc = split(c->line);
		int n = 0;

		assert_int_equal(rc, c->rc);
		check_shape(rc);
		if (rc) {
			assert_string_equal(err, c->msg);
			continue;
		}
		while (c->words[n])
			n++;
		assert_int_equal(res->argc, n);
		for (int k = 0; k < n; k++)
			assert_string_equal(res->argv[k], c->words[k]);
		assert_int_equal(res->redirect, c->redirect);
		if (c->path)
			assert_string_equal(res->redirect_path, c->path);
	}
}

/* Split a whole line as the shell does, command by command from each
 * rest; the first error's code (its message in err), and the commands'
 * first words and pipe flags in shape ("echo|wc;ls" for echo | wc ; ls). */
static kr_err_t split_all(const char *line, char *shape, size_t len)
{
	size_t n = strlen(line) + 1, at = 0;
	char *copy = malloc(n);
	const char *p;
	kr_err_t rc = KR_OK;

	memcpy(copy, line, n);
	shape[0] = 0;
	for (p = copy; p && !rc; p = res->rest) {
		memset(res, 0x5a, sizeof(*res));
		rc = tok_split_from(copy, p, res, err, sizeof(err));
		check_shape(rc);
		if (rc)
			break;
		if (res->rest)
			assert_int_equal(res->rest[-1], res->pipe ? '|' : ';');
		at += (size_t)snprintf(shape + at, len - at, "%s%s", res->argc ? res->argv[0] : "",
				       res->pipe ? "|" : res->rest ? ";" : "");
		assert_true(at < len);
	}
	free(copy);
	return rc;
}

/* '|' ends a command as ';' does, and says the next one reads its output;
 * every way of leaving a command out of a pipeline is an error naming the
 * '|' concerned. */
static void test_pipeline(void **state)
{
	static const struct { const char *line, *shape; kr_err_t rc; const char *msg; } p[] = {
		{ "echo a b | wc -w", "echo|wc", KR_OK, NULL },
		{ "cat /etc/rc|grep x |head -n 1 > f", "cat|grep|head", KR_OK, NULL },
		{ "a | b; c | d", "a|b;c|d", KR_OK, NULL },
		{ "a | b # | c", "a|b", KR_OK, NULL },
		{ "echo '|' | cat", "echo|cat", KR_OK, NULL },
		{ "a |", NULL, KR_EFORMAT, "missing command after '|' at column 3" },
		{ "a |   ", NULL, KR_EFORMAT, "missing command after '|' at column 3" },
		{ "a | | b", NULL, KR_EFORMAT, "missing command after '|' at column 3" },
		{ "a |; b", NULL, KR_EFORMAT, "missing command after '|' at column 3" },
		{ "a | # b", NULL, KR_EFORMAT, "missing command after '|' at column 3" },
		{ "a | > f", NULL, KR_EFORMAT, "missing command after '|' at column 3" },
		{ "a | b |", NULL, KR_EFORMAT, "missing command after '|' at column 7" },
		{ "| a", NULL, KR_EFORMAT, "missing command before '|' at column 1" },
		{ "a; | b", NULL, KR_EFORMAT, "missing command before '|' at column 4" },
		{ "a | b > f | c", NULL, KR_EFORMAT,
		  "redirection at column 7 before '|' at column 11 (only a pipeline's last command can redirect)" },
		{ "a | b || c", NULL, KR_ENOSYS, "'||' is not supported (column 7; quote it to mean the character)" },
		{ "a | b && c", NULL, KR_ENOSYS, "'&&' is not supported (column 7; quote it to mean the character)" },
	};
	char shape[64];

	(void)state;
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		kr_err_t rc = split_all(p[i].line, shape, sizeof(shape));

		assert_int_equal(rc, p[i].rc);
		if (rc)
			assert_string_equal(err, p[i].msg);
		else
			assert_string_equal(shape, p[i].shape);
	}
	/* The last command keeps its redirection. */
	assert_int_equal(split_all("a | b >> f", shape, sizeof(shape)), KR_OK);
	assert_int_equal(res->redirect, TOK_REDIR_APPEND);
	assert_string_equal(res->redirect_path, "f");
}

/* Glob characters stay in their words; glob points at the first unquoted one. */
static void test_glob(void **state)
{
	static const struct { const char *line; int at; const char *word; } g[] = {
		{ "ls *.c", 3, "*.c" }, { "ls a? b*", 4, "a?" }, { "ls [ab]", 3, "[ab]" },
		{ "on custom.* x", 10, "custom.*" }, { "echo '*' \\? \"[\" x*", 17, "x*" },
		{ "echo > *", 7, NULL }, { "echo '*?['", -1, NULL }, { "a*; b", 1, "a*" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		/* on the line itself: glob points into it */
		assert_int_equal(tok_split(g[i].line, res, err, sizeof(err)), KR_OK);
		if (g[i].at < 0) {
			assert_null(res->glob);
			continue;
		}
		assert_non_null(res->glob);
		assert_int_equal(res->glob - g[i].line, g[i].at);
		bool kept = !g[i].word;         /* the word keeps its glob characters */

		for (int k = 0; k < res->argc; k++)
			kept |= g[i].word && !strcmp(res->argv[k], g[i].word);
		assert_true(kept);
	}
}

/* ';' ends a command; rest is the next one, in the line itself. */
static void test_rest(void **state)
{
	static const char line[] = "echo a;echo b >x ;  ; ls # c; d";
	struct tok_result *r = malloc(sizeof(*r));
	const char *p = line;
	int n = 0;
	static const char *const first[] = { "echo", "echo", NULL, "ls" };

	(void)state;
	assert_non_null(r);
	while (p) {
		assert_int_equal(tok_split(p, r, err, sizeof(err)), KR_OK);
		assert_true(n < 4);
		if (first[n])
			assert_string_equal(r->argv[0], first[n]);
		else
			assert_int_equal(r->argc, 0);
		if (n == 1)
			assert_string_equal(r->redirect_path, "x");
		p = r->rest;
		assert_true(!p || (p > line && p <= line + sizeof(line) - 1 && p[-1] == ';'));
		n++;
	}
	assert_int_equal(n, 4);     /* the ';' after '#' is in the comment */
	assert_int_equal(tok_split("echo 'a;b'", r, err, sizeof(err)), KR_OK);
	assert_null(r->rest);
	free(r);
}

static void test_limits(void **state)
{
	static char line[TOK_LINE_MAX + 8];

	(void)state;
	/* 64 words fit, 65 do not; a redirection path is not an argument. */
	line[0] = 0;
	for (int i = 0; i < TOK_MAX_ARGS; i++)
		strcat(line, "w ");
	assert_int_equal(split(line), KR_OK);
	assert_int_equal(res->argc, TOK_MAX_ARGS);
	strcat(line, ">p");
	assert_int_equal(split(line), KR_OK);
	assert_string_equal(res->redirect_path, "p");
	strcat(line, " x");
	assert_int_equal(split(line), KR_ENOSPC);
	check_shape(KR_ENOSPC);
	assert_string_equal(err, "too many arguments (max 64) at column 132");

	/* 4095 bytes are a line; 4096 are not. */
	memset(line, 'x', TOK_LINE_MAX - 1);
	line[TOK_LINE_MAX - 1] = 0;
	assert_int_equal(split(line), KR_OK);
	assert_int_equal(strlen(res->argv[0]), TOK_LINE_MAX - 1);
	/* A word ended by '>' takes its NUL from the '>': still 4096 bytes. */
	line[TOK_LINE_MAX - 3] = '>';
	line[TOK_LINE_MAX - 2] = 'y';
	assert_int_equal(split(line), KR_OK);
	assert_int_equal(strlen(res->argv[0]), TOK_LINE_MAX - 3);
	assert_string_equal(res->redirect_path, "y");
	line[TOK_LINE_MAX - 3] = line[TOK_LINE_MAX - 2] = 'x';
	line[TOK_LINE_MAX - 1] = 'x';
	line[TOK_LINE_MAX] = 0;
	assert_int_equal(split(line), KR_ERANGE);
	check_shape(KR_ERANGE);
	assert_string_equal(err, "line too long (max 4095 bytes)");

	/* The message is cut to fit, or left out. */
	char small[8];
	assert_int_equal(tok_split("'", res, small, sizeof(small)), KR_EFORMAT);
	assert_string_equal(small, "untermi");
	assert_int_equal(tok_split("'", res, NULL, 0), KR_EFORMAT);
}

/* Quote a word for sh: '...' with each ' as '\''. */
static size_t quote(char *dst, const char *w)
{
	size_t n = 0;

	dst[n++] = '\'';
	for (; *w; w++) {
		if (*w == '\'') {
			memcpy(dst + n, "'\\''", 4);
			n += 4;
		} else {
			dst[n++] = *w;
		}
	}
	dst[n++] = '\'';
	return n;
}

static void test_random(void **state)
{
	static const char alphabet[] = "ab  \t'\"\\>#x\n;|*$";
	static char line[600], again[8000];
	static struct tok_result first;

	(void)state;
	srand(1);
	for (int iter = 0; iter < 200000; iter++) {
		size_t len = (size_t)rand() % (iter % 100 ? 40 : sizeof(line));
		kr_err_t rc;

		for (size_t i = 0; i < len; i++)
			line[i] = rand() % 8 ? alphabet[rand() % (sizeof(alphabet) - 1)] :
					       (char)(1 + rand() % 255);
		line[len] = 0;
		rc = split_all(line, again, sizeof(again));	/* every command of it */
		assert_true(rc == KR_OK || rc == KR_EFORMAT || rc == KR_ENOSPC || rc == KR_ENOSYS);
		rc = split(line);
		assert_true(rc == KR_OK || rc == KR_EFORMAT || rc == KR_ENOSPC || rc == KR_ENOSYS);
		check_shape(rc);
		if (rc)
			continue;
		/* Re-quoted, the words must come back the same. */
		size_t n = 0;

		memcpy(&first, res, sizeof(first));	/* rebased onto first.buf: */
		for (int i = 0; i < first.argc; i++)
			first.argv[i] = first.buf + (res->argv[i] - res->buf);
		if (first.redirect)
			first.redirect_path = first.buf + (res->redirect_path - res->buf);
		for (int i = 0; i < first.argc; i++) {
			n += quote(again + n, first.argv[i]);
			again[n++] = ' ';
		}
		if (first.redirect) {
			memcpy(again + n, first.redirect == TOK_REDIR_APPEND ? ">>" : ">", 2);
			n += first.redirect == TOK_REDIR_APPEND ? 2 : 1;
			n += quote(again + n, first.redirect_path);
		}
		again[n] = 0;
		assert_true(n < TOK_LINE_MAX);
		assert_int_equal(split(again), KR_OK);
		assert_int_equal(res->argc, first.argc);
		for (int i = 0; i < first.argc; i++)
			assert_string_equal(res->argv[i], first.argv[i]);
		assert_int_equal(res->redirect, first.redirect);
		if (first.redirect)
			assert_string_equal(res->redirect_path, first.redirect_path);
	}
}

static int setup(void **state)
{
	(void)state;
	res = malloc(sizeof(*res));
	return res ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(res);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
