/*
 * mito.h - mitochondria (issue 17): energy accounting per domain.  Each
 * domain (an endpoint of the channel graph) has a budget for each
 * resource (gas, parcels, bytes, pages, I/O operations) and a running use;
 * a charge that would take a use past its budget is refused whole (nothing
 * is charged) and reported as a violation naming the resource.  The first
 * violation of a domain is latched for the lysosome to act on.  Pages are
 * the one resource given back (mito_release); the others only grow until
 * mito_reset (a domain reloaded starts afresh).
 */
#ifndef KARYON_ORGANELLES_MITO_H
#define KARYON_ORGANELLES_MITO_H

#include <stdbool.h>
#include <stdint.h>
#include "graph.h"

enum mito_res {
	MITO_GAS = 0,
	MITO_PARCELS,
	MITO_BYTES,
	MITO_PAGES,
	MITO_IO,
	MITO_NRES
};

#define MITO_UNLIMITED GRAPH_UNLIMITED

struct mito_violation {
	bool any;
	enum mito_res res;              /* the resource that ran out */
	uint64_t used, want, limit;     /* used + want > limit */
};

struct mito_domain {
	uint64_t limit[MITO_NRES];
	uint64_t used[MITO_NRES];
	uint64_t violations;
	struct mito_violation first;    /* latched until mito_reset */
};

struct mito {
	uint16_t n;
	struct mito_domain d[GRAPH_MAX_ENDPOINTS];
};

_Static_assert(MITO_NRES == GRAPH_NRES, "the profile's budgets are mito's resources");

/* n domains, every budget unlimited. */
void mito_init(struct mito *m, unsigned n);
/* g's endpoints as domains, with the budgets the profile gives them. */
void mito_load(struct mito *m, const struct graph *g);
/* Set domain dom's budget for res. */
void mito_budget(struct mito *m, unsigned dom, enum mito_res res, uint64_t limit);
/* Charge amounts[MITO_NRES] to dom all at once: true if every one fits; else
 * false, nothing charged, and *v (if given) names the first resource (in
 * enum order) that would run out. */
bool mito_charge(struct mito *m, unsigned dom, const uint64_t amounts[MITO_NRES],
		 struct mito_violation *v);
/* One resource. */
bool mito_charge1(struct mito *m, unsigned dom, enum mito_res res, uint64_t amount,
		  struct mito_violation *v);
/* mito_charge_parcel's fast path, split for a caller that keeps the
 * violation for the rare refusal: do one parcel, len bytes and gas gas fit
 * dom's budgets (pages and I/O, charged 0, still checked as mito_charge
 * does: a budget lowered below its use refuses every charge)?  If so,
 * mito_parcel_take charges them. */
static inline bool mito_parcel_fits(const struct mito *m, unsigned dom, uint32_t len,
				    uint64_t gas)
{
	const struct mito_domain *d;

	if (dom >= m->n)
		return false;
	d = &m->d[dom];
	return gas <= d->limit[MITO_GAS] &&
	       d->used[MITO_GAS] <= d->limit[MITO_GAS] - gas &&
	       d->used[MITO_PARCELS] < d->limit[MITO_PARCELS] &&
	       len <= d->limit[MITO_BYTES] && d->used[MITO_BYTES] <= d->limit[MITO_BYTES] - len &&
	       d->used[MITO_PAGES] <= d->limit[MITO_PAGES] && d->used[MITO_IO] <= d->limit[MITO_IO];
}

static inline void mito_parcel_take(struct mito *m, unsigned dom, uint32_t len, uint64_t gas)
{
	struct mito_domain *d = &m->d[dom];

	d->used[MITO_GAS] += gas;
	d->used[MITO_PARCELS]++;
	d->used[MITO_BYTES] += len;
}

/* A parcel sent: one parcel, len bytes and gas gas. */
static inline bool mito_charge_parcel(struct mito *m, unsigned dom, uint32_t len, uint64_t gas,
				      struct mito_violation *v)
{
	/* The fast path of every send: the three charges fit (the common case
	 * of unlimited budgets), no violation to build. */
	if (mito_parcel_fits(m, dom, len, gas)) {
		mito_parcel_take(m, dom, len, gas);
		if (v)
			*v = (struct mito_violation){ 0 };     /* as mito_charge leaves it */
		return true;
	}
	return mito_charge(m, dom, (const uint64_t[MITO_NRES]){ [MITO_GAS] = gas, [MITO_PARCELS] = 1,
							       [MITO_BYTES] = len }, v);
}

/* Pages given back (at most what is used). */
void mito_release(struct mito *m, unsigned dom, uint64_t pages);
/* Use and the latched violation cleared, budgets kept. */
void mito_reset(struct mito *m, unsigned dom);
/* "gas", "parcels", "bytes", "pages", "io". */
const char *mito_res_name(enum mito_res res);

#endif
