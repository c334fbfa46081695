/*
 * call.h - what exec.c (transactions, blocks) takes from call.c (frames
 * and liba's calls).  Private to the VM's pure code.
 */
#ifndef VM_CALL_H
#define VM_CALL_H

#include "exec.h"

/* How a frame's method ended. */
enum vm_outcome { O_OK, O_REVERT, O_GAS, O_FAULT, O_FAILED };

/* A C identifier of 1..KR_VM_METHOD_MAX bytes. */
bool vm_ident(const char *s, size_t n);
/* The runner failed (not the contract): the block is abandoned. */
void vm_failed(struct vm *vm, kr_err_t e, const char *what);
/* c compiled and in the runner (evicting the least recently run contract
 * off the call stack when it is full); vm_unload takes it out. */
kr_err_t vm_loaded(struct vm *vm, struct vm_contract *c);
/* The same, with the runner's refusal (KR_EFORMAT) in why (whylen >= 1). */
kr_err_t vm_load_why(struct vm *vm, struct vm_contract *c, char *why, size_t whylen);
void vm_unload(struct vm *vm, struct vm_contract *c);
/* Run method of c in a new frame at depth vm->depth (its own journal
 * layer, committed on success, dropped otherwise), with gas; *left gets
 * what it did not use, *out the frame (its return data or reason). */
enum vm_outcome vm_frame_run(struct vm *vm, struct vm_contract *c, const uint8_t *caller,
			     const char *method, const uint8_t *args, uint32_t alen, uint64_t gas,
			     uint64_t *left, struct vm_frame **out);

#endif
