/*
 * ksyms.h - the kernel's own function symbols, for backtraces.
 */
#ifndef KARYON_KSYMS_H
#define KARYON_KSYMS_H

#include <stdint.h>

/* Name of the function containing addr (offset in *off), or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *off);

#endif
