/*
 * measure.h - measuring modules against the image's manifest (kmod).
 */
#ifndef KMOD_MEASURE_H
#define KMOD_MEASURE_H

#include <stdbool.h>
#include <karyon/cap.h>

#define DIGEST_LEN 32

/* Measure the kernel, and read the "manifest" boot module if there is one. */
void measure_init(kr_domain_t *self);
/* Hash file into digest; refuse it when an enforcing image's manifest
 * does not list it.  Logs nothing: a load may still fail. */
kr_err_t measure_check(const char *name, const void *file, size_t size,
		       uint8_t digest[DIGEST_LEN], char *err, size_t len);
/* The measurement log line of a module about to run, once per load; taints
 * the kernel (permissive image) when the manifest does not list it. */
void measure_log(const char *name, const uint8_t digest[DIGEST_LEN]);
void measure_hex(const uint8_t digest[DIGEST_LEN], char out[2 * DIGEST_LEN + 1]);

#endif
