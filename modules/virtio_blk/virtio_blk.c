/*
 * virtio_blk - a virtio 1.x block device on PCI (the modern interface,
 * virtio spec 4.1 and 5.2), offered as the "blk" service (<karyon/blk.h>).
 *
 * It claims the first virtio-blk function through the pci service, finds
 * the common, notify, ISR and device configuration structures through the
 * function's vendor capabilities, maps the BARs that hold them, negotiates
 * VERSION_1 (and FLUSH where the device has a write cache), and sets up one
 * split virtqueue (vq.c) whose memory, and every request's header, status
 * byte and data bounce buffer, are DMA pages of its own domain.
 *
 * A request is a chain of three descriptors: the header (type, sector),
 * the data, the status byte the device writes.  Up to QD requests are in
 * flight; each has a slot with its own DMA memory, so the caller's buffer
 * is copied in (writes) or out (reads) and never handed to the device.
 * Completions come by interrupt (INTx through the pci service): the
 * handler reads the ISR (which lowers the line), reaps the used ring,
 * copies reads out, sets each request's status and wakes the task that
 * waits.  A device that breaks the ring's rules (vq.c) or stops answering
 * is reset, every request in flight fails with KR_EIO, and the driver says
 * so and refuses further requests: it is never trusted into the kernel's
 * memory, which it reaches only through the slots' DMA pages.
 */
#include <karyon/blk.h>
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/pci.h>
#include <karyon/sched.h>
#include "vblk.h"
#include "vq.h"

#define VIRTIO_VENDOR   0x1af4
#define VIRTIO_BLK_ID   0x1042          /* modern: 0x1040 + device type 2 */
#define VIRTIO_BLK_OLD  0x1001          /* transitional: has the modern interface too */
#define QSIZE           128             /* descriptors we use, at most */
#define QD              16              /* requests in flight, at most */
#define MAX_SECTORS     64              /* per request: 32 KiB */
#define SECTOR          512
#define WAIT_TICKS      1000            /* 10 s without a completion: the device is stuck */

/* virtio PCI capability (virtio 4.1.4) */
#define CAP_VENDOR      0x09
#define CFG_COMMON      1
#define CFG_NOTIFY      2
#define CFG_ISR         3
#define CFG_DEVICE      4

/* common configuration (4.1.4.3) */
#define C_DFSELECT      0x00
#define C_DF            0x04
#define C_GFSELECT      0x08
#define C_GF            0x0c
#define C_STATUS        0x14
#define C_QSELECT       0x16
#define C_QSIZE         0x18
#define C_QMSIX         0x1a
#define C_QENABLE       0x1c
#define C_QNOTIFYOFF    0x1e
#define C_QDESC         0x20
#define C_QDRIVER       0x28
#define C_QDEVICE       0x30

#define S_ACK           1
#define S_DRIVER        2
#define S_DRIVER_OK     4
#define S_FEATURES_OK   8
#define S_FAILED        128

#define F_BLK_RO        (1ull << 5)
#define F_BLK_FLUSH     (1ull << 9)
#define F_VERSION_1     (1ull << 32)

#define T_IN            0
#define T_OUT           1
#define T_FLUSH         4

struct slot {
	struct kr_blk_req *req;         /* NULL: free */
	uint8_t *mem;                   /* header at 0, status at 16 */
	uint64_t mem_pa;
	uint8_t *data;                  /* MAX_SECTORS * SECTOR bytes */
	uint64_t data_pa;
	uint32_t waiter;                /* the task to wake, 0: none */
	int16_t head;                   /* its chain's head, -1: none */
};

struct vblk vblk;
static kr_domain_t *self;
static const struct kr_pci_ops *pci;
static const struct kr_sched_ops *sched;
static uint32_t claim;
static volatile uint8_t *common, *isr, *devcfg, *notify;
static struct vq q;
static struct slot slots[QD];
static uint32_t room_waiter;            /* a task waiting for a free slot */

static uint64_t irq_off(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) : : "memory");
	return f;
}

