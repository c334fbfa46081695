/*
 * state.h - the contract VM's committed state (state.c): every contract's
 * storage, the state tree over it, and the contracts themselves.
 *
 * Storage is a hash table of (address, key) -> value, the bytes; the
 * sparse Merkle tree (smt.h) holds their hashes, so the state root is a
 * function of the set of (address, key, value) and nothing else.  Both
 * change together, only through the store functions the journal applies a
 * block's writes with (vm_state_store), so they never disagree.
 *
 * The VM's own records live in storage too, in the system namespace (the
 * all-zero address, which no contract can have: addresses are hashes),
 * so the state root covers them:
 *	'n' || account (33 bytes)   -> the account's nonce, u64 LE (absent: 0)
 *	'c' || contract (33 bytes)  -> the code hash (32) || the name
 * The sources are kept beside (struct vm_contract), since a value holds at
 * most KR_VM_VALUE_MAX bytes; their hash is in the tree.
 *
 * Pure code: it runs in the kernel (modules/vm) and in tools/chain; memory
 * from vm_alloc/vm_release, which each side defines.
 */
#ifndef VM_STATE_H
#define VM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/vm.h>
#include "journal.h"
#include "smt.h"

/* Each side's allocator (kernel: the module's heap; host: malloc). */
void *vm_alloc(size_t n);
void vm_release(void *p);

#define VM_NAME_MAX 32                  /* a contract's name, with its NUL */
#define VM_SYS_NONCE 'n'
#define VM_SYS_CODE  'c'

extern const uint8_t vm_system_addr[KR_VM_ADDR_LEN];   /* all zero */

struct vm_contract {
	uint8_t addr[KR_VM_ADDR_LEN];
	uint8_t code_hash[KR_VM_HASH_LEN];
	char name[VM_NAME_MAX];
	uint8_t *src;                   /* the C source (vm_alloc) */
	uint32_t src_len;
	uint64_t height;                /* the block that deployed it */
	int64_t id;                     /* the runner's id, or -1: not loaded */
	uint64_t used;                  /* when last run (for evicting) */
	uint64_t order;                 /* the order contracts were added in */
	bool pending;                   /* deployed by the block being executed */
};

struct vm_kv;

struct vm_state {
	struct vm_kv **tab;             /* open addressing, linear probing */
	uint32_t cap, n;
	struct smt tree;
	struct vm_contract **con;       /* sorted by address */
	uint32_t ncon, capcon;
	uint64_t added;
};

kr_err_t vm_state_init(struct vm_state *s);
void vm_state_fini(struct vm_state *s);
/* The store the journal applies to (and reads through). */
void vm_state_store(struct vm_state *s, struct vm_store *out);
/* Read one value (as the store's get). */
kr_err_t vm_state_get(struct vm_state *s, const uint8_t addr[KR_VM_ADDR_LEN], const uint8_t *key,
		      size_t klen, uint8_t *val, size_t cap, size_t *vlen);
void vm_state_root(struct vm_state *s, uint8_t out[KR_VM_HASH_LEN]);
/* The proof of (addr, key) against the current root (smt.h's format). */
kr_err_t vm_state_prove(struct vm_state *s, const uint8_t addr[KR_VM_ADDR_LEN],
			const uint8_t *key, size_t klen, uint8_t *out, size_t cap, size_t *len);

/* Contracts.  add copies src; KR_EEXIST if addr has one. */
kr_err_t vm_contract_add(struct vm_state *s, const uint8_t addr[KR_VM_ADDR_LEN], const char *name,
			 const uint8_t code_hash[KR_VM_HASH_LEN], const void *src, uint32_t len,
			 uint64_t height, struct vm_contract **out);
struct vm_contract *vm_contract_get(const struct vm_state *s, const uint8_t addr[KR_VM_ADDR_LEN]);
/* The contract named name added last. */
struct vm_contract *vm_contract_named(const struct vm_state *s, const char *name);
/* Remove one (a deploy that did not stand); the caller unloaded it. */
void vm_contract_remove(struct vm_state *s, struct vm_contract *c);

#endif
