/*
 * compact.c - `checkpoint compact --label L`: the state at the head becomes
 * the log's new beginning, so the log does not grow without bound.
 *
 * The engine (log.c clog_compact) writes a new epoch into the other area,
 * chained to the old head (its first record's prev is the old head's
 * hash, which the superblock keeps), and flips the superblock last: a
 * crash before the flip keeps the old log whole.  This file decides what
 * the new area holds: records that, replayed onto the image's genesis,
 * give exactly today's state:
 *
 *	clog.genesis            the image's genesis roots, as before
 *	vfs.*                   the files as they were when the first
 *	                        record of another part was made (a diff of
 *	                        views, written as vfs.mkdir/remove/write)
 *	kmod.*, tcc.*, events.* that record, as it was made
 *	vfs.*                   the diff to the files at the next one ...
 *	vfs.*                   ... and at last to the files now
 *	clog.checkpoint L       the state roots now
 *
 * So a handler is compiled, and a module loaded, against the files it saw
 * the first time.  Before anything is written the result is checked: the
 * new records applied to genesis views must give the live state roots.
 * The whole new beginning is one group (CLOG_GROUP_MAX, 4 MiB).
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/vfs.h>
#include "clog_int.h"

#define VIEW_A  "compact.a"     /* /ckpt names of the two views being diffed */
#define VIEW_B  "compact.b"

/* A record of the new beginning, in memory until the engine stages it. */
struct out {
	struct out *next;
	char kind[KR_CLOG_KIND_MAX];
	uint32_t len;
	uint8_t payload[];
};

struct compact {
	struct out *head, **tail;
	size_t bytes;                   /* of records, as the engine counts */
	void *prev;                     /* the vfs files emitted so far (a view) */
	void *work;                     /* the vfs files at the walk's point */
	uint64_t to;                    /* the segment's end */
	uint64_t copied, vfs_records;
	kr_err_t err;
	char why[160];
};

static const struct kr_vfs_ops *vfs;

static kr_err_t emit(struct compact *c, const char *kind, const void *a, size_t alen,
		     const void *b, size_t blen)
{
	size_t len = alen + blen;
	struct out *o;

	c->bytes += clog_rec_size((uint32_t)len);
	if (len > KR_CLOG_PAYLOAD_MAX || c->bytes > CLOG_GROUP_MAX - 64 * 1024) {
		ksnprintf(c->why, sizeof(c->why), "the state is more than one write may carry "
			  "(%u MiB of changes from genesis)", CLOG_GROUP_MAX >> 20);
		return KR_ENOSPC;
	}
	o = kr_malloc(cl_self, sizeof(*o) + len);
	if (!o)
		return KR_ENOMEM;
	memset(o, 0, sizeof(*o));
	ksnprintf(o->kind, sizeof(o->kind), "%s", kind);
	o->len = (uint32_t)len;
	if (alen)
		memcpy(o->payload, a, alen);
	if (blen)
		memcpy(o->payload + alen, b, blen);
	*c->tail = o;
	c->tail = &o->next;
	return KR_OK;
}

static void outs_free(struct compact *c)
{
	while (c->head) {
		struct out *o = c->head;

		c->head = o->next;
		kr_free(cl_self, o);
	}
	c->tail = &c->head;
}

/* ---- the vfs diff between two views (or a view and the live files) ---- */

/* The path of name in a mounted view (or the live tree: mount NULL). */
static void where(const char *mount, const char *name, char *out, size_t n)
{
	if (mount)
		ksnprintf(out, n, "/ckpt/%s%s", mount, strcmp(name, "/") ? name : "");
	else
		ksnprintf(out, n, "%s", name);
}

static bool is_dir(const char *mount, const char *name)
{
	char path[1100];
	struct kr_vfs_stat st;

	where(mount, name, path, sizeof(path));
	return vfs->stat(NULL, path, &st) == KR_OK && st.type == KR_VFS_DIR;
}

/* A file of the new state as vfs.write records (the first replaces, the
 * rest append: a payload holds at most KR_CLOG_PAYLOAD_MAX bytes). */
