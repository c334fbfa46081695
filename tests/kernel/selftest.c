/*
 * selftest.c - deliberate faults and misuse, run after boot on request
 * (cmdline selftest=NAME).  Linked only into the test kernel
 * (build/core/karyon-test.elf) that the QEMU tests boot; the kernel users
 * run does not carry it.
 *
 *   ud pf de gp overflow  raise that CPU exception: the panic report is the test
 *   memory                misuse both allocators: each misuse is refused,
 *                         reported and survived
 *   irq                   deliver an IRQ through a capability held by another
 *                         domain, then revoke it and see the binding end
 */
#include <stddef.h>
#include <karyon/cap.h>
#include <karyon/clog.h>
#include <karyon/console.h>
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/kmod.h>
#include <karyon/module.h>
#include <karyon/libc.h>
#include <karyon/vfs.h>
#include <karyon/service.h>
#include <krt/kheap.h>

#include "arch/x86_64/x86.h"
#include "cap/domain.h"
#include "kernel/klog.h"
#include "kernel/panic.h"
#include <krt/string.h>
#include "kernel/time.h"
#include "mm/pmm.h"

void selftest_run(const char *name);

/* End a test domain made with domain_init: every capability it holds goes. */
static void domain_end(struct kr_domain *d)
{
	cspace_destroy(&d->cs);
	d->magic = 0;
}

/* Recurse until the guard page below the stack stops it. */
static __attribute__((noinline)) int overflow(volatile int depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth >= 0)
		depth = overflow(depth + 1);
	return depth + pad[0];
}

static void memory(void)
{
	struct pmm_stats before, after;
	uint64_t pa;
	int on_stack;
	void *p = kmalloc(100);

	pmm_get_stats(&before);
	kfree(p);
	kfree(p);                               /* double free */
	kfree(&on_stack);                       /* not from the heap */
	kmalloc((size_t)1 << 40);               /* exhaustion */
	if (pmm_alloc(1, &pa) == KR_OK) {
		pmm_free(pa, 1);
		kprintf("selftest: pmm double free: %s\n", kr_strerror(pmm_free(pa, 1)));
	}
	kprintf("selftest: pmm foreign free: %s\n", kr_strerror(pmm_free(0x1000, 1)));
	kprintf("selftest: pmm exhaustion: %s\n",
		kr_strerror(pmm_alloc(before.total_pages + 1, &pa)));
	pmm_get_stats(&after);
	kprintf("selftest: free pages %llu before, %llu after\n",
		(unsigned long long)before.free_pages, (unsigned long long)after.free_pages);
}

static volatile uint64_t irq_seen;

static void count_irq(void *ctx, unsigned line)
{
	(void)ctx;
	(void)line;
	irq_seen++;
}

/* Wait (interrupts on) for up to `ticks` timer ticks (TIME_HZ a second)
 * or until irq_seen >= n. */
static void wait_irqs(uint64_t n, uint64_t ticks)
{
	uint64_t end = kr_uptime_us() + ticks * (1000000 / TIME_HZ);

	while (irq_seen < n && kr_uptime_us() < end)
		__asm__ volatile("hlt");
}

/* PIT channel 0 at 1 kHz on IRQ 0, bound from a second domain through a
 * capability derived from the kernel's. */
static void irq(void)
{
	static struct kr_domain dom;
	kr_cap_t kcap = 0, ucap;
	struct kr_cap_info info;
	uint64_t after_revoke;

	for (kr_cap_t c = 0; c < 64; c++) {     /* the kernel's IRQ 0 capability */
		kr_cap_t h = (1u << 16) | c;

		if (kr_cap_info(&kernel_domain, h, &info) == KR_OK &&
		    info.type == KR_OBJ_IRQ && info.base == 0) {
			kcap = h;
			break;
		}
	}
	if (!kcap || domain_init(&dom, "selftest", 16) != KR_OK) {
		kprintf("selftest: irq: setup failed\n");
		return;
	}
	kprintf("selftest: derive with a right the kernel lacks: %s\n",
		kr_strerror(kr_cap_derive(&kernel_domain, kcap, &dom,
					  KR_RIGHT_BIND | KR_RIGHT_WRITE, &ucap)));
	kr_cap_derive(&kernel_domain, kcap, &dom, KR_RIGHT_BIND, &ucap);
	outb(0x43, 0x34);                       /* ch0, lo/hi, rate generator */
	outb(0x40, 1193 & 0xff);
	outb(0x40, 1193 >> 8);
	kprintf("selftest: bind irq 0 in domain selftest: %s\n",
		kr_strerror(kr_irq_bind(&dom, ucap, count_irq, NULL)));
	kprintf("selftest: bind irq 0 again from the kernel: %s\n",
		kr_strerror(kr_irq_bind(&kernel_domain, kcap, count_irq, NULL)));
	wait_irqs(20, 100);
	kprintf("selftest: irq 0 delivered %llu times through capability %#x (count %llu)\n",
		(unsigned long long)irq_seen, ucap, (unsigned long long)irq_count(0));
	kprintf("selftest: revoke: %s\n", kr_strerror(kr_cap_revoke(&kernel_domain, kcap)));
	after_revoke = irq_seen;
	kprintf("selftest: stale capability: %s\n", kr_strerror(kr_irq_bind(&dom, ucap, count_irq, NULL)));
	wait_irqs(after_revoke + 1, 10);
	kprintf("selftest: after revoke: %llu more\n", (unsigned long long)(irq_seen - after_revoke));
	kprintf("selftest: revoke again: %s\n", kr_strerror(kr_cap_revoke(&kernel_domain, kcap)));
	domain_end(&dom);
}

