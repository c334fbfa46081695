/*
 * shim.c - the contract VM's allocator (modules/vm/state.h: vm_alloc,
 * vm_release) for host programs, tools/chain and the CMocka tests: malloc.
 * The rest the VM's pure code takes from the kernel's library comes from
 * tcc-runtime/krt (fmt.c and format.c: ksnprintf; err.c: kr_strerror;
 * blake2.c: kr_blake2b_256 over libb2), compiled for the host.
 */
#include <stdlib.h>

void *vm_alloc(size_t n);
void vm_release(void *p);

void *vm_alloc(size_t n)
{
	return malloc(n ? n : 1);
}

void vm_release(void *p)
{
	free(p);
}
