/*
 * cmds.c - the organelles' shell commands:
 *
 *   channels                       the graph: each channel's edges, QoS state
 *                                  and counts
 *   energy                         each endpoint's use against its budgets
 *   organelles [kill|revive EP]    verdicts by rule, the dead-map, the quarantine;
 *   organelles bench               the sanitizer's cost per parcel
 *   send CHANNEL DATA... [--to EP] [--kind N] [--corrupt check|length|magic|queued]
 *                                  a parcel from "shell", for testing
 *   recv                           the parcels delivered to "shell" since last asked
 *   obs [N] [--raw]                channel 0's feed (obs.c)
 *   proof                          this boot's proof chain (proof.c)
 *
 * The module hosts the endpoint "shell" itself: what is delivered to it
 * waits in a small inbox for `recv`.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/shell.h>
#include "org.h"
#include "parcel.h"

#define INBOX      32           /* parcels kept for `recv`, the newest */
#define INBOX_DATA 64           /* payload bytes kept of each */

struct inbox_entry {
	struct kr_org_msg m;    /* payload: NULL (data below) */
	uint8_t data[INBOX_DATA];
};

static struct inbox_entry inbox[INBOX];
static uint64_t inbox_n, inbox_shown;
static const struct kr_shell_ops *shell;

void org_shell_recv(void *ctx, const struct kr_org_msg *m)
{
	struct inbox_entry *e = &inbox[inbox_n++ % INBOX];

	(void)ctx;
	if (m->channel == GRAPH_OBS_CHANNEL) {  /* in the obs ring already */
		inbox_n--;
		return;
	}
	e->m = *m;
	e->m.payload = NULL;
	memcpy(e->data, m->payload, m->length < INBOX_DATA ? m->length : INBOX_DATA);
}

/* Printable text of n bytes, at most 64 of them, into out[260]. */
static void show_bytes(const uint8_t *p, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n && i < INBOX_DATA; i++) {
		if (p[i] >= 32 && p[i] < 127)
			out[o++] = (char)p[i];
		else
			o += (size_t)ksnprintf(out + o, 5, "\\x%02x", p[i]);
	}
	out[o] = '\0';
}

static bool number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool down(print_fn print, void *ctx, const char *cmd)
{
	if (org.up)
		return false;
	print_to(print, ctx, "%s: no channel graph: %s\n", cmd, org.down_why);
	return true;
}

/* "a,b,c" of the endpoints in mask, into out. */
static void names_of(uint64_t mask, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < org.g.n_ep && o + 1 < cap; i++)
		if (mask >> i & 1)
			o += (size_t)ksnprintf(out + o, cap - o, "%s%s", o ? "," : "", org.g.ep[i]);
}

static int cmd_channels(int argc, char **argv, print_fn print, void *ctx)
{
	uint64_t now = org_now();
	char from[128], to[128];

	(void)argv;
	if (argc > 1) {
		print_to(print, ctx, "channels: no arguments\nusage: channels\n");
		return 1;
	}
	if (down(print, ctx, "channels"))
		return 1;
	print_to(print, ctx, "graph b2:%02x%02x%02x%02x%02x%02x%02x%02x  %u channels, %u endpoints%s\n",
		 org.digest[0], org.digest[1], org.digest[2], org.digest[3], org.digest[4],
		 org.digest[5], org.digest[6], org.digest[7], org.g.n_chan, org.g.n_ep,
		 org.measured ? "" : "  (not in the manifest)");
	print_to(print, ctx, "  ID NAME            PRIO RATE/s  BURST TOKENS DEPTH QUEUED  DELIVERED   "
		 "REFUSED\n");
	for (unsigned i = 0; i < org.g.n_chan; i++) {
		const struct graph_chan *c = &org.g.chan[i];
		const struct golgi_queue *q = &org.gg.ch[i];
		uint64_t refused = 0;

		for (unsigned r = 1; r < GOLGI_NRULES; r++)
			refused += org.refused[i][r];
		names_of(c->senders, from, sizeof(from));
		names_of(c->receivers, to, sizeof(to));
		print_to(print, ctx, "%4u %-15s %4u %6u %6u %6llu %5u %6u %10llu %9llu\n", i, c->name,
			 c->prio, c->rate, c->burst, (unsigned long long)qos_tokens(&org.q, i, now),
			 c->depth, q->len, (unsigned long long)q->delivered,
			 (unsigned long long)refused);
		print_to(print, ctx, "       %s -> %s\n", from, to);
		if (refused) {
			char line[200];
			size_t o = 0;

			for (unsigned r = 1; r < GOLGI_NRULES; r++)
				if (org.refused[i][r])
					o += (size_t)ksnprintf(line + o, sizeof(line) - o, " %s %llu",
							       golgi_rule_name((enum golgi_rule)r),
							       (unsigned long long)org.refused[i][r]);
			print_to(print, ctx, "       refused:%s\n", line);
		}
	}
	print_to(print, ctx, "reservoir: %llu of %llu gas, %llu/s, %u an attempt + %u a byte; "
		 "charged %llu, refused %llu\n", (unsigned long long)qos_gas(&org.q, now),
		 (unsigned long long)org.g.reservoir.cap, (unsigned long long)org.g.reservoir.rate,
		 org.g.reservoir.cost_base, org.g.reservoir.cost_byte,
		 (unsigned long long)org.q.r.charged, (unsigned long long)org.q.r.refused);
	return 0;
}

