/*
 * format.c - the CommitLog's format (log.h): records, superblocks and
 * Merkle roots, pure functions over bytes; log.c builds the log on them.
 *
 * Only kr_blake2b_256 and the C library of <karyon/libc.h>: the same file
 * runs in the clog module, the host unit tests and the fuzz target.  Every
 * buffer bigger than a header comes from dev->alloc (kernel stacks are
 * small); everything is little-endian, as x86_64 stores it.
 */
#include <karyon/libc.h>
#include <karyon/hash.h>
#include "log.h"

#define SECTOR          KR_CLOG_SECTOR
#define HDR             sizeof(struct kr_clog_rec)
#define HASH_AT         offsetof(struct kr_clog_rec, hash)
#define LEN_AT          offsetof(struct kr_clog_rec, length)
#define SUM_AT          offsetof(struct kr_clog_super, sum)


uint64_t clog_round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

bool clog_all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* ---- format ---- */

size_t clog_rec_size(uint32_t len)
{
	return HDR + (size_t)clog_round_up(len, 8);
}

/* A kind: 1..23 printable characters, NUL-padded to KR_CLOG_KIND_MAX. */
bool clog_kind_ok(const char *kind, bool padded)
{
	size_t n = strnlen(kind, KR_CLOG_KIND_MAX);

	if (n == 0 || n == KR_CLOG_KIND_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (kind[i] < 0x20 || kind[i] > 0x7e)
			return false;
	return !padded || clog_all_zero(kind + n, KR_CLOG_KIND_MAX - n);
}

/* The record's hash is over its header with the hash field zeroed, then the
 * payload.  The ABI's BLAKE2b is one call over contiguous bytes, so the field
 * is zeroed in place for the call and put back (log.h: buffers are writable). */
static void rec_hash(uint8_t *rec, uint32_t len, uint8_t out[32])
{
	uint8_t saved[32];

	memcpy(saved, rec + HASH_AT, 32);
	memset(rec + HASH_AT, 0, 32);
	kr_blake2b_256(out, rec, HDR + len);
	memcpy(rec + HASH_AT, saved, 32);
}

kr_err_t clog_rec_encode(void *buf, uint32_t epoch, uint64_t seq, uint64_t durable,
			 const char *kind, const void *payload, uint32_t len,
			 const uint8_t prev[32])
{
	struct kr_clog_rec h;
	uint8_t *b = buf;

	if (!buf || !kind || !prev || (!payload && len) || !clog_kind_ok(kind, false))
		return KR_EINVAL;
	if (len > KR_CLOG_PAYLOAD_MAX || !epoch || !seq || durable >= seq)
		return KR_ERANGE;
	memset(&h, 0, sizeof(h));
	h.magic = KR_CLOG_REC_MAGIC;
	h.version = KR_CLOG_FORMAT_VERSION;
	h.length = len;
	h.epoch = epoch;
	h.seq = seq;
	h.durable = durable;
	memcpy(h.kind, kind, strlen(kind));
	memcpy(h.prev, prev, 32);
	memcpy(b, &h, HDR);
	if (len)
		memmove(b + HDR, payload, len);
	memset(b + HDR + len, 0, clog_rec_size(len) - HDR - len);
	rec_hash(b, len, h.hash);
	memcpy(b + HASH_AT, h.hash, 32);
	return KR_OK;
}

static kr_err_t bad(const char **why, const char *text, kr_err_t err)
{
	*why = text;
	return err;
}

kr_err_t clog_rec_decode(const void *buf, size_t avail, uint32_t epoch,
			 const struct kr_clog_rec **rec, const void **payload,
			 const char **why)
{
	const char *ignored;
	struct kr_clog_rec h;
	uint8_t hash[32];
	uint8_t *b = (uint8_t *)buf;
	size_t size;

	if (!why)
		why = &ignored;
	*why = NULL;
	if (!buf || !rec || !payload)
		return bad(why, "no buffer", KR_EINVAL);
	/* *rec points into buf: its fields must be readable in place. */
	if ((uintptr_t)buf & 7)
		return bad(why, "record not 8-byte aligned", KR_EALIGN);
	if (avail < 4 || (avail < HDR && !memcmp(b, &(uint32_t){ KR_CLOG_REC_MAGIC }, 4)))
		return bad(why, "header cut short", KR_ETRUNC);
	if (avail < HDR)
		return bad(why, "bad magic", KR_EFORMAT);
	memcpy(&h, b, HDR);
	if (h.magic != KR_CLOG_REC_MAGIC)
		return bad(why, "bad magic", KR_EFORMAT);
	if (h.version != KR_CLOG_FORMAT_VERSION)
		return bad(why, "unknown format version", KR_EFORMAT);
	if (h.flags)
		return bad(why, "unknown flags", KR_EFORMAT);
	if (epoch && h.epoch != epoch)
		return bad(why, "wrong epoch", KR_EFORMAT);
	if (!h.seq)
		return bad(why, "seq 0", KR_EFORMAT);
	if (h.durable >= h.seq)
		return bad(why, "durable not before seq", KR_EFORMAT);
	if (!clog_kind_ok(h.kind, true))
		return bad(why, "bad kind", KR_EFORMAT);
	if (!clog_all_zero(h.reserved, sizeof(h.reserved)))
		return bad(why, "reserved bytes not zero", KR_EFORMAT);
	if (h.length > KR_CLOG_PAYLOAD_MAX)
		return bad(why, "payload too long", KR_EFORMAT);
	size = clog_rec_size(h.length);
	if (size > avail)
		return bad(why, "payload cut short", KR_ETRUNC);
	if (!clog_all_zero(b + HDR + h.length, size - HDR - h.length))
		return bad(why, "padding not zero", KR_EFORMAT);
	rec_hash(b, h.length, hash);
	if (memcmp(hash, h.hash, 32))
		return bad(why, "hash mismatch", KR_EFORMAT);
	*rec = buf;
	*payload = b + HDR;
	return KR_OK;
}

void clog_super_encode(struct kr_clog_super *sb)
{
	kr_blake2b_256(sb->sum, sb, SUM_AT);
}

kr_err_t clog_super_decode(const void *sector, uint64_t region_sectors,
			   struct kr_clog_super *out, const char **why)
{
	const char *ignored;
	uint8_t sum[32];

	if (!why)
		why = &ignored;
	*why = NULL;
	if (!sector || !out)
		return bad(why, "no buffer", KR_EINVAL);
	/* Checked in out (which may be sector itself): a second 512-byte copy
	 * would not belong on a kernel stack. */
	memmove(out, sector, sizeof(*out));
	if (out->magic != KR_CLOG_SB_MAGIC)
		return bad(why, clog_all_zero(out, sizeof(*out)) ? "blank" : "bad magic", KR_EFORMAT);
	if (out->version != KR_CLOG_FORMAT_VERSION)
		return bad(why, "unknown format version", KR_EFORMAT);
	if (out->sector_size != SECTOR)
		return bad(why, "wrong sector size", KR_EFORMAT);
	kr_blake2b_256(sum, out, SUM_AT);
	if (memcmp(sum, out->sum, 32))
		return bad(why, "checksum mismatch", KR_EFORMAT);
	if (!clog_all_zero(out->reserved, sizeof(out->reserved)))
		return bad(why, "reserved bytes not zero", KR_EFORMAT);
	if (out->region_sectors > region_sectors || out->region_sectors < 4)
		return bad(why, "region larger than the device", KR_EFORMAT);
	if (out->area > 1 || !out->area_sectors || out->area_sectors > (out->region_sectors - 2) / 2 ||
	    out->area_start != 2 + out->area * out->area_sectors)
		return bad(why, "areas do not fit the region", KR_EFORMAT);
	if (!out->epoch || !out->base_seq || out->head_seq < out->base_seq - 1 ||
	    out->head_off > out->area_sectors * SECTOR || out->head_off % 8)
		return bad(why, "head outside the area", KR_EFORMAT);
	if (out->head_seq == out->base_seq - 1 &&
	    (out->head_off || memcmp(out->head_hash, out->base_prev, 32)))
		return bad(why, "empty log with a head", KR_EFORMAT);
	return KR_OK;
}

static void merkle_node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	uint8_t in[65];

	in[0] = 0x01;
	memcpy(in + 1, l, 32);
	memcpy(in + 33, r, 32);
	kr_blake2b_256(out, in, sizeof(in));
}

