/*
 * initrd.h - unpacks a cpio "newc" archive (what `cpio -o -H newc` writes,
 * and what Linux calls an initramfs) into a vfs.
 *
 * Regular files and directories are created, with the directories above
 * them (mkdir -p), whether or not the archive lists those directories and
 * in whatever order (`find -depth` puts them last).  Other entries
 * (symlinks, devices, fifos, sockets) are skipped: a file system without
 * them can still serve the rest, and err then says how many were skipped
 * and names the first.  Reading stops at the first "TRAILER!!!" entry;
 * what follows it (cpio's padding to 512 bytes) is ignored.  Ownership,
 * permissions and archive mtimes are not kept (the vfs has none; mtimes
 * come from its clock).  A file with hard links is unpacked as separate
 * files, the earlier ones empty, as newc stores the data only with the last
 * link.
 *
 * The archive is checked whole before anything is created, so a malformed
 * one changes nothing: bad magic (only "070701"; the "070702" CRC variant
 * is refused), a field that is not 8 hex digits, a name size of 0, a name
 * without its NUL or with one inside, an empty name, control characters,
 * ".." above "/", a directory with data, a name or data running past the
 * end, a missing trailer.  Then entries are created in order; if the vfs
 * refuses one (a limit, memory, an entry that already exists as a file),
 * the entries before it stay: the caller sees them and the message.
 *
 * err (may be NULL) gets one line naming the entry (1-based), its name once
 * that is known to be printable, its offset and the reason; "" on a clean
 * success.  *files_out (may be NULL) counts the regular files created.
 */
#ifndef KARYON_VFS_INITRD_H
#define KARYON_VFS_INITRD_H

#include "vfs_fs.h"

/* KR_EFORMAT malformed, KR_ETRUNC cut short, or the vfs's error. */
kr_err_t initrd_unpack(struct vfs *fs, const void *archive, size_t size,
		       char *err, size_t errlen, uint32_t *files_out);

#endif
