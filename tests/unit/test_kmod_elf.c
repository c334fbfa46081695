/*
 * test_kmod_elf.c - host tests for the module ELF loader (modules/kmod).
 *
 * Usage: test_kmod_elf hello.kmod relocs.kmod plain.o (built from
 * kmod_fixtures/ with the module flags).  Images go to MAP_32BIT memory so 32-bit
 * relocations fit in a host process, with PROT_NONE guard pages around them
 * so a stray write faults, filled with junk so zeroing must be the loader's.
 *
 * Expectations are derived independently of the loader: the test reads the
 * file with glibc's <elf.h>, finds every loaded section in the image by its
 * bytes, recomputes every relocation with the psABI formulas (and decodes
 * the calls into the kernel), then runs hello's code (text RX, ro R, data
 * RW) against fake kernel functions and checks what it logs.  Malformed
 * files are the fixtures with one field patched; a seeded loop mutates them
 * at random.  Files are handed over in exact-size heap copies, so ASan
 * catches any read past their end.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "kmod/kmod_elf.h"

#define PG 4096u

/* ---- fixtures ---- */

struct fixture {
	const char *name;
	uint8_t *data;
	size_t size;
};
static struct fixture hello = { .name = "hello.kmod" }, relocs = { .name = "relocs.kmod" },
		      plain = { .name = "plain.o" };

static int read_fixture(struct fixture *x, const char *path)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (!fp || fseek(fp, 0, SEEK_END) || (n = ftell(fp)) <= 0 || fseek(fp, 0, SEEK_SET))
		return -1;
	x->size = (size_t)n;
	x->data = malloc(x->size);
	if (!x->data || fread(x->data, 1, x->size, fp) != x->size)
		return -1;
	return fclose(fp);
}

/* ---- the test's own view of an ELF file (trusted: only used on fixtures) ---- */

static Elf64_Shdr *shdr(uint8_t *f, unsigned i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f;

	return (Elf64_Shdr *)(f + eh->e_shoff) + i;
}

static unsigned shnum(uint8_t *f)
{
	return ((Elf64_Ehdr *)f)->e_shnum;
}

static const char *secname(uint8_t *f, unsigned i)
{
	return (const char *)f + shdr(f, ((Elf64_Ehdr *)f)->e_shstrndx)->sh_offset + shdr(f, i)->sh_name;
}

static unsigned sec_index(uint8_t *f, const char *name)
{
	for (unsigned i = 1; i < shnum(f); i++)
		if (!strcmp(secname(f, i), name))
			return i;
	fail_msg("no section %s", name);
	return 0;
}

static Elf64_Shdr *sec(uint8_t *f, const char *name)
{
	return shdr(f, sec_index(f, name));
}

static Elf64_Shdr *symtab(uint8_t *f)
{
	return sec(f, ".symtab");
}

static Elf64_Sym *syms(uint8_t *f, size_t *n)
{
	*n = symtab(f)->sh_size / sizeof(Elf64_Sym);
	return (Elf64_Sym *)(f + symtab(f)->sh_offset);
}

static const char *symname(uint8_t *f, const Elf64_Sym *y)
{
	return (const char *)f + shdr(f, symtab(f)->sh_link)->sh_offset + y->st_name;
}

static Elf64_Sym *sym(uint8_t *f, const char *name)
{
	size_t n;
	Elf64_Sym *y = syms(f, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(symname(f, &y[i]), name))
			return &y[i];
	fail_msg("no symbol %s", name);
	return NULL;
}

static Elf64_Rela *rela(uint8_t *f, const char *name, size_t k)
{
	return (Elf64_Rela *)(f + sec(f, name)->sh_offset) + k;
}

/* A section the loader must place: allocated code or data, not unwind tables. */
static bool is_loaded(uint8_t *f, unsigned i)
{
	Elf64_Shdr *s = shdr(f, i);

	return (s->sh_flags & SHF_ALLOC) && (s->sh_type == SHT_PROGBITS || s->sh_type == SHT_NOBITS) &&
	       strcmp(secname(f, i), ".eh_frame") != 0;
}

static unsigned rela_width(unsigned type)
{
	return type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;
}

/* ---- environment: guarded MAP_32BIT memory, fake kernel symbols ---- */

struct tenv {
	int alloc_calls, allocs, frees;
	bool fail_alloc;
	const char *refuse;     /* resolve refuses this name */
	uint64_t far;           /* nonzero: resolve kr_log here */
	bool any;               /* resolve every name (mutation loop) */
	bool asked_got;         /* was _GLOBAL_OFFSET_TABLE_ looked up? */
};

static void *t_alloc(void *ctx, size_t size)
{
	struct tenv *e = ctx;
	uint8_t *p;

	e->alloc_calls++;
	if (size == 0 || size % PG)
		fail_msg("alloc of %zu bytes", size);
	if (e->fail_alloc)
		return NULL;
	p = mmap(NULL, size + 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p == MAP_FAILED || mprotect(p + PG, size, PROT_READ | PROT_WRITE))
		fail_msg("mmap");
	memset(p + PG, 0xaa, size);
	e->allocs++;
	return p + PG;
}

static void t_free(void *ctx, void *p, size_t size)
{
	struct tenv *e = ctx;

	e->frees++;
	munmap((uint8_t *)p - PG, size + 2 * PG);
}

/* Kernel functions the fixtures call; reached through trampolines in low
 * memory, since a module's calls only span +-2 GiB. */
static char logbuf[32][96];
static int nlog, nstats;

