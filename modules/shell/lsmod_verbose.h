/* lsmod_verbose.h - `lsmod -v` (lsmod_verbose.c). */
#ifndef SHELL_LSMOD_VERBOSE_H
#define SHELL_LSMOD_VERBOSE_H

/* Print each module's name and the addresses of its text, rodata and data
 * regions (built-in modules: a note); 0, like a command.  Needs kmod. */
int lsmod_verbose(void);

#endif
