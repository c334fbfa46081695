/*
 * test_vm_smt.c - the contract VM's state tree (modules/vm/smt.c) against
 * a naive reference that computes the plain 256-level tree of smt.h level
 * by level: seeded random sets of 0..64 keys (random, and sharing long
 * prefixes) inserted, updated and deleted in any order; incremental roots
 * equal to a rebuild, at a cost of about log2(n) hashes a change; proofs of
 * present and absent keys that verify, and fail when a byte is flipped or
 * they are checked against another root, key or value; the golden proofs
 * (tests/unit/golden/smt_proof*.bin) byte for byte.
 *
 * Usage: test_vm_smt GOLDEN_DIR (tests/unit/golden)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <karyon/hash.h>
#include "smt_golden.h"

static const char *golden_dir = "tests/unit/golden";
static const uint8_t zero[SMT_HASH_LEN];

/* ---- A heap that can be told to fail ---- */

static long allocs_left = -1;   /* -1: never fail */
static long live;

static void *t_alloc(void *ctx, size_t n)
{
	(void)ctx;
	if (allocs_left == 0)
		return NULL;
	if (allocs_left > 0)
		allocs_left--;
	live++;
	return malloc(n);
}

static void t_free(void *ctx, void *p)
{
	(void)ctx;
	live--;
	free(p);
}

static const struct smt_alloc heap = { t_alloc, t_free, NULL };

/* ---- Seeded keys ---- */

static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void random_key(uint8_t k[SMT_HASH_LEN])
{
	for (int i = 0; i < SMT_HASH_LEN; i += 8) {
		uint64_t v = next();
		memcpy(k + i, &v, 8);
	}
}

/* A key that shares its first `bits` bits with base and differs in the next. */
static void near_key(uint8_t k[SMT_HASH_LEN], const uint8_t base[SMT_HASH_LEN], unsigned bits)
{
	random_key(k);
	for (unsigned i = 0; i < bits; i++) {
		uint8_t m = (uint8_t)(0x80 >> (i & 7));
		k[i >> 3] = (uint8_t)((k[i >> 3] & ~m) | (base[i >> 3] & m));
	}
	if (bits < SMT_DEPTH) {
		uint8_t m = (uint8_t)(0x80 >> (bits & 7));
		k[bits >> 3] = (uint8_t)((k[bits >> 3] & ~m) | (~base[bits >> 3] & m));
	}
}

/* ---- The naive reference: the plain tree of smt.h, level by level ---- */

struct pair {
	uint8_t key[SMT_HASH_LEN], vh[SMT_HASH_LEN];
	bool live;
};

static int bit(const uint8_t *k, unsigned i)
{
	return (k[i >> 3] >> (7 - (i & 7))) & 1;
}

static void naive_sub(struct pair **s, size_t n, unsigned depth, uint8_t out[SMT_HASH_LEN])
{
	uint8_t buf[65], l[SMT_HASH_LEN], r[SMT_HASH_LEN];
	struct pair **left, **right;
	size_t nl = 0, nr = 0;

	if (n == 0) {
		memset(out, 0, SMT_HASH_LEN);
		return;
	}
	if (n == 1) {
		buf[0] = 0x00;
		memcpy(buf + 1, s[0]->key, 32);
		memcpy(buf + 33, s[0]->vh, 32);
		kr_blake2b_256(out, buf, 65);
		return;
	}
	assert_true(depth < SMT_DEPTH);
	left = malloc(n * sizeof(*left));
	right = malloc(n * sizeof(*right));
	for (size_t i = 0; i < n; i++) {
		if (bit(s[i]->key, depth))
			right[nr++] = s[i];
		else
			left[nl++] = s[i];
	}
	naive_sub(left, nl, depth + 1, l);
	naive_sub(right, nr, depth + 1, r);
	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	kr_blake2b_256(out, buf, 65);
	free(left);
	free(right);
}

