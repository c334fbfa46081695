/*
 * manifest.h - a handler's manifest: what it declares it may see and do,
 * read at cc time from the KR_MANIFEST("...") string in its source
 * (<karyon/handler.h> makes it the global __karyon_manifest).
 *
 * The text is "key=value" fields separated by ';' (spaces around keys,
 * values and list items are ignored; a field may appear once):
 *
 *	version=N               1..4294967295: the declared version (a new
 *	                        version starts from a fresh snapshot)
 *	events=PAT, PAT...      the event patterns (<karyon/event.h>) it may
 *	                        subscribe to; at most MANIFEST_EVENTS
 *	grants=G, G...          its grants (grants.h names: console,
 *	                        vfs.read, vfs.write, time, events.raise)
 *	contexts=C, C...        foreground (the run command), background
 *	                        (events and work tokens), or both
 *
 * e.g. "version=2; events=timer.*, vfs.write:/data; grants=console; contexts=background".
 * version and contexts are required; events and grants may be empty or
 * left out (none).  Pure code: the tcc module and the host tests share it.
 */
#ifndef KARYON_TCC_MANIFEST_H
#define KARYON_TCC_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/event.h>

#define MANIFEST_TEXT_MAX 1024          /* bytes of manifest text, at most */
#define MANIFEST_EVENTS   16

enum manifest_context {
	MF_FOREGROUND = 1u << 0,
	MF_BACKGROUND = 1u << 1,
};

struct manifest {
	bool present;                   /* false: the handler declared none */
	uint32_t version;
	uint32_t grants;                /* GRANT_BIT(enum grant) mask */
	uint32_t contexts;              /* enum manifest_context mask */
	unsigned nevents;
	char events[MANIFEST_EVENTS][KR_EVENT_PATTERN_MAX];
};

/* Is p a well-formed event pattern (<karyon/event.h>): a kind of
 * [a-z0-9_.-] (1..31 bytes) or a prefix ending in '*' (0..30 bytes then
 * '*'), then optionally ':' and an absolute path ('/' then printable
 * bytes other than space and '*', no "//", no "." or ".." component, no
 * trailing '/' except "/" itself: a path is matched literally, so a '*'
 * there would only mislead),
 * all of it shorter than KR_EVENT_PATTERN_MAX?  0 if so, else -1 and a
 * reason in why (if not NULL). */
int event_pattern_check(const char *p, char *why, size_t whysz);

/* Parse text[0..len) (it need not be NUL-terminated; a NUL inside ends
 * it) into *m (present = true).  0, or -1 with one line in err saying
 * what is wrong and where ("events: 'Timer' is not a pattern: ...",
 * "unknown key 'grant'", "version is missing").  m is fully written
 * either way (zeroed on failure). */
int manifest_parse(const char *text, size_t len, struct manifest *m, char *err, size_t errsz);

/* Does manifest pattern mp cover every event subscription pattern sp can
 * match?  (Kinds: "timer.*" covers "timer.tick" and "timer.t*", "timer.tick"
 * covers only itself; paths: "vfs.write:/data" covers "vfs.write:/data/x",
 * not "vfs.write" or "vfs.write:/"; a pattern without a path covers the
 * same kind with any path.)  Both must pass event_pattern_check. */
bool event_pattern_covers(const char *mp, const char *sp);

/* May a handler with manifest m subscribe with pattern sp?  true if some
 * event pattern of m covers it. */
bool manifest_allows(const struct manifest *m, const char *sp);

/* Does m let the handler observe this event (kr_event_match of any of its
 * patterns)? */
bool manifest_sees(const struct manifest *m, const char *kind, const char *data);

/* m as one line: "version 2; events timer.*, vfs.write:/data; grants
 * console; contexts background" (what `handlers` prints); "(none)" for
 * no events or grants, "no manifest" if !present.  Not manifest text: with
 * each first space made '=' and "(none)" made empty it parses back to m. */
void manifest_format(const struct manifest *m, char *buf, size_t len);

#endif
