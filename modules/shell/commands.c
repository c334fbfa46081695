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
#include <karyon/log.h>

#include "shell.h"

#define NO_FS "no file system in this image"
#define NEED_KMOD(cmd) do { if (!shell_kmod) return sh_fail(cmd, "no module loader", KR_ENOSYS); } while (0)

static bool strchr_slash(const char *s)
{
	for (; *s; s++)
		if (*s == '/')
			return true;
	return false;
}

static const struct shell_cmd *find(const char *name)
{
	for (const struct shell_cmd *c = shell_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int usage(const char *name)
{
	const struct shell_cmd *c = find(name);

	if (c)
		sh_printf("usage: %s\n", c->usage);
	return 1;
}

/* What it takes, for "unknown option" messages: "-l", "-n N -v", "none". */
static void takes(const char *spec, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (; *spec && n + 8 < len; spec++) {
		if (*spec == ':')
			continue;
		n += ksnprintf(out + n, len - n, "%s-%c%s", n ? " " : "", *spec,
			       spec[1] == ':' ? " VALUE" : "");
	}
	if (!n)
		ksnprintf(out, len, "no options");
}

int sh_prepare(const struct shell_cmd *c, int *argc, char **argv, struct sh_opts *o)
{
	int i = 1, n = 1;
	char what[48];

	*o = (struct sh_opts){ 0 };
	if (c->flags & SH_FILES && !shell_vfs) {
		sh_printf("%s: %s\n", c->name, NO_FS);
		return 1;
	}
	if (!(c->flags & SH_RAW)) {
		for (; i < *argc && argv[i][0] == '-' && argv[i][1]; i++) {
			const char *a = argv[i] + 1;

			if (!strcmp(argv[i], "--")) {
				i++;
				break;
			}
			for (; *a; a++) {
				const char *at = strchr(c->opts, *a);
				bool letter = (*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z');

				if (!letter || !at) {
					takes(c->opts, what, sizeof(what));
					sh_printf("%s: -%c: unknown option (%s takes %s)\n", c->name, *a,
						  c->name, what);
					return usage(c->name);
				}
				o->set |= 1ull << sh_opt_bit(*a);
				if (at[1] != ':')
					continue;
				if (a[1]) {             /* -n5 */
					o->arg = a + 1;
				} else if (i + 1 < *argc) {     /* -n 5 */
					o->arg = argv[++i];
				} else {
					sh_printf("%s: -%c: needs a value\n", c->name, *a);
					return usage(c->name);
				}
				break;
			}
		}
	}
	for (; i < *argc; i++)
		argv[n++] = argv[i];
	argv[n] = NULL;
	*argc = n;
	if (n - 1 < c->min || (c->max != 255 && n - 1 > c->max)) {
		sh_printf("%s: %s\n", c->name, n - 1 < c->min ? "missing argument" :
			  c->max ? "too many arguments" : "takes no arguments");
		return usage(c->name);
	}
	return 0;
}

/* Is some directory on the way to path a file?  Then path's error is "not
 * a directory", not "no such entry". */
static bool through_file(const char *path)
{
	char full[SHELL_PATH_MAX];
	struct kr_vfs_stat st;

	if (shell_vfs->normalize(shell_cwd, path, full, sizeof(full)))
		return false;
	for (char *p = full + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		bool file = !shell_vfs->stat(NULL, full, &st) && st.type == KR_VFS_FILE;

		*p = '/';
		if (file)
			return true;
	}
	return false;
}

int sh_file_fail(const char *cmd, const char *path, kr_err_t err)
{
	struct kr_vfs_stat st;
	bool got = shell_vfs && !shell_vfs->stat(shell_cwd, path, &st);
	const char *what = NULL;

	if (err == KR_EINVAL && got && st.type == KR_VFS_DIR)
		what = "is a directory";
	else if (err == KR_ENOENT && shell_vfs && through_file(path))
		what = "not a directory";
	else if (err == KR_EBUSY && got && st.type == KR_VFS_DIR && st.entries)
		what = "directory not empty";
	if (!what)
		return sh_fail(cmd, path, err);
	sh_printf("%s: %s: %s\n", cmd, path, what);
	return 1;
}

static int cmd_help(int argc, char **argv, const struct sh_opts *o)
{
	const struct shell_cmd *c = argc == 2 ? find(argv[1]) : NULL;

	(void)o;
	if (argc == 2 && c) {
		sh_printf("usage: %s\n%s\n", c->usage, c->help);
		if (c->flags & SH_FILES && !shell_vfs)
			sh_printf("(%s: this command needs one)\n", NO_FS);
		return 0;
	}
	if (argc == 2)
		return shell_help_added_one(argv[1]) ? sh_fail("help", argv[1], KR_ENOENT) : 0;
	for (c = shell_cmds; c->name; c++)
		if (!(c->flags & SH_FILES) || shell_vfs)
			sh_printf("%-8s %s\n", c->name, c->help);
	shell_help_added();
	if (!shell_vfs)
		sh_printf("(file commands are left out: %s)\n", NO_FS);
	return 0;
}

static int cmd_echo(int argc, char **argv, const struct sh_opts *o)
{
	(void)o;
	for (int i = 1; i < argc; i++)
		sh_printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	sh_printf("\n");
	return 0;
}

static int cmd_pwd(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)argv;
	(void)o;
	sh_printf("%s\n", shell_cwd);
	return 0;
}

static int cmd_cd(int argc, char **argv, const struct sh_opts *o)
{
	char path[SHELL_PATH_MAX];
	struct kr_vfs_stat st;
	const char *to = argc == 2 ? argv[1] : "/";
	kr_err_t err;

	(void)o;
	err = shell_vfs->normalize(shell_cwd, to, path, sizeof(path));
	if (!err)
		err = shell_vfs->stat(NULL, path, &st);
	if (err)
		return sh_file_fail("cd", to, err);
	if (st.type != KR_VFS_DIR) {
		sh_printf("cd: %s: not a directory\n", to);
		return 1;
	}
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
	return shell_interrupted() ? KR_EALREADY : KR_OK;
}

static int cmd_ls(int argc, char **argv, const struct sh_opts *o)
{
	bool longf = SH_OPT(o, 'l');
	int rc = 0;

	if (argc == 1)
		argv[argc++] = ".";     /* argv has room: it is NULL-terminated */
	for (int i = 1; i < argc && !shell_interrupted(); i++) {
		kr_err_t err;

		if (argc > 2)
			sh_printf("%s:\n", argv[i]);
		err = shell_vfs->list(shell_cwd, argv[i], ls_entry, &longf);
		if (err && err != KR_EALREADY)
			rc = sh_file_fail("ls", argv[i], err);
	}
	return rc;
}

/* Each file in 4 KiB pieces to out(chunk, n, offset, ctx) until out
 * returns false; Ctrl-C stops it between pieces. */
static int each_chunk(const char *cmd, const char *path,
		      bool (*out)(const char *s, size_t n, uint64_t off, void *ctx), void *ctx)
{
	char buf[4096];
	uint64_t off = 0;
	size_t got;
	kr_err_t err;

	do {
		if (shell_interrupted())
			return 1;
		err = shell_vfs->read(shell_cwd, path, off, buf, sizeof(buf), &got);
		if (err)
			return sh_file_fail(cmd, path, err);
		if (!out(buf, got, off, ctx))
			break;
		off += got;
	} while (got == sizeof(buf));
	return 0;
}

static bool cat_out(const char *s, size_t n, uint64_t off, void *ctx)
{
	(void)off;
	(void)ctx;
	sh_write(s, n);
	return true;
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

static int cmd_cat(int argc, char **argv, const struct sh_opts *o)
{
	int rc = 0;

	(void)o;
	if (argc < 2)
		return cat_console();
	for (int i = 1; i < argc && !shell_interrupted(); i++)
		rc |= each_chunk("cat", argv[i], cat_out, NULL);
	return rc;
}

static bool hex_out(const char *s, size_t n, uint64_t off, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < n; i += 16) {
		char hex[16 * 3 + 1] = "", asc[17] = "";

		for (size_t j = 0; j < 16; j++) {
			unsigned char c = i + j < n ? (unsigned char)s[i + j] : 0;

			ksnprintf(hex + 3 * j, 4, i + j < n ? "%02x " : "   ", c);
			asc[j] = i + j >= n ? ' ' : c >= 32 && c < 127 ? (char)c : '.';
		}
		sh_printf("%08llx  %s |%s|\n", (unsigned long long)(off + i), hex, asc);
	}
	return true;
}

static int cmd_hexdump(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)o;
	return each_chunk("hexdump", argv[1], hex_out, NULL);
}

/* head: the first lines of a file, as they come in pieces. */
struct head { uint64_t left; };

static bool head_out(const char *s, size_t n, uint64_t off, void *ctx)
{
	struct head *h = ctx;
	size_t i = 0;

	(void)off;
	while (i < n && h->left)
		if (s[i++] == '\n')
			h->left--;
	sh_write(s, i);
	return h->left != 0;
}

static int cmd_head(int argc, char **argv, const struct sh_opts *o)
{
	uint64_t lines = 10;
	int rc = 0;

	if (o->arg) {
		const char *p = o->arg;

		for (lines = 0; *p >= '0' && *p <= '9' && lines < 1000000000; p++)
			lines = lines * 10 + (uint64_t)(*p - '0');
		if (*p || p == o->arg) {
			sh_printf("head: -n %s: not a number of lines\n", o->arg);
			return usage("head");
		}
	}
	for (int i = 1; i < argc && !shell_interrupted(); i++) {
		struct head h = { lines };

		if (argc > 2)
			sh_printf("%s==> %s <==\n", i > 1 ? "\n" : "", argv[i]);
		if (lines)
			rc |= each_chunk("head", argv[i], head_out, &h);
	}
	return rc;
}

/* A whole file into the shell's heap (NUL-terminated); the caller frees it. */
static kr_err_t read_whole(const char *path, char **file, size_t *size)
{
	struct kr_vfs_stat st;
	kr_err_t err = shell_vfs->stat(shell_cwd, path, &st);

	if (!err && st.type != KR_VFS_FILE)
		err = KR_EINVAL;
	if (err)
		return err;
	*file = kr_malloc(shell_self, st.size + 1);
	if (!*file)
		return KR_ENOMEM;
	*size = 0;
	err = shell_vfs->read(shell_cwd, path, 0, *file, st.size, size);
	if (err)
		kr_free(shell_self, *file);
	else
		(*file)[*size] = '\0';
	return err;
}

static bool contains(const char *line, size_t n, const char *s, size_t sn)
{
	for (size_t i = 0; i + sn <= n; i++)
		if (!memcmp(line + i, s, sn))
			return true;
	return false;
}

/* grep: fixed strings only.  Without -F a pattern with a character that
 * means something in a regular expression is refused, not matched as
 * text: the answer would differ from grep's. */
static int cmd_grep(int argc, char **argv, const struct sh_opts *o)
{
	const char *pat = argv[1];
	size_t plen = strlen(pat);
	bool any = false;
	int rc = 0;

	if (!SH_OPT(o, 'F'))
		for (const char *p = pat; *p; p++)
			if (strchr(".[]*^$\\+?(){}|", *p)) {
				sh_printf("grep: '%c' in %s: regular expressions are not supported "
					  "(grep -F matches fixed strings)\n", *p, pat);
				return 2;
			}
	for (int i = 2; i < argc && !shell_interrupted(); i++) {
		char *text, *line;
		size_t size;
		uint64_t count = 0, num = 0;
		kr_err_t err = read_whole(argv[i], &text, &size);

		if (err) {
			rc = 2;
			sh_file_fail("grep", argv[i], err);
			continue;
		}
		for (line = text; line < text + size && !shell_interrupted(); ) {
			char *end = line;

			while (end < text + size && *end != '\n')
				end++;
			num++;
			if (contains(line, (size_t)(end - line), pat, plen) != SH_OPT(o, 'v')) {
				count++;
				if (!SH_OPT(o, 'c'))
					sh_printf("%s%s%.0llu%s%.*s\n", argc > 3 ? argv[i] : "",
						  argc > 3 ? ":" : "", SH_OPT(o, 'n') ? (unsigned long long)num : 0ull,
						  SH_OPT(o, 'n') ? ":" : "", (int)(end - line), line);
			}
			line = end + 1;
		}
		if (SH_OPT(o, 'c'))
			sh_printf("%s%s%llu\n", argc > 3 ? argv[i] : "", argc > 3 ? ":" : "",
				  (unsigned long long)count);
		any |= count > 0;
		kr_free(shell_self, text);
	}
	return rc ? rc : !any;
}

static int cmd_mkdir(int argc, char **argv, const struct sh_opts *o)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		kr_err_t err = shell_vfs->mkdir(shell_cwd, argv[i], SH_OPT(o, 'p'));

		if (err)
			rc = sh_file_fail("mkdir", argv[i], err);
	}
	return rc;
}