#define SAY(what, call) kprintf("selftest: %s: %s\n", what, kr_strerror(call))

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	kprintf("%s\n", line);
}

static kr_cap_t kernel_cap(uint32_t type)
{
	struct kr_cap_info info;

	for (kr_cap_t c = 0; c < 256; c++)
		if (kr_cap_info(&kernel_domain, (1u << 16) | c, &info) == KR_OK && info.type == type)
			return (1u << 16) | c;
	return KR_CAP_NULL;
}

/* Raw pages, services and I/O ports through the ABI, from a second domain. */
static void caps(void)
{
	static struct kr_domain dom;
	static const struct kr_ops_header demo = { KR_OPS_MAGIC, 2, sizeof(demo), 0 };
	const struct kr_ops_header *ops = NULL;
	struct kr_mem_stats before, after;
	kr_cap_t pc, ro, sc, uc, io, sub, rdo, extra[8];
	uint32_t v = 0;
	void *va = NULL, *va2;

	kr_mem_stats(&before);
	if (domain_init(&dom, "selftest", 4) != KR_OK)
		return;
	SAY("page alloc 4", kr_page_alloc(&kernel_domain, 4, &pc));
	SAY("map writable", kr_page_map(&kernel_domain, pc, KR_RIGHT_READ | KR_RIGHT_WRITE, &va));
	((volatile char *)va)[4095] = 42;
	SAY("map twice", kr_page_map(&kernel_domain, pc, KR_RIGHT_READ, &va2));
	SAY("derive read-only", kr_cap_derive(&kernel_domain, pc, &dom, KR_RIGHT_READ, &ro));
	SAY("map read-only cap writable", kr_page_map(&dom, ro, KR_RIGHT_WRITE, &va2));
	SAY("map read-only cap", kr_page_map(&dom, ro, KR_RIGHT_READ, &va2));
	kprintf("selftest: same pages: %s\n",
		((volatile char *)va2)[4095] == 42 ? "yes" : "no");
	SAY("map writable and executable", kr_page_map(&kernel_domain, ro, KR_RIGHT_WRITE | KR_RIGHT_EXEC, &va2));
	for (int i = 0; i < 3; i++)             /* slots 2..4 of 4 */
		kr_cap_derive(&kernel_domain, pc, &dom, KR_RIGHT_READ, &extra[i]);
	SAY("slot 5 of 4", kr_cap_derive(&kernel_domain, pc, &dom, KR_RIGHT_READ, &extra[3]));
	SAY("delete original", kr_cap_delete(&kernel_domain, pc));
	SAY("revoke unrelated", kr_cap_revoke(&dom, ro));
	domain_end(&dom);
	domain_init(&dom, "selftest", 8);

	SAY("publish demo v2", kr_service_publish(&kernel_domain, "demo", &demo, &sc));
	SAY("publish demo again", kr_service_publish(&kernel_domain, "demo", &demo, &extra[0]));
	SAY("publish bad name", kr_service_publish(&kernel_domain, "Demo!", &demo, &extra[0]));
	SAY("open demo v1", kr_service_open(&dom, "demo", 1, &uc));
	SAY("open demo v3", kr_service_open(&dom, "demo", 3, &extra[0]));
	SAY("open nothing", kr_service_open(&dom, "nothing", 1, &extra[0]));
	SAY("call ops", kr_service_ops(&dom, uc, &ops));
	kprintf("selftest: ops version %u\n", ops ? ops->version : 0);
	SAY("unpublish in use", kr_service_unpublish(&kernel_domain, sc));
	SAY("unpublish by a user", kr_service_unpublish(&dom, uc));
	SAY("revoke users", kr_cap_revoke(&kernel_domain, sc));
	SAY("unpublish", kr_service_unpublish(&kernel_domain, sc));
	SAY("open after unpublish", kr_service_open(&dom, "demo", 1, &extra[0]));

	io = kernel_cap(KR_OBJ_IOPORT);
	SAY("ioport COM1 scratch", kr_ioport_sub(&kernel_domain, io, 0x3ff, 1,
						 KR_RIGHT_READ | KR_RIGHT_WRITE, &sub));
	SAY("write scratch", kr_io_write(&kernel_domain, sub, 0x3ff, 1, 0x5a));
	SAY("read scratch", kr_io_read(&kernel_domain, sub, 0x3ff, 1, &v));
	kprintf("selftest: scratch holds %#x\n", v);
	SAY("read outside", kr_io_read(&kernel_domain, sub, 0x3fe, 1, &v));
	SAY("read 2 bytes at the end", kr_io_read(&kernel_domain, sub, 0x3ff, 2, &v));
	SAY("read-only sub-range", kr_ioport_sub(&kernel_domain, sub, 0x3ff, 1, KR_RIGHT_READ, &rdo));
	SAY("write through it", kr_io_write(&kernel_domain, rdo, 0x3ff, 1, 0));
	SAY("widen a sub-range", kr_ioport_sub(&kernel_domain, sub, 0x3fe, 2, KR_RIGHT_READ, &extra[0]));
	/* sub's, not the port space's: the console module holds COM1's ports. */
	SAY("revoke sub-ranges", kr_cap_revoke(&kernel_domain, sub));
	SAY("use revoked", kr_io_read(&kernel_domain, rdo, 0x3ff, 1, &v));
	kr_cap_delete(&kernel_domain, sub);
	domain_end(&dom);
	kr_cap_dump(&kernel_domain, KR_CAP_NULL, print_line, NULL);
	kr_mem_stats(&after);
	/* The heap keeps pages it carved into small blocks: count them as free. */
	kprintf("selftest: pages free or cached %llu before, %llu after; heap blocks %llu before, %llu after\n",
		(unsigned long long)(before.free_pages + before.heap_pages),
		(unsigned long long)(after.free_pages + after.heap_pages),
		(unsigned long long)before.heap_blocks, (unsigned long long)after.heap_blocks);
}

