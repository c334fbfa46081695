/*
 * crun.h - the contract runner's two halves (<karyon/contract.h>):
 * contract.c compiles, links and keeps contracts (the slot table, load,
 * unload, has_method, the service); contract_run.c runs a method (invoke,
 * its system calls).  Private to the tcc module.
 */
#ifndef TCC_CRUN_H
#define TCC_CRUN_H

#include <karyon/contract.h>
#include "tcc.h"

#define MAX_CONTRACTS   64      /* apart from the MAX_HANDLERS handlers */
#define CONTRACT_METHODS 48     /* liba_m_* functions of one contract, at most */
#define CONTRACT_METHODS_TEXT "48"

struct contract_method {
	char name[KR_VM_METHOD_MAX + 1];        /* METHOD of liba_m_METHOD */
	uint64_t addr;                          /* its user address */
};

/* A contract: a handler's address space and image (uspace.c), plus its
 * arguments' pages (ULIB_ARGS_BASE, read-only to it) and its methods. */
struct contract {
	struct handler h;               /* h.used: the slot is taken */
	bool running;                   /* on the call stack of invokes */
	kr_cap_t args_cap;
	uint8_t *args_kva;              /* the kernel's view of the arguments' pages */
	uint32_t args_len;              /* of the last invoke: zeroed before the next */
	unsigned nmethods;
	struct contract_method methods[CONTRACT_METHODS];
};

extern struct contract tcc_contracts[MAX_CONTRACTS];

/* contract_run.c: the service's invoke. */
kr_err_t contract_invoke(uint32_t id, const char *method, const void *args, uint32_t alen,
			 uint64_t gas, const struct kr_contract_host *host, void *hctx,
			 struct kr_contract_result *res);
/* The method's user address, or 0. */
uint64_t contract_method(const struct contract *c, const char *method);

/* contract.c: publish "runner.contract" (tcc_init); free every contract. */
kr_err_t contract_publish(void);
void contract_exit(void);

#endif
