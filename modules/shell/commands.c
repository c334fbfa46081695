/*
 * commands.c - the table of the shell's commands, the one option parser
 * they share (sh_prepare), and the commands that need neither files nor
 * modules.  File commands are in files.c, module commands in modcmds.c;
 * each prints one clear line when something fails and returns non-zero.
 */
#include <karyon/console.h>
#include <karyon/libc.h>
#include <karyon/log.h>

#include "lsmod_verbose.h"
#include "shell.h"

static const struct shell_cmd *find(const char *name)
{
	for (const struct shell_cmd *c = shell_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int sh_usage(const char *name)
{
	const struct shell_cmd *c = find(name);

	if (c)
		sh_error("usage: %s\n", c->usage);
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
		sh_error("%s: %s\n", c->name, SH_NO_FS);
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
					sh_error("%s: -%c: unknown option (%s takes %s)\n", c->name, *a,
						 c->name, what);
					return sh_usage(c->name);
				}
				o->set |= 1ull << sh_opt_bit(*a);
				if (at[1] != ':')
					continue;
				if (a[1]) {             /* -n5 */
					o->arg = a + 1;
				} else if (i + 1 < *argc) {     /* -n 5 */
					o->arg = argv[++i];
				} else {
					sh_error("%s: -%c: needs a value\n", c->name, *a);
					return sh_usage(c->name);
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
		sh_error("%s: %s\n", c->name, n - 1 < c->min ? "missing argument" :
			 c->max ? "too many arguments" : "takes no arguments");
		return sh_usage(c->name);
	}
	return 0;
}

static int cmd_help(int argc, char **argv, const struct sh_opts *o)
{
	const struct shell_cmd *c = argc == 2 ? find(argv[1]) : NULL;

	(void)o;
	if (argc == 2 && c) {
		sh_printf("usage: %s\n%s\n", c->usage, c->help);
		if (c->flags & SH_FILES && !shell_vfs)
			sh_printf("(%s: this command needs one)\n", SH_NO_FS);
		return 0;
	}
	if (argc == 2)
		return shell_help_added_one(argv[1]) ?
			(sh_printf("help: %s: no such command (help lists them)\n", argv[1]), 1) : 0;
	for (c = shell_cmds; c->name; c++)
		if (!(c->flags & SH_FILES) || shell_vfs)
			sh_printf("%-8s %s\n", c->name, c->help);
	shell_help_added();
	if (shell_vfs)
		sh_printf("A | B    B reads what A prints (cat, head, grep, wc without a FILE)\n");
	if (!shell_vfs)
		sh_printf("(file commands are left out: %s)\n", SH_NO_FS);
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
	{ "cat", "cat [FILE...]", "print files (none: the piped input, or what you type until Ctrl-D)", cmd_cat, "", 0, ANY, SH_FILES },
	{ "caps", "caps [MODULE]", "the shell's capability table, or any module's", cmd_caps, "", 0, 1, 0 },
	{ "cd", "cd [DIR]", "change the working directory", cmd_cd, "", 0, 1, SH_FILES },
	{ "clear", "clear", "clear the screen", cmd_clear, "", 0, 0, 0 },
	{ "cp", "cp FROM TO", "copy a file", cmd_cp, "", 2, 2, SH_FILES },
	{ "dmesg", "dmesg", "print the kernel log, each line with its time in seconds", cmd_dmesg, "", 0, 0, 0 },
	{ "echo", "echo [WORD...]", "print words (> FILE, >> FILE to write a file; | CMD to pipe)", cmd_echo, "", 0, ANY, SH_RAW },
	{ "exit", "exit", "leave the script being run (sh FILE)", cmd_exit, "", 0, 0, 0 },
	{ "grep", "grep [-F] [-n] [-v] [-c] STRING [FILE...]",
	  "print lines holding STRING (fixed strings; -n numbers, -v others, -c counts; no FILE: the piped input)", cmd_grep, "Fnvc", 1, ANY, SH_FILES },
	{ "head", "head [-n N] [FILE...]", "print the first N lines (10) of files or of the piped input", cmd_head, "n:", 0, ANY, SH_FILES },
	{ "help", "help [CMD]", "list commands, or show one's usage", cmd_help, "", 0, 1, 0 },
	{ "hexdump", "hexdump FILE", "print a file in hex and ASCII", cmd_hexdump, "", 1, 1, SH_FILES },
	{ "history", "history", "the lines entered, oldest first (Up and Down recall them)", cmd_history, "", 0, 0, 0 },
	{ "insmod", "insmod NAME|PATH", "load a module and what it needs (NAME: /lib/modules/NAME.kmod)", cmd_insmod, "", 1, 1, SH_FILES },
	{ "ls", "ls [-l] [PATH...]", "list directories", cmd_ls, "l", 0, ANY, SH_FILES },
	{ "lsmod", "lsmod [-v]", "list modules: version, size, users, state (-v: where each is loaded)", cmd_lsmod, "v", 0, 0, 0 },
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
	{ "wc", "wc [-l] [-w] [-c] [FILE...]", "count lines, words, bytes of files or of the piped input", cmd_wc, "lwc", 0, ANY, SH_FILES },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0 },
};
