/*
 * codec.c - the contract VM's codec: transactions, blocks, receipts and a
 * block's kept results (/var/vm/blocks/N.res) (karyon/vm.h) to bytes and
 * back, and the hashes over them: the receipts root, contract addresses.
 *
 * Three layers, bottom up: the little-endian field helpers; a parser per
 * thing (tx_parse, log_parse) that checks one encoding at the start of a
 * buffer and says how long it is; the public decoders, which run the
 * parsers over everything first and only then fill in a view (a block's
 * transactions and a receipt's logs are walked twice: checked whole, then
 * handed out one by one by the iterators, in place).  Fields are read and
 * written byte by byte, so nothing depends on the host's endianness or
 * alignment.
 */
#include <karyon/hash.h>
#include <karyon/libc.h>

#include "codec.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static kr_err_t refuse(const char **why, const char *what, kr_err_t err)
{
	if (why)
		*why = what;
	return err;
}

/* [A-Za-z_][A-Za-z0-9_]*: a C identifier, as LIBA_METHOD names are. */
static bool is_ident(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

		if (!alpha && (i == 0 || c < '0' || c > '9'))
			return false;
	}
	return n > 0;
}

/* ---- Transactions ---- */

size_t vm_tx_size(const struct vm_tx *tx)
{
	if (!tx || tx->method_len == 0 || tx->method_len > KR_VM_METHOD_MAX ||
	    tx->args_len > KR_VM_ARGS_MAX)
		return 0;
	return KR_VM_TX_HDR_SIZE + (size_t)tx->method_len + tx->args_len;
}

kr_err_t vm_tx_encode(void *buf, size_t cap, const struct vm_tx *tx, size_t *out_len)
{
	uint8_t *b = buf;
	size_t size;

	if (!buf || !tx || !out_len || !tx->from || !tx->to || !tx->method ||
	    (!tx->args && tx->args_len))
		return KR_EINVAL;
	if (tx->method_len > KR_VM_METHOD_MAX || tx->args_len > KR_VM_ARGS_MAX)
		return KR_ERANGE;
	if (!is_ident(tx->method, tx->method_len))
		return KR_EINVAL;
	size = vm_tx_size(tx);
	if (cap < size)
		return KR_ENOSPC;
	/* Variable parts first, with memmove: they may already lie in buf. */
	if (tx->args_len)
		memmove(b + KR_VM_TX_HDR_SIZE + tx->method_len, tx->args, tx->args_len);
	memmove(b + KR_VM_TX_HDR_SIZE, tx->method, tx->method_len);
	memmove(b, tx->from, KR_VM_ADDR_LEN);
	memmove(b + 32, tx->to, KR_VM_ADDR_LEN);
	put64(b + 64, tx->nonce);
	put64(b + 72, tx->value);
	put64(b + 80, tx->gas_limit);
	b[88] = tx->method_len;
	b[89] = b[90] = b[91] = 0;
	put32(b + 92, tx->args_len);
	*out_len = size;
	return KR_OK;
}

/* The transaction at the start of b's avail bytes (more may follow):
 * every check, and *size when they pass. */
static kr_err_t tx_parse(const uint8_t *b, size_t avail, size_t *size, const char **why)
{
	uint8_t mlen;
	uint32_t alen;

	if (avail < KR_VM_TX_HDR_SIZE)
		return refuse(why, VM_WHY_SHORT, KR_ETRUNC);
	mlen = b[88];
	alen = get32(b + 92);
	if (mlen == 0 || mlen > KR_VM_METHOD_MAX)
		return refuse(why, VM_WHY_METHOD_LEN, KR_EFORMAT);
	if (b[89] | b[90] | b[91])
		return refuse(why, VM_WHY_RESERVED, KR_EFORMAT);
	if (alen > KR_VM_ARGS_MAX)
		return refuse(why, VM_WHY_ARGS_LEN, KR_EFORMAT);
	if (avail - KR_VM_TX_HDR_SIZE < (size_t)mlen + alen)
		return refuse(why, VM_WHY_SHORT, KR_ETRUNC);
	if (!is_ident((const char *)b + KR_VM_TX_HDR_SIZE, mlen))
		return refuse(why, VM_WHY_METHOD, KR_EFORMAT);
	*size = KR_VM_TX_HDR_SIZE + (size_t)mlen + alen;
	return KR_OK;
}

