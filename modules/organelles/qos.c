/*
 * qos.c - token buckets and the GAS reservoir (qos.h), integer arithmetic
 * on the virtual clock only.
 *
 * Both are the same refill: a level in billionths that gains rate
 * billionths a nanosecond up to a cap.  The product dt * rate can overflow
 * after a long quiet spell, so it is compared by division first (as the
 * IRQ bridge does).
 */
#include "qos.h"

int qos_reservoir_check(const struct graph_reservoir *c)
{
	if (!c || c->cap < 1 || c->cap > QOS_MAX_GAS || c->rate > QOS_MAX_GAS)
		return -1;
	return 0;
}

void qos_init(struct qos *q, const struct graph *g, uint64_t now)
{
	*q = (struct qos){ .n_chan = g->n_chan };
	for (unsigned i = 0; i < g->n_chan; i++) {
		struct qos_bucket *b = &q->b[i];

		b->rate = g->chan[i].rate;
		b->burst = g->chan[i].burst;
		b->nano = b->burst * QOS_NANO;
		b->at = now;
	}
	q->r.c = g->reservoir;
	q->r.nano = g->reservoir.cap * QOS_NANO;
	q->r.at = now;
}

enum qos_verdict qos_charge(struct qos *q, uint32_t chan, uint32_t len, uint64_t now)
{
	enum qos_verdict v = qos_reserve(q, len, now);

	return v != QOS_OK ? v : qos_take(q, chan, now);
}

uint64_t qos_tokens(struct qos *q, uint32_t chan, uint64_t now)
{
	qos_refill_bucket(&q->b[chan], now);
	return q->b[chan].nano / QOS_NANO;
}

uint64_t qos_gas(struct qos *q, uint64_t now)
{
	qos_refill_reservoir(&q->r, now);
	return q->r.nano / QOS_NANO;
}
