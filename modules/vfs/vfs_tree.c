/*
 * vfs_tree.c - whole trees, for the commit log: deep copies (views) and
 * walks over every node in strcmp order of full paths (items).
 *
 * Walk order.  Each directory keeps its entries in strcmp order of names,
 * but a depth-first walk is not strcmp order of paths: '/' is not the
 * smallest byte a name may hold, so "/a b", "/a-b" and "/a.txt" all sort
 * between "/a" and "/a/x".  The siblings that sort between a directory d
 * and its own entries are exactly those named d + a byte below '/' +
 * anything; they follow d in the list.  So after d the walk first takes
 * those siblings (and, recursively, theirs), then d's entries, then goes
 * on: a stack of frames, each "siblings from c while they are inside
 * bound's gap, then bound's entries".  No recursion: trees may be deep.
 */
#include <karyon/libc.h>
#include "vfs_node.h"

/* ---- copies ---- */

/* A copy of node s (not linked), its contents included. */
static struct vfs_node *vfs_node_copy(struct vfs *fs, const struct vfs_node *s)
{
	struct vfs_node *n = vfs_node_new(fs, s->name, s->nlen, s->dir);

	if (!n)
		return NULL;
	if (s->size && !(n->data = fs->a.alloc(fs->a.ctx, s->size))) {
		vfs_node_free(fs, n);
		return NULL;
	}
	if (s->size)
		memcpy(n->data, s->data, s->size);
	n->size = s->size;
	n->mtime = s->mtime;
	fs->bytes += s->size;
	return n;
}

/* Walks src depth-first with d the copy of s, so every copy is appended
 * after the last one made: no search, and the entries stay sorted. */
kr_err_t vfs_clone(const struct vfs *src, void *ctx, struct vfs **out)
{
	struct vfs_alloc a = src->a;
	const struct vfs_node *s = src->root;
	struct vfs_node *d, *n;
	struct vfs *fs;
	kr_err_t r;

	a.ctx = ctx;
	if ((r = vfs_create(&a, &src->lim, src->clock, &fs)))
		return r;
	fs->root->mtime = s->mtime;
	d = fs->root;
	for (;;) {
		bool down = s->child != NULL;

		if (!down) {
			for (; s != src->root && !s->next; s = s->parent)
				d = d->parent;
			if (s == src->root)
				break;
		}
		s = down ? s->child : s->next;
		if (!(n = vfs_node_copy(fs, s))) {
			vfs_destroy(fs);
			return KR_ENOMEM;
		}
		n->parent = down ? d : d->parent;
		*(down ? &d->child : &d->next) = n;
		n->parent->entries++;
		d = n;
	}
	*out = fs;
	return KR_OK;
}

/* ---- walks ---- */

struct vfs_frame {
	struct vfs_node *c;     /* the next entry to take */
	struct vfs_node *bound; /* take only entries in its gap (NULL: all) */
	size_t len;             /* bytes of the directory's path ("/": 0) */
};

/* Does c (a later sibling of bound) sort before bound's entries: is it
 * bound's name followed by a byte below '/'? */
static bool vfs_in_gap(const struct vfs_node *c, const struct vfs_node *bound)
{
	return !bound || (!strncmp(c->name, bound->name, bound->nlen) &&
			  (unsigned char)c->name[bound->nlen] < '/');
}

/* Room for one more frame: the stack holds at most one frame per
 * directory with entries, plus the root's; grown by doubling. */
static kr_err_t vfs_frames_grow(struct vfs *fs, struct vfs_frame **st, size_t *cap, size_t sp)
{
	struct vfs_frame *bigger;

	if (sp < *cap)
		return KR_OK;
	if (!(bigger = fs->a.alloc(fs->a.ctx, 2 * *cap * sizeof(**st))))
		return KR_ENOMEM;
	memcpy(bigger, *st, sp * sizeof(**st));
	fs->a.free(fs->a.ctx, *st, *cap * sizeof(**st));
	*st = bigger;
	*cap *= 2;
	return KR_OK;
}

