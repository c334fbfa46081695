/*
 * grants.c - the grant table (grants.h): names, call numbers, grants.
 *
 * Pure code with no kernel dependencies, so the host tests check the
 * resolution rules directly (tests/unit/test_grants.c).  Every name is
 * defined by the user-mode handler library (ulib/), which runs inside the
 * handler's address space; the calls that need the kernel are stubs there
 * that make system call N (gate.c checks them).
 */
#include <karyon/libc.h>
#include "grants.h"

static const char *const names[GRANT_COUNT] = {
	[GRANT_PURE] = "pure", [GRANT_CONSOLE] = "console", [GRANT_VFS_READ] = "vfs.read",
	[GRANT_VFS_WRITE] = "vfs.write", [GRANT_TIME] = "time",
	[GRANT_EVENTS_RAISE] = "events.raise", [GRANT_PARCEL] = "parcel", [GRANT_VM] = "vm",
};

#define P(n, name) { #name, n, GRANT_PURE }
/* Append only: the numbers are the system-call numbers (ulib/ulib.h). */
const struct grant_call grant_calls[] = {
	/* <string.h> */
	P(1, memcpy), P(2, memmove), P(3, memset), P(4, memcmp), P(5, memchr),
	P(6, strlen), P(7, strnlen), P(8, strcmp), P(9, strncmp), P(10, strcpy),
	P(11, strncpy), P(12, strcat), P(13, strncat), P(14, strchr), P(15, strrchr),
	P(16, strstr), P(17, strspn), P(18, strcspn), P(19, strpbrk), P(20, strtok),
	P(21, strtok_r), P(22, strcasecmp), P(23, strncasecmp), P(24, strdup), P(25, strndup),
	/* <stdlib.h> */
	P(26, malloc), P(27, calloc), P(28, realloc), P(29, free), P(30, atoi),
	P(31, atol), P(32, atoll), P(33, atof), P(34, strtol), P(35, strtoul),
	P(36, strtoll), P(37, strtoull), P(38, strtod), P(39, strtof), P(40, qsort),
	P(41, bsearch), P(42, abs), P(43, labs), P(44, llabs), P(45, div),
	P(46, ldiv), P(47, lldiv), P(48, exit), P(49, abort),
	/* <stdio.h>, the part that writes to memory */
	P(50, snprintf), P(51, vsnprintf), P(52, sprintf), P(53, vsprintf), P(54, sscanf),
	P(55, vsscanf),
	/* <ctype.h> */
	P(56, isalnum), P(57, isalpha), P(58, isblank), P(59, iscntrl), P(60, isdigit),
	P(61, isgraph), P(62, islower), P(63, isprint), P(64, ispunct), P(65, isspace),
	P(66, isupper), P(67, isxdigit), P(68, tolower), P(69, toupper),
	/* <math.h>: the exactly rounded functions */
	P(70, sqrt), P(71, fabs), P(72, floor), P(73, ceil), P(74, trunc),
	P(75, round), P(76, fmod), P(77, fmin), P(78, fmax), P(79, sqrtf),
	P(80, fabsf), P(81, floorf), P(82, ceilf), P(83, truncf), P(84, roundf),
	P(85, fmodf),
	/* Helpers TinyCC's generated code calls (Debian's libtcc1.a) */
	P(86, __fixdfdi), P(87, __fixsfdi), P(88, __fixunsdfdi), P(89, __fixunssfdi),
	P(90, __fixunsxfdi), P(91, __fixxfdi), P(92, __floatundidf), P(93, __floatundisf),
	P(94, __floatundixf), P(95, __va_arg), P(96, alloca),
	/* grant "console" */
	{ "printf", 97, GRANT_CONSOLE }, { "vprintf", 98, GRANT_CONSOLE },
	{ "puts", 99, GRANT_CONSOLE }, { "putchar", 100, GRANT_CONSOLE },
	{ "fputs", 101, GRANT_CONSOLE }, { "fputc", 102, GRANT_CONSOLE },
	{ "putc", 103, GRANT_CONSOLE }, { "fprintf", 104, GRANT_CONSOLE },
	{ "vfprintf", 105, GRANT_CONSOLE }, { "fflush", 106, GRANT_CONSOLE },
	{ "stdout", 107, GRANT_CONSOLE }, { "stderr", 108, GRANT_CONSOLE },
	/* grant "vfs.read" */
	{ "vfs_read", 109, GRANT_VFS_READ }, { "vfs_size", 110, GRANT_VFS_READ },
	/* grant "vfs.write" */
	{ "vfs_write", 111, GRANT_VFS_WRITE }, { "vfs_append", 112, GRANT_VFS_WRITE },
	/* grant "time" */
	{ "time_us", 113, GRANT_TIME },
	/* The library's own way into the kernel (ulib/ulib.h): console output,
	 * heap growth, and a call that does nothing (it measures the gate). */
	{ "__karyon_write", 114, GRANT_CONSOLE }, P(115, __karyon_heap), P(116, __karyon_null),
	/* <karyon/handler.h> */
	P(117, karyon_strerror),
	/* Metering (gas.h): the charges a metered compile inserts use them. */
	P(118, __karyon_gas_out), P(119, __karyon_gas),
	/* grant "events.raise" (<karyon/handler.h>) */
	{ "event_raise", 120, GRANT_EVENTS_RAISE },
	/* grant "parcel" (<karyon/handler.h>; endpoint.c) */
	{ "parcel_send", 121, GRANT_PARCEL }, { "parcel_send_raw", 122, GRANT_PARCEL },
	{ "parcel_recv", 123, GRANT_PARCEL },
	/* grant "vm": a contract's calls into the VM (<liba.h>; contract.c) */
	{ "liba_get", 124, GRANT_VM }, { "liba_set", 125, GRANT_VM },
	{ "liba_del", 126, GRANT_VM }, { "liba_log", 127, GRANT_VM },
	{ "liba_blake2b", 128, GRANT_VM }, { "liba_ctx", 129, GRANT_VM },
	{ "liba_call", 130, GRANT_VM }, { "liba_return", 131, GRANT_VM },
	{ "liba_revert", 132, GRANT_VM },
};
const unsigned grant_ncalls = sizeof(grant_calls) / sizeof(grant_calls[0]);

