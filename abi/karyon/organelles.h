/*
 * organelles.h - the "organelles" service (modules/organelles): parcels
 * between endpoints along the image's channel graph (issue 17).  Added
 * within ABI 1.3 (modules only).
 *
 * An endpoint is a name of the image's channel graph (images/NAME.channels,
 * docs/organelles.md): a module ("hello"), a handler ("h:NAME", opened for
 * it by the handler runner, the tcc module) or "shell".  A parcel from A to
 * B on channel C is accepted only if the graph has that edge, neither end
 * is in the dead-map, A's energy budget pays for it, the GAS reservoir pays
 * for the attempt, C's queue has room and C's token bucket a token; the
 * first rule that refuses decides (docs/organelles.md, "Golgi").  Every
 * parcel is framed (<karyon/parcel.h>) and checked by the sanitizer before
 * it is queued; what fails is quarantined, never delivered.
 *
 * Delivery runs in task context (never an interrupt), in the graph's
 * order: the most urgent channel first, oldest first.  A receiver that
 * opened with a recv function is called with each parcel; one that opened
 * without takes its parcels with take().
 *
 * Calls from tasks only; none may be made from an interrupt handler.
 */
#ifndef KARYON_ORGANELLES_H
#define KARYON_ORGANELLES_H

#include <stdbool.h>
#include <karyon/parcel.h>
#include <karyon/service.h>

#define KR_ORG_SERVICE   "organelles"
#define KR_ORG_VERSION   1
#define KR_ORG_NAME_MAX  32             /* an endpoint name, with its NUL */

/* The verdict on a send: what happened, and the rule that decided. */
enum kr_org_action { KR_ORG_DELIVER = 0, KR_ORG_DROP = 1, KR_ORG_DEFER = 2 };
enum kr_org_rule {
	KR_ORG_OK = 0,                  /* accepted: queued for its receiver */
	KR_ORG_SANITIZER = 1,           /* malformed: quarantined */
	KR_ORG_NOT_IN_GRAPH = 2,        /* no such channel, or no edge from -> to */
	KR_ORG_DEAD_SENDER = 3,         /* the sender is in the dead-map */
	KR_ORG_DEAD_RECEIVER = 4,       /* the receiver is in the dead-map */
	KR_ORG_ENERGY = 5,              /* the sender's budget ran out: it is killed */
	KR_ORG_RESERVOIR = 6,           /* the GAS reservoir is empty for now */
	KR_ORG_QUEUE_FULL = 7,          /* the channel's queue is full */
	KR_ORG_BUCKET = 8,              /* the channel's token bucket is empty */
};

#define KR_ORG_SENT_VERSION 1
struct kr_org_sent {
	uint32_t version;               /* KR_ORG_SENT_VERSION, set by the service */
	uint32_t action;                /* enum kr_org_action */
	uint32_t rule;                  /* enum kr_org_rule */
	uint32_t seq;                   /* the parcel's seq (header), when accepted */
	char why[96];                   /* one line, for a refusal: what and why */
};
KR_ABI_OFFSET(struct kr_org_sent, why, 16);
KR_ABI_SIZE(struct kr_org_sent, 112);

/* A parcel handed to its receiver. */
#define KR_ORG_MSG_VERSION 1
struct kr_org_msg {
	uint32_t version;               /* KR_ORG_MSG_VERSION */
	uint16_t channel;
	uint8_t kind;
	uint8_t flags;                  /* KR_PARCEL_F_* */
	uint32_t length;                /* payload bytes */
	uint32_t seq;                   /* the sender's seq on the channel */
	char from[KR_ORG_NAME_MAX];     /* the sending endpoint */
	const uint8_t *payload;         /* valid during recv() only; take() copies */
};
KR_ABI_OFFSET(struct kr_org_msg, from, 16);
KR_ABI_OFFSET(struct kr_org_msg, payload, 48);
KR_ABI_SIZE(struct kr_org_msg, 56);

/* Called with each parcel for the endpoint, in a task; it may send. */
typedef void (*kr_org_recv_fn)(void *ctx, const struct kr_org_msg *m);

/* The mitochondria's resources (energy.h of the budget lines). */
enum kr_org_res { KR_ORG_GAS = 0, KR_ORG_PARCELS, KR_ORG_BYTES, KR_ORG_PAGES, KR_ORG_IO };

