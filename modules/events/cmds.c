/*
 * cmds.c - the events module's shell commands, and /etc/events, which is
 * a file of the same commands run at boot:
 *
 *   on EVENT HANDLER [--gas N] [--queue N]    off EVENT HANDLER
 *   events                                    event raise NAME [DATA...] [-n COUNT]
 *   timer add NAME every MS | at MS           timer del NAME     timer list
 *   irq expose NAME LINE [--rtc HZ] [--rate N] [--burst N] [--debounce MS]
 *   irq hide NAME                             irq stat
 *
 * /etc/events takes those lines (not `events`; `irq stat` and `timer list`
 * would print into the log), plus
 * `handler NAME FILE.c` to compile a handler first, so an image can be
 * made whose whole behaviour is event handlers.  # starts a comment.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include "commit.h"
#include "events_int.h"

#define RAISE_MAX       1000000u        /* event raise -n, at most */
#define CONF_MAX        8192            /* bytes of /etc/events */
#define WORDS_MAX       16

static bool number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (uint64_t)(*s - '0') > max ||
		    v > (max - (uint64_t)(*s - '0')) / 10)
			return false;   /* not a digit, or past max */
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* --name VALUE options after the positional words: false on a bad one. */
static bool options(int argc, char **argv, int first, const char *const *names, uint64_t *vals,
		    const uint64_t *max, int n, print_fn print, void *ctx)
{
	for (int i = first; i < argc; i += 2) {
		int k;

		for (k = 0; k < n && strcmp(argv[i], names[k]); k++)
			;
		if (k == n || i + 1 >= argc || !number(argv[i + 1], max[k], &vals[k])) {
			print_to(print, ctx, "%s: %s %s\n", argv[0],
				 k == n ? "unknown option" : "bad value for", argv[i]);
			return false;
		}
	}
	return true;
}

static int cmd_on(int argc, char **argv, print_fn print, void *ctx)
{
	static const char *const names[] = { "--gas", "--queue" };
	static const uint64_t max[] = { GAS_MAX, EVQ_MAX };
	uint64_t v[2] = { GAS_DEFAULT, QUEUE_DEFAULT };
	char why[200];
	kr_err_t e;

	if (argc < 3 || !options(argc, argv, 3, names, v, max, 2, print, ctx) || !v[0] || !v[1]) {
		print_to(print, ctx, "usage: on EVENT HANDLER [--gas N] [--queue N] (gas default "
			 "%llu, queue default %u, at most %u)\n", GAS_DEFAULT, QUEUE_DEFAULT,
			 EVQ_MAX);
		return 2;
	}
	if (ev_gate && !ev_in_config) {
		struct ecommit c = { .gas = v[0], .queue = (uint32_t)v[1] };

		if (strlen(argv[1]) >= sizeof(c.pattern) || strlen(argv[2]) >= sizeof(c.handler)) {
			print_to(print, ctx, "on: bad subscription (an event pattern or handler "
				 "name too long)\n");
			return 1;
		}
		memcpy(c.pattern, argv[1], strlen(argv[1]) + 1);
		memcpy(c.handler, argv[2], strlen(argv[2]) + 1);
		return ev_commit("events.on", &c, "on", print, ctx);
	}
	e = sub_add(argv[1], argv[2], v[0], (uint32_t)v[1], why, sizeof(why));
	if (e) {
		print_to(print, ctx, "on: %s\n", why[0] ? why : kr_strerror(e));
		return 1;
	}
	return 0;
}

static int cmd_off(int argc, char **argv, print_fn print, void *ctx)
{
	if (argc != 3) {
		print(ctx, "usage: off EVENT HANDLER\n");
		return 2;
	}
	if (ev_gate && !ev_in_config) {
		struct ecommit c = { 0 };

		if (strlen(argv[1]) < sizeof(c.pattern) && strlen(argv[2]) < sizeof(c.handler)) {
			memcpy(c.pattern, argv[1], strlen(argv[1]) + 1);
			memcpy(c.handler, argv[2], strlen(argv[2]) + 1);
			return ev_commit("events.off", &c, "off", print, ctx);
		}
	}
	if (sub_remove(argv[1], argv[2])) {
		print_to(print, ctx, "off: %s is not subscribed to %s (see: events)\n", argv[2],
			 argv[1]);
		return 1;
	}
	return 0;
}

