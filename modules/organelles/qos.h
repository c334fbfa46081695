/*
 * qos.h - the channel graph's quality of service (issue 17): a token
 * bucket per channel and one GAS reservoir for the whole fabric, both
 * refilled on the virtual clock (u64 nanoseconds, passed in: no wall
 * clock, so the same sends at the same virtual times get the same
 * answers on every run).
 *
 * A bucket holds at most burst tokens and gains rate tokens a virtual
 * second, continuously; a send takes one.  The reservoir holds at most cap
 * gas and gains rate gas a virtual second; every enqueue attempt that
 * reaches QoS is charged cost_base + cost_byte * length first, so a
 * sender refused by its bucket still pays for asking.  Both count in
 * billionths (nano-tokens, nano-gas): a refill is dt * rate exactly, with
 * no remainder to carry and no drift.  Time that goes backwards is taken
 * as no time passing.
 */
#ifndef KARYON_ORGANELLES_QOS_H
#define KARYON_ORGANELLES_QOS_H

#include <stdint.h>
#include "graph.h"

#define QOS_NANO     1000000000ull
#define QOS_MAX_GAS  GRAPH_MAX_GAS      /* reservoir cap, gas */

enum qos_verdict {
	QOS_OK = 0,
	QOS_BUCKET,                     /* the channel's bucket is empty */
	QOS_RESERVOIR,                  /* the reservoir cannot pay the cost */
};

struct qos_bucket {
	uint32_t rate, burst;           /* from the graph */
	uint64_t nano;                  /* tokens, in billionths */
	uint64_t at;                    /* virtual time of the last refill, ns */
	uint64_t granted, refused;
};

struct qos_reservoir {
	struct graph_reservoir c;       /* from the graph */
	uint64_t nano;                  /* gas, in billionths */
	uint64_t at;
	uint64_t charged;               /* gas taken, in whole gas */
	uint64_t refused;
};

struct qos {
	uint16_t n_chan;
	struct qos_bucket b[GRAPH_MAX_CHANNELS];
	struct qos_reservoir r;
};

/* 0, or -1 if c is outside the ranges graph.h gives. */
int qos_reservoir_check(const struct graph_reservoir *c);
/* Full buckets for g's channels and a full reservoir as g sets it (g must
 * pass graph_check), at virtual time now. */
void qos_init(struct qos *q, const struct graph *g, uint64_t now);
/* An enqueue attempt of len payload bytes on chan at now: the reservoir is
 * charged (QOS_RESERVOIR, nothing taken, if it cannot pay), then the
 * bucket gives a token (QOS_BUCKET if it has none).  chan < n_chan. */
enum qos_verdict qos_charge(struct qos *q, uint32_t chan, uint32_t len, uint64_t now);
/* qos_charge's two halves, for a caller that checks something between
 * them (golgi: the queue): qos_reserve, the reservoir's charge, then
 * qos_take, the bucket's token (both inline, below). */
/* The gas an attempt of len bytes costs (saturating). */
static inline uint64_t qos_cost(const struct graph_reservoir *c, uint32_t len)
{
	uint64_t bytes = (uint64_t)c->cost_byte * len;  /* < 2^64 */

	return bytes > UINT64_MAX - c->cost_base ? UINT64_MAX : bytes + c->cost_base;
}
/* Whole tokens in chan's bucket and whole gas in the reservoir at now
 * (refilling first). */
uint64_t qos_tokens(struct qos *q, uint32_t chan, uint64_t now);
uint64_t qos_gas(struct qos *q, uint64_t now);

/* ---- inline: every send takes this path ---- */

/* Bring *level up to now at rate billionths a ns, at most full; now is
 * clamped to *at (time never goes back). */
static inline void qos_refill(uint64_t *level, uint64_t *at, uint64_t rate, uint64_t full,
			      uint64_t now)
{
	uint64_t dt, need;

	if (now < *at)
		now = *at;
	dt = now - *at;
	*at = now;
	if (!dt || *level >= full || !rate)     /* no time passed: most sends in a burst */
		return;
	need = full - *level;
	if (dt > need / rate)
		*level = full;
	else
		*level += dt * rate;    /* <= need */
}

static inline void qos_refill_bucket(struct qos_bucket *b, uint64_t now)
{
	qos_refill(&b->nano, &b->at, b->rate, b->burst * QOS_NANO, now);
}

static inline void qos_refill_reservoir(struct qos_reservoir *r, uint64_t now)
{
	qos_refill(&r->nano, &r->at, r->c.rate, r->c.cap * QOS_NANO, now);
}

static inline enum qos_verdict qos_reserve(struct qos *q, uint32_t len, uint64_t now)
{
	uint64_t cost = qos_cost(&q->r.c, len);

	qos_refill_reservoir(&q->r, now);
	/* cost <= cap <= QOS_MAX_GAS, so cost * QOS_NANO fits */
	if (cost > q->r.c.cap || cost * QOS_NANO > q->r.nano) {
		q->r.refused++;
		return QOS_RESERVOIR;
	}
	q->r.nano -= cost * QOS_NANO;
	q->r.charged += cost;
	return QOS_OK;
}

static inline enum qos_verdict qos_take(struct qos *q, uint32_t chan, uint64_t now)
{
	struct qos_bucket *b = &q->b[chan];

	qos_refill_bucket(b, now);
	if (b->nano < QOS_NANO) {
		b->refused++;
		return QOS_BUCKET;
	}
	b->nano -= QOS_NANO;
	b->granted++;
	return QOS_OK;
}

#endif
