/*
 * files.c - the shell's file commands (cd, ls, cat, head, grep, wc,
 * hexdump, mkdir, rm, mv, cp, stat), all through the vfs service, and how
 * their errors are said: what a vfs error code means for the path at hand.
 * sh_prepare has refused them already when the image has no vfs.  cat,
 * head, grep and wc given no file read the piped input (A | B) instead.
 */
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/libc.h>

#include "shell.h"

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
	else if (err == KR_ERANGE)      /* <karyon/vfs.h>: past the file system's limits */
		what = "name, path or depth too long";
	if (!what)
		return sh_fail(cmd, path, err);
	sh_error("%s: %s: %s\n", cmd, path, what);
	return 1;
}

int cmd_cd(int argc, char **argv, const struct sh_opts *o)
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
		sh_error("cd: %s: not a directory\n", to);
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

int cmd_ls(int argc, char **argv, const struct sh_opts *o)
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

/* A file (path NULL: the piped input) in 4 KiB pieces to out(chunk, n,
 * offset, ctx) until out returns false; Ctrl-C stops it between pieces. */
static int each_chunk(const char *cmd, const char *path,
		      bool (*out)(const char *s, size_t n, uint64_t off, void *ctx), void *ctx)
{
	char buf[4096];
	const char *in, *at = buf;
	uint64_t off = 0;
	size_t got, inlen;
	kr_err_t err;

	sh_input(&in, &inlen);
	do {
		if (shell_interrupted())
			return 1;
		if (!path) {
			at = in + off;
			got = inlen - off < sizeof(buf) ? inlen - off : sizeof(buf);
		} else if ((err = shell_vfs->read(shell_cwd, path, off, buf, sizeof(buf), &got))) {
			return sh_file_fail(cmd, path, err);
		}
		if (!out(at, got, off, ctx))
			break;
		off += got;
	} while (got == sizeof(buf));
	return 0;
}

static bool piped_in(void)
{
	const char *text;
	size_t len;

	return sh_input(&text, &len);
}

/* Is there piped input for cmd, which was given no file?  Says what is
 * missing when there is not. */