static void __attribute__((format(printf, 2, 3))) fake_kr_log(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (nlog >= 32)
		return;
	n = snprintf(logbuf[nlog], sizeof(logbuf[0]), "%d:", level);
	va_start(ap, fmt);
	vsnprintf(logbuf[nlog] + n, sizeof(logbuf[0]) - n, fmt, ap);
	va_end(ap);
	nlog++;
}

static void fake_kr_mem_stats(struct kr_mem_stats *st)
{
	*st = (struct kr_mem_stats){ .version = 1, .free_pages = 1234, .heap_blocks = 77 };
	nstats++;
}

static struct ksym {
	const char *name;
	void *fn;       /* NULL: a data symbol, never called */
	uint64_t addr;
} ksyms[] = {
	{ .name = "kr_log", .fn = (void *)fake_kr_log },
	{ .name = "kr_mem_stats", .fn = (void *)fake_kr_mem_stats },
	{ .name = "kt_a" }, { .name = "kt_b" },
};
#define NKSYMS (sizeof(ksyms) / sizeof(ksyms[0]))

static void make_trampolines(void)
{
	uint8_t *t = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
			  -1, 0);

	assert_true(t != MAP_FAILED);
	for (size_t i = 0; i < NKSYMS; i++) {
		uint8_t *p = t + 64 * i;
		uint64_t fn = (uintptr_t)ksyms[i].fn;

		ksyms[i].addr = (uintptr_t)p;
		p[0] = 0x48, p[1] = 0xb8;               /* movabs $fn, %rax */
		memcpy(p + 2, &fn, 8);
		p[10] = 0xff, p[11] = 0xe0;             /* jmp *%rax */
	}
	assert_int_equal(mprotect(t, PG, PROT_READ | PROT_EXEC), 0);
}

static bool ksym_addr(const char *name, uint64_t *addr)
{
	for (size_t i = 0; i < NKSYMS; i++)
		if (!strcmp(name, ksyms[i].name))
			return *addr = ksyms[i].addr, true;
	return false;
}

static kr_err_t t_resolve(void *ctx, const char *name, uint64_t *addr)
{
	struct tenv *e = ctx;

	e->asked_got |= !strcmp(name, "_GLOBAL_OFFSET_TABLE_");
	if (e->refuse && !strcmp(name, e->refuse))
		return KR_ENOENT;
	if (e->far && !strcmp(name, "kr_log"))
		return *addr = e->far, KR_OK;
	if (ksym_addr(name, addr))
		return KR_OK;
	if (e->any)
		return *addr = ksyms[0].addr + 0x800, KR_OK;
	return KR_ENOENT;
}

#define ENV(e) { .ctx = (e), .alloc = t_alloc, .free = t_free, .resolve = t_resolve }

static bool img_zero(const struct kmod_image *img)
{
	static const struct kmod_image zero;

	return !memcmp(img, &zero, sizeof(zero));
}

/* ---- independent checks of a loaded image ---- */

/* The region a section belongs in, by its flags; the descriptor is read-only. */
static void region_of(uint8_t *f, unsigned i, const struct kmod_image *img, size_t *off, size_t *size)
{
	Elf64_Shdr *s = shdr(f, i);
	bool desc = !strcmp(secname(f, i), ".kr_module") || !strcmp(secname(f, i), ".kr_exports");

	if (!desc && (s->sh_flags & SHF_EXECINSTR))
		*off = img->text_off, *size = img->text_size;
	else if (!desc && (s->sh_flags & SHF_WRITE))
		*off = img->data_off, *size = img->data_size;
	else
		*off = img->ro_off, *size = img->ro_size;
}

/* Where section i sits: the one aligned offset in its region where the image
 * holds the file's bytes, ignoring the fields its relocations write.  NULL
 * for sections without bytes (.bss: checked through the symbols in it). */
static uint8_t *locate(uint8_t *f, const struct kmod_image *img, unsigned i)
{
	Elf64_Shdr *s = shdr(f, i);
	size_t roff, rsize, align = s->sh_addralign ? s->sh_addralign : 1, hits = 0;
	uint8_t *mask, *at = NULL;

	if (s->sh_type == SHT_NOBITS || s->sh_size == 0)
		return NULL;
	region_of(f, i, img, &roff, &rsize);
	mask = calloc(1, s->sh_size);
	for (unsigned j = 1; j < shnum(f); j++) {
		Elf64_Shdr *r = shdr(f, j);

		if (r->sh_type != SHT_RELA || r->sh_info != i)
			continue;
		for (size_t k = 0; k < r->sh_size / sizeof(Elf64_Rela); k++) {
			Elf64_Rela *e = (Elf64_Rela *)(f + r->sh_offset) + k;

			memset(mask + e->r_offset, 1, rela_width(ELF64_R_TYPE(e->r_info)));
		}
	}
	for (size_t off = roff; off + s->sh_size <= roff + rsize; off += align) {
		size_t b = 0;

		while (b < s->sh_size && (mask[b] || img->base[off + b] == f[s->sh_offset + b]))
			b++;
		if (b == s->sh_size && !hits++)
			at = img->base + off;
	}
	free(mask);
	if (hits != 1)
		fail_msg("section %s found %zu times in the image", secname(f, i), hits);
	return at;
}

static bool in_region(const struct kmod_image *img, uint64_t a, size_t n, size_t off, size_t size)
{
	return a >= (uintptr_t)img->base + off && a + n <= (uintptr_t)img->base + off + size;
}

struct reloc_stats {
	int checked, calls, got;
};

/*
 * Recomputes every relocation of every loaded section: S from the fake
 * kernel table (weak and missing: 0), SHN_ABS, or where locate() found the
 * symbol's section; GOT slots must be read-only, one per symbol, holding S.
 * Symbols in .bss are recovered from the field and must land on zeroed,
 * writable memory, the same place for every reference.
 */
