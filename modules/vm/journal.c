/*
 * journal.c - the contract VM's storage journal (journal.h): layered
 * writes over a caller's store, committed or dropped layer by layer.
 *
 * All levels share one array of entry pointers: level 0 (pending) first,
 * then each open layer, each level's entries sorted canonically.  So a
 * lookup is a binary search per level, innermost first; a write inserts
 * into the last level (only the entries after it move); committing merges
 * the last two levels through a scratch array of the same size; reverting
 * frees the last level.  Level 0 is the canonical change list as it is.
 * Both arrays are allocated at init, which is why commit and revert cannot
 * fail: every decision that can fail (limits, the allocator) is taken in
 * set and del, before anything changes.
 */
#include <karyon/libc.h>

#include "journal.h"

static kr_err_t refuse(struct vm_journal *j, const char *why, kr_err_t err)
{
	j->why = why;
	return err;
}

static size_t cost(const struct vm_change *c)
{
	return VM_JOURNAL_ENTRY_COST + c->key_len + c->val_len;
}

/* Canonical order: address bytes, then key bytes, a prefix first. */
static int cmp(const uint8_t *addr, const uint8_t *key, size_t key_len, const struct vm_change *c)
{
	size_t n = key_len < c->key_len ? key_len : c->key_len;
	int d = memcmp(addr, c->addr, KR_VM_ADDR_LEN);

	if (d)
		return d;
	if (n && (d = memcmp(key, c->key, n)))
		return d;
	return (key_len > c->key_len) - (key_len < c->key_len);
}

/* Level l's entries: [*lo, *hi). */
static void level(const struct vm_journal *j, unsigned l, uint32_t *lo, uint32_t *hi)
{
	*lo = j->start[l];
	*hi = l < j->depth ? j->start[l + 1] : j->count;
}

/* Binary search of level l: true and *at when found, else *at is where it
 * would go. */
static bool find(const struct vm_journal *j, unsigned l, const uint8_t *addr, const uint8_t *key,
		 size_t key_len, uint32_t *at)
{
	uint32_t lo, hi;

	level(j, l, &lo, &hi);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int d = cmp(addr, key, key_len, j->ent[mid]);

		if (d == 0) {
			*at = mid;
			return true;
		}
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*at = lo;
	return false;
}

kr_err_t vm_journal_init(struct vm_journal *j, const struct vm_alloc *a,
			 const struct vm_store *store, uint32_t max_entries, size_t max_bytes)
{
	if (!j || !a || !a->alloc || !a->free || !store || !store->get || !store->set ||
	    !store->del)
		return KR_EINVAL;
	if (!max_entries || max_entries > VM_JOURNAL_ENTRIES_MAX ||
	    max_bytes < VM_JOURNAL_ENTRY_COST + 2)
		return KR_ERANGE;
	memset(j, 0, sizeof(*j));
	j->a = *a;
	j->store = *store;
	j->max_entries = max_entries;
	j->max_bytes = max_bytes;
	j->ent = a->alloc(a->ctx, max_entries * sizeof(*j->ent));
	j->scratch = j->ent ? a->alloc(a->ctx, max_entries * sizeof(*j->scratch)) : NULL;
	if (!j->scratch) {
		if (j->ent)
			a->free(a->ctx, j->ent);
		j->ent = NULL;
		return KR_ENOMEM;
	}
	return KR_OK;
}

/* Free the entries from index from to the end. */
static void drop_from(struct vm_journal *j, uint32_t from)
{
	for (uint32_t i = from; i < j->count; i++) {
		j->bytes -= cost(j->ent[i]);
		j->a.free(j->a.ctx, j->ent[i]);
	}
	j->count = from;
}

void vm_journal_fini(struct vm_journal *j)
{
	if (!j || !j->ent)
		return;
	drop_from(j, 0);
	j->a.free(j->a.ctx, j->ent);
	j->a.free(j->a.ctx, j->scratch);
	j->ent = j->scratch = NULL;
	j->depth = 0;
}

kr_err_t vm_journal_begin(struct vm_journal *j, unsigned *layer)
{
	if (!j || !layer)
		return KR_EINVAL;
	if (j->depth == VM_JOURNAL_DEPTH_MAX)
		return refuse(j, VM_JWHY_DEPTH, KR_ERANGE);
	j->depth++;
	j->start[j->depth] = j->count;
	*layer = j->depth;
	return KR_OK;
}

/* Merge the last level into the one below it; the last's entries win. */
kr_err_t vm_journal_commit(struct vm_journal *j, unsigned layer)
{
	uint32_t lo, mid, hi, a, b, m = 0;

	if (!j)
		return KR_EINVAL;
	if (!j->depth || layer != j->depth)
		return refuse(j, VM_JWHY_LAYER, KR_EINVAL);
	lo = j->start[layer - 1];
	mid = j->start[layer];
	hi = j->count;
	a = lo;
	b = mid;
	while (a < mid && b < hi) {
		const struct vm_change *o = j->ent[a];
		int d = cmp(o->addr, o->key, o->key_len, j->ent[b]);

		if (d == 0) {   /* the same key: the newer write replaces the older */
			j->bytes -= cost(j->ent[a]);
			j->a.free(j->a.ctx, j->ent[a++]);
			j->scratch[m++] = j->ent[b++];
		} else if (d < 0) {
			j->scratch[m++] = j->ent[a++];
		} else {
			j->scratch[m++] = j->ent[b++];
		}
	}
	while (a < mid)
		j->scratch[m++] = j->ent[a++];
	while (b < hi)
		j->scratch[m++] = j->ent[b++];
	memcpy(j->ent + lo, j->scratch, m * sizeof(*j->ent));
	j->count = lo + m;
	j->depth--;
	return KR_OK;
}

