/*
 * test_lineedit.c - the shell's line editor (modules/shell/lineedit.c)
 * against a model of the terminal it draws on.
 *
 * The model is one VT100 row that understands exactly what the editor may
 * send (printable ASCII, \r, \n, \b, \a, CSI n D/C, CSI K, CSI H, CSI 2J) and
 * fails the test on anything else, so a raw control byte or an unknown
 * sequence on the wire is caught.  Rows ended by \n are kept as text
 * ("past") for the messages and completion listings.  After every byte fed,
 * the visible row must be prompt + buffer, blanks after it, with the cursor
 * at prompt + cursor offset; the random-stream tests check that after
 * every byte of seeded streams of keys, escape fragments and junk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "shell/lineedit.h"

#define PROMPT "karyon> "
#define PLEN (sizeof(PROMPT) - 1)
#define WIDTH (LE_LINE_MAX + 256)

/* ---- the terminal model ---- */

static struct term {
	char row[WIDTH];	/* 0: never written or erased */
	size_t col;
	size_t hi;		/* nothing written at or beyond this column */
	char past[1 << 16];	/* finished rows, each ending in '\n' */
	size_t npast;
	int st;			/* 0 text, 1 after ESC, 2 in CSI */
	unsigned n;		/* CSI parameter */
	int bells;
	size_t bytes;		/* everything written */
} t;

static void term_newline(void)
{
	size_t end = WIDTH;

	while (end && (t.row[end - 1] == 0 || t.row[end - 1] == ' '))
		end--;
	for (size_t i = 0; i < end && t.npast < sizeof(t.past) - 2; i++)
		t.past[t.npast++] = t.row[i] ? t.row[i] : ' ';
	t.past[t.npast++] = '\n';
	t.past[t.npast] = 0;
	memset(t.row, 0, sizeof(t.row));
	t.hi = 0;
}

static void term_csi(char f)
{
	switch (f) {
	case 'D':
		if (!t.n)
			t.n = 1;
		if (t.n > t.col)
			fail_msg("cursor moved %u left from column %zu", t.n, t.col);
		t.col -= t.n;
		break;
	case 'C':
		t.col += t.n ? t.n : 1;
		assert_true(t.col < WIDTH);
		break;
	case 'K':
		assert_int_equal(t.n, 0);
		memset(t.row + t.col, 0, WIDTH - t.col);
		break;
	case 'H':
		assert_int_equal(t.n, 0);
		t.col = 0;
		break;
	case 'J':
		assert_int_equal(t.n, 2);
		memset(t.row, 0, sizeof(t.row));
		t.hi = 0;
		t.npast = 0;
		t.past[0] = 0;
		break;
	default:
		fail_msg("unexpected CSI final byte 0x%02x", (unsigned char)f);
	}
}

static void term_write(void *ctx, const char *s, size_t n)
{
	assert_ptr_equal(ctx, &t);
	assert_true(n > 0);
	t.bytes += n;
	for (; n; s++, n--) {
		unsigned char c = (unsigned char)*s;

		if (t.st == 1) {
			if (c != '[')
				fail_msg("unexpected ESC 0x%02x", c);
			t.st = 2;
			t.n = 0;
		} else if (t.st == 2) {
			if (c >= '0' && c <= '9') {
				t.n = t.n * 10 + (c - '0');
			} else {
				term_csi((char)c);
				t.st = 0;
			}
		} else if (c == 27) {
			t.st = 1;
		} else if (c == '\r') {
			t.col = 0;
		} else if (c == '\n') {
			term_newline();	/* a bare LF keeps the column, as on a VT100 */
		} else if (c == '\b') {
			assert_true(t.col > 0);
			t.col--;
		} else if (c == '\a') {
			t.bells++;
		} else if (c >= 0x20 && c < 0x7f) {
			assert_true(t.col < WIDTH - 1);
			t.row[t.col++] = (char)c;
			t.hi = t.col > t.hi ? t.col : t.hi;
		} else {
			fail_msg("raw byte 0x%02x written to the terminal", c);
		}
	}
}

/* ---- the editor under test ---- */

static struct le e;
static char lastline[LE_LINE_MAX];
static int nlines, ncancel;
static bool auto_start = true;

static const char *const words[] = { "cat", "cd", "chmod", "echo", "ls", "lsmod",
				     "/boot/", "/bin/", "file.txt", "bad\x1b[2Jword", NULL };

static size_t complete(void *ctx, const char *line, size_t ws, size_t cur,
		       const char **cands, size_t max)
{
	size_t n = 0;

	assert_ptr_equal(ctx, &t);
	assert_true(ws <= cur && cur <= strlen(line));
	for (const char *const *w = words; *w && n < max; w++)
		if (!strncmp(*w, line + ws, cur - ws))
			cands[n++] = *w;
	return n;
}

