/*
 * commit.h - the payloads of the events module's commits (pure code:
 * state.c and the CMocka suite tests/unit/test_state_view.c).
 *
 *	events.on		"EVENT HANDLER" NUL, u64 gas, u32 queue
 *	events.off		"EVENT HANDLER" NUL
 *	events.timer_add	NAME NUL, u32 every (1: every MS, 0: at MS), u64 ms
 *	events.timer_del	NAME NUL
 *
 * EVENT is the subscription's pattern (no space, shorter than
 * KR_EVENT_PATTERN_MAX), HANDLER the handler's name (shorter than 32); the
 * integers are little-endian.  The bounds of gas, queue and ms are the
 * commands' own, checked by check against the live state.
 */
#ifndef KARYON_EVENTS_COMMIT_H
#define KARYON_EVENTS_COMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/clog.h>
#include <karyon/event.h>

#define ECOMMIT_HANDLER_MAX 32          /* with the NUL: events_int.h's HANDLER_MAX */
#define ECOMMIT_SUBJECT_MAX (KR_EVENT_PATTERN_MAX + ECOMMIT_HANDLER_MAX)

struct ecommit {
	char pattern[KR_EVENT_PATTERN_MAX];     /* on, off */
	char handler[ECOMMIT_HANDLER_MAX];
	const char *name;                       /* timer_add, timer_del */
	uint64_t gas, ms;
	uint32_t queue;
	bool every;
};

/* Encode c's kind into buf[0..cap): the length, or 0 if it does not fit
 * (or the kind is not one of the four). */
uint32_t ecommit_encode(const char *kind, const struct ecommit *c, void *buf, uint32_t cap);
/* Decode strictly (KR_EFORMAT and why in err; KR_EINVAL: not an events
 * kind); out's strings point into c or are copies. */
kr_err_t ecommit_decode(const struct kr_commit *c, struct ecommit *out, char *err, size_t len);

#endif
