/*
 * krt/cmdline.h - table-driven parsing of the kernel command line
 * (tcc-runtime/cmdline.c): library code, used by the core and usable by
 * modules for their own options.
 *
 * The line is "key=value" tokens and bare "key" flags, separated by blanks;
 * a value may be "double quoted" to hold blanks.  Each subsystem describes
 * its options in a table; cmdline_apply() stores what it finds in the table's
 * destinations and reports every bad token through a callback, skipping it,
 * because a typo on the command line must never stop the boot.
 */
#ifndef KARYON_CMDLINE_H
#define KARYON_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

enum cmdline_type { CMDLINE_FLAG, CMDLINE_UINT, CMDLINE_STR, CMDLINE_ENUM };

struct cmdline_opt {
	const char *key;
	enum cmdline_type type;
	const char *help;
	void *dst;			/* bool*, uint64_t*, char[dst_size], or unsigned* (enum index) */
	size_t dst_size;		/* STR: buffer size, NUL included */
	uint64_t min, max;		/* UINT: accepted range, inclusive */
	const char *const *choices;	/* ENUM: NULL-terminated names; stores the index */
};

/* msg is one complete line of text, without a newline. */
typedef void (*cmdline_warn_fn)(void *ctx, const char *msg);

/*
 * Apply the command line s (NULL counts as empty) to opts; a key given twice:
 * the last one wins.  warn may be NULL.  Returns the number of problems.
 */
int cmdline_apply(const char *s, const struct cmdline_opt *opts, size_t nopts,
		  cmdline_warn_fn warn, void *ctx);

#endif
