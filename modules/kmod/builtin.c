/*
 * builtin.c - kmod as the starter of the kernel's other built-in modules.
 *
 * The core starts one built-in module, the first in link order, which the
 * build makes kmod (tools/profile.py), and leaves the rest to it: kmod's
 * init starts them here, before it loads any boot module.  Each starts
 * once, in link order, which is the image profile's order, checked at
 * build time to put every built-in after the built-ins it depends on:
 *   the domain the core makes for it (kr_builtin_domain; lsmod shows it
 *   running from then on, and the shell's `caps NAME` its view) -> its
 *   .needs (kr_module_grant) -> its init
 * A built-in whose dependency did not start is refused in one line, and
 * one that fails to start loses its domain again.
 */
#include <stdbool.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>

#include "builtin.h"
#include "guarded.h"
#include "kmod_int.h"

#define BUILTINS 16	/* core/cap/domain.c has room for 16 */

static kr_domain_t *domains[BUILTINS];   /* the ones started, by index */
static kr_domain_t *starter;

/* Is the built-in called name, among the first `before`, running? */
static bool started(const char *name, uint32_t before)
{
	const struct kr_module_info *m;
	bool running;

	for (uint32_t j = 0; j < before && kr_builtin_module(NULL, j, &m, &running, NULL) == KR_OK;
	     j++)
		if (running && !strcmp(m->name, name))
			return true;
	return false;
}

/* Built-in i, m: its dependencies (only ones that failed can be missing:
 * the build checked the rest), its domain, its needs, its init. */
static void start(kr_domain_t *self, kr_cap_t devices, uint32_t i,
		  const struct kr_module_info *m)
{
	kr_domain_t *dom = NULL;
	char why[96];
	kr_err_t r;

	if (m->magic != KR_MODULE_MAGIC || m->abi_major != KR_ABI_MAJOR) {
		kr_log(KR_LOG_ERR, "modules: built-in module %u has a bad descriptor\n", i);
		return;
	}
	for (uint32_t d = 0; d < m->ndeps; d++)
		if (!started(m->deps[d].name, i)) {
			kr_log(KR_LOG_ERR, "modules: built-in %s not started: it needs %s, "
			       "which did not start\n", m->name, m->deps[d].name);
			return;
		}
	r = kr_builtin_domain(self, devices, i, &dom);
	if (!r && i < BUILTINS)
		domains[i] = dom;
	if (!r && (r = kr_module_grant(self, devices, dom, m->needs, why, sizeof(why))) != KR_OK)
		kr_log(KR_LOG_ERR, "modules: built-in %s: %s\n", m->name, why);
	if (!r)
		r = guarded_call_init(m, dom, 0, 0);
	if (!r)
		return;
	if (i < BUILTINS)
		domains[i] = NULL;
	kr_log(KR_LOG_ERR, "modules: built-in %s failed to start: %s\n", m->name, kr_strerror(r));
	if (dom && kr_domain_destroy(self, dom) != KR_OK)
		/* Its init lent a capability out (an open service, say): its
		 * code may still be called, so it keeps its domain. */
		kr_log(KR_LOG_ERR, "modules: built-in %s lent capabilities out; kept\n", m->name);
}

kr_domain_t *builtin_domain(const char *name)
{
	const struct kr_module_info *m;
	bool running;

	for (uint32_t i = 0; i < BUILTINS && kr_builtin_module(NULL, i, &m, &running, NULL) == KR_OK;
	     i++)
		if (running && domains[i] && !strcmp(m->name, name))
			return domains[i];
	return NULL;
}

void builtin_retire(const char *name)
{
	const struct kr_module_info *m;
	bool running;

	for (uint32_t i = 0; i < BUILTINS && kr_builtin_module(NULL, i, &m, &running, NULL) == KR_OK;
	     i++) {
		if (!running || !domains[i] || strcmp(m->name, name))
			continue;
		guarded_call_exit(m, domains[i], 0, 0);
		if (kr_domain_destroy(starter, domains[i]) != KR_OK)
			kr_log(KR_LOG_ERR, "modules: built-in %s lent capabilities out; kept, stopped\n",
			       name);
		else
			domains[i] = NULL;
	}
}

void builtin_start_all(kr_domain_t *self, kr_cap_t devices)
{
	const struct kr_module_info *m;
	bool running;

	starter = self;
	for (uint32_t i = 0; kr_builtin_module(NULL, i, &m, &running, NULL) == KR_OK; i++)
		if (!running)           /* kmod itself is */
			start(self, devices, i, m);
}