/* Print what a call returned, and the reason the callee gave in why[]. */
#define TRY(what, call) do { why[0] = 0; kr_err_t r_ = (call); \
	kprintf("selftest: %s: %s%s%s\n", what, kr_strerror(r_), why[0] ? ": " : "", why); } while (0)

static const struct kr_kmod_ops *kmod_service(struct kr_domain *dom)
{
	const struct kr_ops_header *ops = NULL;
	kr_cap_t sc;

	if (kr_service_open(dom, "kmod", KR_KMOD_SERVICE_VERSION, &sc) == KR_OK)
		kr_service_ops(dom, sc, &ops);
	return (const struct kr_kmod_ops *)ops;
}

/* The bytes of the boot module called name, mapped read-only into dom. */
static const uint8_t *boot_file(struct kr_domain *dom, const char *name, size_t *size)
{
	struct kr_boot_module_info bi;
	kr_cap_t cap;
	void *va;

	for (uint32_t i = 0; kr_boot_module(dom, i, &cap, &bi) == KR_OK; i++) {
		if (!strcmp(bi.name, name) && kr_page_map(dom, cap, KR_RIGHT_READ, &va) == KR_OK) {
			*size = bi.size;
			return (const uint8_t *)va + bi.offset;
		}
		kr_cap_delete(dom, cap);
	}
	return NULL;
}

static void lsmod(const struct kr_kmod_ops *k)
{
	struct kr_kmod_entry e;

	for (uint32_t i = 0; k->get(i, &e) == KR_OK; i++)
		kprintf("selftest: lsmod: %s %u.%u.%u users %u [%s]\n", e.name,
			e.module_version >> 16, (e.module_version >> 8) & 0xff,
			e.module_version & 0xff, e.users, e.used_by);
}

