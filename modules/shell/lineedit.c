/*
 * lineedit.c - a line editor for a serial terminal, fed one byte at a time.
 *
 * Bytes go through a small escape-sequence parser (ESC, ESC [ params final,
 * ESC O final) that turns them into keys; each key edits the buffer and
 * repaints only what changed: an insertion rewrites the tail from the
 * cursor, a deletion rewrites the tail and erases the rest of the row
 * (CSI K), and the cursor is put back with relative moves (CSI n D/C), so
 * the editor needs no idea of absolute columns.  History recall, Ctrl-L and
 * a completion listing repaint the whole row (\r, prompt, line).  Output is
 * batched in e->out and handed to io->write once per input byte.
 *
 * Choices:
 * - Only printable ASCII enters the line.  Bytes >= 0x80 are dropped (the
 *   cursor arithmetic counts one column per byte, which UTF-8 would break):
 *   each dropped character rings the bell once, i.e. every byte but UTF-8
 *   continuation bytes (0x80-0xbf).  Other control bytes are ignored; no
 *   raw control byte is ever echoed.
 * - A line holds at most LE_LINE_MAX - 1 bytes.  Input beyond that is
 *   refused with a bell and marks the line as truncated; Enter on it then
 *   delivers nothing, prints "line too long (max 4095 bytes)" and a new
 *   prompt (LE_CANCEL), so a clipped paste never runs.  Emptying the line
 *   clears the mark.
 * - Unknown or malformed escape sequences are swallowed; a control byte
 *   inside one ends it and then counts as itself (so ESC then Enter is
 *   still an Enter).
 */
#include <karyon/libc.h>
#include "lineedit.h"

enum {
	CTRL_A = 1, CTRL_C = 3, CTRL_E = 5, BS = 8, TAB = 9, LF = 10, CTRL_K = 11,
	CTRL_L = 12, CR = 13, CTRL_U = 21, CTRL_W = 23, ESC = 27, DEL = 127,
	/* Keys from escape sequences, above any byte value. */
	K_NONE = 256, K_UP, K_DOWN, K_LEFT, K_RIGHT, K_HOME, K_END, K_DELETE,
};

/* ---- output ---- */

static void flush(struct le *e)
{
	if (e->nout)
		e->io.write(e->io.ctx, e->out, e->nout);
	e->nout = 0;
}

static void emit(struct le *e, const char *s, size_t n)
{
	for (; n; n--) {
		if (e->nout == sizeof(e->out))
			flush(e);
		e->out[e->nout++] = *s++;
	}
}

static void emits(struct le *e, const char *s)
{
	emit(e, s, strlen(s));
}

/* Move the terminal cursor from line offset `from` to `to`.  "CSI 0 D"
 * means one column, so a zero move must send nothing. */
static void move(struct le *e, size_t from, size_t to)
{
	char seq[32];

	if (from == to)
		return;
	if (from == to + 1) {
		emits(e, "\b");
		return;
	}
	ksnprintf(seq, sizeof(seq), "\x1b[%zu%c", from > to ? from - to : to - from,
		  from > to ? 'D' : 'C');
	emits(e, seq);
}

static void move_cur(struct le *e, size_t to)
{
	move(e, e->cur, to);
	e->cur = to;
}

/* The terminal cursor is at offset `from`: rewrite the line from there,
 * erase what an older, longer line left, and put the cursor back. */
static void repaint_from(struct le *e, size_t from)
{
	emit(e, e->line + from, e->len - from);
	emits(e, "\x1b[K");
	move(e, e->len, e->cur);
}

static void refresh(struct le *e)
{
	emits(e, "\r");
	emit(e, e->prompt, e->plen);
	repaint_from(e, 0);
}

/* ---- editing ---- */

static bool insert(struct le *e, const char *s, size_t n)
{
	if (n > LE_LINE_MAX - 1 - e->len) {
		emits(e, "\a");
		return false;
	}
	memmove(e->line + e->cur + n, e->line + e->cur, e->len - e->cur + 1);
	memcpy(e->line + e->cur, s, n);
	e->len += n;
	/* The line only grew, so rewriting the tail covers all that was there. */
	emit(e, e->line + e->cur, e->len - e->cur);
	e->cur += n;
	move(e, e->len, e->cur);
	return true;
}

/* Delete line[a..b) and leave the cursor at a. */
static void erase(struct le *e, size_t a, size_t b)
{
	if (a == b)
		return;
	move_cur(e, a);
	memmove(e->line + a, e->line + b, e->len - b + 1);
	e->len -= b - a;
	if (!e->len)
		e->overflow = false;
	repaint_from(e, a);
}

