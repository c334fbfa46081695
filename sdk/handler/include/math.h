/*
 * <math.h> - a small set of floating-point functions and constants.
 * No grant needed.  The functions are exact (correctly rounded) ones only,
 * so results are the same on the device and with glibc: sqrt, fabs, floor,
 * ceil, trunc, round, fmod, fmin, fmax, and the float forms sqrtf, fabsf,
 * floorf, ceilf, truncf, roundf, fmodf.  No sin, exp, log or pow.
 *
 * isnan, isinf and isfinite are macros for float and double.  Under
 * TinyCC, which has no __builtin_isnan, they compare the value with itself
 * and so evaluate their argument more than once.
 */
#ifndef _KARYON_MATH_H
#define _KARYON_MATH_H

#define M_E 2.7182818284590452354
#define M_PI 3.14159265358979323846

#ifdef __GNUC__
#define HUGE_VAL (__builtin_huge_val())
#define HUGE_VALF (__builtin_huge_valf())
#define INFINITY (__builtin_inff())
#define NAN (__builtin_nanf(""))
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#else
/* TinyCC folds these at compile time (to +inf and a positive quiet NaN). */
#define HUGE_VAL (1.0 / 0.0)
#define HUGE_VALF (1.0f / 0.0f)
#define INFINITY (1.0f / 0.0f)
#define NAN (0.0f / 0.0f)
/* x - x is 0 for a finite x and NaN for an infinite or NaN one. */
#define isnan(x) ((x) != (x))
#define isfinite(x) ((x) - (x) == (x) - (x))
#define isinf(x) (!isnan(x) && !isfinite(x))
#endif

double sqrt(double x);
double fabs(double x);
double floor(double x);
double ceil(double x);
double trunc(double x);
double round(double x);
double fmod(double x, double y);
double fmin(double x, double y);
double fmax(double x, double y);

float sqrtf(float x);
float fabsf(float x);
float floorf(float x);
float ceilf(float x);
float truncf(float x);
float roundf(float x);
float fmodf(float x, float y);

#endif
