/*
 * test_pci_bar.c - BAR sizing (modules/pci/pci_bar.c) against a simulated
 * type 0 function: each BAR is a register whose address bits above its
 * size are writable and whose type bits are read-only, as hardware's are.
 * 32- and 64-bit memory BARs, I/O BARs, unimplemented ones, a 64-bit BAR
 * in the last slot, and implausible answers (refused and counted).  The
 * write hook checks that no BAR is written all ones while the command
 * register decodes, and that nothing but the command register and the
 * BARs asked for is written; afterwards every BAR holds its old value,
 * the command register its old bits, and the status register (the upper
 * half of the same dword, write-one-to-clear) the bits it had.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "pci/pci_bar.h"

#define STATUS_CAP_LIST     0x0010u     /* read-only */
#define STATUS_MASTER_ABORT 0x2000u     /* write one to clear */
#define STATUS_PARITY       0x8000u     /* write one to clear */
#define STATUS_RW1C         0xf900u
#define CMD_WRITABLE        0x0547u     /* IO, MEM, MASTER, PARITY, SERR, INTx disable */

struct fn {
	uint16_t cmd, status;
	uint32_t bar[6];        /* the address bits held */
	uint32_t wmask[6];      /* writable bits: the address bits above the size */
	uint32_t ro[6];         /* read-only bits: I/O, type, prefetchable */
	unsigned nbars;         /* the BARs the caller asked for: others must not be written */
	unsigned ones_writes;   /* BARs written all ones (sizing steps) */
	unsigned cmd_writes;
};

static uint32_t rd(void *ctx, uint32_t off)
{
	struct fn *f = ctx;

	assert_int_equal(off & 3, 0);
	if (off == PCI_COMMAND)
		return (uint32_t)f->status << 16 | f->cmd;
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 24) {
		unsigned i = (off - PCI_BAR0) / 4;

		return (f->bar[i] & f->wmask[i]) | f->ro[i];
	}
	return 0;
}

static void wr(void *ctx, uint32_t off, uint32_t val)
{
	struct fn *f = ctx;

	assert_int_equal(off & 3, 0);
	if (off == PCI_COMMAND) {
		f->cmd = (uint16_t)((f->cmd & ~CMD_WRITABLE) | (val & CMD_WRITABLE));
		f->status &= (uint16_t)~((val >> 16) & STATUS_RW1C);
		f->cmd_writes++;
		return;
	}
	assert_true(off >= PCI_BAR0 && off < PCI_BAR0 + 4 * f->nbars);
	if (val == 0xffffffffu) {
		/* sizing moves the BAR over the whole address space: decoding
		 * must be off, or the function claims cycles that are not its */
		assert_int_equal(f->cmd & (PCI_CMD_IO | PCI_CMD_MEM), 0);
		f->ones_writes++;
	}
	f->bar[(off - PCI_BAR0) / 4] = val;
}

/* BAR kinds, as the simulated hardware holds them. */
static void mem32(struct fn *f, unsigned i, uint32_t base, uint32_t size, int pref)
{
	f->wmask[i] = ~(size - 1) & 0xfffffff0u;
	f->ro[i] = pref ? 0x8 : 0;
	f->bar[i] = base;
}

static void mem64(struct fn *f, unsigned i, uint64_t base, uint64_t size, int pref)
{
	uint64_t m = ~(size - 1) & ~0xfull;

	f->wmask[i] = (uint32_t)m;
	f->ro[i] = 0x4 | (pref ? 0x8 : 0);
	f->bar[i] = (uint32_t)base;
	f->wmask[i + 1] = (uint32_t)(m >> 32);
	f->ro[i + 1] = 0;
	f->bar[i + 1] = (uint32_t)(base >> 32);
}

static void io(struct fn *f, unsigned i, uint32_t base, uint32_t size, int decode32)
{
	f->wmask[i] = ~(size - 1) & (decode32 ? 0xfffffffcu : 0x0000fffcu);
	f->ro[i] = 0x1;
	f->bar[i] = base;
}

static void fn_init(struct fn *f, unsigned nbars)
{
	memset(f, 0, sizeof(*f));
	f->cmd = PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER;
	f->status = STATUS_CAP_LIST;
	f->nbars = nbars;
}

/* Size f's BARs into out (filled with junk first, so a slot left unset
 * shows), and check what sizing must leave as it was. */