static struct le_io io = { .ctx = &t, .write = term_write, .complete = complete };

/* Screen = prompt + buffer, nothing after it, cursor where the buffer's is.
 * The row holds only printable bytes, so equality also proves the buffer
 * printable.  Called after every byte: plain memcmp, bounded scans. */
static void check_screen(void)
{
	assert_int_equal(t.st, 0);
	assert_true(e.len < LE_LINE_MAX && e.cur <= e.len);
	assert_int_equal(strlen(e.line), e.len);
	if (memcmp(t.row, PROMPT, PLEN) || memcmp(t.row + PLEN, e.line, e.len))
		fail_msg("screen \"%.60s\" is not prompt + \"%.60s\"", t.row, e.line);
	for (size_t i = PLEN + e.len; i < t.hi; i++)
		if (t.row[i] && t.row[i] != ' ')
			fail_msg("stale '%c' at column %zu (line is %zu long)", t.row[i], i, e.len);
	assert_int_equal(t.col, PLEN + e.cur);
}

static enum le_result feed1(unsigned char b)
{
	enum le_result r = le_feed(&e, b);

	if (r == LE_LINE) {
		nlines++;
		assert_true(strlen(le_line(&e)) < sizeof(lastline));
		strcpy(lastline, le_line(&e));
		if (auto_start)
			le_start(&e);
	} else if (r == LE_CANCEL) {
		ncancel++;
	}
	if (r != LE_LINE || auto_start)
		check_screen();
	return r;
}

/* Feed n bytes, checking the screen after each; returns the last result. */
static enum le_result feedn(const char *s, size_t n)
{
	enum le_result r = LE_MORE;

	for (size_t i = 0; i < n; i++)
		r = feed1((unsigned char)s[i]);
	return r;
}

static enum le_result feed(const char *s)
{
	return feedn(s, strlen(s));
}

static void expect(const char *line, size_t cur)
{
	assert_string_equal(e.line, line);
	assert_int_equal(e.cur, cur);
	check_screen();
}

static int setup(void **state)
{
	(void)state;
	memset(&t, 0, sizeof(t));
	nlines = ncancel = 0;
	lastline[0] = 0;
	auto_start = true;
	io.complete = complete;
	le_init(&e, &io, PROMPT);
	le_start(&e);
	check_screen();
	return 0;
}

/* ---- tests ---- */

static void test_insert_and_enter(void **state)
{
	(void)state;
	assert_int_equal(feed("hello"), LE_MORE);
	expect("hello", 5);
	assert_int_equal(feed("\r"), LE_LINE);
	assert_string_equal(lastline, "hello");
	assert_string_equal(t.past, PROMPT "hello\n");
	expect("", 0);
	/* Appending echoes just the byte: no repaint per keystroke. */
	size_t before = t.bytes;
	feed("abc");
	assert_int_equal(t.bytes - before, 3);
}

static void test_cursor_and_mid_insert(void **state)
{
	(void)state;
	feed("helo");
	feed("\x1b[D");
	expect("helo", 3);
	feed("l");
	expect("hello", 4);
	feed("\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D");	/* stops at 0 */
	expect("hello", 0);
	feed(">");
	expect(">hello", 1);
	feed("\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C");	/* stops at the end */
	expect(">hello", 6);
	feed("\x1b[1;5D");	/* Ctrl-Left: parameters do not hide the key */
	expect(">hello", 5);
}

static void test_home_end(void **state)
{
	static const char *const home[] = { "\x1b[H", "\x1b[1~", "\x1b[7~", "\x1bOH", "\x01" };
	static const char *const end[] = { "\x1b[F", "\x1b[4~", "\x1b[8~", "\x1bOF", "\x05" };

	(void)state;
	feed("abc");
	for (size_t i = 0; i < 5; i++) {
		feed(home[i]);
		expect(e.line, 0);
		feed("\x1b[C");
		feed(end[i]);
		expect(e.line, e.len);
	}
	feed("\x01X\x05Y");
	expect("XabcY", 5);
}

static void test_backspace_delete(void **state)
{
	(void)state;
	feed("abcd\x7f");
	expect("abc", 3);
	feed("\x08");
	expect("ab", 2);
	feed("\x1b[D\x7f");
	expect("b", 0);
	feed("\x7f\x08");	/* nothing left of the cursor */
	expect("b", 0);
	feed("\x1b[3~");
	expect("", 0);
	feed("xyz\x1b[D\x1b[D\x1b[3~");
	expect("xz", 1);
	feed("\x1b[C\x1b[3~");	/* nothing under the cursor */
	expect("xz", 2);
}

