/*
 * graph_blob.c - the compiled channel graph (graph.h): the one definition
 * of its bytes, written by the host tool (tools/mkchannels.c) and read by
 * the kernel.  All integers little-endian, no padding:
 *
 *   header, 40 bytes:
 *	0  u32 magic "KCHN" (0x4e48434b)   4  u16 version (1)
 *	6  u16 endpoints                   8  u16 channels
 *	10 u16 flags (0)                   12 u32 total size of the blob
 *	16 u64 reservoir gas               24 u64 reservoir rate (gas/s)
 *	32 u32 gas an attempt              36 u32 gas a payload byte
 *   endpoints, 72 bytes each, numbered from 0:
 *	0  name[32], NUL-padded (at least one NUL; every byte after the
 *	   first NUL is 0)
 *	32 u64 budgets: gas, parcels, bytes, pages, io (all ones: unlimited)
 *   channels, 48 bytes each, channel i at index i:
 *	0  u16 id (== i)   2 u8 prio   3 u8 flags (0)
 *	4  u32 rate        8 u32 burst   12 u32 depth
 *	16 u64 senders     24 u64 receivers (bit n: endpoint n)
 *	32 name[16], NUL-padded like an endpoint's
 *   digest, 32 bytes: BLAKE2b-256 of every byte before it.
 *
 * The decoder is the seL4 "decode" half: it checks everything (sizes,
 * magic, version, zero flags and padding, the digest, then graph_check)
 * (the digest before anything is read into the graph), and a refused blob
 * leaves the caller's graph empty with the reason in err.  Every valid
 * graph has exactly one blob: no two blobs decode to the same graph.
 */
#include <karyon/hash.h>
#include <karyon/libc.h>
#include "graph.h"


static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

kr_err_t graph_encode(const struct graph *g, uint8_t *out, size_t cap, size_t *len)
{
	size_t total;
	uint8_t *p;

	if (!g || !out || !len || graph_check(g, NULL, 0))
		return KR_EINVAL;
	total = GRAPH_BLOB_SIZE(g->n_ep, g->n_chan);
	if (cap < total)
		return KR_ENOSPC;
	memset(out, 0, total);
	put32(out, GRAPH_BLOB_MAGIC);
	put16(out + 4, GRAPH_BLOB_VERSION);
	put16(out + 6, g->n_ep);
	put16(out + 8, g->n_chan);
	put32(out + 12, (uint32_t)total);
	put64(out + 16, g->reservoir.cap);
	put64(out + 24, g->reservoir.rate);
	put32(out + 32, g->reservoir.cost_base);
	put32(out + 36, g->reservoir.cost_byte);
	p = out + GRAPH_BLOB_HDR;
	for (unsigned i = 0; i < g->n_ep; i++, p += GRAPH_BLOB_EP) {
		memcpy(p, g->ep[i], strlen(g->ep[i]));
		for (unsigned r = 0; r < GRAPH_NRES; r++)
			put64(p + 32 + 8 * r, g->budget[i][r]);
	}
	for (unsigned i = 0; i < g->n_chan; i++, p += GRAPH_BLOB_CHAN) {
		const struct graph_chan *c = &g->chan[i];

		put16(p, (uint16_t)i);
		p[2] = c->prio;
		put32(p + 4, c->rate);
		put32(p + 8, c->burst);
		put32(p + 12, c->depth);
		put64(p + 16, c->senders);
		put64(p + 24, c->receivers);
		memcpy(p + 32, c->name, strlen(c->name));
	}
	kr_blake2b_256(p, out, (size_t)(p - out));
	*len = total;
	return KR_OK;
}

/* A NUL-padded name field of n bytes into dst[n]: 0, or -1 if it has no NUL
 * or anything but NULs after the first. */
static int name_field(char *dst, const uint8_t *p, size_t n)
{
	size_t len = 0;

	while (len < n && p[len])
		len++;
	if (len == n)
		return -1;
	for (size_t i = len; i < n; i++)
		if (p[i])
			return -1;
	memcpy(dst, p, n);
	return 0;
}

