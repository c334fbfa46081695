/*
 * test_org_graph.c - the channel graph (modules/organelles/graph.c,
 * graph_blob.c): the .channels parser and its errors with line numbers,
 * the blob's pinned layout against the golden org_fixtures/sample.blob,
 * the decoder refusing every malformed blob with a reason, and seeded
 * random graphs that survive encode -> decode and whose every single-byte
 * change is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <karyon/hash.h>
#include "organelles/graph.h"

static const char *fixtures;
static struct graph g, g2;
static uint8_t blob[GRAPH_BLOB_MAX], blob2[GRAPH_BLOB_MAX];
static char err[160];

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void parse_ok(const char *text)
{
	kr_err_t e = graph_parse(&g, text, strlen(text), err, sizeof(err));

	if (e)
		fail_msg("parse: %s", err);
}

static void parses_the_sample(void **state)
{
	size_t len;
	char *text = slurp("sample.channels", &len);

	(void)state;
	assert_int_equal(graph_parse(&g, text, len, err, sizeof(err)), KR_OK);
	free(text);
	assert_int_equal(g.n_ep, 4);
	assert_int_equal(g.n_chan, 4);
	/* numbered in order of first appearance */
	assert_string_equal(g.ep[0], "kernel");
	assert_string_equal(g.ep[1], "vfs");
	assert_string_equal(g.ep[2], "h:counter");
	assert_string_equal(g.ep[3], "shell");
	assert_string_equal(g.chan[0].name, "obs");
	assert_string_equal(g.chan[2].name, "vfs.resp");
	assert_int_equal(g.chan[2].rate, 100);
	assert_int_equal(g.chan[2].burst, 10);
	assert_int_equal(g.chan[2].depth, 16);
	assert_int_equal(g.chan[2].prio, 2);
	assert_int_equal(g.chan[1].senders, 1u << 3 | 1u << 2);
	assert_int_equal(g.chan[1].receivers, 1u << 1);
	assert_int_equal(graph_endpoint(&g, "shell"), 3);
	assert_int_equal(graph_endpoint(&g, "h:nobody"), -1);
	assert_true(graph_allows(&g, 1, 2, 1));         /* h:counter -> vfs on vfs.req */
	assert_false(graph_allows(&g, 1, 1, 2));        /* not the other way */
	assert_false(graph_allows(&g, 3, 3, 2));        /* the shell may not tick */
	assert_false(graph_allows(&g, 4, 0, 2));        /* no channel 4 */
	assert_false(graph_allows(&g, 0, -1, 3));
	assert_false(graph_allows(&g, 0, 0, 4));
}

static void comments_blanks_and_crlf(void **state)
{
	(void)state;
	parse_ok("\n# only a comment\r\n   \t\n"
		 "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0# trailing\r\n");
	assert_int_equal(g.n_chan, 1);
	assert_string_equal(g.chan[0].name, "obs");
	/* ids in any order; the limits themselves are allowed */
	parse_ok("channel 1 x from a to b rate 1000000/s burst 1000000 depth 4096 prio 7\n"
		 "channel 0 obs from b to a rate 1/s burst 1 depth 1 prio 0");
	assert_int_equal(g.n_chan, 2);
	assert_string_equal(g.ep[0], "a");
	assert_int_equal(g.chan[1].rate, 1000000);
	assert_int_equal(g.chan[0].senders, 2);
}