static void check_relocs(uint8_t *f, const struct kmod_image *img, struct reloc_stats *st)
{
	size_t nsyms;
	Elf64_Sym *y = syms(f, &nsyms);
	uint64_t *slot = calloc(nsyms, sizeof(*slot)), bss_at[64] = { 0 };

	assert_true(shnum(f) <= 64);
	*st = (struct reloc_stats){ 0 };
	for (unsigned j = 1; j < shnum(f); j++) {
		Elf64_Shdr *r = shdr(f, j);
		uint8_t *tbase;

		if (r->sh_type != SHT_RELA || !is_loaded(f, r->sh_info))
			continue;
		tbase = locate(f, img, r->sh_info);
		assert_non_null(tbase);
		for (size_t k = 0; k < r->sh_size / sizeof(Elf64_Rela); k++) {
			Elf64_Rela *e = (Elf64_Rela *)(f + r->sh_offset) + k;
			unsigned type = ELF64_R_TYPE(e->r_info);
			Elf64_Sym *s = &y[ELF64_R_SYM(e->r_info)];
			uint64_t P = (uintptr_t)tbase + e->r_offset, A = (uint64_t)e->r_addend, S = 0;
			uint64_t v = 0;
			int64_t sv;
			bool pc = type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64;

			memcpy(&v, tbase + e->r_offset, rela_width(type));
			sv = rela_width(type) == 4 ? (int32_t)v : (int64_t)v;
			if (s->st_shndx == SHN_UNDEF) {
				if (ELF64_R_SYM(e->r_info) && !ksym_addr(symname(f, s), &S))
					assert_int_equal(ELF64_ST_BIND(s->st_info), STB_WEAK);
			} else if (s->st_shndx == SHN_ABS) {
				S = s->st_value;
			} else if (shdr(f, s->st_shndx)->sh_type == SHT_NOBITS) {
				size_t roff, rsize;
				uint64_t at = (type == R_X86_64_32 ? v : (uint64_t)sv) - A + (pc ? P : 0) -
					      s->st_value;

				region_of(f, s->st_shndx, img, &roff, &rsize);
				assert_true(in_region(img, at, shdr(f, s->st_shndx)->sh_size, roff, rsize));
				assert_int_equal(at % (shdr(f, s->st_shndx)->sh_addralign ?: 1), 0);
				if (!bss_at[s->st_shndx])
					bss_at[s->st_shndx] = at;
				assert_int_equal(at, bss_at[s->st_shndx]);
				S = at + s->st_value;
			} else {
				S = (uintptr_t)locate(f, img, s->st_shndx) + s->st_value;
			}
			switch (type) {
			case R_X86_64_64:
				assert_int_equal(v, S + A);
				break;
			case R_X86_64_PC64:
				assert_int_equal(v, S + A - P);
				break;
			case R_X86_64_PC32:
			case R_X86_64_PLT32:
				assert_int_equal(sv, (int64_t)(S + A - P));
				if (s->st_shndx == SHN_UNDEF && (int64_t)A == -4 && e->r_offset &&
				    (tbase[e->r_offset - 1] == 0xe8 || tbase[e->r_offset - 1] == 0xe9)) {
					assert_int_equal(P + 4 + sv, S);        /* call/jmp rel32 lands on S */
					st->calls++;
				}
				break;
			case R_X86_64_32:
				assert_true(S + A <= UINT32_MAX);
				assert_int_equal(v, S + A);
				break;
			case R_X86_64_32S:
				assert_int_equal(sv, (int64_t)(S + A));
				break;
			case R_X86_64_GOTPCREL:
			case R_X86_64_GOTPCRELX:
			case R_X86_64_REX_GOTPCRELX: {
				uint64_t g = P + sv - A, got;

				assert_true(in_region(img, g, 8, img->ro_off, img->ro_size));
				assert_int_equal(g % 8, 0);
				memcpy(&got, (void *)(uintptr_t)g, 8);
				assert_int_equal(got, S);
				if (!slot[ELF64_R_SYM(e->r_info)])
					slot[ELF64_R_SYM(e->r_info)] = g;
				assert_int_equal(g, slot[ELF64_R_SYM(e->r_info)]);
				for (size_t o = 0; o < nsyms; o++)      /* one slot per symbol */
					assert_true(o == ELF64_R_SYM(e->r_info) || slot[o] != g);
				st->got++;
				break;
			}
			default:
				fail_msg("fixture has relocation type %u", type);
			}
			st->checked++;
		}
	}
	/* .bss starts zeroed (the allocation was filled with junk). */
	for (unsigned i = 1; i < shnum(f); i++)
		for (uint64_t b = 0; bss_at[i] && b < shdr(f, i)->sh_size; b++)
			assert_int_equal(*(uint8_t *)(uintptr_t)(bss_at[i] + b), 0);
	free(slot);
}

/* Relocations the loader must apply: those of loaded sections. */
static int count_relocs(uint8_t *f)
{
	int n = 0;

	for (unsigned j = 1; j < shnum(f); j++)
		if (shdr(f, j)->sh_type == SHT_RELA && is_loaded(f, shdr(f, j)->sh_info))
			n += shdr(f, j)->sh_size / sizeof(Elf64_Rela);
	return n;
}

/* Regions page-aligned, in order, inside the image, and every loaded
 * section's bytes found in the region its flags call for. */
