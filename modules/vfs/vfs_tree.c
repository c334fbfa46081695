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
