/*
 * test_org_golgi.c - the Golgi (modules/organelles/golgi.c) over a parsed
 * graph, QoS, mitochondria and the dead-map: each rule deciding in its
 * turn, the order parcels come out (priority, channel, age), a kill
 * dropping what is queued to and from the dead domain and nothing else, a
 * flooding handler exhausting its energy and being killed while the rest
 * runs on, and seeded random runs that give the same verdicts twice and
 * keep every queue's books (delivered == taken + purged + queued).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "organelles/golgi.h"

#define S 1000000000ull

static const char profile[] =
	"channel 0 obs from kernel,vfs,h:flood to shell rate 1000/s burst 64 depth 8 prio 7\n"
	"channel 1 req from shell,h:flood to vfs rate 10/s burst 3 depth 4 prio 2\n"
	"channel 2 resp from vfs to shell,h:flood rate 100/s burst 10 depth 4 prio 1\n"
	"channel 3 ctl from shell to vfs rate 10/s burst 10 depth 2 prio 1\n"
	"budget h:flood parcels 20\n";
enum { KERNEL, VFS, FLOOD, SHELL };

static struct graph g;
static struct qos q;
static struct mito m;
static struct lyso l;
static struct golgi gg;
static struct golgi_parcel pool[64];

static void setup(uint64_t gas_cap, uint64_t gas_rate, bool energy)
{
	struct graph_reservoir rc = { gas_cap, gas_rate, 10, 1 };
	char err[128];

	if (graph_parse(&g, profile, sizeof(profile) - 1, err, sizeof(err)))
		fail_msg("%s", err);
	g.reservoir = rc;
	qos_init(&q, &g, 0);
	mito_load(&m, &g);
	lyso_init(&l, g.n_ep);
	assert_int_equal(golgi_init(&gg, &g, &q, energy ? &m : NULL, &l, pool, 64), KR_OK);
}

static struct golgi_verdict offer(uint32_t chan, int from, int to, uint32_t len, uint64_t now)
{
	struct golgi_parcel p = { chan, 7, len, from, to, false, 0, NULL };

	return golgi_route(&gg, &p, now);
}

#define VERDICT(v, a, r)                                                        \
	do {                                                                    \
		struct golgi_verdict v_ = (v);                                  \
		if (v_.action != (a) || v_.rule != (r))                         \
			fail_msg("%s/%s, want %s/%s", golgi_action_name(v_.action), \
				 golgi_rule_name(v_.rule), golgi_action_name(a), \
				 golgi_rule_name(r));                           \
	} while (0)

static void init_checks_the_pool(void **state)
{
	(void)state;
	setup(1000, 0, false);
	/* depths 8 + 4 + 4 + 2 = 18 */
	assert_int_equal(golgi_init(&gg, &g, &q, NULL, &l, pool, 17), KR_ENOSPC);
	assert_int_equal(golgi_init(&gg, &g, &q, NULL, &l, pool, 18), KR_OK);
	assert_int_equal(gg.ch[3].base, 16);
	assert_int_equal(golgi_init(&gg, &g, &q, NULL, &l, NULL, 18), KR_EINVAL);
	assert_int_equal(golgi_init(&gg, &g, NULL, NULL, &l, pool, 18), KR_EINVAL);
}

