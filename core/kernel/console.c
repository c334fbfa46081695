/*
 * console.c - console input and idle hooks.
 *
 * COM1's receive interrupt is bound by the kernel domain through its own
 * IRQ 4 capability, like any other holder would bind a line; the handler
 * drains the UART into a ring that the domain holding the console reads.
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

#define RX_RING   8192          /* power of two: indices wrap by masking */
#define MAX_HOOKS 8

static char rx[RX_RING];
static volatile uint32_t rx_head, rx_tail;     /* head: IRQ side only */
static struct kr_domain *owner;
static struct { struct kr_domain *d; kr_idle_fn fn; void *ctx; } hooks[MAX_HOOKS];

static void on_rx(void *ctx, unsigned line)
{
	int c;

	(void)ctx;
	(void)line;
	while ((c = serial_getc()) >= 0) {
		if (rx_head - rx_tail < RX_RING)        /* full: keep what came first */
			rx[rx_head++ & (RX_RING - 1)] = (char)c;
	}
}

/* The kernel holds COM1's line the way a driver module would, through a
 * capability derived from the root, so the line shows as held by it. */
void console_init(void)
{
	kr_cap_t c;
	kr_err_t err = kr_cap_derive(&kernel_domain, irq_kernel_cap(4), &kernel_domain,
				     KR_RIGHT_READ | KR_RIGHT_BIND, &c);

	if (!err)
		err = kr_irq_bind(&kernel_domain, c, on_rx, NULL);

	if (err)
		pr_warn("console: no input (IRQ 4: %s)\n", kr_strerror(err));
	else
		serial_rx_enable();
}

void kr_console_write(const char *s, size_t n)
{
	if (s)
		serial_write(s, n);
}

kr_err_t kr_console_claim(kr_domain_t *d)
{
	if (!domain_ok(d))
		return KR_EINVAL;
	if (owner && owner != d)
		return KR_EBUSY;
	owner = d;
	return KR_OK;
}

size_t kr_console_read(kr_domain_t *d, char *buf, size_t n, kr_err_t *err)
{
	size_t got = 0;
	kr_err_t e = !domain_ok(d) || !buf ? KR_EINVAL : d != owner ? KR_EPERM : KR_OK;

	if (err)
		*err = e;
	while (!e && got < n && rx_tail != rx_head)
		buf[got++] = rx[rx_tail++ & (RX_RING - 1)];
	return got;
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

void console_forget(struct kr_domain *d)
{
	for (int i = 0; i < MAX_HOOKS; i++)
		if (hooks[i].d == d)
			hooks[i].fn = NULL;
	if (owner == d)
		owner = NULL;
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
