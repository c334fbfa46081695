/*
 * smt.c - the state tree and its proofs (smt.h).
 *
 * Three layers: the hashes that define the plain 256-level tree (leaf,
 * node, and the walk from a branch up through levels where the other side
 * is empty); the crit-bit tree that stores only occupied paths and marks
 * changed ones dirty; and the proof encoder, decoder and verifier, which
 * touch the tree only through its fresh hashes.
 */
#include <karyon/hash.h>
#include <karyon/libc.h>
#include "smt.h"

/* A leaf has no children.  A node's hash is the plain tree's subtree hash
 * at depth `top`, where it hangs from its parent: for a leaf that is its
 * LEAF() at any depth; for a branch it is the node at depth `bit` (where
 * its keys first differ) hashed up through the levels top..bit-1, whose
 * other side is empty. */
struct smt_node {
	struct smt_node *child[2];
	uint16_t bit;                   /* branch: the first bit its keys differ in */
	uint16_t top;                   /* depth at which it hangs */
	bool dirty;                     /* branch: hash is stale */
	uint8_t hash[SMT_HASH_LEN];
	uint8_t key[SMT_HASH_LEN];      /* leaf: its key; branch: a key below it */
	uint8_t vhash[SMT_HASH_LEN];    /* leaf only */
};

static const uint8_t zero[SMT_HASH_LEN];

static int kbit(const uint8_t *k, unsigned i)
{
	return (k[i >> 3] >> (7 - (i & 7))) & 1;
}

/* The first bit a and b differ in; SMT_DEPTH if they are equal. */
static unsigned crit(const uint8_t *a, const uint8_t *b)
{
	for (unsigned i = 0; i < SMT_HASH_LEN; i++) {
		unsigned x = a[i] ^ b[i];
		if (x)
			return i * 8 + (unsigned)__builtin_clz(x) - 24;
	}
	return SMT_DEPTH;
}

static bool is_leaf(const struct smt_node *n)
{
	return !n->child[0];
}

/* ---- The plain tree's hashes ---- */

static void hash3(uint8_t out[SMT_HASH_LEN], uint8_t tag, const uint8_t a[SMT_HASH_LEN],
		  const uint8_t b[SMT_HASH_LEN])
{
	uint8_t buf[1 + 2 * SMT_HASH_LEN];

	buf[0] = tag;
	memcpy(buf + 1, a, SMT_HASH_LEN);
	memcpy(buf + 1 + SMT_HASH_LEN, b, SMT_HASH_LEN);
	kr_blake2b_256(out, buf, sizeof(buf));
}

kr_err_t smt_leaf_key(uint8_t out[SMT_HASH_LEN], const uint8_t contract[32], const void *skey,
		      size_t skey_len)
{
	/* The address is always 32 bytes, so the concatenation is unambiguous. */
	uint8_t buf[32 + SMT_SKEY_MAX];

	if (skey_len > SMT_SKEY_MAX)
		return KR_ERANGE;
	memcpy(buf, contract, 32);
	if (skey_len)
		memcpy(buf + 32, skey, skey_len);
	kr_blake2b_256(out, buf, 32 + skey_len);
	return KR_OK;
}

void smt_value_hash(uint8_t out[SMT_HASH_LEN], const void *value, size_t len)
{
	kr_blake2b_256(out, len ? value : "", len);
}

void smt_leaf_hash(uint8_t out[SMT_HASH_LEN], const uint8_t key[SMT_HASH_LEN],
		   const uint8_t vhash[SMT_HASH_LEN])
{
	hash3(out, 0x00, key, vhash);
}

/* The parent of h at depth i on key's path, the sibling being s. */
static void up(uint8_t h[SMT_HASH_LEN], const uint8_t *key, unsigned i, const uint8_t *s)
{
	if (kbit(key, i))
		hash3(h, 0x01, s, h);
	else
		hash3(h, 0x01, h, s);
}

/* h, the subtree at depth `from` on key's path, hashed up to depth `to`
 * through levels whose other side is empty. */
static void rise(struct smt *t, uint8_t h[SMT_HASH_LEN], const uint8_t *key, unsigned from,
		 unsigned to)
{
	while (from-- > to) {
		up(h, key, from, zero);
		t->hashes++;
	}
}

/* ---- The crit-bit tree ---- */

void smt_init(struct smt *t, const struct smt_alloc *a)
{
	memset(t, 0, sizeof(*t));
	t->a = *a;
}