static void each_rule_in_turn(void **state)
{
	struct golgi_parcel bad = { 1, 0, 1, SHELL, VFS, true, 0, NULL };

	(void)state;
	setup(1000, 0, false);
	VERDICT(golgi_route(&gg, &bad, 0), GOLGI_DROP, GOLGI_SANITIZER);
	VERDICT(offer(1, SHELL, VFS, GOLGI_MAX_LEN + 1, 0), GOLGI_DROP, GOLGI_SANITIZER);
	VERDICT(offer(1, -1, VFS, 0, 0), GOLGI_DROP, GOLGI_SANITIZER);
	VERDICT(offer(1, SHELL, 4, 0, 0), GOLGI_DROP, GOLGI_SANITIZER);
	VERDICT(offer(9, SHELL, VFS, 0, 0), GOLGI_DROP, GOLGI_NOT_IN_GRAPH);
	VERDICT(offer(1, VFS, SHELL, 0, 0), GOLGI_DROP, GOLGI_NOT_IN_GRAPH);   /* wrong way */
	VERDICT(offer(3, FLOOD, VFS, 0, 0), GOLGI_DROP, GOLGI_NOT_IN_GRAPH);   /* not a sender */
	/* none of those cost gas: they never reached QoS */
	assert_int_equal(q.r.charged, 0);
	/* the bucket of req: 3 */
	for (int i = 0; i < 3; i++)
		VERDICT(offer(1, SHELL, VFS, 0, 0), GOLGI_DELIVER, GOLGI_OK);
	VERDICT(offer(1, FLOOD, VFS, 0, 0), GOLGI_DEFER, GOLGI_BUCKET);
	/* the queue of ctl: 2 deep, bucket 10 */
	VERDICT(offer(3, SHELL, VFS, 0, 0), GOLGI_DELIVER, GOLGI_OK);
	VERDICT(offer(3, SHELL, VFS, 0, 0), GOLGI_DELIVER, GOLGI_OK);
	VERDICT(offer(3, SHELL, VFS, 0, 0), GOLGI_DEFER, GOLGI_QUEUE_FULL);
	assert_int_equal(q.b[3].granted, 2);            /* no token spent on a full queue */
	/* dead ends */
	assert_true(golgi_kill(&gg, KERNEL, LYSO_ADMIN) == 0);
	VERDICT(offer(0, KERNEL, SHELL, 0, 0), GOLGI_DROP, GOLGI_DEAD_SENDER);
	assert_true(golgi_kill(&gg, SHELL, LYSO_FAULT) >= 0);
	VERDICT(offer(0, VFS, SHELL, 0, 0), GOLGI_DROP, GOLGI_DEAD_RECEIVER);
	/* 7 attempts reached QoS at 10 gas each: 930 left; 1000 bytes cost 1010 */
	assert_int_equal(q.r.charged, 70);
	VERDICT(offer(2, VFS, FLOOD, 1000, 0), GOLGI_DEFER, GOLGI_RESERVOIR);
	assert_int_equal(gg.count[GOLGI_OK], 5);
	assert_int_equal(gg.count[GOLGI_SANITIZER], 4);
	assert_int_equal(gg.count[GOLGI_NOT_IN_GRAPH], 3);
	assert_int_equal(gg.count[GOLGI_BUCKET], 1);
	assert_int_equal(gg.count[GOLGI_QUEUE_FULL], 1);
	assert_int_equal(gg.count[GOLGI_DEAD_SENDER], 1);
	assert_int_equal(gg.count[GOLGI_DEAD_RECEIVER], 1);
	assert_int_equal(gg.count[GOLGI_RESERVOIR], 1);
	assert_string_equal(golgi_rule_name(GOLGI_QUEUE_FULL), "queue-full");
	assert_string_equal(golgi_action_name(GOLGI_DEFER), "defer");
}

static void order_out(void **state)
{
	struct golgi_parcel p;
	const uint32_t want_chan[] = { 2, 2, 3, 1, 1, 0 };
	const uint64_t want_seq[] = { 2, 4, 3, 1, 5, 0 };

	(void)state;
	setup(100000, 0, false);
	VERDICT(offer(0, VFS, SHELL, 1, 0), GOLGI_DELIVER, GOLGI_OK);   /* seq 0, prio 7 */
	VERDICT(offer(1, SHELL, VFS, 2, 0), GOLGI_DELIVER, GOLGI_OK);   /* 1, prio 2 */
	VERDICT(offer(2, VFS, SHELL, 3, 0), GOLGI_DELIVER, GOLGI_OK);   /* 2, prio 1 */
	VERDICT(offer(3, SHELL, VFS, 4, 0), GOLGI_DELIVER, GOLGI_OK);   /* 3, prio 1 */
	VERDICT(offer(2, VFS, FLOOD, 5, 0), GOLGI_DELIVER, GOLGI_OK);   /* 4 */
	VERDICT(offer(1, FLOOD, VFS, 6, 0), GOLGI_DELIVER, GOLGI_OK);   /* 5 */
	for (unsigned i = 0; i < 6; i++) {
		assert_true(golgi_next(&gg, &p));
		assert_int_equal(p.chan, want_chan[i]);
		assert_int_equal(p.seq, want_seq[i]);
		assert_int_equal(p.kind, 7);
	}
	assert_false(golgi_next(&gg, &p));
	assert_int_equal(gg.ch[2].taken, 2);
}

