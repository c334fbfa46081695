/*
 * test_vm_journal.c - the contract VM's storage journal
 * (modules/vm/journal.c): nested layers, a reverted inner layer keeping
 * the outer's writes, delete then get, the canonical order of the change
 * list, the limits (entries, bytes, depth, lengths) and their reasons, an
 * allocator and a store that fail, and seeded random operation sequences
 * against a naive model (a stack of small maps), with the memory the
 * journal holds counted and freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vm/journal.h"

/* ---- a map: the test's store and the model's levels ---- */

struct item {
	uint8_t addr[32];
	uint8_t key[KR_VM_KEY_MAX];
	size_t key_len;
	uint8_t val[KR_VM_VALUE_MAX];
	size_t val_len;
	bool deleted;           /* a tombstone (model levels only) */
};

struct map {
	struct item *it;
	size_t n, cap;
};

static struct item *map_find(struct map *m, const uint8_t *addr, const uint8_t *key, size_t kl)
{
	for (size_t i = 0; i < m->n; i++)
		if (!memcmp(m->it[i].addr, addr, 32) && m->it[i].key_len == kl &&
		    !memcmp(m->it[i].key, key, kl))
			return &m->it[i];
	return NULL;
}

static void map_put(struct map *m, const uint8_t *addr, const uint8_t *key, size_t kl,
		    const uint8_t *val, size_t vl, bool deleted)
{
	struct item *it = map_find(m, addr, key, kl);

	if (!it) {
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 16;
			m->it = realloc(m->it, m->cap * sizeof(*m->it));
		}
		it = &m->it[m->n++];
		memcpy(it->addr, addr, 32);
		memcpy(it->key, key, kl);
		it->key_len = kl;
	}
	if (vl)
		memcpy(it->val, val, vl);
	it->val_len = vl;
	it->deleted = deleted;
}

static void map_remove(struct map *m, struct item *it)
{
	*it = m->it[--m->n];
}

static void map_free(struct map *m)
{
	free(m->it);
	memset(m, 0, sizeof(*m));
}

/* ---- the store the journal sits on ---- */

struct store {
	struct map m;
	int fail_at;            /* set/del calls before one fails (-1: never) */
	int calls;
};

static kr_err_t st_get(void *ctx, const uint8_t *addr, const uint8_t *key, size_t kl,
		       uint8_t *val, size_t cap, size_t *vl)
{
	struct item *it = map_find(&((struct store *)ctx)->m, addr, key, kl);

	if (!it)
		return KR_ENOENT;
	*vl = it->val_len;
	if (cap < it->val_len)
		return KR_ENOSPC;
	memcpy(val, it->val, it->val_len);
	return KR_OK;
}

static kr_err_t st_set(void *ctx, const uint8_t *addr, const uint8_t *key, size_t kl,
		       const uint8_t *val, size_t vl)
{
	struct store *s = ctx;

	if (s->fail_at >= 0 && s->calls++ == s->fail_at)
		return KR_EIO;
	map_put(&s->m, addr, key, kl, val, vl, false);
	return KR_OK;
}

static kr_err_t st_del(void *ctx, const uint8_t *addr, const uint8_t *key, size_t kl)
{
	struct store *s = ctx;
	struct item *it;

	if (s->fail_at >= 0 && s->calls++ == s->fail_at)
		return KR_EIO;
	if ((it = map_find(&s->m, addr, key, kl)))
		map_remove(&s->m, it);
	return KR_OK;
}

/* ---- a counting allocator that can be told to fail ---- */

struct heap {
	size_t live, peak, allocs;
	long fail_in;           /* allocations before one fails (-1: never) */
};

static void *h_alloc(void *ctx, size_t n)
{
	struct heap *h = ctx;
	size_t *p;

	if (h->fail_in == 0)
		return NULL;
	if (h->fail_in > 0)
		h->fail_in--;
	p = malloc(n + sizeof(size_t));
	*p = n;
	h->live += n;
	h->allocs++;
	if (h->live > h->peak)
		h->peak = h->live;
	return p + 1;
}

