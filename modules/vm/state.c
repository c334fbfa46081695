/*
 * state.c - the VM's committed storage, its state tree and its contracts
 * (state.h).  The table's order is never seen: nothing is hashed, listed
 * or replayed in it (the journal hands writes over in canonical order and
 * the tree's root depends only on the set).
 */
#include <karyon/libc.h>
#include "state.h"

const uint8_t vm_system_addr[KR_VM_ADDR_LEN];

struct vm_kv {
	uint64_t h;
	uint8_t addr[KR_VM_ADDR_LEN];
	uint16_t klen, vlen;
	uint8_t bytes[];                /* key, then value */
};

static uint64_t kv_hash(const uint8_t *addr, const uint8_t *key, size_t klen)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < KR_VM_ADDR_LEN; i++)
		h = (h ^ addr[i]) * 0x100000001b3ull;
	for (size_t i = 0; i < klen; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static void *smt_get_mem(void *ctx, size_t n)
{
	(void)ctx;
	return vm_alloc(n);
}

static void smt_put_mem(void *ctx, void *p)
{
	(void)ctx;
	vm_release(p);
}

kr_err_t vm_state_init(struct vm_state *s)
{
	static const struct smt_alloc a = { smt_get_mem, smt_put_mem, NULL };

	*s = (struct vm_state){ 0 };
	s->cap = 1024;
	s->tab = vm_alloc(s->cap * sizeof(*s->tab));
	if (!s->tab)
		return KR_ENOMEM;
	memset(s->tab, 0, s->cap * sizeof(*s->tab));
	smt_init(&s->tree, &a);
	return KR_OK;
}

void vm_state_fini(struct vm_state *s)
{
	for (uint32_t i = 0; s->tab && i < s->cap; i++)
		vm_release(s->tab[i]);
	vm_release(s->tab);
	for (uint32_t i = 0; i < s->ncon; i++) {
		vm_release(s->con[i]->src);
		vm_release(s->con[i]);
	}
	vm_release(s->con);
	smt_free(&s->tree);
	*s = (struct vm_state){ 0 };
}

/* ---- the table ---- */

static uint32_t slot_of(const struct vm_state *s, uint64_t h, const uint8_t *addr,
			const uint8_t *key, size_t klen, bool *found)
{
	uint32_t m = s->cap - 1, i = (uint32_t)h & m;

	for (;; i = (i + 1) & m) {
		const struct vm_kv *e = s->tab[i];

		if (!e) {
			*found = false;
			return i;
		}
		if (e->h == h && e->klen == klen && !memcmp(e->addr, addr, KR_VM_ADDR_LEN) &&
		    !memcmp(e->bytes, key, klen)) {
			*found = true;
			return i;
		}
	}
}

static kr_err_t grow(struct vm_state *s)
{
	uint32_t ncap = s->cap * 2;
	struct vm_kv **t = vm_alloc(ncap * sizeof(*t)), **old = s->tab;
	uint32_t ocap = s->cap;

	if (!t)
		return KR_ENOMEM;
	memset(t, 0, ncap * sizeof(*t));
	s->tab = t;
	s->cap = ncap;
	for (uint32_t i = 0; i < ocap; i++) {
		uint32_t j;

		if (!old[i])
			continue;
		for (j = (uint32_t)old[i]->h & (ncap - 1); t[j]; j = (j + 1) & (ncap - 1))
			;
		t[j] = old[i];
	}
	vm_release(old);
	return KR_OK;
}

/* Remove slot i, shifting back the entries that probed past it. */
static void unslot(struct vm_state *s, uint32_t i)
{
	uint32_t m = s->cap - 1, j = i;

	vm_release(s->tab[i]);
	s->tab[i] = NULL;
	for (;;) {
		uint32_t home;

		j = (j + 1) & m;
		if (!s->tab[j])
			break;
		home = (uint32_t)s->tab[j]->h & m;
		/* Can the entry at j move to i?  Only if its home is not in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			s->tab[i] = s->tab[j];
			s->tab[j] = NULL;
			i = j;
		}
	}
	s->n--;
}

kr_err_t vm_state_get(struct vm_state *s, const uint8_t addr[KR_VM_ADDR_LEN], const uint8_t *key,
		      size_t klen, uint8_t *val, size_t cap, size_t *vlen)
{
	bool found;
	uint32_t i;
	const struct vm_kv *e;

	if (!klen || klen > KR_VM_KEY_MAX)
		return KR_EINVAL;
	i = slot_of(s, kv_hash(addr, key, klen), addr, key, klen, &found);
	if (!found)
		return KR_ENOENT;
	e = s->tab[i];
	*vlen = e->vlen;
	if (cap < e->vlen)
		return KR_ENOSPC;
	memcpy(val, e->bytes + e->klen, e->vlen);
	return KR_OK;
}

static kr_err_t st_get(void *ctx, const uint8_t addr[KR_VM_ADDR_LEN], const uint8_t *key,
		       size_t klen, uint8_t *val, size_t cap, size_t *vlen)
{
	return vm_state_get(ctx, addr, key, klen, val, cap, vlen);
}

static kr_err_t st_set(void *ctx, const uint8_t addr[KR_VM_ADDR_LEN], const uint8_t *key,
		       size_t klen, const uint8_t *val, size_t vlen)
{
	struct vm_state *s = ctx;
	uint64_t h = kv_hash(addr, key, klen);
	uint8_t leaf[SMT_HASH_LEN];
	struct vm_kv *e;
	bool found;
	uint32_t i;
	kr_err_t err;

	if (!klen || klen > KR_VM_KEY_MAX || !vlen || vlen > KR_VM_VALUE_MAX)
		return KR_EINVAL;
	if ((s->n + 1) * 10 > s->cap * 7 && (err = grow(s)))
		return err;
	e = vm_alloc(sizeof(*e) + klen + vlen);
	if (!e)
		return KR_ENOMEM;
	smt_leaf_key(leaf, addr, key, klen);
	err = smt_set(&s->tree, leaf, val, vlen);
	if (err) {
		vm_release(e);
		return err;
	}
	e->h = h;
	memcpy(e->addr, addr, KR_VM_ADDR_LEN);
	e->klen = (uint16_t)klen;
	e->vlen = (uint16_t)vlen;
	memcpy(e->bytes, key, klen);
	memcpy(e->bytes + klen, val, vlen);
	i = slot_of(s, h, addr, key, klen, &found);
	if (found)
		vm_release(s->tab[i]);
	else
		s->n++;
	s->tab[i] = e;
	return KR_OK;
}

static kr_err_t st_del(void *ctx, const uint8_t addr[KR_VM_ADDR_LEN], const uint8_t *key,
		       size_t klen)
{
	struct vm_state *s = ctx;
	uint8_t leaf[SMT_HASH_LEN];
	bool found;
	uint32_t i;
	kr_err_t err;

	if (!klen || klen > KR_VM_KEY_MAX)
		return KR_EINVAL;
	i = slot_of(s, kv_hash(addr, key, klen), addr, key, klen, &found);
	if (!found)
		return KR_OK;
	smt_leaf_key(leaf, addr, key, klen);
	err = smt_delete(&s->tree, leaf);
	if (err && err != KR_ENOENT)
		return err;
	unslot(s, i);
	return KR_OK;
}

void vm_state_store(struct vm_state *s, struct vm_store *out)
{
	*out = (struct vm_store){ st_get, st_set, st_del, s };
}

void vm_state_root(struct vm_state *s, uint8_t out[KR_VM_HASH_LEN])
{
	smt_root(&s->tree, out);
}

kr_err_t vm_state_prove(struct vm_state *s, const uint8_t addr[KR_VM_ADDR_LEN],
			const uint8_t *key, size_t klen, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t leaf[SMT_HASH_LEN];
	kr_err_t e = smt_leaf_key(leaf, addr, key, klen);

	return e ? e : smt_prove(&s->tree, leaf, out, cap, len);
}

/* ---- contracts ---- */

static uint32_t con_pos(const struct vm_state *s, const uint8_t *addr, bool *found)
{
	uint32_t lo = 0, hi = s->ncon;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		int c = memcmp(s->con[mid]->addr, addr, KR_VM_ADDR_LEN);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

kr_err_t vm_contract_add(struct vm_state *s, const uint8_t addr[KR_VM_ADDR_LEN], const char *name,
			 const uint8_t code_hash[KR_VM_HASH_LEN], const void *src, uint32_t len,
			 uint64_t height, struct vm_contract **out)
{
	struct vm_contract *c;
	bool found;
	uint32_t at = con_pos(s, addr, &found);

	if (found)
		return KR_EEXIST;
	if (strlen(name) >= VM_NAME_MAX)
		return KR_ERANGE;
	if (s->ncon == s->capcon) {
		uint32_t ncap = s->capcon ? s->capcon * 2 : 16;
		struct vm_contract **t = vm_alloc(ncap * sizeof(*t));

		if (!t)
			return KR_ENOMEM;
		if (s->ncon)
			memcpy(t, s->con, s->ncon * sizeof(*t));
		vm_release(s->con);
		s->con = t;
		s->capcon = ncap;
	}
	c = vm_alloc(sizeof(*c));
	if (!c)
		return KR_ENOMEM;
	*c = (struct vm_contract){ .src_len = len, .height = height, .id = -1 };
	c->src = vm_alloc(len ? len : 1);
	if (!c->src) {
		vm_release(c);
		return KR_ENOMEM;
	}
	memcpy(c->src, src, len);
	memcpy(c->addr, addr, KR_VM_ADDR_LEN);
	memcpy(c->code_hash, code_hash, KR_VM_HASH_LEN);
	memcpy(c->name, name, strlen(name) + 1);
	c->order = ++s->added;
	memmove(s->con + at + 1, s->con + at, (s->ncon - at) * sizeof(*s->con));
	s->con[at] = c;
	s->ncon++;
	if (out)
		*out = c;
	return KR_OK;
}

struct vm_contract *vm_contract_get(const struct vm_state *s, const uint8_t addr[KR_VM_ADDR_LEN])
{
	bool found;
	uint32_t at = con_pos(s, addr, &found);

	return found ? s->con[at] : NULL;
}

struct vm_contract *vm_contract_named(const struct vm_state *s, const char *name)
{
	struct vm_contract *best = NULL;

	for (uint32_t i = 0; i < s->ncon; i++)
		if (!strcmp(s->con[i]->name, name) && (!best || s->con[i]->order > best->order))
			best = s->con[i];
	return best;
}

void vm_contract_remove(struct vm_state *s, struct vm_contract *c)
{
	bool found;
	uint32_t at = con_pos(s, c->addr, &found);

	if (!found || s->con[at] != c)
		return;
	memmove(s->con + at, s->con + at + 1, (s->ncon - at - 1) * sizeof(*s->con));
	s->ncon--;
	vm_release(c->src);
	vm_release(c);
}