static void reservoir_and_budgets(void **state)
{
	(void)state;
	/* without them: no reservoir to speak of, every budget unlimited */
	parse_ok("channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\n");
	assert_int_equal(g.reservoir.cap, GRAPH_MAX_GAS);
	assert_int_equal(g.reservoir.rate, GRAPH_MAX_GAS);
	assert_int_equal(g.reservoir.cost_base, 0);
	assert_int_equal(g.budget[1][4], GRAPH_UNLIMITED);
	parse_ok("budget h:x bytes 18446744073709551615 gas 0\n"
		 "reservoir per-byte 4294967295 cost 7 rate 0/s gas 1\n"
		 "channel 0 obs from a to h:x rate 1/s burst 1 depth 1 prio 0\n"
		 "budget a io 5\n");
	assert_int_equal(g.reservoir.cap, 1);
	assert_int_equal(g.reservoir.rate, 0);
	assert_int_equal(g.reservoir.cost_base, 7);
	assert_int_equal(g.reservoir.cost_byte, UINT32_MAX);
	/* a budget may name an endpoint first: numbering is by first mention */
	assert_string_equal(g.ep[0], "h:x");
	assert_int_equal(g.budget[0][0], 0);
	assert_int_equal(g.budget[0][1], GRAPH_UNLIMITED);
	assert_int_equal(g.budget[0][2], UINT64_MAX);
	assert_int_equal(g.budget[1][4], 5);
	assert_int_equal(g.budget[1][3], GRAPH_UNLIMITED);
}