static void irq_restore(uint64_t f)
{
	if (f & (1u << 9))
		__asm__ volatile("sti" : : : "memory");
}

static uint8_t r8(volatile uint8_t *b, uint32_t off) { return *(volatile uint8_t *)(b + off); }
static uint16_t r16(volatile uint8_t *b, uint32_t off) { return *(volatile uint16_t *)(b + off); }
static uint32_t r32(volatile uint8_t *b, uint32_t off) { return *(volatile uint32_t *)(b + off); }
static void w8(volatile uint8_t *b, uint32_t off, uint8_t v) { *(volatile uint8_t *)(b + off) = v; }
static void w16(volatile uint8_t *b, uint32_t off, uint16_t v) { *(volatile uint16_t *)(b + off) = v; }
static void w32(volatile uint8_t *b, uint32_t off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }

static void w64(volatile uint8_t *b, uint32_t off, uint64_t v)
{
	w32(b, off, (uint32_t)v);
	w32(b, off + 4, (uint32_t)(v >> 32));
}

uint64_t vblk_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* ---- completions ---- */

static void wake(uint32_t task)
{
	if (task && sched)
		sched->wake(task);
}

static void finish(struct slot *s, kr_err_t status)
{
	struct kr_blk_req *r = s->req;

	if (r->op == KR_BLK_READ && status == KR_OK)
		memcpy(r->buf, s->data, (size_t)r->count * SECTOR);
	s->req = NULL;
	s->head = -1;
	vblk.done++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->status = status;
	wake(s->waiter);
	s->waiter = 0;
	wake(room_waiter);
}

/* The device broke a rule or stopped answering: reset it, fail what is in
 * flight, take nothing more.  Interrupts off. */
static void broken(const char *why)
{
	if (vblk.broken)
		return;
	vblk.broken = true;
	w8(common, C_STATUS, 0);                /* reset: it forgets the queue */
	kr_log(KR_LOG_ERR, "virtio_blk: the device %s: reset; its requests fail (reload the "
	       "driver to try again)\n", why);
	for (int i = 0; i < QD; i++)
		if (slots[i].req)
			finish(&slots[i], KR_EIO);
}

/* Reap every completion.  Interrupts off. */
static void reap(void)
{
	const char *why = NULL;
	uint16_t head;
	uint32_t len;
	int r;

	while (!vblk.broken && (r = vq_reap(&q, &head, &len, &why)) != 0) {
		struct slot *s = NULL;

		if (r < 0) {
			broken(why);
			return;
		}
		for (int i = 0; i < QD && !s; i++)
			if (slots[i].req && slots[i].head == head)
				s = &slots[i];
		if (!s) {
			broken("completed a request it was not given");
			return;
		}
		switch (s->mem[16]) {           /* VIRTIO_BLK_S_OK, IOERR, UNSUPP */
		case 0:
			/* it says how much it wrote: a read's data and the status byte */
			if (len < (s->req->op == KR_BLK_READ ? s->req->count * SECTOR + 1 : 1)) {
				vblk.errors++;
				kr_log(KR_LOG_ERR, "virtio_blk: the device completed a request at "
				       "sector %llu with %u bytes, short\n",
				       (unsigned long long)s->req->lba, len);
				finish(s, KR_EIO);
				break;
			}
			finish(s, KR_OK);
			break;
		case 1:
			vblk.errors++;
			kr_log(KR_LOG_ERR, "virtio_blk: I/O error at sector %llu\n",
			       (unsigned long long)s->req->lba);
			finish(s, KR_EIO);
			break;
		default:
			vblk.errors++;
			finish(s, KR_ENOSYS);
			break;
		}
	}
}

static void on_irq(void *ctx)
{
	uint64_t t0 = vblk_tsc();

	(void)ctx;
	if (!(r8(isr, 0) & 1))          /* reading it lowers the line; bit 0: the queue */
		return;
	vblk.irqs++;
	reap();
	vblk.tsc_irq += vblk_tsc() - t0;
}

/* ---- the service ---- */