static kr_err_t emit_file(struct compact *c, const char *mount, const char *name)
{
	char path[1100];
	struct kr_vfs_stat st;
	size_t nlen = strlen(name) + 1, chunk = KR_CLOG_PAYLOAD_MAX - nlen - 1, got;
	uint8_t *buf, head[1100];
	uint64_t off = 0;
	kr_err_t e;

	where(mount, name, path, sizeof(path));
	if ((e = vfs->stat(NULL, path, &st)) != KR_OK)
		return e;
	if (!(buf = kr_malloc(cl_self, st.size < chunk ? st.size + 1 : chunk)))
		return KR_ENOMEM;
	memcpy(head, name, nlen);
	do {
		size_t want = st.size - off < chunk ? (size_t)(st.size - off) : chunk;

		got = 0;
		e = want ? vfs->read(NULL, path, off, buf, want, &got) : KR_OK;
		if (!e && got != want)
			e = KR_EIO;
		head[nlen] = off ? 1 : 0;       /* append after the first piece */
		if (!e)
			e = emit(c, "vfs.write", head, nlen + 1, buf, got);
		off += got;
	} while (!e && off < st.size);
	kr_free(cl_self, buf);
	return e;
}

/* Records that turn the files of view a (mounted at ma) into those of b
 * (mounted at mb, or the live files: mb NULL). */
static kr_err_t diff(struct compact *c, void *a, const char *ma, void *b, const char *mb)
{
	const struct kr_state_ops *ops = cl_parts[0].ops;
	struct items x = { 0 }, y = { 0 };
	char parent[1100];
	size_t k;
	unsigned p = 0, q = 0;
	kr_err_t e = ops->items(a, items_collect, &x);

	if (!e)
		e = ops->items(b, items_collect, &y);
	if (!e)
		e = x.err ? x.err : y.err;
	/* what goes: in a but not in b, or a file that became a directory
	 * (or back); both lists are in strcmp order, a parent before its
	 * children */
	for (p = q = 0; !e && p < x.n; p++) {
		int cmp = 1;
		uint8_t one = 1;

		while (q < y.n && (cmp = strcmp(y.v[q].name, x.v[p].name)) < 0)
			q++;
		if (q == y.n)
			cmp = 1;
		if (cmp == 0 && is_dir(ma, x.v[p].name) == is_dir(mb, y.v[q].name))
			continue;
		/* its parent goes too (a directory no longer there, or a file
		 * now): removing that takes this with it */
		k = (size_t)ksnprintf(parent, sizeof(parent), "%s", x.v[p].name);
		while (k > 0 && parent[k - 1] != '/')
			k--;
		parent[k > 1 ? k - 1 : 1] = '\0';     /* "/a/b" -> "/a", "/a" -> "/" */
		if (!is_dir(mb, parent))
			continue;
		e = emit(c, "vfs.remove", x.v[p].name, strlen(x.v[p].name) + 1, &one, 1);
	}
	/* what comes or changes */
	for (p = q = 0; !e && q < y.n; q++) {
		int cmp = 1;
		uint8_t zero = 0;
		bool dir = is_dir(mb, y.v[q].name);

		if (!strcmp(y.v[q].name, "/"))
			continue;
		while (p < x.n && (cmp = strcmp(x.v[p].name, y.v[q].name)) < 0)
			p++;
		if (p == x.n)
			cmp = 1;
		if (cmp == 0 && !memcmp(x.v[p].digest, y.v[q].digest, 32) &&
		    dir == is_dir(ma, x.v[p].name))
			continue;
		if (dir && cmp == 0 && is_dir(ma, x.v[p].name))
			continue;
		e = dir ? emit(c, "vfs.mkdir", y.v[q].name, strlen(y.v[q].name) + 1, &zero, 1)
			: emit_file(c, mb, y.v[q].name);
	}
	items_free(&x);
	items_free(&y);
	return e;
}

