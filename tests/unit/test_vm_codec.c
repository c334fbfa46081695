/*
 * test_vm_codec.c - the contract VM's codec (modules/vm/codec.c, BLAKE2b
 * through tcc-runtime/krt/blake2.c over Debian's libb2): the bytes of each
 * header, round trips of random transactions, blocks and receipts, every
 * refusal with its reason, every truncation, the receipts root against a
 * level-by-level reference, contract addresses, and the golden files
 * tests/unit/golden/vm_block.bin and vm_receipt.bin with the hashes in
 * vm_block.txt and vm_receipt.txt beside them (checked by Python's hashlib
 * when they were written, so the hashes do not depend on this codec).
 *
 * Usage: test_vm_codec GOLDEN_DIR (tests/unit/golden)
 *        test_vm_codec --write-golden DIR   (writes the four files; review them)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <blake2.h>

#include <karyon/hash.h>

#include "vm/codec.h"

static const char *golden_dir = "tests/unit/golden";

/* ---- helpers ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

static void b2(uint8_t out[32], const void *in, size_t n)
{
	assert_int_equal(blake2b(out, in, NULL, 32, n, 0), 0);
}

/* A transaction with its bytes in slot storage. */
struct txbuf {
	uint8_t from[32], to[32];
	char method[KR_VM_METHOD_MAX];
	uint8_t *args;
	struct vm_tx tx;
};

