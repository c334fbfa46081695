/*
 * fuzz_channels.c - libFuzzer target for the channel graph's two readers
 * of untrusted input (modules/organelles/graph.c, graph_blob.c).
 *
 * The first byte picks the reader; the rest is its input:
 *   bit 0 clear: a compiled blob for graph_decode; with bit 1 set the
 *	blob's BLAKE2b-256 trailer is recomputed first, so the checks behind
 *	the digest are reached;
 *   bit 0 set: .channels text for graph_parse.
 * Either must refuse with a reason and an empty graph, or give a graph
 * that passes graph_check, encodes, and decodes back to itself; a blob
 * that decodes must be exactly the blob its graph encodes to.
 * Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <karyon/hash.h>
#include "organelles/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct graph g, g2;
static uint8_t blob[GRAPH_BLOB_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160];
	uint8_t *in;
	size_t len, n;
	kr_err_t e;

	if (size < 1)
		return 0;
	len = size - 1;
	in = malloc(len ? len : 1);
	memcpy(in, data + 1, len);
	if (data[0] & 1) {
		e = graph_parse(&g, (const char *)in, len, err, sizeof(err));
	} else {
		if ((data[0] & 2) && len >= GRAPH_BLOB_DIGEST)
			kr_blake2b_256(in + len - GRAPH_BLOB_DIGEST, in, len - GRAPH_BLOB_DIGEST);
		e = graph_decode(&g, in, len, err, sizeof(err));
	}
	if (e != KR_OK) {
		if (e > 0 || !err[0] || !memchr(err, '\0', sizeof(err)) || g.n_ep || g.n_chan)
			abort();
	} else {
		if (graph_check(&g, NULL, 0) || graph_encode(&g, blob, sizeof(blob), &n) ||
		    n != GRAPH_BLOB_SIZE(g.n_ep, g.n_chan))
			abort();
		if (!(data[0] & 1) && (n != len || memcmp(blob, in, n)))
			abort();
		if (graph_decode(&g2, blob, n, err, sizeof(err)) || memcmp(&g, &g2, sizeof(g)))
			abort();
	}
	free(in);
	return 0;
}