static void naive_root(struct pair *set, size_t n, uint8_t out[SMT_HASH_LEN])
{
	struct pair **s = malloc((n + 1) * sizeof(*s));
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (set[i].live)
			s[m++] = &set[i];
	naive_sub(s, m, 0, out);
	free(s);
}

static void assert_root(struct smt *t, struct pair *set, size_t n)
{
	uint8_t a[SMT_HASH_LEN], b[SMT_HASH_LEN];

	smt_root(t, a);
	naive_root(set, n, b);
	assert_memory_equal(a, b, SMT_HASH_LEN);
}

/* Whether make_set makes a third of its keys share 8..255 bits with an
 * earlier one (the state's keys are hashes, so few do in real use). */
static bool prefixed = true;

/* n keys: random ones, and runs that share long prefixes with earlier keys. */
static void make_set(struct pair *set, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (prefixed && i > 0 && next() % 3 == 0)
			near_key(set[i].key, set[next() % i].key, 8 + (unsigned)(next() % 248));
		else
			random_key(set[i].key);
		for (size_t j = 0; j < i; j++)
			if (!memcmp(set[j].key, set[i].key, SMT_HASH_LEN))
				set[i].key[31] ^= 1;    /* vanishingly rare; stay distinct */
		random_key(set[i].vh);
		set[i].live = false;
	}
}

static void shuffle(size_t *order, size_t n)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = next() % i, x = order[i - 1];
		order[i - 1] = order[j], order[j] = x;
	}
}

/* ---- Tests ---- */

static void test_empty(void **state)
{
	uint8_t r[SMT_HASH_LEN], k[SMT_HASH_LEN], proof[SMT_PROOF_MAX];
	const char *why = NULL;
	struct smt t;
	size_t len;

	(void)state;
	smt_init(&t, &heap);
	smt_root(&t, r);
	assert_memory_equal(r, zero, SMT_HASH_LEN);
	rng = 1;
	random_key(k);
	assert_false(smt_get(&t, k, NULL));
	assert_int_equal(smt_delete(&t, k), KR_ENOENT);
	assert_int_equal(smt_prove(&t, k, proof, sizeof(proof), &len), KR_OK);
	assert_int_equal(len, SMT_PROOF_HEAD);
	assert_int_equal(smt_verify(r, k, NULL, proof, len, &why), KR_OK);
	assert_int_equal(smt_verify(r, k, zero, proof, len, &why), KR_EINVAL);
	smt_free(&t);
}

/* One key: the root is its leaf hash, wherever the key points. */
static void test_single(void **state)
{
	uint8_t r[SMT_HASH_LEN], leaf[SMT_HASH_LEN], k[SMT_HASH_LEN], vh[SMT_HASH_LEN];
	struct smt t;

	(void)state;
	smt_init(&t, &heap);
	rng = 2;
	random_key(k);
	assert_int_equal(smt_set(&t, k, "v", 1), KR_OK);
	smt_value_hash(vh, "v", 1);
	smt_leaf_hash(leaf, k, vh);
	smt_root(&t, r);
	assert_memory_equal(r, leaf, SMT_HASH_LEN);
	assert_int_equal(t.count, 1);
	smt_free(&t);
	assert_int_equal(live, 0);
}

