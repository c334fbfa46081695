/*
 * modcmds.c - the shell's module commands (lsmod, insmod and modprobe,
 * rmmod, modinfo, caps) through the kmod service and the core's view of
 * built-in modules.  A NAME means /lib/modules/NAME.kmod, a path is used
 * as it is; every module lsmod lists is a NAME modinfo and rmmod take.
 */
#include <karyon/cap.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/module.h>

#include "lsmod_verbose.h"
#include "shell.h"

#define NEED_KMOD(cmd) do { if (!shell_kmod) return sh_fail(cmd, "no module loader", KR_ENOSYS); } while (0)

static bool strchr_slash(const char *s)
{
	for (; *s; s++)
		if (*s == '/')
			return true;
	return false;
}

static void caps_line(void *ctx, const char *line)
{
	(void)ctx;
	sh_printf("%s\n", line);
}

/* A built-in module by name: its index, or -1. */
static int builtin_index(const char *name, const struct kr_module_info **info)
{
	bool running;

	for (uint32_t i = 0; kr_builtin_module(NULL, i, info, &running, NULL) == KR_OK; i++)
		if (!strcmp((*info)->name, name))
			return (int)i;
	return -1;
}

static bool loaded(const char *name, struct kr_kmod_entry *out)
{
	struct kr_kmod_entry e;

	for (uint32_t i = 0; shell_kmod && shell_kmod->get(i, &e) == KR_OK; i++)
		if (!strcmp(e.name, name)) {
			if (out)
				*out = e;
			return true;
		}
	return false;
}

/* caps [MODULE]: the shell's own table, or a built-in module's, through a
 * read-only view of it (a KR_OBJ_MODULE capability) that goes afterwards.
 * The kernel hands out views of built-in modules only. */
int cmd_caps(int argc, char **argv, const struct sh_opts *o)
{
	const struct kr_module_info *info;
	kr_cap_t view = KR_CAP_NULL;
	bool running;
	kr_err_t err;

	(void)o;
	if (argc == 2) {
		int i = builtin_index(argv[1], &info);

		if (i < 0 && loaded(argv[1], NULL)) {
			err = shell_kmod->caps(argv[1], caps_line, NULL);
			return err ? sh_fail("caps", argv[1], err) : 0;
		}
		err = i < 0 ? KR_ENOENT : kr_builtin_module(shell_self, (uint32_t)i, &info, &running, &view);
		if (err == KR_ENOENT) {
			sh_printf("caps: %s: no such module (see lsmod)\n", argv[1]);
			return 1;
		}
		if (err)
			return sh_fail("caps", argv[1], err);
	}
	err = kr_cap_dump(shell_self, view, caps_line, NULL);
	if (view)
		kr_cap_delete(shell_self, view);
	return err ? sh_fail("caps", argv[argc - 1], err) : 0;
}

int cmd_lsmod(int argc, char **argv, const struct sh_opts *o)
{
	static const char *const states[] = { "?", "loading", "live", "unloading" };
	struct kr_kmod_entry e;

	(void)argc;
	(void)argv;
	NEED_KMOD("lsmod");
	if (SH_OPT(o, 'v'))
		return lsmod_verbose();         /* lsmod_verbose.c: section addresses */
	sh_printf("%-16s %-8s %8s %5s  %-9s %s\n", "name", "version", "size", "users", "state", "used by");
	for (uint32_t i = 0; shell_kmod->get(i, &e) == KR_OK; i++) {
		char size[24] = "-";    /* a built-in the kernel has no size for */

		if (!e.builtin || e.size)
			ksnprintf(size, sizeof(size), "%llu", (unsigned long long)e.size);
		sh_printf("%-16s %u.%u.%-4u %8s %5u  %-9s %s\n", e.name, KR_VERSION_MAJOR(e.module_version),
			  KR_VERSION_MINOR(e.module_version), KR_VERSION_PATCH(e.module_version),
			  size, e.users, e.builtin ? (e.state ? "built-in" : "stopped") :
			  states[e.state <= 3 ? e.state : 0],
			  e.used_by);
	}
	return 0;
}

