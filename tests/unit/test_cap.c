/*
 * test_cap.c - host tests for capability spaces (core/cap/cap.c).
 *
 * Objects are fakes: a "pages" object takes count pages from a counter when
 * made and gives them back in destroy, and counts its cap_removed calls, so
 * leaks, double destroys and missed callbacks all show.  The heap is the real
 * kheap on aligned_alloc, so every test can also demand that nothing is
 * left allocated.  The last test runs random operations against a model of
 * the derivation tree kept here, independently of cap.c, and compares the
 * whole state after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <krt/kheap.h>
#include "cap/cap.h"

#define PG 4096u

static void *src_get(size_t n)
{
	return aligned_alloc(PG, n * PG);
}

static void src_put(void *p, size_t n)
{
	(void)n;
	free(p);
}

static const struct kheap_pagesrc src = { src_get, src_put, NULL };

/* ---- fake objects ---- */

struct fake {
	struct cap_object o;
	int destroyed, removed;
};

static long pages_out;   /* pages held by live fake objects */
static long removed_calls;
static uint64_t heap_base; /* live heap blocks when the test began */

static void fake_destroy(struct cap_object *o)
{
	struct fake *f = (struct fake *)o;

	assert_int_equal(o->refs, 0);
	assert_int_equal(f->destroyed, 0);
	f->destroyed++;
	pages_out -= (long)o->count;
}

static void fake_removed(struct cap_object *o, struct cap_slot *s)
{
	assert_ptr_equal(s->obj, o);   /* called before the slot lets go */
	((struct fake *)o)->removed++;
	removed_calls++;
}

static const struct cap_object_ops fake_ops = { fake_destroy, fake_removed };

static void fake_init(struct fake *f, uint32_t type, uint64_t base, uint64_t count)
{
	memset(f, 0, sizeof(*f));
	f->o.type = type;
	f->o.ops = &fake_ops;
	f->o.base = base;
	f->o.count = count;
	pages_out += (long)count;
}

/* For a fake that never got a capability: give its pages back by hand. */
static void fake_unused(struct fake *f)
{
	assert_int_equal(f->o.refs, 0);
	pages_out -= (long)f->o.count;
}

static uint64_t heap_live(void)
{
	struct kheap_stats st;

	kheap_get_stats(&st);
	return st.live_allocs;
}

/* Relative to the start, so one failed test does not fail all that follow. */
static int setup(void **state)
{
	(void)state;
	pages_out = removed_calls = 0;
	heap_base = heap_live();
	return 0;
}

static void assert_heap_empty(void)
{
	assert_int_equal(heap_live(), heap_base);
}

static void must(kr_err_t err)
{
	assert_int_equal(err, KR_OK);
}

static struct cap_slot *slot_of(struct cspace *cs, kr_cap_t c)
{
	struct cap_slot *s = NULL;

	must(cap_lookup(cs, c, KR_OBJ_NONE, 0, &s));
	return s;
}

static kr_cap_t derive(struct cspace *cs, kr_cap_t c, struct cspace *to, uint32_t rights)
{
	kr_cap_t out = KR_CAP_NULL;

	must(cap_derive(cs, c, to, rights, &out));
	return out;
}

static kr_cap_t create(struct cspace *cs, struct fake *f, uint32_t rights)
{
	kr_cap_t out = KR_CAP_NULL;

	must(cap_create(cs, &f->o, rights, &out));
	return out;
}

#define assert_live(cs, c) assert_int_equal(cap_lookup(cs, c, KR_OBJ_NONE, 0, NULL), KR_OK)
#define assert_stale(cs, c) assert_int_equal(cap_lookup(cs, c, KR_OBJ_NONE, 0, NULL), KR_ESTALE)

/* ---- single behaviours ---- */

static void test_init_args(void **state)
{
	struct cspace cs;

	(void)state;
	assert_int_equal(cspace_init(&cs, "x", 0), KR_EINVAL);
	assert_int_equal(cspace_init(&cs, "x", 65536), KR_EINVAL);
	assert_int_equal(cspace_init(NULL, "x", 4), KR_EINVAL);
	must(cspace_init(&cs, "x", 65535));
	assert_int_equal(cs.nslots, 65535);
	assert_int_equal(cs.used, 0);
	cspace_destroy(&cs);
	assert_heap_empty();
}

static void test_create_args(void **state)
{
	struct cspace cs;
	struct fake f, g;
	kr_cap_t c, d;

	(void)state;
	must(cspace_init(&cs, "x", 4));
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 2);
	assert_int_equal(cap_create(&cs, &f.o, KR_RIGHTS_ALL + 1, &c), KR_EINVAL);
	assert_int_equal(cap_create(&cs, &f.o, 1u << 31, &c), KR_EINVAL);
	assert_int_equal(cap_create(&cs, NULL, 0, &c), KR_EINVAL);
	assert_int_equal(cap_create(&cs, &f.o, 0, NULL), KR_EINVAL);
	f.o.type = KR_OBJ_NONE;
	assert_int_equal(cap_create(&cs, &f.o, 0, &c), KR_EINVAL);
	f.o.type = KR_OBJ_ASPACE + 1;
	assert_int_equal(cap_create(&cs, &f.o, 0, &c), KR_EINVAL);
	f.o.type = KR_OBJ_PAGES;
	assert_int_equal(cs.used, 0);
	c = create(&cs, &f, KR_RIGHTS_ALL);
	assert_int_equal(f.o.refs, 1);
	/* An object that already has a capability cannot get a second first one. */
	assert_int_equal(cap_create(&cs, &f.o, 0, &d), KR_EINVAL);
	fake_init(&g, KR_OBJ_PAGES, 0, 1);
	assert_int_equal(cap_mint(&cs, c, &cs, &f.o, 0, &d), KR_EINVAL);  /* refs != 0 */
	g.o.type = KR_OBJ_NONE;
	assert_int_equal(cap_mint(&cs, c, &cs, &g.o, 0, &d), KR_EINVAL);
	assert_int_equal(cap_mint(&cs, c, &cs, NULL, 0, &d), KR_EINVAL);
	assert_int_equal(cap_derive(&cs, c, NULL, 0, &d), KR_EINVAL);
	assert_int_equal(cap_derive(&cs, c, &cs, 0, NULL), KR_EINVAL);
	assert_int_equal(cs.used, 1);
	fake_unused(&g);
	cspace_destroy(&cs);
	assert_int_equal(f.destroyed, 1);
	assert_int_equal(pages_out, 0);
	assert_heap_empty();
}

static void test_derive_narrows(void **state)
{
	struct cspace a, b;
	struct fake f;
	kr_cap_t root, c, d;

	(void)state;
	must(cspace_init(&a, "a", 8));
	must(cspace_init(&b, "b", 8));
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 1);
	root = create(&a, &f, KR_RIGHTS_ALL);
	for (uint32_t r = 0; r <= KR_RIGHTS_ALL; r++) {
		c = derive(&a, root, &a, r);
		assert_int_equal(slot_of(&a, c)->rights, r);
		/* Every rights word, including bits beyond KR_RIGHTS_ALL. */
		for (uint32_t s = 0; s < 2 * (KR_RIGHTS_ALL + 1); s++) {
			uint32_t used = a.used;
			kr_err_t err = cap_derive(&a, c, &a, s, &d);

			if (s & ~r) {
				assert_int_equal(err, KR_ERIGHTS);
				assert_int_equal(a.used, used);
				continue;
			}
			must(err);
			assert_int_equal(slot_of(&a, d)->rights, s);
			assert_ptr_equal(slot_of(&a, d)->obj, &f.o);
			must(cap_delete(&a, d));
		}
		/* Into another cspace only with GRANT on the source, whatever is asked. */
		if (r & KR_RIGHT_GRANT) {
			d = derive(&a, c, &b, 0);
			assert_ptr_equal(slot_of(&b, d)->parent, slot_of(&a, c));
			must(cap_delete(&b, d));
		} else {
			assert_int_equal(cap_derive(&a, c, &b, 0, &d), KR_ERIGHTS);
			assert_int_equal(b.used, 0);
		}
		must(cap_delete(&a, c));
	}
	assert_int_equal(f.o.refs, 1);
	assert_int_equal(f.destroyed, 0);
	cspace_destroy(&a);
	cspace_destroy(&b);
	assert_int_equal(f.destroyed, 1);
	assert_heap_empty();
}

