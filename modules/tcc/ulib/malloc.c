/*
 * malloc.c - the handler's heap in user mode: malloc, calloc, realloc,
 * free, strdup, strndup on [ULIB_HEAP_BASE, end), which the kernel maps
 * on demand (__karyon_heap) and empties before every run.
 *
 * Three layers:
 *   - the top: the heap's untouched rest [ulib_top, ulib_end), carved from
 *     the front; when it runs short the heap grows by 64 KiB at least, so
 *     system calls stay rare;
 *   - blocks: a 16-byte header (magic, the previous block's size, this
 *     block's size) before 16-byte aligned memory.  Knowing both
 *     neighbours, free() merges a block with a free one on either side,
 *     or gives it back to the top; so no two free blocks touch, and none
 *     touches the top;
 *   - bins: free blocks in lists by size, exact below 1 KiB, four per
 *     power of two above, with a bitmap of the non-empty ones; malloc
 *     takes the first fitting block of the smallest bin that has one and
 *     splits off what it does not need.
 * No address is hashed and no clock read, so a run allocates the same
 * addresses every time.  A pointer free() or realloc() cannot recognise
 * as its own (or one already freed) ends the run, as in glibc.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ulib.h"

#define HDR         16
#define MIN_BLOCK   32                  /* the header and a free block's links */
#define MAGIC_USED  0x4b6d616cu
#define MAGIC_FREE  0x4b667265u
#define GROW_MIN    (64ul * 1024)
#define MAX_BLOCK   (1ul << 35)         /* prev16 holds sizes below 2^36 */
#define SMALL_BINS  64                  /* sizes 32..1008, one bin each */
#define NBINS       192
#define ENOMEM      12

extern int *__errno_location(void);

struct blk {
	uint32_t magic;                 /* MAGIC_USED, MAGIC_FREE, or 0: no block here */
	uint32_t prev16;                /* the previous block's size / 16; 0 for the first */
	uint64_t size;                  /* with the header, a multiple of 16 */
	struct blk *next, *back;        /* free blocks only: the bin's list */
};

static uintptr_t ulib_top, ulib_end;    /* 0 until the first malloc */
static uint32_t ulib_top_prev16;        /* the size / 16 of the block below the top */
static struct blk *ulib_bins[NBINS];
static uint64_t ulib_binmap[NBINS / 64];

#define AT(a) ((struct blk *)(uintptr_t)(a))

static unsigned bin_of(uint64_t size)
{
	unsigned k;

	if (size < SMALL_BINS * 16)
		return (unsigned)(size / 16);
	k = 63 - (unsigned)__builtin_clzl(size);   /* 10..35 */
	return SMALL_BINS + (k - 10) * 4 + (unsigned)((size >> (k - 2)) & 3);
}

static void bin_insert(struct blk *b)
{
	unsigned i = bin_of(b->size);

	b->magic = MAGIC_FREE;
	b->back = NULL;
	b->next = ulib_bins[i];
	if (b->next)
		b->next->back = b;
	ulib_bins[i] = b;
	ulib_binmap[i / 64] |= 1ul << (i % 64);
}

static void bin_remove(struct blk *b)
{
	unsigned i = bin_of(b->size);

	if (b->back)
		b->back->next = b->next;
	else
		ulib_bins[i] = b->next;
	if (b->next)
		b->next->back = b->back;
	if (!ulib_bins[i])
		ulib_binmap[i / 64] &= ~(1ul << (i % 64));
}

/* A free block of at least size bytes, out of its bin; NULL if none. */
static struct blk *bin_take(uint64_t size)
{
	unsigned i = bin_of(size), w;
	struct blk *b;
	uint64_t m;

	if (i >= SMALL_BINS) {          /* a bin of mixed sizes: look for one that fits */
		for (b = ulib_bins[i]; b; b = b->next)
			if (b->size >= size) {
				bin_remove(b);
				return b;
			}
		i++;
	}
	for (w = i / 64; w < NBINS / 64; w++) {   /* anything in a later bin fits */
		m = ulib_binmap[w] & (w == i / 64 ? ~0ul << (i % 64) : ~0ul);
		if (m) {
			b = ulib_bins[w * 64 + (unsigned)__builtin_ctzl(m)];
			bin_remove(b);
			return b;
		}
	}
	return NULL;
}

/* The block after b learns b's size (or the top does). */
static void set_next_prev(struct blk *b)
{
	uintptr_t n = (uintptr_t)b + b->size;

	if (n == ulib_top)
		ulib_top_prev16 = (uint32_t)(b->size / 16);
	else
		AT(n)->prev16 = (uint32_t)(b->size / 16);
}

