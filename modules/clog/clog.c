/*
 * clog - the commit log module (docs/commit-log.md): one audited gateway
 * for every change of the system's state, a hash-chained CommitLog on the
 * block device, and replay at boot: state = reduce(genesis, commits).
 *
 * At init it opens the "blk" service (no disk: no log, and the system runs
 * as before, its changes lasting until power-off), makes a log on a blank
 * disk or opens the one there (log.c: recovery cuts a torn tail, refuses a
 * damaged middle), opens the owners of state ("state.vfs", "state.kmod",
 * "state.tcc", "state.events"), replays the log onto them (replay.c), and
 * attaches them to the gateway: from then on their mutating calls come
 * here, to gate_commit.
 *
 * Group commit: a commit is queued; the first committer that finds no
 * writer becomes it, and until the queue is empty takes everything queued,
 * stages it, writes and flushes it in one go (clog_sync), then applies
 * each record in seq order and wakes its committer.  Commits that arrive
 * while a flush is under way (other tasks run while the writer waits for
 * the disk) share the next one.  Applying in the writer, in seq order, is
 * what keeps the live state and the log's order the same.
 */
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include "clog_int.h"

kr_domain_t *cl_self;
const struct kr_sched_ops *cl_sched;
struct clog *cl_log;
bool cl_attached;
char cl_device[32];
struct clog_report cl_report;
struct part cl_parts[KR_CLOG_PARTS];

static const struct kr_blk_ops *blk;
static struct kr_blk_info binfo;
static struct clog_dev dev;
static kr_cap_t gate_cap;
static uint64_t commits, flushes;

/* ---- the device: the whole disk, in requests of at most max_sectors,
 * up to the queue's depth in flight ---- */

static kr_err_t dev_rw(uint32_t op, uint64_t lba, uint32_t count, void *buf)
{
	struct kr_blk_req r[16];
	uint32_t depth = binfo.queue_depth < 16 ? binfo.queue_depth : 16;
	kr_err_t first = KR_OK;

	while (count) {
		uint32_t n = 0;

		for (; n < depth && count; n++) {
			uint32_t k = count < binfo.max_sectors ? count : binfo.max_sectors;

			r[n] = (struct kr_blk_req){ KR_BLK_REQ_VERSION, op, .lba = lba, .count = k,
						    .buf = buf };
			if (blk->submit(&r[n]) != KR_OK) {
				if (!first)
					first = r[n].status ? r[n].status : KR_EIO;
				break;
			}
			lba += k;
			count -= k;
			buf = (uint8_t *)buf + (size_t)k * KR_CLOG_SECTOR;
		}
		for (uint32_t i = 0; i < n; i++) {
			blk->wait(&r[i]);
			if (r[i].status && !first)
				first = r[i].status;
		}
		if (first)
			return first;
	}
	return KR_OK;
}

static kr_err_t dev_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	(void)ctx;
	return dev_rw(KR_BLK_READ, lba, count, buf);
}

static kr_err_t dev_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	(void)ctx;
	return dev_rw(KR_BLK_WRITE, lba, count, (void *)buf);
}

static kr_err_t dev_flush(void *ctx)
{
	struct kr_blk_req r = { .version = KR_BLK_REQ_VERSION, .op = KR_BLK_FLUSH };
	kr_err_t e;

	(void)ctx;
	flushes++;
	if (!binfo.flush)
		return KR_OK;   /* no write cache: a completed write is durable */
	e = blk->submit(&r);
	if (!e)
		e = blk->wait(&r);
	return e ? e : r.status;
}

static void *dev_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return kr_malloc(cl_self, n);
}

static void dev_free(void *ctx, void *p)
{
	(void)ctx;
	kr_free(cl_self, p);
}

/* ---- the parts ---- */

int part_of(const char *kind)
{
	for (int i = 0; i < KR_CLOG_PARTS; i++) {
		size_t n = strlen(clog_part_names[i]);

		if (!strncmp(kind, clog_part_names[i], n) && kind[n] == '.')
			return i;
	}
	return -1;
}

/* ---- the gateway ---- */

/* A commit waiting for the writer. */
struct pending {
	struct pending *next;
	const char *kind;
	const void *payload;
	uint32_t len;
	int part;               /* -1: the clog's own record */
	size_t roots_off;       /* not 0: the roots go there (clog_commit_own) */
	void *stage;
	uint32_t task;          /* to wake; 0: none (the writer itself, or boot) */
	bool done;
	kr_err_t result;
	uint64_t seq;
	char *err;
	size_t errlen;
};

static struct pending *queue_head, **queue_tail = &queue_head;
static bool writing;
static uint32_t applying_task;  /* the writer, while it applies: its nested
				 * changes are part of what it applies */
static bool in_apply;