static void test_revoke_scope(void **state)
{
	struct cspace a, b, c;
	struct fake f, g;
	kr_cap_t r, c1, c2, g1, g2, g3, gg, r2, r2c;

	(void)state;
	must(cspace_init(&a, "a", 8));
	must(cspace_init(&b, "b", 8));
	must(cspace_init(&c, "c", 8));
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 3);
	fake_init(&g, KR_OBJ_PAGES, 0x9000, 2);
	r = create(&a, &f, KR_RIGHTS_ALL);
	c1 = derive(&a, r, &a, KR_RIGHTS_ALL);
	c2 = derive(&a, r, &b, KR_RIGHTS_ALL);
	g1 = derive(&a, c1, &c, KR_RIGHT_READ | KR_RIGHT_GRANT);
	g2 = derive(&a, c1, &a, KR_RIGHT_READ);
	gg = derive(&c, g1, &b, KR_RIGHT_READ);
	g3 = derive(&b, c2, &b, KR_RIGHT_READ);
	r2 = create(&a, &g, KR_RIGHTS_ALL);
	r2c = derive(&a, r2, &b, KR_RIGHT_READ);

	must(cap_revoke(&a, c1));
	assert_stale(&c, g1);
	assert_stale(&a, g2);
	assert_stale(&b, gg);
	assert_int_equal(removed_calls, 3);
	assert_live(&a, r);
	assert_live(&a, c1);
	assert_live(&b, c2);
	assert_live(&b, g3);
	assert_live(&a, r2);
	assert_live(&b, r2c);
	assert_int_equal(f.o.refs, 4);
	assert_int_equal(g.o.refs, 2);
	assert_int_equal(c.used, 0);
	/* The rest of the tree is intact. */
	assert_ptr_equal(slot_of(&a, c1)->parent, slot_of(&a, r));
	assert_null(slot_of(&a, c1)->first_child);
	assert_ptr_equal(slot_of(&b, g3)->parent, slot_of(&b, c2));

	assert_int_equal(cap_revoke(&a, c1), KR_EALREADY);
	assert_int_equal(cap_revoke(&b, g3), KR_EALREADY);
	assert_int_equal(removed_calls, 3);

	must(cap_revoke(&a, r));
	assert_stale(&a, c1);
	assert_stale(&b, c2);
	assert_stale(&b, g3);
	assert_live(&a, r);
	assert_live(&b, r2c);
	assert_int_equal(f.o.refs, 1);
	assert_int_equal(cap_revoke(&a, r), KR_EALREADY);
	assert_int_equal(f.destroyed, 0);
	cspace_destroy(&a);
	cspace_destroy(&b);
	cspace_destroy(&c);
	assert_int_equal(f.destroyed + g.destroyed, 2);
	assert_int_equal(pages_out, 0);
	assert_heap_empty();
}

static void test_last_delete_destroys_once(void **state)
{
	struct cspace a, b;
	struct fake f;
	kr_cap_t r, c1, c2, c3;

	(void)state;
	must(cspace_init(&a, "a", 8));
	must(cspace_init(&b, "b", 8));
	fake_init(&f, KR_OBJ_PAGES, 0x40000, 16);
	assert_int_equal(pages_out, 16);
	r = create(&a, &f, KR_RIGHTS_ALL);
	c1 = derive(&a, r, &b, KR_RIGHTS_ALL);
	c2 = derive(&b, c1, &b, KR_RIGHT_READ);
	c3 = derive(&a, r, &a, KR_RIGHT_READ);
	must(cap_delete(&a, r));      /* the original goes first */
	must(cap_delete(&b, c1));
	must(cap_delete(&a, c3));
	assert_int_equal(f.destroyed, 0);
	assert_int_equal(pages_out, 16);
	assert_int_equal(f.removed, 3);
	must(cap_delete(&b, c2));
	assert_int_equal(f.destroyed, 1);
	assert_int_equal(f.removed, 4);
	assert_int_equal(pages_out, 0);
	assert_int_equal(cap_delete(&b, c2), KR_ESTALE);
	assert_int_equal(f.destroyed, 1);
	assert_int_equal(a.used + b.used, 0);
	cspace_destroy(&a);
	cspace_destroy(&b);
	assert_heap_empty();
}

static void test_stale(void **state)
{
	struct cspace a;
	struct fake f, g;
	kr_cap_t r, c, d, e;

	(void)state;
	must(cspace_init(&a, "a", 4));
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 1);
	fake_init(&g, KR_OBJ_IRQ, 5, 0);
	r = create(&a, &f, KR_RIGHTS_ALL);
	c = derive(&a, r, &a, KR_RIGHT_READ);
	d = derive(&a, c, &a, KR_RIGHT_READ);
	must(cap_delete(&a, d));
	assert_stale(&a, d);
	must(cap_revoke(&a, r));
	assert_stale(&a, c);
	/* Every operation refuses a stale handle the same way. */
	assert_int_equal(cap_delete(&a, c), KR_ESTALE);
	assert_int_equal(cap_revoke(&a, c), KR_ESTALE);
	assert_int_equal(cap_derive(&a, c, &a, 0, &e), KR_ESTALE);
	assert_int_equal(cap_info(&a, c, &(struct kr_cap_info){ 0 }), KR_ESTALE);
	assert_int_equal(cap_lookup(&a, c, KR_OBJ_IRQ, KR_RIGHTS_ALL, NULL), KR_ESTALE);
	/* The slot is reused, with a new generation: the old handle stays dead. */
	e = create(&a, &g, KR_RIGHT_BIND);
	assert_int_equal(KR_CAP_INDEX(e), KR_CAP_INDEX(c));
	assert_int_not_equal(KR_CAP_GEN(e), KR_CAP_GEN(c));
	assert_stale(&a, c);
	assert_stale(&a, d);
	assert_ptr_equal(slot_of(&a, e)->obj, &g.o);
	assert_int_equal(cap_handle(slot_of(&a, e)), e);
	cspace_destroy(&a);
	assert_int_equal(pages_out, 0);
	assert_heap_empty();
}