static void test_kill_keys(void **state)
{
	(void)state;
	feed("foo bar baz\x1b[D\x1b[D\x1b[D\x15");	/* Ctrl-U */
	expect("baz", 0);
	feed("\x05 qux\x01\x1b[C\x0b");	/* Ctrl-K */
	expect("b", 1);
	feed("\x15one two  \x17");	/* Ctrl-W takes the blanks and the word */
	expect("one ", 4);
	feed("three\x1b[D\x1b[D\x17");
	expect("one ee", 4);
	feed("\x17\x17");
	expect("ee", 0);
}

static void test_ctrl_c(void **state)
{
	(void)state;
	feed("abc\x1b[D");
	assert_int_equal(feed("\x03"), LE_CANCEL);
	assert_int_equal(ncancel, 1);
	assert_string_equal(t.past, PROMPT "abc^C\n");
	expect("", 0);
	assert_int_equal(feed("ok\r"), LE_LINE);
	assert_string_equal(lastline, "ok");
}

static void test_ctrl_l(void **state)
{
	(void)state;
	feed("first\r");
	feed("abcdef\x1b[D\x1b[D\x0c");
	assert_int_equal(t.npast, 0);	/* screen cleared */
	expect("abcdef", 4);
}

static void test_enter_pairs(void **state)
{
	(void)state;
	feed("a\r\nb\n\rc\nd\r");
	assert_int_equal(nlines, 4);
	assert_string_equal(lastline, "d");
	feed("\r\r\n\n");	/* CR, CR LF, LF: three lines, all empty */
	assert_int_equal(nlines, 7);
	assert_string_equal(lastline, "");
	feed("\r\n\r\n");
	assert_int_equal(nlines, 9);
	/* A key between CR and LF breaks the pair. */
	feed("x\r\x01\n");
	assert_int_equal(nlines, 11);
}

static void test_typeahead(void **state)
{
	(void)state;
	auto_start = false;
	assert_int_equal(feed("one\r"), LE_LINE);
	assert_string_equal(le_line(&e), "one");
	/* Bytes before le_start begin the next line with its prompt. */
	feed("tw");
	expect("tw", 2);
	assert_int_equal(feed("o\n"), LE_LINE);
	assert_string_equal(le_line(&e), "two");
	assert_int_equal(le_feed(&e, '\r'), LE_MORE);	/* the LF CR pair */
	le_start(&e);
	check_screen();
}

static void test_history(void **state)
{
	(void)state;
	feed("one\rtwo\rtwo\r\rthree\r");
	assert_int_equal(e.hist_n, 3);	/* no repeat, no empty line */
	feed("par");
	feed("\x1b[A");
	expect("three", 5);
	feed("\x1b[A\x1b[A");
	expect("one", 3);
	int bells = t.bells;
	feed("\x1b[A");	/* no older entry */
	expect("one", 3);
	assert_int_equal(t.bells, bells + 1);
	feed("\x1b[B");
	expect("two", 3);
	feed("\x1b[B\x1b[B");	/* back to the line being typed */
	expect("par", 3);
	feed("\x1b[B");
	expect("par", 3);
	assert_int_equal(t.bells, bells + 2);
	feed("\x1bOA\x7f\x7f\x7f\x7f\x7f");	/* SS3 arrows too; a long line shrinks */
	expect("", 0);
	feed("\x1b[B");
	expect("par", 3);
	feed("\x1b[A-x\r");
	assert_string_equal(lastline, "three-x");
	assert_int_equal(e.hist_n, 4);
	/* le_history: newest first, for the shell's history command. */
	assert_string_equal(le_history(&e, 1), "three-x");
	assert_string_equal(le_history(&e, 4), "one");
	assert_null(le_history(&e, 5));
	assert_null(le_history(&e, 0));
	feed("\x1b[A\x1b[A");
	expect("three", 5);
}

static void test_history_limits(void **state)
{
	char buf[4100];

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(buf, sizeof(buf), "cmd%d\r", i);
		feed(buf);
	}
	assert_int_equal(e.hist_n, LE_HISTORY);
	for (int i = 0; i < LE_HISTORY; i++)
		feed("\x1b[A");
	expect("cmd8", 4);
	feed("\x1b[A");
	expect("cmd8", 4);
	feed("\x03");
	/* Long entries: the byte budget drops the oldest ones. */
	for (int i = 0; i < 5; i++) {
		memset(buf, 'a' + i, 4000);
		buf[4000] = '\r';
		feedn(buf, 4001);
	}
	assert_int_equal(e.hist_n, LE_HIST_BYTES / 4001);
	assert_true(e.hist_used <= LE_HIST_BYTES);
	for (size_t i = 0; i < e.hist_n; i++)
		feed("\x1b[A");
	assert_int_equal(e.len, 4000);
	assert_int_equal(e.line[0], 'a' + 5 - (int)e.hist_n);
}

