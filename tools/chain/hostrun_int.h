/*
 * hostrun_int.h - what hostrun.c (load, the fixed pages) and hostrun_run.c
 * (invoke) share.  Private to tools/chain.
 */
#ifndef KARYON_TOOLS_CHAIN_HOSTRUN_INT_H
#define KARYON_TOOLS_CHAIN_HOSTRUN_INT_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "kmod/kmod_elf.h"
#include "tcc/lines.h"
#include "hostrun.h"

/* The kernel's addresses and sizes (modules/tcc/tcc.h, ulib/ulib.h). */
#define ULIB_BASE       0x00100000ull
#define HANDLER_BASE    0x01000000ull
#define ULIB_ARGS_BASE  0x20000000ull
#define ULIB_ARGS_MAX   (64u << 10)
#define USTACK_TOP      0x7ff000000000ull
#define USTACK_MAX      (256u << 10)
#define USTACK_GAP      (1u << 20)
#define IMAGE_MAX       (16u << 20)
#define PAGE            4096u
#define SYS_GAS_OUT     118
#define SYS_METHOD_END  133
#define SYS_GET         124
#define MAX_CONTRACTS   64
#define METHODS_MAX     48
#define NAME_MAX        32

struct hr_cpu {                 /* hostrun_cpu.S's offsets */
	uint64_t host[7];
	uint64_t user[7];
	uint64_t nr, a[6];
	sigjmp_buf jb;
};

struct contract {
	bool used, running;
	char name[NAME_MAX];
	struct kmod_image img;          /* linked for HANDLER_BASE, kept here */
	uint8_t *data_copy;
	struct line_table *lines;       /* for a fault's (contract.c:N), or NULL */
	unsigned nmethods;
	struct { char name[KR_VM_METHOD_MAX + 1]; uint64_t addr; } methods[METHODS_MAX];
};

extern struct hr_cpu *hostrun_cur;
long hostrun_enter(struct hr_cpu *c, uint64_t rip, uint64_t rsp, uint64_t a0, uint64_t a1,
		   uint64_t a2);
long hostrun_resume(struct hr_cpu *c, long rax);
void hostrun_trap(void);

extern struct contract hr_contracts[MAX_CONTRACTS];
extern bool hr_ready;
extern int hr_resident;                 /* whose text is at HANDLER_BASE */
extern volatile sig_atomic_t hr_in_user;        /* a contract runs: its signals are faults */
extern struct hr_caught { int sig; uint64_t addr, rip; } hr_caught;

volatile int64_t *hr_gas_counter(void);
uint64_t hr_method_entry(void);         /* the __karyon_method stub */
uint64_t hr_method_addr(const struct contract *c, const char *method);
kr_err_t hr_invoke(uint32_t id, const char *method, const void *args, uint32_t alen,
		   uint64_t gas, const struct kr_contract_host *host, void *hctx,
		   struct kr_contract_result *res);

#endif
