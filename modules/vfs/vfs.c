/*
 * vfs - the file system module: the in-memory file system (vfs_fs.c)
 * mounted at "/", filled at boot from the "initrd" boot module (a cpio
 * newc archive the build makes, initrd.c), and offered to other modules as
 * the "vfs" service (<karyon/vfs.h>).
 *
 * Its memory comes from the module heap, charged to its domain; its clock
 * is logical (one tick per change), so the same boot gives the same
 * modification times.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>

#include "initrd.h"
#include "vfs_fs.h"

static kr_domain_t *self;
static struct vfs *fs;
static uint64_t ticks;

static void *fs_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return kr_malloc(self, n);
}

static void fs_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)n;
	kr_free(self, p);
}

static uint64_t fs_clock(void *ctx)
{
	(void)ctx;
	return ++ticks;
}

static kr_err_t op_mkdir(const char *cwd, const char *path, bool parents)
{
	return vfs_mkdir(fs, cwd, path, parents);
}

static kr_err_t op_remove(const char *cwd, const char *path, bool recursive)
{
	return vfs_remove(fs, cwd, path, recursive);
}

static kr_err_t op_write(const char *cwd, const char *path, const void *data, size_t n,
			 bool append)
{
	return vfs_write(fs, cwd, path, data, n, append);
}

static kr_err_t op_read(const char *cwd, const char *path, uint64_t off, void *buf, size_t n,
			size_t *got)
{
	return vfs_read(fs, cwd, path, off, buf, n, got);
}

static kr_err_t op_stat(const char *cwd, const char *path, struct kr_vfs_stat *st)
{
	return vfs_stat(fs, cwd, path, st);
}

static kr_err_t op_rename(const char *cwd, const char *from, const char *to)
{
	return vfs_rename(fs, cwd, from, to);
}

static kr_err_t op_copy(const char *cwd, const char *from, const char *to)
{
	return vfs_copy(fs, cwd, from, to);
}

static kr_err_t op_list(const char *cwd, const char *path, kr_vfs_list_fn fn, void *ctx)
{
	return vfs_list(fs, cwd, path, fn, ctx);
}

static const struct kr_vfs_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_VFS_SERVICE_VERSION, sizeof(struct kr_vfs_ops), 0 },
	.normalize = vfs_normalize, .mkdir = op_mkdir, .remove = op_remove,
	.write = op_write, .read = op_read, .stat = op_stat, .rename = op_rename,
	.copy = op_copy, .list = op_list,
};

/* Unpack the boot module named "initrd", if the image has one. */
static void load_initrd(void)
{
	struct kr_boot_module_info bi;
	char why[128] = "";
	uint32_t files = 0;
	kr_cap_t cap;
	void *va;

	for (uint32_t i = 0; kr_boot_module(self, i, &cap, &bi) == KR_OK; i++) {
		if (!strcmp(bi.name, "initrd") &&
		    kr_page_map(self, cap, KR_RIGHT_READ, &va) == KR_OK) {
			if (initrd_unpack(fs, (const char *)va + bi.offset, bi.size, why,
					  sizeof(why), &files) == KR_OK)
				kr_log(KR_LOG_INFO, "vfs: initrd: %u files (%llu bytes)%s%s\n", files,
				       (unsigned long long)bi.size, why[0] ? "; " : "", why);
			else
				kr_log(KR_LOG_ERR, "vfs: initrd: %s\n", why);
		}
		kr_cap_delete(self, cap);
	}
}

static kr_err_t vfs_module_init(kr_domain_t *dom)
{
	const struct vfs_alloc a = { NULL, fs_alloc, fs_free };
	kr_cap_t cap;
	kr_err_t r;

	self = dom;
	r = vfs_create(&a, NULL, fs_clock, &fs);
	if (r)
		return r;
	load_initrd();
	r = kr_service_publish(self, "vfs", &ops.hdr, &cap);
	if (r) {
		vfs_destroy(fs);
		fs = NULL;
	}
	return r;
}

static void vfs_module_exit(kr_domain_t *dom)
{
	(void)dom;
	vfs_destroy(fs);
	fs = NULL;
}

KR_MODULE(.name = "vfs", .version = KR_VERSION(1, 0, 0),
	  .description = "in-memory file system at /, filled from the initrd; the vfs service",
	  .license = "MIT", .author = "Karyon developers",
	  .init = vfs_module_init, .exit = vfs_module_exit);