static void kill_drops_to_and_from(void **state)
{
	struct golgi_parcel p;
	uint32_t lens[8];
	int n = 0;

	(void)state;
	setup(100000, 0, false);
	offer(1, SHELL, VFS, 1, 0);
	offer(1, FLOOD, VFS, 2, 0);     /* from the victim */
	offer(1, SHELL, VFS, 3, 0);
	offer(2, VFS, FLOOD, 4, 0);     /* to it */
	offer(2, VFS, SHELL, 5, 0);
	offer(2, VFS, FLOOD, 6, 0);
	offer(0, FLOOD, SHELL, 7, 0);
	offer(0, KERNEL, SHELL, 8, 0);
	assert_int_equal(gg.count[GOLGI_OK], 8);
	assert_int_equal(golgi_kill(&gg, FLOOD, LYSO_SANITIZER), 4);
	assert_int_equal(golgi_kill(&gg, FLOOD, LYSO_SANITIZER), -1);   /* already dead */
	assert_int_equal(golgi_kill(&gg, 64, LYSO_ADMIN), -1);
	assert_int_equal(l.e[FLOOD].dropped, 4);
	assert_int_equal(gg.ch[1].purged, 1);
	assert_int_equal(gg.ch[2].purged, 2);
	assert_int_equal(gg.ch[0].purged, 1);
	while (golgi_next(&gg, &p))
		lens[n++] = p.len;
	/* the rest, in order: resp (prio 1), req, obs */
	assert_int_equal(n, 4);
	assert_int_equal(lens[0], 5);
	assert_int_equal(lens[1], 1);
	assert_int_equal(lens[2], 3);
	assert_int_equal(lens[3], 8);
	/* unreachable until revived */
	VERDICT(offer(2, VFS, FLOOD, 0, S), GOLGI_DROP, GOLGI_DEAD_RECEIVER);
	assert_true(lyso_revive(&l, FLOOD));
	VERDICT(offer(2, VFS, FLOOD, 0, S), GOLGI_DELIVER, GOLGI_OK);
}

static void a_flood_is_killed_and_the_rest_runs(void **state)
{
	struct golgi_verdict v;
	struct golgi_parcel p;
	int refused = 0, t;

	(void)state;
	setup(100000, 100000, true);
	assert_int_equal(m.d[FLOOD].limit[MITO_PARCELS], 20);   /* the profile's budget */
	assert_int_equal(m.d[VFS].limit[MITO_PARCELS], MITO_UNLIMITED);
	offer(2, VFS, FLOOD, 0, 0);                     /* a reply waiting for it */
	/* the flood: 100 sends a millisecond apart on req (10/s, burst 3) */
	for (t = 0; t < 100; t++) {
		v = offer(1, FLOOD, VFS, 16, (uint64_t)t * 1000000);
		if (v.rule == GOLGI_ENERGY)
			break;
		refused += v.action == GOLGI_DEFER;
	}
	/* 20 parcels' energy: 3 delivered by the bucket, 17 deferred, the 21st kills */
	assert_int_equal(t, 20);
	assert_int_equal(refused, 17);
	assert_int_equal(v.action, GOLGI_DROP);
	assert_true(v.energy.any);
	assert_int_equal(v.energy.res, MITO_PARCELS);
	assert_int_equal(v.energy.limit, 20);
	assert_true(lyso_dead(&l, FLOOD));
	assert_int_equal(l.e[FLOOD].why, LYSO_ENERGY);
	assert_int_equal(l.e[FLOOD].dropped, 4);        /* its 3 requests and the reply */
	assert_int_equal(m.d[FLOOD].first.res, MITO_PARCELS);
	/* later sends are refused as from the dead, at no cost */
	VERDICT(offer(1, FLOOD, VFS, 16, S), GOLGI_DROP, GOLGI_DEAD_SENDER);
	assert_int_equal(m.d[FLOOD].violations, 1);
	/* the shell and vfs run on */
	VERDICT(offer(1, SHELL, VFS, 16, S), GOLGI_DELIVER, GOLGI_OK);
	VERDICT(offer(2, VFS, SHELL, 16, S), GOLGI_DELIVER, GOLGI_OK);
	assert_true(golgi_next(&gg, &p));
	assert_int_equal(p.from, VFS);
	assert_true(golgi_next(&gg, &p));
	assert_int_equal(p.from, SHELL);
	assert_false(golgi_next(&gg, &p));
	/* reloaded: a fresh account and reachable again */
	mito_reset(&m, FLOOD);
	assert_true(lyso_revive(&l, FLOOD));
	VERDICT(offer(1, FLOOD, VFS, 16, 2 * S), GOLGI_DELIVER, GOLGI_OK);
}