/* Insert, update and delete at random, checking the root after each. */
static void test_against_naive(void **state)
{
	static struct pair set[64];
	size_t order[64];

	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		for (size_t n = 0; n <= 64; n += (n < 8 ? 1 : 7)) {
			struct smt t;

			rng = seed * 1000 + n;
			make_set(set, n);
			smt_init(&t, &heap);
			shuffle(order, n);
			for (size_t i = 0; i < n; i++) {
				struct pair *p = &set[order[i]];
				assert_int_equal(smt_set_hash(&t, p->key, p->vh), KR_OK);
				p->live = true;
				assert_root(&t, set, n);
			}
			assert_int_equal(t.count, n);
			for (size_t i = 0; i < n; i++) {
				struct pair *p = &set[next() % n];
				uint8_t got[SMT_HASH_LEN];

				if (next() % 3) {
					random_key(p->vh);
					assert_int_equal(smt_set_hash(&t, p->key, p->vh), KR_OK);
					p->live = true;
				} else {
					assert_int_equal(smt_delete(&t, p->key),
							 p->live ? KR_OK : KR_ENOENT);
					p->live = false;
				}
				assert_root(&t, set, n);
				assert_int_equal(smt_get(&t, p->key, got), p->live);
				if (p->live)
					assert_memory_equal(got, p->vh, SMT_HASH_LEN);
			}
			smt_free(&t);
			assert_int_equal(live, 0);
		}
	}
}

/* The root is a function of the set: any insertion order, with or without
 * keys that came and went, gives the same root. */
static void test_order_independent(void **state)
{
	static struct pair set[64], extra[16];
	uint8_t r1[SMT_HASH_LEN], r2[SMT_HASH_LEN];
	size_t order[64];

	(void)state;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct smt a, b;

		rng = seed;
		make_set(set, 64);
		make_set(extra, 16);
		smt_init(&a, &heap);
		smt_init(&b, &heap);
		for (size_t i = 0; i < 64; i++)
			smt_set_hash(&a, set[i].key, set[i].vh);
		shuffle(order, 64);
		for (size_t i = 0; i < 64; i++) {
			smt_set_hash(&b, set[order[i]].key, set[order[i]].vh);
			if (i < 16)
				smt_set_hash(&b, extra[i].key, extra[i].vh);
		}
		for (size_t i = 0; i < 16; i++)
			assert_int_equal(smt_delete(&b, extra[i].key), KR_OK);
		smt_root(&a, r1);
		smt_root(&b, r2);
		assert_memory_equal(r1, r2, SMT_HASH_LEN);
		smt_free(&a);
		smt_free(&b);
	}
}

static void test_delete_to_empty(void **state)
{
	static struct pair set[64];
	uint8_t r[SMT_HASH_LEN];
	size_t order[64];
	struct smt t;

	(void)state;
	rng = 77;
	make_set(set, 64);
	smt_init(&t, &heap);
	for (size_t i = 0; i < 64; i++)
		smt_set_hash(&t, set[i].key, set[i].vh);
	smt_root(&t, r);
	shuffle(order, 64);
	for (size_t i = 0; i < 64; i++) {
		assert_int_equal(smt_delete(&t, set[order[i]].key), KR_OK);
		assert_int_equal(smt_delete(&t, set[order[i]].key), KR_ENOENT);
		if (i % 5 == 0)
			smt_root(&t, r);        /* some deletions rehashed, some not */
	}
	smt_root(&t, r);
	assert_memory_equal(r, zero, SMT_HASH_LEN);
	assert_int_equal(t.count, 0);
	assert_null(t.root);
	assert_int_equal(live, 0);
	smt_free(&t);
}

/* Batches of changes with the root taken once per batch equal a tree built
 * from scratch, and cost far fewer hashes. */
