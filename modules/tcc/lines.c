/*
 * lines.c - the line table from TinyCC's stabs (lines.h).
 *
 * TinyCC (0.9.27, Debian's) writes debugging information as stabs in .stab
 * and .stabstr: N_SO / N_SOL name the source file, N_FUN starts a function
 * (its n_value is relocated through .rela.stab to the function's symbol),
 * N_SLINE gives a line (n_desc) at an offset from the function's start
 * (n_value).  Only those are read.
 */
#include <karyon/libc.h>
#include <krt/libc.h>
#include "lines.h"

#define N_FUN   0x24
#define N_SLINE 0x44
#define N_SO    0x64
#define N_SOL   0x84
#define SHT_RELA 4

struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};
struct sym { uint32_t name; uint8_t info, other; uint16_t shndx; uint64_t value, size; };
struct rela { uint64_t offset, info; int64_t addend; };
struct stab { uint32_t strx; uint8_t type, other; uint16_t desc; uint32_t value; };
_Static_assert(sizeof(struct ehdr) == 64 && sizeof(struct shdr) == 64 && sizeof(struct sym) == 24 &&
	       sizeof(struct rela) == 24 && sizeof(struct stab) == 12, "ELF64 and stab layouts");

struct obj {
	const uint8_t *p;
	size_t len;
	struct ehdr eh;
};

/* Section i's header, if it and its contents lie inside the file. */
static int section(const struct obj *o, unsigned i, struct shdr *s)
{
	uint64_t at = o->eh.shoff + (uint64_t)i * sizeof(*s);

	if (i >= o->eh.shnum || at > o->len || sizeof(*s) > o->len - at)
		return 0;
	memcpy(s, o->p + at, sizeof(*s));
	return s->offset <= o->len && s->size <= o->len - s->offset;
}

static const char *sec_name(const struct obj *o, const struct shdr *s)
{
	struct shdr str;

	if (!section(o, o->eh.shstrndx, &str) || s->name >= str.size)
		return "";
	return memchr(o->p + str.offset + s->name, 0, str.size - s->name) ?
	       (const char *)o->p + str.offset + s->name : "";
}

static unsigned find(const struct obj *o, const char *name, struct shdr *s)
{
	for (unsigned i = 1; i < o->eh.shnum; i++)
		if (section(o, i, s) && !strcmp(sec_name(o, s), name))
			return i;
	return 0;
}

/* The value a relocation puts at .stab offset at: the symbol's value plus
 * the addend (a function in .text); 0 if there is none. */
static uint32_t reloc_at(const struct obj *o, const struct shdr *rel, const struct shdr *symtab,
			 uint64_t at)
{
	struct rela r;
	struct sym y;

	for (uint64_t k = 0; k + sizeof(r) <= rel->size; k += sizeof(r)) {
		memcpy(&r, o->p + rel->offset + k, sizeof(r));
		if (r.offset != at)
			continue;
		if ((r.info >> 32) * sizeof(y) + sizeof(y) > symtab->size)
			return 0;
		memcpy(&y, o->p + symtab->offset + (r.info >> 32) * sizeof(y), sizeof(y));
		return (uint32_t)(y.value + (uint64_t)r.addend);
	}
	return 0;
}

static void set_file(struct line_table *t, const struct shdr *str, const struct obj *o,
		     uint32_t strx)
{
	const char *name;
	size_t n;

	if (strx >= str->size || !memchr(o->p + str->offset + strx, 0, str->size - strx))
		return;
	name = (const char *)o->p + str->offset + strx;
	n = strlen(name);
	if (!n || name[n - 1] == '/')
		return;                 /* N_SO's directory entry */
	for (uint32_t i = 0; i < t->nfiles; i++)
		if (!strncmp(t->files[i], name, LINES_FILE_MAX - 1)) {
			t->cur = i;
			return;
		}
	if (t->nfiles == LINES_FILES)
		return;                 /* rows stay with the last file that fitted */
	memcpy(t->files[t->nfiles], name, n < LINES_FILE_MAX ? n + 1 : LINES_FILE_MAX);
	t->files[t->nfiles][LINES_FILE_MAX - 1] = '\0';
	t->cur = t->nfiles++;
}

void lines_read(const void *obj, size_t len, struct line_table *t)
{
	struct obj o = { .p = obj, .len = len };
	struct shdr stab, str, rel = { 0 }, symtab;
	uint32_t fn = 0;
	unsigned si;

	t->nrows = t->nfiles = t->cur = 0;
	if (!obj || len < sizeof(o.eh))
		return;
	memcpy(&o.eh, obj, sizeof(o.eh));
	if (memcmp(o.eh.ident, "\177ELF", 4) || o.eh.shentsize != sizeof(struct shdr))
		return;
	si = find(&o, ".stab", &stab);
	if (!si || !find(&o, ".stabstr", &str) || !find(&o, ".symtab", &symtab))
		return;
	for (unsigned i = 1; i < o.eh.shnum; i++)
		if (section(&o, i, &rel) && rel.type == SHT_RELA && rel.info == si)
			break;
	if (rel.info != si || rel.type != SHT_RELA)
		rel.size = 0;
	for (uint64_t k = 0; k + sizeof(struct stab) <= stab.size; k += sizeof(struct stab)) {
		struct stab e;

		memcpy(&e, o.p + stab.offset + k, sizeof(e));
		if (e.type == N_SO || e.type == N_SOL)
			set_file(t, &str, &o, e.strx);
		else if (e.type == N_FUN)
			fn = e.value + reloc_at(&o, &rel, &symtab, k + 8);
		else if (e.type == N_SLINE && t->nfiles && t->nrows < LINES_MAX)
			t->rows[t->nrows++] = (struct line_row){ fn + e.value, e.desc,
								(uint8_t)t->cur };
	}
}

const struct line_row *lines_find(const struct line_table *t, uint32_t off)
{
	const struct line_row *best = NULL;

	for (uint32_t i = 0; t && i < t->nrows; i++)
		if (t->rows[i].off <= off && (!best || t->rows[i].off >= best->off))
			best = &t->rows[i];
	return best;
}