static kr_err_t svc_info(struct kr_blk_info *out)
{
	if (!out)
		return KR_EINVAL;
	*out = (struct kr_blk_info){ .version = KR_BLK_INFO_VERSION, .sector_size = SECTOR,
		.sectors = vblk.sectors, .max_sectors = MAX_SECTORS, .queue_depth = QD,
		.flush = vblk.flush };
	memcpy(out->name, "virtio0", 8);
	ksnprintf(out->model, sizeof(out->model), "virtio-blk %04x:%04x%s", VIRTIO_VENDOR,
		  vblk.device, vblk.read_only ? ", read-only" : "");
	return KR_OK;
}

static kr_err_t check(struct kr_blk_req *r)
{
	if (r->version != KR_BLK_REQ_VERSION)
		return KR_EINVAL;
	if (r->op == KR_BLK_FLUSH)
		return r->count ? KR_EINVAL : KR_OK;
	if ((r->op != KR_BLK_READ && r->op != KR_BLK_WRITE) || !r->buf || !r->count ||
	    r->count > MAX_SECTORS)
		return KR_EINVAL;
	if (r->lba >= vblk.sectors || r->count > vblk.sectors - r->lba)
		return KR_ERANGE;
	if (r->op == KR_BLK_WRITE && vblk.read_only)
		return KR_EPERM;
	return KR_OK;
}

static kr_err_t svc_submit(struct kr_blk_req *r)
{
	struct slot *s = NULL;
	struct vq_buf b[3];
	unsigned n = 0;
	uint64_t f, t0 = vblk_tsc(), t1;
	kr_err_t e;
	int head;

	if (!r)
		return KR_EINVAL;
	e = check(r);
	if (!e && vblk.broken)
		e = KR_EIO;
	if (e) {
		r->status = e;
		return e;
	}
	for (int tries = 0;; tries++) {         /* a free slot, waiting for one if need be */
		f = irq_off();
		for (int i = 0; i < QD && !s; i++)
			if (!slots[i].req)
				s = &slots[i];
		if (s || vblk.broken)
			break;
		room_waiter = sched ? sched->self() : 0;
		irq_restore(f);
		if (!room_waiter || tries > 100) {
			r->status = KR_EBUSY;
			return KR_EBUSY;
		}
		sched->block(10);
	}
	if (!s) {
		irq_restore(f);
		r->status = KR_EIO;
		return KR_EIO;
	}
	s->req = r;                     /* taken, interrupts still off */
	irq_restore(f);
	memset(s->mem, 0, 17);
	*(uint32_t *)s->mem = r->op == KR_BLK_READ ? T_IN : r->op == KR_BLK_WRITE ? T_OUT : T_FLUSH;
	*(uint64_t *)(s->mem + 8) = r->op == KR_BLK_FLUSH ? 0 : r->lba;
	s->mem[16] = 0xff;
	b[n++] = (struct vq_buf){ s->mem_pa, 16, false };
	if (r->op != KR_BLK_FLUSH) {
		if (r->op == KR_BLK_WRITE)
			memcpy(s->data, r->buf, (size_t)r->count * SECTOR);
		b[n++] = (struct vq_buf){ s->data_pa, r->count * SECTOR, r->op == KR_BLK_READ };
	}
	b[n++] = (struct vq_buf){ s->mem_pa + 16, 1, true };
	r->status = KR_EINPROGRESS;
	f = irq_off();
	head = vblk.broken ? -1 : vq_post(&q, b, n);
	if (head < 0) {
		s->req = NULL;
		irq_restore(f);
		r->status = KR_EIO;
		return KR_EIO;
	}
	s->head = (int16_t)head;
	vblk.submitted++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);        /* the ring before the notify */
	t1 = vblk_tsc();
	w16(notify, 0, 0);
	vblk.tsc_notify += vblk_tsc() - t1;
	vblk.tsc_submit += vblk_tsc() - t0;
	irq_restore(f);
	return KR_OK;
}