static void test_incremental(void **state)
{
	enum { N = 1024, BATCH = 16 };
	static struct pair set[N];
	uint8_t r1[SMT_HASH_LEN], r2[SMT_HASH_LEN];
	struct smt t, fresh;
	uint64_t before, rebuild;

	(void)state;
	rng = 4242;
	prefixed = false;
	make_set(set, N);
	prefixed = true;
	smt_init(&t, &heap);
	for (size_t i = 0; i < N; i++)
		smt_set_hash(&t, set[i].key, set[i].vh), set[i].live = true;
	smt_root(&t, r1);
	for (int round = 0; round < 20; round++) {
		before = t.hashes;
		for (int i = 0; i < BATCH; i++) {
			struct pair *p = &set[next() % N];

			if (p->live && next() % 4 == 0) {
				smt_delete(&t, p->key);
				p->live = false;
			} else {
				random_key(p->vh);
				smt_set_hash(&t, p->key, p->vh);
				p->live = true;
			}
		}
		smt_root(&t, r1);
		/* A change costs its leaf plus one hash per level above it:
		 * about log2(1024) = 10 here, far from 256. */
		assert_true(t.hashes - before < BATCH * 40);
		smt_init(&fresh, &heap);
		for (size_t i = 0; i < N; i++)
			if (set[i].live)
				smt_set_hash(&fresh, set[i].key, set[i].vh);
		smt_root(&fresh, r2);
		rebuild = fresh.hashes;
		assert_memory_equal(r1, r2, SMT_HASH_LEN);
		assert_true((t.hashes - before) * 10 < rebuild);
		smt_free(&fresh);
		if (round == 0)
			assert_root(&t, set, N);
	}
	/* Taking the root again with nothing changed costs nothing. */
	before = t.hashes;
	smt_root(&t, r1);
	assert_int_equal(t.hashes, before);
	smt_free(&t);
}

/* Out of memory changes nothing, and the tree goes on. */
static void test_enomem(void **state)
{
	static struct pair set[32];
	uint8_t r1[SMT_HASH_LEN], r2[SMT_HASH_LEN], k[SMT_HASH_LEN];
	struct smt t;

	(void)state;
	rng = 5;
	make_set(set, 32);
	smt_init(&t, &heap);
	for (size_t i = 0; i < 32; i++)
		smt_set_hash(&t, set[i].key, set[i].vh), set[i].live = true;
	smt_root(&t, r1);
	random_key(k);
	for (long fail = 0; fail < 2; fail++) {
		allocs_left = fail;
		assert_int_equal(smt_set(&t, k, "x", 1), KR_ENOMEM);
		allocs_left = -1;
		assert_int_equal(t.count, 32);
		assert_false(smt_get(&t, k, NULL));
		smt_root(&t, r2);
		assert_memory_equal(r1, r2, SMT_HASH_LEN);
	}
	allocs_left = 0;        /* an update needs no memory */
	assert_int_equal(smt_set(&t, set[3].key, "y", 1), KR_OK);
	allocs_left = -1;
	smt_value_hash(set[3].vh, "y", 1);
	assert_root(&t, set, 32);
	smt_free(&t);
	assert_int_equal(live, 0);
}

/* Every byte of a proof matters: one flipped bit anywhere is refused. */
static void assert_tamper_refused(const uint8_t root[SMT_HASH_LEN], const uint8_t *key,
				  const uint8_t *vh, const uint8_t *proof, size_t len)
{
	uint8_t bad[SMT_PROOF_MAX];
	const char *why;

	for (size_t i = 0; i < len; i++) {
		for (int b = 0; b < 8; b += 3) {
			memcpy(bad, proof, len);
			bad[i] ^= (uint8_t)(1 << b);
			why = NULL;
			if (smt_verify(root, key, vh, bad, len, &why) == KR_OK)
				fail_msg("byte %zu bit %d flipped still verifies", i, b);
			assert_non_null(why);
		}
	}
	why = NULL;
	assert_int_not_equal(smt_verify(root, key, vh, proof, len - 1, &why), KR_OK);
	assert_int_not_equal(smt_verify(root, key, vh, proof, len + 32, &why), KR_OK);
}

