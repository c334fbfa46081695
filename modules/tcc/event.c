/*
 * event.c - event handlers: the "runner.event" service (<karyon/events.h>)
 * the events module delivers through, and handlers' snapshots.
 *
 * An event run is a work token's run (run.c) with the event as its
 * argument: on_event(ev) is entered through the library's __karyon_event,
 * it runs to completion (gas charges refill the quantum, nothing yields),
 * what it prints goes to the console, its file writes are kept aside and
 * made only if it returns, and its gas advances the virtual clock.
 *
 * Snapshots.  A handler's globals are its data region.  The snapshot is a
 * copy of that region as the last good event run left it: a run that
 * returns is copied into it; a run that faults, runs out of gas, aborts or
 * calls outside its grants has the region copied back from it.  So the
 * next run starts from the live region as it is (a warm start: nothing is
 * copied before on_event), unless something else ran in between (`run`, a
 * token: they reset the region) and it is copied back first.  A new
 * compile keeps the snapshot only if the source and the declared version
 * are the same; else it starts from the globals as compiled.
 */
#include <karyon/console.h>
#include <karyon/events.h>
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <krt/libc.h>
#include "cc.h"
#include "tcc.h"

#define EVENT_QUANTUM   (1ull << 24)    /* gas between two gas_out calls, at most */
#define EVENT_MEM       (16u << 20)     /* heap an event run may hold */

static uint8_t *data_of(const struct handler *h)
{
	return h->img.base + h->img.data_off;
}

void snapshot_new(struct handler *h, const struct handler *old)
{
	size_t n = h->img.data_size;

	h->snap = NULL;
	h->warm = false;
	h->ev_runs = h->ev_failed = 0;
	if (!h->event_entry)
		return;
	h->snap = kr_malloc(h->dom, n ? n : 1);
	if (!h->snap)
		return;                 /* no snapshot: deliver refuses, and says so */
	if (old && old->snap && old->event_entry && !memcmp(old->version, h->version, 8) &&
	    old->mf.version == h->mf.version && old->img.data_size == n) {
		memcpy(h->snap, old->warm ? data_of(old) : old->snap, n);
		memcpy(data_of(h), h->snap, n);
		h->ev_runs = old->ev_runs;
		h->ev_failed = old->ev_failed;
	} else {
		memcpy(h->snap, h->data_copy, n);
	}
	h->warm = true;
}

static void console_print(void *ctx, const char *s)
{
	(void)ctx;
	kr_console_write(s, strlen(s));
}

static kr_err_t deliver(const char *name, const struct kr_event *ev, uint64_t gas,
		        struct kr_work_result *res, uint64_t *entry_tsc)
{
	struct token tok = { .sched = tcc_sched, .event = ev, .quantum = EVENT_QUANTUM,
			     .mem_limit = EVENT_MEM };
	struct handler *h;
	size_t n;

	*entry_tsc = 0;
	*res = (struct kr_work_result){ .version = KR_WORK_RESULT_VERSION };
	if (!name || !ev || ev->version != KR_EVENT_VERSION || !gas || !tcc_sched) {
		ksnprintf(res->detail, sizeof(res->detail), "bad delivery");
		return KR_EINVAL;
	}
	h = handler_find(name);
	if (!h) {
		ksnprintf(res->detail, sizeof(res->detail), "no handler %s", name);
		return KR_ENOENT;
	}
	if (!h->event_entry || !h->mf.present || !h->snap ||
	    !manifest_sees(&h->mf, ev->kind, ev->data)) {
		ksnprintf(res->detail, sizeof(res->detail), "%s %s", name,
			  !h->event_entry || !h->mf.present ? "is not an event handler" :
			  !h->snap ? "has no snapshot (out of memory at cc)" :
			  "may not see this event (its manifest)");
		return KR_EPERM;
	}
	if (h->busy) {
		ksnprintf(res->detail, sizeof(res->detail), "%s is running", name);
		return KR_EBUSY;
	}
	n = h->img.data_size;
	if (!h->warm)                   /* `run` or a token reset its globals */
		memcpy(data_of(h), h->snap, n);
	tok.tail = &tok.staged;
	run_token(h, &tok, 0, NULL, gas, res);
	*entry_tsc = tok.t_main;
	if (res->violation == KR_VIOL_NONE) {
		memcpy(h->snap, data_of(h), n);
		h->ev_runs++;
		token_unstage(&tok, true);
	} else {
		memcpy(data_of(h), h->snap, n);
		h->ev_failed++;
		token_unstage(&tok, false);
	}
	h->warm = true;
	if (tcc_sched->hdr.version >= 3)
		tcc_sched->charge(res->gas_used);
	return KR_OK;
}

