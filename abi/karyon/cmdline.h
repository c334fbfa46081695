/*
 * cmdline.h - options on the kernel command line, by table.
 *
 * The line is "key=value" tokens and bare "key" flags, separated by blanks;
 * a value may be "double quoted" to hold blanks.  A module's options are
 * named "module.key" (shell.script=/etc/rc2): it describes them in a table
 * of struct kr_cmdline_opt and calls kr_cmdline_apply("shell", ...), which
 * stores what it finds in the table's destinations.  Every bad option is
 * one line to warn (the core's own messages: "cmdline: option 'shell.x'
 * ...; ignored") and is skipped, because a typo on the command line must
 * never stop the boot.  The core parses its own options with the same
 * code (prefix NULL: the keys without a dot).
 */
#ifndef KARYON_CMDLINE_H
#define KARYON_CMDLINE_H

#include <karyon/abi.h>
#include <karyon/cap.h>		/* kr_print_fn */
#include <karyon/err.h>

#define KR_CMDLINE_OPT_MAGIC 0x4b4f5054u	/* "KOPT" */
#define KR_CMDLINE_OPT_VERSION 1u

enum kr_cmdline_type {
	KR_CMDLINE_FLAG,	/* bare "key": dst is a bool, set to true */
	KR_CMDLINE_UINT,	/* decimal or 0x hex in [min, max]: dst is a uint64_t */
	KR_CMDLINE_STR,		/* dst is a char[dst_size], NUL included */
	KR_CMDLINE_ENUM,	/* one of choices (NULL-terminated): dst is an unsigned int, the index */
};

/* Start every option's initializer with this: { KR_CMDLINE_OPT_INIT, .key = ... }. */
#define KR_CMDLINE_OPT_INIT .magic = KR_CMDLINE_OPT_MAGIC, .version = KR_CMDLINE_OPT_VERSION

struct kr_cmdline_opt {
	uint32_t magic;			/* KR_CMDLINE_OPT_MAGIC */
	uint32_t version;		/* KR_CMDLINE_OPT_VERSION */
	const char *key;		/* without the "prefix." */
	uint32_t type;			/* enum kr_cmdline_type */
	uint32_t reserved;		/* 0 */
	const char *help;
	void *dst;
	uint64_t dst_size;		/* STR: buffer size, NUL included */
	uint64_t min, max;		/* UINT: accepted range, inclusive */
	const char *const *choices;	/* ENUM: NULL-terminated names */
};
KR_ABI_SIZE(struct kr_cmdline_opt, 72);
KR_ABI_OFFSET(struct kr_cmdline_opt, magic, 0);
KR_ABI_OFFSET(struct kr_cmdline_opt, version, 4);
KR_ABI_OFFSET(struct kr_cmdline_opt, key, 8);
KR_ABI_OFFSET(struct kr_cmdline_opt, type, 16);
KR_ABI_OFFSET(struct kr_cmdline_opt, help, 24);
KR_ABI_OFFSET(struct kr_cmdline_opt, dst, 32);
KR_ABI_OFFSET(struct kr_cmdline_opt, dst_size, 40);
KR_ABI_OFFSET(struct kr_cmdline_opt, min, 48);
KR_ABI_OFFSET(struct kr_cmdline_opt, max, 56);
KR_ABI_OFFSET(struct kr_cmdline_opt, choices, 64);

/*
 * Apply the kernel command line's "prefix.key[=value]" options to opts (a
 * key given twice: the last one wins); prefix NULL or "" takes the keys
 * without a dot.  Tokens with another prefix are left alone.  warn (may be
 * NULL) gets one line per bad option.  Returns the number of bad options,
 * or KR_EINVAL, having changed nothing, if an entry of opts is malformed
 * (magic, version, type, a missing destination or choice list).
 */
KR_API(1, 0) int kr_cmdline_apply(const char *prefix, const struct kr_cmdline_opt *opts,
				  size_t n, kr_print_fn warn, void *ctx);

#endif
