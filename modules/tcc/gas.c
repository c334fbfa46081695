/*
 * gas.c - the metering pass (gas.h), in three layers:
 *   1. tokens: the preprocessed text cut into C tokens (strings, character
 *      constants, comments and directive lines kept whole), each knowing its
 *      user line from the `# N "file"` markers; directive lines are checked
 *      here (only markers and `#pragma pack` may reach the compiler);
 *   2. checks: inline assembly, reserved names, section attributes;
 *   3. structure: at file scope, function bodies; inside them, loops
 *      (found by keyword, wherever they are, even in statement
 *      expressions), do-while tails (by a small statement parser) and
 *      gotos, each recording where its charge goes; then the weights, and
 *      the text written out with the charges inserted beside the tokens.
 */
#include <stdbool.h>
#include <stdint.h>
#include <karyon/libc.h>
#include "gas.h"

void *realloc(void *p, size_t n);
void free(void *p);

#define FILES_MAX 64

enum kind { K_IDENT, K_NUM, K_STR, K_PUNCT };

struct tok {
	uint32_t off, len, line;
	uint16_t file;
	uint8_t kind;
	uint8_t blank;                  /* written out as spaces */
};

/* What goes where: text before byte off (after earlier insertions there). */
enum what { I_OPEN, I_CLOSE, I_EMPTY, I_ENTRY, I_GOTO, I_GOTO_END };

struct ins {
	uint32_t off, seq;
	uint32_t weight;                /* a weight, or (unit | UNIT_REF): that unit's */
	uint8_t what;
};
#define UNIT_REF 0x80000000u

/* A loop or function body: its weight comes from its own tokens. */
struct unit {
	uint32_t start, end;            /* token range it guards */
	uint32_t body_start, body_end;  /* what a parent does not pay for */
	int64_t own;
};

struct gas {
	const char *src;
	size_t len;
	struct tok *t;
	uint32_t *match;                /* the other bracket's index */
	uint32_t *tail;                 /* at a do's `while`: 1 + the do's unit */
	uint32_t n, cap;
	struct ins *ins;
	uint32_t nins, capins;
	struct unit *u;
	uint32_t nu, capu;
	struct { uint32_t off, len; } files[FILES_MAX];
	uint16_t nfiles, file;
	uint32_t line;
	char *err;
	size_t errlen;
	kr_err_t e;
	unsigned flags;                 /* GAS_CONTRACT */
};

static kr_err_t fail(struct gas *g, uint32_t line, const char *what)
{
	if (g->e)
		return g->e;
	ksnprintf(g->err, g->errlen, "%.*s:%u: error: %s", (int)g->files[g->file].len,
		  g->src + g->files[g->file].off, line, what);
	return g->e = KR_EFORMAT;
}

static kr_err_t fail_at(struct gas *g, uint32_t i, const char *what)
{
	if (i >= g->n)
		i = g->n ? g->n - 1 : 0;
	if (g->n)
		g->file = g->t[i].file;
	return fail(g, g->n ? g->t[i].line : g->line, what);
}

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t c = *cap ? *cap : 256;
	void *q;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	q = realloc(*p, (size_t)c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

/* ---- 1. tokens ---- */

static bool ident_ch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$';
}

static const char *const puncts3[] = { "...", "<<=", ">>=" };
static const char *const puncts2[] = { "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=",
				       "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=",
				       "|=", "##" };

static size_t punct_len(const char *s, size_t left)
{
	if (left < 2 || !strchr(".<>-+&|*/%=!^#", s[0]))
		return 1;
	for (size_t i = 0; left >= 3 && i < sizeof(puncts3) / sizeof(puncts3[0]); i++)
		if (!memcmp(s, puncts3[i], 3))
			return 3;
	for (size_t i = 0; left >= 2 && i < sizeof(puncts2) / sizeof(puncts2[0]); i++)
		if (!memcmp(s, puncts2[i], 2))
			return 2;
	return 1;
}

