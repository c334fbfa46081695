/*
 * uspace.h - address spaces and user mode: run code the kernel does not
 * trust (a handler compiled on the device, later a contract) in ring 3,
 * where it reaches nothing but the pages mapped into its address space.
 *
 * An address space is a capability object (KR_OBJ_ASPACE).  Its lower half
 * holds what its owner maps there: page capabilities, at user addresses,
 * read-only, read+write or read+execute (never writable and executable).
 * Its upper half is the kernel's, out of reach of user mode.  A mapping
 * holds a capability derived from the page capability it maps (so the page
 * capability needs KR_RIGHT_GRANT as well as the mapping's rights): the
 * pages live while they are mapped; revoking the page capability unmaps
 * them; deleting the address space's last capability unmaps everything and
 * frees its page tables, but no page its owner still holds.
 *
 * kr_as_run is an upcall: it runs a register state (struct kr_uctx) in
 * user mode until the code makes a system call (`syscall`), raises a CPU
 * exception, or an interrupt arrives (the timer ticks at 100 Hz, so a run
 * never lasts longer than 10 ms); then it returns to its caller with the
 * registers, the FPU state and why it stopped.  The caller decides: serve
 * the call and run again, end the run, or charge the time and run again.
 * The core serves no system call itself.
 *
 * The kernel never touches user memory through user addresses (SMEP and
 * SMAP are on where the CPU has them): kr_as_copy checks every page of a
 * range against the page tables (kr_as_translate) and copies nothing
 * unless all of it is mapped for the access, through the kernel's own
 * view of those pages.
 *
 * Rights on an address-space capability: KR_RIGHT_READ to copy from it,
 * KR_RIGHT_WRITE to map, unmap and copy to it, KR_RIGHT_EXEC to run in it.
 */
#ifndef KARYON_USPACE_H
#define KARYON_USPACE_H

#include <stdbool.h>
#include <karyon/cap.h>

#define KR_USER_MIN  0x10000ull            /* lowest user address (NULL guard) */
#define KR_USER_TOP  0x800000000000ull     /* user addresses are below */

enum kr_uexit {
	KR_UEXIT_SYSCALL = 1,   /* `syscall`: rax number, rdi rsi rdx r10 r8 r9 */
	KR_UEXIT_EXCEPTION = 2, /* vector, error, addr (#PF: the address touched) */
	KR_UEXIT_INTERRUPT = 3, /* a device or timer interrupt (vector), handled */
};

/* One user-mode context.  The registers go in and come out, laid out as
 * the CPU and the core's trap entry push them (the last five are what
 * iretq takes); after a system call rip is the instruction after
 * `syscall` (rcx and r11 hold the CPU's copies of rip and rflags, as
 * `syscall` leaves them), after an exception the faulting instruction.
 * Put a call's result in rax and run again to return from it.  cs and ss
 * are the core's to set. */
#define KR_UCTX_VERSION 2
struct kr_uctx {
	uint32_t version;       /* KR_UCTX_VERSION */
	uint32_t exit;          /* out: enum kr_uexit */
	uint64_t addr;          /* out: #PF's CR2, else 0 */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;        /* out: exception or interrupt vector (0 after a system call) */
	uint64_t error;         /* out: the CPU's error code */
	uint64_t rip, cs, rflags, rsp, ss;      /* rflags: only arithmetic flags and DF kept */
	uint8_t fpu[512] __attribute__((aligned(16)));  /* FXSAVE image: x87, SSE */
};
KR_ABI_OFFSET(struct kr_uctx, r15, 16);
KR_ABI_OFFSET(struct kr_uctx, vector, 136);
KR_ABI_OFFSET(struct kr_uctx, rip, 152);
KR_ABI_OFFSET(struct kr_uctx, fpu, 192);
KR_ABI_SIZE(struct kr_uctx, 704);

/* A system call's fast path (kr_as_run): called in kernel mode with
 * interrupts off, before kr_as_run would return (not when the user's rip
 * or rsp could not be resumed); true resumes the user at once with the
 * result it put in u->rax (the one field it may change), false lets
 * kr_as_run return the call as usual.  For short calls only: it must not
 * sleep, print at length or run anything in user mode. */
typedef bool (*kr_ufast_fn)(void *ctx, struct kr_uctx *u);

/* A fresh context: zero registers, interrupts on, the FPU as after FNINIT
 * with SSE exceptions masked. */
static inline void kr_uctx_init(struct kr_uctx *u, uint64_t rip, uint64_t rsp)
{
	__builtin_memset(u, 0, sizeof(*u));
	u->version = KR_UCTX_VERSION;
	u->rip = rip;
	u->rsp = rsp;
	u->rflags = 0x202;
	u->fpu[0] = 0x7f;               /* FCW 0x037f */
	u->fpu[1] = 0x03;
	u->fpu[24] = 0x80;              /* MXCSR 0x1f80 */
	u->fpu[25] = 0x1f;
}

/* A new, empty address space: room for nslots mappings (1..4096). */
KR_API(1, 1) kr_err_t kr_as_create(kr_domain_t *d, uint32_t nslots, kr_cap_t *out);
/* Map pages first..first+npages-1 of page capability pages at user address
 * uva with prot (KR_RIGHT_READ, plus WRITE or EXEC).  KR_ERANGE outside the
 * object or outside [KR_USER_MIN, KR_USER_TOP), KR_EEXIST over a mapping,
 * KR_ENOSPC with every slot used, KR_EPERM for write+exec. */
KR_API(1, 1) kr_err_t kr_as_map(kr_domain_t *d, kr_cap_t as, kr_cap_t pages, size_t first,
				size_t npages, uint64_t uva, uint32_t prot);
/* Remove the mapping that starts at uva (KR_ENOENT if none does). */
KR_API(1, 1) kr_err_t kr_as_unmap(kr_domain_t *d, kr_cap_t as, uint64_t uva);
/* Where user address uva of as is in the kernel's view (*kva, valid to
 * the end of uva's page), if a user access may read it (write false) or
 * write it (true; the page must be mapped writable); else KR_EFAULT.  The
 * one check behind the copy helper below. */
KR_API(1, 1) kr_err_t kr_as_translate(kr_domain_t *d, kr_cap_t as, uint64_t uva, bool write,
				      void **kva);
/* The checked copy helper: n bytes between buf and user address uva;
 * to_user false reads the address space, true writes it.  KR_EFAULT, with
 * nothing copied, unless every byte is mapped for the access.  Library
 * code on kr_as_translate (tcc-runtime/krt/ucopy.c). */
KR_API(1, 1) kr_err_t kr_as_copy(kr_domain_t *d, kr_cap_t as, uint64_t uva, void *buf,
				 size_t n, bool to_user);
/* Run u in user mode in address space as until it traps (see above):
 * KR_OK with u->exit set; KR_EINVAL for a bad context (rip or rsp not a
 * user address, reserved MXCSR bits); KR_EBUSY inside another run.  fast
 * (may be NULL) sees each system call first, with ctx. */
KR_API(1, 1) kr_err_t kr_as_run(kr_domain_t *d, kr_cap_t as, struct kr_uctx *u,
				kr_ufast_fn fast, void *ctx);

#endif