static void test_forged(void **state)
{
	struct cspace a;
	struct fake f;
	kr_cap_t r, c;

	(void)state;
	must(cspace_init(&a, "a", 4));
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 1);
	r = create(&a, &f, KR_RIGHTS_ALL);
	assert_int_equal(KR_CAP_INDEX(r), 0);
	assert_int_not_equal(KR_CAP_GEN(r), 0);
	assert_int_equal(cap_lookup(&a, KR_CAP_NULL, KR_OBJ_NONE, 0, NULL), KR_EBADCAP);
	assert_int_equal(cap_lookup(&a, r & 0xffffu, KR_OBJ_NONE, 0, NULL), KR_EBADCAP);
	assert_int_equal(cap_lookup(&a, (1u << 16) | 4, KR_OBJ_NONE, 0, NULL), KR_EBADCAP);
	assert_int_equal(cap_lookup(&a, (1u << 16) | 0xffff, KR_OBJ_NONE, 0, NULL), KR_EBADCAP);
	/* Slots 1..3 were never used: no generation of theirs was ever issued. */
	for (uint32_t gen = 1; gen < 0x10000; gen += 0x1111)
		assert_int_equal(cap_lookup(&a, gen << 16 | 2, KR_OBJ_NONE, 0, NULL), KR_EBADCAP);
	/* A freed slot's next generation is not issued yet either. */
	c = derive(&a, r, &a, 0);
	must(cap_delete(&a, c));
	assert_int_equal(cap_lookup(&a, (KR_CAP_GEN(c) + 1) << 16 | KR_CAP_INDEX(c),
				    KR_OBJ_NONE, 0, NULL), KR_EBADCAP);
	assert_int_equal(cap_delete(&a, 3u << 16 | 3), KR_EBADCAP);
	assert_int_equal(cap_revoke(&a, 9), KR_EBADCAP);
	assert_int_equal(a.used, 1);
	cspace_destroy(&a);
	assert_heap_empty();
}

static void test_type_and_rights(void **state)
{
	struct cspace a;
	struct fake f;
	struct cap_slot *s = NULL;
	kr_cap_t r;

	(void)state;
	must(cspace_init(&a, "a", 4));
	fake_init(&f, KR_OBJ_IOPORT, 0x60, 5);
	r = create(&a, &f, KR_RIGHT_READ | KR_RIGHT_WRITE);
	assert_int_equal(cap_lookup(&a, r, KR_OBJ_PAGES, 0, NULL), KR_ETYPE);
	assert_int_equal(cap_lookup(&a, r, KR_OBJ_IRQ, KR_RIGHT_EXEC, NULL), KR_ETYPE);
	assert_int_equal(cap_lookup(&a, r, KR_OBJ_IOPORT, KR_RIGHT_EXEC, NULL), KR_ERIGHTS);
	assert_int_equal(cap_lookup(&a, r, KR_OBJ_NONE, KR_RIGHT_READ | KR_RIGHT_GRANT, &s),
			 KR_ERIGHTS);
	assert_null(s);
	must(cap_lookup(&a, r, KR_OBJ_IOPORT, KR_RIGHT_READ | KR_RIGHT_WRITE, &s));
	assert_ptr_equal(s->obj, &f.o);
	cspace_destroy(&a);
	assert_heap_empty();
}

static void test_info(void **state)
{
	struct cspace a;
	struct fake f, g;
	struct kr_cap_info in;
	kr_cap_t r, c;
	const char *longname = "a-service-name-that-is-longer-than-31-chars";

	(void)state;
	must(cspace_init(&a, "a", 4));
	fake_init(&f, KR_OBJ_PAGES, 0x123000, 7);
	fake_init(&g, KR_OBJ_SERVICE, 0, 0);
	g.o.name = longname;
	r = create(&a, &f, KR_RIGHTS_ALL);
	c = derive(&a, r, &a, KR_RIGHT_READ | KR_RIGHT_EXEC);
	memset(&in, 0x55, sizeof(in));
	must(cap_info(&a, c, &in));
	assert_int_equal(in.version, KR_CAP_INFO_VERSION);
	assert_int_equal(in.type, KR_OBJ_PAGES);
	assert_int_equal(in.rights, KR_RIGHT_READ | KR_RIGHT_EXEC);
	assert_int_equal(in.depth, 1);
	assert_int_equal(in.base, 0x123000);
	assert_int_equal(in.count, 7);
	for (size_t i = 0; i < sizeof(in.name); i++)
		assert_int_equal(in.name[i], 0);
	c = create(&a, &g, KR_RIGHT_CALL);
	must(cap_info(&a, c, &in));
	assert_int_equal(in.type, KR_OBJ_SERVICE);
	assert_int_equal(in.depth, 0);
	assert_int_equal(strlen(in.name), 31);
	assert_memory_equal(in.name, longname, 31);
	assert_int_equal(cap_info(&a, c, NULL), KR_EINVAL);
	cspace_destroy(&a);
	assert_heap_empty();
}

static void test_enospc_changes_nothing(void **state)
{
	struct cspace a, b;
	struct fake f[3], m;
	struct cap_slot before[2];
	kr_cap_t r, c, out = 0x1234;

	(void)state;
	must(cspace_init(&a, "a", 2));
	must(cspace_init(&b, "b", 2));
	for (int i = 0; i < 3; i++)
		fake_init(&f[i], KR_OBJ_PAGES, 0x1000 * (i + 1), 1);
	fake_init(&m, KR_OBJ_PAGES, 0x1000, 1);
	r = create(&a, &f[0], KR_RIGHTS_ALL);
	c = create(&a, &f[1], KR_RIGHTS_ALL);
	derive(&a, r, &b, KR_RIGHT_READ);
	derive(&a, c, &b, KR_RIGHT_READ);
	memcpy(before, a.slots, sizeof(before));
	assert_int_equal(cap_create(&a, &f[2].o, 0, &out), KR_ENOSPC);
	assert_int_equal(cap_derive(&a, r, &a, 0, &out), KR_ENOSPC);
	assert_int_equal(cap_derive(&a, r, &b, 0, &out), KR_ENOSPC);
	assert_int_equal(cap_mint(&a, r, &b, &m.o, 0, &out), KR_ENOSPC);
	assert_int_equal(out, 0x1234);
	assert_memory_equal(before, a.slots, sizeof(before));
	assert_int_equal(a.used + b.used, 4);
	assert_int_equal(f[0].o.refs + f[1].o.refs + f[2].o.refs + m.o.refs, 4);
	/* A freed slot is usable again at once. */
	must(cap_delete(&a, c));
	must(cap_create(&a, &f[2].o, 0, &out));
	assert_int_equal(KR_CAP_INDEX(out), KR_CAP_INDEX(c));
	fake_unused(&m);
	cspace_destroy(&a);
	cspace_destroy(&b);
	assert_int_equal(pages_out, 0);
	assert_heap_empty();
}

static void test_mint(void **state)
{
	struct cspace a, b;
	struct fake all, sub;
	kr_cap_t r, c, s;

	(void)state;
	must(cspace_init(&a, "a", 4));
	must(cspace_init(&b, "b", 4));
	fake_init(&all, KR_OBJ_IOPORT, 0, 0x10000);
	fake_init(&sub, KR_OBJ_IOPORT, 0x3f8, 8);
	r = create(&a, &all, KR_RIGHTS_ALL);
	c = derive(&a, r, &a, KR_RIGHT_READ);
	assert_int_equal(cap_mint(&a, c, &a, &sub.o, KR_RIGHT_WRITE, &s), KR_ERIGHTS);
	assert_int_equal(cap_mint(&a, c, &b, &sub.o, KR_RIGHT_READ, &s), KR_ERIGHTS);
	assert_int_equal(sub.o.refs, 0);
	must(cap_mint(&a, r, &b, &sub.o, KR_RIGHT_READ | KR_RIGHT_WRITE, &s));
	assert_ptr_equal(slot_of(&b, s)->obj, &sub.o);
	assert_ptr_equal(slot_of(&b, s)->parent, slot_of(&a, r));
	assert_int_equal(slot_of(&b, s)->depth, 1);
	assert_int_equal(sub.o.refs, 1);
	assert_int_equal(all.o.refs, 2);
	/* Revoking the parent kills the minted object with its capability. */
	must(cap_revoke(&a, r));
	assert_int_equal(sub.destroyed, 1);
	assert_int_equal(all.destroyed, 0);
	cspace_destroy(&a);
	cspace_destroy(&b);
	assert_int_equal(pages_out, 0);
	assert_heap_empty();
}

