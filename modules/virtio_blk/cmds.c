/*
 * cmds.c - the blk shell command, on the blk service's own functions:
 *
 *   blk info                   the disk: size, queue, counters
 *   blk read LBA [COUNT]       a hexdump of COUNT sectors (1..8)
 *   blk write LBA FILE         FILE's bytes from sector LBA on (the last
 *                              sector padded with zeros)
 *   blk flush                  make what was written durable
 *   blk pattern write|check SEED N [DEPTH]
 *                              N sectors chosen by SEED, each filled with
 *                              bytes that follow from SEED and its number,
 *                              DEPTH requests in flight (default 16):
 *                              write them, or read them back and compare
 *                              (after a reboot, say)
 *   blk bench [N]              4 KiB requests: rates and costs
 */
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>
#include "vblk.h"

#define SECTOR          512
#define PATTERN_MAX     1000000u
#define DEPTH_MAX       16

#include "../lib/print_to.h"

static kr_domain_t *self;
static const struct kr_shell_ops *shell;
static const struct kr_vfs_ops *vfs;

static bool number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (uint64_t)(*s - '0') > max ||
		    v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* splitmix64: the pattern's sectors and bytes */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void fill(uint8_t *b, uint64_t seed, uint64_t lba)
{
	for (unsigned i = 0; i < SECTOR / 8; i++) {
		uint64_t v = mix((seed * 0x100000001b3ull) ^ (lba * 64 + i));

		memcpy(b + 8 * i, &v, 8);
	}
}

static int pattern(bool write, uint64_t seed, uint64_t n, uint64_t depth, print_fn print,
		   void *ctx)
{
	const struct kr_blk_ops *blk = vblk_ops();
	struct kr_blk_req req[DEPTH_MAX];
	uint8_t *buf = kr_malloc(self, DEPTH_MAX * 2 * SECTOR), want[SECTOR];
	uint64_t lba[DEPTH_MAX], differ = 0, first_bad = 0, failed = 0, done = 0;
	kr_err_t first_err = KR_OK;

	if (!buf) {
		print(ctx, "blk: out of memory\n");
		return 1;
	}
	/* request i of the N goes in slot i % depth, after slot's previous one */
	for (uint64_t i = 0; i < n + depth; i++) {
		unsigned k = (unsigned)(i % depth);

		if (i >= depth) {               /* the one before in this slot: done? */
			kr_err_t e = blk->wait(&req[k]);

			done++;
			if (e) {
				failed++;
				if (!first_err)
					first_err = e;
			} else if (!write) {
				fill(want, seed, lba[k]);
				if (memcmp(want, buf + k * SECTOR, SECTOR) && !differ++)
					first_bad = lba[k];
			}
		}
		if (i >= n)
			continue;
		lba[k] = mix(seed ^ mix(i)) % vblk.sectors;
		if (write)
			fill(buf + k * SECTOR, seed, lba[k]);
		req[k] = (struct kr_blk_req){ KR_BLK_REQ_VERSION, write ? KR_BLK_WRITE : KR_BLK_READ,
					      lba[k], 1, 0, buf + k * SECTOR, { 0, 0 } };
		if (blk->submit(&req[k]) != KR_OK)
			req[k].status = req[k].status ? req[k].status : KR_EIO;
		if (!(i & 63) && shell && shell->interrupted && shell->interrupted()) {
			n = i + 1;      /* Ctrl-C: finish what is in flight */
		}
	}
	kr_free(self, buf);
	if (failed)
		print_to(print, ctx, "blk: pattern: %llu of %llu requests failed: %s\n",
			 (unsigned long long)failed, (unsigned long long)done, kr_strerror(first_err));
	if (write)
		print_to(print, ctx, "blk: pattern: wrote %llu sectors (seed %llu, %llu in flight)\n",
			 (unsigned long long)(done - failed), (unsigned long long)seed,
			 (unsigned long long)depth);
	else if (differ)
		print_to(print, ctx, "blk: pattern: %llu sectors read, %llu differ, the first at "
			 "sector %llu\n", (unsigned long long)(done - failed),
			 (unsigned long long)differ, (unsigned long long)first_bad);
	else
		print_to(print, ctx, "blk: pattern: %llu sectors read, all as written\n",
			 (unsigned long long)(done - failed));
	return failed || differ ? 1 : 0;
}

#define rdtsc vblk_tsc

/* blk bench [N]: N 4 KiB requests of each kind, sequential and random,
 * reads and writes, 1 and 16 in flight: requests per second of guest
 * time and TSC cycles per request (guest instructions under QEMU's
 * -icount shift=0: tools/bench_blk.py).  Then the bare round trip: a
 * flush, one at a time (notify, the device, the interrupt, the wake). */
