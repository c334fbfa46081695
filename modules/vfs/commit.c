/*
 * commit.c - the vfs's requests as commit-log records, and what the part
 * "vfs" does with them: check (a dry run on the live tree), apply (the same
 * vfs_fs operation, on the live tree or a view), items, views.
 *
 * Payloads (kinds "vfs.OP"): the subject first, as every payload starts,
 * then the rest; every path is normalised (absolute, vfs_is_normal), so a
 * record never depends on a cwd.  Flags are one byte, 0 or 1.
 *
 *	vfs.mkdir	path\0  parents:u8
 *	vfs.remove	path\0  recursive:u8
 *	vfs.write	path\0  append:u8  data (the rest of the payload; may
 *			be empty): replaces the file's contents, or appends;
 *			creates the file (not its directory)
 *	vfs.rename	from\0  to\0    (mv: onto a directory moves into it)
 *	vfs.copy	from\0  to\0    (cp of a file, the same target rules)
 *
 * "Onto a directory" is decided when the record is applied, against the
 * tree it is applied to, as the operation itself does: the same tree and
 * record give the same result, at run time and at replay.
 *
 * Determinism of mtimes: the vfs's clock is logical (one tick per change,
 * vfs_part_clock) and belongs to the tree, so a tree and its copies
 * (views) advance alike; check is a dry run, which does not tick.
 */
#include <karyon/hash.h>
#include <karyon/libc.h>
#include "commit.h"