/* ---- taking for receivers ------------------------------------------------ */

/* Queue a parcel that must be delivered; its seq. */
static uint64_t put(uint32_t chan, int from, int to, uint32_t len)
{
	uint64_t seq = gg.seq;

	VERDICT(offer(chan, from, to, len, 0), GOLGI_DELIVER, GOLGI_OK);
	return seq;
}

/* Take for mask to and check the channel, the length (the offer's tag) and
 * the books. */
static void take_for(uint64_t to, uint32_t chan, uint32_t len)
{
	struct golgi_parcel peek, p;

	assert_true(golgi_peek_for(&gg, to, &peek));
	assert_true(golgi_next_for(&gg, to, &p));
	assert_memory_equal(&peek, &p, sizeof(p));
	if (p.chan != chan || p.len != len)
		fail_msg("took chan %u len %u, want chan %u len %u", p.chan, p.len, chan, len);
	assert_true(to >> p.to & 1);
	for (unsigned c = 0; c < g.n_chan; c++)
		assert_int_equal(gg.ch[c].delivered, gg.ch[c].taken + gg.ch[c].purged + gg.ch[c].len);
}

#define BIT(ep) (1ull << (ep))

static void order_is_by_prio_then_id(void **state)
{
	static const uint8_t want[] = { 2, 3, 1, 0 };   /* prio 1, 1, 2, 7 */

	(void)state;
	setup(100000, 0, false);
	assert_memory_equal(gg.order, want, sizeof(want));
}

static void next_for_a_receiver(void **state)
{
	struct golgi_parcel p;

	(void)state;
	setup(100000, 0, false);
	put(0, VFS, SHELL, 1);          /* prio 7 */
	put(1, SHELL, VFS, 2);          /* prio 2 */
	put(2, VFS, FLOOD, 3);          /* prio 1, not for the shell */
	put(2, VFS, SHELL, 4);
	put(3, SHELL, VFS, 5);          /* prio 1, channel 3 */
	put(2, VFS, FLOOD, 6);
	put(2, VFS, SHELL, 7);
	put(1, FLOOD, VFS, 8);
	assert_int_equal(golgi_queued_for(&gg, 2, BIT(SHELL)), 2);
	assert_int_equal(golgi_queued_for(&gg, 2, BIT(FLOOD)), 2);
	assert_int_equal(golgi_queued_for(&gg, 2, BIT(SHELL) | BIT(FLOOD)), 4);
	assert_int_equal(golgi_queued_for(&gg, 2, BIT(VFS)), 0);
	assert_int_equal(golgi_queued_for(&gg, 1, BIT(VFS)), 2);
	assert_int_equal(golgi_queued_for(&gg, 1, ~0ull), 2);
	assert_int_equal(golgi_queued_for(&gg, 4, ~0ull), 0);          /* no channel 4 */
	assert_int_equal(golgi_queued_for(&gg, UINT32_MAX, ~0ull), 0);
	/* nothing for no one, or for an endpoint with nothing queued */
	assert_false(golgi_peek_for(&gg, 0, &p));
	assert_false(golgi_next_for(&gg, 0, &p));
	assert_false(golgi_next_for(&gg, BIT(KERNEL) | BIT(63), &p));
	/* the shell's: resp first (skipping the flood's), oldest first, then obs */
	take_for(BIT(SHELL), 2, 4);
	take_for(BIT(SHELL), 2, 7);
	take_for(BIT(SHELL), 0, 1);
	assert_false(golgi_peek_for(&gg, BIT(SHELL), &p));
	assert_false(golgi_next_for(&gg, BIT(SHELL), &p));
	/* the flood's stay queued, in order */
	assert_int_equal(gg.ch[2].len, 2);
	assert_int_equal(golgi_queued_for(&gg, 2, BIT(FLOOD)), 2);
	/* vfs: ctl (prio 1) before req (prio 2), however old req's are */
	take_for(BIT(VFS), 3, 5);
	take_for(BIT(VFS), 1, 2);
	take_for(BIT(VFS), 1, 8);
	assert_false(golgi_next_for(&gg, BIT(VFS), &p));
	/* and plain golgi_next sees the rest as they were queued */
	assert_true(golgi_next(&gg, &p));
	assert_int_equal(p.len, 3);
	assert_true(golgi_next(&gg, &p));
	assert_int_equal(p.len, 6);
	assert_false(golgi_next(&gg, &p));
}

