/*
 * work.c - work tokens (work.h): parsing a submission, the queue order,
 * ending a token into the trace, the latency percentiles and the
 * Prometheus text.  Everything here is a function of the submissions and
 * the virtual clock alone: no addresses, no wall clock.
 */
#ifdef WORK_HOST
#include <stdio.h>
#include <string.h>
#define fmt snprintf
#else
#include <karyon/libc.h>
#define fmt ksnprintf
#endif
#include <karyon/sched.h>

#include "work.h"

static int fail(char *err, size_t errsz, const char *msg, const char *arg)
{
	fmt(err, errsz, "%s%s%s", msg, arg ? ": " : "", arg ? arg : "");
	return -1;
}

/* A decimal number, all of s, at most max. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

int work_parse(int argc, char **argv, struct work_req *r, char *err, size_t errsz)
{
	static const struct { const char *name; uint64_t max; } opts[] = {
		{ "--prio", WORK_PRIO_MAX }, { "--gas", 1ull << 50 }, { "--mem", 1u << 20 },
		{ "--after", UINT32_MAX }, { "--time", 1ull << 40 }, { "--quantum", 1ull << 40 },
	};
	bool options = true;

	*r = (struct work_req){ .prio = WORK_DEFAULT_PRIO, .gas = WORK_DEFAULT_GAS,
				.mem_pages = WORK_DEFAULT_MEM, .quantum = WORK_QUANTUM };
	if (argc < 1 || argv[0][0] == '-')
		return fail(err, errsz, "the first argument must be a handler's name", NULL);
	r->argv[r->argc++] = argv[0];
	for (int i = 1; i < argc; i++) {
		unsigned k = sizeof(opts) / sizeof(opts[0]);
		uint64_t v;

		if (options && !strcmp(argv[i], "--")) {
			options = false;
			continue;
		}
		for (unsigned j = 0; options && j < sizeof(opts) / sizeof(opts[0]); j++)
			if (!strcmp(argv[i], opts[j].name))
				k = j;
		if (k == sizeof(opts) / sizeof(opts[0])) {
			if (options && argv[i][0] == '-' && argv[i][1] == '-')
				return fail(err, errsz, "unknown option (put handler arguments "
					    "that start with -- after --)", argv[i]);
			if (r->argc == WORK_ARGS)
				return fail(err, errsz, "too many arguments", NULL);
			r->argv[r->argc++] = argv[i];
			continue;
		}
		if (i + 1 == argc)
			return fail(err, errsz, "the option needs a number", argv[i]);
		if (!parse_u64(argv[++i], opts[k].max, &v) || (k != 0 && k != 3 && v == 0))
			return fail(err, errsz, "bad number for the option", argv[i - 1]);
		if (k == 0)
			r->prio = (uint32_t)v;
		else if (k == 1)
			r->gas = v;
		else if (k == 2)
			r->mem_pages = (uint32_t)v;
		else if (k == 3)
			r->after = (uint32_t)v;
		else if (k == 4)
			r->vtime_us = v;
		else if (v < WORK_QUANTUM_MIN)
			return fail(err, errsz, "--quantum is at least 1000", NULL);
		else
			r->quantum = v;
	}
	return 0;
}

struct work *work_find(struct work_table *t, uint32_t id)
{
	for (int i = 0; id && i < WORK_MAX; i++)
		if (t->w[i].id == id)
			return &t->w[i];
	return NULL;
}

static bool ended(uint32_t state)
{
	return state >= KR_WORK_COMPLETED;
}

int work_submit(struct work_table *t, const struct work_req *r, uint64_t now, uint32_t *id,
		char *err, size_t errsz)
{
	struct work *w = NULL, *oldest = NULL;
	size_t used = 0;

	if (r->after && !work_find(t, r->after))
		return fail(err, errsz, "--after names no token", NULL);
	for (uint32_t i = 0; i < r->argc; i++)
		used += strlen(r->argv[i]) + 1;
	if (used > WORK_ARGTEXT)
		return fail(err, errsz, "the arguments are too long", NULL);
	for (int i = 0; i < WORK_MAX && !w; i++) {
		if (!t->w[i].id)
			w = &t->w[i];
		else if (ended(t->w[i].state) && (!oldest || t->w[i].id < oldest->id))
			oldest = &t->w[i];
	}
	if (!w && oldest) {             /* forget the oldest ended token */
		for (int i = 0; i < WORK_MAX; i++)
			if (t->w[i].after == oldest->id)
				t->w[i].after = 0;
		w = oldest;
	}
	if (!w)
		return fail(err, errsz, "the queue is full", NULL);
	memset(w, 0, sizeof(*w));
	w->id = ++t->next_id;
	w->state = KR_WORK_SCHEDULED;
	w->prio = r->prio;
	w->after = r->after;
	w->gas_limit = r->gas;
	w->vtime_limit = r->vtime_us * 1000;
	w->mem_pages = r->mem_pages;
	w->quantum = r->quantum;
	w->submit_vt = now;
	w->argc = r->argc;
	used = 0;
	for (uint32_t i = 0; i < r->argc; i++) {
		size_t n = strlen(r->argv[i]) + 1;

		memcpy(w->argtext + used, r->argv[i], n);
		used += n;
	}
	*id = w->id;
	return 0;
}

