/*
 * vfs_fs.c - a file system in memory: a tree of nodes, each directory's
 * entries in a sorted singly linked list.
 *
 * Layers, bottom up:
 *   nodes    allocation (the name lives in the node), sorted link/unlink,
 *            freeing a subtree without recursion
 *   paths    normalisation is text work (vfs_path.c); here, the walk
 *            from "/" to a node
 *   ops      each one decodes (normalize, look up, check every limit,
 *            allocate all it needs) and then invokes (links, copies, frees),
 *            and the invoke step cannot fail: an error changes nothing.
 *
 * Paths are normalized into two scratch buffers held by the fs (two for
 * rename/copy), so no operation puts path_max bytes on the kernel stack.
 * Every node has room for a name of name_max bytes, so a rename allocates
 * nothing and cannot run out of memory.  File contents are one buffer of
 * exactly the file's size: memory use is what total_max counts, at the
 * price of a copy on every append.
 */
#include <karyon/libc.h>
#include "vfs_fs.h"
#include "vfs_node.h"
#include "vfs_path.h"

/* ---- nodes ---- */

static void vfs_setname(struct vfs_node *n, const char *name, size_t len)
{
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	n->nlen = len;
}

/* Counted as it is allocated so that freeing an unlinked node balances. */
struct vfs_node *vfs_node_new(struct vfs *fs, const char *name, size_t len, bool dir)
{
	struct vfs_node *n = fs->a.alloc(fs->a.ctx, fs->node_size);

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	vfs_setname(n, name, len);
	n->dir = dir;
	fs->nodes++;
	return n;
}

void vfs_node_free(struct vfs *fs, struct vfs_node *n)
{
	if (n->data)
		fs->a.free(fs->a.ctx, n->data, n->size);
	fs->bytes -= n->size;
	fs->nodes--;
	fs->a.free(fs->a.ctx, n, fs->node_size);
}

/* Free top and everything below it (top is already unlinked).  Iterative,
 * always taking the first leaf, so a deep tree costs no stack. */
static void vfs_free_tree(struct vfs *fs, struct vfs_node *top)
{
	struct vfs_node *n = top, *up;

	for (;;) {
		while (n->child)
			n = n->child;
		if (n == top)
			break;
		up = n->parent;
		up->child = n->next;
		vfs_node_free(fs, n);
		n = up;
	}
	vfs_node_free(fs, top);
}

/* <0, 0, >0 as entry n sorts before, as, after name[0..len). */
static int vfs_namecmp(const struct vfs_node *n, const char *name, size_t len)
{
	int d = strncmp(n->name, name, len);

	return d ? d : n->name[len] != '\0';
}

/* The entry name[0..len) of dir, or NULL; *prev: the entry it follows or
 * would follow (NULL: the first). */
static struct vfs_node *vfs_find(struct vfs_node *dir, const char *name, size_t len,
				 struct vfs_node **prev)
{
	struct vfs_node *p = NULL, *c;
	int d = 1;

	for (c = dir->child; c && (d = vfs_namecmp(c, name, len)) < 0; c = c->next)
		p = c;
	if (prev)
		*prev = p;
	return c && d == 0 ? c : NULL;
}

static void vfs_link(struct vfs_node *dir, struct vfs_node *n)
{
	struct vfs_node *prev;

	vfs_find(dir, n->name, n->nlen, &prev);
	n->next = prev ? prev->next : dir->child;
	*(prev ? &prev->next : &dir->child) = n;
	n->parent = dir;
	dir->entries++;
}

static void vfs_unlink(struct vfs_node *n)
{
	struct vfs_node **pp = &n->parent->child;

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	n->parent->entries--;
	n->next = NULL;
}

/* How far the subtree below top reaches: its deepest level and its longest
 * path, relative to top (both 0 for a file or an empty directory). */
static void vfs_extent(const struct vfs_node *top, size_t *depth, size_t *len)
{
	const struct vfs_node *n = top;
	size_t d = 0, l = 0;

	*depth = *len = 0;
	for (;;) {
		if (n->child) {
			n = n->child;
			d++;
			l += 1 + n->nlen;
		} else {
			for (; n != top && !n->next; n = n->parent, d--)
				l -= 1 + n->nlen;
			if (n == top)
				return;
			l = l - n->nlen + n->next->nlen;
			n = n->next;
		}
		*depth = d > *depth ? d : *depth;
		*len = l > *len ? l : *len;
	}
}

static uint64_t vfs_now(struct vfs *fs)
{
	return fs->clock ? fs->clock(fs->a.ctx) : 0;
}

/* ---- paths (text handling: vfs_path.c) ---- */