static void amount(char *out, size_t cap, uint64_t used, uint64_t limit)
{
	if (limit == MITO_UNLIMITED)
		ksnprintf(out, cap, "%llu", (unsigned long long)used);
	else
		ksnprintf(out, cap, "%llu/%llu", (unsigned long long)used,
			  (unsigned long long)limit);
}

static int cmd_energy(int argc, char **argv, print_fn print, void *ctx)
{
	(void)argv;
	if (argc > 1) {
		print_to(print, ctx, "energy: no arguments\nusage: energy\n");
		return 1;
	}
	if (down(print, ctx, "energy"))
		return 1;
	print_to(print, ctx, "ENDPOINT             STATE  GAS                  PARCELS        "
		 "BYTES              PAGES      IO         VIOL\n");
	for (unsigned i = 0; i < org.g.n_ep; i++) {
		const struct mito_domain *m = &org.m.d[i];
		char a[MITO_NRES][28];

		for (unsigned r = 0; r < MITO_NRES; r++)
			amount(a[r], sizeof(a[r]), m->used[r], m->limit[r]);
		print_to(print, ctx, "%-20s %-6s %-20s %-14s %-18s %-10s %-10s %llu\n", org.g.ep[i],
			 lyso_dead(&org.l, i) ? "dead" : org.ep[i].open ? "open" : "-", a[MITO_GAS],
			 a[MITO_PARCELS], a[MITO_BYTES], a[MITO_PAGES], a[MITO_IO],
			 (unsigned long long)m->violations);
	}
	print_to(print, ctx, "(used/budget; a figure alone: no budget)\n");
	return 0;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* `organelles bench`: the sanitizer's cost, a parcel of 0, 64, 1024 and
 * 4096 payload bytes checked 256 times each (a scratch peroxisome: the
 * real counts are left alone); the median, in TSC cycles (guest
 * instructions under -icount shift=0). */
static int sanitizer_bench(print_fn print, void *ctx)
{
	static const uint16_t sizes[] = { 0, 64, 1024, 4096 };
	static struct perox scratch;
	uint8_t *p = kr_malloc(org_self, KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX);
	uint64_t t[256];
	struct parcel_view v;
	size_t size;

	if (!p)
		return 1;
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		memset(p + KR_PARCEL_HDR_SIZE, 0x5a, sizes[k]);
		parcel_encode(p, KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX, 1, 0, 0, 0,
			      p + KR_PARCEL_HDR_SIZE, sizes[k], &size);
		for (unsigned i = 0; i < 256; i++) {
			uint64_t t0 = rdtsc();

			perox_check(&scratch, p, size, 0, org.g.n_chan, &v);
			t[i] = rdtsc() - t0;
		}
		for (unsigned i = 1; i < 256; i++)     /* insertion sort: the median */
			for (unsigned j = i; j > 0 && t[j - 1] > t[j]; j--) {
				uint64_t x = t[j];

				t[j] = t[j - 1], t[j - 1] = x;
			}
		print_to(print, ctx, "organelles: bench: sanitizer, %u-byte payload: median %llu, "
			 "min %llu (TSC)\n", sizes[k], (unsigned long long)t[128],
			 (unsigned long long)t[0]);
	}
	kr_free(org_self, p);
	return 0;
}