static void test_delete_reparents(void **state)
{
	struct cspace a, b;
	struct fake f;
	kr_cap_t r, p, x, y, z, w;
	struct cap_slot *sr;

	(void)state;
	must(cspace_init(&a, "a", 8));
	must(cspace_init(&b, "b", 8));
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 1);
	r = create(&a, &f, KR_RIGHTS_ALL);
	p = derive(&a, r, &b, KR_RIGHTS_ALL);    /* r -> p -> {x -> z, y}, r -> w */
	x = derive(&b, p, &a, KR_RIGHTS_ALL);
	y = derive(&b, p, &b, KR_RIGHT_READ);
	z = derive(&a, x, &a, KR_RIGHT_READ);
	w = derive(&a, r, &a, KR_RIGHT_READ);
	must(cap_delete(&b, p));
	sr = slot_of(&a, r);
	assert_ptr_equal(slot_of(&a, x)->parent, sr);
	assert_ptr_equal(slot_of(&b, y)->parent, sr);
	assert_ptr_equal(slot_of(&a, w)->parent, sr);
	assert_int_equal(slot_of(&a, x)->depth, 1);
	assert_int_equal(slot_of(&b, y)->depth, 1);
	assert_int_equal(slot_of(&a, z)->depth, 2);
	/* r's child list is exactly {x, y, w}, each once, links consistent. */
	{
		int n = 0, seen = 0;

		for (struct cap_slot *s = sr->first_child, *prev = NULL; s;
		     prev = s, s = s->next_sibling, n++) {
			assert_ptr_equal(s->prev_sibling, prev);
			seen |= (s == slot_of(&a, x)) | (s == slot_of(&b, y)) << 1 |
				(s == slot_of(&a, w)) << 2;
		}
		assert_int_equal(n, 3);
		assert_int_equal(seen, 7);
	}
	must(cap_revoke(&a, r));
	assert_stale(&a, x);
	assert_stale(&b, y);
	assert_stale(&a, z);
	assert_stale(&a, w);

	/* Deleting a root: its children become roots, one level up. */
	x = derive(&a, r, &a, KR_RIGHTS_ALL);
	y = derive(&a, r, &b, KR_RIGHTS_ALL);
	z = derive(&b, y, &b, KR_RIGHT_READ);
	must(cap_delete(&a, r));
	assert_null(slot_of(&a, x)->parent);
	assert_null(slot_of(&b, y)->parent);
	assert_null(slot_of(&a, x)->next_sibling);
	assert_null(slot_of(&a, x)->prev_sibling);
	assert_null(slot_of(&b, y)->next_sibling);
	assert_null(slot_of(&b, y)->prev_sibling);
	assert_int_equal(slot_of(&a, x)->depth, 0);
	assert_int_equal(slot_of(&b, z)->depth, 1);
	assert_int_equal(cap_revoke(&a, x), KR_EALREADY);
	must(cap_revoke(&b, y));
	assert_stale(&b, z);
	assert_int_equal(f.destroyed, 0);
	cspace_destroy(&a);
	cspace_destroy(&b);
	assert_int_equal(f.destroyed, 1);
	assert_heap_empty();
}

/* cap_move (live replacement's root handover): the capability goes to a
 * slot of another table with its place in the tree kept; the old handle
 * goes stale; revoking from above still reaches it and below it. */
static void test_move(void **state)
{
	struct cspace a, b, c;
	struct fake f, g;
	kr_cap_t r, p, x, y, z, moved;
	struct cap_slot *sp, *np, *sr;

	(void)state;
	must(cspace_init(&a, "a", 8));
	must(cspace_init(&b, "b", 8));
	must(cspace_init(&c, "c", 1));
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 1);
	r = create(&a, &f, KR_RIGHTS_ALL);
	x = derive(&a, r, &a, KR_RIGHT_READ);    /* r -> {y, p -> z, x}: p in the middle */
	p = derive(&a, r, &a, KR_RIGHTS_ALL);
	y = derive(&a, r, &b, KR_RIGHT_READ);
	z = derive(&a, p, &b, KR_RIGHT_READ);
	sp = slot_of(&a, p);
	sr = slot_of(&a, r);
	assert_int_equal(a.used, 3);
	assert_int_equal(cap_move(sp, &b, &np), KR_OK);
	moved = cap_handle(np);
	assert_stale(&a, p);
	assert_live(&b, moved);
	assert_int_equal(a.used, 2);
	assert_int_equal(b.used, 3);
	assert_ptr_equal(np->owner, &b);
	assert_ptr_equal(np->parent, sr);
	assert_int_equal(np->depth, 1);
	assert_int_equal(np->rights, KR_RIGHTS_ALL);
	assert_ptr_equal(slot_of(&b, z)->parent, np);
	assert_ptr_equal(np->first_child, slot_of(&b, z));
	assert_int_equal(f.o.refs, 5);
	/* r's children are y, the moved one and x, links both ways */
	{
		int n = 0, seen = 0;

		for (struct cap_slot *s = sr->first_child, *prev = NULL; s;
		     prev = s, s = s->next_sibling, n++) {
			assert_ptr_equal(s->prev_sibling, prev);
			seen |= (s == slot_of(&a, x)) | (s == np) << 1 | (s == slot_of(&b, y)) << 2;
		}
		assert_int_equal(n, 3);
		assert_int_equal(seen, 7);
	}
	/* the first child moved: the parent's first_child follows it */
	moved = derive(&a, r, &a, KR_RIGHT_READ);
	assert_int_equal(cap_move(slot_of(&a, moved), &b, &np), KR_OK);
	assert_ptr_equal(sr->first_child, np);
	/* a full table refuses, nothing changed */
	fake_init(&g, KR_OBJ_PAGES, 0x2000, 1);
	create(&c, &g, KR_RIGHT_READ);
	assert_int_equal(cap_move(sr, &c, &np), KR_ENOSPC);
	assert_live(&a, r);
	must(cap_revoke(&a, r));
	assert_stale(&b, y);
	assert_stale(&b, z);
	assert_int_equal(b.used, 0);
	cspace_destroy(&a);
	cspace_destroy(&b);
	cspace_destroy(&c);
	assert_int_equal(f.destroyed, 1);
	assert_int_equal(g.destroyed, 1);
	assert_heap_empty();
}

#define DEEP 10000

