/*
 * commands.c - the shell's commands.  File commands go through the vfs
 * service, module commands through the kmod service; each prints one clear
 * line when something fails and returns non-zero.
 */
#include <karyon/cap.h>
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/module.h>
#include <karyon/libc.h>

#include "lsmod_verbose.h"
#include "shell.h"

#define NEED_VFS(cmd) do { if (!shell_vfs) return sh_fail(cmd, "no file system", KR_ENOSYS); } while (0)
#define NEED_KMOD(cmd) do { if (!shell_kmod) return sh_fail(cmd, "no module loader", KR_ENOSYS); } while (0)

static bool strchr_slash(const char *s)
{
	for (; *s; s++)
		if (*s == '/')
			return true;
	return false;
}

static bool flag(int *argc, char ***argv, const char *f)
{
	if (*argc > 1 && !strcmp((*argv)[1], f)) {
		(*argv)++;
		(*argc)--;
		return true;
	}
	return false;
}

static int usage(const char *name)
{
	for (const struct shell_cmd *c = shell_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			sh_printf("usage: %s\n", c->usage);
	return 1;
}

static int cmd_help(int argc, char **argv)
{
	for (const struct shell_cmd *c = shell_cmds; c->name; c++)
		if (argc < 2)
			sh_printf("%-8s %s\n", c->name, c->help);
		else if (!strcmp(c->name, argv[1]))
			return sh_printf("usage: %s\n%s\n", c->usage, c->help), 0;
	if (argc < 2)
		shell_help_added();
	return argc >= 2 ? sh_fail("help", argv[1], KR_ENOENT) : 0;
}

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		sh_printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	sh_printf("\n");
	return 0;
}

static int cmd_pwd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sh_printf("%s\n", shell_cwd);
	return 0;
}

static int cmd_cd(int argc, char **argv)
{
	char path[SHELL_PATH_MAX];
	struct kr_vfs_stat st;
	kr_err_t err;

	NEED_VFS("cd");
	if (argc > 2)
		return usage("cd");
	err = shell_vfs->normalize(shell_cwd, argc == 2 ? argv[1] : "/", path, sizeof(path));
	if (!err)
		err = shell_vfs->stat(NULL, path, &st);
	if (!err && st.type != KR_VFS_DIR)
		err = KR_EINVAL;
	if (err)
		return sh_fail("cd", argc == 2 ? argv[1] : "/", err);
	memcpy(shell_cwd, path, strlen(path) + 1);
	return 0;
}

static kr_err_t ls_entry(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	if (*(bool *)ctx)
		sh_printf("%c %8llu %6llu %s%s\n", st->type == KR_VFS_DIR ? 'd' : '-',
			  (unsigned long long)st->size, (unsigned long long)st->mtime, name,
			  st->type == KR_VFS_DIR ? "/" : "");
	else
		sh_printf("%s%s\n", name, st->type == KR_VFS_DIR ? "/" : "");
	return KR_OK;
}

static int cmd_ls(int argc, char **argv)
{
	bool longf = flag(&argc, &argv, "-l");
	int rc = 0;

	NEED_VFS("ls");
	if (argc == 1)
		argv[argc++] = ".";     /* argv has room: it is NULL-terminated */
	for (int i = 1; i < argc; i++) {
		kr_err_t err;

		if (argc > 2)
			sh_printf("%s:\n", argv[i]);
		err = shell_vfs->list(shell_cwd, argv[i], ls_entry, &longf);
		if (err)
			rc = sh_fail("ls", argv[i], err);
	}
	return rc;
}

/* Each file in 4 KiB pieces to out(chunk, n, offset). */
static int each_chunk(const char *cmd, const char *path,
		      void (*out)(const char *s, size_t n, uint64_t off))
{
	char buf[4096];
	uint64_t off = 0;
	size_t got;
	kr_err_t err;

	do {
		err = shell_vfs->read(shell_cwd, path, off, buf, sizeof(buf), &got);
		if (err)
			return sh_fail(cmd, path, err);
		out(buf, got, off);
		off += got;
	} while (got == sizeof(buf));
	return 0;
}

