/*
 * runner.c - the "runner.handler" service (abi/karyon/sched.h): how the
 * scheduler's work tokens run handlers.
 *
 * A token runs a metered handler (gas charges are its preemption points)
 * in the token's own kernel task, through run.c like the run command, with
 * three differences: at every gas quantum the run calls the scheduler's
 * turn(), which may switch to another token (or say the token is cancelled
 * or out of virtual time); time_us() is the virtual clock; and nothing it
 * does shows before it completes.  Its output is kept for `task show`, and
 * its file writes are kept aside here, in order, and made only if it
 * completes; a violation drops both.  One run of a handler at a time: the
 * scheduler starts no token whose handler another token is running, and
 * the run command waits for neither (it says the handler is busy).
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <krt/libc.h>
#include <karyon/events.h>
#include "gate.h"
#include "tcc.h"

#define STAGED_MAX  (1u << 20)  /* bytes of file writes a token may keep aside */

struct staged {
	struct staged *next;
	bool append;
	bool event;                     /* an event_raise: path holds its kind */
	size_t n;
	char path[GATE_STR_MAX];
	char data[];
};

const struct kr_sched_ops *tcc_sched;

void token_print(void *ctx, const char *s)
{
	struct token *t = ctx;
	size_t n = strlen(s), room = t->out_size - t->out_len;

	if (n > room)
		n = room;               /* the rest is lost; the end says so */
	memcpy(t->out + t->out_len, s, n);
	t->out_len += n;
}

const struct kr_events_ops *events_ops(void)
{
	static const struct kr_events_ops *events;

	if (!events)
		open_service(KR_EVENTS_SERVICE, KR_EVENTS_VERSION, (const void **)&events);
	return events;
}

/* A file write (path) or an event raised (cwd NULL, path its kind), kept
 * aside in order until the run completes. */
kr_err_t token_stage(struct token *t, const char *cwd, const char *path, const void *data,
		     size_t n, bool append)
{
	struct staged *s;
	kr_err_t e = KR_OK;

	if (n > STAGED_MAX - t->staged_bytes)
		return KR_ENOSPC;
	s = kr_malloc(tcc_self, sizeof(*s) + n);
	if (!s)
		return KR_ENOMEM;
	if (cwd)
		e = tcc_vfs->normalize(cwd, path, s->path, sizeof(s->path));
	else if (strlen(path) < sizeof(s->path))
		memcpy(s->path, path, strlen(path) + 1);
	else
		e = KR_ERANGE;
	if (e) {
		kr_free(tcc_self, s);
		return e;
	}
	s->next = NULL;
	s->event = !cwd;
	s->append = append;
	s->n = n;
	memcpy(s->data, data, n);
	*t->tail = s;
	t->tail = &s->next;
	t->staged_bytes += n;
	return KR_OK;
}

/* Make the writes and raise the events (commit) or drop them; free them
 * either way. */
kr_err_t token_unstage(struct token *t, bool commit)
{
	kr_err_t first = KR_OK;

	for (struct staged *s = t->staged, *next; s; s = next) {
		kr_err_t e = !commit ? KR_OK : !s->event ?
			     tcc_vfs->write(NULL, s->path, s->data, s->n, s->append) :
			     events_ops() ? events_ops()->raise(s->path, s->data, s->n, NULL) :
			     KR_ENOSYS;

		if (e && !first)
			first = e;
		next = s->next;
		kr_free(tcc_self, s);
	}
	t->staged = NULL;
	return first;
}

static kr_err_t svc_check(const char *name, char *why, size_t why_size)
{
	struct handler *h = name ? handler_find(name) : NULL;

	if (!h) {
		ksnprintf(why, why_size, "no handler %s (compile it with cc)", name ? name : "");
		return KR_ENOENT;
	}
	if (!h->metered) {
		ksnprintf(why, why_size, "%s has no gas charges (compiled with cc --no-gas): "
			  "a token must be metered", name);
		return KR_EINVAL;
	}
	if (!h->main_entry || (h->mf.present && !(h->mf.contexts & MF_BACKGROUND))) {
		ksnprintf(why, why_size, "%s %s", name, !h->main_entry ? "has no main()" :
			  "declares no background context in its manifest");
		return KR_EPERM;
	}
	return KR_OK;
}

static kr_err_t svc_run(const struct kr_work *w, struct kr_work_result *res, char *out,
			size_t out_size, size_t *out_len)
{
	struct token tok = { .sched = tcc_sched, .quantum = w ? w->quantum : 0, .out = out,
			     .out_size = out_size };
	char *argv[33];
	struct handler *h;
	kr_err_t e;

	if (!w || !res || !out || !out_len || w->version != KR_WORK_VERSION || !w->argc ||
	    w->argc > 32 || !w->quantum || !w->mem_pages || !tcc_sched)
		return KR_EINVAL;
	*res = (struct kr_work_result){ .version = KR_WORK_RESULT_VERSION };
	if (svc_check(w->argv[0], res->detail, sizeof(res->detail)))
		return KR_ENOENT;
	h = handler_find(w->argv[0]);
	if (h->busy) {
		ksnprintf(res->detail, sizeof(res->detail), "%s is running already", h->name);
		return KR_EBUSY;
	}
	for (uint32_t i = 0; i < w->argc; i++)
		argv[i] = (char *)w->argv[i];
	argv[w->argc] = NULL;
	tok.tail = &tok.staged;
	tok.mem_limit = (uint64_t)w->mem_pages * KR_PAGE_SIZE;
	run_token(h, &tok, (int)w->argc, argv, w->gas_limit, res);
	*out_len = tok.out_len;
	e = token_unstage(&tok, res->violation == KR_VIOL_NONE);
	if (e && res->violation == KR_VIOL_NONE)
		ksnprintf(res->detail, sizeof(res->detail), "%s completed, but writing its files "
			  "failed: %s", h->name, kr_strerror(e));
	return KR_OK;
}

static const struct kr_runner_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_RUNNER_VERSION, sizeof(struct kr_runner_ops), 0 },
	.check = svc_check, .run = svc_run,
};

/* Publish the runner if there is a scheduler to turn with. */
kr_err_t runner_publish(void)
{
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (kr_service_open(tcc_self, KR_SCHED_SERVICE, KR_SCHED_VERSION, &c) != KR_OK ||
	    kr_service_ops(tcc_self, c, &h) != KR_OK) {
		kr_log(KR_LOG_INFO, "tcc: no scheduler: handlers cannot run as work tokens\n");
		return KR_OK;
	}
	tcc_sched = (const struct kr_sched_ops *)h;
	return kr_service_publish(tcc_self, "runner.handler", &ops.hdr, &c);
}