static void test_deep_chain(void **state)
{
	static kr_cap_t chain[DEEP + 1];
	struct cspace a, b;
	struct fake f;

	(void)state;
	must(cspace_init(&a, "a", DEEP / 2 + 1));
	must(cspace_init(&b, "b", DEEP / 2 + 1));
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 1);
	chain[0] = create(&a, &f, KR_RIGHTS_ALL);
	for (int i = 1; i <= DEEP; i++)   /* alternating cspaces */
		chain[i] = derive(i & 1 ? &a : &b, chain[i - 1], i & 1 ? &b : &a, KR_RIGHTS_ALL);
	assert_int_equal(slot_of(&a, chain[DEEP])->depth, DEEP);
	/* Delete near the top: every depth below moves up by one. */
	must(cap_delete(&b, chain[1]));
	assert_int_equal(slot_of(&a, chain[DEEP])->depth, DEEP - 1);
	assert_ptr_equal(slot_of(&a, chain[2])->parent, slot_of(&a, chain[0]));
	removed_calls = 0;
	must(cap_revoke(&a, chain[0]));
	assert_int_equal(removed_calls, DEEP - 1);
	assert_int_equal(a.used + b.used, 1);
	assert_int_equal(f.o.refs, 1);
	assert_stale(&a, chain[DEEP]);

	/* And a cspace_destroy over a deep chain that leaves through another cspace. */
	for (int i = 1; i <= DEEP; i++)
		chain[i] = derive(i & 1 ? &a : &b, chain[i - 1], i & 1 ? &b : &a, KR_RIGHTS_ALL);
	cspace_destroy(&b);
	assert_int_equal(a.used, 1);
	cspace_destroy(&a);
	assert_int_equal(f.destroyed, 1);
	assert_heap_empty();
}

static void test_cspace_destroy_cross(void **state)
{
	struct cspace a, b, c;
	struct fake f, g;
	kr_cap_t r, x, y, z, s, t;

	(void)state;
	must(cspace_init(&a, "a", 4));
	must(cspace_init(&b, "b", 4));
	must(cspace_init(&c, "c", 4));
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 2);
	fake_init(&g, KR_OBJ_PAGES, 0x8000, 3);
	r = create(&a, &f, KR_RIGHTS_ALL);
	x = derive(&a, r, &b, KR_RIGHTS_ALL);
	y = derive(&b, x, &c, KR_RIGHT_READ);
	z = derive(&a, r, &c, KR_RIGHT_READ);
	s = create(&b, &g, KR_RIGHTS_ALL);    /* b's own object, lent to a */
	t = derive(&b, s, &a, KR_RIGHT_READ);
	/* Destroying b: b's own capabilities and what came from them go, a's stay. */
	cspace_destroy(&b);
	assert_int_equal(g.destroyed, 1);
	assert_stale(&a, t);
	assert_stale(&c, y);
	assert_live(&a, r);
	assert_live(&c, z);
	assert_int_equal(f.o.refs, 2);
	x = derive(&a, r, &c, KR_RIGHT_READ);
	cspace_destroy(&a);
	assert_int_equal(c.used, 0);
	assert_int_equal(f.destroyed, 1);
	assert_int_equal(pages_out, 0);
	assert_int_equal(removed_calls, 7);   /* y, x, t, s; then z, the new x, r */
	cspace_destroy(&c);
	assert_heap_empty();
}

/* ---- cap_list: the enumeration under kr_cap_list ---- */

/* Entry index of cs must be the capability c, with the table's counts. */
static void assert_entry(struct cspace *cs, uint32_t index, kr_cap_t c)
{
	struct kr_cap_entry e;
	struct kr_cap_info in;

	memset(&e, 0x55, sizeof(e));
	must(cap_list(cs, index, &e));
	must(cap_info(cs, c, &in));
	assert_int_equal(e.version, KR_CAP_ENTRY_VERSION);
	assert_int_equal(e.handle, c);
	assert_memory_equal(&e.info, &in, sizeof(in));
	assert_int_equal(e.used, cs->used);
	assert_int_equal(e.nslots, cs->nslots);
	assert_int_equal(strncmp(e.table, cs->name, 31), 0);
	assert_int_equal(e.table[31], 0);
}

/* Past the last: KR_ENOENT, and only the table's part of out filled in. */
static void assert_end(struct cspace *cs, uint32_t index)
{
	struct kr_cap_entry e, want = { .version = KR_CAP_ENTRY_VERSION, .used = cs->used,
					.nslots = cs->nslots };

	memcpy(want.table, cs->name, strnlen(cs->name, 31));
	memset(&e, 0x55, sizeof(e));
	assert_int_equal(cap_list(cs, index, &e), KR_ENOENT);
	assert_memory_equal(&e, &want, sizeof(e));
}

/* e's parent: handle p in the table named `table`, or in e's own (NULL). */
static void assert_parent(const struct kr_cap_entry *e, kr_cap_t p, const char *table)
{
	char want[32] = { 0 };

	assert_int_equal(e->parent, p);
	assert_int_equal(e->flags, table ? KR_CAP_ENTRY_PARENT_AWAY : 0);
	if (table)
		memcpy(want, table, strnlen(table, 31));
	assert_memory_equal(e->parent_table, want, sizeof(want));
}

static void test_list_slot_order(void **state)
{
	struct cspace a;
	struct fake f, g, h;
	struct kr_cap_entry e;
	kr_cap_t r, c1, c2, c3;

	(void)state;
	must(cspace_init(&a, "a", 6));
	assert_end(&a, 0);                          /* an empty table still tells its name */
	fake_init(&f, KR_OBJ_PAGES, 0x5000, 2);
	fake_init(&g, KR_OBJ_IRQ, 9, 0);
	fake_init(&h, KR_OBJ_SERVICE, 0, 0);
	h.o.name = "a-service-name-that-is-longer-than-31-chars";
	r = create(&a, &f, KR_RIGHTS_ALL);                      /* slot 0 */
	c1 = derive(&a, r, &a, KR_RIGHT_READ);                  /* slot 1 */
	c2 = create(&a, &g, KR_RIGHT_BIND);                     /* slot 2 */
	c3 = derive(&a, c1, &a, KR_RIGHT_READ);                 /* slot 3 */
	must(cap_delete(&a, c1));                               /* slot 1 empty, c3 moves up */
	must(cap_delete(&a, c2));                               /* slot 2 empty */
	c2 = create(&a, &h, KR_RIGHT_CALL);                     /* slot 1 again, gen 2 */
	/* Slot order, not creation order; empty slots and trailing ones skipped. */
	assert_entry(&a, 0, r);
	assert_entry(&a, 1, c2);
	assert_entry(&a, 2, c3);
	assert_end(&a, 3);
	assert_end(&a, UINT32_MAX);
	must(cap_list(&a, 1, &e));
	assert_int_equal(KR_CAP_INDEX(e.handle), 1);
	assert_int_equal(KR_CAP_GEN(e.handle), 2);
	assert_parent(&e, KR_CAP_NULL, NULL);                   /* a root */
	assert_int_equal(strlen(e.info.name), 31);              /* cut, as kr_cap_info cuts it */
	must(cap_list(&a, 2, &e));
	assert_int_equal(KR_CAP_INDEX(e.handle), 3);
	assert_int_equal(e.info.depth, 1);
	assert_parent(&e, r, NULL);                             /* c1's parent, in a itself */
	cspace_destroy(&a);
	assert_int_equal(pages_out, 0);
	assert_heap_empty();
}

