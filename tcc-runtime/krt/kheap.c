/*
 * kheap.c - kernel heap.
 *
 * Three layers:
 *   spans   every run of pages taken from the page source, in a table
 *           sorted by address (itself kept in pages from the source), so
 *           kfree can tell whether a pointer is ours before reading it;
 *   small   requests up to KHEAP_SMALL_MAX go to power-of-two blocks of
 *           32..2048 bytes (header included), one free list per class,
 *           refilled by carving a KHEAP_CHUNK-page span of that class only;
 *   large   bigger requests get a span of their own, returned on kfree.
 * Every block starts with a 16-byte header, so payloads are 16-aligned.
 * Small spans are kept for good: reuse beats giving pages back and forth.
 *
 * Single-threaded: no lock yet, callers must not enter it concurrently.
 */
#include <stdbool.h>
#include <krt/kheap.h>
#include <krt/string.h>

#define KHEAP_MIN_SHIFT 5                 /* smallest block: 32 bytes */
#define KHEAP_CLASSES   7                 /* 32 .. 2048 bytes */
#define KHEAP_SMALL_MAX ((1u << (KHEAP_MIN_SHIFT + KHEAP_CLASSES - 1)) - KHEAP_ALIGN)
#define KHEAP_LARGE     0xffffffffu       /* class of a block owning its span */
#define KHEAP_CHUNK     4                 /* pages per small refill */
#define KHEAP_LIVE      0x4556494cu       /* "LIVE" */
#define KHEAP_FREED     0x45455246u       /* "FREE" */

struct kheap_hdr {
	uint32_t magic;
	uint32_t class;
	uint64_t size;   /* bytes asked for */
};
_Static_assert(sizeof(struct kheap_hdr) == KHEAP_ALIGN, "header keeps payloads aligned");

struct kheap_free {
	struct kheap_hdr h;
	struct kheap_free *next; /* lives in the payload */
};

struct kheap_span {
	uintptr_t base;
	size_t npages;
	uint32_t class;  /* all blocks in a small span share one class */
};

static struct {
	struct kheap_pagesrc src;
	struct kheap_free *free[KHEAP_CLASSES];
	struct kheap_span *spans; /* sorted by base */
	size_t nspans, cap, tab_pages;
	struct kheap_stats st;
} kh;

static void *kheap_get(size_t npages)
{
	void *p = kh.src.get ? kh.src.get(npages) : NULL;

	if (p)
		kh.st.pages_held += npages;
	return p;
}

static void kheap_put(void *p, size_t npages)
{
	kh.src.put(p, npages);
	kh.st.pages_held -= npages;
}