/* Why an endpoint was killed (the dead-map's reason). */
enum kr_org_why { KR_ORG_WHY_ENERGY = 1, KR_ORG_WHY_SANITIZER = 2, KR_ORG_WHY_FAULT = 3,
		  KR_ORG_WHY_ADMIN = 4 };

struct kr_org_ops {
	struct kr_ops_header hdr;       /* version KR_ORG_VERSION */
	/* Open the endpoint name for d: *ep is its handle for the calls below.
	 * A module opens its own name; the handler runner opens "h:NAME" for
	 * handler NAME (modules are trusted: the fabric does not check which
	 * module is which).  recv NULL: parcels wait in their queues for
	 * take().  Opening an endpoint in the dead-map revives it (it was
	 * reloaded): its energy starts afresh.  KR_ENOENT: name is not in the
	 * image's channel graph; KR_EBUSY: it is open; KR_EINVAL: bad name.
	 * The endpoint closes when d ends. */
	kr_err_t (*open)(kr_domain_t *d, const char *name, kr_org_recv_fn recv, void *ctx,
			 uint32_t *ep);
	/* Close it; parcels queued to it stay queued for the next opener. */
	kr_err_t (*close)(kr_domain_t *d, uint32_t ep);
	/* Send len (<= KR_PARCEL_PAYLOAD_MAX) bytes from ep to endpoint to (its
	 * number: endpoint() below) on channel (its number: channel()),
	 * framed as a parcel of kind.  KR_OK: accepted (delivered before the
	 * call returns when the receiver has a recv function and the call is
	 * not itself inside a delivery).  On a refusal res (if not NULL) says
	 * which rule and why: KR_EPERM not-in-graph, KR_EDEAD a dead end,
	 * KR_EENERGY the sender's energy ran out (it is now dead), KR_EAGAIN
	 * reservoir, queue-full or bucket (the sender may try later),
	 * KR_ENOENT no endpoint to, KR_ERANGE len too large, KR_EINVAL a bad
	 * handle. */
	kr_err_t (*send)(kr_domain_t *d, uint32_t ep, uint32_t to, uint16_t channel, uint8_t kind,
			 const void *data, size_t len, struct kr_org_sent *res);
	/* Send a parcel the caller framed (header and payload, len bytes):
	 * the sanitizer checks its magic, version, flags, length and XXH3
	 * check; a bad one is quarantined (KR_EFORMAT) and never delivered.
	 * Otherwise as send, on the header's channel, kind and flags. */
	kr_err_t (*send_raw)(kr_domain_t *d, uint32_t ep, uint32_t to, const void *bytes,
			     size_t len, struct kr_org_sent *res);
	/* The next parcel queued for ep: *m, its payload copied into buf
	 * (cap bytes; KR_ERANGE leaves the parcel queued when it does not
	 * fit).  KR_EAGAIN if none is queued.  Each is checked whole as it
	 * leaves its queue: one whose bytes changed while it waited is
	 * quarantined and skipped, never returned. */
	kr_err_t (*take)(kr_domain_t *d, uint32_t ep, struct kr_org_msg *m, void *buf,
			 size_t cap);
	/* Charge ep's energy for res (gas used by its work, pages held, I/O
	 * done) against its budget.  KR_EENERGY: over budget; the endpoint is
	 * killed (dead-map, its queued parcels dropped). */
	kr_err_t (*charge)(kr_domain_t *d, uint32_t ep, uint32_t res, uint64_t amount);
	/* Pages given back (the opposite of charging KR_ORG_PAGES). */
	void (*release)(kr_domain_t *d, uint32_t ep, uint64_t pages);
	/* Kill the endpoint named name for why (enum kr_org_why): into the
	 * dead-map, its queued parcels dropped (*dropped, if not NULL).
	 * KR_ENOENT: not in the graph; KR_EDEAD: dead already. */
	kr_err_t (*kill)(const char *name, uint32_t why, uint64_t *dropped);
	/* Is the endpoint named name in the dead-map? */
	bool (*dead)(const char *name);
	/* The number of the channel named name in this image's graph, or
	 * KR_ENOENT (numbers are the image's: look them up, never hard-code). */
	int (*channel)(const char *name);
	/* The number of the endpoint named name, or KR_ENOENT; the name of
	 * endpoint n, or NULL. */
	int (*endpoint)(const char *name);
	const char *(*endpoint_name)(uint32_t n);
};
KR_ABI_OFFSET(struct kr_org_ops, open, 16);
KR_ABI_SIZE(struct kr_org_ops, 112);

#endif