static void test_proofs(void **state)
{
	static struct pair set[64];
	static uint8_t proof[SMT_PROOF_MAX];
	uint8_t root[SMT_HASH_LEN], other[SMT_HASH_LEN], k[SMT_HASH_LEN];
	const char *why;
	struct smt_proof p;
	size_t len;

	(void)state;
	for (uint64_t seed = 1; seed <= 12; seed++) {
		size_t n = seed <= 3 ? seed - 1 : 6 * seed > 64 ? 64 : 6 * seed;
		struct smt t;

		rng = seed * 31;
		make_set(set, n);
		smt_init(&t, &heap);
		for (size_t i = 0; i < n; i++)
			smt_set_hash(&t, set[i].key, set[i].vh), set[i].live = true;
		smt_root(&t, root);
		random_key(other);
		for (size_t i = 0; i < n; i++) {
			const uint8_t *key = set[i].key;

			assert_int_equal(smt_prove(&t, key, proof, sizeof(proof), &len), KR_OK);
			why = NULL;
			if (smt_verify(root, key, set[i].vh, proof, len, &why))
				fail_msg("inclusion of key %zu of %zu: %s", i, n, why);
			assert_int_equal(smt_proof_decode(&p, proof, len, &why), KR_OK);
			assert_int_equal(p.kind, SMT_PROOF_INCLUSION);
			assert_int_equal(smt_verify(other, key, set[i].vh, proof, len, &why),
					 KR_EINVAL);
			assert_int_equal(smt_verify(root, key, other, proof, len, &why), KR_EINVAL);
			assert_int_equal(smt_verify(root, key, NULL, proof, len, &why), KR_EINVAL);
			assert_int_equal(smt_verify(root, set[(i + 1) % n].key, set[i].vh, proof,
						    len, &why), n > 1 ? KR_EINVAL : KR_OK);
			if (i < 4)
				assert_tamper_refused(root, key, set[i].vh, proof, len);
		}
		/* Absent keys: random ones, and ones beside present keys. */
		for (int i = 0; i < 40; i++) {
			if (i % 2 || n == 0)
				random_key(k);
			else
				near_key(k, set[next() % n].key, (unsigned)(next() % 256));
			if (smt_get(&t, k, NULL))
				continue;
			assert_int_equal(smt_prove(&t, k, proof, sizeof(proof), &len), KR_OK);
			why = NULL;
			if (smt_verify(root, k, NULL, proof, len, &why))
				fail_msg("exclusion %d: %s", i, why);
			assert_int_equal(smt_verify(root, k, other, proof, len, &why), KR_EINVAL);
			assert_int_equal(smt_verify(other, k, NULL, proof, len, &why), KR_EINVAL);
			if (i < 6)
				assert_tamper_refused(root, k, NULL, proof, len);
		}
		/* A present key's exclusion proof does not exist: the proof of
		 * a key deleted a moment ago fails against the old root. */
		if (n > 0) {
			assert_int_equal(smt_delete(&t, set[0].key), KR_OK);
			assert_int_equal(smt_prove(&t, set[0].key, proof, sizeof(proof), &len),
					 KR_OK);
			assert_int_equal(smt_verify(root, set[0].key, NULL, proof, len, &why),
					 KR_EINVAL);
		}
		smt_free(&t);
	}
	assert_int_equal(live, 0);
}

/* Proofs at the extremes: two keys that differ only in their last bit
 * (depth 256) and keys whose path leaves a long shared prefix. */
