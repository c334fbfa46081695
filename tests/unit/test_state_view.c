/*
 * test_state_view.c - what the owners of state share for the commit log
 * (modules/lib/state_view.c: views, the payload reader and writer) and
 * their payload codecs (modules/{kmod,tcc,events}/commit.c): round trips, and
 * strict refusal of every truncated or altered payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <karyon/err.h>
#include <karyon/libc.h>
#include "lib/state_view.h"
#include "kmod/commit.h"
#include "tcc/commit.h"
#include "events/commit.h"

/* The kernel's heap, on the host's. */
void *kr_malloc(kr_domain_t *d, size_t n) { (void)d; return malloc(n); }
void *kr_calloc(kr_domain_t *d, size_t a, size_t b) { (void)d; return calloc(a, b); }
void *kr_realloc(kr_domain_t *d, void *p, size_t n) { (void)d; return realloc(p, n); }
kr_err_t kr_free(kr_domain_t *d, void *p) { (void)d; free(p); return KR_OK; }

struct seen {
	char names[8][SV_NAME_MAX];
	int n;
};

static kr_err_t collect(void *ctx, const char *name, const uint8_t digest[32])
{
	struct seen *s = ctx;

	(void)digest;
	strcpy(s->names[s->n++], name);
	return s->n == 3 ? KR_EBUSY : KR_OK;
}

static void view_sorted_copy_delete(void **state)
{
	struct state_view *v = sv_new(NULL), *c;
	uint8_t d[32] = { 1 }, e[32] = { 2 };
	struct seen s = { 0 };

	(void)state;
	assert_non_null(v);
	assert_int_equal(sv_set(v, "vfs", d), KR_OK);
	assert_int_equal(sv_set(v, "clog", d), KR_OK);
	assert_int_equal(sv_set(v, "shell", d), KR_OK);
	assert_int_equal(sv_set(v, "clog", e), KR_OK);  /* replaces */
	assert_int_equal(v->n, 3);
	assert_int_equal(sv_set(v, "", d), KR_ERANGE);
	c = sv_copy(v);
	assert_int_equal(sv_del(v, "shell"), KR_OK);
	assert_int_equal(sv_del(v, "shell"), KR_ENOENT);
	assert_int_equal(c->n, 3);             /* the copy does not follow */
	assert_memory_equal(sv_get(c, "clog")->digest, e, 32);
	assert_int_equal(sv_items(c, collect, &s), KR_EBUSY);   /* fn's error stops it */
	assert_string_equal(s.names[0], "clog");
	assert_string_equal(s.names[1], "shell");
	assert_string_equal(s.names[2], "vfs");
	for (int i = 0; i < 40; i++) {          /* grows */
		char n[8];

		ksnprintf(n, sizeof(n), "m%02d", 39 - i);
		assert_int_equal(sv_set(v, n, d), KR_OK);
	}
	assert_int_equal(v->n, 42);
	for (uint32_t i = 1; i < v->n; i++)
		assert_true(strcmp(v->items[i - 1].name, v->items[i].name) < 0);
	sv_free(v);
	sv_free(c);
}

static void reader_is_strict(void **state)
{
	uint8_t buf[32];
	struct pl_w w = { buf, sizeof(buf), 0, false };
	struct pl_r r;
	uint32_t x;

	(void)state;
	plw_str(&w, "on");
	plw_u32(&w, 0x01020304);
	plw_bytes(&w, "ab", 2);
	assert_false(w.over);
	plr_init(&r, buf, w.len);
	assert_string_equal(plr_str(&r, false), "on");
	assert_true(plr_u32(&r, &x));
	assert_int_equal(x, 0x01020304);
	assert_non_null(plr_bytes(&r, 2));
	assert_true(plr_end(&r));
	plr_init(&r, buf, w.len - 1);          /* short */
	plr_str(&r, false);
	plr_u32(&r, &x);
	assert_null(plr_bytes(&r, 2));
	assert_false(plr_end(&r));
	plr_init(&r, buf, 2);                   /* no NUL */
	assert_null(plr_str(&r, false));
	plr_init(&r, "\0", 1);
	assert_null(plr_str(&r, false));
	plr_init(&r, "a\nb", 4);
	assert_null(plr_str(&r, true));
	plr_init(&r, buf, w.len);               /* trailing bytes */
	plr_str(&r, false);
	assert_false(plr_end(&r));
	w = (struct pl_w){ buf, 4, 0, false };
	plw_str(&w, "long");
	assert_true(w.over);
}

