/*
 * console.c - console output, uptime, the log, power.
 *
 * Output is the core's own (it must work in a panic); input is a driver's,
 * the console module (modules/console), which holds COM1's IRQ line.
 * Running outside interrupt handlers is the scheduler's (modules/sched): it
 * binds KR_IRQ_IDLE, which kmain's idle loop calls after each wake-up.
 */
#include <karyon/console.h>

#include "arch/x86_64/serial.h"
#include "cap/domain.h"
#include "arch/x86_64/x86.h"
#include "kernel/klog.h"
#include "kernel/panic.h"
#include "kernel/time.h"

void kr_console_write(const char *s, size_t n)
{
	if (s)
		serial_write(s, n);
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
