/*
 * smt.h - the contract VM's state root (issue 18, requirement 4): a sparse
 * Merkle tree over 256-bit keys with BLAKE2b-256, and the byte format of
 * its inclusion and exclusion proofs.  docs/contracts-state.md explains the
 * choice and the costs.
 *
 * The tree it defines (the "plain" tree, which tests/unit/test_vm_smt.c
 * computes the slow way): 256 levels; a key's bit i (MSB first: bit 0 is
 * the top bit of key[0]) picks the child at depth i, 0 left, 1 right.
 * The hash of the subtree at any depth is
 *   - 32 zero bytes if it holds no key (so the empty tree's root is zero);
 *   - LEAF(k, vh) = H(0x00 || k || vh) if it holds exactly one key k,
 *     whose value hashes to vh = H(value);
 *   - H(0x01 || left || right) if it holds two keys or more;
 * H is BLAKE2b-256.  A lone key is thus hashed where its subtree stops
 * being shared (its leaf commits to the whole key, so its place is bound),
 * and an update costs one hash per level down to there: about log2(n) for
 * keys that are themselves hashes, not 256.  The root is a function of the
 * set of (key, value hash) pairs only, never of insertion order.
 *
 * In memory the tree is a crit-bit (binary Patricia) tree of the occupied
 * paths: a branch where two keys first differ, a leaf per key.  Changes
 * mark their path dirty; smt_root() rehashes only dirty nodes, so a block
 * of N writes costs about N log2(n) hashes however large the state is.
 *
 * The tree holds value hashes, not values: the VM's storage keeps the
 * bytes, and smt_set takes the value only to hash it.  Pure code: memory
 * comes from the caller's struct smt_alloc; no clock, no addresses in any
 * hash.  Not thread-safe: one owner (the VM's block executor) at a time.
 */
#ifndef KARYON_VM_SMT_H
#define KARYON_VM_SMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>

#define SMT_HASH_LEN 32
#define SMT_DEPTH    256

/* The caller's memory: the kernel's heap, or malloc on the host. */
struct smt_alloc {
	void *(*alloc)(void *ctx, size_t n);
	void (*free)(void *ctx, void *p);
	void *ctx;
};

struct smt_node;

struct smt {
	struct smt_node *root;          /* NULL: the empty tree */
	struct smt_alloc a;
	uint64_t count;                 /* keys held */
	uint64_t hashes;                /* BLAKE2b calls so far, for tests and benchmarks */
};

/* A storage slot's key: H(contract address (32 bytes) || storage key);
 * KR_ERANGE for a storage key longer than SMT_SKEY_MAX bytes. */
#define SMT_SKEY_MAX 256
kr_err_t smt_leaf_key(uint8_t out[SMT_HASH_LEN], const uint8_t contract[32], const void *skey,
		  size_t skey_len);
/* vh = H(value). */
void smt_value_hash(uint8_t out[SMT_HASH_LEN], const void *value, size_t len);
/* LEAF(k, vh) as above. */
void smt_leaf_hash(uint8_t out[SMT_HASH_LEN], const uint8_t key[SMT_HASH_LEN],
		   const uint8_t vhash[SMT_HASH_LEN]);

void smt_init(struct smt *t, const struct smt_alloc *a);
void smt_free(struct smt *t);

/* key -> value (an empty value is present, unlike a deleted key).
 * KR_ENOMEM leaves the tree as it was. */
kr_err_t smt_set(struct smt *t, const uint8_t key[SMT_HASH_LEN], const void *value, size_t len);
/* The same, given the value's hash. */
kr_err_t smt_set_hash(struct smt *t, const uint8_t key[SMT_HASH_LEN],
		      const uint8_t vhash[SMT_HASH_LEN]);
