/*
 * handler200.c - a realistic ~200-line handler for tools/bench_tcc.py: what
 * the compile costs for a file of ordinary C, not a toy.
 *
 * A tokenizer and recursive-descent evaluator for integer expressions with
 * variables, and a table of records parsed from text, sorted with qsort and
 * printed.  Integer arithmetic only, so the output is the same on the
 * device and on a Linux host.  Usage: handler200 [EXPR]...
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind { T_END, T_NUM, T_NAME, T_OP, T_LPAREN, T_RPAREN, T_BAD };

struct token {
	enum tok_kind kind;
	long value;             /* T_NUM */
	char text[16];          /* T_NAME, T_OP */
};

struct lexer {
	const char *p;
	struct token tok;
};

static const struct { const char *name; long value; } vars[] = {
	{ "pages", 4096 }, { "heap", 65536 }, { "cpus", 4 }, { "ticks", 1000 },
};

static void next(struct lexer *lx)
{
	struct token *t = &lx->tok;

	while (*lx->p == ' ' || *lx->p == '\t')
		lx->p++;
	memset(t, 0, sizeof(*t));
	if (!*lx->p) {
		t->kind = T_END;
	} else if (*lx->p >= '0' && *lx->p <= '9') {
		char *end;

		t->kind = T_NUM;
		t->value = strtol(lx->p, &end, 0);
		lx->p = end;
	} else if ((*lx->p >= 'a' && *lx->p <= 'z') || *lx->p == '_') {
		size_t n = 0;

		t->kind = T_NAME;
		while ((*lx->p >= 'a' && *lx->p <= 'z') || *lx->p == '_')
			if (n < sizeof(t->text) - 1)
				t->text[n++] = *lx->p++;
			else
				lx->p++;
	} else if (*lx->p == '(' || *lx->p == ')') {
		t->kind = *lx->p++ == '(' ? T_LPAREN : T_RPAREN;
	} else if (strchr("+-*/%<>&|^", *lx->p)) {
		t->kind = T_OP;
		t->text[0] = *lx->p++;
		if ((t->text[0] == '<' || t->text[0] == '>') && *lx->p == t->text[0])
			t->text[1] = *lx->p++;
	} else {
		t->kind = T_BAD;
		t->text[0] = *lx->p++;
	}
}

/* Binding strength of an operator token, loosest first; -1: not one. */
static int prec(const struct token *t)
{
	if (t->kind != T_OP)
		return -1;
	switch (t->text[0]) {
	case '|': return 0;
	case '^': return 1;
	case '&': return 2;
	case '<': case '>': return t->text[1] ? 3 : -1;
	case '+': case '-': return 4;
	default: return 5;      /* * / % */
	}
}

static bool expr(struct lexer *lx, int min, long *out, char *err, size_t errlen);

static bool primary(struct lexer *lx, long *out, char *err, size_t errlen)
{
	struct token t = lx->tok;

	next(lx);
	switch (t.kind) {
	case T_NUM:
		*out = t.value;
		return true;
	case T_NAME:
		for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
			if (!strcmp(vars[i].name, t.text)) {
				*out = vars[i].value;
				return true;
			}
		snprintf(err, errlen, "unknown name '%s'", t.text);
		return false;
	case T_LPAREN:
		if (!expr(lx, 0, out, err, errlen))
			return false;
		if (lx->tok.kind != T_RPAREN) {
			snprintf(err, errlen, "')' expected");
			return false;
		}
		next(lx);
		return true;
	case T_OP:
		if (t.text[0] == '-' && !t.text[1] && primary(lx, out, err, errlen)) {
			*out = -*out;
			return true;
		}
		/* fall through */
	default:
		snprintf(err, errlen, "unexpected '%s'", t.kind == T_END ? "end" : t.text);
		return false;
	}
}

static bool apply(const char *op, long a, long b, long *out, char *err, size_t errlen)
{
	switch (op[0]) {
	case '+': *out = a + b; return true;
	case '-': *out = a - b; return true;
	case '*': *out = a * b; return true;
	case '&': *out = a & b; return true;
	case '|': *out = a | b; return true;
	case '^': *out = a ^ b; return true;
	case '<': *out = (long)((unsigned long)a << (b & 63)); return true;
	case '>': *out = a >> (b & 63); return true;
	}
	if (b == 0) {
		snprintf(err, errlen, "division by zero");
		return false;
	}
	*out = op[0] == '/' ? a / b : a % b;
	return true;
}