static void test_complete(void **state)
{
	(void)state;
	feed("ec\t");
	expect("ec" "ho ", 5);	/* unique: completed, with a space */
	feed("/bo\t");
	expect("echo /boot/", 11);	/* a directory: no space */
	feed("\x15" "ch\t");
	expect("chmod ", 6);
	feed("\x15" "l\t");
	expect("ls", 2);	/* common prefix of ls, lsmod */
	int bells = t.bells;
	feed("\t");	/* second Tab: list, redraw */
	assert_non_null(strstr(t.past, "ls  lsmod\n"));
	expect("ls", 2);
	assert_int_equal(t.bells, bells);
	feed("\x15" "c\t");	/* nothing to add: bell, no list */
	expect("c", 1);
	assert_int_equal(t.bells, bells + 1);
	t.npast = 0;
	t.past[0] = 0;
	feed("\t");
	assert_string_equal(t.past, PROMPT "c\ncat  cd  chmod\n");
	expect("c", 1);
	feed("\x15" "zz\t");	/* no candidate */
	expect("zz", 2);
	assert_int_equal(t.bells, bells + 2);
	feed("\x15" "ca foo\x01\x1b[C\x1b[C\t");	/* in the middle of the line */
	expect("cat  foo", 4);
	feed("\x05\x15" "echo x >fi\t");	/* the word starts after '>' */
	expect("echo x >file.txt ", 17);
	feed("\x15" "ba\t");	/* a candidate that would corrupt the screen */
	expect("ba", 2);
	io.complete = NULL;
	memset(&t, 0, sizeof(t));
	le_init(&e, &io, PROMPT);
	le_start(&e);
	feed("ca\t");
	expect("ca", 2);
}

static void test_control_bytes(void **state)
{
	(void)state;
	feed("ab\x1b[D");
	for (int c = 0; c < 0x20; c++) {
		if (strchr("\x01\x03\x05\x08\x09\x0a\x0b\x0c\x0d\x15\x17\x1b", c) && c)
			continue;
		char b = (char)c;

		feedn(&b, 1);
		expect("ab", 1);
	}
	assert_int_equal(nlines + ncancel, 0);
}

static void test_high_bytes(void **state)
{
	(void)state;
	feed("caf\xc3\xa9!");	/* UTF-8 e-acute: dropped, one bell */
	expect("caf!", 4);
	assert_int_equal(t.bells, 1);
	feed("\xe9\x80\xbf\xff\x9b" "A");	/* Latin-1, stray continuations, C1 CSI */
	expect("caf!A", 5);
	assert_int_equal(t.bells, 3);
	feed("\x1b[\xc3\x1b[D");	/* a high byte ends a sequence too */
	expect("caf!A", 4);
}

static void test_escape_sequences(void **state)
{
	(void)state;
	feed("abc");
	/* PgUp, F5, bracketed paste, cursor-visibility, mouse, Alt-x, F1, long params */
	feed("\x1b[5~\x1b[15~\x1b[200~\x1b[201~\x1b[?25h\x1b[<0;12;3M\x1bx\x1bOP");
	feed("\x1b[99999999999999999999999;1D\x1b[ q\x1b[2;3;4;5;6;7;8;9;10R");
	expect("abc", 2);	/* the huge CSI D still moved left */
	feed("\x1b[3;5~");	/* Ctrl-Delete: parameters ignored */
	expect("ab", 2);
	feed("\x1b\r");	/* ESC then Enter is an Enter */
	assert_int_equal(nlines, 1);
	assert_string_equal(lastline, "ab");
	feed("\x1b\x1b[D");	/* ESC ESC [ D: a second ESC restarts */
	feed("q\x1b[Dz\x1b[\x7f");	/* DEL inside a sequence: a backspace */
	expect("q", 0);
}

static void test_paste_4k(void **state)
{
	static char buf[4001];

	(void)state;
	for (int i = 0; i < 4000; i++)
		buf[i] = (char)(0x20 + (i * 7) % 95);
	buf[4000] = '\r';
	size_t before = t.bytes;
	assert_int_equal(feedn(buf, 4001), LE_LINE);
	assert_int_equal(strlen(lastline), 4000);
	assert_memory_equal(lastline, buf, 4000);
	assert_int_equal(t.bells, 0);
	/* Echo, CR LF and the next prompt: nothing repainted. */
	assert_int_equal(t.bytes - before, 4000 + 2 + PLEN);
}

