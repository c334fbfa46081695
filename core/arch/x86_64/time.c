/*
 * time.c - LAPIC timer and TSC: their rates from CPUID, or the PIT.
 *
 * The local APIC timer drives the tick (it is per-CPU, so SMP can reuse it;
 * the legacy 8259 PIC serves device IRQ lines, see irq.c).
 * The TSC rate, and the LAPIC timer's where it is given, come from CPUID:
 * the hypervisor's timing leaf, leaf 0x15 or leaf 0x16.  What CPUID does not
 * give (all of it under QEMU's TCG), PIT channel 2, which needs no
 * interrupt, measures in one 1 ms window at boot.  Under QEMU with
 * -icount shift=0 the TSC counts guest instructions, which is how
 * benchmarks report boot cost.
 */
#include <cpuid.h>

#include <karyon/cap.h>
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/x86.h"
#include "kernel/klog.h"
#include "kernel/panic.h"
#include "kernel/time.h"
#include "mm/vmm.h"

#define PIT_HZ          1193182
#define CALIB_TICKS     1193    /* 1 ms of PIT (see pit_measure) */
#define MSR_APIC_BASE   0x1b
/* Local APIC registers, as indexes into lapic[] (32-bit words). */
#define LAPIC_EOI       (0x0b0 / 4)
#define LAPIC_SVR       (0x0f0 / 4)
#define LAPIC_LVT_TIMER (0x320 / 4)
#define LAPIC_LINT0     (0x350 / 4)
#define LAPIC_INIT      (0x380 / 4)
#define LAPIC_CURRENT   (0x390 / 4)
#define LAPIC_DIVIDE    (0x3e0 / 4)
#define LVT_PERIODIC    (1u << 17)
#define LVT_MASKED      (1u << 16)
#define LVT_EXTINT      (7u << 8)

static volatile uint32_t *lapic;
static uint64_t tsc_hz, tsc_entry;

/*
 * The TSC rate in Hz from CPUID, and the LAPIC timer's (after its divide by
 * 16) where the leaf gives it: the hypervisor's timing leaf (kHz), leaf 0x15
 * (crystal clock and TSC ratio) or leaf 0x16 (base MHz).  Leaves past the
 * last of their range answer with another leaf's data, hence the checks.
 * Returns the source, or NULL if no leaf gives the TSC rate.
 */
static const char *cpuid_rates(uint64_t *tsc, uint64_t *apic)
{
	uint32_t a, b, c, d;

	__cpuid(1, a, b, c, d);
	if ((c & (1u << 31)) && __get_cpuid_max(0x40000000, NULL) >= 0x40000010) {
		__cpuid(0x40000010, a, b, c, d);        /* only under a hypervisor */
		*tsc = a * 1000ull;
		*apic = b * 1000ull / 16;
		if (*tsc)
			return "CPUID 0x40000010";
	}
	if (__get_cpuid(0x15, &a, &b, &c, &d) && a && b && c) {
		*tsc = (uint64_t)c * b / a;
		*apic = c / 16;
		return "CPUID 0x15";
	}
	*tsc = __get_cpuid(0x16, &a, &b, &c, &d) ? a * 1000000ull : 0;
	return *tsc ? "CPUID 0x16" : NULL;
}

/*
 * Run PIT channel 2 for CALIB_TICKS; set the TSC and LAPIC timer rates in Hz.
 * Each end of the window is known to within one PIT tick (0.84 us: the
 * count starts at the clock edge after the gate rises, and the poll sees
 * OUT go high a few instructions late), so the rates are within 2/1193,
 * 0.17%: plenty for a 100 Hz tick and microsecond log stamps.  (Ten times
 * the window would be ten times as precise, and cost 9 ms more of boot.)
 */
static int pit_measure(uint64_t *tsc, uint64_t *apic)
{
	uint8_t gate = inb(0x61) & ~0x03;       /* speaker off, gate low */
	uint64_t t0, spin;

	outb(0x61, gate);
	outb(0x43, 0xb0);                       /* ch2, lo/hi byte, mode 0 */
	outb(0x42, CALIB_TICKS & 0xff);
	outb(0x42, CALIB_TICKS >> 8);
	lapic[LAPIC_INIT] = 0xffffffff;
	t0 = rdtsc();
	outb(0x61, gate | 1);                   /* gate high: count down */
	for (spin = 0; spin < 100000000 && !(inb(0x61) & 0x20); spin++)
		cpu_relax();
	*tsc = (rdtsc() - t0) * PIT_HZ / CALIB_TICKS;
	*apic = (0xffffffffull - lapic[LAPIC_CURRENT]) * PIT_HZ / CALIB_TICKS;
	outb(0x61, gate);
	return spin < 100000000 && *tsc && *apic ? 0 : -1;
}

static void on_timer(struct trap_frame *f)
{
	lapic[LAPIC_EOI] = 0;
	irq_soft(KR_IRQ_TIMER);
	ctx_expire(f);
}

void time_init(uint64_t entry_tsc)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) & 0xffffff000ull, apic_hz = 0, pit_tsc;
	const char *from = cpuid_rates(&tsc_hz, &apic_hz);

	tsc_entry = entry_tsc;
	if (vmm_map(NULL, MMIO_BASE, base, 1, VMM_WRITE | VMM_NOCACHE) != KR_OK)
		panic("time: cannot map the local APIC at %llx", (unsigned long long)base);
	lapic = (volatile uint32_t *)MMIO_BASE;
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));   /* global enable */
	lapic[LAPIC_SVR] = 0x100 | VEC_SPURIOUS;
	lapic[LAPIC_LINT0] = LVT_EXTINT;        /* the 8259 PIC's output (irq.c) */
	lapic[LAPIC_DIVIDE] = 0x3;              /* divide by 16 */
	lapic[LAPIC_LVT_TIMER] = LVT_MASKED | VEC_TIMER;
	if ((!from || !apic_hz) && pit_measure(&pit_tsc, &apic_hz) != 0) {
		pr_warn("time: PIT did not count; assuming a 1 GHz TSC and 10 MHz APIC timer\n");
		pit_tsc = 1000000000;
		apic_hz = 10000000;
	}
	tsc_hz = from ? tsc_hz : pit_tsc;
	trap_set_handler(VEC_TIMER, on_timer);
	lapic[LAPIC_LVT_TIMER] = LVT_PERIODIC | VEC_TIMER;
	lapic[LAPIC_INIT] = apic_hz / TIME_HZ;
	pr_info("time: TSC %llu kHz (from %s), LAPIC timer at %u Hz\n",
		(unsigned long long)(tsc_hz / 1000), from ? from : "PIT", TIME_HZ);
}

uint64_t time_tsc_since_entry(void)
{
	return rdtsc() - tsc_entry;
}


uint64_t time_tsc_to_us(uint64_t d)
{
	/* Split to stay in 64 bits: (d % hz) * 10^6 < hz * 10^6 < 2^64.  0 before
	 * calibration: the log stamps the lines logged that early. */
	return tsc_hz ? d / tsc_hz * 1000000 + d % tsc_hz * 1000000 / tsc_hz : 0;
}