/* Channels 2 and 3 share prio 1: the lower id first, even when the other
 * holds the older parcel; a mask of several receivers takes the oldest of
 * that channel for any of them. */
static void ties_go_to_the_lower_channel(void **state)
{
	(void)state;
	setup(100000, 0, false);
	put(3, SHELL, VFS, 1);
	put(2, VFS, FLOOD, 2);
	put(2, VFS, SHELL, 3);
	take_for(BIT(SHELL) | BIT(VFS) | BIT(FLOOD), 2, 2);
	take_for(BIT(SHELL) | BIT(VFS), 2, 3);
	take_for(BIT(SHELL) | BIT(VFS), 3, 1);
}

/* Taking from the middle of a ring that has wrapped keeps the others in
 * order. */
static void taking_from_the_middle_of_a_wrapped_ring(void **state)
{
	struct golgi_parcel p;

	(void)state;
	setup(100000, 0, false);
	/* resp: depth 4; move its head to 3 */
	for (uint32_t i = 0; i < 3; i++) {
		put(2, VFS, SHELL, 100 + i);
		assert_true(golgi_next(&gg, &p));
	}
	assert_int_equal(gg.ch[2].head, 3);
	put(2, VFS, FLOOD, 1);          /* at 3 */
	put(2, VFS, FLOOD, 2);          /* at 0 */
	put(2, VFS, SHELL, 3);          /* at 1 */
	put(2, VFS, FLOOD, 4);          /* at 2 */
	VERDICT(offer(2, VFS, FLOOD, 9, 0), GOLGI_DEFER, GOLGI_QUEUE_FULL);
	take_for(BIT(SHELL), 2, 3);
	put(2, VFS, SHELL, 5);          /* the freed place, at the tail */
	take_for(BIT(FLOOD), 2, 1);
	take_for(BIT(SHELL), 2, 5);
	take_for(BIT(FLOOD), 2, 2);
	take_for(BIT(FLOOD), 2, 4);
	assert_int_equal(gg.ch[2].len, 0);
	assert_int_equal(gg.ch[2].taken, 8);
}

/* golgi_route is golgi_admit then golgi_queue; golgi_pass hands an
 * admitted parcel over without queuing it: the same verdicts and charges,
 * the next seq, counted as queued and taken at once, the queue untouched. */
static void admit_then_pass_or_queue(void **state)
{
	struct golgi_parcel p = { 2, 7, 16, VFS, SHELL, false, 0, NULL }, out;
	struct mito_violation mv;
	uint64_t seq;

	(void)state;
	setup(100000, 0, true);
	seq = gg.seq;
	assert_int_equal(golgi_admit(&gg, &p, 0, &mv), GOLGI_OK);
	assert_false(mv.any);
	golgi_pass(&gg, &p);
	assert_int_equal(p.seq, seq);
	assert_int_equal(gg.seq, seq + 1);
	assert_int_equal(gg.ch[2].len, 0);
	assert_int_equal(gg.ch[2].delivered, 1);
	assert_int_equal(gg.ch[2].taken, 1);
	assert_int_equal(gg.count[GOLGI_OK], 1);
	assert_int_equal(m.d[VFS].used[MITO_PARCELS], 1);
	assert_int_equal(m.d[VFS].used[MITO_BYTES], 16);
	assert_false(golgi_next(&gg, &out));
	/* admitted and queued: what golgi_route does */
	assert_int_equal(golgi_admit(&gg, &p, 0, &mv), GOLGI_OK);
	golgi_queue(&gg, &p);
	assert_true(golgi_next(&gg, &out));
	assert_int_equal(out.seq, seq + 1);
	assert_int_equal(out.len, 16);
	/* a refusal is counted and charges nothing past its rule */
	p.chan = 1;
	assert_int_equal(golgi_admit(&gg, &p, 0, &mv), GOLGI_NOT_IN_GRAPH);
	assert_int_equal(gg.count[GOLGI_NOT_IN_GRAPH], 1);
	assert_int_equal(m.d[VFS].used[MITO_PARCELS], 2);
	/* h:flood's budget is 20 parcels: the 21st is the energy rule, killed */
	p = (struct golgi_parcel){ 1, 0, 0, FLOOD, VFS, false, 0, NULL };
	for (int i = 0; i < 20; i++) {
		enum golgi_rule r = golgi_admit(&gg, &p, (uint64_t)i * 1000000000u, &mv);

		assert_true(r == GOLGI_OK || r == GOLGI_BUCKET);
		if (r == GOLGI_OK)
			golgi_pass(&gg, &p);
	}
	assert_int_equal(golgi_admit(&gg, &p, 100000000000ull, &mv), GOLGI_ENERGY);
	assert_true(mv.any);
	assert_int_equal(mv.res, MITO_PARCELS);
	assert_true(lyso_dead(&l, FLOOD));
	for (unsigned c = 0; c < g.n_chan; c++)
		assert_int_equal(gg.ch[c].delivered, gg.ch[c].taken + gg.ch[c].purged + gg.ch[c].len);
}