void clog_merkle_init(struct clog_merkle *m)
{
	memset(m, 0, sizeof(*m));
}

/* A binary counter of complete subtrees: level[k] is the root of the last
 * 2^k leaves not yet paired.  Pairing left to right this way carries an odd
 * node up unchanged, as the definition says. */
kr_err_t clog_merkle_leaf(struct clog_merkle *m, const char *name, const uint8_t digest[32])
{
	uint8_t in[CLOG_MERKLE_NAME_MAX + 34], node[32];
	size_t n;
	unsigned k = 0;

	if (!m || !name || !digest)
		return KR_EINVAL;
	n = strnlen(name, CLOG_MERKLE_NAME_MAX + 1);
	if (n > CLOG_MERKLE_NAME_MAX)
		return KR_ERANGE;
	if (m->leaves == UINT64_MAX)
		return KR_ERANGE;
	in[0] = 0x00;
	memcpy(in + 1, name, n);
	in[n + 1] = 0x00;
	memcpy(in + n + 2, digest, 32);
	kr_blake2b_256(node, in, n + 34);
	while (m->have & (1ull << k)) {
		merkle_node(m->level[k], node, node);
		m->have &= ~(1ull << k);
		k++;
	}
	memcpy(m->level[k], node, 32);
	m->have |= 1ull << k;
	m->leaves++;
	return KR_OK;
}

