/*
 * fabric.c - the organelles' send path and delivery (org.h): endpoint
 * and channel names to numbers, parcel bodies, framing, the peroxisome and
 * the Golgi in turn, the queues handed to receivers.  org.c loads the
 * graph and publishes the service over this.
 *
 * A send: the payload is framed into a parcel, the peroxisome checks it
 * (all of it for bytes a sender framed, send_raw; the channel for a
 * parcel framed here, whose XXH3 check the framing just computed over
 * those very bytes), the Golgi decides.  An accepted parcel whose
 * receiver takes parcels by function, with no delivery under way, is
 * handed over at once - framed on the sender's stack, never queued; any
 * other waits in its channel's queue in a body of its own, and is checked
 * whole again when it leaves (org_intact): the pump hands queued parcels
 * to receivers that take them by function, the most urgent channel first,
 * and take() to the others.  Every send is on this path: it is kept short
 * (docs/benchmarks.md).
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include "org.h"
#include "parcel.h"

/*
 * The pump: while it hands a parcel to a receiver, a send from inside that
 * receiver (the same run of the same task, deeper on its stack) or from
 * another task (the pump's task blocked in the receiver) leaves the
 * delivery to it.  A receiver that faults never returns: the kernel ends
 * or restarts the pump's task, and the next send finds the pump stale (its
 * task gone, or restarted: another incarnation).  Then the receiver is
 * killed for the fault, and the pump is free again.
 */
static bool pumping;
static uint64_t pump_task;              /* the incarnation of the task it runs in */
static int delivering = -1;             /* the endpoint it is handing a parcel to */
static struct golgi_parcel in_hand;     /* that parcel */
static bool in_hand_borrowed;           /* its body is a sender's frame, not a cell */

_Static_assert((int)KR_ORG_BUCKET == (int)GOLGI_BUCKET && (int)KR_ORG_SANITIZER == (int)GOLGI_SANITIZER &&
	       (int)KR_ORG_ENERGY == (int)GOLGI_ENERGY, "the ABI's rules are the Golgi's");
_Static_assert((int)KR_ORG_DEFER == (int)GOLGI_DEFER && (int)KR_ORG_DROP == (int)GOLGI_DROP,
	       "the ABI's actions are the Golgi's");
_Static_assert((int)KR_ORG_IO == (int)MITO_IO, "the ABI's resources are the mitochondria's");

uint64_t org_now(void)
{
	return org_sched ? org_sched->vclock() : 0;
}

/* FNV-1a of a name (at most KR_ORG_NAME_MAX - 1 bytes; *len its length,
 * KR_ORG_NAME_MAX if it is longer), for the endpoint table. */
static uint32_t name_hash(const char *s, size_t *len)
{
	uint32_t h = 2166136261u;
	size_t n = 0;

	for (; n < KR_ORG_NAME_MAX && s[n]; n++)
		h = (h ^ (uint8_t)s[n]) * 16777619u;
	*len = n;
	return h;
}

void org_names_index(void)
{
	memset(org.ep_hash, 0xff, sizeof(org.ep_hash));
	for (unsigned i = 0; i < org.g.n_ep; i++) {
		size_t n;
		uint32_t k = name_hash(org.g.ep[i], &n);

		org.ep_len[i] = (uint8_t)n;
		while (org.ep_hash[k % sizeof(org.ep_hash)] != 0xff)
			k++;    /* 64 names at most in 128 slots: never full */
		org.ep_hash[k % sizeof(org.ep_hash)] = (uint8_t)i;
	}
}

int org_endpoint(const char *name)
{
	size_t n;
	uint32_t k = name_hash(name, &n);

	if (n >= KR_ORG_NAME_MAX)
		return -1;
	for (;; k++) {
		uint8_t i = org.ep_hash[k % sizeof(org.ep_hash)];

		if (i == 0xff)
			return -1;
		if (org.ep_len[i] == n && !memcmp(org.g.ep[i], name, n))
			return i;
	}
}

int org_channel(const char *s)
{
	unsigned v = 0;

	if (!s || !*s)
		return -1;
	for (unsigned i = 0; i < org.g.n_chan; i++)
		if (!strcmp(org.g.chan[i].name, s))
			return (int)i;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > 1000)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	return v < org.g.n_chan ? (int)v : -1;
}

/* ---- parcel bodies ------------------------------------------------------ */

/* A framed parcel of at most CELL bytes lives in a cell: cells are cut
 * from 16 KiB chunks (at most CELL_CHUNKS of them) and reused through a
 * free list, so the common small parcel costs
 * no heap call.  Larger parcels, and any once the chunks are used up, come
 * from the heap.  The size tells which, so every free passes it.  When no
 * cell is in use, the chunks past the first go back to the heap. */
