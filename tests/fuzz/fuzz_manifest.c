/*
 * fuzz_manifest.c - libFuzzer target for a handler's manifest
 * (modules/tcc/manifest.c): manifest_parse over the bytes, given as an
 * exact-size buffer (it takes a length, so a read past it is a bug).
 *
 * A refusal must leave one line in err and m zeroed.  A success must give
 * fields in range and patterns that pass event_pattern_check; its
 * manifest_format line must parse back to the same manifest; and
 * event_pattern_covers must be sound on every pair of its patterns: when
 * covers(mp, sp), every event sampled from sp (its kind with the '*' made
 * "", "x" or "x.y"; its path, below it, or beside it) that sp matches, mp
 * matches too.  Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcc/manifest.h"
#include "manifest_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The events to try sp with: kinds from its kind, data from its path. */
static void covers_is_sound(const char *mp, const char *sp)
{
	static const char *const stars[] = { "", "x", "x.y", "-" };
	static const char *const tails[] = { "", "/y", "/y/z", "y", "_" };
	char kind[KR_EVENT_PATTERN_MAX + 8], path[KR_EVENT_PATTERN_MAX + 8];
	const char *colon = strchr(sp, ':'), *star = strchr(sp, '*');
	size_t klen = colon ? (size_t)(colon - sp) : strlen(sp);

	if (star && star < sp + klen)
		klen = (size_t)(star - sp);
	for (size_t s = 0; s < sizeof(stars) / sizeof(stars[0]); s++) {
		snprintf(kind, sizeof(kind), "%.*s%s", (int)klen, sp, star ? stars[s] : "");
		for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
			snprintf(path, sizeof(path), "%s%s", colon ? colon + 1 : "", tails[t]);
			if (kr_event_match(sp, kind, path) && !kr_event_match(mp, kind, path)) {
				fprintf(stderr, "'%s' covers '%s' but misses (%s, %s)\n", mp, sp, kind, path);
				abort();
			}
		}
		if (!star)
			break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct manifest zero;
	static struct manifest m, again;
	char err[160], line[4096], text[4096];
	char *buf = malloc(size ? size : 1);

	memcpy(buf, data, size);
	memset(err, 0x5a, sizeof(err));
	if (manifest_parse(buf, size, &m, err, sizeof(err))) {
		if (!memchr(err, '\0', sizeof(err)) || !err[0] || strchr(err, '\n') ||
		    memcmp(&m, &zero, sizeof(m)))
			abort();
		free(buf);
		return 0;
	}
	free(buf);
	if (!m.present || !m.version || !m.contexts || (m.contexts & ~3u) ||
	    m.nevents > MANIFEST_EVENTS || (m.grants & ~0x3eu))
		abort();
	for (unsigned i = 0; i < m.nevents; i++) {
		if (event_pattern_check(m.events[i], NULL, 0) || !event_pattern_covers(m.events[i], m.events[i]))
			abort();
		if (!manifest_allows(&m, m.events[i]))
			abort();
	}

	manifest_format(&m, line, sizeof(line));
	if (strlen(line) + 1 >= sizeof(line) || manifest_line_to_text(line, text) ||
	    manifest_parse(text, strlen(text), &again, err, sizeof(err)) ||
	    memcmp(&m, &again, sizeof(m))) {
		fprintf(stderr, "format: '%s' does not parse back: %s\n", line, err);
		abort();
	}

	for (unsigned i = 0; i < m.nevents; i++)
		for (unsigned j = 0; j < m.nevents; j++)
			if (event_pattern_covers(m.events[i], m.events[j]))
				covers_is_sound(m.events[i], m.events[j]);
	return 0;
}