/* The emitted files catch up with the walk's point (c->work). */
static kr_err_t catch_up(struct compact *c)
{
	const struct kr_state_ops *ops = cl_parts[0].ops;
	kr_err_t e = ops->view_mount(c->prev, VIEW_A);

	if (!e && (e = ops->view_mount(c->work, VIEW_B)) == KR_OK)
		e = diff(c, c->prev, VIEW_A, c->work, VIEW_B);
	ops->view_mount(NULL, VIEW_A);
	ops->view_mount(NULL, VIEW_B);
	if (!e) {
		void *v = ops->view_new(c->work);

		if (!v)
			return KR_ENOMEM;
		ops->view_free(c->prev);
		c->prev = v;
	}
	return e;
}

static kr_err_t walk_one(void *ctx, const struct kr_clog_rec *r, const void *payload,
			 uint64_t off)
{
	struct compact *c = ctx;
	struct kr_commit cm = { 1, r->length, r->seq, r->kind, payload };
	char err[160] = "";
	int p;

	(void)off;
	if (r->seq > c->to)
		return KR_EALREADY;
	if (!strncmp(r->kind, "clog.", 5))
		return KR_OK;
	p = part_of(r->kind);
	if (p < 0 || !cl_parts[p].ops)
		return KR_ENOENT;
	if (p == 0) {           /* a file change: the working view follows it */
		c->vfs_records++;
		cl_parts[0].ops->apply(c->work, &cm, NULL, KR_APPLY_REPLAY, err, sizeof(err));
		return KR_OK;
	}
	c->err = catch_up(c);
	if (!c->err)
		c->err = emit(c, r->kind, payload, r->length, NULL, 0);
	c->copied++;
	return c->err;
}

static kr_err_t stage_all(void *ctx, struct clog *l)
{
	struct compact *c = ctx;
	kr_err_t e = KR_OK;

	for (struct out *o = c->head; o && !e; o = o->next)
		e = clog_stage(l, o->kind, o->payload, o->len, NULL);
	return e;
}

/* The new beginning applied to genesis views: the live roots? */
static kr_err_t verify(struct compact *c, const struct kr_clog_roots *live)
{
	void *views[KR_CLOG_PARTS] = { 0 };
	struct kr_clog_roots got;
	kr_err_t e = KR_OK;
	int d = -1;

	for (int i = 0; i < KR_CLOG_PARTS; i++)
		if (cl_parts[i].genesis && !(views[i] = cl_parts[i].ops->view_new(cl_parts[i].genesis)))
			e = KR_ENOMEM;
	for (struct out *o = c->head; o && !e; o = o->next) {
		struct kr_commit cm = { 1, o->len, 0, o->kind, o->payload };
		char err[160] = "";
		int p = part_of(o->kind);

		if (p >= 0 && views[p] &&
		    cl_parts[p].ops->apply(views[p], &cm, NULL, KR_APPLY_REPLAY, err, sizeof(err)))
			ksnprintf(c->why, sizeof(c->why), "%s does not apply: %s", o->kind, err);
	}
	if (!e)
		e = roots_of(views, &got);
	for (int i = 0; i < KR_CLOG_PARTS; i++)
		if (views[i])
			cl_parts[i].ops->view_free(views[i]);
	if (!e) {
		for (int i = 0; i < KR_CLOG_PARTS && d < 0; i++)
			if (memcmp(got.part[i], live->part[i], 32))
				d = i;
		if (d >= 0) {
			ksnprintf(c->why, sizeof(c->why), "rebuilt from the new beginning, the %s "
				  "part would differ from the live one", clog_part_names[d]);
			e = KR_EFORMAT;
		}
	}
	return e;
}

static void quiet(void *ctx, const char *s)
{
	(void)ctx;
	(void)s;
}

