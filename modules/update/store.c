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

static struct allow_list manifest;      /* the image's, read once at init */
static bool have_manifest;

void allow_boot_init(void)
{
	struct kr_boot_module_info bi;
	kr_cap_t cap;
	void *va;

	for (uint32_t i = 0; kr_boot_module(upd_self, i, &cap, &bi) == KR_OK; i++) {
		if (!have_manifest && !strcmp(bi.name, "manifest") &&
		    kr_page_map(upd_self, cap, KR_RIGHT_READ, &va) == KR_OK) {
			have_manifest = true;
			/* as kmod does: a damaged manifest opens nothing */
			if (allow_parse(&manifest, (const char *)va + bi.offset, bi.size, NULL, NULL))
				manifest.enforce = true;
		}
		kr_cap_delete(upd_self, cap);
	}
}

bool allow_in_manifest(const uint8_t d[KR_UPDATE_DIGEST_LEN])
{
	return allow_has(&manifest, d);
}

bool allow_enforcing(void)
{
	return manifest.enforce;
}

bool allow_have_manifest(void)
{
	return have_manifest;
}

static bool listed(void *ctx, const uint8_t d[KR_UPDATE_DIGEST_LEN])
{
	const struct upd_allow *a = ctx;

	if (allow_has(&manifest, d))
		return true;
	/* only the image's manifest opens an enforcing image */
	return !manifest.enforce && allow_has(&a->user, d);
}

kr_err_t allow_load(struct upd_allow *a)
{
	uint8_t *text;
	size_t len;
	const char *why;
	unsigned line;
	kr_err_t e;

	memset(a, 0, sizeof(*a));
	a->a = (struct strand_allow){ listed, a, manifest.enforce };
	e = store_read_file(NULL, UPD_ALLOW_FILE, 64 * 1024, &text, &len, &why);
	if (e == KR_ENOENT)
		return KR_OK;   /* no update manifest: the image's alone */
	if (e) {
		ksnprintf(a->why, sizeof(a->why), "%s: %s", UPD_ALLOW_FILE, why);
		return e;
	}
	e = allow_parse(&a->user, (const char *)text, len, &line, &why);
	kr_free(upd_self, text);
	if (e)
		ksnprintf(a->why, sizeof(a->why), "%s line %u: %s", UPD_ALLOW_FILE, line, why);
	return e;
}
