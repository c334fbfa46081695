/*
 * sys.h - the POSIX surface Debian's libtcc.a calls (sys.c), pointed at
 * Karyon: files from the VFS, memory from a domain's heap (mprotect, for
 * tcc -run only, is refused).
 */
#ifndef KARYON_TCC_SYS_H
#define KARYON_TCC_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <karyon/cap.h>
#include <karyon/vfs.h>

/* The name libtcc is told to write its object file to: kept in memory. */
#define SYS_OBJECT_PATH "<object>"

typedef void (*sys_diag_fn)(void *ctx, const char *line);

/* Serve libtcc from heap (malloc), vfs + cwd (open/read) and send what it
 * writes to stdout/stderr to diag, until sys_end(). */
void sys_begin(kr_domain_t *heap, const struct kr_vfs_ops *vfs, const char *cwd,
	       sys_diag_fn diag, void *ctx);
/* Budgets for the compile until sys_end (0: none): past either, every
 * allocation fails, so libtcc stops ("memory full"); sys_over() is then
 * "time" or "memory", else NULL. */
void sys_budget(uint64_t time_ms, uint64_t mem_bytes);
const char *sys_over(void);
/* Close what libtcc left open and reset its lock (a compile that was
 * stopped midway never released it); the heap goes with its domain. */
void sys_end(void);
/* The object file written to SYS_OBJECT_PATH (in the heap domain), or NULL. */
const void *sys_object(size_t *len);
/* While on, what libtcc writes to stdout (its -E output) is kept in a
 * buffer of the heap domain instead of going to diag; sys_captured() is
 * that text, NUL-terminated (NULL if memory ran out), until sys_end() or
 * the next sys_capture(true), which starts afresh. */
void sys_capture(bool on);
const char *sys_captured(size_t *len);


/* sys_file.c's part of sys_begin / sys_end. */
void sys_files_begin(const struct kr_vfs_ops *vfs, const char *cwd, sys_diag_fn diag, void *ctx);
void sys_files_end(void);

/* glibc's numbers for what libtcc.a passes and checks. */
typedef long ssize_t;
#define O_ACCMODE 3
#define O_RDONLY  0
#define SEEK_SET  0
#define SEEK_CUR  1
#define SEEK_END  2
#define ENOENT    2
#define EBADF     9
#define ENOMEM    12
#define EACCES    13
#define EMFILE    24
#define EDEADLK   35
#define ENOSYS    38

/* POSIX, as libtcc.a uses it. */
int mprotect(void *addr, size_t len, int prot);

#endif
