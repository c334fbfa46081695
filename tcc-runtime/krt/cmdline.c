/*
 * cmdline.c - the kernel command line, applied to option tables.
 *
 * Three layers: cmdline_check() refuses a malformed table before anything
 * is parsed; cmdline_token() cuts the next "key[=value]" off the string
 * (stopping at the NUL whatever the quoting), and cmdline_set() checks that
 * token against its option and only then writes the destination.  Every
 * problem is one message to the warn callback and the token is skipped, so a
 * bad option never leaves a half-written value and never stops the boot.
 * kr_cmdline_apply() (karyon/cmdline.h) is this on the kernel's command
 * line, for the core's options and every module's "module.key" ones.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <karyon/err.h>
#include <karyon/module.h>	/* kr_cmdline */
#include <krt/cmdline.h>
#include <krt/fmt.h>
#include <krt/string.h>

struct cmdline_tok {
	const char *key, *val;
	size_t klen, vlen;
	bool has_val;
	const char *bad;	/* quoting problem, as message text; NULL if none */
};

struct cmdline_run {
	kr_print_fn warn;
	void *ctx;
};

/* "%.*s" arguments for a key or value, cut short so the reason still fits the message. */
#define CMDLINE_SHOW(p, n) (int)((n) < 48 ? (n) : 48), (p)
#define KEY(t) CMDLINE_SHOW((t)->key, (t)->klen)
#define VAL(t) CMDLINE_SHOW((t)->val, (t)->vlen)

static bool cmdline_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Returns 1: the number of problems it reported. */
static int __attribute__((format(printf, 2, 3)))
cmdline_problem(const struct cmdline_run *r, const char *f, ...)
{
	char msg[200];
	va_list ap;

	if (r->warn) {
		va_start(ap, f);
		kvsnprintf(msg, sizeof(msg), f, ap);
		va_end(ap);
		/* One line, as cmdline.h promises: a quoted value may hold a
		 * newline or a terminal's escape; they show as '?'. */
		for (char *c = msg; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		r->warn(r->ctx, msg);
	}
	return 1;
}

/* s is at a non-blank; returns where the scan stopped (a blank or the NUL). */
static const char *cmdline_token(const char *s, struct cmdline_tok *t)
{
	*t = (struct cmdline_tok){ .key = s };
	while (*s && !cmdline_blank(*s) && *s != '=')
		s++;
	t->klen = s - t->key;
	t->has_val = *s == '=';
	if (!t->has_val)
		return s;
	if (*++s != '"') {
		for (t->val = s; *s && !cmdline_blank(*s); s++)
			;
		t->vlen = s - t->val;
		return s;
	}
	for (t->val = ++s; *s && *s != '"'; s++)
		;
	t->vlen = s - t->val;
	if (!*s) {
		t->bad = "unterminated quote, rest of line ignored";
		return s;
	}
	if (*++s && !cmdline_blank(*s)) {
		t->bad = "text after closing quote; ignored";
		while (*s && !cmdline_blank(*s))
			s++;
	}
	return s;
}

/* Decimal or 0x hex; KR_EINVAL for anything else, KR_ERANGE past 64 bits. */
static kr_err_t cmdline_u64(const char *p, size_t n, uint64_t *out)
{
	unsigned int base = 10;
	bool overflow = false;
	uint64_t v = 0;

	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		n -= 2;
	}
	if (!n)
		return KR_EINVAL;
	for (; n; n--, p++) {
		char lc = *p | 0x20;	/* ASCII lower case */
		unsigned int d = *p >= '0' && *p <= '9' ? (unsigned int)(*p - '0')
			       : lc >= 'a' && lc <= 'f' ? (unsigned int)(lc - 'a' + 10) : 16;

		if (d >= base)
			return KR_EINVAL;
		/* Keep scanning after an overflow: garbage later still makes it "not a number". */
		if (v > (UINT64_MAX - d) / base)
			overflow = true;
		else
			v = v * base + d;
	}
	*out = v;
	return overflow ? KR_ERANGE : KR_OK;
}

