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

/* Bring *level up to now at rate billionths a ns, at most full; now is
 * clamped to *at (time never goes back). */
static void refill(uint64_t *level, uint64_t *at, uint64_t rate, uint64_t full, uint64_t now)
{
	uint64_t dt, need;

	if (now < *at)
		now = *at;
	dt = now - *at;
	*at = now;
	if (*level >= full || !rate)
		return;
	need = full - *level;
	if (dt > need / rate)
		*level = full;
	else
		*level += dt * rate;    /* <= need */
}

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

static void refill_bucket(struct qos_bucket *b, uint64_t now)
{
	refill(&b->nano, &b->at, b->rate, b->burst * QOS_NANO, now);
}

static void refill_reservoir(struct qos_reservoir *r, uint64_t now)
{
	refill(&r->nano, &r->at, r->c.rate, r->c.cap * QOS_NANO, now);
}

enum qos_verdict qos_reserve(struct qos *q, uint32_t len, uint64_t now)
{
	uint64_t cost = qos_cost(&q->r.c, len);

	refill_reservoir(&q->r, now);
	/* cost <= cap <= QOS_MAX_GAS, so cost * QOS_NANO fits */
	if (cost > q->r.c.cap || cost * QOS_NANO > q->r.nano) {
		q->r.refused++;
		return QOS_RESERVOIR;
	}
	q->r.nano -= cost * QOS_NANO;
	q->r.charged += cost;
	return QOS_OK;
}

enum qos_verdict qos_take(struct qos *q, uint32_t chan, uint64_t now)
{
	struct qos_bucket *b = &q->b[chan];

	refill_bucket(b, now);
	if (b->nano < QOS_NANO) {
		b->refused++;
		return QOS_BUCKET;
	}
	b->nano -= QOS_NANO;
	b->granted++;
	return QOS_OK;
}

enum qos_verdict qos_charge(struct qos *q, uint32_t chan, uint32_t len, uint64_t now)
{
	enum qos_verdict v = qos_reserve(q, len, now);

	return v != QOS_OK ? v : qos_take(q, chan, now);
}

uint64_t qos_tokens(struct qos *q, uint32_t chan, uint64_t now)
{
	refill_bucket(&q->b[chan], now);
	return q->b[chan].nano / QOS_NANO;
}

uint64_t qos_gas(struct qos *q, uint64_t now)
{
	refill_reservoir(&q->r, now);
	return q->r.nano / QOS_NANO;
}