/* The view of a transaction tx_parse accepted. */
static void tx_view(const uint8_t *b, size_t size, struct vm_tx *out)
{
	out->from = b;
	out->to = b + 32;
	out->nonce = get64(b + 64);
	out->value = get64(b + 72);
	out->gas_limit = get64(b + 80);
	out->method_len = b[88];
	out->method = (const char *)b + KR_VM_TX_HDR_SIZE;
	out->args_len = get32(b + 92);
	out->args = b + KR_VM_TX_HDR_SIZE + out->method_len;
	out->raw = b;
	out->size = size;
}

kr_err_t vm_tx_decode(const void *buf, size_t len, struct vm_tx *out, const char **why)
{
	size_t size;
	kr_err_t e;

	if (!buf || !out)
		return refuse(why, VM_WHY_ARGS, KR_EINVAL);
	if ((e = tx_parse(buf, len, &size, why)) != KR_OK)
		return e;
	if (size != len)
		return refuse(why, VM_WHY_TRAILING, KR_EFORMAT);
	tx_view(buf, size, out);
	return KR_OK;
}

kr_err_t vm_tx_hash(const struct vm_tx *tx, uint8_t out[KR_VM_HASH_LEN])
{
	if (!tx || !tx->raw)
		return KR_EINVAL;
	return kr_blake2b_256(out, tx->raw, tx->size);
}

/* ---- Blocks ---- */

kr_err_t vm_block_encode(void *buf, size_t cap, const struct vm_block *blk,
			 const struct vm_tx *txs, uint32_t n, size_t *out_len)
{
	uint8_t *b = buf;
	size_t body = 0, off, m;
	kr_err_t e;

	if (!buf || !blk || !out_len || !blk->leader || !blk->parent_state_root || (!txs && n))
		return KR_EINVAL;
	if (n > KR_VM_BLOCK_TX_MAX)
		return KR_ERANGE;
	/* Every transaction checked and measured before a byte is written. */
	for (uint32_t i = 0; i < n; i++) {
		const struct vm_tx *t = &txs[i];

		if (!t->from || !t->to || !t->method || (!t->args && t->args_len))
			return KR_EINVAL;
		if (t->method_len > KR_VM_METHOD_MAX || t->args_len > KR_VM_ARGS_MAX)
			return KR_ERANGE;
		if (!is_ident(t->method, t->method_len))
			return KR_EINVAL;
		body += vm_tx_size(t);
	}
	if (body > KR_VM_BLOCK_BODY_MAX)
		return KR_ERANGE;
	if (cap < KR_VM_BLOCK_HDR_SIZE + body)
		return KR_ENOSPC;
	put32(b, KR_VM_BLOCK_MAGIC);
	put16(b + 4, KR_VM_BLOCK_VERSION);
	put16(b + 6, 0);
	put64(b + 8, blk->slot);
	memcpy(b + 16, blk->leader, KR_VM_ADDR_LEN);
	memcpy(b + 48, blk->parent_state_root, KR_VM_HASH_LEN);
	put32(b + 80, n);
	put32(b + 84, (uint32_t)body);
	off = KR_VM_BLOCK_HDR_SIZE;
	for (uint32_t i = 0; i < n; i++) {
		/* Cannot fail: each was checked above, and the room too. */
		e = vm_tx_encode(b + off, cap - off, &txs[i], &m);
		if (e != KR_OK)
			return e;
		off += m;
	}
	*out_len = off;
	return KR_OK;
}

