/*
 * live.c - the vfs replaced while it runs (<karyon/live.h>): its state
 * handed to a new version of the module, its users kept.
 *
 * The state (version 1): a header with the clock genesis left, the commit
 * log's gateway, the watchers and the /ckpt mounts, then the live tree and
 * each of the commit log's views (its genesis view, say), each with its
 * clock, as vfs_pack makes them (vfs_tree.c).  Pointers stay valid: both
 * versions run in the one kernel address space; the commit log holds views
 * by handle (their slot), so the new version puts each back in its slot.
 * The import builds every tree from those bytes in its own heap; the old
 * version's go with its domain.  Busy while a change waits for the commit
 * log (the disk).
 */
#include <karyon/libc.h>
#include <karyon/live.h>
#include <karyon/log.h>

#include "vfs_mod.h"

#define VFS_LIVE_MAGIC 0x4556494cu      /* "LIVE" */

struct vfs_live_head {
	uint32_t magic, version;
	uint64_t genesis_ticks;
	const struct kr_gate_ops *gate;
	struct vfs_watcher watchers[VFS_WATCHERS];
	struct {
		char name[VFS_MOUNT_NAME];
		uint32_t view;          /* the view's slot */
		uint32_t reserved;
	} mounts[VFS_MOUNTS];
	uint32_t nmounts, reserved;
};

/* Each tree after the header: the live one, then a view per slot. */
struct vfs_live_tree {
	uint64_t present, ticks, len;   /* len: bytes of vfs_pack's that follow */
};

static uint32_t live_busy(void)
{
	return vfs_state_busy();
}

/* Tree i: -1 the live one, else view slot i (NULL if empty). */
static const struct vfs_part *tree(int i)
{
	return i < 0 ? &vfs_live : vfs_views[i];
}

static kr_err_t live_export(void *buf, size_t cap, size_t *len)
{
	struct vfs_live_head h = { .magic = VFS_LIVE_MAGIC, .version = 1,
				   .genesis_ticks = vfs_genesis_ticks, .gate = vfs_gate,
				   .nmounts = vfs_mounts.n };
	uint8_t *out = buf;
	size_t at = sizeof(h);
	kr_err_t r;

	memcpy(h.watchers, vfs_watchers, sizeof(h.watchers));
	for (unsigned m = 0; m < vfs_mounts.n; m++) {
		memcpy(h.mounts[m].name, vfs_mounts.m[m].name, VFS_MOUNT_NAME);
		for (unsigned v = 0; v < VFS_VIEWS; v++)
			if (vfs_views[v] && vfs_views[v]->fs == vfs_mounts.m[m].fs)
				h.mounts[m].view = v;
	}
	if (buf && cap >= sizeof(h))
		memcpy(out, &h, sizeof(h));
	for (int i = -1; i < VFS_VIEWS; i++) {
		const struct vfs_part *p = tree(i);
		struct vfs_live_tree t = { p != NULL, p ? p->ticks : 0, 0 };
		size_t room = buf && cap > at + sizeof(t) ? cap - at - sizeof(t) : 0;

		if (p && (r = vfs_pack(p->fs, buf && room ? out + at + sizeof(t) : NULL, room,
				       &t.len)) && r != KR_ERANGE)
			return r;
		if (buf && at + sizeof(t) <= cap)
			memcpy(out + at, &t, sizeof(t));
		at += sizeof(t) + t.len;
	}
	*len = at;
	return buf && at > cap ? KR_ERANGE : KR_OK;
}

/* In a new version instead of its init, or in the old one taking the new
 * one's state back (a rollback): every tree is made from the bytes first;
 * only once all are whole do they replace the ones held. */
static kr_err_t live_import(kr_domain_t *self, const void *state, size_t len)
{
	struct vfs_part made[1 + VFS_VIEWS] = { { 0 } };
	struct vfs_part *parts[VFS_VIEWS] = { 0 }, *old_views[VFS_VIEWS];
	struct vfs *old_live = vfs_live.fs;
	const uint8_t *in = state;
	struct vfs_live_head h;
	size_t at = sizeof(h);
	kr_err_t r = KR_OK;
	int i;

	if (len < sizeof(h))
		return KR_EFORMAT;
	memcpy(&h, in, sizeof(h));
	if (h.magic != VFS_LIVE_MAGIC || h.version != 1 || h.nmounts > VFS_MOUNTS)
		return KR_EFORMAT;
	vfs_self = self;
	for (i = -1; i < VFS_VIEWS && !r; i++) {
		struct vfs_live_tree t;

		if (len - at < sizeof(t)) {
			r = KR_EFORMAT;
			break;
		}
		memcpy(&t, in + at, sizeof(t));
		at += sizeof(t);
		if (t.present > 1 || t.len > len - at || (i < 0 && !t.present)) {
			r = KR_EFORMAT;
			break;
		}
		made[i + 1].ticks = t.ticks;
		if (t.present && i >= 0 && !(parts[i] = vfs_heap.alloc(vfs_heap.ctx, sizeof(*parts[i])))) {
			r = KR_ENOMEM;
			break;
		}
		if (t.present) {       /* a view's clock is its part's (commit.c) */
			struct vfs_alloc a = { i < 0 ? vfs_heap.ctx : parts[i], vfs_heap.alloc,
					       vfs_heap.free };

			r = vfs_unpack(&a, NULL, vfs_part_clock, in + at, t.len, &made[i + 1].fs);
		}
		at += t.len;
	}
	for (unsigned m = 0; !r && m < h.nmounts; m++)
		if (h.mounts[m].view >= VFS_VIEWS || !made[1 + h.mounts[m].view].fs)
			r = KR_EFORMAT;
	if (r || at != len) {
		for (i = 0; i < 1 + VFS_VIEWS; i++)
			if (made[i].fs)
				vfs_destroy(made[i].fs);
		for (i = 0; i < VFS_VIEWS; i++)
			if (parts[i])
				vfs_heap.free(vfs_heap.ctx, parts[i], sizeof(*parts[i]));
		return r ? r : KR_EFORMAT;
	}
	/* all made: they replace what this version held */
	memcpy(old_views, vfs_views, sizeof(old_views));
	vfs_live = made[0];
	for (i = 0; i < VFS_VIEWS; i++) {
		vfs_views[i] = parts[i];
		if (parts[i])
			*parts[i] = made[1 + i];
	}
	vfs_mounts.n = h.nmounts;
	for (unsigned m = 0; m < h.nmounts; m++) {
		memcpy(vfs_mounts.m[m].name, h.mounts[m].name, VFS_MOUNT_NAME);
		vfs_mounts.m[m].fs = vfs_views[h.mounts[m].view]->fs;
	}
	vfs_genesis_ticks = h.genesis_ticks;
	vfs_gate = h.gate;
	memcpy(vfs_watchers, h.watchers, sizeof(vfs_watchers));
	if (old_live)
		vfs_destroy(old_live);
	for (i = 0; i < VFS_VIEWS; i++)
		if (old_views[i])
			vfs_view_free(old_views[i], &vfs_heap);
	return KR_OK;
}

static const struct kr_ops_header *live_table(const char *service)
{
	return !strcmp(service, "vfs") ? vfs_ops_table() :
	       !strcmp(service, "state.vfs") ? vfs_state_table() : NULL;
}

KR_LIVE(.state_version = 1, .busy = live_busy, .export_state = live_export,
	.import_state = live_import, .table = live_table);

kr_err_t vfs_live_publish(void)
{
	kr_cap_t cap;

	return kr_service_publish(vfs_self, KR_LIVE_PREFIX "vfs", &kr_this_live.hdr, &cap);
}
