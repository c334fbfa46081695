/*
 * replay.c - state = reduce(genesis, commits): boot replay, state roots,
 * views of past points, restore and `ledger verify` (checkpoints: ckpt.c).
 *
 * A past point's state is genesis with the commits up to it applied, and
 * a restore record resets the state to an earlier point's: the state at S
 * is the state at the restore's target, then the records after the
 * restore up to S.  segments() turns that into plain ranges of records to
 * apply in order, so no walk of the log ever happens inside another.
 *
 * Views (kr_state_ops view_new/apply/items) let the same records build a
 * past state beside the live one: the genesis views are taken before boot
 * replay touches anything; a checkpoint's view is a copy of them with the
 * commits up to the checkpoint applied.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include "clog_int.h"

#define STOP            KR_EALREADY     /* a walk's callback: past the range */

uint64_t cl_since_root;

static struct restore { uint64_t at, to; } restores[MAX_RESTORES];
static unsigned nrestores;
static uint64_t base_seq;               /* the area's first record */
struct kr_clog_roots cl_genesis_roots;


/* ---- state roots ---- */

static kr_err_t leaf(void *ctx, const char *name, const uint8_t digest[32])
{
	return clog_merkle_leaf(ctx, name, digest);
}

kr_err_t roots_of(void *const views[KR_CLOG_PARTS], struct kr_clog_roots *out)
{
	static struct clog_merkle m;    /* 2 KiB: not on the stack */

	memset(out, 0, sizeof(*out));
	out->version = 1;
	for (int i = 0; i < KR_CLOG_PARTS; i++) {
		const struct kr_state_ops *ops = cl_parts[i].ops;
		kr_err_t e;

		clog_merkle_init(&m);
		if (ops && ops->items) {
			e = ops->items(views ? views[i] : NULL, leaf, &m);
			if (e)
				return e;
		}
		clog_merkle_root(&m, out->part[i]);
	}
	clog_state_root(out->part, out->root);
	return KR_OK;
}

/* The first part whose roots differ, or -1. */
static int first_diff(const struct kr_clog_roots *a, const struct kr_clog_roots *b)
{
	for (int i = 0; i < KR_CLOG_PARTS; i++)
		if (memcmp(a->part[i], b->part[i], 32))
			return i;
	return memcmp(a->root, b->root, 32) ? KR_CLOG_PARTS : -1;
}

static const char *diff_name(int i)
{
	return i < KR_CLOG_PARTS ? clog_part_names[i] : "the root";
}

/* A root-bearing record's payload: subject, then struct kr_clog_roots. */
static bool roots_in(const struct kr_clog_rec *r, const void *payload, struct kr_clog_roots *out,
		     const char **label)
{
	const char *p = payload;
	size_t n = strnlen(p, r->length);

	if (n >= r->length || r->length - n - 1 != sizeof(*out))
		return false;
	memcpy(out, p + n + 1, sizeof(*out));
	if (label)
		*label = p;
	return out->version == 1;
}

kr_err_t commit_root(void)
{
	struct {
		char subject[6];
		struct kr_clog_roots r;
	} __attribute__((packed)) rec = { .subject = "state" };

	cl_since_root = 0;
	return clog_commit_own("clog.root", &rec, sizeof(rec), offsetof(typeof(rec), r), NULL);
}

/* ---- applying ranges of records ---- */

struct apply_ctx {
	void **views;           /* NULL: the live state */
	uint64_t to;
	uint32_t flags;
	uint64_t applied, failed;
	bool check_roots;       /* compare every root-bearing record (ledger verify) */
	uint64_t root_seq;      /* or just this one's (boot) */
	uint64_t roots_checked, roots_bad;
	print_fn print;
	void *pctx;
};

static void report(struct apply_ctx *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct apply_ctx *a, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (a->print)
		a->print(a->pctx, buf);
	else
		kr_log(KR_LOG_WARN, "%s", buf);
}

