/*
 * krt/stdlib_fp.h - the floating-point part of the C library: number
 * parsing and scaling (tcc-runtime/libc/strtod.c) and the exactly rounded
 * subset of libm (tcc-runtime/libc/math.c).  Standard names and glibc's
 * results, bit for bit, errno included; errno is Linux's ERANGE (34) and
 * EDOM (33), set through __errno_location().
 */
#ifndef KARYON_KRT_STDLIB_FP_H
#define KARYON_KRT_STDLIB_FP_H

/* Correctly rounded for input of any length; glibc's endptr and errno. */
double strtod(const char *, char **);
float strtof(const char *, char **);
long double strtold(const char *, char **);
double atof(const char *);

double ldexp(double, int);
double frexp(double, int *);

double sqrt(double);
float sqrtf(float);
double fabs(double);
float fabsf(float);
double floor(double);
float floorf(float);
double ceil(double);
float ceilf(float);
double trunc(double);
float truncf(float);
double round(double);
float roundf(float);
double fmod(double, double);
float fmodf(float, float);
double fmin(double, double);
float fminf(float, float);
double fmax(double, double);
float fmaxf(float, float);

#endif
