/*
 * vm.c - the contract VM module (issue 18; docs/contract-guide.md): the
 * `vm` command, the chain in memory, and its allocator.  Contracts are
 * compiled and run by the tcc module's "runner.contract" service, opened
 * at the first `vm` command (init opens only the vfs, which it needs, and
 * the shell, for the command); the chain lives in the VFS under
 * /var/vm/blocks, whose writes are commits of the commit log when it runs,
 * and is replayed from there at the first use after a boot (/etc/rc's
 * `vm restore` in the dev image).
 */
#include <karyon/contract.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include "vmmod.h"

kr_domain_t *vm_self;
const struct kr_vfs_ops *vm_vfs;
const struct kr_shell_ops *vm_shell;

static struct vm *chain;
static bool chain_tried;
static vm_print_fn out_print;
static void *out_ctx;

void *vm_alloc(size_t n)
{
	return kr_malloc(vm_self, n ? n : 1);
}

void vm_release(void *p)
{
	if (p)
		kr_free(vm_self, p);
}

void vm_set_output(vm_print_fn print, void *ctx)
{
	out_print = print;
	out_ctx = ctx;
}

/* The runner's diagnostics and the VM's notes: to the running command. */
static void diag(void *ctx, const char *line)
{
	size_t n = strlen(line);

	(void)ctx;
	if (!out_print)
		return;
	out_print(out_ctx, line);
	if (!n || line[n - 1] != '\n')
		out_print(out_ctx, "\n");
}

static kr_err_t open_ops(const char *name, uint32_t version, const void **ops)
{
	const struct kr_ops_header *h;
	kr_cap_t c;
	kr_err_t e = kr_service_open(vm_self, name, version, &c);

	if (!e)
		e = kr_service_ops(vm_self, c, &h);
	if (!e && (h->magic != KR_OPS_MAGIC || h->size < sizeof(*h)))
		e = KR_EFORMAT;
	if (!e)
		*ops = h;
	return e;
}

struct vm *vm_chain(vm_print_fn print, void *ctx)
{
	const struct kr_contract_ops *run;
	kr_err_t e;

	if (chain)
		return chain;
	e = open_ops(KR_CONTRACT_SERVICE, KR_CONTRACT_VERSION, (const void **)&run);
	if (!e && run->hdr.size < sizeof(*run))
		e = KR_EFORMAT;
	if (e) {
		print_to(print, ctx, "vm: no contract runner (the tcc module's %s service): %s\n",
			 KR_CONTRACT_SERVICE, kr_strerror(e));
		return NULL;
	}
	e = vm_open(&chain, run, diag, NULL);
	if (e) {
		print_to(print, ctx, "vm: cannot make the chain: %s\n", kr_strerror(e));
		return NULL;
	}
	/* Once per boot: the blocks kept before it. */
	if (!chain_tried) {
		chain_tried = true;
		vm_set_output(print, ctx);
		if (chain_replay(chain, false, print, ctx)) {
			print_to(print, ctx, "vm: the chain stops at block %llu (the blocks after it "
				 "are left in %s, not replayed); it takes no new block until "
				 "vm reset\n", (unsigned long long)chain->height, VM_DIR);
		}
	}
	return chain;
}

int vm_reset(vm_print_fn print, void *ctx)
{
	kr_err_t e;

	vm_close(chain);
	chain = NULL;
	chain_tried = true;     /* nothing kept to replay any more */
	e = vm_vfs->remove("/", VM_DIR, true);
	if (e && e != KR_ENOENT) {
		print_to(print, ctx, "vm reset: cannot remove %s: %s\n", VM_DIR, kr_strerror(e));
		return 1;
	}
	print_to(print, ctx, "vm reset: a new chain from genesis (the blocks kept in %s are gone)\n",
		 VM_DIR);
	return 0;
}

static const struct kr_shell_command vm_command = {
	"vm", "vm status|contracts|deploy|call|tx|block|gen|proof|verify|restore|bench|reset ...",
	"the contract VM: deploy C contracts, send transactions, blocks, proofs (vm help)",
	cmd_vm,
};

static kr_err_t vm_init(kr_domain_t *self)
{
	kr_err_t e;

	vm_self = self;
	e = open_ops("vfs", KR_VFS_SERVICE_VERSION, (const void **)&vm_vfs);
	if (e) {
		kr_log(KR_LOG_ERR, "vm: no vfs service: %s\n", kr_strerror(e));
		return e;
	}
	e = open_ops("shell", KR_SHELL_SERVICE_VERSION, (const void **)&vm_shell);
	if (!e)
		e = vm_shell->add(kr_domain_id(self), &vm_command);
	if (e)
		kr_log(KR_LOG_WARN, "vm: no `vm` command (shell: %s)\n", kr_strerror(e));
	return KR_OK;
}

static void vm_exit(kr_domain_t *self)
{
	(void)self;
	vm_close(chain);
	chain = NULL;
}

KR_MODULE(.name = "vm", .version = KR_VERSION(1, 0, 0),
	  .description = "the contract VM: C contracts, transactions, blocks, receipts, a state root",
	  .license = "MIT", .author = "Karyon developers",
	  .init = vm_init, .exit = vm_exit);