/* Normalize into buf and check the fs's limits on names and depth. */
static kr_err_t vfs_path(struct vfs *fs, const char *cwd, const char *path, char *buf)
{
	kr_err_t r = vfs_normalize(cwd, path, buf, fs->lim.path_max + 1);
	size_t len;

	if (r)
		return r;
	if (vfs_depth(buf) > fs->lim.depth_max)
		return KR_ERANGE;
	for (const char *p = buf + 1; *p; p += len + (p[len] == '/'))
		if ((len = vfs_complen(p)) > fs->lim.name_max)
			return KR_ERANGE;
	return KR_OK;
}

/* Walk normalized path p from "/" as far as it exists: *at is the last node
 * reached; returns the rest of p ("" if all of it exists). */
static const char *vfs_follow(struct vfs *fs, const char *p, struct vfs_node **at)
{
	struct vfs_node *n = fs->root, *c;
	size_t len;

	for (p++; *p; p += len + (p[len] == '/')) {
		len = vfs_complen(p);
		if (!n->dir || !(c = vfs_find(n, p, len, NULL)))
			break;
		n = c;
	}
	*at = n;
	return p;
}

/* Where a path leads: the node (NULL if missing), the directory holding it
 * or that would hold it (NULL for "/"), and its name. */
struct vfs_where {
	struct vfs_node *dir, *node;
	const char *name;
};

static kr_err_t vfs_lookup(struct vfs *fs, const char *p, struct vfs_where *w)
{
	struct vfs_node *at;
	const char *rest = vfs_follow(fs, p, &at);

	if (!*rest) {
		*w = (struct vfs_where){ at->parent, at, at->name };
		return KR_OK;
	}
	if (!at->dir || rest[vfs_complen(rest)])
		return KR_ENOENT;
	*w = (struct vfs_where){ at, NULL, rest };
	return KR_OK;
}

static kr_err_t vfs_resolve(struct vfs *fs, const char *cwd, const char *path, struct vfs_where *w)
{
	kr_err_t r = vfs_path(fs, cwd, path, fs->path[0]);

	return r ? r : vfs_lookup(fs, fs->path[0], w);
}

/* vfs_resolve for an entry that must exist. */
static kr_err_t vfs_get(struct vfs *fs, const char *cwd, const char *path, struct vfs_where *w)
{
	kr_err_t r = vfs_resolve(fs, cwd, path, w);

	return r ? r : w->node ? KR_OK : KR_ENOENT;
}

/* mv/cp: both paths into the two buffers, and the source, which must exist. */
static kr_err_t vfs_source(struct vfs *fs, const char *cwd, const char *from, const char *to,
			   struct vfs_where *w)
{
	kr_err_t r;

	if ((r = vfs_path(fs, cwd, from, fs->path[0])) || (r = vfs_path(fs, cwd, to, fs->path[1])) ||
	    (r = vfs_lookup(fs, fs->path[0], w)))
		return r;
	return w->node ? KR_OK : KR_ENOENT;
}

/* The target of mv/cp of s to normalized path t: t itself, or t/NAME when t
 * is a directory (t's buffer has room for path_max bytes). */
static kr_err_t vfs_target(struct vfs *fs, char *t, const struct vfs_node *s, struct vfs_where *w)
{
	size_t len = strlen(t);
	kr_err_t r = vfs_lookup(fs, t, w);

	if (r || !w->node || !w->node->dir)
		return r;
	if (len == 1)
		len = 0;        /* "/NAME", not "//NAME" */
	if (len + 1 + s->nlen > fs->lim.path_max || vfs_depth(t) + 1 > fs->lim.depth_max)
		return KR_ERANGE;
	t[len] = '/';
	memcpy(t + len + 1, s->name, s->nlen + 1);
	return vfs_lookup(fs, t, w);
}

/* ---- operations ---- */

kr_err_t vfs_create(const struct vfs_alloc *a, const struct vfs_limits *lim,
		    uint64_t (*clock)(void *ctx), struct vfs **out)
{
	static const struct vfs_limits def = { 63, 32, 1024, 16u << 20, 64u << 20, 4096 };
	struct vfs_limits l = lim ? *lim : def;
	struct vfs *fs;
	size_t node_size;

	if (!a || !a->alloc || !a->free || !out)
		return KR_EINVAL;
	/* Every field is a size_t (asserted above): zero ones take defaults. */
	for (size_t i = 0; i < sizeof(l) / sizeof(size_t); i++)
		if (!((size_t *)&l)[i])
			((size_t *)&l)[i] = ((const size_t *)&def)[i];
	if (l.path_max > SIZE_MAX / 4 || l.name_max > SIZE_MAX / 4)
		return KR_ERANGE;
	/* One allocation: the fs, "/", the two path buffers. */
	node_size = (sizeof(struct vfs_node) + l.name_max + 1 + 7) & ~(size_t)7;
	if (!(fs = a->alloc(a->ctx, sizeof(*fs) + node_size + 2 * (l.path_max + 1))))
		return KR_ENOMEM;
	*fs = (struct vfs){ .a = *a, .clock = clock, .lim = l, .node_size = node_size };
	fs->root = (struct vfs_node *)(fs + 1);
	*fs->root = (struct vfs_node){ .dir = true };
	fs->root->name[0] = '\0';
	fs->path[0] = (char *)fs->root + node_size;
	fs->path[1] = fs->path[0] + l.path_max + 1;
	*out = fs;
	return KR_OK;
}