/* Is token i the keyword or punctuator s (a literal: its length is known)? */
#define tok_is(g, i, s) tok_eq(g, i, s, sizeof(s) - 1)

static bool tok_eq(const struct gas *g, uint32_t i, const char *s, uint32_t n)
{
	return i < g->n && g->t[i].len == n && g->src[g->t[i].off] == s[0] &&
	       !memcmp(g->src + g->t[i].off, s, n) && g->t[i].kind != K_STR;
}

static kr_err_t add_tok(struct gas *g, size_t off, size_t len, enum kind k)
{
	if (!grow((void **)&g->t, &g->cap, g->n + 1, sizeof(*g->t)))
		return g->e = KR_ENOMEM;
	g->t[g->n++] = (struct tok){ (uint32_t)off, (uint32_t)len, g->line, g->file,
				     (uint8_t)k, 0 };
	return KR_OK;
}

/* A directive line [p, end): a line marker sets the line and file; `#pragma
 * pack` stays; any other pragma is blanked (ignored, as a compiler does
 * with one it does not know: some could set compiler options); anything
 * else was made by a macro (`HASH define ...`) and is refused. */
static kr_err_t directive(struct gas *g, size_t p, size_t end, char *text)
{
	const char *s = g->src;
	size_t q;

	for (p++; p < end && (s[p] == ' ' || s[p] == '\t'); p++)
		;
	if (p == end)
		return KR_OK;
	if (s[p] >= '0' && s[p] <= '9') {
		uint32_t line = 0;

		for (; p < end && s[p] >= '0' && s[p] <= '9'; p++)
			line = line * 10 + (uint32_t)(s[p] - '0');
		for (; p < end && s[p] == ' '; p++)
			;
		if (p < end && s[p] == '"') {
			for (q = p + 1; q < end && s[q] != '"'; q++)
				q += s[q] == '\\';
			if (g->nfiles < FILES_MAX) {
				g->files[g->nfiles].off = (uint32_t)p + 1;
				g->files[g->nfiles].len = (uint32_t)(q - p - 1);
				g->file = g->nfiles++;
			}
		}
		g->line = line - 1;     /* the newline that ends the marker counts */
		return KR_OK;
	}
	for (q = p; q < end && ident_ch(s[q]); q++)
		;
	if (q - p == 6 && !memcmp(s + p, "pragma", 6)) {
		for (; q < end && (s[q] == ' ' || s[q] == '\t'); q++)
			;
		if (!(end - q >= 4 && !memcmp(s + q, "pack", 4) && (end - q == 4 ||
							      !ident_ch(s[q + 4]))))
			for (size_t i = p; i < end; i++)
				text[i] = s[i] == '\n' ? '\n' : ' ';
		return KR_OK;
	}
	return fail(g, g->line, "a preprocessing directive made by a macro is not allowed in a "
		    "metered handler");
}

/* Cut src into g->t.  text is a copy of src whose blanked parts (pragmas)
 * are spaces. */
