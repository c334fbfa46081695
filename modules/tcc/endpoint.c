/*
 * endpoint.c - a handler as an endpoint of the organelles' fabric
 * (<karyon/organelles.h>, grant "parcel"): handler NAME is the channel
 * graph's endpoint "h:NAME".
 *
 * The endpoint is opened for the handler's domain when it is installed by
 * `cc` (cc_install) and closed when it is freed (unload, or replaced by a
 * new compile), so parcels sent to it wait in their queues between runs
 * and parcel_recv takes them.  Opening an endpoint in the dead-map revives
 * it: a handler the organelles killed (its energy budget ran out) stays
 * dead - every run and every call refused, parcels to it refused
 * "dead-receiver" - until it is compiled again.  The service is optional:
 * without it (or before it is up) the calls return KR_ENOSYS; a handler
 * whose name is not in the graph gets KR_ENOENT.
 *
 * Sends are immediate, from a work token's or an event's run too: a parcel
 * is not a side effect kept aside until the run completes (runner.c) but a
 * message whose refusal the handler must see at once, and the energy it
 * costs is spent when it is sent.  run.c does the copying from and to the
 * handler's memory and ends a run whose send or charge was KR_EENERGY.
 */
#include <karyon/libc.h>
#include <karyon/organelles.h>
#include "tcc.h"
#include "ulib/ulib.h"

static const struct kr_org_ops *org;

/* The service, opened the first time it is there (it may start after this
 * module: a boot module, or a .kmod). */
static const struct kr_org_ops *org_ops(void)
{
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (!org && kr_service_open(tcc_self, KR_ORG_SERVICE, KR_ORG_VERSION, &c) == KR_OK &&
	    kr_service_ops(tcc_self, c, &h) == KR_OK)
		org = (const struct kr_org_ops *)h;
	return org;
}

static void ep_name(const struct handler *h, char *buf, size_t len)
{
	ksnprintf(buf, len, "h:%s", h->name);
}

void endpoint_open(struct handler *h)
{
	char name[NAME_MAX + 2];
	uint32_t ep;

	h->ep_open = false;
	if (!org_ops()) {
		h->ep_err = KR_ENOSYS;
		return;
	}
	ep_name(h, name, sizeof(name));
	h->ep_err = org->open(h->dom, name, NULL, NULL, &ep);
	if (h->ep_err == KR_EINVAL)     /* too long for an endpoint name: not in the graph */
		h->ep_err = KR_ENOENT;
	if (h->ep_err == KR_OK) {
		h->ep = ep;
		h->ep_open = true;
	}
}

void endpoint_close(struct handler *h)
{
	if (h->ep_open && org)
		org->close(h->dom, h->ep);
	h->ep_open = false;
}

/* KR_OK if h has an endpoint for a call; else the error the call returns
 * (and res->why).  One compiled before the service was up gets it now. */
static kr_err_t usable(struct handler *h, struct kr_org_sent *res)
{
	kr_err_t e;

	if (!h->ep_open && (h->ep_err == KR_ENOSYS || !org))
		endpoint_open(h);
	e = h->ep_open ? KR_OK : h->ep_err ? h->ep_err : KR_ENOSYS;
	if (e == KR_ENOENT)
		ksnprintf(res->why, sizeof(res->why), "h:%s is no endpoint of the channel graph",
			  h->name);
	else if (e == KR_ENOSYS)
		ksnprintf(res->why, sizeof(res->why), "no organelles service in this image");
	else if (e)
		ksnprintf(res->why, sizeof(res->why), "cannot open h:%s: %s", h->name,
			  kr_strerror(e));
	return e;
}

bool endpoint_dead(const struct handler *h, char *why, size_t len)
{
	char name[NAME_MAX + 2];

	if (!h->ep_open || !org)
		return false;
	ep_name(h, name, sizeof(name));
	if (!org->dead(name))
		return false;
	ksnprintf(why, len, "%s is in the dead-map (killed): cc it again to revive it (see: "
		  "organelles)", name);
	return true;
}