static int cmdline_set(const struct cmdline_run *r, const struct kr_cmdline_opt *o,
		       const struct cmdline_tok *t)
{
	char list[120];
	size_t i, pos = 0;
	uint64_t v;
	kr_err_t err;

	if (!o)
		return cmdline_problem(r, "cmdline: unknown option '%.*s' ignored", KEY(t));
	if (o->type == KR_CMDLINE_FLAG) {
		if (t->has_val)
			return cmdline_problem(r, "cmdline: option '%.*s' is a flag and takes no value; ignored",
					       KEY(t));
		*(bool *)o->dst = true;
		return 0;
	}
	if (!t->has_val)
		return cmdline_problem(r, "cmdline: option '%.*s' needs a value; ignored", KEY(t));
	if (o->type == KR_CMDLINE_UINT) {
		err = cmdline_u64(t->val, t->vlen, &v);
		if (err == KR_EINVAL)
			return cmdline_problem(r, "cmdline: option '%.*s': '%.*s' is not a number; ignored",
					       KEY(t), VAL(t));
		if (err || v < o->min || v > o->max)
			return cmdline_problem(r, "cmdline: option '%.*s': %.*s is out of range [%llu, %llu]; ignored",
					       KEY(t), VAL(t), (unsigned long long)o->min,
					       (unsigned long long)o->max);
		*(uint64_t *)o->dst = v;
		return 0;
	}
	if (o->type == KR_CMDLINE_STR) {
		if (t->vlen >= o->dst_size)
			return cmdline_problem(r, "cmdline: option '%.*s': value too long (max %zu characters); ignored",
					       KEY(t), (size_t)o->dst_size - 1);
		memcpy(o->dst, t->val, t->vlen);
		((char *)o->dst)[t->vlen] = '\0';
		return 0;
	}
	/* KR_CMDLINE_ENUM */
	for (i = 0; o->choices[i]; i++) {
		if (!strncmp(o->choices[i], t->val, t->vlen) && !o->choices[i][t->vlen]) {
			*(unsigned int *)o->dst = i;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; o->choices[i] && pos < sizeof(list); i++)
		pos += ksnprintf(list + pos, sizeof(list) - pos, "%s%s", i ? ", " : "", o->choices[i]);
	return cmdline_problem(r, "cmdline: option '%.*s': '%.*s' is not one of: %s; ignored",
			       KEY(t), VAL(t), list);
}

/* Decode before invoking: a table a module got wrong is refused whole. */
static bool cmdline_check(const struct kr_cmdline_opt *opts, size_t nopts)
{
	for (size_t i = 0; i < nopts; i++) {
		const struct kr_cmdline_opt *o = &opts[i];

		if (o->magic != KR_CMDLINE_OPT_MAGIC || o->version != KR_CMDLINE_OPT_VERSION ||
		    !o->key || !o->dst || o->type > KR_CMDLINE_ENUM ||
		    (o->type == KR_CMDLINE_STR && !o->dst_size) ||
		    (o->type == KR_CMDLINE_ENUM && !o->choices))
			return false;
	}
	return true;
}

/* Cut "prefix." off t's key; false if the token is not one of prefix's options. */
static bool cmdline_strip(struct cmdline_tok *t, const char *prefix, size_t plen,
			  const char **key, size_t *klen)
{
	if (!plen) {	/* the core's: "module.key" is left to the module */
		for (size_t k = 0; k < t->klen; k++)
			if (t->key[k] == '.')
				return false;
		*key = t->key;
		*klen = t->klen;
		return true;
	}
	if (t->klen <= plen || strncmp(t->key, prefix, plen) || t->key[plen] != '.')
		return false;
	*key = t->key + plen + 1;
	*klen = t->klen - plen - 1;
	return true;
}

int cmdline_apply(const char *s, const char *prefix, const struct kr_cmdline_opt *opts,
		  size_t nopts, kr_print_fn warn, void *ctx)
{
	const struct cmdline_run r = { warn, ctx };
	size_t plen = prefix ? strlen(prefix) : 0;
	int problems = 0;

	if (!cmdline_check(opts, nopts))
		return KR_EINVAL;
	while (s && *s) {
		const struct kr_cmdline_opt *o = NULL;
		struct cmdline_tok t;
		const char *key;
		size_t i, klen;

		if (cmdline_blank(*s)) {
			s++;
			continue;
		}
		s = cmdline_token(s, &t);
		if (!cmdline_strip(&t, prefix, plen, &key, &klen))
			continue;
		if (t.bad) {
			problems += cmdline_problem(&r, "cmdline: option '%.*s': %s", KEY(&t), t.bad);
			continue;
		}
		for (i = 0; i < nopts && !o; i++)
			if (!strncmp(opts[i].key, key, klen) && !opts[i].key[klen])
				o = &opts[i];
		problems += cmdline_set(&r, o, &t);
	}
	return problems;
}

int kr_cmdline_apply(const char *prefix, const struct kr_cmdline_opt *opts, size_t n,
		     kr_print_fn warn, void *ctx)
{
	return cmdline_apply(kr_cmdline(), prefix, opts, n, warn, ctx);
}
