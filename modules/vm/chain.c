/*
 * chain.c - the chain kept in the VFS, /var/vm/blocks: block N's bytes in
 * N.blk (written before it runs) and what it gave in N.res (struct
 * kr_vm_result, written after).  With the commit log running both writes
 * are commits, so the chain survives a reboot with the rest of the state;
 * the first use after a boot replays every block (exec.c checks each
 * parent state root against the chain's) and checks it against its .res.
 * A block the runner could not finish (Ctrl-C) leaves nothing: its .blk is
 * removed.  File names are 8 decimal digits, so the VFS lists them in
 * height order.
 */
#include <karyon/clog.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include "vmmod.h"

uint64_t chain_t_exec, chain_t_write;

static uint64_t tick(const struct vm *vm)
{
	return vm->clock ? vm->clock() : 0;
}

static void path_of(char *out, uint64_t height, const char *ext)
{
	ksnprintf(out, VM_PATH_MAX, "%s/%08llu.%s", VM_DIR, (unsigned long long)height, ext);
}

kr_err_t vm_read_file(const char *cwd, const char *path, size_t max, uint8_t **buf, size_t *len)
{
	struct kr_vfs_stat st;
	size_t got = 0;
	uint8_t *b;
	kr_err_t e = vm_vfs->stat(cwd, path, &st);

	if (e)
		return e;
	if (st.type != KR_VFS_FILE)
		return KR_EINVAL;
	if (st.size > max)
		return KR_ERANGE;
	b = kr_malloc(vm_self, st.size ? st.size : 1);
	if (!b)
		return KR_ENOMEM;
	e = vm_vfs->read(cwd, path, 0, b, st.size, &got);
	if (!e && got != st.size)
		e = KR_ETRUNC;
	if (e) {
		kr_free(vm_self, b);
		return e;
	}
	*buf = b;
	*len = got;
	return KR_OK;
}

static void result_of(struct kr_vm_result *r, const struct vm_block_result *b)
{
	*r = (struct kr_vm_result){ .magic = KR_VM_RESULT_MAGIC, .version = KR_VM_RESULT_VERSION,
				    .height = b->height, .slot = b->slot, .gas = b->gas,
				    .txs = b->txs, .ok = b->ok };
	memcpy(r->block_hash, b->block_hash, KR_VM_HASH_LEN);
	memcpy(r->state_root, b->state_root, KR_VM_HASH_LEN);
	memcpy(r->receipts_root, b->receipts_root, KR_VM_HASH_LEN);
}

/* N.res, checked: KR_OK and *r; an error with why. */
static kr_err_t read_result(uint64_t height, struct kr_vm_result *r, const char **why)
{
	char path[VM_PATH_MAX];
	uint8_t *b;
	size_t n;
	kr_err_t e;

	path_of(path, height, "res");
	e = vm_read_file("/", path, 4096, &b, &n);
	if (e) {
		*why = e == KR_ENOENT ? "missing" : kr_strerror(e);
		return e;
	}
	e = vm_result_decode(b, n, r, why);
	kr_free(vm_self, b);
	if (!e && r->height != height) {
		*why = "another block's";
		e = KR_EFORMAT;
	}
	return e;
}

kr_err_t chain_commit(struct vm *vm, const void *block, size_t len, vm_receipt_fn fn,
		      void *fctx, struct vm_block_result *res, vm_print_fn print, void *ctx)
{
	char blk[VM_PATH_MAX], resp[VM_PATH_MAX], why[VM_WHY_MAX];
	uint8_t enc[VM_RESULT_SIZE];
	struct kr_vm_result r;
	uint64_t t0;
	kr_err_t e;

	if (len > KR_CLOG_PAYLOAD_MAX - 4096) {
		print_to(print, ctx, "vm: block of %zu bytes: the most a block kept in the log may "
			 "have is %u\n", len, KR_CLOG_PAYLOAD_MAX - 4096);
		return KR_ERANGE;
	}
	/* Check it first, so a refused block writes nothing. */
	e = vm_check_block(vm, block, len, why, sizeof(why));
	if (e) {
		print_to(print, ctx, "vm: block refused: %s\n", why);
		return e;
	}
	path_of(blk, vm->height + 1, "blk");
	path_of(resp, vm->height + 1, "res");
	t0 = tick(vm);
	e = vm_vfs->mkdir("/", VM_DIR, true);
	if (!e || e == KR_EEXIST)
		e = vm_vfs->write("/", blk, block, len, false);
	chain_t_write += tick(vm) - t0;
	if (e) {
		print_to(print, ctx, "vm: cannot keep the block in %s: %s\n", blk, kr_strerror(e));
		return e;
	}
	t0 = tick(vm);
	e = vm_exec_block(vm, block, len, false, res, fn, fctx, why, sizeof(why));
	chain_t_exec += tick(vm) - t0;
	if (e) {
		print_to(print, ctx, "vm: block not executed: %s\n", why);
		if (vm_vfs->remove("/", blk, false))
			print_to(print, ctx, "vm: cannot remove %s: the next boot will replay it\n",
				 blk);
		return e;
	}
	result_of(&r, res);
	vm_result_encode(enc, &r);
	t0 = tick(vm);
	e = vm_vfs->write("/", resp, enc, sizeof(enc), false);
	chain_t_write += tick(vm) - t0;
	if (e)
		print_to(print, ctx, "vm: block %llu executed, but its results are not kept (%s): "
			 "the next boot recomputes them\n", (unsigned long long)res->height,
			 kr_strerror(e));
	return KR_OK;
}