static bool input_for(const char *cmd)
{
	if (piped_in())
		return true;
	sh_error("%s: no FILE given, and nothing piped in (CMD | %s)\n", cmd, cmd);
	return false;
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

int cmd_cat(int argc, char **argv, const struct sh_opts *o)
{
	int rc = 0;

	(void)o;
	if (argc < 2 && piped_in())
		return each_chunk("cat", NULL, cat_out, NULL);
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

int cmd_hexdump(int argc, char **argv, const struct sh_opts *o)
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

int cmd_head(int argc, char **argv, const struct sh_opts *o)
{
	uint64_t lines = 10;
	int rc = 0;

	if (o->arg) {
		const char *p = o->arg;

		for (lines = 0; *p >= '0' && *p <= '9' && lines < 1000000000; p++)
			lines = lines * 10 + (uint64_t)(*p - '0');
		if (*p || p == o->arg) {
			sh_error("head: -n %s: not a number of lines\n", o->arg);
			return sh_usage("head");
		}
	}
	if (argc < 2) {
		struct head h = { lines };

		if (!input_for("head"))
			return sh_usage("head");
		return lines ? each_chunk("head", NULL, head_out, &h) : 0;
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
kr_err_t sh_read_whole(const char *path, char **file, size_t *size)
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

/* grep's lines of one text (name: the file's, printed before each line
 * when there are several files, or NULL); how many matched. */
static uint64_t grep_text(const char *name, const char *text, size_t size, const char *pat,
			  const struct sh_opts *o)
{
	size_t plen = strlen(pat);
	uint64_t count = 0, num = 0;

	for (const char *line = text; line < text + size && !shell_interrupted(); ) {
		const char *end = line;

		while (end < text + size && *end != '\n')
			end++;
		num++;
		if (contains(line, (size_t)(end - line), pat, plen) != SH_OPT(o, 'v')) {
			count++;
			if (!SH_OPT(o, 'c'))
				sh_printf("%s%s%.0llu%s%.*s\n", name ? name : "", name ? ":" : "",
					  SH_OPT(o, 'n') ? (unsigned long long)num : 0ull,
					  SH_OPT(o, 'n') ? ":" : "", (int)(end - line), line);
		}
		line = end + 1;
	}
	if (SH_OPT(o, 'c'))
		sh_printf("%s%s%llu\n", name ? name : "", name ? ":" : "", (unsigned long long)count);
	return count;
}

/* grep: fixed strings only.  Without -F a pattern with a character that
 * means something in a regular expression is refused, not matched as
 * text: the answer would differ from grep's. */
int cmd_grep(int argc, char **argv, const struct sh_opts *o)
{
	const char *pat = argv[1], *in;
	size_t inlen;
	bool any = false;
	int rc = 0;

	if (!SH_OPT(o, 'F'))
		for (const char *p = pat; *p; p++)
			if (strchr(".[]*^$\\+?(){}|", *p)) {
				sh_error("grep: '%c' in %s: regular expressions are not supported "
					 "(grep -F matches fixed strings)\n", *p, pat);
				return 2;
			}
	if (argc < 3) {
		if (!input_for("grep"))
			return sh_usage("grep"), 2;
		sh_input(&in, &inlen);
		return grep_text(NULL, in, inlen, pat, o) ? 0 : 1;
	}
	for (int i = 2; i < argc && !shell_interrupted(); i++) {
		char *text;
		size_t size;
		kr_err_t err = sh_read_whole(argv[i], &text, &size);

		if (err) {
			rc = 2;
			sh_file_fail("grep", argv[i], err);
			continue;
		}
		any |= grep_text(argc > 3 ? argv[i] : NULL, text, size, pat, o) > 0;
		kr_free(shell_self, text);
	}
	return rc ? rc : !any;
}

/* wc: lines, words (runs of non-blanks) and bytes, as they come in pieces. */
struct wc { uint64_t n[3]; bool in_word; };

static bool wc_out(const char *s, size_t n, uint64_t off, void *ctx)
{
	struct wc *w = ctx;

	(void)off;
	for (size_t i = 0; i < n; i++) {
		bool blank = s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r');

		w->n[0] += s[i] == '\n';
		w->n[1] += !blank && !w->in_word;
		w->in_word = !blank;
	}
	w->n[2] += n;
	return true;
}

/* The counts -l, -w, -c ask for (all three without any), then the name. */
static void wc_print(const struct wc *w, const char *name, const struct sh_opts *o)
{
	static const char which[] = "lwc";
	bool all = !SH_OPT(o, 'l') && !SH_OPT(o, 'w') && !SH_OPT(o, 'c'), first = true;

	for (int k = 0; k < 3; k++)
		if (all || SH_OPT(o, which[k])) {
			sh_printf("%s%llu", first ? "" : " ", (unsigned long long)w->n[k]);
			first = false;
		}
	sh_printf("%s%s\n", name ? " " : "", name ? name : "");
}

int cmd_wc(int argc, char **argv, const struct sh_opts *o)
{
	struct wc total = { 0 };
	int rc = 0;

	if (argc < 2) {
		struct wc w = { 0 };

		if (!input_for("wc"))
			return sh_usage("wc");
		rc = each_chunk("wc", NULL, wc_out, &w);
		if (!rc)
			wc_print(&w, NULL, o);
		return rc;
	}
	for (int i = 1; i < argc && !shell_interrupted(); i++) {
		struct wc w = { 0 };

		if (each_chunk("wc", argv[i], wc_out, &w)) {
			rc = 1;
			continue;
		}
		wc_print(&w, argv[i], o);
		for (int k = 0; k < 3; k++)
			total.n[k] += w.n[k];
	}
	if (argc > 2 && !shell_interrupted())
		wc_print(&total, "total", o);
	return rc;
}

int cmd_mkdir(int argc, char **argv, const struct sh_opts *o)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		kr_err_t err = shell_vfs->mkdir(shell_cwd, argv[i], SH_OPT(o, 'p'));

		if (err)
			rc = sh_file_fail("mkdir", argv[i], err);
	}
	return rc;
}

int cmd_rm(int argc, char **argv, const struct sh_opts *o)
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

int cmd_mv(int argc, char **argv, const struct sh_opts *o)
{
	char from[SHELL_PATH_MAX], to[SHELL_PATH_MAX];
	kr_err_t err;

	(void)argc;
	(void)o;
	if (!shell_vfs->normalize(shell_cwd, argv[1], from, sizeof(from)) &&
	    !shell_vfs->normalize(shell_cwd, argv[2], to, sizeof(to)) && inside(from, to)) {
		sh_error("mv: %s: cannot move a directory into itself (%s)\n", argv[1], argv[2]);
		return 1;
	}
	err = shell_vfs->rename(shell_cwd, argv[1], argv[2]);
	return err ? sh_file_fail("mv", blame(argv[1], argv[2], err), err) : 0;
}

int cmd_cp(int argc, char **argv, const struct sh_opts *o)
{
	kr_err_t err;

	(void)argc;
	(void)o;
	err = shell_vfs->copy(shell_cwd, argv[1], argv[2]);
	return err ? sh_file_fail("cp", blame(argv[1], argv[2], err), err) : 0;
}

int cmd_stat(int argc, char **argv, const struct sh_opts *o)
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