/* Loads kmod must refuse before anything changes (the boot modules kmod,
 * dupexport, badname, with hello loaded), and what memory they leave. */
static void refusals(struct kr_domain *dom, const struct kr_kmod_ops *k)
{
	static const char *const names[] = { "kmod", "dupexport", "badname" };
	struct kr_mem_stats before, after;
	const uint8_t *file;
	size_t size = 0;
	char what[32], why[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(file = boot_file(dom, names[i], &size)))
			continue;
		ksnprintf(what, sizeof(what), "load %s", names[i]);
		kr_mem_stats(&before);
		TRY(what, k->load(file, size, names[i], why, sizeof(why)));
		kr_mem_stats(&after);
		kprintf("selftest: refused %s: pages free or cached %llu before, %llu after; "
			"heap blocks %llu before, %llu after\n", names[i],
			(unsigned long long)(before.free_pages + before.heap_pages),
			(unsigned long long)(after.free_pages + after.heap_pages),
			(unsigned long long)before.heap_blocks, (unsigned long long)after.heap_blocks);
	}
}

/* Booted with hello and hello_user as boot modules (kmod loaded both). */
static void kmod_cycles(void)
{
	static struct kr_domain dom;
	const struct kr_kmod_ops *k;
	const uint8_t *hello, *user, *failing;
	size_t hsize = 0, usize = 0, fsize = 0;
	kr_cap_t sc;
	struct kr_mem_stats before, after;
	char why[128];
	int ok = 0;

	if (domain_init(&dom, "selftest", 16) != KR_OK || !(k = kmod_service(&dom)) ||
	    !(hello = boot_file(&dom, "hello", &hsize)) || !(user = boot_file(&dom, "hello_user", &usize))) {
		kprintf("selftest: kmod: setup failed\n");
		return;
	}
	lsmod(k);
	TRY("unload hello", k->unload("hello", why, sizeof(why)));
	TRY("load hello again", k->load(hello, hsize, "hello", why, sizeof(why)));
	TRY("unload hello_user", k->unload("hello_user", why, sizeof(why)));
	TRY("unload hello", k->unload("hello", why, sizeof(why)));
	TRY("load hello_user alone", k->load(user, usize, "hello_user", why, sizeof(why)));
	TRY("load truncated", k->load(hello, hsize / 2, "half", why, sizeof(why)));
	kr_mem_stats(&before);
	klog_set_console_level(KR_LOG_WARN);      /* 1000 hello/goodbye pairs */
	for (int i = 0; i < 1000; i++)
		ok += k->load(hello, hsize, "hello", NULL, 0) == KR_OK &&
		      k->unload("hello", NULL, 0) == KR_OK;
	klog_set_console_level(KR_LOG_INFO);
	kr_mem_stats(&after);
	kprintf("selftest: %d of 1000 load/unload cycles; pages free or cached %llu before, %llu after; "
		"heap blocks %llu before, %llu after\n", ok,
		(unsigned long long)(before.free_pages + before.heap_pages),
		(unsigned long long)(after.free_pages + after.heap_pages),
		(unsigned long long)before.heap_blocks, (unsigned long long)after.heap_blocks);
	TRY("load hello", k->load(hello, hsize, "hello", why, sizeof(why)));
	TRY("load hello_user", k->load(user, usize, "hello_user", why, sizeof(why)));
	lsmod(k);
	refusals(&dom, k);
	failing = boot_file(&dom, "failinit", &fsize);
	if (!failing)
		return;
	kr_mem_stats(&before);
	TRY("load failinit", k->load(failing, fsize, "failinit", why, sizeof(why)));
	kr_mem_stats(&after);
	kprintf("selftest: failed init: pages free or cached %llu before, %llu after; "
		"heap blocks %llu before, %llu after\n",
		(unsigned long long)(before.free_pages + before.heap_pages),
		(unsigned long long)(after.free_pages + after.heap_pages),
		(unsigned long long)before.heap_blocks, (unsigned long long)after.heap_blocks);
	TRY("open its service", kr_service_open(&dom, "failinit", 1, &sc));
	TRY("unload failinit", k->unload("failinit", why, sizeof(why)));
}

/* insmod + init of hello, and rmmod, in TSC cycles: guest instructions
 * under QEMU -icount shift=0 (tools/bench_kmod.py). */
