/*
 * compile.c - drives Debian's libtcc: a source file in the VFS becomes a
 * relocatable ELF object in memory.  Linking is not done here: the object
 * goes to the kmod service's linker with the handler's grants as its only
 * symbol source, so libtcc never resolves a symbol itself.
 *
 * Options: -nostdinc (the handler headers in /usr/include and -I only),
 * -nostdlib (no libc, no libtcc1: the grants provide them), -fno-common
 * (every global gets storage; the linker refuses common symbols).
 *
 * A metered compile (the default; gas.h) takes two passes: libtcc
 * preprocesses the file (its -E text captured by sys_capture), gas.c
 * inserts the charges, and a fresh libtcc compiles that text, whose line
 * markers keep the user's file names and lines in every message.
 */
#include <karyon/libc.h>
#include <krt/libc.h>
#include <libtcc.h>
#include "compile.h"
#include "gas.h"

void *malloc(size_t n);
void free(void *p);

/* TinyCC reports "file:line: error: text" or "tcc: error: text". */
static void on_error(void *opaque, const char *msg)
{
	struct compile_req *q = opaque;

	if (strstr(msg, ": error: "))
		q->errors++;
	q->diag(q->ctx, msg);
}

/* -DNAME=VALUE: the value after the first '=' ("1" without one). */
static void define(TCCState *s, const char *def)
{
	char name[64];
	const char *eq = strchr(def, '=');
	size_t n = eq ? (size_t)(eq - def) : strlen(def);

	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, def, n);
	name[n] = '\0';
	tcc_define_symbol(s, name, eq ? eq + 1 : "1");
}

/* A compiler for q.  Pass 2 of a metered compile gets no macros of the
 * user's: an identifier pass 1 left alone (after an #undef) must stay one. */
static TCCState *state(struct compile_req *q, int output, bool macros)
{
	TCCState *s = tcc_new();

	if (!s)
		return NULL;
	tcc_set_error_func(s, q, on_error);
	tcc_set_options(s, q->lines ? "-nostdlib -nostdinc -fno-common -g" :
			"-nostdlib -nostdinc -fno-common");
	tcc_set_output_type(s, output);
	for (unsigned i = 0; i < q->nincdirs; i++)
		tcc_add_include_path(s, q->incdirs[i]);
	tcc_add_sysinclude_path(s, "/usr/include");
	if (!macros)
		return s;
	tcc_define_symbol(s, "__KARYON__", "1");
	if (q->gas)
		tcc_define_symbol(s, "__KARYON_GAS__", "1");
	for (unsigned i = 0; i < q->ndefines; i++)
		define(s, q->defines[i]);
	return s;
}

/* A unit's text named by a line directive, NUL-terminated (malloc). */
static char *unit_text(const struct compile_unit *u)
{
	size_t n = strlen(u->name) + 12;
	char *t = malloc(n + u->len + 1);

	if (!t)
		return NULL;
	ksnprintf(t, n + 1, "#line 1 \"%s\"\n", u->name);
	n = strlen(t);
	memcpy(t + n, u->src, u->len);
	t[n + u->len] = '\0';
	return t;
}

/* Add unit i (or the file, without units) to s. */
static int add_source(struct compile_req *q, TCCState *s, unsigned i)
{
	char *t;
	int r;

	if (!q->nunits)
		return tcc_add_file(s, q->path);
	t = unit_text(&q->units[i]);
	if (!t)
		return -1;
	r = tcc_compile_string(s, t);
	free(t);
	return r;
}

/* Pass 1 and the metering of unit i: the instrumented text in *res. */
static kr_err_t metered(struct compile_req *q, unsigned i, struct gas_result *res)
{
	TCCState *s = state(q, TCC_OUTPUT_PREPROCESS, true);
	const char *pp;
	char err[160];
	size_t len;
	kr_err_t e;
	int r;

	if (!s)
		return KR_ENOMEM;
	sys_capture(true);
	r = add_source(q, s, i);
	sys_capture(false);
	tcc_delete(s);
	if (r || q->errors)
		return KR_EFORMAT;
	pp = sys_captured(&len);
	if (!pp)
		return KR_ENOMEM;
	e = gas_instrument_mode(pp, len, q->gas_flags, res, err, sizeof(err));
	if (e == KR_EFORMAT) {
		q->errors++;
		q->diag(q->ctx, err);
	}
	return e;
}

long compile_entry(void *arg)
{
	struct compile_req *q = arg;
	struct gas_result g[COMPILE_UNITS] = { 0 };
	unsigned n = q->nunits ? q->nunits : 1, i;
	TCCState *s;
	kr_err_t e = KR_OK;
	int r = 0;

	if (n > COMPILE_UNITS)
		return KR_EINVAL;
	for (i = 0; i < n && !e && q->gas; i++) {
		e = metered(q, i, &g[i]);
		q->charges += g[i].charges;
	}
	s = e ? NULL : state(q, TCC_OUTPUT_OBJ, !q->gas);
	for (i = 0; i < n && s && r == 0 && !q->errors; i++)
		r = q->gas ? tcc_compile_string(s, g[i].text) : add_source(q, s, i);
	for (i = 0; i < n; i++)
		free(g[i].text);
	if (e)
		return e == KR_ENOMEM ? e : KR_EFORMAT;
	if (!s)
		return KR_ENOMEM;
	if (r == 0 && !q->errors)
		r = tcc_output_file(s, SYS_OBJECT_PATH);
	tcc_delete(s);
	return r || q->errors ? KR_EFORMAT : KR_OK;
}