static kr_err_t apply_one(void *ctx, const struct kr_clog_rec *r, const void *payload,
			  uint64_t off)
{
	struct apply_ctx *a = ctx;
	struct kr_commit c = { 1, r->length, r->seq, r->kind, payload };
	char err[160] = "", subject[64];
	int p;

	(void)off;
	if (r->seq > a->to)
		return STOP;
	if (!strncmp(r->kind, "clog.", 5)) {
		struct kr_clog_roots want, got;

		if ((a->check_roots || r->seq == a->root_seq) &&
		    (!strcmp(r->kind, "clog.root") || !strcmp(r->kind, "clog.checkpoint") ||
		     !strcmp(r->kind, "clog.genesis")) &&
		    roots_in(r, payload, &want, NULL)) {
			int d;

			a->roots_checked++;
			if (roots_of(a->views, &got) == KR_OK && (d = first_diff(&want, &got)) >= 0) {
				a->roots_bad++;
				report(a, "clog: seq %llu: the state root differs from the one "
				       "committed; first diverging part: %s\n",
				       (unsigned long long)r->seq, diff_name(d));
			}
		}
		return KR_OK;
	}
	p = part_of(r->kind);
	if (p < 0 || !cl_parts[p].ops) {
		report(a, "clog: seq %llu: %s: no part in this image owns it\n",
		       (unsigned long long)r->seq, r->kind);
		return KR_ENOENT;
	}
	if (a->views && !a->views[p])
		return KR_OK;   /* the part keeps no views */
	if (cl_parts[p].ops->apply(a->views ? a->views[p] : NULL, &c, NULL, a->flags, err,
				   sizeof(err)) != KR_OK) {
		payload_subject(payload, r->length, subject, sizeof(subject));
		a->failed++;
		report(a, "clog: seq %llu (%s %s) does not apply: %s\n", (unsigned long long)r->seq,
		       r->kind, subject, err[0] ? err : "?");
	} else {
		a->applied++;
	}
	return KR_OK;
}

/* The ranges whose records, applied in order to genesis, give the state at
 * seq s (see the top of the file). */