static const struct {
	const char *text;
	kr_err_t e;
	const char *msg;
} bad[] = {
	{ "", KR_EINVAL, "line 0: no channel 0" },
	{ "# nothing\n", KR_EINVAL, "line 1: no channel 0" },
	{ "chanel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0", KR_EFORMAT,
	  "line 1: unknown declaration 'chanel' (channel, reservoir, budget)" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nreservoir gas 10 rate 1/s cost 1", KR_EFORMAT, "line 2: expected 'reservoir gas" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nreservoir gas 10 rate 1/s cost 1 per-byte", KR_EFORMAT, "line 2: 'per-byte' has no value" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nreservoir gas 0 rate 1/s cost 1 per-byte 1", KR_ERANGE, "line 2: reservoir gas must be >= 1" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nreservoir gas 1000000001 rate 1/s cost 1 per-byte 1", KR_ERANGE,
	  "line 2: gas '1000000001' not in 0..1000000000" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nreservoir gas 1 rate 1 cost 1 per-byte 1", KR_EFORMAT, "line 2: rate '1' must be N/s" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nreservoir gas 1 rate 1/s cost 4294967296 per-byte 1", KR_ERANGE, "line 2: cost" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nreservoir gas 1 rate 1/s cost 1 per-byte 1 gas 2", KR_EEXIST, "line 2: gas given twice" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nreservoir gas 1 rate 1/s cost 1 per-byte 1\nreservoir gas 1 rate 1/s cost 1 per-byte 1",
	  KR_EEXIST, "line 3: a second reservoir" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nreservoir gas 1 gas 1 cost 1 per-byte", KR_EFORMAT, "line 2: 'per-byte' has no value" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nbudget a", KR_EFORMAT, "line 2: expected 'budget ENDPOINT" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nbudget a gas", KR_EFORMAT, "line 2: expected 'budget ENDPOINT" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nbudget a gas 1 fuel 2", KR_EFORMAT, "line 2: unknown word 'fuel'" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nbudget a gas 18446744073709551616", KR_ERANGE, "line 2: gas '18446744073709551616'" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nbudget a/b gas 1", KR_EFORMAT, "line 2: bad endpoint name 'a/b'" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\nbudget a gas 1\nbudget a io 1", KR_EEXIST, "line 3: a second budget for 'a'" },
	{ "\nchannel 0 obs from a to b rate 1/s burst 1 depth 1", KR_EFORMAT, "line 2: expected" },
	{ "channel 0 obs to a from b rate 1/s burst 1 depth 1 prio 0", KR_EFORMAT, "line 1: expected" },
	{ "channel 64 obs from a to b rate 1/s burst 1 depth 1 prio 0", KR_ERANGE,
	  "line 1: channel id '64' not in 0..63" },
	{ "channel -1 obs from a to b rate 1/s burst 1 depth 1 prio 0", KR_ERANGE, "line 1: channel id" },
	{ "channel 0 o/bs from a to b rate 1/s burst 1 depth 1 prio 0", KR_EFORMAT,
	  "line 1: bad channel name 'o/bs'" },
	{ "channel 0 a234567890123456 from a to b rate 1/s burst 1 depth 1 prio 0", KR_EFORMAT,
	  "line 1: bad channel name" },
	{ "channel 0 obs from a,,c to b rate 1/s burst 1 depth 1 prio 0", KR_EFORMAT,
	  "line 1: bad endpoint name ''" },
	{ "channel 0 obs from a to b! rate 1/s burst 1 depth 1 prio 0", KR_EFORMAT,
	  "line 1: bad endpoint name 'b!'" },
	{ "channel 0 obs from a to b rate 1 burst 1 depth 1 prio 0", KR_EFORMAT,
	  "line 1: rate '1' must be N/s" },
	{ "channel 0 obs from a to b rate 0/s burst 1 depth 1 prio 0", KR_ERANGE,
	  "line 1: rate '0/s' not in 1..1000000" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 4097 prio 0", KR_ERANGE,
	  "line 1: depth '4097' not in 1..4096" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 8", KR_ERANGE, "line 1: prio '8'" },
	{ "channel 0 obs from a to b rate 1/s burst 99999999999 depth 1 prio 0", KR_ERANGE,
	  "line 1: burst" },
	{ "channel 0 obs from a to b rate 1/s burst +1 depth 1 prio 0", KR_ERANGE, "line 1: burst '+1'" },
	{ "channel 0 obs from a to b rate 1/s rate 1/s depth 1 prio 0", KR_EEXIST,
	  "line 1: rate given twice" },
	{ "channel 0 obs from a to b rate 1/s speed 1 depth 1 prio 0", KR_EFORMAT,
	  "line 1: 'speed' is not rate, burst, depth or prio" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\n"
	  "channel 0 x from a to b rate 1/s burst 1 depth 1 prio 0", KR_EEXIST,
	  "line 2: channel 0 declared again" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\n"
	  "channel 1 obs from a to b rate 1/s burst 1 depth 1 prio 0", KR_EEXIST,
	  "line 2: channel name 'obs' already used by channel 0" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\n"
	  "channel 2 x from a to b rate 1/s burst 1 depth 1 prio 0", KR_EINVAL,
	  "line 2: channel ids must be 0..N-1: channel 1 is missing" },
	{ "channel 1 x from a to b rate 1/s burst 1 depth 1 prio 0", KR_EINVAL, "no channel 0" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0 extra", KR_EFORMAT, "line 1: expected" },
	{ "channel 0 obs from a to b\x01 rate 1/s burst 1 depth 1 prio 0", KR_EFORMAT,
	  "line 1: byte 0x01 is not printable ASCII" },
	{ "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0 1 2 3 4 5 6 7 8 9", KR_EFORMAT,
	  "line 1: too many words" },
};

static void errors_name_the_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kr_err_t e = graph_parse(&g, bad[i].text, strlen(bad[i].text), err, sizeof(err));

		if (e != bad[i].e || !strstr(err, bad[i].msg))
			fail_msg("case %zu: got %d '%s', want %d '%s'", i, e, err, bad[i].e,
				 bad[i].msg);
		/* a refused text leaves nothing behind */
		assert_int_equal(g.n_ep, 0);
		assert_int_equal(g.n_chan, 0);
	}
}

static void sixty_five_endpoints_is_too_many(void **state)
{
	char text[8192];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "channel %d c%d from e%d to e%d rate 1/s burst 1 depth 1 prio 0\n",
				      i, i, 2 * i, 2 * i + 1);
	assert_int_equal(graph_parse(&g, text, n, err, sizeof(err)), KR_ENOSPC);
	assert_non_null(strstr(err, "line 33: more than 64 endpoints"));
}