static int cmd_organelles(int argc, char **argv, print_fn print, void *ctx)
{
	const struct perox *px = &org.px;
	int n;

	if (down(print, ctx, "organelles"))
		return 1;
	if (argc == 2 && !strcmp(argv[1], "bench"))
		return sanitizer_bench(print, ctx);
	if (argc == 3 && (!strcmp(argv[1], "kill") || !strcmp(argv[1], "revive"))) {
		if ((n = graph_endpoint(&org.g, argv[2])) < 0) {
			print_to(print, ctx, "organelles: no endpoint '%s' in the channel graph\n",
				 argv[2]);
			return 1;
		}
		if (argv[1][0] == 'k') {
			if (org_kill(n, LYSO_ADMIN) < 0) {
				print_to(print, ctx, "organelles: %s is dead already\n", argv[2]);
				return 1;
			}
		} else if (!lyso_revive(&org.l, (unsigned)n)) {
			print_to(print, ctx, "organelles: %s is not dead\n", argv[2]);
			return 1;
		} else {
			mito_reset(&org.m, (unsigned)n);
			kr_log(KR_LOG_INFO, "organelles: %s revived from the shell\n", argv[2]);
		}
		return 0;
	}
	if (argc > 1) {
		print_to(print, ctx, "organelles: unknown arguments\nusage: organelles "
			 "[kill ENDPOINT | revive ENDPOINT | bench]\n");
		return 1;
	}
	print_to(print, ctx, "golgi: verdicts by rule\n");
	for (unsigned r = 0; r < GOLGI_NRULES; r++)
		print_to(print, ctx, "  %-14s %-8s %llu\n", golgi_rule_name((enum golgi_rule)r),
			 r == GOLGI_OK ? "deliver" : r >= GOLGI_RESERVOIR ? "defer" : "drop",
			 (unsigned long long)org.gg.count[r]);
	print_to(print, ctx, "lysosome: dead-map\n");
	n = 0;
	for (unsigned i = 0; i < org.g.n_ep; i++) {
		const struct lyso_entry *e = &org.l.e[i];

		if (!e->kills)
			continue;
		n++;
		print_to(print, ctx, "  %-20s %-6s %-9s kills %u revivals %u dropped %llu\n",
			 org.g.ep[i], e->dead ? "dead" : "alive", lyso_reason_name(e->why), e->kills,
			 e->revivals, (unsigned long long)e->dropped);
	}
	if (!n)
		print_to(print, ctx, "  (nothing killed)\n");
	print_to(print, ctx, "peroxisome: %llu checked, %llu passed, %llu quarantined\n",
		 (unsigned long long)px->checked, (unsigned long long)px->passed,
		 (unsigned long long)px->quarantined);
	print_to(print, ctx, "  %llu framed by the fabric (header checked; its XXH3 check computed "
		 "by the framing), %llu checked whole again leaving a queue\n",
		 (unsigned long long)px->framed, (unsigned long long)px->rechecked);
	for (unsigned r = 1; r < PEROX_NREASONS; r++)
		if (px->by[r])
			print_to(print, ctx, "  %-16s %llu\n", perox_reason_name((enum perox_reason)r),
				 (unsigned long long)px->by[r]);
	for (unsigned i = 0; i < 4 && perox_kept(px, i); i++) {
		const struct perox_entry *e = perox_kept(px, i);
		char hex[2 * KR_PARCEL_HDR_SIZE + 1];

		for (unsigned k = 0; k < KR_PARCEL_HDR_SIZE; k++)
			ksnprintf(hex + 2 * k, 3, "%02x", e->hdr[k]);
		print_to(print, ctx, "  #%llu from %s: %s, %u bytes, header %s\n",
			 (unsigned long long)e->n,
			 e->from >= 0 && e->from < org.g.n_ep ? org.g.ep[e->from] : "?",
			 perox_reason_name((enum perox_reason)e->reason), e->size, hex);
	}
	return 0;
}

