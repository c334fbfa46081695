/*
 * org.c - the organelles module (issue 17): the image's channel graph
 * loaded and measured, and the fabric over it - endpoints, sending
 * (frame -> peroxisome -> Golgi, with the mitochondria, QoS and lysosome
 * it consults), delivery in the graph's order - published as the
 * "organelles" service (<karyon/organelles.h>).
 *
 * The graph comes from the boot module "channels" (the blob tools/
 * mkchannels compiled from images/PROFILE.channels); the image's manifest
 * (boot module "manifest") lists its digest on a line
 *	channels blake2b-256 HEX
 * A blob the manifest does not list is refused in an enforcing image and
 * taints a permissive one.  Without a graph the module still starts, says
 * why, and refuses every send (KR_ENODEV): nothing travels outside a graph.
 *
 * A send: the payload is framed into a parcel (its own allocation, the
 * "body"), the peroxisome checks the bytes, the Golgi decides; an accepted
 * parcel waits in its channel's queue, and the pump hands queued parcels
 * to receivers that take them by function, the most urgent channel first.
 */
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/shell.h>
#include "org.h"
#include "parcel.h"

struct org org;


kr_domain_t *org_self;
const struct kr_sched_ops *org_sched;

static bool pumping;                    /* the pump is running (a recv may send) */

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

static void ep_hash_build(void)
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
 * from 16 KiB chunks (at most CELL_CHUNKS of them, kept until the module
 * ends) and reused through a free list, so the common small parcel costs
 * no heap call.  Larger parcels, and any once the chunks are used up, come
 * from the heap.  The size tells which, so every free passes it. */
#define CELL            256u
#define CELL_CHUNK      (16384u / CELL)
#define CELL_CHUNKS     64u

struct cell { struct cell *next; };
static struct cell *cell_free;
static void *cell_chunk[CELL_CHUNKS];
static unsigned cell_chunks;

static uint8_t *body_alloc(size_t size)
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
	return (uint8_t *)c;
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

static void body_put(void *p, size_t size)
{
	struct cell *c = p;

	if (size > CELL || !in_cells(p)) {
		kr_free(org_self, p);
		return;
	}
	c->next = cell_free;
	cell_free = c;
}

static void bodies_free_all(void)
{
	for (unsigned i = 0; i < cell_chunks; i++)
		kr_free(org_self, cell_chunk[i]);
	cell_chunks = 0;
	cell_free = NULL;
}

/* ---- delivery ---------------------------------------------------------- */

static void body_free(void *ctx, const struct golgi_parcel *p)
{
	(void)ctx;
	body_put(p->body, KR_PARCEL_HDR_SIZE + p->len);
}

/* Hand p to its receiver (open, with a recv function) and free it. */
static void deliver(const struct golgi_parcel *p)
{
	const struct kr_parcel_hdr *h = p->body;
	struct kr_org_msg m = { KR_ORG_MSG_VERSION, h->channel, h->kind, h->flags, h->length,
				h->seq, "", (const uint8_t *)p->body + KR_PARCEL_HDR_SIZE };
	struct org_ep *e = &org.ep[p->to];

	memcpy(m.from, org.g.ep[p->from], sizeof(m.from));
	if (p->chan == GRAPH_OBS_CHANNEL)
		obs_append(p->body, KR_PARCEL_HDR_SIZE + h->length);
	e->received++;
	e->recv(e->ctx, &m);
	body_put(p->body, KR_PARCEL_HDR_SIZE + p->len);
}

/* Deliver what waits for receivers that take parcels by function.  A
 * recv that sends lands here again: the outer loop delivers that too. */