unsigned segments(uint64_t s, struct seg *out)
{
	struct seg rev[MAX_SEGS];
	unsigned n = 0;
	uint64_t cur = s;

	for (;;) {
		int last = -1;

		for (unsigned i = 0; i < nrestores; i++)
			if (restores[i].at <= cur)
				last = (int)i;
		if (last < 0 || n + 1 >= MAX_SEGS) {
			rev[n++] = (struct seg){ base_seq, cur };
			break;
		}
		if (restores[last].at + 1 <= cur)
			rev[n++] = (struct seg){ restores[last].at + 1, cur };
		cur = restores[last].to;
	}
	for (unsigned i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

static kr_err_t apply_range(struct apply_ctx *a, uint64_t from, uint64_t to)
{
	kr_err_t e;

	if (from > to)
		return KR_OK;
	a->to = to;
	e = clog_walk(cl_log, from, apply_one, a);
	return e == STOP ? KR_OK : e;
}

static kr_err_t apply_upto(struct apply_ctx *a, uint64_t s)
{
	struct seg segs[MAX_SEGS];
	unsigned n = segments(s, segs);
	kr_err_t e = KR_OK;

	for (unsigned i = 0; i < n && !e; i++)
		e = apply_range(a, segs[i].from, segs[i].to);
	return e;
}

/* ---- views ---- */

void views_free(void *views[KR_CLOG_PARTS])
{
	for (int i = 0; i < KR_CLOG_PARTS; i++) {
		if (views[i])
			cl_parts[i].ops->view_free(views[i]);
		views[i] = NULL;
	}
}

/* views := the state at seq s.  KR_ENOMEM, or a walk's error. */
kr_err_t views_at(uint64_t s, void *views[KR_CLOG_PARTS])
{
	struct apply_ctx a = { .views = views, .flags = KR_APPLY_REPLAY };
	kr_err_t e = KR_OK;

	for (int i = 0; i < KR_CLOG_PARTS; i++) {
		views[i] = NULL;
		if (cl_parts[i].genesis && !(views[i] = cl_parts[i].ops->view_new(cl_parts[i].genesis)))
			e = KR_ENOMEM;
	}
	if (!e)
		e = apply_upto(&a, s);
	if (e)
		views_free(views);
	return e;
}

/* ---- boot ---- */

struct scan {
	uint64_t records, last_seq, root_seq;
	bool genesis_ok, first;
	struct kr_clog_roots genesis;
	char why[160];
};

static void index_record(const struct kr_clog_rec *r, const void *payload)
{
	struct kr_clog_roots roots;
	const char *label;

	if (!strcmp(r->kind, "clog.checkpoint") && cl_nckpts < MAX_CKPTS &&
	    roots_in(r, payload, &roots, &label)) {
		struct ckpt *c = &cl_ckpts[cl_nckpts++];

		memset(c, 0, sizeof(*c));
		c->seq = r->seq;
		ksnprintf(c->label, sizeof(c->label), "%s", label);
		c->roots = roots;
	} else if (!strcmp(r->kind, "clog.restore") && r->length >= 9 && nrestores < MAX_RESTORES) {
		uint64_t to;

		memcpy(&to, (const uint8_t *)payload + r->length - 8, 8);
		if (to < r->seq)
			restores[nrestores++] = (struct restore){ r->seq, to };
	}
}

static kr_err_t scan_one(void *ctx, const struct kr_clog_rec *r, const void *payload,
			 uint64_t off)
{
	struct scan *s = ctx;
	struct kr_clog_roots roots;

	(void)off;
	if (s->first) {
		s->first = false;
		if (strcmp(r->kind, "clog.genesis") || !roots_in(r, payload, &s->genesis, NULL)) {
			ksnprintf(s->why, sizeof(s->why), "its first record (seq %llu) is %s, not "
				  "clog.genesis", (unsigned long long)r->seq, r->kind);
			return KR_EFORMAT;
		}
		s->genesis_ok = true;
	}
	s->records++;
	s->last_seq = r->seq;
	if ((!strcmp(r->kind, "clog.root") || !strcmp(r->kind, "clog.checkpoint")) &&
	    roots_in(r, payload, &roots, NULL))
		s->root_seq = r->seq;
	index_record(r, payload);
	return KR_OK;
}

kr_err_t replay_boot(const struct clog_report *rep)
{
	struct scan s = { .first = true };
	struct kr_clog_roots now;
	struct clog_info info;
	kr_err_t e;
	int d;

	cl_nckpts = nrestores = 0;
	clog_info(cl_log, &info);
	base_seq = info.base_seq;
	for (int i = 0; i < KR_CLOG_PARTS; i++)
		if (cl_parts[i].ops && cl_parts[i].ops->view_new && !cl_parts[i].genesis)
			cl_parts[i].genesis = cl_parts[i].ops->view_new(NULL);
	e = roots_of(NULL, &now);
	if (e) {
		kr_log(KR_LOG_ERR, "clog: cannot compute the genesis state root: %s\n",
		       kr_strerror(e));
		return e;
	}
	cl_genesis_roots = now;
	if (!rep->records && !rep->corrupt) {
		struct {
			char subject[8];
			struct kr_clog_roots r;
		} __attribute__((packed)) g = { .subject = "genesis" };

		e = clog_commit_own("clog.genesis", &g, sizeof(g), offsetof(typeof(g), r), NULL);
		if (e)
			kr_log(KR_LOG_ERR, "clog: %s: cannot write the genesis record: %s\n", cl_device,
			       kr_strerror(e));
		return e;
	}
	e = clog_walk(cl_log, base_seq, scan_one, &s);
	if (e && !rep->corrupt) {
		kr_log(KR_LOG_ERR, "clog: %s: the log cannot be replayed: %s\n", cl_device,
		       s.why[0] ? s.why : kr_strerror(e));
		return e;
	}
	if (s.genesis_ok)
		cl_genesis_roots = s.genesis;
	if (s.genesis_ok && (d = first_diff(&s.genesis, &now)) >= 0) {
		kr_log(KR_LOG_ERR, "clog: %s: the log was made on another genesis (%s differs: "
		       "another image?): not replayed; changes last until power-off "
		       "(`ledger format` starts a new log)\n", cl_device, diff_name(d));
		return KR_EFORMAT;
	}
	{
		struct apply_ctx a = { .flags = KR_APPLY_REPLAY, .root_seq = s.root_seq };
		uint64_t last = s.last_seq, t0 = clog_tsc(), t;

		e = apply_upto(&a, last);
		t = clog_tsc() - t0;
		if (rep->corrupt) {
			kr_log(KR_LOG_ERR, "clog: %s: record seq %llu (byte %llu of the log) does not "
			       "verify: %s.  The disk is damaged or the log was tampered with; "
			       "replay stopped after seq %llu (%llu commits applied); nothing "
			       "more is committed (ledger inspect / ledger verify show it)\n",
			       cl_device, (unsigned long long)rep->bad_seq,
			       (unsigned long long)rep->bad_off, rep->why,
			       (unsigned long long)last, (unsigned long long)a.applied);
			return KR_EFORMAT;
		}
		if (e) {
			kr_log(KR_LOG_ERR, "clog: %s: replay stopped: %s\n", cl_device, kr_strerror(e));
			return e;
		}
		kr_log(KR_LOG_INFO, "clog: %s: replayed %llu commits (seq %llu..%llu)%s%s; "
		       "%u checkpoints; %llu TSC (%llu per commit)\n", cl_device,
		       (unsigned long long)a.applied, (unsigned long long)base_seq,
		       (unsigned long long)last,
		       a.roots_checked && !a.roots_bad ? ", state root verified" : "",
		       a.roots_bad ? ", STATE ROOT MISMATCH" : "", cl_nckpts, (unsigned long long)t,
		       (unsigned long long)(a.applied ? t / a.applied : 0));
		cl_since_root = last > s.root_seq ? last - s.root_seq : 0;
	}
	return KR_OK;
}

/* ---- the clog's own records, applied live ---- */

static kr_err_t restore_live(uint64_t to, char *err, size_t errlen)
{
	static const int order[KR_CLOG_PARTS] = { 3, 2, 1, 0 };  /* events, tcc, kmod, vfs */
	struct apply_ctx a = { .flags = KR_APPLY_REPLAY };

	for (int k = 0; k < KR_CLOG_PARTS; k++) {
		const struct kr_state_ops *ops = cl_parts[order[k]].ops;
		kr_err_t e;

		if (ops && ops->reset && (e = ops->reset(err, errlen)) != KR_OK)
			kr_log(KR_LOG_WARN, "clog: restore: %s: %s\n", clog_part_names[order[k]],
			       err[0] ? err : kr_strerror(e));
	}
	return apply_upto(&a, to);
}

kr_err_t replay_own_live(const struct kr_commit *c, char *err, size_t errlen)
{
	struct kr_clog_rec r = { .seq = c->seq, .length = c->length };
	char dummy[1];

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	ksnprintf(r.kind, sizeof(r.kind), "%s", c->kind);
	index_record(&r, c->payload);
	if (!strcmp(c->kind, "clog.restore") && nrestores &&
	    restores[nrestores - 1].at == c->seq)
		return restore_live(restores[nrestores - 1].to, err, errlen);
	return KR_OK;
}

static kr_err_t index_one(void *ctx, const struct kr_clog_rec *r, const void *payload,
			  uint64_t off)
{
	(void)ctx;
	(void)off;
	index_record(r, payload);
	return KR_OK;
}

kr_err_t reindex(void)
{
	struct clog_info info;

	cl_nckpts = nrestores = 0;
	cl_since_root = 0;
	clog_info(cl_log, &info);
	base_seq = info.base_seq;
	return clog_walk(cl_log, base_seq, index_one, NULL);
}

/* ---- ledger verify ---- */

struct chain {
	uint64_t records;
};

static kr_err_t count_one(void *ctx, const struct kr_clog_rec *r, const void *payload,
			  uint64_t off)
{
	(void)r;
	(void)payload;
	(void)off;
	((struct chain *)ctx)->records++;
	return KR_OK;
}

kr_err_t ledger_verify(print_fn print, void *ctx)
{
	void *views[KR_CLOG_PARTS] = { 0 };
	struct apply_ctx a = { .views = views, .flags = KR_APPLY_REPLAY, .check_roots = true,
			       .print = print, .pctx = ctx };
	struct chain ch = { 0 };
	struct clog_info info;
	uint64_t cur;
	kr_err_t e;

	if (!cl_log)
		return KR_ENODEV;
	clog_info(cl_log, &info);
	e = clog_walk(cl_log, info.base_seq, count_one, &ch);
	if (!e && info.corrupt) {
		print_to(print, ctx, "ledger verify: the chain breaks at seq %llu (byte %llu of the "
			 "log) after %llu good records: %s\n", (unsigned long long)cl_report.bad_seq,
			 (unsigned long long)cl_report.bad_off, (unsigned long long)ch.records,
			 cl_report.why);
		return KR_EFORMAT;
	}
	if (e) {
		print_to(print, ctx, "ledger verify: the chain breaks after %llu records: %s\n",
			 (unsigned long long)ch.records, kr_strerror(e));
		return e;
	}
	print_to(print, ctx, "ledger verify: chain: %llu records, seq %llu..%llu, every hash and "
		 "link verifies\n", (unsigned long long)ch.records,
		 (unsigned long long)info.base_seq, (unsigned long long)info.head_seq);
	/* every state root, at its point: genesis, then record by record,
	 * jumping to the target's state at each restore */
	e = views_at(info.base_seq - 1, views);
	cur = info.base_seq;
	for (unsigned i = 0; !e && i <= nrestores; i++) {
		uint64_t end = i < nrestores ? restores[i].at - 1 : info.head_seq;

		e = apply_range(&a, cur, end);
		if (!e && i < nrestores) {
			views_free(views);
			e = views_at(restores[i].to, views);
			cur = restores[i].at + 1;
		}
	}
	views_free(views);
	if (e) {
		print_to(print, ctx, "ledger verify: cannot rebuild the states: %s\n",
			 kr_strerror(e));
		return e;
	}
	print_to(print, ctx, "ledger verify: %llu state roots rechecked, %llu differ%s\n",
		 (unsigned long long)a.roots_checked, (unsigned long long)a.roots_bad,
		 a.roots_bad ? "" : ": the log verifies");
	return a.roots_bad ? KR_EFORMAT : KR_OK;
}
