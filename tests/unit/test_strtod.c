/*
 * test_strtod.c - tcc-runtime/libc/strtod.c against glibc: strtod, strtof
 * and strtold must give the same bits, endptr and errno for crafted input
 * (exact halfway points between adjacent values and their nearest
 * neighbours in decimal, subnormals, the edges of overflow and underflow,
 * thousands of digits, hex floats, inf/nan spellings and payloads, text
 * that is only partly a number) and for deterministic random sweeps; and
 * ldexp and frexp the same values and errno.
 *
 * strtod.c defines the standard names, so this file includes it (and
 * fpdec.c) with each of them renamed to kr_test_*; glibc's stay reachable,
 * called through pointers so that gcc cannot fold them.
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define strtod kr_test_strtod
#define strtof kr_test_strtof
#define strtold kr_test_strtold
#define atof kr_test_atof
#define ldexp kr_test_ldexp
#define frexp kr_test_frexp
#include "libc/strtod.c"
#include "libc/fpdec.c"
#undef strtod
#undef strtof
#undef strtold
#undef atof
#undef ldexp
#undef frexp

static double (*volatile ref_strtod)(const char *, char **) = strtod;
static float (*volatile ref_strtof)(const char *, char **) = strtof;
static long double (*volatile ref_strtold)(const char *, char **) = strtold;
static double (*volatile ref_ldexp)(double, int) = ldexp;
static double (*volatile ref_frexp)(double, int *) = frexp;

static unsigned long checks;

static void report(const char *fn, const char *s, const void *got, const void *want, size_t n,
		   ptrdiff_t eg, ptrdiff_t ew, int errg, int errw)
{
	char hg[41] = "", hw[41] = "";

	for (size_t i = 0; i < n; i++) {
		sprintf(hg + 2 * i, "%02x", ((const unsigned char *)got)[n - 1 - i]);
		sprintf(hw + 2 * i, "%02x", ((const unsigned char *)want)[n - 1 - i]);
	}
	print_error("%s(\"%.200s\"%s): got %s end+%td errno %d, glibc %s end+%td errno %d\n", fn, s,
		    strlen(s) > 200 ? "..." : "", hg, eg, errg, hw, ew, errw);
	fail();
}

/* One conversion by both: same bytes, same endptr, same errno. */
#define CMP_ONE(fn, ref, type, size, s)						\
	do {									\
		type g, w;							\
		char *eg, *ew;							\
		int errg, errw;							\
										\
		memset(&g, 0, sizeof(g));					\
		memset(&w, 0, sizeof(w));					\
		errno = 0;							\
		g = fn(s, &eg);							\
		errg = errno;							\
		errno = 0;							\
		w = ref(s, &ew);						\
		errw = errno;							\
		checks++;							\
		if (memcmp(&g, &w, size) || eg != ew || errg != errw)		\
			report(#ref, s, &g, &w, size, eg - s, ew - s, errg, errw); \
	} while (0)

static void cmp_double(const char *s)
{
	CMP_ONE(kr_test_strtod, ref_strtod, double, 8, s);
}

static void cmp_float(const char *s)
{
	CMP_ONE(kr_test_strtof, ref_strtof, float, 4, s);
}

static void cmp_ldouble(const char *s)
{
	CMP_ONE(kr_test_strtold, ref_strtold, long double, 10, s);
}

static void cmp_all(const char *s)
{
	cmp_double(s);
	cmp_float(s);
	cmp_ldouble(s);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const crafted[] = {
	/* Halfway and near-halfway cases, famous and otherwise. */
	"9007199254740993", "9007199254740992", "9007199254740994", "9007199254740995",
	"9007199254740993.0000000000000000000000000000000000000000000000000000000001",
	"9007199254740992.9999999999999999999999999999999999999999999999999999999999",
	"2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
	"2.225073858507201136057409796709131975934819546351645648e-308",
	"2.2250738585072008890245868760858598876504231122409594654935248025624400092282356951787758888037591552642309780950434312085877387158357291821993020294379224223559819827501242041788969571311791082261043971979604000454897391938079198936081525613113376149842043271751033627391549782731594143828136275113838604094249464942286316695429105080201815926642134996606517803095075913058719846423906068637102005108723282784678843631944515866135041223479014792369585208321597621066375401613736583044193603714778355306682834535634005074073040135602968046375918583163124224521599262546494300836851861719422417646455137135420132217031370496583210154654068035397417906022589503023501937519773030945763173210852507299305089761582519159720757232455434770912461317493580281734466552734375e-308",
	"4.9e-324", "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
	"2.470328229206232720882538e-324", "5e-324", "1e-324", "3e-324", "7.4e-324",
	"1e23", "8.988465674311579e307", "1.7976931348623157e308", "1.7976931348623158e308",
	"1.7976931348623159e308", "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999",
	"1.17549435e-38", "1.1754942807573643e-38", "1.1754943508222875e-38", "1.4e-45",
	"7.006492321624085e-46", "7.006492321624086e-46", "3.4028235e38", "3.4028235677973366e38",
	"3.40282356779733661637539395458142568448e38", "16777217", "16777216.5", "33554435",
	"3.6451995318824746025e-4951", "1.8225997659412373012e-4951", "1.8225997659412373013e-4951",
	"1.18973149535723176502e4932", "1.18973149535723176508e4932", "1.2e4932", "3.3621e-4932",
	"3.36210314311209350626e-4932", "3.36210314311209350590e-4932", "18446744073709551617",
	"36893488147419103235", "0.1", "0.2", "0.3", "1.1", "123456789012345678901234567890",
	/* Overflow, underflow, zeros. */
	"1e308", "1e309", "1e400", "-1e400", "1e-400", "-1e-400", "1e4933", "1e-4951", "1e-5000",
	"0", "-0", "+0", "0.0", "0e999999", "0e-999999", "000000000000000000000000.000000e5",
	"1e99999999999999999999999999", "1e-99999999999999999999999999", "0.0000000001e10",
	"100000000000000000000000000000000000000000e-41",
	/* Hexadecimal. */
	"0x1p0", "0x1.8p3", "0X1.8P3", "-0x1.fffffffffffffp1023", "0x1.fffffffffffff8p1023",
	"0x1.fffffffffffff7p1023", "0x1p-1074", "0x1p-1075", "0x1.0000000000001p-1075",
	/* Around the point under 2^emin where tininess (after rounding) ends. */
	"0x1.fffffffffffff8p-1023", "0x1.fffffffffffff7p-1023", "0x1.fffffffffffff9p-1023",
	"0x1.fffffffffffffp-1023", "0x1.fffffffffffffcp-1023", "0x1.fffffffffffff4p-1023",
	"0x1.fffffep-127", "0x1.ffffffp-127", "0x1.fffffefp-127", "0x1.fffffffp-127",
	"0x1.fffffffffffffffep-16383", "0x1.ffffffffffffffffp-16383",
	"0x1.fffffffffffffffefp-16383", "0x1.fffffffffffffffffp-16383",
	"0x0.8p-1073", "0x1.ffffffp127", "0x1.fffffeffffffffp127", "0x.8", "0x8.", "0xa.bp-2",
	"0x123456789abcdef0123456789abcdef0123456789p0", "0x0000000000000000000000001p0",
	"0x1.00000000000008p0", "0x1.000000000000080000000000000000000001p0", "0x1.00000000000018p0",
	"0x1p-16445", "0x1p-16446", "0x1.8p-16446", "0xffffffffffffffff8p0", "0xffffffffffffffff7p0",
	"0x1p16384", "0x1p-126", "0x1.fffffep-127", "0x1.fffffcp-127", "0x1p99999999999999999",
	"0x1p-99999999999999999", "0x0p99999", "0x1.8p1023", "0x1p1024",
	/* Where the number ends. */
	"1e", "1e+", "1e-", "1ex", "1e5x", "1.", "1.e5", ".5", "-.5e-1", ".", ".e1", "-", "+", "",
	"e5", "0x", "0X", "0xg", "0x.", "0x.p1", "0xp1", "0x1p", "0x1p+", "0x1.p", "1..2", "1.2.3",
	"  \t\n\v\f\r42", "  -  42", "+-1", "--1", "0x1P-2q", "1e+5e", "00012", "0.000", "9e0x",
	/* Infinity and NaN. */
	"inf", "INF", "-Inf", "infinity", "INFINITY", "infinit", "infx", "in", "i", "+infinityx",
	"nan", "NaN", "-nan", "nan(", "nan()", "nan(123)", "nan(0x7b)", "nan(0X7B)", "nan(017)",
	"nan(08)", "nan(0x)", "nan(abc)", "nan(_)", "nan(0xfffffffffffff)", "nan(12 3)",
	"nan(0xffffffffffffffffff)", "nan(99999999999999999999999)", "-nan(0x123)", "nanq",
	"nan(1)x", "nan((1))", "NAN(0XA)", "nan(-1)", "nan(+1)", "nan(0b1)",
};

static void test_crafted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(crafted) / sizeof(*crafted); i++)
		cmp_all(crafted[i]);
}

