/*
 * mito.c - mitochondria (mito.h): per-domain budgets, checked whole before
 * anything is charged (the decode/invoke split), so a refused charge
 * leaves the accounts as they were.
 */
#include <karyon/libc.h>
#include "mito.h"

static const char *const res_names[MITO_NRES] = { "gas", "parcels", "bytes", "pages", "io" };

const char *mito_res_name(enum mito_res res)
{
	return (unsigned)res < MITO_NRES ? res_names[res] : "?";
}

void mito_init(struct mito *m, unsigned n)
{
	memset(m, 0, sizeof(*m));
	m->n = (uint16_t)(n > GRAPH_MAX_ENDPOINTS ? GRAPH_MAX_ENDPOINTS : n);
	for (unsigned i = 0; i < m->n; i++)
		for (unsigned r = 0; r < MITO_NRES; r++)
			m->d[i].limit[r] = MITO_UNLIMITED;
}

void mito_load(struct mito *m, const struct graph *g)
{
	mito_init(m, g->n_ep);
	for (unsigned i = 0; i < m->n; i++)
		memcpy(m->d[i].limit, g->budget[i], sizeof(m->d[i].limit));
}

void mito_budget(struct mito *m, unsigned dom, enum mito_res res, uint64_t limit)
{
	if (dom < m->n && (unsigned)res < MITO_NRES)
		m->d[dom].limit[res] = limit;
}

bool mito_charge(struct mito *m, unsigned dom, const uint64_t amounts[MITO_NRES],
		 struct mito_violation *v)
{
	struct mito_domain *d;

	if (v)
		memset(v, 0, sizeof(*v));
	if (dom >= m->n)
		return false;
	d = &m->d[dom];
	for (unsigned r = 0; r < MITO_NRES; r++) {
		/* written so that used + amount cannot overflow */
		if (amounts[r] > d->limit[r] || d->used[r] > d->limit[r] - amounts[r]) {
			struct mito_violation x = { true, (enum mito_res)r, d->used[r],
						    amounts[r], d->limit[r] };

			d->violations++;
			if (!d->first.any)
				d->first = x;
			if (v)
				*v = x;
			return false;
		}
	}
	for (unsigned r = 0; r < MITO_NRES; r++)
		d->used[r] += amounts[r];
	return true;
}

bool mito_charge1(struct mito *m, unsigned dom, enum mito_res res, uint64_t amount,
		  struct mito_violation *v)
{
	uint64_t a[MITO_NRES] = { 0 };

	if ((unsigned)res >= MITO_NRES) {
		if (v)
			memset(v, 0, sizeof(*v));
		return false;
	}
	a[res] = amount;
	return mito_charge(m, dom, a, v);
}

bool mito_charge_parcel(struct mito *m, unsigned dom, uint32_t len, uint64_t gas,
			struct mito_violation *v)
{
	struct mito_domain *d = dom < m->n ? &m->d[dom] : NULL;
	uint64_t a[MITO_NRES] = { 0 };

	/* The fast path of every send: the three charges fit (the common case
	 * of unlimited budgets), no violation to build.  Pages and I/O are
	 * charged 0 but still checked, as mito_charge does: a budget lowered
	 * below its use refuses every charge. */
	if (d && gas <= d->limit[MITO_GAS] && d->used[MITO_GAS] <= d->limit[MITO_GAS] - gas &&
	    d->used[MITO_PARCELS] < d->limit[MITO_PARCELS] &&
	    len <= d->limit[MITO_BYTES] && d->used[MITO_BYTES] <= d->limit[MITO_BYTES] - len &&
	    d->used[MITO_PAGES] <= d->limit[MITO_PAGES] && d->used[MITO_IO] <= d->limit[MITO_IO]) {
		d->used[MITO_GAS] += gas;
		d->used[MITO_PARCELS]++;
		d->used[MITO_BYTES] += len;
		if (v)
			memset(v, 0, sizeof(*v));      /* as mito_charge leaves it */
		return true;
	}
	a[MITO_GAS] = gas, a[MITO_PARCELS] = 1, a[MITO_BYTES] = len;
	return mito_charge(m, dom, a, v);
}

void mito_release(struct mito *m, unsigned dom, uint64_t pages)
{
	if (dom >= m->n)
		return;
	m->d[dom].used[MITO_PAGES] -= pages > m->d[dom].used[MITO_PAGES] ?
					     m->d[dom].used[MITO_PAGES] : pages;
}

void mito_reset(struct mito *m, unsigned dom)
{
	if (dom >= m->n)
		return;
	memset(m->d[dom].used, 0, sizeof(m->d[dom].used));
	memset(&m->d[dom].first, 0, sizeof(m->d[dom].first));
}