static void kmod_bench(void)
{
	static struct kr_domain dom;
	uint64_t load[21], unload[21], t;
	const struct kr_kmod_ops *k;
	const uint8_t *hello;
	size_t hsize = 0;

	if (domain_init(&dom, "selftest", 16) != KR_OK || !(k = kmod_service(&dom)) ||
	    !(hello = boot_file(&dom, "hello", &hsize))) {
		kprintf("bench: setup failed\n");
		return;
	}
	klog_set_console_level(KR_LOG_WARN);
	for (int i = 0; i < 21; i++) {
		t = rdtsc();
		k->load(hello, hsize, "hello", NULL, 0);
		load[i] = rdtsc() - t;
		t = rdtsc();
		k->unload("hello", NULL, 0);
		unload[i] = rdtsc() - t;
	}
	klog_set_console_level(KR_LOG_INFO);
	for (int i = 1; i < 21; i++)            /* insertion sort, for the median */
		for (int j = i; j > 0 && load[j] < load[j - 1]; j--) {
			t = load[j], load[j] = load[j - 1], load[j - 1] = t;
			t = unload[j], unload[j] = unload[j - 1], unload[j - 1] = t;
		}
	kprintf("bench: insmod+init hello (%zu bytes): median %llu min %llu TSC cycles; "
		"rmmod with it %llu\n", hsize, (unsigned long long)load[10],
		(unsigned long long)load[0], (unsigned long long)unload[10]);
}

static kr_err_t print_entry(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	(void)ctx;
	kprintf("selftest: ls: %s %s %llu\n", st->type == KR_VFS_DIR ? "dir" : "file", name,
		(unsigned long long)st->size);
	return KR_OK;
}

/* The initrd through the vfs service, and a module loaded from it. */
static void vfs_test(void)
{
	static struct kr_domain dom;
	const struct kr_ops_header *h = NULL;
	const struct kr_vfs_ops *v;
	const struct kr_kmod_ops *k;
	struct kr_vfs_stat st;
	uint8_t digest[32], buf[16];
	char why[128], hex[65];
	size_t got = 0;
	kr_cap_t sc;
	void *file;

	if (domain_init(&dom, "selftest", 16) != KR_OK ||
	    kr_service_open(&dom, "vfs", KR_VFS_SERVICE_VERSION, &sc) != KR_OK ||
	    kr_service_ops(&dom, sc, &h) != KR_OK || !(k = kmod_service(&dom))) {
		kprintf("selftest: vfs: setup failed\n");
		return;
	}
	v = (const struct kr_vfs_ops *)h;
	v->list(NULL, "/lib/modules", print_entry, NULL);
	TRY("stat hello.kmod", v->stat("/lib", "modules/../modules/./hello.kmod", &st));
	file = kr_malloc(&dom, st.size);
	TRY("read hello.kmod", file ? v->read(NULL, "/lib/modules/hello.kmod", 0, file, st.size, &got)
				    : KR_ENOMEM);
	kr_blake2b_256(digest, file, got);
	for (int i = 0; i < 32; i++)
		ksnprintf(hex + 2 * i, 3, "%02x", digest[i]);
	kprintf("selftest: hello.kmod: %zu bytes, blake2b-256 %s\n", got, hex);
	TRY("unload hello_user", k->unload("hello_user", why, sizeof(why)));
	TRY("unload hello", k->unload("hello", why, sizeof(why)));
	TRY("insmod /lib/modules/hello.kmod", k->load(file, got, "/lib/modules/hello.kmod", why,
						      sizeof(why)));
	kr_free(&dom, file);
	TRY("write /tmp/note", v->write(NULL, "/tmp/note", "one", 3, false));
	TRY("mkdir -p /tmp/a/b", v->mkdir(NULL, "/tmp/a/b", true));
	TRY("write /tmp/note", v->write(NULL, "/tmp/note", "one", 3, false));
	TRY("append /tmp/note", v->write("/tmp", "note", "+two", 4, true));
	TRY("read /tmp/note", v->read(NULL, "/tmp/note", 0, buf, sizeof(buf) - 1, &got));
	buf[got] = 0;
	kprintf("selftest: /tmp/note holds '%s'\n", (const char *)buf);
	TRY("rmdir /tmp (not empty)", v->remove(NULL, "/tmp", false));
	TRY("cat a directory", v->read(NULL, "/tmp/a", 0, buf, 1, &got));
	TRY("stat a missing file", v->stat(NULL, "/nope", &st));
	TRY("rm -r /tmp", v->remove(NULL, "/tmp", true));
}

/* The vfs as the commit log's part (state.vfs) under a stand-in gateway
 * that checks and applies at once and keeps the records, so that they can
 * be replayed onto genesis after a reset: the tree must come back the same,
 * mtimes included, without a word to the watchers. */