kr_err_t vm_block_decode(const void *buf, size_t len, struct vm_block *out, const char **why)
{
	const uint8_t *b = buf;
	uint32_t count, body;
	size_t off, size;
	kr_err_t e;

	if (!buf || !out)
		return refuse(why, VM_WHY_ARGS, KR_EINVAL);
	if (len < KR_VM_BLOCK_HDR_SIZE)
		return refuse(why, VM_WHY_SHORT, KR_ETRUNC);
	if (get32(b) != KR_VM_BLOCK_MAGIC)
		return refuse(why, VM_WHY_MAGIC, KR_EFORMAT);
	if (get16(b + 4) != KR_VM_BLOCK_VERSION)
		return refuse(why, VM_WHY_VERSION, KR_EFORMAT);
	if (get16(b + 6) & ~KR_VM_BLOCK_F_KNOWN)
		return refuse(why, VM_WHY_FLAGS, KR_EFORMAT);
	count = get32(b + 80);
	body = get32(b + 84);
	if (count > KR_VM_BLOCK_TX_MAX)
		return refuse(why, VM_WHY_TX_COUNT, KR_EFORMAT);
	if (body > KR_VM_BLOCK_BODY_MAX)
		return refuse(why, VM_WHY_BODY_LEN, KR_EFORMAT);
	if (len - KR_VM_BLOCK_HDR_SIZE < body)
		return refuse(why, VM_WHY_SHORT, KR_ETRUNC);
	if (len - KR_VM_BLOCK_HDR_SIZE > body)
		return refuse(why, VM_WHY_TRAILING, KR_EFORMAT);
	/* Every transaction, within the body: one cut short by the body's
	 * end, or a body with bytes after the last, disagrees with count. */
	off = KR_VM_BLOCK_HDR_SIZE;
	for (uint32_t i = 0; i < count; i++) {
		e = tx_parse(b + off, len - off, &size, why);
		if (e == KR_ETRUNC)
			return refuse(why, VM_WHY_COUNT, KR_EFORMAT);
		if (e != KR_OK)
			return e;
		off += size;
	}
	if (off != len)
		return refuse(why, VM_WHY_COUNT, KR_EFORMAT);
	out->slot = get64(b + 8);
	out->leader = b + 16;
	out->parent_state_root = b + 48;
	out->tx_count = count;
	out->body = b + KR_VM_BLOCK_HDR_SIZE;
	out->body_len = body;
	out->raw = b;
	out->size = len;
	return KR_OK;
}

void vm_block_iter_init(struct vm_block_iter *it, const struct vm_block *b)
{
	it->p = b->body;
	it->left = b->body_len;
	it->count = b->tx_count;
}

bool vm_block_next(struct vm_block_iter *it, struct vm_tx *tx)
{
	size_t size;

	/* Parsed again (cheap: a few comparisons), so that a view that did
	 * not come from vm_block_decode still cannot lead past its bytes. */
	if (!it->count || tx_parse(it->p, it->left, &size, NULL) != KR_OK)
		return false;
	tx_view(it->p, size, tx);
	it->p += size;
	it->left -= size;
	it->count--;
	return true;
}

kr_err_t vm_block_hash(const struct vm_block *b, uint8_t out[KR_VM_HASH_LEN])
{
	if (!b || !b->raw)
		return KR_EINVAL;
	return kr_blake2b_256(out, b->raw, b->size);
}

/* ---- Receipts ---- */

static size_t log_size(const struct vm_log *l)
{
	return KR_VM_LOG_HDR_SIZE + (size_t)l->topic_count * KR_VM_TOPIC_LEN + l->data_len;
}

/* A receipt's fields within their limits (not its pointers). */
static kr_err_t receipt_check(const struct vm_receipt *r)
{
	if (r->status > KR_VM_STATUS_MAX || (r->status != KR_VM_OK && r->log_count) ||
	    (r->status == KR_VM_REFUSED && r->gas_used))
		return KR_EINVAL;
	if (r->ret_len > KR_VM_RET_MAX || r->log_count > KR_VM_LOGS_MAX)
		return KR_ERANGE;
	for (uint16_t i = 0; i < r->log_count; i++) {
		const struct vm_log *l = &r->logs[i];

		if (!l->address || (!l->topics && l->topic_count) || (!l->data && l->data_len))
			return KR_EINVAL;
		if (l->topic_count > KR_VM_LOG_TOPICS_MAX || l->data_len > KR_VM_LOG_DATA_MAX)
			return KR_ERANGE;
	}
	return KR_OK;
}

size_t vm_receipt_size(const struct vm_receipt *r)
{
	size_t size;

	if (!r || (!r->ret && r->ret_len) || (!r->logs && r->log_count) ||
	    receipt_check(r) != KR_OK)
		return 0;
	size = KR_VM_RECEIPT_HDR_SIZE + (size_t)r->ret_len;
	for (uint16_t i = 0; i < r->log_count; i++)
		size += log_size(&r->logs[i]);
	return size;
}

