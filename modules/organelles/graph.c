/*
 * graph.c - the channel graph (graph.h): the .channels text parser, the
 * rules every graph keeps, and the two questions the organelles ask.
 *
 * The text is one declaration a line, '#' to the end of a line a comment:
 *	channel ID NAME from A[,B...] to C[,D...] rate R/s burst B depth D prio P
 * The four QoS words may come in any order, each exactly once.  Ids are
 * 0..N-1, each declared once, in any order.  Endpoints are numbered in the
 * order they first appear, so the numbering (and the blob) depends on the
 * text alone.  Errors name the line and quote the word, cut to QUOTE_MAX
 * bytes with anything unprintable shown as '?'.
 */
#include <karyon/libc.h>
#include "graph.h"

#define QUOTE_MAX 32
#define LINE_WORDS 16

static kr_err_t fail(char *err, size_t errsz, kr_err_t e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static kr_err_t fail(char *err, size_t errsz, kr_err_t e, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		kvsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return e;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == ':';
}

/* 0 if s[0..n) is a name of 1..max name characters */
static int name_ok(const char *s, size_t n, size_t max)
{
	if (n < 1 || n > max)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]))
			return -1;
	return 0;
}

kr_err_t graph_check(const struct graph *g, char *err, size_t errsz)
{
	uint64_t all;

	if (g->n_ep > GRAPH_MAX_ENDPOINTS || g->n_chan > GRAPH_MAX_CHANNELS)
		return fail(err, errsz, KR_ERANGE, "%u endpoints, %u channels (at most %u, %u)",
			    g->n_ep, g->n_chan, GRAPH_MAX_ENDPOINTS, GRAPH_MAX_CHANNELS);
	if (g->n_chan < 1)
		return fail(err, errsz, KR_EINVAL, "no channel 0 (observability)");
	all = g->n_ep == 64 ? ~0ull : (1ull << g->n_ep) - 1;
	for (unsigned i = 0; i < g->n_ep; i++) {
		if (name_ok(g->ep[i], strnlen(g->ep[i], sizeof(g->ep[i])), GRAPH_EP_NAME_MAX))
			return fail(err, errsz, KR_EFORMAT, "endpoint %u: bad name", i);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(g->ep[i], g->ep[j]))
				return fail(err, errsz, KR_EEXIST, "endpoint %u: '%s' again", i,
					    g->ep[i]);
	}
	for (unsigned i = 0; i < g->n_chan; i++) {
		const struct graph_chan *c = &g->chan[i];

		if (name_ok(c->name, strnlen(c->name, sizeof(c->name)), GRAPH_CH_NAME_MAX))
			return fail(err, errsz, KR_EFORMAT, "channel %u: bad name", i);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(c->name, g->chan[j].name))
				return fail(err, errsz, KR_EEXIST, "channel %u: name '%s' again", i,
					    c->name);
		if (c->rate < 1 || c->rate > GRAPH_MAX_RATE || c->burst < 1 ||
		    c->burst > GRAPH_MAX_BURST || c->depth < 1 || c->depth > GRAPH_MAX_DEPTH ||
		    c->prio > GRAPH_MAX_PRIO)
			return fail(err, errsz, KR_ERANGE,
				    "channel %u: rate 1..%u, burst 1..%u, depth 1..%u, prio 0..%u",
				    i, GRAPH_MAX_RATE, GRAPH_MAX_BURST, GRAPH_MAX_DEPTH,
				    GRAPH_MAX_PRIO);
		if (!c->senders || !c->receivers || (c->senders & ~all) || (c->receivers & ~all))
			return fail(err, errsz, KR_EFORMAT,
				    "channel %u: senders and receivers must be known endpoints", i);
	}
	return KR_OK;
}

int graph_endpoint(const struct graph *g, const char *name)
{
	for (int i = 0; i < g->n_ep; i++)
		if (!strcmp(g->ep[i], name))
			return i;
	return -1;
}

bool graph_allows(const struct graph *g, uint32_t chan, int from, int to)
{
	if (chan >= g->n_chan || from < 0 || from >= g->n_ep || to < 0 || to >= g->n_ep)
		return false;
	return (g->chan[chan].senders >> from & 1) && (g->chan[chan].receivers >> to & 1);
}

/* ---- the parser -------------------------------------------------------- */

struct word {
	const char *s;
	size_t n;
};

struct pline {
	unsigned no;                    /* line number, from 1 */
	char *err;
	size_t errsz;
};