static kr_err_t svc_wait(struct kr_blk_req *r)
{
	uint32_t me = sched ? sched->self() : 0;
	uint64_t f;

	if (!r)
		return KR_EINVAL;
	for (int waited = 0; r->status == KR_EINPROGRESS; waited++) {
		f = irq_off();
		for (int i = 0; i < QD; i++)
			if (slots[i].req == r)
				slots[i].waiter = me;
		if (r->status == KR_EINPROGRESS && waited >= WAIT_TICKS)
			broken("did not complete a request in 10 s");
		irq_restore(f);
		if (r->status != KR_EINPROGRESS)
			break;
		if (me)
			sched->block(1);        /* the interrupt wakes us; a tick at most */
		else
			__asm__ volatile("sti; hlt" : : : "memory");
		if (!me || vblk.irqs == 0) {    /* no interrupt yet: look ourselves */
			f = irq_off();
			reap();
			irq_restore(f);
		}
	}
	return r->status;
}

static const struct kr_blk_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_BLK_VERSION, sizeof(struct kr_blk_ops), 0 },
	.info = svc_info, .submit = svc_submit, .wait = svc_wait,
};

kr_err_t vblk_io(uint32_t op, uint64_t lba, uint32_t count, void *buf)
{
	struct kr_blk_req r = { KR_BLK_REQ_VERSION, op, lba, count, 0, buf, { 0, 0 } };
	kr_err_t e = svc_submit(&r);

	return e ? e : svc_wait(&r);
}

const struct kr_blk_ops *vblk_ops(void)
{
	return &ops;
}

/* ---- finding and starting the device ---- */

/* The vendor capabilities: map the BAR each structure lives in. */
static kr_err_t find_structures(char *why, size_t whysz)
{
	uint32_t status = 0, ptr = 0, hdr = 0, bar, off = 0, len = 0, mult = 0, w = 0;
	volatile void *va;
	uint64_t blen;
	kr_err_t e;

	pci->cfg_read(claim, 0x06, 2, &status);
	if (status & 0x10)
		pci->cfg_read(claim, 0x34, 1, &ptr);
	for (int n = 0; ptr >= 0x40 && ptr <= 0x100 - 20 && n < 48; n++) {
		if (pci->cfg_read(claim, ptr, 4, &hdr))
			break;
		if ((hdr & 0xff) == CAP_VENDOR) {
			uint32_t type = hdr >> 24;
			volatile uint8_t **dst = type == CFG_COMMON ? &common : type == CFG_NOTIFY ?
						 &notify : type == CFG_ISR ? &isr :
						 type == CFG_DEVICE ? &devcfg : NULL;

			if (pci->cfg_read(claim, ptr + 4, 4, &w) ||
			    pci->cfg_read(claim, ptr + 8, 4, &off) ||
			    pci->cfg_read(claim, ptr + 12, 4, &len) ||
			    (type == CFG_NOTIFY && pci->cfg_read(claim, ptr + 16, 4, &mult)))
				break;
			bar = w & 0xff;
			if (dst && !*dst && bar < KR_PCI_BARS) {
				e = pci->map_bar(claim, bar, &va, &blen);
				if (e || off > blen || len > blen - off) {
					ksnprintf(why, whysz, "structure %u in BAR %u (%#x+%u) %s", type,
						  bar, off, len, e ? kr_strerror(e) : "outside it");
					return e ? e : KR_EFORMAT;
				}
				*dst = (volatile uint8_t *)va + off;
				if (type == CFG_NOTIFY) {
					vblk.notify_mult = mult;
					vblk.notify_len = len;
				}
			}
		}
		ptr = hdr >> 8 & 0xfc;
	}
	if (!common || !notify || !isr || !devcfg) {
		ksnprintf(why, whysz, "no modern virtio structures (common %s, notify %s, isr %s, "
			  "device %s)", common ? "yes" : "no", notify ? "yes" : "no",
			  isr ? "yes" : "no", devcfg ? "yes" : "no");
		return KR_ENOENT;
	}
	return KR_OK;
}