/* Is a token running argv[0] name already? */
static bool running(const struct work_table *t, const char *name)
{
	for (int i = 0; i < WORK_MAX; i++)
		if (t->w[i].id && t->w[i].state == KR_WORK_STARTED && !strcmp(t->w[i].argtext, name))
			return true;
	return false;
}

struct work *work_next(struct work_table *t)
{
	struct work *best = NULL;

	for (int i = 0; i < WORK_MAX; i++) {
		struct work *w = &t->w[i], *a;

		if (!w->id || w->state != KR_WORK_SCHEDULED)
			continue;
		if (w->after && (a = work_find(t, w->after)) && !ended(a->state))
			continue;
		if (running(t, w->argtext))      /* one run of a handler at a time */
			continue;
		if (!best || w->prio > best->prio || (w->prio == best->prio && w->id < best->id))
			best = w;
	}
	return best;
}

void work_start(struct work_table *t, struct work *w, uint64_t now)
{
	w->state = KR_WORK_STARTED;
	w->start_vt = now;
	t->started++;
}

const char *work_state_name(uint32_t state, uint32_t violation)
{
	static const char *const states[] = { "?", "scheduled", "started", "completed",
					      "violated", "cancelled" };
	static const char *const why[] = { "violated", "violated:gas", "violated:memory",
					   "violated:vtime", "violated:capability",
					   "violated:fault", "violated:energy" };

	if (state == KR_WORK_VIOLATED && violation < sizeof(why) / sizeof(why[0]))
		return why[violation];
	return states[state <= KR_WORK_CANCELLED ? state : 0];
}

void work_end(struct work_table *t, struct work *w, uint32_t state, uint64_t now)
{
	char line[160];
	int n;

	w->state = state;
	w->end_vt = now;
	t->gas += w->gas_used;
	if (state == KR_WORK_COMPLETED)
		t->completed++;
	else if (state == KR_WORK_VIOLATED)
		t->violated++;
	else
		t->cancelled++;
	if (state != KR_WORK_CANCELLED || w->start_vt)
		t->lat[t->nlat++ % WORK_LATENCIES] = now - w->submit_vt;
	n = fmt(line, sizeof(line), "%u %s start=%llu end=%llu gas=%llu %s\n", w->id, w->argtext,
		(unsigned long long)w->start_vt, (unsigned long long)w->end_vt,
		(unsigned long long)w->gas_used, work_state_name(state, w->violation));
	if (n > 0 && (size_t)n < sizeof(line) && t->trace_len + (size_t)n < WORK_TRACE) {
		memcpy(t->trace + t->trace_len, line, (size_t)n);
		t->trace_len += (size_t)n;
	} else {
		t->trace_full = true;
	}
}

void work_argv(const struct work *w, const char **out)
{
	const char *p = w->argtext;

	for (uint32_t i = 0; i < w->argc; i++) {
		out[i] = p;
		p += strlen(p) + 1;
	}
	out[w->argc] = NULL;
}

uint32_t work_depth(const struct work_table *t)
{
	uint32_t n = 0;

	for (int i = 0; i < WORK_MAX; i++)
		n += t->w[i].id && !ended(t->w[i].state);
	return n;
}

uint64_t work_percentile(const struct work_table *t, unsigned p)
{
	uint64_t v[WORK_LATENCIES];
	uint32_t n = t->nlat < WORK_LATENCIES ? t->nlat : WORK_LATENCIES, rank;

	if (n == 0 || p == 0 || p > 100)
		return 0;
	for (uint32_t i = 0; i < n; i++) {     /* insertion sort: n is small */
		uint32_t j = i;

		for (; j > 0 && v[j - 1] > t->lat[i]; j--)
			v[j] = v[j - 1];
		v[j] = t->lat[i];
	}
	rank = (p * n + 99) / 100;              /* nearest rank: ceil(p/100 * n) */
	return v[rank ? rank - 1 : 0];
}