static void test_list_parent_elsewhere(void **state)
{
	static const char longname[] = "a-table-name-longer-than-31-chars";
	struct cspace k, m, n;
	struct fake f, p;
	struct kr_cap_entry e;
	kr_cap_t r, x, y, z;

	(void)state;
	must(cspace_init(&k, "kern", 4));
	must(cspace_init(&m, longname, 4));
	must(cspace_init(&n, "", 4));   /* a nameless table is still another table */
	fake_init(&f, KR_OBJ_PAGES, 0x1000, 1);
	fake_init(&p, KR_OBJ_PAGES, 0x100000, 1);
	create(&k, &f, KR_RIGHT_READ);
	r = create(&k, &p, KR_RIGHTS_ALL);                      /* kern slot 1 */
	x = derive(&k, r, &m, KR_RIGHT_READ | KR_RIGHT_GRANT);  /* m slot 0 */
	y = derive(&m, x, &n, KR_RIGHT_READ);                   /* n slot 0 */
	z = derive(&m, x, &m, KR_RIGHT_READ);                   /* m slot 1 */
	assert_int_not_equal(r, x);     /* so a parent handle cannot pass for m's own */
	must(cap_list(&m, 0, &e));
	assert_int_equal(e.handle, x);
	assert_parent(&e, r, "kern");
	must(cap_list(&m, 1, &e));
	assert_int_equal(e.handle, z);
	assert_int_equal(e.info.depth, 2);
	assert_parent(&e, x, NULL);
	assert_string_equal(e.table, "a-table-name-longer-than-31-cha");
	must(cap_list(&n, 0, &e));
	assert_int_equal(e.handle, y);
	assert_parent(&e, x, longname);
	/* Deleting x hands y and z to r, in kern: both parents live elsewhere now. */
	must(cap_delete(&m, x));
	must(cap_list(&m, 0, &e));
	assert_int_equal(e.handle, z);
	assert_int_equal(e.info.depth, 1);
	assert_parent(&e, r, "kern");
	assert_end(&m, 1);
	must(cap_list(&n, 0, &e));
	assert_parent(&e, r, "kern");
	/* kern lists its own two only, not their children elsewhere. */
	must(cap_list(&k, 1, &e));
	assert_int_equal(e.handle, r);
	assert_parent(&e, KR_CAP_NULL, NULL);
	assert_end(&k, 2);
	cspace_destroy(&n);
	cspace_destroy(&m);
	cspace_destroy(&k);
	assert_int_equal(pages_out, 0);
	assert_heap_empty();
}

/* ---- kr_cap_dump: the text on top (tcc-runtime/krt/capdump.c) ---- */

/* Here a domain is just a table, and kr_cap_list lists d's own. */
struct kr_domain {
	struct cspace cs;
};

kr_err_t kr_cap_list(kr_domain_t *d, kr_cap_t target, uint32_t index, struct kr_cap_entry *out)
{
	kr_err_t err = target ? cap_lookup(&d->cs, target, KR_OBJ_MODULE, KR_RIGHT_READ, NULL) :
		       KR_OK;

	return err ? err : cap_list(&d->cs, index, out);
}

static char dump_lines[8][160];
static int ndump;

static void collect(void *ctx, const char *line)
{
	assert_ptr_equal(ctx, dump_lines);
	assert_true(ndump < 8);
	assert_true(strlen(line) < sizeof(dump_lines[0]));
	strcpy(dump_lines[ndump++], line);
}

static void test_dump(void **state)
{
	struct kr_domain kd, md;
	struct cspace *k = &kd.cs, *m = &md.cs;
	struct fake p, s, q, o;
	kr_cap_t cp, cs, c;

	(void)state;
	must(cspace_init(k, "kern", 6));
	must(cspace_init(m, "mod", 2));
	fake_init(&p, KR_OBJ_PAGES, 0x100000, 4);
	fake_init(&s, KR_OBJ_SERVICE, 0, 0);
	fake_init(&q, KR_OBJ_IRQ, 11, 0);
	fake_init(&o, KR_OBJ_IOPORT, 0xcf8, 8);
	s.o.name = "vfs";
	cp = create(k, &p, KR_RIGHTS_ALL);                      /* slot 0 gen 1 */
	cs = create(k, &s, KR_RIGHT_CALL | KR_RIGHT_GRANT);     /* slot 1 gen 1 */
	c = derive(k, cp, k, KR_RIGHT_READ | KR_RIGHT_WRITE);   /* slot 2 gen 1 */
	derive(k, cs, m, KR_RIGHT_CALL);                        /* mod slot 0 */
	must(cap_delete(k, c));
	derive(k, cp, k, KR_RIGHT_READ);                        /* slot 2 gen 2 */
	create(k, &q, KR_RIGHT_BIND);                           /* slot 3 */
	create(k, &o, KR_RIGHT_READ | KR_RIGHT_WRITE);          /* slot 4 */

	ndump = 0;
	must(kr_cap_dump(&kd, KR_CAP_NULL, collect, dump_lines));
	assert_int_equal(ndump, 7);
	assert_string_equal(dump_lines[0], "cspace kern: handle type rights object depth parent");
	assert_string_equal(dump_lines[1],
		"0x00010000 pages   rwxgbc 0x100000 n=4                 0 -");
	assert_string_equal(dump_lines[2],
		"0x00010001 service ---g-c \"vfs\"                        0 -");
	assert_string_equal(dump_lines[3],
		"0x00020002 pages   r----- 0x100000 n=4                 1 0x00010000");
	assert_string_equal(dump_lines[4],
		"0x00010003 irq     ----b- line 11                      0 -");
	assert_string_equal(dump_lines[5],
		"0x00010004 ioport  rw---- ports 0xcf8-0xcff            0 -");
	assert_string_equal(dump_lines[6], "5 of 6 slots used");
	ndump = 0;
	must(kr_cap_dump(&md, KR_CAP_NULL, collect, dump_lines));
	assert_int_equal(ndump, 3);
	assert_string_equal(dump_lines[0], "cspace mod: handle type rights object depth parent");
	assert_string_equal(dump_lines[1],
		"0x00010000 service -----c \"vfs\"                        1 0x00010001 in kern");
	assert_string_equal(dump_lines[2], "1 of 2 slots used");
	/* Errors from kr_cap_list come back before anything is printed. */
	ndump = 0;
	assert_int_equal(kr_cap_dump(&kd, cp, collect, dump_lines), KR_ETYPE);
	assert_int_equal(kr_cap_dump(&kd, KR_CAP_NULL, NULL, NULL), KR_EINVAL);
	assert_int_equal(ndump, 0);
	cspace_destroy(m);
	cspace_destroy(k);
	/* An empty table: the header and the summary. */
	must(cspace_init(m, "empty", 3));
	ndump = 0;
	must(kr_cap_dump(&md, KR_CAP_NULL, collect, dump_lines));
	assert_int_equal(ndump, 2);
	assert_string_equal(dump_lines[0], "cspace empty: handle type rights object depth parent");
	assert_string_equal(dump_lines[1], "0 of 3 slots used");
	cspace_destroy(m);
	assert_int_equal(pages_out, 0);
	assert_heap_empty();
}

/* ---- random operations against a model ---- */

#define NCS    3
#define MAXS   32
#define STEPS  20000
#define MAXREC (STEPS + 1)

static const uint32_t cs_size[NCS] = { 6, 17, 32 };

/* One handle ever issued, and what the model says about it. */
struct rec {
	int cs, fake, parent;  /* parent: record index or -1 */
	kr_cap_t h;
	uint32_t rights;
	bool alive;
};

static struct {
	struct cspace cs[NCS];
	struct rec rec[MAXREC];
	int nrec;
	struct fake fake[MAXREC];
	int nfake;
	int removes[MAXREC];      /* capabilities of each fake removed so far */
	int refs[MAXREC];         /* live records naming each fake */
	int seen[MAXREC];         /* check_all's stamp per fake */
	int live[NCS * MAXS];     /* the live records, in no order */
	int nlive, stamp;
	long hits[2][32];         /* [op is revoke][-error]: proves each case ran */
	int maxdepth;
	int occ[NCS][MAXS];       /* record in each slot, or -1 */
	uint16_t gen[NCS][MAXS];  /* the slot's generation as the model sees it */
	uint64_t rng;
} M;

