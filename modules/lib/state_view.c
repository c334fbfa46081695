/*
 * state_view.c - the owners' views and payload codec (state_view.h).
 *
 * A view is a sorted array: the tables are small (a few dozen modules,
 * handlers or subscriptions), and a copy is one memcpy.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>

#include "state_view.h"

struct state_view *sv_new(kr_domain_t *owner)
{
	struct state_view *v = kr_calloc(owner, 1, sizeof(*v));

	if (v)
		v->owner = owner;
	return v;
}

struct state_view *sv_copy(const struct state_view *from)
{
	struct state_view *v = sv_new(from->owner);

	if (!v || !from->n)
		return v;
	v->items = kr_malloc(from->owner, from->n * sizeof(*v->items));
	if (!v->items) {
		kr_free(from->owner, v);
		return NULL;
	}
	memcpy(v->items, from->items, from->n * sizeof(*v->items));
	v->n = v->cap = from->n;
	return v;
}

void sv_free(struct state_view *v)
{
	if (!v)
		return;
	if (v->items)
		kr_free(v->owner, v->items);
	kr_free(v->owner, v);
}

/* Where name is or would go. */
static uint32_t sv_find(const struct state_view *v, const char *name, bool *found)
{
	uint32_t lo = 0, hi = v->n;

	*found = false;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->items[mid].name, name);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

kr_err_t sv_set(struct state_view *v, const char *name, const uint8_t digest[32])
{
	size_t len = strnlen(name, SV_NAME_MAX);
	bool found;
	uint32_t i;

	if (!len || len == SV_NAME_MAX)
		return KR_ERANGE;
	i = sv_find(v, name, &found);
	if (!found) {
		if (v->n == v->cap) {
			uint32_t cap = v->cap ? 2 * v->cap : 16;
			struct sv_item *p = kr_realloc(v->owner, v->items, cap * sizeof(*p));

			if (!p)
				return KR_ENOMEM;
			v->items = p;
			v->cap = cap;
		}
		memmove(&v->items[i + 1], &v->items[i], (v->n - i) * sizeof(*v->items));
		v->n++;
		memset(&v->items[i], 0, sizeof(v->items[i]));
		memcpy(v->items[i].name, name, len);
	}
	memcpy(v->items[i].digest, digest, 32);
	return KR_OK;
}

kr_err_t sv_del(struct state_view *v, const char *name)
{
	bool found;
	uint32_t i = sv_find(v, name, &found);

	if (!found)
		return KR_ENOENT;
	memmove(&v->items[i], &v->items[i + 1], (v->n - i - 1) * sizeof(*v->items));
	v->n--;
	return KR_OK;
}

const struct sv_item *sv_get(const struct state_view *v, const char *name)
{
	bool found;
	uint32_t i = sv_find(v, name, &found);

	return found ? &v->items[i] : NULL;
}

kr_err_t sv_items(const struct state_view *v, kr_state_item_fn fn, void *ctx)
{
	for (uint32_t i = 0; i < v->n; i++) {
		kr_err_t r = fn(ctx, v->items[i].name, v->items[i].digest);

		if (r)
			return r;
	}
	return KR_OK;
}

kr_err_t sv_items_of(const struct state_view *view, struct state_view *(*live)(void),
		     kr_state_item_fn fn, void *ctx)
{
	struct state_view *v = view ? (struct state_view *)view : live();
	kr_err_t e;

	if (!v)
		return KR_ENOMEM;
	e = sv_items(v, fn, ctx);
	if (!view)
		sv_free(v);
	return e;
}

struct state_view *sv_view_of(const struct state_view *from, struct state_view *(*live)(void))
{
	return from ? sv_copy(from) : live();
}

kr_err_t sv_gate_ok(const struct kr_gate_ops *g)
{
	return g && (g->hdr.magic != KR_OPS_MAGIC || g->hdr.version != KR_CLOG_SERVICE_VERSION ||
		     !g->commit) ? KR_EINVAL : KR_OK;
}

/* ---- payloads ---- */

void plw_bytes(struct pl_w *w, const void *p, uint32_t n)
{
	if (w->over || n > w->cap - w->len) {
		w->over = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void plw_str(struct pl_w *w, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > UINT32_MAX)
		w->over = true;
	else
		plw_bytes(w, s, (uint32_t)n);
}

void plw_u32(struct pl_w *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	plw_bytes(w, b, 4);
}

void plw_u64(struct pl_w *w, uint64_t v)
{
	plw_u32(w, (uint32_t)v);
	plw_u32(w, (uint32_t)(v >> 32));
}

void plr_init(struct pl_r *r, const void *p, uint32_t len)
{
	*r = (struct pl_r){ .p = p, .len = p ? len : 0 };
}

const char *plr_str(struct pl_r *r, bool empty_ok)
{
	const char *s;

	if (r->why)
		return NULL;
	for (uint32_t i = r->off; i < r->len; i++) {
		if (r->p[i] == '\0') {
			if (i == r->off && !empty_ok) {
				r->why = "an empty string";
				return NULL;
			}
			s = (const char *)r->p + r->off;
			r->off = i + 1;
			return s;
		}
		if (r->p[i] < 0x20 || r->p[i] == 0x7f) {
			r->why = "a control character in a string";
			return NULL;
		}
	}
	r->why = "a string without its NUL";
	return NULL;
}

const uint8_t *plr_bytes(struct pl_r *r, uint32_t n)
{
	const uint8_t *p;

	if (r->why)
		return NULL;
	if (n > r->len - r->off) {
		r->why = "it ends early";
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

bool plr_u32(struct pl_r *r, uint32_t *v)
{
	const uint8_t *b = plr_bytes(r, 4);

	if (!b)
		return false;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

bool plr_u64(struct pl_r *r, uint64_t *v)
{
	uint32_t lo, hi;

	if (!plr_u32(r, &lo) || !plr_u32(r, &hi))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

const uint8_t *plr_rest(struct pl_r *r, uint32_t *n)
{
	*n = r->why ? 0 : r->len - r->off;
	return plr_bytes(r, *n);
}

bool plr_end(struct pl_r *r)
{
	if (!r->why && r->off != r->len)
		r->why = "bytes after its end";
	return !r->why;
}

kr_err_t plr_fail(const struct pl_r *r, const char *kind, char *err, size_t errlen)
{
	if (err && errlen)
		ksnprintf(err, errlen, "%s: bad payload: %s", kind, r->why ? r->why : "malformed");
	return KR_EFORMAT;
}