kr_err_t ckpt_compact(const char *label, print_fn print, void *ctx)
{
	struct compact c = { .tail = &c.head };
	const struct kr_ops_header *h;
	struct {
		char subject[8];
		struct kr_clog_roots r;
	} __attribute__((packed)) g = { .subject = "genesis" };
	uint8_t ck[32 + sizeof(struct kr_clog_roots)];
	struct kr_clog_roots live;
	struct clog_info before, after;
	struct seg segs[MAX_SEGS];
	size_t n = strlen(label);
	unsigned nsegs;
	kr_cap_t cap;
	kr_err_t e;

	if (!print)
		print = quiet;  /* a retry of an automatic compaction that failed */
	if (!cl_attached || !cl_parts[0].ops || !cl_parts[0].genesis ||
	    !cl_parts[0].ops->view_mount) {
		print(ctx, "checkpoint compact: the gateway is off: nothing to compact\n");
		return KR_ENODEV;
	}
	if (!n || n >= 32 || ckpt_find(label)) {
		print(ctx, "checkpoint compact: a new label of 1..31 printable characters\n");
		return KR_EINVAL;
	}
	if (!vfs) {
		if (kr_service_open(cl_self, "vfs", 1, &cap) != KR_OK ||
		    kr_service_ops(cl_self, cap, &h) != KR_OK)
			return KR_ENODEV;
		vfs = (const struct kr_vfs_ops *)h;
	}
	if (!clog_lock()) {
		print(ctx, "checkpoint compact: a commit is being written: try again\n");
		return KR_EBUSY;
	}
	for (unsigned i = 0; i < cl_nckpts; i++)
		if (cl_ckpts[i].mounted)
			ckpt_replay_close(&cl_ckpts[i]);
	clog_info(cl_log, &before);
	e = roots_of(NULL, &live);
	g.r = cl_genesis_roots;
	if (!e)
		e = emit(&c, "clog.genesis", &g, sizeof(g), NULL, 0);
	c.prev = cl_parts[0].ops->view_new(cl_parts[0].genesis);
	c.work = cl_parts[0].ops->view_new(cl_parts[0].genesis);
	if (!e && (!c.prev || !c.work))
		e = KR_ENOMEM;
	nsegs = segments(before.head_seq, segs);
	for (unsigned i = 0; i < nsegs && !e; i++) {
		c.to = segs[i].to;
		if (segs[i].from <= segs[i].to) {
			e = clog_walk(cl_log, segs[i].from, walk_one, &c);
			if (e == KR_EALREADY)
				e = KR_OK;
		}
		if (!e)
			e = c.err;
	}
	/* and last, the files as they are now */
	if (!e && (e = cl_parts[0].ops->view_mount(c.prev, VIEW_A)) == KR_OK) {
		e = diff(&c, c.prev, VIEW_A, NULL, NULL);
		cl_parts[0].ops->view_mount(NULL, VIEW_A);
	}
	if (!e) {
		struct kr_clog_roots r = live;

		memset(ck, 0, sizeof(ck));
		memcpy(ck, label, n);
		r.seq = before.head_seq;        /* the state of the old head */
		memcpy(ck + n + 1, &r, sizeof(r));
		e = emit(&c, "clog.checkpoint", ck, n + 1 + sizeof(r), NULL, 0);
	}
	if (!e)
		e = verify(&c, &live);
	if (!e)
		e = clog_compact(cl_log, stage_all, &c);
	if (c.prev)
		cl_parts[0].ops->view_free(c.prev);
	if (c.work)
		cl_parts[0].ops->view_free(c.work);
	outs_free(&c);
	if (!e)
		e = reindex();
	clog_unlock();
	if (e) {
		print_to(print, ctx, "checkpoint compact: %s%s%s\n", kr_strerror(e),
			 c.why[0] ? ": " : "", c.why);
		return e;
	}
	clog_info(cl_log, &after);
	print_to(print, ctx, "checkpoint compact: the log now begins at seq %llu (epoch %u): "
		 "%llu records replaced by %llu (%llu file changes folded into the files they "
		 "left, %llu other records kept); %llu of %llu KiB used; the chain goes on from "
		 "seq %llu's hash\n", (unsigned long long)after.base_seq, after.epoch,
		 (unsigned long long)(before.head_seq - before.base_seq + 1),
		 (unsigned long long)(after.head_seq - after.base_seq + 1),
		 (unsigned long long)c.vfs_records, (unsigned long long)c.copied,
		 (unsigned long long)(after.used_bytes / 1024),
		 (unsigned long long)(after.area_bytes / 1024), (unsigned long long)before.head_seq);
	return KR_OK;
}
