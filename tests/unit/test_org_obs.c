/*
 * test_org_obs.c - channel 0's pure parts (modules/organelles/obsring.c):
 * the ring keeps the newest parcels and drops the oldest (counted) without
 * changing the running index, walks state their base, a walk overtaken by
 * appends stops; the line splitter keeps stamps out, joins partial lines,
 * cuts long ones and resyncs after a gap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "obsring.h"
#include "parcel.h"
#include "xxh.h"

/* Parcel number i, framed: payload "parcel i" padded to 8 + i % 13 bytes. */
static size_t make(uint8_t *buf, unsigned i)
{
	char text[64];
	size_t n;
	int len = snprintf(text, sizeof(text), "parcel %u ................", i);

	assert_int_equal(parcel_encode(buf, OBS_PARCEL_MAX, 0, OBS_KIND_LOG, 0, i, text,
				       (uint16_t)(8 + i % 13 < (unsigned)len ? 8 + i % 13 : (unsigned)len), &n), 0);
	return n;
}

static uint64_t reference(uint64_t idx, const uint8_t *p, size_t n)
{
	uint8_t cat[8 + OBS_PARCEL_MAX];

	for (int i = 0; i < 8; i++)
		cat[i] = (uint8_t)(idx >> (8 * i));
	memcpy(cat + 8, p, n);
	return parcel_xxh3(cat, 8 + n);
}

static void index_known_answer(void **state)
{
	uint8_t p[OBS_PARCEL_MAX];
	size_t n = make(p, 1);

	(void)state;
	assert_int_equal(obsring_chain(0, p, n), reference(0, p, n));
	assert_int_equal(obsring_chain(42, p, n), reference(42, p, n));
	assert_int_not_equal(obsring_chain(0, p, n), obsring_chain(1, p, n));
}

static void keeps_and_walks(void **state)
{
	static uint8_t buf[4096];
	struct obsring r;
	struct obsring_cur c;
	struct obsring_rec rec;
	uint8_t p[OBS_PARCEL_MAX], out[OBS_PARCEL_MAX];
	uint64_t idx[11] = { 0 };

	(void)state;
	obsring_init(&r, buf, sizeof(buf));
	assert_true(obsring_seek(&r, 0, &c));
	assert_false(obsring_next(&r, &c, &rec, out, sizeof(out)));
	for (unsigned i = 0; i < 10; i++) {
		size_t n = make(p, i);

		assert_true(obsring_append(&r, p, n));
		idx[i + 1] = reference(idx[i], p, n);
	}
	assert_int_equal(obsring_count(&r), 10);
	assert_int_equal(r.index, idx[10]);
	assert_int_equal(r.dropped, 0);
	assert_true(obsring_seek(&r, 7, &c));
	assert_int_equal(c.before, idx[7]);
	for (unsigned i = 7; i < 10; i++) {
		size_t n = make(p, i);

		assert_true(obsring_next(&r, &c, &rec, out, sizeof(out)));
		assert_int_equal(rec.seq, i);
		assert_int_equal(rec.size, n);
		assert_memory_equal(out, p, n);
		assert_int_equal(rec.index, idx[i + 1]);
	}
	assert_false(obsring_next(&r, &c, &rec, out, sizeof(out)));
	assert_true(obsring_seek(&r, 10, &c));
	assert_int_equal(c.before, r.index);
	assert_false(obsring_seek(&r, 11, &c));
}

/* A small ring: records wrap around its end, the oldest go, the index
 * over everything stays the reference chain. */
static void drops_oldest(void **state)
{
	static uint8_t buf[300];
	struct obsring r;
	struct obsring_cur c;
	struct obsring_rec rec;
	uint8_t p[OBS_PARCEL_MAX], out[OBS_PARCEL_MAX];
	uint64_t idx = 0, total = 0, bytes = 0;

	(void)state;
	obsring_init(&r, buf, sizeof(buf));
	for (unsigned i = 0; i < 500; i++) {
		size_t n = make(p, i);

		assert_true(obsring_append(&r, p, n));
		idx = reference(idx, p, n);
		total++;
		bytes += n;
		assert_true(r.head - r.tail <= sizeof(buf));
		assert_int_equal(r.index, idx);
		assert_int_equal(r.dropped + obsring_count(&r), total);
	}
	assert_int_equal(r.bytes, bytes);
	assert_true(r.dropped > 400);
	/* Walking the kept records from their base gives the index. */
	assert_true(obsring_seek(&r, r.first, &c));
	idx = c.before;
	assert_int_equal(idx, r.base);
	while (obsring_next(&r, &c, &rec, out, sizeof(out))) {
		size_t n = make(p, (unsigned)rec.seq);

		assert_int_equal(rec.size, n);
		assert_memory_equal(out, p, n);
		idx = obsring_chain(idx, out, rec.size);
		assert_int_equal(idx, rec.index);
	}
	assert_int_equal(c.seq, r.next);
	assert_int_equal(idx, r.index);
}