static void h_free(void *ctx, void *q)
{
	struct heap *h = ctx;
	size_t *p = (size_t *)q - 1;

	h->live -= *p;
	h->allocs--;
	free(p);
}

struct fixture {
	struct heap heap;
	struct store store;
	struct vm_alloc a;
	struct vm_store s;
	struct vm_journal j;
};

static void setup(struct fixture *f, uint32_t entries, size_t bytes)
{
	memset(f, 0, sizeof(*f));
	f->heap.fail_in = -1;
	f->store.fail_at = -1;
	f->a = (struct vm_alloc){ h_alloc, h_free, &f->heap };
	f->s = (struct vm_store){ st_get, st_set, st_del, &f->store };
	assert_int_equal(vm_journal_init(&f->j, &f->a, &f->s, entries, bytes), KR_OK);
}

static void teardown(struct fixture *f)
{
	vm_journal_fini(&f->j);
	assert_int_equal(f->heap.live, 0);
	assert_int_equal(f->heap.allocs, 0);
	map_free(&f->store.m);
}

static uint8_t A[32] = { 0xA }, B[32] = { 0xB };

static void set_s(struct fixture *f, const uint8_t *addr, const char *k, const char *v)
{
	assert_int_equal(vm_journal_set(&f->j, addr, (const uint8_t *)k, strlen(k),
					(const uint8_t *)v, strlen(v)),
			 KR_OK);
}

/* get must answer v (NULL: absent). */
static void get_is(struct fixture *f, const uint8_t *addr, const char *k, const char *v)
{
	uint8_t buf[KR_VM_VALUE_MAX];
	size_t n = 0;
	kr_err_t e = vm_journal_get(&f->j, addr, (const uint8_t *)k, strlen(k), buf, sizeof(buf),
				    &n);

	if (!v) {
		assert_int_equal(e, KR_ENOENT);
		return;
	}
	assert_int_equal(e, KR_OK);
	assert_int_equal(n, strlen(v));
	assert_memory_equal(buf, v, n);
}

static void test_nested(void **state)
{
	struct fixture f;
	unsigned l1, l2, l3;

	(void)state;
	setup(&f, 64, 1 << 16);
	map_put(&f.store.m, A, (const uint8_t *)"s", 1, (const uint8_t *)"store", 5, false);
	assert_int_equal(vm_journal_begin(&f.j, &l1), KR_OK);
	assert_int_equal(l1, 1);
	set_s(&f, A, "a", "1");
	get_is(&f, A, "s", "store");
	assert_int_equal(vm_journal_begin(&f.j, &l2), KR_OK);
	assert_int_equal(l2, 2);
	set_s(&f, A, "a", "2");
	set_s(&f, A, "b", "2");
	set_s(&f, A, "s", "over");
	get_is(&f, A, "a", "2");
	get_is(&f, A, "s", "over");
	assert_int_equal(vm_journal_begin(&f.j, &l3), KR_OK);
	set_s(&f, B, "a", "3");
	get_is(&f, A, "a", "2");        /* addresses are namespaces */
	get_is(&f, B, "a", "3");
	/* The innermost first: l2 cannot end while l3 is open. */
	assert_int_equal(vm_journal_commit(&f.j, l2), KR_EINVAL);
	assert_string_equal(f.j.why, VM_JWHY_LAYER);
	assert_int_equal(vm_journal_revert(&f.j, l2), KR_EINVAL);
	assert_int_equal(vm_journal_commit(&f.j, l3), KR_OK);
	get_is(&f, B, "a", "3");
	/* Reverting the inner layer keeps the outer's writes. */
	assert_int_equal(vm_journal_revert(&f.j, l2), KR_OK);
	get_is(&f, A, "a", "1");
	get_is(&f, A, "b", NULL);
	get_is(&f, B, "a", NULL);
	get_is(&f, A, "s", "store");
	assert_int_equal(vm_journal_commit(&f.j, l1), KR_OK);
	get_is(&f, A, "a", "1");        /* pending, seen before apply */
	assert_null(map_find(&f.store.m, A, (const uint8_t *)"a", 1));
	assert_int_equal(vm_journal_apply(&f.j), KR_OK);
	struct item *it = map_find(&f.store.m, A, (const uint8_t *)"a", 1);
	assert_non_null(it);
	assert_memory_equal(it->val, "1", 1);
	assert_int_equal(f.store.m.n, 2);
	/* A transaction that reverts leaves nothing. */
	assert_int_equal(vm_journal_begin(&f.j, &l1), KR_OK);
	set_s(&f, A, "x", "y");
	assert_int_equal(vm_journal_revert(&f.j, l1), KR_OK);
	struct vm_change *const *list;
	uint32_t n;
	assert_int_equal(vm_journal_changes(&f.j, &list, &n), KR_OK);
	assert_int_equal(n, 0);
	teardown(&f);
}