static void cat_out(const char *s, size_t n, uint64_t off)
{
	(void)off;
	sh_write(s, n);
}

/* Typed input until Ctrl-D at the start of a line, as a Unix terminal
 * ends a file: how a user writes a file at the prompt (cat > hello.c).
 * Echoed as typed (to the console, not to a redirection); Backspace
 * edits the line, Ctrl-C drops the line being typed and ends.  The shell
 * task sleeps between keys (shell_wait). */
static int cat_console(void)
{
	static char line[4096];
	size_t len = 0;
	char c, prev = 0;

	for (;; prev = c) {
		if (shell_console_read(&c) != 1) {
			shell_wait();
			c = prev;
			continue;
		}
		if (c == '\n' && prev == '\r')  /* CR LF: one line end */
			continue;
		if (c == 4 && !len)             /* Ctrl-D */
			return 0;
		if (c == 3) {                   /* Ctrl-C */
			kr_console_write("^C\r\n", 4);
			return 1;
		}
		if (c == '\r' || c == '\n' || c == 4) {
			if (c != 4) {
				line[len++] = '\n';
				kr_console_write("\r\n", 2);
			}
			sh_write(line, len);
			len = 0;
		} else if ((c == 0x7f || c == '\b') && len) {
			len--;
			kr_console_write("\b \b", 3);
		} else if ((c >= 0x20 && c < 0x7f) || c == '\t') {
			if (len < sizeof(line) - 1) {
				line[len++] = c;
				kr_console_write(&c, 1);
			}
		}
	}
}

static int cmd_cat(int argc, char **argv)
{
	int rc = 0;

	NEED_VFS("cat");
	if (argc < 2)
		return cat_console();
	for (int i = 1; i < argc; i++)
		rc |= each_chunk("cat", argv[i], cat_out);
	return rc;
}

static void hex_out(const char *s, size_t n, uint64_t off)
{
	for (size_t i = 0; i < n; i += 16) {
		char hex[16 * 3 + 1] = "", asc[17] = "";

		for (size_t j = 0; j < 16; j++) {
			unsigned char c = i + j < n ? (unsigned char)s[i + j] : 0;

			ksnprintf(hex + 3 * j, 4, i + j < n ? "%02x " : "   ", c);
			asc[j] = i + j >= n ? ' ' : c >= 32 && c < 127 ? (char)c : '.';
		}
		sh_printf("%08llx  %s |%s|\n", (unsigned long long)(off + i), hex, asc);
	}
}

static int cmd_hexdump(int argc, char **argv)
{
	NEED_VFS("hexdump");
	return argc == 2 ? each_chunk("hexdump", argv[1], hex_out) : usage("hexdump");
}

static int cmd_mkdir(int argc, char **argv)
{
	bool parents = flag(&argc, &argv, "-p");
	int rc = 0;

	NEED_VFS("mkdir");
	if (argc < 2)
		return usage("mkdir");
	for (int i = 1; i < argc; i++) {
		kr_err_t err = shell_vfs->mkdir(shell_cwd, argv[i], parents);

		if (err)
			rc = sh_fail("mkdir", argv[i], err);
	}
	return rc;
}

static int cmd_rm(int argc, char **argv)
{
	bool recursive = flag(&argc, &argv, "-r");
	int rc = 0;

	NEED_VFS("rm");
	if (argc < 2)
		return usage("rm");
	for (int i = 1; i < argc; i++) {
		kr_err_t err = shell_vfs->remove(shell_cwd, argv[i], recursive);

		if (err)
			rc = sh_fail("rm", argv[i], err);
	}
	return rc;
}

static int cmd_mv(int argc, char **argv)
{
	kr_err_t err;

	NEED_VFS("mv");
	if (argc != 3)
		return usage("mv");
	err = shell_vfs->rename(shell_cwd, argv[1], argv[2]);
	return err ? sh_fail("mv", argv[1], err) : 0;
}