/* ---- the dropped hook ---------------------------------------------------- */

static struct golgi_parcel seen[64];
static int n_seen;

static void note_dropped(void *ctx, const struct golgi_parcel *p)
{
	assert_ptr_equal(ctx, &n_seen);
	assert_true(n_seen < 64);
	seen[n_seen++] = *p;
}

static void the_hook_sees_each_purged_parcel(void **state)
{
	static int bodies[8];
	struct golgi_parcel want[8], p;
	int n_want = 0, kept = 0;

	(void)state;
	setup(100000, 0, false);
	gg.dropped = note_dropped, gg.dropped_ctx = &n_seen;
	n_seen = 0;
	static const int offers[][3] = {
		{ 1, SHELL, VFS }, { 1, FLOOD, VFS }, { 2, VFS, FLOOD }, { 2, VFS, SHELL },
		{ 0, FLOOD, SHELL }, { 2, VFS, FLOOD }, { 0, KERNEL, SHELL }, { 1, FLOOD, VFS },
	};
	for (int i = 0; i < 8; i++) {
		struct golgi_parcel o = { (uint32_t)offers[i][0], (uint16_t)(40 + i), (uint32_t)i,
					  offers[i][1], offers[i][2], false, 0, &bodies[i] };
		uint64_t seq = gg.seq;

		VERDICT(golgi_route(&gg, &o, 0), GOLGI_DELIVER, GOLGI_OK);
		o.seq = seq;
		if (o.from == FLOOD || o.to == FLOOD)
			want[n_want++] = o;
	}
	assert_int_equal(golgi_kill(&gg, FLOOD, LYSO_ADMIN), n_want);
	assert_int_equal(n_seen, n_want);
	/* each once, with its own fields (in channel order, oldest first) */
	for (int i = 0; i < n_want; i++) {
		int k;

		for (k = 0; k < n_seen; k++)
			if (seen[k].seq == want[i].seq)
				break;
		if (k == n_seen)
			fail_msg("seq %llu not seen", (unsigned long long)want[i].seq);
		assert_int_equal(seen[k].chan, want[i].chan);
		assert_int_equal(seen[k].kind, want[i].kind);
		assert_int_equal(seen[k].len, want[i].len);
		assert_int_equal(seen[k].from, want[i].from);
		assert_int_equal(seen[k].to, want[i].to);
		assert_ptr_equal(seen[k].body, want[i].body);
		for (int j = k + 1; j < n_seen; j++)
			assert_true(seen[j].seq != want[i].seq);
	}
	for (int k = 1; k < n_seen; k++)
		assert_true(seen[k].chan > seen[k - 1].chan ||
			    (seen[k].chan == seen[k - 1].chan && seen[k].seq > seen[k - 1].seq));
	/* the rest are not seen by the hook and still come out */
	while (golgi_next(&gg, &p)) {
		assert_true(p.from != FLOOD && p.to != FLOOD);
		kept++;
	}
	assert_int_equal(kept, 8 - n_want);
	/* a kill with nothing queued calls nothing */
	assert_int_equal(golgi_kill(&gg, VFS, LYSO_ADMIN), 0);
	assert_int_equal(n_seen, n_want);
}

/* ---- seeded random runs ------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

/* A run of offers, takes, kills and revivals from seed: a digest of every
 * verdict and parcel taken (FNV-1a), the books checked all along. */