/* The endpoint named to, or KR_ENOENT with res saying so. */
static int receiver(const char *to, struct kr_org_sent *res)
{
	int t = org->endpoint(to);

	if (t < 0)
		ksnprintf(res->why, sizeof(res->why), "no endpoint '%s' in the channel graph", to);
	return t;
}

long endpoint_send(struct handler *h, uint64_t chan, const char *to, const void *data,
		   size_t n, struct kr_org_sent *res)
{
	kr_err_t e;
	int t;

	*res = (struct kr_org_sent){ .version = KR_ORG_SENT_VERSION };
	if ((e = usable(h, res)) != KR_OK)
		return e;
	if ((t = receiver(to, res)) < 0)
		return t;
	/* A number past the graph's 16-bit channels is no channel of it. */
	e = org->send(h->dom, h->ep, (uint32_t)t, chan > 0xffff ? 0xffff : (uint16_t)chan, 0,
		      data, n, res);
	return e ? e : (long)res->seq;
}

long endpoint_send_raw(struct handler *h, const char *to, const void *bytes, size_t n,
		       struct kr_org_sent *res)
{
	kr_err_t e;
	int t;

	*res = (struct kr_org_sent){ .version = KR_ORG_SENT_VERSION };
	if ((e = usable(h, res)) != KR_OK)
		return e;
	if ((t = receiver(to, res)) < 0)
		return t;
	e = org->send_raw(h->dom, h->ep, (uint32_t)t, bytes, n, res);
	return e ? e : (long)res->seq;
}

long endpoint_take(struct handler *h, void *buf, size_t cap, struct ulib_parcel_info *info)
{
	struct kr_org_sent res;
	struct kr_org_msg m;
	kr_err_t e = usable(h, &res);

	if (!e)                         /* a dead one's queue was dropped: nothing */
		e = org->take(h->dom, h->ep, &m, buf, cap);
	if (e)
		return e;
	*info = (struct ulib_parcel_info){ m.channel, m.kind, m.flags, m.seq, m.length, "" };
	memcpy(info->from, m.from, sizeof(info->from));
	info->from[sizeof(info->from) - 1] = '\0';
	return (long)m.length;
}

kr_err_t endpoint_charge(struct handler *h, uint64_t gas, uint64_t pages, uint64_t io, char *why,
			 size_t len)
{
	char name[NAME_MAX + 2];
	kr_err_t e;

	if (!h->ep_open || !org || endpoint_dead(h, why, len))
		return KR_OK;           /* no endpoint, or dead already (the run said so) */
	ep_name(h, name, sizeof(name));
	e = gas ? org->charge(h->dom, h->ep, KR_ORG_GAS, gas) : KR_OK;
	if (e == KR_EENERGY) {
		ksnprintf(why, len, "energy: %s's gas (%llu this run) is over its budget: killed "
			  "(see: energy, organelles)", name, (unsigned long long)gas);
		return e;
	}
	/* Its pages were held during the run and are freed with it. */
	e = pages ? org->charge(h->dom, h->ep, KR_ORG_PAGES, pages) : KR_OK;
	if (e == KR_EENERGY) {
		ksnprintf(why, len, "energy: %s held %llu pages, over its budget: killed (see: "
			  "energy, organelles)", name, (unsigned long long)pages);
		return e;
	}
	if (pages && !e)
		org->release(h->dom, h->ep, pages);
	e = io ? org->charge(h->dom, h->ep, KR_ORG_IO, io) : KR_OK;
	if (e == KR_EENERGY) {
		ksnprintf(why, len, "energy: %s's file I/O (%llu bytes this run) is over its budget: "
			  "killed (see: energy, organelles)", name, (unsigned long long)io);
		return e;
	}
	return KR_OK;
}