static void check_regions(uint8_t *f, const struct kmod_image *img)
{
	assert_int_equal((uintptr_t)img->base % PG, 0);
	assert_true(img->size % PG == 0 && img->text_off % PG == 0 && img->ro_off % PG == 0 &&
		    img->data_off % PG == 0);
	assert_true(img->text_off + img->text_size <= img->ro_off);
	assert_true(img->ro_off + img->ro_size <= img->data_off);
	assert_true(img->data_off + img->data_size <= img->size);
	for (unsigned i = 1; i < shnum(f); i++)
		if (is_loaded(f, i) && shdr(f, i)->sh_type == SHT_PROGBITS && shdr(f, i)->sh_size)
			assert_non_null(locate(f, img, i));
}

static void set_prot(const struct kmod_image *img, bool run)
{
	assert_int_equal(mprotect(img->base + img->text_off, img->text_size,
				  run ? PROT_READ | PROT_EXEC : PROT_READ | PROT_WRITE), 0);
	assert_int_equal(mprotect(img->base + img->ro_off, img->ro_size,
				  run ? PROT_READ : PROT_READ | PROT_WRITE), 0);
}

/* ---- loading the real fixtures ---- */

static void test_hello_loads_and_runs(void **state)
{
	struct tenv e = { 0 };
	struct kmod_env env = ENV(&e);
	struct kmod_image img;
	struct kmod_error err;
	struct reloc_stats st;
	uint8_t *f = hello.data, *text;
	long (*sum)(int);
	static const char *const want[] = {
		"2:hello kernel, count 3\n", "2:zero\n", "2:pick 0 = 10\n", "2:pick 1 = 1234\n",
		"2:pick 2 = 7\n", "3:three 3\n", "2:pick 3 = 33\n", "2:pick 4 = 40\n", "1:five\n",
		"2:pick 5 = 55\n", "2:pick 6 = 77\n", "2:pick 7 = -1\n", "2:bye 4\n",
	};

	(void)state;
	assert_int_equal(kmod_validate(f, hello.size, &err), KR_OK);
	assert_null(err.what);
	assert_int_equal(kmod_load(f, hello.size, &env, &img, &err), KR_OK);
	assert_int_equal(e.allocs, 1);
	check_regions(f, &img);
	check_relocs(f, &img, &st);
	assert_int_equal(st.checked, count_relocs(f));
	assert_true(st.calls >= 4);     /* kr_log and kr_mem_stats, decoded */

	/* The descriptor: where its bytes are, with init/exit at their functions. */
	text = locate(f, &img, sec_index(f, ".text"));
	assert_ptr_equal(img.info, locate(f, &img, sec_index(f, ".kr_module")));
	assert_int_equal(img.info->magic, KR_MODULE_MAGIC);
	assert_string_equal(img.info->name, "hello");
	assert_int_equal(img.info->version, KR_VERSION(1, 2, 3));
	assert_int_equal(sym(f, "hello_init")->st_shndx, sec_index(f, ".text"));
	assert_ptr_equal((void *)img.info->init, text + sym(f, "hello_init")->st_value);
	assert_ptr_equal((void *)img.info->exit, text + sym(f, "hello_exit")->st_value);
	assert_int_equal(img.nexports, 1);
	assert_string_equal(img.exports[0].name, "hello_sum");
	assert_ptr_equal(img.exports[0].addr, text + sym(f, "hello_sum")->st_value);

	/* Run it as the kernel would: text RX, ro R, data RW. */
	set_prot(&img, true);
	nlog = nstats = 0;
	assert_int_equal(img.info->init(NULL), KR_OK);
	img.info->exit(NULL);
	assert_int_equal(nlog, sizeof(want) / sizeof(want[0]));
	for (int i = 0; i < nlog; i++)
		assert_string_equal(logbuf[i], want[i]);
	assert_int_equal(nstats, 2);
	sum = (long (*)(int))(uintptr_t)img.exports[0].addr;
	assert_int_equal(sum(4), 2 + 3 + 5 + 7);
	assert_int_equal(sum(8), 2 + 3 + 5 + 7 + 11 + 13 + 17 + 19);
	set_prot(&img, false);

	kmod_release(&env, &img);
	assert_true(img_zero(&img));
	assert_int_equal(e.frees, 1);
}

static void test_relocs_every_type(void **state)
{
	struct tenv e = { 0 };
	struct kmod_env env = ENV(&e);
	struct kmod_image img;
	struct kmod_error err;
	struct reloc_stats st;
	uint8_t *f = relocs.data;
	bool seen[43] = { false };
	static const unsigned types[] = {
		R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32, R_X86_64_32, R_X86_64_32S, R_X86_64_PC64,
		R_X86_64_GOTPCREL, R_X86_64_GOTPCRELX, R_X86_64_REX_GOTPCRELX,
	};

	(void)state;
	/* The fixture really holds every type, a weak undefined and an ABS symbol. */
	for (size_t k = 0; k < sec(f, ".rela.text")->sh_size / sizeof(Elf64_Rela); k++)
		seen[ELF64_R_TYPE(rela(f, ".rela.text", k)->r_info)] = true;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_true(seen[types[i]]);
	assert_int_equal(ELF64_ST_BIND(sym(f, "kt_weak")->st_info), STB_WEAK);
	assert_int_equal(sym(f, "relocs_abs")->st_shndx, SHN_ABS);

	assert_int_equal(kmod_load(f, relocs.size, &env, &img, &err), KR_OK);
	check_regions(f, &img);
	check_relocs(f, &img, &st);
	assert_int_equal(st.checked, count_relocs(f));
	assert_int_equal(st.got, 3);
	assert_false(e.asked_got);      /* unreferenced undefined symbols are not looked up */
	assert_string_equal(img.info->name, "relocs");
	assert_int_equal(img.info->ndeps, 1);
	assert_string_equal(img.info->deps[0].name, "hello");
	assert_null(img.exports);
	assert_int_equal(img.nexports, 0);

	/* Its init calls into the other object of the ld -r merge. */
	set_prot(&img, true);
	assert_int_equal(img.info->init(NULL), KR_OK);
	set_prot(&img, false);
	kmod_release(&env, &img);
	assert_int_equal(e.allocs, e.frees);
}

