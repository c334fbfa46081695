/*
 * test_devices.c - the module starter's device grants on the host, over the
 * real capability table (core/cap/cap.c): one need at a time
 * (kr_need_grant, core/cap/devices.c) and whole lists on top of it
 * (kr_module_grant, tcc-runtime/krt/needs.c).  Exclusive IRQ lines, port
 * and MMIO ranges go to one domain at a time, the refusal names the
 * holder, nothing is given on a refusal, and a holder's end frees them for
 * the next taker.  The kernel domain's boot objects are stood in for here
 * the way irq.c, ioport.c and pages.c make them in the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <krt/kheap.h>
#include "cap/domain.h"

/* ---- what the rest of the core provides to devices.c ---- */

struct kr_domain kernel_domain;
kr_cap_t ioport_root, mmio_root;
static struct cap_object lines[16], ports = { .type = KR_OBJ_IOPORT, .count = 0x10000 },
	devmem = { .type = KR_OBJ_MMIO, .count = 1ull << 40 };
static kr_cap_t line_caps[16];

static void minted_destroy(struct cap_object *o)
{
	free(o);
}

static const struct cap_object_ops minted_ops = { minted_destroy, NULL };

kr_cap_t irq_kernel_cap(unsigned line)
{
	return line < 16 ? line_caps[line] : KR_CAP_NULL;
}

static kr_err_t mint(kr_cap_t root, struct cspace *to, uint32_t type, uint64_t base,
		     uint64_t count, uint32_t rights, kr_cap_t *out)
{
	struct cap_object *o = calloc(1, sizeof(*o));
	kr_err_t err;

	*o = (struct cap_object){ .type = type, .ops = &minted_ops, .base = base, .count = count };
	err = cap_mint(&kernel_domain.cs, root, to, o, rights, out);
	if (err)
		free(o);
	return err;
}

kr_err_t ioport_mint(struct kr_domain *d, kr_cap_t c, struct cspace *to, uint32_t base,
		     uint32_t count, uint32_t rights, kr_cap_t *out)
{
	assert_ptr_equal(d, &kernel_domain);
	return mint(c, to, KR_OBJ_IOPORT, base, count, rights, out);
}

kr_err_t mmio_mint(struct cspace *to, uint64_t base, uint64_t npages, uint32_t rights,
		   kr_cap_t *out)
{
	return mint(mmio_root, to, KR_OBJ_MMIO, base, npages, rights, out);
}

/* domain.c's, which kr_module_grant uses. */
uint32_t kr_domain_id(kr_domain_t *d)
{
	return domain_ok(d) ? d->id : 0;
}

kr_err_t kr_cap_delete(kr_domain_t *d, kr_cap_t c)
{
	return domain_ok(d) ? cap_delete(&d->cs, c) : KR_EINVAL;
}

void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

/* ---- fixtures ---- */

static void *src_get(size_t n)
{
	return aligned_alloc(4096, n * 4096);
}

static void src_put(void *p, size_t n)
{
	(void)n;
	free(p);
}

static const struct kheap_pagesrc src = { src_get, src_put, NULL };

static struct kr_mem_range ram[] = {
	{ .base = 0x100000, .length = 0x7ee0000, .type = KR_MEM_USABLE },
	{ .base = 0xfebf0000, .length = 0x1000, .type = KR_MEM_RESERVED },
};
static struct kr_boot_info bi;
static struct kr_domain console;

static void domain(struct kr_domain *d, const char *name, struct kr_domain *creator)
{
	static uint32_t next_id;

	memset(d, 0, sizeof(*d));
	d->id = ++next_id;
	strcpy(d->name, name);
	assert_int_equal(cspace_init(&d->cs, d->name, creator ? 16 : 256), KR_OK);
	d->magic = DOMAIN_MAGIC;
	d->creator = creator;
}

/* A module domain's end: its capabilities go, and with them its devices. */
static void domain_end(struct kr_domain *d)
{
	cspace_destroy(&d->cs);
	d->magic = 0;
}

