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
 * them (golgi: the queue): the reservoir's charge, then the bucket's token. */
enum qos_verdict qos_reserve(struct qos *q, uint32_t len, uint64_t now);
enum qos_verdict qos_take(struct qos *q, uint32_t chan, uint64_t now);
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

#endif