static void matches_the_golden_blob(void **state)
{
	size_t len, glen, n;
	char *text = slurp("sample.channels", &len);
	char *golden = slurp("sample.blob", &glen);

	(void)state;
	assert_int_equal(graph_parse(&g, text, len, err, sizeof(err)), KR_OK);
	assert_int_equal(graph_encode(&g, blob, sizeof(blob), &n), KR_OK);
	assert_int_equal(n, GRAPH_BLOB_SIZE(4, 4));
	assert_int_equal(n, 40 + 4 * 72 + 4 * 48 + 32);
	assert_int_equal(glen, n);
	assert_memory_equal(blob, golden, n);
	/* the pinned offsets, read by hand */
	assert_memory_equal(blob, "KCHN\1\0\4\0\4\0\0\0", 12);
	assert_int_equal(blob[12] | blob[13] << 8, n);
	assert_memory_equal(blob + 16, "\xa0\x86\x01\0\0\0\0\0", 8);    /* 100000 gas */
	assert_memory_equal(blob + 24, "\x50\xc3\0\0\0\0\0\0", 8);      /* 50000/s */
	assert_memory_equal(blob + 32, "\x0a\0\0\0\x01\0\0\0", 8);      /* cost 10, 1 */
	assert_string_equal((char *)blob + 40 + 72 * 2, "h:counter");
	assert_memory_equal(blob + 40 + 72 * 2 + 32 + 8, "\x88\x13\0\0\0\0\0\0", 8); /* 5000 parcels */
	assert_memory_equal(blob + 40 + 72 * 2 + 32 + 32, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	assert_int_equal(blob[40 + 288 + 48 * 3], 3);             /* channel 3's id */
	assert_int_equal(blob[40 + 288 + 48 * 3 + 2], 1);         /* its prio */
	assert_int_equal(blob[40 + 288 + 48 * 3 + 4], 10);        /* its rate */
	assert_string_equal((char *)blob + 40 + 288 + 48 * 3 + 32, "tick");
	assert_int_equal(graph_decode(&g2, blob, n, err, sizeof(err)), KR_OK);
	assert_memory_equal(&g, &g2, sizeof(g));
	assert_int_equal(graph_encode(&g, blob, n - 1, &len), KR_ENOSPC);
	free(text);
	free(golden);
}

/* Recompute the digest of a blob altered on purpose, so the decoder's
 * other checks are what refuse it. */
static void reseal(uint8_t *b, size_t n)
{
	kr_blake2b_256(b + n - GRAPH_BLOB_DIGEST, b, n - GRAPH_BLOB_DIGEST);
}

static size_t sample_blob(void)
{
	size_t n;

	parse_ok("channel 0 obs from a,b to c rate 5/s burst 2 depth 8 prio 0\n"
		 "channel 1 req from c to a rate 7/s burst 3 depth 4 prio 3\n");
	assert_int_equal(graph_encode(&g, blob, sizeof(blob), &n), KR_OK);
	return n;
}

static void refuse(const uint8_t *b, size_t n, kr_err_t want, const char *msg)
{
	memset(&g2, 0x5a, sizeof(g2));
	kr_err_t e = graph_decode(&g2, b, n, err, sizeof(err));

	if (e != want || !strstr(err, msg))
		fail_msg("got %d '%s', want %d '%s'", e, err, want, msg);
	assert_int_equal(g2.n_ep, 0);
	assert_int_equal(g2.n_chan, 0);
}

static void decoder_refuses_with_a_reason(void **state)
{
	size_t n = sample_blob();
	const size_t ep0 = 40, ch0 = ep0 + 3 * 72, ch1 = ch0 + 48;

	(void)state;
	assert_int_equal(graph_decode(&g2, blob, n, err, sizeof(err)), KR_OK);
	refuse(blob, 0, KR_ETRUNC, "shorter than the 40-byte header");
	refuse(blob, 39, KR_ETRUNC, "header");
	refuse(blob, n - 1, KR_ETRUNC, "bytes, the header says");
	memcpy(blob2, blob, n);
	blob2[n] = 0;
	refuse(blob2, n + 1, KR_EFORMAT, "bytes, the header says");
#define ALTERED(stmt, sealed, want, msg)                                \
	do {                                                            \
		memcpy(blob2, blob, n);                                 \
		stmt;                                                   \
		if (sealed)                                             \
			reseal(blob2, n);                               \
		refuse(blob2, n, want, msg);                            \
	} while (0)
	ALTERED(blob2[0] = 'X', 0, KR_EFORMAT, "bad magic");
	ALTERED(blob2[4] = 2, 0, KR_EFORMAT, "version 2");
	ALTERED(blob2[10] = 1, 0, KR_EFORMAT, "flags 0x0001");
	ALTERED(blob2[6] = 65, 0, KR_ERANGE, "65 endpoints");
	ALTERED(blob2[8] = 0, 0, KR_ERANGE, "0 channels");
	ALTERED(blob2[6] = 2, 0, KR_EFORMAT, "total size");
	ALTERED(blob2[12]++, 0, KR_EFORMAT, "total size");
	ALTERED(blob2[20] ^= 1, 0, KR_EFORMAT, "digest mismatch");
	ALTERED(blob2[ep0 + 40] ^= 1, 0, KR_EFORMAT, "digest mismatch");       /* a budget */
	ALTERED(blob2[n - 1] ^= 1, 0, KR_EFORMAT, "digest mismatch");
	/* sealed again: the structural checks behind the digest */
	ALTERED(memset(blob2 + 16, 0, 8), 1, KR_ERANGE, "reservoir: gas 1..");
	ALTERED(blob2[23] = 1, 1, KR_ERANGE, "reservoir: gas 1..");
	ALTERED(blob2[31] = 1, 1, KR_ERANGE, "reservoir: gas 1..");              /* its rate */
	ALTERED(memset(blob2 + ep0, 'a', 32), 1, KR_EFORMAT, "endpoint 0: name not NUL-padded");
	ALTERED(blob2[ep0 + 31] = 'z', 1, KR_EFORMAT, "endpoint 0: name not NUL-padded");
	ALTERED(blob2[ep0 + 72] = 'a', 1, KR_EEXIST, "endpoint 1: 'a' again");
	ALTERED(blob2[ep0] = 0, 1, KR_EFORMAT, "endpoint 0: bad name");
	ALTERED(blob2[ep0] = '/', 1, KR_EFORMAT, "endpoint 0: bad name");
	ALTERED(blob2[ch1] = 0, 1, KR_EFORMAT, "channel 1: id 0");
	ALTERED(blob2[ch1 + 3] = 4, 1, KR_EFORMAT, "flags 0x04");
	ALTERED(blob2[ch1 + 2] = 8, 1, KR_ERANGE, "channel 1: rate");
	ALTERED(memset(blob2 + ch1 + 4, 0, 4), 1, KR_ERANGE, "channel 1: rate");
	ALTERED(blob2[ch0 + 15] = 1, 1, KR_ERANGE, "channel 0: rate");   /* depth 2^24 + 8 */
	ALTERED(blob2[ch0 + 16] |= 8, 1, KR_EFORMAT, "known endpoints");  /* sender 3 of 3 */
	ALTERED(memset(blob2 + ch0 + 24, 0, 8), 1, KR_EFORMAT, "known endpoints");
	ALTERED(blob2[ch0 + 31] = 0x80, 1, KR_EFORMAT, "known endpoints");
	ALTERED(memcpy(blob2 + ch1 + 32, "obs", 4), 1, KR_EEXIST, "channel 1: name 'obs' again");
	ALTERED(blob2[ch1 + 47] = 'x', 1, KR_EFORMAT, "channel 1: name not NUL-padded");
	ALTERED(memset(blob2 + ch1 + 32, 0, 3), 1, KR_EFORMAT, "channel 1: bad name");
#undef ALTERED
	refuse(NULL, 5, KR_EINVAL, "no blob");
}

/* ---- seeded random graphs ---------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void random_graph(struct graph *r)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:";

	memset(r, 0, sizeof(*r));
	r->n_ep = (uint16_t)(1 + below(GRAPH_MAX_ENDPOINTS));
	r->n_chan = (uint16_t)(1 + below(GRAPH_MAX_CHANNELS));
	r->reservoir = (struct graph_reservoir){ 1 + rnd() % GRAPH_MAX_GAS,
						 rnd() % (GRAPH_MAX_GAS + 1), (uint32_t)rnd(),
						 (uint32_t)rnd() };
	for (unsigned i = 0; i < r->n_ep; i++)
		for (unsigned k = 0; k < GRAPH_NRES; k++)
			r->budget[i][k] = below(3) ? rnd() >> below(64) : GRAPH_UNLIMITED;
	for (unsigned i = 0; i < r->n_ep; i++) {
		/* "NN" keeps them unique; a random tail fills up to 31 bytes */
		unsigned len = 2 + below(GRAPH_EP_NAME_MAX - 1);

		r->ep[i][0] = (char)('0' + i / 10), r->ep[i][1] = (char)('0' + i % 10);
		for (unsigned k = 2; k < len; k++)
			r->ep[i][k] = chars[below(sizeof(chars) - 1)];
	}
	for (unsigned i = 0; i < r->n_chan; i++) {
		struct graph_chan *c = &r->chan[i];
		uint64_t all = r->n_ep == 64 ? ~0ull : (1ull << r->n_ep) - 1;

		snprintf(c->name, sizeof(c->name), "c%u.%c", i, chars[below(sizeof(chars) - 1)]);
		c->rate = 1 + below(GRAPH_MAX_RATE);
		c->burst = 1 + below(GRAPH_MAX_BURST);
		c->depth = 1 + below(GRAPH_MAX_DEPTH);
		c->prio = (uint8_t)below(GRAPH_MAX_PRIO + 1);
		c->senders = (rnd() & all) | 1ull << below(r->n_ep);
		c->receivers = (rnd() & all) | 1ull << below(r->n_ep);
	}
}

