/*
 * compile.h - one TinyCC compile: a C file in the VFS to an ELF object in
 * memory (compile.c).
 */
#ifndef KARYON_TCC_COMPILE_H
#define KARYON_TCC_COMPILE_H

#include <stdbool.h>
#include "sys.h"

#define COMPILE_MAX_OPTS 16
#define COMPILE_UNITS    2

/* A translation unit given as a buffer, compiled as the file name (a
 * contract and the encoding helper: contract.c). */
struct compile_unit {
	const char *name;
	const char *src;
	size_t len;
};

struct compile_req {
	const char *path;               /* the source, relative to the cwd */
	const char *defines[COMPILE_MAX_OPTS];  /* "NAME" or "NAME=VALUE" (-D) */
	const char *incdirs[COMPILE_MAX_OPTS];  /* -I, searched before /usr/include */
	unsigned ndefines, nincdirs;
	bool lines;                     /* -l: line information (stabs) for reports */
	bool gas;                       /* metered (gas.h): cc's default, not --no-gas */
	unsigned gas_flags;             /* gas_instrument_mode's (GAS_CONTRACT) */
	/* Buffer mode (nunits > 0, path ignored): each unit compiled, metered
	 * if gas, into the one object. */
	struct compile_unit units[COMPILE_UNITS];
	unsigned nunits;
	sys_diag_fn diag;               /* one diagnostic line at a time */
	void *ctx;
	unsigned errors;                /* out: errors TinyCC (or the metering) reported */
	unsigned charges;               /* out: charges the metering inserted */
};

/* The guarded call's entry: compile q->path (sys_begin has pointed the
 * heap, VFS and diagnostics at this compile).  KR_OK: sys_object() holds
 * the object; KR_EFORMAT: the source has errors (reported through diag). */
long compile_entry(void *q);

#endif