static int cmd_rm(int argc, char **argv, const struct sh_opts *o)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		kr_err_t err = shell_vfs->remove(shell_cwd, argv[i], SH_OPT(o, 'r'));

		if (err)
			rc = sh_file_fail("rm", argv[i], err);
	}
	return rc;
}

/* Is path b inside directory a (both normalised)? */
static bool inside(const char *a, const char *b)
{
	size_t n = strlen(a);

	return !strncmp(a, b, n) && (b[n] == '/' || (n == 1 && a[0] == '/'));
}

/* Which path of a failed copy or move to name: the source if it is
 * missing or a directory (cp), else the target (whose directory is
 * missing, or which exists). */
static const char *blame(const char *from, const char *to, kr_err_t err)
{
	struct kr_vfs_stat st;

	if (shell_vfs->stat(shell_cwd, from, &st) || (err == KR_EINVAL && st.type == KR_VFS_DIR))
		return from;
	return to;
}

static int cmd_mv(int argc, char **argv, const struct sh_opts *o)
{
	char from[SHELL_PATH_MAX], to[SHELL_PATH_MAX];
	kr_err_t err;

	(void)argc;
	(void)o;
	if (!shell_vfs->normalize(shell_cwd, argv[1], from, sizeof(from)) &&
	    !shell_vfs->normalize(shell_cwd, argv[2], to, sizeof(to)) && inside(from, to)) {
		sh_printf("mv: %s: cannot move a directory into itself (%s)\n", argv[1], argv[2]);
		return 1;
	}
	err = shell_vfs->rename(shell_cwd, argv[1], argv[2]);
	return err ? sh_file_fail("mv", blame(argv[1], argv[2], err), err) : 0;
}