static uint32_t rnd(uint32_t n)
{
	M.rng ^= M.rng << 13;
	M.rng ^= M.rng >> 7;
	M.rng ^= M.rng << 17;
	return (uint32_t)((M.rng >> 11) % n);
}

static int model_free_slot(int cs)
{
	for (uint32_t i = 0; i < cs_size[cs]; i++)
		if (M.occ[cs][i] < 0)
			return (int)i;
	return -1;
}

static int model_depth(int r)
{
	int d = 0;

	while ((r = M.rec[r].parent) >= 0)
		d++;
	return d;
}

static bool model_is_ancestor(int a, int r)
{
	while ((r = M.rec[r].parent) >= 0)
		if (r == a)
			return true;
	return false;
}

static bool model_has_children(int r)
{
	for (int i = 0; i < M.nlive; i++)
		if (M.rec[M.live[i]].parent == r)
			return true;
	return false;
}

/* Record a new capability in slot `slot` of cs; the expected handle. */
static kr_cap_t model_add(int cs, int slot, int fake, int parent, uint32_t rights)
{
	struct rec *r = &M.rec[M.nrec];

	assert_true(M.nrec < MAXREC);
	if (M.gen[cs][slot] == 0)
		M.gen[cs][slot] = 1;
	*r = (struct rec){ cs, fake, parent, (kr_cap_t)slot | (kr_cap_t)M.gen[cs][slot] << 16,
			   rights, true };
	M.occ[cs][slot] = M.nrec;
	M.live[M.nlive++] = M.nrec++;
	M.refs[fake]++;
	return r->h;
}

static void model_kill(int r)
{
	struct rec *x = &M.rec[r];
	int slot = KR_CAP_INDEX(x->h);

	x->alive = false;
	M.occ[x->cs][slot] = -1;
	M.gen[x->cs][slot] = M.gen[x->cs][slot] == 0xffff ? 1 : M.gen[x->cs][slot] + 1;
	M.removes[x->fake]++;
	M.refs[x->fake]--;
	for (int i = 0; i < M.nlive; i++)
		if (M.live[i] == r)
			M.live[i] = M.live[--M.nlive];
}

static void model_delete(int r)
{
	for (int i = 0; i < M.nlive; i++)
		if (M.rec[M.live[i]].parent == r)
			M.rec[M.live[i]].parent = M.rec[r].parent;
	model_kill(r);
}

static void model_revoke(int r)
{
	/* Whole subtree at once: nobody outside it has a parent inside it, and
	 * the dead keep their parent links, so ancestry still reads right.
	 * Backwards, because model_kill moves the last entry into the hole. */
	for (int i = M.nlive - 1; i >= 0; i--)
		if (model_is_ancestor(r, M.live[i]))
			model_kill(M.live[i]);
}

static struct cap_slot *slot_at(int cs, kr_cap_t h)
{
	return &M.cs[cs].slots[KR_CAP_INDEX(h)];
}

static void check_fake(int f)
{
	assert_int_equal(M.fake[f].o.refs, M.refs[f]);
	assert_int_equal(M.fake[f].destroyed, M.refs[f] == 0);
	assert_int_equal(M.fake[f].removed, M.removes[f]);
}

/* Compare every slot of every cspace, every object and the page counter with the model. */
static void check_all(bool all_stale)
{
	long pages = 0;
	int nonroot = 0, edges = 0;

	for (int c = 0; c < NCS; c++) {
		struct cspace *cs = &M.cs[c];
		uint32_t used = 0;

		if (!cs->slots) {       /* destroyed: the model must agree it is empty */
			for (uint32_t i = 0; i < cs_size[c]; i++)
				assert_int_equal(M.occ[c][i], -1);
			continue;
		}

		for (uint32_t i = 0; i < cs_size[c]; i++) {
			struct cap_slot *s = &cs->slots[i];
			int r = M.occ[c][i];

			assert_int_equal(s->gen, M.gen[c][i]);
			if (r < 0) {
				assert_null(s->obj);
				assert_null(s->parent);
				assert_null(s->first_child);
				continue;
			}
			used++;
			assert_ptr_equal(s->obj, &M.fake[M.rec[r].fake].o);
			assert_int_equal(s->rights, M.rec[r].rights);
			assert_ptr_equal(s->owner, cs);
			assert_int_equal(cap_handle(s), M.rec[r].h);
			assert_int_equal(s->depth, model_depth(r));
			if (M.rec[r].parent < 0) {
				assert_null(s->parent);
				assert_null(s->prev_sibling);
				assert_null(s->next_sibling);
			} else {
				assert_ptr_equal(s->parent, slot_at(M.rec[M.rec[r].parent].cs,
								    M.rec[M.rec[r].parent].h));
				assert_int_equal(s->depth, s->parent->depth + 1);
				nonroot++;
			}
			for (struct cap_slot *k = s->first_child, *prev = NULL; k;
			     prev = k, k = k->next_sibling) {
				assert_ptr_equal(k->parent, s);
				assert_ptr_equal(k->prev_sibling, prev);
				assert_non_null(k->obj);
				edges++;
			}
		}
		assert_int_equal(cs->used, used);
	}
	/* Each non-root is in exactly one child list (its parent's, checked above). */
	assert_int_equal(edges, nonroot);
	/* Objects: every live one each step (pages summed once per object), all of them
	 * now and then; the live records are checked against their slots above. */
	M.stamp++;
	for (int i = 0; i < M.nlive; i++) {
		int f = M.rec[M.live[i]].fake;

		if (M.seen[f] != M.stamp) {
			M.seen[f] = M.stamp;
			pages += (long)M.fake[f].o.count;
			check_fake(f);
		}
	}
	assert_int_equal(pages_out, pages);
	for (int f = 0; all_stale && f < M.nfake; f++)
		check_fake(f);
	/* Stale handles: the newest, a random sample, and now and then all of them. */
	for (int k = 0; k < (all_stale ? M.nrec : 128) && k < M.nrec; k++) {
		int r = all_stale ? k : k < 64 ? M.nrec - 1 - k : (int)rnd((uint32_t)M.nrec);
		const struct rec *x = &M.rec[r];

		if (!M.cs[x->cs].slots)
			assert_false(x->alive);
		else if (x->alive)
			assert_ptr_equal(slot_of(&M.cs[x->cs], x->h), slot_at(x->cs, x->h));
		else
			assert_stale(&M.cs[x->cs], x->h);
	}
}

static int new_fake(void)
{
	static const uint32_t types[] = { KR_OBJ_PAGES, KR_OBJ_PAGES, KR_OBJ_IOPORT };
	int f = M.nfake++;

	fake_init(&M.fake[f], types[rnd(3)], 0x1000u * (uint32_t)f, 1 + rnd(8));
	return f;
}

/* A record to act on: mostly a live one, sometimes any old handle. */
static int pick_rec(void)
{
	if (M.nlive && rnd(8))
		return M.live[rnd((uint32_t)M.nlive)];
	return M.nrec ? (int)rnd((uint32_t)M.nrec) : -1;
}

