/*
 * orgtest - a test module for the organelles (tests/qemu/test_org.py,
 * tools/bench_org.py), loaded at boot beside the dev image's modules.  It
 * is three endpoints of the dev channel graph (images/dev.channels):
 *
 *   orgtest   logs each parcel it receives ("orgtest: got ..."), and
 *             faults on one that says "fault" (a receiver with a bug); its
 *             shell command `orgtest greet NAME` sends NAME to the hello
 *             module on hello.req, whose answer comes back here: parcels
 *             between two modules, along the graph;
 *   bench.a,  `orgtest bench N [SIZE]`: N parcels of SIZE bytes (64) from
 *   bench.b   bench.a to bench.b, each timed from the send call to the
 *             receiver's entry and to the call's return, in TSC cycles
 *             (guest instructions under QEMU's -icount shift=0);
 *             `orgtest benchq N [SIZE]`: the same through the queue -
 *             bench.b reopened without a receive function, so each parcel
 *             waits, and taken with take() (checked whole on its way
 *             out): the send call and the take call timed apart.
 */
#include <stdarg.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/organelles.h>
#include <karyon/shell.h>

#define BENCH_MAX 4096

static kr_domain_t *self;
static const struct kr_org_ops *org;
static uint32_t ep_test, ep_a, ep_b;
static int hello_req, bench_chan, hello_ep, bench_b;
static uint64_t t_recv;                 /* TSC at bench.b's entry */
static uint64_t bench_got;
static uint64_t samples_deliver[BENCH_MAX], samples_call[BENCH_MAX];

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* A pointer the compiler cannot see is NULL. */
static volatile int *volatile null_page;

static void on_test(void *ctx, const struct kr_org_msg *m)
{
	(void)ctx;
	if (m->length == 5 && !memcmp(m->payload, "fault", 5))
		*null_page = 1;         /* a receiver with a bug: test_org.py org-recv-fault */
	kr_log(KR_LOG_INFO, "orgtest: got channel %u kind %u seq %u from %s: %.*s\n", m->channel,
	       m->kind, m->seq, m->from, (int)(m->length > 200 ? 200 : m->length),
	       (const char *)m->payload);
}

static void on_bench(void *ctx, const struct kr_org_msg *m)
{
	(void)ctx;
	(void)m;
	t_recv = rdtsc();
	bench_got++;
}

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void say(void (*print)(void *, const char *), void *ctx, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	print(ctx, buf);
}

static uint8_t data[KR_PARCEL_PAYLOAD_MAX];   /* the benchmarks' payload */

/* size bytes of payload to send; then, after n samples, both sorted. */
static void bench_data(unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 7);
}

static void bench_sort(unsigned n)
{
	sort(samples_deliver, n);
	sort(samples_call, n);
}

static int bench(unsigned n, unsigned size, void (*print)(void *, const char *), void *ctx)
{
	struct kr_org_sent res;

	bench_data(size);
	for (unsigned i = 0; i < n; i++) {
		uint64_t got = bench_got, t0 = rdtsc(), t1;
		kr_err_t e = org->send(self, ep_a, (uint32_t)bench_b, (uint16_t)bench_chan, 0, data, size,
				       &res);

		t1 = rdtsc();
		if (e || bench_got != got + 1) {
			say(print, ctx, "orgtest: bench: send %u: %s\n", i, e ? res.why : "not delivered");
			return 1;
		}
		samples_deliver[i] = t_recv - t0;
		samples_call[i] = t1 - t0;
	}
	bench_sort(n);
	say(print, ctx, "orgtest: bench: %u parcels of %u bytes: send->delivery median %llu min %llu, "
	    "whole send median %llu min %llu (TSC)\n", n, size,
	    (unsigned long long)samples_deliver[n / 2], (unsigned long long)samples_deliver[0],
	    (unsigned long long)samples_call[n / 2], (unsigned long long)samples_call[0]);
	return 0;
}

/* bench.b takes its parcels with take() while it runs, then by function
 * again. */