static void kmod_load_round_trip(void **state)
{
	static uint8_t file[100], buf[256];
	uint8_t digest[32];
	struct kcommit_load l = { "hello", "/lib/hello.kmod", digest, file, sizeof(file) }, o;
	struct kr_commit c = { 1, 0, 0, "kmod.load", buf };
	const char *name;
	char err[96];
	uint32_t n;

	(void)state;
	memset(digest, 7, sizeof(digest));
	memset(file, 9, sizeof(file));
	n = kcommit_load_size(l.name, l.origin, l.size);
	assert_int_equal(n, 6 + 16 + 32 + 100);
	kcommit_load_encode(buf, &l);
	c.length = n;
	assert_int_equal(kcommit_load_decode(&c, &o, err, sizeof(err)), KR_OK);
	assert_string_equal(o.name, "hello");
	assert_string_equal(o.origin, "/lib/hello.kmod");
	assert_memory_equal(o.digest, digest, 32);
	assert_int_equal(o.size, 100);
	c.length = 6 + 16 + 32;                 /* no file */
	assert_int_equal(kcommit_load_decode(&c, &o, err, sizeof(err)), KR_EFORMAT);
	assert_string_equal(err, "kmod.load: bad payload: no file");
	buf[1] = 'E';                           /* not a descriptor name */
	c.length = n;
	assert_int_equal(kcommit_load_decode(&c, &o, err, sizeof(err)), KR_EFORMAT);
	assert_int_equal(kcommit_load_size("x", "y", KR_CLOG_PAYLOAD_MAX), 0);
	assert_int_not_equal(kcommit_load_size("x", "y", KR_CLOG_PAYLOAD_MAX - 36), 0);
	c = (struct kr_commit){ 1, 7, 0, "kmod.unload", "hello\0x" };
	assert_int_equal(kcommit_unload_decode(&c, &name, err, sizeof(err)), KR_EFORMAT);
	c.length = 6;
	assert_int_equal(kcommit_unload_decode(&c, &name, err, sizeof(err)), KR_OK);
	assert_string_equal(name, "hello");
}

static void tcc_cc_round_trip(void **state)
{
	uint8_t src[32], buf[512];
	struct tcommit_cc c = { .name = "hello", .path = "/home/hello.c", .source = src,
				.flags = TCOMMIT_GAS | TCOMMIT_GRANTS, .grants = 0x5,
				.budget_ms = 10000, .budget_mb = 64, .ndefines = 2,
				.defines = { "N=3", "DEBUG" }, .nincdirs = 1,
				.incdirs = { "/home/include" } }, o;
	struct kr_commit k = { 1, 0, 0, "tcc.cc", buf };
	const char *name;
	char err[96];

	(void)state;
	memset(src, 5, sizeof(src));
	k.length = tcommit_cc_encode(buf, sizeof(buf), &c);
	assert_true(k.length > 0);
	assert_int_equal(tcommit_cc_decode(&k, &o, err, sizeof(err)), KR_OK);
	assert_string_equal(o.name, "hello");
	assert_string_equal(o.path, "/home/hello.c");
	assert_memory_equal(o.source, src, 32);
	assert_int_equal(o.flags, TCOMMIT_GAS | TCOMMIT_GRANTS);
	assert_int_equal(o.grants, 5);
	assert_int_equal(o.ndefines, 2);
	assert_string_equal(o.defines[1], "DEBUG");
	assert_int_equal(o.nincdirs, 1);
	assert_string_equal(o.incdirs[0], "/home/include");
	for (uint32_t n = 0; n < k.length; n++) {      /* every truncation is refused */
		struct kr_commit t = k;

		t.length = n;
		assert_int_equal(tcommit_cc_decode(&t, &o, err, sizeof(err)), KR_EFORMAT);
	}
	assert_int_equal(tcommit_cc_encode(buf, 40, &c), 0);    /* does not fit */
	c.incdirs[0] = "include";               /* not absolute */
	k.length = tcommit_cc_encode(buf, sizeof(buf), &c);
	assert_int_equal(tcommit_cc_decode(&k, &o, err, sizeof(err)), KR_EFORMAT);
	assert_string_equal(err, "tcc.cc: bad payload: an include directory that is not absolute");
	c.incdirs[0] = "/i";
	c.flags |= 8;                           /* unknown flag */
	k.length = tcommit_cc_encode(buf, sizeof(buf), &c);
	assert_int_equal(tcommit_cc_decode(&k, &o, err, sizeof(err)), KR_EFORMAT);
	c.flags = 0;
	c.name = "9lives";                      /* not a handler name */
	k.length = tcommit_cc_encode(buf, sizeof(buf), &c);
	assert_int_equal(tcommit_cc_decode(&k, &o, err, sizeof(err)), KR_EFORMAT);
	k = (struct kr_commit){ 1, 6, 0, "tcc.unload", "hello" };
	assert_int_equal(tcommit_unload_decode(&k, &name, err, sizeof(err)), KR_OK);
	assert_string_equal(name, "hello");
}