static void *dma(size_t pages, uint64_t *pa)
{
	kr_cap_t c;
	void *va = NULL;

	if (kr_dma_alloc(self, pages, 0, &c) != KR_OK)
		return NULL;
	if (kr_page_map(self, c, KR_RIGHT_READ | KR_RIGHT_WRITE, &va) != KR_OK ||
	    kr_page_phys(self, c, pa) != KR_OK)
		return NULL;
	return va;
}

static kr_err_t start(char *why, size_t whysz)
{
	uint64_t features, pa_q, pa, pa_h;
	uint32_t n;
	uint8_t *qmem, *hdrs, *data;

	w8(common, C_STATUS, 0);
	for (int i = 0; i < 1000 && r8(common, C_STATUS); i++)
		;
	w8(common, C_STATUS, S_ACK);
	w8(common, C_STATUS, S_ACK | S_DRIVER);
	w32(common, C_DFSELECT, 0);
	features = r32(common, C_DF);
	w32(common, C_DFSELECT, 1);
	features |= (uint64_t)r32(common, C_DF) << 32;
	if (!(features & F_VERSION_1)) {
		ksnprintf(why, whysz, "it does not offer VIRTIO_F_VERSION_1");
		return KR_ENOSYS;
	}
	vblk.flush = (features & F_BLK_FLUSH) != 0;
	vblk.read_only = (features & F_BLK_RO) != 0;
	features &= F_VERSION_1 | F_BLK_FLUSH | F_BLK_RO;
	w32(common, C_GFSELECT, 0);
	w32(common, C_GF, (uint32_t)features);
	w32(common, C_GFSELECT, 1);
	w32(common, C_GF, (uint32_t)(features >> 32));
	w8(common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(r8(common, C_STATUS) & S_FEATURES_OK)) {
		ksnprintf(why, whysz, "it did not accept our features");
		return KR_ENOSYS;
	}
	w16(common, C_QSELECT, 0);
	n = r16(common, C_QSIZE);
	if (!n || n > 32768 || (n & (n - 1))) {        /* the device is input too */
		ksnprintf(why, whysz, "queue 0 has an impossible size %u", n);
		return KR_EFORMAT;
	}
	n = n < QSIZE ? n : QSIZE;
	if (!vq_size_ok(n)) {
		ksnprintf(why, whysz, "queue 0 is too small (%u)", n);
		return KR_EFORMAT;
	}
	qmem = dma(2, &pa_q);                           /* desc + avail, then used */
	if (!qmem) {
		ksnprintf(why, whysz, "no DMA memory for the queue");
		return KR_ENOMEM;
	}
	vq_init(&q, (uint16_t)n, qmem, qmem + VQ_DESC_BYTES(n), qmem + KR_PAGE_SIZE);
	w16(common, C_QSIZE, (uint16_t)n);
	w16(common, C_QMSIX, 0xffff);
	w64(common, C_QDESC, pa_q);
	w64(common, C_QDRIVER, pa_q + VQ_DESC_BYTES(n));
	w64(common, C_QDEVICE, pa_q + KR_PAGE_SIZE);
	/* The doorbell the device names must lie inside its notify structure. */
	pa = (uint64_t)r16(common, C_QNOTIFYOFF) * vblk.notify_mult;
	if (pa + 2 > vblk.notify_len) {
		ksnprintf(why, whysz, "queue 0's doorbell (offset %llu) is outside its notify "
			  "structure (%u bytes)", (unsigned long long)pa, vblk.notify_len);
		return KR_EFORMAT;
	}
	notify += pa;
	/* Every slot's header and status in one page, their data in one run. */
	hdrs = dma(1, &pa_h);
	data = dma(QD * MAX_SECTORS * SECTOR / KR_PAGE_SIZE, &pa);
	if (!hdrs || !data) {
		ksnprintf(why, whysz, "no DMA memory for %d requests", QD);
		return KR_ENOMEM;
	}
	for (int i = 0; i < QD; i++) {
		slots[i].mem = hdrs + 32 * i;
		slots[i].mem_pa = pa_h + 32 * (uint64_t)i;
		slots[i].data = data + (size_t)i * MAX_SECTORS * SECTOR;
		slots[i].data_pa = pa + (uint64_t)i * MAX_SECTORS * SECTOR;
		slots[i].head = -1;
	}
	w16(common, C_QENABLE, 1);
	vblk.sectors = (uint64_t)r32(devcfg, 0) | (uint64_t)r32(devcfg, 4) << 32;
	w8(common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return KR_OK;
}

static kr_err_t vblk_init(kr_domain_t *d)
{
	const struct kr_pci_match m[2] = {
		{ KR_PCI_MATCH_VERSION, VIRTIO_VENDOR, VIRTIO_BLK_ID, KR_PCI_ANY8, KR_PCI_ANY8, 0 },
		{ KR_PCI_MATCH_VERSION, VIRTIO_VENDOR, VIRTIO_BLK_OLD, KR_PCI_ANY8, KR_PCI_ANY8, 0 },
	};
	const struct kr_ops_header *h;
	struct kr_pci_info info;
	char why[128] = "";
	kr_cap_t c;
	kr_err_t e;

	self = d;
	if (kr_service_open(self, KR_SCHED_SERVICE, 1, &c) == KR_OK &&
	    kr_service_ops(self, c, &h) == KR_OK)
		sched = (const struct kr_sched_ops *)h;
	e = kr_service_open(self, KR_PCI_SERVICE, KR_PCI_VERSION, &c);
	if (!e)
		e = kr_service_ops(self, c, &h);
	if (e) {
		kr_log(KR_LOG_ERR, "virtio_blk: no pci service: %s\n", kr_strerror(e));
		return e;
	}
	pci = (const struct kr_pci_ops *)h;
	e = pci->claim(kr_domain_id(self), "virtio_blk", &m[0], 0, &claim, &info);
	if (e == KR_ENOENT)
		e = pci->claim(kr_domain_id(self), "virtio_blk", &m[1], 0, &claim, &info);
	if (e) {
		kr_log(KR_LOG_INFO, "virtio_blk: no device%s\n",
		       e == KR_ENOENT ? " (no virtio disk on the PCI bus)" : "");
		return e == KR_ENOENT ? KR_ENODEV : e;   /* not "a dependency is missing" */
	}
	vblk.device = info.device;
	e = find_structures(why, sizeof(why));
	if (!e)
		e = start(why, sizeof(why));
	if (!e && (e = pci->irq_bind(claim, on_irq, NULL)) != KR_OK)
		ksnprintf(why, sizeof(why), "no interrupt: %s", kr_strerror(e));
	if (!e)
		e = kr_service_publish(self, KR_BLK_SERVICE, &ops.hdr, &c);
	if (e) {
		kr_log(KR_LOG_ERR, "virtio_blk: %02x:%02x.%u: %s\n", info.bus, info.dev, info.fn,
		       why[0] ? why : kr_strerror(e));
		if (common)
			w8(common, C_STATUS, 0);        /* reset: it forgets our queue's memory */
		pci->release(claim);
		return e;
	}
	vblk_cmds_add(self);
	kr_log(KR_LOG_INFO, "virtio_blk: %02x:%02x.%u: %llu sectors (%llu MiB), queue %u, "
	       "%d in flight%s%s\n", info.bus, info.dev, info.fn, (unsigned long long)vblk.sectors,
	       (unsigned long long)(vblk.sectors / 2048), q.size, QD,
	       vblk.flush ? ", write cache (flush)" : "", vblk.read_only ? ", read-only" : "");
	return KR_OK;
}

static void vblk_exit(kr_domain_t *d)
{
	(void)d;
	pci->irq_bind(claim, NULL, NULL);
	w8(common, C_STATUS, 0);        /* reset: the device lets go of our memory */
	pci->release(claim);
}

KR_MODULE(.name = "virtio_blk", .version = KR_VERSION(1, 0, 0),
	  .description = "virtio block device (PCI, modern): the blk service and command",
	  .license = "MIT", .author = "Karyon developers",
	  .init = vblk_init, .exit = vblk_exit,
	  .deps = { { .name = "pci", .min_version = KR_VERSION(1, 0, 0) } }, .ndeps = 1);
