/*
 * org.h - the organelles module's parts, shared between its files: the
 * fabric (org.c), the shell commands (cmds.c), channel 0's feed and ring
 * (obs.c) and the boot proofs (proof.c).  The pure parts (graph, qos, mito,
 * lyso, golgi, perox, parcel) have headers of their own.
 *
 * Everything here runs in tasks; kernel tasks are cooperative, so the
 * fabric's state needs no lock as long as no call into it blocks (none
 * does; a receiver's recv function may, and the pump is made reentrant
 * for that).
 */
#ifndef KARYON_ORGANELLES_ORG_H
#define KARYON_ORGANELLES_ORG_H

#include <karyon/cap.h>
#include <karyon/organelles.h>
#include <karyon/sched.h>
#include "golgi.h"
#include "graph.h"
#include "lyso.h"
#include "mito.h"
#include "perox.h"
#include "qos.h"
#include "../lib/print_to.h"

#define ORG_POOL_MAX  16384u            /* parcels queued at once, all channels */

struct org_ep {
	bool open;
	kr_domain_t *owner;             /* NULL while not open */
	uint32_t owner_id;              /* kr_domain_id(owner) */
	kr_org_recv_fn recv;            /* NULL: takes its parcels */
	void *ctx;
	uint64_t sent, received;        /* parcels accepted from it, handed to it */
};

struct org {
	bool up;                        /* a graph is loaded: the fabric works */
	char down_why[96];              /* why not, when !up */
	struct graph g;
	uint8_t digest[32];             /* the blob's BLAKE2b-256 (its trailer) */
	uint32_t blob_size;
	bool measured;                  /* the manifest listed that digest */
	struct qos q;
	struct mito m;
	struct lyso l;
	struct golgi gg;
	struct perox px;
	struct golgi_parcel *pool;
	struct org_ep ep[GRAPH_MAX_ENDPOINTS];
	uint32_t txseq[GRAPH_MAX_ENDPOINTS][GRAPH_MAX_CHANNELS]; /* next header seq */
	uint64_t refused[GRAPH_MAX_CHANNELS][GOLGI_NRULES];      /* per channel, by rule */
	uint64_t ready;                 /* bit n: endpoint n is open with a recv */
	uint8_t ep_hash[128];           /* endpoint numbers by name hash, 0xff: empty */
	uint8_t ep_len[GRAPH_MAX_ENDPOINTS];    /* strlen of each endpoint's name */
	int kernel_ep, shell_ep;        /* the module's own endpoints, -1 if none */
};

extern struct org org;
extern kr_domain_t *org_self;
extern const struct kr_sched_ops *org_sched;

/* Endpoint ep if d opened it, else NULL (the service's check on every
 * call that names an endpoint). */
static inline struct org_ep *org_own(kr_domain_t *d, uint32_t ep)
{
	/* A closed endpoint has no owner (op_close clears it). */
	if (!org.up || ep >= org.g.n_ep || !d || org.ep[ep].owner != d)
		return NULL;
	return &org.ep[ep];
}

/* ---- fabric.c ---- */

/* The virtual clock (ns; the scheduler's), the fabric's only time. */
uint64_t org_now(void);
/* Build the endpoint-name index (org_endpoint) for a new graph. */
void org_names_index(void);
/* Give back a parcel body of size bytes; free every body cell (exit);
 * the Golgi's hook for the parcels a kill drops. */
void org_body_put(void *p, size_t size);
void org_bodies_free(void);
void org_body_dropped(void *ctx, const struct golgi_parcel *p);
/* Deliver what waits for receivers that take parcels by function. */
void org_pump(void);
/* A parcel leaving its queue, checked whole again: true if intact and
 * still what was admitted; false if not (quarantined, logged, its body
 * freed: never delivered). */
bool org_intact(const struct golgi_parcel *p);
/* The fabric's send for endpoint from (already checked to be open):
 * frame, sanitize, route, and deliver what can be.  Service ops send and
 * the module's own endpoints (the shell's `send`, the log feed) use it. */
kr_err_t org_send(int from, int to, uint16_t chan, uint8_t kind, const void *data,
		  size_t len, struct kr_org_sent *res);
/* The service's send: org_send for an endpoint d opened. */
kr_err_t org_op_send(kr_domain_t *d, uint32_t ep, uint32_t to, uint16_t channel, uint8_t kind,
		     const void *data, size_t len, struct kr_org_sent *res);
/* As org_send, for bytes the sender framed itself: checked whole. */
kr_err_t org_send_raw(int from, int to, const void *bytes, size_t len,
		      struct kr_org_sent *res);
/* Kill endpoint ep for why; the parcels dropped, or -1 if dead already. */
int64_t org_kill(int ep, enum lyso_reason why);
/* The endpoint named name, or -1 (graph_endpoint, through a hash table). */
int org_endpoint(const char *name);
/* Channel number of a decimal id or a channel name, or -1. */
int org_channel(const char *s);

/* cmds.c */
void org_cmds_add(void);
void org_cmds_remove(void);
/* The parcels delivered to "shell" (the module hosts that endpoint). */
void org_shell_recv(void *ctx, const struct kr_org_msg *m);

/* obs.c: channel 0.  Every parcel delivered on channel 0 goes into the
 * observability ring (obs_append, the framed bytes); obs_start starts the
 * task that feeds kernel log records onto channel 0. */
void obs_append(const uint8_t *parcel, size_t size);
kr_err_t obs_start(void);
void obs_stop(void);
/* The running index over every parcel that entered the ring (0 before the
 * first), and a BLAKE2b-256 summary of the feed's configuration (the
 * ring's size, channel 0's id, the log kind, a known-answer framing): for
 * the boot proofs. */
uint64_t obs_index(void);
void obs_config_digest(uint8_t out[32]);
/* The shell's `obs` (cmds.c lists it). */
int obs_cmd(int argc, char **argv, print_fn print, void *ctx);
/* BLAKE2b-256 of the feed's configuration, for the boot proofs (#E8).
 * proof.c has a weak stand-in until obs.c defines it. */
void obs_config_digest(uint8_t out[32]);

/* proof.c: the boot proofs, printed once by a task after boot. */
kr_err_t proof_start(void);
/* The shell's `proof`: the chain again, as booted. */
int proof_cmd(int argc, char **argv, print_fn print, void *ctx);

#endif