/* Make room for need bytes at the top: 0, or -1 if the kernel will not. */
static int top_reserve(uint64_t need)
{
	uint64_t grow;
	long end;

	if (!ulib_top) {                /* the first call of the run */
		end = __karyon_heap(0);
		if (end < (long)ULIB_HEAP_BASE)
			return -1;
		ulib_top = ULIB_HEAP_BASE;
		ulib_end = (uintptr_t)end;
	}
	if (ulib_end - ulib_top >= need)
		return 0;
	grow = need - (ulib_end - ulib_top);
	grow = (grow + GROW_MIN - 1) & ~(GROW_MIN - 1);
	end = __karyon_heap(grow);
	if (end < 0)
		return -1;
	if ((uintptr_t)end > ulib_end)
		ulib_end = (uintptr_t)end;
	return ulib_end - ulib_top >= need ? 0 : -1;
}

/* Give a block back: merged with its free neighbours, into a bin or the top. */
static void release(struct blk *b)
{
	struct blk *n = AT((uintptr_t)b + b->size), *p;

	if ((uintptr_t)n != ulib_top && n->magic == MAGIC_FREE) {
		bin_remove(n);
		b->size += n->size;
		n->magic = 0;
	}
	if (b->prev16) {
		p = AT((uintptr_t)b - (uintptr_t)b->prev16 * 16);
		if (p->magic == MAGIC_FREE) {
			bin_remove(p);
			p->size += b->size;
			b->magic = 0;
			b = p;
		}
	}
	if ((uintptr_t)b + b->size == ulib_top) {
		b->magic = 0;
		ulib_top = (uintptr_t)b;
		ulib_top_prev16 = b->prev16;
		return;
	}
	set_next_prev(b);
	bin_insert(b);
}

/* Shrink a used block to size bytes, freeing the rest if it makes a block. */
static void trim(struct blk *b, uint64_t size)
{
	struct blk *r;

	if (b->size - size < MIN_BLOCK)
		return;
	r = AT((uintptr_t)b + size);
	r->magic = MAGIC_USED;
	r->prev16 = (uint32_t)(size / 16);
	r->size = b->size - size;
	b->size = size;
	set_next_prev(r);
	release(r);
}

/* The block behind p, or the end of the run if malloc did not return p. */
static struct blk *owner(void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct blk *b = AT(a - HDR);

	if ((a & 15) || a < ULIB_HEAP_BASE + HDR || a > ulib_top || b->magic != MAGIC_USED ||
	    (b->size & 15) || b->size < MIN_BLOCK || b->size > ulib_top - (a - HDR))
		ulib_fail("free(): invalid pointer");
	return b;
}

/* The block size for n bytes, or 0 if no block can be that large. */
static uint64_t block_size(size_t n)
{
	uint64_t size;

	if (n > MAX_BLOCK - HDR)
		return 0;
	size = (n + HDR + 15) & ~(uint64_t)15;
	return size < MIN_BLOCK ? MIN_BLOCK : size;
}

static void *no_memory(void)
{
	*__errno_location() = ENOMEM;
	return NULL;
}

void *malloc(size_t n)
{
	uint64_t size = block_size(n);
	struct blk *b;

	if (!size)
		return no_memory();
	b = bin_take(size);
	if (b) {
		b->magic = MAGIC_USED;
		trim(b, size);
		return (uint8_t *)b + HDR;
	}
	if (top_reserve(size))
		return no_memory();
	b = AT(ulib_top);
	b->magic = MAGIC_USED;
	b->prev16 = ulib_top_prev16;
	b->size = size;
	ulib_top += size;
	ulib_top_prev16 = (uint32_t)(size / 16);
	return (uint8_t *)b + HDR;
}

void free(void *p)
{
	if (p)
		release(owner(p));
}

void *calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > (size_t)-1 / size)
		return no_memory();
	p = malloc(nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

void *realloc(void *p, size_t n)
{
	uint64_t size, more;
	struct blk *b, *nx;
	void *q;

	if (!p)
		return malloc(n);
	b = owner(p);
	if (!n) {
		release(b);
		return NULL;
	}
	size = block_size(n);
	if (!size)
		return no_memory();
	if (b->size >= size) {
		trim(b, size);
		return p;
	}
	/* Grow in place: into the top, or into a free block right after. */
	more = size - b->size;
	nx = AT((uintptr_t)b + b->size);
	if ((uintptr_t)nx == ulib_top && !top_reserve(more)) {
		b->size = size;
		ulib_top += more;
		ulib_top_prev16 = (uint32_t)(size / 16);
		return p;
	}
	if ((uintptr_t)nx != ulib_top && nx->magic == MAGIC_FREE && nx->size >= more) {
		bin_remove(nx);
		nx->magic = 0;
		b->size += nx->size;
		set_next_prev(b);
		trim(b, size);
		return p;
	}
	q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, b->size - HDR);
	release(b);
	return q;
}

char *strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

char *strdup(const char *s)
{
	return strndup(s, (size_t)-1);
}
