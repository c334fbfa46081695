/*
 * live.c - the shell replaced while it runs (<karyon/live.h>).
 *
 * The state (version 1) is struct shell_handover (shell.h), as is, behind
 * a small header: the working directory, the commands other modules added
 * (pointers into their modules: one address space), the typed-ahead
 * input, the line editor's history, and the domain whose console claim
 * the next version takes.  The shell's own task runs the command that
 * replaces it: the old version ends its task after that line (standby),
 * and the new one starts its own once it has (shell.c, repl_starter).
 */
#include <karyon/libc.h>
#include <karyon/live.h>

#include "shell.h"

#define SHELL_LIVE_MAGIC 0x4c454853u    /* "SHEL" */

struct shell_live_state {
	uint32_t magic, version;
	struct shell_handover h;
};

static uint32_t live_busy(void)
{
	return 0;               /* the service's calls never block */
}

static kr_err_t live_export(void *buf, size_t cap, size_t *len)
{
	struct shell_live_state *st = buf;

	*len = sizeof(*st);
	if (!buf)
		return KR_OK;
	if (cap < sizeof(*st))
		return KR_ERANGE;
	st->magic = SHELL_LIVE_MAGIC;
	st->version = 1;
	shell_save(&st->h);
	return KR_OK;
}

static kr_err_t live_import(kr_domain_t *self, const void *state, size_t len)
{
	const struct shell_live_state *st = state;

	if (len != sizeof(*st) || st->magic != SHELL_LIVE_MAGIC || st->version != 1)
		return KR_EFORMAT;
	return shell_restore(self, &st->h);
}

static const struct kr_ops_header *live_table(const char *service)
{
	return !strcmp(service, "shell") ? shell_ops_table() : NULL;
}

KR_LIVE(.state_version = 1, .busy = live_busy, .export_state = live_export,
	.import_state = live_import, .table = live_table, .standby = shell_retire);

kr_err_t shell_live_publish(kr_domain_t *self)
{
	kr_cap_t cap;

	return kr_service_publish(self, KR_LIVE_PREFIX "shell", &kr_this_live.hdr, &cap);
}
