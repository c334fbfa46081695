/*
 * state.c - the vfs as the owner of the commit log's part "vfs": the
 * "state.vfs" service (struct kr_state_ops, <karyon/clog.h>).
 *
 * Once the clog module has attached, every change the vfs service is asked
 * for becomes a record (vfs_commit; payloads: commit.c), which the gateway
 * checks (a dry run on the live tree), logs and applies.  apply at run
 * time goes through vfs_direct, which tells the watchers; replay and views
 * make the same vfs_fs call silently (vfs_req_run).  The live tree's clock
 * is part of the state: reset puts it back where genesis left it, and a
 * view copies its source's.
 */
#include <karyon/libc.h>
#include <karyon/log.h>

#include "vfs_mod.h"

static kr_cap_t state_cap;
static bool published;
uint64_t vfs_genesis_ticks;     /* the live clock when the initrd was unpacked */
static uint32_t commits;        /* in progress: vfs_state_busy */
struct vfs_part *vfs_views[VFS_VIEWS];

/* The commit log holds views by handle (slot + 1), not by address, so a
 * new version of the module can take them over (live.c). */
static struct vfs_part *view_of(const void *handle)
{
	uintptr_t i = (uintptr_t)handle;

	return i >= 1 && i <= VFS_VIEWS ? vfs_views[i - 1] : NULL;
}

kr_err_t vfs_commit(const char *cwd, const struct vfs_req *rq)
{
	void *payload;
	uint32_t len;
	size_t size;
	char why[160];
	kr_err_t r = vfs_req_encode(rq, cwd, &vfs_heap, &payload, &len, &size);

	if (r)
		return r;
	/* why: the gateway has audited it already; the caller gets the code */
	commits++;
	r = vfs_gate->commit(vfs_req_kind(rq->op), payload, len, NULL, why, sizeof(why));
	commits--;
	vfs_heap.free(vfs_heap.ctx, payload, size);
	return r;
}

/* An error of the request itself, for the SysLog: kind, path, reason. */
static kr_err_t say(kr_err_t r, const struct kr_commit *c, const struct vfs_req *rq, char *err,
		    size_t errlen)
{
	if (r && err && errlen)
		ksnprintf(err, errlen, "%s %s%s%s: %s", c->kind, rq->path, rq->to ? " " : "",
			  rq->to ? rq->to : "", kr_strerror(r));
	return r;
}

static kr_err_t st_check(const struct kr_commit *c, void **stage, char *err, size_t errlen)
{
	struct vfs_req rq;
	kr_err_t r = vfs_req_decode(c, &rq, err, errlen);

	if (stage)
		*stage = NULL;          /* apply does all the work */
	if (r)
		return r;
	/* The service refuses these before they become records; a record
	 * from elsewhere is held to the same rule. */
	if (vfs_ckpt_refuses(&vfs_mounts, NULL, rq.path) ||
	    (rq.to && vfs_ckpt_refuses(&vfs_mounts, NULL, rq.to)))
		return say(KR_EPERM, c, &rq, err, errlen);
	return say(vfs_req_run(vfs_live.fs, &rq, true), c, &rq, err, errlen);
}

static kr_err_t st_apply(void *view, const struct kr_commit *c, void *stage, uint32_t flags,
			 char *err, size_t errlen)
{
	struct vfs_req rq;
	kr_err_t r = vfs_req_decode(c, &rq, err, errlen);

	(void)stage;
	if (r)
		return r;
	if (view && !view_of(view))
		r = KR_EINVAL;
	else if (view)
		r = vfs_req_run(view_of(view)->fs, &rq, false);
	else if (flags & KR_APPLY_REPLAY)
		r = vfs_req_run(vfs_live.fs, &rq, false);
	else
		r = vfs_direct(NULL, &rq);
	return say(r, c, &rq, err, errlen);
}

static void st_drop(void *stage)
{
	(void)stage;            /* check stages nothing */
}

