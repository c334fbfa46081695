/*
 * commit.c - encoding and strict decoding of the events module's commit
 * payloads (the layouts: commit.h, docs/commit-log-parts.md).
 */
#include <karyon/libc.h>

#include "../lib/state_view.h"
#include "commit.h"

static bool is(const char *kind, const char *what)
{
	return kind && !strcmp(kind, what);
}

static bool sub_kind(const char *kind)
{
	return is(kind, "events.on") || is(kind, "events.off");
}

static bool timer_kind(const char *kind)
{
	return is(kind, "events.timer_add") || is(kind, "events.timer_del");
}

uint32_t ecommit_encode(const char *kind, const struct ecommit *c, void *buf, uint32_t cap)
{
	struct pl_w w = { buf, cap, 0, false };
	char subject[ECOMMIT_SUBJECT_MAX];

	if (sub_kind(kind)) {
		if (ksnprintf(subject, sizeof(subject), "%s %s", c->pattern, c->handler) >=
		    (int)sizeof(subject))
			return 0;
		plw_str(&w, subject);
		if (is(kind, "events.on")) {
			plw_u64(&w, c->gas);
			plw_u32(&w, c->queue);
		}
	} else if (timer_kind(kind)) {
		plw_str(&w, c->name);
		if (is(kind, "events.timer_add")) {
			plw_u32(&w, c->every);
			plw_u64(&w, c->ms);
		}
	} else {
		return 0;
	}
	return w.over ? 0 : w.len;
}

/* "EVENT HANDLER": one space, both sides non-empty and short enough. */
static void split(struct pl_r *r, const char *s, struct ecommit *out)
{
	const char *sp = s ? strchr(s, ' ') : NULL;
	size_t n;

	if (!s)
		return;
	if (!sp || sp == s || !sp[1] || strchr(sp + 1, ' ')) {
		r->why = "a subject that is not \"EVENT HANDLER\"";
		return;
	}
	n = (size_t)(sp - s);
	if (n >= sizeof(out->pattern) || strlen(sp + 1) >= sizeof(out->handler)) {
		r->why = "an event pattern or handler name too long";
		return;
	}
	memcpy(out->pattern, s, n);
	out->pattern[n] = '\0';
	memcpy(out->handler, sp + 1, strlen(sp + 1) + 1);
}

kr_err_t ecommit_decode(const struct kr_commit *c, struct ecommit *out, char *err, size_t len)
{
	struct pl_r r;
	uint32_t every = 0;

	*out = (struct ecommit){ 0 };
	if (!c || (!sub_kind(c->kind) && !timer_kind(c->kind))) {
		ksnprintf(err, len, "state.events: unknown kind %s", c && c->kind ? c->kind : "(none)");
		return KR_EINVAL;
	}
	plr_init(&r, c->payload, c->length);
	if (sub_kind(c->kind)) {
		split(&r, plr_str(&r, false), out);
		if (is(c->kind, "events.on")) {
			plr_u64(&r, &out->gas);
			plr_u32(&r, &out->queue);
		}
	} else {
		out->name = plr_str(&r, false);
		if (out->name && strchr(out->name, ' '))
			r.why = "a timer name with a space";
		if (is(c->kind, "events.timer_add")) {
			plr_u32(&r, &every);
			plr_u64(&r, &out->ms);
			if (!r.why && every > 1)
				r.why = "every is neither 0 nor 1";
			out->every = every == 1;
		}
	}
	if (!plr_end(&r))
		return plr_fail(&r, c->kind, err, len);
	return KR_OK;
}
