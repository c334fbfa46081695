/*
 * kmod_elf.c - loads a Karyon module: an x86_64 ELF relocatable object in,
 * a relocated image out.
 *
 * Decode (kmod_decode) reads the file and nothing else: it checks every
 * header, section, string table, symbol and relocation against the file's
 * bounds, then lays the image out as three page-aligned regions, text | ro
 * (+ GOT) | data, recording where each loaded section goes.  Load
 * (kmod_load) is a ladder on a decoded file: alloc + copy -> relocate, and
 * one free undoes it.  Symbols are resolved as relocations use them, so an
 * undefined symbol nothing refers to (gas adds _GLOBAL_OFFSET_TABLE_ with
 * any @GOTPCREL) is never looked up.  Past decode no offset is unchecked,
 * so a malformed file can only be refused, never read or written out of
 * bounds.  The file may sit at any alignment: headers are read with memcpy.
 */
#include <stdbool.h>
#include <karyon/libc.h>
#include "kmod_elf.h"

/* The few ELF64 definitions we need (no libc headers in the kernel). */
struct elf_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};
struct elf_sym { uint32_t name; uint8_t info, other; uint16_t shndx; uint64_t value, size; };
struct elf_rela { uint64_t offset, info; int64_t addend; };
_Static_assert(sizeof(struct elf_ehdr) == 64 && sizeof(struct elf_shdr) == 64 &&
	       sizeof(struct elf_sym) == 24 && sizeof(struct elf_rela) == 24, "ELF64 layout");

enum { ET_REL = 1, EM_X86_64 = 62, STB_GLOBAL = 1, STB_WEAK = 2 };
enum { SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_NOBITS = 8, SHT_REL = 9 };
enum { SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_TLS = 0x400 };
enum { SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2 };

/* What each supported relocation type computes: field width (4 or 8) plus
 * these flags; 0 means unsupported.  PLT32 is PC32: modules call directly. */
enum { RK_PC = 16, RK_GOT = 32, RK_S32 = 64 };
static const uint8_t kmod_rtypes[] = {
	[1] = 8,                                /* R_X86_64_64 */
	[2] = 4 | RK_PC | RK_S32,               /* R_X86_64_PC32 */
	[4] = 4 | RK_PC | RK_S32,               /* R_X86_64_PLT32 */
	[9] = 4 | RK_PC | RK_GOT | RK_S32,      /* R_X86_64_GOTPCREL */
	[10] = 4,                               /* R_X86_64_32 */
	[11] = 4 | RK_S32,                      /* R_X86_64_32S */
	[24] = 8 | RK_PC,                       /* R_X86_64_PC64 */
	[41] = 4 | RK_PC | RK_GOT | RK_S32,     /* R_X86_64_GOTPCRELX */
	[42] = 4 | RK_PC | RK_GOT | RK_S32,     /* R_X86_64_REX_GOTPCRELX */
};

#define KMOD_PAGE       4096u
#define KMOD_MAX_IMAGE  (16u << 20)     /* larger is an "absurd size" */
#define KMOD_MAX_SECT   128             /* bounds the layout table on the stack */
#define KMOD_NONE       UINT32_MAX      /* layout: section not loaded */

enum { KMOD_TEXT, KMOD_RO, KMOD_DATA };

struct kmod_file {
	const uint8_t *p;
	size_t size;
	struct kmod_error *err;
	unsigned shnum, symtab, mod, exp, live; /* section indices; 0: none */
	uint64_t shoff, shstr, shstrsz, symoff, nsyms, stroff, strsz;
	size_t nexports, ngot;                  /* ngot: GOT relocations to apply */
	uint64_t entry_sym;                     /* plain objects: the entry's symbol */
	size_t reg_off[3], reg_size[3], got_off, img_size;      /* the layout */
	uint32_t off[KMOD_MAX_SECT];            /* image offset per section, or KMOD_NONE */
};

