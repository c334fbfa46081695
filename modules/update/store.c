/*
 * store.c - where the update module keeps its strands, and what it allows.
 *
 * The store: each table's four blobs are files UPD_DIR/MODULE/record.a,
 * record.b, strand.a and strand.b of the vfs.  A write at offset 0 is a
 * vfs write of the file, a later one an append (strand.c writes images in
 * chunks, each well under the commit log's 1 MiB per commit); with the
 * commit log attached each is a commit, durable when it returns, so flush
 * has nothing left to do.  A blob that does not exist reads as empty.
 *
 * The allow-list: the image's manifest (boot module "manifest", the lines
 * "blake2b-256 HEX NAME" kmod checks every load against, and its "mode
 * enforce" or "mode permissive") plus the update manifest, the file
 * /etc/update.allow in the same line format, read at every update.  On a
 * permissive image an image either lists is allowed (one neither lists is
 * accepted, flagged unlisted); on an enforcing image only the image's
 * manifest counts: kmod there refuses to load anything else, and a file
 * any shell can write must not widen what an enforcing image runs.
 */
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/module.h>

#include "update_int.h"

/* ---- the store ---------------------------------------------------------- */

static kr_err_t blob_path(void *ctx, enum strand_blob b, char *out, size_t len)
{
	const struct upd_store *s = ctx;
	const char *n = strand_blob_name(b);

	if (!n || (size_t)ksnprintf(out, len, "%s/%s", s->dir, n) >= len)
		return KR_EINVAL;
	return KR_OK;
}

static kr_err_t st_read(void *ctx, enum strand_blob b, uint64_t off, void *buf, size_t len,
			size_t *got)
{
	char p[UPD_PATH_MAX + 16];
	kr_err_t e = blob_path(ctx, b, p, sizeof(p));

	*got = 0;
	if (e)
		return e;
	e = upd_vfs->read(NULL, p, off, buf, len, got);
	if (e == KR_ENOENT) {
		*got = 0;
		return KR_OK;
	}
	return e;
}

static kr_err_t st_write(void *ctx, enum strand_blob b, uint64_t off, const void *buf, size_t len)
{
	char p[UPD_PATH_MAX + 16];
	kr_err_t e = blob_path(ctx, b, p, sizeof(p));

	return e ? e : upd_vfs->write(NULL, p, buf, len, off != 0);
}

static kr_err_t st_flush(void *ctx, enum strand_blob b)
{
	(void)ctx;
	(void)b;
	return KR_OK;   /* each vfs write was a commit, durable when it returned */
}

static void *st_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return kr_malloc(upd_self, size ? size : 1);
}

static void st_free(void *ctx, void *p)
{
	(void)ctx;
	if (p)
		kr_free(upd_self, p);
}

kr_err_t store_env(struct upd_store *s, struct strand_env *env, const char *name)
{
	if ((size_t)ksnprintf(s->dir, sizeof(s->dir), "%s/%s", UPD_DIR, name) >= sizeof(s->dir))
		return KR_ERANGE;
	memset(env, 0, sizeof(*env));
	env->store = (struct strand_store){ st_read, st_write, st_flush, s };
	env->alloc = (struct strand_alloc){ st_alloc, st_free, NULL };
	env->chunk = 64 * 1024;
	return KR_OK;
}

kr_err_t store_mkdir(const struct upd_store *s)
{
	struct kr_vfs_stat st;

	if (upd_vfs->stat(NULL, s->dir, &st) == KR_OK)
		return st.type == KR_VFS_DIR ? KR_OK : KR_EEXIST;
	return upd_vfs->mkdir(NULL, s->dir, true);
}

kr_err_t store_read_file(const char *cwd, const char *path, size_t max, uint8_t **out,
			 size_t *len, const char **why)
{
	struct kr_vfs_stat st;
	uint8_t *buf;
	size_t got, done = 0;
	kr_err_t e;

	*out = NULL;
	*len = 0;
	if ((e = upd_vfs->stat(cwd, path, &st)) != KR_OK) {
		*why = e == KR_ENOENT ? "no such file" : kr_strerror(e);
		return e;
	}
	if (st.type != KR_VFS_FILE) {
		*why = "is a directory";
		return KR_EINVAL;
	}
	if (st.size == 0 || st.size > max) {
		*why = st.size ? "too large for a strand (16 MiB at most)" : "is empty";
		return KR_ERANGE;
	}
	if (!(buf = kr_malloc(upd_self, (size_t)st.size))) {
		*why = "out of memory";
		return KR_ENOMEM;
	}
	while (done < st.size) {
		e = upd_vfs->read(cwd, path, done, buf + done, (size_t)st.size - done, &got);
		if (e || got == 0) {
			kr_free(upd_self, buf);
			*why = e ? kr_strerror(e) : "changed while it was read";
			return e ? e : KR_EIO;
		}
		done += got;
	}
	*out = buf;
	*len = done;
	return KR_OK;
}

/* ---- the allow-list ----------------------------------------------------- */

#define MANIFEST_MAX 64

