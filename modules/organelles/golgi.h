/*
 * golgi.h - the Golgi (issue 17): a routing verdict for every parcel
 * offered to the fabric - deliver (queued for its receiver), drop (never)
 * or defer (not now: the sender may offer it again later) - with the rule
 * that decided.  It combines the channel graph, QoS, the mitochondria and
 * the lysosome's dead-map, and owns the per-channel queues.
 *
 * The rules, in the order they are tried (the first that applies decides):
 *	sanitizer      DROP   the peroxisome marked it malformed, or its
 *	                      sender, receiver or length is out of range
 *	not-in-graph   DROP   no such channel, or the graph has no edge
 *	                      sender -> receiver on it
 *	dead-sender    DROP   the sender is in the dead-map
 *	dead-receiver  DROP   the receiver is in the dead-map
 *	energy         DROP   the sender's budget ran out: the violation is
 *	                      recorded and the sender killed (its queued
 *	                      parcels dropped)
 *	reservoir      DEFER  the GAS reservoir cannot pay for the attempt
 *	queue-full     DEFER  the channel's queue holds depth parcels
 *	bucket         DEFER  the channel's token bucket is empty
 *	deliver        DELIVER
 * Energy and gas are charged from the energy rule on, so an attempt past
 * the static checks costs its sender even when it is deferred: a flood
 * exhausts its own budget.  Every verdict is counted by rule.
 */
#ifndef KARYON_ORGANELLES_GOLGI_H
#define KARYON_ORGANELLES_GOLGI_H

#include <stdbool.h>
#include <stdint.h>
#include <karyon/err.h>
#include "graph.h"
#include "lyso.h"
#include "mito.h"
#include "qos.h"

#define GOLGI_MAX_LEN 65536u            /* the largest payload */

enum golgi_action { GOLGI_DELIVER, GOLGI_DROP, GOLGI_DEFER };

enum golgi_rule {
	GOLGI_OK = 0,                   /* delivered */
	GOLGI_SANITIZER,
	GOLGI_NOT_IN_GRAPH,
	GOLGI_DEAD_SENDER,
	GOLGI_DEAD_RECEIVER,
	GOLGI_ENERGY,
	GOLGI_RESERVOIR,
	GOLGI_QUEUE_FULL,
	GOLGI_BUCKET,
	GOLGI_NRULES
};

/* A decoded parcel's fields, as the parcel codec gives them. */
struct golgi_parcel {
	uint16_t chan;
	uint16_t kind;
	uint32_t len;
	int16_t from, to;               /* endpoint numbers of the graph */
	bool malformed;                 /* the peroxisome's verdict */
	uint64_t seq;                   /* set by golgi_route: order accepted */
	void *body;                     /* the caller's: the framed bytes (never read here) */
};
/* 32 bytes: every queued parcel is one, and a send copies one twice. */
_Static_assert(sizeof(struct golgi_parcel) == 32, "a golgi_parcel is two 16-byte moves");

struct golgi_verdict {
	enum golgi_action action;
	enum golgi_rule rule;
	struct mito_violation energy;   /* for GOLGI_ENERGY */
};

struct golgi_queue {
	uint32_t base, cap, head, len;  /* a slice of the pool */
	uint64_t delivered, taken, purged;
};

struct golgi {
	const struct graph *g;
	struct qos *q;
	struct mito *m;                 /* NULL: no energy accounting */
	struct lyso *l;
	struct golgi_parcel *pool;
	struct golgi_queue ch[GRAPH_MAX_CHANNELS];
	uint8_t order[GRAPH_MAX_CHANNELS];     /* channel ids, most urgent first, then by id */
	uint64_t seq;
	uint64_t count[GOLGI_NRULES];   /* verdicts by rule */
	/* Called with each parcel a kill drops (its body is the caller's to
	 * free); NULL: nothing to do. */
	void (*dropped)(void *ctx, const struct golgi_parcel *p);
	void *dropped_ctx;
};

/* Queues for g's channels, each depth deep, cut from pool[pool_cap]
 * (KR_ENOSPC if the depths add up to more).  q, m and l must be set up for
 * the same graph; m may be NULL. */
kr_err_t golgi_init(struct golgi *gg, const struct graph *g, struct qos *q, struct mito *m,
		    struct lyso *l, struct golgi_parcel *pool, uint32_t pool_cap);
/* The verdict on p offered at virtual time now; a delivered parcel is
 * copied into its channel's queue with the next seq.  golgi_admit, then
 * golgi_queue. */
struct golgi_verdict golgi_route(struct golgi *gg, const struct golgi_parcel *p, uint64_t now);
/* golgi_route's halves, for a caller that may hand p over at once:
 * golgi_admit applies the rules and charges (GOLGI_OK: p may be
 * delivered; otherwise the rule that refused it, and for GOLGI_ENERGY *mv
 * what ran out, the sender killed), counting the verdict; then an admitted
 * p goes into its queue (golgi_queue) or straight to its receiver
 * (golgi_pass: its seq, counted as queued and taken at once).  Inline:
 * every send takes this path. */