/* Record why f is refused and give rc back: return kmod_fail(f, rc, what, fmt, ...). */
#define kmod_fail(f, rc, what_, ...) \
	((f)->err->what = (what_), \
	 ksnprintf((f)->err->detail, sizeof((f)->err->detail), __VA_ARGS__), (rc))

static bool kmod_in_file(const struct kmod_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

static void kmod_shdr(const struct kmod_file *f, unsigned i, struct elf_shdr *s)
{
	memcpy(s, f->p + f->shoff + (size_t)i * sizeof(*s), sizeof(*s));
}

static void kmod_sym(const struct kmod_file *f, uint64_t i, struct elf_sym *y)
{
	memcpy(y, f->p + f->symoff + i * sizeof(*y), sizeof(*y));
}

/* Names are only looked up once their string table is known to end in NUL. */
static const char *kmod_secname(const struct kmod_file *f, const struct elf_shdr *s)
{
	return (const char *)f->p + f->shstr + s->name;
}

static const char *kmod_symname(const struct kmod_file *f, const struct elf_sym *y)
{
	return (const char *)f->p + f->stroff + y->name;
}

/* Code and data only: unwind tables and notes are of no use in the kernel. */
static bool kmod_loaded(const struct kmod_file *f, const struct elf_shdr *s)
{
	return (s->flags & SHF_ALLOC) && (s->type == SHT_PROGBITS || s->type == SHT_NOBITS) &&
	       strcmp(kmod_secname(f, s), ".eh_frame") != 0;
}

static kr_err_t kmod_check_strtab(const struct kmod_file *f, unsigned i, const struct elf_shdr *s)
{
	if (!kmod_in_file(f, s->offset, s->size))
		return kmod_fail(f, KR_ETRUNC, "section past the end of the file", "section %u", i);
	if (s->size == 0 || f->p[s->offset + s->size - 1] != 0)
		return kmod_fail(f, KR_EFORMAT, "string table not terminated", "section %u", i);
	return KR_OK;
}

static kr_err_t kmod_check_header(struct kmod_file *f)
{
	struct elf_ehdr eh;
	struct elf_shdr s;

	if (f->size < sizeof(eh))
		return kmod_fail(f, KR_ETRUNC, "file shorter than an ELF header", "%zu bytes", f->size);
	memcpy(&eh, f->p, sizeof(eh));
	if (memcmp(eh.ident, "\177ELF", 4) != 0)
		return kmod_fail(f, KR_EFORMAT, "not an ELF file", "%s", "");
	if (eh.ident[4] != 2 || eh.ident[5] != 1)       /* ELFCLASS64, ELFDATA2LSB */
		return kmod_fail(f, KR_EFORMAT, "not a 64-bit little-endian ELF file",
				 "class %u, data %u", eh.ident[4], eh.ident[5]);
	if (eh.ident[6] != 1 || eh.version != 1)
		return kmod_fail(f, KR_EFORMAT, "unknown ELF version", "%u", eh.version);
	if (eh.type != ET_REL)
		return kmod_fail(f, KR_EFORMAT, "not a relocatable object", "ELF type %u", eh.type);
	if (eh.machine != EM_X86_64)
		return kmod_fail(f, KR_EFORMAT, "not an x86_64 object", "machine %u", eh.machine);
	if (eh.shentsize != sizeof(s) || eh.shnum == 0)
		return kmod_fail(f, KR_EFORMAT, "bad section header table", "%u headers of %u bytes",
				 eh.shnum, eh.shentsize);
	if (!kmod_in_file(f, eh.shoff, (uint64_t)eh.shnum * sizeof(s)))
		return kmod_fail(f, KR_ETRUNC, "section headers past the end of the file",
				 "%u at offset %llu", eh.shnum, (unsigned long long)eh.shoff);
	if (eh.shnum > KMOD_MAX_SECT)
		return kmod_fail(f, KR_ERANGE, "too many sections", "%u, at most %u", eh.shnum,
				 KMOD_MAX_SECT);
	if (eh.shstrndx == 0 || eh.shstrndx >= eh.shnum)
		return kmod_fail(f, KR_EFORMAT, "bad section name table index", "%u", eh.shstrndx);
	f->shoff = eh.shoff;
	f->shnum = eh.shnum;
	kmod_shdr(f, eh.shstrndx, &s);
	if (s.type != SHT_STRTAB)
		return kmod_fail(f, KR_EFORMAT, "section names not in a string table", "%s", "");
	f->shstr = s.offset;
	f->shstrsz = s.size;
	return kmod_check_strtab(f, eh.shstrndx, &s);
}

static kr_err_t kmod_check_sections(struct kmod_file *f)
{
	struct elf_shdr s, t;
	const char *name;
	unsigned i, j, *slot;
	kr_err_t rc;

	for (i = 1; i < f->shnum; i++) {
		kmod_shdr(f, i, &s);
		if (s.type != SHT_NOBITS && !kmod_in_file(f, s.offset, s.size))
			return kmod_fail(f, KR_ETRUNC, "section past the end of the file",
					 "section %u", i);
		if (s.name >= f->shstrsz)
			return kmod_fail(f, KR_EFORMAT, "section name out of range", "section %u", i);
		name = kmod_secname(f, &s);
		if (s.addralign > KMOD_PAGE || (s.addralign & (s.addralign - 1)))
			return kmod_fail(f, KR_EFORMAT, "bad section alignment", "%llu in %s",
					 (unsigned long long)s.addralign, name);
		if (s.type == SHT_STRTAB && (rc = kmod_check_strtab(f, i, &s)))
			return rc;
		if (s.type == SHT_REL)
			return kmod_fail(f, KR_ENOSYS, "REL relocations not supported", "%s", name);
		if ((s.flags & SHF_ALLOC) && (s.flags & SHF_TLS))
			return kmod_fail(f, KR_ENOSYS, "thread-local storage not supported", "%s", name);
		if ((s.flags & SHF_WRITE) && (s.flags & SHF_EXECINSTR))
			return kmod_fail(f, KR_EFORMAT, "writable and executable section", "%s", name);
		slot = s.type == SHT_SYMTAB ? &f->symtab : !strcmp(name, ".kr_module") ? &f->mod :
		       !strcmp(name, ".kr_exports") ? &f->exp :
		       !strcmp(name, ".kr_live") ? &f->live : NULL;
		if (slot && *slot)
			return kmod_fail(f, KR_EFORMAT, "section appears twice", "%s", name);
		if (slot)
			*slot = i;
		for (j = 1; j < i && s.type != SHT_NOBITS && s.size; j++) {
			kmod_shdr(f, j, &t);
			if (t.type != SHT_NOBITS && t.offset < s.offset + s.size &&
			    s.offset < t.offset + t.size)
				return kmod_fail(f, KR_EFORMAT, "sections overlap", "%s and %s",
						 kmod_secname(f, &t), name);
		}
	}
	return KR_OK;
}

static kr_err_t kmod_check_symbols(struct kmod_file *f)
{
	struct elf_shdr s, t = { 0 };
	struct elf_sym y;
	uint64_t i;

	if (!f->symtab)
		return KR_OK;   /* fine until a relocation needs one */
	kmod_shdr(f, f->symtab, &s);
	if (s.link && s.link < f->shnum)
		kmod_shdr(f, s.link, &t);
	if (s.entsize != sizeof(y) || s.size % sizeof(y) || t.type != SHT_STRTAB)
		return kmod_fail(f, KR_EFORMAT, "bad symbol table", "entry size %llu, link %u",
				 (unsigned long long)s.entsize, s.link);
	f->symoff = s.offset;
	f->nsyms = s.size / sizeof(y);
	f->stroff = t.offset;
	f->strsz = t.size;
	for (i = 0; i < f->nsyms; i++) {       /* 0 too: its name shows in messages */
		kmod_sym(f, i, &y);
		if (y.name >= f->strsz)
			return kmod_fail(f, KR_EFORMAT, "symbol name out of range", "symbol %llu",
					 (unsigned long long)i);
		if (y.shndx == SHN_COMMON)
			return kmod_fail(f, KR_EFORMAT, "common symbol (build with -fno-common)",
					 "%s", kmod_symname(f, &y));
		if (y.shndx == SHN_UNDEF || y.shndx == SHN_ABS)
			continue;
		if (y.shndx >= f->shnum)
			return kmod_fail(f, KR_EFORMAT, "symbol in a bad section", "%s in section %u",
					 kmod_symname(f, &y), y.shndx);
		kmod_shdr(f, y.shndx, &t);
		if (y.value > t.size)
			return kmod_fail(f, KR_EFORMAT, "symbol outside its section", "%s",
					 kmod_symname(f, &y));
		if (y.info >> 4 == STB_GLOBAL && !*kmod_symname(f, &y))
			return kmod_fail(f, KR_EFORMAT, "a global symbol without a name",
					 "symbol %llu", (unsigned long long)i);
	}
	return KR_OK;
}

/* A module or dependency name: [a-z0-9_] only, as tools/modinfo.py checks,
 * since names are printed by lsmod and turned into paths by insmod (the
 * length, 1-31, is checked by the caller). */
static bool kmod_name_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* s (NUL-terminated, at most 31 bytes) quoted for a message: bytes other
 * than printable ASCII, " and \ as \xHH, so a name cannot drive a terminal. */
static void kmod_quote(char *out, size_t len, const char *s)
{
	size_t n = 0;

	n += (size_t)ksnprintf(out, len, "\"");
	for (; *s && n < len; s++)
		n += (size_t)ksnprintf(out + n, len - n, *s >= 0x20 && *s < 0x7f && *s != '"' &&
				       *s != '\\' ? "%c" : "\\x%02x", (unsigned char)*s);
	if (n < len)
		ksnprintf(out + n, len - n, "\"");
}

/* The descriptor and export table, in the file or (after relocation, which
 * could have written over them) in the image: callers trust their strings. */
static kr_err_t kmod_check_desc(const struct kmod_file *f, const uint8_t *m, const uint8_t *x)
{
	const char *name = (const char *)m + offsetof(struct kr_module_info, name);
	const char *dep = (const char *)m + offsetof(struct kr_module_info, deps);
	struct { uint32_t magic; uint16_t abi_major, abi_minor; uint32_t version, ndeps; } mi;
	char q[KR_MODULE_NAME_MAX * 4 + 3];
	size_t i, n;

	_Static_assert(sizeof(mi) == offsetof(struct kr_module_info, name), "descriptor head");
	memcpy(&mi, m, sizeof(mi));
	if (mi.magic != KR_MODULE_MAGIC)
		return kmod_fail(f, KR_EFORMAT, "bad module descriptor magic", "%#x", mi.magic);
	if (mi.abi_major != KR_ABI_MAJOR)
		return kmod_fail(f, KR_EFORMAT, "built for another ABI",
				 "module ABI %u.%u, kernel ABI %u.%u", mi.abi_major, mi.abi_minor,
				 KR_ABI_MAJOR, KR_ABI_MINOR);
	n = strnlen(name, KR_MODULE_NAME_MAX);
	if (n == 0 || n == KR_MODULE_NAME_MAX)
		return kmod_fail(f, KR_EFORMAT, "module name empty or not terminated", "%s", "");
	if (!kmod_name_ok(name)) {
		kmod_quote(q, sizeof(q), name);
		return kmod_fail(f, KR_EFORMAT, "bad module name", "%s is not [a-z0-9_]", q);
	}
	if (mi.ndeps > KR_MODULE_DEPS_MAX)
		return kmod_fail(f, KR_EFORMAT, "too many dependencies", "%u", mi.ndeps);
	for (i = 0; i < mi.ndeps; i++) {
		n = strnlen(dep + i * sizeof(struct kr_module_dep), KR_MODULE_NAME_MAX);
		if (n == 0 || n == KR_MODULE_NAME_MAX)
			return kmod_fail(f, KR_EFORMAT, "dependency name empty or not terminated",
					 "dependency %zu", i);
		if (!kmod_name_ok(dep + i * sizeof(struct kr_module_dep))) {
			kmod_quote(q, sizeof(q), dep + i * sizeof(struct kr_module_dep));
			return kmod_fail(f, KR_EFORMAT, "bad dependency name",
					 "dependency %zu %s is not [a-z0-9_]", i, q);
		}
	}
	for (i = 0; i < f->nexports; i++)
		if (strnlen((const char *)x + i * sizeof(struct kr_module_export),
			    KR_EXPORT_NAME_MAX) == KR_EXPORT_NAME_MAX)
			return kmod_fail(f, KR_EFORMAT, "export name not terminated", "export %zu", i);
	return KR_OK;
}

static kr_err_t kmod_check_module(struct kmod_file *f)
{
	struct elf_shdr s, l, x = { 0 };

	if (!f->mod)
		return kmod_fail(f, KR_EFORMAT, "no .kr_module section (not a Karyon module)", "%s", "");
	kmod_shdr(f, f->mod, &s);
	if (s.size != sizeof(struct kr_module_info) || s.type != SHT_PROGBITS || !kmod_loaded(f, &s))
		return kmod_fail(f, KR_EFORMAT, "bad .kr_module section", "%llu bytes, expected %zu",
				 (unsigned long long)s.size, sizeof(struct kr_module_info));
	if (f->exp) {
		kmod_shdr(f, f->exp, &x);
		if (x.size % sizeof(struct kr_module_export) || x.type != SHT_PROGBITS ||
		    !kmod_loaded(f, &x))
			return kmod_fail(f, KR_EFORMAT, "bad .kr_exports section", "%llu bytes",
					 (unsigned long long)x.size);
		f->nexports = x.size / sizeof(struct kr_module_export);
	}
	if (f->live) {
		kmod_shdr(f, f->live, &l);
		if (l.size != sizeof(struct kr_live_ops) || l.type != SHT_PROGBITS ||
		    !kmod_loaded(f, &l))
			return kmod_fail(f, KR_EFORMAT, "bad .kr_live section", "%llu bytes",
					 (unsigned long long)l.size);
	}
	return kmod_check_desc(f, f->p + s.offset, f->p + x.offset);
}

/* Where the image runs: where it was put, unless linked for elsewhere. */
static uint64_t kmod_runaddr(const struct kmod_env *env, const uint8_t *base)
{
	return env->link_addr ? env->link_addr : (uintptr_t)base;
}

/* S for symbol i: in the image, absolute, from the kernel, or 0 (weak and missing). */
static kr_err_t kmod_symval(const struct kmod_file *f, const struct kmod_env *env,
			    const uint8_t *base, uint64_t i, uint64_t *v)
{
	struct elf_sym y;
	kr_err_t rc;

	*v = 0;
	if (i == 0)
		return KR_OK;
	kmod_sym(f, i, &y);
	if (y.shndx == SHN_ABS)
		*v = y.value;
	else if (y.shndx != SHN_UNDEF)
		*v = kmod_runaddr(env, base) + f->off[y.shndx] + y.value;
	else if ((rc = env->resolve(env->ctx, kmod_symname(f, &y), v)) != KR_OK) {
		*v = 0;
		if (y.info >> 4 != STB_WEAK)
			return kmod_fail(f, rc < 0 ? rc : KR_ENOENT, KMOD_UNRESOLVED, "%s",
					 kmod_symname(f, &y));
	}
	return KR_OK;
}

/*
 * Without an image (base NULL) this is the decode step: it checks every
 * relocation that will be applied and counts the GOT ones.  With an image it
 * runs the same walk again and applies them; the checks then always pass.
 */
static kr_err_t kmod_relocs(struct kmod_file *f, const struct kmod_env *env, uint8_t *base)
{
	struct elf_shdr s, t, u;
	struct elf_rela r;
	struct elf_sym y;
	uint64_t k, sym, S, P, v;
	unsigned long long n;
	const char *name;
	unsigned i, rt;
	uint8_t *where;
	uint32_t v32;
	kr_err_t rc;

	for (i = 1; i < f->shnum; i++) {
		kmod_shdr(f, i, &s);
		if (s.type != SHT_RELA)
			continue;
		name = kmod_secname(f, &s);
		if (s.entsize != sizeof(r) || s.size % sizeof(r) || !f->symtab || s.link != f->symtab)
			return kmod_fail(f, KR_EFORMAT, "bad relocation section", "%s", name);
		if (s.info == 0 || s.info >= f->shnum)
			return kmod_fail(f, KR_EFORMAT, "relocations for a bad section",
					 "section %u in %s", s.info, name);
		kmod_shdr(f, s.info, &t);
		if (!kmod_loaded(f, &t))
			continue;       /* debug info, unwind tables: not loaded, so not relocated */
		for (k = 0; k < s.size / sizeof(r); k++) {
			memcpy(&r, f->p + s.offset + k * sizeof(r), sizeof(r));
			sym = r.info >> 32;
			n = k;
			rt = (uint32_t)r.info < sizeof(kmod_rtypes) ? kmod_rtypes[(uint32_t)r.info] : 0;
			if (!rt)
				return kmod_fail(f, KR_ENOSYS, "relocation type not supported",
						 "type %u in %s", (uint32_t)r.info, name);
			if (sym >= f->nsyms)
				return kmod_fail(f, KR_EFORMAT, "relocation symbol out of range",
						 "relocation %llu in %s", n, name);
			if (r.offset > t.size || (rt & 12) > t.size - r.offset)
				return kmod_fail(f, KR_EFORMAT, "relocation outside its section",
						 "relocation %llu in %s", n, name);
			kmod_sym(f, sym, &y);
			if (sym && y.shndx != SHN_UNDEF && y.shndx != SHN_ABS) {
				kmod_shdr(f, y.shndx, &u);
				if (!kmod_loaded(f, &u))
					return kmod_fail(f, KR_EFORMAT, "relocation against an unloaded "
							 "section", "relocation %llu in %s", n, name);
			}
			if (!base) {
				f->ngot += !!(rt & RK_GOT);
				continue;
			}
			if ((rc = kmod_symval(f, env, base, sym, &S)))
				return rc;
			where = base + f->off[s.info] + r.offset;
			P = kmod_runaddr(env, base) + f->off[s.info] + r.offset;
			if (rt & RK_GOT) {      /* the symbol's slot, written now, read-only later */
				memcpy(base + f->got_off + sym * 8, &S, 8);
				S = kmod_runaddr(env, base) + f->got_off + sym * 8;
			}
			v = S + (uint64_t)r.addend - (rt & RK_PC ? P : 0);
			if ((rt & 12) == 8) {
				memcpy(where, &v, 8);
				continue;
			}
			if (rt & RK_S32 ? v + 0x80000000u > 0xffffffffu : v > 0xffffffffu)
				return kmod_fail(f, KR_ERANGE, "relocation overflow",
						 "%s, relocation %llu in %s", kmod_symname(f, &y), n, name);
			v32 = (uint32_t)v;
			memcpy(where, &v32, 4);
		}
	}
	return KR_OK;
}

/* Regions in order text, ro, data, each page-aligned; a section's region
 * follows its flags, but the descriptor and exports are always read-only. */
static kr_err_t kmod_layout(struct kmod_file *f)
{
	struct elf_shdr s;
	uint64_t cur = 0, align;
	unsigned i;
	int r, reg;

	for (i = 0; i < f->shnum; i++)
		f->off[i] = KMOD_NONE;
	for (r = KMOD_TEXT; r <= KMOD_DATA; r++) {
		f->reg_off[r] = cur;
		for (i = 1; i < f->shnum && cur <= KMOD_MAX_IMAGE; i++) {
			kmod_shdr(f, i, &s);
			reg = (i == f->mod || i == f->exp || i == f->live) ? KMOD_RO : (s.flags & SHF_EXECINSTR) ?
			      KMOD_TEXT : (s.flags & SHF_WRITE) ? KMOD_DATA : KMOD_RO;
			if (reg != r || !kmod_loaded(f, &s))
				continue;
			align = s.addralign ? s.addralign : 1;
			if ((i == f->mod || i == f->exp || i == f->live) && align < 8)
				align = 8;      /* read as structs */
			cur = (cur + align - 1) & ~(align - 1);
			f->off[i] = (uint32_t)cur;
			cur += s.size < KMOD_MAX_IMAGE ? s.size : KMOD_MAX_IMAGE + 1;
		}
		/* The GOT: one slot per symbol index, so finding a symbol's slot needs no search. */
		if (r == KMOD_RO && f->ngot && cur <= KMOD_MAX_IMAGE) {
			cur = (cur + 7) & ~7ull;
			f->got_off = cur;
			cur += f->nsyms < KMOD_MAX_IMAGE / 8 ? f->nsyms * 8 : KMOD_MAX_IMAGE + 1;
		}
		if (cur > KMOD_MAX_IMAGE)
			return kmod_fail(f, KR_ERANGE, "absurd size", "image over %u bytes",
					 KMOD_MAX_IMAGE);
		cur = (cur + KMOD_PAGE - 1) & ~(uint64_t)(KMOD_PAGE - 1);
		f->reg_size[r] = cur - f->reg_off[r];
	}
	if (!cur)               /* all its loaded sections are empty */
		return kmod_fail(f, KR_EFORMAT, "nothing to load", "%s",
				 "no section with code or data");
	f->img_size = cur;
	return KR_OK;
}

/* A module has a descriptor; a plain object has none, and a global
 * function called entry in an executable section that is loaded (else the
 * entry would be the image's address plus KMOD_NONE). */
static kr_err_t kmod_check_object(struct kmod_file *f, const char *entry)
{
	struct elf_sym y;
	struct elf_shdr s;
	uint64_t i;

	if (!entry)
		return kmod_check_module(f);
	if (f->mod)
		return kmod_fail(f, KR_EFORMAT, "a module, not a plain object", "%s", "");
	for (i = 1; i < f->nsyms; i++) {
		kmod_sym(f, i, &y);
		if (y.info >> 4 == STB_GLOBAL && y.shndx != SHN_UNDEF && y.shndx < f->shnum &&
		    !strcmp(kmod_symname(f, &y), entry)) {
			kmod_shdr(f, y.shndx, &s);
			if (!(s.flags & SHF_EXECINSTR) || !kmod_loaded(f, &s))
				break;
			if (y.value >= s.size)  /* at or past its section's end: no code there */
				return kmod_fail(f, KR_EFORMAT, "entry outside its section",
						 "%s at %#llx of %#llx bytes", entry,
						 (unsigned long long)y.value, (unsigned long long)s.size);
			f->entry_sym = i;
			return KR_OK;
		}
	}
	return kmod_fail(f, KR_ENOENT, "no entry function", "%s", entry);
}

static kr_err_t kmod_decode(struct kmod_file *f, const void *file, size_t size,
			    const char *entry, struct kmod_error *err)
{
	kr_err_t rc;

	*f = (struct kmod_file){ .p = file, .size = file ? size : 0, .err = err };
	*err = (struct kmod_error){ 0 };
	if ((rc = kmod_check_header(f)) || (rc = kmod_check_sections(f)) ||
	    (rc = kmod_check_symbols(f)) || (rc = kmod_check_object(f, entry)) ||
	    (rc = kmod_relocs(f, NULL, NULL)))
		return rc;
	return kmod_layout(f);
}

kr_err_t kmod_validate(const void *file, size_t size, struct kmod_error *err)
{
	struct kmod_error spare;
	struct kmod_file f;

	return kmod_decode(&f, file, size, NULL, err ? err : &spare);
}

kr_err_t kmod_describe(const void *file, size_t size, struct kr_module_info *out,
		       struct kmod_error *err)
{
	struct kmod_error spare;
	struct kmod_file f;
	struct elf_shdr s;
	kr_err_t rc = kmod_decode(&f, file, size, NULL, err ? err : &spare);

	if (rc)
		return rc;
	kmod_shdr(&f, f.mod, &s);
	memcpy(out, f.p + s.offset, sizeof(*out));
	out->init = NULL;       /* not relocated: only the image's are usable */
	out->exit = NULL;
	return KR_OK;
}

/* env->defined for every global symbol defined in a loaded section. */
static kr_err_t kmod_report_defined(const struct kmod_file *f, const struct kmod_env *env,
				    const uint8_t *base)
{
	struct elf_sym y;
	uint64_t v;
	kr_err_t rc;

	for (uint64_t i = 1; i < f->nsyms; i++) {
		kmod_sym(f, i, &y);
		if (y.info >> 4 != STB_GLOBAL || y.shndx == SHN_UNDEF || kmod_symval(f, env, base, i, &v))
			continue;
		if (y.shndx != SHN_ABS && (y.shndx >= f->shnum || f->off[y.shndx] == KMOD_NONE))
			continue;
		if ((rc = env->defined(env->ctx, kmod_symname(f, &y), v)))
			return rc;
	}
	return KR_OK;
}

kr_err_t kmod_load(const void *file, size_t size, const struct kmod_env *env,
		   struct kmod_image *img, struct kmod_error *err)
{
	struct kmod_error spare;
	struct kmod_file f;
	struct elf_shdr s;
	uint8_t *base;
	unsigned i;
	kr_err_t rc;

	if (img)
		*img = (struct kmod_image){ 0 };
	if ((rc = kmod_decode(&f, file, size, env ? env->entry : NULL, err ? err : &spare)))
		return rc;
	if (!img || !env || !env->alloc || !env->free || !env->resolve)
		return kmod_fail(&f, KR_EINVAL, "no image or loader environment", "%s", "");

	base = env->alloc(env->ctx, f.img_size);
	if (!base)
		return kmod_fail(&f, KR_ENOMEM, "no memory for the image", "%zu bytes", f.img_size);
	memset(base, 0, f.img_size);    /* .bss, padding and the GOT start zeroed */
	for (i = 1; i < f.shnum; i++) {
		kmod_shdr(&f, i, &s);
		if (f.off[i] != KMOD_NONE && s.type == SHT_PROGBITS)
			memcpy(base + f.off[i], f.p + s.offset, s.size);
	}
	rc = kmod_relocs(&f, env, base);
	if (rc)
		goto out_free;
	if (!env->entry &&
	    (rc = kmod_check_desc(&f, base + f.off[f.mod], base + (f.exp ? f.off[f.exp] : 0))))
		goto out_free;

	*img = (struct kmod_image){
		.base = base, .size = f.img_size,
		.text_off = f.reg_off[KMOD_TEXT], .text_size = f.reg_size[KMOD_TEXT],
		.ro_off = f.reg_off[KMOD_RO], .ro_size = f.reg_size[KMOD_RO],
		.data_off = f.reg_off[KMOD_DATA], .data_size = f.reg_size[KMOD_DATA],
		.info = f.mod ? (const void *)(base + f.off[f.mod]) : NULL,
		.exports = f.exp ? (const void *)(base + f.off[f.exp]) : NULL,
		.nexports = f.nexports,
		.live = f.live ? (const void *)(base + f.off[f.live]) : NULL,
	};
	if (env->entry)
		kmod_symval(&f, env, base, f.entry_sym, &img->entry);
	if (env->entry && env->defined && (rc = kmod_report_defined(&f, env, base)))
		goto out_free;
	return KR_OK;
out_free:
	env->free(env->ctx, base, f.img_size);
	return rc;
}

void kmod_release(const struct kmod_env *env, struct kmod_image *img)
{
	if (!env || !img || !img->base)
		return;
	env->free(env->ctx, img->base, img->size);
	*img = (struct kmod_image){ 0 };
}
