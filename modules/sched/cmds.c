/*
 * cmds.c - the sched module's shell commands (tasks, task, sched), its
 * configuration file and its metrics file.
 *
 *   task submit HANDLER [ARGS] [--prio N] [--gas N] [--mem PAGES]
 *               [--after ID] [--time US]
 *   task list | show ID | cancel ID | trace | wait [ID]
 *   sched stat | reload
 *
 * The module starts before the shell and the file system, so all of this
 * is set up at the first turn of the idle loop (sched_start_up).
 */
#include <karyon/hash.h>
#include <karyon/libc.h>
#include <karyon/log.h>

#include "sched_int.h"

#include "../lib/print_to.h"

static int cmd_tasks(int argc, char **argv, print_fn print, void *ctx)
{
	static const char *const states[] = { "?", "ready", "running", "blocked" };
	struct kr_task_info ti;

	(void)argv;
	if (argc != 1) {
		print(ctx, "usage: tasks\n");
		return 2;
	}
	print(ctx, "  ID  NAME                  STATE    PRIO  SWITCHES  FAULTS  DOMAIN\n");
	for (uint32_t i = 0; sched_task_info(i, &ti) == KR_OK; i++)
		print_to(print, ctx, "%4u  %-20s  %-7s  %4u  %8llu  %6llu  %6u\n", ti.id, ti.name,
			 states[ti.state <= 3 ? ti.state : 0], ti.prio,
			 (unsigned long long)ti.switches, (unsigned long long)ti.faults, ti.domain);
	return 0;
}

/* ---- task ---- */

static bool parse_id(const char *s, uint32_t *id)
{
	uint32_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return false;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	*id = v;
	return v != 0;
}

static void show_line(const struct work *w, print_fn print, void *ctx)
{
	print_to(print, ctx, "%4u  %-20s  %-19s  %4u  %12llu  %12llu\n", w->id, w->argtext,
		 work_state_name(w->state, w->violation), w->prio,
		 (unsigned long long)w->gas_used, (unsigned long long)(w->end_vt / 1000));
}

static int task_submit(int argc, char **argv, print_fn print, void *ctx)
{
	struct work_req r;
	char err[128];
	uint32_t id;

	if (work_parse(argc, argv, &r, err, sizeof(err)) != 0) {
		print_to(print, ctx, "task submit: %s\n", err);
		return 2;
	}
	if (sched_check_runnable(r.argv[0], err, sizeof(err)) != KR_OK) {
		print_to(print, ctx, "task submit: %s\n", err);
		return 1;
	}
	if (work_submit(&sched_works, &r, sched_vclock(), &id, err, sizeof(err)) != 0) {
		print_to(print, ctx, "task submit: %s\n", err);
		return 1;
	}
	sched_works_changed = true;
	print_to(print, ctx, "%u\n", id);
	return 0;
}

static int task_show(struct work *w, print_fn print, void *ctx)
{
	const char *argv[WORK_ARGS + 1];

	print_to(print, ctx, "token %u: %s\n", w->id, work_state_name(w->state, w->violation));
	work_argv(w, argv);
	print_to(print, ctx, "  run      %s", argv[0]);
	for (uint32_t i = 1; i < w->argc; i++)
		print_to(print, ctx, " %s", argv[i]);
	print_to(print, ctx, "\n  prio     %u\n", w->prio);
	if (w->after)
		print_to(print, ctx, "  after    token %u\n", w->after);
	print_to(print, ctx, "  budgets  gas %llu, memory %llu pages", (unsigned long long)w->gas_limit,
		 (unsigned long long)w->mem_pages);
	if (w->vtime_limit)
		print_to(print, ctx, ", virtual time %llu us\n",
			 (unsigned long long)(w->vtime_limit / 1000));
	else
		print(ctx, ", virtual time unlimited\n");
	print_to(print, ctx, "  vtime    submitted %llu us, started %llu us, ended %llu us\n",
		 (unsigned long long)(w->submit_vt / 1000), (unsigned long long)(w->start_vt / 1000),
		 (unsigned long long)(w->end_vt / 1000));
	print_to(print, ctx, "  gas      %llu in turns of %llu\n", (unsigned long long)w->gas_used,
		 (unsigned long long)w->quantum);
	if (w->task && w->state >= KR_WORK_COMPLETED)       /* it was started */
		print_to(print, ctx, "  elapsed  %llu TSC cycles from start to end\n",
			 (unsigned long long)w->tsc);
	if (w->state == KR_WORK_COMPLETED)
		print_to(print, ctx, "  exit     %d\n", w->exit_code);
	if (w->detail[0])
		print_to(print, ctx, "  detail   %s\n", w->detail);
	if (w->state == KR_WORK_COMPLETED && w->out_len) {
		char chunk[200];

		print(ctx, "  output:\n");
		for (size_t off = 0; off < w->out_len; off += sizeof(chunk) - 1) {
			size_t n = w->out_len - off < sizeof(chunk) - 1 ? w->out_len - off :
				   sizeof(chunk) - 1;

			memcpy(chunk, w->out + off, n);
			chunk[n] = '\0';
			print(ctx, chunk);
		}
		if (w->out[w->out_len - 1] != '\n')
			print(ctx, "\n");
	} else if (w->state >= KR_WORK_VIOLATED && w->out_len) {
		print(ctx, "  output:  (dropped: the token did not complete)\n");
	}
	return 0;
}