static void free_node(struct smt *t, struct smt_node *n)
{
	if (!n)
		return;
	free_node(t, n->child[0]);
	free_node(t, n->child[1]);
	t->a.free(t->a.ctx, n);
}

void smt_free(struct smt *t)
{
	free_node(t, t->root);
	t->root = NULL;
	t->count = 0;
}

static struct smt_node *node_new(struct smt *t)
{
	struct smt_node *n = t->a.alloc(t->a.ctx, sizeof(*n));

	if (n)
		memset(n, 0, sizeof(*n));
	return n;
}

/* The leaf key's path leads to (every key's path ends in some leaf). */
static struct smt_node *nearest(struct smt_node *n, const uint8_t *key)
{
	while (n && !is_leaf(n))
		n = n->child[kbit(key, n->bit)];
	return n;
}

/* Mark the branches on key's path dirty, down to (not including) the
 * first node whose bit is `stop` or deeper. */
static void mark(struct smt *t, const uint8_t *key, unsigned stop)
{
	for (struct smt_node *n = t->root; n && !is_leaf(n) && n->bit < stop;
	     n = n->child[kbit(key, n->bit)])
		n->dirty = true;
}

kr_err_t smt_set_hash(struct smt *t, const uint8_t key[SMT_HASH_LEN],
		      const uint8_t vhash[SMT_HASH_LEN])
{
	struct smt_node *near = nearest(t->root, key), *leaf, *br, **pp;
	unsigned b = near ? crit(near->key, key) : 0;
	int side;

	if (near && b == SMT_DEPTH) {
		if (memcmp(near->vhash, vhash, SMT_HASH_LEN)) {
			mark(t, key, SMT_DEPTH);
			memcpy(near->vhash, vhash, SMT_HASH_LEN);
			smt_leaf_hash(near->hash, key, vhash);
			t->hashes++;
		}
		return KR_OK;
	}
	/* Both allocations before any change, so a failure changes nothing. */
	leaf = node_new(t);
	br = near ? node_new(t) : leaf;
	if (!leaf || !br) {
		if (leaf)
			t->a.free(t->a.ctx, leaf);
		return KR_ENOMEM;
	}
	memcpy(leaf->key, key, SMT_HASH_LEN);
	memcpy(leaf->vhash, vhash, SMT_HASH_LEN);
	smt_leaf_hash(leaf->hash, key, vhash);
	t->hashes++;
	t->count++;
	if (!near) {
		t->root = leaf;
		return KR_OK;
	}
	/* The new branch goes above the first node on the path at depth b or
	 * deeper: that node and the new leaf now hang at depth b + 1. */
	mark(t, key, b);
	for (pp = &t->root; !is_leaf(*pp) && (*pp)->bit < b; pp = &(*pp)->child[kbit(key, (*pp)->bit)])
		;
	side = kbit(key, b);
	br->bit = (uint16_t)b;
	br->top = (*pp)->top;
	br->dirty = true;
	memcpy(br->key, key, SMT_HASH_LEN);
	br->child[side] = leaf;
	br->child[!side] = *pp;
	(*pp)->top = (uint16_t)(b + 1);
	(*pp)->dirty = !is_leaf(*pp);
	leaf->top = (uint16_t)(b + 1);
	*pp = br;
	return KR_OK;
}

kr_err_t smt_set(struct smt *t, const uint8_t key[SMT_HASH_LEN], const void *value, size_t len)
{
	uint8_t vh[SMT_HASH_LEN];

	smt_value_hash(vh, value, len);
	t->hashes++;
	return smt_set_hash(t, key, vh);
}

kr_err_t smt_delete(struct smt *t, const uint8_t key[SMT_HASH_LEN])
{
	struct smt_node *near = nearest(t->root, key), **pp = &t->root, **parent = NULL, *sib;

	if (!near || memcmp(near->key, key, SMT_HASH_LEN))
		return KR_ENOENT;
	mark(t, key, SMT_DEPTH);
	while (!is_leaf(*pp)) {
		parent = pp;
		pp = &(*pp)->child[kbit(key, (*pp)->bit)];
	}
	t->count--;
	if (!parent) {
		t->root = NULL;
	} else {
		/* The leaf's sibling takes its parent's place and depth. */
		struct smt_node *br = *parent;
		sib = br->child[!kbit(key, br->bit)];
		sib->top = br->top;
		sib->dirty = !is_leaf(sib);
		*parent = sib;
		t->a.free(t->a.ctx, br);
	}
	t->a.free(t->a.ctx, near);
	return KR_OK;
}