static void test_deep_proofs(void **state)
{
	static uint8_t proof[SMT_PROOF_MAX];
	uint8_t a[SMT_HASH_LEN], b[SMT_HASH_LEN], c[SMT_HASH_LEN], root[SMT_HASH_LEN];
	struct pair set[3];
	const char *why = NULL;
	struct smt_proof p;
	struct smt t;
	size_t len;

	(void)state;
	rng = 99;
	random_key(a);
	near_key(b, a, 255);
	near_key(c, a, 200);
	smt_init(&t, &heap);
	smt_set(&t, a, "a", 1);
	smt_set(&t, b, "b", 1);
	smt_root(&t, root);
	assert_int_equal(smt_prove(&t, a, proof, sizeof(proof), &len), KR_OK);
	assert_int_equal(smt_proof_decode(&p, proof, len, &why), KR_OK);
	assert_int_equal(p.depth, 256);
	assert_int_equal(p.n_sib, 1);
	smt_value_hash(p.vhash, "a", 1);
	assert_int_equal(smt_verify(root, a, p.vhash, proof, len, &why), KR_OK);
	/* c leaves the pair's 255-bit prefix at bit 200: its side is empty. */
	assert_int_equal(smt_prove(&t, c, proof, sizeof(proof), &len), KR_OK);
	assert_int_equal(smt_proof_decode(&p, proof, len, &why), KR_OK);
	assert_int_equal(p.kind, SMT_PROOF_EMPTY);
	assert_int_equal(p.depth, 201);
	assert_int_equal(smt_verify(root, c, NULL, proof, len, &why), KR_OK);
	/* With c in, the pair hangs at depth 201 and is hashed up to it. */
	smt_set(&t, c, "c", 1);
	memcpy(set[0].key, a, 32), smt_value_hash(set[0].vh, "a", 1), set[0].live = true;
	memcpy(set[1].key, b, 32), smt_value_hash(set[1].vh, "b", 1), set[1].live = true;
	memcpy(set[2].key, c, 32), smt_value_hash(set[2].vh, "c", 1), set[2].live = true;
	assert_root(&t, set, 3);
	smt_root(&t, root);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(smt_prove(&t, set[i].key, proof, sizeof(proof), &len), KR_OK);
		assert_int_equal(smt_verify(root, set[i].key, set[i].vh, proof, len, &why), KR_OK);
	}
	assert_int_equal(smt_delete(&t, c), KR_OK);
	set[2].live = false;
	assert_root(&t, set, 3);
	assert_int_equal(smt_prove(&t, a, proof, sizeof(proof), &len), KR_OK);
	assert_int_equal(smt_prove(&t, a, proof, SMT_PROOF_HEAD, &len), KR_ENOSPC);
	smt_free(&t);
}

/* The decoder refuses every non-canonical form. */
static void test_decode_refuses(void **state)
{
	static uint8_t proof[SMT_PROOF_MAX], bad[SMT_PROOF_MAX + 32];
	uint8_t k[SMT_HASH_LEN];
	const char *why;
	struct smt_proof p;
	struct smt t;
	size_t len;

	(void)state;
	smt_golden_build(&t);
	smt_golden_key(k, 0xc0, "owner");
	assert_int_equal(smt_prove(&t, k, proof, sizeof(proof), &len), KR_OK);
	assert_int_equal(smt_proof_decode(&p, proof, len, &why), KR_OK);
	assert_true(p.depth >= 1 && p.n_sib >= 1);
#define REFUSED(edit)                                                                 \
	do {                                                                          \
		size_t l_ = len;                                                      \
		memcpy(bad, proof, len);                                              \
		edit;                                                                 \
		why = NULL;                                                           \
		assert_int_equal(smt_proof_decode(&p, bad, l_, &why), KR_EFORMAT);    \
		assert_non_null(why);                                                 \
	} while (0)
	REFUSED(l_ = 10);
	REFUSED(bad[0] = 'X');
	REFUSED(bad[4] = 2);
	REFUSED(bad[5] = 3);
	REFUSED((bad[6] = 1, bad[7] = 1));                 /* depth 257 */
	REFUSED(bad[6] = (uint8_t)(p.depth - 1));          /* sibling at depth d */
	REFUSED(l_ = len + 32);
	REFUSED(l_ = len - 32);
	REFUSED(memset(bad + SMT_PROOF_HEAD, 0, 32));      /* empty sibling listed */
	REFUSED(bad[104] = 1);                             /* other in inclusion */
	REFUSED(bad[5] = SMT_PROOF_EMPTY);                 /* value hash in kind 1 */
	REFUSED((bad[5] = SMT_PROOF_OTHER, memcpy(bad + 104, bad + 8, 32))); /* other == key */
	REFUSED((bad[5] = SMT_PROOF_OTHER, memcpy(bad + 104, bad + 8, 32),
		 bad[104] ^= 0x80));                       /* other off the path */
	/* No sibling just above the depth: drop the deepest one. */
	REFUSED((bad[6] = (uint8_t)(p.depth + 1), bad[7] = (uint8_t)((p.depth + 1) >> 8)));
	smt_free(&t);
}