static int task_trace(print_fn print, void *ctx)
{
	uint8_t d[KR_BLAKE2B_256_LEN];
	char hex[2 * KR_BLAKE2B_256_LEN + 1], line[200];
	size_t start = 0;

	for (size_t i = 0; i < sched_works.trace_len; i++)
		if (sched_works.trace[i] == '\n') {
			size_t n = i + 1 - start < sizeof(line) - 1 ? i + 1 - start : sizeof(line) - 1;

			memcpy(line, sched_works.trace + start, n);
			line[n] = '\0';
			print(ctx, line);
			start = i + 1;
		}
	kr_blake2b_256(d, sched_works.trace, sched_works.trace_len);
	for (int i = 0; i < KR_BLAKE2B_256_LEN; i++)
		ksnprintf(hex + 2 * i, 3, "%02x", d[i]);
	print_to(print, ctx, "trace: %u tokens, blake2b-256 %s%s\n",
		 (unsigned)(sched_works.completed + sched_works.violated + sched_works.cancelled),
		 hex, sched_works.trace_full ? " (full: later tokens not traced)" : "");
	return 0;
}

static bool all_ended(uint32_t id)
{
	struct work *w = work_find(&sched_works, id);

	return id ? !w || w->state >= KR_WORK_COMPLETED : work_depth(&sched_works) == 0;
}

/* Sleep a tick at a time until the token (0: every token) has ended. */
static int task_wait(uint32_t id, print_fn print, void *ctx)
{
	while (!all_ended(id)) {
		if (sched_shell && sched_shell->interrupted()) {
			print(ctx, "task wait: interrupted\n");
			return 1;
		}
		sched_wait_tick();
	}
	return 0;
}

static int cmd_task(int argc, char **argv, print_fn print, void *ctx)
{
	const char *sub = argc > 1 ? argv[1] : "";
	struct work *w = NULL;
	uint32_t id = 0;

	if (!strcmp(sub, "submit") && argc > 2)
		return task_submit(argc - 2, argv + 2, print, ctx);
	if (!strcmp(sub, "list") && argc == 2) {
		print(ctx, "  ID  RUN                   STATE                PRIO           GAS  "
		      "END (vtime us)\n");
		for (uint32_t i = 1; i <= sched_works.next_id; i++)
			if ((w = work_find(&sched_works, i)) != NULL)
				show_line(w, print, ctx);
		return 0;
	}
	if (!strcmp(sub, "trace") && argc == 2)
		return task_trace(print, ctx);
	if (!strcmp(sub, "wait") && argc <= 3) {
		if (argc == 3 && !parse_id(argv[2], &id)) {
			print_to(print, ctx, "task wait: %s is not a token id\n", argv[2]);
			return 2;
		}
		return task_wait(id, print, ctx);
	}
	if ((!strcmp(sub, "show") || !strcmp(sub, "cancel")) && argc == 3) {
		if (!parse_id(argv[2], &id) || !(w = work_find(&sched_works, id))) {
			print_to(print, ctx, "task %s: no token %s\n", sub, argv[2]);
			return 1;
		}
		if (sub[0] == 's')
			return task_show(w, print, ctx);
		if (w->state == KR_WORK_SCHEDULED) {
			work_end(&sched_works, w, KR_WORK_CANCELLED, sched_vclock());
			sched_works_changed = true;     /* its followers may start */
			sched_write_metrics();
		} else if (w->state == KR_WORK_STARTED) {
			w->cancel = true;       /* it stops at its next turn */
		} else {
			print_to(print, ctx, "task cancel: token %u has %s already\n", id,
				 w->state == KR_WORK_COMPLETED ? "completed" :
				 w->state == KR_WORK_CANCELLED ? "been cancelled" : "been stopped");
			return 1;
		}
		return 0;
	}
	print(ctx, "usage: task submit HANDLER [ARGS] [--prio N] [--gas N] [--mem PAGES] "
	      "[--after ID] [--time US] [--quantum GAS]\n"
	      "       task list | show ID | cancel ID | trace | wait [ID]\n");
	return 2;
}

/* ---- sched ---- */