/* Index of the first span with base > a. */
static size_t kheap_upper(uintptr_t a)
{
	size_t lo = 0, hi = kh.nspans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (kh.spans[mid].base <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool kheap_add_span(void *p, size_t npages, uint32_t class)
{
	size_t i;

	if (kh.nspans == kh.cap) {
		size_t cap = kh.cap ? 2 * kh.cap : KR_PAGE_SIZE / sizeof(struct kheap_span);
		size_t pages = (cap * sizeof(struct kheap_span) + KR_PAGE_SIZE - 1) / KR_PAGE_SIZE;
		struct kheap_span *t = kheap_get(pages);

		if (!t)
			return false;
		if (kh.spans) {
			memcpy(t, kh.spans, kh.nspans * sizeof(*t));
			kheap_put(kh.spans, kh.tab_pages);
		}
		kh.spans = t;
		kh.cap = cap;
		kh.tab_pages = pages;
	}
	i = kheap_upper((uintptr_t)p);
	memmove(&kh.spans[i + 1], &kh.spans[i], (kh.nspans - i) * sizeof(*kh.spans));
	kh.spans[i] = (struct kheap_span){ (uintptr_t)p, npages, class };
	kh.nspans++;
	return true;
}

static bool kheap_refill(uint32_t c)
{
	size_t bs = (size_t)1 << (KHEAP_MIN_SHIFT + c);
	char *p = kheap_get(KHEAP_CHUNK);

	if (!p)
		return false;
	if (!kheap_add_span(p, KHEAP_CHUNK, c)) {
		kheap_put(p, KHEAP_CHUNK);
		return false;
	}
	for (size_t off = 0; off < KHEAP_CHUNK * KR_PAGE_SIZE; off += bs) {
		struct kheap_free *f = (struct kheap_free *)(p + off);

		f->h = (struct kheap_hdr){ KHEAP_FREED, c, 0 };
		f->next = kh.free[c];
		kh.free[c] = f;
	}
	return true;
}

void kheap_init(const struct kheap_pagesrc *src)
{
	memset(&kh, 0, sizeof(kh));
	if (src)
		kh.src = *src;
}

static void *kmalloc_block(size_t n)
{
	struct kheap_hdr *h;
	uint32_t c = 0;

	if (n <= KHEAP_SMALL_MAX) {
		while (((size_t)1 << (KHEAP_MIN_SHIFT + c)) - sizeof(*h) < n)
			c++;
		if (!kh.free[c] && !kheap_refill(c))
			return NULL;
		h = &kh.free[c]->h;
		kh.free[c] = kh.free[c]->next;
	} else {
		size_t np;

		if (n > SIZE_MAX - sizeof(*h) - (KR_PAGE_SIZE - 1))
			return NULL;
		np = (n + sizeof(*h) + KR_PAGE_SIZE - 1) / KR_PAGE_SIZE;
		h = kheap_get(np);
		if (!h)
			return NULL;
		if (!kheap_add_span(h, np, KHEAP_LARGE)) {
			kheap_put(h, np);
			return NULL;
		}
		c = KHEAP_LARGE;
	}
	*h = (struct kheap_hdr){ KHEAP_LIVE, c, n };
	kh.st.bytes_in_use += n;
	kh.st.live_allocs++;
	kh.st.total_allocs++;
	return h + 1;
}

void *kmalloc(size_t n)
{
	void *p = kmalloc_block(n);

	if (!p && kh.src.report)
		kh.src.report(KR_ENOMEM, NULL, n);
	return p;
}

/*
 * Find the live block p points to, reading its header only once p is known
 * to sit at a block boundary inside one of our spans.
 */
static kr_err_t kheap_lookup(void *p, struct kheap_hdr **hp, size_t *span)
{
	uintptr_t a = (uintptr_t)p - sizeof(**hp);
	struct kheap_span *s;
	size_t i;

	if ((uintptr_t)p % KHEAP_ALIGN || (i = kheap_upper(a)) == 0)
		return KR_EFOREIGN;
	s = &kh.spans[i - 1];
	if (a - s->base >= s->npages * KR_PAGE_SIZE)
		return KR_EFOREIGN;
	if (s->class == KHEAP_LARGE ? a != s->base
				    : (a - s->base) % ((size_t)1 << (KHEAP_MIN_SHIFT + s->class)))
		return KR_EFOREIGN;
	*hp = (struct kheap_hdr *)a;
	*span = i - 1;
	if ((*hp)->class != s->class)
		return KR_EFOREIGN;
	if ((*hp)->magic == KHEAP_FREED)
		return KR_EDOUBLE;
	return (*hp)->magic == KHEAP_LIVE ? KR_OK : KR_EFOREIGN;
}

kr_err_t kheap_check(const void *p)
{
	struct kheap_hdr *h;
	size_t i;

	return p ? kheap_lookup((void *)p, &h, &i) : KR_EINVAL;
}

kr_err_t kfree(void *p)
{
	struct kheap_hdr *h;
	size_t i;
	kr_err_t err;

	if (!p)
		return KR_OK;
	err = kheap_lookup(p, &h, &i);
	if (err) {
		if (kh.src.report)
			kh.src.report(err, p, 0);
		return err;
	}
	kh.st.bytes_in_use -= h->size;
	kh.st.live_allocs--;
	kh.st.total_frees++;
	if (h->class == KHEAP_LARGE) {
		size_t np = kh.spans[i].npages;

		kh.nspans--;
		memmove(&kh.spans[i], &kh.spans[i + 1], (kh.nspans - i) * sizeof(*kh.spans));
		kheap_put(h, np);
		return KR_OK;
	}
#ifdef KR_DEBUG
	memset(h + 1, 0x6b, ((size_t)1 << (KHEAP_MIN_SHIFT + h->class)) - sizeof(*h));
#endif
	h->magic = KHEAP_FREED;
	((struct kheap_free *)h)->next = kh.free[h->class];
	kh.free[h->class] = (struct kheap_free *)h;
	return KR_OK;
}

void *kcalloc(size_t nmemb, size_t size)
{
	size_t n;
	void *p;

	if (__builtin_mul_overflow(nmemb, size, &n))
		return NULL;
	p = kmalloc(n);
	if (p)
		memset(p, 0, n);
	return p;
}

void *krealloc(void *p, size_t n)
{
	struct kheap_hdr *h;
	size_t i, cap;
	void *q;

	if (!p)
		return kmalloc(n);
	if (kheap_lookup(p, &h, &i))
		return NULL;
	cap = h->class == KHEAP_LARGE ? kh.spans[i].npages * KR_PAGE_SIZE - sizeof(*h)
				      : ((size_t)1 << (KHEAP_MIN_SHIFT + h->class)) - sizeof(*h);
	/* Stay in place if it fits, unless a large block could become small. */
	if (n <= cap && (h->class != KHEAP_LARGE || n > KHEAP_SMALL_MAX)) {
		kh.st.bytes_in_use = kh.st.bytes_in_use - h->size + n;
		h->size = n;
		return p;
	}
	q = kmalloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, n < h->size ? n : h->size);
	kfree(p);
	return q;
}

void kheap_get_stats(struct kheap_stats *st)
{
	*st = kh.st;
}
