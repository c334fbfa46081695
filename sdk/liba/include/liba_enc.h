/*
 * <liba_enc.h> - the encoding helper for contract method arguments and
 * return data (docs/contract-guide.md, "The argument encoding", pins the
 * bytes).  A writer (struct liba_w) fills a caller's buffer; a reader
 * (struct liba_r) takes one apart, each read checked against the bytes
 * there are.  Both keep a sticky error: after the first failure every
 * later call does nothing (a read returns zeros), so a contract reads or
 * writes all its fields and checks once, at liba_r_done / liba_w_done.
 *
 * The encoding is a plain sequence of fields in an order both sides know,
 * with no tags and no padding:
 *	u8     1 byte
 *	u32    4 bytes, little-endian
 *	u64    8 bytes, little-endian
 *	addr   32 bytes as they are (an address or a hash)
 *	bytes  a u32 length n, then n bytes
 * A reader accepts exactly the bytes a writer of the same fields produces:
 * liba_r_done refuses bytes left over.
 *
 * Ordinary C with no library calls (sdk/liba/enc.c): it builds with gcc on
 * a host, freestanding, and with TinyCC, where `vm deploy` compiles it into
 * the contract, metered like the contract's own code.  It is not a system
 * call.  The fields of the two structs are the helper's: use the functions.
 */
#ifndef LIBA_ENC_H
#define LIBA_ENC_H

#include <stdint.h>
#include <karyon/err.h>

#define LIBA_ENC_ADDR_LEN 32    /* bytes of an addr field */

struct liba_w {
	uint8_t  *buf;
	uint32_t cap;           /* bytes at buf */
	uint32_t len;           /* bytes written */
	int32_t  err;           /* 0, or the first error (sticky) */
};

struct liba_r {
	const uint8_t *buf;
	uint32_t len;           /* bytes at buf */
	uint32_t pos;           /* bytes read */
	int32_t  err;           /* 0, or the first error (sticky) */
};

/* ---- Writer.  Errors: KR_ENOSPC a field does not fit in what is left of
 * the buffer (nothing of it is written); KR_EINVAL NULL data with n > 0. */

/* Start writing into buf[0..cap). */
void liba_w_init(struct liba_w *w, void *buf, uint32_t cap);
void liba_w_u8(struct liba_w *w, uint8_t v);
void liba_w_u32(struct liba_w *w, uint32_t v);
void liba_w_u64(struct liba_w *w, uint64_t v);
/* LIBA_ENC_ADDR_LEN bytes from a. */
void liba_w_addr(struct liba_w *w, const uint8_t *a);
/* n as a u32, then p[0..n). */
void liba_w_bytes(struct liba_w *w, const void *p, uint32_t n);
/* The number of bytes written, or the sticky error (< 0). */
long liba_w_done(const struct liba_w *w);

/* ---- Reader.  Errors: KR_ETRUNC a field runs past the end (nothing of it
 * is read); KR_ERANGE liba_r_copy's string is longer than its buffer;
 * KR_EFORMAT liba_r_done found bytes left over.  A failed read returns 0,
 * NULL or zero bytes, and leaves the position where it was. */

/* Start reading buf[0..len). */
void liba_r_init(struct liba_r *r, const void *buf, uint32_t len);
uint8_t liba_r_u8(struct liba_r *r);
uint32_t liba_r_u32(struct liba_r *r);
uint64_t liba_r_u64(struct liba_r *r);
/* LIBA_ENC_ADDR_LEN bytes into out (zeros if it fails). */
void liba_r_addr(struct liba_r *r, uint8_t *out);
/* A bytes field, in place: a pointer into the reader's buffer and its
 * length in *n; NULL and *n = 0 if it fails. */
const uint8_t *liba_r_bytes(struct liba_r *r, uint32_t *n);
/* A bytes field copied to out[0..cap): its length, or the sticky error
 * (< 0; KR_ERANGE leaves the field unread). */
long liba_r_copy(struct liba_r *r, void *out, uint32_t cap);
/* 0 when every read succeeded and every byte was read; else the sticky
 * error, KR_EFORMAT for bytes left over (which becomes the sticky error). */
long liba_r_done(struct liba_r *r);

#endif