/* ---- malformed files: one patch of hello.kmod each ---- */

static uint8_t *b;      /* the copy a test patches */
static size_t bsize;
static struct kmod_error err;

static int setup_copy(void **state)
{
	(void)state;
	bsize = hello.size;
	b = malloc(bsize);
	memcpy(b, hello.data, bsize);
	return 0;
}

static int teardown_copy(void **state)
{
	(void)state;
	free(b);
	return 0;
}

/* Both entry points refuse b with rc and what, before taking any memory. */
static void refused(kr_err_t rc, const char *what)
{
	uint8_t *exact = malloc(bsize);
	struct tenv e = { 0 };
	struct kmod_env env = ENV(&e);
	struct kmod_image img;

	memcpy(exact, b, bsize);
	memset(&img, 0x55, sizeof(img));
	assert_int_equal(kmod_validate(exact, bsize, &err), rc);
	assert_non_null(err.what);
	assert_string_equal(err.what, what);
	assert_int_equal(kmod_load(exact, bsize, &env, &img, &err), rc);
	assert_string_equal(err.what, what);
	assert_int_equal(e.alloc_calls, 0);
	assert_true(img_zero(&img));
	free(exact);
}

static Elf64_Ehdr *ehdr(void)
{
	return (Elf64_Ehdr *)b;
}

static void test_truncated_everywhere(void **state)
{
	(void)state;
	/* gcc puts the section headers last, so every prefix cuts them. */
	assert_int_equal(ehdr()->e_shoff + ehdr()->e_shnum * sizeof(Elf64_Shdr), bsize);
	for (size_t n = 0; n < bsize; n++) {
		uint8_t *exact = malloc(n ? n : 1);
		struct tenv e = { 0 };
		struct kmod_env env = ENV(&e);
		struct kmod_image img;

		memcpy(exact, b, n);
		assert_int_equal(kmod_validate(exact, n, &err), KR_ETRUNC);
		assert_int_equal(kmod_load(exact, n, &env, &img, &err), KR_ETRUNC);
		assert_int_equal(e.alloc_calls, 0);
		free(exact);
	}
}

static void test_bad_magic(void **state)
{
	(void)state;
	b[EI_MAG1] = 'X';
	refused(KR_EFORMAT, "not an ELF file");
}

static void test_bad_class(void **state)
{
	(void)state;
	b[EI_CLASS] = ELFCLASS32;
	refused(KR_EFORMAT, "not a 64-bit little-endian ELF file");
}

static void test_bad_version(void **state)
{
	(void)state;
	ehdr()->e_version = 2;
	refused(KR_EFORMAT, "unknown ELF version");
}

static void test_bad_machine(void **state)
{
	(void)state;
	ehdr()->e_machine = EM_386;
	refused(KR_EFORMAT, "not an x86_64 object");
	assert_string_equal(err.detail, "machine 3");
}

static void test_bad_type(void **state)
{
	(void)state;
	ehdr()->e_type = ET_DYN;
	refused(KR_EFORMAT, "not a relocatable object");
}

static void test_shoff_past_end(void **state)
{
	(void)state;
	ehdr()->e_shoff = bsize;
	refused(KR_ETRUNC, "section headers past the end of the file");
}

static void test_shnum_huge(void **state)
{
	(void)state;
	ehdr()->e_shnum = 0xffff;
	refused(KR_ETRUNC, "section headers past the end of the file");
}

static void test_bad_shstrndx(void **state)
{
	(void)state;
	ehdr()->e_shstrndx = ehdr()->e_shnum;
	refused(KR_EFORMAT, "bad section name table index");
}

static void test_section_offset_past_end(void **state)
{
	(void)state;
	sec(b, ".rodata")->sh_offset = bsize - 1;
	refused(KR_ETRUNC, "section past the end of the file");
	assert_int_equal(atoi(err.detail + strlen("section ")), sec_index(b, ".rodata"));
}

static void test_section_size_past_end(void **state)
{
	(void)state;
	sec(b, ".text")->sh_size = bsize;
	refused(KR_ETRUNC, "section past the end of the file");
}

static void test_sections_overlap(void **state)
{
	(void)state;
	sec(b, ".data")->sh_offset = sec(b, ".text")->sh_offset + 8;
	refused(KR_EFORMAT, "sections overlap");
	assert_string_equal(err.detail, ".text and .data");
}

static void test_bad_alignment(void **state)
{
	(void)state;
	sec(b, ".rodata")->sh_addralign = 24;
	refused(KR_EFORMAT, "bad section alignment");
}

static void test_writable_and_executable(void **state)
{
	(void)state;
	sec(b, ".text")->sh_flags |= SHF_WRITE;
	refused(KR_EFORMAT, "writable and executable section");
	assert_string_equal(err.detail, ".text");
}

static void test_strtab_unterminated(void **state)
{
	Elf64_Shdr *s = sec(b, ".strtab");

	(void)state;
	b[s->sh_offset + s->sh_size - 1] = 'x';
	refused(KR_EFORMAT, "string table not terminated");
}

static void test_symbol_name_out_of_range(void **state)
{
	(void)state;
	sym(b, "hello_count")->st_name = sec(b, ".strtab")->sh_size;
	refused(KR_EFORMAT, "symbol name out of range");
}