static int cmd_cp(int argc, char **argv, const struct sh_opts *o)
{
	kr_err_t err;

	(void)argc;
	(void)o;
	err = shell_vfs->copy(shell_cwd, argv[1], argv[2]);
	return err ? sh_file_fail("cp", blame(argv[1], argv[2], err), err) : 0;
}

static int cmd_stat(int argc, char **argv, const struct sh_opts *o)
{
	struct kr_vfs_stat st;
	kr_err_t err;

	(void)argc;
	(void)o;
	err = shell_vfs->stat(shell_cwd, argv[1], &st);
	if (err)
		return sh_file_fail("stat", argv[1], err);
	sh_printf("%s: %s, %llu bytes, %u entries, changed at tick %llu\n", argv[1],
		  st.type == KR_VFS_DIR ? "directory" : "file", (unsigned long long)st.size,
		  st.entries, (unsigned long long)st.mtime);
	return 0;
}

static int cmd_mem(int argc, char **argv, const struct sh_opts *o)
{
	struct kr_mem_stats st;

	(void)argc;
	(void)argv;
	(void)o;
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
static int cmd_caps(int argc, char **argv, const struct sh_opts *o)
{
	const struct kr_module_info *info;
	kr_cap_t view = KR_CAP_NULL;
	bool running;
	kr_err_t err;

	(void)o;
	if (argc == 2) {
		int i = builtin_index(argv[1], &info);

		if (i < 0 && loaded(argv[1], NULL)) {
			sh_printf("caps: %s: a loaded module; caps shows the tables of built-in "
				  "modules only\n", argv[1]);
			return 1;
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

static int cmd_lsmod(int argc, char **argv, const struct sh_opts *o)
{
	static const char *const states[] = { "?", "loading", "live", "unloading" };
	struct kr_kmod_entry e;

	(void)argc;
	(void)argv;
	(void)o;
	NEED_KMOD("lsmod");
	sh_printf("%-16s %-8s %8s %5s  %-9s %s\n", "name", "version", "size", "users", "state", "used by");
	for (uint32_t i = 0; shell_kmod->get(i, &e) == KR_OK; i++)
		sh_printf("%-16s %u.%u.%-4u %8llu %5u  %-9s %s\n", e.name, KR_VERSION_MAJOR(e.module_version),
			  KR_VERSION_MINOR(e.module_version), KR_VERSION_PATCH(e.module_version),
			  (unsigned long long)e.size, e.users,
			  e.builtin ? "built-in" : states[e.state <= 3 ? e.state : 0], e.used_by);
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
	err = read_whole(path, file, size);
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

static int cmd_insmod(int argc, char **argv, const struct sh_opts *o)
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
static int cmd_modinfo(int argc, char **argv, const struct sh_opts *o)
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
		print_info(bi);
		print_deps_needs(bi);
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
		sh_printf("modinfo: %s: not a running module, and %s\n", argv[1], NO_FS);
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

static int cmd_rmmod(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)o;
	NEED_KMOD("rmmod");
	return rmmod("rmmod", argv[1]);
}

static int cmd_uptime(int argc, char **argv, const struct sh_opts *o)
{
	uint64_t us = kr_uptime_us();

	(void)argc;
	(void)argv;
	(void)o;
	sh_printf("up %llu.%06llu s\n", (unsigned long long)(us / 1000000),
		  (unsigned long long)(us % 1000000));
	return 0;
}

/* dmesg: the log with each line's time, as Linux shows it ("[   0.012345] "),
 * out of the stamps the core leaves in the ring (KR_LOG_STAMP). */
struct stamp {
	int digits;             /* -1: in a line's text; else hex digits read */
	uint64_t us;
};

static void dmesg_out(struct stamp *st, const char *buf, size_t n)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		char c = buf[i];

		if (st->digits < 0 && c != KR_LOG_STAMP)
			continue;
		sh_write(buf + from, i - from);
		from = i + 1;
		if (c == KR_LOG_STAMP) {
			*st = (struct stamp){ 0, 0 };
			continue;
		}
		st->us = st->us << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
		if (++st->digits == KR_LOG_STAMP_DIGITS) {
			sh_printf("[%4llu.%06llu] ", (unsigned long long)(st->us / 1000000),
				  (unsigned long long)(st->us % 1000000));
			st->digits = -1;
		}
	}
	if (st->digits < 0)
		sh_write(buf + from, n - from);
}

static int cmd_dmesg(int argc, char **argv, const struct sh_opts *o)
{
	char buf[512];
	uint64_t pos = 0;
	size_t n;
	kr_err_t err;
	struct stamp st = { -1, 0 };

	(void)argc;
	(void)argv;
	(void)o;
	while ((n = kr_log_read(shell_self, shell_sys[SHELL_KLOG], &pos, buf, sizeof(buf),
				&err)) > 0 && !shell_interrupted())
		dmesg_out(&st, buf, n);
	return err ? sh_fail("dmesg", "the kernel log", err) : 0;
}

static int cmd_poweroff(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)argv;
	(void)o;
	return sh_fail("poweroff", "power", kr_poweroff(shell_self, shell_sys[SHELL_POWER]));
}

static int cmd_reboot(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)argv;
	(void)o;
	return sh_fail("reboot", "power", kr_reboot(shell_self, shell_sys[SHELL_POWER]));
}

