/*
 * irq.c - IRQ-line capabilities on the legacy 8259 PIC pair.
 *
 * Lines 0-15 (except 2, the cascade) are capability objects held by the
 * kernel domain from boot.  The PIC is used rather than the IOAPIC because
 * it needs no ACPI table walk and QEMU and PCs all have it; with the LAPIC
 * enabled its output reaches the CPU through LINT0 in ExtINT mode (time.c).
 * A line is masked until a handler is bound to it.  The core acknowledges
 * (EOI) every interrupt itself, so a handler cannot wedge a line; spurious
 * IRQ 7/15 and interrupts on unbound lines are counted, not fatal.
 * Lines 16 and 17 are no PIC lines but bound like them: KR_IRQ_TIMER is
 * the local APIC timer's tick (time.c), KR_IRQ_IDLE kmain's idle loop, in
 * thread context after every wake-up: where a scheduler runs its tasks.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/x86.h"
#include "cap/domain.h"
#include "kernel/panic.h"

#define NLINES   (KR_IRQ_IDLE + 1)
#define CASCADE  2

struct irq_line {
	struct cap_object o;    /* base = line number */
	struct cap_slot *binder;
	kr_irq_fn fn;
	void *ctx;
	uint64_t count;
};

static struct irq_line lines[NLINES];
static kr_cap_t kernel_caps[NLINES];    /* the kernel domain's, for the core's own use */
static uint64_t spurious, unbound;

static void pic_mask(unsigned line, bool masked)
{
	uint16_t port = line < 8 ? 0x21 : 0xa1;
	uint8_t bit = 1u << (line & 7), m = inb(port);

	if (line < KR_IRQ_TIMER)
		outb(port, masked ? (m | bit) : (m & ~bit));
}

static void pic_init(void)
{
	static const uint8_t icw[2][4] = {
		{ 0x11, VEC_PIC_BASE, 1u << CASCADE, 0x01 },    /* master */
		{ 0x11, VEC_PIC_BASE + 8, CASCADE, 0x01 },      /* slave */
	};

	for (int i = 0; i < 4; i++) {
		outb(i ? 0x21 : 0x20, icw[0][i]);
		outb(i ? 0xa1 : 0xa0, icw[1][i]);
	}
	outb(0x21, (uint8_t)~(1u << CASCADE));  /* all masked but the cascade */
	outb(0xa1, 0xff);
}

/* In-service bit of a line, to tell a real IRQ 7/15 from a spurious one. */
static bool pic_in_service(unsigned line)
{
	uint16_t cmd = line < 8 ? 0x20 : 0xa0;

	outb(cmd, 0x0b);        /* OCW3: read ISR */
	return inb(cmd) & (1u << (line & 7));
}

static void on_irq(struct trap_frame *f)
{
	unsigned line = f->vector - VEC_PIC_BASE;
	struct irq_line *l = &lines[line];

	if ((line == 7 || line == 15) && !pic_in_service(line)) {
		spurious++;
		if (line == 15)
			outb(0x20, 0x20);       /* the master did see the cascade */
		return;
	}
	if (l->fn) {
		l->count++;
		l->fn(l->ctx, line);
	} else {
		unbound++;
	}
	if (line >= 8)
		outb(0xa0, 0x20);
	outb(0x20, 0x20);
}

static void unbind(struct irq_line *l)
{
	uint64_t flags = irq_save();

	pic_mask(l->o.base, true);
	l->fn = NULL;
	l->ctx = NULL;
	l->binder = NULL;
	irq_restore(flags);
}

/* The binding lives as long as the capability that made it. */
static void irq_cap_removed(struct cap_object *o, struct cap_slot *s)
{
	struct irq_line *l = (struct irq_line *)o;

	if (l->binder == s)
		unbind(l);
}

static const struct cap_object_ops irq_ops = { NULL, irq_cap_removed };

void irq_boot(struct kr_domain *kd)
{
	kr_cap_t c;

	pic_init();
	for (unsigned i = 0; i < NLINES; i++) {
		if (i < KR_IRQ_TIMER)
			trap_set_handler(VEC_PIC_BASE + i, on_irq);
		if (i == CASCADE)
			continue;
		lines[i].o = (struct cap_object){ .type = KR_OBJ_IRQ, .ops = &irq_ops, .base = i };
		if (cap_create(&kd->cs, &lines[i].o, KR_RIGHT_READ | KR_RIGHT_BIND | KR_RIGHT_GRANT,
			       &c) != KR_OK)
			panic("irq: no kernel slot for IRQ line %u", i);
		kernel_caps[i] = c;
	}
}

void irq_soft(unsigned line)
{
	struct irq_line *l = &lines[line];
	uint64_t flags = irq_save();
	kr_irq_fn fn = l->fn;
	void *ctx = l->ctx;

	l->count += fn != NULL;
	irq_restore(flags);
	if (fn)
		fn(ctx, line);
}

kr_cap_t irq_kernel_cap(unsigned line)
{
	return line < NLINES ? kernel_caps[line] : KR_CAP_NULL;
}

uint64_t irq_count(unsigned line)
{
	return line < NLINES ? lines[line].count : spurious + unbound;
}

kr_err_t kr_irq_bind(kr_domain_t *d, kr_cap_t c, kr_irq_fn fn, void *ctx)
{
	struct cap_slot *s;
	struct irq_line *l;
	uint64_t flags;
	kr_err_t err;

	if (!domain_ok(d) || !fn)
		return KR_EINVAL;
	err = cap_lookup(&d->cs, c, KR_OBJ_IRQ, KR_RIGHT_BIND, &s);
	if (err)
		return err;
	l = (struct irq_line *)s->obj;
	if (l->fn)
		return KR_EBUSY;
	flags = irq_save();
	l->fn = fn;
	l->ctx = ctx;
	l->binder = s;
	pic_mask(l->o.base, false);
	irq_restore(flags);
	return KR_OK;
}

kr_err_t kr_irq_unbind(kr_domain_t *d, kr_cap_t c)
{
	struct cap_slot *s;
	struct irq_line *l;
	kr_err_t err;

	if (!domain_ok(d))
		return KR_EINVAL;
	err = cap_lookup(&d->cs, c, KR_OBJ_IRQ, KR_RIGHT_BIND, &s);
	if (err)
		return err;
	l = (struct irq_line *)s->obj;
	if (!l->fn)
		return KR_EALREADY;
	if (l->binder != s)
		return KR_EPERM;        /* bound through another capability */
	unbind(l);
	return KR_OK;
}