static int send_usage(print_fn print, void *ctx, const char *what, const char *arg)
{
	print_to(print, ctx, "send: %s%s%s\nusage: send CHANNEL DATA... [--to ENDPOINT] "
		 "[--kind N] [--corrupt check|length|magic|queued]\n", what, arg ? ": " : "", arg ? arg : "");
	return 1;
}

/* `send --corrupt queued`: what a stray write by a buggy module does to a
 * parcel while it waits for its receiver - one byte of the newest parcel
 * queued on chan for endpoint to flipped (its first payload byte, or its
 * seq if it has none).  false if none waits. */
static bool stray_write(int chan, int to)
{
	const struct golgi_queue *cq = &org.gg.ch[chan];

	for (uint32_t i = cq->len; i-- > 0;) {
		const struct golgi_parcel *p = &org.gg.pool[cq->base + (cq->head + i) % cq->cap];

		if (p->to == to) {
			((uint8_t *)p->body)[p->len ? KR_PARCEL_HDR_SIZE : 8] ^= 0x20;
			return true;
		}
	}
	return false;
}

static int cmd_send(int argc, char **argv, print_fn print, void *ctx)
{
	const char *to = NULL, *corrupt = NULL;
	int t;
	char data[KR_PARCEL_PAYLOAD_MAX + 1];
	struct kr_org_sent res;
	uint64_t kind = 0;
	size_t len = 0;
	int chan = -1, from = org.shell_ep;
	kr_err_t e;

	if (down(print, ctx, "send"))
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--to") || !strcmp(argv[i], "--kind") ||
		    !strcmp(argv[i], "--corrupt")) {
			if (i + 1 >= argc)
				return send_usage(print, ctx, "a value must follow", argv[i]);
			if (argv[i][2] == 't')
				to = argv[++i];
			else if (argv[i][2] == 'c')
				corrupt = argv[++i];
			else if (!number(argv[++i], 255, &kind))
				return send_usage(print, ctx, "--kind takes 0..255", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return send_usage(print, ctx, "unknown option", argv[i]);
		} else if (chan < 0) {
			if ((chan = org_channel(argv[i])) < 0)
				return send_usage(print, ctx, "no such channel", argv[i]);
		} else {
			size_t n = strlen(argv[i]);

			if (len + !!len + n > KR_PARCEL_PAYLOAD_MAX)
				return send_usage(print, ctx, "more than 4096 bytes of data", NULL);
			if (len)
				data[len++] = ' ';
			memcpy(data + len, argv[i], n);
			len += n;
		}
	}
	if (chan < 0)
		return send_usage(print, ctx, "which channel?", NULL);
	if (corrupt && strcmp(corrupt, "check") && strcmp(corrupt, "length") &&
	    strcmp(corrupt, "magic") && strcmp(corrupt, "queued"))
		return send_usage(print, ctx, "--corrupt takes check, length, magic or queued",
				  corrupt);
	if (from < 0) {
		print_to(print, ctx, "send: the graph has no endpoint \"shell\"\n");
		return 1;
	}
	if (!to) {      /* the channel's one receiver */
		uint64_t r = org.g.chan[chan].receivers;

		if (r & (r - 1)) {
			char names[128];

			names_of(r, names, sizeof(names));
			print_to(print, ctx, "send: channel %d has receivers %s: say which with --to\n",
				 chan, names);
			return 1;
		}
		for (unsigned i = 0; i < org.g.n_ep; i++)
			if (r >> i & 1)
				to = org.g.ep[i];
	}
	if ((t = org_endpoint(to)) < 0) {
		print_to(print, ctx, "send: no endpoint '%s' in the channel graph\n", to);
		return 1;
	}
	if (corrupt && corrupt[0] == 'q') {
		e = org_send(from, t, (uint16_t)chan, (uint8_t)kind, data, len, &res);
		if (!e && !stray_write(chan, t)) {
			print_to(print, ctx, "send: --corrupt queued: %s took the parcel at once; "
				 "nothing waits to be corrupted\n", to);
			return 1;
		}
	} else if (corrupt) {
		uint8_t *p = kr_malloc(org_self, KR_PARCEL_HDR_SIZE + len);
		size_t size = 0;

		if (!p)
			return send_usage(print, ctx, "out of memory", NULL);
		parcel_encode(p, KR_PARCEL_HDR_SIZE + len, (uint16_t)chan, (uint8_t)kind, 0,
			      org.txseq[from][chan], data, (uint16_t)len, &size);
		if (corrupt[0] == 'c')
			p[12] ^= 0x5a;                  /* the check */
		else if (corrupt[0] == 'm')
			p[0] = 0;                       /* the magic */
		else
			p[6] = (uint8_t)(p[6] + 1);     /* length one past the bytes */
		e = org_send_raw(from, t, p, size, &res);
		kr_free(org_self, p);
	} else {
		e = org_send(from, t, (uint16_t)chan, (uint8_t)kind, data, len, &res);
	}
	if (e) {
		print_to(print, ctx, "send: refused: %s (%s)\n", res.why[0] ? res.why : kr_strerror(e),
			 res.action == KR_ORG_DEFER ? "defer" : "drop");
		return 1;
	}
	print_to(print, ctx, "send: channel %d (%s) -> %s: %zu bytes, seq %u: accepted\n", chan,
		 org.g.chan[chan].name, to, len, res.seq);
	return 0;
}