static void test_delete_then_get(void **state)
{
	struct fixture f;
	unsigned l1, l2;
	struct vm_change *const *list;
	uint32_t n;

	(void)state;
	setup(&f, 64, 1 << 16);
	map_put(&f.store.m, A, (const uint8_t *)"k", 1, (const uint8_t *)"v", 1, false);
	assert_int_equal(vm_journal_begin(&f.j, &l1), KR_OK);
	assert_int_equal(vm_journal_del(&f.j, A, (const uint8_t *)"k", 1), KR_OK);
	get_is(&f, A, "k", NULL);       /* the tombstone hides the store */
	assert_int_equal(vm_journal_begin(&f.j, &l2), KR_OK);
	get_is(&f, A, "k", NULL);
	set_s(&f, A, "k", "again");
	get_is(&f, A, "k", "again");
	assert_int_equal(vm_journal_del(&f.j, A, (const uint8_t *)"k", 1), KR_OK);
	get_is(&f, A, "k", NULL);
	assert_int_equal(vm_journal_revert(&f.j, l2), KR_OK);
	get_is(&f, A, "k", NULL);
	assert_int_equal(vm_journal_commit(&f.j, l1), KR_OK);
	get_is(&f, A, "k", NULL);
	assert_int_equal(vm_journal_changes(&f.j, &list, &n), KR_OK);
	assert_int_equal(n, 1);
	assert_true(list[0]->deleted);
	assert_null(list[0]->val);
	assert_int_equal(vm_journal_apply(&f.j), KR_OK);
	assert_int_equal(f.store.m.n, 0);
	get_is(&f, A, "k", NULL);
	/* Deleting what was never there is harmless. */
	assert_int_equal(vm_journal_begin(&f.j, &l1), KR_OK);
	assert_int_equal(vm_journal_del(&f.j, B, (const uint8_t *)"none", 4), KR_OK);
	assert_int_equal(vm_journal_commit(&f.j, l1), KR_OK);
	assert_int_equal(vm_journal_apply(&f.j), KR_OK);
	/* A value too long for the caller's buffer: the length needed. */
	assert_int_equal(vm_journal_begin(&f.j, &l1), KR_OK);
	set_s(&f, A, "long", "0123456789");
	uint8_t small[4];
	size_t vl = 0;
	assert_int_equal(vm_journal_get(&f.j, A, (const uint8_t *)"long", 4, small, 4, &vl),
			 KR_ENOSPC);
	assert_int_equal(vl, 10);
	teardown(&f);
}

/* The reference order: address bytes, then key bytes, a prefix first. */
static int ref_cmp(const struct vm_change *a, const struct vm_change *b)
{
	int d = memcmp(a->addr, b->addr, 32);
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;

	if (d)
		return d;
	if ((d = memcmp(a->key, b->key, n)))
		return d;
	return (int)a->key_len - (int)b->key_len;
}

