/*
 * cmds.h - what the `vm` command's two files share: cmds.c (the command,
 * accounts, arguments, receipts) and workload.c (`vm gen`, `vm bench`).
 */
#ifndef VM_CMDS_H
#define VM_CMDS_H

#include "vmmod.h"

#define DEFAULT_GAS 10000000ull

/* How receipts are printed (vm_on_receipt's ctx). */
struct rprint {
	struct vm *vm;
	vm_print_fn print;
	void *ctx;
	bool each;              /* a line per receipt (else only failures) */
	bool deploy;
};

/* A subcommand's options (--from, --gas, --value, -v) and its words. */
struct opts {
	uint8_t from[KR_VM_ADDR_LEN];
	uint64_t gas, value;
	bool gas_given;
	bool verbose;
	int argc;
	char *argv[32];
};

/* A decimal number of at most max: false if s is not one. */
bool vm_number(const char *s, uint64_t max, uint64_t *out);
/* A receipt as the shell shows it (a vm_receipt_fn; ctx a struct rprint). */
void vm_on_receipt(void *ctx, uint32_t i, const struct vm_tx *tx, const struct vm_receipt *r,
		   const uint8_t hash[KR_VM_HASH_LEN]);
int vm_do_gen(struct vm *vm, struct opts *o, vm_print_fn print, void *ctx);
int vm_do_bench(struct vm *vm, struct opts *o, vm_print_fn print, void *ctx);

#endif
