/*
 * shell - the operator's shell on the serial console.
 *
 * It claims the console's input (from the console module, a dependency)
 * and runs as a task of the scheduler (the sched module, the other one),
 * asleep until the console's interrupt wakes it: each byte typed goes to the line editor (lineedit.c); a finished line is
 * split like sh does (token.c) and run as a command (commands.c), with
 * "> FILE" / ">> FILE" sending its output into a file through the vfs
 * service, and "A | B" A's output into B's input (run_pipeline).  At start
 * it runs /etc/rc if the image has one, then the script the kernel command
 * line names with shell.script=PATH.
 */
#include <stdarg.h>
#include <karyon/clog.h>
#include <karyon/cmdline.h>
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/sched.h>
#include <karyon/shell.h>

#include "lineedit.h"
#include "shell.h"
#include "token.h"

#define CAPTURE_MAX  (1u << 20) /* largest redirected or piped output */
#define SCRIPT_MAX   (64u << 10) /* largest script sh runs */
#define SCRIPT_DEPTH 8          /* scripts running scripts: the kernel stack is small */

const struct kr_vfs_ops *shell_vfs;
const struct kr_kmod_ops *shell_kmod;
kr_domain_t *shell_self;
kr_cap_t shell_sys[2];
char shell_cwd[SHELL_PATH_MAX] = "/";

static struct le ed;
static bool started;
static const struct kr_sched_ops *shell_sched;
static const struct kr_console_input_ops *shell_in;
static uint32_t shell_task;
static bool repl_running;       /* shell_main is running in shell_task */
static bool retired;            /* replaced live: the task ends after its line */
static bool handed_over;        /* shell_restore ran: the next task start only prompts */
/* Output of the command being redirected or piped on; a nested one (sh
 * FILE > X, whose lines redirect too) saves and restores its caller's. */
struct capture {
	char *buf;
	size_t len, cap;
	bool on, full;
};
static struct capture capture;
/* What the command running reads (A's output while B runs in A | B): a
 * pipeline's first command has none, nor has a script's line. */
static struct piped { char *text; size_t len; bool on; } piped;
static int script_depth;
static bool interrupt_seen;     /* Ctrl-C during this top-level line */
static bool exit_script;        /* exit ran in a script: its lines stop */

/* Commands other modules added (the shell service), and whose they are. */
struct shell_added shell_added[SHELL_ADDED_MAX];

static struct shell_added *find_added(const char *name)
{
	for (int i = 0; i < SHELL_ADDED_MAX; i++)
		if (shell_added[i].cmd && !strcmp(shell_added[i].cmd->name, name))
			return &shell_added[i];
	return NULL;
}


void sh_write(const char *s, size_t n)
{
	if (!capture.on) {
		kr_console_write(s, n);
		return;
	}
	if (capture.len + n > capture.cap) {
		size_t cap = capture.cap ? capture.cap * 2 : 4096;
		char *p;

		while (cap < capture.len + n)
			cap *= 2;
		p = cap <= CAPTURE_MAX ? kr_realloc(shell_self, capture.buf, cap) : NULL;
		if (!p) {
			capture.full = true;
			return;
		}
		capture.buf = p;
		capture.cap = cap;
	}
	memcpy(capture.buf + capture.len, s, n);
	capture.len += n;
}

/* Format into a stack buffer, or the heap for a long line (whole, its
 * newline kept), and hand it to out. */
static void sh_vout(void (*out)(const char *s, size_t n), const char *fmt, va_list ap)
{
	char buf[512], *big;
	va_list again;
	int n;

	va_copy(again, ap);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf) && (big = kr_malloc(shell_self, (size_t)n + 1))) {
		kvsnprintf(big, (size_t)n + 1, fmt, again);   /* long output: whole */
		out(big, (size_t)n);
		kr_free(shell_self, big);
	} else {
		out(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	}
	va_end(again);
}

void sh_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sh_vout(sh_write, fmt, ap);
	va_end(ap);
}

bool sh_input(const char **text, size_t *len)
{
	*text = piped.text ? piped.text : "";
	*len = piped.len;
	return piped.on;
}

void sh_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sh_vout(kr_console_write, fmt, ap);
	va_end(ap);
}