/* fn must not call the vfs: the walk builds its paths in the tree's
 * scratch buffer (vfs_fs.h, vfs_walk). */
static kr_err_t st_items(void *view, kr_state_item_fn fn, void *ctx)
{
	if (view && !view_of(view))
		return KR_EINVAL;
	return vfs_items(view ? view_of(view)->fs : vfs_live.fs, &vfs_heap, fn, ctx);
}

/* A fresh tree from the initrd replaces the live one; the old one goes
 * only once the new one is whole, so a failure changes nothing. */
static kr_err_t st_reset(char *err, size_t errlen)
{
	struct vfs_part old = vfs_live;
	kr_err_t r = vfs_create(&vfs_heap, NULL, vfs_part_clock, &vfs_live.fs);

	if (!r) {
		vfs_live.ticks = 0;
		r = vfs_load_initrd(vfs_live.fs, true);
		if (r)
			vfs_destroy(vfs_live.fs);
	}
	if (r) {
		vfs_live = old;
		if (err && errlen)
			ksnprintf(err, errlen, "vfs: reset to genesis: %s", kr_strerror(r));
		return r;
	}
	vfs_live.ticks = vfs_genesis_ticks; /* the unpack ticked as at boot: the same */
	vfs_destroy(old.fs);
	return KR_OK;
}

static kr_err_t st_attach(const struct kr_gate_ops *gate)
{
	if (gate && (gate->hdr.magic != KR_OPS_MAGIC || gate->hdr.version < 1 || !gate->commit))
		return KR_EINVAL;
	vfs_gate = gate;
	return KR_OK;
}

static void *st_view_new(const void *from)
{
	const struct vfs_part *src = from ? view_of(from) : &vfs_live;
	uintptr_t i;

	for (i = 0; i < VFS_VIEWS && vfs_views[i]; i++)
		;
	if (!src || i == VFS_VIEWS || !(vfs_views[i] = vfs_view_new(src, &vfs_heap)))
		return NULL;
	return (void *)(i + 1);
}

static void st_view_free(void *view)
{
	struct vfs_part *v = view_of(view);

	if (!v)
		return;
	vfs_views[(uintptr_t)view - 1] = NULL;
	/* A caller that forgot to take it down must not leave /ckpt/NAME
	 * pointing at freed memory. */
	for (unsigned i = vfs_mounts.n; i-- > 0;)
		if (vfs_mounts.m[i].fs == v->fs)
			vfs_mount(&vfs_mounts, vfs_mounts.m[i].name, NULL);
	vfs_view_free(v, &vfs_heap);
}

static kr_err_t st_view_mount(void *view, const char *name)
{
	if (view && !view_of(view))
		return KR_EINVAL;
	return vfs_mount(&vfs_mounts, name, view ? view_of(view)->fs : NULL);
}

static const struct kr_state_ops state_ops = {
	.hdr = { KR_OPS_MAGIC, KR_STATE_SERVICE_VERSION, sizeof(struct kr_state_ops), 0 },
	.part = "vfs",
	.check = st_check, .apply = st_apply, .drop = st_drop, .items = st_items,
	.reset = st_reset, .attach = st_attach,
	.view_new = st_view_new, .view_free = st_view_free, .view_mount = st_view_mount,
};

const struct kr_ops_header *vfs_state_table(void)
{
	return &state_ops.hdr;
}

uint32_t vfs_state_busy(void)
{
	return commits;
}

kr_err_t vfs_state_publish(void)
{
	kr_err_t r;

	vfs_genesis_ticks = vfs_live.ticks;
	r = kr_service_publish(vfs_self, "state.vfs", &state_ops.hdr, &state_cap);
	published = r == KR_OK;
	return r;
}

void vfs_state_unpublish(void)
{
	vfs_gate = NULL;
	vfs_mounts.n = 0;       /* the views are their owner's to free */
	if (published && kr_service_unpublish(vfs_self, state_cap) == KR_OK)
		published = false;
}
