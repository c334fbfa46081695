/*
 * livetest - a module replaced live in the tests (tests/qemu/test_live.py,
 * <karyon/live.h>), and its user.
 *
 * Built as "livetest" (the default, version 1.0.0) it publishes the
 * service "livetest": a counter and the list of what was added to it, its
 * state for live replacement.  Variants, by define:
 *   LIVE_V2           version 2.0.0 (says so in its answers)
 *   LIVE_FAULT_AT=N   version 2.0.1, whose N-th call of add faults (NULL write)
 *   LIVE_IMPORT_FAIL  version 2.0.2, whose import fails
 *   LIVE_IMPORT_FAULT version 2.0.3, whose import writes through NULL
 *   LIVE_STATE_V2     version 3.0.0, with state version 2 (refused)
 * Built with -DLIVE_USER it is "liveuser", which opens the service once at
 * init, keeps the table, and adds the shell command `liveuse add N|get`:
 * a dependent module that must notice nothing of a replacement.  Its
 * `liveuse write N DIR` starts a task that writes DIR/f0 .. DIR/f(N-1)
 * through the vfs table it kept at init, yielding after each, and
 * `liveuse writes` tells how many were written and failed (the vfs
 * replaced live under a writer, test_live.py live-vfs).
 */
#include <karyon/libc.h>
#include <karyon/live.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/sched.h>
#include <karyon/service.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>

struct livetest_ops {
	struct kr_ops_header hdr;
	uint32_t (*version)(void);
	uint64_t (*add)(uint64_t n);    /* the new total */
	uint64_t (*get)(uint32_t *entries);
};

#ifdef LIVE_USER

static const struct livetest_ops *lt;
static const struct kr_vfs_ops *vfs;
static const struct kr_sched_ops *sched;
static kr_domain_t *user_self;

static struct {
	char dir[64];
	uint32_t n, ok, failed;
	bool running;
	kr_err_t first;
} wr;

static void writer(void *arg)
{
	char path[96], data[32];

	(void)arg;
	for (uint32_t i = 0; i < wr.n; i++) {
		kr_err_t e;

		ksnprintf(path, sizeof(path), "%s/f%u", wr.dir, i);
		ksnprintf(data, sizeof(data), "file %u\n", i);
		e = vfs->write(NULL, path, data, strlen(data), false);
		if (e) {
			wr.failed++;
			wr.first = wr.first ? wr.first : e;
		} else {
			wr.ok++;
		}
		sched->yield();
	}
	wr.running = false;
}

static uint64_t number(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static int liveuse_cmd(int argc, char **argv, void (*print)(void *ctx, const char *s), void *ctx)
{
	char line[96];
	uint32_t n = 0;
	uint64_t total;

	if (argc == 3 && !strcmp(argv[1], "add")) {
		total = lt->add(number(argv[2]));
		ksnprintf(line, sizeof(line), "total %llu (version %u)\n", (unsigned long long)total,
			  lt->version());
		print(ctx, line);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "get")) {
		total = lt->get(&n);
		ksnprintf(line, sizeof(line), "total %llu in %u adds (version %u)\n",
			  (unsigned long long)total, n, lt->version());
		print(ctx, line);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "write") && !wr.running) {
		struct kr_task_spec spec = { .version = KR_TASK_SPEC_VERSION, .prio = KR_PRIO_NORMAL,
					     .fn = writer, .name = "livewriter" };
		uint32_t id;

		wr = (typeof(wr)){ .n = (uint32_t)number(argv[2]), .running = true };
		ksnprintf(wr.dir, sizeof(wr.dir), "%s", argv[3]);
		if (vfs->mkdir(NULL, wr.dir, true) || sched->spawn(user_self, &spec, &id)) {
			wr.running = false;
			print(ctx, "liveuse: cannot start the writer\n");
			return 1;
		}
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "writes")) {
		ksnprintf(line, sizeof(line), "writes: %u ok, %u failed (%s), %s\n", wr.ok, wr.failed,
			  kr_strerror(wr.first), wr.running ? "running" : "done");
		print(ctx, line);
		return 0;
	}
	print(ctx, "usage: liveuse add N | get | write N DIR | writes\n");
	return 1;
}

static const struct kr_shell_command liveuse = {
	"liveuse", "liveuse add N | liveuse get", "call the livetest service (a test module)",
	liveuse_cmd,
};