static kr_err_t svc_admit(const char *name, const char *pattern, char *why, size_t why_size)
{
	const struct handler *h = name ? handler_find(name) : NULL;
	char mf[160];

	if (!why || !why_size)
		return KR_EINVAL;
	why[0] = '\0';
	if (!h) {
		ksnprintf(why, why_size, "no handler %s (compile it with cc)", name ? name : "");
		return KR_ENOENT;
	}
	if (!pattern || event_pattern_check(pattern, why, why_size))
		return KR_EINVAL;
	if (!h->mf.present || !h->event_entry || !(h->mf.contexts & MF_BACKGROUND) ||
	    !h->metered) {
		ksnprintf(why, why_size, "%s %s", name,
			  !h->mf.present ? "has no manifest (KR_MANIFEST in <karyon/handler.h>)" :
			  !h->event_entry ? "has no on_event()" :
			  !(h->mf.contexts & MF_BACKGROUND) ?
			  "declares no background context in its manifest" :
			  "has no gas charges (compiled with cc --no-gas)");
		return KR_EPERM;
	}
	if (!manifest_allows(&h->mf, pattern)) {
		manifest_format(&h->mf, mf, sizeof(mf));
		ksnprintf(why, why_size, "%s's manifest does not cover %s (%s)", name, pattern, mf);
		return KR_EPERM;
	}
	return KR_OK;
}

static kr_err_t svc_deliver(const char *name, const struct kr_event *ev, uint64_t gas,
			    struct kr_event_result *out)
{
	struct kr_work_result r;
	kr_err_t e;

	if (!out)
		return KR_EINVAL;
	e = deliver(name, ev, gas, &r, &out->entry_tsc);
	out->version = KR_EVENT_RESULT_VERSION;
	out->violation = r.violation;
	out->exit_code = r.exit_code;
	out->reserved = 0;
	out->gas_used = r.gas_used;
	memcpy(out->detail, r.detail, sizeof(out->detail));
	return e;
}

static kr_err_t svc_compile(const char *file, const char *name)
{
	char *argv[] = { "cc", (char *)file, "-o", (char *)name, NULL };

	if (!file || !name || !*file || !*name)
		return KR_EINVAL;
	/* /etc/events' `handler` lines: genesis, compiled at every boot, so
	 * never a commit. */
	return cc_run(4, argv, true, console_print, NULL) ? KR_EINVAL : KR_OK;
}

static const struct kr_event_runner_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_EVENT_RUNNER_VERSION, sizeof(struct kr_event_runner_ops), 0 },
	.admit = svc_admit, .deliver = svc_deliver, .compile = svc_compile,
};

kr_err_t event_publish(void)
{
	kr_cap_t c;

	if (!tcc_sched)
		return KR_OK;           /* runner_publish said why */
	return kr_service_publish(tcc_self, KR_EVENT_RUNNER_SERVICE, &ops.hdr, &c);
}

/* ---- snapshot list | show NAME | reset NAME ---- */