static void test_symbol_section_out_of_range(void **state)
{
	(void)state;
	sym(b, "hello_count")->st_shndx = ehdr()->e_shnum;
	refused(KR_EFORMAT, "symbol in a bad section");
}

static void test_common_symbol(void **state)
{
	(void)state;
	sym(b, "hello_count")->st_shndx = SHN_COMMON;
	refused(KR_EFORMAT, "common symbol (build with -fno-common)");
	assert_string_equal(err.detail, "hello_count");
}

static void test_reloc_symbol_out_of_range(void **state)
{
	Elf64_Rela *r = rela(b, ".rela.text", 0);
	size_t n;

	(void)state;
	syms(b, &n);
	r->r_info = ELF64_R_INFO(n, ELF64_R_TYPE(r->r_info));
	refused(KR_EFORMAT, "relocation symbol out of range");
	assert_string_equal(err.detail, "relocation 0 in .rela.text");
}

static void test_reloc_offset_outside_section(void **state)
{
	(void)state;
	rela(b, ".rela.text", 1)->r_offset = sec(b, ".text")->sh_size - 2;
	refused(KR_EFORMAT, "relocation outside its section");
	assert_string_equal(err.detail, "relocation 1 in .rela.text");
}

static void test_reloc_type_unsupported(void **state)
{
	Elf64_Rela *r = rela(b, ".rela.text", 2);

	(void)state;
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 37);
	refused(KR_ENOSYS, "relocation type not supported");
	assert_string_equal(err.detail, "type 37 in .rela.text");
}

static void test_reloc_target_out_of_range(void **state)
{
	(void)state;
	sec(b, ".rela.text")->sh_info = ehdr()->e_shnum;
	refused(KR_EFORMAT, "relocations for a bad section");
}

static void test_absurd_size(void **state)
{
	(void)state;
	sec(b, ".bss")->sh_size = 1ull << 30;
	refused(KR_ERANGE, "absurd size");
}

static void test_no_descriptor(void **state)
{
	Elf64_Shdr *s = sec(b, ".kr_module");

	(void)state;
	b[shdr(b, ehdr()->e_shstrndx)->sh_offset + s->sh_name + 4] = 'M';     /* ".kr_Module" */
	refused(KR_EFORMAT, "no .kr_module section (not a Karyon module)");
}

static void test_two_descriptors(void **state)
{
	(void)state;
	sec(b, ".kr_exports")->sh_name = sec(b, ".kr_module")->sh_name;
	refused(KR_EFORMAT, "section appears twice");
	assert_string_equal(err.detail, ".kr_module");
}

static void test_descriptor_size(void **state)
{
	(void)state;
	sec(b, ".kr_module")->sh_size = sizeof(struct kr_module_info) - 1;
	refused(KR_EFORMAT, "bad .kr_module section");
}

static struct kr_module_info *desc(void)
{
	return (struct kr_module_info *)(b + sec(b, ".kr_module")->sh_offset);
}

static void test_descriptor_magic(void **state)
{
	(void)state;
	desc()->magic ^= 1;
	refused(KR_EFORMAT, "bad module descriptor magic");
}

static void test_abi_mismatch(void **state)
{
	char want[64];

	(void)state;
	desc()->abi_major = KR_ABI_MAJOR + 1;
	refused(KR_EFORMAT, "built for another ABI");
	snprintf(want, sizeof(want), "module ABI %d.%d, kernel ABI %d.%d", KR_ABI_MAJOR + 1,
		 desc()->abi_minor, KR_ABI_MAJOR, KR_ABI_MINOR);
	assert_string_equal(err.detail, want);
}

static void test_module_name_unterminated(void **state)
{
	(void)state;
	memset(desc()->name, 'a', sizeof(desc()->name));
	refused(KR_EFORMAT, "module name empty or not terminated");
}

/* Names are [a-z0-9_] only, as tools/modinfo.py says; the message shows a
 * bad one with its control bytes escaped. */
static void test_module_name_bad(void **state)
{
	(void)state;
	strcpy(desc()->name, "he/../");
	refused(KR_EFORMAT, "bad module name");
	assert_string_equal(err.detail, "\"he/../\" is not [a-z0-9_]");
	strcpy(desc()->name, "\033[2Jx");
	refused(KR_EFORMAT, "bad module name");
	assert_string_equal(err.detail, "\"\\x1b[2Jx\" is not [a-z0-9_]");
	strcpy(desc()->name, "Hello");
	refused(KR_EFORMAT, "bad module name");
	memset(desc()->name, 0, sizeof(desc()->name));
	memset(desc()->name, 0xff, sizeof(desc()->name) - 1);  /* the longest: 31 escapes */
	refused(KR_EFORMAT, "bad module name");
	assert_int_equal(strlen(err.detail), 2 + 31 * 4 + strlen(" is not [a-z0-9_]"));
	memset(desc()->name, 'a', sizeof(desc()->name) - 1);    /* 31 is the most */
	assert_int_equal(kmod_validate(b, bsize, &err), KR_OK);
}

static void test_dependency_name_bad(void **state)
{
	(void)state;
	desc()->ndeps = 2;
	strcpy(desc()->deps[0].name, "hello_2");
	strcpy(desc()->deps[1].name, "..");
	refused(KR_EFORMAT, "bad dependency name");
	assert_string_equal(err.detail, "dependency 1 \"..\" is not [a-z0-9_]");
	strcpy(desc()->deps[1].name, "ok");
	assert_int_equal(kmod_validate(b, bsize, &err), KR_OK);
}

static void test_export_name_unterminated(void **state)
{
	(void)state;
	memset(b + sec(b, ".kr_exports")->sh_offset, 'a', KR_EXPORT_NAME_MAX);
	refused(KR_EFORMAT, "export name not terminated");
}