static kr_err_t user_init(kr_domain_t *self)
{
	const struct kr_ops_header *h;
	kr_cap_t c;
	kr_err_t e;

	user_self = self;
	if ((e = kr_service_open(self, "livetest", 1, &c)) || (e = kr_service_ops(self, c, &h)))
		return e;
	lt = (const struct livetest_ops *)h;
	if ((e = kr_service_open(self, "vfs", KR_VFS_SERVICE_VERSION, &c)) ||
	    (e = kr_service_ops(self, c, &h)))
		return e;
	vfs = (const struct kr_vfs_ops *)h;
	if ((e = kr_service_open(self, KR_SCHED_SERVICE, KR_SCHED_VERSION, &c)) ||
	    (e = kr_service_ops(self, c, &h)))
		return e;
	sched = (const struct kr_sched_ops *)h;
	if ((e = kr_service_open(self, "shell", KR_SHELL_SERVICE_VERSION, &c)) ||
	    (e = kr_service_ops(self, c, &h)))
		return e;
	return ((const struct kr_shell_ops *)h)->add(kr_domain_id(self), &liveuse);
}

KR_MODULE(.name = "liveuser", .version = KR_VERSION(1, 0, 0),
	  .description = "test: a user of the livetest service", .license = "MIT",
	  .author = "Karyon developers", .init = user_init);

#else

#if defined(LIVE_V2)
#define VERSION KR_VERSION(2, 0, 0)
#elif defined(LIVE_FAULT_AT)
#define VERSION KR_VERSION(2, 0, 1)
#elif defined(LIVE_IMPORT_FAIL)
#define VERSION KR_VERSION(2, 0, 2)
#elif defined(LIVE_IMPORT_FAULT)
#define VERSION KR_VERSION(2, 0, 3)
#elif defined(LIVE_STATE_V2)
#define VERSION KR_VERSION(3, 0, 0)
#else
#define VERSION KR_VERSION(1, 0, 0)
#endif
#ifdef LIVE_STATE_V2
#define STATE_VERSION 2
#else
#define STATE_VERSION 1
#endif

#define ENTRIES 64

/* The state: what export writes, as is (both versions agree on it). */
static struct {
	uint64_t total;
	uint32_t n, reserved;
	uint64_t added[ENTRIES];
} st;
static uint32_t calls;

static uint32_t lt_version(void)
{
	return KR_VERSION_MAJOR(VERSION);
}

static uint64_t lt_add(uint64_t n)
{
	calls++;
#ifdef LIVE_FAULT_AT
	if (calls == LIVE_FAULT_AT)
		*(volatile uint64_t *)0 = n;    /* the bug probation must catch */
#endif
	st.total += n;
	if (st.n < ENTRIES)
		st.added[st.n++] = n;
	return st.total;
}

static uint64_t lt_get(uint32_t *entries)
{
	*entries = st.n;
	return st.total;
}

static const struct livetest_ops ops = {
	.hdr = { KR_OPS_MAGIC, 1, sizeof(struct livetest_ops), 0 },
	.version = lt_version, .add = lt_add, .get = lt_get,
};

static uint32_t lt_busy(void)
{
	return 0;
}

static kr_err_t lt_export(void *buf, size_t cap, size_t *len)
{
	*len = sizeof(st);
	if (!buf)
		return KR_OK;
	if (cap < sizeof(st))
		return KR_ERANGE;
	memcpy(buf, &st, sizeof(st));
	return KR_OK;
}

static kr_err_t lt_import(kr_domain_t *self, const void *state, size_t len)
{
	(void)self;
#if defined(LIVE_IMPORT_FAIL)
	(void)state;
	(void)len;
	kr_log(KR_LOG_INFO, "livetest: version 2.0.2 failing its import\n");
	return KR_EIO;
#elif defined(LIVE_IMPORT_FAULT)
	(void)state;
	*(volatile size_t *)0 = len;
	return KR_OK;
#else
	if (len != sizeof(st))
		return KR_EFORMAT;
	memcpy(&st, state, sizeof(st));
	if (st.n > ENTRIES)
		return KR_EFORMAT;
	return KR_OK;
#endif
}

static const struct kr_ops_header *lt_table(const char *service)
{
	return !strcmp(service, "livetest") ? &ops.hdr : NULL;
}

KR_LIVE(.state_version = STATE_VERSION, .busy = lt_busy, .export_state = lt_export,
	.import_state = lt_import, .table = lt_table);

static kr_err_t lt_init(kr_domain_t *self)
{
	kr_cap_t c;
	kr_err_t e;

	if ((e = kr_service_publish(self, "livetest", &ops.hdr, &c)))
		return e;
	return kr_service_publish(self, "live.livetest", &kr_this_live.hdr, &c);
}

KR_MODULE(.name = "livetest", .version = VERSION,
	  .description = "test: a module replaced live", .license = "MIT",
	  .author = "Karyon developers", .init = lt_init);

#endif