static int cmd_cp(int argc, char **argv)
{
	kr_err_t err;

	NEED_VFS("cp");
	if (argc != 3)
		return usage("cp");
	err = shell_vfs->copy(shell_cwd, argv[1], argv[2]);
	return err ? sh_fail("cp", argv[1], err) : 0;
}

static int cmd_stat(int argc, char **argv)
{
	struct kr_vfs_stat st;
	kr_err_t err;

	NEED_VFS("stat");
	if (argc != 2)
		return usage("stat");
	err = shell_vfs->stat(shell_cwd, argv[1], &st);
	if (err)
		return sh_fail("stat", argv[1], err);
	sh_printf("%s: %s, %llu bytes, %u entries, changed at tick %llu\n", argv[1],
		  st.type == KR_VFS_DIR ? "directory" : "file", (unsigned long long)st.size,
		  st.entries, (unsigned long long)st.mtime);
	return 0;
}

static int cmd_mem(int argc, char **argv)
{
	struct kr_mem_stats st;

	(void)argc;
	(void)argv;
	kr_mem_stats(&st);
	sh_printf("pages: %llu free of %llu (%llu KiB free)\nheap: %llu bytes in %llu blocks on %llu pages\n",
		  (unsigned long long)st.free_pages, (unsigned long long)st.total_pages,
		  (unsigned long long)st.free_pages * 4, (unsigned long long)st.heap_bytes,
		  (unsigned long long)st.heap_blocks, (unsigned long long)st.heap_pages);
	return 0;
}

static void caps_line(void *ctx, const char *line)
{
	(void)ctx;
	sh_printf("%s\n", line);
}

/* caps [MODULE]: the shell's own table, or a built-in module's, through a
 * read-only view of it (a KR_OBJ_MODULE capability) that goes afterwards. */
static int cmd_caps(int argc, char **argv)
{
	const struct kr_module_info *info;
	kr_cap_t view = KR_CAP_NULL;
	uint32_t i = 0;
	bool running;
	kr_err_t err;

	if (argc > 2)
		return usage("caps");
	if (argc == 2) {
		while (kr_builtin_module(NULL, i, &info, &running, NULL) == KR_OK &&
		       strcmp(info->name, argv[1]))
			i++;
		err = kr_builtin_module(shell_self, i, &info, &running, &view);
		if (err)
			return sh_fail("caps", argv[1], err);
	}
	err = kr_cap_dump(shell_self, view, caps_line, NULL);
	if (view)
		kr_cap_delete(shell_self, view);
	return err ? sh_fail("caps", argv[argc - 1], err) : 0;
}

static int cmd_lsmod(int argc, char **argv)
{
	static const char *const states[] = { "?", "loading", "live", "unloading" };
	struct kr_kmod_entry e;

	NEED_KMOD("lsmod");
	if (flag(&argc, &argv, "-v"))
		return lsmod_verbose();         /* lsmod_verbose.c: section addresses */
	(void)argc;
	sh_printf("%-16s %-8s %8s %5s  %-9s %s\n", "name", "version", "size", "users", "state", "used by");
	for (uint32_t i = 0; shell_kmod->get(i, &e) == KR_OK; i++)
		sh_printf("%-16s %u.%u.%-4u %8llu %5u  %-9s %s\n", e.name, KR_VERSION_MAJOR(e.module_version),
			  KR_VERSION_MINOR(e.module_version), KR_VERSION_PATCH(e.module_version),
			  (unsigned long long)e.size, e.users,
			  e.builtin ? "built-in" : states[e.state <= 3 ? e.state : 0], e.used_by);
	return 0;
}

/* NAME means /lib/modules/NAME.kmod; a path is used as it is.  The file
 * is read into the shell's heap; the caller frees it. */
