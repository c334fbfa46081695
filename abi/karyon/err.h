/*
 * err.h - the one set of error codes used across the ABI.
 *
 * Every fallible ABI function returns kr_err_t: 0 on success, a negative
 * KR_E* code on failure.  kr_strerror() turns a code into text in one place,
 * so every caller prints the same words for the same failure.
 */
#ifndef KARYON_ERR_H
#define KARYON_ERR_H

#include <karyon/abi.h>

typedef int kr_err_t;

/* X(name, positive number, text).  Numbers are ABI: never reuse one. */
#define KR_ERRORS(X)                                              \
	X(KR_EINVAL,     1, "invalid argument")                   \
	X(KR_ENOMEM,     2, "out of memory")                      \
	X(KR_ERANGE,     3, "value out of range")                 \
	X(KR_ENOENT,     4, "no such entry")                      \
	X(KR_EEXIST,     5, "already exists")                     \
	X(KR_EBUSY,      6, "resource busy")                      \
	X(KR_EPERM,      7, "permission denied")                  \
	X(KR_ENOSPC,     8, "no space left")                      \
	X(KR_EFAULT,     9, "bad address")                        \
	X(KR_ENOSYS,    10, "not implemented")                    \
	X(KR_ETRUNC,    11, "truncated input")                    \
	X(KR_EALIGN,    12, "misaligned address or size")         \
	X(KR_EFORMAT,   13, "malformed data")                     \
	X(KR_EDOUBLE,   14, "double free")                        \
	X(KR_EFOREIGN,  15, "pointer not owned by this allocator") \
	X(KR_EOVERLAP,  16, "ranges overlap")                     \
	X(KR_EUNKNOWN,  17, "unknown name")                       \
	X(KR_EBADCAP,   18, "no such capability slot")            \
	X(KR_ESTALE,    19, "stale capability (revoked or deleted)") \
	X(KR_ERIGHTS,   20, "capability lacks the rights")       \
	X(KR_ETYPE,     21, "wrong kind of capability")           \
	X(KR_EALREADY,  22, "already done")                      \
	X(KR_ETIME,     23, "time budget exhausted")              \
	X(KR_EIO,       24, "device error")                       \
	X(KR_EINPROGRESS, 25, "in progress")                      \
	X(KR_ENODEV,    26, "no such device")                     \
	X(KR_EAGAIN,    27, "try again later")                    \
	X(KR_EDEAD,     28, "killed: unreachable until reloaded") \
	X(KR_EENERGY,   29, "energy budget exhausted")

enum kr_err {
	KR_OK = 0,
#define KR_ERR_ENUM(name, num, text) name = -(num),
	KR_ERRORS(KR_ERR_ENUM)
#undef KR_ERR_ENUM
};

/* Text for an error code; never NULL ("unknown error" for foreign codes). */
KR_API(1, 0) const char *kr_strerror(kr_err_t err);

#endif
