/*
 * lineedit.h - a line editor for a serial terminal (VT100/xterm), fed one
 * input byte at a time.
 *
 * The caller owns a struct le (no allocation: every buffer is inside it),
 * gives it a write callback for terminal output and, optionally, a
 * completion callback, and feeds it the bytes that arrive from the UART:
 *
 *	le_init(&e, &io, "karyon> ");
 *	le_start(&e);
 *	for (;;)
 *		if (le_feed(&e, uart_getc()) == LE_LINE) {
 *			run(le_line(&e));
 *			le_start(&e);
 *		}
 *
 * Ctrl-C and a refused over-long line return LE_CANCEL and print the next
 * prompt themselves.  The editor assumes the prompt and line fit on one
 * terminal row: it never learns the terminal's width, so editing inside a
 * line that has wrapped shows wrong (the buffer stays right).
 */
#ifndef SHELL_LINEEDIT_H
#define SHELL_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LE_LINE_MAX     4096	/* buffer size: lines hold at most 4095 bytes */
#define LE_HISTORY      32	/* history entries kept ... */
#define LE_HIST_BYTES   16384	/* ... in this many bytes (oldest dropped first) */
#define LE_PROMPT_MAX   64
#define LE_COMPLETE_MAX 64	/* candidates asked of io->complete */
#define LE_OUT_MAX      256	/* output is batched, then handed to io->write */

struct le_io {
	void *ctx;
	/* Terminal output; never called with a raw control byte except
	 * \r \n \b \a and ESC sequences. */
	void (*write)(void *ctx, const char *s, size_t n);
	/* Tab completion (may be NULL).  The word being completed is
	 * line[word_start..cursor); store up to max candidates (whole words
	 * that start with it, e.g. "cat" for "ca", "/boot/" for "/bo") and
	 * return how many.  The strings must live until the call returns. */
	size_t (*complete)(void *ctx, const char *line, size_t word_start, size_t cursor,
			   const char **cands, size_t max);
};

enum le_result { LE_MORE, LE_LINE, LE_CANCEL };

struct le {
	struct le_io io;
	char prompt[LE_PROMPT_MAX];
	size_t plen;
	char line[LE_LINE_MAX];		/* always NUL-terminated */
	size_t len, cur;		/* bytes in line, cursor offset in it */
	bool overflow;			/* input was refused: Enter drops the line */
	bool done;			/* LE_LINE returned, le_start not yet called */
	bool last_tab;			/* the previous key was Tab: a second lists */
	unsigned char nl;		/* '\r' or '\n' that ended the last line, so
					 * the other half of a CR LF pair is dropped */
	/* Escape sequence parser: ESC, ESC [ params final, ESC O final. */
	enum { LE_ST_TEXT, LE_ST_ESC, LE_ST_CSI, LE_ST_SS3 } st;
	unsigned param;			/* first CSI parameter (0 if absent) */
	bool param_end, private_csi;	/* past the first parameter; "<=>?" seen */
	/* History: NUL-terminated entries packed oldest first. */
	char hist[LE_HIST_BYTES];
	size_t hist_used, hist_n;
	size_t hist_pos;		/* 0: the line being edited; k: k-th newest */
	char saved[LE_LINE_MAX];	/* the line being edited while browsing */
	char out[LE_OUT_MAX];
	size_t nout;
};

void le_init(struct le *e, const struct le_io *io, const char *prompt);
/* Print the prompt and start an empty line. */
void le_start(struct le *e);
/* Process one input byte. */
enum le_result le_feed(struct le *e, unsigned char byte);
/* The line after LE_LINE, valid until le_start or the next le_feed. */
const char *le_line(const struct le *e);
/* The k-th newest line of the history (1: the last line entered), NULL
 * past the oldest; valid until the next le_feed. */
const char *le_history(const struct le *e, size_t k);

#endif