static void test_too_long(void **state)
{
	static char buf[LE_LINE_MAX + 10];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	feedn(buf, LE_LINE_MAX - 1);
	assert_int_equal(t.bells, 0);
	assert_int_equal(feed("\r"), LE_LINE);	/* 4095 bytes: still a line */
	assert_int_equal(strlen(lastline), LE_LINE_MAX - 1);

	feedn(buf, sizeof(buf));
	assert_int_equal(e.len, LE_LINE_MAX - 1);
	assert_int_equal(t.bells, 11);
	feed("\x7fy");	/* edits still work, but the line was clipped */
	assert_int_equal(feed("\r"), LE_CANCEL);
	assert_int_equal(nlines, 1);
	assert_non_null(strstr(t.past, "\nline too long (max 4095 bytes)\n"));
	expect("", 0);

	/* Emptying the line forgets the clipping. */
	feedn(buf, LE_LINE_MAX);
	feed("\x15ls\r");
	assert_int_equal(nlines, 2);
	assert_string_equal(lastline, "ls");
	/* Completion that does not fit rings instead. */
	int bells = t.bells;
	feedn(buf, LE_LINE_MAX - 3);
	feed(" e\t");	/* "echo" does not fit */
	expect(e.line, LE_LINE_MAX - 1);
	assert_int_equal(e.line[LE_LINE_MAX - 2], 'e');
	feed("\x15");
	feedn(buf, LE_LINE_MAX - 7);
	feed(" lsm\t");	/* "lsmod" fits, its space does not */
	expect(e.line, LE_LINE_MAX - 1);
	assert_string_equal(e.line + LE_LINE_MAX - 6, "lsmod");
	assert_int_equal(t.bells, bells + 2);
	feed("\r");
	assert_int_equal(nlines, 3);
}

/* Seeded random streams: keys, fragments of escape sequences, junk. */
static void test_random_streams(void **state)
{
	static const char *const keys[] = {
		"\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F", "\x1b[3~",
		"\x1b[1~", "\x1b[4~", "\x1bOH", "\x1bOF", "\x1bOA", "\x01", "\x05", "\x15",
		"\x0b", "\x17", "\x7f", "\x08", "\t", "\t\t", "\r", "\n", "\r\n", "\x0c",
		"\x03", "\x1b", "\x1b[", "\x1b[1;", "\x1b[?1", "\xc3\xa9", "c", "l", "/b",
	};

	(void)state;
	for (unsigned seed = 1; seed <= 20; seed++) {
		setup(NULL);
		srand(seed);
		for (int i = 0; i < 20000; i++) {
			int r = rand() % 100;

			if (r < 60) {
				feed1((unsigned char)(0x20 + rand() % 95));
			} else if (r < 90) {
				feed(keys[rand() % (sizeof(keys) / sizeof(keys[0]))]);
			} else if (r < 99 || rand() % 4) {
				feed1((unsigned char)(rand() % 256));
			} else {
				/* now and then a paste long enough to hit the limit */
				static char paste[3000];

				memset(paste, 'a' + rand() % 26, sizeof(paste));
				feedn(paste, (size_t)rand() % sizeof(paste));
			}
			if (t.npast > sizeof(t.past) / 2) {
				t.npast = 0;
				t.past[0] = 0;
			}
		}
		assert_true(nlines > 0 && ncancel > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_insert_and_enter, setup),
		cmocka_unit_test_setup(test_cursor_and_mid_insert, setup),
		cmocka_unit_test_setup(test_home_end, setup),
		cmocka_unit_test_setup(test_backspace_delete, setup),
		cmocka_unit_test_setup(test_kill_keys, setup),
		cmocka_unit_test_setup(test_ctrl_c, setup),
		cmocka_unit_test_setup(test_ctrl_l, setup),
		cmocka_unit_test_setup(test_enter_pairs, setup),
		cmocka_unit_test_setup(test_typeahead, setup),
		cmocka_unit_test_setup(test_history, setup),
		cmocka_unit_test_setup(test_history_limits, setup),
		cmocka_unit_test_setup(test_complete, setup),
		cmocka_unit_test_setup(test_control_bytes, setup),
		cmocka_unit_test_setup(test_high_bytes, setup),
		cmocka_unit_test_setup(test_escape_sequences, setup),
		cmocka_unit_test_setup(test_paste_4k, setup),
		cmocka_unit_test_setup(test_too_long, setup),
		cmocka_unit_test_setup(test_random_streams, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
