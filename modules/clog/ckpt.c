/*
 * ckpt.c - checkpoints: labelled points of the committed state
 * (`checkpoint create | list | diff | replay | close | restore`).
 *
 * A checkpoint is a clog.checkpoint record holding the state roots when
 * it was made.  diff and replay build the state of the point beside the
 * live one (replay.c views_at); restore is itself a commit (clog.restore),
 * applied by resetting every part and replaying up to the checkpoint, so
 * history is never rewritten.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include "clog_int.h"

struct ckpt cl_ckpts[MAX_CKPTS];
unsigned cl_nckpts;

/* ---- checkpoints ---- */

struct ckpt *ckpt_find(const char *id)
{
	unsigned n = 0;
	const char *p = id;

	for (; *p >= '0' && *p <= '9' && n <= MAX_CKPTS; p++)
		n = n * 10 + (unsigned)(*p - '0');
	if (!*p && p != id)
		return n >= 1 && n <= cl_nckpts ? &cl_ckpts[n - 1] : NULL;
	for (unsigned i = cl_nckpts; i-- > 0;)
		if (!strcmp(cl_ckpts[i].label, id))
			return &cl_ckpts[i];
	return NULL;
}

kr_err_t ckpt_create(const char *label, print_fn print, void *ctx)
{
	uint8_t rec[32 + sizeof(struct kr_clog_roots)];
	size_t n = strlen(label);
	char hex[17];
	kr_err_t e;
	uint64_t seq;

	if (!cl_attached)
		return KR_ENODEV;
	if (!n || n >= 32 || cl_nckpts >= MAX_CKPTS)
		return n ? KR_ENOSPC : KR_EINVAL;
	for (const char *p = label; *p; p++)
		if (*p <= ' ' || *p > '~')
			return KR_EINVAL;
	if (ckpt_find(label))
		return KR_EEXIST;
	/* the payload: the label, its NUL, the roots (the writer's) */
	memset(rec, 0, sizeof(rec));
	memcpy(rec, label, n);
	e = clog_commit_own("clog.checkpoint", rec, (uint32_t)(n + 1 + sizeof(struct kr_clog_roots)),
			    n + 1, &seq);
	if (e)
		return e;
	for (int i = 0; i < 8; i++)
		ksnprintf(hex + 2 * i, 3, "%02x", cl_ckpts[cl_nckpts - 1].roots.root[i]);
	print_to(print, ctx, "checkpoint %u \"%s\" at seq %llu, state root %s\n", cl_nckpts, label,
		 (unsigned long long)seq, hex);
	return KR_OK;
}

kr_err_t items_collect(void *ctx, const char *name, const uint8_t digest[32])
{
	struct items *it = ctx;
	size_t len = strlen(name);

	if (it->n == it->cap) {
		unsigned cap = it->cap ? it->cap * 2 : 64;
		struct item *v = kr_malloc(cl_self, cap * sizeof(*v));

		if (!v)
			return it->err = KR_ENOMEM;
		if (it->v)
			memcpy(v, it->v, it->n * sizeof(*v));
		kr_free(cl_self, it->v);
		it->v = v;
		it->cap = cap;
	}
	it->v[it->n].name = kr_malloc(cl_self, len + 1);
	if (!it->v[it->n].name)
		return it->err = KR_ENOMEM;
	memcpy(it->v[it->n].name, name, len + 1);
	memcpy(it->v[it->n].digest, digest, 32);
	it->n++;
	return KR_OK;
}

void items_free(struct items *it)
{
	for (unsigned i = 0; i < it->n; i++)
		kr_free(cl_self, it->v[i].name);
	kr_free(cl_self, it->v);
	memset(it, 0, sizeof(*it));
}

void items_sort(struct items *it)
{
	for (unsigned i = 1; i < it->n; i++) {  /* insertion sort: parts list in order already */
		struct item x = it->v[i];
		unsigned j = i;

		for (; j > 0 && strcmp(it->v[j - 1].name, x.name) > 0; j--)
			it->v[j] = it->v[j - 1];
		it->v[j] = x;
	}
}

/* "live", or a checkpoint: views at it (views NULL and *live for live). */
static kr_err_t point(const char *id, void *views[KR_CLOG_PARTS], bool *live, uint64_t *seq,
		      print_fn print, void *ctx)
{
	struct ckpt *c;

	*live = !strcmp(id, "live");
	if (*live)
		return KR_OK;
	c = ckpt_find(id);
	if (!c) {
		print_to(print, ctx, "checkpoint: %s: no such checkpoint (checkpoint list)\n", id);
		return KR_ENOENT;
	}
	*seq = c->seq;
	return views_at(c->seq, views);
}

