/*
 * obs.c - channel 0, observability (issue 17; docs/organelles.md,
 * "Channel 0: observability"), in three parts:
 *
 *   the feed     a task ("org.obs") follows the kernel log from position 0
 *                (so boot messages logged before the module came are in
 *                it too) and sends each complete line, without its time
 *                stamp, as a parcel of kind OBS_KIND_LOG on channel 0 from
 *                the endpoint "kernel" to channel 0's receiver;
 *   the ring     every parcel delivered on channel 0, whoever sent it,
 *                lands in a 64 KiB ring with a running XXH3 index
 *                (obsring.c, pure);
 *   `obs`        the shell's view of the ring: records, totals, and the
 *                raw dump tools/obs_replay.py audits offline.
 *
 * Nothing waits: a send the fabric refuses (bucket, queue) is counted and
 * the line is gone; the ring drops its oldest; log bytes the kernel's log
 * ring overwrote before the feed read them are counted as lost.  Nothing
 * on the feed path calls kr_log (a record that logs would feed itself);
 * the only kr_log here per line is `obs storm`'s, which is its purpose.
 * Cooperative tasks: the ring and the counters need no lock.
 */
#include <karyon/console.h>
#include <karyon/hash.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/shell.h>
#include "obsring.h"
#include "org.h"
#include "parcel.h"

#define OBS_READ     1024       /* log bytes a read */
#define OBS_READS    64         /* reads a turn, then the feed yields */
#define OBS_SHOW     20         /* records `obs` shows by default */
#define OBS_TEXT     160        /* bytes of a record's text `obs` shows */

static uint8_t ring_buf[OBS_RING_BYTES];
static struct obsring ring;
static struct obsline line;     /* the feed's line being assembled (4 KiB) */
static char rd[OBS_READ];
static uint8_t rec_buf[OBS_PARCEL_MAX];

static struct {
	bool running, stopping;
	uint32_t task;
	kr_cap_t klog;
	int to;                 /* channel 0's receiver (its endpoint number) */
	uint64_t pos;           /* next kernel log byte to read */
	uint64_t sent, refused; /* lines the fabric took or refused */
	uint64_t lost_bytes;    /* log bytes overwritten before read */
	uint64_t tsc;           /* TSC cycles spent feeding (guest instructions under -icount) */
} feed;

static uint64_t tsc(void)
{
	return __builtin_ia32_rdtsc();
}

static void ring_ready(void)
{
	if (!ring.buf)
		obsring_init(&ring, ring_buf, sizeof(ring_buf));
}

void obs_append(const uint8_t *parcel, size_t size)
{
	ring_ready();
	obsring_append(&ring, parcel, size);
}

uint64_t obs_index(void)
{
	return ring.index;
}

/* ---- the feed ---------------------------------------------------------- */

static void emit(void *ctx, const char *text, size_t len)
{
	struct kr_org_sent res;

	(void)ctx;
	if (org_send(org.kernel_ep, feed.to, GRAPH_OBS_CHANNEL, OBS_KIND_LOG, text, len, &res))
		feed.refused++;
	else
		feed.sent++;
}

/* Read what the log has; false if it may have more (the turn ran out). */
static bool drain(void)
{
	uint64_t t0 = tsc();
	bool done = false;

	for (int i = 0; i < OBS_READS && !done; i++) {
		uint64_t before = feed.pos;
		kr_err_t e;
		size_t n = kr_log_read(org_self, feed.klog, &feed.pos, rd, sizeof(rd), &e);

		if (feed.pos - n != before) {           /* the log ring wrapped past us */
			feed.lost_bytes += feed.pos - n - before;
			obsline_gap(&line);
		}
		if (n)
			obsline_feed(&line, rd, n, emit, NULL);
		done = n < sizeof(rd);
	}
	feed.tsc += tsc() - t0;
	return done;
}

static void feed_loop(void *arg)
{
	(void)arg;
	while (!feed.stopping)
		if (drain())
			org_sched->block(1);
		else
			org_sched->yield();
	feed.running = false;
}

