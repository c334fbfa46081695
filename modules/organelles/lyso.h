/*
 * lyso.h - the lysosome's dead-map (issue 17): which domains (endpoints of
 * the channel graph) are dead.  A domain killed (for a violation, or by
 * hand) stays unreachable - nothing is delivered to or accepted from it -
 * until it is reloaded (lyso_revive).  Killing drops what is queued to and
 * from it: golgi_kill does both and reports the count here, so the map
 * keeps per domain how often it died, why last, and how many of its
 * parcels were dropped.
 */
#ifndef KARYON_ORGANELLES_LYSO_H
#define KARYON_ORGANELLES_LYSO_H

#include <stdbool.h>
#include <stdint.h>
#include "graph.h"

enum lyso_reason {
	LYSO_NONE = 0,
	LYSO_ENERGY,                    /* mitochondria: a budget ran out */
	LYSO_SANITIZER,                 /* peroxisome: sent malformed parcels */
	LYSO_FAULT,                     /* crashed */
	LYSO_ADMIN,                     /* killed from the shell */
};

struct lyso_entry {
	bool dead;
	enum lyso_reason why;           /* of the last kill */
	uint32_t kills, revivals;
	uint64_t dropped;               /* parcels to or from it dropped at kills */
};

struct lyso {
	uint16_t n;
	uint64_t dead;                  /* bit i: domain i is dead */
	struct lyso_entry e[GRAPH_MAX_ENDPOINTS];
};

void lyso_init(struct lyso *l, unsigned n);
/* Mark dom dead (false if dom is out of range or already dead). */
bool lyso_kill(struct lyso *l, unsigned dom, enum lyso_reason why);
/* dom reloaded: reachable again (false if it was not dead). */
bool lyso_revive(struct lyso *l, unsigned dom);
static inline bool lyso_dead(const struct lyso *l, unsigned dom)
{
	return dom < l->n && (l->dead >> dom & 1);
}
/* count parcels of dom's were dropped because it died. */
void lyso_note_dropped(struct lyso *l, unsigned dom, uint64_t count);
const char *lyso_reason_name(enum lyso_reason why);

#endif