kr_err_t vm_journal_revert(struct vm_journal *j, unsigned layer)
{
	if (!j)
		return KR_EINVAL;
	if (!j->depth || layer != j->depth)
		return refuse(j, VM_JWHY_LAYER, KR_EINVAL);
	drop_from(j, j->start[layer]);
	j->depth--;
	return KR_OK;
}

/* The write both set and del make: val NULL for a delete. */
static kr_err_t put(struct vm_journal *j, const uint8_t *addr, const uint8_t *key, size_t key_len,
		    const uint8_t *val, size_t val_len)
{
	struct vm_change *c, *old = NULL;
	size_t need = VM_JOURNAL_ENTRY_COST + key_len + val_len, freed = 0;
	uint32_t at;
	uint8_t *p;

	if (!j || !addr || !key || (val_len && !val))
		return j ? refuse(j, VM_JWHY_ARGS, KR_EINVAL) : KR_EINVAL;
	if (!j->depth)
		return refuse(j, VM_JWHY_NO_LAYER, KR_EINVAL);
	if (key_len == 0 || key_len > KR_VM_KEY_MAX)
		return refuse(j, VM_JWHY_KEY, KR_EINVAL);
	if (val && (val_len == 0 || val_len > KR_VM_VALUE_MAX))
		return refuse(j, VM_JWHY_VALUE, KR_EINVAL);
	if (find(j, j->depth, addr, key, key_len, &at)) {
		old = j->ent[at];
		freed = cost(old);
	}
	if (!old && j->count == j->max_entries)
		return refuse(j, VM_JWHY_ENTRIES, KR_ENOSPC);
	if (j->bytes - freed + need > j->max_bytes)
		return refuse(j, VM_JWHY_BYTES, KR_ENOSPC);
	c = j->a.alloc(j->a.ctx, need);
	if (!c)
		return refuse(j, VM_JWHY_NOMEM, KR_ENOMEM);
	/* Nothing can fail from here on. */
	p = (uint8_t *)(c + 1);
	memcpy(c->addr, addr, KR_VM_ADDR_LEN);
	memcpy(p, key, key_len);
	c->key = p;
	c->key_len = (uint16_t)key_len;
	c->deleted = !val;
	c->val_len = (uint16_t)val_len;
	c->val = NULL;
	if (val) {
		memcpy(p + key_len, val, val_len);
		c->val = p + key_len;
	}
	if (old) {
		j->a.free(j->a.ctx, old);
	} else {
		memmove(j->ent + at + 1, j->ent + at, (j->count - at) * sizeof(*j->ent));
		j->count++;
	}
	j->ent[at] = c;
	j->bytes = j->bytes - freed + need;
	return KR_OK;
}

kr_err_t vm_journal_set(struct vm_journal *j, const uint8_t addr[KR_VM_ADDR_LEN],
			const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len)
{
	if (j && !val)
		return refuse(j, VM_JWHY_VALUE, KR_EINVAL);
	return put(j, addr, key, key_len, val, val_len);
}

kr_err_t vm_journal_del(struct vm_journal *j, const uint8_t addr[KR_VM_ADDR_LEN],
			const uint8_t *key, size_t key_len)
{
	return put(j, addr, key, key_len, NULL, 0);
}

kr_err_t vm_journal_get(struct vm_journal *j, const uint8_t addr[KR_VM_ADDR_LEN],
			const uint8_t *key, size_t key_len, uint8_t *val, size_t cap,
			size_t *val_len)
{
	uint32_t at;

	if (!j || !addr || !key || !val_len || (cap && !val))
		return j ? refuse(j, VM_JWHY_ARGS, KR_EINVAL) : KR_EINVAL;
	if (key_len == 0 || key_len > KR_VM_KEY_MAX)
		return refuse(j, VM_JWHY_KEY, KR_EINVAL);
	for (unsigned l = j->depth + 1; l-- > 0;) {
		const struct vm_change *c;

		if (!find(j, l, addr, key, key_len, &at))
			continue;
		c = j->ent[at];
		if (c->deleted)
			return KR_ENOENT;
		*val_len = c->val_len;
		if (cap < c->val_len)
			return KR_ENOSPC;
		memcpy(val, c->val, c->val_len);
		return KR_OK;
	}
	return j->store.get(j->store.ctx, addr, key, key_len, val, cap, val_len);
}

kr_err_t vm_journal_changes(const struct vm_journal *j, struct vm_change *const **list,
			    uint32_t *n)
{
	if (!j || !list || !n)
		return KR_EINVAL;
	if (j->depth)
		return KR_EBUSY;
	*list = j->ent;
	*n = j->count;
	return KR_OK;
}

kr_err_t vm_journal_apply(struct vm_journal *j)
{
	if (!j)
		return KR_EINVAL;
	if (j->depth)
		return refuse(j, VM_JWHY_BUSY, KR_EBUSY);
	for (uint32_t i = 0; i < j->count; i++) {
		const struct vm_change *c = j->ent[i];
		kr_err_t e = c->deleted ?
			j->store.del(j->store.ctx, c->addr, c->key, c->key_len) :
			j->store.set(j->store.ctx, c->addr, c->key, c->key_len, c->val, c->val_len);

		if (e != KR_OK)
			return e;
	}
	drop_from(j, 0);
	return KR_OK;
}

kr_err_t vm_journal_discard(struct vm_journal *j)
{
	if (!j)
		return KR_EINVAL;
	if (j->depth)
		return refuse(j, VM_JWHY_BUSY, KR_EBUSY);
	drop_from(j, 0);
	return KR_OK;
}
