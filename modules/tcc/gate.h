/*
 * gate.h - the decode half of the system-call gate: what a handler's
 * system call may be, checked before anything acts on it (gate.c).
 *
 * A handler in user mode enters the kernel with `syscall`, the call number
 * in rax and up to six arguments.  gate_decode looks the number up in the
 * table of kernel calls, checks the handler's grants, and checks every
 * argument against its kind: a buffer must lie whole inside the handler's
 * mapped regions (writable ones, for what the kernel writes), a length
 * below the call's limit, a string is read later by the copy helpers and
 * must end within GATE_STR_MAX bytes.  Pure code with no kernel
 * dependencies: the host tests check every rule at its edges
 * (tests/unit/test_gate.c).  run.c does the invoking.
 */
#ifndef KARYON_TCC_GATE_H
#define KARYON_TCC_GATE_H

#include <stdbool.h>
#include <stdint.h>
#include <karyon/err.h>

#define GATE_STR_MAX     256            /* a path, with its NUL */
#define GATE_WHY_MAX     80             /* abort()'s reason, with its NUL */
#define GATE_IO_MAX      (16u << 20)    /* one vfs_read / vfs_write */
#define GATE_WRITE_MAX   (64u << 10)    /* one console write */
#define GATE_REGIONS     8
#define GATE_NR_MAX      255            /* call numbers are below 256 */

enum gate_arg {
	GA_NONE = 0,
	GA_INT,         /* any value */
	GA_STR,         /* a NUL-terminated string, read later (GATE_STR_MAX) */
	GA_WHY,         /* the same, GATE_WHY_MAX */
	GA_IN,          /* a buffer the kernel reads; its length is the next argument */
	GA_OUT,         /* a buffer the kernel writes; its length is the next argument */
	GA_LEN,         /* the length of the buffer before it */
};

struct gate_call {
	const char *name;
	uint16_t nr;
	uint8_t grant;                  /* enum grant */
	uint8_t args[6];                /* enum gate_arg, GA_NONE after the last */
	uint32_t max_len;               /* the limit of its GA_LEN argument */
};

/* Where a handler's memory is, for the checks: [lo, hi) each. */
struct gate_region {
	uint64_t lo, hi;
	bool writable;
};
struct gate_space {
	struct gate_region r[GATE_REGIONS];
	unsigned n;
};

/* Why a call was refused, for the report: argument index (0-based) or -1. */
struct gate_refusal {
	int arg;
	const char *what;               /* "not a system call", "bad pointer", ... */
};

/* KR_OK and *call if call nr may go on with these arguments; else the
 * error code the handler gets back (KR_ENOSYS, KR_EPERM, KR_EFAULT,
 * KR_ERANGE) and *why says what was wrong. */
kr_err_t gate_decode(uint64_t nr, const uint64_t args[6], uint32_t grants,
		     const struct gate_space *space, const struct gate_call **call,
		     struct gate_refusal *why);
/* Is [p, p + n) inside one region (writable, if asked)?  n == 0 passes
 * for any p. */
bool gate_range_ok(const struct gate_space *space, uint64_t p, uint64_t n, bool write);
/* The call numbered nr, or NULL. */
const struct gate_call *gate_find(uint64_t nr);

#endif