/* glibc's decimal expansion of a long double: exact for halfway points of doubles. */
static void expand(char *buf, size_t size, long double x)
{
	snprintf(buf, size, "%.800Le", x);
}

/* The last nonzero digit of s's mantissa, moved by d (+1 or -1, no carry needed). */
static void bump_last(char *s, int d)
{
	char *e = strchr(s, 'e'), *p = e - 1;

	while (*p == '0' || *p == '.')
		p--;
	*p = (char)(*p + d);
}

/*
 * Exact halfway points between adjacent values, and the inputs just above
 * and below them in decimal, each thousands of digits long: only exact
 * arithmetic rounds them right.
 */
static void check_halfway(const char *mid, void (*cmp)(const char *))
{
	size_t n = strlen(mid);
	char *s = malloc(n + 40), *e;

	cmp(mid);
	strcpy(s, mid);		/* just above: append a 1 to the mantissa */
	e = strchr(mid, 'e');
	sprintf(s + (e - mid), "00000000001%s", e);
	cmp(s);
	strcpy(s, mid);		/* just below: last digit one less, then nines */
	bump_last(s, -1);
	e = strchr(s, 'e');
	memmove(e + 9, e, strlen(e) + 1);
	memset(e, '9', 9);
	cmp(s);
	strcpy(s, mid);		/* truncated to 17 and 25 digits */
	e = strchr(mid, 'e');
	sprintf(s + 18, "%s", e);
	cmp(s);
	sprintf(s + 26, "%s", e);
	cmp(s);
	free(s);
}