#define ST_RECS 16
static const struct kr_state_ops *st_ops;
static struct { const char *kind; uint32_t len; uint8_t payload[64]; } st_rec[ST_RECS];
static unsigned st_n;

static kr_err_t st_gate_commit(const char *kind, const void *payload, uint32_t len,
			       uint64_t *seq, char *err, size_t errlen)
{
	struct kr_commit c = { 1, len, 0, kind, payload };
	void *stage = NULL;
	kr_err_t r = st_ops->check(&c, &stage, err, errlen);

	kprintf("selftest: gate: %s %s (%u bytes): %s\n", kind, (const char *)payload, len,
		kr_strerror(r));
	if (r)
		return r;
	if (st_n < ST_RECS && len <= sizeof(st_rec[0].payload)) {
		st_rec[st_n].kind = kind;
		st_rec[st_n].len = len;
		memcpy(st_rec[st_n++].payload, payload, len);
	}
	c.seq = st_n;
	if (seq)
		*seq = c.seq;
	return st_ops->apply(NULL, &c, stage, 0, err, errlen);
}

static kr_err_t st_gate_status(struct kr_clog_status *out)
{
	(void)out;
	return KR_ENOSYS;
}

static const struct kr_gate_ops st_gate = {
	.hdr = { KR_OPS_MAGIC, KR_CLOG_SERVICE_VERSION, sizeof(struct kr_gate_ops), 0 },
	.commit = st_gate_commit, .status = st_gate_status,
};

static void st_watch(void *ctx, uint32_t change, const char *path)
{
	(void)ctx;
	kprintf("selftest: watch: %u %s\n", change, path);
}

/* A root over every item: BLAKE2b-256 of the (name, digest) pairs. */
static uint8_t st_items_buf[32768];  /* every item of the dev initrd, with room to grow */
static size_t st_items_len;
static unsigned st_items_n;

static kr_err_t st_item(void *ctx, const char *name, const uint8_t digest[32])
{
	size_t n = strlen(name) + 1;

	(void)ctx;
	st_items_n++;
	if (st_items_len + n + 32 > sizeof(st_items_buf))
		return KR_ENOSPC;
	memcpy(st_items_buf + st_items_len, name, n);
	memcpy(st_items_buf + st_items_len + n, digest, 32);
	st_items_len += n + 32;
	return KR_OK;
}

static void st_root(const char *when)
{
	uint8_t root[32];
	char hex[17];
	kr_err_t r;

	st_items_len = st_items_n = 0;
	r = st_ops->items(NULL, st_item, NULL);
	kr_blake2b_256(root, st_items_buf, st_items_len);
	for (int i = 0; i < 8; i++)
		ksnprintf(hex + 2 * i, 3, "%02x", root[i]);
	kprintf("selftest: root %s: %u items, %s: %s\n", when, st_items_n, hex, kr_strerror(r));
}