static unsigned size_bars(struct fn *f, struct kr_pci_bar *out)
{
	struct pci_cfg c = { f, rd, wr };
	uint32_t bars[6];
	uint16_t cmd = f->cmd, status = f->status;
	unsigned refused;

	for (unsigned i = 0; i < 6; i++)
		bars[i] = rd(f, PCI_BAR0 + 4 * i);
	memset(out, 0xaa, 6 * sizeof(*out));
	refused = pci_size_bars(&c, f->nbars, out);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(rd(f, PCI_BAR0 + 4 * i), bars[i]);
	assert_int_equal(f->cmd, cmd);
	assert_int_equal(f->status, status);
	assert_true(f->cmd_writes >= 2);        /* decode off, then back */
	return refused;
}

static void bar_is(const struct kr_pci_bar *b, uint64_t base, uint64_t size, uint32_t type,
		   uint32_t pref)
{
	assert_int_equal(b->base, base);
	assert_int_equal(b->size, size);
	assert_int_equal(b->type, type);
	assert_int_equal(b->prefetchable, pref);
}

static void none(const struct kr_pci_bar *b)
{
	assert_int_equal(b->size, 0);
	assert_int_equal(b->type, KR_PCI_BAR_NONE);
}

static void mem32_bars(void **state)
{
	struct kr_pci_bar b[6];
	struct fn f;

	(void)state;
	fn_init(&f, 6);
	mem32(&f, 0, 0xfebf1000u, 0x1000, 0);
	mem32(&f, 1, 0xfd000000u, 0x100000, 1);
	mem32(&f, 3, 0xe0000000u, 0x10000000u, 0);      /* 256 MiB */
	mem32(&f, 4, 0xfebf0010u, 16, 0);               /* the smallest */
	assert_int_equal(size_bars(&f, b), 0);
	bar_is(&b[0], 0xfebf1000u, 0x1000, KR_PCI_BAR_MEM32, 0);
	bar_is(&b[1], 0xfd000000u, 0x100000, KR_PCI_BAR_MEM32, 1);
	none(&b[2]);
	bar_is(&b[3], 0xe0000000u, 0x10000000u, KR_PCI_BAR_MEM32, 0);
	bar_is(&b[4], 0xfebf0010u, 16, KR_PCI_BAR_MEM32, 0);
	none(&b[5]);
	assert_int_equal(f.ones_writes, 6);
}

static void mem64_bars(void **state)
{
	struct kr_pci_bar b[6];
	struct fn f;

	(void)state;
	fn_init(&f, 6);
	mem64(&f, 0, 0xfe000000u, 0x4000, 0);                   /* below 4 GiB */
	mem64(&f, 2, 0x800000000ull, 0x200000000ull, 1);        /* 8 GiB at 32 GiB */
	mem64(&f, 4, 0x7fff00000ull, 0x100000, 1);              /* 1 MiB above 4 GiB */
	assert_int_equal(size_bars(&f, b), 0);
	bar_is(&b[0], 0xfe000000u, 0x4000, KR_PCI_BAR_MEM64, 0);
	none(&b[1]);
	assert_int_equal(b[1].base, 0);
	bar_is(&b[2], 0x800000000ull, 0x200000000ull, KR_PCI_BAR_MEM64, 1);
	none(&b[3]);
	bar_is(&b[4], 0x7fff00000ull, 0x100000, KR_PCI_BAR_MEM64, 1);
	none(&b[5]);
	assert_int_equal(f.ones_writes, 6);             /* both halves of each */
}

static void io_bars(void **state)
{
	struct kr_pci_bar b[6];
	struct fn f;

	(void)state;
	fn_init(&f, 6);
	io(&f, 0, 0xc000, 16, 0);               /* a 16-bit decoder: the top half reads 0 */
	io(&f, 1, 0xc100, 256, 1);              /* a 32-bit decoder */
	mem32(&f, 2, 0xfebf2000u, 0x1000, 0);
	io(&f, 5, 0xfff8, 8, 0);                /* up to the last port */
	assert_int_equal(size_bars(&f, b), 0);
	bar_is(&b[0], 0xc000, 16, KR_PCI_BAR_IO, 0);
	bar_is(&b[1], 0xc100, 256, KR_PCI_BAR_IO, 0);
	bar_is(&b[2], 0xfebf2000u, 0x1000, KR_PCI_BAR_MEM32, 0);
	none(&b[3]);
	none(&b[4]);
	bar_is(&b[5], 0xfff8, 8, KR_PCI_BAR_IO, 0);
}

