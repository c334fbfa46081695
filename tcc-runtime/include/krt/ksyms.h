/*
 * ksyms.h - the kernel's own function symbols, for backtraces.
 */
#ifndef KARYON_KSYMS_H
#define KARYON_KSYMS_H

#include <stdint.h>

/* Name of the function containing addr (offset in *off), or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *off);
/* Log "<pre><addr> <name+off>" (info level and up: kprintf's). */
void ksym_print_addr(const char *pre, uint64_t addr);
/* Log the frames of a frame-pointer chain from rbp while it stays inside
 * [lo, hi) and moves up: a corrupt chain ends the walk, not the kernel. */
void ksym_backtrace(uint64_t rbp, uint64_t lo, uint64_t hi);

#endif
