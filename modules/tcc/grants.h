/*
 * grants.h - what a handler may link against.
 *
 * Every call a handler can make has an entry here: the C name it calls, a
 * fixed call number and the grant that unlocks it (or none: pure functions
 * such as strlen are always there).  The linker resolves a handler's
 * undefined symbols through grant_lookup() and nothing else, so a handler
 * reaches exactly what its grants allow, never the core or other modules.
 *
 * The call numbers are part of the handler ABI: the names that need the
 * kernel link to user-mode stubs that make system call number N (ulib/,
 * gate.c); the rest run in user mode in the handler's library.  Never
 * renumber; only append.
 */
#ifndef KARYON_TCC_GRANTS_H
#define KARYON_TCC_GRANTS_H

#include <stdint.h>
#include <karyon/err.h>

enum grant {
	GRANT_PURE = 0,         /* always available: computation only */
	GRANT_CONSOLE,          /* printf and friends: the shell's output */
	GRANT_VFS_READ,         /* vfs_read, vfs_size */
	GRANT_VFS_WRITE,        /* vfs_write, vfs_append */
	GRANT_TIME,             /* time_us */
	GRANT_EVENTS_RAISE,     /* event_raise: custom events (the events module) */
	GRANT_PARCEL,           /* parcel_*: the organelles' fabric (endpoint.c) */
	GRANT_VM,               /* liba_*: a contract's only grant (contract.c); never a
				 * handler's (grant_parse does not know it) */
	GRANT_COUNT
};
#define GRANT_BIT(g)     (1u << (g))
#define GRANT_DEFAULT    (GRANT_BIT(GRANT_PURE) | GRANT_BIT(GRANT_CONSOLE))

struct grant_call {
	const char *name;       /* the C symbol a handler uses */
	uint16_t nr;            /* call number: stable, see above */
	uint8_t grant;          /* enum grant */
};

extern const struct grant_call grant_calls[];
extern const unsigned grant_ncalls;

/* "console", "vfs.read", ...; NULL for an out-of-range grant. */
const char *grant_name(unsigned g);
/* A comma-separated list ("vfs.read,time") into *mask (bits added);
 * KR_EUNKNOWN naming the first unknown grant in bad (if not NULL). */
kr_err_t grant_parse(const char *list, uint32_t *mask, const char **bad, unsigned *badlen);
/* The call named name: KR_OK and *call if mask grants it; KR_EPERM (and
 * *call, so the caller can say which grant is missing) if it exists but is
 * not granted; KR_ENOENT if no handler may call it. */
kr_err_t grant_lookup(const char *name, uint32_t mask, const struct grant_call **call);
/* mask as "console,vfs.read" (the pure set is not listed). */
void grant_format(uint32_t mask, char *buf, unsigned len);

#endif
