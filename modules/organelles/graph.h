/*
 * graph.h - the channel graph of an image (issue 17): numbered channels
 * between named endpoints (modules, handlers "h:NAME", "shell"), who may
 * send on each and to whom, and each channel's QoS (token bucket rate and
 * burst, queue depth, priority).  Channel 0 is the observability feed.
 *
 * The profile also sets the GAS reservoir (its size, refill and the cost
 * of an attempt) and each endpoint's energy budgets (the mitochondria's
 * gas, parcels, bytes, pages and I/O), so the blob holds every table the
 * organelles start from.
 *
 * Three forms, one meaning:
 *   - the text of images/NAME.channels (graph_parse, graph.c);
 *   - struct graph, what the organelles consult;
 *   - the compiled blob (graph_encode / graph_decode, graph_blob.c), the
 *     form the build measures and the kernel loads.  The blob is untrusted
 *     when loaded: graph_decode checks every byte and says why it refuses.
 * Pure code: no allocation, no clock; endpoints are numbered in order of
 * first appearance, so the same text always gives the same blob.
 */
#ifndef KARYON_ORGANELLES_GRAPH_H
#define KARYON_ORGANELLES_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>

#define GRAPH_MAX_ENDPOINTS 64          /* senders/receivers are u64 masks */
#define GRAPH_MAX_CHANNELS  64
#define GRAPH_EP_NAME_MAX   31          /* bytes of an endpoint name */
#define GRAPH_CH_NAME_MAX   15          /* bytes of a channel name */
#define GRAPH_OBS_CHANNEL   0
#define GRAPH_MAX_RATE      1000000u    /* tokens a second */
#define GRAPH_MAX_BURST     1000000u
#define GRAPH_MAX_DEPTH     4096u
#define GRAPH_MAX_PRIO      7u          /* 0 is the most urgent */
#define GRAPH_MAX_GAS       1000000000ull /* reservoir size and refill a second */
#define GRAPH_NRES          5           /* gas, parcels, bytes, pages, io (mito.h) */
#define GRAPH_UNLIMITED     UINT64_MAX  /* a budget never set */

struct graph_chan {
	char name[GRAPH_CH_NAME_MAX + 1];
	uint32_t rate;                  /* tokens a second, 1..GRAPH_MAX_RATE */
	uint32_t burst;                 /* bucket size, 1..GRAPH_MAX_BURST */
	uint32_t depth;                 /* queue depth, 1..GRAPH_MAX_DEPTH */
	uint8_t prio;                   /* 0..GRAPH_MAX_PRIO */
	uint64_t senders;               /* bit i: endpoint i may send */
	uint64_t receivers;             /* bit i: endpoint i may receive */
};

/* The GAS reservoir: without a `reservoir` line, as large and as fast as
 * allowed, and attempts free (in effect no reservoir). */
struct graph_reservoir {
	uint64_t cap;                   /* gas, 1..GRAPH_MAX_GAS */
	uint64_t rate;                  /* gas a virtual second, 0..GRAPH_MAX_GAS */
	uint32_t cost_base;             /* gas an attempt */
	uint32_t cost_byte;             /* gas a payload byte */
};

struct graph {
	uint16_t n_ep, n_chan;          /* channel ids are 0..n_chan-1 */
	char ep[GRAPH_MAX_ENDPOINTS][GRAPH_EP_NAME_MAX + 1];
	uint64_t budget[GRAPH_MAX_ENDPOINTS][GRAPH_NRES];      /* GRAPH_UNLIMITED unless set */
	struct graph_chan chan[GRAPH_MAX_CHANNELS];
	struct graph_reservoir reservoir;
};

/* ---- the blob (graph_blob.c), little-endian, pinned ------------------- */
#define GRAPH_BLOB_MAGIC    0x4e48434bu /* "KCHN" */
#define GRAPH_BLOB_VERSION  1u
#define GRAPH_BLOB_HDR      40u         /* magic u32, version u16, n_ep u16,
					 * n_chan u16, flags u16 (0), total u32,
					 * the reservoir: cap u64, rate u64,
					 * cost_base u32, cost_byte u32 */
#define GRAPH_BLOB_EP       72u         /* name[32], NUL-padded (>= 1 NUL),
					 * then its 5 budgets, u64 each */
#define GRAPH_BLOB_CHAN     48u         /* see graph_blob.c */
#define GRAPH_BLOB_DIGEST   32u         /* BLAKE2b-256 of all bytes before it */
#define GRAPH_BLOB_SIZE(ne, nc) \
	(GRAPH_BLOB_HDR + GRAPH_BLOB_EP * (ne) + GRAPH_BLOB_CHAN * (nc) + GRAPH_BLOB_DIGEST)
#define GRAPH_BLOB_MAX GRAPH_BLOB_SIZE(GRAPH_MAX_ENDPOINTS, GRAPH_MAX_CHANNELS)

/* Parse len bytes of .channels text into g.  On failure g is left empty and
 * err holds "line N: why". */
kr_err_t graph_parse(struct graph *g, const char *text, size_t len, char *err, size_t errsz);
/* Put the message in err (if any) and return e: every refusal's form. */
kr_err_t graph_fail(char *err, size_t errsz, kr_err_t e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The rules every graph keeps (names, ranges, masks within n_ep, channel 0
 * present); graph_parse and graph_decode both end with it. */
kr_err_t graph_check(const struct graph *g, char *err, size_t errsz);
/* The endpoint numbered for name, or -1. */
int graph_endpoint(const struct graph *g, const char *name);
/* May endpoint from send on chan to endpoint to?  (Inline: every send
 * asks.) */
static inline bool graph_allows(const struct graph *g, uint32_t chan, int from, int to)
{
	if (chan >= g->n_chan || from < 0 || from >= g->n_ep || to < 0 || to >= g->n_ep)
		return false;
	return (g->chan[chan].senders >> from & 1) && (g->chan[chan].receivers >> to & 1);
}

/* The blob of g (which must pass graph_check) into out[cap]; *len its size.
 * KR_ENOSPC if cap is too small. */
kr_err_t graph_encode(const struct graph *g, uint8_t *out, size_t cap, size_t *len);
/* Decode and check a blob of len bytes; g is left empty on failure. */
kr_err_t graph_decode(struct graph *g, const uint8_t *blob, size_t len, char *err,
		      size_t errsz);

#endif