static uint32_t task_self(void)
{
	return cl_sched ? cl_sched->self() : 0;
}

static kr_err_t fill_roots(struct pending *p)
{
	struct kr_clog_roots r;
	struct clog_info i;
	kr_err_t e = roots_of(NULL, &r);

	clog_info(cl_log, &i);
	r.seq = i.head_seq;
	if (!e)
		memcpy((uint8_t *)p->payload + p->roots_off, &r, sizeof(r));
	else
		kr_log(KR_LOG_ERR, "clog: cannot compute the state roots: %s\n", kr_strerror(e));
	return e;
}

/* Write, flush and apply everything queued, batch after batch. */
static void write_queue(void)
{
	writing = true;
	while (queue_head) {
		struct pending *batch = queue_head, *p = batch;
		kr_err_t e = KR_OK;

		/* A record with state roots starts a batch of its own: every
		 * commit before it has been applied when they are computed. */
		if (batch->roots_off)
			e = fill_roots(batch);
		while (p->next && !p->next->roots_off)
			p = p->next;
		queue_head = p->next;
		p->next = NULL;
		if (!queue_head)
			queue_tail = &queue_head;
		for (p = batch; p && !e; p = p->next) {
			e = clog_stage(cl_log, p->kind, p->payload, p->len, &p->seq);
			if (e == KR_EBUSY && p != batch) {
				/* the group is as big as one write may be: the
				 * rest goes first into the next one */
				struct pending *q = batch;

				while (q->next != p)
					q = q->next;
				q->next = NULL;
				for (q = p; q->next; q = q->next)
					;
				q->next = queue_head;
				if (!queue_head)
					queue_tail = &q->next;
				queue_head = p;
				e = KR_OK;
				break;
			}
		}
		if (!e)
			e = clog_sync(cl_log);
		else
			clog_unstage(cl_log);
		if (e) {
			kr_log(KR_LOG_ERR, "clog: %s: %s: the commits of this group are refused\n",
			       cl_device, e == KR_ENOSPC ? "the log is full (checkpoint compact)"
							  : kr_strerror(e));
			e = e == KR_ENOSPC ? KR_ENOSPC : KR_EIO;
		}
		for (p = batch; p; ) {
			struct pending *next = p->next;
			struct kr_commit c = { 1, p->len, p->seq, p->kind, p->payload };

			if (e) {
				if (p->part >= 0 && cl_parts[p->part].ops->drop)
					cl_parts[p->part].ops->drop(p->stage);
				p->seq = 0;
				p->result = e;
			} else {
				commits++;
				cl_since_root++;
				applying_task = task_self();
				in_apply = true;
				p->result = p->part >= 0
					? cl_parts[p->part].ops->apply(NULL, &c, p->stage, 0,
								       p->err, p->errlen)
					: replay_own_live(&c, p->err, p->errlen);
				in_apply = false;
			}
			p->done = true;
			if (p->task && p->task != task_self())
				cl_sched->wake(p->task);
			p = next;
		}
	}
	writing = false;
}

/* Queue p and wait until the writer (perhaps this task) has done it. */
static void enqueue_and_wait(struct pending *p)
{
	p->task = task_self();
	p->next = NULL;
	*queue_tail = p;
	queue_tail = &p->next;
	if (!writing) {
		write_queue();
		return;
	}
	while (!p->done)
		cl_sched->block(0);
}

static void log_line(void *ctx, const char *text)
{
	(void)ctx;
	kr_log(KR_LOG_INFO, "%s", text);
}

/* A log three quarters full compacts itself (checkpoint compact, labelled
 * auto-SEQ), so that it never fills up while the state still fits; one
 * that cannot says so once until it succeeds again. */
static void maybe_compact(void)
{
	static bool failed;
	static uint64_t retry_at;       /* after a failure: try again from here */
	struct clog_info i;
	char label[32];

	clog_info(cl_log, &i);
	if (!cl_attached || i.used_bytes < i.area_bytes / 4 * 3 || i.used_bytes < retry_at)
		return;
	retry_at = i.used_bytes + i.area_bytes / 32;
	ksnprintf(label, sizeof(label), "auto-%llu", (unsigned long long)i.head_seq);
	if (!failed)
		kr_log(KR_LOG_INFO, "clog: %s: the log is %llu%% full: compacting it\n", cl_device,
		       (unsigned long long)(i.used_bytes * 100 / i.area_bytes));
	failed = ckpt_compact(label, failed ? NULL : log_line, NULL) != KR_OK;
	if (!failed)
		retry_at = 0;
}

