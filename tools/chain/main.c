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
 *	chain bench TOKEN.c [TRANSFERS]
 *		a block of token transfers run by the real (TinyCC, metered)
 *		runner and by gcc -O2's code called natively (native.c): the
 *		time inside the contract's methods but liba's calls, a
 *		transaction, and their ratio (TSC cycles of this machine)
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
#include "native.h"
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

/* ---- chain bench ---- */

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* A runner with its invokes timed. */
static const struct kr_contract_ops *timed_real;
static uint64_t timed_t;

static kr_err_t timed_invoke(uint32_t id, const char *method, const void *args, uint32_t alen,
			     uint64_t gas, const struct kr_contract_host *h, void *hc,
			     struct kr_contract_result *res)
{
	uint64_t t0 = rdtsc();
	kr_err_t e = timed_real->invoke(id, method, args, alen, gas, h, hc, res);

	timed_t += rdtsc() - t0;
	return e;
}

/* One run: the token, 16 funded accounts, then n transfers timed; the
 * cycles a transaction inside the methods but liba's calls, and in all. */
static int bench_once(const struct kr_contract_ops *real, const uint8_t *src, size_t len,
		      uint32_t n, double *exec, double *all, uint64_t *gas)
{
	struct kr_contract_ops ops = *real;
	struct vm_block_result res;
	struct vm_gen g;
	char why[VM_WHY_MAX];
	size_t cap = vm_gen_size(n) + len, blen;
	uint8_t *buf = malloc(cap);
	struct vm *vm;
	uint64_t t0;
	kr_err_t e;

	timed_real = real;
	ops.invoke = timed_invoke;
	if (!buf || vm_open(&vm, &ops, diag, NULL) || vm_gen_init(&g, 16, 3))
		return 1;
	e = vm_gen_deploy(&g, src, (uint32_t)len, 1, vm->root, buf, cap, &blen);
	e = e ? e : vm_exec_block(vm, buf, blen, false, &res, NULL, NULL, why, sizeof(why));
	e = e ? e : vm_gen_fund(&g, 2, vm->root, buf, cap, &blen);
	e = e ? e : vm_exec_block(vm, buf, blen, false, &res, NULL, NULL, why, sizeof(why));
	e = e ? e : vm_gen_transfers(&g, n, 3, vm->root, buf, cap, &blen);
	if (!e) {
		vm->clock = rdtsc;
		vm->t_ops = 0;
		timed_t = 0;
		hostrun_user_cycles = 0;
		t0 = rdtsc();
		e = vm_exec_block(vm, buf, blen, false, &res, NULL, NULL, why, sizeof(why));
		*all = (double)(rdtsc() - t0) / n;
		/* The real runner: the contract's own code (hostrun counts it);
		 * native: the invokes but liba's calls, all of it its code. */
		*exec = (double)(real == hostrun_ops() ? hostrun_user_cycles :
				 timed_t - vm->t_ops) / n;
		*gas = res.gas / n;
		if (!e && res.ok != n)
			e = KR_EINVAL;
	}
	vm_gen_fini(&g);
	vm_close(vm);
	free(buf);
	if (e)
		fprintf(stderr, "chain bench: %s\n", why[0] ? why : kr_strerror(e));
	return e != KR_OK;
}

static int bench(int argc, char **argv, const char *root)
{
	unsigned long long n = 1000;
	double best[2][2] = { { 1e300, 1e300 }, { 1e300, 1e300 } };
	uint64_t gas[2] = { 0, 0 };
	uint8_t *src;
	size_t len;

	if (argc < 1 || argc > 2 || (argc == 2 && (!num(argv[1], KR_VM_BLOCK_TX_MAX, &n) || !n))) {
		fprintf(stderr, "usage: chain bench TOKEN.c [TRANSFERS]\n");
		return 2;
	}
	src = read_file(argv[0], &len);
	if (!src)
		return 1;
	native_init(root);
	for (int round = 0; round < 5; round++)
		for (int k = 0; k < 2; k++) {
			double ex, all;

			if (bench_once(k ? native_ops() : hostrun_ops(), src, len, (uint32_t)n, &ex,
				       &all, &gas[k])) {
				free(src);
				return 1;
			}
			best[k][0] = ex < best[k][0] ? ex : best[k][0];
			best[k][1] = all < best[k][1] ? all : best[k][1];
		}
	free(src);
	printf("chain bench: %llu token transfers in a block, TSC cycles a transaction (best of 5):\n",
	       n);
	printf("  the contract's code (its methods but liba's calls): TinyCC metered %.0f, "
	       "gcc -O2 %.0f: %.2fx\n", best[0][0], best[1][0], best[0][0] / best[1][0]);
	printf("  the whole block: TinyCC metered %.0f, gcc -O2 %.0f (gas a transfer: %llu "
	       "metered, %llu unmetered)\n", best[0][1], best[1][1], (unsigned long long)gas[0],
	       (unsigned long long)gas[1]);
	return 0;
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
	if (n >= 2 && !strcmp(args[0], "bench")) {
		if (hostrun_init(root))
			return 2;
		return bench(n - 1, args + 1, root);
	}
	if (n < 2 || (strcmp(args[0], "gen") && strcmp(args[0], "run"))) {
		fprintf(stderr, "usage: chain gen TOKEN.c ACCOUNTS TRANSFERS [PER_BLOCK] [SEED] "
			"[--out DIR] [-v]\n       chain run BLOCK... [-v]\n"
			"       chain bench TOKEN.c [TRANSFERS]\n"
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