size_t work_metrics(const struct work_table *t, uint64_t kernel_tasks, char *buf, size_t size)
{
	static const char *const counters[][2] = {
		{ "karyon_tasks_run_total", "Work tokens started." },
		{ "karyon_tasks_completed_total", "Work tokens completed." },
		{ "karyon_tasks_violated_total", "Work tokens stopped for a violation." },
		{ "karyon_tasks_cancelled_total", "Work tokens cancelled." },
		{ "karyon_gas_consumed_total", "Gas spent by work tokens (1 gas = 1 virtual ns)." },
	};
	const uint64_t values[] = { t->started, t->completed, t->violated, t->cancelled, t->gas };
	uint64_t sum = 0;
	uint32_t n = t->nlat < WORK_LATENCIES ? t->nlat : WORK_LATENCIES;
	size_t len = 0;
	int k;

#define PUT(...) do { \
		k = fmt(buf + len, size - len, __VA_ARGS__); \
		if (k < 0 || (size_t)k >= size - len) \
			return len; \
		len += (size_t)k; \
	} while (0)
	if (!size)
		return 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		PUT("# HELP %s %s\n# TYPE %s counter\n%s %llu\n", counters[i][0], counters[i][1],
		    counters[i][0], counters[i][0], (unsigned long long)values[i]);
	PUT("# HELP karyon_task_queue_depth Work tokens scheduled or started.\n"
	    "# TYPE karyon_task_queue_depth gauge\nkaryon_task_queue_depth %u\n", work_depth(t));
	PUT("# HELP karyon_kernel_tasks Kernel tasks that exist.\n"
	    "# TYPE karyon_kernel_tasks gauge\nkaryon_kernel_tasks %llu\n",
	    (unsigned long long)kernel_tasks);
	for (uint32_t i = 0; i < n; i++)
		sum += t->lat[i];
	PUT("# HELP karyon_task_latency_vtime_us Submission to end, virtual microseconds "
	    "(the last %u tokens).\n# TYPE karyon_task_latency_vtime_us summary\n", WORK_LATENCIES);
	PUT("karyon_task_latency_vtime_us{quantile=\"0.5\"} %llu\n",
	    (unsigned long long)(work_percentile(t, 50) / 1000));
	PUT("karyon_task_latency_vtime_us{quantile=\"0.9\"} %llu\n",
	    (unsigned long long)(work_percentile(t, 90) / 1000));
	PUT("karyon_task_latency_vtime_us{quantile=\"0.99\"} %llu\n",
	    (unsigned long long)(work_percentile(t, 99) / 1000));
	PUT("karyon_task_latency_vtime_us_sum %llu\nkaryon_task_latency_vtime_us_count %u\n",
	    (unsigned long long)(sum / 1000), n);
#undef PUT
	return len;
}

int conf_parse(const char *text, size_t len, uint32_t *foreground, char *err, size_t errsz)
{
	size_t i = 0;
	unsigned lineno = 0;

	*foreground = 1;
	while (i < len) {
		char line[128], *p, *key, *val, *end;
		size_t n = 0;
		uint64_t v;

		lineno++;
		while (i < len && text[i] != '\n') {
			if (n + 1 < sizeof(line))
				line[n++] = text[i];
			i++;
		}
		i++;
		line[n] = '\0';
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (key = line; *key == ' ' || *key == '\t'; key++)
			;
		if (!*key)
			continue;
		if (!(val = strchr(key, '='))) {
			fmt(err, errsz, "line %u: expected key = value", lineno);
			return -1;
		}
		for (end = val; end > key && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		for (val++; *val == ' ' || *val == '\t'; val++)
			;
		for (end = val + strlen(val); end > val && (end[-1] == ' ' || end[-1] == '\t' ||
							  end[-1] == '\r'); end--)
			;
		*end = '\0';
		if (strcmp(key, "foreground")) {
			fmt(err, errsz, "line %u: unknown key \"%s\"", lineno, key);
			return -1;
		}
		if (!parse_u64(val, 16, &v) || v == 0) {
			fmt(err, errsz, "line %u: foreground must be 1 to 16", lineno);
			return -1;
		}
		*foreground = (uint32_t)v;
	}
	return 0;
}
