/*
 * main.c - tools/chain: the contract VM on the host (issue 18, requirement
 * 6).  The same execution as the kernel's vm module (modules/vm: exec.c,
 * state.c, journal.c, smt.c, codec.c, gen.c), with contracts compiled by
 * the host's Debian libtcc through hostrun.c, so the same blocks give the
 * same receipts, gas and roots as `vm block` and `vm gen` do in the kernel.
 *
 *	chain gen TOKEN.c ACCOUNTS TRANSFERS [PER_BLOCK] [SEED] [--out DIR] [-v]
 *		the token workload of `vm gen`, block by block (each on the
 *		head the previous one left), printed as `vm gen` prints it;
 *		--out keeps each block as DIR/N.blk for `vm block`
 *	chain run BLOCK... [-v]
 *		execute block files in order from genesis
 *	-v prints every receipt's status, gas and return data
 *	--root DIR: the source tree whose sdk/ headers contracts compile
 *	against (the image's /usr/include holds the same files); the tree
 *	it was built from by default
 *
 * Exit status: 0 when every block ran, 1 when one was refused, 2 on bad
 * usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hostrun.h"
#include "vm/exec.h"
#include "vm/gen.h"

static bool verbose;

static void print(void *ctx, const char *s)
{
	(void)ctx;
	fputs(s, stdout);
}

static void diag(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s%s", line, line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
}

static const char *const status_name[] = { "ok", "revert", "out of gas", "fault", "refused" };

static void on_receipt(void *ctx, uint32_t i, const struct vm_tx *tx, const struct vm_receipt *r,
		       const uint8_t hash[KR_VM_HASH_LEN])
{
	(void)ctx;
	(void)tx;
	(void)hash;
	if (!verbose)
		return;
	printf("tx %u: %s, gas %llu", i, r->status <= KR_VM_STATUS_MAX ? status_name[r->status] :
	       "?", (unsigned long long)r->gas_used);
	if (r->status != KR_VM_OK && r->status != KR_VM_FAULT)
		printf(": %.*s", (int)(r->ret_len < 200 ? r->ret_len : 200), (const char *)r->ret);
	printf("\n");
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(b = malloc((size_t)n + 1)) || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "chain: %s: %s\n", path, strerror(errno ? errno : EIO));
		free(b);
		b = NULL;
	} else {
		*len = (size_t)n;
	}
	if (f)
		fclose(f);
	return b;
}

static int run_block(struct vm *vm, const uint8_t *b, size_t n, const char *dir)
{
	struct vm_block_result res;
	char why[VM_WHY_MAX];
	kr_err_t e = vm_exec_block(vm, b, n, false, &res, on_receipt, NULL, why, sizeof(why));

	if (e) {
		fprintf(stderr, "chain: block refused: %s\n", why);
		return 1;
	}
	vm_print_result(&res, print, NULL);
	if (dir) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%08llu.blk", dir, (unsigned long long)res.height);
		f = fopen(path, "wb");
		if (!f || fwrite(b, 1, n, f) != n || fclose(f)) {
			fprintf(stderr, "chain: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	return 0;
}

static bool num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return *s && !*end && !errno && *out <= max;
}

static int gen(struct vm *vm, int argc, char **argv, const char *dir)
{
	unsigned long long acc, total, per = 1000, seed = 1;
	struct vm_gen g;
	uint8_t *src, *buf;
	size_t n, cap, len;
	int step = 0, r = 0;

	if (argc < 3 || argc > 5 || !num(argv[1], VM_GEN_ACCOUNTS_MAX, &acc) || acc < 2 ||
	    !num(argv[2], 1000000, &total) ||
	    (argc > 3 && (!num(argv[3], KR_VM_BLOCK_TX_MAX, &per) || !per)) ||
	    (argc > 4 && !num(argv[4], ~0ull, &seed))) {
		fprintf(stderr, "usage: chain gen TOKEN.c ACCOUNTS TRANSFERS [PER_BLOCK] [SEED] "
			"[--out DIR] [-v]\n");
		return 2;
	}
	src = read_file(argv[0], &n);
	if (!src)
		return 1;
	if (vm_gen_init(&g, (uint32_t)acc, seed)) {
		fprintf(stderr, "chain: out of memory\n");
		return 1;
	}
	cap = vm_gen_size(per > acc ? (uint32_t)per : (uint32_t)acc) + n;
	buf = malloc(cap);
	while (!r && buf && (step < 2 || total)) {
		uint32_t k = total < per ? (uint32_t)total : (uint32_t)per;
		kr_err_t e = step == 0 ? vm_gen_deploy(&g, src, (uint32_t)n, vm->slot + 1, vm->root,
						       buf, cap, &len) :
			     step == 1 ? vm_gen_fund(&g, vm->slot + 1, vm->root, buf, cap, &len) :
			     vm_gen_transfers(&g, k, vm->slot + 1, vm->root, buf, cap, &len);

		if (e) {
			fprintf(stderr, "chain gen: %s\n", kr_strerror(e));
			r = 1;
			break;
		}
		r = run_block(vm, buf, len, dir);
		if (step >= 2)
			total -= k;
		step++;
	}
	vm_gen_fini(&g);
	free(buf);
	free(src);
	return r;
}

#ifndef CHAIN_ROOT
#define CHAIN_ROOT "."
#endif

int main(int argc, char **argv)
{
	const char *dir = NULL, *root = CHAIN_ROOT;
	char *args[64];
	int n = 0, r = 0;
	struct vm *vm;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--root") && i + 1 < argc)
			root = argv[++i];
		else if (n < 64)
			args[n++] = argv[i];
	}
	if (n < 2 || (strcmp(args[0], "gen") && strcmp(args[0], "run"))) {
		fprintf(stderr, "usage: chain gen TOKEN.c ACCOUNTS TRANSFERS [PER_BLOCK] [SEED] "
			"[--out DIR] [-v]\n       chain run BLOCK... [-v]\n"
			"       (--root DIR: the source tree of the contract headers)\n");
		return 2;
	}
	if (hostrun_init(root)) {
		fprintf(stderr, "chain: %s: not a Karyon source tree (--root)\n", root);
		return 2;
	}
	if (vm_open(&vm, hostrun_ops(), diag, NULL)) {
		fprintf(stderr, "chain: out of memory\n");
		return 1;
	}
	if (!strcmp(args[0], "gen")) {
		r = gen(vm, n - 1, args + 1, dir);
	} else {
		for (int i = 1; i < n && !r; i++) {
			size_t len;
			uint8_t *b = read_file(args[i], &len);

			r = b ? run_block(vm, b, len, NULL) : 1;
			free(b);
		}
	}
	vm_close(vm);
	return r;
}