static void refuses_and_overtakes(void **state)
{
	static uint8_t buf[128];
	struct obsring r;
	struct obsring_cur c;
	struct obsring_rec rec;
	uint8_t p[OBS_PARCEL_MAX], out[OBS_PARCEL_MAX];
	size_t n;

	(void)state;
	obsring_init(&r, buf, sizeof(buf));
	n = make(p, 3);
	assert_true(obsring_append(&r, p, n));
	assert_false(obsring_append(&r, p, 0));
	assert_false(obsring_append(&r, p, sizeof(buf)));        /* never fits */
	assert_int_equal(r.refused, 2);
	assert_int_equal(obsring_count(&r), 1);
	assert_int_equal(r.index, obsring_chain(0, p, n));
	assert_true(obsring_seek(&r, 0, &c));
	for (unsigned i = 0; i < 6; i++)
		assert_true(obsring_append(&r, p, make(p, i)));
	assert_true(r.first > 0);
	assert_false(obsring_next(&r, &c, &rec, out, sizeof(out)));  /* overtaken */
	assert_false(obsring_seek(&r, 0, &c));
}

/* ---- the line splitter ------------------------------------------------- */

#define FEED(l, s) obsline_feed(&(l), s, sizeof(s) - 1, collect, NULL)

static char got[8][KR_PARCEL_PAYLOAD_MAX + 1];
static size_t got_len[8];
static unsigned ngot;

static void collect(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	assert_true(ngot < 8);
	memcpy(got[ngot], text, len);
	got[ngot][len] = '\0';
	got_len[ngot++] = len;
}

static void lines_without_stamps(void **state)
{
	static struct obsline l;
	const char log[] = "\x01" "0000000abcdfirst line\n\x01" "00000001234second\n"
			   "\x01" "0000000ffffpartial";

	(void)state;
	ngot = 0;
	obsline_init(&l);
	for (size_t i = 0; i < sizeof(log) - 1; i++)    /* a byte at a time */
		obsline_feed(&l, log + i, 1, collect, NULL);
	assert_int_equal(ngot, 2);
	assert_string_equal(got[0], "first line");
	assert_string_equal(got[1], "second");
	FEED(l, " done\n\n");
	assert_int_equal(ngot, 4);
	assert_string_equal(got[2], "partial done");
	assert_int_equal(got_len[3], 0);                /* an empty line, without a stamp */
	assert_int_equal(l.lines, 4);
}

static void long_lines_cut(void **state)
{
	static struct obsline l;
	static char big[KR_PARCEL_PAYLOAD_MAX + 100];

	(void)state;
	ngot = 0;
	obsline_init(&l);
	memset(big, 'x', sizeof(big));
	FEED(l, "\x01" "00000000000");
	obsline_feed(&l, big, sizeof(big), collect, NULL);
	FEED(l, "\n\x01" "00000000000ok\n");
	assert_int_equal(ngot, 2);
	assert_int_equal(got_len[0], KR_PARCEL_PAYLOAD_MAX);
	assert_string_equal(got[1], "ok");
	assert_int_equal(l.cut, 1);
}

static void gap_resyncs(void **state)
{
	static struct obsline l;

	(void)state;
	ngot = 0;
	obsline_init(&l);
	FEED(l, "\x01" "00000000000half a li");
	obsline_gap(&l);
	/* The next bytes start mid-line: dropped up to the next stamp. */
	FEED(l, "ne's tail\x01" "00000000000whole\n");
	obsline_gap(&l);
	FEED(l, "\x01" "00000000000at a start\n");
	assert_int_equal(ngot, 2);
	assert_string_equal(got[0], "whole");
	assert_string_equal(got[1], "at a start");
	assert_int_equal(l.gaps, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(index_known_answer),
		cmocka_unit_test(keeps_and_walks),
		cmocka_unit_test(drops_oldest),
		cmocka_unit_test(refuses_and_overtakes),
		cmocka_unit_test(lines_without_stamps),
		cmocka_unit_test(long_lines_cut),
		cmocka_unit_test(gap_resyncs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
