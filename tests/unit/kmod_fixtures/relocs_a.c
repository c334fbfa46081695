/*
 * relocs_a.c - test module for test_kmod_elf, linked with relocs_b.c by
 * `ld -r`: every relocation type the loader supports, written once each
 * (twice through the GOT) in .text at relocs_table, against kernel symbols
 * (kt_a, kt_b), a missing weak one (kt_weak), an absolute one and a
 * function of the other object.  Never run: the test reads the fields.
 */
#include <karyon/module.h>

long relocs_helper(long x);

__asm__(".pushsection .text\n"
	".globl relocs_table\n"
	"relocs_table:\n"
	"	call kt_a\n"                            /* R_X86_64_PLT32 */
	"	movq $kt_b, %rax\n"                     /* R_X86_64_32S */
	"	movl $kt_a, %eax\n"                     /* R_X86_64_32 */
	"	movq kt_a@GOTPCREL(%rip), %rax\n"       /* R_X86_64_REX_GOTPCRELX */
	"	movl kt_a@GOTPCREL(%rip), %eax\n"       /* R_X86_64_GOTPCRELX */
	"	.long kt_b@GOTPCREL\n"                  /* R_X86_64_GOTPCREL */
	"	.long kt_b - .\n"                       /* R_X86_64_PC32 */
	"	.quad kt_b - .\n"                       /* R_X86_64_PC64 */
	"	.quad kt_a + 16\n"                      /* R_X86_64_64 */
	"	.quad kt_weak\n"                        /* weak, unresolved: 0 */
	"	.quad relocs_abs\n"                     /* SHN_ABS */
	"	.quad relocs_helper\n"                  /* the other object */
	"	call relocs_helper\n"
	".weak kt_weak\n"
	".globl relocs_abs\n"
	".set relocs_abs, 0x12345\n"
	".popsection\n");

static kr_err_t relocs_init(kr_domain_t *self)
{
	(void)self;
	return relocs_helper(2) == 4 ? KR_OK : KR_EINVAL;
}

KR_MODULE(.name = "relocs", .version = KR_VERSION(0, 1, 0), .init = relocs_init,
	  .ndeps = 1, .deps = { { .name = "hello", .min_version = KR_VERSION(1, 0, 0) } });
