/*
 * compile.c - drives Debian's libtcc: a source file in the VFS becomes a
 * relocatable ELF object in memory.  Linking is not done here: the object
 * goes to the kmod service's linker with the handler's grants as its only
 * symbol source, so libtcc never resolves a symbol itself.
 *
 * Options: -nostdinc (the handler headers in /usr/include and -I only),
 * -nostdlib (no libc, no libtcc1: the grants provide them), -fno-common
 * (every global gets storage; the linker refuses common symbols).
 */
#include <karyon/libc.h>
#include <krt/libc.h>
#include <libtcc.h>
#include "compile.h"

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

long compile_entry(void *arg)
{
	struct compile_req *q = arg;
	TCCState *s = tcc_new();
	int r;

	if (!s)
		return KR_ENOMEM;
	tcc_set_error_func(s, q, on_error);
	tcc_set_options(s, q->lines ? "-nostdlib -nostdinc -fno-common -g" :
			"-nostdlib -nostdinc -fno-common");
	tcc_set_output_type(s, TCC_OUTPUT_OBJ);
	for (unsigned i = 0; i < q->nincdirs; i++)
		tcc_add_include_path(s, q->incdirs[i]);
	tcc_add_sysinclude_path(s, "/usr/include");
	tcc_define_symbol(s, "__KARYON__", "1");
	for (unsigned i = 0; i < q->ndefines; i++)
		define(s, q->defines[i]);
	r = tcc_add_file(s, q->path);
	if (r == 0 && !q->errors)
		r = tcc_output_file(s, SYS_OBJECT_PATH);
	tcc_delete(s);
	return r || q->errors ? KR_EFORMAT : KR_OK;
}
