/*
 * complete.c - Tab completion for the shell's line editor (lineedit.h's
 * complete hook): command names for the first word and after `help`,
 * module names after the module commands, handler names after `run` and
 * `unload`, else paths in the vfs.
 */
#include <karyon/clog.h>
#include <karyon/kmod.h>
#include <karyon/libc.h>
#include <karyon/vfs.h>
#include "lineedit.h"
#include "shell.h"

static const char *cands[LE_COMPLETE_MAX];
static char cand_buf[LE_COMPLETE_MAX][80];
static size_t ncands;
static char cword[SHELL_PATH_MAX];

/* Just past the last '/' of s, or s. */
static const char *strrchr_slash(const char *s)
{
	const char *b = s;

	for (; *s; s++)
		if (*s == '/')
			b = s + 1;
	return b;
}

/* A candidate that starts with the word (once; copied when it must be). */
static void add_cand(const char *name, size_t n, bool copy)
{
	if (ncands == LE_COMPLETE_MAX || strncmp(name, cword, strlen(cword)) ||
	    n >= sizeof(cand_buf[0]))
		return;
	for (size_t i = 0; i < ncands; i++)
		if (!strncmp(cands[i], name, n) && !cands[i][n])
			return;
	if (copy) {
		memcpy(cand_buf[ncands], name, n);
		cand_buf[ncands][n] = '\0';
		name = cand_buf[ncands];
	}
	cands[ncands++] = name;
}

static kr_err_t add_path(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	const char *base = strrchr_slash(cword);
	size_t blen = strlen(base);

	(void)ctx;

	if (ncands < LE_COMPLETE_MAX && !strncmp(name, base, blen)) {
		ksnprintf(cand_buf[ncands], sizeof(cand_buf[0]), "%.*s%s%s",
			  (int)(base - cword), cword, name, st->type == KR_VFS_DIR ? "/" : "");
		cands[ncands] = cand_buf[ncands];
		ncands++;
	}
	return KR_OK;
}

/* NAME.kmod in /lib/modules: NAME. */
static kr_err_t add_module_file(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	size_t n = strlen(name);

	(void)ctx;
	if (st->type == KR_VFS_FILE && n > 5 && !strcmp(name + n - 5, ".kmod"))
		add_cand(name, n - 5, true);
	return KR_OK;
}

static void add_commands(void)
{
	for (const struct shell_cmd *c = shell_cmds; c->name; c++)
		if (!(c->flags & SH_FILES) || shell_vfs)
			add_cand(c->name, strlen(c->name), false);
	for (int i = 0; i < SHELL_ADDED_MAX; i++)
		if (shell_added[i].cmd)
			add_cand(shell_added[i].cmd->name, strlen(shell_added[i].cmd->name), false);
}

static void add_loaded(void)
{
	struct kr_kmod_entry e;

	for (uint32_t i = 0; shell_kmod && shell_kmod->get(i, &e) == KR_OK; i++)
		add_cand(e.name, strnlen(e.name, sizeof(e.name)), true);
}

static kr_err_t add_item(void *ctx, const char *name, const uint8_t digest[32])
{
	(void)ctx;
	(void)digest;
	add_cand(name, strlen(name), true);
	return KR_OK;
}

/* Compiled handlers: the tcc module's "state.tcc" lists them (its items
 * are the handlers, <karyon/clog.h>); opened at the first Tab that needs
 * it, since tcc starts after the shell. */
static void add_handlers(void)
{
	static const struct kr_state_ops *tcc;
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (!tcc && kr_service_open(shell_self, "state.tcc", KR_STATE_SERVICE_VERSION, &c) == KR_OK &&
	    kr_service_ops(shell_self, c, &h) == KR_OK && h->size >= sizeof(*tcc))
		tcc = (const struct kr_state_ops *)h;
	if (tcc)
		tcc->items(NULL, add_item, NULL);
}

static bool word_is(const char *w, size_t n, const char *a, const char *b)
{
	return (strlen(a) == n && !strncmp(w, a, n)) || (b && strlen(b) == n && !strncmp(w, b, n));
}

size_t shell_complete(void *ctx, const char *line, size_t start, size_t cursor,
		      const char **out, size_t max)
{
	char dir[SHELL_PATH_MAX];
	size_t n = cursor - start, first = 0, cmdlen = 0;
	const char *cmd;
	bool bare;

	(void)ctx;
	ncands = 0;
	while (first < start && line[first] == ' ')
		first++;
	if (n >= sizeof(cword))
		return 0;
	memcpy(cword, line + start, n);
	cword[n] = '\0';
	cmd = line + first;
	while (first + cmdlen < start && cmd[cmdlen] != ' ')
		cmdlen++;
	bare = strrchr_slash(cword) == cword;   /* no '/': a name, not a path */
	if (first == start || word_is(cmd, cmdlen, "help", NULL)) {
		add_commands();
	} else if (bare && word_is(cmd, cmdlen, "insmod", "modprobe")) {
		if (shell_vfs)
			shell_vfs->list(NULL, "/lib/modules", add_module_file, NULL);
	} else if (bare && word_is(cmd, cmdlen, "rmmod", "caps")) {
		add_loaded();
	} else if (bare && word_is(cmd, cmdlen, "run", "unload")) {
		add_handlers();
	} else if (bare && word_is(cmd, cmdlen, "modinfo", NULL)) {
		add_loaded();
		if (shell_vfs)
			shell_vfs->list(NULL, "/lib/modules", add_module_file, NULL);
	} else if (shell_vfs) {
		size_t dlen = (size_t)(strrchr_slash(cword) - cword);

		ksnprintf(dir, sizeof(dir), "%.*s", (int)dlen, dlen ? cword : ".");
		shell_vfs->list(shell_cwd, dir, add_path, NULL);
	}
	for (size_t i = 0; i < ncands && i < max; i++)
		out[i] = cands[i];
	return ncands < max ? ncands : max;
}