static const char *const kinds[] = {
	[VFS_MKDIR] = "vfs.mkdir", [VFS_REMOVE] = "vfs.remove", [VFS_WRITE] = "vfs.write",
	[VFS_RENAME] = "vfs.rename", [VFS_COPY] = "vfs.copy",
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

uint64_t vfs_part_clock(void *part)
{
	return ++((struct vfs_part *)part)->ticks;
}

const char *vfs_req_kind(enum vfs_op op)
{
	return kinds[op];
}

static bool two_paths(enum vfs_op op)
{
	return op == VFS_RENAME || op == VFS_COPY;
}

/* ---- encoding ---- */

/* Normalise cwd + path into *at (room: left bytes); advance past its NUL. */
static kr_err_t put_path(const char *cwd, const char *path, char **at, size_t *left)
{
	kr_err_t r = vfs_normalize(cwd, path, *at, *left);
	size_t n;

	if (r)
		return r;
	n = strlen(*at) + 1;
	*at += n;
	*left -= n;
	return KR_OK;
}

kr_err_t vfs_req_encode(const struct vfs_req *rq, const char *cwd, const struct vfs_alloc *a,
			void **payload, uint32_t *len, size_t *size)
{
	size_t clen = cwd ? strlen(cwd) : 0, room, left, n = rq->op == VFS_WRITE ? rq->n : 0;
	char *buf, *at;
	kr_err_t r;

	if (!rq->path || (two_paths(rq->op) && !rq->to) || (n && !rq->data))
		return KR_EINVAL;
	/* A normalised path is never longer than cwd + '/' + path (or "/"). */
	room = clen + strlen(rq->path) + 3;
	if (two_paths(rq->op))
		room += clen + strlen(rq->to) + 3;
	if (n > KR_CLOG_PAYLOAD_MAX)
		return KR_ENOSPC;       /* more than one record holds */
	room += 1 + n;
	if (!(buf = a->alloc(a->ctx, room)))
		return KR_ENOMEM;
	at = buf;
	left = room;
	r = put_path(cwd, rq->path, &at, &left);
	if (!r && two_paths(rq->op))
		r = put_path(cwd, rq->to, &at, &left);
	/* what the paths came to decides, not the room they were given */
	if (!r && (size_t)(at - buf) + !two_paths(rq->op) + n > KR_CLOG_PAYLOAD_MAX)
		r = KR_ENOSPC;
	if (r) {
		a->free(a->ctx, buf, room);
		return r;
	}
	if (!two_paths(rq->op))
		*at++ = rq->flag;
	if (n)
		memcpy(at, rq->data, n);
	at += n;
	/* The buffer keeps its size (the caller frees that); the unused
	 * tail (what normalising saved) is not part of the payload. */
	*payload = buf;
	*size = room;
	*len = (uint32_t)(at - buf);
	return KR_OK;
}

/* ---- decoding ---- */

static kr_err_t bad(char *err, size_t errlen, const char *kind, const char *why)
{
	if (err && errlen)
		ksnprintf(err, errlen, "%s: %s", kind, why);
	return KR_EFORMAT;
}

/* The NUL-terminated path at *at (end: the payload's end). */
static const char *get_path(const char **at, const char *end)
{
	const char *p = *at;
	size_t n = strnlen(p, (size_t)(end - p));

	if (n == (size_t)(end - p) || !vfs_is_normal(p))
		return NULL;
	*at = p + n + 1;
	return p;
}

kr_err_t vfs_req_decode(const struct kr_commit *c, struct vfs_req *rq, char *err, size_t errlen)
{
	const char *at, *end;
	size_t op;

	if (!c || !c->kind)
		return bad(err, errlen, "vfs", "no commit");
	for (op = 0; op < NKINDS && strcmp(c->kind, kinds[op]); op++)
		;
	if (op == NKINDS)
		return bad(err, errlen, c->kind, "not a kind of the vfs");
	if (c->version != 1)
		return bad(err, errlen, c->kind, "commit version is not 1");
	if (!c->payload && c->length)
		return bad(err, errlen, c->kind, "no payload");
	at = c->payload;
	end = at + c->length;
	*rq = (struct vfs_req){ .op = (enum vfs_op)op };
	if (!c->length || !(rq->path = get_path(&at, end)))
		return bad(err, errlen, c->kind, "subject is not a NUL-terminated normalised path");
	if (two_paths(rq->op)) {
		if (!(rq->to = get_path(&at, end)))
			return bad(err, errlen, c->kind, "target is not a NUL-terminated normalised path");
	} else {
		if (at == end || (*at != 0 && *at != 1))
			return bad(err, errlen, c->kind, "flag byte missing or not 0/1");
		rq->flag = *at++;
	}
	if (rq->op == VFS_WRITE) {
		rq->data = at;
		rq->n = (size_t)(end - at);
		at = end;
	}
	if (at != end)
		return bad(err, errlen, c->kind, "bytes after the request");
	return KR_OK;
}

/* ---- check and apply ---- */

kr_err_t vfs_req_run(struct vfs *fs, const struct vfs_req *rq, bool dry)
{
	kr_err_t r = KR_EINVAL;

	vfs_dry_run(fs, dry);
	switch (rq->op) {
	case VFS_MKDIR:
		r = vfs_mkdir(fs, NULL, rq->path, rq->flag);
		break;
	case VFS_REMOVE:
		r = vfs_remove(fs, NULL, rq->path, rq->flag);
		break;
	case VFS_WRITE:
		r = vfs_write(fs, NULL, rq->path, rq->data, rq->n, rq->flag);
		break;
	case VFS_RENAME:
		r = vfs_rename(fs, NULL, rq->path, rq->to);
		break;
	case VFS_COPY:
		r = vfs_copy(fs, NULL, rq->path, rq->to);
		break;
	}
	vfs_dry_run(fs, false);
	return r;
}

/* ---- items ---- */

struct items {
	const struct vfs_alloc *a;
	kr_state_item_fn fn;
	void *ctx;
};

/* digest = BLAKE2b-256(type byte 'f' or 'd', then a file's contents): the
 * hash takes one buffer, so a file is copied behind its type byte. */
static int item(void *ctx, const char *path, bool dir, const uint8_t *data, size_t size)
{
	struct items *it = ctx;
	uint8_t digest[KR_BLAKE2B_256_LEN], *buf, type = dir ? 'd' : 'f';
	kr_err_t r;

	if (!strcmp(path, "/ckpt") || !strcmp(path, "/proc"))
		return VFS_WALK_SKIP;   /* views, and what the running system reports
					 * (vfs.c vfs_volatile): not state */
	if (dir || !size) {
		r = kr_blake2b_256(digest, &type, 1);
	} else {
		if (!(buf = it->a->alloc(it->a->ctx, size + 1)))
			return KR_ENOMEM;
		buf[0] = type;
		memcpy(buf + 1, data, size);
		r = kr_blake2b_256(digest, buf, size + 1);
		it->a->free(it->a->ctx, buf, size + 1);
	}
	return r ? r : it->fn(it->ctx, path, digest);
}

kr_err_t vfs_items(struct vfs *fs, const struct vfs_alloc *a, kr_state_item_fn fn, void *ctx)
{
	struct items it = { a, fn, ctx };

	return vfs_walk(fs, item, &it);
}

/* ---- views ---- */

struct vfs_part *vfs_view_new(const struct vfs_part *from, const struct vfs_alloc *a)
{
	struct vfs_part *v = a->alloc(a->ctx, sizeof(*v));

	if (!v)
		return NULL;
	v->ticks = from->ticks;
	if (vfs_clone(from->fs, v, &v->fs)) {
		a->free(a->ctx, v, sizeof(*v));
		return NULL;
	}
	return v;
}

void vfs_view_free(struct vfs_part *v, const struct vfs_alloc *a)
{
	if (!v)
		return;
	vfs_destroy(v->fs);
	a->free(a->ctx, v, sizeof(*v));
}
