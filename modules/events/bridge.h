/*
 * bridge.h - the IRQ bridge's arithmetic (Cell OS): a token bucket and a
 * debounce window per interrupt source, deciding which interrupts become
 * events.  Pure code with the time passed in, so the host tests drive it
 * and the kernel feeds it kr_uptime_us().
 *
 * Every interrupt is counted once in raised and ends in exactly one of:
 * an event (the one it raised, or a later one it was coalesced into: an
 * event's count says how many interrupts it stands for), still pending
 * (coalesced, waiting for the next event), or dropped (the event it was
 * part of could not be queued).  So at any time
 *	raised == counted + pending + dropped
 * where counted is the sum of the counts of the events emitted; coalesced
 * counts the interrupts that did not raise an event of their own.
 *
 * An interrupt raises an event when the debounce window since the last
 * event has passed and the bucket has a token; else it is held (pending).
 * The bucket holds at most burst tokens and gains rate tokens a second,
 * continuously (computed in millionths of a token, no drift).  Held
 * interrupts go out with the next event, or from bridge_flush when the
 * window and the bucket allow, so a burst that stops is not left unsaid.
 */
#ifndef KARYON_EVENTS_BRIDGE_H
#define KARYON_EVENTS_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

struct bridge_conf {
	uint32_t rate;          /* events per second, 1..100000 */
	uint32_t burst;         /* bucket size, 1..1000 */
	uint32_t debounce_us;   /* 0..10000000: at least this long between events */
};

struct bridge_src {
	struct bridge_conf c;
	uint64_t micro;         /* tokens in millionths (at most burst * 1000000) */
	uint64_t refilled;      /* time of the last refill, us */
	uint64_t last_event;    /* time of the last event, us */
	bool any_event;         /* an event was emitted (last_event is valid) */
	uint32_t pending;       /* interrupts held for the next event */
	uint64_t raised, events, coalesced, dropped;
};

/* 0, or -1 if c is outside the ranges above. */
int bridge_conf_check(const struct bridge_conf *c);
/* A source with a full bucket, at time now. */
void bridge_init(struct bridge_src *s, const struct bridge_conf *c, uint64_t now);
/* An interrupt at now: the count of the event to raise now (1 + what was
 * pending), or 0 if it is held. */
uint32_t bridge_hit(struct bridge_src *s, uint64_t now);
/* Later, with nothing new: the count of an event for what is pending if
 * the window and bucket allow now, else 0. */
uint32_t bridge_flush(struct bridge_src *s, uint64_t now);
/* The event of count interrupts (from hit or flush) could not be queued. */
void bridge_lost(struct bridge_src *s, uint32_t count);

#endif
