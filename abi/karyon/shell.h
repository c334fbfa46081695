/*
 * shell.h - the "shell" service: commands other modules add to the shell.
 *
 * Implemented by the shell module (modules/shell), not by the core.  A
 * module registers commands under its own domain's id (kr_domain_id(self):
 * a name, not a credential, so the shell never holds the module's domain);
 * they stay in the shell until the module unregisters them or its domain
 * goes (unload), whichever comes first.  The command structs must live as
 * long.
 */
#ifndef KARYON_SHELL_H
#define KARYON_SHELL_H

#include <stdbool.h>
#include <karyon/service.h>

#define KR_SHELL_SERVICE_VERSION 4    /* 2: cwd; 3: owners by domain id; 4: interrupted */

struct kr_shell_command {
	const char *name;       /* 1..15 characters, not an existing command */
	const char *usage;      /* e.g. "hello [NAME]" */
	const char *help;       /* one line for `help` */
	/* Print with print(ctx, text); return 0 on success. */
	int (*run)(int argc, char **argv, void (*print)(void *ctx, const char *s), void *ctx);
};
KR_ABI_SIZE(struct kr_shell_command, 32);

struct kr_shell_ops {
	struct kr_ops_header hdr;       /* version KR_SHELL_SERVICE_VERSION */
	/* owner: kr_domain_id() of the adding module's domain.  KR_EEXIST for a
	 * taken name, KR_ENOSPC when the table is full; remove is KR_EPERM for
	 * another owner's command. */
	kr_err_t (*add)(uint32_t owner, const struct kr_shell_command *cmd);
	kr_err_t (*remove)(uint32_t owner, const char *name);
	/* Version 2: the working directory relative paths in a command's
	 * arguments are taken from (vfs calls take it as cwd). */
	const char *(*cwd)(void);
	/* Version 4: has Ctrl-C been typed since the command started?  For a
	 * long-running command to poll (it never blocks); true once per
	 * Ctrl-C, which is dropped with what was typed before it.  Other
	 * input stays for the shell. */
	bool (*interrupted)(void);
};
KR_ABI_OFFSET(struct kr_shell_ops, add, 16);
KR_ABI_SIZE(struct kr_shell_ops, 48);

#endif