static int setup(void **state)
{
	/* What the console module's descriptor asks for (modules/console). */
	static const struct kr_need com1[KR_MODULE_NEEDS_MAX] = {
		KR_NEED_IRQ(4), KR_NEED_PORTS(0x3f8, 8),
	};

	(void)state;
	domain(&kernel_domain, "kernel", NULL);
	for (unsigned i = 0; i < 16; i++) {
		if (i == 2)
			continue;
		lines[i] = (struct cap_object){ .type = KR_OBJ_IRQ, .base = i };
		assert_int_equal(cap_create(&kernel_domain.cs, &lines[i], KR_RIGHT_READ |
					    KR_RIGHT_BIND | KR_RIGHT_GRANT, &line_caps[i]), KR_OK);
	}
	assert_int_equal(cap_create(&kernel_domain.cs, &ports, KR_RIGHT_READ | KR_RIGHT_WRITE |
				    KR_RIGHT_GRANT, &ioport_root), KR_OK);
	assert_int_equal(cap_create(&kernel_domain.cs, &devmem, KR_RIGHT_READ | KR_RIGHT_WRITE |
				    KR_RIGHT_GRANT, &mmio_root), KR_OK);
	memcpy(bi.mmap, ram, sizeof(ram));
	bi.mmap_count = 2;
	devices_boot(&kernel_domain, &bi);
	/* COM1's line and ports, held by the console module as it boots. */
	domain(&console, "console", &kernel_domain);
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &console, com1, NULL, 0),
			 KR_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	domain_end(&console);
	domain_end(&kernel_domain);
	return 0;
}

static const struct kr_need driver[KR_MODULE_NEEDS_MAX] = {
	KR_NEED_IRQ(11), KR_NEED_PORTS(0xcf8, 8), KR_NEED_MMIO(0xfebf0000, 0x1000),
	KR_NEED_SYSTEM(KR_SYS_POWER),
};

static uint32_t used(const struct kr_domain *d)
{
	return d->cs.used;
}

/* ---- tests ---- */

static void test_grant_and_use(void **state)
{
	struct kr_domain a;
	struct kr_cap_info info;
	char why[96] = "";
	kr_cap_t c;

	(void)state;
	domain(&a, "drv_a", &kernel_domain);
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &a, driver, why,
					 sizeof(why)), KR_OK);
	assert_int_equal(used(&a), 4);
	assert_int_equal(kr_need_cap(&a, 0, &c), KR_OK);
	assert_int_equal(cap_info(&a.cs, c, &info), KR_OK);
	assert_int_equal(info.type, KR_OBJ_IRQ);
	assert_int_equal(info.base, 11);
	assert_int_equal(kr_need_cap(&a, 1, &c), KR_OK);
	assert_int_equal(cap_info(&a.cs, c, &info), KR_OK);
	assert_int_equal(info.type, KR_OBJ_IOPORT);
	assert_int_equal(info.base, 0xcf8);
	assert_int_equal(info.count, 8);
	assert_int_equal(kr_need_cap(&a, 2, &c), KR_OK);
	assert_int_equal(cap_info(&a.cs, c, &info), KR_OK);
	assert_int_equal(info.type, KR_OBJ_MMIO);
	assert_int_equal(info.count, 1);
	assert_int_equal(kr_need_cap(&a, 3, &c), KR_OK);
	assert_int_equal(sys_check(&a, c, KR_SYS_POWER), KR_OK);
	assert_int_equal(sys_check(&a, c, KR_SYS_KLOG), KR_ETYPE);
	assert_int_equal(kr_need_cap(&a, 4, &c), KR_ENOENT);
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &a, driver, why,
					 sizeof(why)), KR_EALREADY);
	domain_end(&a);
}

static void test_exclusive_then_free(void **state)
{
	static const struct kr_need overlap[KR_MODULE_NEEDS_MAX] = { KR_NEED_PORTS(0xcfc, 2) };
	static const struct kr_need mmio[KR_MODULE_NEEDS_MAX] = { KR_NEED_MMIO(0xfebf0000, 16) };
	struct kr_domain a, b;
	char why[96];

	(void)state;
	domain(&a, "drv_a", &kernel_domain);
	domain(&b, "drv_b", &kernel_domain);
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &a, driver, why,
					 sizeof(why)), KR_OK);
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &b, driver, why,
					 sizeof(why)), KR_EBUSY);
	assert_string_equal(why, "needs IRQ 11, held by drv_a");
	assert_int_equal(used(&b), 0);          /* nothing given */
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &b, overlap, why,
					 sizeof(why)), KR_EBUSY);
	assert_string_equal(why, "needs ports 0xcfc-0xcfd, held by drv_a");
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &b, mmio, why,
					 sizeof(why)), KR_EBUSY);
	assert_string_equal(why, "needs MMIO 0xfebf0000-0xfebf0fff, held by drv_a");
	domain_end(&a);                          /* unloaded: its devices are free */
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &b, driver, why,
					 sizeof(why)), KR_OK);
	assert_int_equal(used(&b), 4);
	domain_end(&b);
}