static void test_commit_order(void **state)
{
	static const char *const keys[] = { "b", "a\x01", "a", "\xff", "a\x00", "ab", "\x00",
					    "aa", "a\xff\xff", "ba" };
	static const char *const want[] = { "\x00", "a", "a\x00", "a\x01", "aa", "ab",
					    "a\xff\xff", "b", "ba", "\xff" };
	static const size_t lens[] = { 1, 2, 1, 1, 2, 2, 1, 2, 3, 2 };
	static const size_t wlens[] = { 1, 1, 2, 2, 2, 2, 3, 1, 2, 1 };
	struct fixture f;
	unsigned l;
	struct vm_change *const *list;
	uint32_t n;
	uint8_t addr[3][32] = { { 0 }, { 0 }, { 0 } };

	(void)state;
	addr[0][31] = 2;        /* the last byte orders too */
	addr[1][0] = 1;
	addr[2][31] = 1;
	setup(&f, 256, 1 << 16);
	/* Written in a scrambled order, across nested layers. */
	for (int round = 0; round < 3; round++) {
		unsigned layers[3];

		assert_int_equal(vm_journal_begin(&f.j, &layers[0]), KR_OK);
		for (size_t i = 0; i < 10; i++) {
			if (i == 4)
				assert_int_equal(vm_journal_begin(&f.j, &layers[1]), KR_OK);
			if (i == 7)
				assert_int_equal(vm_journal_begin(&f.j, &layers[2]), KR_OK);
			assert_int_equal(vm_journal_set(&f.j, addr[(round + i) % 3],
							(const uint8_t *)keys[i], lens[i],
							(const uint8_t *)"v", 1),
					 KR_OK);
		}
		assert_int_equal(vm_journal_commit(&f.j, layers[2]), KR_OK);
		assert_int_equal(vm_journal_commit(&f.j, layers[1]), KR_OK);
		assert_int_equal(vm_journal_commit(&f.j, layers[0]), KR_OK);
	}
	assert_int_equal(vm_journal_changes(&f.j, &list, &n), KR_OK);
	assert_int_equal(n, 30);
	/* addr {0..0,1} < {0..0,2} < {1,0..0}; within each, want's order. */
	static const int aorder[3] = { 2, 0, 1 };
	for (uint32_t i = 0; i < n; i++) {
		assert_memory_equal(list[i]->addr, addr[aorder[i / 10]], 32);
		assert_int_equal(list[i]->key_len, wlens[i % 10]);
		assert_memory_equal(list[i]->key, want[i % 10], wlens[i % 10]);
		if (i)
			assert_true(ref_cmp(list[i - 1], list[i]) < 0);
	}
	/* The store receives them in that order. */
	assert_int_equal(vm_journal_apply(&f.j), KR_OK);
	assert_int_equal(f.store.m.n, 30);
	(void)l;
	teardown(&f);
}

