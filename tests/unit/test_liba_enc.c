/*
 * test_liba_enc.c - the contract argument encoding helper
 * (sdk/liba/enc.c, <liba_enc.h>): the bytes of each field, round trips,
 * every bounds error of the writer and the reader, the sticky error flag,
 * random sequences of fields against a reference model, and the golden
 * file tests/unit/golden/liba_args.bin (the bytes docs/contract-guide.md
 * shows, written once by --write-golden and compared byte for byte).
 *
 * Usage: test_liba_enc GOLDEN_DIR (tests/unit/golden)
 *        test_liba_enc --write-golden DIR   (writes liba_args.bin; review it)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <liba_enc.h>

static const char *golden_dir = "tests/unit/golden";

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* ---- the bytes of each field ---- */

static void test_bytes(void **state)
{
	static const uint8_t want[] = {
		0xab,
		0x01, 0x02, 0x03, 0x04,
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		0x03, 0x00, 0x00, 0x00, 'a', 'b', 'c',
		0x00, 0x00, 0x00, 0x00,
	};
	uint8_t buf[64], addr[32], got[32];
	struct liba_w w;
	struct liba_r r;
	uint32_t n;

	(void)state;
	for (int i = 0; i < 32; i++)
		addr[i] = (uint8_t)(0xe0 + i);
	liba_w_init(&w, buf, sizeof(buf));
	liba_w_u8(&w, 0xab);
	liba_w_u32(&w, 0x04030201u);
	liba_w_u64(&w, 0x0102030405060708ull);
	liba_w_bytes(&w, "abc", 3);
	liba_w_bytes(&w, NULL, 0);
	assert_int_equal(liba_w_done(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	liba_w_addr(&w, addr);
	assert_int_equal(liba_w_done(&w), sizeof(want) + 32);
	assert_memory_equal(buf + sizeof(want), addr, 32);

	liba_r_init(&r, buf, (uint32_t)liba_w_done(&w));
	assert_int_equal(liba_r_u8(&r), 0xab);
	assert_int_equal(liba_r_u32(&r), 0x04030201u);
	assert_true(liba_r_u64(&r) == 0x0102030405060708ull);
	const uint8_t *p = liba_r_bytes(&r, &n);
	assert_int_equal(n, 3);
	assert_ptr_equal(p, buf + 17);
	p = liba_r_bytes(&r, &n);
	assert_non_null(p);
	assert_int_equal(n, 0);
	liba_r_addr(&r, got);
	assert_memory_equal(got, addr, 32);
	assert_int_equal(liba_r_done(&r), 0);
}

/* Extremes round trip, and liba_r_copy gives what liba_r_bytes does. */
static void test_roundtrip(void **state)
{
	uint8_t buf[256], out[16];
	struct liba_w w;
	struct liba_r r;

	(void)state;
	liba_w_init(&w, buf, sizeof(buf));
	liba_w_u8(&w, 0);
	liba_w_u8(&w, 0xff);
	liba_w_u32(&w, 0);
	liba_w_u32(&w, UINT32_MAX);
	liba_w_u64(&w, 0);
	liba_w_u64(&w, UINT64_MAX);
	liba_w_bytes(&w, "0123456789abcdef", 16);
	assert_int_equal(liba_w_done(&w), 1 + 1 + 4 + 4 + 8 + 8 + 20);
	liba_r_init(&r, buf, (uint32_t)liba_w_done(&w));
	assert_int_equal(liba_r_u8(&r), 0);
	assert_int_equal(liba_r_u8(&r), 0xff);
	assert_int_equal(liba_r_u32(&r), 0);
	assert_int_equal(liba_r_u32(&r), UINT32_MAX);
	assert_true(liba_r_u64(&r) == 0);
	assert_true(liba_r_u64(&r) == UINT64_MAX);
	assert_int_equal(liba_r_copy(&r, out, sizeof(out)), 16);
	assert_memory_equal(out, "0123456789abcdef", 16);
	assert_int_equal(liba_r_done(&r), 0);
	assert_int_equal(liba_r_done(&r), 0);
}

/* ---- the writer's errors ---- */

enum { F_U8, F_U32, F_U64, F_ADDR, F_BYTES, F_COUNT };
static const uint32_t fsize[F_COUNT] = { 1, 4, 8, 32, 4 };

static void w_field(struct liba_w *w, int f, uint64_t v, const uint8_t *p, uint32_t n)
{
	switch (f) {
	case F_U8: liba_w_u8(w, (uint8_t)v); break;
	case F_U32: liba_w_u32(w, (uint32_t)v); break;
	case F_U64: liba_w_u64(w, v); break;
	case F_ADDR: liba_w_addr(w, p); break;
	default: liba_w_bytes(w, p, n); break;
	}
}

/* Every field in every buffer one byte too small: KR_ENOSPC, nothing of
 * it written, and the error sticks. */
static void test_writer_bounds(void **state)
{
	uint8_t buf[64], data[32];

	(void)state;
	memset(data, 0x5a, sizeof(data));
	for (int f = 0; f < F_COUNT; f++) {
		for (uint32_t n = 0; n <= (f == F_BYTES ? 8u : 0u); n++) {
			uint32_t need = fsize[f] + (f == F_BYTES ? n : 0);

			for (uint32_t cap = 0; cap < need; cap++) {
				struct liba_w w;

				memset(buf, 0xee, sizeof(buf));
				liba_w_init(&w, buf, cap);
				w_field(&w, f, 0x1122334455667788ull, data, n);
				assert_int_equal(liba_w_done(&w), KR_ENOSPC);
				assert_int_equal(w.len, 0);
				for (size_t i = 0; i < sizeof(buf); i++)
					assert_int_equal(buf[i], 0xee);
				/* Sticky: even a field that fits is not written. */
				liba_w_u8(&w, 1);
				liba_w_bytes(&w, NULL, 0);
				assert_int_equal(liba_w_done(&w), KR_ENOSPC);
				assert_int_equal(buf[0], 0xee);
			}
			struct liba_w w;

			liba_w_init(&w, buf, need);
			w_field(&w, f, 7, data, n);
			assert_int_equal(liba_w_done(&w), need);
		}
	}
}

static void test_writer_invalid(void **state)
{
	uint8_t buf[64];
	struct liba_w w;

	(void)state;
	liba_w_init(&w, buf, sizeof(buf));
	liba_w_bytes(&w, NULL, 1);
	assert_int_equal(liba_w_done(&w), KR_EINVAL);
	liba_w_init(&w, buf, sizeof(buf));
	liba_w_addr(&w, NULL);
	assert_int_equal(liba_w_done(&w), KR_EINVAL);
	liba_w_u8(&w, 1);
	assert_int_equal(liba_w_done(&w), KR_EINVAL);
	/* No buffer is a buffer of no bytes. */
	liba_w_init(&w, NULL, 100);
	liba_w_bytes(&w, NULL, 0);
	assert_int_equal(liba_w_done(&w), KR_ENOSPC);
	liba_w_init(&w, NULL, 100);
	assert_int_equal(liba_w_done(&w), 0);
	/* A huge length fails on room, not on a wrapped sum. */
	liba_w_init(&w, buf, sizeof(buf));
	liba_w_u8(&w, 1);
	liba_w_bytes(&w, buf, UINT32_MAX - 2);
	assert_int_equal(liba_w_done(&w), KR_ENOSPC);
	assert_int_equal(w.len, 1);
}

/* ---- the reader's errors ---- */

/* Every field cut short at every length: KR_ETRUNC, zeros, position kept,
 * and the error sticks. */
static void test_reader_bounds(void **state)
{
	uint8_t buf[64], addr[32];

	(void)state;
	memset(buf, 0x11, sizeof(buf));
	for (int f = 0; f < F_COUNT; f++) {
		for (uint32_t len = 0; len < fsize[f]; len++) {
			struct liba_r r;
			uint32_t n = 99;

			liba_r_init(&r, buf, len);
			switch (f) {
			case F_U8: assert_int_equal(liba_r_u8(&r), 0); break;
			case F_U32: assert_int_equal(liba_r_u32(&r), 0); break;
			case F_U64: assert_true(liba_r_u64(&r) == 0); break;
			case F_ADDR:
				memset(addr, 0xcc, sizeof(addr));
				liba_r_addr(&r, addr);
				for (int i = 0; i < 32; i++)
					assert_int_equal(addr[i], 0);
				break;
			default:
				assert_null(liba_r_bytes(&r, &n));
				assert_int_equal(n, 0);
				break;
			}
			assert_int_equal(r.err, KR_ETRUNC);
			assert_int_equal(r.pos, 0);
			assert_int_equal(liba_r_done(&r), KR_ETRUNC);
		}
	}
	/* A length prefix that promises more than there is, from one byte more
	 * (61 in 64 bytes) to 2^32 - 1. */
	static const uint32_t lens[] = { 1, 5, 61, 0x7fffffffu, 0xfffffffcu, 0xffffffffu };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct liba_r r;
		uint32_t n;
		uint8_t out[64];

		buf[0] = (uint8_t)lens[i];
		buf[1] = (uint8_t)(lens[i] >> 8);
		buf[2] = (uint8_t)(lens[i] >> 16);
		buf[3] = (uint8_t)(lens[i] >> 24);
		uint32_t have = lens[i] == 1 ? 4 : lens[i] == 5 ? 8 : 64;

		liba_r_init(&r, buf, have);
		assert_null(liba_r_bytes(&r, &n));
		assert_int_equal(n, 0);
		assert_int_equal(r.err, KR_ETRUNC);
		assert_int_equal(r.pos, 0);
		liba_r_init(&r, buf, have);
		assert_int_equal(liba_r_copy(&r, out, sizeof(out)), KR_ETRUNC);
		assert_int_equal(r.pos, 0);
	}
}

static void test_reader_copy_range(void **state)
{
	uint8_t buf[32], out[8];
	struct liba_w w;
	struct liba_r r;

	(void)state;
	liba_w_init(&w, buf, sizeof(buf));
	liba_w_bytes(&w, "123456789", 9);
	liba_w_u8(&w, 42);
	liba_r_init(&r, buf, (uint32_t)liba_w_done(&w));
	memset(out, 0xee, sizeof(out));
	assert_int_equal(liba_r_copy(&r, out, 8), KR_ERANGE);
	assert_int_equal(r.pos, 0);
	assert_int_equal(out[0], 0xee);
	/* Sticky: the u8 that follows is not read, done says why. */
	assert_int_equal(liba_r_u8(&r), 0);
	assert_int_equal(liba_r_done(&r), KR_ERANGE);
	/* A cap of exactly the length is enough. */
	uint8_t nine[9];
	liba_r_init(&r, buf, (uint32_t)liba_w_done(&w));
	assert_int_equal(liba_r_copy(&r, nine, 9), 9);
	assert_int_equal(liba_r_u8(&r), 42);
	assert_int_equal(liba_r_done(&r), 0);
}

static void test_reader_leftover(void **state)
{
	uint8_t buf[8] = { 1, 2, 3 };
	struct liba_r r;

	(void)state;
	liba_r_init(&r, buf, 3);
	assert_int_equal(liba_r_u8(&r), 1);
	assert_int_equal(liba_r_done(&r), KR_EFORMAT);
	/* The leftover becomes the sticky error. */
	assert_int_equal(liba_r_u8(&r), 0);
	assert_int_equal(r.pos, 1);
	assert_int_equal(liba_r_done(&r), KR_EFORMAT);
	/* Nothing at all is fine; NULL is no bytes. */
	liba_r_init(&r, NULL, 50);
	assert_int_equal(liba_r_done(&r), 0);
	liba_r_init(&r, NULL, 50);
	assert_int_equal(liba_r_u8(&r), 0);
	assert_int_equal(liba_r_done(&r), KR_ETRUNC);
}

/* The first error is the one kept, and reads after it return zeros even
 * where the bytes are there. */
static void test_sticky(void **state)
{
	uint8_t buf[64], addr[32];
	struct liba_r r;
	uint32_t n;

	(void)state;
	memset(buf, 0x01, sizeof(buf));
	buf[0] = 0xff;
	buf[1] = 0xff;
	liba_r_init(&r, buf, sizeof(buf));
	assert_null(liba_r_bytes(&r, &n));          /* length 0x0101ffff: too long */
	assert_int_equal(r.err, KR_ETRUNC);
	assert_int_equal(liba_r_u8(&r), 0);
	assert_int_equal(liba_r_u32(&r), 0);
	assert_true(liba_r_u64(&r) == 0);
	memset(addr, 0xcc, sizeof(addr));
	liba_r_addr(&r, addr);
	assert_int_equal(addr[0], 0);
	assert_int_equal(liba_r_copy(&r, addr, sizeof(addr)), KR_ETRUNC);
	assert_int_equal(r.pos, 0);
	assert_int_equal(liba_r_done(&r), KR_ETRUNC);

	struct liba_w w;
	liba_w_init(&w, buf, 2);
	liba_w_u32(&w, 5);                          /* ENOSPC */
	liba_w_bytes(&w, NULL, 1);                  /* would be EINVAL: the first stays */
	assert_int_equal(liba_w_done(&w), KR_ENOSPC);
}

/* ---- random sequences against a model ---- */

/* The reference encoder: the format written out directly. */
static uint32_t model_put(uint8_t *m, uint32_t at, int f, uint64_t v, const uint8_t *p, uint32_t n)
{
	uint32_t k = f == F_U8 ? 1 : f == F_U32 ? 4 : f == F_U64 ? 8 : 0;

	for (uint32_t i = 0; i < k; i++)
		m[at + i] = (uint8_t)(v >> (8 * i));
	if (f == F_ADDR) {
		memcpy(m + at, p, 32);
		return 32;
	}
	if (f == F_BYTES) {
		for (uint32_t i = 0; i < 4; i++)
			m[at + i] = (uint8_t)(n >> (8 * i));
		memcpy(m + at + 4, p, n);
		return 4 + n;
	}
	return k;
}

#define OPS 24

static void test_random_model(void **state)
{
	static uint8_t model[OPS * 64], buf[OPS * 64], data[OPS][40];

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int iter = 0; iter < 20000; iter++) {
		int nops = 1 + (int)(rnd() % OPS), f[OPS];
		uint64_t v[OPS];
		uint32_t n[OPS], end[OPS], total = 0;

		for (int i = 0; i < nops; i++) {
			f[i] = (int)(rnd() % F_COUNT);
			v[i] = rnd() >> (rnd() % 64);
			n[i] = (uint32_t)(rnd() % 41);
			for (int j = 0; j < 40; j++)
				data[i][j] = (uint8_t)rnd();
			total += model_put(model, total, f[i], v[i], data[i], n[i]);
			end[i] = total;
		}
		/* Write into a buffer that may be short: the writer stops at the
		 * first field that does not fit, having written the ones before. */
		uint32_t cap = rnd() % 4 ? total : (uint32_t)(rnd() % (total + 1));
		int fits = 0;
		struct liba_w w;

		while (fits < nops && end[fits] <= cap)
			fits++;
		memset(buf, 0xee, sizeof(buf));
		liba_w_init(&w, buf, cap);
		for (int i = 0; i < nops; i++)
			w_field(&w, f[i], v[i], data[i], n[i]);
		if (fits == nops) {
			assert_int_equal(liba_w_done(&w), total);
		} else {
			assert_int_equal(liba_w_done(&w), KR_ENOSPC);
			assert_int_equal(w.len, fits ? end[fits - 1] : 0);
		}
		assert_memory_equal(buf, model, fits ? end[fits - 1] : 0);

		/* Read the model's bytes, maybe cut short or with a byte more. */
		uint32_t len = rnd() % 3 ? total : rnd() % 2 ? total + 1 :
			       (uint32_t)(rnd() % (total + 1));
		int ok = 0;
		struct liba_r r;

		while (ok < nops && end[ok] <= len)
			ok++;
		model[total] = 0;
		liba_r_init(&r, model, len);
		for (int i = 0; i < nops; i++) {
			uint8_t a[32];
			const uint8_t *p;
			uint32_t got;
			int good = i < ok;

			switch (f[i]) {
			case F_U8: assert_true(liba_r_u8(&r) == (good ? (uint8_t)v[i] : 0)); break;
			case F_U32: assert_true(liba_r_u32(&r) == (good ? (uint32_t)v[i] : 0)); break;
			case F_U64: assert_true(liba_r_u64(&r) == (good ? v[i] : 0)); break;
			case F_ADDR:
				liba_r_addr(&r, a);
				if (good)
					assert_memory_equal(a, data[i], 32);
				break;
			default:
				p = liba_r_bytes(&r, &got);
				assert_int_equal(got, good ? n[i] : 0);
				assert_true(good ? p != NULL : p == NULL);
				if (good)
					assert_memory_equal(p, data[i], n[i]);
				break;
			}
			assert_int_equal(r.pos, good ? end[i] : ok ? end[ok - 1] : 0);
		}
		assert_int_equal(liba_r_done(&r),
				 ok < nops ? KR_ETRUNC : len > total ? KR_EFORMAT : 0);
	}
}

