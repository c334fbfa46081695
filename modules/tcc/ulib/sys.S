/*
 * sys.S - the system-call stubs: each loads its number into rax, moves the
 * fourth argument from rcx (C's register) to r10 (the kernel's: `syscall`
 * writes rip into rcx) and traps; the result is in rax.  The kernel calls
 * (vfs_*, time_us) are granted by name to handlers; __karyon_* are the
 * library's own; exit and abort do not come back, and a ud2 stops the
 * handler with a fault if a kernel ever returned from them.
 */
#include "ulib.h"

.macro STUB name, nr
	.text
	.globl \name
	.type \name, @function
	.p2align 4
\name:
	mov $\nr, %eax
	mov %rcx, %r10
	syscall
	ret
	.size \name, . - \name
.endm

.macro STUB_NORETURN name, nr
	.text
	.globl \name
	.type \name, @function
	.p2align 4
\name:
	mov $\nr, %eax
	syscall
	ud2
	.size \name, . - \name
.endm

STUB vfs_read, ULIB_SYS_VFS_READ
STUB vfs_size, ULIB_SYS_VFS_SIZE
STUB vfs_write, ULIB_SYS_VFS_WRITE
STUB vfs_append, ULIB_SYS_VFS_APPEND
STUB time_us, ULIB_SYS_TIME_US
STUB event_raise, ULIB_SYS_EVENT_RAISE
STUB parcel_send, ULIB_SYS_PARCEL_SEND
STUB parcel_send_raw, ULIB_SYS_PARCEL_SEND_RAW
STUB parcel_recv, ULIB_SYS_PARCEL_RECV
STUB __karyon_write, ULIB_SYS_WRITE
STUB __karyon_heap, ULIB_SYS_HEAP
STUB __karyon_null, ULIB_SYS_NULL
/* Called by a metered handler's charge (../gas.h) in the middle of its
 * code, where no register is saved for it: this keeps every one. */
	.text
	.globl __karyon_gas_out
	.type __karyon_gas_out, @function
	.p2align 4
__karyon_gas_out:
	push %rax
	push %rcx
	push %r11
	mov $ULIB_SYS_GAS_OUT, %eax
	syscall
	pop %r11
	pop %rcx
	pop %rax
	ret
	.size __karyon_gas_out, . - __karyon_gas_out

/* A contract's calls (<liba.h>).  liba_call's seventh argument is on the
 * stack, where the kernel reads it; liba_ctx returns rdi, which the kernel
 * puts in rax. */
STUB liba_get, ULIB_SYS_LIBA_GET
STUB liba_set, ULIB_SYS_LIBA_SET
STUB liba_del, ULIB_SYS_LIBA_DEL
STUB liba_log, ULIB_SYS_LIBA_LOG
STUB liba_blake2b, ULIB_SYS_LIBA_BLAKE2B
STUB liba_ctx, ULIB_SYS_LIBA_CTX
STUB liba_call, ULIB_SYS_LIBA_CALL
STUB liba_return, ULIB_SYS_LIBA_RETURN
STUB_NORETURN liba_revert, ULIB_SYS_LIBA_REVERT

/* A contract method's run (ulib.h): call it, then end with its value.
 * No frame of its own: the method starts at the stack's top less 24, the
 * same on every machine (tools/chain/hostrun.c does the same). */
	.text
	.globl __karyon_method
	.type __karyon_method, @function
	.p2align 4
__karyon_method:
	call *%rdx
	mov %rax, %rdi
	mov $ULIB_SYS_METHOD_END, %eax
	syscall
	ud2
	.size __karyon_method, . - __karyon_method

STUB_NORETURN ulib_sys_exit, ULIB_SYS_EXIT
STUB_NORETURN ulib_sys_abort, ULIB_SYS_ABORT

	.section .note.GNU-stack, "", @progbits