static kr_err_t tokenize(struct gas *g, char *text)
{
	const char *s = g->src;
	size_t i = 0, n = g->len, st;
	bool line_start = true;

	g->line = 1;
	while (i < n && !g->e) {
		char c = s[i];

		if (c == '\n') {
			g->line++;
			line_start = true;
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
		} else if (c == '\\' && i + 1 < n && s[i + 1] == '\n') {
			g->line++;
			i += 2;
		} else if (c == '#' && line_start) {
			for (st = i; i < n && s[i] != '\n'; i++)
				if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n')
					i++;
			directive(g, st, i, text);
		} else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			for (i += 2; i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'); i++)
				g->line += s[i] == '\n';
			if (i + 1 >= n)
				return fail(g, g->line, "unterminated comment");
			i += 2;
		} else if (c == '/' && i + 1 < n && s[i + 1] == '/') {
			while (i < n && s[i] != '\n')
				i++;
		} else {
			line_start = false;
			st = i;
			if (c == '"' || c == '\'') {
				for (i++; i < n && s[i] != c && s[i] != '\n'; i++)
					i += s[i] == '\\' && i + 1 < n && s[i + 1] != '\n';
				if (i >= n || s[i] != c)
					return fail(g, g->line, c == '"' ? "unterminated string" :
						    "unterminated character constant");
				add_tok(g, st, ++i - st, K_STR);
			} else if (ident_ch(c) && !(c >= '0' && c <= '9')) {
				while (i < n && ident_ch(s[i]))
					i++;
				add_tok(g, st, i - st, K_IDENT);
			} else if ((c >= '0' && c <= '9') ||
				   (c == '.' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')) {
				for (i++; i < n && (ident_ch(s[i]) || s[i] == '.' ||
						    ((s[i] == '+' || s[i] == '-') &&
						     s[i - 1] && strchr("eEpP", s[i - 1]))); i++)
					;
				add_tok(g, st, i - st, K_NUM);
			} else {
				i += punct_len(s + i, n - i);
				add_tok(g, st, i - st, K_PUNCT);
			}
		}
	}
	return g->e;
}

/* Every bracket's partner, or the error at the one without. */
static kr_err_t brackets(struct gas *g)
{
	uint32_t *stack = NULL, depth = 0, cap = 0;

	g->match = realloc(NULL, ((size_t)g->n + 1) * sizeof(uint32_t));
	g->tail = realloc(NULL, ((size_t)g->n + 1) * sizeof(uint32_t));
	if (!g->match || !g->tail)
		return g->e = KR_ENOMEM;
	g->match[g->n] = g->n;
	g->tail[g->n] = 0;
	for (uint32_t i = 0; i < g->n; i++) {
		char c = g->t[i].kind == K_PUNCT && g->t[i].len == 1 ? g->src[g->t[i].off] : 0;

		g->match[i] = g->n;
		g->tail[i] = 0;
		if (c == '(' || c == '[' || c == '{') {
			if (!grow((void **)&stack, &cap, depth + 1, sizeof(*stack))) {
				free(stack);
				return g->e = KR_ENOMEM;
			}
			stack[depth++] = i;
		} else if (c == ')' || c == ']' || c == '}') {
			char o = c == ')' ? '(' : c == ']' ? '[' : '{';

			if (!depth || g->src[g->t[stack[depth - 1]].off] != o) {
				free(stack);
				return fail_at(g, i, "unbalanced brackets");
			}
			g->match[i] = stack[--depth];
			g->match[stack[depth]] = i;
		}
	}
	if (depth)
		fail_at(g, stack[depth - 1], "unbalanced brackets");
	free(stack);
	return g->e;
}

/* ---- 2. checks ---- */

/* A floating literal: a decimal number with a '.' or an exponent, or a
 * hexadecimal one with a binary exponent ('p'). */
static bool floating(const struct gas *g, uint32_t i)
{
	const char *s = g->src + g->t[i].off;
	uint32_t n = g->t[i].len;
	bool hex = n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

	for (uint32_t k = hex ? 2 : 0; k < n; k++)
		if (s[k] == '.' || (hex ? s[k] == 'p' || s[k] == 'P' : s[k] == 'e' || s[k] == 'E'))
			return true;
	return false;
}

static kr_err_t checks(struct gas *g)
{
	bool contract = g->flags & GAS_CONTRACT;

	for (uint32_t i = 0; i < g->n && !g->e; i++) {
		const char *s = g->src + g->t[i].off;

		/* A contract computes with integers only: float rounding and
		 * conversion helpers could differ between machines. */
		if (contract && ((g->t[i].kind == K_NUM && floating(g, i)) ||
				 tok_is(g, i, "float") || tok_is(g, i, "double")))
			return fail_at(g, i, "floating point is not allowed in a contract");
		if (g->t[i].kind != K_IDENT)
			continue;
		/* TinyCC predefines __REDIRECT* as asm labels: an #undef in pass 1
		 * would let pass 2 expand them. */
		if (tok_is(g, i, "asm") || tok_is(g, i, "__asm") || tok_is(g, i, "__asm__") ||
		    tok_is(g, i, "__REDIRECT") || tok_is(g, i, "__REDIRECT_NTH"))
			return fail_at(g, i, contract ? "inline assembly is not allowed in a "
				       "contract" : "inline assembly is not allowed in a metered "
				       "handler (cc --no-gas compiles it unmetered)");
		if (g->t[i].len >= 12 && !memcmp(s, "__karyon_gas", 12))
			return fail_at(g, i, "__karyon_gas... names are reserved for metering");
		if ((tok_is(g, i, "__attribute__") || tok_is(g, i, "__attribute") ||
		     tok_is(g, i, "__declspec")) && tok_is(g, i + 1, "(")) {
			for (uint32_t j = i + 2; j < g->match[i + 1]; j++)
				if (tok_is(g, j, "section") || tok_is(g, j, "__section__"))
					return fail_at(g, j, contract ? "a section attribute is "
						       "not allowed in a contract" : "a section "
						       "attribute is not allowed in a metered handler");
		}
		/* _Pragma("pack(...)") stays; others are blanked, as #pragma is. */
		if (tok_is(g, i, "_Pragma") && tok_is(g, i + 1, "(") && g->match[i + 1] == i + 3 &&
		    g->t[i + 2].kind == K_STR) {
			if (g->t[i + 2].len < 5 || memcmp(g->src + g->t[i + 2].off + 1, "pack", 4))
				for (uint32_t j = i; j <= i + 3; j++)
					g->t[j].blank = 1;
		} else if (tok_is(g, i, "_Pragma")) {
			return fail_at(g, i, "_Pragma takes one string");
		}
	}
	return g->e;
}

/* ---- 3. structure ---- */

static void insert(struct gas *g, uint32_t off, enum what w, uint32_t weight)
{
	uint32_t k;

	if (g->e || !grow((void **)&g->ins, &g->capins, g->nins + 1, sizeof(*g->ins))) {
		g->e = g->e ? g->e : KR_ENOMEM;
		return;
	}
	/* Kept sorted by offset, then order of insertion: mostly appends. */
	for (k = g->nins; k && g->ins[k - 1].off > off; k--)
		g->ins[k] = g->ins[k - 1];
	g->ins[k] = (struct ins){ off, g->nins, weight, (uint8_t)w };
	g->nins++;
}

static uint32_t after(const struct gas *g, uint32_t i)
{
	return g->t[i].off + g->t[i].len;
}

static uint32_t new_unit(struct gas *g, uint32_t start, uint32_t end, uint32_t bs, uint32_t be)
{
	if (!grow((void **)&g->u, &g->capu, g->nu + 1, sizeof(*g->u))) {
		g->e = KR_ENOMEM;
		return 0;
	}
	g->u[g->nu] = (struct unit){ start, end, bs, be, (int64_t)end - start };
	return g->nu++;
}

/* The index after the statement that starts at i (lim: its block's end). */
static uint32_t stmt_end(struct gas *g, uint32_t i, uint32_t lim, unsigned depth)
{
	uint32_t j;

	if (g->e)
		return lim;
	if (depth > GAS_DEPTH_MAX) {
		fail_at(g, i, "statements nested too deeply to meter");
		return lim;
	}
	if (i >= lim) {
		fail_at(g, i, "a statement is missing");
		return lim;
	}
	if (tok_is(g, i, "{"))
		return g->match[i] + 1;
	if (tok_is(g, i, "if") || tok_is(g, i, "for") || tok_is(g, i, "while") ||
	    tok_is(g, i, "switch")) {
		if (!tok_is(g, i + 1, "(") || g->match[i + 1] >= lim) {
			fail_at(g, i, "expected ( after a keyword");
			return lim;
		}
		j = stmt_end(g, g->match[i + 1] + 1, lim, depth + 1);
		if (tok_is(g, i, "if") && j < lim && tok_is(g, j, "else"))
			j = stmt_end(g, j + 1, lim, depth + 1);
		return j;
	}
	if (tok_is(g, i, "do")) {
		j = stmt_end(g, i + 1, lim, depth + 1);
		if (!tok_is(g, j, "while") || !tok_is(g, j + 1, "(") || g->match[j + 1] >= lim ||
		    !tok_is(g, g->match[j + 1] + 1, ";")) {
			fail_at(g, j, "expected while (...); after do");
			return lim;
		}
		return g->match[j + 1] + 2;
	}
	if ((g->t[i].kind == K_IDENT && tok_is(g, i + 1, ":") && !tok_is(g, i, "default")) ||
	    tok_is(g, i, "default"))
		return stmt_end(g, i + 2, lim, depth + 1);
	j = i;
	if (tok_is(g, i, "case"))
		while (j < lim && !tok_is(g, j, ":"))
			j = tok_is(g, j, "(") || tok_is(g, j, "[") || tok_is(g, j, "{") ?
			    g->match[j] + 1 : j + 1;
	if (j > i)
		return stmt_end(g, j + 1, lim, depth + 1);
	while (j < lim && !tok_is(g, j, ";"))
		j = tok_is(g, j, "(") || tok_is(g, j, "[") || tok_is(g, j, "{") ? g->match[j] + 1 :
		    j + 1;
	if (j >= lim)
		fail_at(g, i, "expected ; at the end of a statement");
	return j + 1;
}

/* A loop condition: charge, then the condition, in its parentheses. */
static void cond(struct gas *g, uint32_t open, uint32_t close, uint32_t unit)
{
	if (close == open + 1) {
		insert(g, after(g, open), I_EMPTY, unit | UNIT_REF);
		return;
	}
	insert(g, after(g, open), I_OPEN, unit | UNIT_REF);
	insert(g, g->t[close].off, I_CLOSE, 0);
}

static void loop(struct gas *g, uint32_t k, uint32_t lim)
{
	uint32_t p = k + 1, q, s1 = 0, s2 = 0, e, u;

	if (g->tail[k]) {               /* a do's while: the do's unit */
		cond(g, p, g->match[p], g->tail[k] - 1);
		return;
	}
	if (tok_is(g, k, "do")) {
		e = stmt_end(g, k + 1, lim, 0);
		if (!g->e && (!tok_is(g, e, "while") || !tok_is(g, e + 1, "(") ||
			      g->match[e + 1] >= lim))
			fail_at(g, e, "expected while (...); after do");
		if (g->e)
			return;
		u = new_unit(g, k, g->match[e + 1] + 2, k + 1, e);
		g->tail[e] = u + 1;
		return;
	}
	if (!tok_is(g, p, "(") || g->match[p] >= lim) {
		fail_at(g, k, "expected ( after a loop keyword");
		return;
	}
	q = g->match[p];
	e = stmt_end(g, q + 1, lim, 0);
	if (g->e)
		return;
	u = new_unit(g, k, e, q + 1, e);
	if (tok_is(g, k, "while")) {
		cond(g, p, q, u);
		return;
	}
	for (uint32_t j = p + 1; j < q; j = g->match[j] < g->n && j < g->match[j] &&
	     !tok_is(g, j, ")") ? g->match[j] + 1 : j + 1) {
		if (tok_is(g, j, ";")) {
			if (!s1)
				s1 = j;
			else if (!s2)
				s2 = j;
		}
	}
	if (!s1 || !s2) {
		fail_at(g, k, "expected for (init; condition; step)");
		return;
	}
	cond(g, s1, s2, u);
}

/* Is token j the ':' of a label named like token name, at a statement's
 * start?  (j >= 2) */
static bool is_label(const struct gas *g, uint32_t j, uint32_t name)
{
	const struct tok *a = &g->t[j - 1], *b = &g->t[name];

	if (!tok_is(g, j, ":") || a->kind != K_IDENT || a->len != b->len ||
	    memcmp(g->src + a->off, g->src + b->off, b->len))
		return false;
	return tok_is(g, j - 2, ";") || tok_is(g, j - 2, "{") || tok_is(g, j - 2, "}") ||
	       tok_is(g, j - 2, ":") || tok_is(g, j - 2, ")") || tok_is(g, j - 2, "else");
}

/* goto L; (or goto *p;) becomes { charge; goto ...; }. */
static void go(struct gas *g, uint32_t k, uint32_t fopen, uint32_t fclose)
{
	uint32_t e = k, w = 1;

	while (e < fclose && !tok_is(g, e, ";"))
		e = tok_is(g, e, "(") || tok_is(g, e, "[") ? g->match[e] + 1 : e + 1;
	if (e >= fclose) {
		fail_at(g, k, "expected ; after goto");
		return;
	}
	if (tok_is(g, k + 1, "*")) {
		w = 1 + (fclose - fopen) / GAS_TOKENS_PER_GAS;
	} else {
		for (uint32_t j = fopen + 2; j < k; j++)
			if (is_label(g, j, k + 1))
				w = 1 + (k - (j - 1)) / GAS_TOKENS_PER_GAS;
	}
	insert(g, g->t[k].off, I_GOTO, w > GAS_WEIGHT_MAX ? GAS_WEIGHT_MAX : w);
	insert(g, after(g, e), I_GOTO_END, 0);
}

/* A function body {open .. close}: its entry charge, its loops, gotos. */
static void body(struct gas *g, uint32_t open, uint32_t close)
{
	uint32_t first = g->nu, f = new_unit(g, open, close + 1, open, open);

	insert(g, after(g, open), I_ENTRY, f | UNIT_REF);
	for (uint32_t k = open + 1; k < close && !g->e; k++) {
		if (g->t[k].kind != K_IDENT)
			continue;
		if (tok_is(g, k, "for") || tok_is(g, k, "while") || tok_is(g, k, "do"))
			loop(g, k, close);
		else if (tok_is(g, k, "goto"))
			go(g, k, open, close);
	}
	/* Each loop's parent (the innermost unit around it) does not pay for
	 * the loop's body.  Units are in order of their start. */
	for (uint32_t i = first + 1; i < g->nu && !g->e; i++) {
		uint32_t p = i - 1;

		while (p > first && g->u[p].end <= g->u[i].start)
			p--;
		while (p > first && !(g->u[p].start < g->u[i].start && g->u[i].start < g->u[p].end))
			p--;
		g->u[p].own -= (int64_t)g->u[i].body_end - g->u[i].body_start;
	}
}

/* At file scope: which { opens a function body.  Not an initializer, not a
 * struct, union or enum; after the parameters' ) (past any attributes), or
 * after a K&R parameter declaration's ;. */
static bool function_body(struct gas *g, uint32_t i)
{
	uint32_t j = i - 1;

	while (i && tok_is(g, j, ")") && g->match[j] >= 2 && g->match[j] < j &&
	       (tok_is(g, g->match[j] - 1, "__attribute__") ||
		tok_is(g, g->match[j] - 1, "__attribute")))
		j = g->match[j] - 2;
	return i && j < i && (tok_is(g, j, ")") || tok_is(g, j, ";"));
}

static void file_scope(struct gas *g)
{
	bool init = false;

	for (uint32_t i = 0; i < g->n && !g->e; i++) {
		if (tok_is(g, i, "(") || tok_is(g, i, "[")) {
			i = g->match[i];
		} else if (tok_is(g, i, "{")) {
			if (!init && function_body(g, i))
				body(g, i, g->match[i]);
			i = g->match[i];
		} else if (tok_is(g, i, "=")) {
			init = true;
		} else if (tok_is(g, i, ";") || tok_is(g, i, ",")) {
			init = false;
		}
	}
}

/* ---- writing it out ---- */

#define CHARGE "__asm__ volatile(\"subq $%u,__karyon_gas\\n\\t.byte 0x79,5\\n\\t" \
	       "call __karyon_gas_out\")"

static int ins_text(const struct gas *g, const struct ins *in, char *buf, size_t len)
{
	uint64_t w = in->weight;

	if (w & UNIT_REF) {
		const struct unit *u = &g->u[w & ~UNIT_REF];

		w = 1 + (uint64_t)(u->own > 0 ? u->own : 0) / GAS_TOKENS_PER_GAS;
	}
	if (w > GAS_WEIGHT_MAX)
		w = GAS_WEIGHT_MAX;
	switch (in->what) {
	case I_OPEN:
		return ksnprintf(buf, len, "({" CHARGE ";}), (", (unsigned)w);
	case I_CLOSE:
		return ksnprintf(buf, len, ")");
	case I_EMPTY:
		return ksnprintf(buf, len, "({" CHARGE ";}), 1", (unsigned)w);
	case I_ENTRY:
		return ksnprintf(buf, len, CHARGE ";", (unsigned)w);
	case I_GOTO:
		return ksnprintf(buf, len, "{ " CHARGE "; ", (unsigned)w);
	default:
		return ksnprintf(buf, len, " }");
	}
}

static kr_err_t write_out(struct gas *g, char *text, struct gas_result *res)
{
	char buf[160];
	size_t need = g->len + 1, at = 0, o = 0;
	uint32_t k = 0;
	char *out;

	for (uint32_t i = 0; i < g->nins; i++)
		need += (size_t)ins_text(g, &g->ins[i], buf, sizeof(buf));
	for (uint32_t i = 0; i < g->n; i++)
		if (g->t[i].blank)
			memset(text + g->t[i].off, ' ', g->t[i].len);
	out = realloc(NULL, need);
	if (!out)
		return g->e = KR_ENOMEM;
	for (; k <= g->nins; k++) {
		size_t upto = k < g->nins ? g->ins[k].off : g->len;

		memcpy(out + o, text + at, upto - at);
		o += upto - at;
		at = upto;
		if (k < g->nins)
			o += (size_t)ins_text(g, &g->ins[k], out + o, need - o);
	}
	out[o] = '\0';
	res->text = out;
	res->len = o;
	res->charges = 0;
	for (uint32_t i = 0; i < g->nins; i++)
		res->charges += g->ins[i].what != I_CLOSE && g->ins[i].what != I_GOTO_END;
	return KR_OK;
}

kr_err_t gas_instrument(const char *src, size_t len, struct gas_result *res, char *err,
			size_t errlen)
{
	return gas_instrument_mode(src, len, 0, res, err, errlen);
}

kr_err_t gas_instrument_mode(const char *src, size_t len, unsigned flags,
			     struct gas_result *res, char *err, size_t errlen)
{
	struct gas g = { .src = src, .len = len, .err = err, .errlen = errlen, .nfiles = 1,
			 .flags = flags };
	char *text;
	kr_err_t e;

	*res = (struct gas_result){ 0 };
	if (errlen)
		err[0] = '\0';
	g.files[0].off = 0;             /* "" until a line marker names the file */
	g.files[0].len = 0;
	if (len >= UINT32_MAX / 2)
		return KR_ERANGE;
	text = realloc(NULL, len + 1);
	if (!text)
		return KR_ENOMEM;
	memcpy(text, src, len);
	if (!tokenize(&g, text) && !brackets(&g) && !checks(&g))
		file_scope(&g);
	e = g.e ? g.e : write_out(&g, text, res);
	free(text);
	free(g.t);
	free(g.match);
	free(g.tail);
	free(g.ins);
	free(g.u);
	return e;
}