static void unimplemented(void **state)
{
	struct kr_pci_bar b[6];
	struct fn f;

	(void)state;
	fn_init(&f, 6);
	assert_int_equal(size_bars(&f, b), 0);
	for (int i = 0; i < 6; i++) {
		none(&b[i]);
		assert_int_equal(b[i].base, 0);
	}
}

static void mem64_in_the_last_slot(void **state)
{
	struct kr_pci_bar b[6];
	struct fn f;

	(void)state;
	/* type 0: slot 5 has no slot 6 to hold its top half */
	fn_init(&f, 6);
	mem32(&f, 0, 0xfebf0000u, 0x1000, 0);
	f.wmask[5] = 0xfffff000u;
	f.ro[5] = 0x4;
	f.bar[5] = 0xfebf3000u;
	assert_int_equal(size_bars(&f, b), 1);
	bar_is(&b[0], 0xfebf0000u, 0x1000, KR_PCI_BAR_MEM32, 0);
	none(&b[5]);
	/* a bridge (two BARs): slot 1; the write hook refuses any BAR past it */
	fn_init(&f, 2);
	mem32(&f, 0, 0xfebf0000u, 0x1000, 0);
	mem64(&f, 1, 0xfebf4000u, 0x1000, 0);
	assert_int_equal(size_bars(&f, b), 1);
	bar_is(&b[0], 0xfebf0000u, 0x1000, KR_PCI_BAR_MEM32, 0);
	none(&b[1]);
}

static void implausible(void **state)
{
	struct kr_pci_bar b[6];
	struct fn f;

	(void)state;
	fn_init(&f, 6);
	mem32(&f, 0, 0xfebf0000u, 0x1000, 0);
	f.wmask[0] &= ~0x00f00000u;                     /* a hole above the size */
	io(&f, 1, 0xc000, 0x20000, 1);                  /* 128 Ki ports */
	io(&f, 2, 0x10000, 0x100, 1);                   /* ports past 64 KiB */
	mem64(&f, 3, 0x800000000ull, 0x100000, 0);
	f.wmask[4] &= ~0x80000000u;                     /* a hole in the top half */
	io(&f, 5, 0xc200, 0x10, 0);
	f.wmask[5] &= ~0x0100u;                         /* a hole in an I/O mask */
	assert_int_equal(size_bars(&f, b), 5);
	for (int i = 0; i < 6; i++)
		none(&b[i]);
	assert_int_equal(f.ones_writes, 6);
	/* the refusals are per BAR: good ones beside them are kept */
	fn_init(&f, 6);
	mem32(&f, 0, 0xfebf0000u, 0x1000, 0);
	f.wmask[0] &= ~0x00010000u;
	mem32(&f, 1, 0xfebf1000u, 0x1000, 0);
	io(&f, 2, 0x10000, 0x100, 1);
	io(&f, 3, 0xc000, 0x40, 0);
	assert_int_equal(size_bars(&f, b), 2);
	none(&b[0]);
	bar_is(&b[1], 0xfebf1000u, 0x1000, KR_PCI_BAR_MEM32, 0);
	none(&b[2]);
	bar_is(&b[3], 0xc000, 0x40, KR_PCI_BAR_IO, 0);
}

/* Decoding is off while the BARs move (the write hook asserts it) and
 * back after, whatever the command register held; the status register's
 * write-one-to-clear bits survive the command register's writes. */
static void command_and_status(void **state)
{
	static const uint16_t cmds[] = { 0, PCI_CMD_IO, PCI_CMD_MEM, PCI_CMD_IO | PCI_CMD_MEM,
					 PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER | 0x0400 };
	struct kr_pci_bar b[6];
	struct fn f;

	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		fn_init(&f, 6);
		f.cmd = cmds[i];
		f.status = STATUS_CAP_LIST | STATUS_MASTER_ABORT | STATUS_PARITY;
		mem32(&f, 0, 0xfebf0000u, 0x1000, 0);
		io(&f, 1, 0xc000, 0x20, 0);
		mem64(&f, 2, 0x800000000ull, 0x4000, 1);
		assert_int_equal(size_bars(&f, b), 0);  /* checks cmd and status */
		assert_int_equal(f.ones_writes, 6);     /* unimplemented ones too */
		bar_is(&b[2], 0x800000000ull, 0x4000, KR_PCI_BAR_MEM64, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mem32_bars),
		cmocka_unit_test(mem64_bars),
		cmocka_unit_test(io_bars),
		cmocka_unit_test(unimplemented),
		cmocka_unit_test(mem64_in_the_last_slot),
		cmocka_unit_test(implausible),
		cmocka_unit_test(command_and_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