static void digest_hex(const struct handler *h, char *out, size_t bytes)
{
	uint8_t d[KR_BLAKE2B_256_LEN];

	if (kr_blake2b_256(d, h->snap, h->img.data_size) != KR_OK)
		memset(d, 0, sizeof(d));
	for (size_t i = 0; i < bytes && i < sizeof(d); i++)
		ksnprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* -v: what copying the snapshot back costs (a failed run, or an event
 * after `run`), timed on a scratch copy; under QEMU -icount shift=0 the
 * TSC counts guest instructions (tools/bench_events.py). */
static void restore_cost(const struct handler *h, print_fn print, void *ctx)
{
	size_t n = h->img.data_size, pages = (n + KR_PAGE_SIZE - 1) / KR_PAGE_SIZE;
	void *scratch = n ? kr_malloc(tcc_self, n) : NULL;
	uint64_t t0, t1;

	if (!scratch)
		return;
	memcpy(scratch, h->snap, n);    /* both warm in the cache, as at a restore */
	t0 = tsc();
	memcpy(scratch, h->snap, n);
	t1 = tsc();
	kr_free(tcc_self, scratch);
	print_to(print, ctx, "restore  %llu TSC cycles for %llu pages: %llu per 4 KiB page\n",
		 (unsigned long long)(t1 - t0), (unsigned long long)pages,
		 (unsigned long long)((t1 - t0) / pages));
}

int cmd_snapshot(int argc, char **argv, print_fn print, void *ctx)
{
	bool verbose = argc == 4 && !strcmp(argv[1], "show") && !strcmp(argv[2], "-v");
	const char *sub = argc > 1 ? argv[1] : "";
	struct handler *h;
	char dg[65], mf[200];

	if (verbose) {                  /* snapshot show -v NAME */
		argv[2] = argv[3];
		argc = 3;
	}
	h = argc == 3 ? handler_find(argv[2]) : NULL;

	if (!strcmp(sub, "list") && argc == 2) {
		print_to(print, ctx, "%-20s %8s %8s %8s %6s  %s\n", "HANDLER", "BYTES", "VERSION",
			 "RUNS", "FAILED", "DIGEST");
		for (int i = 0; i < MAX_HANDLERS; i++) {
			h = &tcc_handlers[i];
			if (!h->used || !h->snap)
				continue;
			digest_hex(h, dg, 8);
			print_to(print, ctx, "%-20s %8llu %8u %8llu %6llu  %s\n", h->name,
				 (unsigned long long)h->img.data_size, h->mf.version,
				 (unsigned long long)h->ev_runs, (unsigned long long)h->ev_failed, dg);
		}
		return 0;
	}
	if ((strcmp(sub, "show") && strcmp(sub, "reset")) || argc != 3) {
		print(ctx, "usage: snapshot list | show [-v] HANDLER | reset HANDLER\n");
		return 2;
	}
	if (!h || !h->snap) {
		print_to(print, ctx, "snapshot: %s %s\n", argv[2],
			 h ? "is not an event handler (no on_event and manifest)" :
			 "is not a handler (see: handlers)");
		return 1;
	}
	if (!strcmp(sub, "reset")) {
		if (h->busy) {
			print_to(print, ctx, "snapshot: %s is running; reset it when it ends\n",
				 h->name);
			return 1;
		}
		memcpy(h->snap, h->data_copy, h->img.data_size);
		memcpy(data_of(h), h->snap, h->img.data_size);
		h->warm = true;
		h->ev_runs = h->ev_failed = 0;
		print_to(print, ctx, "snapshot: %s: globals back to how they were compiled\n",
			 h->name);
		return 0;
	}
	digest_hex(h, dg, 32);
	manifest_format(&h->mf, mf, sizeof(mf));
	print_to(print, ctx, "handler  %s\nsize     %llu bytes (%llu pages)\nversion  %u "
		 "(source %02x%02x%02x%02x%02x%02x%02x%02x)\nruns     %llu kept, %llu dropped\n",
		 h->name, (unsigned long long)h->img.data_size,
		 (unsigned long long)((h->img.data_size + KR_PAGE_SIZE - 1) / KR_PAGE_SIZE),
		 h->mf.version, h->version[0], h->version[1], h->version[2], h->version[3],
		 h->version[4], h->version[5], h->version[6], h->version[7],
		 (unsigned long long)h->ev_runs, (unsigned long long)h->ev_failed);
	print_to(print, ctx, "digest   %s\nmanifest %s\n", dg, mf);
	if (verbose)
		restore_cost(h, print, ctx);
	return 0;
}