static void test_halfway_double_float(void **state)
{
	char *buf = malloc(13000);

	(void)state;
	for (int i = 0; i < 1500; i++) {
		uint64_t u = rnd(), ex = i % 3 == 0 ? 0 : (u >> 52 & 0x7ff) % 0x7fe;
		uint32_t v = (uint32_t)u, fex = i % 3 == 0 ? 0 : (v >> 23 & 0xff) % 0xfe;
		double a, b;
		float fa, fb;

		/* Finite, a third of them subnormal. */
		u = (u & 0x800fffffffffffffull) | ex << 52;
		v = (v & 0x807fffffu) | fex << 23;
		memcpy(&a, &u, 8);
		u++;
		memcpy(&b, &u, 8);
		if (isinf(b))
			continue;
		expand(buf, 13000, ((long double)a + b) / 2);	/* exact in 64 bits */
		check_halfway(buf, cmp_double);
		memcpy(&fa, &v, 4);
		v++;
		memcpy(&fb, &v, 4);
		if (isinf(fb))
			continue;
		expand(buf, 13000, ((long double)fa + fb) / 2);
		check_halfway(buf, cmp_float);
	}
	free(buf);
}

/* The decimal expansion of k * 2^q, as fpdec gives it. */
static void fpdec_string(char *buf, unsigned __int128 k, int q)
{
	static struct fpdec d;
	size_t n = 0;

	fpdec_init(&d, k, q);
	buf[n++] = '0';
	buf[n++] = '.';
	while (d.pos < d.sig)
		buf[n++] = (char)('0' + fpdec_next(&d));
	sprintf(buf + n, "e%d", d.exp10);
}