bool smt_get(const struct smt *t, const uint8_t key[SMT_HASH_LEN], uint8_t vhash[SMT_HASH_LEN])
{
	const struct smt_node *n = nearest(t->root, key);

	if (!n || memcmp(n->key, key, SMT_HASH_LEN))
		return false;
	if (vhash)
		memcpy(vhash, n->vhash, SMT_HASH_LEN);
	return true;
}

/* The branch's node at depth `bit`, from its children's fresh hashes. */
static void own(struct smt *t, const struct smt_node *n, uint8_t out[SMT_HASH_LEN])
{
	hash3(out, 0x01, n->child[0]->hash, n->child[1]->hash);
	t->hashes++;
}

static void rehash(struct smt *t, struct smt_node *n)
{
	if (is_leaf(n) || !n->dirty)
		return;
	rehash(t, n->child[0]);
	rehash(t, n->child[1]);
	own(t, n, n->hash);
	rise(t, n->hash, n->key, n->bit, n->top);
	n->dirty = false;
}

void smt_root(struct smt *t, uint8_t out[SMT_HASH_LEN])
{
	if (!t->root) {
		memset(out, 0, SMT_HASH_LEN);
		return;
	}
	rehash(t, t->root);
	memcpy(out, t->root->hash, SMT_HASH_LEN);
}

/* ---- Proofs ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

kr_err_t smt_prove(struct smt *t, const uint8_t key[SMT_HASH_LEN], uint8_t *out, size_t cap,
		   size_t *len)
{
	uint8_t root[SMT_HASH_LEN], bitmap[SMT_HASH_LEN] = { 0 };
	const struct smt_node *n;
	enum smt_proof_kind kind = SMT_PROOF_EMPTY;
	const uint8_t *vh = zero, *other = zero;
	unsigned depth = 0, nsib = 0;

	if (cap < SMT_PROOF_HEAD)
		return KR_ENOSPC;
	smt_root(t, root);
	for (n = t->root; n;) {
		const uint8_t *sib;
		uint8_t h[SMT_HASH_LEN];
		unsigned b, i;
		int side;

		if (is_leaf(n)) {
			depth = n->top;
			vh = n->vhash;
			if (memcmp(n->key, key, SMT_HASH_LEN))
				kind = SMT_PROOF_OTHER, other = n->key;
			else
				kind = SMT_PROOF_INCLUSION;
			break;
		}
		b = crit(n->key, key);
		if (b < n->bit) {
			/* key leaves this branch's prefix at depth b: its side
			 * of depth b + 1 is empty, the other is the branch
			 * hashed up to there. */
			own(t, n, h);
			rise(t, h, n->key, n->bit, b + 1);
			sib = h, i = b, depth = b + 1, n = NULL;
		} else {
			side = kbit(key, n->bit);
			sib = n->child[!side]->hash, i = n->bit;
			n = n->child[side];
		}
		if (cap < SMT_PROOF_HEAD + (nsib + 1) * SMT_HASH_LEN)
			return KR_ENOSPC;
		memcpy(out + SMT_PROOF_HEAD + nsib++ * SMT_HASH_LEN, sib, SMT_HASH_LEN);
		bitmap[i >> 3] |= (uint8_t)(0x80 >> (i & 7));
	}
	memcpy(out, SMT_PROOF_MAGIC, 4);
	out[4] = SMT_PROOF_VERSION;
	out[5] = (uint8_t)kind;
	put16(out + 6, (uint16_t)depth);
	memcpy(out + 8, key, SMT_HASH_LEN);
	memcpy(out + 40, bitmap, SMT_HASH_LEN);
	memcpy(out + 72, vh, SMT_HASH_LEN);
	memcpy(out + 104, other, SMT_HASH_LEN);
	*len = SMT_PROOF_HEAD + nsib * SMT_HASH_LEN;
	return KR_OK;
}

static kr_err_t refuse(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return KR_EFORMAT;
}

static kr_err_t wrong(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return KR_EINVAL;
}