static void test_leaf_key(void **state)
{
	uint8_t addr[32], buf[32 + SMT_SKEY_MAX + 1], a[SMT_HASH_LEN], b[SMT_HASH_LEN];

	(void)state;
	memset(addr, 0xab, 32);
	memcpy(buf, addr, 32);
	memcpy(buf + 32, "balance", 7);
	assert_int_equal(smt_leaf_key(a, addr, "balance", 7), KR_OK);
	kr_blake2b_256(b, buf, 39);
	assert_memory_equal(a, b, SMT_HASH_LEN);
	assert_int_equal(smt_leaf_key(a, addr, NULL, 0), KR_OK);
	kr_blake2b_256(b, addr, 32);
	assert_memory_equal(a, b, SMT_HASH_LEN);
	memset(buf, 'k', sizeof(buf));
	assert_int_equal(smt_leaf_key(a, addr, buf, SMT_SKEY_MAX), KR_OK);
	assert_int_equal(smt_leaf_key(a, addr, buf, SMT_SKEY_MAX + 1), KR_ERANGE);
}

static size_t read_file(const char *name, uint8_t *buf, size_t cap)
{
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open (regenerate with smt_golden --write)", path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* The checked-in proofs are what the encoder gives for smt_golden.h's
 * state, byte for byte, and verify against the checked-in root. */
static void test_golden(void **state)
{
	static uint8_t proof[SMT_PROOF_MAX], want[SMT_PROOF_MAX + 1];
	uint8_t root[SMT_HASH_LEN], k[SMT_HASH_LEN], vh[SMT_HASH_LEN];
	char hex[2 * SMT_HASH_LEN + 2], text[sizeof(hex)];
	const char *why = NULL;
	struct smt t;
	size_t len, n;

	(void)state;
	smt_golden_build(&t);
	smt_root(&t, root);
	for (int i = 0; i < SMT_HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", root[i]);
	n = read_file("smt_proof.root", (uint8_t *)text, sizeof(text) - 1);
	text[n] = 0;
	assert_int_equal(n, 2 * SMT_HASH_LEN + 1);
	text[2 * SMT_HASH_LEN] = 0;
	assert_string_equal(text, hex);

	smt_golden_key(k, smt_golden_slots[0].contract, smt_golden_slots[0].key);
	assert_int_equal(smt_prove(&t, k, proof, sizeof(proof), &len), KR_OK);
	n = read_file("smt_proof.bin", want, sizeof(want));
	assert_int_equal(n, len);
	assert_memory_equal(proof, want, len);
	smt_value_hash(vh, smt_golden_slots[0].value, strlen(smt_golden_slots[0].value));
	assert_int_equal(smt_verify(root, k, vh, want, n, &why), KR_OK);

	smt_golden_key(k, SMT_GOLDEN_ABSENT_CONTRACT, SMT_GOLDEN_ABSENT_KEY);
	assert_int_equal(smt_prove(&t, k, proof, sizeof(proof), &len), KR_OK);
	n = read_file("smt_proof_absent.bin", want, sizeof(want));
	assert_int_equal(n, len);
	assert_memory_equal(proof, want, len);
	assert_int_equal(smt_verify(root, k, NULL, want, n, &why), KR_OK);
	smt_free(&t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_against_naive),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_delete_to_empty),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_enomem),
		cmocka_unit_test(test_proofs),
		cmocka_unit_test(test_deep_proofs),
		cmocka_unit_test(test_decode_refuses),
		cmocka_unit_test(test_leaf_key),
		cmocka_unit_test(test_golden),
	};

	if (argc > 1)
		golden_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