static int cmd_recv(int argc, char **argv, print_fn print, void *ctx)
{
	uint64_t first = inbox_n > INBOX ? inbox_n - INBOX : 0;

	(void)argv;
	if (argc > 1) {
		print_to(print, ctx, "recv: no arguments\nusage: recv\n");
		return 1;
	}
	if (inbox_shown > first)
		first = inbox_shown;
	else if (first > inbox_shown)
		print_to(print, ctx, "recv: %llu older parcels were not kept\n",
			 (unsigned long long)(first - inbox_shown));
	if (first == inbox_n)
		print_to(print, ctx, "recv: nothing new for shell\n");
	for (uint64_t i = first; i < inbox_n; i++) {
		const struct inbox_entry *e = &inbox[i % INBOX];
		char text[4 * INBOX_DATA + 4];

		show_bytes(e->data, e->m.length, text);
		print_to(print, ctx, "channel %u (%s) from %s kind %u seq %u, %u bytes: %s%s\n",
			 e->m.channel, org.g.chan[e->m.channel].name, e->m.from, e->m.kind, e->m.seq,
			 e->m.length, text, e->m.length > INBOX_DATA ? "..." : "");
	}
	inbox_shown = inbox_n;
	return 0;
}

static const struct kr_shell_command commands[] = {
	{ "channels", "channels", "the channel graph: edges, QoS state, counts", cmd_channels },
	{ "energy", "energy", "each endpoint's energy use against its budgets", cmd_energy },
	{ "organelles", "organelles [kill|revive ENDPOINT | bench]",
	  "routing verdicts, the dead-map, the sanitizer's quarantine", cmd_organelles },
	{ "send", "send CHANNEL DATA... [--to EP] [--kind N] [--corrupt check|length|magic|queued]",
	  "send a parcel from the shell on a channel (testing)", cmd_send },
	{ "recv", "recv", "parcels delivered to the shell since last asked", cmd_recv },
	{ "obs", "obs [N] [--raw]", "channel 0: the observability feed", obs_cmd },
	{ "proof", "proof", "this boot's proof chain #E0..#E10", proof_cmd },
};

void org_cmds_add(void)
{
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (kr_service_open(org_self, "shell", KR_SHELL_SERVICE_VERSION, &c) ||
	    kr_service_ops(org_self, c, &h))
		return;
	shell = (const struct kr_shell_ops *)h;
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (shell->add(kr_domain_id(org_self), &commands[i]) != KR_OK)
			kr_log(KR_LOG_ERR, "organelles: cannot add %s to the shell\n",
			       commands[i].name);
}

void org_cmds_remove(void)
{
	if (!shell)
		return;
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		shell->remove(kr_domain_id(org_self), commands[i].name);
	shell = NULL;
}