#define CELL            256u
#define CELL_CHUNK      (16384u / CELL)
#define CELL_CHUNKS     64u

struct cell { struct cell *next; };
static struct cell *cell_free;
static void *cell_chunk[CELL_CHUNKS];
static unsigned cell_chunks;
static uint32_t cells_used;             /* bodies now in cells */

static inline uint8_t *body_alloc(size_t size)
{
	struct cell *c;

	if (size > CELL)
		return kr_malloc(org_self, size);
	if (!cell_free && cell_chunks < CELL_CHUNKS &&
	    (cell_chunk[cell_chunks] = kr_malloc(org_self, CELL_CHUNK * CELL)) != NULL) {
		uint8_t *chunk = cell_chunk[cell_chunks++];

		for (unsigned i = 0; i < CELL_CHUNK; i++) {
			c = (struct cell *)(chunk + i * CELL);
			c->next = cell_free;
			cell_free = c;
		}
	}
	if (!cell_free)
		return kr_malloc(org_self, size);
	c = cell_free;
	cell_free = c->next;
	cells_used++;
	return (uint8_t *)c;
}

/* No body is in a cell: give back every chunk but the first, so a burst's
 * memory returns to the heap once the fabric is idle again. */
static void cells_shrink(void)
{
	struct cell *c;

	while (cell_chunks > 1)
		kr_free(org_self, cell_chunk[--cell_chunks]);
	cell_free = NULL;
	for (unsigned i = 0; i < CELL_CHUNK; i++) {
		c = (struct cell *)((uint8_t *)cell_chunk[0] + i * CELL);
		c->next = cell_free;
		cell_free = c;
	}
}

/* Is p inside one of the chunks? (A small body may come from the heap.) */
static bool in_cells(const void *p)
{
	for (unsigned i = 0; i < cell_chunks; i++)
		if ((const uint8_t *)p >= (const uint8_t *)cell_chunk[i] &&
		    (const uint8_t *)p < (const uint8_t *)cell_chunk[i] + CELL_CHUNK * CELL)
			return true;
	return false;
}

void org_body_put(void *p, size_t size)
{
	struct cell *c = p;

	if (size > CELL || !in_cells(p)) {
		kr_free(org_self, p);
		return;
	}
	c->next = cell_free;
	cell_free = c;
	if (--cells_used == 0 && cell_chunks > 1)
		cells_shrink();
}

void org_bodies_free(void)
{
	for (unsigned i = 0; i < cell_chunks; i++)
		kr_free(org_self, cell_chunk[i]);
	cell_chunks = 0;
	cell_free = NULL;
	cells_used = 0;
}

/* ---- delivery ---------------------------------------------------------- */

void org_body_dropped(void *ctx, const struct golgi_parcel *p)
{
	(void)ctx;
	org_body_put(p->body, KR_PARCEL_HDR_SIZE + p->len);
}

/* Does the task run of incarnation inc (kr_sched_ops incarnation) live? */
static bool task_alive(uint64_t inc)
{
	struct kr_task_info ti = { .version = KR_TASK_INFO_VERSION };

	for (uint32_t i = 0; org_sched && org_sched->task_info(i, &ti) == KR_OK; i++)
		if (ti.id == (uint32_t)inc)
			return (uint32_t)ti.faults == inc >> 32;
	return false;
}

/* pump_busy while the pump runs: busy, or stale and cleared. */
static bool pump_busy_check(void)
{
	uint64_t self = org_sched ? org_sched->incarnation() : 0;
	int ep = delivering;

	if (self == pump_task || task_alive(pump_task))
		return true;
	pumping = false;
	delivering = -1;
	if (ep >= 0) {
		kr_log(KR_LOG_ERR, "organelles: %s faulted in its receive function (channel %u, "
		       "from %s)\n", org.g.ep[ep], in_hand.chan, org.g.ep[in_hand.from]);
		if (!in_hand_borrowed)
			org_body_put(in_hand.body, KR_PARCEL_HDR_SIZE + in_hand.len);
		org_kill(ep, LYSO_FAULT);
	}
	return false;
}

/* Is a delivery under way (so this send leaves its parcel to it)?  A stale
 * one (its receiver faulted) is cleared here: the receiver is killed.
 * Inline: outside a delivery (most sends) it is one test. */
static inline bool pump_busy(void)
{
	return pumping && pump_busy_check();
}