int sh_fail(const char *cmd, const char *what, kr_err_t err)
{
	sh_error("%s: %s: %s\n", cmd, what, kr_strerror(err));
	return 1;
}

static void console_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	kr_console_write(s, n);
}

static const struct shell_cmd *find_cmd(const char *name)
{
	for (const struct shell_cmd *c = shell_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* The owner's domain is going: its commands go with it. */
static void owner_gone(void *ctx, uint32_t owner)
{
	(void)ctx;
	for (int i = 0; i < SHELL_ADDED_MAX; i++)
		if (shell_added[i].owner == owner)
			shell_added[i] = (struct shell_added){ 0 };
}

static kr_err_t svc_add(uint32_t owner, const struct kr_shell_command *cmd)
{
	bool watched = false;
	struct shell_added *slot = NULL;
	kr_err_t err;

	if (!owner || !cmd || !cmd->name || !cmd->run || !cmd->usage || !cmd->help ||
	    !cmd->name[0] || strnlen(cmd->name, 16) > 15)
		return KR_EINVAL;
	if (find_cmd(cmd->name) || find_added(cmd->name))
		return KR_EEXIST;
	for (int i = 0; i < SHELL_ADDED_MAX; i++) {
		watched |= shell_added[i].cmd && shell_added[i].owner == owner;
		if (!slot && !shell_added[i].cmd)
			slot = &shell_added[i];
	}
	if (!slot)
		return KR_ENOSPC;
	if (!watched && (err = kr_domain_watch(shell_self, owner, owner_gone, NULL)) != KR_OK)
		return err;
	*slot = (struct shell_added){ owner, cmd };
	return KR_OK;
}

static kr_err_t svc_remove(uint32_t owner, const char *name)
{
	struct shell_added *a = name ? find_added(name) : NULL;

	if (!a)
		return KR_ENOENT;
	if (a->owner != owner)
		return KR_EPERM;
	*a = (struct shell_added){ 0 };
	return KR_OK;
}

static const char *svc_cwd(void)
{
	return shell_cwd;
}

/* Console input a command's Ctrl-C check read ahead: the shell's next. */
static char pending[256];
static size_t npending, pending_at;

size_t shell_console_read(char *c)
{
	if (pending_at < npending) {
		*c = pending[pending_at++];
		return 1;
	}
	return shell_in->read(shell_self, c, 1, NULL);
}

static bool svc_interrupted(void)
{
	bool hit = false;
	char c;

	if (pending_at == npending)
		npending = pending_at = 0;
	while (npending < sizeof(pending) && shell_in->read(shell_self, &c, 1, NULL) == 1) {
		if (c == 3) {           /* Ctrl-C: it and the typeahead before it go */
			hit = interrupt_seen = true;    /* and the rest of the line's work */
			npending = pending_at = 0;
			continue;
		}
		pending[npending++] = c;
	}
	return hit;
}

bool shell_interrupted(void)
{
	if (!interrupt_seen && svc_interrupted())
		kr_console_write("^C\r\n", 4);
	return interrupt_seen;
}

int shell_exit(void)
{
	if (!script_depth)
		return 0;
	exit_script = true;
	return 1;
}

void shell_history(void)
{
	size_t n = 0;

	while (le_history(&ed, n + 1))
		n++;
	for (size_t k = n; k; k--)
		sh_printf("%5zu  %s\n", n - k + 1, le_history(&ed, k));
}

static const struct kr_shell_ops svc_ops = {
	.hdr = { KR_OPS_MAGIC, KR_SHELL_SERVICE_VERSION, sizeof(struct kr_shell_ops), 0 },
	.add = svc_add, .remove = svc_remove, .cwd = svc_cwd, .interrupted = svc_interrupted,
};

static void print_cb(void *ctx, const char *text)
{
	(void)ctx;
	sh_write(text, strlen(text));
}

int shell_help_added_one(const char *name)
{
	const struct shell_added *a = find_added(name);

	if (!a)
		return 1;
	sh_printf("usage: %s\n%s\n", a->cmd->usage, a->cmd->help);
	return 0;
}

void shell_help_added(void)
{
	for (int i = 0; i < SHELL_ADDED_MAX; i++)
		if (shell_added[i].cmd)
			sh_printf("%-8s %s\n", shell_added[i].cmd->name, shell_added[i].cmd->help);
}

static void finish_capture(const struct tok_result *tok, struct capture *mine)
{
	kr_err_t err;

	if (mine->full) {
		sh_error("sh: %s: output over %u bytes; nothing written\n", tok->redirect_path,
			 CAPTURE_MAX);
		return;
	}
	err = shell_vfs->write(shell_cwd, tok->redirect_path, mine->buf, mine->len,
			       tok->redirect == TOK_REDIR_APPEND);
	if (err)
		sh_file_fail("sh", tok->redirect_path, err);
}

/* One command of a line: its words in tok. */
static void run_command(struct tok_result *tok)
{
	struct capture outer = capture, mine;
	const struct shell_cmd *c = NULL;
	const struct shell_added *a = NULL;
	struct sh_opts opts;

	if (!tok->argc)
		return;
	if (!(c = find_cmd(tok->argv[0])) && !(a = find_added(tok->argv[0]))) {
		sh_error("%s: command not found (try help)\n", tok->argv[0]);
		return;
	}
	if (tok->redirect && !shell_vfs) {
		sh_error("sh: cannot redirect to %s: no file system in this image\n",
			 tok->redirect_path);
		return;
	}
	if (c && sh_prepare(c, &tok->argc, tok->argv, &opts))
		return;
	if (tok->redirect)
		capture = (struct capture){ .on = true };
	if (c)
		c->run(tok->argc, tok->argv, &opts);
	else                    /* a module's command reads no input */
		a->cmd->run(tok->argc, tok->argv, print_cb, NULL);
	if (tok->redirect) {
		mine = capture;
		capture = outer;        /* messages go where the caller's go */
		finish_capture(tok, &mine);
		kr_free(shell_self, mine.buf);
	}
}

/* Past the rest of the pipeline tok is in: where the next one starts. */
static const char *skip_pipeline(const char *line, struct tok_result *tok)
{
	char why[128];

	while (tok->pipe)
		tok_split_from(line, tok->rest, tok, why, sizeof(why));
	return tok->rest;
}

/*
 * One pipeline, from p: each command but the last runs with its output
 * captured (up to CAPTURE_MAX), which is the next one's input; the last
 * one's goes to the console or its own redirection.  They run one after
 * the other, not side by side: there is one shell task.  Output over the
 * limit, Ctrl-C or exit stop the pipeline there, before a later command
 * is fed part of it.  Returns where the next pipeline starts.
 */
static const char *run_pipeline(const char *line, const char *p, struct tok_result *tok)
{
	struct piped outer_in = piped, in = { 0 };
	struct capture outer = capture, out;
	char why[128], name[16];

	for (;;) {
		tok_split_from(line, p, tok, why, sizeof(why));
		piped = in;
		if (!tok->pipe) {
			run_command(tok);
			break;
		}
		ksnprintf(name, sizeof(name), "%s", tok->argv[0]);
		capture = (struct capture){ .on = true };
		run_command(tok);
		out = capture;
		capture = outer;
		kr_free(shell_self, in.text);
		in = (struct piped){ out.buf, out.len, true };
		piped = in;             /* a fault from here on frees it (shell_main) */
		p = tok->rest;
		if (out.full)
			sh_error("sh: %s: output over %u bytes; the pipeline stops\n", name,
				 CAPTURE_MAX);
		if (out.full || exit_script || shell_interrupted())
			break;
	}
	kr_free(shell_self, in.text);
	piped = outer_in;
	return skip_pipeline(line, tok);
}

/* A line: pipelines separated by ';', all checked before the first runs
 * (a syntax error anywhere, or a glob given to one of the shell's own
 * commands, runs none).  The words live on the heap, not in a static:
 * sh FILE runs lines inside a line, and the outer one still needs its own
 * afterwards. */
static void run_line(const char *line)
{
	struct tok_result *tok;
	const char *p;
	char why[128];

	shell_sched->yield();   /* between commands (a script's too): higher tasks run */
	tok = kr_malloc(shell_self, sizeof(*tok));
	if (!tok) {
		sh_printf("sh: out of memory\n");
		return;
	}
	for (p = line; p; p = tok->rest)
		if (tok_split_from(line, p, tok, why, sizeof(why)) != KR_OK ||
		    (tok->glob && tok->argc && find_cmd(tok->argv[0]) &&
		     /* a module's command may take patterns (on custom.*); ours never */
		     ksnprintf(why, sizeof(why), "globs ('%c') are not supported (column %zu; quote "
			       "it to mean the character)", *tok->glob,
			       (size_t)(tok->glob - line) + 1))) {
			sh_printf("sh: %s\n", why);
			kr_free(shell_self, tok);
			return;
		}
	/* Not polled before the first command: what is typed ahead of it is its. */
	for (p = line; p && !exit_script && !interrupt_seen; )
		p = run_pipeline(line, p, tok);
	kr_free(shell_self, tok);
}

int shell_run_file(const char *path)
{
	struct kr_vfs_stat st;
	size_t got = 0;
	char *text, *line;
	kr_err_t err;

	if (!shell_vfs)
		return sh_printf("sh: %s: no file system in this image\n", path), 1;
	if (script_depth == SCRIPT_DEPTH) {
		sh_printf("sh: %s: scripts nested more than %d deep; not run\n", path, SCRIPT_DEPTH);
		return 1;
	}
	err = shell_vfs->stat(shell_cwd, path, &st);
	if (!err && st.type != KR_VFS_FILE)
		err = KR_EINVAL;
	if (!err && st.size > SCRIPT_MAX)
		err = KR_ERANGE;        /* over 64 KiB: refused, not cut */
	if (err)
		return sh_file_fail("sh", path, err);
	text = kr_malloc(shell_self, st.size + 1);
	if (!text)
		return sh_fail("sh", path, KR_ENOMEM);
	err = shell_vfs->read(shell_cwd, path, 0, text, st.size, &got);
	text[err ? 0 : got] = '\0';
	script_depth++;
	for (line = text; *line && !exit_script && !shell_interrupted(); ) {
		char *end = line;

		while (*end && *end != '\n')
			end++;
		if (*end)
			*end++ = '\0';
		run_line(line);
		line = end;
	}
	script_depth--;
	exit_script = false;    /* exit leaves one script, not its caller */
	kr_free(shell_self, text);
	return err ? sh_fail("sh", path, err) : 0;
}

static void set_prompt(void)
{
	char prompt[LE_PROMPT_MAX];

	ksnprintf(prompt, sizeof(prompt), "karyon:%.50s> ", shell_cwd);
	memcpy(ed.prompt, prompt, strlen(prompt) + 1);  /* le_start prints it */
	ed.plen = strlen(prompt);
}

static void warn_option(void *ctx, const char *line)
{
	(void)ctx;
	kr_log(KR_LOG_WARN, "%s\n", line);
}

/* The kernel command line's "shell.script=PATH", if any, into buf. */
static bool script_option(char *buf, size_t len)
{
	const struct kr_cmdline_opt opts[] = {
		{ KR_CMDLINE_OPT_INIT, .key = "script", .type = KR_CMDLINE_STR, .dst = buf,
		  .dst_size = len, .help = "a script to run at start, after /etc/rc" },
	};

	buf[0] = '\0';
	kr_cmdline_apply("shell", opts, 1, warn_option, NULL);
	return buf[0] != '\0';
}

/* Wait for input: the shell task sleeps until the console's interrupt
 * wakes it (or a tick passes: Ctrl-C polls keep working). */
void shell_wait(void)
{
	shell_sched->block(1);
}

static void wake_shell(void *ctx)
{
	(void)ctx;
	shell_sched->wake(shell_task);
}

static void shell_step(void)
{
	char c;

	if (!started) {
		const struct kr_ops_header *ops;
		struct kr_vfs_stat st;
		kr_cap_t cap;

		/* Opened now, not at init: the shell starts before kmod, so
		 * that boot modules can add commands to it. */
		if (kr_service_open(shell_self, "vfs", KR_VFS_SERVICE_VERSION, &cap) == KR_OK &&
		    kr_service_ops(shell_self, cap, &ops) == KR_OK)
			shell_vfs = (const struct kr_vfs_ops *)ops;
		if (kr_service_open(shell_self, "kmod", KR_KMOD_SERVICE_VERSION, &cap) == KR_OK &&
		    kr_service_ops(shell_self, cap, &ops) == KR_OK)
			shell_kmod = (const struct kr_kmod_ops *)ops;

		started = true;
		char script[SHELL_PATH_MAX];

		if (shell_vfs && shell_vfs->stat(NULL, "/etc/rc", &st) == KR_OK)
			shell_run_file("/etc/rc");
		interrupt_seen = false;
		if (script_option(script, sizeof(script)))
			shell_run_file(script);
		set_prompt();
		le_start(&ed);
	}
	/* A byte at a time: what is typed after a line belongs to the command
	 * that line starts (cat reads it), so none is taken from the console
	 * ahead of time. */
	while (!retired && shell_console_read(&c) == 1)
		if (le_feed(&ed, (unsigned char)c) == LE_LINE) {
			interrupt_seen = exit_script = false;
			run_line(le_line(&ed));
			if (retired)    /* the line replaced this shell: the new one prompts */
				return;
			set_prompt();
			le_start(&ed);
		}
}

/* The shell task: it runs commands, so a module bug in one of them faults
 * this task, which the scheduler starts again (KR_TASK_RESTART). */
static void shell_main(void *arg)
{
	(void)arg;
	repl_running = true;
	if (started && handed_over) {   /* a new version of the shell, or back to this one */
		handed_over = false;
		set_prompt();
		le_start(&ed);
	} else if (started) {   /* what the faulted command was doing is gone */
		if (capture.buf)
			kr_free(shell_self, capture.buf);
		if (piped.text)
			kr_free(shell_self, piped.text);
		capture = (struct capture){ 0 };
		piped = (struct piped){ 0 };
		script_depth = 0;
		interrupt_seen = exit_script = false;
		kr_console_write("\r\nshell: restarted after a fault (see the log)\r\n", 48);
		set_prompt();
		le_start(&ed);
	}
	for (;;) {
		shell_step();
		if (retired)
			break;
		shell_sched->block(0);
	}
	repl_running = false;
}

static const struct kr_task_spec repl_spec = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_NORMAL + 8,
	.stack_pages = 16, .flags = KR_TASK_RESTART | KR_TASK_FOREGROUND, .fn = shell_main,
	.name = "shell" };

/* After a live replacement (live.c): the task that starts the shell's
 * once the version it replaced has ended its own (one foreground task at
 * a time): when the line that replaced it ends, a script's included. */
static void repl_starter(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !repl_running; i++) {
		if (shell_sched->spawn(shell_self, &repl_spec, &shell_task) == KR_OK)
			return;
		if (i == 500)   /* a script may still run in the old one's task */
			kr_log(KR_LOG_WARN, "shell: waiting for the replaced shell's task to end\n");
		shell_sched->block(i < 500 ? 1 : 100);
	}
}

