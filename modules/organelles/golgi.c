/*
 * golgi.c - routing verdicts and the channel queues (golgi.h).
 *
 * Each channel's queue is a ring over its own slice of the caller's pool,
 * so queues never borrow from each other and a channel's depth is a hard
 * bound.  A kill compacts every ring in place, keeping the order of what
 * stays.  Nothing here depends on addresses or a clock: the same offers at
 * the same virtual times give the same verdicts, seqs and order out.
 */
#include <karyon/libc.h>
#include "golgi.h"

static const char *const rule_names[GOLGI_NRULES] = {
	"deliver", "sanitizer", "not-in-graph", "dead-sender", "dead-receiver",
	"energy", "reservoir", "queue-full", "bucket",
};

const char *golgi_rule_name(enum golgi_rule r)
{
	return (unsigned)r < GOLGI_NRULES ? rule_names[r] : "?";
}

const char *golgi_action_name(enum golgi_action a)
{
	return a == GOLGI_DELIVER ? "deliver" : a == GOLGI_DROP ? "drop" :
	       a == GOLGI_DEFER ? "defer" : "?";
}

kr_err_t golgi_init(struct golgi *gg, const struct graph *g, struct qos *q, struct mito *m,
		    struct lyso *l, struct golgi_parcel *pool, uint32_t pool_cap)
{
	uint64_t need = 0;

	if (!gg || !g || !q || !l || (!pool && pool_cap) || g->n_chan > GRAPH_MAX_CHANNELS)
		return KR_EINVAL;
	for (unsigned i = 0; i < g->n_chan; i++)
		need += g->chan[i].depth;
	if (need > pool_cap)
		return KR_ENOSPC;
	memset(gg, 0, sizeof(*gg));
	gg->g = g, gg->q = q, gg->m = m, gg->l = l, gg->pool = pool;
	need = 0;
	for (unsigned i = 0; i < g->n_chan; i++) {
		gg->ch[i].base = (uint32_t)need;
		gg->ch[i].cap = g->chan[i].depth;
		need += g->chan[i].depth;
	}
	for (unsigned i = 0, n = 0; i <= GRAPH_MAX_PRIO; i++)
		for (unsigned c = 0; c < g->n_chan; c++)
			if (g->chan[c].prio == i)
				gg->order[n++] = (uint8_t)c;
	return KR_OK;
}

struct golgi_verdict golgi_route(struct golgi *gg, const struct golgi_parcel *p, uint64_t now)
{
	struct golgi_verdict v;

	v.rule = golgi_admit(gg, p, now, &v.energy);
	v.action = v.rule == GOLGI_OK ? GOLGI_DELIVER :
		   v.rule >= GOLGI_RESERVOIR ? GOLGI_DEFER : GOLGI_DROP;
	if (v.rule == GOLGI_OK)
		golgi_queue(gg, p);
	return v;
}

bool golgi_next(struct golgi *gg, struct golgi_parcel *out)
{
	struct golgi_queue *cq;
	int best = -1;

	for (unsigned i = 0; i < gg->g->n_chan; i++)
		if (gg->ch[i].len && (best < 0 || gg->g->chan[i].prio < gg->g->chan[best].prio))
			best = (int)i;
	if (best < 0)
		return false;
	cq = &gg->ch[best];
	*out = gg->pool[cq->base + cq->head];
	cq->head = cq->head + 1 == cq->cap ? 0 : cq->head + 1;
	cq->len--;
	cq->taken++;
	return true;
}

/* Remove the i-th parcel (from the head) of cq, keeping the order. */
static void remove_at(struct golgi *gg, struct golgi_queue *cq, uint32_t i)
{
	struct golgi_parcel *ring = gg->pool + cq->base;

	for (; i + 1 < cq->len; i++)
		ring[(cq->head + i) % cq->cap] = ring[(cq->head + i + 1) % cq->cap];
	cq->len--;
}

static bool find_for(struct golgi *gg, uint64_t to, struct golgi_parcel *out, bool take)
{
	for (unsigned k = 0; k < gg->g->n_chan; k++) {
		unsigned c = gg->order[k];
		struct golgi_queue *cq = &gg->ch[c];
		const struct golgi_parcel *ring = gg->pool + cq->base;

		if (!cq->len || !(gg->g->chan[c].receivers & to))
			continue;
		for (uint32_t i = 0; i < cq->len; i++) {
			uint32_t at = cq->head + i < cq->cap ? cq->head + i : cq->head + i - cq->cap;
			const struct golgi_parcel *p = &ring[at];

			if (p->to < 0 || p->to >= 64 || !(to >> p->to & 1))
				continue;
			*out = *p;
			if (!take)
				return true;
			if (i == 0)
				cq->head = cq->head + 1 == cq->cap ? 0 : cq->head + 1, cq->len--;
			else
				remove_at(gg, cq, i);
			cq->taken++;
			return true;
		}
	}
	return false;
}

bool golgi_next_for(struct golgi *gg, uint64_t to, struct golgi_parcel *out)
{
	return find_for(gg, to, out, true);
}

bool golgi_peek_for(struct golgi *gg, uint64_t to, struct golgi_parcel *out)
{
	return find_for(gg, to, out, false);
}

uint32_t golgi_queued_for(const struct golgi *gg, uint32_t chan, uint64_t to)
{
	const struct golgi_queue *cq;
	uint32_t n = 0;

	if (chan >= gg->g->n_chan)
		return 0;
	cq = &gg->ch[chan];
	for (uint32_t i = 0; i < cq->len; i++) {
		int r = gg->pool[cq->base + (cq->head + i) % cq->cap].to;

		n += r >= 0 && r < 64 && (to >> r & 1);
	}
	return n;
}

/* Drop every parcel of cq to or from dom, keeping the others in order;
 * the number dropped. */
static uint32_t purge(struct golgi *gg, struct golgi_queue *cq, int dom)
{
	struct golgi_parcel *ring = gg->pool + cq->base;
	uint32_t kept = 0, dropped;

	for (uint32_t i = 0; i < cq->len; i++) {
		uint32_t from = (cq->head + i) % cq->cap, to = (cq->head + kept) % cq->cap;

		if (ring[from].from == dom || ring[from].to == dom) {
			if (gg->dropped)
				gg->dropped(gg->dropped_ctx, &ring[from]);
			continue;
		}
		/* to trails from, so the copy never overwrites a parcel still to read */
		if (to != from)
			ring[to] = ring[from];
		kept++;
	}
	dropped = cq->len - kept;
	cq->len = kept;
	cq->purged += dropped;
	return dropped;
}

int64_t golgi_kill(struct golgi *gg, unsigned dom, enum lyso_reason why)
{
	int64_t dropped = 0;

	if (!lyso_kill(gg->l, dom, why))
		return -1;
	for (unsigned i = 0; i < gg->g->n_chan; i++)
		dropped += purge(gg, &gg->ch[i], (int)dom);
	lyso_note_dropped(gg->l, dom, (uint64_t)dropped);
	return dropped;
}