/* ---- golden ---- */

/* The arguments of a token's transfer_from with a memo and a flag byte:
 * docs/contract-guide.md shows these bytes. */
static long golden_args(uint8_t *buf, uint32_t cap)
{
	uint8_t from[32], to[32];
	struct liba_w w;

	for (int i = 0; i < 32; i++) {
		from[i] = (uint8_t)(0xa0 + i);
		to[i] = (uint8_t)(0x20 + i);
	}
	liba_w_init(&w, buf, cap);
	liba_w_addr(&w, from);
	liba_w_addr(&w, to);
	liba_w_u64(&w, 1000000000000ull);
	liba_w_bytes(&w, "rent, March", 11);
	liba_w_u32(&w, 7);
	liba_w_u8(&w, 1);
	return liba_w_done(&w);
}

static size_t slurp(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void test_golden(void **state)
{
	uint8_t want[256], file[512], from[32], to[32], memo[16];
	long n = golden_args(want, sizeof(want));
	size_t fn = slurp("liba_args.bin", file, sizeof(file));
	struct liba_r r;

	(void)state;
	assert_int_equal(n, 32 + 32 + 8 + 4 + 11 + 4 + 1);
	assert_int_equal(fn, (size_t)n);
	assert_memory_equal(file, want, fn);
	liba_r_init(&r, file, (uint32_t)fn);
	liba_r_addr(&r, from);
	liba_r_addr(&r, to);
	assert_true(liba_r_u64(&r) == 1000000000000ull);
	assert_int_equal(liba_r_copy(&r, memo, sizeof(memo)), 11);
	assert_memory_equal(memo, "rent, March", 11);
	assert_int_equal(liba_r_u32(&r), 7);
	assert_int_equal(liba_r_u8(&r), 1);
	assert_int_equal(liba_r_done(&r), 0);
	assert_int_equal(from[0], 0xa0);
	assert_int_equal(to[31], 0x3f);
}

static int write_golden(const char *dir)
{
	uint8_t buf[256];
	char path[512];
	long n = golden_args(buf, sizeof(buf));
	FILE *f;

	snprintf(path, sizeof(path), "%s/liba_args.bin", dir);
	f = fopen(path, "wb");
	if (n <= 0 || !f || fwrite(buf, 1, (size_t)n, f) != (size_t)n || fclose(f)) {
		fprintf(stderr, "test_liba_enc: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-golden"))
		return write_golden(argv[2]);
	if (argc > 1)
		golden_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_writer_bounds),
		cmocka_unit_test(test_writer_invalid),
		cmocka_unit_test(test_reader_bounds),
		cmocka_unit_test(test_reader_copy_range),
		cmocka_unit_test(test_reader_leftover),
		cmocka_unit_test(test_sticky),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_golden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