static int cmd_events(int argc, char **argv, print_fn print, void *ctx)
{
	(void)argv;
	if (argc != 1) {
		print(ctx, "usage: events\n");
		return 2;
	}
	print_to(print, ctx, "%llu events raised; last sequence number %llu\n",
		 (unsigned long long)ev_raised, (unsigned long long)ev_seq);
	print_to(print, ctx, "%-3s %-22s %-14s %9s %9s %5s %8s %6s %8s  %s\n", "ID", "EVENT",
		 "HANDLER", "GAS", "QUEUE", "HIGH", "RAN", "FAILED", "DROPPED", "LAST");
	for (int i = 0; i < MAX_SUBS; i++) {
		const struct sub *s = &ev_subs[i];
		char q[24], last[80] = "-";

		if (!s->used)
			continue;
		ksnprintf(q, sizeof(q), "%u/%u", s->q.len, s->q.cap);
		if (s->last_seq)
			ksnprintf(last, sizeof(last), "#%llu (vt %llu ns) at %llu ms, returned %d",
				  (unsigned long long)s->last_seq, (unsigned long long)s->last_time,
				  (unsigned long long)s->last_done_ms, s->last_exit);
		print_to(print, ctx, "%-3u %-22s %-14s %9llu %9s %5u %8llu %6llu %8llu  %s\n", s->id,
			 s->pattern, s->handler, (unsigned long long)s->gas, q, s->q.high,
			 (unsigned long long)s->ran, (unsigned long long)s->failed,
			 (unsigned long long)s->q.dropped, last);
	}
	return 0;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static struct sub *only_sub(const char *kind)
{
	struct sub *found = NULL;

	for (int i = 0; i < MAX_SUBS; i++)
		if (ev_subs[i].used && kr_event_match(ev_subs[i].pattern, kind, "")) {
			if (found)
				return NULL;
			found = &ev_subs[i];
		}
	return found;
}

static void qsort_u64(uint64_t *v, uint64_t n)        /* insertion sort: n <= 64 */
{
	for (uint64_t i = 1; i < n; i++)
		for (uint64_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* event bench NAME N: raise -> on_event entry, one event at a time (the
 * shell sleeps a tick after each: the handler's task runs at once), then
 * N events at once, delivered per second.  Under QEMU -icount shift=0 the
 * TSC counts guest instructions (tools/bench_events.py). */
static int event_bench(int argc, char **argv, print_fn print, void *ctx)
{
	uint64_t n = 0, lat[64], seq = 0, t0, t1;
	struct sub *s = argc == 4 ? only_sub(argv[2]) : NULL;

	if (argc != 4 || !number(argv[3], 64, &n) || n < 2 || !s || s->q.cap < n) {
		print(ctx, "usage: event bench NAME N (2..64; exactly one subscription, a queue "
		      "of N or more, must cover the custom event NAME)\n");
		return 2;
	}
	for (uint64_t i = 0; i < n; i++) {
		t0 = rdtsc();
		if (ev_raise_custom(argv[2], NULL, 0, &seq))
			return 1;
		for (int w = 0; w < 100 && s->used && s->last_seq != seq; w++)
			ev_sched->block(1);
		if (!s->used || s->last_seq != seq || !s->last_entry_tsc) {
			print_to(print, ctx, "event: bench: event #%llu was not delivered\n",
				 (unsigned long long)seq);
			return 1;
		}
		lat[i] = s->last_entry_tsc - t0;
	}
	qsort_u64(lat, n);
	print_to(print, ctx, "event bench: raise -> on_event entry: min %llu, median %llu, max "
		 "%llu TSC cycles (%llu events, one at a time)\n", (unsigned long long)lat[0],
		 (unsigned long long)lat[n / 2], (unsigned long long)lat[n - 1],
		 (unsigned long long)n);
	t0 = kr_uptime_us();
	for (uint64_t i = 0; i < n; i++)
		if (ev_raise_custom(argv[2], NULL, 0, &seq))
			return 1;
	for (int w = 0; w < 1000 && s->used && s->last_seq != seq; w++)
		ev_sched->block(1);
	t1 = s->last_done_us;
	if (!s->used || s->last_seq != seq || t1 <= t0)
		return 1;
	print_to(print, ctx, "event bench: %llu events delivered in %llu us: %llu events per "
		 "second\n", (unsigned long long)n, (unsigned long long)(t1 - t0),
		 (unsigned long long)(n * 1000000 / (t1 - t0)));
	return 0;
}

static int cmd_event(int argc, char **argv, print_fn print, void *ctx)
{
	char data[KR_EVENT_DATA_MAX] = "";
	uint64_t count = 1, seq = 0;
	size_t n = 0;
	kr_err_t e = KR_OK;
	int last = argc;

	if (argc > 1 && !strcmp(argv[1], "bench"))
		return event_bench(argc, argv, print, ctx);
	if (argc >= 4 && !strcmp(argv[argc - 2], "-n")) {
		last = argc - 2;
		if (!number(argv[argc - 1], RAISE_MAX, &count) || !count)
			argc = 0;
	}
	if (argc < 3 || strcmp(argv[1], "raise")) {
		print_to(print, ctx, "usage: event raise NAME [DATA...] [-n COUNT] (COUNT 1..%u)\n",
			 RAISE_MAX);
		return 2;
	}
	for (int i = 3; i < last; i++) {
		size_t k = strlen(argv[i]);

		if (n + k + (i > 3) >= sizeof(data)) {
			print_to(print, ctx, "event: data longer than %u bytes\n",
				 KR_EVENT_DATA_MAX - 1);
			return 1;
		}
		if (i > 3)
			data[n++] = ' ';
		memcpy(data + n, argv[i], k + 1);
		n += k;
	}
	if (!kind_ok(argv[2])) {
		print_to(print, ctx, "event: '%s' is not an event name (1..%u of [a-z0-9_.-])\n",
			 argv[2], KR_EVENT_KIND_MAX - 1);
		return 1;
	}
	for (uint64_t i = 0; i < count && !e; i++) {
		e = ev_raise_custom(argv[2], data, n, &seq);
		if (!(i & 255) && ev_shell && ev_shell->interrupted && ev_shell->interrupted())
			break;
	}
	if (e) {
		print_to(print, ctx, "event: %s: %s\n", argv[2], e == KR_EPERM ?
			 "timer., vfs., kmod. and irq. events are raised by their sources only" :
			 kr_strerror(e));
		return 1;
	}
	if (count > 1)
		print_to(print, ctx, "event: raised %llu %s events, the last #%llu\n",
			 (unsigned long long)count, argv[2], (unsigned long long)seq);
	return 0;
}

static int cmd_timer(int argc, char **argv, print_fn print, void *ctx)
{
	const char *sub = argc > 1 ? argv[1] : "";
	uint64_t ms = 0;
	char why[160];
	kr_err_t e;

	if (!strcmp(sub, "list") && argc == 2) {
		print_to(print, ctx, "%-16s %10s %10s %8s %8s\n", "TIMER", "EVERY", "NEXT", "FIRED",
			 "MISSED");
		for (int i = 0; i < MAX_TIMERS; i++) {
			const struct timer *t = &ev_timers[i];
			char every[24] = "once";

			if (!t->used)
				continue;
			if (t->period_ms)
				ksnprintf(every, sizeof(every), "%llu ms", (unsigned long long)t->period_ms);
			print_to(print, ctx, "%-16s %10s %7llu ms %8u %8u\n", t->name, every,
				 (unsigned long long)t->due_ms, t->fired, t->missed);
		}
		return 0;
	}
	if (!strcmp(sub, "del") && argc == 3) {
		if (ev_gate && !ev_in_config)
			return ev_commit("events.timer_del", &(struct ecommit){ .name = argv[2] },
					 "timer", print, ctx);
		if (timer_remove(argv[2])) {
			print_to(print, ctx, "timer: no timer %s (see: timer list)\n", argv[2]);
			return 1;
		}
		return 0;
	}
	if (strcmp(sub, "add") || argc != 5 || (strcmp(argv[3], "every") && strcmp(argv[3], "at")) ||
	    !number(argv[4], UINT64_MAX, &ms)) {
		print(ctx, "usage: timer add NAME every MS | at MS (ms since boot); timer del NAME; "
		      "timer list\n");
		return 2;
	}
	if (ev_gate && !ev_in_config)
		return ev_commit("events.timer_add", &(struct ecommit){ .name = argv[2],
				 .every = !strcmp(argv[3], "every"), .ms = ms }, "timer", print, ctx);
	e = timer_add(argv[2], !strcmp(argv[3], "every"), ms, why, sizeof(why));
	if (e) {
		print_to(print, ctx, "timer: %s\n", why);
		return 1;
	}
	return 0;
}

static int cmd_irq(int argc, char **argv, print_fn print, void *ctx)
{
	static const char *const names[] = { "--rtc", "--rate", "--burst", "--debounce" };
	static const uint64_t max[] = { 8192, 100000, 1000, 10000 };
	const char *sub = argc > 1 ? argv[1] : "";
	uint64_t v[4] = { 0, 100, 10, 0 }, line;
	struct bridge_conf c;
	char why[200];

	if (!strcmp(sub, "stat") && argc == 2) {
		print_to(print, ctx, "%-12s %4s %10s %10s %10s %10s %8s\n", "SOURCE", "LINE", "RAISED",
			 "EVENTS", "COALESCED", "DROPPED", "PENDING");
		for (int i = 0; i < MAX_SOURCES; i++) {
			struct bridge_src b;

			if (!ev_sources[i].used)
				continue;
			source_stat(&ev_sources[i], &b);
			print_to(print, ctx, "%-12s %4u %10llu %10llu %10llu %10llu %8u\n",
				 ev_sources[i].name, ev_sources[i].line, (unsigned long long)b.raised,
				 (unsigned long long)b.events, (unsigned long long)b.coalesced,
				 (unsigned long long)b.dropped, b.pending);
		}
		return 0;
	}
	if (!strcmp(sub, "hide") && argc == 3) {
		if (source_remove(argv[2])) {
			print_to(print, ctx, "irq: no source %s (see: irq stat)\n", argv[2]);
			return 1;
		}
		return 0;
	}
	if (strcmp(sub, "expose") || argc < 4 || !number(argv[3], 255, &line) ||
	    !options(argc, argv, 4, names, v, max, 4, print, ctx)) {
		print(ctx, "usage: irq expose NAME LINE [--rtc HZ] [--rate N] [--burst N] "
		      "[--debounce MS]; irq hide NAME; irq stat\n");
		return 2;
	}
	c = (struct bridge_conf){ (uint32_t)v[1], (uint32_t)v[2], (uint32_t)v[3] * 1000 };
	if (source_add(argv[2], (unsigned)line, (uint32_t)v[0], &c, why, sizeof(why))) {
		print_to(print, ctx, "irq: %s\n", why);
		return 1;
	}
	return 0;
}

/* ---- /etc/events ---- */

static void conf_print(void *ctx, const char *s)
{
	const char *where = ctx;

	kr_log(KR_LOG_ERR, "events: %s: %s", where, s);
}

static int run_line(int argc, char **argv, char *where)
{
	const struct kr_event_runner_ops *r;

	if (!strcmp(argv[0], "handler")) {
		r = runner();
		if (argc != 3 || !r) {
			conf_print(where, r ? "usage: handler NAME FILE.c\n" :
				   "no handler runner (the tcc module is not loaded)\n");
			return 1;
		}
		return r->compile(argv[2], argv[1]) ? 1 : 0;
	}
	if (!strcmp(argv[0], "on"))
		return cmd_on(argc, argv, conf_print, where);
	if (!strcmp(argv[0], "off"))
		return cmd_off(argc, argv, conf_print, where);
	if (!strcmp(argv[0], "timer"))
		return cmd_timer(argc, argv, conf_print, where);
	if (!strcmp(argv[0], "irq"))
		return cmd_irq(argc, argv, conf_print, where);
	if (!strcmp(argv[0], "event"))
		return cmd_event(argc, argv, conf_print, where);
	conf_print(where, "not an /etc/events line (handler, on, off, timer, irq, event)\n");
	return 1;
}

void config_load(const char *path)
{
	char *text = kr_malloc(ev_self, CONF_MAX + 1), *line, *next, where[48];
	unsigned lineno = 0, ok = 0, bad = 0;
	size_t got = 0;
	kr_err_t e = text ? ev_vfs ? ev_vfs->read(NULL, path, 0, text, CONF_MAX + 1, &got) :
		     KR_ENOENT : KR_ENOMEM;

	if (e || got > CONF_MAX) {
		if (e != KR_ENOENT)
			kr_log(KR_LOG_ERR, "events: %s: %s\n", path,
			       e ? kr_strerror(e) : "larger than 8 KiB: not read");
		kr_free(ev_self, text);
		return;
	}
	text[got] = '\0';
	ev_in_config = true;            /* genesis: applied, never committed */
	for (line = text; line; line = next) {
		char *argv[WORDS_MAX + 1];
		int argc = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		for (char *p = line; *p && argc <= WORDS_MAX;) {
			while (*p == ' ' || *p == '\t' || *p == '\r')
				*p++ = '\0';
			if (!*p)
				break;
			argv[argc++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
		}
		if (!argc)
			continue;
		ksnprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (argc > WORDS_MAX) {
			conf_print(where, "too many words\n");
			bad++;
			continue;
		}
		argv[argc] = NULL;
		if (run_line(argc, argv, where))
			bad++;
		else
			ok++;
	}
	ev_in_config = false;
	kr_free(ev_self, text);
	kr_log(bad ? KR_LOG_WARN : KR_LOG_INFO, "events: %s: %u lines applied, %u refused\n", path,
	       ok, bad);
}

void ev_genesis(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	config_load("/etc/events");
	ev_genesis_record();
}

static const struct kr_shell_command commands[] = {
	{ "on", "on EVENT HANDLER [--gas N] [--queue N]", "run a handler for events", cmd_on },
	{ "off", "off EVENT HANDLER", "end a subscription", cmd_off },
	{ "events", "events", "subscriptions, their queues and counts", cmd_events },
	{ "event", "event raise NAME [DATA...] [-n COUNT] | bench NAME N", "raise a custom event",
	  cmd_event },
	{ "timer", "timer add NAME every MS | at MS; del NAME; list", "timer events", cmd_timer },
	{ "irq", "irq expose NAME LINE [...]; hide NAME; stat", "the IRQ bridge", cmd_irq },
};

kr_err_t cmds_add(void)
{
	const struct kr_ops_header *h;
	kr_err_t e;
	kr_cap_t c;

	e = kr_service_open(ev_self, "shell", KR_SHELL_SERVICE_VERSION, &c);
	if (!e)
		e = kr_service_ops(ev_self, c, &h);
	if (e) {
		kr_log(KR_LOG_INFO, "events: no shell: no commands (/etc/events still applies)\n");
		return e;
	}
	ev_shell = (const struct kr_shell_ops *)h;
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if ((e = ev_shell->add(kr_domain_id(ev_self), &commands[i])) != KR_OK)
			kr_log(KR_LOG_ERR, "events: cannot add %s to the shell: %s\n",
			       commands[i].name, kr_strerror(e));
	return KR_OK;
}
