/*
 * lyso.c - the dead-map (lyso.h): a bit per domain, plus the history the
 * `organelles` command will show.
 */
#include <karyon/libc.h>
#include "lyso.h"

void lyso_init(struct lyso *l, unsigned n)
{
	memset(l, 0, sizeof(*l));
	l->n = (uint16_t)(n > GRAPH_MAX_ENDPOINTS ? GRAPH_MAX_ENDPOINTS : n);
}

bool lyso_kill(struct lyso *l, unsigned dom, enum lyso_reason why)
{
	if (dom >= l->n || l->e[dom].dead)
		return false;
	l->e[dom].dead = true;
	l->e[dom].why = why;
	l->e[dom].kills++;
	l->dead |= 1ull << dom;
	return true;
}

bool lyso_revive(struct lyso *l, unsigned dom)
{
	if (dom >= l->n || !l->e[dom].dead)
		return false;
	l->e[dom].dead = false;
	l->e[dom].revivals++;
	l->dead &= ~(1ull << dom);
	return true;
}

void lyso_note_dropped(struct lyso *l, unsigned dom, uint64_t count)
{
	if (dom < l->n)
		l->e[dom].dropped += count;
}

const char *lyso_reason_name(enum lyso_reason why)
{
	static const char *const names[] = { "none", "energy", "sanitizer", "fault", "admin" };

	return (unsigned)why < sizeof(names) / sizeof(names[0]) ? names[why] : "?";
}
