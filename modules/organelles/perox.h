/*
 * perox.h - the peroxisome (issue 17): the sanitizer between senders and
 * receivers.  It checks framed bytes - magic, version, flags, length
 * against the bytes given, the XXH3 check - and that the header's channel
 * is one of the graph's: a parcel a sender framed itself when it is
 * offered (perox_check), and every parcel when it leaves a queue
 * (perox_recheck).  A parcel the fabric framed is checked at its channel
 * (perox_check_framed).  What fails is quarantined: counted by reason,
 * its header kept in a small ring for `organelles`, never delivered.
 * Pure code: the host tests run it as the kernel does.
 */
#ifndef KARYON_ORGANELLES_PEROX_H
#define KARYON_ORGANELLES_PEROX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "parcel.h"

enum perox_reason {
	PEROX_OK = 0,
	PEROX_SHORT,            /* fewer bytes than a header, or than header + length */
	PEROX_MAGIC,
	PEROX_VERSION,
	PEROX_FLAGS,            /* a flag bit version 1 does not define */
	PEROX_LENGTH,           /* length over the maximum, or bytes after the payload */
	PEROX_CHECK,            /* the XXH3 check does not match */
	PEROX_CHANNEL,          /* no such channel in the graph */
	PEROX_NREASONS
};

#define PEROX_KEEP 16           /* quarantined headers kept, the newest */

struct perox_entry {
	uint8_t hdr[KR_PARCEL_HDR_SIZE];        /* as received (short: zero-padded) */
	uint32_t size;                          /* bytes offered */
	int16_t from;                           /* the sender's endpoint */
	uint8_t reason;                         /* enum perox_reason */
	uint64_t n;                             /* its number among those quarantined */
};

struct perox {
	uint64_t checked, passed, quarantined;  /* parcels offered, let on, refused */
	uint64_t framed;                        /* of those checked: framed by the fabric */
	uint64_t rechecked;                     /* checked whole again, leaving a queue */
	uint64_t bytes;                         /* bytes checked whole */
	uint64_t by[PEROX_NREASONS];
	struct perox_entry keep[PEROX_KEEP];    /* ring, the newest last */
};

/* Check size bytes at p, a parcel offered by endpoint from, for a graph of
 * n_chan channels, whole: header, length and the XXH3 check.  PEROX_OK and
 * *v (its fields; v->payload inside p), or the reason, with the parcel
 * quarantined.  p is the sanitizer's to write while it checks (the check
 * field, put back): it hashes in place. */
static inline enum perox_reason perox_check(struct perox *px, void *p, size_t size, int from,
					    unsigned n_chan, struct parcel_view *v);
/* The same check on a parcel leaving a queue (counted in rechecked, not
 * checked: it was counted when it was offered).  A parcel waits in kernel
 * memory any module can write; it is delivered only if still intact. */
static inline enum perox_reason perox_recheck(struct perox *px, void *p, size_t size, int from,
					      unsigned n_chan, struct parcel_view *v);
/* A parcel the fabric framed itself from a sender's payload (parcel_encode
 * wrote every byte of it just now, the XXH3 check over exactly those
 * bytes): only what the encoder took from the caller is checked - its
 * channel against the graph.  Recomputing the check here could only
 * confirm the encoder; a framed parcel that is not handed over at once is
 * checked whole when it leaves its queue (perox_recheck). */
static inline enum perox_reason perox_check_framed(struct perox *px, const void *p, size_t size,
						   int from, unsigned n_chan, uint16_t channel);
/* Quarantine size bytes at p (read only) for reason r without checking
 * them: bytes the caller refuses before they are copied (too many). */
enum perox_reason perox_quarantine(struct perox *px, const void *p, size_t size, int from,
				   enum perox_reason r);
/* parcel_decode's why (a PARCEL_WHY_* string), as the peroxisome counts it. */
enum perox_reason perox_reason_of(const char *why);
const char *perox_reason_name(enum perox_reason r);
/* The i-th newest quarantined entry (0: the newest), or NULL. */
const struct perox_entry *perox_kept(const struct perox *px, unsigned i);

/* Inline: every send is checked here, and the call would cost as much as
 * the checks around parcel_decode_mut (docs/benchmarks.md). */
static inline enum perox_reason perox_verify(struct perox *px, void *p, size_t size, int from,
					     unsigned n_chan, struct parcel_view *v)
{
	const char *why = PARCEL_WHY_ARGS;
	struct parcel_view pv;

	if (!p || !v || parcel_decode_mut(p, size, &pv, &why) != KR_OK)
		return perox_quarantine(px, p, size, from, perox_reason_of(why));
	if (pv.size != size)    /* the header's length does not cover what came */
		return perox_quarantine(px, p, size, from, PEROX_LENGTH);
	if (pv.channel >= n_chan)
		return perox_quarantine(px, p, size, from, PEROX_CHANNEL);
	*v = pv;
	return PEROX_OK;
}

static inline enum perox_reason perox_check(struct perox *px, void *p, size_t size, int from,
					    unsigned n_chan, struct parcel_view *v)
{
	enum perox_reason r;

	px->checked++;
	px->bytes += size;
	r = perox_verify(px, p, size, from, n_chan, v);
	if (r == PEROX_OK)
		px->passed++;
	return r;
}

static inline enum perox_reason perox_recheck(struct perox *px, void *p, size_t size, int from,
					      unsigned n_chan, struct parcel_view *v)
{
	px->rechecked++;
	px->bytes += size;
	return perox_verify(px, p, size, from, n_chan, v);
}

static inline enum perox_reason perox_check_framed(struct perox *px, const void *p, size_t size,
						   int from, unsigned n_chan, uint16_t channel)
{
	px->checked++;
	px->framed++;
	if (channel >= n_chan)
		return perox_quarantine(px, p, size, from, PEROX_CHANNEL);
	px->passed++;
	return PEROX_OK;
}

#endif
