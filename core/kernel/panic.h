/*
 * panic.h - stopping the kernel when one of its own invariants breaks.
 *
 * Only for kernel bugs: bad input from users, files, modules or the boot
 * loader gets an error code and a message instead.
 */
#ifndef KARYON_PANIC_H
#define KARYON_PANIC_H

#include <stdbool.h>
#include <stdint.h>

struct trap_frame;

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
__attribute__((noreturn)) void panic_trap(const struct trap_frame *f);
void backtrace(uint64_t rbp);
void panic_set_exit(bool exit_qemu);    /* cmdline onpanic=exit */

/* isa-debug-exit codes: QEMU exits with (code << 1) | 1. */
#define KR_EXIT_OK    0x10      /* QEMU status 33 */
#define KR_EXIT_PANIC 0x11      /* QEMU status 35 */
__attribute__((noreturn)) void platform_exit(uint8_t code);   /* QEMU isa-debug-exit, else halt */

#endif