static void events_round_trip(void **state)
{
	struct ecommit c = { .pattern = "vfs.write:/data", .handler = "counter", .gas = 1ull << 33,
			     .queue = 64 }, o;
	uint8_t buf[256];
	struct kr_commit k = { 1, 0, 0, "events.on", buf };
	char err[96];

	(void)state;
	k.length = ecommit_encode("events.on", &c, buf, sizeof(buf));
	assert_int_equal(k.length, sizeof("vfs.write:/data counter") + 12);
	assert_string_equal((char *)buf, "vfs.write:/data counter");
	assert_int_equal(ecommit_decode(&k, &o, err, sizeof(err)), KR_OK);
	assert_string_equal(o.pattern, "vfs.write:/data");
	assert_string_equal(o.handler, "counter");
	assert_true(o.gas == 1ull << 33);
	assert_int_equal(o.queue, 64);
	k.length--;                             /* short */
	assert_int_equal(ecommit_decode(&k, &o, err, sizeof(err)), KR_EFORMAT);
	k.kind = "events.off";                  /* off has no numbers after it */
	k.length = ecommit_encode("events.off", &c, buf, sizeof(buf));
	assert_int_equal(ecommit_decode(&k, &o, err, sizeof(err)), KR_OK);
	k.length += 4;
	assert_int_equal(ecommit_decode(&k, &o, err, sizeof(err)), KR_EFORMAT);
	assert_string_equal(err, "events.off: bad payload: bytes after its end");
	memcpy(buf, "nospace\0", 8);           /* not "EVENT HANDLER" */
	k.length = 8;
	assert_int_equal(ecommit_decode(&k, &o, err, sizeof(err)), KR_EFORMAT);
	c = (struct ecommit){ .name = "tick", .every = true, .ms = 250 };
	k.kind = "events.timer_add";
	k.length = ecommit_encode("events.timer_add", &c, buf, sizeof(buf));
	assert_int_equal(ecommit_decode(&k, &o, err, sizeof(err)), KR_OK);
	assert_string_equal(o.name, "tick");
	assert_true(o.every);
	assert_int_equal(o.ms, 250);
	buf[5] = 2;                             /* every is 0 or 1 */
	assert_int_equal(ecommit_decode(&k, &o, err, sizeof(err)), KR_EFORMAT);
	k.kind = "events.timer_del";
	k.length = ecommit_encode("events.timer_del", &c, buf, sizeof(buf));
	assert_int_equal(k.length, 5);
	assert_int_equal(ecommit_decode(&k, &o, err, sizeof(err)), KR_OK);
	k.kind = "events.raise";                /* not a kind of the part */
	assert_int_equal(ecommit_decode(&k, &o, err, sizeof(err)), KR_EINVAL);
	assert_int_equal(ecommit_encode("events.raise", &c, buf, sizeof(buf)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(view_sorted_copy_delete),
		cmocka_unit_test(reader_is_strict),
		cmocka_unit_test(kmod_load_round_trip),
		cmocka_unit_test(tcc_cc_round_trip),
		cmocka_unit_test(events_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
