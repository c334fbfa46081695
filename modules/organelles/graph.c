/*
 * graph.c - the channel graph (graph.h): the .channels text parser, the
 * rules every graph keeps, and the two questions the organelles ask.
 *
 * The text is one declaration a line, '#' to the end of a line a comment:
 *	channel ID NAME from A[,B...] to C[,D...] rate R/s burst B depth D prio P
 *	reservoir gas G rate R/s cost C per-byte B
 *	budget ENDPOINT [gas N] [parcels N] [bytes N] [pages N] [io N]
 * The key-value words of a line may come in any order, each once; a
 * channel needs all four, the reservoir (at most one line) all four, a
 * budget (one line an endpoint) at least one, the others unlimited.  Ids
 * are 0..N-1, each declared once, in any order.  Endpoints are numbered in the
 * order they first appear, so the numbering (and the blob) depends on the
 * text alone.  Errors name the line and quote the word, cut to QUOTE_MAX
 * bytes with anything unprintable shown as '?'.
 */
#include <karyon/libc.h>
#include "graph.h"

#define QUOTE_MAX 32
#define LINE_WORDS 16

kr_err_t graph_fail(char *err, size_t errsz, kr_err_t e, const char *fmt, ...)
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
		return graph_fail(err, errsz, KR_ERANGE, "%u endpoints, %u channels (at most %u, %u)",
			    g->n_ep, g->n_chan, GRAPH_MAX_ENDPOINTS, GRAPH_MAX_CHANNELS);
	if (g->n_chan < 1)
		return graph_fail(err, errsz, KR_EINVAL, "no channel 0 (observability)");
	if (g->reservoir.cap < 1 || g->reservoir.cap > GRAPH_MAX_GAS ||
	    g->reservoir.rate > GRAPH_MAX_GAS)
		return graph_fail(err, errsz, KR_ERANGE, "reservoir: gas 1..%llu, rate 0..%llu",
			    GRAPH_MAX_GAS, GRAPH_MAX_GAS);
	all = g->n_ep == 64 ? ~0ull : (1ull << g->n_ep) - 1;
	for (unsigned i = 0; i < g->n_ep; i++) {
		if (name_ok(g->ep[i], strnlen(g->ep[i], sizeof(g->ep[i])), GRAPH_EP_NAME_MAX))
			return graph_fail(err, errsz, KR_EFORMAT, "endpoint %u: bad name", i);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(g->ep[i], g->ep[j]))
				return graph_fail(err, errsz, KR_EEXIST, "endpoint %u: '%s' again", i,
					    g->ep[i]);
	}
	for (unsigned i = 0; i < g->n_chan; i++) {
		const struct graph_chan *c = &g->chan[i];

		if (name_ok(c->name, strnlen(c->name, sizeof(c->name)), GRAPH_CH_NAME_MAX))
			return graph_fail(err, errsz, KR_EFORMAT, "channel %u: bad name", i);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(c->name, g->chan[j].name))
				return graph_fail(err, errsz, KR_EEXIST, "channel %u: name '%s' again", i,
					    c->name);
		if (c->rate < 1 || c->rate > GRAPH_MAX_RATE || c->burst < 1 ||
		    c->burst > GRAPH_MAX_BURST || c->depth < 1 || c->depth > GRAPH_MAX_DEPTH ||
		    c->prio > GRAPH_MAX_PRIO)
			return graph_fail(err, errsz, KR_ERANGE,
				    "channel %u: rate 1..%u, burst 1..%u, depth 1..%u, prio 0..%u",
				    i, GRAPH_MAX_RATE, GRAPH_MAX_BURST, GRAPH_MAX_DEPTH,
				    GRAPH_MAX_PRIO);
		if (!c->senders || !c->receivers || (c->senders & ~all) || (c->receivers & ~all))
			return graph_fail(err, errsz, KR_EFORMAT,
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

/* the first n bytes of w, a decimal in 0..max (digits only, no sign) */
static int number64(const struct word *w, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n < 1 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(w->s[i] - '0');

		if (w->s[i] < '0' || w->s[i] > '9' || d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int number(const struct word *w, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (number64(w, n, max, &v))
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
	for (unsigned r = 0; r < GRAPH_NRES; r++)
		g->budget[g->n_ep][r] = GRAPH_UNLIMITED;
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
			return graph_fail(pl->err, pl->errsz, KR_ENOSPC, "line %u: more than %u endpoints",
				    pl->no, GRAPH_MAX_ENDPOINTS);
		if (ep < 0)
			return graph_fail(pl->err, pl->errsz, KR_EFORMAT,
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
		return graph_fail(pl->err, pl->errsz, KR_EFORMAT,
			    "line %u: expected 'channel ID NAME from A[,B] to C[,D] rate R/s "
			    "burst B depth D prio P'", pl->no);
	if (number(&w[1], w[1].n, GRAPH_MAX_CHANNELS - 1, &id))
		return graph_fail(pl->err, pl->errsz, KR_ERANGE, "line %u: channel id '%s' not in 0..%u",
			    pl->no, quote(&w[1], q), GRAPH_MAX_CHANNELS - 1);
	if (*seen >> id & 1)
		return graph_fail(pl->err, pl->errsz, KR_EEXIST, "line %u: channel %u declared again",
			    pl->no, id);
	if (name_ok(w[2].s, w[2].n, GRAPH_CH_NAME_MAX))
		return graph_fail(pl->err, pl->errsz, KR_EFORMAT,
			    "line %u: bad channel name '%s' (1..%u of A-Z a-z 0-9 _ . - :)", pl->no,
			    quote(&w[2], q), GRAPH_CH_NAME_MAX);
	for (unsigned j = 0; j < GRAPH_MAX_CHANNELS; j++)
		if ((*seen >> j & 1) && strlen(g->chan[j].name) == w[2].n &&
		    !memcmp(g->chan[j].name, w[2].s, w[2].n))
			return graph_fail(pl->err, pl->errsz, KR_EEXIST,
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
			return graph_fail(pl->err, pl->errsz, KR_EFORMAT,
				    "line %u: '%s' is not rate, burst, depth or prio", pl->no,
				    quote(&w[i], q));
		if (have >> k & 1)
			return graph_fail(pl->err, pl->errsz, KR_EEXIST, "line %u: %s given twice",
				    pl->no, keys[k]);
		if (k == 0) {
			if (n < 3 || memcmp(w[i + 1].s + n - 2, "/s", 2))
				return graph_fail(pl->err, pl->errsz, KR_EFORMAT,
					    "line %u: rate '%s' must be N/s", pl->no,
					    quote(&w[i + 1], q));
			n -= 2;
		}
		if (number(&w[i + 1], n, max[k], &val[k]) || val[k] < min[k])
			return graph_fail(pl->err, pl->errsz, KR_ERANGE, "line %u: %s '%s' not in %u..%u",
				    pl->no, keys[k], quote(&w[i + 1], q), min[k], max[k]);
		have |= 1u << k;
	}
	c.rate = val[0], c.burst = val[1], c.depth = val[2], c.prio = (uint8_t)val[3];
	memcpy(&g->chan[id], &c, sizeof(c));    /* padding too: graphs compare whole */
	*seen |= 1ull << id;
	return KR_OK;
}

/* "KEY VALUE ..." pairs of w[0..nw) against keys[nk]: each at most once, a
 * value of 0..max[k] into val[k] (with "/s" after the one named rate);
 * the keys given as bits in *have. */
static kr_err_t pairs(const struct word *w, int nw, const char *const *keys,
		      const uint64_t *max, unsigned nk, uint64_t *val, unsigned *have,
		      const struct pline *pl)
{
	char q[QUOTE_MAX + 1];

	*have = 0;
	if (nw % 2)
		return graph_fail(pl->err, pl->errsz, KR_EFORMAT, "line %u: '%s' has no value", pl->no,
			    quote(&w[nw - 1], q));
	for (int i = 0; i < nw; i += 2) {
		unsigned k;
		size_t n = w[i + 1].n;

		for (k = 0; k < nk && !is(&w[i], keys[k]); k++)
			;
		if (k == nk)
			return graph_fail(pl->err, pl->errsz, KR_EFORMAT, "line %u: unknown word '%s'",
				    pl->no, quote(&w[i], q));
		if (*have >> k & 1)
			return graph_fail(pl->err, pl->errsz, KR_EEXIST, "line %u: %s given twice",
				    pl->no, keys[k]);
		if (!strcmp(keys[k], "rate")) {
			if (n < 3 || memcmp(w[i + 1].s + n - 2, "/s", 2))
				return graph_fail(pl->err, pl->errsz, KR_EFORMAT,
					    "line %u: rate '%s' must be N/s", pl->no,
					    quote(&w[i + 1], q));
			n -= 2;
		}
		if (number64(&w[i + 1], n, max[k], &val[k]))
			return graph_fail(pl->err, pl->errsz, KR_ERANGE,
				    "line %u: %s '%s' not in 0..%llu", pl->no, keys[k],
				    quote(&w[i + 1], q), (unsigned long long)max[k]);
		*have |= 1u << k;
	}
	return KR_OK;
}

/* "reservoir gas G rate R/s cost C per-byte B" */
static kr_err_t reservoir_line(struct graph *g, const struct word *w, int nw,
			       const struct pline *pl)
{
	static const char *const keys[] = { "gas", "rate", "cost", "per-byte" };
	static const uint64_t max[] = { GRAPH_MAX_GAS, GRAPH_MAX_GAS, UINT32_MAX, UINT32_MAX };
	uint64_t val[4];
	unsigned have;
	kr_err_t e;

	if ((e = pairs(w + 1, nw - 1, keys, max, 4, val, &have, pl)))
		return e;
	if (have != 0xf)
		return graph_fail(pl->err, pl->errsz, KR_EFORMAT,
			    "line %u: expected 'reservoir gas G rate R/s cost C per-byte B'", pl->no);
	if (val[0] < 1)
		return graph_fail(pl->err, pl->errsz, KR_ERANGE, "line %u: reservoir gas must be >= 1",
			    pl->no);
	g->reservoir = (struct graph_reservoir){ val[0], val[1], (uint32_t)val[2],
						 (uint32_t)val[3] };
	return KR_OK;
}

/* "budget ENDPOINT [gas N] [parcels N] [bytes N] [pages N] [io N]" */
static kr_err_t budget_line(struct graph *g, const struct word *w, int nw, uint64_t *budgeted,
			    const struct pline *pl)
{
	static const char *const keys[GRAPH_NRES] = { "gas", "parcels", "bytes", "pages", "io" };
	static const uint64_t max[GRAPH_NRES] = { UINT64_MAX, UINT64_MAX, UINT64_MAX,
						  UINT64_MAX, UINT64_MAX };
	uint64_t val[GRAPH_NRES];
	char q[QUOTE_MAX + 1];
	unsigned have;
	kr_err_t e;
	int ep;

	if (nw < 4)
		return graph_fail(pl->err, pl->errsz, KR_EFORMAT,
			    "line %u: expected 'budget ENDPOINT [gas N] [parcels N] [bytes N] "
			    "[pages N] [io N]' (at least one)", pl->no);
	if ((e = pairs(w + 2, nw - 2, keys, max, GRAPH_NRES, val, &have, pl)))
		return e;
	ep = endpoint_of(g, &w[1]);
	if (ep == -2)
		return graph_fail(pl->err, pl->errsz, KR_ENOSPC, "line %u: more than %u endpoints",
			    pl->no, GRAPH_MAX_ENDPOINTS);
	if (ep < 0)
		return graph_fail(pl->err, pl->errsz, KR_EFORMAT,
			    "line %u: bad endpoint name '%s' (1..%u of A-Z a-z 0-9 _ . - :)",
			    pl->no, quote(&w[1], q), GRAPH_EP_NAME_MAX);
	if (*budgeted >> ep & 1)
		return graph_fail(pl->err, pl->errsz, KR_EEXIST, "line %u: a second budget for '%s'",
			    pl->no, g->ep[ep]);
	*budgeted |= 1ull << ep;
	for (unsigned r = 0; r < GRAPH_NRES; r++)
		if (have >> r & 1)
			g->budget[ep][r] = val[r];
	return KR_OK;
}

static kr_err_t parse(struct graph *g, const char *text, size_t len, char *err, size_t errsz)
{
	uint64_t seen = 0, budgeted = 0;
	bool reservoir = false;
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
				return graph_fail(err, errsz, KR_EFORMAT,
					    "line %u: byte 0x%02x is not printable ASCII", pl.no,
					    (unsigned char)text[i]);
			if (nw == LINE_WORDS)
				return graph_fail(err, errsz, KR_EFORMAT, "line %u: too many words",
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
		if (is(&w[0], "channel")) {
			if ((e = channel_line(g, w, nw, &seen, &pl)))
				return e;
			last = pl.no;
		} else if (is(&w[0], "reservoir")) {
			if (reservoir)
				return graph_fail(err, errsz, KR_EEXIST, "line %u: a second reservoir",
					    pl.no);
			if ((e = reservoir_line(g, w, nw, &pl)))
				return e;
			reservoir = true;
		} else if (is(&w[0], "budget")) {
			if ((e = budget_line(g, w, nw, &budgeted, &pl)))
				return e;
		} else {
			char q[QUOTE_MAX + 1];

			return graph_fail(err, errsz, KR_EFORMAT,
				    "line %u: unknown declaration '%s' (channel, reservoir, budget)",
				    pl.no, quote(&w[0], q));
		}
	}
	if (!(seen & 1))
		return graph_fail(err, errsz, KR_EINVAL, "line %u: no channel 0 (observability)", pl.no);
	while (seen >> g->n_chan & 1)
		g->n_chan++;
	if (seen >> g->n_chan)
		return graph_fail(err, errsz, KR_EINVAL,
			    "line %u: channel ids must be 0..N-1: channel %u is missing", last,
			    g->n_chan);
	return graph_check(g, err, errsz);
}

kr_err_t graph_parse(struct graph *g, const char *text, size_t len, char *err, size_t errsz)
{
	kr_err_t e;

	memset(g, 0, sizeof(*g));
	g->reservoir = (struct graph_reservoir){ GRAPH_MAX_GAS, GRAPH_MAX_GAS, 0, 0 };
	if (err && errsz)
		err[0] = '\0';
	if (!text && len)
		return graph_fail(err, errsz, KR_EINVAL, "no text");
	if ((e = parse(g, text, len, err, errsz)))
		memset(g, 0, sizeof(*g));
	return e;
}