static void set_line(struct le *e, const char *s)
{
	e->len = e->cur = strlen(s);
	memmove(e->line, s, e->len + 1);
	refresh(e);
}

/* ---- history ---- */

/* The k-th newest entry, 1 <= k <= hist_n. */
static const char *hist_get(const struct le *e, size_t k)
{
	const char *p = e->hist;

	for (size_t i = e->hist_n - k; i; i--)
		p += strlen(p) + 1;
	return p;
}

const char *le_history(const struct le *e, size_t k)
{
	return k >= 1 && k <= e->hist_n ? hist_get(e, k) : NULL;
}

static void hist_add(struct le *e)
{
	size_t n = e->len + 1;

	if (!e->len || (e->hist_n && !strcmp(hist_get(e, 1), e->line)))
		return;
	/* Drop the oldest entries until there is room; n <= sizeof(hist). */
	while (e->hist_n == LE_HISTORY || e->hist_used + n > sizeof(e->hist)) {
		size_t first = strlen(e->hist) + 1;

		memmove(e->hist, e->hist + first, e->hist_used - first);
		e->hist_used -= first;
		e->hist_n--;
	}
	memcpy(e->hist + e->hist_used, e->line, n);
	e->hist_used += n;
	e->hist_n++;
}

static void hist_move(struct le *e, bool up)
{
	if (up ? e->hist_pos == e->hist_n : !e->hist_pos) {
		emits(e, "\a");
		return;
	}
	if (up && !e->hist_pos)
		memcpy(e->saved, e->line, e->len + 1);
	if (up)
		e->hist_pos++;
	else
		e->hist_pos--;
	set_line(e, e->hist_pos ? hist_get(e, e->hist_pos) : e->saved);
}

/* ---- completion ---- */

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

static void list(struct le *e, const char **c, size_t n)
{
	size_t col = 0;

	emits(e, "\r\n");
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(c[i]);

		if (col && col + 2 + l > 78) {
			emits(e, "\r\n");
			col = 0;
		} else if (col) {
			emits(e, "  ");
			col += 2;
		}
		emit(e, c[i], l);
		col += l;
	}
	emits(e, "\r\n");
	refresh(e);
}

/* `again`: the previous key was Tab too, so a second ambiguous Tab lists. */
static void complete(struct le *e, bool again)
{
	const char *c[LE_COMPLETE_MAX];
	size_t ws = e->cur, wl, n = 0, k = 0, common;

	e->last_tab = true;
	while (ws && e->line[ws - 1] != ' ' && e->line[ws - 1] != '>')
		ws--;
	wl = e->cur - ws;
	if (e->io.complete)
		n = e->io.complete(e->io.ctx, e->line, ws, e->cur, c, LE_COMPLETE_MAX);
	/* Keep candidates that extend the word and are safe to echo. */
	for (size_t i = 0; i < n && i < LE_COMPLETE_MAX; i++)
		if (c[i] && c[i][0] && !strncmp(c[i], e->line + ws, wl) && printable(c[i]))
			c[k++] = c[i];
	if (!k) {
		emits(e, "\a");
		return;
	}
	common = strlen(c[0]);
	for (size_t i = 1; i < k; i++) {
		size_t j = 0;

		while (j < common && c[i][j] == c[0][j])
			j++;
		common = j;
	}
	if (k == 1) {
		/* A directory goes on being typed; anything else is a whole word. */
		if (insert(e, c[0] + wl, common - wl) && c[0][common - 1] != '/')
			insert(e, " ", 1);
	} else if (common > wl) {
		insert(e, c[0] + wl, common - wl);
	} else if (again) {
		list(e, c, k);
	} else {
		emits(e, "\a");
	}
}

/* ---- keys ---- */

static enum le_result enter(struct le *e, unsigned char b)
{
	char msg[64];

	emits(e, "\r\n");
	e->nl = b;
	if (e->overflow) {
		ksnprintf(msg, sizeof(msg), "line too long (max %d bytes)\r\n", LE_LINE_MAX - 1);
		emits(e, msg);
		le_start(e);
		return LE_CANCEL;
	}
	hist_add(e);
	e->hist_pos = 0;
	e->done = true;
	return LE_LINE;
}

static enum le_result key(struct le *e, int k)
{
	bool tab = e->last_tab;
	char ch = (char)k;

