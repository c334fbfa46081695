/*
 * ctest - a test module for the contract runner (the tcc module's
 * "runner.contract" service, <karyon/contract.h>), before the VM module
 * uses it: tests/qemu/test_contract.py.  Its command loads a contract
 * from a file, runs one method with the fake VM of tests/contracts/chost.h
 * (the host test's, so the gas figures must be the host's), prints how it
 * ended and unloads it:
 *
 *   ctest FILE METHOD [GAS [BYTE...]]   "ctest: METHOD: returned 55, gas 1250"
 *   ctest load FILE                     the load's result and why
 *   ctest chain FILE N                  FILE loaded N times (1..8), each
 *                                       calling the next: "chain N: depth N"
 *   ctest twice FILE METHOD             METHOD run twice, on the same storage
 *   ctest pair FILE METHOD [BYTE...]    FILE loaded twice, the first's METHOD
 *                                       run with the second's id, then BYTEs
 */
#include <karyon/contract.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/shell.h>
#include <karyon/vfs.h>
#include "../contracts/chost.h"

#define SRC_MAX (64u << 10)

static kr_domain_t *self;
static const struct kr_contract_ops *ops;
static const struct kr_vfs_ops *vfs;
static const struct kr_shell_ops *shell;
static struct chost host;

typedef void (*print_fn)(void *ctx, const char *s);