kr_err_t clog_commit_own(const char *kind, void *payload, uint32_t len, size_t roots_off,
			 uint64_t *seq)
{
	struct pending p = { .kind = kind, .payload = payload, .len = len, .part = -1,
			     .roots_off = roots_off };

	if (!cl_log)
		return KR_ENODEV;
	if (writing && !task_self())
		return KR_EBUSY;        /* outside any task: nothing to wait with */
	enqueue_and_wait(&p);
	if (seq)
		*seq = p.seq;
	return p.result;
}

static kr_err_t gate_commit(const char *kind, const void *payload, uint32_t len, uint64_t *seq,
			    char *err, size_t errlen)
{
	char dummy[1];
	struct pending p = { .kind = kind, .payload = payload, .len = len };
	struct kr_commit c = { 1, len, 0, kind, payload };
	unsigned id;
	kr_err_t e;

	if (seq)
		*seq = 0;
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	p.part = kind ? part_of(kind) : -1;
	if (p.part < 0 || !cl_parts[p.part].ops || (len && !payload) || len > KR_CLOG_PAYLOAD_MAX) {
		ksnprintf(err, errlen, "clog: %s: not a kind any part owns", kind ? kind : "(null)");
		return KR_EINVAL;
	}
	/* A change the writer makes while it applies a commit (a module's
	 * init writing a file as it loads) is that commit's effect: replay
	 * makes it again, so it is not a commit of its own. */
	if (in_apply && task_self() == applying_task)
		return cl_parts[p.part].ops->apply(NULL, &c, NULL, 0, err, errlen);
	id = syslog_begin(kind, payload, len);
	e = cl_parts[p.part].ops->check(&c, &p.stage, err, errlen);
	if (!e && (!cl_attached || (writing && !task_self()))) {
		/* detached meanwhile, or a commit from outside any task while
		 * the writer works: nothing to wait with */
		if (cl_parts[p.part].ops->drop)
			cl_parts[p.part].ops->drop(p.stage);
		e = cl_attached ? KR_EBUSY : KR_EPERM;
	}
	if (e) {
		syslog_end(id, e, 0, err);
		return e;
	}
	p.err = err;
	p.errlen = errlen;
	enqueue_and_wait(&p);
	if (p.result == KR_EIO && !err[0])
		ksnprintf(err, errlen, "not made durable (%s): nothing changed", cl_device);
	syslog_end(id, p.result, p.seq, err);
	if (seq)
		*seq = p.seq;
	if (!p.result && cl_since_root >= ROOT_EVERY && !writing)
		commit_root();
	if (!writing)
		maybe_compact();
	return p.result;
}

kr_err_t clog_status_now(struct kr_clog_status *out)
{
	struct clog_info i;

	if (!out)
		return KR_EINVAL;
	if (!cl_log)
		return KR_ENODEV;
	clog_info(cl_log, &i);
	*out = (struct kr_clog_status){ .version = 1, .epoch = i.epoch, .head_seq = i.head_seq,
					.commits = commits, .flushes = flushes,
					.bytes_used = i.used_bytes,
					.bytes_free = i.area_bytes - i.used_bytes };
	memcpy(out->head_hash, i.head_hash, 32);
	memcpy(out->device, cl_device, sizeof(out->device));
	return KR_OK;
}

static const struct kr_gate_ops gate = {
	.hdr = { KR_OPS_MAGIC, KR_CLOG_SERVICE_VERSION, sizeof(struct kr_gate_ops), 0 },
	.commit = gate_commit, .status = clog_status_now,
};

static void attach_all(bool on)
{
	for (int i = 0; i < KR_CLOG_PARTS; i++)
		if (cl_parts[i].ops && cl_parts[i].ops->attach)
			cl_parts[i].ops->attach(on ? &gate : NULL);
	cl_attached = on;
}

/* ---- the module ---- */

static kr_err_t open_service(const char *name, uint32_t version, const struct kr_ops_header **h)
{
	kr_cap_t c;
	kr_err_t e = kr_service_open(cl_self, name, version, &c);

	if (!e)
		e = kr_service_ops(cl_self, c, h);
	if (!e && ((*h)->magic != KR_OPS_MAGIC || (*h)->size < sizeof(struct kr_ops_header)))
		e = KR_EFORMAT;
	return e;
}

static void open_parts(void)
{
	for (int i = 0; i < KR_CLOG_PARTS; i++) {
		char name[KR_SERVICE_NAME_MAX];
		const struct kr_ops_header *h;

		ksnprintf(name, sizeof(name), "state.%s", clog_part_names[i]);
		if (open_service(name, KR_STATE_SERVICE_VERSION, &h) == KR_OK &&
		    h->size >= sizeof(struct kr_state_ops))
			cl_parts[i].ops = (const struct kr_state_ops *)h;
		else
			kr_log(KR_LOG_INFO, "clog: no %s service: the %s part is not kept\n", name,
			       clog_part_names[i]);
	}
}

/* Open the log on the disk, making one on a blank disk.  A disk that holds
 * something else is left alone. */