static uint64_t random_run(uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ull, t = 0;
	uint64_t delivered[GRAPH_MAX_CHANNELS] = { 0 };

	rng = seed;
	setup(5000, 20000, true);
	for (unsigned d = 0; d < g.n_ep; d++)
		mito_budget(&m, d, MITO_BYTES, 20000 + rnd() % 20000);
	for (int i = 0; i < 5000; i++) {
		unsigned op = (unsigned)(rnd() % 100);
		uint64_t x;

		t += rnd() % 3000000;
		if (op < 70) {
			/* mostly edges of the graph, sometimes anything at all */
			static const int edges[][3] = {
				{ 0, KERNEL, SHELL }, { 0, VFS, SHELL }, { 0, FLOOD, SHELL },
				{ 1, SHELL, VFS }, { 1, FLOOD, VFS }, { 2, VFS, SHELL },
				{ 2, VFS, FLOOD }, { 3, SHELL, VFS },
			};
			const int *e = edges[rnd() % 8];
			struct golgi_parcel p = { (uint32_t)e[0], (uint16_t)rnd(),
						  (uint32_t)(rnd() % 300), e[1], e[2], rnd() % 100 == 0, 0, NULL };

			if (rnd() % 10 == 0) {
				p.chan = (uint32_t)(rnd() % 5);
				p.from = (int)(rnd() % 5) - (rnd() % 50 == 0);
				p.to = (int)(rnd() % 4);
			}
			struct golgi_verdict v = golgi_route(&gg, &p, t);

			x = (uint64_t)v.action << 8 | v.rule;
			if (v.action == GOLGI_DELIVER)
				delivered[p.chan]++;
		} else if (op < 98) {
			struct golgi_parcel p;

			x = golgi_next(&gg, &p) ? p.seq << 8 | p.chan : 0xff;
		} else if (op < 99) {
			x = (uint64_t)golgi_kill(&gg, (unsigned)(rnd() % 4), LYSO_ADMIN);
		} else {
			unsigned d = (unsigned)(rnd() % 4);

			mito_reset(&m, d);
			x = lyso_revive(&l, d);
		}
		h = (h ^ x) * 0x100000001b3ull;
		for (unsigned c = 0; c < g.n_chan; c++) {
			const struct golgi_queue *cq = &gg.ch[c];

			assert_true(cq->len <= cq->cap);
			assert_int_equal(cq->delivered, delivered[c]);
			assert_int_equal(cq->delivered, cq->taken + cq->purged + cq->len);
			assert_true(cq->delivered <= g.chan[c].burst +
				    (unsigned __int128)g.chan[c].rate * t / S);
		}
		/* nothing queued to or from the dead */
		for (unsigned c = 0; c < g.n_chan; c++)
			for (uint32_t k = 0; k < gg.ch[c].len; k++) {
				const struct golgi_parcel *p =
					&pool[gg.ch[c].base + (gg.ch[c].head + k) % gg.ch[c].cap];

				assert_false(lyso_dead(&l, (unsigned)p->from));
				assert_false(lyso_dead(&l, (unsigned)p->to));
			}
	}
	for (unsigned r = 0; r < GOLGI_NRULES; r++)
		h = (h ^ gg.count[r]) * 0x100000001b3ull;
	return h;
}

static void random_runs_are_deterministic(void **state)
{
	uint64_t rules_seen = 0;

	(void)state;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		uint64_t a = random_run(seed * 0x9e3779b97f4a7c15ull);

		for (unsigned r = 0; r < GOLGI_NRULES; r++)
			rules_seen |= (uint64_t)(gg.count[r] > 0) << r;
		assert_int_equal(random_run(seed * 0x9e3779b97f4a7c15ull), a);
	}
	/* the runs reach every rule */
	assert_int_equal(rules_seen, (1u << GOLGI_NRULES) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_checks_the_pool),
		cmocka_unit_test(each_rule_in_turn),
		cmocka_unit_test(order_out),
		cmocka_unit_test(kill_drops_to_and_from),
		cmocka_unit_test(a_flood_is_killed_and_the_rest_runs),
		cmocka_unit_test(random_runs_are_deterministic),
		cmocka_unit_test(order_is_by_prio_then_id),
		cmocka_unit_test(next_for_a_receiver),
		cmocka_unit_test(ties_go_to_the_lower_channel),
		cmocka_unit_test(taking_from_the_middle_of_a_wrapped_ring),
		cmocka_unit_test(admit_then_pass_or_queue),
		cmocka_unit_test(the_hook_sees_each_purged_parcel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