kr_err_t vfs_walk(struct vfs *fs, vfs_walk_fn fn, void *ctx)
{
	size_t cap = 16, sp = 1, len;
	struct vfs_frame *st, *f;
	struct vfs_node *n;
	char *p = fs->path[0];
	int r;

	if (!(st = fs->a.alloc(fs->a.ctx, cap * sizeof(*st))))
		return KR_ENOMEM;
	/* "/" first; its entries are the bottom frame (none if skipped) */
	r = fn(ctx, "/", true, NULL, 0);
	st[0] = (struct vfs_frame){ r == VFS_WALK_SKIP ? NULL : fs->root->child, NULL, 0 };
	if (r < 0)
		sp = 0;
	while (sp) {
		f = &st[sp - 1];
		if (!f->c || !vfs_in_gap(f->c, f->bound)) {
			/* A gap is done: the siblings left go back to the frame
			 * below, and the bound's own entries come next. */
			if (!(n = f->bound)) {
				sp--;
				continue;
			}
			st[sp - 2].c = f->c;
			len = f->len;
			p[len] = '/';
			memcpy(p + len + 1, n->name, n->nlen);
			*f = (struct vfs_frame){ n->child, NULL, len + 1 + n->nlen };
			continue;
		}
		n = f->c;
		f->c = n->next;
		p[f->len] = '/';
		memcpy(p + f->len + 1, n->name, n->nlen + 1);
		if ((r = fn(ctx, p, n->dir, n->data, n->size)) < 0)
			break;
		if (!n->child || r == VFS_WALK_SKIP)
			continue;
		if ((r = vfs_frames_grow(fs, &st, &cap, sp)))
			break;
		st[sp] = (struct vfs_frame){ n->next, n, st[sp - 1].len };
		sp++;
	}
	fs->a.free(fs->a.ctx, st, cap * sizeof(*st));
	return r < 0 ? r : KR_OK;
}

/* ---- packed trees (live replacement, modules/vfs/live.c) ----
 *
 * The tree in clone's depth-first order.  After a header (VFS_PACK_MAGIC,
 * version, the node count, the root's mtime), each node but "/" is
 *	u8 dir, u8 down (1: the first entry of the node before, up 0; 0: a
 *	later sibling after climbing `up` levels), u16 name length, u32 up,
 *	u64 mtime, u64 size (files), then the name and the data.
 * Little-endian, as the machine is; read back only by the same machine.
 */
#define VFS_PACK_MAGIC 0x4c534656u      /* "VFSL" */

struct vfs_pack_head {
	uint32_t magic, version;
	uint64_t nodes, root_mtime;
};

struct vfs_pack_node {
	uint8_t dir, down;
	uint16_t nlen;
	uint32_t up;
	uint64_t mtime, size;
};
_Static_assert(sizeof(struct vfs_pack_node) == 24, "packed node header");

/* Append n bytes of src at *at if they fit in cap; counts them either way. */
static void vfs_put(uint8_t *buf, size_t cap, size_t *at, const void *src, size_t n)
{
	if (buf && *at + n <= cap && n)
		memcpy(buf + *at, src, n);
	*at += n;
}

kr_err_t vfs_pack(const struct vfs *fs, void *out, size_t cap, size_t *len)
{
	const struct vfs_node *s = fs->root;
	struct vfs_pack_head h = { VFS_PACK_MAGIC, 1, fs->nodes, fs->root->mtime };
	size_t at = 0;
	uint32_t up;

	vfs_put(out, cap, &at, &h, sizeof(h));
	for (;;) {
		bool down = s->child != NULL;
		struct vfs_pack_node pn;

		up = 0;
		if (!down) {
			for (; s != fs->root && !s->next; s = s->parent)
				up++;
			if (s == fs->root)
				break;
		}
		s = down ? s->child : s->next;
		pn = (struct vfs_pack_node){ s->dir, down, (uint16_t)s->nlen, up, s->mtime, s->size };
		vfs_put(out, cap, &at, &pn, sizeof(pn));
		vfs_put(out, cap, &at, s->name, s->nlen);
		vfs_put(out, cap, &at, s->data, s->size);
	}
	*len = at;
	return out && at > cap ? KR_ERANGE : KR_OK;
}

