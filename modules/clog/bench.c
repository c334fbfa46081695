/*
 * bench.c - `ledger bench`: what a commit costs (tools/bench_clog.py runs
 * them under -icount, where the TSC counts guest instructions, and
 * docs/benchmarks.md records the figures).
 *
 *   ledger bench append N SIZE   N records of SIZE payload bytes staged and
 *                                synced as one group, against BLAKE2b-256
 *                                of the same bytes in the same run
 *   ledger bench group TASKS N   TASKS tasks committing N records each at
 *                                once: commits per flush (group commit)
 *   ledger bench files N         N files written through the vfs service,
 *                                each a real vfs.write commit (for the
 *                                replay figure of the next boot)
 *
 * The records the first two write are "clog.bench": in the log like any
 * other, skipped by replay.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/hash.h>
#include <karyon/vfs.h>
#include "clog_int.h"

static int bench_append(uint64_t n, uint64_t size, print_fn print, void *ctx)
{
	uint8_t *buf = kr_malloc(cl_self, size + 128), digest[32];
	uint64_t t0, t1, t2, t3, seq;
	kr_err_t e = KR_OK;

	if (!buf)
		return KR_ENOMEM;
	memset(buf, 'b', size + 128);
	memcpy(buf, "bench", 6);
	if (!clog_lock()) {
		kr_free(cl_self, buf);
		return KR_EBUSY;
	}
	t0 = clog_tsc();
	for (uint64_t i = 0; i < n && !e; i++)
		e = clog_stage(cl_log, "clog.bench", buf, (uint32_t)size, &seq);
	t1 = clog_tsc();
	if (!e)
		e = clog_sync(cl_log);
	else
		clog_unstage(cl_log);
	t2 = clog_tsc();
	clog_unlock();
	/* the same bytes hashed the same way: header-sized prefix + payload */
	for (uint64_t i = 0; i < n; i++)
		kr_blake2b_256(digest, buf, size + 128);
	t3 = clog_tsc();
	kr_free(cl_self, buf);
	if (e)
		return e;
	print_to(print, ctx, "ledger bench append: %llu records of %llu bytes: stage %llu TSC "
		 "(%llu per record), write+flush %llu TSC, BLAKE2b-256 of the same bytes %llu TSC; "
		 "append/hash speed %llu.%02llu\n", (unsigned long long)n, (unsigned long long)size,
		 (unsigned long long)(t1 - t0), (unsigned long long)((t1 - t0) / n),
		 (unsigned long long)(t2 - t1), (unsigned long long)(t3 - t2),
		 (unsigned long long)((t3 - t2) / (t1 - t0)),
		 (unsigned long long)((t3 - t2) * 100 / (t1 - t0) % 100));
	return KR_OK;
}

static struct {
	uint64_t per_task, done_tasks;
	kr_err_t err;
} group;

static void group_task(void *arg)
{
	char payload[64] = "bench";

	(void)arg;
	for (uint64_t i = 0; i < group.per_task; i++) {
		kr_err_t e = clog_commit_own("clog.bench", payload, sizeof(payload), 0, NULL);

		if (e && !group.err)
			group.err = e;
	}
	group.done_tasks++;
}

static int bench_group(uint64_t tasks, uint64_t n, print_fn print, void *ctx)
{
	struct kr_clog_status s0, s1;
	uint64_t t0, t1;

	if (!cl_sched)
		return KR_ENOSYS;
	group.per_task = n;
	group.done_tasks = 0;
	group.err = KR_OK;
	clog_status_now(&s0);
	t0 = clog_tsc();
	for (uint64_t i = 0; i < tasks; i++) {
		struct kr_task_spec t = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_NORMAL,
					  .fn = group_task, .name = "clog.bench" };
		uint32_t id;

		if (cl_sched->spawn(cl_self, &t, &id) != KR_OK) {
			group.done_tasks++;
			group.err = KR_ENOSPC;
		}
	}
	while (group.done_tasks < tasks)
		cl_sched->block(1);
	t1 = clog_tsc();
	clog_status_now(&s1);
	if (group.err)
		return group.err;
	{
		uint64_t c = s1.commits - s0.commits, f = s1.flushes - s0.flushes;

		print_to(print, ctx, "ledger bench group: %llu tasks x %llu commits: %llu commits in "
			 "%llu flushes (%llu.%02llu commits per flush), %llu TSC per commit\n",
			 (unsigned long long)tasks, (unsigned long long)n, (unsigned long long)c,
			 (unsigned long long)f, (unsigned long long)(f ? c / f : 0),
			 (unsigned long long)(f ? c * 100 / f % 100 : 0),
			 (unsigned long long)(c ? (t1 - t0) / c : 0));
	}
	return KR_OK;
}

static int bench_files(uint64_t n, print_fn print, void *ctx)
{
	const struct kr_ops_header *h;
	const struct kr_vfs_ops *vfs;
	uint64_t t0, t1;
	kr_cap_t c;
	kr_err_t e;

	if (kr_service_open(cl_self, "vfs", 1, &c) != KR_OK || kr_service_ops(cl_self, c, &h))
		return KR_ENODEV;
	vfs = (const struct kr_vfs_ops *)h;
	e = vfs->mkdir(NULL, "/bench", true);
	t0 = clog_tsc();
	for (uint64_t i = 0; i < n && !e; i++) {
		char path[32], data[64];

		ksnprintf(path, sizeof(path), "/bench/%llu", (unsigned long long)(i % 1000));
		ksnprintf(data, sizeof(data), "file %llu of the bench\n", (unsigned long long)i);
		e = vfs->write(NULL, path, data, strlen(data), false);
	}
	t1 = clog_tsc();
	if (e)
		return e;
	print_to(print, ctx, "ledger bench files: %llu vfs.write commits, %llu TSC per commit "
		 "(each flushed)\n", (unsigned long long)n, (unsigned long long)((t1 - t0) / n));
	return KR_OK;
}

int ledger_bench(int argc, char **argv, print_fn print, void *ctx)
{
	uint64_t a = 0, b = 0;
	kr_err_t e;

	if (argc == 5 && !strcmp(argv[2], "append") && parse_u64(argv[3], &a) &&
	    parse_u64(argv[4], &b) && a >= 1 && a <= 100000 && b <= 65536 && a * (b + 136) <= CLOG_GROUP_MAX)
		e = bench_append(a, b, print, ctx);
	else if (argc == 5 && !strcmp(argv[2], "group") && parse_u64(argv[3], &a) &&
		 parse_u64(argv[4], &b) && a >= 1 && a <= 32 && b >= 1 && b <= 10000)
		e = bench_group(a, b, print, ctx);
	else if (argc == 4 && !strcmp(argv[2], "files") && parse_u64(argv[3], &a) && a >= 1 &&
		 a <= 100000)
		e = bench_files(a, print, ctx);
	else {
		print(ctx, "usage: ledger bench append N SIZE | group TASKS N | files N\n");
		return 1;
	}
	if (e)
		print_to(print, ctx, "ledger bench: %s\n", kr_strerror(e));
	return e ? 1 : 0;
}
