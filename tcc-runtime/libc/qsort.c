/*
 * qsort.c - qsort and bsearch.
 *
 * glibc's qsort is a merge sort whenever it can get scratch memory, so it is
 * stable in practice, and programs compared with glibc builds can depend on
 * the order it leaves equal keys in.  This qsort is always stable, so for
 * any consistent comparison function it leaves exactly glibc's order:
 *
 *   - top-down merge sort; runs of up to SMALL elements by insertion sort;
 *   - each merge copies the left half out to scratch and merges back: the
 *     scratch is half the array, on the stack when that is small, else
 *     from malloc;
 *   - if malloc fails, the same sort merges in place instead (split at a
 *     binary search, rotate, recurse): O(n log^2 n), but still stable and
 *     still no allocation, where glibc would fall back to an unstable
 *     quicksort.
 *
 * It calls the comparison function in a different sequence and number of
 * times from glibc; only a comparator with side effects could tell.
 * bsearch probes exactly as glibc's does, so with equal keys it returns
 * the same one of them.
 */
#include <stdint.h>
#include <krt/libc.h>

#define SMALL		8	/* runs this short are insertion-sorted */
#define STACK_SCRATCH	256	/* bytes of scratch taken from the stack */

typedef int (*cmp_fn)(const void *, const void *);
/* Any alignment: qsort's elements need only be byte-aligned. */
typedef uint64_t __attribute__((may_alias, aligned(1))) u64_any;
typedef uint32_t __attribute__((may_alias, aligned(1))) u32_any;

struct sorter {
	char *base;
	size_t size;	/* bytes per element */
	cmp_fn cmp;
	char *scratch;	/* room for half the elements, or NULL */
};

static inline char *at(const struct sorter *s, size_t i)
{
	return s->base + i * s->size;
}

static inline int less(const struct sorter *s, const void *a, const void *b)
{
	return s->cmp(a, b) < 0;
}

/* Element copies are the inner loop: words where the size allows. */
static inline void copy_elem(char *dst, const char *src, size_t size)
{
	if (size == 8)
		*(u64_any *)dst = *(const u64_any *)src;
	else if (size == 4)
		*(u32_any *)dst = *(const u32_any *)src;
	else
		memcpy(dst, src, size);
}

static void swap_elem(char *a, char *b, size_t size)
{
	for (; size >= 8; size -= 8, a += 8, b += 8) {
		uint64_t t = *(u64_any *)a;

		*(u64_any *)a = *(u64_any *)b;
		*(u64_any *)b = t;
	}
	for (; size; size--, a++, b++) {
		char t = *a;

		*a = *b;
		*b = t;
	}
}

/* Stable: an element moves left only past strictly greater ones. */
static void insertion_sort(const struct sorter *s, size_t lo, size_t hi)
{
	for (size_t i = lo + 1; i < hi; i++)
		for (size_t j = i; j > lo && less(s, at(s, j), at(s, j - 1)); j--)
			swap_elem(at(s, j - 1), at(s, j), s->size);
}

/* Merge sorted [lo, mid) and [mid, hi) through the scratch, which takes
 * the left run; ties go to the left run, which keeps the sort stable. */
static void merge_buffered(const struct sorter *s, size_t lo, size_t mid, size_t hi)
{
	size_t size = s->size, nleft = mid - lo;
	char *left = s->scratch, *left_end = left + nleft * size;
	char *right = at(s, mid), *right_end = at(s, hi), *out = at(s, lo);

	memcpy(left, out, nleft * size);
	while (left < left_end && right < right_end) {
		if (less(s, right, left)) {
			copy_elem(out, right, size);
			right += size;
		} else {
			copy_elem(out, left, size);
			left += size;
		}
		out += size;
	}
	/* What is left of the right run is already in place. */
	memcpy(out, left, left_end - left);
}

/* Reverse the order of elements [lo, hi). */
static void reverse(const struct sorter *s, size_t lo, size_t hi)
{
	while (hi - lo > 1)
		swap_elem(at(s, lo++), at(s, --hi), s->size);
}

/* [lo, mid) [mid, hi) -> [mid, hi) [lo, mid). */
static void rotate(const struct sorter *s, size_t lo, size_t mid, size_t hi)
{
	reverse(s, lo, mid);
	reverse(s, mid, hi);
	reverse(s, lo, hi);
}

/* First i in [lo, hi) whose element is not less than x (or, if after_equal,
 * is greater than x). */
static size_t search(const struct sorter *s, size_t lo, size_t hi, const char *x, int after_equal)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int goes_left = after_equal ? less(s, x, at(s, mid)) : !less(s, at(s, mid), x);

		if (goes_left)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * Merge sorted [lo, mid) and [mid, hi) with no scratch.  Cut the longer
 * run in the middle and the other where that middle element would go (after
 * its equals from the left run, before those from the right), rotate the
 * two inner pieces past each other, and merge the two halves that leaves.
 * Recursion goes to the smaller half: the depth stays logarithmic.
 */
static void merge_in_place(const struct sorter *s, size_t lo, size_t mid, size_t hi)
{
	while (lo < mid && mid < hi) {
		size_t cut1, cut2, newmid;

		if (hi - lo == 2) {
			if (less(s, at(s, mid), at(s, lo)))
				swap_elem(at(s, lo), at(s, mid), s->size);
			return;
		}
		if (mid - lo >= hi - mid) {
			cut1 = lo + (mid - lo) / 2;
			cut2 = search(s, mid, hi, at(s, cut1), 0);
		} else {
			cut2 = mid + (hi - mid) / 2;
			cut1 = search(s, lo, mid, at(s, cut2), 1);
		}
		rotate(s, cut1, mid, cut2);
		newmid = cut1 + (cut2 - mid);
		if (newmid - lo < hi - newmid) {
			merge_in_place(s, lo, cut1, newmid);
			lo = newmid;
			mid = cut2;
		} else {
			merge_in_place(s, newmid, cut2, hi);
			hi = newmid;
			mid = cut1;
		}
	}
}

static void merge_sort(const struct sorter *s, size_t lo, size_t hi)
{
	size_t mid = lo + (hi - lo) / 2;

	if (hi - lo <= SMALL) {
		insertion_sort(s, lo, hi);
		return;
	}
	merge_sort(s, lo, mid);
	merge_sort(s, mid, hi);
	if (!less(s, at(s, mid), at(s, mid - 1)))
		return;	/* already in order */
	if (s->scratch)
		merge_buffered(s, lo, mid, hi);
	else
		merge_in_place(s, lo, mid, hi);
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	/* The comparator gets pointers into the scratch too, and may load the
	 * elements with aligned instructions: align it as malloc would. */
	_Alignas(16) char stack_scratch[STACK_SCRATCH];
	struct sorter s = { base, size, cmp, NULL };
	size_t need = n / 2 * size;	/* the left run is at most n / 2 */

	if (n < 2 || !size)
		return;
	if (n > SMALL)
		s.scratch = need <= sizeof(stack_scratch) ? stack_scratch : malloc(need);
	merge_sort(&s, 0, n);
	if (s.scratch && s.scratch != stack_scratch)
		free(s.scratch);
}

/* glibc's probe sequence, so that equal keys give the same answer. */
void *bsearch(const void *key, const void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *p = (const char *)base + mid * size;
		int c = cmp(key, p);

		if (c < 0)
			hi = mid;
		else if (c > 0)
			lo = mid + 1;
		else
			return (void *)p;
	}
	return NULL;
}