static void test_refusals(void **state)
{
	static const struct kr_need bad[][KR_MODULE_NEEDS_MAX] = {
		{ KR_NEED_IRQ(2) }, { KR_NEED_IRQ(KR_IRQ_IDLE + 1) }, { KR_NEED_PORTS(0xfff0, 0x20) },
		{ KR_NEED_MMIO(0x200000, 4096) }, { KR_NEED_MMIO(0xfebf0004, 8) },
		{ KR_NEED_SYSTEM(9) }, { { .kind = 7, .count = 1 } },
		{ KR_NEED_MMIO(0xfebf0000, UINT64_MAX) },
	};
	static const kr_err_t want[] = { KR_ERANGE, KR_ERANGE, KR_ERANGE, KR_EOVERLAP, KR_EALIGN,
					 KR_ERANGE, KR_EINVAL, KR_EINVAL };
	static const struct kr_need twice[KR_MODULE_NEEDS_MAX] = { KR_NEED_IRQ(5), KR_NEED_IRQ(5) };
	static const struct kr_need com1_irq[KR_MODULE_NEEDS_MAX] = { KR_NEED_IRQ(4) };
	static const struct kr_need com1_scratch[KR_MODULE_NEEDS_MAX] = { KR_NEED_PORTS(0x3ff, 1) };
	struct kr_domain a, other;
	char why[96];

	(void)state;
	domain(&a, "drv_a", &kernel_domain);
	domain(&other, "other", &a);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &a, bad[i], why,
						 sizeof(why)), want[i]);
		assert_int_equal(used(&a), 0);
	}
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &a, twice, why, sizeof(why)),
			 KR_EOVERLAP);
	assert_string_equal(why, "needs IRQ 5 twice");
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &a, com1_irq, why,
					 sizeof(why)), KR_EBUSY);
	assert_string_equal(why, "needs IRQ 4, held by console");
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &a, com1_scratch, why,
					 sizeof(why)), KR_EBUSY);
	assert_string_equal(why, "needs ports 0x3ff-0x3ff, held by console");
	/* Only the creator, and only with the devices capability. */
	assert_int_equal(kr_module_grant(&kernel_domain, devices_cap, &other, driver, why,
					 sizeof(why)), KR_EPERM);
	assert_int_equal(kr_module_grant(&a, KR_CAP_NULL, &a, driver, why, sizeof(why)),
			 KR_EBADCAP);
	assert_int_equal(used(&a), 0);
	domain_end(&other);
	domain_end(&a);
}

/* One need at a time: the core's side, which kr_module_grant builds on. */
static void test_need_grant(void **state)
{
	static const struct kr_need irq11 = KR_NEED_IRQ(11), none = { 0 };
	struct kr_domain a, b;
	const char *who = NULL;
	kr_cap_t c;

	(void)state;
	domain(&a, "drv_a", &kernel_domain);
	domain(&b, "drv_b", &kernel_domain);
	assert_int_equal(kr_need_grant(&kernel_domain, devices_cap, &a, 2, &irq11, &who), KR_OK);
	assert_null(who);
	assert_int_equal(kr_need_cap(&a, 2, &c), KR_OK);        /* as need 2 */
	assert_int_equal(kr_need_cap(&a, 0, &c), KR_ENOENT);
	assert_int_equal(kr_need_grant(&kernel_domain, devices_cap, &b, 0, &irq11, &who), KR_EBUSY);
	assert_string_equal(who, "drv_a");
	assert_int_equal(used(&b), 0);
	/* The list rules are not the core's: a second copy for a itself is
	 * refused only because a holds the line. */
	who = NULL;
	assert_int_equal(kr_need_grant(&kernel_domain, devices_cap, &a, 3, &irq11, &who), KR_EBUSY);
	assert_string_equal(who, "drv_a");
	assert_int_equal(kr_need_grant(&kernel_domain, devices_cap, &a, 3, &none, NULL), KR_EINVAL);
	assert_int_equal(kr_need_grant(&kernel_domain, devices_cap, &a, KR_MODULE_NEEDS_MAX, &irq11,
				       NULL), KR_EINVAL);
	/* Taken back: kr_need_cap no longer finds it, and b may have the line. */
	assert_int_equal(kr_need_cap(&a, 2, &c), KR_OK);
	assert_int_equal(cap_delete(&a.cs, c), KR_OK);
	assert_int_equal(kr_need_cap(&a, 2, &c), KR_ENOENT);
	assert_int_equal(kr_need_grant(&kernel_domain, devices_cap, &b, 0, &irq11, NULL), KR_OK);
	domain_end(&b);
	domain_end(&a);
}

int main(void)
{
	kheap_init(&src);       /* once: the heap keeps its pages for the run */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_grant_and_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exclusive_then_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_need_grant, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
