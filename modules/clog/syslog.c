/*
 * syslog.c - the SysLog: an audit ring of the gateway's calls, each a
 * request (who asked for what) and its response (the result, the commit's
 * seq), in memory.  It is not replayed: the log of commits is the state,
 * this is who asked for it and what they were told; losing it loses
 * nothing.
 */
#include <karyon/libc.h>
#include "clog_int.h"

#define RING 256

static struct entry {
	uint64_t id;            /* 1, 2, ... since boot; 0: unused */
	char who[24];           /* the task that asked ("shell", "ev.h1"), or "boot" */
	char kind[KR_CLOG_KIND_MAX];
	char subject[48];
	bool answered;
	kr_err_t result;
	uint64_t seq;           /* the commit's, 0 if none */
	char why[96];           /* a refusal's reason, cut */
} ring[RING];
static uint64_t next_id = 1;

void payload_subject(const void *payload, uint32_t len, char *out, size_t outlen)
{
	const char *p = payload;
	size_t n = 0;

	for (uint32_t i = 0; p && i < len && p[i] && n + 1 < outlen; i++)
		out[n++] = p[i] >= ' ' && p[i] <= '~' ? p[i] : '?';
	out[n] = '\0';
}

static void task_name(char *out, size_t n)
{
	struct kr_task_info ti;
	uint32_t me = cl_sched ? cl_sched->self() : 0;

	ksnprintf(out, n, "%s", "boot");
	out[n - 1] = '\0';
	for (uint32_t i = 0; me && cl_sched->task_info(i, &ti) == KR_OK; i++)
		if (ti.id == me) {
			ksnprintf(out, n, "%s", ti.name);
			return;
		}
}

unsigned syslog_begin(const char *kind, const void *payload, uint32_t len)
{
	uint64_t id = next_id++;
	struct entry *e = &ring[id % RING];

	memset(e, 0, sizeof(*e));
	e->id = id;
	task_name(e->who, sizeof(e->who));
	ksnprintf(e->kind, sizeof(e->kind), "%s", kind);
	payload_subject(payload, len, e->subject, sizeof(e->subject));
	return (unsigned)(id % RING);
}

void syslog_end(unsigned slot, kr_err_t result, uint64_t seq, const char *why)
{
	struct entry *e = &ring[slot % RING];

	e->answered = true;
	e->result = result;
	e->seq = seq;
	if (why)
		ksnprintf(e->why, sizeof(e->why), "%s", why);
}

void syslog_print(unsigned n, print_fn print, void *ctx)
{
	uint64_t last = next_id - 1, first = last >= n ? last - n + 1 : 1;

	if (last >= RING && first <= last - RING)
		first = last - RING + 1;
	for (uint64_t id = first; id <= last; id++) {
		const struct entry *e = &ring[id % RING];
		char res[96];

		if (e->id != id)
			continue;
		if (!e->answered)
			ksnprintf(res, sizeof(res), "(in progress)");
		else if (!e->result)
			ksnprintf(res, sizeof(res), "ok, commit %llu", (unsigned long long)e->seq);
		else if (e->seq)
			ksnprintf(res, sizeof(res), "commit %llu, then %s", (unsigned long long)e->seq,
				  kr_strerror(e->result));
		else
			ksnprintf(res, sizeof(res), "refused: %s", e->why[0] ? e->why :
				  kr_strerror(e->result));
		print_to(print, ctx, "%6llu %-10s %-14s %-28s %s\n", (unsigned long long)e->id, e->who,
			 e->kind, e->subject, res);
	}
	if (last == 0)
		print(ctx, "syslog: no gateway calls since boot\n");
}
