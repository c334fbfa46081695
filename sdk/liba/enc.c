/*
 * enc.c - the encoding helper of <liba_enc.h>: a bounds-checked writer and
 * reader of u8, u32, u64 (little-endian), 32-byte addresses and
 * u32-length-prefixed byte strings, each with a sticky error.
 *
 * No library calls and no builtins, so the same file builds for the host
 * (tests, tools/chain), freestanding, and with TinyCC inside a contract.
 * Every check is done before anything is written or consumed, and lengths
 * are compared as "n > len - pos" (pos <= len always holds) so no sum can
 * wrap.
 */
#include <liba_enc.h>

static void copy(uint8_t *d, const uint8_t *s, uint32_t n)
{
	while (n--)
		*d++ = *s++;
}

/* ---- Writer ---- */

void liba_w_init(struct liba_w *w, void *buf, uint32_t cap)
{
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->err = 0;
}

/* Room for n bytes (sets the sticky error if not): where they go, or NULL. */
static uint8_t *w_take(struct liba_w *w, uint32_t n)
{
	uint8_t *p;

	if (w->err)
		return 0;
	if (n > w->cap - w->len) {
		w->err = KR_ENOSPC;
		return 0;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void liba_w_u8(struct liba_w *w, uint8_t v)
{
	uint8_t *p = w_take(w, 1);

	if (p)
		p[0] = v;
}

void liba_w_u32(struct liba_w *w, uint32_t v)
{
	uint8_t *p = w_take(w, 4);

	if (p)
		put_le(p, v, 4);
}

void liba_w_u64(struct liba_w *w, uint64_t v)
{
	uint8_t *p = w_take(w, 8);

	if (p)
		put_le(p, v, 8);
}

void liba_w_addr(struct liba_w *w, const uint8_t *a)
{
	uint8_t *p;

	if (!w->err && !a) {
		w->err = KR_EINVAL;
		return;
	}
	p = w_take(w, LIBA_ENC_ADDR_LEN);
	if (p)
		copy(p, a, LIBA_ENC_ADDR_LEN);
}

void liba_w_bytes(struct liba_w *w, const void *data, uint32_t n)
{
	uint8_t *p;

	if (w->err)
		return;
	if (!data && n) {
		w->err = KR_EINVAL;
		return;
	}
	/* Both parts or neither: check the room for the whole field first. */
	if (w->cap - w->len < 4 || n > w->cap - w->len - 4) {
		w->err = KR_ENOSPC;
		return;
	}
	p = w_take(w, 4 + n);
	put_le(p, n, 4);
	copy(p + 4, data, n);
}

long liba_w_done(const struct liba_w *w)
{
	return w->err ? w->err : (long)w->len;
}

/* ---- Reader ---- */

void liba_r_init(struct liba_r *r, const void *buf, uint32_t len)
{
	r->buf = buf;
	r->len = buf ? len : 0;
	r->pos = 0;
	r->err = 0;
}

/* The next n bytes (sets the sticky error if there are fewer), or NULL;
 * peek leaves them unread. */
static const uint8_t *r_see(struct liba_r *r, uint32_t n, int peek)
{
	const uint8_t *p;

	if (r->err)
		return 0;
	if (n > r->len - r->pos) {
		r->err = KR_ETRUNC;
		return 0;
	}
	p = r->buf + r->pos;
	if (!peek)
		r->pos += n;
	return p;
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i--;)
		v = v << 8 | p[i];
	return v;
}

uint8_t liba_r_u8(struct liba_r *r)
{
	const uint8_t *p = r_see(r, 1, 0);

	return p ? p[0] : 0;
}

uint32_t liba_r_u32(struct liba_r *r)
{
	const uint8_t *p = r_see(r, 4, 0);

	return p ? (uint32_t)get_le(p, 4) : 0;
}

uint64_t liba_r_u64(struct liba_r *r)
{
	const uint8_t *p = r_see(r, 8, 0);

	return p ? get_le(p, 8) : 0;
}

void liba_r_addr(struct liba_r *r, uint8_t *out)
{
	const uint8_t *p = r_see(r, LIBA_ENC_ADDR_LEN, 0);

	if (p)
		copy(out, p, LIBA_ENC_ADDR_LEN);
	else
		for (unsigned i = 0; i < LIBA_ENC_ADDR_LEN; i++)
			out[i] = 0;
}

/* A bytes field's length, checked against what is left, without reading
 * it: the length, or -1 with the sticky error set. */
static long r_field(struct liba_r *r)
{
	const uint8_t *p = r_see(r, 4, 1);
	uint32_t n;

	if (!p)
		return -1;
	n = (uint32_t)get_le(p, 4);
	if (n > r->len - r->pos - 4) {
		r->err = KR_ETRUNC;
		return -1;
	}
	return (long)n;
}

const uint8_t *liba_r_bytes(struct liba_r *r, uint32_t *n)
{
	long len = r_field(r);

	*n = 0;
	if (len < 0)
		return 0;
	r->pos += 4;
	*n = (uint32_t)len;
	return r_see(r, (uint32_t)len, 0);
}

long liba_r_copy(struct liba_r *r, void *out, uint32_t cap)
{
	long len = r_field(r);

	if (len < 0)
		return r->err;
	if ((uint32_t)len > cap) {
		r->err = KR_ERANGE;
		return r->err;
	}
	copy(out, r->buf + r->pos + 4, (uint32_t)len);
	r->pos += 4 + (uint32_t)len;
	return len;
}

long liba_r_done(struct liba_r *r)
{
	if (!r->err && r->pos != r->len)
		r->err = KR_EFORMAT;
	return r->err;
}