/*
 * Just below the smallest normal number: results round up to it, and are
 * tiny (ERANGE) only below the point where rounding to the full precision
 * would reach it too (x86 judges tininess after rounding).  That point, the
 * halfway point under it, and inputs on either side of both.
 */
static void test_tininess_boundaries(void **state)
{
	char *buf = malloc(13000);

	(void)state;
	expand(buf, 13000, DBL_MIN - 0x1p-1076L);
	check_halfway(buf, cmp_double);
	expand(buf, 13000, DBL_MIN - 0x1p-1075L);
	check_halfway(buf, cmp_double);
	expand(buf, 13000, FLT_MIN - 0x1p-151L);
	check_halfway(buf, cmp_float);
	expand(buf, 13000, FLT_MIN - 0x1p-150L);
	check_halfway(buf, cmp_float);
	fpdec_string(buf, ((unsigned __int128)1 << 65) - 1, -16447);
	check_halfway(buf, cmp_ldouble);
	fpdec_string(buf, ((unsigned __int128)1 << 64) - 1, -16446);
	check_halfway(buf, cmp_ldouble);
	free(buf);
}

/* x87 halfway points need 65 bits: their digits come from fpdec, checked by test_printf. */
static void test_halfway_long_double(void **state)
{
	char *buf = malloc(13000);

	(void)state;
	for (int i = 0; i < 400; i++) {
		uint64_t m = rnd() | 1ull << 63;
		int q = (int)(rnd() % 32000) - 16445 - 63 + 100;

		if (i % 4 == 0) {	/* subnormal */
			m >>= rnd() % 64;
			q = -16445;
		}
		if (q > 16383 - 63 - 1)
			q = 16383 - 63 - 1;
		fpdec_string(buf, 2 * (unsigned __int128)m + 1, q - 1);
		check_halfway(buf, cmp_ldouble);
	}
	free(buf);
}

/* Every double printed with %.17g (which round-trips) reads back the same. */
static void test_roundtrip_random(void **state)
{
	char buf[64];

	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint64_t u = rnd();
		double x;
		float f;
		long double lx;

		memcpy(&x, &u, 8);
		snprintf(buf, sizeof(buf), "%.17g", x);
		cmp_double(buf);
		if (i % 4 == 0) {
			uint32_t v = (uint32_t)u;

			memcpy(&f, &v, 4);
			snprintf(buf, sizeof(buf), "%.9g", f);
			cmp_float(buf);
			lx = x;
			snprintf(buf, sizeof(buf), "%.21Lg", lx * (long double)x);
			cmp_ldouble(buf);
		}
	}
}

/* Random digit strings: lengths to hundreds of digits, every exponent, odd spellings. */
static void test_random_decimal(void **state)
{
	char buf[1200];

	(void)state;
	for (int i = 0; i < 60000; i++) {
		size_t n = 0, nd = 1 + rnd() % (i % 10 ? 25 : 900);
		int range = i % 3 == 0 ? 60 : i % 3 == 1 ? 400 : 5100;
		long dot = (long)(rnd() % (nd + 1));

		if (rnd() % 4 == 0)
			buf[n++] = "-+ \t"[rnd() % 4];
		for (size_t j = 0; j < nd; j++) {
			if ((long)j == dot)
				buf[n++] = '.';
			/* Runs of 0s and 9s make near-ties and carries. */
			buf[n++] = i % 5 == 0 ? "0009"[rnd() % 4] : i % 5 == 1 ? "9990"[rnd() % 4] :
				   (char)('0' + rnd() % 10);
		}
		n += sprintf(buf + n, "%se%d", rnd() % 8 ? "" : "x",
			     (int)(rnd() % (2 * range)) - range);
		buf[n] = 0;
		cmp_all(buf);
	}
}