kr_err_t obs_start(void)
{
	struct kr_task_spec t = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_NORMAL + 8,
				  .fn = feed_loop, .name = "org.obs" };
	uint64_t rx = org.g.n_chan ? org.g.chan[GRAPH_OBS_CHANNEL].receivers : 0;
	kr_err_t e;

	ring_ready();
	obsline_init(&line);
	feed.pos = 0;
	feed.stopping = false;
	if (!org_sched || org.kernel_ep < 0 || !rx) {
		kr_log(KR_LOG_WARN, "organelles: no log feed on channel 0 (%s)\n",
		       !org_sched ? "no scheduler" : org.kernel_ep < 0 ? "no endpoint \"kernel\""
		       : "channel 0 has no receiver");
		return KR_ENODEV;
	}
	feed.to = __builtin_ctzll(rx);
	if ((e = kr_need_cap(org_self, 0, &feed.klog)) != KR_OK ||
	    (e = org_sched->spawn(org_self, &t, &feed.task)) != KR_OK) {
		kr_log(KR_LOG_WARN, "organelles: no log feed on channel 0: %s\n", kr_strerror(e));
		return e;
	}
	feed.running = true;
	return KR_OK;
}

/* The task ends with the module's domain; this only stops its loop. */
void obs_stop(void)
{
	feed.stopping = true;
}

/* Let the feed catch up with the log now (from a task below it). */
static void feed_now(void)
{
	if (feed.running) {
		org_sched->wake(feed.task);
		org_sched->yield();
	}
}

/* ---- the proof's view -------------------------------------------------- */

/* BLAKE2b-256 of the feed's configuration: "karyon-obs 1", the ring's
 * size (le32), channel 0's id (le16) and the log kind, then a known
 * answer: the framing of a fixed parcel and its index from 0 (le64).  A
 * change to any of them, to the parcel format or to XXH3 changes it. */
void obs_config_digest(uint8_t out[32])
{
	static const char known[] = "karyon obs known answer";
	uint8_t d[12 + 4 + 2 + 1 + KR_PARCEL_HDR_SIZE + sizeof(known) - 1 + 8];
	size_t o = 12, framed = 0;
	uint64_t idx;

	memcpy(d, "karyon-obs 1", 12);
	for (int i = 0; i < 4; i++)
		d[o++] = (uint8_t)(OBS_RING_BYTES >> (8 * i));
	d[o++] = GRAPH_OBS_CHANNEL & 0xff;
	d[o++] = GRAPH_OBS_CHANNEL >> 8;
	d[o++] = OBS_KIND_LOG;
	parcel_encode(d + o, KR_PARCEL_HDR_SIZE + sizeof(known) - 1, GRAPH_OBS_CHANNEL,
		      OBS_KIND_LOG, 0, 0, known, sizeof(known) - 1, &framed);
	idx = obsring_chain(0, d + o, framed);
	o += framed;
	for (int i = 0; i < 8; i++)
		d[o++] = (uint8_t)(idx >> (8 * i));
	if (kr_blake2b_256(out, d, o) != KR_OK)
		memset(out, 0, 32);
}

/* ---- the shell's `obs` ------------------------------------------------- */