const struct kr_ops_header *shell_ops_table(void)
{
	return &svc_ops.hdr;
}

void shell_save(struct shell_handover *h)
{
	h->from = shell_self;
	memcpy(h->cwd, shell_cwd, sizeof(h->cwd));
	memcpy(h->added, shell_added, sizeof(h->added));
	memcpy(h->pending, pending, sizeof(h->pending));
	h->npending = (uint32_t)npending;
	h->pending_at = (uint32_t)pending_at;
	memcpy(h->hist, ed.hist, sizeof(h->hist));
	h->hist_used = ed.hist_used;
	h->hist_n = ed.hist_n;
}

/* Open what the shell uses, once. */
static kr_err_t open_services(kr_domain_t *self)
{
	const struct kr_ops_header *ops;
	kr_cap_t cap;
	kr_err_t err = KR_OK;

	if (!shell_sched && !(err = kr_service_open(self, KR_SCHED_SERVICE, KR_SCHED_VERSION, &cap)) &&
	    !(err = kr_service_ops(self, cap, &ops)))
		shell_sched = (const struct kr_sched_ops *)ops;
	if (!err && !shell_in &&
	    !(err = kr_service_open(self, KR_CONSOLE_INPUT_SERVICE, KR_CONSOLE_INPUT_VERSION, &cap)) &&
	    !(err = kr_service_ops(self, cap, &ops)))
		shell_in = (const struct kr_console_input_ops *)ops;
	return err;
}