static const char ident_first[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
static const char ident_rest[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";

static void rnd_tx(struct txbuf *t, uint32_t args_max)
{
	rnd_bytes(t->from, 32);
	if (rnd() % 4 == 0)
		memset(t->to, 0, 32);
	else
		rnd_bytes(t->to, 32);
	t->tx.method_len = (uint8_t)(1 + rnd() % KR_VM_METHOD_MAX);
	t->method[0] = ident_first[rnd() % (sizeof(ident_first) - 1)];
	for (size_t i = 1; i < t->tx.method_len; i++)
		t->method[i] = ident_rest[rnd() % (sizeof(ident_rest) - 1)];
	t->tx.args_len = (uint32_t)(rnd() % (args_max + 1));
	t->args = realloc(t->args, t->tx.args_len + 1);
	rnd_bytes(t->args, t->tx.args_len);
	t->tx.from = t->from;
	t->tx.to = t->to;
	t->tx.method = t->method;
	t->tx.args = t->args;
	t->tx.nonce = rnd();
	t->tx.value = rnd() >> (rnd() % 64);
	t->tx.gas_limit = rnd();
	t->tx.raw = NULL;
	t->tx.size = 0;
}

static void same_tx(const struct vm_tx *a, const struct vm_tx *b)
{
	assert_memory_equal(a->from, b->from, 32);
	assert_memory_equal(a->to, b->to, 32);
	assert_true(a->nonce == b->nonce);
	assert_true(a->value == b->value);
	assert_true(a->gas_limit == b->gas_limit);
	assert_int_equal(a->method_len, b->method_len);
	assert_memory_equal(a->method, b->method, a->method_len);
	assert_int_equal(a->args_len, b->args_len);
	if (a->args_len)
		assert_memory_equal(a->args, b->args, a->args_len);
}

/* Copy n bytes into an exact-size allocation: ASan sees a read past it. */
static uint8_t *exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	memcpy(c, p, n);
	return c;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- transactions ---- */

static size_t enc_tx(uint8_t *buf, size_t cap, const struct vm_tx *tx)
{
	size_t n = 0;

	assert_int_equal(vm_tx_encode(buf, cap, tx, &n), KR_OK);
	assert_int_equal(n, vm_tx_size(tx));
	return n;
}

static void test_tx_bytes(void **state)
{
	uint8_t from[32], to[32], buf[256];
	struct vm_tx tx = { .from = from, .to = to, .nonce = 0x0102030405060708ull,
			    .value = 0x1112131415161718ull, .gas_limit = 0x2122232425262728ull,
			    .method = "transfer", .method_len = 8,
			    .args = (const uint8_t *)"\x01\x02\x03", .args_len = 3 };
	size_t n;

	(void)state;
	memset(from, 0xAA, 32);
	memset(to, 0xBB, 32);
	n = enc_tx(buf, sizeof(buf), &tx);
	assert_int_equal(n, 96 + 8 + 3);
	assert_memory_equal(buf, from, 32);
	assert_memory_equal(buf + 32, to, 32);
	static const uint8_t fields[32] = { 8, 7, 6, 5, 4, 3, 2, 1, 0x18, 0x17, 0x16, 0x15,
					    0x14, 0x13, 0x12, 0x11, 0x28, 0x27, 0x26, 0x25,
					    0x24, 0x23, 0x22, 0x21, 8, 0, 0, 0, 3, 0, 0, 0 };
	assert_memory_equal(buf + 64, fields, 32);
	assert_memory_equal(buf + 96, "transfer\x01\x02\x03", 11);
}

static void test_tx_roundtrip(void **state)
{
	static uint8_t buf[KR_VM_TX_MAX + 16];
	struct txbuf t = { 0 };

	(void)state;
	rng_state = 0x9E3779B97F4A7C15ull;
	for (int i = 0; i < 2000; i++) {
		struct vm_tx v;
		const char *why = "untouched";
		uint8_t h[32], want[32];
		size_t n;

		rnd_tx(&t, i % 100 == 0 ? KR_VM_ARGS_MAX : 300);
		if (i == 1) {   /* the largest transaction */
			t.args = realloc(t.args, KR_VM_ARGS_MAX);
			memset(t.args, 7, KR_VM_ARGS_MAX);
			t.tx.args = t.args;
			t.tx.args_len = KR_VM_ARGS_MAX;
			memset(t.method, 'z', KR_VM_METHOD_MAX);
			t.tx.method_len = KR_VM_METHOD_MAX;
		}
		n = enc_tx(buf, sizeof(buf), &t.tx);
		uint8_t *e = exact(buf, n);
		assert_int_equal(vm_tx_decode(e, n, &v, &why), KR_OK);
		assert_string_equal(why, "untouched");
		same_tx(&t.tx, &v);
		assert_ptr_equal(v.raw, e);
		assert_int_equal(v.size, n);
		assert_ptr_equal(v.from, e);
		assert_ptr_equal(v.args, e + 96 + v.method_len);
		assert_int_equal(vm_tx_hash(&v, h), KR_OK);
		b2(want, e, n);
		assert_memory_equal(h, want, 32);
		/* Re-encoding the view gives the same bytes. */
		assert_int_equal(enc_tx(buf, sizeof(buf), &v), n);
		assert_memory_equal(buf, e, n);
		free(e);
	}
	free(t.args);
}

/* Decode must refuse with err and why and leave *out alone. */
#define REFUSED(fn, buf, len, err, why_want)                                     \
	do {                                                                      \
		__typeof__(*out_) v_, before_;                                    \
		const char *why_ = NULL;                                          \
		memset(&v_, 0x5a, sizeof(v_));                                    \
		before_ = v_;                                                     \
		assert_int_equal(fn(buf, len, &v_, &why_), err);                  \
		assert_non_null(why_);                                            \
		assert_string_equal(why_, why_want);                              \
		assert_memory_equal(&v_, &before_, sizeof(v_));                   \
	} while (0)

static void tx_refused(const uint8_t *buf, size_t len, kr_err_t err, const char *why)
{
	struct vm_tx *out_ = NULL;
	uint8_t *e = exact(buf, len);

	(void)out_;
	REFUSED(vm_tx_decode, e, len, err, why);
	free(e);
}

static void test_tx_refusals(void **state)
{
	uint8_t from[32] = { 1 }, to[32] = { 2 }, buf[512], bad[512];
	struct vm_tx tx = { .from = from, .to = to, .method = "get", .method_len = 3,
			    .args = (const uint8_t *)"abcdef", .args_len = 6 };
	struct vm_tx v;
	const char *why = NULL;
	size_t n;

	(void)state;
	n = enc_tx(buf, sizeof(buf), &tx);
	assert_int_equal(vm_tx_decode(NULL, n, &v, &why), KR_EINVAL);
	assert_string_equal(why, VM_WHY_ARGS);
	assert_int_equal(vm_tx_decode(buf, n, NULL, &why), KR_EINVAL);
	/* Every cut. */
	for (size_t cut = 0; cut < n; cut++)
		tx_refused(buf, cut, KR_ETRUNC, VM_WHY_SHORT);
	/* Trailing bytes. */
	tx_refused(buf, n + 1, KR_EFORMAT, VM_WHY_TRAILING);
	/* Method lengths 0 and over 31. */
	static const uint8_t mlens[] = { 0, 32, 33, 255 };
	for (size_t i = 0; i < sizeof(mlens); i++) {
		memcpy(bad, buf, sizeof(buf));
		bad[88] = mlens[i];
		tx_refused(bad, sizeof(bad), KR_EFORMAT, VM_WHY_METHOD_LEN);
	}
	for (int at = 89; at < 92; at++) {
		memcpy(bad, buf, n);
		bad[at] = 0x80;
		tx_refused(bad, n, KR_EFORMAT, VM_WHY_RESERVED);
	}
	/* args over the max, with all the bytes there: still refused. */
	{
		size_t big = 96 + 3 + KR_VM_ARGS_MAX + 1;
		uint8_t *b = calloc(1, big);

		memcpy(b, buf, 96 + 3);
		put32(b + 92, KR_VM_ARGS_MAX + 1);
		tx_refused(b, big, KR_EFORMAT, VM_WHY_ARGS_LEN);
		put32(b + 92, UINT32_MAX);
		tx_refused(b, big, KR_EFORMAT, VM_WHY_ARGS_LEN);
		put32(b + 92, KR_VM_ARGS_MAX);
		tx_refused(b, big, KR_EFORMAT, VM_WHY_TRAILING);
		struct vm_tx ok;
		assert_int_equal(vm_tx_decode(b, big - 1, &ok, NULL), KR_OK);
		free(b);
	}
	/* Methods that are not identifiers. */
	static const char *const names[] = { "1abc", "a-b", "a b", "\xff", "a\0b", "caf\xc3\xa9" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t ml = i == 4 ? 3 : strlen(names[i]);

		memcpy(bad, buf, 96);
		bad[88] = (uint8_t)ml;
		put32(bad + 92, 0);
		memcpy(bad + 96, names[i], ml);
		tx_refused(bad, 96 + ml, KR_EFORMAT, VM_WHY_METHOD);
	}
}

static void test_tx_encode_refusals(void **state)
{
	uint8_t from[32] = { 0 }, to[32] = { 0 }, buf[256], before[256];
	struct vm_tx tx = { .from = from, .to = to, .method = "m", .method_len = 1 };
	size_t n = 99;

	(void)state;
	memset(buf, 0xEE, sizeof(buf));
	memcpy(before, buf, sizeof(buf));
	assert_int_equal(vm_tx_encode(NULL, 256, &tx, &n), KR_EINVAL);
	assert_int_equal(vm_tx_encode(buf, 256, NULL, &n), KR_EINVAL);
	assert_int_equal(vm_tx_encode(buf, 256, &tx, NULL), KR_EINVAL);
	struct vm_tx t = tx;
	t.from = NULL;
	assert_int_equal(vm_tx_encode(buf, 256, &t, &n), KR_EINVAL);
	t = tx;
	t.args_len = 1;
	assert_int_equal(vm_tx_encode(buf, 256, &t, &n), KR_EINVAL);
	t = tx;
	t.method_len = 0;
	assert_int_equal(vm_tx_encode(buf, 256, &t, &n), KR_EINVAL);
	assert_int_equal(vm_tx_size(&t), 0);
	t.method = "9lives";
	t.method_len = 6;
	assert_int_equal(vm_tx_encode(buf, 256, &t, &n), KR_EINVAL);
	t.method = "abcdefghijklmnopqrstuvwxyzabcdefgh";
	t.method_len = 32;
	assert_int_equal(vm_tx_encode(buf, 256, &t, &n), KR_ERANGE);
	t = tx;
	t.args = buf;
	t.args_len = KR_VM_ARGS_MAX + 1;
	assert_int_equal(vm_tx_encode(buf, 256, &t, &n), KR_ERANGE);
	for (size_t cap = 0; cap < 97; cap++)
		assert_int_equal(vm_tx_encode(buf, cap, &tx, &n), KR_ENOSPC);
	assert_memory_equal(buf, before, sizeof(buf));
	assert_int_equal(n, 99);
	assert_int_equal(vm_tx_encode(buf, 97, &tx, &n), KR_OK);
	assert_int_equal(n, 97);
}

/* ---- blocks ---- */

static void test_block_roundtrip(void **state)
{
	enum { MAXTX = 40 };
	struct txbuf t[MAXTX];
	struct vm_tx txs[MAXTX];
	uint8_t leader[32], root[32];
	static uint8_t buf[88 + MAXTX * (96 + 31 + 200)];

	(void)state;
	memset(t, 0, sizeof(t));
	rng_state = 12345;
	for (int round = 0; round < 300; round++) {
		uint32_t n = (uint32_t)(round < 3 ? (uint32_t)round : rnd() % (MAXTX + 1));
		struct vm_block in = { .slot = rnd(), .leader = leader, .parent_state_root = root };
		struct vm_block b;
		struct vm_block_iter it;
		struct vm_tx v;
		size_t len;
		uint8_t h[32], want[32];

		rnd_bytes(leader, 32);
		rnd_bytes(root, 32);
		for (uint32_t i = 0; i < n; i++) {
			rnd_tx(&t[i], 200);
			txs[i] = t[i].tx;
		}
		assert_int_equal(vm_block_encode(buf, sizeof(buf), &in, txs, n, &len), KR_OK);
		uint8_t *e = exact(buf, len);
		assert_int_equal(vm_block_decode(e, len, &b, NULL), KR_OK);
		assert_true(b.slot == in.slot);
		assert_memory_equal(b.leader, leader, 32);
		assert_memory_equal(b.parent_state_root, root, 32);
		assert_int_equal(b.tx_count, n);
		assert_int_equal(b.body_len, len - 88);
		assert_ptr_equal(b.body, e + 88);
		assert_int_equal(b.size, len);
		vm_block_iter_init(&it, &b);
		size_t off = 88;
		for (uint32_t i = 0; i < n; i++) {
			assert_true(vm_block_next(&it, &v));
			same_tx(&txs[i], &v);
			assert_ptr_equal(v.raw, e + off);  /* in place, no copy */
			off += v.size;
		}
		assert_false(vm_block_next(&it, &v));
		assert_int_equal(off, len);
		assert_int_equal(vm_block_hash(&b, h), KR_OK);
		b2(want, e, len);
		assert_memory_equal(h, want, 32);
		free(e);
	}
	for (int i = 0; i < MAXTX; i++)
		free(t[i].args);
}

static void block_refused(const uint8_t *buf, size_t len, kr_err_t err, const char *why)
{
	struct vm_block *out_ = NULL;
	uint8_t *e = exact(buf, len);

	(void)out_;
	REFUSED(vm_block_decode, e, len, err, why);
	free(e);
}

static size_t small_block(uint8_t *buf, size_t cap, uint32_t n)
{
	uint8_t a[32] = { 3 }, r[32] = { 4 };
	struct vm_block in = { .slot = 7, .leader = a, .parent_state_root = r };
	struct vm_tx txs[3];
	size_t len;

	for (int i = 0; i < 3; i++)
		txs[i] = (struct vm_tx){ .from = a, .to = r, .method = "inc", .method_len = 3,
					 .args = (const uint8_t *)"xy", .args_len = (uint32_t)i,
					 .nonce = (uint64_t)i };
	assert_int_equal(vm_block_encode(buf, cap, &in, txs, n, &len), KR_OK);
	return len;
}

static void test_block_refusals(void **state)
{
	uint8_t buf[1024], bad[1024];
	struct vm_block b;
	const char *why = NULL;
	size_t n;

	(void)state;
	n = small_block(buf, sizeof(buf), 3);
	assert_int_equal(n, 88 + 3 * 99 + 0 + 1 + 2);
	assert_int_equal(vm_block_decode(buf, n, &b, NULL), KR_OK);
	assert_int_equal(vm_block_decode(NULL, n, &b, &why), KR_EINVAL);
	assert_string_equal(why, VM_WHY_ARGS);
	/* Every cut: the header or the body is short. */
	for (size_t cut = 0; cut < n; cut++)
		block_refused(buf, cut, KR_ETRUNC, VM_WHY_SHORT);
	block_refused(buf, n + 1, KR_EFORMAT, VM_WHY_TRAILING);
	/* Header fields. */
	for (int byte = 0; byte < 4; byte++) {
		memcpy(bad, buf, n);
		bad[byte] ^= 0x20;
		block_refused(bad, n, KR_EFORMAT, VM_WHY_MAGIC);
	}
	static const uint16_t versions[] = { 0, 2, 0x100, 0xFFFF };
	for (size_t i = 0; i < 4; i++) {
		memcpy(bad, buf, n);
		bad[4] = (uint8_t)versions[i];
		bad[5] = (uint8_t)(versions[i] >> 8);
		block_refused(bad, n, KR_EFORMAT, VM_WHY_VERSION);
	}
	for (int bit = 0; bit < 16; bit++) {
		memcpy(bad, buf, n);
		bad[6 + bit / 8] = (uint8_t)(1u << (bit % 8));
		block_refused(bad, n, KR_EFORMAT, VM_WHY_FLAGS);
	}
	memcpy(bad, buf, n);
	put32(bad + 80, KR_VM_BLOCK_TX_MAX + 1);
	block_refused(bad, n, KR_EFORMAT, VM_WHY_TX_COUNT);
	put32(bad + 80, UINT32_MAX);
	block_refused(bad, n, KR_EFORMAT, VM_WHY_TX_COUNT);
	memcpy(bad, buf, n);
	put32(bad + 84, KR_VM_BLOCK_BODY_MAX + 1);
	block_refused(bad, n, KR_EFORMAT, VM_WHY_BODY_LEN);
	/* Count mismatches: more or fewer transactions than the body holds. */
	for (uint32_t c = 0; c < 8; c++) {
		if (c == 3)
			continue;
		memcpy(bad, buf, n);
		put32(bad + 80, c);
		block_refused(bad, n, KR_EFORMAT, VM_WHY_COUNT);
	}
	/* A body_len that cuts the last transaction, with the bytes cut. */
	memcpy(bad, buf, n);
	put32(bad + 84, (uint32_t)(n - 88 - 1));
	block_refused(bad, n - 1, KR_EFORMAT, VM_WHY_COUNT);
	/* A bad transaction inside keeps its own reason. */
	memcpy(bad, buf, n);
	bad[88 + 99 + 88] = 0;          /* the second's method_len */
	block_refused(bad, n, KR_EFORMAT, VM_WHY_METHOD_LEN);
	memcpy(bad, buf, n);
	bad[88 + 96] = '-';             /* the first's method */
	block_refused(bad, n, KR_EFORMAT, VM_WHY_METHOD);
	/* An empty block. */
	n = small_block(buf, sizeof(buf), 0);
	assert_int_equal(n, 88);
	assert_int_equal(vm_block_decode(buf, n, &b, NULL), KR_OK);
	assert_int_equal(b.tx_count, 0);
}

static void test_block_encode_refusals(void **state)
{
	uint8_t a[32] = { 0 }, buf[512], before[512];
	struct vm_block in = { .leader = a, .parent_state_root = a };
	struct vm_tx tx = { .from = a, .to = a, .method = "m", .method_len = 1 };
	struct vm_tx bad = tx;
	size_t n = 5;

	(void)state;
	memset(buf, 0xEE, sizeof(buf));
	memcpy(before, buf, sizeof(buf));
	assert_int_equal(vm_block_encode(NULL, 512, &in, &tx, 1, &n), KR_EINVAL);
	assert_int_equal(vm_block_encode(buf, 512, NULL, &tx, 1, &n), KR_EINVAL);
	assert_int_equal(vm_block_encode(buf, 512, &in, NULL, 1, &n), KR_EINVAL);
	assert_int_equal(vm_block_encode(buf, 512, &in, &tx, KR_VM_BLOCK_TX_MAX + 1, &n),
			 KR_ERANGE);
	bad.method = "-";
	struct vm_tx two[2] = { tx, bad };
	assert_int_equal(vm_block_encode(buf, 512, &in, two, 2, &n), KR_EINVAL);
	for (size_t cap = 0; cap < 88 + 97; cap++)
		assert_int_equal(vm_block_encode(buf, cap, &in, &tx, 1, &n), KR_ENOSPC);
	assert_memory_equal(buf, before, sizeof(buf));
	assert_int_equal(n, 5);
	assert_int_equal(vm_block_encode(buf, 88 + 97, &in, &tx, 1, &n), KR_OK);
}

/* ---- receipts ---- */

struct rbuf {
	struct vm_log logs[KR_VM_LOGS_MAX];
	uint8_t addr[KR_VM_LOGS_MAX][32];
	uint8_t topics[KR_VM_LOGS_MAX][4 * 32];
	uint8_t data[KR_VM_LOGS_MAX][KR_VM_LOG_DATA_MAX];
	uint8_t ret[KR_VM_RET_MAX];
	struct vm_receipt r;
};

static void rnd_receipt(struct rbuf *b, unsigned big)
{
	memset(&b->r, 0, sizeof(b->r));
	b->r.status = (uint8_t)(rnd() % (KR_VM_STATUS_MAX + 1));
	b->r.gas_used = b->r.status == KR_VM_REFUSED ? 0 : rnd() >> (rnd() % 64);
	b->r.ret_len = (uint32_t)(rnd() % (big ? KR_VM_RET_MAX + 1 : 64));
	rnd_bytes(b->ret, b->r.ret_len);
	b->r.ret = b->ret;
	b->r.log_count = b->r.status == KR_VM_OK ?
			 (uint16_t)(rnd() % (big ? KR_VM_LOGS_MAX + 1 : 6)) : 0;
	for (uint16_t i = 0; i < b->r.log_count; i++) {
		struct vm_log *l = &b->logs[i];

		rnd_bytes(b->addr[i], 32);
		l->address = b->addr[i];
		l->topic_count = (uint8_t)(rnd() % (KR_VM_LOG_TOPICS_MAX + 1));
		rnd_bytes(b->topics[i], l->topic_count * 32u);
		l->topics = b->topics[i];
		l->data_len = (uint32_t)(rnd() % (big ? KR_VM_LOG_DATA_MAX + 1 : 50));
		rnd_bytes(b->data[i], l->data_len);
		l->data = b->data[i];
	}
	b->r.logs = b->logs;
}

static void test_receipt_roundtrip(void **state)
{
	static struct rbuf rb;
	static uint8_t buf[KR_VM_RECEIPT_MAX];

	(void)state;
	assert_int_equal(sizeof(buf), 24 + 4096 + 64 * (40 + 128 + 1024));
	rng_state = 777;
	for (int round = 0; round < 1500; round++) {
		struct vm_receipt r;
		struct vm_log_iter it;
		struct vm_log l;
		size_t n;
		uint8_t h[32], want[32];

		rnd_receipt(&rb, round % 50 == 0);
		if (round == 1) {       /* everything at its maximum */
			rb.r.status = KR_VM_OK;
			rb.r.ret_len = KR_VM_RET_MAX;
			rb.r.log_count = KR_VM_LOGS_MAX;
			for (int i = 0; i < KR_VM_LOGS_MAX; i++) {
				rb.logs[i].address = rb.addr[i];
				rb.logs[i].topics = rb.topics[i];
				rb.logs[i].data = rb.data[i];
				rb.logs[i].topic_count = KR_VM_LOG_TOPICS_MAX;
				rb.logs[i].data_len = KR_VM_LOG_DATA_MAX;
			}
		}
		assert_int_equal(vm_receipt_encode(buf, sizeof(buf), &rb.r, &n), KR_OK);
		assert_int_equal(n, vm_receipt_size(&rb.r));
		if (round == 1)
			assert_int_equal(n, KR_VM_RECEIPT_MAX);
		uint8_t *e = exact(buf, n);
		assert_int_equal(vm_receipt_decode(e, n, &r, NULL), KR_OK);
		assert_int_equal(r.status, rb.r.status);
		assert_true(r.gas_used == rb.r.gas_used);
		assert_int_equal(r.ret_len, rb.r.ret_len);
		assert_memory_equal(r.ret, rb.ret, r.ret_len);
		assert_int_equal(r.log_count, rb.r.log_count);
		vm_receipt_log_iter_init(&it, &r);
		for (uint16_t i = 0; i < r.log_count; i++) {
			assert_true(vm_receipt_log_next(&it, &l));
			assert_memory_equal(l.address, rb.logs[i].address, 32);
			assert_int_equal(l.topic_count, rb.logs[i].topic_count);
			assert_memory_equal(l.topics, rb.logs[i].topics, l.topic_count * 32u);
			assert_int_equal(l.data_len, rb.logs[i].data_len);
			assert_memory_equal(l.data, rb.logs[i].data, l.data_len);
			rb.logs[i] = l; /* re-encode from the views below */
		}
		assert_false(vm_receipt_log_next(&it, &l));
		assert_int_equal(vm_receipt_hash(&r, h), KR_OK);
		b2(want, e, n);
		assert_memory_equal(h, want, 32);
		/* The views encode back to the same bytes. */
		r.logs = rb.logs;
		size_t m;
		assert_int_equal(vm_receipt_encode(buf, sizeof(buf), &r, &m), KR_OK);
		assert_int_equal(m, n);
		assert_memory_equal(buf, e, n);
		free(e);
	}
}

static void receipt_refused(const uint8_t *buf, size_t len, kr_err_t err, const char *why)
{
	struct vm_receipt *out_ = NULL;
	uint8_t *e = exact(buf, len);

	(void)out_;
	REFUSED(vm_receipt_decode, e, len, err, why);
	free(e);
}

static void test_receipt_refusals(void **state)
{
	static uint8_t buf[2048], bad[2048];
	uint8_t addr[32] = { 9 }, topics[64] = { 1, 2 };
	struct vm_log logs[2] = {
		{ .address = addr, .topic_count = 2, .topics = topics,
		  .data = (const uint8_t *)"data", .data_len = 4 },
		{ .address = addr },
	};
	struct vm_receipt in = { .status = KR_VM_OK, .gas_used = 1000,
				 .ret = (const uint8_t *)"ok", .ret_len = 2,
				 .log_count = 2, .logs = logs };
	size_t n, m;
	const size_t log0 = 24 + 2, log1 = log0 + 40 + 64 + 4;

	(void)state;
	assert_int_equal(vm_receipt_encode(buf, sizeof(buf), &in, &n), KR_OK);
	assert_int_equal(n, log1 + 40);
	for (size_t cut = 0; cut < n; cut++)
		receipt_refused(buf, cut, KR_ETRUNC, VM_WHY_SHORT);
	receipt_refused(buf, n + 1, KR_EFORMAT, VM_WHY_TRAILING);
	memcpy(bad, buf, n);
	bad[3] = 0;
	receipt_refused(bad, n, KR_EFORMAT, VM_WHY_MAGIC);
	memcpy(bad, buf, n);
	bad[4] = 2;
	receipt_refused(bad, n, KR_EFORMAT, VM_WHY_VERSION);
	for (unsigned s = KR_VM_STATUS_MAX + 1; s < 256; s++) {
		memcpy(bad, buf, n);
		bad[6] = (uint8_t)s;
		receipt_refused(bad, n, KR_EFORMAT, VM_WHY_STATUS);
	}
	static const int reserved[] = { 7, 22, 23, (int)log0 + 33, (int)log0 + 34,
					(int)log0 + 35, (int)log1 + 33 };
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		memcpy(bad, buf, n);
		bad[reserved[i]] = 1;
		receipt_refused(bad, n, KR_EFORMAT, VM_WHY_RESERVED);
	}
	memcpy(bad, buf, n);
	put32(bad + 16, KR_VM_RET_MAX + 1);
	receipt_refused(bad, sizeof(bad), KR_EFORMAT, VM_WHY_RET_LEN);
	memcpy(bad, buf, n);
	bad[20] = KR_VM_LOGS_MAX + 1;
	receipt_refused(bad, n, KR_EFORMAT, VM_WHY_LOG_COUNT);
	/* Logs under another status than ok; gas charged for a refusal. */
	for (uint8_t s = 1; s <= KR_VM_STATUS_MAX; s++) {
		memcpy(bad, buf, n);
		bad[6] = s;
		receipt_refused(bad, n, KR_EFORMAT, VM_WHY_LOGS_STATUS);
	}
	struct vm_receipt refused = { .status = KR_VM_REFUSED, .gas_used = 0,
				      .ret = (const uint8_t *)"nonce", .ret_len = 5 };
	assert_int_equal(vm_receipt_encode(bad, sizeof(bad), &refused, &m), KR_OK);
	struct vm_receipt r;
	assert_int_equal(vm_receipt_decode(bad, m, &r, NULL), KR_OK);
	bad[8] = 1;
	receipt_refused(bad, m, KR_EFORMAT, VM_WHY_REFUSED_GAS);
	/* Log fields. */
	memcpy(bad, buf, n);
	bad[log0 + 32] = KR_VM_LOG_TOPICS_MAX + 1;
	receipt_refused(bad, n, KR_EFORMAT, VM_WHY_TOPICS);
	memcpy(bad, buf, n);
	put32(bad + log1 + 36, KR_VM_LOG_DATA_MAX + 1);
	receipt_refused(bad, sizeof(bad), KR_EFORMAT, VM_WHY_DATA_LEN);
	/* One log fewer than the count says: the bytes run out. */
	memcpy(bad, buf, n);
	bad[20] = 3;
	receipt_refused(bad, n, KR_ETRUNC, VM_WHY_SHORT);
	bad[20] = 1;
	receipt_refused(bad, n, KR_EFORMAT, VM_WHY_TRAILING);
}

static void test_receipt_encode_refusals(void **state)
{
	uint8_t buf[256], before[256];
	struct vm_log log = { .address = NULL };
	struct vm_receipt r = { .status = KR_VM_OK };
	size_t n = 3;

	(void)state;
	memset(buf, 0xEE, sizeof(buf));
	memcpy(before, buf, sizeof(buf));
	assert_int_equal(vm_receipt_encode(NULL, 256, &r, &n), KR_EINVAL);
	r.status = KR_VM_STATUS_MAX + 1;
	assert_int_equal(vm_receipt_encode(buf, 256, &r, &n), KR_EINVAL);
	r.status = KR_VM_REFUSED;
	r.gas_used = 1;
	assert_int_equal(vm_receipt_encode(buf, 256, &r, &n), KR_EINVAL);
	r = (struct vm_receipt){ .status = KR_VM_REVERT, .log_count = 1, .logs = &log };
	assert_int_equal(vm_receipt_encode(buf, 256, &r, &n), KR_EINVAL);
	r.status = KR_VM_OK;
	assert_int_equal(vm_receipt_encode(buf, 256, &r, &n), KR_EINVAL);      /* NULL address */
	log.address = buf;
	log.topics = buf;
	log.topic_count = 5;
	assert_int_equal(vm_receipt_encode(buf, 256, &r, &n), KR_ERANGE);
	r = (struct vm_receipt){ .status = KR_VM_OK, .ret = buf, .ret_len = KR_VM_RET_MAX + 1 };
	assert_int_equal(vm_receipt_encode(buf, 256, &r, &n), KR_ERANGE);
	r.ret_len = 10;
	for (size_t cap = 0; cap < 34; cap++)
		assert_int_equal(vm_receipt_encode(buf, cap, &r, &n), KR_ENOSPC);
	assert_memory_equal(buf, before, sizeof(buf));
	assert_int_equal(n, 3);
}

/* ---- receipts root ---- */

/* The definition, level by level: pairs hashed, an odd last one moved up. */
static void naive_root(uint8_t (*h)[32], size_t n, uint8_t out[32])
{
	uint8_t (*lvl)[32] = malloc((n ? n : 1) * 32);

	memcpy(lvl, h, n * 32);
	if (n == 0) {
		memset(out, 0, 32);
		free(lvl);
		return;
	}
	while (n > 1) {
		size_t m = 0;

		for (size_t i = 0; i < n; i += 2) {
			if (i + 1 == n) {
				memmove(lvl[m++], lvl[i], 32);
			} else {
				uint8_t in[65];

				in[0] = 0x01;
				memcpy(in + 1, lvl[i], 32);
				memcpy(in + 33, lvl[i + 1], 32);
				b2(lvl[m++], in, 65);
			}
		}
		n = m;
	}
	memcpy(out, lvl[0], 32);
	free(lvl);
}

static void test_receipts_root(void **state)
{
	uint8_t (*h)[32] = malloc(300 * 32);
	uint8_t a[32], b[32];

	(void)state;
	rng_state = 4242;
	for (size_t n = 0; n < 300; n += (n < 70 ? 1 : 37)) {
		rnd_bytes(h[0], n * 32);
		vm_receipts_root((const uint8_t (*)[32])h, n, a);
		naive_root(h, n, b);
		assert_memory_equal(a, b, 32);
	}
	/* One leaf is its own root; none is zero. */
	vm_receipts_root((const uint8_t (*)[32])h, 1, a);
	assert_memory_equal(a, h[0], 32);
	vm_receipts_root(NULL, 0, a);
	memset(b, 0, 32);
	assert_memory_equal(a, b, 32);
	/* Order matters. */
	vm_receipts_root((const uint8_t (*)[32])h, 2, a);
	memcpy(b, h[0], 32);
	memcpy(h[0], h[1], 32);
	memcpy(h[1], b, 32);
	vm_receipts_root((const uint8_t (*)[32])h, 2, b);
	assert_memory_not_equal(a, b, 32);
	free(h);
}

static void test_address(void **state)
{
	uint8_t dep[32], code[32], a[32], want[32], in[14 + 64 + 8];

	(void)state;
	for (int i = 0; i < 32; i++) {
		dep[i] = (uint8_t)i;
		code[i] = (uint8_t)(0xF0 ^ i);
	}
	vm_contract_address(dep, code, 0x0102030405060708ull, a);
	memcpy(in, "karyon-vm-addr", 14);
	memcpy(in + 14, dep, 32);
	memcpy(in + 46, code, 32);
	for (int i = 0; i < 8; i++)
		in[78 + i] = (uint8_t)(8 - i);
	b2(want, in, sizeof(in));
	assert_memory_equal(a, want, 32);
	vm_contract_address(dep, code, 0x0102030405060709ull, want);
	assert_memory_not_equal(a, want, 32);
}

/* ---- golden files ---- */

static const char golden_source[] =
	"#include <liba.h>\n"
	"LIBA_METHOD(inc) { liba_counter_add(1); return 0; }\n";

/* The golden block: a deploy, a call with arguments, a call without. */
static size_t golden_block(uint8_t *out, size_t cap)
{
	static uint8_t alice[32], bob[32], leader[32], root[32], counter[32];
	uint8_t code[32];
	size_t n;

	for (int i = 0; i < 32; i++) {
		alice[i] = (uint8_t)(0xA0 + i);
		bob[i] = (uint8_t)(0xB0 + i);
		leader[i] = (uint8_t)(0x10 + i);
		root[i] = (uint8_t)(0x70 ^ i);
	}
	b2(code, golden_source, sizeof(golden_source) - 1);
	vm_contract_address(alice, code, 0, counter);
	static const uint8_t zero[32];
	struct vm_tx txs[3] = {
		{ .from = alice, .to = zero, .nonce = 0, .value = 0, .gas_limit = 5000000,
		  .method = "counter", .method_len = 7, .args = (const uint8_t *)golden_source,
		  .args_len = sizeof(golden_source) - 1 },
		{ .from = bob, .to = counter, .nonce = 0, .value = 1000, .gas_limit = 100000,
		  .method = "add", .method_len = 3, .args = (const uint8_t *)"\x2a\0\0\0\0\0\0\0",
		  .args_len = 8 },
		{ .from = alice, .to = counter, .nonce = 1, .value = 0, .gas_limit = UINT64_MAX,
		  .method = "get_value_for_the_owner_of_it", .method_len = 29 },
	};
	struct vm_block b = { .slot = 0x0123456789ABCDEFull, .leader = leader,
			      .parent_state_root = root };
	if (vm_block_encode(out, cap, &b, txs, 3, &n) != KR_OK)
		return 0;
	return n;
}

static size_t golden_receipt(uint8_t *out, size_t cap)
{
	uint8_t counter[32], topics[3 * 32];
	size_t n;

	for (int i = 0; i < 32; i++)
		counter[i] = (uint8_t)(0xC0 + i);
	for (int i = 0; i < 96; i++)
		topics[i] = (uint8_t)(i * 7);
	struct vm_log logs[2] = {
		{ .address = counter, .topic_count = 3, .topics = topics,
		  .data = (const uint8_t *)"\x2b\0\0\0\0\0\0\0", .data_len = 8 },
		{ .address = counter, .topic_count = 0, .data = (const uint8_t *)"hello",
		  .data_len = 5 },
	};
	struct vm_receipt r = { .status = KR_VM_OK, .gas_used = 21337,
				.ret = (const uint8_t *)"\x2b\0\0\0\0\0\0\0", .ret_len = 8,
				.log_count = 2, .logs = logs };
	if (vm_receipt_encode(out, cap, &r, &n) != KR_OK)
		return 0;
	return n;
}

static void hex(char *out, const uint8_t *h)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

/* The lines of the .txt files: name=hex, one per hash. */
static size_t golden_text(char *out, size_t cap, const uint8_t *blk, size_t bn,
			  const uint8_t *rcp, size_t rn, int which)
{
	struct vm_block b;
	struct vm_receipt r;
	struct vm_block_iter it;
	struct vm_tx tx;
	char hx[65];
	uint8_t h[32], code[32], addr[32], hs[3][32];
	size_t off = 0;
	int i = 0;

	if (which == 0) {
		if (vm_block_decode(blk, bn, &b, NULL) != KR_OK)
			return 0;
		vm_block_hash(&b, h);
		hex(hx, h);
		off += (size_t)snprintf(out + off, cap - off, "block_hash=%s\n", hx);
		vm_block_iter_init(&it, &b);
		while (vm_block_next(&it, &tx)) {
			vm_tx_hash(&tx, h);
			hex(hx, h);
			off += (size_t)snprintf(out + off, cap - off, "tx%d_hash=%s\n", i++, hx);
		}
		vm_block_iter_init(&it, &b);
		vm_block_next(&it, &tx);
		kr_blake2b_256(code, tx.args, tx.args_len);
		vm_contract_address(tx.from, code, tx.nonce, addr);
		hex(hx, addr);
		off += (size_t)snprintf(out + off, cap - off, "tx0_contract_address=%s\n", hx);
	} else {
		if (vm_receipt_decode(rcp, rn, &r, NULL) != KR_OK)
			return 0;
		vm_receipt_hash(&r, h);
		hex(hx, h);
		off += (size_t)snprintf(out + off, cap - off, "receipt_hash=%s\n", hx);
		for (int k = 0; k < 3; k++)
			memcpy(hs[k], h, 32);
		vm_receipts_root((const uint8_t (*)[32])hs, 2, h);
		hex(hx, h);
		off += (size_t)snprintf(out + off, cap - off, "receipts_root_x2=%s\n", hx);
		vm_receipts_root((const uint8_t (*)[32])hs, 3, h);
		hex(hx, h);
		off += (size_t)snprintf(out + off, cap - off, "receipts_root_x3=%s\n", hx);
	}
	return off;
}

static size_t slurp(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void test_golden(void **state)
{
	static uint8_t blk[4096], rcp[1024], file[4096];
	static char text[2048];
	size_t bn, rn, n;

	(void)state;
	bn = golden_block(blk, sizeof(blk));
	rn = golden_receipt(rcp, sizeof(rcp));
	assert_int_not_equal(bn, 0);
	assert_int_not_equal(rn, 0);
	n = slurp("vm_block.bin", file, sizeof(file));
	assert_int_equal(n, bn);
	assert_memory_equal(file, blk, n);
	n = slurp("vm_receipt.bin", file, sizeof(file));
	assert_int_equal(n, rn);
	assert_memory_equal(file, rcp, n);
	for (int which = 0; which < 2; which++) {
		n = golden_text(text, sizeof(text), blk, bn, rcp, rn, which);
		assert_int_not_equal(n, 0);
		size_t fn = slurp(which ? "vm_receipt.txt" : "vm_block.txt", file, sizeof(file));
		assert_int_equal(fn, n);
		assert_memory_equal(file, text, n);
	}
}

/* The results of a block as the vm module keeps them (N.res). */
static void golden_result(uint8_t out[VM_RESULT_SIZE])
{
	struct kr_vm_result r = { .height = 3, .slot = 9, .gas = 123456789, .txs = 1000,
				  .ok = 998 };

	for (int i = 0; i < KR_VM_HASH_LEN; i++) {
		r.block_hash[i] = (uint8_t)(0x10 + i);
		r.state_root[i] = (uint8_t)(0x40 + i);
		r.receipts_root[i] = (uint8_t)(0x80 + i);
	}
	vm_result_encode(out, &r);
}

static void test_result(void **state)
{
	uint8_t enc[VM_RESULT_SIZE], file[512], again[VM_RESULT_SIZE];
	struct kr_vm_result r;
	const char *why;
	size_t n;

	(void)state;
	golden_result(enc);
	n = slurp("vm_result.bin", file, sizeof(file));
	assert_int_equal(n, VM_RESULT_SIZE);
	assert_memory_equal(file, enc, n);
	assert_int_equal(vm_result_decode(enc, sizeof(enc), &r, &why), KR_OK);
	assert_int_equal(r.height, 3);
	assert_int_equal(r.gas, 123456789);
	assert_int_equal(r.ok, 998);
	assert_int_equal(r.state_root[0], 0x40);
	vm_result_encode(again, &r);
	assert_memory_equal(again, enc, sizeof(enc));
	assert_int_equal(vm_result_decode(enc, sizeof(enc) - 1, &r, &why), KR_ETRUNC);
	assert_int_equal(vm_result_decode(file, sizeof(enc) + 1, &r, &why), KR_EFORMAT);
	for (int at = 0; at < 8; at++) {
		enc[at] ^= 1;
		assert_int_equal(vm_result_decode(enc, sizeof(enc), &r, &why), KR_EFORMAT);
		assert_non_null(why);
		enc[at] ^= 1;
	}
}

static int write_golden(const char *dir)
{
	static uint8_t blk[4096], rcp[1024];
	static char text[2048];
	static const char *const names[4] = { "vm_block.bin", "vm_receipt.bin", "vm_block.txt",
					      "vm_receipt.txt" };
	size_t bn = golden_block(blk, sizeof(blk)), rn = golden_receipt(rcp, sizeof(rcp));

	{
		uint8_t res[VM_RESULT_SIZE];
		char path[512];
		FILE *f;

		golden_result(res);
		snprintf(path, sizeof(path), "%s/vm_result.bin", dir);
		f = fopen(path, "wb");
		if (!f || fwrite(res, 1, sizeof(res), f) != sizeof(res) || fclose(f)) {
			fprintf(stderr, "test_vm_codec: cannot write %s\n", path);
			return 1;
		}
	}
	for (int i = 0; i < 4; i++) {
		char path[512];
		const void *p = i == 0 ? (const void *)blk : i == 1 ? (const void *)rcp : text;
		size_t n = i == 0 ? bn : i == 1 ? rn :
			   golden_text(text, sizeof(text), blk, bn, rcp, rn, i - 2);
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "wb");
		if (!n || !f || fwrite(p, 1, n, f) != n || fclose(f)) {
			fprintf(stderr, "test_vm_codec: cannot write %s\n", path);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-golden"))
		return write_golden(argv[2]);
	if (argc > 1)
		golden_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_bytes),
		cmocka_unit_test(test_tx_roundtrip),
		cmocka_unit_test(test_tx_refusals),
		cmocka_unit_test(test_tx_encode_refusals),
		cmocka_unit_test(test_block_roundtrip),
		cmocka_unit_test(test_block_refusals),
		cmocka_unit_test(test_block_encode_refusals),
		cmocka_unit_test(test_receipt_roundtrip),
		cmocka_unit_test(test_receipt_refusals),
		cmocka_unit_test(test_receipt_encode_refusals),
		cmocka_unit_test(test_receipts_root),
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
