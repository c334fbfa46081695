/*
 * evq.c - a subscription's bounded event queue (evq.h): a ring of the
 * caller's entries, head the oldest; a push onto a full ring drops the new
 * event (tail drop), so what stays queued is always in the order raised.
 */
#include <karyon/libc.h>
#include "evq.h"

void evq_init(struct evq *q, struct kr_event *ring, uint32_t cap)
{
	memset(q, 0, sizeof(*q));
	q->ring = ring;
	q->cap = ring ? (cap > EVQ_MAX ? EVQ_MAX : cap) : 0;
}

bool evq_push(struct evq *q, const struct kr_event *ev)
{
	uint32_t at;

	if (q->len >= q->cap) {
		q->dropped++;
		return false;
	}
	/* head < cap and len < cap, so the sum fits in 32 bits */
	at = q->head + q->len;
	if (at >= q->cap)
		at -= q->cap;
	memcpy(&q->ring[at], ev, sizeof(*ev));
	q->len++;
	q->queued++;
	if (q->len > q->high)
		q->high = q->len;
	return true;
}

const struct kr_event *evq_peek(const struct evq *q)
{
	return q->len ? &q->ring[q->head] : NULL;
}

void evq_pop(struct evq *q)
{
	if (!q->len)
		return;
	q->head = q->head + 1 == q->cap ? 0 : q->head + 1;
	q->len--;
	q->taken++;
}