static uint8_t manifest[MANIFEST_MAX][KR_UPDATE_DIGEST_LEN];
static uint32_t nmanifest;
static bool enforcing, have_manifest;

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool allow_parse_hex(const char *s, uint8_t d[KR_UPDATE_DIGEST_LEN])
{
	for (int i = 0; i < KR_UPDATE_DIGEST_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		d[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void allow_hex(const uint8_t d[KR_UPDATE_DIGEST_LEN], char out[2 * KR_UPDATE_DIGEST_LEN + 1])
{
	for (int i = 0; i < KR_UPDATE_DIGEST_LEN; i++) {
		out[2 * i] = "0123456789abcdef"[d[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	out[2 * KR_UPDATE_DIGEST_LEN] = '\0';
}

/* One line of a manifest: a digest into d (true), or nothing to take
 * (*skip: blank, comment, mode or channels line).  false: malformed. */
static bool parse_line(const char *l, size_t n, uint8_t d[KR_UPDATE_DIGEST_LEN], bool *skip,
		       bool *enforce)
{
	static const char tag[] = "blake2b-256 ";
	const size_t tl = sizeof(tag) - 1;

	*skip = true;
	if (n == 12 && !memcmp(l, "mode enforce", 12))
		return *enforce = true;
	if (n == 15 && !memcmp(l, "mode permissive", 15))
		return !(*enforce = false);
	if (n == 0 || l[0] == '#' || (n > 9 && !memcmp(l, "channels ", 9)))
		return true;
	*skip = false;
	/* "blake2b-256 HEX NAME": the name is for the reader; HEX is what counts */
	return n > tl + 2 * KR_UPDATE_DIGEST_LEN && !memcmp(l, tag, tl) &&
	       l[tl + 2 * KR_UPDATE_DIGEST_LEN] == ' ' && allow_parse_hex(l + tl, d);
}

void allow_boot_init(void)
{
	struct kr_boot_module_info bi;
	uint8_t d[KR_UPDATE_DIGEST_LEN];
	kr_cap_t cap;
	void *va;
	bool skip;

	for (uint32_t i = 0; kr_boot_module(upd_self, i, &cap, &bi) == KR_OK; i++) {
		if (!have_manifest && !strcmp(bi.name, "manifest") &&
		    kr_page_map(upd_self, cap, KR_RIGHT_READ, &va) == KR_OK) {
			const char *t = (const char *)va + bi.offset;
			size_t start = 0;

			have_manifest = true;
			for (size_t k = 0; k <= bi.size; k++) {
				if (k < bi.size && t[k] != '\n')
					continue;
				if (!parse_line(t + start, k - start, d, &skip, &enforcing)) {
					/* as kmod does: a damaged manifest opens nothing */
					enforcing = true;
					nmanifest = 0;
					break;
				}
				if (!skip && nmanifest < MANIFEST_MAX)
					memcpy(manifest[nmanifest++], d, sizeof(d));
				start = k + 1;
			}
		}
		kr_cap_delete(upd_self, cap);
	}
}

bool allow_in_manifest(const uint8_t d[KR_UPDATE_DIGEST_LEN])
{
	for (uint32_t i = 0; i < nmanifest; i++)
		if (!memcmp(manifest[i], d, KR_UPDATE_DIGEST_LEN))
			return true;
	return false;
}

bool allow_enforcing(void)
{
	return enforcing;
}

bool allow_have_manifest(void)
{
	return have_manifest;
}

static bool listed(void *ctx, const uint8_t d[KR_UPDATE_DIGEST_LEN])
{
	const struct upd_allow *a = ctx;

	if (allow_in_manifest(d))
		return true;
	if (enforcing)
		return false;   /* only the image's manifest opens an enforcing image */
	for (uint32_t i = 0; i < a->nuser; i++)
		if (!memcmp(a->user[i], d, KR_UPDATE_DIGEST_LEN))
			return true;
	return false;
}

kr_err_t allow_load(struct upd_allow *a)
{
	uint8_t *text;
	size_t len, start = 0;
	const char *why;
	bool skip, ignored = false;
	kr_err_t e;

	memset(a, 0, sizeof(*a));
	a->a = (struct strand_allow){ listed, a, enforcing };
	e = store_read_file(NULL, UPD_ALLOW_FILE, 64 * 1024, &text, &len, &why);
	if (e == KR_ENOENT)
		return KR_OK;   /* no update manifest: the image's alone */
	if (e) {
		a->why = "/etc/update.allow cannot be read";
		return e;
	}
	for (size_t k = 0; k <= len; k++) {
		if (k < len && text[k] != '\n')
			continue;
		if (!parse_line((const char *)text + start, k - start, a->user[a->nuser], &skip,
				&ignored) || (!skip && a->nuser == 64)) {
			a->why = a->nuser == 64 ? "/etc/update.allow lists more than 64 digests"
					       : "/etc/update.allow has a malformed line "
						 "(want: blake2b-256 HEX NAME)";
			kr_free(upd_self, text);
			return KR_EFORMAT;
		}
		if (!skip)
			a->nuser++;
		start = k + 1;
	}
	kr_free(upd_self, text);
	return KR_OK;
}