static void test_limits(void **state)
{
	struct fixture f;
	unsigned l, ls[VM_JOURNAL_DEPTH_MAX];
	uint8_t big[KR_VM_VALUE_MAX + 1] = { 0 }, key[KR_VM_KEY_MAX + 1] = { 0 };
	struct vm_change *const *list;
	uint32_t n;

	(void)state;
	/* Arguments. */
	setup(&f, 4, 1 << 16);
	struct vm_journal j2;
	assert_int_equal(vm_journal_init(&j2, NULL, &f.s, 4, 1 << 16), KR_EINVAL);
	assert_int_equal(vm_journal_init(&j2, &f.a, &f.s, 0, 1 << 16), KR_ERANGE);
	assert_int_equal(vm_journal_init(&j2, &f.a, &f.s, VM_JOURNAL_ENTRIES_MAX + 1, 1 << 16),
			 KR_ERANGE);
	assert_int_equal(vm_journal_init(&j2, &f.a, &f.s, 4, 8), KR_ERANGE);
	/* No layer open. */
	assert_int_equal(vm_journal_set(&f.j, A, key, 1, big, 1), KR_EINVAL);
	assert_string_equal(f.j.why, VM_JWHY_NO_LAYER);
	assert_int_equal(vm_journal_commit(&f.j, 1), KR_EINVAL);
	assert_int_equal(vm_journal_revert(&f.j, 0), KR_EINVAL);
	/* Lengths. */
	assert_int_equal(vm_journal_begin(&f.j, &l), KR_OK);
	assert_int_equal(vm_journal_set(&f.j, A, key, 0, big, 1), KR_EINVAL);
	assert_string_equal(f.j.why, VM_JWHY_KEY);
	assert_int_equal(vm_journal_set(&f.j, A, key, KR_VM_KEY_MAX + 1, big, 1), KR_EINVAL);
	assert_string_equal(f.j.why, VM_JWHY_KEY);
	assert_int_equal(vm_journal_del(&f.j, A, key, KR_VM_KEY_MAX + 1), KR_EINVAL);
	assert_int_equal(vm_journal_set(&f.j, A, key, 1, big, 0), KR_EINVAL);
	assert_string_equal(f.j.why, VM_JWHY_VALUE);
	assert_int_equal(vm_journal_set(&f.j, A, key, 1, big, KR_VM_VALUE_MAX + 1), KR_EINVAL);
	assert_string_equal(f.j.why, VM_JWHY_VALUE);
	assert_int_equal(vm_journal_set(&f.j, A, key, 1, NULL, 1), KR_EINVAL);
	assert_int_equal(vm_journal_set(&f.j, A, key, KR_VM_KEY_MAX, big, KR_VM_VALUE_MAX), KR_OK);
	/* Changes and apply wait for the layers to close. */
	assert_int_equal(vm_journal_changes(&f.j, &list, &n), KR_EBUSY);
	assert_int_equal(vm_journal_apply(&f.j), KR_EBUSY);
	assert_int_equal(vm_journal_discard(&f.j), KR_EBUSY);
	/* Entries: 4 in all levels. */
	for (uint8_t k = 1; k < 4; k++)
		assert_int_equal(vm_journal_set(&f.j, A, &k, 1, big, 1), KR_OK);
	uint8_t k5 = 5;
	assert_int_equal(vm_journal_set(&f.j, A, &k5, 1, big, 1), KR_ENOSPC);
	assert_string_equal(f.j.why, VM_JWHY_ENTRIES);
	uint8_t k1 = 1;
	assert_int_equal(vm_journal_set(&f.j, A, &k1, 1, big, 9), KR_OK);      /* overwrite */
	assert_int_equal(vm_journal_del(&f.j, A, &k1, 1), KR_OK);
	/* A key held below still needs an entry of its own in a new layer. */
	unsigned l2;
	assert_int_equal(vm_journal_begin(&f.j, &l2), KR_OK);
	assert_int_equal(vm_journal_set(&f.j, A, &k1, 1, big, 1), KR_ENOSPC);
	assert_int_equal(vm_journal_revert(&f.j, l2), KR_OK);
	assert_int_equal(vm_journal_revert(&f.j, l), KR_OK);
	assert_int_equal(f.heap.live, 2 * 4 * sizeof(void *));
	teardown(&f);

	/* Bytes: the budget counts each entry's cost, key and value. */
	size_t budget = 3 * (VM_JOURNAL_ENTRY_COST + 1 + 100);
	setup(&f, 100, budget);
	assert_int_equal(vm_journal_begin(&f.j, &l), KR_OK);
	for (uint8_t k = 0; k < 3; k++)
		assert_int_equal(vm_journal_set(&f.j, B, &k, 1, big, 100), KR_OK);
	uint8_t k3 = 3;
	assert_int_equal(vm_journal_set(&f.j, B, &k3, 1, big, 1), KR_ENOSPC);
	assert_string_equal(f.j.why, VM_JWHY_BYTES);
	uint8_t k0 = 0;
	assert_int_equal(vm_journal_set(&f.j, B, &k0, 1, big, 101), KR_ENOSPC);
	assert_int_equal(vm_journal_set(&f.j, B, &k0, 1, big, 50), KR_OK);    /* shrinks */
	assert_int_equal(vm_journal_del(&f.j, B, &k0, 1), KR_OK);             /* frees 100 */
	assert_int_equal(vm_journal_set(&f.j, B, &k3, 1, big, 100 - VM_JOURNAL_ENTRY_COST),
			 KR_ENOSPC);
	assert_int_equal(vm_journal_set(&f.j, B, &k3, 1, big, 99 - VM_JOURNAL_ENTRY_COST), KR_OK);
	assert_int_equal(f.j.bytes, budget);
	assert_true(f.j.bytes <= budget);
	assert_true(f.heap.live <= budget + 2 * 100 * sizeof(void *));
	teardown(&f);

	/* Depth. */
	setup(&f, 100, 1 << 16);
	for (unsigned d = 0; d < VM_JOURNAL_DEPTH_MAX; d++) {
		assert_int_equal(vm_journal_begin(&f.j, &ls[d]), KR_OK);
		assert_int_equal(ls[d], d + 1);
		assert_int_equal(vm_journal_set(&f.j, A, (const uint8_t *)"d", 1,
						(const uint8_t *)&d, 1), KR_OK);
	}
	assert_int_equal(vm_journal_begin(&f.j, &l), KR_ERANGE);
	assert_string_equal(f.j.why, VM_JWHY_DEPTH);
	for (unsigned d = VM_JOURNAL_DEPTH_MAX; d-- > 0;)
		assert_int_equal(vm_journal_commit(&f.j, ls[d]), KR_OK);
	assert_int_equal(vm_journal_changes(&f.j, &list, &n), KR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0]->val[0], VM_JOURNAL_DEPTH_MAX - 1);   /* the innermost won */
	teardown(&f);
}

