/*
 * blob.S - the user-mode library (this folder, built by meson.build into
 * one relocatable ELF object) as bytes inside the tcc module: tcc_ulib and
 * tcc_ulib_size (ulib.h), which the module links once at a fixed user
 * address.  .incbin finds the object through the module's -I of its build
 * directory (gcc hands -I to the assembler); the module's 'depends' names
 * the object, so this file is assembled again whenever the object changes.
 */
	.section .rodata, "a"
	.balign 16
	.globl tcc_ulib
	.type tcc_ulib, @object
tcc_ulib:
	.incbin "ulib/tcc_ulib.o"
.Lend:
	.size tcc_ulib, .Lend - tcc_ulib

	.balign 8
	.globl tcc_ulib_size
	.type tcc_ulib_size, @object
tcc_ulib_size:
	.quad .Lend - tcc_ulib
	.size tcc_ulib_size, 8

	.section .note.GNU-stack, "", @progbits
