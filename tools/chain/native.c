/*
 * native.c - a contract runner for `chain bench` only: the contract
 * compiled by the host's gcc -O2 into a shared object and its methods
 * called directly, with liba's functions here calling the VM's host table
 * as the real runners' system calls do.  No metering, no isolation, no
 * fault handling: it exists to measure what the same contract's code costs
 * natively, against TinyCC's metered code in the real runner.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "native.h"

#define SLOTS 8

struct frame {
	const struct kr_contract_host *h;
	void *hc;
	uint64_t gas;
	jmp_buf out;
	int end;
};

static void *lib[SLOTS];
static struct frame *cur;
static const char *root = ".";

void native_init(const char *source_root)
{
	root = source_root;
}

static long stopped(long r)
{
	if (r == KR_CONTRACT_STOP_GAS || r == KR_CONTRACT_STOP_REVERT) {
		cur->end = r == KR_CONTRACT_STOP_GAS ? KR_CONTRACT_OUT_OF_GAS : KR_CONTRACT_REVERTED;
		longjmp(cur->out, 1);
	}
	return r;
}

/* liba, for the gcc-compiled contract (the executable exports them). */
long liba_get(const void *key, uint32_t klen, void *buf, uint32_t cap);
long liba_set(const void *key, uint32_t klen, const void *val, uint32_t vlen);
long liba_del(const void *key, uint32_t klen);
long liba_log(const void *topics, uint32_t ntopics, const void *data, uint32_t len);
long liba_blake2b(uint8_t *out, const void *in, uint32_t n);
long liba_return(const void *buf, uint32_t n);
void liba_revert(const char *reason);

long liba_get(const void *key, uint32_t klen, void *buf, uint32_t cap)
{
	uint8_t v[KR_VM_VALUE_MAX];
	long r = stopped(cur->h->get(cur->hc, &cur->gas, key, klen, v, cap));

	if (r > 0)
		memcpy(buf, v, (size_t)r < cap ? (size_t)r : cap);
	return r;
}

long liba_set(const void *key, uint32_t klen, const void *val, uint32_t vlen)
{
	return stopped(cur->h->set(cur->hc, &cur->gas, key, klen, val, vlen));
}

long liba_del(const void *key, uint32_t klen)
{
	return stopped(cur->h->del(cur->hc, &cur->gas, key, klen));
}

long liba_log(const void *topics, uint32_t ntopics, const void *data, uint32_t len)
{
	return stopped(cur->h->log(cur->hc, &cur->gas, topics, ntopics, data, len));
}

long liba_blake2b(uint8_t *out, const void *in, uint32_t n)
{
	return stopped(cur->h->hash(cur->hc, &cur->gas, in, n, out));
}

long liba_return(const void *buf, uint32_t n)
{
	return stopped(cur->h->ret(cur->hc, &cur->gas, buf, n));
}

void liba_revert(const char *reason)
{
	stopped(cur->h->revert(cur->hc, &cur->gas, reason, (uint32_t)strlen(reason)));
	cur->end = KR_CONTRACT_REVERTED;
	longjmp(cur->out, 1);
}

/* struct liba_ctx liba_ctx(void): the caller's hidden pointer. */
struct ctx192 { uint8_t b[KR_CONTRACT_CTX_SIZE]; };
struct ctx192 liba_ctx(void);
struct ctx192 liba_ctx(void)
{
	struct ctx192 c;

	stopped(cur->h->context(cur->hc, &cur->gas, c.b));
	return c;
}

static kr_err_t n_load(const char *name, const void *src, size_t len, kr_print_fn diag,
		       void *dctx, uint32_t *id, char *why, size_t whylen)
{
	char dir[] = "/tmp/chain-native-XXXXXX", cmd[8192], path[256], so[256];
	FILE *f;
	uint32_t i;

	(void)diag;
	(void)dctx;
	for (i = 0; i < SLOTS && lib[i]; i++)
		;
	if (i == SLOTS)
		return KR_ENOSPC;
	if (!mkdtemp(dir))
		return KR_ENOMEM;
	snprintf(path, sizeof(path), "%s/%s.c", dir, name);
	snprintf(so, sizeof(so), "%s/%s.so", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(src, 1, len, f) != len || fclose(f)) {
		snprintf(why, whylen, "cannot write %s", path);
		return KR_EFORMAT;
	}
	snprintf(cmd, sizeof(cmd), "cc -O2 -shared -fPIC -w -I%s/sdk/liba/include -I%s/sdk/include "
		 "-o %s %s %s/sdk/liba/enc.c", root, root, so, path, root);
	if (system(cmd)) {
		snprintf(why, whylen, "gcc failed: %s", cmd);
		return KR_EFORMAT;
	}
	lib[i] = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	unlink(path);
	unlink(so);
	rmdir(dir);
	if (!lib[i]) {
		snprintf(why, whylen, "dlopen: %s", dlerror());
		return KR_EFORMAT;
	}
	*id = i;
	return KR_OK;
}

static kr_err_t n_unload(uint32_t id)
{
	if (id >= SLOTS || !lib[id])
		return KR_ENOENT;
	dlclose(lib[id]);
	lib[id] = NULL;
	return KR_OK;
}

typedef long (*method_fn)(const uint8_t *args, uint32_t alen);

static method_fn find(uint32_t id, const char *method)
{
	char sym[64];

	if (id >= SLOTS || !lib[id])
		return NULL;
	snprintf(sym, sizeof(sym), "liba_m_%s", method);
	return (method_fn)dlsym(lib[id], sym);
}

static bool n_has(uint32_t id, const char *method)
{
	return find(id, method) != NULL;
}

static kr_err_t n_invoke(uint32_t id, const char *method, const void *args, uint32_t alen,
			 uint64_t gas, const struct kr_contract_host *h, void *hc,
			 struct kr_contract_result *res)
{
	method_fn fn = find(id, method);
	struct frame f, *saved = cur;
	static uint8_t none[1];
	long r = 0;

	if (!fn)
		return KR_EUNKNOWN;
	memset(&f, 0, sizeof(f));
	f.h = h;
	f.hc = hc;
	f.gas = gas;
	f.end = KR_CONTRACT_RETURNED;
	cur = &f;
	if (!setjmp(f.out))
		r = fn(args ? args : none, alen);
	cur = saved;
	*res = (struct kr_contract_result){ .version = KR_CONTRACT_RESULT_VERSION, .end = (uint32_t)f.end,
					    .ret = r, .gas_left = f.gas };
	return KR_OK;
}

static const struct kr_contract_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_CONTRACT_VERSION, sizeof(struct kr_contract_ops), 0 },
	.load = n_load, .unload = n_unload, .has_method = n_has, .invoke = n_invoke,
};

const struct kr_contract_ops *native_ops(void)
{
	return &ops;
}
