/*
 * commit.c - encoding and strict decoding of the tcc module's commit
 * payloads (the layouts: commit.h, docs/commit-log-parts.md).
 */
#include <karyon/libc.h>

#include "../lib/state_view.h"
#include "commit.h"

bool tcommit_name_ok(const char *s, size_t n)
{
	if (!n || n >= TCOMMIT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

uint32_t tcommit_cc_encode(void *buf, uint32_t cap, const struct tcommit_cc *c)
{
	struct pl_w w = { buf, cap, 0, false };

	plw_str(&w, c->name);
	plw_str(&w, c->path);
	plw_bytes(&w, c->source, 32);
	plw_u32(&w, c->flags);
	plw_u32(&w, c->grants);
	plw_u32(&w, c->budget_ms);
	plw_u32(&w, c->budget_mb);
	plw_u32(&w, c->effective);
	plw_u32(&w, c->mf_version);
	plw_u32(&w, c->ndefines);
	for (uint32_t i = 0; i < c->ndefines; i++)
		plw_str(&w, c->defines[i]);
	plw_u32(&w, c->nincdirs);
	for (uint32_t i = 0; i < c->nincdirs; i++)
		plw_str(&w, c->incdirs[i]);
	return w.over ? 0 : w.len;
}

static const char *name_of(struct pl_r *r)
{
	const char *s = plr_str(r, false);

	if (s && !tcommit_name_ok(s, strlen(s))) {
		r->why = "not a handler name";
		return NULL;
	}
	return s;
}

/* n strings after their u32 count, at most COMPILE_MAX_OPTS, absolute
 * ones if abs. */
static uint32_t strings(struct pl_r *r, const char **out, bool abs)
{
	uint32_t n = 0;

	if (!plr_u32(r, &n))
		return 0;
	if (n > COMPILE_MAX_OPTS) {
		r->why = "too many -D or -I options";
		return 0;
	}
	for (uint32_t i = 0; i < n; i++)
		if ((out[i] = plr_str(r, false)) && abs && out[i][0] != '/')
			r->why = "an include directory that is not absolute";
	return n;
}

kr_err_t tcommit_cc_decode(const struct kr_commit *c, struct tcommit_cc *out, char *err,
			   size_t len)
{
	struct pl_r r;

	*out = (struct tcommit_cc){ 0 };
	plr_init(&r, c->payload, c->length);
	out->name = name_of(&r);
	out->path = plr_str(&r, false);
	if (out->path && out->path[0] != '/')
		r.why = "a source path that is not absolute";
	out->source = plr_bytes(&r, 32);
	plr_u32(&r, &out->flags);
	plr_u32(&r, &out->grants);
	plr_u32(&r, &out->budget_ms);
	plr_u32(&r, &out->budget_mb);
	plr_u32(&r, &out->effective);
	plr_u32(&r, &out->mf_version);
	if (!r.why && (out->flags & ~(TCOMMIT_GAS | TCOMMIT_LINES | TCOMMIT_GRANTS)))
		r.why = "unknown flags";
	if (!r.why && (!out->budget_ms || out->budget_ms > 3600000 || !out->budget_mb ||
		       out->budget_mb > 4096))
		r.why = "a budget out of range";
	out->ndefines = strings(&r, out->defines, false);
	out->nincdirs = strings(&r, out->incdirs, true);
	if (!plr_end(&r))
		return plr_fail(&r, "tcc.cc", err, len);
	return KR_OK;
}

kr_err_t tcommit_unload_decode(const struct kr_commit *c, const char **name, char *err,
			       size_t len)
{
	struct pl_r r;

	plr_init(&r, c->payload, c->length);
	*name = name_of(&r);
	if (!plr_end(&r))
		return plr_fail(&r, "tcc.unload", err, len);
	return KR_OK;
}