/* The decode proper, into g (emptied by the caller). */
static kr_err_t decode(struct graph *g, const uint8_t *b, size_t len, char *err, size_t errsz)
{
	uint8_t digest[KR_BLAKE2B_256_LEN];
	unsigned ne, nc;
	const uint8_t *p;
	size_t total;

	if (len < GRAPH_BLOB_HDR)
		return graph_fail(err, errsz, KR_ETRUNC, "%zu bytes: shorter than the %u-byte header",
			    len, GRAPH_BLOB_HDR);
	if (get32(b) != GRAPH_BLOB_MAGIC)
		return graph_fail(err, errsz, KR_EFORMAT, "bad magic 0x%08x (want 0x%08x, \"KCHN\")",
			    get32(b), GRAPH_BLOB_MAGIC);
	if (get16(b + 4) != GRAPH_BLOB_VERSION)
		return graph_fail(err, errsz, KR_EFORMAT, "version %u (this kernel reads %u)",
			    get16(b + 4), GRAPH_BLOB_VERSION);
	ne = get16(b + 6), nc = get16(b + 8);
	if (get16(b + 10))
		return graph_fail(err, errsz, KR_EFORMAT, "flags 0x%04x: none are defined",
			    get16(b + 10));
	if (ne > GRAPH_MAX_ENDPOINTS || nc > GRAPH_MAX_CHANNELS || nc < 1)
		return graph_fail(err, errsz, KR_ERANGE, "%u endpoints, %u channels (0..%u, 1..%u)", ne,
			    nc, GRAPH_MAX_ENDPOINTS, GRAPH_MAX_CHANNELS);
	total = GRAPH_BLOB_SIZE(ne, nc);
	if (get32(b + 12) != total)
		return graph_fail(err, errsz, KR_EFORMAT, "total size %u, but %u endpoints and %u "
			    "channels make %zu", get32(b + 12), ne, nc, total);
	if (len != total)
		return graph_fail(err, errsz, len < total ? KR_ETRUNC : KR_EFORMAT,
			    "%zu bytes, the header says %zu", len, total);
	kr_blake2b_256(digest, b, total - GRAPH_BLOB_DIGEST);
	if (memcmp(digest, b + total - GRAPH_BLOB_DIGEST, sizeof(digest)))
		return graph_fail(err, errsz, KR_EFORMAT, "digest mismatch: the blob was altered");
	g->n_ep = (uint16_t)ne, g->n_chan = (uint16_t)nc;
	g->reservoir = (struct graph_reservoir){ get64(b + 16), get64(b + 24), get32(b + 32),
						 get32(b + 36) };
	p = b + GRAPH_BLOB_HDR;
	for (unsigned i = 0; i < ne; i++, p += GRAPH_BLOB_EP) {
		if (name_field(g->ep[i], p, sizeof(g->ep[i])))
			return graph_fail(err, errsz, KR_EFORMAT, "endpoint %u: name not NUL-padded", i);
		for (unsigned r = 0; r < GRAPH_NRES; r++)
			g->budget[i][r] = get64(p + 32 + 8 * r);
	}
	for (unsigned i = 0; i < nc; i++, p += GRAPH_BLOB_CHAN) {
		struct graph_chan *c = &g->chan[i];

		if (get16(p) != i || p[3])
			return graph_fail(err, errsz, KR_EFORMAT, "channel %u: id %u, flags 0x%02x", i,
				    get16(p), p[3]);
		c->prio = p[2];
		c->rate = get32(p + 4), c->burst = get32(p + 8), c->depth = get32(p + 12);
		c->senders = get64(p + 16), c->receivers = get64(p + 24);
		if (name_field(c->name, p + 32, sizeof(c->name)))
			return graph_fail(err, errsz, KR_EFORMAT, "channel %u: name not NUL-padded", i);
	}
	return graph_check(g, err, errsz);
}

kr_err_t graph_decode(struct graph *g, const uint8_t *blob, size_t len, char *err,
		      size_t errsz)
{
	kr_err_t e;

	if (err && errsz)
		err[0] = '\0';
	if (!g)
		return graph_fail(err, errsz, KR_EINVAL, "no graph");
	memset(g, 0, sizeof(*g));
	if (!blob && len)
		return graph_fail(err, errsz, KR_EINVAL, "no blob");
	if ((e = decode(g, blob, len, err, errsz)))
		memset(g, 0, sizeof(*g));
	return e;
}
