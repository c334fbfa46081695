/*
 * hostrun.h - the contract runner on the host (tools/chain): the same
 * interface as the kernel's "runner.contract" service (<karyon/contract.h>),
 * in-process, so a chain tool (and the tests) compute the same gas, return
 * values and refusals as the kernel does for the same source and host
 * functions.
 *
 * It compiles with the host's Debian libtcc (the same TinyCC as the
 * kernel's), meters with modules/tcc/gas.c in its contract mode, reads
 * the same headers (the bytes the image's /usr/include holds), links the
 * object with the kernel's own loader (modules/kmod/kmod_elf.c) at the
 * kernel's address (HANDLER_BASE), and runs each method on a fixed, zeroed
 * stack at the kernel's address (USTACK_TOP) with its arguments at
 * ULIB_ARGS_BASE.  The liba_* calls are stubs at the kernel's library
 * address that switch to the runner's own stack, where they are decoded
 * by the kernel's rules and passed to the kr_contract_host functions.
 *
 * Not a sandbox: a contract's bad pointer, division by zero or stack
 * overflow are caught (SIGSEGV, SIGBUS, SIGFPE, SIGILL: FAULTED), but a
 * contract that writes through a forged pointer into the host process's
 * own memory is not stopped.  One thread; the process must leave the
 * fixed addresses free (a PIE binary does).
 */
#ifndef KARYON_TOOLS_CHAIN_HOSTRUN_H
#define KARYON_TOOLS_CHAIN_HOSTRUN_H

#include <karyon/contract.h>

/* root: the source tree (its sdk/handler/include, sdk/include,
 * sdk/liba/include and sdk/liba/enc.c).  KR_OK, or KR_ENOMEM / KR_EEXIST
 * when the fixed addresses cannot be mapped.  Call once, before the ops. */
kr_err_t hostrun_init(const char *root);
const struct kr_contract_ops *hostrun_ops(void);

/* TSC cycles spent in contracts' code (from entering or resuming one to
 * its next trap), summed: for `chain bench`. */
extern uint64_t hostrun_user_cycles;

#endif