/* Is h what shell_save makes (every string within its array)? */
static bool handover_ok(const struct shell_handover *h)
{
	size_t n = 0;

	if (strnlen(h->cwd, sizeof(h->cwd)) == sizeof(h->cwd) || h->cwd[0] != '/' ||
	    h->npending > sizeof(h->pending) || h->pending_at > h->npending ||
	    h->hist_used > sizeof(h->hist) || h->hist_n > LE_HISTORY)
		return false;
	for (size_t i = 0; i < h->hist_used; i++)
		n += h->hist[i] == '\0';
	return n == h->hist_n && (!h->hist_used || h->hist[h->hist_used - 1] == '\0');
}

kr_err_t shell_restore(kr_domain_t *self, const struct shell_handover *h)
{
	const struct le_io io = { NULL, console_out, shell_complete };
	struct kr_task_spec starter = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_NORMAL,
					.fn = repl_starter, .name = "shell.start" };
	const struct kr_ops_header *ops;
	uint32_t id;
	kr_cap_t cap;
	kr_err_t err;

	if (!handover_ok(h))
		return KR_EFORMAT;
	shell_self = self;
	kr_need_cap(self, SHELL_POWER, &shell_sys[SHELL_POWER]);
	kr_need_cap(self, SHELL_KLOG, &shell_sys[SHELL_KLOG]);
	if ((err = open_services(self)) || (err = shell_in->pass(h->from, self)))
		return err;
	if (!shell_vfs && kr_service_open(self, "vfs", KR_VFS_SERVICE_VERSION, &cap) == KR_OK &&
	    kr_service_ops(self, cap, &ops) == KR_OK)
		shell_vfs = (const struct kr_vfs_ops *)ops;
	if (!shell_kmod && kr_service_open(self, "kmod", KR_KMOD_SERVICE_VERSION, &cap) == KR_OK &&
	    kr_service_ops(self, cap, &ops) == KR_OK)
		shell_kmod = (const struct kr_kmod_ops *)ops;
	if (!started)
		le_init(&ed, &io, "karyon:/> ");
	memcpy(ed.hist, h->hist, sizeof(ed.hist));
	ed.hist_used = (size_t)h->hist_used;
	ed.hist_n = (size_t)h->hist_n;
	ed.hist_pos = 0;
	memcpy(shell_cwd, h->cwd, sizeof(shell_cwd));
	memcpy(pending, h->pending, sizeof(pending));
	npending = h->npending;
	pending_at = h->pending_at;
	memset(shell_added, 0, sizeof(shell_added));
	for (int i = 0; i < SHELL_ADDED_MAX; i++)       /* again, watching each owner */
		if (h->added[i].cmd && svc_add(h->added[i].owner, h->added[i].cmd) != KR_OK)
			kr_log(KR_LOG_WARN, "shell: command %s of domain %u not kept\n",
			       h->added[i].cmd->name, h->added[i].owner);
	started = true;
	retired = false;
	handed_over = !repl_running;
	shell_in->notify(self, wake_shell, NULL);
	return repl_running ? KR_OK : shell_sched->spawn(self, &starter, &id);
}