void vfs_destroy(struct vfs *fs)
{
	struct vfs_node *c;

	if (!fs)
		return;
	while ((c = fs->root->child)) {
		vfs_unlink(c);
		vfs_free_tree(fs, c);
	}
	fs->a.free(fs->a.ctx, fs, sizeof(*fs) + fs->node_size + 2 * (fs->lim.path_max + 1));
}

void vfs_usage(const struct vfs *fs, struct vfs_usage *u)
{
	u->nodes = fs->nodes;
	u->bytes = fs->bytes;
}

kr_err_t vfs_mkdir(struct vfs *fs, const char *cwd, const char *path, bool parents)
{
	struct vfs_node *at, *top = NULL, *n, *up;
	const char *rest, *p;
	size_t k = 0, len;
	uint64_t now;
	kr_err_t r = vfs_path(fs, cwd, path, fs->path[0]);

	if (r)
		return r;
	rest = vfs_follow(fs, fs->path[0], &at);
	if (!*rest)
		return at->dir && parents ? KR_OK : KR_EEXIST;
	if (!at->dir)
		return KR_ENOENT;
	for (p = rest; *p; p += len + (p[len] == '/'), k++)
		len = vfs_complen(p);
	if (k > 1 && !parents)
		return KR_ENOENT;
	if (k > fs->lim.nodes_max - fs->nodes)
		return KR_ENOSPC;
	if (fs->dry)
		return KR_OK;
	/* The missing directories as a chain, built before it is linked. */
	for (p = rest, up = NULL; *p; p += len + (p[len] == '/'), up = n) {
		len = vfs_complen(p);
		if (!(n = vfs_node_new(fs, p, len, true))) {
			if (top)
				vfs_free_tree(fs, top);
			return KR_ENOMEM;
		}
		if (up) {
			up->child = n;
			up->entries = 1;
		}
		n->parent = up;
		top = top ? top : n;
	}
	now = vfs_now(fs);
	for (n = top; n; n = n->child)
		n->mtime = now;
	vfs_link(at, top);
	at->mtime = now;
	return KR_OK;
}

kr_err_t vfs_remove(struct vfs *fs, const char *cwd, const char *path, bool recursive)
{
	struct vfs_where w;
	kr_err_t r = vfs_get(fs, cwd, path, &w);

	if (r)
		return r;
	if (!w.dir)
		return KR_EPERM;
	if (w.node->child && !recursive)
		return KR_EBUSY;
	if (fs->dry)
		return KR_OK;
	vfs_unlink(w.node);
	w.dir->mtime = vfs_now(fs);
	vfs_free_tree(fs, w.node);
	return KR_OK;
}

/* Write (or append) n bytes at w, a file or a missing entry of a directory. */
static kr_err_t vfs_put(struct vfs *fs, const struct vfs_where *w, const void *data,
			size_t n, bool append)
{
	struct vfs_node *f = w->node, *nn = NULL;
	size_t old = f ? f->size : 0, size;
	uint8_t *od = f ? f->data : NULL, *buf = od;
	uint64_t now;

	if (f && f->dir)
		return KR_EINVAL;
	if (!data && n)
		return KR_EINVAL;
	if (n > fs->lim.file_max - (append ? old : 0))
		return KR_ENOSPC;
	size = append ? old + n : n;
	if (size > old && size - old > fs->lim.total_max - fs->bytes)
		return KR_ENOSPC;
	if (!f && fs->nodes >= fs->lim.nodes_max)
		return KR_ENOSPC;
	if (fs->dry)
		return KR_OK;
	if (!f && !(nn = vfs_node_new(fs, w->name, strlen(w->name), false)))
		return KR_ENOMEM;
	if (size != old && size && !(buf = fs->a.alloc(fs->a.ctx, size))) {
		if (nn)
			vfs_node_free(fs, nn);
		return KR_ENOMEM;
	}
	if (!size)
		buf = NULL;
	now = vfs_now(fs);
	/* data may point into the old contents: they stay until the end. */
	if (append && buf != od && old)
		memcpy(buf, od, old);
	if (n)
		memmove(buf + (append ? old : 0), data, n);
	if (od && buf != od)
		fs->a.free(fs->a.ctx, od, old);
	if (nn) {
		vfs_link(w->dir, nn);
		f = nn;
		w->dir->mtime = now;
	}
	f->data = buf;
	f->size = size;
	fs->bytes = fs->bytes - old + size;
	f->mtime = now;
	return KR_OK;
}

