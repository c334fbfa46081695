/*
 * console.h - idle hooks (console.c).
 */
#ifndef KARYON_KERNEL_CONSOLE_H
#define KARYON_KERNEL_CONSOLE_H

struct kr_domain;

void idle_forget(struct kr_domain *d);          /* d is going: drop its hooks */
void idle_run(void);                            /* from the idle loop */

#endif