/* Precedence climbing: every operator is left-associative. */
static bool expr(struct lexer *lx, int min, long *out, char *err, size_t errlen)
{
	long lhs, rhs;

	if (!primary(lx, &lhs, err, errlen))
		return false;
	for (int p; (p = prec(&lx->tok)) >= min;) {
		char op[4];

		memcpy(op, lx->tok.text, sizeof(op));
		next(lx);
		if (!expr(lx, p + 1, &rhs, err, errlen) || !apply(op, lhs, rhs, &lhs, err, errlen))
			return false;
	}
	*out = lhs;
	return true;
}

static void evaluate(const char *src)
{
	struct lexer lx = { .p = src };
	char err[64];
	long v;

	err[0] = '\0';
	next(&lx);
	if (expr(&lx, 0, &v, err, sizeof(err)) && lx.tok.kind != T_END)
		snprintf(err, sizeof(err), "junk after the expression");
	if (err[0])
		printf("  %-28s error: %s\n", src, err);
	else
		printf("  %-28s = %ld (%#lx)\n", src, v, (unsigned long)v);
}

struct record {
	char name[12];
	int32_t qty;
	int64_t cents;
};

static const char table[] =
	"widget 12 199\ngizmo 3 2450\nsprocket 40 75\nflange 7 1200\n"
	"gadget 12 999\nbolt 500 4\nwasher 500 2\nbracket 9 310\n";

static int by_total(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	int64_t tx = x->qty * x->cents, ty = y->qty * y->cents;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(x->name, y->name);
}

static size_t parse_table(const char *text, struct record **out)
{
	size_t n = 0, cap = 4;
	struct record *r = malloc(cap * sizeof(*r));
	char line[64], *save, *f;

	while (r && *text) {
		size_t len = strcspn(text, "\n");

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (text[len] == '\n');
		if (n == cap) {
			struct record *bigger = malloc(2 * cap * sizeof(*r));

			if (!bigger)
				break;
			memcpy(bigger, r, cap * sizeof(*r));
			free(r);
			r = bigger;
			cap *= 2;
		}
		f = strtok_r(line, " ", &save);
		snprintf(r[n].name, sizeof(r[n].name), "%s", f ? f : "?");
		r[n].qty = (int32_t)strtol((f = strtok_r(NULL, " ", &save)) ? f : "0", NULL, 10);
		r[n].cents = strtol((f = strtok_r(NULL, " ", &save)) ? f : "0", NULL, 10);
		n++;
	}
	*out = r;
	return n;
}

int main(int argc, char **argv)
{
	static const char *const exprs[] = {
		"1 + 2 * 3", "(1 + 2) * 3", "pages * cpus - heap / 16", "1 << 20 | 0x3ff",
		"-ticks % 7 + 100", "heap / (cpus - 4)", "2 * (3 + ", "pages & ~1",
	};
	struct record *recs;
	size_t n;
	int64_t sum = 0;

	printf("expressions:\n");
	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++)
		evaluate(exprs[i]);
	for (int i = 1; i < argc; i++)
		evaluate(argv[i]);
	n = parse_table(table, &recs);
	if (!recs)
		return 1;
	qsort(recs, n, sizeof(*recs), by_total);
	printf("records by total:\n");
	for (size_t i = 0; i < n; i++) {
		int64_t t = recs[i].qty * recs[i].cents;

		sum += t;
		printf("  %-10s %4d x %5ld.%02ld = %7ld.%02ld\n", recs[i].name, (int)recs[i].qty,
		       (long)(recs[i].cents / 100), (long)(recs[i].cents % 100),
		       (long)(t / 100), (long)(t % 100));
	}
	printf("  %-10s %29ld.%02ld\n", "total", (long)(sum / 100), (long)(sum % 100));
	free(recs);
	return (int)(n & 0x7f);
}
