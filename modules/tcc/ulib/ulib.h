/*
 * ulib.h - the contract between the user-mode handler library (this
 * folder, linked at a fixed user address inside each handler's address
 * space) and the tcc module that runs it: system-call numbers, the heap's
 * place, the output buffer the kernel reads out of a stopped handler, and
 * the symbols the kernel looks up.  Freestanding, no includes: the
 * library's sources, its assembly and the module's C all read it.
 *
 * System calls: `syscall` with rax = number, arguments in rdi, rsi, rdx,
 * r10, r8, r9; the result in rax, a negative Karyon error code
 * (abi/karyon/err.h) on failure; rcx and r11 are clobbered.  The numbers
 * are the call numbers of the grant table (grants.c); never renumber.
 */
#ifndef KARYON_TCC_ULIB_H
#define KARYON_TCC_ULIB_H

#define ULIB_SYS_EXIT        48   /* exit(int status): does not return */
#define ULIB_SYS_ABORT       49   /* (const char *why): "NAME aborted: why", status 134 */
#define ULIB_SYS_VFS_READ   109   /* vfs_read(path, off, buf, n) */
#define ULIB_SYS_VFS_SIZE   110   /* vfs_size(path) */
#define ULIB_SYS_VFS_WRITE  111   /* vfs_write(path, buf, n) */
#define ULIB_SYS_VFS_APPEND 112   /* vfs_append(path, buf, n) */
#define ULIB_SYS_TIME_US    113   /* time_us(): microseconds since boot */
#define ULIB_SYS_WRITE      114   /* __karyon_write(buf, n): console output, NULs dropped */
#define ULIB_SYS_HEAP       115   /* __karyon_heap(grow): the heap's new end */
#define ULIB_SYS_NULL       116   /* __karyon_null(): nothing, returns 0 */
#define ULIB_SYS_GAS_OUT    118   /* __karyon_gas_out(): the gas counter went negative
				   * (../gas.h); every register is kept */
#define ULIB_GAS            119   /* the grant-table number of __karyon_gas (data) */
#define ULIB_SYS_EVENT_RAISE 120  /* event_raise(kind, data, n): a custom event */
#define ULIB_SYS_PARCEL_SEND 121  /* parcel_send(channel, to, data, n) */
#define ULIB_SYS_PARCEL_SEND_RAW 122 /* parcel_send_raw(to, bytes, n) */
#define ULIB_SYS_PARCEL_RECV 123  /* parcel_recv(buf, cap, info) */
/* A contract's calls (grant "vm", <liba.h>; ../contract.c): */
#define ULIB_SYS_LIBA_GET    124  /* liba_get(key, klen, buf, cap) */
#define ULIB_SYS_LIBA_SET    125  /* liba_set(key, klen, val, vlen) */
#define ULIB_SYS_LIBA_DEL    126  /* liba_del(key, klen) */
#define ULIB_SYS_LIBA_LOG    127  /* liba_log(topics, ntopics, data, len) */
#define ULIB_SYS_LIBA_BLAKE2B 128 /* liba_blake2b(out, in, n) */
#define ULIB_SYS_LIBA_CTX    129  /* liba_ctx(): rdi the struct's hidden pointer, returned */
#define ULIB_SYS_LIBA_CALL   130  /* liba_call(to, method, args, alen, ret, rcap, gas):
				   * the seventh argument is on the stack at rsp + 8 */
#define ULIB_SYS_LIBA_RETURN 131  /* liba_return(buf, n) */
#define ULIB_SYS_LIBA_REVERT 132  /* liba_revert(reason): does not return */
#define ULIB_SYS_METHOD_END  133  /* the end of a method's run: rdi its return value */

/* A contract's arguments: mapped read-only here, up to 64 KiB. */
#define ULIB_ARGS_BASE 0x20000000ul
#define ULIB_ARGS_MAX  (64ul << 10)

/* The heap is [ULIB_HEAP_BASE, end), empty at the start of every run. */
#define ULIB_HEAP_BASE 0x40000000ul
#define ULIB_OUT_SIZE  256

#ifndef __ASSEMBLER__

/* __karyon_out: console output not yet written.  The library stores the
 * bytes before it raises len, so buf[0..len) is always complete output
 * that the kernel may print after it stopped the handler. */
struct ulib_out {
	unsigned int len;
	char buf[ULIB_OUT_SIZE];
};
_Static_assert(sizeof(struct ulib_out) == 260, "__karyon_out layout is ABI");
_Static_assert(__builtin_offsetof(struct ulib_out, buf) == 4, "__karyon_out layout is ABI");

/* What parcel_recv writes to its info argument: struct parcel_info of
 * <karyon/handler.h> (sdk/handler/include), the same fields and layout. */
#define ULIB_PARCEL_FROM_MAX 32
struct ulib_parcel_info {
	unsigned int channel, kind, flags, seq, length;
	char from[ULIB_PARCEL_FROM_MAX];
};
_Static_assert(sizeof(struct ulib_parcel_info) == 52, "struct parcel_info layout is ABI");
_Static_assert(__builtin_offsetof(struct ulib_parcel_info, from) == 20,
	       "struct parcel_info layout is ABI");

/* What the kernel finds in the linked library. */
extern struct ulib_out __karyon_out;
extern unsigned long long __karyon_t_main;     /* TSC right before main() */
/* The gas counter a metered handler's charges subtract from (../gas.h);
 * only the kernel raises it, and never above what it last set. */
extern long __karyon_gas;
/* The entry point: rdi, rsi, rdx as in the prototype, rsp 16-byte aligned
 * minus 8 (as after a call).  Calls exit(main(argc, argv)). */
__attribute__((noreturn)) void __karyon_start(int argc, char **argv,
					      int (*main)(int, char **));
/* An event's entry: rdi the event (a copy on the stack's top page), rsi
 * the handler's on_event.  Calls exit(on_event(ev)). */
struct kr_event;
__attribute__((noreturn)) void __karyon_event(const struct kr_event *ev,
					      int (*on_event)(const struct kr_event *));

/* A contract method's entry (sys.S): rdi args, rsi alen, rdx the method,
 * rsp 16-byte aligned; calls it, then ends the run with its value. */
__attribute__((noreturn)) void __karyon_method(const void *args, unsigned int alen,
					       long (*m)(const void *, unsigned int));

/* The system-call stubs the library itself calls (sys.S). */
long __karyon_write(const char *buf, unsigned long n);
long __karyon_heap(unsigned long grow);
long __karyon_null(void);
void __karyon_gas_out(void);
__attribute__((noreturn)) void ulib_sys_exit(int status);
__attribute__((noreturn)) void ulib_sys_abort(const char *why);

/* Library internals shared between its files. */
void ulib_flush(void);                                 /* stdio.c */
__attribute__((noreturn)) void ulib_fail(const char *why);     /* start.c */

/* The library as an ELF relocatable object, in the tcc module (blob.S). */
extern const unsigned char tcc_ulib[];
extern const unsigned long tcc_ulib_size;

#endif
#endif
