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
 * The send path and delivery are fabric.c's.
 */
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/shell.h>
#include "org.h"

struct org org;
kr_domain_t *org_self;
const struct kr_sched_ops *org_sched;

/* ---- the service ------------------------------------------------------- */

static void domain_gone(void *ctx, uint32_t id);

/* The domains watched (kr_domain_watch), one slot each however many
 * endpoints they open and close: the core has 32 watch slots in all. */
static uint32_t watched[GRAPH_MAX_ENDPOINTS];

static kr_err_t watch_domain(kr_domain_t *d)
{
	uint32_t id = kr_domain_id(d);
	int slot = -1;
	kr_err_t e;

	for (int i = 0; i < GRAPH_MAX_ENDPOINTS; i++) {
		if (watched[i] == id)
			return KR_OK;
		if (!watched[i] && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return KR_ENOSPC;
	if ((e = kr_domain_watch(org_self, id, domain_gone, NULL)) == KR_OK)
		watched[slot] = id;
	return e;
}

static void domain_gone(void *ctx, uint32_t id)
{
	(void)ctx;
	for (int i = 0; i < GRAPH_MAX_ENDPOINTS; i++)
		if (watched[i] == id)
			watched[i] = 0;
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
	if (d != org_self && watch_domain(d))
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
	org_pump();                 /* what waited for it */
	return KR_OK;
}

static kr_err_t op_close(kr_domain_t *d, uint32_t ep)
{
	struct org_ep *e = org_own(d, ep);

	if (!e)
		return KR_EINVAL;
	*e = (struct org_ep){ .sent = e->sent, .received = e->received };
	org.ready &= ~(1ull << ep);
	return KR_OK;
}

static kr_err_t op_send_raw(kr_domain_t *d, uint32_t ep, uint32_t to, const void *bytes,
			    size_t len, struct kr_org_sent *res)
{
	if (!org_own(d, ep) || (len && !bytes))
		return org.up ? KR_EINVAL : KR_ENODEV;
	return org_send_raw((int)ep, to < GRAPH_MAX_ENDPOINTS ? (int)to : -1, bytes, len, res);
}

static kr_err_t op_take(kr_domain_t *d, uint32_t ep, struct kr_org_msg *m, void *buf,
			size_t cap)
{
	struct golgi_parcel p;
	const struct kr_parcel_hdr *h;

	if (!org_own(d, ep) || !m || (cap && !buf))
		return KR_EINVAL;
	do {    /* the next parcel still intact (org_intact quarantines the others) */
		if (!golgi_peek_for(&org.gg, 1ull << ep, &p))
			return KR_EAGAIN;
		if (p.len > cap)
			return KR_ERANGE;
		golgi_next_for(&org.gg, 1ull << ep, &p);
	} while (!org_intact(&p));
	h = p.body;
	*m = (struct kr_org_msg){ KR_ORG_MSG_VERSION, h->channel, h->kind, h->flags, h->length,
				  h->seq, "", buf };
	memcpy(m->from, org.g.ep[p.from], sizeof(m->from));
	memcpy(buf, (const uint8_t *)p.body + KR_PARCEL_HDR_SIZE, h->length);
	if (p.chan == GRAPH_OBS_CHANNEL)
		obs_append(p.body, KR_PARCEL_HDR_SIZE + h->length);
	org.ep[ep].received++;
	org_body_put(p.body, KR_PARCEL_HDR_SIZE + p.len);
	return KR_OK;
}

static kr_err_t op_charge(kr_domain_t *d, uint32_t ep, uint32_t res, uint64_t amount)
{
	struct mito_violation v;

	if (!org_own(d, ep) || res >= MITO_NRES)
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
	if (org_own(d, ep))
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
	op_open, op_close, org_op_send, op_send_raw, op_take, op_charge, op_release, op_kill, op_dead,
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
	org.gg.dropped = org_body_dropped;
	org_names_index();
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
	if ((e = kr_service_open(d, KR_SCHED_SERVICE, 4, &c)) == KR_OK &&
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
			org_body_put(p.body, KR_PARCEL_HDR_SIZE + p.len);
	org_bodies_free();
	kr_free(org_self, org.pool);
	memset(&org, 0, sizeof(org));
	memset(watched, 0, sizeof(watched));     /* the core drops our watches with us */
}

KR_MODULE(.name = "organelles", .version = KR_VERSION(1, 0, 0),
	  .description = "organelles: parcels on the image's channel graph, QoS, energy, boot proofs",
	  .license = "MIT", .author = "Karyon developers",
	  .init = org_init, .exit = org_exit,
	  .deps = { { .name = "sched", .min_version = KR_VERSION(1, 0, 0) } }, .ndeps = 1,
	  .needs = { KR_NEED_SYSTEM(KR_SYS_KLOG) });