static kr_err_t open_log(struct clog_report *rep)
{
	char why[160];
	kr_err_t e = clog_probe(&dev);

	if (e == KR_OK) {
		e = clog_format(&dev, why, sizeof(why));
		if (e) {
			kr_log(KR_LOG_ERR, "clog: %s: cannot make a log: %s\n", cl_device, why);
			return e;
		}
		kr_log(KR_LOG_INFO, "clog: %s: blank disk: a new commit log (%llu MiB)\n", cl_device,
		       (unsigned long long)(dev.sectors / 2048));
	} else if (e == KR_EFORMAT) {
		kr_log(KR_LOG_ERR, "clog: %s holds something that is not a commit log: left alone; "
		       "changes last until power-off (`ledger format` erases it for a log)\n",
		       cl_device);
		return e;
	} else if (e != KR_EEXIST) {
		kr_log(KR_LOG_ERR, "clog: %s: cannot read the superblocks: %s\n", cl_device,
		       kr_strerror(e));
		return e;
	}
	e = clog_open(&dev, &cl_log, rep);
	if (e && !cl_log) {
		kr_log(KR_LOG_ERR, "clog: %s: %s\n", cl_device, rep->why[0] ? rep->why :
		       kr_strerror(e));
		return e;
	}
	if (rep->cut_bytes)
		kr_log(KR_LOG_WARN, "clog: %s: torn tail cut after seq %llu: %llu bytes of an "
		       "unacknowledged write dropped\n", cl_device,
		       (unsigned long long)rep->last_seq, (unsigned long long)rep->cut_bytes);
	return KR_OK;
}

kr_err_t clog_reformat(char *why, size_t whylen)
{
	if (!blk) {
		ksnprintf(why, whylen, "no block device");
		return KR_ENODEV;
	}
	if (cl_attached)
		attach_all(false);
	if (cl_log)
		clog_close(cl_log);
	cl_log = NULL;
	return clog_format(&dev, why, whylen);
}

bool clog_lock(void)
{
	if (writing || !cl_log)
		return false;
	writing = true;
	return true;
}

void clog_unlock(void)
{
	writing = false;
	if (queue_head)
		write_queue();  /* what queued meanwhile */
}

bool clog_has_device(void)
{
	return blk != NULL;
}

static kr_err_t clog_init(kr_domain_t *d)
{
	const struct kr_ops_header *h;
	struct clog_report rep;
	kr_err_t e;

	cl_self = d;
	if (open_service(KR_SCHED_SERVICE, 1, &h) == KR_OK)
		cl_sched = (const struct kr_sched_ops *)h;
	if (open_service(KR_BLK_SERVICE, KR_BLK_VERSION, &h) != KR_OK) {
		kr_log(KR_LOG_INFO, "clog: no block device: no commit log; changes last until "
		       "power-off\n");
		return KR_ENODEV;
	}
	blk = (const struct kr_blk_ops *)h;
	binfo.version = KR_BLK_INFO_VERSION;
	e = blk->info(&binfo);
	if (e || binfo.sector_size != KR_CLOG_SECTOR || !binfo.max_sectors || !binfo.queue_depth) {
		kr_log(KR_LOG_ERR, "clog: the block device has %u-byte sectors; the log needs %u\n",
		       binfo.sector_size, KR_CLOG_SECTOR);
		return e ? e : KR_ENODEV;
	}
	memcpy(cl_device, binfo.name, sizeof(cl_device) - 1);
	dev = (struct clog_dev){ NULL, binfo.sectors, 1024, dev_read, dev_write, dev_flush,
				 dev_alloc, dev_free };
	open_parts();
	cmds_add();
	memset(&rep, 0, sizeof(rep));
	e = open_log(&rep);
	cl_report = rep;
	if (e)
		return KR_OK;   /* loaded, without a log: `ledger format` can make one */
	e = replay_boot(&rep);
	if (e)
		return KR_OK;   /* said why; the log stays readable for ledger inspect/verify */
	attach_all(true);
	e = kr_service_publish(cl_self, "clog", &gate.hdr, &gate_cap);
	if (e)
		kr_log(KR_LOG_ERR, "clog: cannot publish the clog service: %s\n", kr_strerror(e));
	return KR_OK;
}

static void clog_exit(kr_domain_t *d)
{
	(void)d;
	if (cl_attached)
		attach_all(false);
	cmds_remove();
	if (cl_log)
		clog_close(cl_log);
	cl_log = NULL;
}

KR_MODULE(.name = "clog", .version = KR_VERSION(1, 0, 0),
	  .description = "the commit log: one audited gateway, a hash-chained log on disk, "
			 "replay at boot",
	  .license = "MIT", .author = "Karyon developers",
	  .init = clog_init, .exit = clog_exit);