void sched_write_metrics(void)
{
	static char buf[4096];
	struct kr_task_info ti;
	uint32_t n = 0;
	size_t len;

	if (!sched_vfs)
		return;
	while (sched_task_info(n, &ti) == KR_OK)
		n++;
	len = work_metrics(&sched_works, n, buf, sizeof(buf));
	if (sched_vfs->mkdir(NULL, "/proc", true) == KR_OK)
		sched_vfs->write(NULL, SCHED_METRICS, buf, len, false);
}

kr_err_t sched_reload(char *msg, size_t size)
{
	static char text[1024];
	char err[96];
	size_t got = 0;
	uint32_t fg;
	kr_err_t e;

	if (!sched_vfs) {
		ksnprintf(msg, size, "no file system: foreground = %u", sched_foreground_limit());
		return KR_ENOENT;
	}
	e = sched_vfs->read(NULL, SCHED_CONF, 0, text, sizeof(text), &got);
	if (e == KR_ENOENT) {
		sched_set_foreground(1);
		ksnprintf(msg, size, "no %s: foreground = 1", SCHED_CONF);
		return KR_OK;
	}
	if (e) {
		ksnprintf(msg, size, "%s: %s", SCHED_CONF, kr_strerror(e));
		return e;
	}
	if (conf_parse(text, got, &fg, err, sizeof(err)) != 0) {
		ksnprintf(msg, size, "%s: %s; foreground stays %u", SCHED_CONF, err,
			  sched_foreground_limit());
		return KR_EFORMAT;
	}
	sched_set_foreground(fg);
	ksnprintf(msg, size, "%s: foreground = %u", SCHED_CONF, fg);
	return KR_OK;
}

static int cmd_sched(int argc, char **argv, print_fn print, void *ctx)
{
	const char *sub = argc == 2 ? argv[1] : "";
	char msg[160];

	if (!strcmp(sub, "reload")) {
		kr_err_t e = sched_reload(msg, sizeof(msg));

		print_to(print, ctx, "sched: %s\n", msg);
		return e ? 1 : 0;
	}
	if (!strcmp(sub, "stat")) {
		const struct work_table *t = &sched_works;
		struct kr_task_info ti;
		uint32_t n = 0;

		while (sched_task_info(n, &ti) == KR_OK)
			n++;
		print_to(print, ctx, "kernel tasks    %u (foreground allowed: %u)\n", n,
			 sched_foreground_limit());
		print_to(print, ctx, "tokens run      %llu\ncompleted       %llu\nviolated        %llu\n"
			 "cancelled       %llu\n", (unsigned long long)t->started,
			 (unsigned long long)t->completed, (unsigned long long)t->violated,
			 (unsigned long long)t->cancelled);
		print_to(print, ctx, "gas consumed    %llu\nqueue depth     %u\nvirtual clock   %llu us\n",
			 (unsigned long long)t->gas, work_depth(t),
			 (unsigned long long)(sched_vclock() / 1000));
		print_to(print, ctx, "latency (vtime) p50 %llu us, p90 %llu us, p99 %llu us\n",
			 (unsigned long long)(work_percentile(t, 50) / 1000),
			 (unsigned long long)(work_percentile(t, 90) / 1000),
			 (unsigned long long)(work_percentile(t, 99) / 1000));
		sched_write_metrics();
		print_to(print, ctx, "metrics         %s (Prometheus text format)\n", SCHED_METRICS);
		return 0;
	}
	print(ctx, "usage: sched stat | reload\n");
	return 2;
}

static const struct kr_shell_command commands[] = {
	{ "tasks", "tasks", "list the scheduler's kernel tasks", cmd_tasks },
	{ "task", "task submit|list|show|cancel|trace|wait ...",
	  "queue handler runs as work tokens, and follow them", cmd_task },
	{ "sched", "sched stat | reload", "scheduler counters; reread /etc/karyon.conf", cmd_sched },
};

void sched_start_up(void)
{
	const struct kr_ops_header *h;
	kr_domain_t *self = sched_self();
	char msg[160];
	kr_cap_t c;

	if (kr_service_open(self, "vfs", KR_VFS_SERVICE_VERSION, &c) == KR_OK &&
	    kr_service_ops(self, c, &h) == KR_OK)
		sched_vfs = (const struct kr_vfs_ops *)h;
	if (kr_service_open(self, "shell", KR_SHELL_SERVICE_VERSION, &c) == KR_OK &&
	    kr_service_ops(self, c, &h) == KR_OK)
		sched_shell = (const struct kr_shell_ops *)h;
	for (unsigned i = 0; sched_shell && i < sizeof(commands) / sizeof(commands[0]); i++)
		sched_shell->add(kr_domain_id(self), &commands[i]);
	if (sched_reload(msg, sizeof(msg)) == KR_OK)
		kr_log(KR_LOG_INFO, "sched: %s\n", msg);
	else
		kr_log(KR_LOG_WARN, "sched: %s\n", msg);
	sched_write_metrics();
}