static int bench(uint64_t n, print_fn print, void *ctx)
{
	static const char *const kind[4] = { "sequential read", "sequential write", "random read",
					     "random write" };
	const struct kr_blk_ops *blk = vblk_ops();
	uint8_t *buf = kr_malloc(self, DEPTH_MAX * 8 * SECTOR);
	struct kr_blk_req req[DEPTH_MAX];
	uint64_t span = vblk.sectors / 8;       /* 4 KiB blocks */

	if (!buf || span < 2) {
		kr_free(self, buf);
		print(ctx, "blk: bench: no memory, or the disk is too small\n");
		return 1;
	}
	memset(buf, 0x5a, DEPTH_MAX * 8 * SECTOR);
	for (unsigned k = 0; k < 4; k++)
		for (unsigned depth = 1; depth <= DEPTH_MAX; depth += DEPTH_MAX - 1) {
			uint64_t t0 = rdtsc(), u0 = kr_uptime_us(), t, u;
			uint64_t sub0 = vblk.tsc_submit, irq0 = vblk.tsc_irq, irqs0 = vblk.irqs;
			uint64_t not0 = vblk.tsc_notify;
			unsigned failed = 0;

			for (uint64_t i = 0; i < n + depth; i++) {
				unsigned slot = (unsigned)(i % depth);

				if (i >= depth && blk->wait(&req[slot]))
					failed++;
				if (i >= n)
					continue;
				req[slot] = (struct kr_blk_req){ KR_BLK_REQ_VERSION,
					k & 1 ? KR_BLK_WRITE : KR_BLK_READ,
					8 * (k < 2 ? i % span : mix(i) % span), 8, 0,
					buf + slot * 8 * SECTOR, { 0, 0 } };
				blk->submit(&req[slot]);
			}
			t = rdtsc() - t0;
			u = kr_uptime_us() - u0;
			print_to(print, ctx, "blk bench: %-16s depth %2u: %6llu requests/s, %8llu TSC "
				 "a request; driver %llu (submit %llu, notify %llu, interrupt %llu "
				 "in %llu interrupts)%s\n", kind[k], depth,
				 (unsigned long long)(u ? n * 1000000 / u : 0),
				 (unsigned long long)(t / n),
				 (unsigned long long)((vblk.tsc_submit - sub0 + vblk.tsc_irq - irq0) / n),
				 (unsigned long long)((vblk.tsc_submit - sub0) / n),
				 (unsigned long long)((vblk.tsc_notify - not0) / n),
				 (unsigned long long)((vblk.tsc_irq - irq0) / n),
				 (unsigned long long)(vblk.irqs - irqs0), failed ? " (some failed)" : "");
		}
	for (unsigned i = 0; i < 2; i++) {      /* a flush round trip, warm */
		uint64_t t0 = rdtsc();

		for (uint64_t j = 0; j < n; j++)
			vblk_io(KR_BLK_FLUSH, 0, 0, NULL);
		if (i)
			print_to(print, ctx, "blk bench: flush round trip (notify, device, interrupt, "
				 "wake): %llu TSC cycles\n", (unsigned long long)((rdtsc() - t0) / n));
	}
	kr_free(self, buf);
	return 0;
}

static int hexdump(uint64_t lba, uint64_t count, print_fn print, void *ctx)
{
	uint8_t *b = kr_malloc(self, count * SECTOR);
	kr_err_t e = b ? vblk_io(KR_BLK_READ, lba, (uint32_t)count, b) : KR_ENOMEM;

	if (e) {
		print_to(print, ctx, "blk: read %llu+%llu: %s%s\n", (unsigned long long)lba,
			 (unsigned long long)count, kr_strerror(e), e == KR_ERANGE ?
			 " (past the end of the disk)" : "");
		kr_free(self, b);
		return 1;
	}
	for (uint64_t o = 0; o < count * SECTOR; o += 16) {
		char line[96], *p = line;

		p += ksnprintf(p, 12, "%08llx ", (unsigned long long)(lba * SECTOR + o));
		for (int i = 0; i < 16; i++)
			p += ksnprintf(p, 5, " %02x", b[o + i]);
		p += ksnprintf(p, 4, "  |");
		for (int i = 0; i < 16; i++)
			*p++ = b[o + i] >= 0x20 && b[o + i] < 0x7f ? (char)b[o + i] : '.';
		ksnprintf(p, 3, "|\n");
		print(ctx, line);
	}
	kr_free(self, b);
	return 0;
}