static bool number(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static void show(const struct obsring_rec *rec, print_fn print, void *ctx)
{
	struct parcel_view v;
	char s[OBS_TEXT * 4 + 64];
	size_t o;

	if (parcel_decode(rec_buf, rec->size, &v, NULL) != KR_OK) {
		print_to(print, ctx, "%6llu (malformed, %u bytes)\n", (unsigned long long)rec->seq,
			 rec->size);
		return;
	}
	o = (size_t)ksnprintf(s, sizeof(s), "%6llu %2u %3u%s ", (unsigned long long)rec->seq,
			      v.channel, v.kind, v.flags & KR_PARCEL_F_MORE ? "+" : "");
	for (size_t i = 0; i < v.length && i < OBS_TEXT; i++) {
		uint8_t c = v.payload[i];

		if (c >= 32 && c < 127)
			s[o++] = (char)c;
		else
			o += (size_t)ksnprintf(s + o, 5, "\\x%02x", c);
	}
	o += (size_t)ksnprintf(s + o, sizeof(s) - o, "%s\n", v.length > OBS_TEXT ? "..." : "");
	print(ctx, s);
}

/* One "#O p HEX" line, in pieces (a parcel is up to 8 KiB of hex). */
static void show_raw(const struct obsring_rec *rec, print_fn print, void *ctx)
{
	static const char hex[] = "0123456789abcdef";
	char s[257];
	size_t o = 0;

	print(ctx, "#O p ");
	for (uint32_t i = 0; i < rec->size; i++) {
		s[o++] = hex[rec_buf[i] >> 4];
		s[o++] = hex[rec_buf[i] & 15];
		if (o == sizeof(s) - 1 || i + 1 == rec->size) {
			s[o] = '\0';
			print(ctx, s);
			o = 0;
		}
	}
	print(ctx, "\n");
}

static void totals(print_fn print, void *ctx)
{
	print_to(print, ctx, "obs: %llu records (%llu kept), %llu bytes, dropped-full %llu, "
		 "refused %llu, index %016llx\n", (unsigned long long)ring.next,
		 (unsigned long long)obsring_count(&ring), (unsigned long long)ring.bytes,
		 (unsigned long long)ring.dropped, (unsigned long long)(feed.refused + ring.refused),
		 (unsigned long long)ring.index);
	print_to(print, ctx, "feed: %llu log lines, %llu sent, %llu cut, %llu gaps "
		 "(%llu log bytes overwritten unread)%s\n", (unsigned long long)line.lines,
		 (unsigned long long)feed.sent, (unsigned long long)line.cut,
		 (unsigned long long)line.gaps, (unsigned long long)feed.lost_bytes,
		 feed.running ? "" : ", not running");
}

/* `obs storm N [--flood]`: N debug lines into the kernel log (the ring
 * only, not the console).  Between every 32 the feed runs, unless --flood:
 * then the log outruns it.  Prints what the feed spent on the storm. */
static int storm(uint64_t n, bool flood, print_fn print, void *ctx)
{
	uint64_t t0, r0, s0, g0, all;

	feed_now();
	t0 = feed.tsc, r0 = ring.next, s0 = line.lines, g0 = line.gaps, all = tsc();
	for (uint64_t i = 1; i <= n; i++) {
		kr_log(KR_LOG_DEBUG, "obs: storm line %llu of %llu\n", (unsigned long long)i,
		       (unsigned long long)n);
		if (!flood && i % 32 == 0)
			feed_now();
	}
	feed_now();
	all = tsc() - all;
	r0 = ring.next - r0;
	print_to(print, ctx, "obs: storm: %llu lines logged, %llu read, %llu gaps; %llu records "
		 "in %llu TSC cycles: %llu per record\n", (unsigned long long)n,
		 (unsigned long long)(line.lines - s0), (unsigned long long)(line.gaps - g0),
		 (unsigned long long)r0, (unsigned long long)(feed.tsc - t0),
		 (unsigned long long)(r0 ? (feed.tsc - t0) / r0 : 0));
	print_to(print, ctx, "obs: storm: %llu TSC cycles in all, logging included: %llu per "
		 "line\n", (unsigned long long)all, (unsigned long long)(all / n));
	totals(print, ctx);
	return 0;
}

static int usage(print_fn print, void *ctx, const char *why)
{
	print_to(print, ctx, "obs: %s\nusage: obs [N] [--raw]   (the last N records, 20 by "
		 "default)\n       obs storm N [--flood]\n", why);
	return 1;
}

int obs_cmd(int argc, char **argv, print_fn print, void *ctx)
{
	uint64_t n = OBS_SHOW, first, kept;
	bool raw = false, have_n = false, flood = false;
	struct obsring_cur c;
	struct obsring_rec rec = { 0 };
	uint64_t shown = 0;

	ring_ready();
	if (argc >= 2 && !strcmp(argv[1], "storm")) {
		if (argc < 3 || argc > 4 || !number(argv[2], &n) || !n ||
		    (argc == 4 && !(flood = !strcmp(argv[3], "--flood"))))
			return usage(print, ctx, "storm wants a count of lines (1..100000000)");
		return storm(n, flood, print, ctx);
	}
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--raw"))
			raw = true;
		else if (!have_n && number(argv[i], &n))
			have_n = true;
		else
			return usage(print, ctx, "unknown arguments");
	kept = obsring_count(&ring);
	first = ring.next - (n < kept ? n : kept);
	obsring_seek(&ring, first, &c);
	if (raw)
		print_to(print, ctx, "#O base %llu %016llx\n", (unsigned long long)first,
			 (unsigned long long)c.before);
	rec.index = c.before;
	while (obsring_next(&ring, &c, &rec, rec_buf, sizeof(rec_buf))) {
		if (raw)
			show_raw(&rec, print, ctx);
		else
			show(&rec, print, ctx);
		shown++;
	}
	if (raw) {
		print_to(print, ctx, "#O end %llu %016llx\n", (unsigned long long)shown,
			 (unsigned long long)rec.index);
		return 0;
	}
	if (!kept)
		print_to(print, ctx, "obs: the ring is empty\n");
	totals(print, ctx);
	return 0;
}