/* w for a message: at most QUOTE_MAX bytes, unprintable as '?' */
static const char *quote(const struct word *w, char buf[QUOTE_MAX + 1])
{
	size_t n = w->n > QUOTE_MAX ? QUOTE_MAX : w->n;

	for (size_t i = 0; i < n; i++)
		buf[i] = w->s[i] > ' ' && w->s[i] < 0x7f ? w->s[i] : '?';
	buf[n] = '\0';
	return buf;
}

static bool is(const struct word *w, const char *lit)
{
	return w->n == strlen(lit) && !memcmp(w->s, lit, w->n);
}

/* a decimal in 0..max (no sign, no leading '+', at most 10 digits) */
static int number(const struct word *w, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (n < 1 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (w->s[i] < '0' || w->s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(w->s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* The endpoint numbered for w, added if new; -1 on a bad name or no room. */
static int endpoint_of(struct graph *g, const struct word *w)
{
	if (name_ok(w->s, w->n, GRAPH_EP_NAME_MAX))
		return -1;
	for (int i = 0; i < g->n_ep; i++)
		if (strlen(g->ep[i]) == w->n && !memcmp(g->ep[i], w->s, w->n))
			return i;
	if (g->n_ep >= GRAPH_MAX_ENDPOINTS)
		return -2;
	memcpy(g->ep[g->n_ep], w->s, w->n);
	g->ep[g->n_ep][w->n] = '\0';
	return g->n_ep++;
}

/* "A,B,C" into a mask of endpoints */
static kr_err_t endpoint_list(struct graph *g, const struct word *w, uint64_t *mask,
			      const struct pline *pl)
{
	char q[QUOTE_MAX + 1];
	size_t at = 0;

	*mask = 0;
	while (at <= w->n) {
		struct word one = { w->s + at, 0 };
		int ep;

		while (at + one.n < w->n && w->s[at + one.n] != ',')
			one.n++;
		ep = endpoint_of(g, &one);
		if (ep == -2)
			return fail(pl->err, pl->errsz, KR_ENOSPC, "line %u: more than %u endpoints",
				    pl->no, GRAPH_MAX_ENDPOINTS);
		if (ep < 0)
			return fail(pl->err, pl->errsz, KR_EFORMAT,
				    "line %u: bad endpoint name '%s' (1..%u of A-Z a-z 0-9 _ . - :)",
				    pl->no, quote(&one, q), GRAPH_EP_NAME_MAX);
		*mask |= 1ull << ep;
		at += one.n + 1;
	}
	return KR_OK;
}

/* One "channel ..." line of nw words; seen marks the ids declared so far. */
static kr_err_t channel_line(struct graph *g, struct word *w, int nw, uint64_t *seen,
			     const struct pline *pl)
{
	static const char *const keys[] = { "rate", "burst", "depth", "prio" };
	static const uint32_t max[] = { GRAPH_MAX_RATE, GRAPH_MAX_BURST, GRAPH_MAX_DEPTH,
					GRAPH_MAX_PRIO };
	static const uint32_t min[] = { 1, 1, 1, 0 };
	uint32_t id, val[4];
	unsigned have = 0;
	struct graph_chan c;
	char q[QUOTE_MAX + 1];
	kr_err_t e;

	memset(&c, 0, sizeof(c));
	if (nw != 15 || !is(&w[3], "from") || !is(&w[5], "to"))
		return fail(pl->err, pl->errsz, KR_EFORMAT,
			    "line %u: expected 'channel ID NAME from A[,B] to C[,D] rate R/s "
			    "burst B depth D prio P'", pl->no);
	if (number(&w[1], w[1].n, GRAPH_MAX_CHANNELS - 1, &id))
		return fail(pl->err, pl->errsz, KR_ERANGE, "line %u: channel id '%s' not in 0..%u",
			    pl->no, quote(&w[1], q), GRAPH_MAX_CHANNELS - 1);
	if (*seen >> id & 1)
		return fail(pl->err, pl->errsz, KR_EEXIST, "line %u: channel %u declared again",
			    pl->no, id);
	if (name_ok(w[2].s, w[2].n, GRAPH_CH_NAME_MAX))
		return fail(pl->err, pl->errsz, KR_EFORMAT,
			    "line %u: bad channel name '%s' (1..%u of A-Z a-z 0-9 _ . - :)", pl->no,
			    quote(&w[2], q), GRAPH_CH_NAME_MAX);
	for (unsigned j = 0; j < GRAPH_MAX_CHANNELS; j++)
		if ((*seen >> j & 1) && strlen(g->chan[j].name) == w[2].n &&
		    !memcmp(g->chan[j].name, w[2].s, w[2].n))
			return fail(pl->err, pl->errsz, KR_EEXIST,
				    "line %u: channel name '%s' already used by channel %u", pl->no,
				    quote(&w[2], q), j);
	memcpy(c.name, w[2].s, w[2].n);
	if ((e = endpoint_list(g, &w[4], &c.senders, pl)) ||
	    (e = endpoint_list(g, &w[6], &c.receivers, pl)))
		return e;
	for (int i = 7; i < 15; i += 2) {
		unsigned k;
		size_t n = w[i + 1].n;

		for (k = 0; k < 4 && !is(&w[i], keys[k]); k++)
			;
		if (k == 4)
			return fail(pl->err, pl->errsz, KR_EFORMAT,
				    "line %u: '%s' is not rate, burst, depth or prio", pl->no,
				    quote(&w[i], q));
		if (have >> k & 1)
			return fail(pl->err, pl->errsz, KR_EEXIST, "line %u: %s given twice",
				    pl->no, keys[k]);
		if (k == 0) {
			if (n < 3 || memcmp(w[i + 1].s + n - 2, "/s", 2))
				return fail(pl->err, pl->errsz, KR_EFORMAT,
					    "line %u: rate '%s' must be N/s", pl->no,
					    quote(&w[i + 1], q));
			n -= 2;
		}
		if (number(&w[i + 1], n, max[k], &val[k]) || val[k] < min[k])
			return fail(pl->err, pl->errsz, KR_ERANGE, "line %u: %s '%s' not in %u..%u",
				    pl->no, keys[k], quote(&w[i + 1], q), min[k], max[k]);
		have |= 1u << k;
	}
	c.rate = val[0], c.burst = val[1], c.depth = val[2], c.prio = (uint8_t)val[3];
	memcpy(&g->chan[id], &c, sizeof(c));    /* padding too: graphs compare whole */
	*seen |= 1ull << id;
	return KR_OK;
}

static kr_err_t parse(struct graph *g, const char *text, size_t len, char *err, size_t errsz)
{
	uint64_t seen = 0;
	struct pline pl = { 0, err, errsz };
	size_t at = 0;
	unsigned last = 0;
	kr_err_t e;

	while (at < len) {
		struct word w[LINE_WORDS];
		int nw = 0;
		size_t end = at;

		pl.no++;
		while (end < len && text[end] != '\n')
			end++;
		for (size_t i = at; i < end; i++) {
			if (text[i] == '#')
				break;
			if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')
				continue;
			if (!(text[i] > ' ' && text[i] < 0x7f))
				return fail(err, errsz, KR_EFORMAT,
					    "line %u: byte 0x%02x is not printable ASCII", pl.no,
					    (unsigned char)text[i]);
			if (nw == LINE_WORDS)
				return fail(err, errsz, KR_EFORMAT, "line %u: too many words",
					    pl.no);
			w[nw].s = text + i;
			while (i + 1 < end && text[i + 1] > ' ' && text[i + 1] < 0x7f &&
			       text[i + 1] != '#')
				i++;
			w[nw].n = (size_t)(text + i + 1 - w[nw].s);
			nw++;
		}
		at = end + 1;
		if (!nw)
			continue;
		if (!is(&w[0], "channel")) {
			char q[QUOTE_MAX + 1];

			return fail(err, errsz, KR_EFORMAT,
				    "line %u: unknown declaration '%s' (only 'channel')", pl.no,
				    quote(&w[0], q));
		}
		if ((e = channel_line(g, w, nw, &seen, &pl)))
			return e;
		last = pl.no;
	}
	if (!(seen & 1))
		return fail(err, errsz, KR_EINVAL, "line %u: no channel 0 (observability)", pl.no);
	while (seen >> g->n_chan & 1)
		g->n_chan++;
	if (seen >> g->n_chan)
		return fail(err, errsz, KR_EINVAL,
			    "line %u: channel ids must be 0..N-1: channel %u is missing", last,
			    g->n_chan);
	return graph_check(g, err, errsz);
}

kr_err_t graph_parse(struct graph *g, const char *text, size_t len, char *err, size_t errsz)
{
	kr_err_t e;

	memset(g, 0, sizeof(*g));
	if (err && errsz)
		err[0] = '\0';
	if (!text && len)
		return fail(err, errsz, KR_EINVAL, "no text");
	if ((e = parse(g, text, len, err, errsz)))
		memset(g, 0, sizeof(*g));
	return e;
}
