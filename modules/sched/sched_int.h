/*
 * sched_int.h - what sched.c and cmds.c share inside the sched module.
 */
#ifndef SCHED_INT_H
#define SCHED_INT_H

#include <karyon/sched.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>

#include "work.h"

#define SCHED_CONF     "/etc/karyon.conf"
#define SCHED_METRICS  "/proc/metrics"

extern struct work_table sched_works;
extern bool sched_works_changed;        /* set after a submission or a cancel */
extern const struct kr_shell_ops *sched_shell;
extern const struct kr_vfs_ops *sched_vfs;

kr_domain_t *sched_self(void);
kr_err_t sched_task_info(uint32_t index, struct kr_task_info *out);
uint64_t sched_vclock(void);
kr_err_t sched_wait_tick(void);         /* from the shell's task: sleep one tick */
kr_err_t sched_check_runnable(const char *name, char *why, size_t why_size);
void sched_set_foreground(uint32_t n);
uint32_t sched_foreground_limit(void);

/* cmds.c */
void sched_start_up(void);              /* on_idle's first call: commands, config */
void sched_write_metrics(void);
kr_err_t sched_reload(char *msg, size_t size);

#endif