kr_err_t vfs_write(struct vfs *fs, const char *cwd, const char *path,
		   const void *data, size_t n, bool append)
{
	struct vfs_where w;
	kr_err_t r = vfs_resolve(fs, cwd, path, &w);

	return r ? r : vfs_put(fs, &w, data, n, append);
}

kr_err_t vfs_read(struct vfs *fs, const char *cwd, const char *path, uint64_t off,
		  void *buf, size_t n, size_t *got)
{
	struct vfs_where w;
	kr_err_t r = vfs_get(fs, cwd, path, &w);

	if (r)
		return r;
	if (w.node->dir || !got || (!buf && n))
		return KR_EINVAL;
	*got = 0;
	if (off < w.node->size)
		*got = n < w.node->size - off ? n : (size_t)(w.node->size - off);
	if (*got)
		memcpy(buf, w.node->data + off, *got);
	return KR_OK;
}

static void vfs_fill_stat(const struct vfs_node *n, struct kr_vfs_stat *st)
{
	*st = (struct kr_vfs_stat){ .type = n->dir ? KR_VFS_DIR : KR_VFS_FILE, .entries = n->entries,
				 .size = n->size, .mtime = n->mtime };
}

kr_err_t vfs_stat(struct vfs *fs, const char *cwd, const char *path, struct kr_vfs_stat *st)
{
	struct vfs_where w;
	kr_err_t r = vfs_get(fs, cwd, path, &w);

	if (!r)
		vfs_fill_stat(w.node, st);
	return r;
}

kr_err_t vfs_rename(struct vfs *fs, const char *cwd, const char *from, const char *to)
{
	char *f = fs->path[0], *t = fs->path[1];
	struct vfs_where sw, dw;
	struct vfs_node *s;
	size_t flen, depth, len;
	kr_err_t r;

	if ((r = vfs_source(fs, cwd, from, to, &sw)))
		return r;
	if (!(s = sw.node)->parent)
		return KR_EPERM;
	if ((r = vfs_target(fs, t, s, &dw)) || dw.node == s)
		return r;
	flen = strlen(f);
	if (s->dir && !strncmp(t, f, flen) && t[flen] == '/')
		return KR_EINVAL;
	if (dw.node && (dw.node->dir || s->dir))
		return KR_EEXIST;
	vfs_extent(s, &depth, &len);
	if (vfs_depth(t) + depth > fs->lim.depth_max || strlen(t) + len > fs->lim.path_max)
		return KR_ERANGE;
	if (fs->dry)
		return KR_OK;

	vfs_unlink(s);
	sw.dir->mtime = dw.dir->mtime = vfs_now(fs);
	vfs_setname(s, dw.name, strlen(dw.name));       /* before dw.node goes */
	if (dw.node) {
		vfs_unlink(dw.node);
		vfs_free_tree(fs, dw.node);
	}
	vfs_link(dw.dir, s);
	return KR_OK;
}

kr_err_t vfs_copy(struct vfs *fs, const char *cwd, const char *from, const char *to)
{
	struct vfs_where sw, dw;
	kr_err_t r;

	if ((r = vfs_source(fs, cwd, from, to, &sw)))
		return r;
	if (sw.node->dir)
		return KR_EINVAL;
	if ((r = vfs_target(fs, fs->path[1], sw.node, &dw)))
		return r;
	if (dw.node && dw.node->dir)
		return KR_EEXIST;
	return vfs_put(fs, &dw, sw.node->data, sw.node->size, false);
}

kr_err_t vfs_list(struct vfs *fs, const char *cwd, const char *path, kr_vfs_list_fn fn, void *ctx)
{
	struct vfs_where w;
	struct kr_vfs_stat st;
	kr_err_t r = vfs_get(fs, cwd, path, &w);

	if (r)
		return r;
	if (!w.node->dir) {
		vfs_fill_stat(w.node, &st);
		return fn(ctx, w.node->name, &st);
	}
	for (struct vfs_node *c = w.node->child; c; c = c->next) {
		vfs_fill_stat(c, &st);
		if ((r = fn(ctx, c->name, &st)))
			return r;
	}
	return KR_OK;
}

/* ---- for the commit log (whole trees: vfs_tree.c) ---- */

/* Every operation above returns just before its first change. */

void vfs_dry_run(struct vfs *fs, bool on)
{
	fs->dry = on;
}
