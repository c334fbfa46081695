/*
 * test_org_perox.c - the peroxisome (modules/organelles/perox.c) over the
 * parcel codec as the kernel links it: every reason a parcel is
 * quarantined, the counts by reason and in all, the ring of kept headers
 * (newest first, wrapping after PEROX_KEEP, short input zero-padded, the
 * sender kept), perox_quarantine for bytes refused before a check, and that
 * checking - which hashes in place - leaves the bytes as they came.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "perox.h"
#include "xxh.h"

#define NCHAN 5
#define MAXP (KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX + 8)

static struct perox px;
static uint8_t buf[MAXP];

/* A good parcel on ch with len payload bytes into buf: its size. */
static size_t good(uint16_t ch, uint16_t len)
{
	static uint8_t payload[KR_PARCEL_PAYLOAD_MAX];
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		payload[i] = (uint8_t)(i * 37 + ch);
	assert_int_equal(parcel_encode(buf, sizeof(buf), ch, 3, 0, 99, payload, len, &n), KR_OK);
	return n;
}

/* Set header byte at to val and fix the check over hashed bytes, so the
 * check under test, not the checksum, refuses it. */
static void set_byte(uint8_t *b, size_t at, uint8_t val, size_t hashed)
{
	uint8_t *copy = malloc(hashed);
	uint32_t c;

	b[at] = val;
	memcpy(copy, b, hashed);
	memset(copy + 12, 0, 4);
	c = (uint32_t)parcel_xxh3(copy, hashed);
	free(copy);
	b[12] = (uint8_t)c, b[13] = (uint8_t)(c >> 8), b[14] = (uint8_t)(c >> 16);
	b[15] = (uint8_t)(c >> 24);
}

/* perox_check of size bytes at p must give want, leave p's bytes as they
 * were and (on a refusal) *v alone. */
static void expect(void *p, size_t size, int from, enum perox_reason want)
{
	struct parcel_view v, before;
	uint8_t *orig = malloc(size ? size : 1);
	enum perox_reason r;

	if (p)
		memcpy(orig, p, size);
	memset(&v, 0x5a, sizeof(v));
	before = v;
	r = perox_check(&px, p, size, from, NCHAN, &v);
	if (r != want)
		fail_msg("perox_check: %s, want %s", perox_reason_name(r), perox_reason_name(want));
	if (p)
		assert_memory_equal(p, orig, size);
	if (want != PEROX_OK)
		assert_memory_equal(&v, &before, sizeof(v));
	free(orig);
}

