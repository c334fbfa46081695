/*
 * heap.c - kr_calloc (abi/karyon/heap.h): kr_malloc with an overflow check
 * and zeroing, which need nothing of the core's.
 */
#include <karyon/heap.h>
#include <krt/string.h>

void *kr_calloc(kr_domain_t *d, size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	p = kr_malloc(d, nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}