static kr_err_t read_module(const char *arg, void **file, size_t *size)
{
	char path[SHELL_PATH_MAX];
	struct kr_vfs_stat st;
	kr_err_t err;

	if (strchr_slash(arg))
		ksnprintf(path, sizeof(path), "%s", arg);
	else
		ksnprintf(path, sizeof(path), "/lib/modules/%s.kmod", arg);
	err = shell_vfs->stat(shell_cwd, path, &st);
	if (!err && st.type != KR_VFS_FILE)
		err = KR_EINVAL;
	if (err)
		return err;
	*file = kr_malloc(shell_self, st.size ? st.size : 1);
	if (!*file)
		return KR_ENOMEM;
	err = shell_vfs->read(shell_cwd, path, 0, *file, st.size, size);
	if (err)
		kr_free(shell_self, *file);
	return err;
}

static bool loaded(const char *name)
{
	struct kr_kmod_entry e;

	for (uint32_t i = 0; shell_kmod->get(i, &e) == KR_OK; i++)
		if (!strcmp(e.name, name))
			return true;
	return false;
}

/* Load arg, its missing dependencies first (from /lib/modules), like modprobe. */
static kr_err_t insmod(const char *arg, int depth, char *why, size_t len)
{
	struct kr_module_info info;
	void *file;
	size_t size = 0;
	kr_err_t err = depth > KR_MODULE_DEPS_MAX ? KR_ERANGE : read_module(arg, &file, &size);

	if (err) {
		ksnprintf(why, len, "%s: %s", arg, kr_strerror(err));
		return err;
	}
	err = shell_kmod->describe(file, size, &info, why, len);
	for (uint32_t i = 0; !err && i < info.ndeps; i++)
		if (!loaded(info.deps[i].name))
			err = insmod(info.deps[i].name, depth + 1, why, len);
	if (!err)
		err = shell_kmod->load(file, size, arg, why, len);
	kr_free(shell_self, file);
	return err;
}

static int cmd_insmod(int argc, char **argv)
{
	char why[160] = "";
	kr_err_t err;

	NEED_VFS("insmod");
	NEED_KMOD("insmod");
	if (argc != 2)
		return usage("insmod");
	err = insmod(argv[1], 0, why, sizeof(why));
	if (err)
		sh_printf("insmod: %s\n", why[0] ? why : kr_strerror(err));
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

static int cmd_modinfo(int argc, char **argv)
{
	struct kr_module_info info;
	char why[160] = "";
	void *file;
	size_t size = 0;
	kr_err_t err;

	NEED_VFS("modinfo");
	NEED_KMOD("modinfo");
	if (argc != 2)
		return usage("modinfo");
	err = read_module(argv[1], &file, &size);
	if (err)
		return sh_fail("modinfo", argv[1], err);
	err = shell_kmod->describe(file, size, &info, why, sizeof(why));
	kr_free(shell_self, file);
	if (err) {
		sh_printf("modinfo: %s: %s\n", argv[1], why[0] ? why : kr_strerror(err));
		return 1;
	}
	sh_printf("name:        %s\nversion:     %u.%u.%u\ndescription: %s\nlicense:     %s\n"
		  "author:      %s\nabi:         %u.%u\nsize:        %zu bytes\ndepends:    ",
		  info.name, KR_VERSION_MAJOR(info.version), KR_VERSION_MINOR(info.version), KR_VERSION_PATCH(info.version),
		  info.description, info.license, info.author, info.abi_major, info.abi_minor, size);
	for (uint32_t i = 0; i < info.ndeps; i++)
		sh_printf(" %s>=%u.%u.%u", info.deps[i].name, KR_VERSION_MAJOR(info.deps[i].min_version),
			  KR_VERSION_MINOR(info.deps[i].min_version), KR_VERSION_PATCH(info.deps[i].min_version));
	sh_printf("\nneeds:      ");
	for (uint32_t i = 0; i < KR_MODULE_NEEDS_MAX && info.needs[i].kind; i++)
		print_need(&info.needs[i]);
	sh_printf("\nloaded:      %s\n", loaded(info.name) ? "yes" : "no");
	return 0;
}

static int cmd_rmmod(int argc, char **argv)
{
	char why[128] = "";
	kr_err_t err;

	NEED_KMOD("rmmod");
	if (argc != 2)
		return usage("rmmod");
	err = shell_kmod->unload(argv[1], why, sizeof(why));
	if (err)
		sh_printf("rmmod: %s\n", why[0] ? why : kr_strerror(err));
	return err != KR_OK;
}

static int cmd_uptime(int argc, char **argv)
{
	uint64_t us = kr_uptime_us();

	(void)argc;
	(void)argv;
	sh_printf("up %llu.%06llu s\n", (unsigned long long)(us / 1000000),
		  (unsigned long long)(us % 1000000));
	return 0;
}

static int cmd_dmesg(int argc, char **argv)
{
	char buf[512];
	uint64_t pos = 0;
	size_t n;

	(void)argc;
	(void)argv;
	kr_err_t err;

	while ((n = kr_log_read(shell_self, shell_sys[SHELL_KLOG], &pos, buf, sizeof(buf),
				&err)) > 0)
		sh_write(buf, n);
	return err ? sh_fail("dmesg", "the kernel log", err) : 0;
}

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return sh_fail("poweroff", "power", kr_poweroff(shell_self, shell_sys[SHELL_POWER]));
}