/* Remove key; KR_ENOENT if it was absent (the tree is unchanged). */
kr_err_t smt_delete(struct smt *t, const uint8_t key[SMT_HASH_LEN]);
/* Whether key is present; if so and vhash is not NULL, its value hash. */
bool smt_get(const struct smt *t, const uint8_t key[SMT_HASH_LEN], uint8_t vhash[SMT_HASH_LEN]);
/* The root, rehashing only the paths changed since the last call. */
void smt_root(struct smt *t, uint8_t out[SMT_HASH_LEN]);

/*
 * The proof format (version 1).  Integers little-endian; bit i of a
 * 32-byte bit string is (b[i / 8] >> (7 - i % 8)) & 1, as for keys.
 *
 *   off  size  field
 *     0     4  magic "KSMP"
 *     4     1  version (1)
 *     5     1  kind: 0 inclusion, 1 exclusion (empty subtree),
 *              2 exclusion (another key's leaf)
 *     6     2  depth d, 0..256: the depth of the subtree on key's path
 *              that holds key alone (0), nothing (1) or only `other` (2)
 *     8    32  key
 *    40    32  bitmap: bit i set iff the sibling at depth i (the other
 *              child of key's path node at depth i) is not empty; no bit
 *              at or beyond d, and bit d-1 is set when d > 0
 *    72    32  value hash: key's (kind 0), other's (kind 2), zero (kind 1)
 *   104    32  other: the key found instead (kind 2; it shares key's
 *              first d bits and differs from key), else zero
 *   136  32*n  the n = popcount(bitmap) non-empty siblings, depth 0 first;
 *              none of them all zero
 *
 * Exactly 136 + 32 n bytes; anything else (another size, a nonzero unused
 * field) is refused, so a proof has one encoding.  The verifier starts
 * from LEAF(key, vh), zero or LEAF(other, vh) at depth d and hashes up:
 * at depth i = d-1 .. 0, H(0x01 || h || sib) if key's bit i is 0, else
 * H(0x01 || sib || h); the result must be the root.
 */
#define SMT_PROOF_MAGIC   "KSMP"
#define SMT_PROOF_VERSION 1
#define SMT_PROOF_HEAD    136
#define SMT_PROOF_MAX     (SMT_PROOF_HEAD + SMT_DEPTH * SMT_HASH_LEN)

enum smt_proof_kind {
	SMT_PROOF_INCLUSION = 0,
	SMT_PROOF_EMPTY = 1,            /* exclusion: key's path ends in nothing */
	SMT_PROOF_OTHER = 2,            /* exclusion: key's path ends in another key */
};

/* A decoded proof; sib points into the buffer it was decoded from. */
struct smt_proof {
	enum smt_proof_kind kind;
	uint16_t depth;
	uint8_t key[SMT_HASH_LEN];
	uint8_t bitmap[SMT_HASH_LEN];
	uint8_t vhash[SMT_HASH_LEN];
	uint8_t other[SMT_HASH_LEN];
	uint16_t n_sib;
	const uint8_t *sib;             /* n_sib * SMT_HASH_LEN bytes */
};

/* key's proof against the current root into out[0..cap): its length in
 * *len.  KR_ENOSPC if cap is too small (SMT_PROOF_MAX always is not). */
kr_err_t smt_prove(struct smt *t, const uint8_t key[SMT_HASH_LEN], uint8_t *out, size_t cap,
		   size_t *len);
/* Check every byte of buf[0..len) and fill *p; on KR_EFORMAT *why says
 * what is wrong. */
kr_err_t smt_proof_decode(struct smt_proof *p, const void *buf, size_t len, const char **why);
/* The root a decoded proof stands for. */
void smt_proof_root(const struct smt_proof *p, uint8_t root[SMT_HASH_LEN]);
/* Whether buf proves, against root, that key holds the value hashing to
 * *vhash (vhash not NULL) or that key is absent (vhash NULL).  KR_OK, or
 * KR_EFORMAT (malformed) / KR_EINVAL (well formed but wrong) with *why. */
kr_err_t smt_verify(const uint8_t root[SMT_HASH_LEN], const uint8_t key[SMT_HASH_LEN],
		    const uint8_t *vhash, const void *buf, size_t len, const char **why);

#endif
