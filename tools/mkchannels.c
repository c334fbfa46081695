/*
 * mkchannels.c - compile an image profile's channel graph (NAME.channels,
 * docs/organelles.md) into the blob the kernel loads and the build
 * measures, with the kernel's own parser and encoder
 * (modules/organelles/graph.c, graph_blob.c), so the layout has one
 * definition.
 *
 * Usage: mkchannels IN.channels OUT.blob   compile; prints "b2:DIGEST SIZE OUT"
 *        mkchannels --check BLOB           decode and print the graph
 * Exit 1 with "mkchannels: FILE: line N: why" on a bad profile or blob.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "organelles/graph.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

static void print_mask(const struct graph *g, uint64_t m)
{
	const char *sep = "";

	for (int i = 0; i < g->n_ep; i++)
		if (m >> i & 1) {
			printf("%s%s", sep, g->ep[i]);
			sep = ",";
		}
}

static int check(const char *path)
{
	static struct graph g;
	char err[160];
	size_t len;
	char *blob = slurp(path, &len);

	if (!blob) {
		fprintf(stderr, "mkchannels: %s: cannot read\n", path);
		return 1;
	}
	if (graph_decode(&g, (const uint8_t *)blob, len, err, sizeof(err))) {
		fprintf(stderr, "mkchannels: %s: %s\n", path, err);
		free(blob);
		return 1;
	}
	for (unsigned i = 0; i < g.n_chan; i++) {
		const struct graph_chan *c = &g.chan[i];

		printf("channel %u %s from ", i, c->name);
		print_mask(&g, c->senders);
		printf(" to ");
		print_mask(&g, c->receivers);
		printf(" rate %u/s burst %u depth %u prio %u\n", c->rate, c->burst, c->depth,
		       c->prio);
	}
	printf("reservoir gas %llu rate %llu/s cost %u per-byte %u\n",
	       (unsigned long long)g.reservoir.cap, (unsigned long long)g.reservoir.rate,
	       g.reservoir.cost_base, g.reservoir.cost_byte);
	for (unsigned i = 0; i < g.n_ep; i++) {
		static const char *const res[GRAPH_NRES] = { "gas", "parcels", "bytes", "pages",
							     "io" };
		bool any = false;

		for (unsigned r = 0; r < GRAPH_NRES; r++) {
			if (g.budget[i][r] == GRAPH_UNLIMITED)
				continue;
			if (!any)
				printf("budget %s", g.ep[i]);
			printf(" %s %llu", res[r], (unsigned long long)g.budget[i][r]);
			any = true;
		}
		if (any)
			printf("\n");
	}
	free(blob);
	return 0;
}

int main(int argc, char **argv)
{
	static struct graph g;
	static uint8_t blob[GRAPH_BLOB_MAX];
	char err[160];
	size_t len, n;
	char *text;
	FILE *f;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: mkchannels IN.channels OUT.blob | --check BLOB\n"
		       "  compile a profile's channel graph into its blob (docs/organelles.md)\n"
		       "  --check BLOB  decode a blob and print its graph as .channels text\n");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--check"))
		return check(argv[2]);
	if (argc != 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: mkchannels IN.channels OUT.blob | --check BLOB\n");
		return 2;
	}
	if (!(text = slurp(argv[1], &len))) {
		fprintf(stderr, "mkchannels: %s: cannot read\n", argv[1]);
		return 1;
	}
	if (graph_parse(&g, text, len, err, sizeof(err))) {
		fprintf(stderr, "mkchannels: %s: %s\n", argv[1], err);
		free(text);
		return 1;
	}
	free(text);
	if (graph_encode(&g, blob, sizeof(blob), &n)) {
		fprintf(stderr, "mkchannels: %s: cannot encode\n", argv[1]);
		return 1;
	}
	if (!(f = fopen(argv[2], "wb")) || fwrite(blob, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "mkchannels: %s: cannot write\n", argv[2]);
		return 1;
	}
	printf("b2:");
	for (size_t i = n - GRAPH_BLOB_DIGEST; i < n; i++)
		printf("%02x", blob[i]);
	printf(" %zu %s\n", n, argv[2]);
	return 0;
}