void shell_retire(bool on)
{
	retired = on;
}

static kr_err_t shell_init(kr_domain_t *self)
{
	const struct le_io io = { NULL, console_out, shell_complete };
	kr_cap_t cap;
	kr_err_t err;

	shell_self = self;
	kr_need_cap(self, SHELL_POWER, &shell_sys[SHELL_POWER]);
	kr_need_cap(self, SHELL_KLOG, &shell_sys[SHELL_KLOG]);
	err = open_services(self);
	if (!err)
		err = shell_in->claim(self);
	if (!err)
		err = kr_service_publish(self, "shell", &svc_ops.hdr, &cap);
	if (!err)
		err = shell_live_publish(self);
	if (err)
		return err;
	le_init(&ed, &io, "karyon:/> ");
	err = shell_sched->spawn(self, &repl_spec, &shell_task);
	return err ? err : shell_in->notify(self, wake_shell, NULL);
}

KR_MODULE(.name = "shell", .version = KR_VERSION(0, 1, 0),
	  .description = "line-editing shell on the serial console",
	  .license = "MIT", .author = "Karyon developers", .init = shell_init,
	  .deps = { { .name = "console", .min_version = KR_VERSION(1, 1, 0) },
		    { .name = "sched", .min_version = KR_VERSION(1, 0, 0) } }, .ndeps = 2,
	  .needs = { KR_NEED_SYSTEM(KR_SYS_POWER), KR_NEED_SYSTEM(KR_SYS_KLOG) });
