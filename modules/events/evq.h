/*
 * evq.h - a subscription's queue: events in the order raised, bounded;
 * when it is full the newest event is dropped (and counted), so what is
 * delivered is always in order, a prefix-and-gaps of what was raised.
 * Pure code (the host tests share it).
 */
#ifndef KARYON_EVENTS_EVQ_H
#define KARYON_EVENTS_EVQ_H

#include <stdbool.h>
#include <stdint.h>
#include <karyon/event.h>

#define EVQ_MAX 4096                    /* the deepest queue allowed */

struct evq {
	struct kr_event *ring;          /* cap entries, the caller's */
	uint32_t cap, head, len;
	uint32_t high;                  /* the most it has held */
	uint64_t queued, dropped, taken;
};

void evq_init(struct evq *q, struct kr_event *ring, uint32_t cap);
/* Queue a copy of ev; false (dropped counted) if the queue is full. */
bool evq_push(struct evq *q, const struct kr_event *ev);
/* The oldest event, or NULL if empty. */
const struct kr_event *evq_peek(const struct evq *q);
/* Remove the oldest (after peek). */
void evq_pop(struct evq *q);

#endif
