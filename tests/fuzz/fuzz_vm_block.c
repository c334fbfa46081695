/*
 * fuzz_vm_block.c - libFuzzer target for the contract VM's decoders
 * (modules/vm/codec.c, BLAKE2b through tcc-runtime/krt/blake2.c and
 * Debian's libb2.a): what a block file, a submitted transaction or a
 * stored receipt passes before anything runs.
 *
 * The input, in an exact-size allocation (ASan sees a read past it), is
 * decoded as a block, as a transaction, as a receipt and as a block's kept
 * results (N.res).  Checked on every
 * answer, abort() if broken: a refusal gives a reason and leaves the view
 * alone; an accepted block's transactions iterate in place, tx_count of
 * them filling its body exactly; and whatever decodes encodes back to
 * exactly its bytes (so decode accepts nothing but the canonical encoding,
 * whose hash is the one every machine computes).  Built and run by
 * tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vm_tx txs[KR_VM_BLOCK_TX_MAX];
static struct vm_log logs[KR_VM_LOGS_MAX];

/* A refusal: a reason, and the view as it was. */
static void refused(kr_err_t e, const char *why, const void *v, const void *before, size_t n)
{
	if ((e != KR_ETRUNC && e != KR_EFORMAT) || !why || memcmp(v, before, n))
		abort();
}

/* buf re-encoded (n bytes, in out) must be the input p. */
static void same(kr_err_t e, size_t n, const uint8_t *out, const uint8_t *p, size_t size)
{
	if (e != KR_OK || n != size || memcmp(out, p, size))
		abort();
}

static void block(const uint8_t *p, size_t size, uint8_t *out)
{
	struct vm_block b, before;
	struct vm_block_iter it;
	const char *why = NULL;
	uint8_t h[KR_VM_HASH_LEN];
	uint32_t n = 0;
	size_t len = 0;
	kr_err_t e;

	memset(&b, 0xA5, sizeof(b));
	before = b;
	e = vm_block_decode(p, size, &b, &why);
	if (e != KR_OK) {
		refused(e, why, &b, &before, sizeof(b));
		return;
	}
	if (b.tx_count > KR_VM_BLOCK_TX_MAX || b.raw != p || b.size != size ||
	    b.body != p + KR_VM_BLOCK_HDR_SIZE || b.body_len != size - KR_VM_BLOCK_HDR_SIZE)
		abort();
	vm_block_iter_init(&it, &b);
	while (vm_block_next(&it, &txs[n])) {
		if (txs[n].raw < b.body || txs[n].raw + txs[n].size > p + size)
			abort();
		n++;
	}
	if (n != b.tx_count || it.left)
		abort();
	if (vm_block_hash(&b, h) != KR_OK)
		abort();
	e = vm_block_encode(out, size, &b, txs, n, &len);
	same(e, len, out, p, size);
}

/* A block's kept results: decoded, they encode back to the same bytes. */
static void result(const uint8_t *p, size_t size)
{
	struct kr_vm_result r, before;
	uint8_t out[VM_RESULT_SIZE];
	const char *why = NULL;
	kr_err_t e;

	memset(&r, 0xA5, sizeof(r));
	before = r;
	e = vm_result_decode(p, size, &r, &why);
	if (e != KR_OK) {
		refused(e, why, &r, &before, sizeof(r));
		return;
	}
	vm_result_encode(out, &r);
	same(KR_OK, sizeof(out), out, p, size);
}

static void tx(const uint8_t *p, size_t size, uint8_t *out)
{
	struct vm_tx t, before;
	const char *why = NULL;
	size_t len = 0;
	kr_err_t e;

	memset(&t, 0xA5, sizeof(t));
	before = t;
	e = vm_tx_decode(p, size, &t, &why);
	if (e != KR_OK) {
		refused(e, why, &t, &before, sizeof(t));
		return;
	}
	e = vm_tx_encode(out, size, &t, &len);
	same(e, len, out, p, size);
}

static void receipt(const uint8_t *p, size_t size, uint8_t *out)
{
	struct vm_receipt r, before;
	struct vm_log_iter it;
	const char *why = NULL;
	uint16_t n = 0;
	size_t len = 0;
	kr_err_t e;

	memset(&r, 0xA5, sizeof(r));
	before = r;
	e = vm_receipt_decode(p, size, &r, &why);
	if (e != KR_OK) {
		refused(e, why, &r, &before, sizeof(r));
		return;
	}
	if (r.status > KR_VM_STATUS_MAX || (r.status != KR_VM_OK && r.log_count))
		abort();
	vm_receipt_log_iter_init(&it, &r);
	while (vm_receipt_log_next(&it, &logs[n]))
		n++;
	if (n != r.log_count || it.left)
		abort();
	r.logs = logs;
	e = vm_receipt_encode(out, size, &r, &len);
	same(e, len, out, p, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	uint8_t *out = malloc(size ? size : 1);

	if (!buf || !out) {
		free(buf);
		free(out);
		return 0;
	}
	memcpy(buf, data, size);
	block(buf, size, out);
	tx(buf, size, out);
	receipt(buf, size, out);
	result(buf, size);
	if (memcmp(buf, data, size))    /* decoding never writes its input */
		abort();
	free(buf);
	free(out);
	return 0;
}
