/*
 * lines.h - a handler's line table: which source line each code offset
 * came from, read from the stabs TinyCC writes (lines.c).  The run
 * command's reports say `file:line` with it.
 *
 * Pure code with no kernel dependencies, on an object that came from the
 * compiler but is still checked like untrusted input: every offset and
 * index is bounds-checked and a malformed table just yields no lines
 * (tests/unit/test_lines.c).
 */
#ifndef KARYON_TCC_LINES_H
#define KARYON_TCC_LINES_H

#include <stddef.h>
#include <stdint.h>

#define LINES_MAX       4096    /* rows kept; later ones are dropped */
#define LINES_FILE_MAX  48      /* a file name, cut to fit */
#define LINES_FILES     8

struct line_row {
	uint32_t off;           /* offset in the object's .text */
	uint32_t line;
	uint8_t file;           /* index into files */
};

struct line_table {
	uint32_t nrows, nfiles, cur;    /* cur: the file rows are in now */
	char files[LINES_FILES][LINES_FILE_MAX];
	struct line_row rows[];         /* LINES_MAX of them while reading */
};
#define LINES_SIZE(n) (sizeof(struct line_table) + (size_t)(n) * sizeof(struct line_row))

/* Fill t (LINES_SIZE(LINES_MAX) bytes) from the ELF object obj[0..len):
 * 0 rows when it has no stabs. */
void lines_read(const void *obj, size_t len, struct line_table *t);
/* The row for .text offset off (the last one at or before it), or NULL. */
const struct line_row *lines_find(const struct line_table *t, uint32_t off);

#endif
