/*
 * test_manifest.c - a handler's manifest (modules/tcc/manifest.c): the
 * parser and its messages, event patterns, coverage between patterns,
 * what a manifest allows and sees, and the one-line form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "tcc/grants.h"
#include "tcc/manifest.h"
#include "manifest_line.h"

static struct manifest m;
static char err[160];

static int parse(const char *text)
{
	memset(err, 0, sizeof(err));
	return manifest_parse(text, strlen(text), &m, err, sizeof(err));
}

/* Refused, m zeroed, and the message contains want. */
static void refused(const char *text, const char *want)
{
	static const struct manifest zero;

	assert_int_equal(parse(text), -1);
	if (!strstr(err, want))
		fail_msg("'%s': message '%s' lacks '%s'", text, err, want);
	assert_null(strchr(err, '\n'));
	assert_memory_equal(&m, &zero, sizeof(m));
}

static void parses_good_texts(void **state)
{
	(void)state;
	assert_int_equal(parse("version=2; events=timer.*, vfs.write:/data; grants=console; "
			       "contexts=background"), 0);
	assert_true(m.present);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.nevents, 2);
	assert_string_equal(m.events[0], "timer.*");
	assert_string_equal(m.events[1], "vfs.write:/data");
	assert_int_equal(m.grants, GRANT_BIT(GRANT_CONSOLE));
	assert_int_equal(m.contexts, MF_BACKGROUND);

	/* the least: no events, no grants */
	assert_int_equal(parse("version=1;contexts=foreground"), 0);
	assert_int_equal(m.nevents, 0);
	assert_int_equal(m.grants, 0);
	assert_int_equal(m.contexts, MF_FOREGROUND);

	/* every grant, both contexts, any order, the largest version */
	assert_int_equal(parse("contexts=background,foreground;grants=time,events.raise,vfs.read,"
			       "vfs.write,console,parcel;version=4294967295;events="), 0);
	assert_int_equal(m.version, 4294967295u);
	assert_int_equal(m.grants, GRANT_BIT(GRANT_CONSOLE) | GRANT_BIT(GRANT_VFS_READ) |
			 GRANT_BIT(GRANT_VFS_WRITE) | GRANT_BIT(GRANT_TIME) |
			 GRANT_BIT(GRANT_EVENTS_RAISE) | GRANT_BIT(GRANT_PARCEL));
	assert_int_equal(m.contexts, MF_FOREGROUND | MF_BACKGROUND);
	assert_int_equal(m.nevents, 0);

	/* a trailing ';' and an empty field are nothing */
	assert_int_equal(parse("version=3;;contexts=background;"), 0);
	assert_int_equal(m.version, 3);
}

static void spaces_are_ignored(void **state)
{
	(void)state;
	assert_int_equal(parse("  version = 7 ;\tevents =  timer.tick ,  vfs.*:/a/b  ; grants= "
			       "vfs.read , time ;contexts = foreground , background  "), 0);
	assert_int_equal(m.version, 7);
	assert_int_equal(m.nevents, 2);
	assert_string_equal(m.events[0], "timer.tick");
	assert_string_equal(m.events[1], "vfs.*:/a/b");
	assert_int_equal(m.grants, GRANT_BIT(GRANT_VFS_READ) | GRANT_BIT(GRANT_TIME));
	assert_int_equal(m.contexts, MF_FOREGROUND | MF_BACKGROUND);
	assert_int_equal(parse("version=1; contexts=background; grants= ; events=   "), 0);
	assert_int_equal(m.grants, 0);
	assert_int_equal(m.nevents, 0);
}

