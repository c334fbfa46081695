/*
 * user.c - address spaces and user mode (abi/karyon/uspace.h).
 *
 * An address space is its page tables plus a capability space of its own
 * holding one child of every page capability mapped into it; the child's
 * slot state says where (user address | (pages - 1) << 47), and removing
 * the child, however it happens, unmaps exactly that (aspace_unmap, from
 * the page objects' cap_removed).  Destroying the space deletes the
 * children, then frees the tables.
 *
 * kr_as_run enters ring 3 with iretq (user_enter, isr.S) after saving the
 * caller's callee-saved registers and stack pointer.  Three ways lead
 * back: `syscall` (isr.S pushes the registers straight into the context),
 * an exception or an interrupt from ring 3 (trap_dispatch calls user_trap,
 * which copies the trap frame).  Both end in user_leave, which saves the
 * FPU, resets it, restores the FS base the kernel's stack protector reads
 * and returns from user_enter on the caller's stack.  syscall is the entry
 * because it is the cheapest way in (no IDT lookup, no stack switch by the
 * CPU); iretq is the way out because it restores every register, so the
 * same path serves all three exits and sysret's non-canonical-%rip trap
 * in ring 0 cannot happen.  boot/entry.S sets up the syscall MSRs and turns
 * on SMEP and SMAP where the CPU has them.
 */
#include <karyon/uspace.h>
#include <krt/kheap.h>
#include <krt/string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/x86.h"
#include "cap/domain.h"
#include "kernel/panic.h"
#include "mm/vmm.h"

#define MAP_UVA(state)    ((state) & ((1ull << 47) - 1))
#define MAP_PAGES(state)  (((state) >> 47) + 1)

struct aspace {
	struct cap_object o;
	struct cspace cs;       /* a child of each mapped page capability */
	uint64_t *pt;
};

struct kr_uctx *user_ctx;               /* the context in user mode; isr.S */
uint64_t user_saved_rsp;                /* kr_as_run's caller; isr.S */
kr_ufast_fn user_fast;                  /* its system calls' fast path; isr.S */
void *user_fast_ctx;
uint64_t user_scratch;                  /* the user's %rsp at syscall; isr.S */
const uint32_t mxcsr_default = 0x1f80;  /* the kernel's SSE control; isr.S */

uint32_t user_enter(struct kr_uctx *u);
__attribute__((noreturn)) void user_leave(uint32_t exit);

static void as_destroy(struct cap_object *o)
{
	struct aspace *a = (struct aspace *)o;

	cspace_destroy(&a->cs);
	vmm_user_destroy(a->pt);
	kfree(a);
}

static const struct cap_object_ops as_ops = { as_destroy, NULL };

bool aspace_unmap(struct cap_slot *s)
{
	struct aspace *a;

	if (!s->owner->mappings)
		return false;
	a = (struct aspace *)((char *)s->owner - __builtin_offsetof(struct aspace, cs));
	if (s->state && vmm_unmap(a->pt, MAP_UVA(s->state), MAP_PAGES(s->state)) != KR_OK)
		panic("aspace: mapping at %#llx lost", (unsigned long long)MAP_UVA(s->state));
	s->state = 0;
	return true;
}

static kr_err_t as_lookup(kr_domain_t *d, kr_cap_t as, uint32_t rights, struct aspace **a)
{
	struct cap_slot *s;
	kr_err_t err = domain_ok(d) ? cap_lookup(&d->cs, as, KR_OBJ_ASPACE, rights, &s) : KR_EINVAL;

	if (!err)
		*a = (struct aspace *)s->obj;
	return err;
}

kr_err_t kr_as_create(kr_domain_t *d, uint32_t nslots, kr_cap_t *out)
{
	struct aspace *a;
	kr_err_t err;

	if (!domain_ok(d) || !out || nslots == 0 || nslots > 4096)
		return KR_EINVAL;
	a = kcalloc(1, sizeof(*a));
	if (!a || vmm_user_create(&a->pt) != KR_OK) {
		kfree(a);
		return KR_ENOMEM;
	}
	a->o = (struct cap_object){ .type = KR_OBJ_ASPACE, .ops = &as_ops };
	err = cspace_init(&a->cs, "aspace", nslots);
	a->cs.mappings = true;
	if (!err)
		err = cap_create(&d->cs, &a->o, KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_EXEC |
				 KR_RIGHT_GRANT, out);
	if (err)
		as_destroy(&a->o);      /* an empty capability space and the tables */
	return err;
}