static void random_round_trips_and_flips(void **state)
{
	(void)state;
	for (int round = 0; round < 200; round++) {
		size_t n, m;

		random_graph(&g);
		if (graph_check(&g, err, sizeof(err)))
			fail_msg("round %d: generator made a bad graph: %s", round, err);
		assert_int_equal(graph_encode(&g, blob, sizeof(blob), &n), KR_OK);
		assert_int_equal(n, GRAPH_BLOB_SIZE(g.n_ep, g.n_chan));
		assert_int_equal(graph_decode(&g2, blob, n, err, sizeof(err)), KR_OK);
		assert_memory_equal(&g, &g2, sizeof(g));
		/* one graph, one blob */
		assert_int_equal(graph_encode(&g2, blob2, sizeof(blob2), &m), KR_OK);
		assert_int_equal(m, n);
		assert_memory_equal(blob, blob2, n);
		/* any one byte changed anywhere is refused */
		for (int k = 0; k < 32; k++) {
			size_t at = below((uint32_t)n);
			uint8_t x = (uint8_t)(1 + below(255));

			blob2[at] ^= x;
			if (graph_decode(&g2, blob2, n, err, sizeof(err)) == KR_OK)
				fail_msg("round %d: byte %zu ^ 0x%02x accepted", round, at, x);
			assert_true(err[0] != '\0');
			blob2[at] ^= x;
		}
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_the_sample),
		cmocka_unit_test(comments_blanks_and_crlf),
		cmocka_unit_test(reservoir_and_budgets),
		cmocka_unit_test(errors_name_the_line),
		cmocka_unit_test(sixty_five_endpoints_is_too_many),
		cmocka_unit_test(matches_the_golden_blob),
		cmocka_unit_test(decoder_refuses_with_a_reason),
		cmocka_unit_test(random_round_trips_and_flips),
	};

	fixtures = argc > 1 ? argv[1] : "tests/unit/org_fixtures";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