kr_err_t ckpt_diff(const char *a, const char *b, print_fn print, void *ctx)
{
	void *va[KR_CLOG_PARTS] = { 0 }, *vb[KR_CLOG_PARTS] = { 0 };
	bool la, lb;
	uint64_t sa = 0, sb = 0;
	unsigned changes = 0;
	kr_err_t e;

	e = point(a, va, &la, &sa, print, ctx);
	if (e)
		return e;
	e = point(b, vb, &lb, &sb, print, ctx);
	if (e) {
		views_free(va);
		return e;
	}
	for (int i = 0; i < KR_CLOG_PARTS && !e; i++) {
		struct items x = { 0 }, y = { 0 };
		unsigned p = 0, q = 0;

		if (!cl_parts[i].ops || (!la && !va[i]) || (!lb && !vb[i]))
			continue;
		e = cl_parts[i].ops->items(la ? NULL : va[i], items_collect, &x);
		if (!e)
			e = cl_parts[i].ops->items(lb ? NULL : vb[i], items_collect, &y);
		if (!e)
			e = x.err ? x.err : y.err;
		items_sort(&x);
		items_sort(&y);
		while (!e && (p < x.n || q < y.n)) {
			int c = p == x.n ? 1 : q == y.n ? -1 : strcmp(x.v[p].name, y.v[q].name);

			if (c < 0)
				print_to(print, ctx, "%-6s - %s\n", clog_part_names[i], x.v[p++].name);
			else if (c > 0)
				print_to(print, ctx, "%-6s + %s\n", clog_part_names[i], y.v[q++].name);
			else if (memcmp(x.v[p++].digest, y.v[q++].digest, 32))
				print_to(print, ctx, "%-6s ~ %s\n", clog_part_names[i], y.v[q - 1].name);
			else
				continue;
			changes++;
		}
		items_free(&x);
		items_free(&y);
	}
	views_free(va);
	views_free(vb);
	if (!e)
		print_to(print, ctx, "checkpoint diff %s %s: %u difference%s (- only in %s, + only "
			 "in %s, ~ changed)\n", a, b, changes, changes == 1 ? "" : "s", a, b);
	return e;
}

kr_err_t ckpt_replay(const char *id, bool close, print_fn print, void *ctx)
{
	void *views[KR_CLOG_PARTS] = { 0 };
	struct ckpt *c = ckpt_find(id);
	unsigned n = c ? (unsigned)(c - cl_ckpts) + 1 : 0;
	const struct kr_state_ops *vfs = cl_parts[0].ops;
	char name[12];
	kr_err_t e;

	if (!c) {
		print_to(print, ctx, "checkpoint: %s: no such checkpoint (checkpoint list)\n", id);
		return KR_ENOENT;
	}
	ksnprintf(name, sizeof(name), "%u", n);
	if (close) {
		if (c->mounted)
			print_to(print, ctx, "checkpoint %u: /ckpt/%u taken down\n", n, n);
		ckpt_replay_close(c);
		return KR_OK;
	}
	if (c->mounted) {
		print_to(print, ctx, "checkpoint %u is at /ckpt/%u already\n", n, n);
		return KR_OK;
	}
	e = views_at(c->seq, views);
	if (e)
		return e;
	for (int i = 1; i < KR_CLOG_PARTS; i++) {
		struct items it = { 0 };

		if (!views[i] || cl_parts[i].ops->items(views[i], items_collect, &it) || it.err) {
			items_free(&it);
			continue;
		}
		print_to(print, ctx, "%s (%u):", clog_part_names[i], it.n);
		for (unsigned k = 0; k < it.n; k++)
			print_to(print, ctx, " %s", it.v[k].name);
		print(ctx, "\n");
		items_free(&it);
	}
	if (vfs && views[0] && vfs->view_mount && (e = vfs->view_mount(views[0], name)) == KR_OK) {
		c->view = views[0];
		c->mounted = true;
		views[0] = NULL;
		print_to(print, ctx, "checkpoint %u \"%s\" (seq %llu): its files are at /ckpt/%u "
			 "(read-only; checkpoint close %u takes it down)\n", n, c->label,
			 (unsigned long long)c->seq, n, n);
	} else if (vfs) {
		print_to(print, ctx, "checkpoint %u: cannot show its files: %s\n", n,
			 kr_strerror(e ? e : KR_ENOSYS));
	}
	views_free(views);
	return KR_OK;
}

void ckpt_replay_close(struct ckpt *c)
{
	const struct kr_state_ops *vfs = cl_parts[0].ops;
	char name[12];

	if (!c->mounted)
		return;
	ksnprintf(name, sizeof(name), "%u", (unsigned)(c - cl_ckpts) + 1);
	vfs->view_mount(NULL, name);
	vfs->view_free(c->view);
	c->view = NULL;
	c->mounted = false;
}

kr_err_t ckpt_restore(const char *id, print_fn print, void *ctx)
{
	struct ckpt *c = ckpt_find(id);
	struct {
		char subject[48];
		uint64_t to;
	} __attribute__((packed)) rec;
	size_t n;
	uint64_t seq;
	kr_err_t e;

	if (!c) {
		print_to(print, ctx, "checkpoint: %s: no such checkpoint (checkpoint list)\n", id);
		return KR_ENOENT;
	}
	if (!cl_attached)
		return KR_ENODEV;
	memset(&rec, 0, sizeof(rec));
	n = (size_t)ksnprintf(rec.subject, sizeof(rec.subject) - 1, "%u %s",
			      (unsigned)(c - cl_ckpts) + 1, c->label);
	if (n >= sizeof(rec.subject) - 1)
		n = sizeof(rec.subject) - 2;
	memcpy(rec.subject + n + 1, &c->seq, 8);
	e = clog_commit_own("clog.restore", &rec, (uint32_t)(n + 1 + 8), 0, &seq);
	if (!e)
		print_to(print, ctx, "restored checkpoint %u \"%s\" (seq %llu) as commit %llu\n",
			 (unsigned)(c - cl_ckpts) + 1, c->label, (unsigned long long)c->seq,
			 (unsigned long long)seq);
	return e;
}