/* Hand in_hand (taken out of its queue, or handed over by its sender) to
 * its receiver (open, with a recv function) and free it unless it is
 * borrowed; the caller has set pumping.  While the receiver runs no other
 * delivery starts (the pump is busy), so in_hand stays as it is until
 * recv returns or faults. */
static inline __attribute__((always_inline)) void deliver(void)
{
	const struct golgi_parcel *p = &in_hand;
	const struct kr_parcel_hdr *h = p->body;
	struct kr_org_msg m = { KR_ORG_MSG_VERSION, h->channel, h->kind, h->flags, h->length,
				h->seq, "", (const uint8_t *)p->body + KR_PARCEL_HDR_SIZE };
	struct org_ep *e = &org.ep[p->to];

	/* The builtin: a constant 32 bytes inline (two moves), not memcpy's
	 * call and loop (the kernel is built -fno-builtin). */
	__builtin_memcpy(m.from, org.g.ep[p->from], sizeof(m.from));
	if (p->chan == GRAPH_OBS_CHANNEL)
		obs_append(p->body, KR_PARCEL_HDR_SIZE + h->length);
	e->received++;
	delivering = p->to;
	e->recv(e->ctx, &m);
	delivering = -1;
	if (!in_hand_borrowed)
		org_body_put(p->body, KR_PARCEL_HDR_SIZE + p->len);
}

static inline void pump_begin(void)
{
	pumping = true;
	pump_task = org_sched ? org_sched->incarnation() : 0;
}

bool org_intact(const struct golgi_parcel *p)
{
	struct parcel_view v = { 0 };   /* read only on PEROX_OK; gcc cannot see that */
	size_t size = KR_PARCEL_HDR_SIZE + p->len;
	enum perox_reason r = perox_recheck(&org.px, p->body, size, p->from, org.g.n_chan, &v);

	/* Intact, and still the parcel the Golgi admitted. */
	if (r == PEROX_OK && v.channel == p->chan && v.kind == p->kind)
		return true;
	if (r == PEROX_OK)
		r = perox_quarantine(&org.px, p->body, size, p->from, PEROX_CHANNEL);
	kr_log(KR_LOG_ERR, "organelles: a parcel from %s to %s on channel %u changed while it "
	       "was queued (%s): quarantined, not delivered\n", org.g.ep[p->from], org.g.ep[p->to],
	       p->chan, perox_reason_name(r));
	org_body_put(p->body, size);
	return false;
}

/* Deliver what waits for receivers that take parcels by function.  A
 * recv that sends lands here again: the outer loop delivers that too.
 * Each parcel is checked whole as it leaves its queue. */
void org_pump(void)
{
	if (pump_busy())
		return;
	pump_begin();
	in_hand_borrowed = false;
	while (org.ready && golgi_next_for(&org.gg, org.ready, &in_hand))
		if (org_intact(&in_hand))
			deliver();
	pumping = false;
}

/* ---- sending ----------------------------------------------------------- */

static kr_err_t refusal(struct kr_org_sent *res, struct golgi_verdict v, int from, int to,
			unsigned chan, uint64_t dropped)
{
	const struct graph_chan *c = chan < org.g.n_chan ? &org.g.chan[chan] : NULL;
	const char *f = org.g.ep[from], *t = to >= 0 ? org.g.ep[to] : "?";
	char *w = res->why;
	size_t n = sizeof(res->why);

	res->action = v.action;
	res->rule = v.rule;
	switch (v.rule) {
	case GOLGI_SANITIZER:
		ksnprintf(w, n, "sanitizer: malformed parcel quarantined");
		return KR_EFORMAT;
	case GOLGI_NOT_IN_GRAPH:
		if (c)
			ksnprintf(w, n, "not-in-graph: no edge %s -> %s on channel %u (%s)", f, t,
				  chan, c->name);
		else
			ksnprintf(w, n, "not-in-graph: no channel %u", chan);
		return KR_EPERM;
	case GOLGI_DEAD_SENDER:
		ksnprintf(w, n, "dead-sender: %s is in the dead-map (%s)", f,
			  lyso_reason_name(org.l.e[from].why));
		return KR_EDEAD;
	case GOLGI_DEAD_RECEIVER:
		ksnprintf(w, n, "dead-receiver: %s is in the dead-map (%s)", t,
			  lyso_reason_name(org.l.e[to].why));
		return KR_EDEAD;
	case GOLGI_ENERGY:
		ksnprintf(w, n, "energy: %s used %llu of %llu %s: killed, %llu queued parcels dropped",
			  f, (unsigned long long)v.energy.used, (unsigned long long)v.energy.limit,
			  mito_res_name(v.energy.res), (unsigned long long)dropped);
		return KR_EENERGY;
	case GOLGI_RESERVOIR:
		ksnprintf(w, n, "reservoir: the GAS reservoir cannot pay for the attempt");
		return KR_EAGAIN;
	case GOLGI_QUEUE_FULL:
		ksnprintf(w, n, "queue-full: channel %u (%s) holds %u parcels", chan, c->name,
			  c->depth);
		return KR_EAGAIN;
	case GOLGI_BUCKET:
		ksnprintf(w, n, "bucket: channel %u (%s) is past its bucket (burst %u, rate %u/s)",
			  chan, c->name, c->burst, c->rate);
		return KR_EAGAIN;
	default:
		ksnprintf(w, n, "refused");
		return KR_EINVAL;
	}
}

