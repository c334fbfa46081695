/*
 * krt/cmdline.h - table-driven parsing of the kernel command line
 * (tcc-runtime/krt/cmdline.c).  The tables and kr_cmdline_apply() are the
 * ABI's (karyon/cmdline.h): the core and modules share this one parser.
 */
#ifndef KARYON_KRT_CMDLINE_H
#define KARYON_KRT_CMDLINE_H

#include <stddef.h>
#include <karyon/cmdline.h>

/*
 * Apply the command line s (NULL counts as empty) to opts: what
 * kr_cmdline_apply() does with the kernel's command line, for any string.
 */
int cmdline_apply(const char *s, const char *prefix, const struct kr_cmdline_opt *opts,
		  size_t nopts, kr_print_fn warn, void *ctx);

#endif
