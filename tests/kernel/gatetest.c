/*
 * gatetest - a stand-in for the clog module (tests/qemu/test_clog_parts.py)
 * over the owners' "state.kmod", "state.tcc" and "state.events": an
 * in-memory gateway that checks, records and applies as the clog module
 * does, without a disk.
 *
 * At init it takes a genesis view of each part, replays /etc/gatetest.log
 * (records: kind NUL, u32 LE length, payload) with KR_APPLY_REPLAY as the
 * clog module replays its log at boot (its kmod.load records are nested
 * loads), then attaches.  The command `gatetest`:
 *	items		every part's items (PART NAME first 8 bytes of digest)
 *	views		the genesis view with every record applied, against
 *			the live items: "PART: view agrees" or where not
 *	replay		reset every part, replay every record (restore)
 */
#include <karyon/clog.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>

#define PARTS 3
#define RECS 64

static kr_domain_t *self;
static const char *const names[PARTS] = { "kmod", "tcc", "events" };
static const struct kr_state_ops *parts[PARTS];
static void *genesis[PARTS];
static struct rec {
	char kind[KR_CLOG_KIND_MAX];
	uint32_t len;
	void *payload;
} recs[RECS];
static unsigned nrecs;
static bool applying;
static uint64_t seq;

static int part_of(const char *kind)
{
	for (int i = 0; i < PARTS; i++) {
		size_t n = strlen(names[i]);

		if (parts[i] && !strncmp(kind, names[i], n) && kind[n] == '.')
			return i;
	}
	return -1;
}

static kr_err_t commit(const char *kind, const void *payload, uint32_t len, uint64_t *sq,
		       char *err, size_t errlen)
{
	struct kr_commit c = { 1, len, 0, kind, payload };
	int p = part_of(kind);
	void *stage = NULL;
	kr_err_t e;

	if (p < 0 || strlen(kind) >= KR_CLOG_KIND_MAX) {
		ksnprintf(err, errlen, "gatetest: no part owns %s", kind);
		return KR_EINVAL;
	}
	if (applying)           /* part of the commit being applied */
		return parts[p]->apply(NULL, &c, NULL, 0, err, errlen);
	if ((e = parts[p]->check(&c, &stage, err, errlen)) != KR_OK)
		return e;
	if (nrecs == RECS || !(recs[nrecs].payload = kr_malloc(self, len ? len : 1))) {
		parts[p]->drop(stage);
		ksnprintf(err, errlen, "gatetest: log full");
		return KR_EIO;
	}
	memcpy(recs[nrecs].kind, kind, strlen(kind) + 1);
	memcpy(recs[nrecs].payload, payload, len);
	recs[nrecs++].len = len;
	c.seq = ++seq;
	kr_log(KR_LOG_INFO, "gatetest: commit %llu %s %s\n", (unsigned long long)c.seq, kind,
	       (const char *)payload);
	applying = true;
	e = parts[p]->apply(NULL, &c, stage, 0, err, errlen);
	applying = false;
	if (sq)
		*sq = c.seq;
	return e;
}

static kr_err_t status(struct kr_clog_status *out)
{
	(void)out;
	return KR_ENOSYS;
}

static const struct kr_gate_ops gate = {
	.hdr = { KR_OPS_MAGIC, KR_CLOG_SERVICE_VERSION, sizeof(struct kr_gate_ops), 0 },
	.commit = commit, .status = status,
};

static void replay_one(const struct rec *r)
{
	struct kr_commit c = { 1, r->len, ++seq, r->kind, r->payload };
	int p = part_of(r->kind);
	char err[160] = "";
	kr_err_t e = p < 0 ? KR_EINVAL : parts[p]->apply(NULL, &c, NULL, KR_APPLY_REPLAY, err,
							   sizeof(err));

	kr_log(KR_LOG_INFO, "gatetest: replay %s %s: %s%s%s\n", r->kind, (const char *)r->payload,
	       kr_strerror(e), err[0] ? ": " : "", err);
}

/* /etc/gatetest.log into recs[], each replayed as it is read. */
static void replay_file(const struct kr_vfs_ops *vfs)
{
	struct kr_vfs_stat st;
	uint8_t *buf;
	size_t got, off = 0;

	if (vfs->stat(NULL, "/etc/gatetest.log", &st) || !(buf = kr_malloc(self, st.size + 1)) ||
	    vfs->read(NULL, "/etc/gatetest.log", 0, buf, st.size, &got))
		return;
	while (off < got && nrecs < RECS) {
		size_t k = strnlen((char *)buf + off, got - off);
		uint32_t len;

		if (k == got - off || k >= KR_CLOG_KIND_MAX || got - off - k - 1 < 4)
			break;
		memcpy(recs[nrecs].kind, buf + off, k + 1);
		off += k + 1;
		len = buf[off] | buf[off + 1] << 8 | buf[off + 2] << 16 | (uint32_t)buf[off + 3] << 24;
		off += 4;
		if (len > got - off || !(recs[nrecs].payload = kr_malloc(self, len ? len : 1)))
			break;
		memcpy(recs[nrecs].payload, buf + off, len);
		recs[nrecs].len = len;
		off += len;
		replay_one(&recs[nrecs++]);
	}
	kr_free(self, buf);
}