static void every_reason(void **state)
{
	struct parcel_view v;
	size_t n;
	uint64_t bytes = 0;

	(void)state;
	memset(&px, 0, sizeof(px));
	/* a good one on the last channel */
	n = good(NCHAN - 1, 20);
	assert_int_equal(perox_check(&px, buf, n, 2, NCHAN, &v), PEROX_OK);
	assert_int_equal(v.channel, NCHAN - 1);
	assert_int_equal(v.length, 20);
	assert_int_equal(v.size, n);
	assert_ptr_equal(v.payload, buf + KR_PARCEL_HDR_SIZE);
	bytes += n;
	/* truncated header, truncated payload, no bytes at all, no buffer */
	n = good(1, 20);
	expect(buf, 10, 1, PEROX_SHORT), bytes += 10;
	expect(buf, n - 1, 1, PEROX_SHORT), bytes += n - 1;
	expect(buf, 0, 1, PEROX_SHORT);
	expect(NULL, 7, 1, PEROX_SHORT), bytes += 7;
	assert_int_equal(px.by[PEROX_SHORT], 4);
	/* header fields */
	n = good(1, 20);
	set_byte(buf, 0, KR_PARCEL_MAGIC ^ 1, n);
	expect(buf, n, 1, PEROX_MAGIC), bytes += n;
	n = good(1, 20);
	set_byte(buf, 1, KR_PARCEL_VERSION + 1, n);
	expect(buf, n, 1, PEROX_VERSION), bytes += n;
	n = good(1, 20);
	set_byte(buf, 5, 0x80, n);
	expect(buf, n, 1, PEROX_FLAGS), bytes += n;
	/* a length over the maximum, with all its bytes there */
	n = good(1, 20);
	buf[6] = (uint8_t)(KR_PARCEL_PAYLOAD_MAX + 1);
	set_byte(buf, 7, (uint8_t)((KR_PARCEL_PAYLOAD_MAX + 1) >> 8),
		 KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX + 1);
	expect(buf, KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX + 1, 1, PEROX_LENGTH);
	bytes += KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX + 1;
	/* bytes after the payload: the header's length does not cover them */
	n = good(1, 20);
	expect(buf, n + 1, 1, PEROX_LENGTH), bytes += n + 1;
	n = good(1, 0);
	expect(buf, n + 16, 1, PEROX_LENGTH), bytes += n + 16;
	/* the check: a payload bit, a header bit, the check itself */
	n = good(1, 20);
	buf[n - 1] ^= 0x10;
	expect(buf, n, 1, PEROX_CHECK), bytes += n;
	n = good(1, 300);               /* past parcel_decode's short path */
	buf[2] ^= 0x01;                 /* the channel, 1 -> 0: still in the graph */
	expect(buf, n, 1, PEROX_CHECK), bytes += n;
	n = good(1, 20);
	buf[12] ^= 0x80;
	expect(buf, n, 1, PEROX_CHECK), bytes += n;
	/* a channel the graph does not have (well formed otherwise) */
	n = good(NCHAN, 20);
	expect(buf, n, 1, PEROX_CHANNEL), bytes += n;
	n = good(UINT16_MAX, 0);
	expect(buf, n, 1, PEROX_CHANNEL), bytes += n;

	assert_int_equal(px.by[PEROX_OK], 0);
	assert_int_equal(px.by[PEROX_SHORT], 4);
	assert_int_equal(px.by[PEROX_MAGIC], 1);
	assert_int_equal(px.by[PEROX_VERSION], 1);
	assert_int_equal(px.by[PEROX_FLAGS], 1);
	assert_int_equal(px.by[PEROX_LENGTH], 3);
	assert_int_equal(px.by[PEROX_CHECK], 3);
	assert_int_equal(px.by[PEROX_CHANNEL], 2);
	assert_int_equal(px.checked, 16);
	assert_int_equal(px.passed, 1);
	assert_int_equal(px.quarantined, 15);
	assert_int_equal(px.bytes, bytes);
	/* the names `organelles` prints */
	assert_string_equal(perox_reason_name(PEROX_OK), "ok");
	assert_string_equal(perox_reason_name(PEROX_SHORT), "truncated");
	assert_string_equal(perox_reason_name(PEROX_LENGTH), "bad length");
	assert_string_equal(perox_reason_name(PEROX_CHECK), "bad checksum");
	assert_string_equal(perox_reason_name(PEROX_CHANNEL), "no such channel");
	assert_string_equal(perox_reason_name(PEROX_NREASONS), "?");
}

/* Good and bad parcels of many lengths: the bytes are as they came after
 * every check, whatever the verdict. */
static void check_leaves_bytes_alone(void **state)
{
	static const uint16_t lens[] = { 0, 1, 15, 16, 200, 239, 240, 241, 1000,
					 KR_PARCEL_PAYLOAD_MAX };

	(void)state;
	memset(&px, 0, sizeof(px));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = good(2, lens[i]);
		uint8_t *p = malloc(n + 1);     /* exact size: ASan sees a stray write */

		memcpy(p, buf, n);
		expect(p, n, 0, PEROX_OK);
		p[n - 1] ^= 0x40;               /* payload or check: the checksum refuses */
		expect(p, n, 0, PEROX_CHECK);
		p[n - 1] ^= 0x40;
		expect(p, n - 1, 0, PEROX_SHORT);
		p[n] = 0;
		expect(p, n + 1, 0, PEROX_LENGTH);
		free(p);
	}
	assert_int_equal(px.passed, 10);
	assert_int_equal(px.quarantined, 30);
}