const char *grant_name(unsigned g)
{
	return g < GRANT_COUNT ? names[g] : NULL;
}

kr_err_t grant_parse(const char *list, uint32_t *mask, const char **bad, unsigned *badlen)
{
	uint32_t add = 0;
	const char *p = list, *end;
	unsigned g, n;

	if (!list || !mask)
		return KR_EINVAL;
	for (;; p = end + 1) {
		for (end = p; *end && *end != ','; end++)
			;
		n = (unsigned)(end - p);
		for (g = GRANT_CONSOLE; g < GRANT_VM; g++)      /* "vm" is no handler's */
			if (strlen(names[g]) == n && !strncmp(names[g], p, n))
				break;
		if (g >= GRANT_VM) {
			if (bad)
				*bad = p;
			if (badlen)
				*badlen = n;
			return KR_EUNKNOWN;
		}
		add |= GRANT_BIT(g);
		if (!*end)
			break;
	}
	*mask |= add;
	return KR_OK;
}

kr_err_t grant_lookup(const char *name, uint32_t mask, const struct grant_call **call)
{
	for (unsigned i = 0; i < grant_ncalls; i++) {
		if (strcmp(grant_calls[i].name, name))
			continue;
		*call = &grant_calls[i];
		return grant_calls[i].grant == GRANT_PURE || (mask & GRANT_BIT(grant_calls[i].grant))
		       ? KR_OK : KR_EPERM;
	}
	return KR_ENOENT;
}

void grant_format(uint32_t mask, char *buf, unsigned len)
{
	unsigned at = 0;
	int w;

	if (!len)
		return;
	buf[0] = '\0';
	for (unsigned g = GRANT_CONSOLE; g < GRANT_COUNT && at < len - 1; g++) {
		if (!(mask & GRANT_BIT(g)))
			continue;
		w = ksnprintf(buf + at, len - at, "%s%s", at ? "," : "", names[g]);
		at = w < 0 || (unsigned)w >= len - at ? len - 1 : at + (unsigned)w;
	}
	if (!buf[0])
		ksnprintf(buf, len, "-");
}
