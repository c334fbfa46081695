/*
 * initrd.c - cpio "newc" archive -> vfs.
 *
 * An entry is a 110-byte header ("070701" and 13 fields of 8 hex digits),
 * the name (namesize bytes with its NUL), padding to a multiple of 4 from
 * the start of the archive, the data (filesize bytes), padding again.
 * cpio_parse checks one entry against the archive's bounds and reads
 * nothing outside them; initrd_unpack runs it over the whole archive once
 * to check, then again to create, so a malformed archive changes nothing.
 */
#include <karyon/libc.h>
#include "initrd.h"

#define CPIO_HDR        110
#define CPIO_IFMT       0170000u
#define CPIO_IFDIR      0040000u
#define CPIO_IFREG      0100000u

enum { F_MODE = 1, F_FILESIZE = 6, F_NAMESIZE = 11, F_COUNT = 13 };

struct cpio_ent {
	size_t off, next;               /* this header, the next one */
	uint32_t mode, filesize;
	const char *name;               /* NULL until checked to be printable */
	const uint8_t *data;
};

static size_t cpio_align(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

static bool cpio_hex(const uint8_t *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];

		if (c >= '0' && c <= '9')
			*v = *v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v << 4 | (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v = *v << 4 | (uint32_t)(c - 'A' + 10);
		else
			return false;
	}
	return true;
}

/* A name for the vfs: no control characters, no ".." above "/". */
static const char *cpio_check_name(const char *s)
{
	size_t depth = 0, n;

	if (!*s)
		return "empty name";
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "control character in the name";
	for (; *s; s += n) {
		for (n = 0; s[n] && s[n] != '/'; n++)
			;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (!depth--)
				return "name climbs above / with ..";
		} else if (n && !(n == 1 && s[0] == '.')) {
			depth++;
		}
		n += s[n] == '/';
	}
	return NULL;
}

/* Check the entry at e->off and fill e in; NULL, or why it is refused
 * (*truncated: because the archive ends too soon). */
static const char *cpio_parse(const uint8_t *a, size_t size, struct cpio_ent *e, bool *truncated)
{
	uint32_t f[F_COUNT];
	size_t name_off = e->off + CPIO_HDR, data_off;
	const char *name, *why;

	e->name = NULL;
	*truncated = true;
	if (e->off >= size)
		return "the archive ends without a TRAILER!!! entry";
	if (size - e->off < CPIO_HDR)
		return "header runs past the end";
	*truncated = false;
	if (memcmp(a + e->off, "070701", 6))
		return "bad magic (not a cpio newc archive)";
	for (int i = 0; i < F_COUNT; i++)
		if (!cpio_hex(a + e->off + 6 + 8 * i, &f[i]))
			return "header field is not 8 hex digits";
	e->mode = f[F_MODE];
	e->filesize = f[F_FILESIZE];
	if (f[F_NAMESIZE] == 0)
		return "name size is 0";
	*truncated = f[F_NAMESIZE] > size - name_off;
	if (*truncated)
		return "name runs past the end";
	name = (const char *)a + name_off;
	if (name[f[F_NAMESIZE] - 1] != '\0')
		return "name is not NUL-terminated";
	if (strlen(name) != f[F_NAMESIZE] - 1)
		return "NUL inside the name";
	if ((why = cpio_check_name(name)))
		return why;
	e->name = name;
	data_off = cpio_align(name_off + f[F_NAMESIZE]);
	*truncated = e->filesize && (data_off > size || e->filesize > size - data_off);
	if (*truncated)
		return "data runs past the end";
	if (e->filesize && (e->mode & CPIO_IFMT) == CPIO_IFDIR)
		return "directory with data";
	e->data = e->filesize ? a + data_off : a;     /* never past the end */
	e->next = cpio_align(data_off + e->filesize);
	return NULL;
}

static kr_err_t initrd_fail(char *err, size_t errlen, kr_err_t r, unsigned idx,
			    const struct cpio_ent *e, const char *why)
{
	if (!err || !errlen)
		return r;
	if (e->name)
		ksnprintf(err, errlen, "entry %u (\"%s\") at offset %zu: %s", idx, e->name, e->off, why);
	else
		ksnprintf(err, errlen, "entry %u at offset %zu: %s", idx, e->off, why);
	return r;
}

kr_err_t initrd_unpack(struct vfs *fs, const void *archive, size_t size,
		       char *err, size_t errlen, uint32_t *files_out)
{
	struct cpio_ent e, first_skipped = { 0 };
	struct kr_vfs_stat st;
	unsigned idx, files = 0, skipped = 0;
	const char *why;
	bool trunc;
	kr_err_t r;

	if (err && errlen)
		err[0] = '\0';
	if (files_out)
		*files_out = 0;
	if (!fs || (!archive && size))
		return KR_EINVAL;
	for (int pass = 0; pass < 2; pass++) {
		for (e.next = 0, idx = 1;; idx++) {
			e.off = e.next;
			if ((why = cpio_parse(archive, size, &e, &trunc)))
				return initrd_fail(err, errlen, trunc ? KR_ETRUNC : KR_EFORMAT, idx, &e, why);
			if (!strcmp(e.name, "TRAILER!!!"))
				break;
			if (pass == 0)
				continue;
			if ((e.mode & CPIO_IFMT) == CPIO_IFDIR) {
				r = vfs_mkdir(fs, "/", e.name, true);
			} else if ((e.mode & CPIO_IFMT) == CPIO_IFREG) {
				/* Its directory: the name as cwd and "..", resolved lexically. */
				r = vfs_mkdir(fs, e.name, "..", true);
				if (!r && vfs_stat(fs, "/", e.name, &st) == KR_OK)
					r = KR_EEXIST;
				if (!r && !(r = vfs_write(fs, "/", e.name, e.data, e.filesize, false)))
					files++;
			} else {
				if (!skipped++)
					first_skipped = e;
				continue;
			}
			if (files_out)
				*files_out = files;
			if (r)
				return initrd_fail(err, errlen, r, idx, &e, kr_strerror(r));
		}
	}
	if (skipped && err && errlen)
		ksnprintf(err, errlen, "skipped %u entries that are neither file nor directory, "
			  "the first \"%s\" at offset %zu", skipped, first_skipped.name, first_skipped.off);
	return KR_OK;
}
