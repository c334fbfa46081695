/*
 * fuzz_parcel.c - libFuzzer target for the parcel decoder
 * (modules/organelles/parcel.c, XXH3 through xxh.c and Debian's
 * libxxhash.a), the sanitizer every parcel passes before delivery.
 *
 * The input, in an exact-size allocation (ASan sees a read past it), is
 * read twice:
 *   - as one parcel: parcel_decode of the whole input;
 *   - as a stream: decode at the offset; a parcel moves on by its size, a
 *     malformed one by one byte (resynchronising), a truncated one ends it.
 * Checked on every answer, abort() if broken: a refusal gives a reason and
 * leaves the view alone; an accepted parcel has a known version, magic and
 * flags, a length within the limit, size == 16 + length within the input,
 * and encoding its fields again gives exactly its bytes (so decode accepts
 * nothing encode could not have written).
 * Every decode is repeated with parcel_decode_mut on an exact-size copy:
 * the same answer, reason and view (the payload at the same offset), and
 * the copy's bytes as they were.  The whole input also goes through the
 * peroxisome (perox.c) for graphs of NCHAN channels and of as many as
 * its channel field and one more: it passes iff parcel_decode accepts it,
 * its size is the input's and its channel is in the graph; else the
 * reason is the one that check gives, it is counted and kept, and the
 * bytes are untouched either way.  Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parcel.h"
#include "perox.h"

#define NCHAN 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t again[KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX];

/* Two views alike, field by field (their padding is not theirs). */
static int same_view(const struct parcel_view *a, const struct parcel_view *b)
{
	return a->channel == b->channel && a->kind == b->kind && a->flags == b->flags &&
	       a->length == b->length && a->seq == b->seq && a->check == b->check &&
	       a->payload == b->payload && a->size == b->size;
}

/* parcel_decode_mut on a copy of avail bytes at p must answer as
 * parcel_decode did (e, *v, why) and leave the copy as it was. */
static void same_in_place(const uint8_t *p, size_t avail, kr_err_t e, const struct parcel_view *v,
			  const char *why)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	struct parcel_view w;
	const char *why2 = NULL;
	kr_err_t e2;

	if (!copy)
		return;
	memcpy(copy, p, avail);
	memset(&w, 0xA5, sizeof(w));
	e2 = parcel_decode_mut(copy, avail, &w, &why2);
	if (e2 != e || memcmp(copy, p, avail))
		abort();
	if (e == KR_OK) {
		if (w.payload != copy + KR_PARCEL_HDR_SIZE)
			abort();
		w.payload = v->payload;
	} else if (!why2 || strcmp(why2, why)) {
		abort();
	}
	if (!same_view(&w, v))
		abort();
	free(copy);
}

/* The peroxisome on the whole input (an exact-size copy) for a graph of
 * n_chan channels, against what parcel_decode said of it. */
static void sanitize(const uint8_t *data, size_t size, unsigned n_chan)
{
	static struct perox px;
	uint8_t *copy = malloc(size ? size : 1);
	struct parcel_view d, v, before;
	const struct perox_entry *k;
	const char *why = NULL;
	enum perox_reason want, r;
	kr_err_t e;

	if (!copy)
		return;
	memcpy(copy, data, size);
	memset(&px, 0, sizeof(px));
	e = parcel_decode(data, size, &d, &why);
	if (e != KR_OK)
		want = !strcmp(why, PARCEL_WHY_MAGIC)     ? PEROX_MAGIC :
		       !strcmp(why, PARCEL_WHY_VERSION)   ? PEROX_VERSION :
		       !strcmp(why, PARCEL_WHY_FLAGS)     ? PEROX_FLAGS :
		       !strcmp(why, PARCEL_WHY_LENGTH)    ? PEROX_LENGTH :
		       !strcmp(why, PARCEL_WHY_CHECK)     ? PEROX_CHECK :
		       !strcmp(why, PARCEL_WHY_SHORT_HDR) ? PEROX_SHORT :
		       !strcmp(why, PARCEL_WHY_SHORT)     ? PEROX_SHORT : PEROX_NREASONS;
	else if (d.size != size)
		want = PEROX_LENGTH;
	else if (d.channel >= n_chan)
		want = PEROX_CHANNEL;
	else
		want = PEROX_OK;
	memset(&v, 0xA5, sizeof(v));
	before = v;
	r = perox_check(&px, copy, size, 3, n_chan, &v);
	if (r != want || memcmp(copy, data, size) || px.checked != 1 || px.bytes != size ||
	    px.passed + px.quarantined != 1 || px.by[r] != (r != PEROX_OK))
		abort();
	k = perox_kept(&px, 0);
	if (r == PEROX_OK) {
		if (k || v.payload != copy + KR_PARCEL_HDR_SIZE)
			abort();
		v.payload = d.payload;
		if (!same_view(&v, &d))
			abort();
	} else {
		uint8_t hdr[KR_PARCEL_HDR_SIZE] = { 0 };

		memcpy(hdr, data, size < sizeof(hdr) ? size : sizeof(hdr));
		if (!k || k->reason != r || k->from != 3 || k->size != size || k->n != 1 ||
		    memcmp(k->hdr, hdr, sizeof(hdr)) || !same_view(&v, &before))
			abort();
	}
	free(copy);
}

/* One decode at p (avail bytes): KR_OK, KR_ETRUNC or KR_EFORMAT. */
static kr_err_t one(const uint8_t *p, size_t avail)
{
	struct parcel_view v, before;
	const char *why = NULL;
	size_t n = 0;
	kr_err_t e;

	memset(&v, 0xA5, sizeof(v));
	before = v;
	e = parcel_decode(p, avail, &v, &why);
	same_in_place(p, avail, e, &v, why);
	if (e != KR_OK) {
		if ((e != KR_ETRUNC && e != KR_EFORMAT) || !why || memcmp(&v, &before, sizeof(v)))
			abort();
		return e;
	}
	if (v.length > KR_PARCEL_PAYLOAD_MAX || v.size != KR_PARCEL_HDR_SIZE + (size_t)v.length ||
	    v.size > avail || v.payload != p + KR_PARCEL_HDR_SIZE ||
	    (v.flags & ~KR_PARCEL_F_KNOWN) || p[0] != KR_PARCEL_MAGIC ||
	    p[1] != KR_PARCEL_VERSION)
		abort();
	if (parcel_encode(again, sizeof(again), v.channel, v.kind, v.flags, v.seq, v.payload,
			  v.length, &n) != KR_OK || n != v.size || memcmp(again, p, n))
		abort();
	return KR_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t off = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	one(buf, size);
	/* A channel just in and just out of the graph too: a fuzzer seldom
	 * makes a parcel whose check holds on a channel it chose. */
	sanitize(buf, size, NCHAN);
	if (size >= KR_PARCEL_HDR_SIZE) {
		unsigned ch = buf[2] | buf[3] << 8;

		sanitize(buf, size, ch);
		sanitize(buf, size, ch + 1);
	}
	while (off < size) {
		kr_err_t e = one(buf + off, size - off);

		if (e == KR_ETRUNC)
			break;
		off += e == KR_OK ? KR_PARCEL_HDR_SIZE + (size_t)(buf[off + 6] | buf[off + 7] << 8)
				  : 1;
	}
	free(buf);
	return 0;
}