/* An allocator that fails: init and set refuse, and change nothing. */
static void test_nomem(void **state)
{
	struct fixture f;
	struct vm_journal j2;
	unsigned l;

	(void)state;
	setup(&f, 16, 1 << 16);
	for (long fail = 0; fail < 2; fail++) {
		f.heap.fail_in = fail;
		assert_int_equal(vm_journal_init(&j2, &f.a, &f.s, 16, 1 << 16), KR_ENOMEM);
	}
	f.heap.fail_in = -1;
	assert_int_equal(vm_journal_begin(&f.j, &l), KR_OK);
	set_s(&f, A, "k", "old");
	size_t live = f.heap.live;
	f.heap.fail_in = 0;
	assert_int_equal(vm_journal_set(&f.j, A, (const uint8_t *)"k", 1, (const uint8_t *)"n", 1),
			 KR_ENOMEM);
	assert_string_equal(f.j.why, VM_JWHY_NOMEM);
	assert_int_equal(vm_journal_set(&f.j, A, (const uint8_t *)"j", 1, (const uint8_t *)"n", 1),
			 KR_ENOMEM);
	assert_int_equal(f.heap.live, live);
	get_is(&f, A, "k", "old");
	get_is(&f, A, "j", NULL);
	/* Commit and revert never allocate. */
	unsigned l2;
	assert_int_equal(vm_journal_begin(&f.j, &l2), KR_OK);
	assert_int_equal(vm_journal_revert(&f.j, l2), KR_OK);
	assert_int_equal(vm_journal_commit(&f.j, l), KR_OK);
	f.heap.fail_in = -1;
	teardown(&f);
}

/* A store that fails mid-apply keeps every change; the retry applies. */
static void test_apply_error(void **state)
{
	struct fixture f;
	unsigned l;
	uint32_t n;
	struct vm_change *const *list;

	(void)state;
	setup(&f, 16, 1 << 16);
	assert_int_equal(vm_journal_begin(&f.j, &l), KR_OK);
	set_s(&f, A, "1", "a");
	set_s(&f, A, "2", "b");
	assert_int_equal(vm_journal_del(&f.j, A, (const uint8_t *)"3", 1), KR_OK);
	assert_int_equal(vm_journal_commit(&f.j, l), KR_OK);
	f.store.fail_at = 1;
	assert_int_equal(vm_journal_apply(&f.j), KR_EIO);
	assert_int_equal(vm_journal_changes(&f.j, &list, &n), KR_OK);
	assert_int_equal(n, 3);
	f.store.fail_at = -1;
	assert_int_equal(vm_journal_apply(&f.j), KR_OK);
	assert_int_equal(f.store.m.n, 2);
	assert_int_equal(vm_journal_changes(&f.j, &list, &n), KR_OK);
	assert_int_equal(n, 0);
	/* Discard drops pending changes without the store. */
	assert_int_equal(vm_journal_begin(&f.j, &l), KR_OK);
	set_s(&f, B, "x", "y");
	assert_int_equal(vm_journal_commit(&f.j, l), KR_OK);
	assert_int_equal(vm_journal_discard(&f.j), KR_OK);
	get_is(&f, B, "x", NULL);
	assert_int_equal(f.store.m.n, 2);
	teardown(&f);
}