kr_err_t kr_as_map(kr_domain_t *d, kr_cap_t as, kr_cap_t pages, size_t first, size_t npages,
		   uint64_t uva, uint32_t prot)
{
	struct aspace *a;
	struct cap_slot *ps, *child;
	kr_cap_t c;
	kr_err_t err;

	if (!domain_ok(d) || !(prot & KR_RIGHT_READ) ||
	    (prot & ~(KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_EXEC)))
		return KR_EINVAL;
	if ((prot & KR_RIGHT_WRITE) && (prot & KR_RIGHT_EXEC))
		return KR_EPERM;
	if ((err = as_lookup(d, as, KR_RIGHT_WRITE, &a)) ||
	    (err = cap_lookup(&d->cs, pages, KR_OBJ_PAGES, prot | KR_RIGHT_GRANT, &ps)))
		return err;
	if (uva & (PAGE_SIZE - 1))
		return KR_EALIGN;
	if (npages == 0 || first >= ps->obj->count || npages > ps->obj->count - first ||
	    uva < KR_USER_MIN || uva >= KR_USER_TOP || npages > (KR_USER_TOP - uva) / PAGE_SIZE)
		return KR_ERANGE;
	err = cap_derive(&d->cs, pages, &a->cs, prot, &c);
	if (err)
		return err;
	cap_lookup(&a->cs, c, 0, 0, &child);
	err = vmm_map(a->pt, uva, ps->obj->base + first * PAGE_SIZE, npages, VMM_USER |
		      (prot & KR_RIGHT_WRITE ? VMM_WRITE : 0) | (prot & KR_RIGHT_EXEC ? VMM_EXEC : 0));
	if (err)
		cap_delete(&a->cs, c);
	else
		child->state = uva | (uint64_t)(npages - 1) << 47;
	return err;
}

kr_err_t kr_as_unmap(kr_domain_t *d, kr_cap_t as, uint64_t uva)
{
	struct aspace *a;
	kr_err_t err = as_lookup(d, as, KR_RIGHT_WRITE, &a);

	for (uint32_t i = 0; !err && i < a->cs.nslots; i++)
		if (a->cs.slots[i].obj && a->cs.slots[i].state &&
		    MAP_UVA(a->cs.slots[i].state) == uva)
			return cap_delete(&a->cs, cap_handle(&a->cs.slots[i]));
	return err ? err : KR_ENOENT;
}

kr_err_t kr_as_translate(kr_domain_t *d, kr_cap_t as, uint64_t uva, bool write, void **kva)
{
	struct aspace *a;
	kr_err_t err = kva ? as_lookup(d, as, write ? KR_RIGHT_WRITE : KR_RIGHT_READ, &a) : KR_EINVAL;
	uint64_t pa = err ? 0 : vmm_user_phys(a->pt, uva, write);

	if (!err)
		*kva = pa ? phys_to_virt(pa) : NULL;
	return err ? err : pa ? KR_OK : KR_EFAULT;
}

kr_err_t kr_as_run(kr_domain_t *d, kr_cap_t as, struct kr_uctx *u, kr_ufast_fn fast, void *ctx)
{
	struct aspace *a;
	kr_err_t err = u ? as_lookup(d, as, KR_RIGHT_EXEC, &a) : KR_EINVAL;
	uint32_t mxcsr;

	if (err)
		return err;
	__builtin_memcpy(&mxcsr, u->fpu + 24, sizeof(mxcsr));   /* inlined: a hot path */
	if (u->version != KR_UCTX_VERSION || u->rip >= KR_USER_TOP || u->rsp >= KR_USER_TOP ||
	    (mxcsr >> 16))
		return KR_EINVAL;
	if (user_ctx)
		return KR_EBUSY;
	u->rflags = (u->rflags & 0xcd5) | 0x202;        /* CF PF AF ZF SF DF OF; IF */
	u->cs = 0x20 | 3;
	u->ss = 0x18 | 3;
	if (read_cr3() != (uint64_t)a->pt - HHDM_BASE)
		write_cr3((uint64_t)a->pt - HHDM_BASE);
	user_ctx = u;
	user_fast = fast;
	user_fast_ctx = ctx;
	u->exit = user_enter(u);
	user_ctx = NULL;
	return KR_OK;
}

_Static_assert(__builtin_offsetof(struct kr_uctx, r15) + sizeof(struct trap_frame) ==
	       __builtin_offsetof(struct kr_uctx, fpu), "a trap frame is a context's registers");

/* From trap_dispatch, for anything that arrived in ring 3 (an interrupt
 * has been handled by then): the frame is the context's layout. */
void user_trap(struct trap_frame *f)
{
	memcpy(&user_ctx->r15, f, sizeof(*f));
	user_ctx->addr = f->vector == 14 ? read_cr2() : 0;
	user_leave(f->vector < 32 ? KR_UEXIT_EXCEPTION : KR_UEXIT_INTERRUPT);
}