/* Failures after the allocation: it is freed, *img is zeroed. */
static void load_fails(struct tenv *e, kr_err_t rc, const char *what)
{
	struct kmod_env env = ENV(e);
	struct kmod_image img;

	assert_int_equal(kmod_validate(b, bsize, &err), KR_OK);
	memset(&img, 0x55, sizeof(img));
	assert_int_equal(kmod_load(b, bsize, &env, &img, &err), rc);
	assert_string_equal(err.what, what);
	assert_true(img_zero(&img));
	assert_int_equal(e->alloc_calls, 1);
	assert_int_equal(e->allocs, e->frees);
}

static void test_unresolved_symbol(void **state)
{
	struct tenv e = { .refuse = "kr_mem_stats" };

	(void)state;
	load_fails(&e, KR_ENOENT, "unresolved symbol");
	assert_string_equal(err.detail, "kr_mem_stats");
}

static void test_relocation_overflow(void **state)
{
	struct tenv e = { .far = 1ull << 40 };  /* far past +-2 GiB of any MAP_32BIT image */

	(void)state;
	load_fails(&e, KR_ERANGE, "relocation overflow");
	assert_memory_equal(err.detail, "kr_log,", 7);
}

static void test_alloc_failure(void **state)
{
	struct tenv e = { .fail_alloc = true };

	(void)state;
	load_fails(&e, KR_ENOMEM, "no memory for the image");
	assert_int_equal(e.allocs, 0);
	assert_int_equal(e.frees, 0);
}

static void test_no_env(void **state)
{
	struct kmod_image img;

	(void)state;
	assert_int_equal(kmod_load(b, bsize, NULL, &img, &err), KR_EINVAL);
	assert_true(img_zero(&img));
}

/* ---- random mutations ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Byte flips, header-field writes and truncations: every result is refused
 * cleanly or loads into a self-consistent image, and nothing leaks. */
static void test_mutations(void **state)
{
	struct tenv e = { .any = true };
	struct kmod_env env = ENV(&e);
	int loaded = 0, refused_n = 0;
	/* A relocation may land on the descriptor, which is checked again after. */
	static const char *const late[] = {
		"unresolved symbol", "relocation overflow", "bad module descriptor magic",
		"built for another ABI", "module name empty or not terminated",
		"too many dependencies", "dependency name empty or not terminated",
		"export name not terminated", "bad module name", "bad dependency name",
	};

	(void)state;
	for (int it = 0; it < 20000; it++) {
		const struct fixture *x = it & 1 ? &relocs : &hello;
		size_t n = x->size;
		uint8_t *m = malloc(n);
		struct kmod_image img;
		const char *vwhat;
		kr_err_t rc, vrc;
		size_t w;

		memcpy(m, x->data, n);
		for (int k = 1 + rnd() % 4; k > 0; k--) {
			Elf64_Ehdr *eh = (Elf64_Ehdr *)m;
			size_t at = rnd() % n;
			uint64_t v = rnd() % 3 ? rnd() % 256 : rnd();

			switch (rnd() % 5) {
			case 0:         /* a byte somewhere */
				m[at] = (uint8_t)v;
				break;
			case 1:         /* a bit somewhere */
				m[at] ^= 1u << (rnd() % 8);
				break;
			case 2:         /* a field of a section header, symbol or relocation */
			case 3:
				at = (rnd() % 2 && n > 64 && eh->e_shoff < n) ?
				     eh->e_shoff + rnd() % (n - eh->e_shoff) : rnd() % n;
				at &= ~(size_t)(rnd() % 2 ? 7 : 3);
				memcpy(m + at, &v, at + 8 <= n ? 8 : n - at);
				break;
			default:
				if (rnd() % 4 == 0)
					n = rnd() % n;
				break;
			}
			if (n == 0)
				break;
		}
		m = realloc(m, n ? n : 1);      /* exact size for ASan */
		vrc = kmod_validate(m, n, &err);
		vwhat = err.what;
		rc = kmod_load(m, n, &env, &img, &err);
		if (vrc) {      /* refused the same way by both */
			assert_int_equal(rc, vrc);
			assert_string_equal(err.what, vwhat);
		} else if (rc) {        /* only what needs the image can fail after validation */
			for (w = 0; w < sizeof(late) / sizeof(late[0]); w++)
				if (!strcmp(err.what, late[w]))
					break;
			if (w == sizeof(late) / sizeof(late[0]))
				fail_msg("load refused a valid file: %s (%s)", err.what, err.detail);
		}
		if (rc == KR_OK) {
			assert_true((const uint8_t *)img.info >= img.base + img.ro_off &&
				    (const uint8_t *)(img.info + 1) <= img.base + img.ro_off + img.ro_size);
			assert_true(strnlen(img.info->name, KR_MODULE_NAME_MAX) < KR_MODULE_NAME_MAX);
			assert_true(!img.nexports ||
				    ((const uint8_t *)img.exports >= img.base + img.ro_off &&
				     (const uint8_t *)(img.exports + img.nexports) <=
				     img.base + img.ro_off + img.ro_size));
			kmod_release(&env, &img);
			loaded++;
		} else {
			assert_non_null(err.what);
			assert_true(img_zero(&img));
			refused_n++;
		}
		free(m);
	}
	assert_int_equal(e.allocs, e.frees);
	assert_true(loaded > 100 && refused_n > 100);
	print_message("mutations: %d loaded, %d refused\n", loaded, refused_n);
}

/* ---- plain objects (env->entry) ---- */

