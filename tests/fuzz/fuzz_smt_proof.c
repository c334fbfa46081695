/*
 * fuzz_smt_proof.c - libFuzzer target for the state tree's proofs
 * (modules/vm/smt.c): the decoder and verifier of untrusted proof bytes,
 * and the prover over trees built from the input.
 *
 * The first byte picks the mode; the rest is its input:
 *   bit 0 clear: a proof for smt_proof_decode.  It must be refused with a
 *	reason, or decode to a proof that verifies against the root it
 *	implies, and against no other root;
 *   bit 0 set: 5-byte operations (op, then 4 bytes spread into a key whose
 *	later bytes repeat, so keys share long prefixes): set or delete.
 *	Then every touched key's proof must verify against the root, fail
 *	with one chosen bit flipped, and the root must equal a tree built
 *	afresh from what is left, in reverse order.
 * Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm/smt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *f_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void f_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static const struct smt_alloc heap = { f_alloc, f_free, NULL };
static uint8_t proof[SMT_PROOF_MAX];

static void decode_mode(const uint8_t *in, size_t len)
{
	uint8_t root[SMT_HASH_LEN];
	const char *why = NULL;
	struct smt_proof p;

	if (smt_proof_decode(&p, in, len, &why)) {
		if (!why)
			abort();
		return;
	}
	smt_proof_root(&p, root);
	if (smt_verify(root, p.key, p.kind == SMT_PROOF_INCLUSION ? p.vhash : NULL, in, len,
		       &why))
		abort();
	root[31] ^= 1;
	if (!smt_verify(root, p.key, p.kind == SMT_PROOF_INCLUSION ? p.vhash : NULL, in, len,
			&why))
		abort();
}

static void make_key(uint8_t k[SMT_HASH_LEN], const uint8_t *b)
{
	for (int i = 0; i < SMT_HASH_LEN; i++)
		k[i] = i < 4 ? b[i] : (uint8_t)(b[i & 3] & (i > 28 ? 0xff : 0x01));
}

static void tree_mode(const uint8_t *in, size_t len)
{
	uint8_t root[SMT_HASH_LEN], r2[SMT_HASH_LEN], k[SMT_HASH_LEN], vh[SMT_HASH_LEN];
	const char *why;
	struct smt t, fresh;
	size_t n = len / 5, plen;

	smt_init(&t, &heap);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *op = in + 5 * i;

		make_key(k, op + 1);
		if (op[0] & 1)
			smt_delete(&t, k);
		else if (smt_set(&t, k, op, 1 + (op[0] >> 1) % 4))
			abort();
		if (op[0] & 0x80)
			smt_root(&t, root);     /* rehash midway, sometimes */
	}
	smt_root(&t, root);
	smt_init(&fresh, &heap);
	for (size_t i = n; i-- > 0;) {
		make_key(k, in + 5 * i + 1);
		if (smt_get(&t, k, vh) && !smt_get(&fresh, k, NULL))
			smt_set_hash(&fresh, k, vh);
	}
	smt_root(&fresh, r2);
	if (memcmp(root, r2, SMT_HASH_LEN) || fresh.count != t.count)
		abort();
	for (size_t i = 0; i < n; i++) {
		const uint8_t *got;

		make_key(k, in + 5 * i + 1);
		got = smt_get(&t, k, vh) ? vh : NULL;
		if (smt_prove(&t, k, proof, sizeof(proof), &plen))
			abort();
		if (smt_verify(root, k, got, proof, plen, &why))
			abort();
		proof[(in[5 * i] * 131u + i) % plen] ^= (uint8_t)(1 << (i % 8));
		if (!smt_verify(root, k, got, proof, plen, &why))
			abort();
	}
	smt_free(&fresh);
	smt_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in;
	size_t len;

	if (size < 1 || size > SMT_PROOF_MAX + 1)
		return 0;
	len = size - 1;
	in = malloc(len ? len : 1);
	memcpy(in, data + 1, len);
	if (data[0] & 1)
		tree_mode(in, len);
	else
		decode_mode(in, len);
	free(in);
	return 0;
}