static void say(print_fn print, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(print_fn print, void *ctx, const char *fmt, ...)
{
	char buf[300];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	print(ctx, buf);
}

static uint64_t num(const char *s)
{
	uint64_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

struct diag { print_fn print; void *ctx; };

static void diag(void *ctx, const char *line)
{
	struct diag *d = ctx;

	say(d->print, d->ctx, "ctest: diag: %s\n", line);
}

/* Load FILE as name: KR_OK and *id, else the why printed. */
static kr_err_t load(const char *file, const char *name, uint32_t *id, print_fn print, void *ctx)
{
	struct kr_vfs_stat st;
	struct diag d = { print, ctx };
	char why[KR_CONTRACT_WHY_MAX];
	size_t got = 0;
	char *src;
	kr_err_t e = vfs->stat(shell->cwd(), file, &st);

	if (!e && st.size > SRC_MAX)
		e = KR_ERANGE;
	src = e ? NULL : kr_malloc(self, st.size + 1);
	if (!e && !src)
		e = KR_ENOMEM;
	if (!e)
		e = vfs->read(shell->cwd(), file, 0, src, st.size, &got);
	if (e) {
		say(print, ctx, "ctest: %s: %s\n", file, kr_strerror(e));
		kr_free(self, src);
		return e;
	}
	e = ops->load(name, src, got, diag, &d, id, why, sizeof(why));
	kr_free(self, src);
	if (e)
		say(print, ctx, "ctest: load %s: %s: why \"%s\"\n", file, kr_strerror(e), why);
	return e;
}

static const char *const ends[] = { "returned", "reverted", "out of gas", "faulted" };

static int run(int argc, char **argv, int times, print_fn print, void *ctx)
{
	uint8_t args[32];
	uint32_t id, n = 0;
	uint64_t gas = argc > 3 ? num(argv[3]) : 10000000;
	struct kr_contract_result res;
	kr_err_t e = KR_OK;

	for (int i = 4; i < argc && n < sizeof(args); i++)
		args[n++] = (uint8_t)num(argv[i]);
	if (load(argv[1], "rt", &id, print, ctx))
		return 1;
	host = (struct chost){ .ops = ops };
	for (int t = 0; t < times && !e; t++) {
		struct cframe f = { .h = &host };

		e = ops->invoke(id, argv[2], args, n, gas, &chost_table, &f, &res);
		if (e)
			say(print, ctx, "ctest: %s: invoke: %s\n", argv[2], kr_strerror(e));
		else
			say(print, ctx, "ctest: %s: %s %lld, gas %llu, data %u%s%s\n", argv[2],
			    res.end < 4 ? ends[res.end] : "?", (long long)res.ret,
			    (unsigned long long)(gas - res.gas_left), f.retlen,
			    res.why[0] ? ", why: " : "", res.why);
	}
	ops->unload(id);
	return e ? 1 : 0;
}

static int pair(int argc, char **argv, print_fn print, void *ctx)
{
	uint32_t a, b, n = 1;
	uint8_t args[16];
	struct cframe f = { .h = &host };
	struct kr_contract_result res;
	kr_err_t e;

	if (load(argv[2], "first", &a, print, ctx))
		return 1;
	if (load(argv[2], "second", &b, print, ctx)) {
		ops->unload(a);
		return 1;
	}
	args[0] = (uint8_t)b;
	for (int i = 4; i < argc && n < sizeof(args); i++)
		args[n++] = (uint8_t)num(argv[i]);
	host = (struct chost){ .ops = ops };
	e = ops->invoke(a, argv[3], args, n, 10000000, &chost_table, &f, &res);
	if (e)
		say(print, ctx, "ctest: %s: invoke: %s\n", argv[3], kr_strerror(e));
	else
		say(print, ctx, "ctest: %s: %s %lld, gas %llu, data %u: %02x %02x %02x\n", argv[3],
		    res.end < 4 ? ends[res.end] : "?", (long long)res.ret,
		    (unsigned long long)(10000000 - res.gas_left), f.retlen, f.ret[0], f.ret[1],
		    f.ret[2]);
	ops->unload(b);
	ops->unload(a);
	return e ? 1 : 0;
}

static int chain(int argc, char **argv, print_fn print, void *ctx)
{
	uint32_t ids[8], n = argc > 3 ? (uint32_t)num(argv[3]) : 8, k = 0;
	uint8_t args[8];
	char name[8];
	struct cframe f = { .h = &host };
	struct kr_contract_result res;
	kr_err_t e = KR_OK;

	if (n < 1 || n > 8)
		return 2;
	for (; k < n && !e; k++) {
		ksnprintf(name, sizeof(name), "c%u", k);
		e = load(argv[2], name, &ids[k], print, ctx);
	}
	if (e)
		k--;
	for (uint32_t i = 0; !e && i + 1 < n; i++)
		args[i] = (uint8_t)ids[i + 1];
	args[n - 1] = 0xff;
	host = (struct chost){ .ops = ops };
	if (!e)
		e = ops->invoke(ids[0], "chain", args, n, 10000000, &chost_table, &f, &res);
	if (!e)
		say(print, ctx, "ctest: chain %u: %s, depth %u, gas %llu\n", n,
		    res.end < 4 ? ends[res.end] : "?", f.retlen ? f.ret[0] : 0,
		    (unsigned long long)(10000000 - res.gas_left));
	while (k--)
		ops->unload(ids[k]);
	return e ? 1 : 0;
}

static int ctest_cmd(int argc, char **argv, print_fn print, void *ctx)
{
	uint32_t id;

	if (!ops) {
		const struct kr_ops_header *h;
		kr_cap_t c;

		if (kr_service_open(self, KR_CONTRACT_SERVICE, KR_CONTRACT_VERSION, &c) ||
		    kr_service_ops(self, c, &h)) {
			print(ctx, "ctest: no runner.contract service\n");
			return 1;
		}
		ops = (const struct kr_contract_ops *)h;
	}
	if (argc == 3 && !strcmp(argv[1], "load")) {
		if (load(argv[2], "rt", &id, print, ctx))
			return 1;
		say(print, ctx, "ctest: load %s: ok\n", argv[2]);
		ops->unload(id);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "pair"))
		return pair(argc, argv, print, ctx);
	if (argc >= 3 && !strcmp(argv[1], "chain"))
		return chain(argc, argv, print, ctx);
	if (argc < 3) {
		print(ctx, "usage: ctest FILE METHOD [GAS [BYTE...]] | ctest load FILE | "
		      "ctest chain FILE [N]\n");
		return 2;
	}
	if (argc == 4 && !strcmp(argv[1], "twice"))
		return run(argc - 1, argv + 1, 2, print, ctx);
	return run(argc, argv, 1, print, ctx);
}

static const struct kr_shell_command command = {
	"ctest", "ctest FILE METHOD [GAS [BYTE...]]", "contract runner test: run a method",
	ctest_cmd,
};

static kr_err_t ctest_init(kr_domain_t *d)
{
	const struct kr_ops_header *h;
	kr_cap_t c;
	kr_err_t e;

	self = d;
	if ((e = kr_service_open(d, "vfs", KR_VFS_SERVICE_VERSION, &c)) ||
	    (e = kr_service_ops(d, c, &h)))
		return e;
	vfs = (const struct kr_vfs_ops *)h;
	if ((e = kr_service_open(d, "shell", KR_SHELL_SERVICE_VERSION, &c)) ||
	    (e = kr_service_ops(d, c, &h)))
		return e;
	shell = (const struct kr_shell_ops *)h;
	e = shell->add(kr_domain_id(d), &command);
	if (!e)
		kr_log(KR_LOG_INFO, "ctest: ready\n");
	return e;
}

static void ctest_exit(kr_domain_t *d)
{
	if (shell)
		shell->remove(kr_domain_id(d), "ctest");
}

KR_MODULE(.name = "ctest", .version = KR_VERSION(1, 0, 0),
	  .description = "contract runner test: load a contract, run a method",
	  .license = "MIT", .author = "Karyon developers",
	  .init = ctest_init, .exit = ctest_exit);
