/*
 * event.h - events (ABI 1.3): what the "events" service raises and what an
 * event handler receives.
 *
 * An event is a named kind ("timer.tick", "vfs.write", "kmod.load",
 * "irq.rtc", or a custom name), a sequence number (1, 2, ... in the order
 * raised, per boot), the virtual clock when it was raised (sched.h: 1 gas
 * = 1 virtual ns), a count (timers: the firing; the IRQ bridge: the
 * interrupts it stands for) and up to KR_EVENT_DATA_MAX - 1 bytes of data (the
 * path of a file event, the module of a kmod event, what `event raise`
 * was given).
 *
 * This header is also a handler's (it is installed under /usr/include/
 * karyon, and <karyon/handler.h> includes it): it needs nothing but
 * <stdint.h>, and struct kr_event is the one definition both sides use.
 *
 * Kinds are 1..31 bytes of [a-z0-9_.-].  These prefixes are the sources':
 * "timer.", "vfs.", "kmod.", "irq." (nobody else raises those); any other
 * name is a custom event, raised at the shell or by a handler granted
 * "events.raise".
 *
 * A pattern names the events a subscription (or a manifest) covers:
 *	KIND            exactly that kind ("timer.tick")
 *	PREFIX*         every kind that starts with PREFIX ("timer.*", "*")
 *	KIND:/PATH      file events whose path is /PATH or under it
 *	                ("vfs.write:/data" sees /data/a, never /database)
 */
#ifndef KARYON_EVENT_H
#define KARYON_EVENT_H

#include <stdint.h>
#include <karyon/abi.h>

#define KR_EVENT_VERSION   1
#define KR_EVENT_KIND_MAX  32           /* including the NUL */
#define KR_EVENT_DATA_MAX  200
#define KR_EVENT_PATTERN_MAX 128        /* KIND:/PATH, including the NUL */

enum kr_event_source {
	KR_EVSRC_CUSTOM = 0,    /* `event raise`, or a handler's event_raise() */
	KR_EVSRC_TIMER = 1,     /* `timer add NAME every MS | at MS` */
	KR_EVSRC_VFS = 2,       /* vfs.create, vfs.write, vfs.remove: data is the path */
	KR_EVSRC_KMOD = 3,      /* kmod.load, kmod.unload: data is the module's name */
	KR_EVSRC_IRQ = 4,       /* the IRQ bridge: count interrupts in one event */
};

enum kr_event_flags {
	/* data is the first KR_EVENT_DATA_MAX - 1 bytes of something longer
	 * (a file event's path: paths go to 1023 bytes).  Patterns still
	 * match as on the whole path: theirs is shorter than what is kept. */
	KR_EVENT_TRUNCATED = 1u << 0,
};

struct kr_event {
	uint32_t version;       /* KR_EVENT_VERSION */
	uint32_t source;        /* enum kr_event_source */
	uint64_t seq;           /* 1, 2, ... in the order raised */
	uint64_t time;          /* the virtual clock (ns) when it was raised */
	uint32_t count;         /* timers: the firing (1, 2, ...); irq: interrupts; else 1 */
	uint32_t size;          /* bytes of data used (data is NUL-terminated too) */
	char kind[KR_EVENT_KIND_MAX];
	char data[KR_EVENT_DATA_MAX];
	uint32_t flags;         /* enum kr_event_flags */
	uint32_t reserved;      /* 0 */
};
KR_ABI_OFFSET(struct kr_event, seq, 8);
KR_ABI_OFFSET(struct kr_event, kind, 32);
KR_ABI_OFFSET(struct kr_event, data, 64);
KR_ABI_OFFSET(struct kr_event, flags, 264);
KR_ABI_SIZE(struct kr_event, 272);

/* Is kind one of the sources' ("timer.", "vfs.", "kmod.", "irq."), which
 * only the sources raise?  The events module and the tcc module (a run's
 * event_raise, kept aside) ask the same question. */
static inline int kr_event_kind_reserved(const char *kind)
{
	static const char *const prefixes[] = { "timer.", "vfs.", "kmod.", "irq." };

	for (unsigned i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		const char *p = prefixes[i], *k = kind;

		while (*p && *p == *k) {
			p++;
			k++;
		}
		if (!*p)
			return 1;
	}
	return 0;
}

/* Does pattern (see above) cover an event of kind with data?  Pure; the
 * events module matches subscriptions with it, the tcc module manifests. */
static inline int kr_event_match(const char *pattern, const char *kind, const char *data)
{
	const char *p = pattern, *k = kind;

	while (*p && *p != ':' && *p != '*' && *p == *k) {
		p++;
		k++;
	}
	if (*p == '*')
		p++;                    /* a prefix: the rest of the kind is any */
	else if ((*p && *p != ':') || *k)
		return 0;
	if (*p != ':')
		return *p == '\0';
	for (p++; *p && *p == *data; p++, data++)
		;
	/* "/data" covers "/data" and "/data/...", "/" covers everything */
	return !*p && (!*data || *data == '/' || p[-1] == '/');
}

#endif