/* NAME means /lib/modules/NAME.kmod; a path is used as it is. */
static void module_path(const char *arg, char *path, size_t len)
{
	if (strchr_slash(arg))
		ksnprintf(path, len, "%s", arg);
	else
		ksnprintf(path, len, "/lib/modules/%s.kmod", arg);
}

/* The file is read into the shell's heap; the caller frees it.  why gets
 * "ARG: no /lib/modules/ARG.kmod" or "PATH: what". */
static kr_err_t read_module(const char *arg, char **file, size_t *size, char *why, size_t len)
{
	char path[SHELL_PATH_MAX];
	struct kr_vfs_stat st;
	kr_err_t err;

	module_path(arg, path, sizeof(path));
	err = sh_read_whole(path, file, size);
	if (err == KR_ENOENT && !strchr_slash(arg))
		ksnprintf(why, len, "%s: no %s", arg, path);
	else if (err == KR_EINVAL && !shell_vfs->stat(shell_cwd, path, &st) && st.type == KR_VFS_DIR)
		ksnprintf(why, len, "%s: is a directory", path);
	else if (err)
		ksnprintf(why, len, "%s: %s", path, kr_strerror(err));
	return err;
}

/* Load arg, its missing dependencies first (from /lib/modules), like modprobe. */
static kr_err_t insmod(const char *arg, int depth, char *why, size_t len)
{
	struct kr_module_info info;
	char *file, path[SHELL_PATH_MAX], sub[160] = "";
	size_t size = 0;
	kr_err_t err;

	if (depth > KR_MODULE_DEPS_MAX) {
		ksnprintf(why, len, "%s: dependencies nested too deep", arg);
		return KR_ERANGE;
	}
	err = read_module(arg, &file, &size, why, len);
	if (err)
		return err;
	module_path(arg, path, sizeof(path));
	err = shell_kmod->describe(file, size, &info, sub, sizeof(sub));
	if (err)
		ksnprintf(why, len, "%s: %s", path, sub[0] ? sub : kr_strerror(err));
	for (uint32_t i = 0; !err && i < info.ndeps; i++)
		if (!loaded(info.deps[i].name, NULL))
			err = insmod(info.deps[i].name, depth + 1, why, len);
	if (!err)
		err = shell_kmod->load(file, size, arg, why, len);
	kr_free(shell_self, file);
	return err;
}

static int rmmod(const char *cmd, const char *name)
{
	char why[128] = "";
	kr_err_t err = shell_kmod->unload(name, why, sizeof(why));

	if (err)
		sh_printf("%s: %s\n", cmd, why[0] ? why : kr_strerror(err));
	return err != KR_OK;
}

int cmd_insmod(int argc, char **argv, const struct sh_opts *o)
{
	char why[192] = "";
	kr_err_t err;

	NEED_KMOD(argv[0]);
	if (SH_OPT(o, 'r'))     /* modprobe -r NAME: as Linux, unload it */
		return rmmod(argv[0], argv[1]);
	(void)argc;
	err = insmod(argv[1], 0, why, sizeof(why));
	if (err)
		sh_printf("%s: %s\n", argv[0], why[0] ? why : kr_strerror(err));
	return err != KR_OK;
}

/* One of a descriptor's needs as tools/modinfo.py shows it. */
static void print_need(const struct kr_need *n)
{
	static const char *const facility[] = { "?", "power", "klog", "devices" };
	uint64_t end = n->base + (n->kind == KR_NEED_DEVMEM ? (n->count + KR_PAGE_SIZE - 1) &
				  ~0xfffull : n->count) - 1;

	if (n->kind == KR_NEED_IRQ_LINE)
		sh_printf(" IRQ %llu", (unsigned long long)n->base);
	else if (n->kind == KR_NEED_IOPORTS || n->kind == KR_NEED_DEVMEM)
		sh_printf(" %s %#llx-%#llx", n->kind == KR_NEED_IOPORTS ? "ports" : "MMIO",
			  (unsigned long long)n->base, (unsigned long long)end);
	else
		sh_printf(" system %s", facility[n->base < 4 ? n->base : 0]);
}

