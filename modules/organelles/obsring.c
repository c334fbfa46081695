/*
 * obsring.c - channel 0's pure parts (obsring.h): the bounded ring of
 * framed parcels with its running XXH3 index, and the splitter that cuts
 * kernel log bytes into stamp-less lines.
 *
 * The ring is a byte ring of records (u32 size, u64 index after, the
 * parcel's bytes; little-endian), addressed by positions that only grow
 * and are taken modulo the buffer's size, so a record may wrap around the
 * end.  Finding a record walks from the oldest: `obs` does that once per
 * command, never on the send path.
 */
#include <karyon/libc.h>
#include <karyon/log.h>
#include "obsring.h"
#include "xxh.h"

static void put(struct obsring *r, uint64_t pos, const void *src, size_t n)
{
	size_t at = (size_t)(pos % r->cap), first = n < r->cap - at ? n : r->cap - at;

	memcpy(r->buf + at, src, first);
	memcpy(r->buf, (const uint8_t *)src + first, n - first);
}

static void get(const struct obsring *r, uint64_t pos, void *dst, size_t n)
{
	size_t at = (size_t)(pos % r->cap), first = n < r->cap - at ? n : r->cap - at;

	memcpy(dst, r->buf + at, first);
	memcpy((uint8_t *)dst + first, r->buf, n - first);
}

static uint64_t le64(const uint8_t b[8])
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/* The head of the record at pos: its size and index after it. */
static void head_at(const struct obsring *r, uint64_t pos, uint32_t *size, uint64_t *index)
{
	uint8_t h[OBS_REC_HDR];

	get(r, pos, h, sizeof(h));
	*size = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	*index = le64(h + 4);
}

void obsring_init(struct obsring *r, void *buf, size_t cap)
{
	*r = (struct obsring){ .buf = buf, .cap = cap };
}

uint64_t obsring_chain(uint64_t prev, const void *p, size_t n)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(prev >> (8 * i));
	return parcel_xxh3_2(b, sizeof(b), p, n);
}

bool obsring_append(struct obsring *r, const void *p, size_t n)
{
	uint8_t h[OBS_REC_HDR];
	uint64_t need = OBS_REC_HDR + (uint64_t)n;

	if (!n || !p || need > r->cap || n > UINT32_MAX) {
		r->refused++;
		return false;
	}
	while (r->cap - (r->head - r->tail) < need) {   /* drop the oldest */
		uint32_t size;

		head_at(r, r->tail, &size, &r->base);
		r->tail += OBS_REC_HDR + size;
		r->first++;
		r->dropped++;
	}
	r->index = obsring_chain(r->index, p, n);
	for (int i = 0; i < 4; i++)
		h[i] = (uint8_t)(n >> (8 * i));
	for (int i = 0; i < 8; i++)
		h[4 + i] = (uint8_t)(r->index >> (8 * i));
	put(r, r->head, h, sizeof(h));
	put(r, r->head + OBS_REC_HDR, p, n);
	r->head += need;
	r->next++;
	r->bytes += n;
	return true;
}

bool obsring_seek(const struct obsring *r, uint64_t seq, struct obsring_cur *c)
{
	if (seq < r->first || seq > r->next)
		return false;
	*c = (struct obsring_cur){ r->first, r->tail, r->base };
	while (c->seq < seq) {
		uint32_t size;

		head_at(r, c->pos, &size, &c->before);
		c->pos += OBS_REC_HDR + size;
		c->seq++;
	}
	return true;
}

bool obsring_next(const struct obsring *r, struct obsring_cur *c, struct obsring_rec *rec,
		  uint8_t *out, size_t cap)
{
	if (c->seq < r->first || c->seq >= r->next)
		return false;
	rec->seq = c->seq;
	head_at(r, c->pos, &rec->size, &rec->index);
	if (rec->size > cap)
		return false;
	get(r, c->pos + OBS_REC_HDR, out, rec->size);
	c->pos += OBS_REC_HDR + rec->size;
	c->before = rec->index;
	c->seq++;
	return true;
}

/* ---- the line splitter ------------------------------------------------- */

void obsline_init(struct obsline *l)
{
	memset(l, 0, sizeof(*l));
	l->state = OBSLINE_START;
}

void obsline_gap(struct obsline *l)
{
	l->gaps++;
	l->len = 0;
	/* The next byte is anywhere in a line: that line's start is gone. */
	l->state = OBSLINE_SKIP;
}

void obsline_feed(struct obsline *l, const char *bytes, size_t n, obsline_emit_fn emit, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		char c = bytes[i];

		switch (l->state) {
		case OBSLINE_SKIP:      /* a stamp starts a line; text has none */
			if (c == '\n')
				l->state = OBSLINE_START;
			if (c == KR_LOG_STAMP)
				l->state = OBSLINE_STAMP, l->stamp_left = KR_LOG_STAMP_DIGITS;
			continue;
		case OBSLINE_START:
			l->len = 0;
			if (c == KR_LOG_STAMP) {
				l->state = OBSLINE_STAMP;
				l->stamp_left = KR_LOG_STAMP_DIGITS;
				continue;
			}
			l->state = OBSLINE_TEXT;        /* no stamp: text from here */
			break;
		case OBSLINE_STAMP:
			if (--l->stamp_left == 0)
				l->state = OBSLINE_TEXT;
			continue;
		case OBSLINE_TEXT:
			break;
		}
		if (c == '\n') {
			if (l->len > sizeof(l->text)) {
				l->cut++;
				l->len = sizeof(l->text);
			}
			l->lines++;
			emit(ctx, l->text, l->len);
			l->len = 0;
			l->state = OBSLINE_START;
		} else if (l->len < sizeof(l->text)) {
			l->text[l->len++] = c;
		} else {
			l->len = sizeof(l->text) + 1;   /* over: cut at the '\n' */
		}
	}
}