static void the_ring_keeps_the_newest(void **state)
{
	const struct perox_entry *e;
	uint8_t junk[KR_PARCEL_HDR_SIZE + 8];
	size_t n;

	(void)state;
	memset(&px, 0, sizeof(px));
	assert_null(perox_kept(&px, 0));
	/* 3 * PEROX_KEEP + 5 bad ones, each with its own sender and size */
	for (unsigned i = 0; i < 3 * PEROX_KEEP + 5; i++) {
		memset(junk, (int)(0x10 + i), sizeof(junk));    /* bad magic */
		assert_int_equal(perox_check(&px, junk, KR_PARCEL_HDR_SIZE + i % 8, (int)i - 3,
					     NCHAN, &(struct parcel_view){ 0 }),
				 PEROX_MAGIC);
		assert_non_null(perox_kept(&px, 0));
		assert_int_equal(perox_kept(&px, 0)->n, i + 1);
		if (i + 1 < PEROX_KEEP)
			assert_null(perox_kept(&px, i + 1));
	}
	for (unsigned k = 0; k < PEROX_KEEP; k++) {
		unsigned i = 3 * PEROX_KEEP + 4 - k;    /* the k-th newest */
		uint8_t want[KR_PARCEL_HDR_SIZE];

		e = perox_kept(&px, k);
		assert_non_null(e);
		memset(want, (int)(0x10 + i), sizeof(want));
		assert_memory_equal(e->hdr, want, sizeof(want));
		assert_int_equal(e->n, i + 1);
		assert_int_equal(e->from, (int)i - 3);
		assert_int_equal(e->size, KR_PARCEL_HDR_SIZE + i % 8);
		assert_int_equal(e->reason, PEROX_MAGIC);
	}
	assert_null(perox_kept(&px, PEROX_KEEP));
	assert_null(perox_kept(&px, UINT32_MAX));
	/* a short input in a slot that held a full header: zero-padded */
	memset(junk, 0xEE, sizeof(junk));
	perox_check(&px, junk, 5, 7, NCHAN, &(struct parcel_view){ 0 });
	e = perox_kept(&px, 0);
	assert_int_equal(e->reason, PEROX_SHORT);
	assert_int_equal(e->size, 5);
	assert_int_equal(e->from, 7);
	for (unsigned b = 0; b < KR_PARCEL_HDR_SIZE; b++)
		assert_int_equal(e->hdr[b], b < 5 ? 0xEE : 0);
	/* a whole parcel refused: its header as received */
	n = good(NCHAN + 3, 40);
	perox_check(&px, buf, n, 1, NCHAN, &(struct parcel_view){ 0 });
	e = perox_kept(&px, 0);
	assert_int_equal(e->reason, PEROX_CHANNEL);
	assert_memory_equal(e->hdr, buf, KR_PARCEL_HDR_SIZE);
	assert_int_equal(e->size, n);
	assert_int_equal(perox_kept(&px, 1)->reason, PEROX_SHORT);
	/* good parcels pass by the ring */
	n = good(0, 40);
	assert_int_equal(perox_check(&px, buf, n, 1, NCHAN, &(struct parcel_view){ 0 }), PEROX_OK);
	assert_int_equal(perox_kept(&px, 0)->reason, PEROX_CHANNEL);
	assert_int_equal(px.quarantined, 3 * PEROX_KEEP + 7);
}