static int cmd_reboot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return sh_fail("reboot", "power", kr_reboot(shell_self, shell_sys[SHELL_POWER]));
}

static int cmd_sh(int argc, char **argv)
{
	return argc == 2 ? shell_run_file(argv[1]) : usage("sh");
}

const struct shell_cmd shell_cmds[] = {
	{ "cat", "cat [FILE...]", "print files (none: what you type, until Ctrl-D)", cmd_cat },
	{ "caps", "caps [MODULE]", "a capability table: the shell's, or a built-in module's", cmd_caps },
	{ "cd", "cd [DIR]", "change the working directory", cmd_cd },
	{ "cp", "cp FROM TO", "copy a file", cmd_cp },
	{ "dmesg", "dmesg", "print the kernel log", cmd_dmesg },
	{ "echo", "echo [WORD...]", "print words (> FILE, >> FILE to write a file)", cmd_echo },
	{ "help", "help [CMD]", "list commands, or show one's usage", cmd_help },
	{ "hexdump", "hexdump FILE", "print a file in hex and ASCII", cmd_hexdump },
	{ "insmod", "insmod NAME|PATH", "load a module and what it needs (NAME: /lib/modules/NAME.kmod)", cmd_insmod },
	{ "ls", "ls [-l] [PATH...]", "list directories", cmd_ls },
	{ "lsmod", "lsmod [-v]", "list modules: version, size, users, state (-v: where each is loaded)", cmd_lsmod },
	{ "mem", "mem", "page and heap counts", cmd_mem },
	{ "mkdir", "mkdir [-p] DIR...", "make directories (-p: with parents)", cmd_mkdir },
	{ "modinfo", "modinfo NAME|PATH", "what a module file declares", cmd_modinfo },
	{ "mv", "mv FROM TO", "move or rename", cmd_mv },
	{ "poweroff", "poweroff", "power off (QEMU exits)", cmd_poweroff },
	{ "pwd", "pwd", "print the working directory", cmd_pwd },
	{ "reboot", "reboot", "restart the machine", cmd_reboot },
	{ "rm", "rm [-r] PATH...", "remove files (-r: directories too)", cmd_rm },
	{ "rmmod", "rmmod NAME", "unload a module", cmd_rmmod },
	{ "sh", "sh FILE", "run the commands in a file", cmd_sh },
	{ "stat", "stat PATH", "type, size, entries, last change", cmd_stat },
	{ "uptime", "uptime", "time since the kernel started", cmd_uptime },
	{ NULL, NULL, NULL, NULL },
};