kr_err_t smt_proof_decode(struct smt_proof *p, const void *buf, size_t len, const char **why)
{
	const uint8_t *b = buf;
	unsigned n = 0;

	if (!buf || len < SMT_PROOF_HEAD)
		return refuse(why, "shorter than the 136-byte header");
	if (memcmp(b, SMT_PROOF_MAGIC, 4))
		return refuse(why, "bad magic (not a KSMP proof)");
	if (b[4] != SMT_PROOF_VERSION)
		return refuse(why, "unknown version");
	if (b[5] > SMT_PROOF_OTHER)
		return refuse(why, "unknown kind");
	memset(p, 0, sizeof(*p));
	p->kind = (enum smt_proof_kind)b[5];
	p->depth = (uint16_t)(b[6] | b[7] << 8);
	memcpy(p->key, b + 8, SMT_HASH_LEN);
	memcpy(p->bitmap, b + 40, SMT_HASH_LEN);
	memcpy(p->vhash, b + 72, SMT_HASH_LEN);
	memcpy(p->other, b + 104, SMT_HASH_LEN);
	if (p->depth > SMT_DEPTH)
		return refuse(why, "depth beyond 256");
	for (unsigned i = 0; i < SMT_DEPTH; i++) {
		if (!kbit(p->bitmap, i))
			continue;
		if (i >= p->depth)
			return refuse(why, "a sibling at or below the proof's depth");
		n++;
	}
	if (p->depth && !kbit(p->bitmap, p->depth - 1u))
		return refuse(why, "no sibling just above the proof's depth (not the deepest "
				   "shared subtree)");
	if (len != SMT_PROOF_HEAD + (size_t)n * SMT_HASH_LEN)
		return refuse(why, "length is not 136 + 32 bytes per sibling");
	p->n_sib = (uint16_t)n;
	p->sib = b + SMT_PROOF_HEAD;
	for (unsigned i = 0; i < n; i++)
		if (!memcmp(p->sib + i * SMT_HASH_LEN, zero, SMT_HASH_LEN))
			return refuse(why, "an empty sibling listed as non-empty");
	if (p->kind != SMT_PROOF_OTHER && memcmp(p->other, zero, SMT_HASH_LEN))
		return refuse(why, "other key set in a proof of another kind");
	if (p->kind == SMT_PROOF_EMPTY && memcmp(p->vhash, zero, SMT_HASH_LEN))
		return refuse(why, "value hash set in an empty-subtree proof");
	/* At depth 256 the sibling holds at most one key, so the parent
	 * would be a lone key's subtree, proved as kind 2 above it. */
	if (p->kind == SMT_PROOF_EMPTY && p->depth == SMT_DEPTH)
		return refuse(why, "empty subtree at depth 256");
	if (p->kind == SMT_PROOF_OTHER) {
		unsigned c = crit(p->other, p->key);
		if (c == SMT_DEPTH)
			return refuse(why, "other key equals the key");
		if (c < p->depth)
			return refuse(why, "other key is not on the key's path");
	}
	return KR_OK;
}

void smt_proof_root(const struct smt_proof *p, uint8_t root[SMT_HASH_LEN])
{
	unsigned idx = p->n_sib;

	if (p->kind == SMT_PROOF_INCLUSION)
		smt_leaf_hash(root, p->key, p->vhash);
	else if (p->kind == SMT_PROOF_OTHER)
		smt_leaf_hash(root, p->other, p->vhash);
	else
		memset(root, 0, SMT_HASH_LEN);
	for (unsigned i = p->depth; i-- > 0;)
		up(root, p->key, i, kbit(p->bitmap, i) ? p->sib + --idx * SMT_HASH_LEN : zero);
}

kr_err_t smt_verify(const uint8_t root[SMT_HASH_LEN], const uint8_t key[SMT_HASH_LEN],
		    const uint8_t *vhash, const void *buf, size_t len, const char **why)
{
	struct smt_proof p;
	uint8_t r[SMT_HASH_LEN];
	kr_err_t e = smt_proof_decode(&p, buf, len, why);

	if (e)
		return e;
	if (memcmp(p.key, key, SMT_HASH_LEN))
		return wrong(why, "the proof is for another key");
	if (vhash && p.kind != SMT_PROOF_INCLUSION)
		return wrong(why, "the proof shows the key absent");
	if (!vhash && p.kind == SMT_PROOF_INCLUSION)
		return wrong(why, "the proof shows the key present");
	if (vhash && memcmp(p.vhash, vhash, SMT_HASH_LEN))
		return wrong(why, "the proof holds another value");
	smt_proof_root(&p, r);
	if (memcmp(r, root, SMT_HASH_LEN))
		return wrong(why, "the proof does not lead to the root");
	return KR_OK;
}
