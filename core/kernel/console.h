/*
 * console.h - console input, console ownership and idle hooks (console.c).
 */
#ifndef KARYON_KERNEL_CONSOLE_H
#define KARYON_KERNEL_CONSOLE_H

struct kr_domain;

void console_init(void);                        /* after domain_boot */
void console_forget(struct kr_domain *d);       /* d is going: drop its claim, hooks */
void idle_run(void);                            /* from the idle loop */

#endif