struct lister {
	uint64_t last;          /* the highest N.blk */
	uint64_t count;
};

static kr_err_t list_one(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	struct lister *l = ctx;
	uint64_t n = 0;
	size_t i;

	(void)st;
	for (i = 0; name[i] >= '0' && name[i] <= '9'; i++)
		n = n * 10 + (uint64_t)(name[i] - '0');
	if (i == 8 && !strcmp(name + i, ".blk")) {
		l->count++;
		if (n > l->last)
			l->last = n;
	}
	return KR_OK;
}

kr_err_t chain_replay(struct vm *vm, bool verbose, vm_print_fn print, void *ctx)
{
	struct lister l = { 0, 0 };
	uint64_t checked = 0;
	kr_err_t e = vm_vfs->list("/", VM_DIR, list_one, &l);
	char x[65];

	if (e == KR_ENOENT || (!e && !l.count))
		return KR_OK;
	if (e) {
		print_to(print, ctx, "vm: cannot list %s: %s\n", VM_DIR, kr_strerror(e));
		vm->broken = "the kept blocks cannot be read";
		return e;
	}
	for (uint64_t h = vm->height + 1; h <= l.last; h++) {
		char path[VM_PATH_MAX], why[VM_WHY_MAX];
		struct vm_block_result res;
		struct kr_vm_result r;
		const char *bad;
		uint8_t *b;
		size_t n;

		path_of(path, h, "blk");
		e = vm_read_file("/", path, KR_VM_BLOCK_HDR_SIZE + KR_VM_BLOCK_BODY_MAX, &b, &n);
		if (e) {
			print_to(print, ctx, "vm: %s: %s\n", path, kr_strerror(e));
			vm->broken = "the replay of the kept blocks stopped (vm reset starts a new "
				     "chain)";
			return e;
		}
		e = vm_exec_block(vm, b, n, false, &res, NULL, NULL, why, sizeof(why));
		kr_free(vm_self, b);
		if (e) {
			print_to(print, ctx, "vm: block %llu: %s\n", (unsigned long long)h, why);
			vm->broken = "the replay of the kept blocks stopped (vm reset starts a new "
				     "chain)";
			return e;
		}
		if (read_result(h, &r, &bad)) {
			print_to(print, ctx, "vm: block %llu: its results (%08llu.res) %s: not "
				 "checked\n", (unsigned long long)h, (unsigned long long)h, bad);
		} else if (memcmp(r.state_root, res.state_root, KR_VM_HASH_LEN) ||
			   memcmp(r.receipts_root, res.receipts_root, KR_VM_HASH_LEN) ||
			   memcmp(r.block_hash, res.block_hash, KR_VM_HASH_LEN) || r.gas != res.gas ||
			   r.txs != res.txs || r.ok != res.ok || r.slot != res.slot) {
			print_to(print, ctx, "vm: block %llu: executing it again gives other results "
				 "than it did (%s differs)\n", (unsigned long long)h,
				 memcmp(r.state_root, res.state_root, KR_VM_HASH_LEN) ? "state root" :
				 memcmp(r.receipts_root, res.receipts_root, KR_VM_HASH_LEN) ?
				 "receipts root" : r.gas != res.gas ? "gas" : "block");
			vm->broken = "the replay of the kept blocks stopped (vm reset starts a new "
				     "chain)";
			return KR_EINVAL;
		} else {
			checked++;
		}
		if (verbose) {
			vm_hex(x, res.state_root, KR_VM_HASH_LEN);
			print_to(print, ctx, "block %llu: %u transactions, gas %llu, state root %s\n",
				 (unsigned long long)h, res.txs, (unsigned long long)res.gas, x);
		}
	}
	vm_hex(x, vm->root, KR_VM_HASH_LEN);
	print_to(print, ctx, "vm: chain replayed: %llu blocks (%llu checked against their "
		 "results), state root %s\n", (unsigned long long)vm->height,
		 (unsigned long long)checked, x);
	return KR_OK;
}

int chain_verify(vm_print_fn print, void *ctx)
{
	struct vm *live = vm_chain(print, ctx), *v;
	kr_err_t e;

	if (!live)
		return 1;
	/* The runner's slots go to the verifier; the chain reloads its
	 * contracts as it runs them. */
	for (uint32_t i = 0; i < live->st.ncon; i++)
		if (live->st.con[i]->id >= 0) {
			live->run->unload((uint32_t)live->st.con[i]->id);
			live->st.con[i]->id = -1;
		}
	e = vm_open(&v, live->run, live->diag, live->dctx);
	if (e) {
		print_to(print, ctx, "vm verify: %s\n", kr_strerror(e));
		return 1;
	}
	e = chain_replay(v, true, print, ctx);
	if (!e && (v->height != live->height || memcmp(v->root, live->root, KR_VM_HASH_LEN))) {
		print_to(print, ctx, "vm verify: genesis to block %llu does not give the chain's "
			 "state (block %llu)\n", (unsigned long long)v->height,
			 (unsigned long long)live->height);
		e = KR_EINVAL;
	}
	vm_close(v);
	if (e) {
		print_to(print, ctx, "vm verify: FAILED\n");
		return 1;
	}
	print_to(print, ctx, "vm verify: ok: %llu blocks from genesis, every receipts root and "
		 "state root as recorded\n", (unsigned long long)live->height);
	return 0;
}
