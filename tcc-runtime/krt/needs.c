/*
 * needs.c - kr_module_grant(): a module's whole .needs list given to the
 * domain its starter made for it, all or nothing, with the refusal in words
 * ("needs IRQ 11, held by ne2k").
 *
 * The core checks and gives one need at a time (kr_need_grant: well
 * formed, not RAM, not held by another domain, and minted); the rules for
 * a list are kept here, on top of it and the rest of the ABI: no need
 * named twice, a domain given its needs once, nothing kept of a list
 * refused halfway.  Linked into every kernel and exported like the core's
 * functions, since <karyon/module.h> declares it with KR_API; kmod, the
 * starter, calls it for each module it starts.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <karyon/module.h>
#include <krt/fmt.h>
#include <krt/needs.h>

const char *const krt_facility_names[KR_SYS_DEVICES + 1] = {
	[KR_SYS_POWER] = "power", [KR_SYS_KLOG] = "klog", [KR_SYS_DEVICES] = "devices",
};

/* "IRQ 11", "ports 0xcf8-0xcff", "MMIO 0xfec00000-0xfec00fff", "facility klog". */
static void need_text(const struct kr_need *n, char *buf, size_t len)
{
	uint64_t lo, hi;

	krt_need_span(n, &lo, &hi);
	if (n->kind == KR_NEED_IRQ_LINE)
		ksnprintf(buf, len, "IRQ %llu", (unsigned long long)lo);
	else if (n->kind == KR_NEED_FACILITY)
		ksnprintf(buf, len, "facility %s", lo >= KR_SYS_POWER && lo <= KR_SYS_DEVICES ?
			  krt_facility_names[lo] : "?");
	else
		ksnprintf(buf, len, "%s %#llx-%#llx", n->kind == KR_NEED_IOPORTS ? "ports" : "MMIO",
			  (unsigned long long)lo, (unsigned long long)hi - 1);
}

static bool needs_overlap(const struct kr_need *a, const struct kr_need *b)
{
	uint64_t alo, ahi, blo, bhi;

	krt_need_span(a, &alo, &ahi);
	krt_need_span(b, &blo, &bhi);
	return a->kind == b->kind && alo < bhi && blo < ahi;
}

/* The reason into err (when there is room for one), and the code back. */
static kr_err_t say(char *err, size_t len, kr_err_t code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static kr_err_t say(char *err, size_t len, kr_err_t code, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		kvsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* needs[i] into m, after the ones before it; or why not. */
static kr_err_t grant_one(kr_domain_t *d, kr_cap_t c, kr_domain_t *m,
			  const struct kr_need *needs, uint32_t i, char *err, size_t len)
{
	const struct kr_need *n = &needs[i];
	const char *who = "?";
	char what[48];
	kr_err_t r;

	need_text(n, what, sizeof(what));
	for (uint32_t j = 0; j < i; j++)
		if (needs_overlap(&needs[j], n))
			return say(err, len, KR_EOVERLAP, "needs %s twice", what);
	r = kr_need_grant(d, c, m, i, n, &who);
	switch (r) {
	case KR_OK:
		return r;
	case KR_EBUSY:
		return say(err, len, r, "needs %s, held by %s", what, who);
	case KR_EPERM:
		return say(err, len, r, "its domain was made by another");
	case KR_EINVAL: case KR_ERANGE: case KR_EALIGN: case KR_EOVERLAP:
		return say(err, len, r, "need %u (kind %u, base %#llx, count %llu): %s", i, n->kind,
			   (unsigned long long)n->base, (unsigned long long)n->count,
			   kr_strerror(r));
	case KR_ENOMEM: case KR_ENOSPC:
		return say(err, len, r, "cannot hand out its devices: %s", kr_strerror(r));
	default:                /* the devices capability did not hold */
		return say(err, len, r, "no right to hand out devices: %s", kr_strerror(r));
	}
}

kr_err_t kr_module_grant(kr_domain_t *d, kr_cap_t c, kr_domain_t *m, const struct kr_need *needs,
			 char *err, size_t len)
{
	kr_cap_t cap;
	kr_err_t r;

	if (!needs || !kr_domain_id(m))
		return say(err, len, KR_EINVAL, "no domain or no needs to give it");
	for (uint32_t i = 0; i < KR_MODULE_NEEDS_MAX; i++)
		if (kr_need_cap(m, i, &cap) == KR_OK)
			return say(err, len, KR_EALREADY, "it has its devices already");
	for (uint32_t i = 0; i < KR_MODULE_NEEDS_MAX && needs[i].kind != KR_NEED_NONE; i++) {
		r = grant_one(d, c, m, needs, i, err, len);
		if (r) {                /* give back what the list gave so far */
			while (i--)
				if (kr_need_cap(m, i, &cap) == KR_OK)
					kr_cap_delete(m, cap);
			return r;
		}
	}
	return KR_OK;
}