struct out {
	void (*print)(void *ctx, const char *s);
	void *ctx;
	const char *part;
	char line[200];
};

static kr_err_t print_item(void *ctx, const char *name, const uint8_t d[32])
{
	struct out *o = ctx;

	ksnprintf(o->line, sizeof(o->line), "%s %s %02x%02x%02x%02x%02x%02x%02x%02x\n", o->part,
		  name, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
	o->print(o->ctx, o->line);
	return KR_OK;
}

/* Items of two sources collected as text, compared. */
struct collect {
	char text[4096];
	size_t n;
};

static kr_err_t collect_item(void *ctx, const char *name, const uint8_t d[32])
{
	struct collect *c = ctx;

	if (c->n < sizeof(c->text))
		c->n += ksnprintf(c->text + c->n, sizeof(c->text) - c->n, "%s %02x%02x%02x%02x\n",
				  name, d[0], d[1], d[2], d[3]);
	return KR_OK;
}

static int cmd(int argc, char **argv, void (*print)(void *ctx, const char *s), void *ctx)
{
	static struct collect a, b;
	struct out o = { .print = print, .ctx = ctx };
	char err[160];

	if (argc == 2 && !strcmp(argv[1], "items")) {
		for (int i = 0; i < PARTS; i++)
			if (parts[i]) {
				o.part = names[i];
				parts[i]->items(NULL, print_item, &o);
			}
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "views")) {
		for (int i = 0; i < PARTS; i++) {
			void *v = parts[i] ? parts[i]->view_new(genesis[i]) : NULL;

			if (!v)
				continue;
			for (unsigned r = 0; r < nrecs; r++) {
				struct kr_commit c = { 1, recs[r].len, r + 1, recs[r].kind,
						       recs[r].payload };

				if (part_of(recs[r].kind) == i &&
				    parts[i]->apply(v, &c, NULL, KR_APPLY_REPLAY, err, sizeof(err))) {
					ksnprintf(o.line, sizeof(o.line), "%s view error: %s\n", names[i], err);
					print(ctx, o.line);
				}
			}
			a.n = b.n = 0;
			parts[i]->items(v, collect_item, &a);
			parts[i]->items(NULL, collect_item, &b);
			parts[i]->view_free(v);
			ksnprintf(o.line, sizeof(o.line), "%s view %s\n", names[i],
				  a.n == b.n && !memcmp(a.text, b.text, a.n) ? "agrees" : "differs");
			print(ctx, o.line);
			if (a.n != b.n || memcmp(a.text, b.text, a.n)) {
				print(ctx, a.text);
				print(ctx, "--- live:\n");
				print(ctx, b.text);
			}
		}
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "replay")) {
		for (int i = PARTS - 1; i >= 0; i--) {  /* events, tcc, kmod: users first */
			err[0] = '\0';
			if (parts[i] && parts[i]->reset(err, sizeof(err))) {
				ksnprintf(o.line, sizeof(o.line), "%s reset: %s\n", names[i], err);
				print(ctx, o.line);
			}
		}
		for (unsigned r = 0; r < nrecs; r++)
			replay_one(&recs[r]);
		print(ctx, "gatetest: replayed\n");
		return 0;
	}
	print(ctx, "usage: gatetest items | views | replay\n");
	return 2;
}

static const struct kr_shell_command command = { "gatetest", "gatetest items|views|replay",
						 "the commit log's stand-in", cmd };

static const void *open_ops(const char *name, uint32_t version)
{
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (kr_service_open(self, name, version, &c) || kr_service_ops(self, c, &h))
		return NULL;
	return h;
}

static kr_err_t gatetest_init(kr_domain_t *d)
{
	const struct kr_shell_ops *shell;
	const struct kr_vfs_ops *vfs;
	char name[32];

	self = d;
	for (int i = 0; i < PARTS; i++) {
		ksnprintf(name, sizeof(name), "state.%s", names[i]);
		parts[i] = open_ops(name, KR_STATE_SERVICE_VERSION);
		genesis[i] = parts[i] ? parts[i]->view_new(NULL) : NULL;
		kr_log(KR_LOG_INFO, "gatetest: %s %s\n", name, parts[i] ? "open" : "missing");
	}
	if ((vfs = open_ops("vfs", KR_VFS_SERVICE_VERSION)))
		replay_file(vfs);
	for (int i = 0; i < PARTS; i++)
		if (parts[i])
			parts[i]->attach(&gate);
	if ((shell = open_ops("shell", KR_SHELL_SERVICE_VERSION)))
		shell->add(kr_domain_id(self), &command);
	kr_log(KR_LOG_INFO, "gatetest: attached, %u records replayed\n", nrecs);
	return KR_OK;
}

static void gatetest_exit(kr_domain_t *d)
{
	(void)d;
	for (int i = 0; i < PARTS; i++)
		if (parts[i])
			parts[i]->attach(NULL);
}

KR_MODULE(.name = "gatetest", .version = KR_VERSION(1, 0, 0),
	  .description = "the commit log's stand-in for the owners' tests",
	  .license = "MIT", .author = "Karyon developers", .init = gatetest_init,
	  .exit = gatetest_exit);
