/*
 * serial.c - COM1 16550 driver: 115200 8N1, FIFOs on, polled I/O.
 *
 * The UART is probed in loopback mode first: a machine without COM1 reads
 * 0xff from the port, and waiting for "transmitter empty" there would hang
 * the boot, so output is then dropped instead.
 */
#include "arch/x86_64/serial.h"
#include "arch/x86_64/x86.h"

#define COM1      0x3f8
#define REG_DATA  0
#define REG_IER   1
#define REG_FCR   2
#define REG_LCR   3
#define REG_MCR   4
#define REG_LSR   5
#define LSR_THRE  0x20

static bool present;

bool serial_init(void)
{
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x80);             /* DLAB: divisor follows */
	outb(COM1 + REG_DATA, 0x01);            /* 115200 baud */
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x03);             /* 8N1 */
	outb(COM1 + REG_FCR, 0xc7);             /* FIFOs on, cleared, 14-byte trigger */
	outb(COM1 + REG_MCR, 0x1e);             /* loopback */
	outb(COM1 + REG_DATA, 0xa5);
	present = inb(COM1 + REG_DATA) == 0xa5;
	outb(COM1 + REG_MCR, 0x0f);             /* normal: DTR, RTS, OUT1, OUT2 */
	return present;
}

static void put_raw(char c)
{
	/* Bounded: a wedged UART must not hang the kernel (~1 s at worst). */
	for (int spin = 0; spin < 1000000; spin++) {
		if (inb(COM1 + REG_LSR) & LSR_THRE)
			break;
		cpu_relax();
	}
	outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	if (!present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put_raw('\r');
		put_raw(s[i]);
	}
}