static void quarantine_without_a_check(void **state)
{
	const struct perox_entry *e;

	(void)state;
	memset(&px, 0, sizeof(px));
	good(1, 100);
	/* too many bytes to copy: refused unread but for the header */
	assert_int_equal(perox_quarantine(&px, buf, (size_t)UINT32_MAX + 10, -1, PEROX_LENGTH),
			 PEROX_LENGTH);
	e = perox_kept(&px, 0);
	assert_memory_equal(e->hdr, buf, KR_PARCEL_HDR_SIZE);
	assert_int_equal(e->size, UINT32_MAX);
	assert_int_equal(e->from, -1);
	assert_int_equal(e->n, 1);
	/* no bytes at all */
	assert_int_equal(perox_quarantine(&px, NULL, 3, 4, PEROX_SHORT), PEROX_SHORT);
	e = perox_kept(&px, 0);
	for (unsigned b = 0; b < KR_PARCEL_HDR_SIZE; b++)
		assert_int_equal(e->hdr[b], 0);
	assert_int_equal(e->size, 3);
	/* counted as quarantined, not as checked */
	assert_int_equal(px.quarantined, 2);
	assert_int_equal(px.checked, 0);
	assert_int_equal(px.bytes, 0);
	assert_int_equal(px.by[PEROX_LENGTH], 1);
	assert_int_equal(px.by[PEROX_SHORT], 1);
	assert_int_equal(perox_kept(&px, 1)->reason, PEROX_LENGTH);
}
/* perox_recheck is the whole check on a parcel leaving a queue: the same
 * verdicts as perox_check, counted in rechecked (not checked or passed);
 * perox_check_framed, for a parcel the fabric framed, checks its channel
 * only and counts it as checked, framed and passed. */
static void recheck_and_framed(void **state)
{
	struct parcel_view v;
	size_t n;

	(void)state;
	memset(&px, 0, sizeof(px));
	n = good(2, 40);
	assert_int_equal(perox_recheck(&px, buf, n, 1, NCHAN, &v), PEROX_OK);
	assert_int_equal(v.channel, 2);
	assert_int_equal(v.length, 40);
	assert_int_equal(px.rechecked, 1);
	assert_int_equal(px.checked, 0);
	assert_int_equal(px.passed, 0);
	assert_int_equal(px.bytes, n);
	buf[KR_PARCEL_HDR_SIZE + 7] ^= 0x20;          /* a stray write while it waited */
	assert_int_equal(perox_recheck(&px, buf, n, 1, NCHAN, &v), PEROX_CHECK);
	assert_int_equal(px.rechecked, 2);
	assert_int_equal(px.quarantined, 1);
	assert_int_equal(px.by[PEROX_CHECK], 1);
	assert_int_equal(perox_kept(&px, 0)->from, 1);
	n = good(2, 40);
	assert_int_equal(perox_recheck(&px, buf, n - 1, 1, NCHAN, &v), PEROX_SHORT);
	assert_int_equal(perox_recheck(&px, buf, n, 1, 2, &v), PEROX_CHANNEL);
	assert_int_equal(px.quarantined, 3);

	memset(&px, 0, sizeof(px));
	n = good(4, 10);
	assert_int_equal(perox_check_framed(&px, buf, n, 3, NCHAN, 4), PEROX_OK);
	assert_int_equal(px.checked, 1);
	assert_int_equal(px.framed, 1);
	assert_int_equal(px.passed, 1);
	assert_int_equal(px.quarantined, 0);
	assert_int_equal(perox_check_framed(&px, buf, n, 3, 4, 4), PEROX_CHANNEL);
	assert_int_equal(px.checked, 2);
	assert_int_equal(px.framed, 2);
	assert_int_equal(px.passed, 1);
	assert_int_equal(px.by[PEROX_CHANNEL], 1);
	assert_memory_equal(perox_kept(&px, 0)->hdr, buf, KR_PARCEL_HDR_SIZE);
	assert_int_equal(perox_kept(&px, 0)->from, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_reason),
		cmocka_unit_test(check_leaves_bytes_alone),
		cmocka_unit_test(the_ring_keeps_the_newest),
		cmocka_unit_test(quarantine_without_a_check),
		cmocka_unit_test(recheck_and_framed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