static void vfs_state_test(void)
{
	static struct kr_domain dom;
	const struct kr_ops_header *h = NULL, *sh = NULL;
	const struct kr_vfs_ops *v;
	struct kr_vfs_stat st;
	char why[128], buf[16];
	size_t got = 0;
	kr_cap_t sc, stc;
	void *view;

	if (domain_init(&dom, "selftest", 16) != KR_OK ||
	    kr_service_open(&dom, "vfs", KR_VFS_SERVICE_VERSION, &sc) != KR_OK ||
	    kr_service_ops(&dom, sc, &h) != KR_OK ||
	    kr_service_open(&dom, "state.vfs", KR_STATE_SERVICE_VERSION, &stc) != KR_OK ||
	    kr_service_ops(&dom, stc, &sh) != KR_OK) {
		kprintf("selftest: vfsstate: setup failed\n");
		return;
	}
	v = (const struct kr_vfs_ops *)h;
	st_ops = (const struct kr_state_ops *)sh;
	kprintf("selftest: state service: part %s, version %u\n", st_ops->part, st_ops->hdr.version);
	v->watch(&dom, st_watch, NULL);
	st_root("at genesis");
	TRY("attach", st_ops->attach(&st_gate));
	TRY("mkdir -p state/sub", v->mkdir("/lib", "../state/sub", true));
	TRY("write /state/f", v->write("/state", "f", "abc", 3, false));
	TRY("write /nope/f", v->write(NULL, "/nope/f", "x", 1, false));
	TRY("rmdir /state", v->remove(NULL, "/state", false));
	TRY("mv /state/f /state/sub", v->rename(NULL, "/state/f", "/state/sub"));
	TRY("cp /state/sub/f /state/g", v->copy(NULL, "/state/sub/f", "/state/g"));
	st_root("after the commits");

	view = st_ops->view_new(NULL);
	TRY("mount one", view ? st_ops->view_mount(view, "one") : KR_ENOMEM);
	TRY("append /state/g", v->write(NULL, "/state/g", "+", 1, true));
	TRY("read /ckpt/one/state/g", v->read("/ckpt", "one/state/g", 0, buf, sizeof(buf) - 1, &got));
	buf[got] = 0;
	kprintf("selftest: /ckpt/one/state/g holds '%s'\n", buf);
	v->list(NULL, "/ckpt", print_entry, NULL);
	TRY("write /ckpt/one/x", v->write(NULL, "/ckpt/one/x", "x", 1, false));
	TRY("cp /state/g /ckpt/one", v->copy(NULL, "/state/g", "/ckpt/one"));
	TRY("cp /ckpt/one/state/g /state/sub", v->copy("/ckpt/one", "state/g", "/state/sub"));
	TRY("read /state/sub/g", v->read(NULL, "/state/sub/g", 0, buf, sizeof(buf) - 1, &got));
	buf[got] = 0;
	kprintf("selftest: /state/sub/g holds '%s'\n", buf);
	TRY("cp /ckpt/one/state /x", v->copy(NULL, "/ckpt/one/state", "/x"));
	TRY("unmount one", st_ops->view_mount(NULL, "one"));
	st_ops->view_free(view);
	TRY("stat /ckpt", v->stat(NULL, "/ckpt", &st));
	st_root("at the end");
	TRY("stat /state/g", v->stat(NULL, "/state/g", &st));
	kprintf("selftest: /state/g mtime %llu\n", (unsigned long long)st.mtime);

	TRY("reset", st_ops->reset(why, sizeof(why)));
	TRY("stat /state", v->stat(NULL, "/state", &st));
	st_root("after the reset");
	kprintf("selftest: replaying %u records\n", st_n);
	for (unsigned i = 0; i < st_n; i++) {
		struct kr_commit c = { 1, st_rec[i].len, i + 1, st_rec[i].kind, st_rec[i].payload };

		why[0] = 0;
		if (st_ops->apply(NULL, &c, NULL, KR_APPLY_REPLAY, why, sizeof(why)))
			kprintf("selftest: replay %u: %s\n", i + 1, why);
	}
	st_root("after the replay");
	TRY("stat /state/g", v->stat(NULL, "/state/g", &st));
	kprintf("selftest: /state/g mtime %llu\n", (unsigned long long)st.mtime);

	TRY("detach", st_ops->attach(NULL));
	TRY("rm -r /state", v->remove(NULL, "/state", true));
	v->watch(&dom, NULL, NULL);
	kprintf("selftest: vfsstate: %u records\n", st_n);
}

/* Console input through an idle hook: lines typed by the test harness are
 * reported (length and start); after the second, QEMU exits. */
static struct kr_domain con_dom;
static char con_line[8192];
static size_t con_len;
static int con_lines;

static void console_hook(void *ctx)
{
	char buf[256];
	size_t n;

	(void)ctx;
	while ((n = kr_console_read(&con_dom, buf, sizeof(buf), NULL)) > 0)
		for (size_t i = 0; i < n; i++) {
			if (buf[i] != '\r' && buf[i] != '\n') {
				if (con_len < sizeof(con_line) - 1)
					con_line[con_len++] = buf[i];
				continue;
			}
			con_line[con_len] = 0;
			kprintf("selftest: console line %zu bytes: %.20s\n", con_len, con_line);
			con_len = 0;
			if (++con_lines == 2)
				platform_exit(KR_EXIT_OK);
		}
}

static void console_test(void)
{
	static struct kr_domain other;
	kr_err_t err;

	if (domain_init(&con_dom, "selftest", 4) != KR_OK || domain_init(&other, "other", 4) != KR_OK)
		return;
	kprintf("selftest: claim: %s\n", kr_strerror(kr_console_claim(&con_dom)));
	kprintf("selftest: second claim: %s\n", kr_strerror(kr_console_claim(&other)));
	kr_console_read(&other, con_line, 1, &err);
	kprintf("selftest: read without the claim: %s\n", kr_strerror(err));
	kprintf("selftest: idle hook: %s\n", kr_strerror(kr_idle_hook(&con_dom, console_hook, NULL)));
	kprintf("selftest: console ready\n");
}