kr_err_t vm_receipt_encode(void *buf, size_t cap, const struct vm_receipt *r, size_t *out_len)
{
	uint8_t *b = buf;
	size_t size, off;
	kr_err_t e;

	if (!buf || !r || !out_len || (!r->ret && r->ret_len) || (!r->logs && r->log_count))
		return KR_EINVAL;
	if ((e = receipt_check(r)) != KR_OK)
		return e;
	size = vm_receipt_size(r);
	if (cap < size)
		return KR_ENOSPC;
	put32(b, KR_VM_RECEIPT_MAGIC);
	put16(b + 4, KR_VM_RECEIPT_VERSION);
	b[6] = r->status;
	b[7] = 0;
	put64(b + 8, r->gas_used);
	put32(b + 16, r->ret_len);
	put16(b + 20, r->log_count);
	put16(b + 22, 0);
	off = KR_VM_RECEIPT_HDR_SIZE;
	if (r->ret_len)
		memcpy(b + off, r->ret, r->ret_len);
	off += r->ret_len;
	for (uint16_t i = 0; i < r->log_count; i++) {
		const struct vm_log *l = &r->logs[i];
		size_t tlen = (size_t)l->topic_count * KR_VM_TOPIC_LEN;

		memcpy(b + off, l->address, KR_VM_ADDR_LEN);
		b[off + 32] = l->topic_count;
		b[off + 33] = b[off + 34] = b[off + 35] = 0;
		put32(b + off + 36, l->data_len);
		off += KR_VM_LOG_HDR_SIZE;
		if (tlen)
			memcpy(b + off, l->topics, tlen);
		off += tlen;
		if (l->data_len)
			memcpy(b + off, l->data, l->data_len);
		off += l->data_len;
	}
	*out_len = off;
	return KR_OK;
}

/* The log at the start of b's avail bytes: every check, and *size. */
static kr_err_t log_parse(const uint8_t *b, size_t avail, size_t *size, const char **why)
{
	uint8_t topics;
	uint32_t dlen;

	if (avail < KR_VM_LOG_HDR_SIZE)
		return refuse(why, VM_WHY_SHORT, KR_ETRUNC);
	topics = b[32];
	dlen = get32(b + 36);
	if (topics > KR_VM_LOG_TOPICS_MAX)
		return refuse(why, VM_WHY_TOPICS, KR_EFORMAT);
	if (b[33] | b[34] | b[35])
		return refuse(why, VM_WHY_RESERVED, KR_EFORMAT);
	if (dlen > KR_VM_LOG_DATA_MAX)
		return refuse(why, VM_WHY_DATA_LEN, KR_EFORMAT);
	if (avail - KR_VM_LOG_HDR_SIZE < (size_t)topics * KR_VM_TOPIC_LEN + dlen)
		return refuse(why, VM_WHY_SHORT, KR_ETRUNC);
	*size = KR_VM_LOG_HDR_SIZE + (size_t)topics * KR_VM_TOPIC_LEN + dlen;
	return KR_OK;
}

