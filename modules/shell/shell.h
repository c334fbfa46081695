/*
 * shell.h - what the shell's parts share (shell.c runs lines, commands.c
 * implements the commands).
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <karyon/kmod.h>
#include <karyon/vfs.h>

#define SHELL_PATH_MAX 1024

struct shell_cmd {
	const char *name, *usage, *help;
	int (*run)(int argc, char **argv);      /* 0: success */
};

extern const struct shell_cmd shell_cmds[];
extern const struct kr_vfs_ops *shell_vfs;         /* NULL without the vfs module */
extern const struct kr_kmod_ops *shell_kmod;       /* NULL without kmod */
extern kr_domain_t *shell_self;
/* The facilities the shell's descriptor asks for, in its .needs order. */
enum { SHELL_POWER, SHELL_KLOG };
extern kr_cap_t shell_sys[2];
extern char shell_cwd[SHELL_PATH_MAX];

void sh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sh_write(const char *s, size_t n);
/* One byte of console input (0 or 1 read): what a command's Ctrl-C check
 * read ahead first, then the console. */
size_t shell_console_read(char *c);
void shell_wait(void);                /* sleep until input may be there */
/* "NAME: what" for a failed call; returns 1 so commands can return it. */
int sh_fail(const char *cmd, const char *what, kr_err_t err);
int shell_run_file(const char *path);
void shell_help_added(void);             /* help lines of commands modules added */

#endif