/* ---- against a model ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

struct model {
	struct map level[VM_JOURNAL_DEPTH_MAX + 1];     /* 0: pending */
	unsigned depth;
	struct map store;
};

/* The model's read: innermost level first, then the store. */
static const struct item *model_get(struct model *m, const uint8_t *addr, const uint8_t *key,
				    size_t kl)
{
	for (unsigned l = m->depth + 1; l-- > 0;) {
		const struct item *it = map_find(&m->level[l], addr, key, kl);

		if (it)
			return it->deleted ? NULL : it;
	}
	return map_find(&m->store, addr, key, kl);
}

static void model_merge(struct map *into, struct map *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct item *it = &from->it[i];

		map_put(into, it->addr, it->key, it->key_len, it->val, it->val_len, it->deleted);
	}
	from->n = 0;
}

static void rnd_key(uint8_t *addr, uint8_t *key, size_t *kl)
{
	static const uint8_t alpha[] = { 0x00, 0x01, 'a', 0xFF };

	memset(addr, 0, 32);
	addr[rnd() % 2 ? 0 : 31] = (uint8_t)(rnd() % 3);
	*kl = 1 + rnd() % 3;
	if (rnd() % 50 == 0)
		*kl = KR_VM_KEY_MAX;
	for (size_t i = 0; i < *kl; i++)
		key[i] = alpha[rnd() % 4];
}