kr_err_t vm_receipt_decode(const void *buf, size_t len, struct vm_receipt *out,
			   const char **why)
{
	const uint8_t *b = buf;
	uint8_t status;
	uint32_t ret;
	uint16_t logs;
	uint64_t gas;
	size_t off, size;
	kr_err_t e;

	if (!buf || !out)
		return refuse(why, VM_WHY_ARGS, KR_EINVAL);
	if (len < KR_VM_RECEIPT_HDR_SIZE)
		return refuse(why, VM_WHY_SHORT, KR_ETRUNC);
	if (get32(b) != KR_VM_RECEIPT_MAGIC)
		return refuse(why, VM_WHY_MAGIC, KR_EFORMAT);
	if (get16(b + 4) != KR_VM_RECEIPT_VERSION)
		return refuse(why, VM_WHY_VERSION, KR_EFORMAT);
	status = b[6];
	gas = get64(b + 8);
	ret = get32(b + 16);
	logs = get16(b + 20);
	if (status > KR_VM_STATUS_MAX)
		return refuse(why, VM_WHY_STATUS, KR_EFORMAT);
	if (b[7] || get16(b + 22))
		return refuse(why, VM_WHY_RESERVED, KR_EFORMAT);
	if (ret > KR_VM_RET_MAX)
		return refuse(why, VM_WHY_RET_LEN, KR_EFORMAT);
	if (logs > KR_VM_LOGS_MAX)
		return refuse(why, VM_WHY_LOG_COUNT, KR_EFORMAT);
	if (status != KR_VM_OK && logs)
		return refuse(why, VM_WHY_LOGS_STATUS, KR_EFORMAT);
	if (status == KR_VM_REFUSED && gas)
		return refuse(why, VM_WHY_REFUSED_GAS, KR_EFORMAT);
	if (len - KR_VM_RECEIPT_HDR_SIZE < ret)
		return refuse(why, VM_WHY_SHORT, KR_ETRUNC);
	off = KR_VM_RECEIPT_HDR_SIZE + (size_t)ret;
	for (uint16_t i = 0; i < logs; i++) {
		if ((e = log_parse(b + off, len - off, &size, why)) != KR_OK)
			return e;
		off += size;
	}
	if (off != len)
		return refuse(why, VM_WHY_TRAILING, KR_EFORMAT);
	out->status = status;
	out->gas_used = gas;
	out->ret = b + KR_VM_RECEIPT_HDR_SIZE;
	out->ret_len = ret;
	out->log_count = logs;
	out->logs = NULL;
	out->logs_raw = b + KR_VM_RECEIPT_HDR_SIZE + ret;
	out->logs_len = len - KR_VM_RECEIPT_HDR_SIZE - ret;
	out->raw = b;
	out->size = len;
	return KR_OK;
}

void vm_receipt_log_iter_init(struct vm_log_iter *it, const struct vm_receipt *r)
{
	it->p = r->logs_raw;
	it->left = r->logs_len;
	it->count = r->log_count;
}

bool vm_receipt_log_next(struct vm_log_iter *it, struct vm_log *log)
{
	size_t size;

	if (!it->count || log_parse(it->p, it->left, &size, NULL) != KR_OK)
		return false;
	log->address = it->p;
	log->topic_count = it->p[32];
	log->data_len = get32(it->p + 36);
	log->topics = it->p + KR_VM_LOG_HDR_SIZE;
	log->data = log->topics + (size_t)log->topic_count * KR_VM_TOPIC_LEN;
	log->size = size;
	it->p += size;
	it->left -= size;
	it->count--;
	return true;
}

kr_err_t vm_receipt_hash(const struct vm_receipt *r, uint8_t out[KR_VM_HASH_LEN])
{
	if (!r || !r->raw)
		return KR_EINVAL;
	return kr_blake2b_256(out, r->raw, r->size);
}

/* ---- Receipts root ---- */

static void node(const uint8_t l[KR_VM_HASH_LEN], const uint8_t r[KR_VM_HASH_LEN],
		 uint8_t out[KR_VM_HASH_LEN])
{
	uint8_t in[1 + 2 * KR_VM_HASH_LEN];

	in[0] = KR_VM_NODE_PREFIX;
	memcpy(in + 1, l, KR_VM_HASH_LEN);
	memcpy(in + 1 + KR_VM_HASH_LEN, r, KR_VM_HASH_LEN);
	kr_blake2b_256(out, in, sizeof(in));
}

void vm_merkle_init(struct vm_merkle *m)
{
	m->depth = 0;
	m->count = 0;
}

/* Push a leaf and merge equal-height subtrees, as a binary counter carries:
 * the stack holds one perfect subtree per set bit of count, tallest first. */
void vm_merkle_add(struct vm_merkle *m, const uint8_t leaf[KR_VM_HASH_LEN])
{
	uint8_t h = 0;

	memcpy(m->stack[m->depth], leaf, KR_VM_HASH_LEN);
	while (m->depth > 0 && m->height[m->depth - 1] == h) {
		node(m->stack[m->depth - 1], m->stack[m->depth], m->stack[m->depth - 1]);
		m->depth--;
		h++;
	}
	m->height[m->depth++] = h;
	m->count++;
}

/* Level by level with odd nodes moving up, the last (shortest) subtrees
 * meet first: fold the stack from the right. */