static void random_step(void)
{
	uint32_t op = rnd(100), rights;
	int r = pick_rec(), c = (int)rnd(NCS), slot, f;
	kr_cap_t out = KR_CAP_NULL, want;
	kr_err_t err, exp;

	if (op < 10 || r < 0) {                        /* create */
		f = new_fake();
		rights = rnd(KR_RIGHTS_ALL + 1);
		slot = model_free_slot(c);
		err = cap_create(&M.cs[c], &M.fake[f].o, rights, &out);
		if (slot < 0) {
			assert_int_equal(err, KR_ENOSPC);
			fake_unused(&M.fake[f]);
			M.nfake--;
			return;
		}
		must(err);
		want = model_add(c, slot, f, -1, rights);
		assert_int_equal(out, want);
		return;
	}
	struct rec *x = &M.rec[r];
	struct cspace *from = &M.cs[x->cs];

	if (op < 55) {                                 /* derive or mint */
		bool mint = op >= 47;

		/* Mostly narrow by at most one right, often in the same cspace, so trees grow deep. */
		rights = rnd(4) ? x->rights & ~(1u << rnd(8)) : rnd(2 * KR_RIGHTS_ALL + 2);
		if (rnd(2))
			c = x->cs;
		slot = model_free_slot(c);
		if (!x->alive)
			exp = KR_ESTALE;
		else if ((rights & ~x->rights) || (c != x->cs && !(x->rights & KR_RIGHT_GRANT)))
			exp = KR_ERIGHTS;
		else if (slot < 0)
			exp = KR_ENOSPC;
		else
			exp = KR_OK;
		f = mint ? new_fake() : x->fake;
		err = mint ? cap_mint(from, x->h, &M.cs[c], &M.fake[f].o, rights, &out)
			   : cap_derive(from, x->h, &M.cs[c], rights, &out);
		assert_int_equal(err, exp);
		M.hits[0][-err]++;
		if (err) {
			if (mint) {
				fake_unused(&M.fake[f]);
				M.nfake--;
			}
			return;
		}
		want = model_add(c, slot, f, r, rights);
		assert_int_equal(out, want);
		if (model_depth(M.nrec - 1) > M.maxdepth)
			M.maxdepth = model_depth(M.nrec - 1);
	} else if (op < 67) {                          /* revoke */
		exp = !x->alive ? KR_ESTALE : !model_has_children(r) ? KR_EALREADY : KR_OK;
		assert_int_equal(cap_revoke(from, x->h), exp);
		M.hits[1][-exp]++;
		if (exp == KR_OK)
			model_revoke(r);
	} else if (op < 85) {                          /* delete */
		exp = x->alive ? KR_OK : KR_ESTALE;
		assert_int_equal(cap_delete(from, x->h), exp);
		if (exp == KR_OK)
			model_delete(r);
	} else if (op < 95) {                          /* lookup of an old handle */
		uint32_t type = rnd(4), type_of = M.fake[x->fake].o.type;
		struct cap_slot *s = NULL;

		rights = rnd(2) ? rnd(KR_RIGHTS_ALL + 1) & x->rights : rnd(KR_RIGHTS_ALL + 1);
		if (!x->alive)
			exp = KR_ESTALE;
		else if (type != KR_OBJ_NONE && type != type_of)
			exp = KR_ETYPE;
		else if (rights & ~x->rights)
			exp = KR_ERIGHTS;
		else
			exp = KR_OK;
		assert_int_equal(cap_lookup(from, x->h, type, rights, &s), exp);
		if (exp == KR_OK)
			assert_ptr_equal(s, slot_at(x->cs, x->h));
		else
			assert_null(s);
	} else {                                       /* forged handles */
		uint32_t i = rnd(cs_size[c]);

		assert_int_equal(cap_lookup(&M.cs[c], (1 + rnd(0xffff)) << 16 |
					    (cs_size[c] + rnd(0x10000 - cs_size[c])),
					    KR_OBJ_NONE, 0, NULL), KR_EBADCAP);
		assert_int_equal(cap_lookup(&M.cs[c], i, KR_OBJ_NONE, 0, NULL), KR_EBADCAP);
		if (M.gen[c][i] == 0 || M.occ[c][i] < 0)
			assert_int_equal(cap_delete(&M.cs[c], (uint32_t)(M.gen[c][i] ? M.gen[c][i]
						   : 1 + rnd(0xffff)) << 16 | i), KR_EBADCAP);
	}
}

static void run_random(uint64_t seed)
{
	memset(&M, 0, sizeof(M));
	memset(M.occ, 0xff, sizeof(M.occ));
	M.rng = seed;
	for (int c = 0; c < NCS; c++)
		must(cspace_init(&M.cs[c], "r", cs_size[c]));
	for (int step = 0; step < STEPS; step++) {
		random_step();
		check_all(step % 1000 == 999);
	}
	check_all(true);
	print_message("seed %#llx: derive/mint ok %ld, ENOSPC %ld, ERIGHTS %ld, ESTALE %ld; "
		      "revoke ok %ld, EALREADY %ld; deepest %d\n", (unsigned long long)seed,
		      M.hits[0][0], M.hits[0][-KR_ENOSPC], M.hits[0][-KR_ERIGHTS],
		      M.hits[0][-KR_ESTALE], M.hits[1][0], M.hits[1][-KR_EALREADY], M.maxdepth);
	assert_true(M.hits[0][0] && M.hits[0][-KR_ENOSPC] && M.hits[0][-KR_ERIGHTS] &&
		    M.hits[0][-KR_ESTALE] && M.hits[1][0] && M.hits[1][-KR_EALREADY] &&
		    M.maxdepth >= 4);
	/* cspace_destroy goes slot by slot: revoke, then delete. */
	for (int c = 0; c < NCS; c++) {
		cspace_destroy(&M.cs[c]);
		for (uint32_t i = 0; i < cs_size[c]; i++) {
			int r = M.occ[c][i];

			if (r >= 0) {
				model_revoke(r);
				model_kill(r);
			}
		}
		check_all(true);
	}
	for (int f = 0; f < M.nfake; f++) {
		assert_int_equal(M.fake[f].destroyed, 1);
		assert_int_equal(M.fake[f].o.refs, 0);
	}
	assert_int_equal(pages_out, 0);
	assert_heap_empty();
}

static void test_random(void **state)
{
	(void)state;
	run_random(0x9e3779b97f4a7c15ull);
	run_random(12345);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_args, setup),
		cmocka_unit_test_setup(test_create_args, setup),
		cmocka_unit_test_setup(test_derive_narrows, setup),
		cmocka_unit_test_setup(test_revoke_scope, setup),
		cmocka_unit_test_setup(test_last_delete_destroys_once, setup),
		cmocka_unit_test_setup(test_stale, setup),
		cmocka_unit_test_setup(test_forged, setup),
		cmocka_unit_test_setup(test_type_and_rights, setup),
		cmocka_unit_test_setup(test_info, setup),
		cmocka_unit_test_setup(test_enospc_changes_nothing, setup),
		cmocka_unit_test_setup(test_mint, setup),
		cmocka_unit_test_setup(test_delete_reparents, setup),
		cmocka_unit_test_setup(test_move, setup),
		cmocka_unit_test_setup(test_deep_chain, setup),
		cmocka_unit_test_setup(test_cspace_destroy_cross, setup),
		cmocka_unit_test_setup(test_list_slot_order, setup),
		cmocka_unit_test_setup(test_list_parent_elsewhere, setup),
		cmocka_unit_test_setup(test_dump, setup),
		cmocka_unit_test_setup(test_random, setup),
	};

	kheap_init(&src);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
