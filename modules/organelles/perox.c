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

enum perox_reason perox_reason_of(const char *why)
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

const struct perox_entry *perox_kept(const struct perox *px, unsigned i)
{
	if (i >= PEROX_KEEP || i >= px->quarantined)
		return NULL;
	return &px->keep[(px->quarantined - 1 - i) % PEROX_KEEP];
}