/* The kernel domain's capabilities and the page and heap counts. */
static void dump(void)
{
	struct kr_mem_stats st;

	kr_cap_dump(&kernel_domain, KR_CAP_NULL, print_line, NULL);
	kr_mem_stats(&st);
	kprintf("mem: %llu of %llu pages free; heap %llu bytes in %llu blocks on %llu pages\n",
		(unsigned long long)st.free_pages, (unsigned long long)st.total_pages,
		(unsigned long long)st.heap_bytes, (unsigned long long)st.heap_blocks,
		(unsigned long long)st.heap_pages);
}

/* Booted with devtest_a and devtest_b as boot modules: kmod started a and
 * refused b, which needs the same IRQ line and ports.  COM1's line is the
 * built-in console module's, and as exclusive as a loaded driver's. */
static void devices(void)
{
	static const struct kr_need needs[KR_MODULE_NEEDS_MAX] = { KR_NEED_IRQ(5) };
	static const struct kr_need com1[KR_MODULE_NEEDS_MAX] = { KR_NEED_IRQ(4) };
	static struct kr_domain dom, drv;
	const struct kr_kmod_ops *k;
	const uint8_t *a, *b;
	struct kr_mem_stats before, after;
	size_t na = 0, nb = 0;
	char why[128];

	if (domain_init(&dom, "selftest", 8) != KR_OK || !(k = kmod_service(&dom)) ||
	    !(a = boot_file(&dom, "devtest_a", &na)) || !(b = boot_file(&dom, "devtest_b", &nb))) {
		kprintf("selftest: devices: needs kmod and the devtest_a, devtest_b boot modules\n");
		return;
	}
	TRY("grant without the devices capability",
	    kr_module_grant(&dom, KR_CAP_NULL, &dom, needs, why, sizeof(why)));
	if (domain_init(&drv, "drv", 4) == KR_OK) {
		drv.creator = &kernel_domain;
		TRY("grant IRQ 4", kr_module_grant(&kernel_domain, devices_cap, &drv, com1, why,
						   sizeof(why)));
		domain_end(&drv);
	}
	TRY("load devtest_b", k->load(b, nb, "devtest_b", why, sizeof(why)));
	kr_mem_stats(&before);
	TRY("unload devtest_a", k->unload("devtest_a", why, sizeof(why)));
	TRY("load devtest_b", k->load(b, nb, "devtest_b", why, sizeof(why)));
	TRY("load devtest_a", k->load(a, na, "devtest_a", why, sizeof(why)));
	TRY("unload devtest_b", k->unload("devtest_b", why, sizeof(why)));
	TRY("load devtest_a", k->load(a, na, "devtest_a", why, sizeof(why)));
	kr_mem_stats(&after);
	kprintf("selftest: devices: pages free or cached %llu before, %llu after; heap blocks %llu before, %llu after\n",
		(unsigned long long)(before.free_pages + before.heap_pages),
		(unsigned long long)(after.free_pages + after.heap_pages),
		(unsigned long long)before.heap_blocks, (unsigned long long)after.heap_blocks);
}

static const char *const names[] = { "ud", "pf", "de", "gp", "overflow", "memory", "irq", "caps",
				     "kmod", "kmodbench", "vfs", "console", "dump", "devices",
				     "vfsstate" };

void selftest_run(const char *name)
{
	volatile int zero = 0, one = 1;
	volatile int *volatile null = NULL;
	unsigned i = 0;

	while (i < sizeof(names) / sizeof(names[0]) && strcmp(names[i], name))
		i++;
	switch (i) {
	case 0: __asm__ volatile("ud2"); break;
	case 1: null[2] = 1; break;
	case 2: zero = one / zero; break;
	case 3: __asm__ volatile("mov %0, %%ds" : : "r"(0x1230)); break;
	case 4: overflow(0); break;
	case 5: memory(); break;
	case 6: irq(); break;
	case 7: caps(); break;
	case 8: kmod_cycles(); break;
	case 9: kmod_bench(); break;
	case 10: vfs_test(); break;
	case 11: console_test(); break;
	case 12: dump(); break;
	case 13: devices(); break;
	case 14: vfs_state_test(); break;
	default:
		kprintf("selftest: unknown test '%s' (choices: ud pf de gp overflow memory irq caps kmod kmodbench vfs console dump devices vfsstate)\n",
			name);
	}
}