static inline enum golgi_rule golgi_admit(struct golgi *gg, const struct golgi_parcel *p,
					  uint64_t now, struct mito_violation *mv);
static inline void golgi_queue(struct golgi *gg, const struct golgi_parcel *p);
static inline void golgi_pass(struct golgi *gg, struct golgi_parcel *p);
/* The next parcel to hand out: from the most urgent (lowest prio) channel
 * with one queued, the lower channel id on a tie, oldest first.  false if
 * every queue is empty. */
bool golgi_next(struct golgi *gg, struct golgi_parcel *out);
/* As golgi_next, among the parcels whose receiver is in the mask to (bit
 * n: endpoint n): the most urgent channel holding one, the oldest there;
 * the others stay queued in order. */
bool golgi_next_for(struct golgi *gg, uint64_t to, struct golgi_parcel *out);
/* The parcel golgi_next_for would take, left queued. */
bool golgi_peek_for(struct golgi *gg, uint64_t to, struct golgi_parcel *out);
/* Parcels queued on chan for a receiver in to. */
uint32_t golgi_queued_for(const struct golgi *gg, uint32_t chan, uint64_t to);
/* Kill dom: into the dead-map, and every parcel queued to or from it
 * dropped (counted in the queue's purged and the dead-map).  The count
 * dropped, or -1 if dom is out of range or already dead. */
int64_t golgi_kill(struct golgi *gg, unsigned dom, enum lyso_reason why);
/* "deliver", "drop", "defer"; "sanitizer", "not-in-graph", ... */
const char *golgi_action_name(enum golgi_action a);
const char *golgi_rule_name(enum golgi_rule r);

/* ---- inline: every send takes this path ---- */

/* The static rules: the first that refuses p, or GOLGI_OK. */
static inline enum golgi_rule golgi_check(const struct golgi *gg, const struct golgi_parcel *p)
{
	const struct graph *g = gg->g;

	if (p->malformed || p->len > GOLGI_MAX_LEN || p->from < 0 || p->from >= g->n_ep ||
	    p->to < 0 || p->to >= g->n_ep)
		return GOLGI_SANITIZER;
	if (!graph_allows(g, p->chan, p->from, p->to))
		return GOLGI_NOT_IN_GRAPH;
	if (!(gg->l->dead & (1ull << p->from | 1ull << p->to)))        /* both alive: most sends */
		return GOLGI_OK;
	if (lyso_dead(gg->l, (unsigned)p->from))
		return GOLGI_DEAD_SENDER;
	if (lyso_dead(gg->l, (unsigned)p->to))
		return GOLGI_DEAD_RECEIVER;
	return GOLGI_OK;
}

static inline __attribute__((always_inline)) enum golgi_rule
golgi_admit(struct golgi *gg, const struct golgi_parcel *p, uint64_t now,
	    struct mito_violation *mv)
{
	enum golgi_rule r = golgi_check(gg, p);
	uint64_t gas = qos_cost(&gg->q->r.c, p->len);

	mv->any = false;        /* the rest is read only for GOLGI_ENERGY */
	if (r == GOLGI_OK && gg->m && mito_parcel_fits(gg->m, (unsigned)p->from, p->len, gas)) {
		mito_parcel_take(gg->m, (unsigned)p->from, p->len, gas);
	} else if (r == GOLGI_OK && gg->m &&
		   !mito_charge_parcel(gg->m, (unsigned)p->from, p->len, gas, mv)) {
		golgi_kill(gg, (unsigned)p->from, LYSO_ENERGY);
		r = GOLGI_ENERGY;
	}
	if (r == GOLGI_OK && qos_reserve(gg->q, p->len, now) != QOS_OK) {
		r = GOLGI_RESERVOIR;
	} else if (r == GOLGI_OK && gg->ch[p->chan].len >= gg->ch[p->chan].cap) {
		r = GOLGI_QUEUE_FULL;
	} else if (r == GOLGI_OK && qos_take(gg->q, p->chan, now) != QOS_OK) {
		r = GOLGI_BUCKET;
	}
	gg->count[r]++;
	return r;
}

static inline void golgi_queue(struct golgi *gg, const struct golgi_parcel *p)
{
	struct golgi_queue *cq = &gg->ch[p->chan];
	uint32_t at = cq->head + cq->len;       /* both < cap <= GRAPH_MAX_DEPTH */

	if (at >= cq->cap)
		at -= cq->cap;
	gg->pool[cq->base + at] = *p;
	gg->pool[cq->base + at].seq = gg->seq++;
	cq->len++;
	cq->delivered++;
}

static inline void golgi_pass(struct golgi *gg, struct golgi_parcel *p)
{
	struct golgi_queue *cq = &gg->ch[p->chan];

	p->seq = gg->seq++;
	cq->delivered++;
	cq->taken++;
}

#endif