static int cmd_sh(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)o;
	return shell_run_file(argv[1]);
}

static int cmd_clear(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)argv;
	(void)o;
	sh_printf("\x1b[H\x1b[2J");     /* cursor home, erase the screen (VT100) */
	return 0;
}

static int cmd_history(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)argv;
	(void)o;
	shell_history();
	return 0;
}

static int cmd_exit(int argc, char **argv, const struct sh_opts *o)
{
	(void)argc;
	(void)argv;
	(void)o;
	if (shell_exit())
		return 0;
	sh_printf("exit: this is the console's only shell, so it stays; exit leaves a script "
		  "(sh FILE); to stop the machine: poweroff or reboot\n");
	return 1;
}

#define ANY 255
const struct shell_cmd shell_cmds[] = {
	{ "cat", "cat [FILE...]", "print files (none: what you type, until Ctrl-D)", cmd_cat, "", 0, ANY, SH_FILES },
	{ "caps", "caps [MODULE]", "a capability table: the shell's, or a built-in module's", cmd_caps, "", 0, 1, 0 },
	{ "cd", "cd [DIR]", "change the working directory", cmd_cd, "", 0, 1, SH_FILES },
	{ "clear", "clear", "clear the screen", cmd_clear, "", 0, 0, 0 },
	{ "cp", "cp FROM TO", "copy a file", cmd_cp, "", 2, 2, SH_FILES },
	{ "dmesg", "dmesg", "print the kernel log, each line with its time in seconds", cmd_dmesg, "", 0, 0, 0 },
	{ "echo", "echo [WORD...]", "print words (> FILE, >> FILE to write a file)", cmd_echo, "", 0, ANY, SH_RAW },
	{ "exit", "exit", "leave the script being run (sh FILE)", cmd_exit, "", 0, 0, 0 },
	{ "grep", "grep [-F] [-n] [-v] [-c] STRING FILE...",
	  "print lines holding STRING (fixed strings; -n numbers, -v others, -c counts)", cmd_grep, "Fnvc", 2, ANY, SH_FILES },
	{ "head", "head [-n N] FILE...", "print the first N lines (10) of files", cmd_head, "n:", 1, ANY, SH_FILES },
	{ "help", "help [CMD]", "list commands, or show one's usage", cmd_help, "", 0, 1, 0 },
	{ "hexdump", "hexdump FILE", "print a file in hex and ASCII", cmd_hexdump, "", 1, 1, SH_FILES },
	{ "history", "history", "the lines entered, oldest first (Up and Down recall them)", cmd_history, "", 0, 0, 0 },
	{ "insmod", "insmod NAME|PATH", "load a module and what it needs (NAME: /lib/modules/NAME.kmod)", cmd_insmod, "", 1, 1, SH_FILES },
	{ "ls", "ls [-l] [PATH...]", "list directories", cmd_ls, "l", 0, ANY, SH_FILES },
	{ "lsmod", "lsmod", "list modules: version, size, users, state", cmd_lsmod, "", 0, 0, 0 },
	{ "mem", "mem", "page and heap counts", cmd_mem, "", 0, 0, 0 },
	{ "mkdir", "mkdir [-p] DIR...", "make directories (-p: with parents)", cmd_mkdir, "p", 1, ANY, SH_FILES },
	{ "modinfo", "modinfo NAME|PATH", "what a module declares (a file, or a module lsmod lists)", cmd_modinfo, "", 1, 1, 0 },
	{ "modprobe", "modprobe [-r] NAME|PATH", "insmod (with dependencies); -r: rmmod", cmd_insmod, "r", 1, 1, SH_FILES },
	{ "mv", "mv FROM TO", "move or rename", cmd_mv, "", 2, 2, SH_FILES },
	{ "poweroff", "poweroff", "power off (QEMU exits)", cmd_poweroff, "", 0, 0, 0 },
	{ "pwd", "pwd", "print the working directory", cmd_pwd, "", 0, 0, 0 },
	{ "reboot", "reboot", "restart the machine", cmd_reboot, "", 0, 0, 0 },
	{ "rm", "rm [-r] PATH...", "remove files (-r: directories too)", cmd_rm, "r", 1, ANY, SH_FILES },
	{ "rmmod", "rmmod NAME", "unload a module", cmd_rmmod, "", 1, 1, 0 },
	{ "sh", "sh FILE", "run the commands in a file (Ctrl-C stops it)", cmd_sh, "", 1, 1, SH_FILES },
	{ "stat", "stat PATH", "type, size, entries, last change", cmd_stat, "", 1, 1, SH_FILES },
	{ "uptime", "uptime", "time since the kernel started", cmd_uptime, "", 0, 0, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0 },
};