/* Is name[0..len) a name the tree could hold, after prev (strcmp order)? */
static bool vfs_unpack_name(const struct vfs *fs, const char *name, size_t len,
			    const struct vfs_node *prev)
{
	size_t m;

	if (len == 0 || len > fs->lim.name_max || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || (unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	if (!prev)
		return true;
	m = prev->nlen < len ? prev->nlen : len;
	return memcmp(prev->name, name, m) < 0 || (memcmp(prev->name, name, m) == 0 && prev->nlen < len);
}

kr_err_t vfs_unpack(const struct vfs_alloc *a, const struct vfs_limits *lim,
		    uint64_t (*clock)(void *ctx), const void *in, size_t len, struct vfs **out)
{
	const uint8_t *p = in;
	struct vfs_pack_head h;
	struct vfs_pack_node pn;
	struct vfs_node *d, *n;
	struct vfs *fs;
	size_t at = sizeof(h), depth = 0, plen = 0;     /* d's path: names, bytes */
	kr_err_t r;

	if (len < sizeof(h))
		return KR_EFORMAT;
	memcpy(&h, p, sizeof(h));
	if (h.magic != VFS_PACK_MAGIC || h.version != 1)
		return KR_EFORMAT;
	if ((r = vfs_create(a, lim, clock, &fs)))
		return r;
	fs->root->mtime = h.root_mtime;
	d = fs->root;
	r = KR_OK;
	while (!r && at < len) {
		if (len - at < sizeof(pn)) {
			r = KR_EFORMAT;
			break;
		}
		memcpy(&pn, p + at, sizeof(pn));
		at += sizeof(pn);
		if (pn.nlen > len - at || pn.size > len - at - pn.nlen || pn.dir > 1 || pn.down > 1 ||
		    (pn.dir && pn.size) || pn.size > fs->lim.file_max ||
		    fs->bytes + pn.size > fs->lim.total_max || fs->nodes >= fs->lim.nodes_max) {
			r = KR_EFORMAT;
			break;
		}
		if (!pn.down)   /* climb: never past "/", and "/" has no siblings */
			for (uint32_t i = 0; i < pn.up && d != fs->root; i++) {
				plen -= 1 + d->nlen;
				depth--;
				d = d->parent;
			}
		if ((pn.down && (pn.up || !d->dir || d->child)) || (!pn.down && d == fs->root) ||
		    !vfs_unpack_name(fs, (const char *)p + at, pn.nlen, pn.down ? NULL : d)) {
			r = KR_EFORMAT;
			break;
		}
		/* The new node's path must be one the tree could have made: the
		 * walk builds every path in a buffer of path_max + 1 bytes. */
		if (!pn.down) {         /* a sibling: its name replaces d's */
			plen -= 1 + d->nlen;
			depth--;
		}
		depth++;
		plen += 1 + pn.nlen;
		if (depth > fs->lim.depth_max || plen > fs->lim.path_max) {
			r = KR_EFORMAT;
			break;
		}
		if (!(n = vfs_node_new(fs, (const char *)p + at, pn.nlen, pn.dir))) {
			r = KR_ENOMEM;
			break;
		}
		at += pn.nlen;
		if (pn.size && !(n->data = fs->a.alloc(fs->a.ctx, pn.size))) {
			vfs_node_free(fs, n);
			r = KR_ENOMEM;
			break;
		}
		if (pn.size)
			memcpy(n->data, p + at, pn.size);
		at += pn.size;
		n->size = pn.size;
		n->mtime = pn.mtime;
		fs->bytes += pn.size;
		n->parent = pn.down ? d : d->parent;
		*(pn.down ? &d->child : &d->next) = n;
		n->parent->entries++;
		d = n;
	}
	if (!r && fs->nodes != h.nodes)
		r = KR_EFORMAT;
	if (r) {
		vfs_destroy(fs);
		return r;
	}
	*out = fs;
	return KR_OK;
}
