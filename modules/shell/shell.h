/*
 * shell.h - what the shell's parts share (shell.c runs lines, commands.c
 * implements the commands).
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <karyon/kmod.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>

#include "lineedit.h"

#define SHELL_PATH_MAX 1024

/* A command's options, parsed for it before it runs (sh_prepare): one
 * parser, so every command refuses an unknown option the same way. */
struct sh_opts {
	uint64_t set;           /* bit sh_opt_bit(c) for each option c given */
	const char *arg;        /* the value of the option marked ':' in the spec */
};

static inline unsigned sh_opt_bit(char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned)(c - 'a') : (unsigned)(c - 'A') + 26;
}
#define SH_OPT(o, c) (((o)->set >> sh_opt_bit(c)) & 1)

enum {
	SH_RAW = 1,             /* no option parsing: every word is an argument (echo) */
	SH_FILES = 2,           /* works on files: needs the vfs */
};

struct shell_cmd {
	const char *name, *usage, *help;
	/* argv[0] is the name, argv[1..argc) the arguments after the options. */
	int (*run)(int argc, char **argv, const struct sh_opts *o);      /* 0: success */
	const char *opts;       /* option letters it takes; "n:" takes a value */
	unsigned char min, max; /* how many arguments (max 255: any number) */
	unsigned char flags;    /* SH_RAW, SH_FILES */
};

extern const struct shell_cmd shell_cmds[];
/* Commands modules added (shell.c), by owner: a free slot has cmd NULL. */
#define SHELL_ADDED_MAX 32
struct shell_added {
	uint32_t owner;
	const struct kr_shell_command *cmd;
};
extern struct shell_added shell_added[SHELL_ADDED_MAX];

/* Live replacement (live.c, <karyon/live.h>): what a version hands the
 * next (shell.c fills and takes it).  from: the version that saved it,
 * whose console claim the next one takes. */
struct shell_handover {
	kr_domain_t *from;
	char cwd[SHELL_PATH_MAX];
	struct shell_added added[SHELL_ADDED_MAX];
	char pending[256];              /* typed ahead, read by a Ctrl-C check */
	uint32_t npending, pending_at;
	char hist[LE_HIST_BYTES];       /* the line editor's history */
	uint64_t hist_used, hist_n;
};
void shell_save(struct shell_handover *h);
/* In a new version instead of init, or back in the old one (a rollback):
 * take h, the console and the commands' owners' watches; start the
 * shell's task once the other version's has ended.  KR_EFORMAT for a
 * malformed h, nothing taken. */
kr_err_t shell_restore(kr_domain_t *self, const struct shell_handover *h);
/* The old version's task ends after the line it runs (true), or stays. */
void shell_retire(bool on);
const struct kr_ops_header *shell_ops_table(void);
/* live.c: publish "live.shell". */
kr_err_t shell_live_publish(kr_domain_t *self);
/* Tab completion (complete.c): lineedit.h's complete hook. */
size_t shell_complete(void *ctx, const char *line, size_t start, size_t cursor,
		      const char **out, size_t max);
extern const struct kr_vfs_ops *shell_vfs;         /* NULL without the vfs module */
extern const struct kr_kmod_ops *shell_kmod;       /* NULL without kmod */
extern kr_domain_t *shell_self;
/* The facilities the shell's descriptor asks for, in its .needs order. */
enum { SHELL_POWER, SHELL_KLOG };
extern kr_cap_t shell_sys[2];
extern char shell_cwd[SHELL_PATH_MAX];

/* A command's output: to the console, or captured for a redirection or
 * for the next command of a pipeline. */
void sh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sh_write(const char *s, size_t n);
/* A message about a failure: to the console even when the output is
 * captured (sh's standard error), so a file or the next command of a
 * pipeline never takes it for output. */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The text piped into the running command (its length, not NUL-
 * terminated): true in A | THIS, false when nothing is piped in. */
bool sh_input(const char **text, size_t *len);
/* One byte of console input (0 or 1 read): what a command's Ctrl-C check
 * read ahead first, then the console. */
size_t shell_console_read(char *c);
void shell_wait(void);                /* sleep until input may be there */
/* "NAME: what: error" for a failed call (sh_error); returns 1 so commands
 * can return it. */
int sh_fail(const char *cmd, const char *what, kr_err_t err);
int shell_run_file(const char *path);
void shell_help_added(void);             /* help lines of commands modules added */
/* help CMD for a command a module added: 0 if there is one. */
int shell_help_added_one(const char *name);
/* Check c's options and argument count in argc/argv (printing what was
 * wrong, then the usage) and leave only its arguments after argv[0]. */
int sh_prepare(const struct shell_cmd *c, int *argc, char **argv, struct sh_opts *o);
#define SH_NO_FS "no file system in this image"
/* "usage: ..." of a built-in command; returns 1. */
int sh_usage(const char *name);
/* A whole file into the shell's heap (NUL-terminated); the caller frees it. */
kr_err_t sh_read_whole(const char *path, char **file, size_t *size);
/* The commands of files.c and modcmds.c, for the table in commands.c. */
#define SH_CMD(name) int name(int argc, char **argv, const struct sh_opts *o)
SH_CMD(cmd_cat); SH_CMD(cmd_cd); SH_CMD(cmd_cp); SH_CMD(cmd_grep); SH_CMD(cmd_head);
SH_CMD(cmd_hexdump); SH_CMD(cmd_ls); SH_CMD(cmd_mkdir); SH_CMD(cmd_mv); SH_CMD(cmd_rm);
SH_CMD(cmd_stat); SH_CMD(cmd_wc);
SH_CMD(cmd_caps); SH_CMD(cmd_insmod); SH_CMD(cmd_lsmod); SH_CMD(cmd_modinfo); SH_CMD(cmd_rmmod);
/* "CMD: PATH: what" for a failed vfs call, said as what it means for that
 * path (is a directory, not a directory, directory not empty); returns 1. */
int sh_file_fail(const char *cmd, const char *path, kr_err_t err);
/* Ctrl-C since the top-level line started?  Sticky until the next one, so a
 * script stops at once and every script it runs in stops too. */
bool shell_interrupted(void);
void shell_history(void);                /* print the line editor's history */
/* exit: leave the script running (1), or 0 at the prompt. */
int shell_exit(void);

#endif
