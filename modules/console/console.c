/*
 * console - COM1's input side, a driver like any other: it gets IRQ 4 and
 * the UART's ports through its .needs, drains received bytes into a ring
 * from the interrupt handler, and gives the ring to one domain at a time
 * (the shell) through the functions it exports, kr_console_claim,
 * kr_console_read and kr_console_notify, and the same (with pass) as the
 * service "console.input" (<karyon/console.h>).
 *
 * Output stays in the core (kr_console_write, the kernel log), which must
 * print even while panicking.  The two sides share the UART without a
 * lock: the core writes THR and polls LSR's transmit bit, this module
 * reads RBR and LSR's data-ready bit and owns IER.
 */
#include <karyon/cap.h>
#include <karyon/console.h>
#include <karyon/module.h>
#include <karyon/sched.h>
#include <karyon/service.h>

#define COM1     0x3f8
#define REG_RBR  0              /* read: the received byte */
#define REG_IER  1
#define REG_LSR  5
#define LSR_RX   0x01           /* a received byte waits */
#define IER_RX   0x01           /* interrupt on received data */
#define RX_RING  8192           /* power of two: indices wrap by masking */

enum { NEED_IRQ, NEED_PORTS };  /* .needs order */

static kr_domain_t *self;
static kr_cap_t ports;
static char rx[RX_RING];
static volatile uint32_t rx_head, rx_tail;      /* head: IRQ side only */
static uint32_t owner;          /* id of the domain holding the input; 0: none */
static void (*notify)(void *ctx);       /* the owner's, called as bytes arrive */
static void *notify_ctx;

/* A UART register; 0 if the read is refused (so no loop spins on it). */
static uint32_t uart_in(unsigned reg)
{
	uint32_t v = 0;

	kr_io_read(self, ports, COM1 + reg, 1, &v);
	return v;
}

static void on_rx(void *ctx, unsigned line)
{
	(void)ctx;
	(void)line;
	while (uart_in(REG_LSR) & LSR_RX) {
		uint32_t c = uart_in(REG_RBR);

		if (rx_head - rx_tail < RX_RING)        /* full: keep what came first */
			rx[rx_head++ & (RX_RING - 1)] = (char)c;
	}
	if (notify && rx_head != rx_tail)
		notify(notify_ctx);
}

static void owner_gone(void *ctx, uint32_t id)
{
	(void)ctx;
	if (owner == id) {
		notify = NULL;
		owner = 0;
	}
}

/* The claim ends with the claiming domain (a watch on its id). */
kr_err_t kr_console_claim(kr_domain_t *d)
{
	uint32_t id = kr_domain_id(d);
	kr_err_t err;

	if (!id)
		return KR_EINVAL;
	if (owner)
		return owner == id ? KR_OK : KR_EBUSY;
	err = kr_domain_watch(self, id, owner_gone, NULL);
	if (!err)
		owner = id;
	return err;
}
KR_EXPORT(kr_console_claim);

/* Background tasks never read the console: ask the scheduler, if there is
 * one, whether the task reading is a foreground program. */
static bool foreground(void)
{
	static const struct kr_sched_ops *sched;
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (!sched && kr_service_open(self, KR_SCHED_SERVICE, KR_SCHED_VERSION, &c) == KR_OK &&
	    kr_service_ops(self, c, &h) == KR_OK)
		sched = (const struct kr_sched_ops *)h;
	return !sched || sched->foreground();
}

size_t kr_console_read(kr_domain_t *d, char *buf, size_t n, kr_err_t *err)
{
	uint32_t id = kr_domain_id(d);
	size_t got = 0;
	kr_err_t e = !id || !buf ? KR_EINVAL : id != owner || !foreground() ? KR_EPERM : KR_OK;

	if (err)
		*err = e;
	while (!e && got < n && rx_tail != rx_head)
		buf[got++] = rx[rx_tail++ & (RX_RING - 1)];
	return got;
}
KR_EXPORT(kr_console_read);

kr_err_t kr_console_notify(kr_domain_t *d, void (*fn)(void *ctx), void *ctx)
{
	uint32_t id = kr_domain_id(d);

	if (!id)
		return KR_EINVAL;
	if (id != owner)
		return KR_EPERM;
	notify = NULL;          /* never a new fn with the old ctx */
	notify_ctx = ctx;
	notify = fn;
	return KR_OK;
}
KR_EXPORT(kr_console_notify);

static kr_err_t console_pass(kr_domain_t *from, kr_domain_t *to)
{
	uint32_t id = kr_domain_id(from), to_id = kr_domain_id(to);
	kr_err_t err;

	if (!id || !to_id)
		return KR_EINVAL;
	if (id != owner)
		return KR_EPERM;
	if (to_id == id)
		return KR_OK;
	if ((err = kr_domain_watch(self, to_id, owner_gone, NULL)))
		return err;
	notify = NULL;
	owner = to_id;
	return KR_OK;
}

static const struct kr_console_input_ops input_ops = {
	.hdr = { KR_OPS_MAGIC, KR_CONSOLE_INPUT_VERSION, sizeof(struct kr_console_input_ops), 0 },
	.claim = kr_console_claim, .read = kr_console_read, .notify = kr_console_notify,
	.pass = console_pass,
};

static kr_err_t console_init(kr_domain_t *d)
{
	kr_cap_t irq, c;
	kr_err_t err;

	self = d;
	err = kr_need_cap(d, NEED_IRQ, &irq);
	if (!err)
		err = kr_need_cap(d, NEED_PORTS, &ports);
	if (!err)
		err = kr_service_publish(d, KR_CONSOLE_INPUT_SERVICE, &input_ops.hdr, &c);
	if (err)
		return err;
	/* No UART reads all ones: then nothing is ever typed, but the claim
	 * still works, so the shell runs as it would on a silent line. */
	if (uart_in(REG_LSR) == 0xff)
		return KR_OK;
	err = kr_irq_bind(d, irq, on_rx, NULL);
	return err ? err : kr_io_write(d, ports, COM1 + REG_IER, 1, IER_RX);
}

/* Quiet the UART before the IRQ binding goes with the domain. */
static void console_exit(kr_domain_t *d)
{
	kr_io_write(d, ports, COM1 + REG_IER, 1, 0);
}

KR_MODULE(.name = "console", .version = KR_VERSION(1, 1, 0),
	  .description = "COM1 input: IRQ 4 into a ring that one domain reads",
	  .license = "MIT", .author = "Karyon developers",
	  .init = console_init, .exit = console_exit,
	  .needs = { KR_NEED_IRQ(4), KR_NEED_PORTS(COM1, 8) });
