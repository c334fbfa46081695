/*
 * commit.c - encoding and strict decoding of kmod's commit payloads
 * (commit.h; the layouts are there and in docs/commit-log-parts.md).
 */
#include <karyon/libc.h>
#include <karyon/module.h>

#include "../lib/state_view.h"
#include "commit.h"

uint32_t kcommit_load_size(const char *name, const char *origin, size_t size)
{
	size_t n = strlen(name) + 1 + strlen(origin) + 1 + 32;

	return size > KR_CLOG_PAYLOAD_MAX - n || n > KR_CLOG_PAYLOAD_MAX ? 0 : (uint32_t)(n + size);
}

void kcommit_load_encode(void *buf, const struct kcommit_load *l)
{
	struct pl_w w = { buf, kcommit_load_size(l->name, l->origin, l->size), 0, false };

	plw_str(&w, l->name);
	plw_str(&w, l->origin);
	plw_bytes(&w, l->digest, 32);
	plw_bytes(&w, l->file, l->size);
}

/* A descriptor name: [a-z0-9_], 1 to KR_MODULE_NAME_MAX - 1 characters. */
static const char *name_ok(struct pl_r *r, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) {
			r->why = "a module name outside [a-z0-9_]";
			return NULL;
		}
	if (n >= KR_MODULE_NAME_MAX) {
		r->why = "a module name too long";
		return NULL;
	}
	return s;
}

kr_err_t kcommit_load_decode(const struct kr_commit *c, struct kcommit_load *out, char *err,
			     size_t len)
{
	struct pl_r r;

	plr_init(&r, c->payload, c->length);
	out->name = name_ok(&r, plr_str(&r, false));
	out->origin = plr_str(&r, false);
	out->digest = plr_bytes(&r, 32);
	out->file = plr_rest(&r, &out->size);
	if (!r.why && !out->size)
		r.why = "no file";
	if (!plr_end(&r))
		return plr_fail(&r, "kmod.load", err, len);
	return KR_OK;
}

kr_err_t kcommit_unload_decode(const struct kr_commit *c, const char **name, char *err,
			       size_t len)
{
	struct pl_r r;

	plr_init(&r, c->payload, c->length);
	*name = name_ok(&r, plr_str(&r, false));
	if (!plr_end(&r))
		return plr_fail(&r, "kmod.unload", err, len);
	return KR_OK;
}