void vm_merkle_root(const struct vm_merkle *m, uint8_t out[KR_VM_HASH_LEN])
{
	uint8_t acc[KR_VM_HASH_LEN];

	if (!m->depth) {
		memset(out, 0, KR_VM_HASH_LEN);
		return;
	}
	memcpy(acc, m->stack[m->depth - 1], KR_VM_HASH_LEN);
	for (unsigned i = m->depth - 1; i-- > 0;)
		node(m->stack[i], acc, acc);
	memcpy(out, acc, KR_VM_HASH_LEN);
}

void vm_receipts_root(const uint8_t (*hashes)[KR_VM_HASH_LEN], size_t n,
		      uint8_t out[KR_VM_HASH_LEN])
{
	struct vm_merkle m;

	vm_merkle_init(&m);
	for (size_t i = 0; i < n; i++)
		vm_merkle_add(&m, hashes[i]);
	vm_merkle_root(&m, out);
}

/* ---- Addresses ---- */

void vm_contract_address(const uint8_t deployer[KR_VM_ADDR_LEN],
			 const uint8_t code_hash[KR_VM_HASH_LEN], uint64_t nonce,
			 uint8_t out[KR_VM_ADDR_LEN])
{
	uint8_t in[KR_VM_ADDR_DOMAIN_LEN + KR_VM_ADDR_LEN + KR_VM_HASH_LEN + 8];

	memcpy(in, KR_VM_ADDR_DOMAIN, KR_VM_ADDR_DOMAIN_LEN);
	memcpy(in + KR_VM_ADDR_DOMAIN_LEN, deployer, KR_VM_ADDR_LEN);
	memcpy(in + KR_VM_ADDR_DOMAIN_LEN + KR_VM_ADDR_LEN, code_hash, KR_VM_HASH_LEN);
	put64(in + KR_VM_ADDR_DOMAIN_LEN + KR_VM_ADDR_LEN + KR_VM_HASH_LEN, nonce);
	kr_blake2b_256(out, in, sizeof(in));
}

/* ---- A block's kept results ---- */

void vm_result_encode(uint8_t out[VM_RESULT_SIZE], const struct kr_vm_result *r)
{
	put32(out, KR_VM_RESULT_MAGIC);
	put16(out + 4, KR_VM_RESULT_VERSION);
	put16(out + 6, 0);
	put64(out + 8, r->height);
	put64(out + 16, r->slot);
	put64(out + 24, r->gas);
	put32(out + 32, r->txs);
	put32(out + 36, r->ok);
	memcpy(out + 40, r->block_hash, KR_VM_HASH_LEN);
	memcpy(out + 72, r->state_root, KR_VM_HASH_LEN);
	memcpy(out + 104, r->receipts_root, KR_VM_HASH_LEN);
}

kr_err_t vm_result_decode(const void *buf, size_t len, struct kr_vm_result *out,
			  const char **why)
{
	const uint8_t *b = buf;
	kr_err_t e = !buf ? KR_EINVAL : len < VM_RESULT_SIZE ? KR_ETRUNC : KR_EFORMAT;
	const char *w = !buf ? VM_WHY_ARGS : len < VM_RESULT_SIZE ? VM_WHY_SHORT :
			len > VM_RESULT_SIZE ? VM_WHY_TRAILING :
			get32(b) != KR_VM_RESULT_MAGIC ? VM_WHY_MAGIC :
			get16(b + 4) != KR_VM_RESULT_VERSION ? VM_WHY_VERSION :
			get16(b + 6) ? VM_WHY_RESERVED : NULL;

	if (why)
		*why = w;
	if (w)
		return e;
	*out = (struct kr_vm_result){ .magic = KR_VM_RESULT_MAGIC, .version = KR_VM_RESULT_VERSION,
				      .height = get64(b + 8), .slot = get64(b + 16),
				      .gas = get64(b + 24), .txs = get32(b + 32), .ok = get32(b + 36) };
	memcpy(out->block_hash, b + 40, KR_VM_HASH_LEN);
	memcpy(out->state_root, b + 72, KR_VM_HASH_LEN);
	memcpy(out->receipts_root, b + 104, KR_VM_HASH_LEN);
	return KR_OK;
}