static void run_model(uint64_t seed, int steps, uint32_t max_entries, size_t max_bytes)
{
	struct fixture f;
	struct model m;
	unsigned layers = 0;

	memset(&m, 0, sizeof(m));
	rng_state = seed;
	setup(&f, max_entries, max_bytes);
	for (int step = 0; step < steps; step++) {
		uint8_t addr[32], key[KR_VM_KEY_MAX], val[KR_VM_VALUE_MAX], got[KR_VM_VALUE_MAX];
		size_t kl, vl, gl;
		unsigned op = (unsigned)(rnd() % 100);
		kr_err_t e;

		rnd_key(addr, key, &kl);
		if (op < 8) {                           /* begin */
			unsigned l;

			e = vm_journal_begin(&f.j, &l);
			if (m.depth == VM_JOURNAL_DEPTH_MAX) {
				assert_int_equal(e, KR_ERANGE);
			} else {
				assert_int_equal(e, KR_OK);
				assert_int_equal(l, ++m.depth);
			}
		} else if (op < 40) {                   /* set */
			vl = 1 + rnd() % (rnd() % 20 == 0 ? KR_VM_VALUE_MAX : 12);
			for (size_t i = 0; i < vl; i++)
				val[i] = (uint8_t)rnd();
			e = vm_journal_set(&f.j, addr, key, kl, val, vl);
			if (!m.depth)
				assert_int_equal(e, KR_EINVAL);
			else if (e == KR_ENOSPC)        /* full: the model checks the bound */
				assert_true(f.j.count == max_entries ||
					    f.j.bytes + VM_JOURNAL_ENTRY_COST + kl + vl >
					    max_bytes);
			else {
				assert_int_equal(e, KR_OK);
				map_put(&m.level[m.depth], addr, key, kl, val, vl, false);
			}
		} else if (op < 52) {                   /* del */
			e = vm_journal_del(&f.j, addr, key, kl);
			if (!m.depth)
				assert_int_equal(e, KR_EINVAL);
			else if (e != KR_ENOSPC) {
				assert_int_equal(e, KR_OK);
				map_put(&m.level[m.depth], addr, key, kl, NULL, 0, true);
			}
		} else if (op < 80) {                   /* get */
			const struct item *want = model_get(&m, addr, key, kl);

			e = vm_journal_get(&f.j, addr, key, kl, got, sizeof(got), &gl);
			if (!want) {
				assert_int_equal(e, KR_ENOENT);
			} else {
				assert_int_equal(e, KR_OK);
				assert_int_equal(gl, want->val_len);
				assert_memory_equal(got, want->val, gl);
			}
		} else if (op < 88) {                   /* commit */
			e = vm_journal_commit(&f.j, m.depth);
			if (!m.depth) {
				assert_int_equal(e, KR_EINVAL);
			} else {
				assert_int_equal(e, KR_OK);
				model_merge(&m.level[m.depth - 1], &m.level[m.depth]);
				m.depth--;
				layers++;
			}
		} else if (op < 96) {                   /* revert */
			e = vm_journal_revert(&f.j, m.depth);
			if (!m.depth) {
				assert_int_equal(e, KR_EINVAL);
			} else {
				assert_int_equal(e, KR_OK);
				m.level[m.depth--].n = 0;
			}
		} else if (!m.depth) {                  /* the pending list, then apply */
			struct vm_change *const *list;
			uint32_t n;

			assert_int_equal(vm_journal_changes(&f.j, &list, &n), KR_OK);
			assert_int_equal(n, m.level[0].n);
			for (uint32_t i = 0; i < n; i++) {
				const struct item *it = map_find(&m.level[0], list[i]->addr,
								 list[i]->key, list[i]->key_len);

				assert_non_null(it);
				assert_int_equal(list[i]->deleted, it->deleted);
				assert_int_equal(list[i]->val_len, it->val_len);
				if (!it->deleted)
					assert_memory_equal(list[i]->val, it->val, it->val_len);
				if (i)
					assert_true(ref_cmp(list[i - 1], list[i]) < 0);
			}
			if (op < 98) {
				assert_int_equal(vm_journal_apply(&f.j), KR_OK);
				for (size_t i = 0; i < m.level[0].n; i++) {
					const struct item *it = &m.level[0].it[i];
					struct item *s = map_find(&m.store, it->addr, it->key,
								  it->key_len);

					if (it->deleted && s)
						map_remove(&m.store, s);
					else if (!it->deleted)
						map_put(&m.store, it->addr, it->key, it->key_len,
							it->val, it->val_len, false);
				}
			} else {
				assert_int_equal(vm_journal_discard(&f.j), KR_OK);
			}
			m.level[0].n = 0;
			/* The journal's store and the model's hold the same. */
			assert_int_equal(f.store.m.n, m.store.n);
			for (size_t i = 0; i < m.store.n; i++) {
				const struct item *it = &m.store.it[i];
				struct item *s = map_find(&f.store.m, it->addr, it->key,
							  it->key_len);

				assert_non_null(s);
				assert_int_equal(s->val_len, it->val_len);
				assert_memory_equal(s->val, it->val, it->val_len);
			}
		}
		assert_true(f.j.count <= max_entries);
		assert_true(f.j.bytes <= max_bytes);
		/* The bound journal.h states: an overwrite holds the new entry
		 * before it frees the old. */
		assert_true(f.heap.peak <= max_bytes + 2 * (size_t)max_entries * sizeof(void *) +
					   VM_JOURNAL_ENTRY_COST + KR_VM_KEY_MAX + KR_VM_VALUE_MAX);
	}
	assert_true(layers > 0);
	teardown(&f);
	for (unsigned l = 0; l <= VM_JOURNAL_DEPTH_MAX; l++)
		map_free(&m.level[l]);
	map_free(&m.store);
}

static void test_model(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++)
		run_model(seed * 0x9E3779B97F4A7C15ull, 3000, 4096, 1 << 22);
	/* Small limits, so that the journal is often full. */
	for (uint64_t seed = 1; seed <= 20; seed++)
		run_model(seed * 0xD1B54A32D192ED03ull, 3000, 24,
			  24 * (VM_JOURNAL_ENTRY_COST + 40));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_delete_then_get),
		cmocka_unit_test(test_commit_order),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nomem),
		cmocka_unit_test(test_apply_error),
		cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