/* After the peroxisome (pr its verdict on p's body, size bytes): the
 * Golgi's rules, then p queued, or handed at once to its receiver if
 * direct (it takes parcels by function and no delivery is under way: then
 * nothing queued waits for it, the pump delivered all of those, so this
 * one is next), or refused with the reason in res.  The body is the
 * caller's (a frame on its stack) if borrowed, and then only ever handed
 * over at once; otherwise it is freed here unless queued.  Always inline:
 * a call here would cost a frame and a register shuffle on every send
 * (docs/benchmarks.md). */
static inline __attribute__((always_inline)) kr_err_t
route(struct golgi_parcel *p, size_t size, enum perox_reason pr, bool direct, bool borrowed,
      uint32_t seq, struct kr_org_sent *res)
{
	struct mito_violation mv;
	int from = p->from;
	uint64_t dropped_before = org.l.e[from].dropped;
	enum golgi_rule rule;
	unsigned chan = p->chan;

	if (pr != PEROX_OK)
		p->malformed = true;
	rule = golgi_admit(&org.gg, p, org_now(), &mv);
	if (rule == GOLGI_OK) {
		res->action = KR_ORG_DELIVER;
		res->rule = KR_ORG_OK;
		res->seq = seq;
		org.txseq[from][chan]++;
		org.ep[from].sent++;
		if (direct) {
			uint64_t at = org.gg.seq;

			golgi_pass(&org.gg, p);
			in_hand = *p;
			in_hand_borrowed = borrowed;
			pump_begin();
			deliver();
			pumping = false;
			if (org.gg.seq != at + 1)       /* its recv sent: that waits for the pump */
				org_pump();
			return KR_OK;
		}
		golgi_queue(&org.gg, p);
		org_pump();
		return KR_OK;
	}
	if (!borrowed)
		org_body_put(p->body, size);
	if (pr == PEROX_OK)     /* a malformed parcel's channel is not to be believed */
		org.refused[chan][rule]++;
	if (rule == GOLGI_ENERGY) {
		struct golgi_verdict gv = { GOLGI_DROP, GOLGI_ENERGY, mv };
		kr_err_t e = refusal(res, gv, from, p->to, chan, org.l.e[from].dropped - dropped_before);

		kr_log(KR_LOG_WARN, "organelles: %s\n", res->why);
		return e;
	}
	if (pr != PEROX_OK) {
		ksnprintf(res->why, sizeof(res->why), "sanitizer: %s: quarantined",
			  perox_reason_name(pr));
		res->action = KR_ORG_DROP;
		res->rule = KR_ORG_SANITIZER;
		return KR_EFORMAT;
	}
	return refusal(res, (struct golgi_verdict){ rule >= GOLGI_RESERVOIR ? GOLGI_DEFER : GOLGI_DROP,
						    rule, mv }, from, p->to, chan, 0);
}

static inline kr_err_t begin(int from, int to, struct kr_org_sent *res)
{
	res->version = KR_ORG_SENT_VERSION;     /* not the whole struct: this is every send */
	res->action = KR_ORG_DROP;
	res->rule = KR_ORG_OK;
	res->seq = 0;
	res->why[0] = '\0';
	if (!org.up) {
		ksnprintf(res->why, sizeof(res->why), "no channel graph: %s", org.down_why);
		return KR_ENODEV;
	}
	if (from < 0 || from >= org.g.n_ep)
		return KR_EINVAL;
	if (to < 0 || to >= org.g.n_ep) {
		ksnprintf(res->why, sizeof(res->why), "no endpoint %d in the channel graph", to);
		return KR_ENOENT;
	}
	return KR_OK;
}

/* A parcel framed on the sender's stack when it is handed over at once:
 * no cell taken or given back.  CELL bytes, as a cell: a bigger one is
 * framed in its own body. */