static void print_info(const struct kr_module_info *info)
{
	sh_printf("name:        %s\nversion:     %u.%u.%u\ndescription: %s\nlicense:     %s\n"
		  "author:      %s\nabi:         %u.%u\n",
		  info->name, KR_VERSION_MAJOR(info->version), KR_VERSION_MINOR(info->version),
		  KR_VERSION_PATCH(info->version), info->description, info->license, info->author,
		  info->abi_major, info->abi_minor);
}

static void print_deps_needs(const struct kr_module_info *info)
{
	sh_printf("depends:    ");
	for (uint32_t i = 0; i < info->ndeps; i++)
		sh_printf(" %s>=%u.%u.%u", info->deps[i].name, KR_VERSION_MAJOR(info->deps[i].min_version),
			  KR_VERSION_MINOR(info->deps[i].min_version), KR_VERSION_PATCH(info->deps[i].min_version));
	sh_printf("\nneeds:      ");
	for (uint32_t i = 0; i < KR_MODULE_NEEDS_MAX && info->needs[i].kind; i++)
		print_need(&info->needs[i]);
	sh_printf("\n");
}

/* modinfo NAME|PATH: a module file's descriptor; for a NAME lsmod lists and
 * /lib/modules lacks (a built-in, or one loaded from elsewhere), what the
 * kernel knows of it. */
int cmd_modinfo(int argc, char **argv, const struct sh_opts *o)
{
	const struct kr_module_info *bi;
	struct kr_module_info info;
	struct kr_kmod_entry e;
	char why[192] = "", path[SHELL_PATH_MAX], *file;
	size_t size = 0;
	kr_err_t err = KR_ENOENT;

	(void)argc;
	(void)o;
	module_path(argv[1], path, sizeof(path));
	if (!strchr_slash(argv[1]) && builtin_index(argv[1], &bi) >= 0) {
		uint64_t bytes;

		print_info(bi);
		print_deps_needs(bi);
		if (kr_builtin_size((uint32_t)builtin_index(argv[1], &bi), &bytes) == KR_OK)
			sh_printf("size:        %llu bytes in the kernel image\n",
				  (unsigned long long)bytes);
		sh_printf("loaded:      built in\n");
		return 0;
	}
	if (shell_vfs)
		err = read_module(argv[1], &file, &size, why, sizeof(why));
	if (err && !strchr_slash(argv[1]) && loaded(argv[1], &e)) {
		sh_printf("name:        %s\nversion:     %u.%u.%u\nsize:        %llu bytes in memory\n"
			  "users:       %u %s\nloaded:      yes (its file %s is gone: no more to show)\n",
			  e.name, KR_VERSION_MAJOR(e.module_version), KR_VERSION_MINOR(e.module_version),
			  KR_VERSION_PATCH(e.module_version), (unsigned long long)e.size, e.users,
			  e.used_by, path);
		return 0;
	}
	if (err && !shell_vfs) {
		sh_printf("modinfo: %s: not a running module, and %s\n", argv[1], SH_NO_FS);
		return 1;
	}
	if (err) {
		sh_printf("modinfo: %s\n", why);
		return 1;
	}
	NEED_KMOD("modinfo");
	err = shell_kmod->describe(file, size, &info, why, sizeof(why));
	kr_free(shell_self, file);
	if (err) {
		sh_printf("modinfo: %s: %s\n", path, why[0] ? why : kr_strerror(err));
		return 1;
	}
	print_info(&info);
	sh_printf("size:        %zu bytes\n", size);
	print_deps_needs(&info);
	sh_printf("loaded:      %s\n", loaded(info.name, NULL) ? "yes" : "no");
	return 0;
}

int cmd_rmmod(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)o;
	NEED_KMOD("rmmod");
	return rmmod("rmmod", argv[1]);
}