void clog_merkle_root(struct clog_merkle *m, uint8_t out[32])
{
	uint8_t carry[32];
	bool any = false;

	for (unsigned k = 0; k < 64; k++) {
		if (!(m->have & (1ull << k)))
			continue;
		if (any)
			merkle_node(m->level[k], carry, carry);
		else
			memcpy(carry, m->level[k], 32);
		any = true;
	}
	if (any) {
		memcpy(out, carry, 32);
	} else {
		uint8_t empty = 0x02;

		kr_blake2b_256(out, &empty, 1);
	}
}

const char *const clog_part_names[KR_CLOG_PARTS] = { "vfs", "kmod", "tcc", "events" };

void clog_state_root(const uint8_t part[KR_CLOG_PARTS][32], uint8_t out[32])
{
	uint8_t carry[32];
	unsigned i;

	/* Four leaves, a tree of depth two: built here without struct
	 * clog_merkle, whose 2 KiB do not belong on a kernel stack (the unit
	 * test checks that both give the same root). */
	_Static_assert(KR_CLOG_PARTS == 4, "the state root is a tree of four leaves");
	for (i = 0; i < KR_CLOG_PARTS; i++) {
		uint8_t in[16 + 34], leaf[32];
		size_t n = strlen(clog_part_names[i]);

		in[0] = 0x00;
		memcpy(in + 1, clog_part_names[i], n);
		in[n + 1] = 0x00;
		memcpy(in + n + 2, part[i], 32);
		kr_blake2b_256(leaf, in, n + 34);
		if (i % 2 == 0)
			memcpy(carry, leaf, 32);
		else if (i == 1)
			merkle_node(carry, leaf, out);
		else
			merkle_node(carry, leaf, carry);
	}
	merkle_node(out, carry, out);
}