#define FRAME_ON_STACK CELL

static inline __attribute__((always_inline)) kr_err_t
send_framed(int from, int t, uint16_t chan, uint8_t kind, const void *data, size_t len,
	    struct kr_org_sent *res)
{
	uint8_t frame[FRAME_ON_STACK] __attribute__((aligned(16)));
	struct golgi_parcel p;
	uint32_t seq;
	size_t size = KR_PARCEL_HDR_SIZE + len;
	bool busy, direct, borrowed;
	enum perox_reason pr;
	kr_err_t e;

	if ((e = begin(from, t, res)) != KR_OK)
		return e;
	if (len > KR_PARCEL_PAYLOAD_MAX || (len && !data)) {
		ksnprintf(res->why, sizeof(res->why), "payload of %zu bytes: at most %u", len,
			  KR_PARCEL_PAYLOAD_MAX);
		return len ? KR_ERANGE : KR_EINVAL;
	}
	busy = pump_busy();     /* first: a receiver that faulted is killed now */
	direct = (org.ready >> t & 1) && !busy;
	borrowed = direct && size <= sizeof(frame);
	p = (struct golgi_parcel){ .chan = chan, .kind = kind, .len = (uint32_t)len, .from = from,
				   .to = t, .body = borrowed ? frame : body_alloc(size) };
	if (!p.body)
		return KR_ENOMEM;
	seq = org.txseq[from][chan < GRAPH_MAX_CHANNELS ? chan : 0];
	parcel_frame(p.body, chan, kind, 0, seq, data, (uint16_t)len);        /* checked above */
	pr = perox_check_framed(&org.px, p.body, size, from, org.g.n_chan, chan);
	return route(&p, size, pr, direct, borrowed, seq, res);
}

kr_err_t org_send(int from, int t, uint16_t chan, uint8_t kind, const void *data,
		  size_t len, struct kr_org_sent *res)
{
	struct kr_org_sent dummy;

	return send_framed(from, t, chan, kind, data, len, res ? res : &dummy);
}

kr_err_t org_op_send(kr_domain_t *d, uint32_t ep, uint32_t to, uint16_t channel, uint8_t kind,
		     const void *data, size_t len, struct kr_org_sent *res)
{
	struct kr_org_sent dummy;

	if (!org_own(d, ep))
		return org.up ? KR_EINVAL : KR_ENODEV;
	return send_framed((int)ep, to < GRAPH_MAX_ENDPOINTS ? (int)to : -1, channel, kind, data,
			   len, res ? res : &dummy);
}

kr_err_t org_send_raw(int from, int t, const void *bytes, size_t len,
		      struct kr_org_sent *res)
{
	struct kr_org_sent dummy;
	struct parcel_view v = { 0 };   /* read only on PEROX_OK; gcc cannot see that */
	struct golgi_parcel p = { .from = from, .to = t };
	enum perox_reason pr;
	bool busy;
	kr_err_t e;

	res = res ? res : &dummy;
	if ((e = begin(from, t, res)) != KR_OK)
		return e;
	if (len > KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX) {
		/* Counted as quarantined too: the sanitizer sees it first. */
		org.px.checked++;
		perox_quarantine(&org.px, bytes, len, from, PEROX_LENGTH);
		org.gg.count[GOLGI_SANITIZER]++;
		res->rule = KR_ORG_SANITIZER;
		ksnprintf(res->why, sizeof(res->why), "sanitizer: %zu bytes: quarantined", len);
		return KR_EFORMAT;
	}
	p.body = body_alloc(len ? len : 1);
	if (!p.body)
		return KR_ENOMEM;
	if (len)
		memcpy(p.body, bytes, len);
	busy = pump_busy();     /* first: a receiver that faulted is killed now */
	pr = perox_check(&org.px, p.body, len, from, org.g.n_chan, &v);
	if (pr == PEROX_OK)
		p.chan = v.channel, p.kind = v.kind, p.len = v.length;
	return route(&p, len, pr, (org.ready >> t & 1) && !busy, false, v.seq, res);
}

int64_t org_kill(int ep, enum lyso_reason why)
{
	int64_t n;

	if (ep < 0 || ep >= org.g.n_ep)
		return -1;
	n = golgi_kill(&org.gg, (unsigned)ep, why);
	if (n >= 0)
		kr_log(KR_LOG_WARN, "organelles: %s killed (%s): %lld queued parcels dropped; "
		       "unreachable until reloaded\n", org.g.ep[ep], lyso_reason_name(why),
		       (long long)n);
	return n;
}
