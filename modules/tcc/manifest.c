/*
 * manifest.c - a handler's manifest (manifest.h): the event pattern check,
 * the "key=value; ..." parser, the coverage test between patterns, and the
 * one-line form `handlers` prints.
 *
 * Pure code (no kernel calls, no allocation): the parser works on slices
 * of the caller's text and copies only what it keeps, so nothing in it is
 * longer than the fixed fields of struct manifest.  Its error messages
 * quote the offending item, cut to QUOTE_MAX bytes with anything
 * unprintable shown as '?', so they stay one line.
 */
#include <karyon/libc.h>
#include "grants.h"
#include "manifest.h"

#define KIND_LEN   (KR_EVENT_KIND_MAX - 1)      /* 31 bytes of a kind */
#define QUOTE_MAX  40
#define GRANT_NAME_MAX 32
#define NONE       "(none)"             /* manifest_format's empty list */

/* ---- patterns ---------------------------------------------------------- */

static bool kind_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static int why_set(char *why, size_t whysz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int why_set(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	if (why && whysz) {
		va_start(ap, fmt);
		kvsnprintf(why, whysz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool graphic(char c)
{
	return c > ' ' && c < 0x7f;
}

/* c for a message: itself if printable, else '?' */
static char shown(char c)
{
	return graphic(c) ? c : '?';
}

static int path_check(const char *q, char *why, size_t whysz)
{
	const char *s;

	if (*q != '/')
		return why_set(why, whysz, "the path must start with '/'");
	for (s = q; *s; s++) {
		if (!graphic(*s))
			return why_set(why, whysz, "byte 0x%02x in the path", (unsigned char)*s);
		if (*s == '*')
			return why_set(why, whysz, "'*' in the path (a path covers what is under it)");
		if (*s != '/')
			continue;
		if (s[1] == '/')
			return why_set(why, whysz, "'//' in the path");
		if (s[1] == '.' && (s[2] == '/' || !s[2] || (s[2] == '.' && (s[3] == '/' || !s[3]))))
			return why_set(why, whysz, "a '.' or '..' in the path");
		if (!s[1] && s != q)
			return why_set(why, whysz, "the path ends in '/'");
	}
	return 0;
}

int event_pattern_check(const char *p, char *why, size_t whysz)
{
	size_t n, i;

	if (why && whysz)
		why[0] = '\0';
	if (!p)
		return why_set(why, whysz, "no pattern");
	n = strnlen(p, KR_EVENT_PATTERN_MAX);
	if (n == 0)
		return why_set(why, whysz, "empty");
	if (n >= KR_EVENT_PATTERN_MAX)
		return why_set(why, whysz, "longer than %d bytes", KR_EVENT_PATTERN_MAX - 1);
	for (i = 0; kind_char(p[i]); i++)
		;
	if (p[i] == '*') {
		if (i > KIND_LEN - 1)
			return why_set(why, whysz, "a prefix is at most %d bytes before '*'", KIND_LEN - 1);
		i++;
		if (p[i] && p[i] != ':')
			return why_set(why, whysz, "'*' must end the kind");
	} else {
		if (p[i] && p[i] != ':' && graphic(p[i]))
			return why_set(why, whysz, "'%c' in the kind (a-z, 0-9, '_', '.', '-')", p[i]);
		if (p[i] && p[i] != ':')
			return why_set(why, whysz, "byte 0x%02x in the kind", (unsigned char)p[i]);
		if (i == 0)
			return why_set(why, whysz, "no kind before ':'");
		if (i > KIND_LEN)
			return why_set(why, whysz, "the kind is longer than %d bytes", KIND_LEN);
	}
	return p[i] == ':' ? path_check(p + i + 1, why, whysz) : 0;
}

/* A valid pattern's parts: the kind (without the '*'), whether it is a
 * prefix, and the path (NULL if none). */
struct pat {
	const char *kind;
	size_t klen;
	bool prefix;
	const char *path;
};

static void pat_split(const char *p, struct pat *o)
{
	size_t i;

	for (i = 0; p[i] && p[i] != ':' && p[i] != '*'; i++)
		;
	o->kind = p;
	o->klen = i;
	o->prefix = p[i] == '*';
	if (o->prefix)
		i++;
	o->path = p[i] == ':' ? p + i + 1 : NULL;
}

bool event_pattern_covers(const char *mp, const char *sp)
{
	struct pat m, s;
	size_t n;

	if (event_pattern_check(mp, NULL, 0) || event_pattern_check(sp, NULL, 0))
		return false;
	pat_split(mp, &m);
	pat_split(sp, &s);
	/* kinds: an exact kind covers only itself (a prefix stands for many
	 * kinds, as it is at most 30 bytes); a prefix covers what extends it */
	if (m.prefix) {
		if (s.klen < m.klen || strncmp(s.kind, m.kind, m.klen))
			return false;
	} else if (s.prefix || s.klen != m.klen || strncmp(s.kind, m.kind, m.klen)) {
		return false;
	}
	/* paths: none is any path, "/" any path but none */
	if (!m.path)
		return true;
	if (!s.path)
		return false;
	if (!strcmp(m.path, "/"))
		return true;
	n = strlen(m.path);
	return !strncmp(s.path, m.path, n) && (s.path[n] == '\0' || s.path[n] == '/');
}

bool manifest_allows(const struct manifest *m, const char *sp)
{
	if (!m || !m->present)
		return false;
	for (unsigned i = 0; i < m->nevents && i < MANIFEST_EVENTS; i++)
		if (event_pattern_covers(m->events[i], sp))
			return true;
	return false;
}

bool manifest_sees(const struct manifest *m, const char *kind, const char *data)
{
	if (!m || !m->present || !kind)
		return false;
	for (unsigned i = 0; i < m->nevents && i < MANIFEST_EVENTS; i++)
		if (kr_event_match(m->events[i], kind, data ? data : ""))
			return true;
	return false;
}

/* ---- the parser -------------------------------------------------------- */

struct slice {
	const char *s;
	size_t n;
};

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static struct slice trim(struct slice x)
{
	while (x.n && space(x.s[0])) {
		x.s++;
		x.n--;
	}
	while (x.n && space(x.s[x.n - 1]))
		x.n--;
	return x;
}

static bool slice_is(struct slice x, const char *word)
{
	return strlen(word) == x.n && !strncmp(x.s, word, x.n);
}

/* Split *rest at the first sep: the part before it (trimmed) into *item,
 * what follows into *rest; *last when there was no sep. */
static void next_item(struct slice *rest, char sep, struct slice *item, bool *last)
{
	size_t i;

	for (i = 0; i < rest->n && rest->s[i] != sep; i++)
		;
	*item = trim((struct slice){ rest->s, i });
	*last = i == rest->n;
	rest->s += *last ? i : i + 1;
	rest->n -= *last ? i : i + 1;
}

/* x for a message, in q (QUOTE_MAX bytes, then "...") */
static const char *quote(struct slice x, char *q, size_t qsz)
{
	size_t i, n = x.n > QUOTE_MAX ? QUOTE_MAX : x.n;

	if (n > qsz - 4)
		n = qsz - 4;
	for (i = 0; i < n; i++)
		q[i] = x.s[i] == ' ' ? ' ' : shown(x.s[i]);
	if (n < x.n)
		q[i++] = '.', q[i++] = '.', q[i++] = '.';
	q[i] = '\0';
	return q;
}

struct perr {
	char *buf;
	size_t sz;
};

static int fail(struct perr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct perr *e, const char *fmt, ...)
{
	va_list ap;

	if (e->buf && e->sz) {
		va_start(ap, fmt);
		kvsnprintf(e->buf, e->sz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int parse_version(struct slice v, struct manifest *m, struct perr *e)
{
	char q[QUOTE_MAX + 4];
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < v.n && v.s[i] >= '0' && v.s[i] <= '9' && n <= UINT32_MAX; i++)
		n = n * 10 + (uint64_t)(v.s[i] - '0');
	if (!v.n || i < v.n || n == 0 || n > UINT32_MAX)
		return fail(e, "version: '%s' is not a number from 1 to 4294967295", quote(v, q, sizeof(q)));
	m->version = (uint32_t)n;
	return 0;
}

static int parse_events(struct slice v, struct manifest *m, struct perr *e)
{
	char q[QUOTE_MAX + 4], why[80];
	struct slice item;
	bool last = !v.n;

	while (!last) {
		next_item(&v, ',', &item, &last);
		if (!item.n)
			return fail(e, "events: an empty item in the list");
		if (m->nevents == MANIFEST_EVENTS)
			return fail(e, "events: more than %d patterns", MANIFEST_EVENTS);
		if (item.n >= KR_EVENT_PATTERN_MAX)
			return fail(e, "events: '%s' is not a pattern: longer than %d bytes",
				    quote(item, q, sizeof(q)), KR_EVENT_PATTERN_MAX - 1);
		memcpy(m->events[m->nevents], item.s, item.n);
		m->events[m->nevents][item.n] = '\0';
		if (event_pattern_check(m->events[m->nevents], why, sizeof(why)))
			return fail(e, "events: '%s' is not a pattern: %s", quote(item, q, sizeof(q)), why);
		m->nevents++;
	}
	return 0;
}

static int parse_grants(struct slice v, struct manifest *m, struct perr *e)
{
	char q[QUOTE_MAX + 4], name[GRANT_NAME_MAX];
	struct slice item;
	bool last = !v.n;

	while (!last) {
		next_item(&v, ',', &item, &last);
		if (!item.n)
			return fail(e, "grants: an empty item in the list");
		/* one name at a time: grant_parse would split it at a ',' */
		if (item.n >= sizeof(name))
			goto unknown;
		memcpy(name, item.s, item.n);
		name[item.n] = '\0';
		if (grant_parse(name, &m->grants, NULL, NULL) != KR_OK)
			goto unknown;
	}
	return 0;
unknown:
	return fail(e, "grants: unknown grant '%s' (console, vfs.read, vfs.write, time, "
		    "events.raise, parcel)", quote(item, q, sizeof(q)));
}

static int parse_contexts(struct slice v, struct manifest *m, struct perr *e)
{
	char q[QUOTE_MAX + 4];
	struct slice item;
	bool last = !v.n;

	if (!v.n)
		return fail(e, "contexts: empty (foreground, background or both)");
	while (!last) {
		next_item(&v, ',', &item, &last);
		if (slice_is(item, "foreground"))
			m->contexts |= MF_FOREGROUND;
		else if (slice_is(item, "background"))
			m->contexts |= MF_BACKGROUND;
		else if (!item.n)
			return fail(e, "contexts: an empty item in the list");
		else
			return fail(e, "contexts: unknown context '%s' (foreground, background)",
				    quote(item, q, sizeof(q)));
	}
	return 0;
}

static const struct field {
	const char *key;
	int (*parse)(struct slice v, struct manifest *m, struct perr *e);
} fields[] = {
	{ "version", parse_version },
	{ "events", parse_events },
	{ "grants", parse_grants },
	{ "contexts", parse_contexts },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static int parse(struct slice text, struct manifest *m, struct perr *e)
{
	char q[QUOTE_MAX + 4];
	struct slice f, key, val;
	unsigned seen = 0, k;
	bool last = false;
	size_t i;

	while (!last) {
		next_item(&text, ';', &f, &last);
		if (!f.n)
			continue;               /* ";;" and a trailing ';' */
		for (i = 0; i < f.n && f.s[i] != '='; i++)
			;
		if (i == f.n)
			return fail(e, "'%s' is not key=value", quote(f, q, sizeof(q)));
		key = trim((struct slice){ f.s, i });
		val = trim((struct slice){ f.s + i + 1, f.n - i - 1 });
		for (k = 0; k < NFIELDS && !slice_is(key, fields[k].key); k++)
			;
		if (k == NFIELDS)
			return fail(e, "unknown key '%s' (version, events, grants, contexts)",
				    quote(key, q, sizeof(q)));
		if (seen & (1u << k))
			return fail(e, "%s: given twice", fields[k].key);
		seen |= 1u << k;
		if (fields[k].parse(val, m, e))
			return -1;
	}
	if (!(seen & 1u))
		return fail(e, "version is missing");
	if (!(seen & 8u))
		return fail(e, "contexts is missing");
	return 0;
}

int manifest_parse(const char *text, size_t len, struct manifest *m, char *err, size_t errsz)
{
	struct perr e = { err, errsz };
	size_t n;
	int r;

	memset(m, 0, sizeof(*m));
	if (err && errsz)
		err[0] = '\0';
	if (!text)
		len = 0;
	/* a NUL ends the text; look no further than one byte past the limit */
	for (n = 0; n < len && n <= MANIFEST_TEXT_MAX && text[n]; n++)
		;
	if (n > MANIFEST_TEXT_MAX)
		r = fail(&e, "longer than %d bytes", MANIFEST_TEXT_MAX);
	else
		r = parse((struct slice){ text, n }, m, &e);
	if (r) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	m->present = true;
	return 0;
}

/* ---- the one-line form ------------------------------------------------- */

struct out {
	char *buf;
	size_t len, at;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (o->at + 1 >= o->len)
		return;
	va_start(ap, fmt);
	w = kvsnprintf(o->buf + o->at, o->len - o->at, fmt, ap);
	va_end(ap);
	o->at = w < 0 || (size_t)w >= o->len - o->at ? o->len - 1 : o->at + (size_t)w;
}

void manifest_format(const struct manifest *m, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	char grants[GRANT_COUNT * GRANT_NAME_MAX];
	unsigned i;

	if (!len)
		return;
	buf[0] = '\0';
	if (!m || !m->present) {
		put(&o, "no manifest");
		return;
	}
	put(&o, "version %u; events ", (unsigned)m->version);
	for (i = 0; i < m->nevents && i < MANIFEST_EVENTS; i++)
		put(&o, "%s%.*s", i ? ", " : "", KR_EVENT_PATTERN_MAX - 1, m->events[i]);
	/* "(none)", not grant_format's "-": "-" is a valid event kind */
	if (!i)
		put(&o, NONE);
	/* grant_format's "console,vfs.read" with the events' ", " */
	grant_format(m->grants, grants, sizeof(grants));
	put(&o, "; grants ");
	if (!strcmp(grants, "-"))
		put(&o, NONE);
	for (i = 0; grants[i] && strcmp(grants, "-"); i++)
		put(&o, "%s%c", grants[i] == ',' ? "," : "", grants[i] == ',' ? ' ' : grants[i]);
	put(&o, "; contexts %s%s%s", m->contexts & MF_FOREGROUND ? "foreground" : "",
	    (m->contexts & (MF_FOREGROUND | MF_BACKGROUND)) == (MF_FOREGROUND | MF_BACKGROUND) ? ", " : "",
	    m->contexts & MF_BACKGROUND ? "background" : "");
	if (!(m->contexts & (MF_FOREGROUND | MF_BACKGROUND)))
		put(&o, NONE);
}