	e->last_tab = false;
	if (k >= 0x20 && k < 0x7f) {
		if (!insert(e, &ch, 1))
			e->overflow = true;
		return LE_MORE;
	}
	switch (k) {
	case CTRL_A: case K_HOME: move_cur(e, 0); break;
	case CTRL_E: case K_END: move_cur(e, e->len); break;
	case K_LEFT: if (e->cur) move_cur(e, e->cur - 1); break;
	case K_RIGHT: if (e->cur < e->len) move_cur(e, e->cur + 1); break;
	case BS: case DEL: if (e->cur) erase(e, e->cur - 1, e->cur); break;
	case K_DELETE: if (e->cur < e->len) erase(e, e->cur, e->cur + 1); break;
	case CTRL_U: erase(e, 0, e->cur); break;
	case CTRL_K: erase(e, e->cur, e->len); break;
	case CTRL_W: {
		size_t a = e->cur;

		while (a && e->line[a - 1] == ' ')
			a--;
		while (a && e->line[a - 1] != ' ')
			a--;
		erase(e, a, e->cur);
		break;
	}
	case CTRL_L: emits(e, "\x1b[H\x1b[2J"); refresh(e); break;
	case TAB: complete(e, tab); break;
	case K_UP: case K_DOWN: hist_move(e, k == K_UP); break;
	case CTRL_C:
		move_cur(e, e->len);	/* "^C" after the whole line, as typed */
		emits(e, "^C\r\n");
		le_start(e);
		return LE_CANCEL;
	case CR: case LF:
		return enter(e, (unsigned char)k);
	default:
		if (k >= 0xc0 && k <= 0xff)	/* lead byte of a dropped character */
			emits(e, "\a");
		break;
	}
	return LE_MORE;
}

/* The key named by the final byte of ESC [ ... or ESC O ... */
static int esc_key(unsigned char f, unsigned param)
{
	switch (f) {
	case 'A': return K_UP;
	case 'B': return K_DOWN;
	case 'C': return K_RIGHT;
	case 'D': return K_LEFT;
	case 'H': return K_HOME;
	case 'F': return K_END;
	case '~':
		return param == 1 || param == 7 ? K_HOME : param == 4 || param == 8 ? K_END :
		       param == 3 ? K_DELETE : K_NONE;
	}
	return K_NONE;
}

static enum le_result parse(struct le *e, unsigned char b)
{
	switch (e->st) {
	case LE_ST_TEXT:
		break;
	case LE_ST_ESC:
		e->st = LE_ST_TEXT;
		if (b == '[' || b == 'O') {
			e->st = b == '[' ? LE_ST_CSI : LE_ST_SS3;
			e->param = 0;
			e->param_end = e->private_csi = false;
			return LE_MORE;
		}
		if (b >= 0x20 && b < 0x7f)	/* Alt-key: unknown */
			return LE_MORE;
		break;
	case LE_ST_CSI:
		if (b >= '0' && b <= '9') {
			/* Only the first parameter matters; cap it against overflow. */
			if (!e->param_end && e->param < 10000)
				e->param = e->param * 10 + (b - '0');
			return LE_MORE;
		}
		if (b == ';' || b == ':') {
			e->param_end = true;
			return LE_MORE;
		}
		if (b >= 0x3c && b <= 0x3f) {	/* private: "ESC [ ? ..." is no key */
			e->private_csi = true;
			return LE_MORE;
		}
		if (b >= 0x20 && b <= 0x2f)	/* intermediate bytes */
			return LE_MORE;
		e->st = LE_ST_TEXT;
		if (b >= 0x40 && b <= 0x7e)
			return key(e, e->private_csi ? K_NONE : esc_key(b, e->param));
		break;
	case LE_ST_SS3:
		e->st = LE_ST_TEXT;
		if (b >= 0x20 && b <= 0x7e)
			return key(e, esc_key(b, 0));
		break;
	}
	if (b == ESC) {
		e->st = LE_ST_ESC;
		return LE_MORE;
	}
	return key(e, b);
}

/* ---- API ---- */

void le_init(struct le *e, const struct le_io *io, const char *prompt)
{
	memset(e, 0, sizeof(*e));
	e->io = *io;
	e->plen = strnlen(prompt, sizeof(e->prompt) - 1);
	memcpy(e->prompt, prompt, e->plen);
}

void le_start(struct le *e)
{
	e->len = e->cur = 0;
	e->line[0] = '\0';
	e->overflow = e->done = e->last_tab = false;
	e->hist_pos = 0;
	emit(e, e->prompt, e->plen);
	flush(e);
}

enum le_result le_feed(struct le *e, unsigned char byte)
{
	enum le_result r;

	/* The second half of a CR LF or LF CR pair ends no second line. */
	if (e->nl && (byte == CR || byte == LF) && byte != e->nl) {
		e->nl = 0;
		return LE_MORE;
	}
	e->nl = 0;
	if (e->done)	/* typed ahead of le_start: begin the next line */
		le_start(e);
	r = parse(e, byte);
	flush(e);
	return r;
}

const char *le_line(const struct le *e)
{
	return e->line;
}