/* Random hex strings, digits to 40, every exponent. */
static void test_random_hex(void **state)
{
	static const char xd[] = "0123456789abcdefABCDEF";
	char buf[128];

	(void)state;
	for (int i = 0; i < 30000; i++) {
		size_t n = 0, nd = 1 + rnd() % 40;
		long dot = (long)(rnd() % (nd + 1));

		n += sprintf(buf, "%s0%c", rnd() % 3 ? "" : "-", rnd() % 2 ? 'x' : 'X');
		for (size_t j = 0; j < nd; j++) {
			if ((long)j == dot)
				buf[n++] = '.';
			buf[n++] = i % 4 == 0 ? "0f8"[rnd() % 3] : xd[rnd() % 22];
		}
		n += sprintf(buf + n, "p%d", (int)(rnd() % 33000) - 16500);
		buf[n] = 0;
		cmp_all(buf);
	}
}

/* Inputs far longer than any cap: a million zeros before or after the digits that matter. */
static void test_very_long(void **state)
{
	size_t big = 1000000;
	char *s = malloc(big + 100), *p;

	(void)state;
	p = s + sprintf(s, "0.");
	memset(p, '0', big);
	strcpy(p + big, "123e1000005");
	cmp_all(s);
	p = s + sprintf(s, "9007199254740993");
	memset(p, '0', big);
	strcpy(p + big, "1e-1000000");
	cmp_all(s);
	p[big] = 0;
	strcat(p, "e-1000000");
	cmp_all(s);
	memset(s, '9', big);
	strcpy(s + big, "e-1000000");
	cmp_all(s);
	free(s);
}

static void test_atof(void **state)
{
	(void)state;
	assert_true(kr_test_atof("  -12.5e1xyz") == -125.0);
	assert_true(kr_test_atof("nope") == 0.0);
	assert_true(kr_test_atof("0x10") == 16.0);
}

static void cmp_ldexp(double x, int n)
{
	double g, w;
	int eg, ew;

	errno = 0;
	g = kr_test_ldexp(x, n);
	eg = errno;
	errno = 0;
	w = ref_ldexp(x, n);
	ew = errno;
	checks++;
	if (memcmp(&g, &w, 8) || eg != ew) {
		print_error("ldexp(%a, %d): got %a errno %d, glibc %a errno %d\n", x, n, g, eg, w, ew);
		fail();
	}
}

static void cmp_frexp(double x)
{
	double g, w;
	int xg = 99, xw = 99;

	g = kr_test_frexp(x, &xg);
	w = ref_frexp(x, &xw);
	checks++;
	if (memcmp(&g, &w, 8) || xg != xw) {
		print_error("frexp(%a): got %a, %d; glibc %a, %d\n", x, g, xg, w, xw);
		fail();
	}
}

static void test_ldexp_frexp(void **state)
{
	static const double special[] = {
		0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN, -NAN, DBL_MAX, DBL_MIN, 0x1p-1074,
		0x1.8p-1074, 0x1.fffffffffffffp-1022, 0x1.0000000000001p0, 3.0, 0.75,
	};
	static const int ns[] = {
		0, 1, -1, 52, -52, 1023, -1022, -1074, -1075, -1076, 2046, 2100, -2100, INT_MAX,
		INT_MIN, 1024, -1073,
	};
	uint64_t snan = 0x7ff0000000000001ull;
	double s;

	(void)state;
	memcpy(&s, &snan, 8);
	cmp_ldexp(s, 3);
	cmp_frexp(s);
	for (size_t i = 0; i < sizeof(special) / sizeof(*special); i++) {
		cmp_frexp(special[i]);
		for (size_t j = 0; j < sizeof(ns) / sizeof(*ns); j++)
			cmp_ldexp(special[i], ns[j]);
	}
	for (int i = 0; i < 200000; i++) {
		uint64_t u = rnd();
		double x;

		memcpy(&x, &u, 8);
		cmp_frexp(x);
		cmp_ldexp(x, (int)(rnd() % 4400) - 2200);
		/* Into the subnormal range, where a single rounding matters. */
		cmp_ldexp(x, -1022 - (int)((u >> 52) & 0x7ff) + 1023 - (int)(rnd() % 60));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_halfway_double_float),
		cmocka_unit_test(test_halfway_long_double),
		cmocka_unit_test(test_tininess_boundaries),
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_random_decimal),
		cmocka_unit_test(test_random_hex),
		cmocka_unit_test(test_very_long),
		cmocka_unit_test(test_atof),
		cmocka_unit_test(test_ldexp_frexp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
