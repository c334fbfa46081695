/*
 * console.h - the operator's console (COM1) and running in idle time.
 *
 * Output is open to every module and is the core's (it must print even in
 * a panic).  Input is not the core's: the console module (modules/console),
 * a driver holding IRQ 4 and COM1's ports, offers it as the service
 * "console.input" (ABI 1.4; a loaded module uses that) and exports
 * kr_console_claim, kr_console_read and kr_console_notify (a module calling
 * those names "console" in its .deps and, as kmod does not resolve against
 * a built-in module's exports, is built in with it).  Input goes to one domain at a time,
 * the one that claimed it; the claim ends with that domain.  Bytes typed
 * before anyone reads them wait in an 8 KiB ring.
 *
 * A module that must do work outside interrupt handlers spawns a task
 * (sched.h).  Idle hooks, the way before ABI 1.2, still work: the sched
 * module calls them in its idle loop, interrupts on, each time the CPU wakes
 * up (every timer tick or interrupt), before it runs tasks; KR_ENOENT
 * without the sched module.  Hooks go with their domain.
 */
#ifndef KARYON_CONSOLE_H
#define KARYON_CONSOLE_H

#include <karyon/cap.h>
#include <karyon/service.h>

KR_API(1, 0) void kr_console_write(const char *s, size_t n);

/* ABI 1.4: the same as the service "console.input" (modules/console), so
 * a loaded module reaches it without linking against the built-in: */
#define KR_CONSOLE_INPUT_SERVICE "console.input"
#define KR_CONSOLE_INPUT_VERSION 1
struct kr_console_input_ops {
	struct kr_ops_header hdr;       /* version KR_CONSOLE_INPUT_VERSION */
	kr_err_t (*claim)(kr_domain_t *d);
	size_t (*read)(kr_domain_t *d, char *buf, size_t n, kr_err_t *err);
	kr_err_t (*notify)(kr_domain_t *d, void (*fn)(void *ctx), void *ctx);
	/* The claim goes from the domain holding it to another (a module
	 * replaced live hands its console to its new version); the notify
	 * function is dropped.  KR_EPERM unless from holds it. */
	kr_err_t (*pass)(kr_domain_t *from, kr_domain_t *to);
};
KR_ABI_OFFSET(struct kr_console_input_ops, claim, 16);
KR_ABI_SIZE(struct kr_console_input_ops, 48);

/* Exported by the console module, not the core.  Claim: KR_EBUSY if
 * another domain holds the console. */
kr_err_t kr_console_claim(kr_domain_t *d);
/* Up to n bytes typed so far (0 if none; never waits); a return of 0 with
 * *err KR_EPERM when d has not claimed it. */
size_t kr_console_read(kr_domain_t *d, char *buf, size_t n, kr_err_t *err);
/* fn(ctx) runs in the interrupt handler (it must not block: a scheduler's
 * wake) whenever bytes arrive, so the claimer can sleep between them;
 * NULL stops it.  KR_EPERM unless d holds the claim.  (console 1.1) */
kr_err_t kr_console_notify(kr_domain_t *d, void (*fn)(void *ctx), void *ctx);

typedef void (*kr_idle_fn)(void *ctx);
/* KR_ENOSPC when all 8 hook slots are taken. (Library code since 1.2.) */
KR_API(1, 0) kr_err_t kr_idle_hook(kr_domain_t *d, kr_idle_fn fn, void *ctx);

/* Microseconds since kernel entry (TSC). */
KR_API(1, 0) uint64_t kr_uptime_us(void);
/* Kernel log bytes from position *pos on (0: the oldest kept); advances
 * *pos; returns bytes copied, 0 at the end.  Each line starts with its time
 * (KR_LOG_STAMP, <karyon/log.h>); after the ring wrapped, the first line
 * may come without its start.  c: d's KR_SYS_KLOG capability
 * (a module asks for it with KR_NEED_SYSTEM(KR_SYS_KLOG)); *err says why
 * nothing came (KR_OK at the end of the log). */
KR_API(1, 0) size_t kr_log_read(kr_domain_t *d, kr_cap_t c, uint64_t *pos, char *buf, size_t n,
				kr_err_t *err);
/* Leave: QEMU's isa-debug-exit (status 33) or the PC's reset line.  c: d's
 * KR_SYS_POWER capability; without it they return the error instead. */
KR_API(1, 0) kr_err_t kr_poweroff(kr_domain_t *d, kr_cap_t c);
KR_API(1, 0) kr_err_t kr_reboot(kr_domain_t *d, kr_cap_t c);

#endif
