/*
 * bridge.c - the IRQ bridge's token bucket and debounce window (bridge.h).
 *
 * Tokens are kept in millionths and time in microseconds, so rate tokens a
 * second is exactly rate millionths a microsecond: the refill is one
 * multiplication, with no remainder to carry.  Time that goes backwards is
 * taken as no time passing (every call first clamps now to the last time
 * seen), so a clock step can neither mint tokens nor reopen the window.
 */
#include "bridge.h"

#define MICRO 1000000u

int bridge_conf_check(const struct bridge_conf *c)
{
	if (!c || c->rate < 1 || c->rate > 100000 || c->burst < 1 || c->burst > 1000 ||
	    c->debounce_us > 10000000)
		return -1;
	return 0;
}

void bridge_init(struct bridge_src *s, const struct bridge_conf *c, uint64_t now)
{
	*s = (struct bridge_src){ .c = *c, .refilled = now };
	s->micro = (uint64_t)c->burst * MICRO;
}

/* Refill the bucket up to now (clamped: never before the last refill) and
 * return the clamped now. */
static uint64_t refill(struct bridge_src *s, uint64_t now)
{
	uint64_t full = (uint64_t)s->c.burst * MICRO, need, dt;

	if (now < s->refilled)
		now = s->refilled;
	dt = now - s->refilled;
	s->refilled = now;
	if (s->micro >= full || !s->c.rate)
		return now;
	need = full - s->micro;
	/* dt * rate can overflow for a long gap: compare by division first */
	if (dt > need / s->c.rate)
		s->micro = full;
	else
		s->micro += dt * s->c.rate;     /* <= need */
	return now;
}

/* May an event go out at now (clamped)?  Takes the token if so. */
static bool take(struct bridge_src *s, uint64_t now)
{
	if (s->any_event && now - s->last_event < s->c.debounce_us)
		return false;
	if (s->micro < MICRO)
		return false;
	s->micro -= MICRO;
	s->last_event = now;
	s->any_event = true;
	s->events++;
	return true;
}

uint32_t bridge_hit(struct bridge_src *s, uint64_t now)
{
	uint32_t count;

	now = refill(s, now);
	s->raised++;
	if (take(s, now)) {
		count = 1 + s->pending;
		s->pending = 0;
		return count;
	}
	/* pending stays below UINT32_MAX so 1 + pending fits an event's
	 * count; an interrupt beyond that has nowhere to go but dropped */
	if (s->pending >= UINT32_MAX - 1) {
		s->dropped++;
		return 0;
	}
	s->pending++;
	s->coalesced++;
	return 0;
}

uint32_t bridge_flush(struct bridge_src *s, uint64_t now)
{
	uint32_t count;

	now = refill(s, now);
	if (!s->pending || !take(s, now))
		return 0;
	count = s->pending;
	s->pending = 0;
	return count;
}

void bridge_lost(struct bridge_src *s, uint32_t count)
{
	s->dropped += count;
}