static int write_file(uint64_t lba, const char *path, print_fn print, void *ctx)
{
	struct kr_vfs_stat st;
	uint64_t sectors, done = 0;
	uint8_t *b = NULL;
	size_t got;
	kr_err_t e = vfs ? vfs->stat(shell ? shell->cwd() : NULL, path, &st) : KR_ENOSYS;

	if (!e && st.type != KR_VFS_FILE)
		e = KR_EINVAL;
	if (e) {
		print_to(print, ctx, "blk: %s: %s\n", path, e == KR_EINVAL ? "not a file" :
			 e == KR_ENOSYS ? "no file system" : kr_strerror(e));
		return 1;
	}
	sectors = (st.size + SECTOR - 1) / SECTOR;
	if (!sectors || lba >= vblk.sectors || sectors > vblk.sectors - lba) {
		print_to(print, ctx, "blk: %s: %llu sectors from %llu do not fit the disk (%llu "
			 "sectors)%s\n", path, (unsigned long long)sectors, (unsigned long long)lba,
			 (unsigned long long)vblk.sectors, sectors ? "" : ": the file is empty");
		return 1;
	}
	b = kr_malloc(self, 64 * SECTOR);
	for (e = b ? KR_OK : KR_ENOMEM; !e && done < sectors;) {
		uint32_t n = sectors - done < 64 ? (uint32_t)(sectors - done) : 64;

		memset(b, 0, 64 * SECTOR);
		e = vfs->read(shell ? shell->cwd() : NULL, path, done * SECTOR, b, n * SECTOR, &got);
		if (!e)
			e = vblk_io(KR_BLK_WRITE, lba + done, n, b);
		done += n;
	}
	kr_free(self, b);
	if (e) {
		print_to(print, ctx, "blk: write %s: %s\n", path, kr_strerror(e));
		return 1;
	}
	print_to(print, ctx, "blk: wrote %llu bytes to sectors %llu..%llu (blk flush to make it "
		 "durable)\n", (unsigned long long)st.size, (unsigned long long)lba,
		 (unsigned long long)(lba + sectors - 1));
	return 0;
}

static int cmd_blk(int argc, char **argv, print_fn print, void *ctx)
{
	const char *sub = argc > 1 ? argv[1] : "";
	uint64_t a = 0, b = 1, depth = DEPTH_MAX;
	struct kr_blk_info info;
	kr_err_t e;

	if (!strcmp(sub, "info") && argc == 2) {
		vblk_ops()->info(&info);
		print_to(print, ctx, "%s: %s, %llu sectors of %u bytes (%llu MiB)\n", info.name,
			 info.model, (unsigned long long)info.sectors, info.sector_size,
			 (unsigned long long)(info.sectors / 2048));
		print_to(print, ctx, "queue: %u requests in flight at most, %u sectors each; "
			 "flush: %s%s\n", info.queue_depth, info.max_sectors, info.flush ? "yes" :
			 "not needed (no write cache)", vblk.broken ? "; RESET after it misbehaved" : "");
		print_to(print, ctx, "requests: %llu sent, %llu done, %llu errors, %llu "
			 "interrupts\n", (unsigned long long)vblk.submitted,
			 (unsigned long long)vblk.done, (unsigned long long)vblk.errors,
			 (unsigned long long)vblk.irqs);
		return 0;
	}
	if (!strcmp(sub, "flush") && argc == 2) {
		e = vblk_io(KR_BLK_FLUSH, 0, 0, NULL);
		if (e)
			print_to(print, ctx, "blk: flush: %s\n", kr_strerror(e));
		return e ? 1 : 0;
	}
	if (!strcmp(sub, "bench") && (argc == 2 || (argc == 3 && number(argv[2], 100000, &b) &&
						      b)))
		return bench(argc == 3 ? b : 256, print, ctx);
	if (!strcmp(sub, "read") && (argc == 3 || argc == 4) && number(argv[2], UINT64_MAX, &a) &&
	    (argc == 3 || (number(argv[3], 8, &b) && b)))
		return hexdump(a, b, print, ctx);
	if (!strcmp(sub, "write") && argc == 4 && number(argv[2], UINT64_MAX, &a))
		return write_file(a, argv[3], print, ctx);
	if (!strcmp(sub, "pattern") && (argc == 5 || argc == 6) &&
	    (!strcmp(argv[2], "write") || !strcmp(argv[2], "check")) &&
	    number(argv[3], UINT64_MAX, &a) && number(argv[4], PATTERN_MAX, &b) && b &&
	    (argc == 5 || (number(argv[5], DEPTH_MAX, &depth) && depth)))
		return pattern(!strcmp(argv[2], "write"), a, b, depth, print, ctx);
	print(ctx, "usage: blk info | read LBA [COUNT 1..8] | write LBA FILE | flush |\n"
	      "       pattern write|check SEED N [DEPTH 1..16] | bench [N]\n");
	return 2;
}

static const struct kr_shell_command cmd = {
	"blk", "blk info | read LBA [N] | write LBA FILE | flush | pattern write|check SEED N",
	"the virtio disk: look, read, write, flush, test", cmd_blk,
};

void vblk_cmds_add(kr_domain_t *d)
{
	const struct kr_ops_header *h;
	kr_cap_t c;

	self = d;
	if (kr_service_open(self, "vfs", 1, &c) == KR_OK && kr_service_ops(self, c, &h) == KR_OK)
		vfs = (const struct kr_vfs_ops *)h;
	if (kr_service_open(self, "shell", KR_SHELL_SERVICE_VERSION, &c) == KR_OK &&
	    kr_service_ops(self, c, &h) == KR_OK) {
		shell = (const struct kr_shell_ops *)h;
		shell->add(kr_domain_id(self), &cmd);
	}
}
