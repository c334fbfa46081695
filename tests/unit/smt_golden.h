/*
 * smt_golden.h - the fixed state behind the golden proofs
 * (tests/unit/golden/smt_proof*.bin): test_vm_smt.c checks the checked-in
 * bytes against it, smt_golden.c prints its proofs for
 * tests/tools/test_vm_proof.py, which checks them with tools/vm_proof.py.
 * Changing anything here changes the golden files: regenerate them with
 * `smt_golden --write tests/unit/golden` and say why in the commit.
 */
#ifndef KARYON_TESTS_SMT_GOLDEN_H
#define KARYON_TESTS_SMT_GOLDEN_H

#include <stdlib.h>
#include <string.h>
#include "vm/smt.h"

struct smt_golden_slot {
	uint8_t contract;               /* the address is 32 bytes of this */
	const char *key, *value;
};

static const struct smt_golden_slot smt_golden_slots[] = {
	{ 0xc0, "balance:alice", "100" }, { 0xc0, "balance:bob", "250" },
	{ 0xc0, "balance:carol", "0" },   { 0xc0, "supply", "350" },
	{ 0xc0, "owner", "alice" },       { 0xc1, "count", "7" },
	{ 0xc1, "balance:alice", "" },    { 0xc2, "name:karyon", "c0" },
	{ 0xc2, "name:tcc", "c1" },       { 0xc2, "fee", "12" },
};
#define SMT_GOLDEN_N (sizeof(smt_golden_slots) / sizeof(smt_golden_slots[0]))
/* The golden inclusion proof is slot 0's; the exclusion one is for this. */
#define SMT_GOLDEN_ABSENT_CONTRACT 0xc1
#define SMT_GOLDEN_ABSENT_KEY      "balance:bob"

static void *smt_golden_malloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void smt_golden_mfree(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static const struct smt_alloc smt_golden_heap = { smt_golden_malloc, smt_golden_mfree, NULL };

static inline void smt_golden_key(uint8_t out[SMT_HASH_LEN], uint8_t contract, const char *key)
{
	uint8_t addr[32];

	memset(addr, contract, sizeof(addr));
	smt_leaf_key(out, addr, key, strlen(key));
}

static inline void smt_golden_build(struct smt *t)
{
	smt_init(t, &smt_golden_heap);
	for (size_t i = 0; i < SMT_GOLDEN_N; i++) {
		const struct smt_golden_slot *s = &smt_golden_slots[i];
		uint8_t k[SMT_HASH_LEN];

		smt_golden_key(k, s->contract, s->key);
		smt_set(t, k, s->value, strlen(s->value));
	}
}

#endif
