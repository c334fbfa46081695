/*
 * float - floating point: Newton's square root against sqrt(), Simpson's
 * rule on a cubic (exact) and on 4/(1+x^2) (which gives pi), float against
 * double, printf's %f %.10f %e %g, large doubles converted to unsigned long
 * long and back, and the infinities and NaN that division by zero gives.
 *
 *	cc /usr/share/examples/handlers/float.c
 *	run float
 *
 * Returns the number of results that were not as expected (0 when all are).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		printf("  unexpected: %s\n", what);
		failures++;
	}
}

static double newton_sqrt(double a)
{
	double x = a > 1 ? a : 1, prev = 0;
	int i;

	for (i = 0; i < 100 && x != prev; i++) {
		prev = x;
		x = (x + a / x) / 2;
	}
	return x;
}

static double cubic(double x) { return 3 * x * x * x - 2 * x + 1; }
static double quarter_circle(double x) { return 4 / (1 + x * x); }

/* Simpson's rule with n (even) intervals. */
static double simpson(double (*f)(double), double a, double b, int n)
{
	double h = (b - a) / n, sum = f(a) + f(b);
	int i;

	for (i = 1; i < n; i++)
		sum += f(a + i * h) * (i % 2 ? 4 : 2);
	return sum * h / 3;
}

int main(void)
{
	static const double roots[] = { 2, 10, 0.25, 1e10, 12345.678 };
	static const double shown[] = { 1.0 / 3, M_PI, -2.5e-5, 123456789.125, 6.02214076e23 };
	static const char *const big[] = { "9007199254740993", "1e19", "18446744073709549568" };
	double zero = atof("0"), pi, d = 0;
	float f = 0;
	unsigned long long u;
	int i;

	for (i = 0; i < 5; i++) {
		double n = newton_sqrt(roots[i]), s = sqrt(roots[i]);
		printf("sqrt(%g): newton %.17g, sqrt() %.17g\n", roots[i], n, s);
		expect(fabs(n - s) <= s * 1e-15, "newton and sqrt() differ");
	}

	printf("simpson 3x^3-2x+1 on [0,2]: %.10f\n", simpson(cubic, 0, 2, 10));
	pi = simpson(quarter_circle, 0, 1, 100);
	printf("simpson 4/(1+x^2) on [0,1]: %.15f, error %.3e\n", pi, pi - M_PI);
	expect(fabs(pi - M_PI) < 1e-9, "pi is off");

	for (i = 0; i < 1000; i++) {
		f += 0.1f;
		d += 0.1;
	}
	printf("0.1 added 1000 times: float %.10f, double %.10f\n", f, d);
	printf("16777217 as float %.1f, as double %.1f\n", (float)16777217, (double)16777217);
	printf("1/3 as float %.20f\n", 1.0f / 3);

	for (i = 0; i < 5; i++)
		printf("%%f %f  %%.10f %.10f  %%e %e  %%g %g\n", shown[i], shown[i], shown[i], shown[i]);
	printf("%%g: %g %g %g %g %g\n", 100000.0, 1000000.0, 0.0001, 0.00001, -0.0);
	printf("rounding: %.0f %.0f %.2f %5.1f|%-8.3f|%+.2e\n", 0.5, 1.5, 2.675, 9.96, M_E, 12345.0);
	printf("floor/ceil/trunc/round(-2.5): %g %g %g %g, fmod(7.5, 2) %g\n",
	       floor(-2.5), ceil(-2.5), trunc(-2.5), round(-2.5), fmod(7.5, 2));

	for (i = 0; i < 3; i++) {
		d = strtod(big[i], NULL);
		u = (unsigned long long)d;
		printf("%s -> double %.17g -> %llu -> %.17g\n", big[i], d, u, (double)u);
		expect((double)u == d, "round trip through unsigned long long");
	}
	u = 18446744073709551615ULL;
	printf("ULLONG_MAX as double %.17g\n", (double)u);

	d = 1 / zero;
	printf("1/0 = %f, -1/0 = %f, isinf %d\n", d, -1 / zero, isinf(d) != 0);
	/* The sign of a NaN is not portable (x86 sets it for 0/0, and printf
	 * shows it as "-nan"), so the NaNs are printed through fabs(). */
	d = zero / zero;
	printf("0/0 = %f, isnan %d, nan == nan %d, nan != nan %d\n", fabs(d), isnan(d) != 0,
	       d == d, d != d);
	printf("NAN %f, INFINITY %e, HUGE_VAL %g, isfinite(1e308 * 10) %d\n",
	       fabs(NAN), INFINITY, HUGE_VAL, isfinite(1e308 * 10) != 0);
	expect(isnan(d) && !isfinite(d) && isinf(-1 / zero) && isfinite(zero), "classification");
	printf("%d unexpected\n", failures);
	return failures;
}
