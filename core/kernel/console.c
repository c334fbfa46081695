/*
 * console.c - console output, idle hooks, uptime, the log, power.
 *
 * Output is the core's own (it must work in a panic); input is a driver's,
 * the console module (modules/console), which holds COM1's IRQ line.
 * Idle hooks are the one way, until a scheduler exists, for modules to run
 * outside interrupt handlers: kmain's idle loop calls them after each wake.
 */
#include <karyon/console.h>

#include "arch/x86_64/serial.h"
#include "cap/domain.h"
#include "kernel/console.h"
#include "arch/x86_64/x86.h"
#include "kernel/klog.h"
#include "kernel/panic.h"
#include "kernel/time.h"

#define MAX_HOOKS 8

static struct { struct kr_domain *d; kr_idle_fn fn; void *ctx; } hooks[MAX_HOOKS];

void kr_console_write(const char *s, size_t n)
{
	if (s)
		serial_write(s, n);
}

kr_err_t kr_idle_hook(kr_domain_t *d, kr_idle_fn fn, void *ctx)
{
	if (!domain_ok(d) || !fn)
		return KR_EINVAL;
	for (int i = 0; i < MAX_HOOKS; i++)
		if (!hooks[i].fn) {
			hooks[i].d = d;
			hooks[i].ctx = ctx;
			hooks[i].fn = fn;
			return KR_OK;
		}
	return KR_ENOSPC;
}

void idle_forget(struct kr_domain *d)
{
	for (int i = 0; i < MAX_HOOKS; i++)
		if (hooks[i].d == d)
			hooks[i].fn = NULL;
}

void idle_run(void)
{
	for (int i = 0; i < MAX_HOOKS; i++)
		if (hooks[i].fn)
			hooks[i].fn(hooks[i].ctx);
}

uint64_t kr_uptime_us(void)
{
	return time_tsc_to_us(time_tsc_since_entry());
}

size_t kr_log_read(kr_domain_t *d, kr_cap_t c, uint64_t *pos, char *buf, size_t n,
		   kr_err_t *err)
{
	kr_err_t e = pos && buf ? sys_check(d, c, KR_SYS_KLOG) : KR_EINVAL;

	if (err)
		*err = e;
	return e ? 0 : klog_read(pos, buf, n);
}

kr_err_t kr_poweroff(kr_domain_t *d, kr_cap_t c)
{
	kr_err_t err = sys_check(d, c, KR_SYS_POWER);

	if (err)
		return err;
	kprintf("karyon: power off\n");
	platform_exit(KR_EXIT_OK);      /* QEMU; real hardware halts (ACPI: later) */
}

kr_err_t kr_reboot(kr_domain_t *d, kr_cap_t c)
{
	kr_err_t err = sys_check(d, c, KR_SYS_POWER);

	if (err)
		return err;
	kprintf("karyon: reboot\n");
	outb(0x64, 0xfe);               /* 8042 controller: pulse the reset line */
	halt_forever();
}
