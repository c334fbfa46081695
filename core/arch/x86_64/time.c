/*
 * time.c - LAPIC timer and TSC, calibrated against the PIT.
 *
 * The local APIC timer drives the tick (it is per-CPU, so SMP can reuse it;
 * the legacy 8259 PIC serves device IRQ lines, see irq.c).
 * PIT channel 2, which needs no interrupt, measures 10 ms once at boot to
 * calibrate both the TSC and the LAPIC timer.  Under QEMU with
 * -icount shift=0 the TSC counts guest instructions, which is how
 * benchmarks report boot cost.
 */
#include <karyon/cap.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/x86.h"
#include "kernel/klog.h"
#include "kernel/panic.h"
#include "kernel/time.h"
#include "mm/vmm.h"

#define PIT_HZ          1193182
#define CALIB_MS        10
#define MSR_APIC_BASE   0x1b
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LINT0     0x350
#define LAPIC_INIT      0x380
#define LAPIC_CURRENT   0x390
#define LAPIC_DIVIDE    0x3e0
#define LVT_PERIODIC    (1u << 17)
#define LVT_MASKED      (1u << 16)
#define LVT_EXTINT      (7u << 8)

static volatile uint32_t *lapic;
static volatile uint64_t ticks;
static uint64_t tsc_hz, tsc_entry;

static void lapic_write(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

/* Run PIT channel 2 for CALIB_MS; return TSC cycles and LAPIC counts used. */
static int pit_measure(uint64_t *tsc, uint32_t *apic)
{
	uint16_t count = PIT_HZ * CALIB_MS / 1000;
	uint8_t gate = inb(0x61) & ~0x03;       /* speaker off, gate low */
	uint64_t t0;
	long spin;

	outb(0x61, gate);
	outb(0x43, 0xb0);                       /* ch2, lo/hi byte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	lapic_write(LAPIC_INIT, 0xffffffff);
	t0 = rdtsc();
	outb(0x61, gate | 1);                   /* gate high: count down */
	for (spin = 0; spin < 100000000 && !(inb(0x61) & 0x20); spin++)
		cpu_relax();
	*tsc = rdtsc() - t0;
	*apic = 0xffffffff - lapic[LAPIC_CURRENT / 4];
	outb(0x61, gate);
	return spin < 100000000 ? 0 : -1;
}

static void on_timer(struct trap_frame *f)
{
	ticks++;
	(void)f;
	lapic_write(LAPIC_EOI, 0);
	irq_soft(KR_IRQ_TIMER);
}

void time_init(uint64_t entry_tsc)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) & 0xffffff000ull, tsc;
	uint32_t apic_counts;
	kr_err_t err;

	tsc_entry = entry_tsc;
	err = vmm_map(NULL, MMIO_BASE, base, 1, VMM_WRITE | VMM_NOCACHE);
	if (err)
		panic("time: cannot map the local APIC at %llx", (unsigned long long)base);
	lapic = (volatile uint32_t *)MMIO_BASE;
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));   /* global enable */
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_LINT0, LVT_EXTINT);   /* the 8259 PIC's output (irq.c) */
	lapic_write(LAPIC_DIVIDE, 0x3);                             /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	if (pit_measure(&tsc, &apic_counts) != 0 || tsc == 0 || apic_counts == 0) {
		pr_warn("time: PIT did not count; assuming a 1 GHz TSC and 10 MHz APIC timer\n");
		tsc = 1000000000ull / (1000 / CALIB_MS);
		apic_counts = 10000000 / (1000 / CALIB_MS);
	}
	tsc_hz = tsc * (1000 / CALIB_MS);
	trap_set_handler(VEC_TIMER, on_timer);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_INIT, apic_counts * (1000 / CALIB_MS) / TIME_HZ);
	pr_info("time: TSC %llu kHz, LAPIC timer at %u Hz\n",
		(unsigned long long)(tsc_hz / 1000), TIME_HZ);
}

uint64_t time_ticks(void)
{
	return ticks;
}


uint64_t time_tsc_since_entry(void)
{
	return rdtsc() - tsc_entry;
}


uint64_t time_tsc_to_us(uint64_t d)
{
	/* Split to stay in 64 bits: (d % hz) * 10^6 < hz * 10^6 < 2^64. */
	return d / tsc_hz * 1000000 + d % tsc_hz * 1000000 / tsc_hz;
}
