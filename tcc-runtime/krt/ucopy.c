/*
 * ucopy.c - kr_as_copy (abi/karyon/uspace.h), the checked copy helper
 * between kernel memory and an address space, on the core's one check,
 * kr_as_translate: every page of the range is checked first, then copied,
 * so a bad range copies nothing and never faults the kernel.
 */
#include <karyon/uspace.h>
#include <krt/string.h>

kr_err_t kr_as_copy(kr_domain_t *d, kr_cap_t as, uint64_t uva, void *buf, size_t n,
		    bool to_user)
{
	if (!buf && n)
		return KR_EINVAL;
	if (n > KR_USER_TOP || uva > KR_USER_TOP - n)
		return KR_EFAULT;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t done = 0, chunk; done < n; done += chunk) {
			uint64_t va = uva + done;
			uint8_t *k = (uint8_t *)buf + done;
			void *p;
			kr_err_t err = kr_as_translate(d, as, va, to_user, &p);

			if (err)
				return err;
			chunk = KR_PAGE_SIZE - (va & (KR_PAGE_SIZE - 1));
			chunk = chunk < n - done ? chunk : n - done;
			if (pass)
				memcpy(to_user ? p : k, to_user ? k : p, chunk);
		}
	}
	return KR_OK;
}