static int bench_queued(unsigned n, unsigned size, void (*print)(void *, const char *),
			void *ctx)
{
	static uint8_t buf[KR_PARCEL_PAYLOAD_MAX];
	struct kr_org_sent res = { 0 };
	struct kr_org_msg m;
	kr_err_t e = KR_OK;
	unsigned i;

	bench_data(size);
	org->close(self, ep_b);
	if ((e = org->open(self, "bench.b", NULL, NULL, &ep_b)) != KR_OK) {
		say(print, ctx, "orgtest: benchq: cannot reopen bench.b: %s\n", kr_strerror(e));
		org->open(self, "bench.b", on_bench, NULL, &ep_b);
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint64_t t0 = rdtsc(), t1, t2;

		e = org->send(self, ep_a, (uint32_t)bench_b, (uint16_t)bench_chan, 0, data, size, &res);
		t1 = rdtsc();
		if (!e)
			e = org->take(self, ep_b, &m, buf, sizeof(buf));
		t2 = rdtsc();
		if (!e && (m.length != size || memcmp(buf, data, size)))
			e = KR_EFORMAT;
		if (e)
			break;
		samples_call[i] = t1 - t0;
		samples_deliver[i] = t2 - t1;
	}
	org->close(self, ep_b);
	if (org->open(self, "bench.b", on_bench, NULL, &ep_b) != KR_OK || e) {
		say(print, ctx, "orgtest: benchq: parcel %u: %s\n", i,
		    e ? (res.why[0] ? res.why : kr_strerror(e)) : "cannot reopen bench.b");
		return 1;
	}
	bench_sort(n);
	say(print, ctx, "orgtest: benchq: %u parcels of %u bytes: send (queued) median %llu min %llu, "
	    "take median %llu min %llu (TSC)\n", n, size,
	    (unsigned long long)samples_call[n / 2], (unsigned long long)samples_call[0],
	    (unsigned long long)samples_deliver[n / 2], (unsigned long long)samples_deliver[0]);
	return 0;
}

static bool number(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > max / 10)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return v <= max;
}

static int orgtest_cmd(int argc, char **argv, void (*print)(void *, const char *), void *ctx)
{
	struct kr_org_sent res;
	unsigned n, size = 64;

	if (!org) {
		say(print, ctx, "orgtest: no organelles service or no endpoints\n");
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "greet")) {
		kr_err_t e = org->send(self, ep_test, (uint32_t)hello_ep, (uint16_t)hello_req, 0, argv[2],
				       strlen(argv[2]), &res);

		say(print, ctx, "orgtest: greet: %s\n", e ? res.why : "sent");
		return e ? 1 : 0;
	}
	if ((argc == 3 || argc == 4) && (!strcmp(argv[1], "bench") || !strcmp(argv[1], "benchq")) &&
	    number(argv[2], BENCH_MAX, &n) && n > 0 &&
	    (argc == 3 || (number(argv[3], KR_PARCEL_PAYLOAD_MAX, &size))))
		return argv[1][5] ? bench_queued(n, size, print, ctx) : bench(n, size, print, ctx);
	say(print, ctx, "usage: orgtest greet NAME | orgtest bench|benchq N [SIZE]\n");
	return 1;
}

static const struct kr_shell_command command = {
	"orgtest", "orgtest greet NAME | orgtest bench|benchq N [SIZE]",
	"organelles test module: greet the hello module, time parcels", orgtest_cmd,
};

static kr_err_t orgtest_init(kr_domain_t *d)
{
	const struct kr_ops_header *ops;
	kr_cap_t c;
	kr_err_t e;

	self = d;
	if ((e = kr_service_open(d, KR_ORG_SERVICE, KR_ORG_VERSION, &c)) != KR_OK ||
	    (e = kr_service_ops(d, c, &ops)) != KR_OK) {
		kr_log(KR_LOG_ERR, "orgtest: no organelles service: %s\n", kr_strerror(e));
		return e;
	}
	org = (const struct kr_org_ops *)ops;
	hello_req = org->channel("hello.req");
	bench_chan = org->channel("bench");
	hello_ep = org->endpoint("hello");
	bench_b = org->endpoint("bench.b");
	if ((e = org->open(d, "orgtest", on_test, NULL, &ep_test)) ||
	    (e = org->open(d, "bench.a", NULL, NULL, &ep_a)) ||
	    (e = org->open(d, "bench.b", on_bench, NULL, &ep_b))) {
		kr_log(KR_LOG_ERR, "orgtest: cannot open its endpoints: %s\n", kr_strerror(e));
		return e;
	}
	if (kr_service_open(d, "shell", KR_SHELL_SERVICE_VERSION, &c) == KR_OK &&
	    kr_service_ops(d, c, &ops) == KR_OK)
		((const struct kr_shell_ops *)ops)->add(kr_domain_id(d), &command);
	kr_log(KR_LOG_INFO, "orgtest: endpoints orgtest, bench.a, bench.b open\n");
	return KR_OK;
}

static void orgtest_exit(kr_domain_t *d)
{
	if (!org)
		return;
	org->close(d, ep_test);
	org->close(d, ep_a);
	org->close(d, ep_b);
	kr_log(KR_LOG_INFO, "orgtest: unloaded\n");
}

KR_MODULE(.name = "orgtest", .version = KR_VERSION(1, 0, 0),
	  .description = "organelles test module: endpoints, greetings, a send benchmark",
	  .license = "MIT", .author = "Karyon developers",
	  .init = orgtest_init, .exit = orgtest_exit);
