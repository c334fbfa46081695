/*
 * perox.c - the sanitizer (perox.h).
 */
#include <karyon/libc.h>
#include "perox.h"

static const char *const names[PEROX_NREASONS] = {
	"ok", "truncated", "bad magic", "bad version", "unknown flags", "bad length",
	"bad checksum", "no such channel",
};

const char *perox_reason_name(enum perox_reason r)
{
	return (unsigned)r < PEROX_NREASONS ? names[r] : "?";
}

/* parcel_decode's reason, as the peroxisome counts it. */
static enum perox_reason reason_of(const char *why)
{
	if (!strcmp(why, PARCEL_WHY_MAGIC))
		return PEROX_MAGIC;
	if (!strcmp(why, PARCEL_WHY_VERSION))
		return PEROX_VERSION;
	if (!strcmp(why, PARCEL_WHY_FLAGS))
		return PEROX_FLAGS;
	if (!strcmp(why, PARCEL_WHY_LENGTH))
		return PEROX_LENGTH;
	if (!strcmp(why, PARCEL_WHY_CHECK))
		return PEROX_CHECK;
	return PEROX_SHORT;     /* truncated header or payload, or no bytes at all */
}

enum perox_reason perox_quarantine(struct perox *px, const void *p, size_t size, int from,
				   enum perox_reason r)
{
	struct perox_entry *e = &px->keep[px->quarantined % PEROX_KEEP];

	memset(e, 0, sizeof(*e));
	if (p)
		memcpy(e->hdr, p, size < sizeof(e->hdr) ? size : sizeof(e->hdr));
	e->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	e->from = (int16_t)from;
	e->reason = (uint8_t)r;
	e->n = ++px->quarantined;
	px->by[r]++;
	return r;
}

enum perox_reason perox_check(struct perox *px, void *p, size_t size, int from,
			      unsigned n_chan, struct parcel_view *v)
{
	const char *why = PARCEL_WHY_ARGS;
	struct parcel_view pv;

	px->checked++;
	px->bytes += size;
	if (!p || !v || parcel_decode_mut(p, size, &pv, &why) != KR_OK)
		return perox_quarantine(px, p, size, from, reason_of(why));
	if (pv.size != size)    /* the header's length does not cover what came */
		return perox_quarantine(px, p, size, from, PEROX_LENGTH);
	if (pv.channel >= n_chan)
		return perox_quarantine(px, p, size, from, PEROX_CHANNEL);
	px->passed++;
	*v = pv;
	return PEROX_OK;
}

const struct perox_entry *perox_kept(const struct perox *px, unsigned i)
{
	if (i >= PEROX_KEEP || i >= px->quarantined)
		return NULL;
	return &px->keep[(px->quarantined - 1 - i) % PEROX_KEEP];
}
