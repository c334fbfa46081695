/*
 * gen.h - a workload of blocks, made the same way in the kernel (`vm gen`)
 * and on the host (`tools/chain gen`): the token example deployed by the
 * account "deployer", the accounts "acct0".."acctM-1" funded from it, then
 * transfers between them chosen by a seeded xorshift generator.  A block
 * names its parent state root, so blocks are made one at a time, each on
 * the head the previous one left (gen.c).  Pure code.
 */
#ifndef VM_GEN_H
#define VM_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/vm.h>

#define VM_GEN_ACCOUNTS_MAX 4096
#define VM_GEN_GAS          1000000     /* each transaction's gas limit */
#define VM_GEN_FUND         1000000     /* what each account is given */

struct vm_gen {
	uint64_t rng;
	uint32_t accounts;
	uint8_t deployer[KR_VM_ADDR_LEN];
	uint8_t token[KR_VM_ADDR_LEN];  /* after vm_gen_deploy */
	uint64_t deployer_nonce;
	uint64_t *nonce;                /* per account (vm_alloc) */
	uint8_t (*addr)[KR_VM_ADDR_LEN];
};

kr_err_t vm_gen_init(struct vm_gen *g, uint32_t accounts, uint64_t seed);
void vm_gen_fini(struct vm_gen *g);
/* The block deploying the token (src: the token example's source). */
kr_err_t vm_gen_deploy(struct vm_gen *g, const void *src, uint32_t len, uint64_t slot,
		       const uint8_t root[KR_VM_HASH_LEN], void *buf, size_t cap, size_t *out);
/* The block giving every account VM_GEN_FUND tokens (at most
 * KR_VM_BLOCK_TX_MAX accounts). */
kr_err_t vm_gen_fund(struct vm_gen *g, uint64_t slot, const uint8_t root[KR_VM_HASH_LEN],
		     void *buf, size_t cap, size_t *out);
/* A block of n random transfers between the accounts. */
kr_err_t vm_gen_transfers(struct vm_gen *g, uint32_t n, uint64_t slot,
			  const uint8_t root[KR_VM_HASH_LEN], void *buf, size_t cap, size_t *out);
/* Bytes a block of n transfers needs, at most. */
size_t vm_gen_size(uint32_t n);

struct vm_block_result;
/* A block's result as `vm gen`, `vm block` and tools/chain print it (four
 * lines: the counts, the block hash, the state root, the receipts root). */
void vm_print_result(const struct vm_block_result *r, void (*print)(void *ctx, const char *s),
		     void *ctx);

#endif