static void refuses_bad_texts(void **state)
{
	(void)state;
	refused("contexts=background", "version is missing");
	refused("version=1", "contexts is missing");
	refused("", "version is missing");
	refused("version=1; contexts=background; grant=console", "unknown key 'grant'");
	refused("version=1; contexts=background; grants", "'grants' is not key=value");
	refused("version=1; version=2; contexts=background", "version: given twice");
	refused("version=1; contexts=background; events=a; events=b", "events: given twice");
	refused("version=0; contexts=background", "version: '0' is not a number");
	refused("version=4294967296; contexts=background", "version: '4294967296' is not a number");
	refused("version=99999999999999999999999; contexts=background", "is not a number");
	refused("version=-1; contexts=background", "version: '-1'");
	refused("version=1x; contexts=background", "version: '1x'");
	refused("version=; contexts=background", "version: ''");
	refused("version=1; contexts=background; events=Timer", "events: 'Timer' is not a pattern: ");
	refused("version=1; contexts=background; events=timer.*, vfs.write:data",
		"events: 'vfs.write:data' is not a pattern: the path must start with '/'");
	refused("version=1; contexts=background; events=timer.tick,,x", "events: an empty item");
	refused("version=1; contexts=background; events=timer.tick,", "events: an empty item");
	refused("version=1; contexts=background; grants=console,root", "grants: unknown grant 'root'");
	refused("version=1; contexts=background; grants=pure", "grants: unknown grant 'pure'");
	refused("version=1; contexts=background; grants=console vfs.read",
		"grants: unknown grant 'console vfs.read'");
	refused("version=1; contexts=background; grants=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"grants: unknown grant 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
	refused("version=1; contexts=", "contexts: empty");
	refused("version=1; contexts=both", "contexts: unknown context 'both'");
	refused("version=1; contexts=background,,foreground", "contexts: an empty item");
	/* an unprintable byte is shown as '?', so the message stays one line */
	refused("version=1; contexts=back\nground", "unknown context 'back?ground'");
}

static void too_many_events(void **state)
{
	char text[MANIFEST_TEXT_MAX];
	int at;

	(void)state;
	at = sprintf(text, "version=1; contexts=background; events=e0");
	for (int i = 1; i < MANIFEST_EVENTS; i++)
		at += sprintf(text + at, ",e%d", i);
	assert_int_equal(parse(text), 0);
	assert_int_equal(m.nevents, MANIFEST_EVENTS);
	assert_string_equal(m.events[MANIFEST_EVENTS - 1], "e15");
	sprintf(text + at, ",e%d", MANIFEST_EVENTS);
	refused(text, "events: more than 16 patterns");
}

static void bounded_lengths(void **state)
{
	char text[MANIFEST_TEXT_MAX + 64], pat[KR_EVENT_PATTERN_MAX + 1];
	size_t n;

	(void)state;
	/* exactly the limit is fine, one more byte is not */
	n = (size_t)sprintf(text, "version=1; contexts=background;");
	memset(text + n, ' ', MANIFEST_TEXT_MAX - n);
	text[MANIFEST_TEXT_MAX] = '\0';
	assert_int_equal(parse(text), 0);
	text[MANIFEST_TEXT_MAX] = ' ';
	text[MANIFEST_TEXT_MAX + 1] = '\0';
	refused(text, "longer than 1024 bytes");

	/* a pattern of 127 bytes is one, of 128 not */
	memset(pat, 0, sizeof(pat));
	memcpy(pat, "vfs.write:/", 11);
	memset(pat + 11, 'a', KR_EVENT_PATTERN_MAX - 1 - 11);
	sprintf(text, "version=1; contexts=background; events=%s", pat);
	assert_int_equal(parse(text), 0);
	assert_string_equal(m.events[0], pat);
	pat[KR_EVENT_PATTERN_MAX - 1] = 'a';
	sprintf(text, "version=1; contexts=background; events=%s", pat);
	refused(text, "is not a pattern: longer than 127 bytes");
}

static void nul_and_length(void **state)
{
	static const char text[] = "version=5; contexts=background\0; grants=nonsense";
	const char *t = "version=6; contexts=background; grants=nonsense";

	(void)state;
	/* a NUL inside ends the text */
	assert_int_equal(manifest_parse(text, sizeof(text), &m, err, sizeof(err)), 0);
	assert_int_equal(m.version, 5);
	assert_int_equal(m.grants, 0);
	/* len ends it too: the rest is never read */
	assert_int_equal(manifest_parse(t, strlen("version=6; contexts=background"), &m, err,
					sizeof(err)), 0);
	assert_int_equal(m.version, 6);
	assert_int_equal(manifest_parse(t, strlen("version=6; contexts=back"), &m, err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown context 'back'"));
	/* a small err buffer is cut, still terminated */
	assert_int_equal(manifest_parse("version=1", 9, &m, err, 5), -1);
	assert_string_equal(err, "cont");
	assert_int_equal(manifest_parse("version=1", 9, &m, NULL, 0), -1);
	assert_false(m.present);
	assert_int_equal(manifest_parse(NULL, 0, &m, err, sizeof(err)), -1);
	assert_string_equal(err, "version is missing");
}

static void check(const char *p, const char *why_part)
{
	char why[96];

	memset(why, 'x', sizeof(why));
	if (!why_part) {
		if (event_pattern_check(p, why, sizeof(why)))
			fail_msg("'%s' refused: %s", p, why);
		return;
	}
	assert_int_equal(event_pattern_check(p, why, sizeof(why)), -1);
	if (!strstr(why, why_part))
		fail_msg("'%s': reason '%s' lacks '%s'", p, why, why_part);
}

static void pattern_check(void **state)
{
	(void)state;
	check("timer.tick", NULL);
	check("timer.*", NULL);
	check("*", NULL);
	check("a", NULL);
	check("my_ev-1.x", NULL);
	check("vfs.write:/data", NULL);
	check("vfs.write:/", NULL);
	check("vfs.*:/a/b.c/...d", NULL);
	check("*:/etc", NULL);
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);           /* 31 */
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa*", NULL);           /* 30 and '*' */

	check("", "empty");
	check(NULL, "no pattern");
	check("Timer", "'T' in the kind");
	check("timer tick", "byte 0x20 in the kind");
	check("timer?", "'?' in the kind");
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "longer than 31");
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa*", "at most 30 bytes before '*'");
	check("timer.*x", "'*' must end the kind");
	check("ti*mer", "'*' must end the kind");
	check("**", "'*' must end the kind");
	check(":/data", "no kind before ':'");
	check("vfs.write:", "must start with '/'");
	check("vfs.write:data", "must start with '/'");
	check("vfs.write://data", "'//'");
	check("vfs.write:/a//b", "'//'");
	check("vfs.write:/a/./b", "'.' or '..'");
	check("vfs.write:/a/../b", "'.' or '..'");
	check("vfs.write:/a/..", "'.' or '..'");
	check("vfs.write:/.", "'.' or '..'");
	check("vfs.write:/data/", "ends in '/'");
	check("vfs.write:/da ta", "byte 0x20");
	check("vfs.write:/da\x7f", "byte 0x7f");
	check("vfs.write:/da\xc3\xa9", "byte 0xc3");
	check("vfs.write:/data/*", "'*' in the path");
	check("vfs.write:/a:b", NULL);                          /* ':' in a path is a byte */
}

static void covers(void **state)
{
	(void)state;
	/* kinds */
	assert_true(event_pattern_covers("timer.tick", "timer.tick"));
	assert_false(event_pattern_covers("timer.tick", "timer.tock"));
	assert_false(event_pattern_covers("timer.tick", "timer.*"));
	assert_false(event_pattern_covers("timer.tick", "timer.tick*"));
	assert_true(event_pattern_covers("timer.*", "timer.tick"));
	assert_true(event_pattern_covers("timer.*", "timer.t*"));
	assert_true(event_pattern_covers("timer.*", "timer.*"));
	assert_false(event_pattern_covers("timer.t*", "timer.*"));
	assert_false(event_pattern_covers("timer.*", "timer"));
	assert_false(event_pattern_covers("timer.*", "vfs.write"));
	assert_true(event_pattern_covers("*", "anything"));
	assert_true(event_pattern_covers("*", "*"));
	assert_true(event_pattern_covers("*", "vfs.write:/data"));
	assert_false(event_pattern_covers("vfs.*", "*"));

	/* paths */
	assert_true(event_pattern_covers("vfs.write:/data", "vfs.write:/data"));
	assert_true(event_pattern_covers("vfs.write:/data", "vfs.write:/data/x"));
	assert_true(event_pattern_covers("vfs.write:/data", "vfs.write:/data/x/y"));
	assert_false(event_pattern_covers("vfs.write:/data", "vfs.write:/database"));
	assert_false(event_pattern_covers("vfs.write:/data/x", "vfs.write:/data"));
	assert_false(event_pattern_covers("vfs.write:/data", "vfs.write:/"));
	assert_false(event_pattern_covers("vfs.write:/data", "vfs.write"));   /* any path */
	assert_false(event_pattern_covers("vfs.write:/", "vfs.write"));       /* and none */
	assert_true(event_pattern_covers("vfs.write:/", "vfs.write:/"));
	assert_true(event_pattern_covers("vfs.write:/", "vfs.write:/database/x"));
	assert_true(event_pattern_covers("vfs.write", "vfs.write:/data"));    /* without a path: any */
	assert_true(event_pattern_covers("vfs.write", "vfs.write:/"));
	assert_true(event_pattern_covers("vfs.*", "vfs.write:/data"));
	assert_true(event_pattern_covers("vfs.*:/data", "vfs.w*:/data/x"));
	assert_false(event_pattern_covers("vfs.*:/data", "vfs.w*"));
	assert_false(event_pattern_covers("vfs.write:/data", "vfs.create:/data"));

	/* either one malformed: no */
	assert_false(event_pattern_covers("*", "Timer"));
	assert_false(event_pattern_covers("vfs.write:/data/", "vfs.write:/data/x"));
	assert_false(event_pattern_covers("*", "vfs.write:/data/../etc"));
}

static void allows_and_sees(void **state)
{
	(void)state;
	assert_int_equal(parse("version=1; contexts=background; events=timer.*, vfs.write:/data"), 0);
	assert_true(manifest_allows(&m, "timer.tick"));
	assert_true(manifest_allows(&m, "timer.*"));
	assert_true(manifest_allows(&m, "vfs.write:/data/log"));
	assert_false(manifest_allows(&m, "vfs.write"));
	assert_false(manifest_allows(&m, "vfs.write:/database"));
	assert_false(manifest_allows(&m, "vfs.create:/data"));
	assert_false(manifest_allows(&m, "*"));
	assert_false(manifest_allows(&m, "kmod.load"));

	assert_true(manifest_sees(&m, "timer.tick", ""));
	assert_true(manifest_sees(&m, "vfs.write", "/data"));
	assert_true(manifest_sees(&m, "vfs.write", "/data/a/b"));
	assert_false(manifest_sees(&m, "vfs.write", "/database"));
	assert_false(manifest_sees(&m, "vfs.write", NULL));
	assert_false(manifest_sees(&m, "vfs.remove", "/data/a"));
	assert_false(manifest_sees(&m, "kmod.load", "hello"));

	/* no events declared: nothing allowed, nothing seen */
	assert_int_equal(parse("version=1; contexts=background"), 0);
	assert_false(manifest_allows(&m, "timer.tick"));
	assert_false(manifest_sees(&m, "timer.tick", ""));
	memset(&m, 0, sizeof(m));
	assert_false(manifest_allows(&m, "timer.tick"));
	assert_false(manifest_allows(NULL, "timer.tick"));
}

static void format_round_trip(void **state)
{
	static const char *const texts[] = {
		"version=2; events=timer.*, vfs.write:/data; grants=console; contexts=background",
		"version=1;contexts=foreground",
		"version=1;contexts=background;events=-",        /* a kind, not none */
		"contexts=background,foreground; grants=time,events.raise,vfs.read,vfs.write,console;"
		" version=4294967295; events=*, a:/, b*:/x/y",
	};
	char line[4096], text[4096];
	struct manifest a;

	(void)state;
	assert_int_equal(parse(texts[0]), 0);
	manifest_format(&m, line, sizeof(line));
	assert_string_equal(line, "version 2; events timer.*, vfs.write:/data; grants console; "
			    "contexts background");
	assert_int_equal(parse(texts[1]), 0);
	manifest_format(&m, line, sizeof(line));
	assert_string_equal(line, "version 1; events (none); grants (none); contexts foreground");
	assert_int_equal(parse(texts[2]), 0);
	manifest_format(&m, line, sizeof(line));
	assert_string_equal(line, "version 1; events -; grants (none); contexts background");
	assert_int_equal(parse(texts[3]), 0);
	manifest_format(&m, line, sizeof(line));
	assert_string_equal(line, "version 4294967295; events *, a:/, b*:/x/y; grants console, "
			    "vfs.read, vfs.write, time, events.raise; contexts foreground, background");

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(parse(texts[i]), 0);
		a = m;
		manifest_format(&a, line, sizeof(line));
		assert_int_equal(manifest_line_to_text(line, text), 0);
		if (parse(text))
			fail_msg("'%s' does not parse again: %s", text, err);
		assert_memory_equal(&a, &m, sizeof(m));
	}

	/* cut short, still terminated; none declared */
	assert_int_equal(parse(texts[0]), 0);
	manifest_format(&m, line, 12);
	assert_string_equal(line, "version 2; ");
	memset(&a, 0, sizeof(a));
	manifest_format(&a, line, sizeof(line));
	assert_string_equal(line, "no manifest");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_good_texts),
		cmocka_unit_test(spaces_are_ignored),
		cmocka_unit_test(refuses_bad_texts),
		cmocka_unit_test(too_many_events),
		cmocka_unit_test(bounded_lengths),
		cmocka_unit_test(nul_and_length),
		cmocka_unit_test(pattern_check),
		cmocka_unit_test(covers),
		cmocka_unit_test(allows_and_sees),
		cmocka_unit_test(format_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
