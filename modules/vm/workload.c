/*
 * workload.c - the `vm gen` and `vm bench` subcommands: the shared token
 * workload (gen.h) run block by block on the chain's head, and its cost
 * measured (docs/benchmarks.md, "Contract VM").
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include "cmds.h"
#include "gen.h"

/* vm gen TOKEN.c ACCOUNTS TRANSFERS [PER_BLOCK] [SEED]: the shared
 * workload (gen.h), block by block on the head. */
int vm_do_gen(struct vm *vm, struct opts *o, vm_print_fn print, void *ctx)
{
	uint64_t acc, total, per = 1000, seed = 1;
	struct rprint p = { vm, print, ctx, o->verbose, false };
	struct vm_gen g;
	struct vm_block_result res;
	uint8_t *src = NULL, *buf = NULL;
	size_t n, cap, len;
	kr_err_t e;
	int step = 0;

	if (o->argc < 3 || o->argc > 5 || !vm_number(o->argv[1], VM_GEN_ACCOUNTS_MAX, &acc) ||
	    acc < 2 || !vm_number(o->argv[2], 1000000, &total) ||
	    (o->argc > 3 && (!vm_number(o->argv[3], KR_VM_BLOCK_TX_MAX, &per) || !per)) ||
	    (o->argc > 4 && !vm_number(o->argv[4], ~0ull, &seed))) {
		print_to(print, ctx, "usage: vm gen TOKEN.c ACCOUNTS(2..%u) TRANSFERS [PER_BLOCK "
			 "(1..%u, 1000)] [SEED (1)] [-v]\n", VM_GEN_ACCOUNTS_MAX,
			 KR_VM_BLOCK_TX_MAX);
		return 1;
	}
	e = vm_read_file(vm_shell->cwd(), o->argv[0], KR_VM_ARGS_MAX, &src, &n);
	if (e) {
		print_to(print, ctx, "vm: %s: %s\n", o->argv[0], kr_strerror(e));
		return 1;
	}
	e = vm_gen_init(&g, (uint32_t)acc, seed);
	cap = vm_gen_size(per > acc ? (uint32_t)per : (uint32_t)acc) + n;
	if (!e && !(buf = kr_malloc(vm_self, cap)))
		e = KR_ENOMEM;
	if (e) {
		print_to(print, ctx, "vm gen: %s\n", kr_strerror(e));
		goto out;
	}
	g.deployer_nonce = vm_nonce(vm, g.deployer);
	for (uint32_t i = 0; i < g.accounts; i++)
		g.nonce[i] = vm_nonce(vm, g.addr[i]);
	while (!e && (step < 2 || total)) {
		uint32_t k = total < per ? (uint32_t)total : (uint32_t)per;

		e = step == 0 ? vm_gen_deploy(&g, src, (uint32_t)n, vm->slot + 1, vm->root, buf, cap,
					      &len) :
		    step == 1 ? vm_gen_fund(&g, vm->slot + 1, vm->root, buf, cap, &len) :
		    vm_gen_transfers(&g, k, vm->slot + 1, vm->root, buf, cap, &len);
		if (e) {
			print_to(print, ctx, "vm gen: %s\n", kr_strerror(e));
			break;
		}
		e = chain_commit(vm, buf, len, vm_on_receipt, &p, &res, print, ctx);
		if (e)
			break;
		vm_print_result(&res, print, ctx);
		if (step >= 2)
			total -= k;
		step++;
	}
out:
	vm_gen_fini(&g);
	kr_free(vm_self, src);
	if (buf)
		kr_free(vm_self, buf);
	return e != KR_OK;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* vm bench TOKEN.c [TRANSFERS]: one block of token transfers between 16
 * accounts the token funded first, its cost split (docs/benchmarks.md;
 * under -icount the TSC counts guest instructions), then the whole chain
 * replayed from genesis. */
int vm_do_bench(struct vm *vm, struct opts *o, vm_print_fn print, void *ctx)
{
	struct rprint p = { vm, print, ctx, false, false };
	uint64_t n = 1000, t_exec = 0, t_write = 0, replay, txs;
	struct vm_block_result res;
	struct vm_gen g;
	uint8_t *src = NULL, *buf = NULL;
	size_t len, cap, blen;
	struct vm *v;
	kr_err_t e;

	if (o->argc < 1 || o->argc > 2 || (o->argc == 2 && (!vm_number(o->argv[1], KR_VM_BLOCK_TX_MAX,
								   &n) || !n))) {
		print_to(print, ctx, "usage: vm bench TOKEN.c [TRANSFERS (1..%u, 1000)]\n",
			 KR_VM_BLOCK_TX_MAX);
		return 1;
	}
	e = vm_read_file(vm_shell->cwd(), o->argv[0], KR_VM_ARGS_MAX, &src, &len);
	if (!e)
		e = vm_gen_init(&g, 16, 3);
	cap = vm_gen_size((uint32_t)n) + len;
	if (!e && !(buf = kr_malloc(vm_self, cap)))
		e = KR_ENOMEM;
	if (e) {
		print_to(print, ctx, "vm bench: %s\n", kr_strerror(e));
		kr_free(vm_self, src);
		return 1;
	}
	g.deployer_nonce = vm_nonce(vm, g.deployer);
	for (uint32_t i = 0; i < g.accounts; i++)
		g.nonce[i] = vm_nonce(vm, g.addr[i]);
	/* The token and the funding: not measured. */
	e = vm_gen_deploy(&g, src, (uint32_t)len, vm->slot + 1, vm->root, buf, cap, &blen);
	if (!e)
		e = chain_commit(vm, buf, blen, vm_on_receipt, &p, &res, print, ctx);
	if (!e)
		e = vm_gen_fund(&g, vm->slot + 1, vm->root, buf, cap, &blen);
	if (!e)
		e = chain_commit(vm, buf, blen, vm_on_receipt, &p, &res, print, ctx);
	if (!e)
		e = vm_gen_transfers(&g, (uint32_t)n, vm->slot + 1, vm->root, buf, cap, &blen);
	if (!e) {
		vm->clock = rdtsc;
		vm->t_ops = vm->t_state = 0;
		chain_t_exec = chain_t_write = 0;
		e = chain_commit(vm, buf, blen, vm_on_receipt, &p, &res, print, ctx);
		vm->clock = NULL;
		t_exec = chain_t_exec;
		t_write = chain_t_write;
	}
	vm_gen_fini(&g);
	kr_free(vm_self, src);
	kr_free(vm_self, buf);
	if (e)
		return 1;
	vm_print_result(&res, print, ctx);
	print_to(print, ctx, "vm bench: %llu token transfers (%u ok) in one block; guest "
		 "instructions (the TSC under -icount) a transaction:\n", (unsigned long long)n,
		 res.ok);
	print_to(print, ctx, "  execution             %llu\n",
		 (unsigned long long)((t_exec - vm->t_ops - vm->t_state) / n));
	print_to(print, ctx, "  storage + state root  %llu (liba calls %llu, the block's writes "
		 "and root %llu)\n", (unsigned long long)((vm->t_ops + vm->t_state) / n),
		 (unsigned long long)(vm->t_ops / n), (unsigned long long)(vm->t_state / n));
	print_to(print, ctx, "  commit (N.blk, N.res) %llu\n", (unsigned long long)(t_write / n));
	print_to(print, ctx, "  total                 %llu: %llu transactions a second of guest "
		 "time\n", (unsigned long long)((t_exec + t_write) / n),
		 (unsigned long long)(1000000000ull * n / (t_exec + t_write)));
	/* Replay: a second VM re-executes the whole chain. */
	for (uint32_t i = 0; i < vm->st.ncon; i++)
		if (vm->st.con[i]->id >= 0) {
			vm->run->unload((uint32_t)vm->st.con[i]->id);
			vm->st.con[i]->id = -1;
		}
	e = vm_open(&v, vm->run, vm->diag, vm->dctx);
	if (e) {
		print_to(print, ctx, "vm bench: %s\n", kr_strerror(e));
		return 1;
	}
	replay = rdtsc();
	e = chain_replay(v, false, print, ctx);
	replay = rdtsc() - replay;
	txs = v->executed;
	vm_close(v);
	if (e || !txs)
		return 1;
	print_to(print, ctx, "  replay (vm verify)    %llu a transaction (%llu transactions, %llu "
		 "blocks)\n", (unsigned long long)(replay / txs), (unsigned long long)txs,
		 (unsigned long long)vm->height);
	return 0;
}