static void pump(void)
{
	struct golgi_parcel p;

	if (pumping)
		return;
	pumping = true;
	while (org.ready && golgi_next_for(&org.gg, org.ready, &p))
		deliver(&p);
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

/* Route the framed parcel body (size bytes, owned by this call) from
 * endpoint from to endpoint to. */
static kr_err_t route(int from, int to, uint8_t *body, size_t size, struct kr_org_sent *res)
{
	struct golgi_parcel p = { .from = from, .to = to, .body = body };
	struct parcel_view v;
	enum perox_reason pr;
	struct golgi_verdict gv;
	uint64_t dropped_before = org.l.e[from].dropped;
	unsigned chan;

	pr = perox_check(&org.px, body, size, from, org.g.n_chan, &v);
	if (pr == PEROX_OK)
		p.chan = v.channel, p.kind = v.kind, p.len = v.length;
	else
		p.malformed = true;
	chan = p.chan;
	gv = golgi_route(&org.gg, &p, org_now());
	if (gv.action == GOLGI_DELIVER) {
		res->action = KR_ORG_DELIVER;
		res->rule = KR_ORG_OK;
		res->seq = v.seq;
		org.txseq[from][chan]++;
		org.ep[from].sent++;
		/* Outside a delivery nothing queued waits for a receiver that
		 * takes parcels by function (the pump delivered all of those),
		 * so this one is next: hand it over at once. */
		if (!pumping && (org.ready >> to & 1) && golgi_take_last(&org.gg, chan, &p)) {
			uint64_t seq = org.gg.seq;

			pumping = true;
			deliver(&p);
			pumping = false;
			if (org.gg.seq != seq)  /* its recv sent: that waits for the pump */
				pump();
			return KR_OK;
		}
		pump();
		return KR_OK;
	}
	body_put(body, size);
	if (chan < org.g.n_chan)
		org.refused[chan][gv.rule]++;
	if (gv.rule == GOLGI_ENERGY) {
		uint64_t dropped = org.l.e[from].dropped - dropped_before;
		kr_err_t e = refusal(res, gv, from, to, chan, dropped);

		kr_log(KR_LOG_WARN, "organelles: %s\n", res->why);
		return e;
	}
	if (pr != PEROX_OK)
		ksnprintf(res->why, sizeof(res->why), "sanitizer: %s: quarantined",
			  perox_reason_name(pr));
	return pr != PEROX_OK ? (res->action = KR_ORG_DROP, res->rule = KR_ORG_SANITIZER,
				 KR_EFORMAT) : refusal(res, gv, from, to, chan, 0);
}

static kr_err_t begin(int from, int to, struct kr_org_sent *res)
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

kr_err_t org_send(int from, int t, uint16_t chan, uint8_t kind, const void *data,
		  size_t len, struct kr_org_sent *res)
{
	struct kr_org_sent dummy;
	uint8_t *body;
	size_t size;
	kr_err_t e;

	res = res ? res : &dummy;
	if ((e = begin(from, t, res)) != KR_OK)
		return e;
	if (len > KR_PARCEL_PAYLOAD_MAX || (len && !data)) {
		ksnprintf(res->why, sizeof(res->why), "payload of %zu bytes: at most %u", len,
			  KR_PARCEL_PAYLOAD_MAX);
		return len ? KR_ERANGE : KR_EINVAL;
	}
	body = body_alloc(KR_PARCEL_HDR_SIZE + len);
	if (!body)
		return KR_ENOMEM;
	e = parcel_encode(body, KR_PARCEL_HDR_SIZE + len, chan, kind, 0,
			  org.txseq[from][chan < GRAPH_MAX_CHANNELS ? chan : 0], data, (uint16_t)len,
			  &size);
	if (e) {
		body_put(body, KR_PARCEL_HDR_SIZE + len);
		return e;
	}
	return route(from, t, body, size, res);
}

kr_err_t org_send_raw(int from, int t, const void *bytes, size_t len,
		      struct kr_org_sent *res)
{
	struct kr_org_sent dummy;
	uint8_t *body;
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
	body = body_alloc(len ? len : 1);
	if (!body)
		return KR_ENOMEM;
	if (len)
		memcpy(body, bytes, len);
	return route(from, t, body, len, res);
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

/* ---- the service ------------------------------------------------------- */

static struct org_ep *own(kr_domain_t *d, uint32_t ep)
{
	if (!org.up || ep >= org.g.n_ep || !org.ep[ep].open || org.ep[ep].owner != d)
		return NULL;
	return &org.ep[ep];
}

static void domain_gone(void *ctx, uint32_t id)
{
	(void)ctx;
	for (unsigned i = 0; i < org.g.n_ep; i++)
		if (org.ep[i].open && org.ep[i].owner_id == id) {
			org.ep[i] = (struct org_ep){ .sent = org.ep[i].sent,
						     .received = org.ep[i].received };
			org.ready &= ~(1ull << i);
		}
}

static kr_err_t op_open(kr_domain_t *d, const char *name, kr_org_recv_fn recv, void *ctx,
			uint32_t *ep)
{
	int n;
	struct org_ep *e;

	if (!d || !name || !ep || strnlen(name, KR_ORG_NAME_MAX) >= KR_ORG_NAME_MAX)
		return KR_EINVAL;
	if (!org.up)
		return KR_ENODEV;
	if ((n = graph_endpoint(&org.g, name)) < 0)
		return KR_ENOENT;
	e = &org.ep[n];
	if (e->open)
		return KR_EBUSY;
	if (d != org_self && kr_domain_watch(org_self, kr_domain_id(d), domain_gone, NULL))
		return KR_ENOSPC;
	if (lyso_dead(&org.l, (unsigned)n)) {   /* reloaded: back, with fresh energy */
		lyso_revive(&org.l, (unsigned)n);
		mito_reset(&org.m, (unsigned)n);
		kr_log(KR_LOG_INFO, "organelles: %s revived (reloaded)\n", name);
	}
	e->open = true;
	e->owner = d;
	e->owner_id = kr_domain_id(d);
	e->recv = recv;
	e->ctx = ctx;
	if (recv)
		org.ready |= 1ull << n;
	*ep = (uint32_t)n;
	pump();                 /* what waited for it */
	return KR_OK;
}

static kr_err_t op_close(kr_domain_t *d, uint32_t ep)
{
	struct org_ep *e = own(d, ep);

	if (!e)
		return KR_EINVAL;
	*e = (struct org_ep){ .sent = e->sent, .received = e->received };
	org.ready &= ~(1ull << ep);
	return KR_OK;
}

static kr_err_t op_send(kr_domain_t *d, uint32_t ep, uint32_t to, uint16_t channel,
			uint8_t kind, const void *data, size_t len, struct kr_org_sent *res)
{
	if (!own(d, ep))
		return org.up ? KR_EINVAL : KR_ENODEV;
	return org_send((int)ep, to < GRAPH_MAX_ENDPOINTS ? (int)to : -1, channel, kind, data,
			len, res);
}

static kr_err_t op_send_raw(kr_domain_t *d, uint32_t ep, uint32_t to, const void *bytes,
			    size_t len, struct kr_org_sent *res)
{
	if (!own(d, ep) || (len && !bytes))
		return org.up ? KR_EINVAL : KR_ENODEV;
	return org_send_raw((int)ep, to < GRAPH_MAX_ENDPOINTS ? (int)to : -1, bytes, len, res);
}

static kr_err_t op_take(kr_domain_t *d, uint32_t ep, struct kr_org_msg *m, void *buf,
			size_t cap)
{
	struct golgi_parcel p;
	const struct kr_parcel_hdr *h;

	if (!own(d, ep) || !m || (cap && !buf))
		return KR_EINVAL;
	if (!golgi_peek_for(&org.gg, 1ull << ep, &p))
		return KR_EAGAIN;
	h = p.body;
	if (h->length > cap)
		return KR_ERANGE;
	golgi_next_for(&org.gg, 1ull << ep, &p);
	*m = (struct kr_org_msg){ KR_ORG_MSG_VERSION, h->channel, h->kind, h->flags, h->length,
				  h->seq, "", buf };
	memcpy(m->from, org.g.ep[p.from], sizeof(m->from));
	memcpy(buf, (const uint8_t *)p.body + KR_PARCEL_HDR_SIZE, h->length);
	if (p.chan == GRAPH_OBS_CHANNEL)
		obs_append(p.body, KR_PARCEL_HDR_SIZE + h->length);
	org.ep[ep].received++;
	body_put(p.body, KR_PARCEL_HDR_SIZE + p.len);
	return KR_OK;
}

static kr_err_t op_charge(kr_domain_t *d, uint32_t ep, uint32_t res, uint64_t amount)
{
	struct mito_violation v;

	if (!own(d, ep) || res >= MITO_NRES)
		return KR_EINVAL;
	if (lyso_dead(&org.l, ep))
		return KR_EDEAD;
	if (mito_charge1(&org.m, ep, (enum mito_res)res, amount, &v))
		return KR_OK;
	kr_log(KR_LOG_WARN, "organelles: %s: energy: %llu + %llu %s is over its budget of %llu\n",
	       org.g.ep[ep], (unsigned long long)v.used, (unsigned long long)v.want,
	       mito_res_name(v.res), (unsigned long long)v.limit);
	org_kill((int)ep, LYSO_ENERGY);
	return KR_EENERGY;
}

static void op_release(kr_domain_t *d, uint32_t ep, uint64_t pages)
{
	if (own(d, ep))
		mito_release(&org.m, ep, pages);
}

static kr_err_t op_kill(const char *name, uint32_t why, uint64_t *dropped)
{
	int n = name && org.up ? graph_endpoint(&org.g, name) : -1;
	int64_t k;

	if (n < 0)
		return KR_ENOENT;
	if (why < KR_ORG_WHY_ENERGY || why > KR_ORG_WHY_ADMIN)
		return KR_EINVAL;
	k = org_kill(n, (enum lyso_reason)why);
	if (k < 0)
		return KR_EDEAD;
	if (dropped)
		*dropped = (uint64_t)k;
	return KR_OK;
}

static bool op_dead(const char *name)
{
	int n = name && org.up ? graph_endpoint(&org.g, name) : -1;

	return n >= 0 && lyso_dead(&org.l, (unsigned)n);
}

static int op_channel(const char *name)
{
	if (!org.up || !name)
		return KR_ENOENT;
	for (unsigned i = 0; i < org.g.n_chan; i++)
		if (!strcmp(org.g.chan[i].name, name))
			return (int)i;
	return KR_ENOENT;
}

static int op_endpoint(const char *name)
{
	int n = org.up && name ? org_endpoint(name) : -1;

	return n < 0 ? KR_ENOENT : n;
}

static const char *op_endpoint_name(uint32_t n)
{
	return org.up && n < org.g.n_ep ? org.g.ep[n] : NULL;
}

static const struct kr_org_ops ops = {
	{ KR_OPS_MAGIC, KR_ORG_VERSION, sizeof(struct kr_org_ops), 0 },
	op_open, op_close, op_send, op_send_raw, op_take, op_charge, op_release, op_kill, op_dead,
	op_channel, op_endpoint, op_endpoint_name,
};

/* ---- loading the graph ------------------------------------------------- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The manifest's "channels blake2b-256 HEX" into d; *enforce from its mode
 * line.  false if it has no such line. */
static bool manifest_digest(const char *t, size_t n, uint8_t d[32], bool *enforce)
{
	static const char tag[] = "channels blake2b-256 ";
	bool found = false;

	*enforce = false;
	for (size_t i = 0; i < n;) {
		size_t e = i;

		while (e < n && t[e] != '\n')
			e++;
		if (e - i == 12 && !memcmp(t + i, "mode enforce", 12))
			*enforce = true;
		if (e - i == sizeof(tag) - 1 + 64 && !memcmp(t + i, tag, sizeof(tag) - 1)) {
			const char *h = t + i + sizeof(tag) - 1;

			found = true;
			for (int k = 0; k < 32; k++) {
				int hi = hexval(h[2 * k]), lo = hexval(h[2 * k + 1]);

				if (hi < 0 || lo < 0)
					found = false;
				else
					d[k] = (uint8_t)(hi << 4 | lo);
			}
		}
		i = e + 1;
	}
	return found;
}

/* The bytes of boot module name, or NULL. */
static const uint8_t *boot_file(const char *name, size_t *size)
{
	struct kr_boot_module_info bi;
	kr_cap_t cap;
	void *va;

	for (uint32_t i = 0; kr_boot_module(org_self, i, &cap, &bi) == KR_OK; i++)
		if (!strcmp(bi.name, name) && kr_page_map(org_self, cap, KR_RIGHT_READ, &va) == KR_OK) {
			*size = bi.size;
			return (const uint8_t *)va + bi.offset;
		}
	return NULL;
}

static kr_err_t down(kr_err_t e, const char *fmt, const char *detail)
{
	ksnprintf(org.down_why, sizeof(org.down_why), fmt, detail);
	kr_log(KR_LOG_WARN, "organelles: %s; every send is refused\n", org.down_why);
	return e;
}

static kr_err_t load_graph(void)
{
	const uint8_t *blob, *mf;
	size_t size, mfsize = 0;
	uint8_t listed[32], d[32];
	bool enforce = false, have;
	char err[96];
	uint32_t pool = 0;
	kr_err_t e;

	if (!(blob = boot_file("channels", &size)))
		return down(KR_ENOENT, "no channel graph in this image%s", " (boot module \"channels\")");
	mf = boot_file("manifest", &mfsize);
	have = mf && manifest_digest((const char *)mf, mfsize, listed, &enforce);
	if (size > GRAPH_BLOB_MAX || kr_blake2b_256(d, blob, size) != KR_OK)
		return down(KR_EFORMAT, "channel graph refused: %s", "too large");
	if (!have || memcmp(d, listed, 32)) {
		if (enforce)
			return down(KR_EPERM, "channel graph refused: %s",
				    have ? "its digest is not the manifest's" : "the manifest does not list it");
		kr_taint("organelles: a channel graph the manifest does not list");
	}
	org.measured = have && !memcmp(d, listed, 32);
	if ((e = graph_decode(&org.g, blob, size, err, sizeof(err))) != KR_OK)
		return down(e, "channel graph refused: %s", err);
	memcpy(org.digest, blob + size - GRAPH_BLOB_DIGEST, 32);
	org.blob_size = (uint32_t)size;
	for (unsigned i = 0; i < org.g.n_chan; i++)
		pool += org.g.chan[i].depth;
	if (pool > ORG_POOL_MAX)
		return down(KR_ENOSPC, "channel graph refused: %s",
			    "its queues hold more than 16384 parcels together");
	org.pool = kr_calloc(org_self, pool ? pool : 1, sizeof(*org.pool));
	if (!org.pool)
		return down(KR_ENOMEM, "%s", "no memory for the channel queues");
	qos_init(&org.q, &org.g, org_now());
	mito_load(&org.m, &org.g);
	lyso_init(&org.l, org.g.n_ep);
	golgi_init(&org.gg, &org.g, &org.q, &org.m, &org.l, org.pool, pool);
	org.gg.dropped = body_free;
	ep_hash_build();
	org.up = true;
	return KR_OK;
}

static kr_err_t org_init(kr_domain_t *d)
{
	const struct kr_ops_header *h;
	uint32_t ep;
	kr_cap_t c;
	kr_err_t e;

	org_self = d;
	org.kernel_ep = org.shell_ep = -1;
	if ((e = kr_service_open(d, KR_SCHED_SERVICE, 2, &c)) == KR_OK &&
	    (e = kr_service_ops(d, c, &h)) == KR_OK)
		org_sched = (const struct kr_sched_ops *)h;
	else
		kr_log(KR_LOG_WARN, "organelles: no scheduler: the virtual clock stands still\n");
	if (load_graph() == KR_OK) {
		if (op_open(d, "kernel", NULL, NULL, &ep) == KR_OK)
			org.kernel_ep = (int)ep;
		if (op_open(d, "shell", org_shell_recv, NULL, &ep) == KR_OK)
			org.shell_ep = (int)ep;
		kr_log(KR_LOG_INFO, "organelles: channel graph: %u channels, %u endpoints, "
		       "%u bytes, %s\n", org.g.n_chan, org.g.n_ep, org.blob_size,
		       org.measured ? "measured" : "NOT in the manifest");
	}
	if ((e = kr_service_publish(d, KR_ORG_SERVICE, &ops.hdr, &c)) != KR_OK)
		return e;
	org_cmds_add();
	if (org.up)
		obs_start();
	proof_start();
	return KR_OK;
}

static void org_exit(kr_domain_t *d)
{
	struct golgi_parcel p;

	(void)d;
	obs_stop();
	org_cmds_remove();
	if (org.up)
		while (golgi_next(&org.gg, &p))
			body_put(p.body, KR_PARCEL_HDR_SIZE + p.len);
	bodies_free_all();
	kr_free(org_self, org.pool);
	memset(&org, 0, sizeof(org));
}

KR_MODULE(.name = "organelles", .version = KR_VERSION(1, 0, 0),
	  .description = "organelles: parcels on the image's channel graph, QoS, energy, boot proofs",
	  .license = "MIT", .author = "Karyon developers",
	  .init = org_init, .exit = org_exit,
	  .deps = { { .name = "sched", .min_version = KR_VERSION(1, 0, 0) } }, .ndeps = 1,
	  .needs = { KR_NEED_SYSTEM(KR_SYS_KLOG) });
