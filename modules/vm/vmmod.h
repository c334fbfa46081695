/*
 * vmmod.h - what the vm module's kernel files share: vm.c (the module, the
 * services it opens, the chain in memory), chain.c (the chain on the VFS: blocks
 * kept, replayed at the first use after a boot, verified) and cmds.c (the
 * `vm` shell command).  The pure parts (exec, state, journal, smt, codec,
 * gen) are shared with tools/chain.
 */
#ifndef VM_VMMOD_H
#define VM_VMMOD_H

#include <karyon/shell.h>
#include <karyon/vfs.h>
#include "../lib/print_to.h"
#include "exec.h"

#define VM_DIR        "/var/vm/blocks"
#define VM_PATH_MAX   64

typedef print_fn vm_print_fn;

extern kr_domain_t *vm_self;
extern const struct kr_vfs_ops *vm_vfs;
extern const struct kr_shell_ops *vm_shell;

/* The chain, restored from VM_DIR at the first call after a boot (NULL
 * and a message through print when it cannot be). */
struct vm *vm_chain(vm_print_fn print, void *ctx);
/* `vm reset`: drop the chain and the blocks kept; the next call starts a
 * new chain from genesis. */
int vm_reset(vm_print_fn print, void *ctx);
/* Where compile diagnostics and notes go for now (the running command's
 * output). */
void vm_set_output(vm_print_fn print, void *ctx);

/* chain.c */
/* With the chain's clock set (vm bench): time executing blocks and
 * writing them (N.blk, N.res), summed. */
extern uint64_t chain_t_exec, chain_t_write;
/* Execute block[0..len) on the chain and keep it (N.blk, then N.res);
 * receipts through fn.  Prints why on a refusal. */
kr_err_t chain_commit(struct vm *vm, const void *block, size_t len, vm_receipt_fn fn,
		      void *fctx, struct vm_block_result *res, vm_print_fn print, void *ctx);
/* Replay VM_DIR onto vm (fresh): every block, checked against its .res. */
kr_err_t chain_replay(struct vm *vm, bool verbose, vm_print_fn print, void *ctx);
/* `vm verify`: a second VM re-executes every block from genesis. */
int chain_verify(vm_print_fn print, void *ctx);
/* Read a whole file (kr_free it): KR_OK and *buf, *len. */
kr_err_t vm_read_file(const char *cwd, const char *path, size_t max, uint8_t **buf, size_t *len);

/* cmds.c */
int cmd_vm(int argc, char **argv, vm_print_fn print, void *ctx);
void vm_hex(char *out, const uint8_t *b, size_t n);

#endif