static void test_plain_entry(void **state)
{
	struct tenv e = { .any = true };        /* puts, from the handler library */
	struct kmod_env env = ENV(&e);
	struct kmod_image img;
	struct kmod_error perr;
	uint8_t *f = malloc(plain.size);
	uint64_t base;

	(void)state;
	env.entry = "main";
	memcpy(f, plain.data, plain.size);
	assert_int_equal(kmod_load(f, plain.size, &env, &img, &perr), KR_OK);
	base = (uintptr_t)img.base;
	assert_null(img.info);
	assert_true(img.entry >= base + img.text_off &&
		    img.entry < base + img.text_off + img.text_size);
	kmod_release(&env, &img);

	/* A defined global named "" (found by tests/fuzz/fuzz_kmod_elf.c):
	 * nothing could refer to it; refused rather than reported. */
	sym(f, "main")->st_name = 0;
	memset(&img, 0x55, sizeof(img));
	assert_int_equal(kmod_load(f, plain.size, &env, &img, &perr), KR_EFORMAT);
	assert_string_equal(perr.what, "a global symbol without a name");
	assert_true(img_zero(&img));
	memcpy(f, plain.data, plain.size);

	/* main placed at the end of its section (a symbol of size 0 there):
	 * no code to enter, refused before anything is allocated. */
	sym(f, "main")->st_value = shdr(f, sym(f, "main")->st_shndx)->sh_size;
	memset(&img, 0x55, sizeof(img));
	assert_int_equal(kmod_load(f, plain.size, &env, &img, &perr), KR_EFORMAT);
	assert_string_equal(perr.what, "entry outside its section");
	assert_true(img_zero(&img));
	assert_int_equal(e.allocs, e.frees);
	memcpy(f, plain.data, plain.size);

	/* main's section of a type the loader does not load (found by
	 * tests/fuzz/fuzz_kmod_elf.c): the entry was the image's address
	 * plus KMOD_NONE, outside it; now there is no entry function. */
	shdr(f, sec_index(f, ".text.main"))->sh_type = 0x7a0001;
	memset(&img, 0x55, sizeof(img));
	assert_int_equal(kmod_load(f, plain.size, &env, &img, &perr), KR_ENOENT);
	assert_string_equal(perr.what, "no entry function");
	assert_true(img_zero(&img));
	assert_int_equal(e.allocs, e.frees);
	free(f);
}

static void test_plain_empty(void **state)
{
	struct tenv e = { .any = true };
	struct kmod_env env = ENV(&e);
	struct kmod_image img;
	struct kmod_error perr;
	uint8_t *f = malloc(plain.size);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;

	(void)state;
	env.entry = "main";
	memcpy(f, plain.data, plain.size);
	/* Every section the loader would place, emptied (and no relocations
	 * left to apply to them): refused before any allocation (found by
	 * tests/fuzz/fuzz_kmod_elf.c: a 0-byte alloc).  The entry, main, is
	 * then at the end of an empty section, which is said first. */
	for (unsigned i = 1; i < eh->e_shnum; i++) {
		Elf64_Shdr *sh = shdr(f, i);

		if (sh->sh_flags & SHF_ALLOC)
			sh->sh_size = 0;
		if (sh->sh_type == SHT_RELA)
			sh->sh_size = 0;
	}
	memset(&img, 0x55, sizeof(img));
	assert_int_equal(kmod_load(f, plain.size, &env, &img, &perr), KR_EFORMAT);
	assert_string_equal(perr.what, "entry outside its section");
	assert_true(img_zero(&img));
	assert_int_equal(e.allocs, 0);
	free(f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_loads_and_runs),
		cmocka_unit_test(test_relocs_every_type),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_copy, teardown_copy)
		T(test_truncated_everywhere), T(test_bad_magic), T(test_bad_class),
		T(test_bad_version), T(test_bad_machine), T(test_bad_type), T(test_shoff_past_end),
		T(test_shnum_huge), T(test_bad_shstrndx), T(test_section_offset_past_end),
		T(test_section_size_past_end), T(test_sections_overlap), T(test_bad_alignment),
		T(test_writable_and_executable), T(test_strtab_unterminated),
		T(test_symbol_name_out_of_range), T(test_symbol_section_out_of_range),
		T(test_common_symbol), T(test_reloc_symbol_out_of_range),
		T(test_reloc_offset_outside_section), T(test_reloc_type_unsupported),
		T(test_reloc_target_out_of_range), T(test_absurd_size), T(test_no_descriptor),
		T(test_two_descriptors), T(test_descriptor_size), T(test_descriptor_magic),
		T(test_abi_mismatch), T(test_module_name_unterminated),
		T(test_module_name_bad), T(test_dependency_name_bad), T(test_export_name_unterminated), T(test_unresolved_symbol),
		T(test_relocation_overflow), T(test_alloc_failure), T(test_no_env),
#undef T
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_plain_entry),
		cmocka_unit_test(test_plain_empty),
	};

	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);
		struct fixture *x = n >= 10 && !strcmp(argv[i] + n - 10, "hello.kmod") ? &hello :
				    n >= 11 && !strcmp(argv[i] + n - 11, "relocs.kmod") ? &relocs :
				    n >= 7 && !strcmp(argv[i] + n - 7, "plain.o") ? &plain : NULL;

		if (!x || read_fixture(x, argv[i])) {
			fprintf(stderr, "test_kmod_elf: cannot use %s\n", argv[i]);
			return 1;
		}
	}
	if (!hello.data || !relocs.data || !plain.data) {
		fprintf(stderr, "usage: test_kmod_elf hello.kmod relocs.kmod plain.o\n");
		return 1;
	}
	make_trampolines();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
