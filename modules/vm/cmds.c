/*
 * cmds.c - the `vm` shell command (docs/contract-guide.md, "Deploying and
 * calling").  Transactions typed at the shell (deploy, tx) become blocks
 * of one transaction on the chain's head, kept like any other block.
 *
 * Addresses are 64 hex digits or a name.  --from always names an account,
 * BLAKE2b-256 of "karyon-vm-account" and the name, so "alice" is the same
 * account on every machine (the default sender is "shell"); addr:X names
 * a deployed contract first, else an account.  Contracts are 64 hex digits
 * or the name they were deployed under (the last deployed of that name).
 * Method arguments are typed words, encoded as <liba_enc.h> does: u8:N
 * u32:N u64:N addr:X bytes:TEXT, plus text:TEXT and hex:HEX for raw bytes.
 * `vm gen` and `vm bench` are workload.c's.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include "cmds.h"
#include "gen.h"

#define ARGS_CAP    4096

void vm_hex(char *out, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Hex digits to bytes: their count, or -1. */
static long from_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int a = unhex(s[i]), b = unhex(s[i + 1]);

		if (a < 0 || b < 0)
			return -1;
		out[i / 2] = (uint8_t)(a << 4 | b);
	}
	return (long)(n / 2);
}

static bool is_hex(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (unhex(s[i]) < 0)
			return false;
	return n % 2 == 0;
}

bool vm_number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*out = x;
	return true;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

/* A contract: 64 hex digits or a deployed contract's name. */
static struct vm_contract *contract_of(struct vm *vm, const char *s)
{
	uint8_t a[KR_VM_ADDR_LEN];

	if (strlen(s) == 64 && from_hex(s, a, sizeof(a)) == KR_VM_ADDR_LEN)
		return vm_contract_get(&vm->st, a);
	return vm_contract_named(&vm->st, s);
}

/* An address: 64 hex digits, a contract's name, or an account's name. */
static bool address_of(struct vm *vm, const char *s, uint8_t out[KR_VM_ADDR_LEN])
{
	struct vm_contract *c;

	if (strlen(s) == 64)
		return from_hex(s, out, KR_VM_ADDR_LEN) == KR_VM_ADDR_LEN;
	if (!valid_name(s))
		return false;
	c = vm_contract_named(&vm->st, s);
	if (c)
		memcpy(out, c->addr, KR_VM_ADDR_LEN);
	else
		vm_account(s, out);
	return true;
}

/* An account: 64 hex digits or a name (never a contract's: a sender is an
 * account). */
static bool account_of(const char *s, uint8_t out[KR_VM_ADDR_LEN])
{
	if (strlen(s) == 64)
		return from_hex(s, out, KR_VM_ADDR_LEN) == KR_VM_ADDR_LEN;
	if (!valid_name(s))
		return false;
	vm_account(s, out);
	return true;
}

/* Typed words to argument bytes: their length, or -1 (what was wrong
 * printed). */
static long encode_args(struct vm *vm, int argc, char **argv, uint8_t *buf, size_t cap,
			vm_print_fn print, void *ctx)
{
	size_t n = 0;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *v = strchr(w, ':');
		size_t tl = v ? (size_t)(v - w) : 0, need = 0;
		uint8_t tmp[KR_VM_ADDR_LEN + 8];
		uint64_t x = 0;

		if (!v)
			goto bad;
		v++;
		if (tl == 2 && !memcmp(w, "u8", 2) && vm_number(v, 0xff, &x))
			need = 1;
		else if (tl == 3 && !memcmp(w, "u32", 3) && vm_number(v, 0xffffffffull, &x))
			need = 4;
		else if (tl == 3 && !memcmp(w, "u64", 3) && vm_number(v, ~0ull, &x))
			need = 8;
		else if (tl == 4 && !memcmp(w, "addr", 4) && address_of(vm, v, tmp))
			need = KR_VM_ADDR_LEN;
		else if (tl == 5 && !memcmp(w, "bytes", 5))
			need = 4 + strlen(v);
		else if (tl == 4 && !memcmp(w, "text", 4))
			need = strlen(v);
		else if (tl == 3 && !memcmp(w, "hex", 3) && is_hex(v))
			need = strlen(v) / 2;
		else
			goto bad;
		if (need > cap - n) {
			print_to(print, ctx, "vm: arguments longer than %zu bytes\n", cap);
			return -1;
		}
		if (need <= 8 && w[0] == 'u') {
			for (size_t k = 0; k < need; k++)
				buf[n + k] = (uint8_t)(x >> (8 * k));
		} else if (w[0] == 'a') {
			memcpy(buf + n, tmp, KR_VM_ADDR_LEN);
		} else if (w[0] == 'b') {
			uint32_t l = (uint32_t)strlen(v);

			for (int k = 0; k < 4; k++)
				buf[n + k] = (uint8_t)(l >> (8 * k));
			memcpy(buf + n + 4, v, l);
		} else if (w[0] == 't') {
			memcpy(buf + n, v, need);
		} else if (from_hex(v, buf + n, cap - n) < 0) {
			goto bad;
		}
		n += need;
		continue;
bad:
		print_to(print, ctx, "vm: argument %d, \"%s\": not u8:N, u32:N, u64:N, addr:X, "
			 "bytes:TEXT, text:TEXT or hex:HEX\n", i + 1, w);
		return -1;
	}
	return (long)n;
}

/* ---- receipts ---- */

static const char *status_name(uint8_t s)
{
	static const char *const n[] = { "ok", "revert", "out of gas", "fault", "refused" };

	return s <= KR_VM_STATUS_MAX ? n[s] : "?";
}


static void print_bytes(struct rprint *p, const char *what, const uint8_t *b, uint32_t n)
{
	char hex[2 * 64 + 1];
	uint32_t show = n < 64 ? n : 64;
	bool text = n > 0;

	for (uint32_t i = 0; i < n; i++)
		text &= b[i] >= 0x20 && b[i] < 0x7f;
	vm_hex(hex, b, show);
	print_to(p->print, p->ctx, "  %s (%u bytes): %s%s", what, n, hex, n > show ? "..." : "");
	if (n == 8) {
		uint64_t x = 0;

		for (int i = 7; i >= 0; i--)
			x = x << 8 | b[i];
		print_to(p->print, p->ctx, " = u64 %llu", (unsigned long long)x);
	} else if (text) {
		print_to(p->print, p->ctx, " \"%.*s\"", (int)show, (const char *)b);
	}
	print_to(p->print, p->ctx, "\n");
}

void vm_on_receipt(void *ctx, uint32_t i, const struct vm_tx *tx, const struct vm_receipt *r,
		       const uint8_t hash[KR_VM_HASH_LEN])
{
	struct rprint *p = ctx;
	struct vm_log_iter it;
	struct vm_log l;

	(void)tx;
	(void)hash;
	if (!p->each && r->status == KR_VM_OK)
		return;
	if (r->status != KR_VM_OK) {
		print_to(p->print, p->ctx, "tx %u: %s, gas %llu: %.*s\n", i, status_name(r->status),
			 (unsigned long long)r->gas_used, (int)(r->ret_len < 200 ? r->ret_len : 200),
			 (const char *)r->ret);
		return;
	}
	print_to(p->print, p->ctx, "tx %u: ok, gas %llu, %u logs\n", i,
		 (unsigned long long)r->gas_used, r->log_count);
	if (p->deploy && r->ret_len == KR_VM_ADDR_LEN) {
		char a[65];

		vm_hex(a, r->ret, KR_VM_ADDR_LEN);
		print_to(p->print, p->ctx, "  address %s\n", a);
	} else if (r->ret_len) {
		print_bytes(p, "return", r->ret, r->ret_len);
	}
	vm_receipt_log_iter_init(&it, r);
	while (vm_receipt_log_next(&it, &l)) {
		struct vm_contract *c = vm_contract_get(&p->vm->st, l.address);
		char t[17];

		print_to(p->print, p->ctx, "  log from %s, %u topics", c ? c->name : "?",
			 l.topic_count);
		for (unsigned k = 0; k < l.topic_count; k++) {
			vm_hex(t, l.topics + k * KR_VM_TOPIC_LEN, 8);
			print_to(p->print, p->ctx, "%s%s..", k ? " " : ": ", t);
		}
		print_to(p->print, p->ctx, "\n");
		if (l.data_len)
			print_bytes(p, "data", l.data, l.data_len);
	}
}

/* ---- options ---- */


/* Options anywhere after the subcommand; the rest in o->argv. */
static bool parse(int argc, char **argv, struct opts *o, vm_print_fn print, void *ctx)
{
	o->gas = DEFAULT_GAS;
	o->gas_given = false;
	o->value = 0;
	o->verbose = false;
	o->argc = 0;
	vm_account("shell", o->from);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v")) {
			o->verbose = true;
		} else if ((!strcmp(a, "--from") || !strcmp(a, "--gas") || !strcmp(a, "--value")) &&
			   i + 1 < argc) {
			const char *v = argv[++i];

			if (a[2] == 'f' ? !account_of(v, o->from) :
			    !vm_number(v, a[2] == 'g' ? KR_VM_GAS_MAX : ~0ull,
				    a[2] == 'g' ? &o->gas : &o->value) ||
			    (a[2] == 'g' && !o->gas)) {
				print_to(print, ctx, "vm: %s %s: not a%s\n", a, v,
					 a[2] == 'f' ? "n account (a name or 64 hex digits)" :
					 a[2] == 'g' ? " gas limit (1..1000000000)" : " number");
				return false;
			}
			if (a[2] == 'g')
				o->gas_given = true;
		} else if (a[0] == '-' && a[1] == '-') {
			print_to(print, ctx, "vm: unknown option %s\n", a);
			return false;
		} else if (o->argc < 32) {
			o->argv[o->argc++] = argv[i];
		}
	}
	return true;
}

/* One transaction as a block of its own on the head. */
static int submit(struct vm *vm, const struct vm_tx *tx, bool deploy, vm_print_fn print, void *ctx)
{
	static const uint8_t zero[KR_VM_ADDR_LEN];
	uint8_t leader[KR_VM_ADDR_LEN];
	struct vm_block b = { .slot = vm->slot + 1, .leader = leader,
			      .parent_state_root = vm->root };
	struct rprint p = { vm, print, ctx, true, deploy };
	struct vm_block_result res;
	size_t cap = KR_VM_BLOCK_HDR_SIZE + vm_tx_size(tx), len;
	uint8_t *buf = kr_malloc(vm_self, cap);
	kr_err_t e;

	(void)zero;
	vm_account("shell", leader);
	if (!buf) {
		print_to(print, ctx, "vm: out of memory\n");
		return 1;
	}
	e = vm_block_encode(buf, cap, &b, tx, 1, &len);
	if (!e)
		e = chain_commit(vm, buf, len, vm_on_receipt, &p, &res, print, ctx);
	else
		print_to(print, ctx, "vm: cannot encode the transaction: %s\n", kr_strerror(e));
	kr_free(vm_self, buf);
	return e || res.ok != 1;
}

static int do_deploy(struct vm *vm, struct opts *o, vm_print_fn print, void *ctx)
{
	static const uint8_t zero[KR_VM_ADDR_LEN];
	uint8_t *src;
	size_t n;
	kr_err_t e;
	bool ok;
	int r;

	if (o->argc != 2) {
		print_to(print, ctx, "usage: vm deploy NAME FILE.c [--from ACCOUNT] [--gas N]\n");
		return 1;
	}
	/* Checked here too, so a typo makes no block (the VM would keep a
	 * refused deploy in one). */
	ok = o->argv[0][0] && strlen(o->argv[0]) <= KR_VM_METHOD_MAX;
	for (const char *c = o->argv[0]; *c; c++)
		ok &= (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
	if (!ok) {
		print_to(print, ctx, "vm: %s: a contract name is 1..31 of a-z, 0-9 and _\n",
			 o->argv[0]);
		return 1;
	}
	e = vm_read_file(vm_shell->cwd(), o->argv[1], KR_VM_ARGS_MAX, &src, &n);
	if (e) {
		print_to(print, ctx, "vm: %s: %s\n", o->argv[1],
			 e == KR_ERANGE ? "a contract's source has at most 65536 bytes" :
			 kr_strerror(e));
		return 1;
	}
	{
		struct vm_tx tx = { .from = o->from, .to = zero, .nonce = vm_nonce(vm, o->from),
				    .value = o->value, .gas_limit = o->gas, .method = o->argv[0],
				    .method_len = (uint8_t)strlen(o->argv[0]), .args = src,
				    .args_len = (uint32_t)n };

		if (!o->gas_given)      /* the compile's 20 a source byte on top */
			tx.gas_limit = DEFAULT_GAS + 20ull * n;
		r = submit(vm, &tx, true, print, ctx);
	}
	kr_free(vm_self, src);
	return r;
}

static int do_call(struct vm *vm, struct opts *o, bool tx, vm_print_fn print, void *ctx)
{
	struct vm_contract *c;
	uint8_t *args;
	long n;
	int r = 1;

	if (o->argc < 2) {
		print_to(print, ctx, "usage: vm %s CONTRACT METHOD [ARG...] [--from ACCOUNT] "
			 "[--gas N]%s\n", tx ? "tx" : "call", tx ? " [--value N]" : "");
		return 1;
	}
	c = contract_of(vm, o->argv[0]);
	if (!c) {
		print_to(print, ctx, "vm: no contract %s (vm contracts lists them)\n", o->argv[0]);
		return 1;
	}
	if (strlen(o->argv[1]) > KR_VM_METHOD_MAX) {
		print_to(print, ctx, "vm: %s: a method name has 1..31 characters\n", o->argv[1]);
		return 1;
	}
	args = kr_malloc(vm_self, ARGS_CAP);
	if (!args) {
		print_to(print, ctx, "vm: out of memory\n");
		return 1;
	}
	n = encode_args(vm, o->argc - 2, o->argv + 2, args, ARGS_CAP, print, ctx);
	if (n >= 0 && tx) {
		struct vm_tx t = { .from = o->from, .to = c->addr, .nonce = vm_nonce(vm, o->from),
				   .value = o->value, .gas_limit = o->gas, .method = o->argv[1],
				   .method_len = (uint8_t)strlen(o->argv[1]), .args = args,
				   .args_len = (uint32_t)n };

		r = submit(vm, &t, false, print, ctx);
	} else if (n >= 0) {
		struct rprint p = { vm, print, ctx, true, false };
		char why[VM_WHY_MAX];
		kr_err_t e = vm_exec_call(vm, o->from, c->addr, o->argv[1], args, (uint32_t)n,
					  o->gas, vm_on_receipt, &p, why, sizeof(why));

		if (e)
			print_to(print, ctx, "vm: call not run: %s\n", why);
		r = e != KR_OK;
	}
	kr_free(vm_self, args);
	return r;
}

static int do_block(struct vm *vm, struct opts *o, vm_print_fn print, void *ctx)
{
	struct rprint p = { vm, print, ctx, o->verbose, false };
	struct vm_block_result res;
	uint8_t *b;
	size_t n;
	kr_err_t e;

	if (o->argc != 1) {
		print_to(print, ctx, "usage: vm block FILE [-v]\n");
		return 1;
	}
	e = vm_read_file(vm_shell->cwd(), o->argv[0], KR_VM_BLOCK_HDR_SIZE + KR_VM_BLOCK_BODY_MAX,
			 &b, &n);
	if (e) {
		print_to(print, ctx, "vm: %s: %s\n", o->argv[0], kr_strerror(e));
		return 1;
	}
	e = chain_commit(vm, b, n, vm_on_receipt, &p, &res, print, ctx);
	kr_free(vm_self, b);
	if (!e)
		vm_print_result(&res, print, ctx);
	return e != KR_OK;
}

static int do_proof(struct vm *vm, struct opts *o, vm_print_fn print, void *ctx)
{
	uint8_t key[KR_VM_KEY_MAX + 8], proof[SMT_PROOF_MAX];
	struct vm_contract *c;
	char hex[2 * KR_VM_KEY_MAX + 1], a[65], r[65];
	size_t len;
	long n;
	kr_err_t e;

	if (o->argc < 2) {
		print_to(print, ctx, "usage: vm proof CONTRACT KEY... (KEY: typed words, as "
			 "arguments: text:count, u8:98 addr:alice, hex:...)\n");
		return 1;
	}
	c = contract_of(vm, o->argv[0]);
	if (!c) {
		print_to(print, ctx, "vm: no contract %s\n", o->argv[0]);
		return 1;
	}
	n = encode_args(vm, o->argc - 1, o->argv + 1, key, sizeof(key), print, ctx);
	if (n < 0)
		return 1;
	if (!n || n > KR_VM_KEY_MAX) {
		print_to(print, ctx, "vm: a storage key has 1..%u bytes\n", KR_VM_KEY_MAX);
		return 1;
	}
	e = vm_state_prove(&vm->st, c->addr, key, (size_t)n, proof, sizeof(proof), &len);
	if (e) {
		print_to(print, ctx, "vm: no proof: %s\n", kr_strerror(e));
		return 1;
	}
	vm_hex(a, c->addr, KR_VM_ADDR_LEN);
	vm_hex(r, vm->root, KR_VM_HASH_LEN);
	vm_hex(hex, key, (size_t)n);
	print_to(print, ctx, "contract %s\n", a);
	print_to(print, ctx, "key %s\n", hex);
	print_to(print, ctx, "root %s\n", r);
	print_to(print, ctx, "%s proof (%zu bytes):\n", proof[5] == 0 ? "inclusion" : "exclusion",
		 len);
	for (size_t i = 0; i < len; i += 32) {
		size_t k = len - i < 32 ? len - i : 32;

		vm_hex(hex, proof + i, k);
		print_to(print, ctx, "%s\n", hex);
	}
	return 0;
}

static int do_status(struct vm *vm, vm_print_fn print, void *ctx)
{
	char h[65], r[65];
	uint32_t loaded = 0;

	for (uint32_t i = 0; i < vm->st.ncon; i++)
		loaded += vm->st.con[i]->id >= 0;
	vm_hex(h, vm->head, KR_VM_HASH_LEN);
	vm_hex(r, vm->root, KR_VM_HASH_LEN);
	print_to(print, ctx, "height %llu, slot %llu\n", (unsigned long long)vm->height,
		 (unsigned long long)vm->slot);
	print_to(print, ctx, "head %s\n", h);
	print_to(print, ctx, "state root %s\n", r);
	print_to(print, ctx, "%u contracts (%u compiled now), %u storage entries\n", vm->st.ncon,
		 loaded, vm->st.n);
	return 0;
}

static int do_contracts(struct vm *vm, vm_print_fn print, void *ctx)
{
	print_to(print, ctx, "%-20s %-64s %6s %7s\n", "NAME", "ADDRESS", "BLOCK", "SOURCE");
	for (uint32_t i = 0; i < vm->st.ncon; i++) {
		const struct vm_contract *c = vm->st.con[i];
		char a[65];

		vm_hex(a, c->addr, KR_VM_ADDR_LEN);
		print_to(print, ctx, "%-20s %s %6llu %7u\n", c->name, a, (unsigned long long)c->height,
			 c->src_len);
	}
	return 0;
}

static int help(vm_print_fn print, void *ctx)
{
	static const char *const lines[] = {
		"vm status                       the chain's height, head and state root",
		"vm restore                      replay the blocks kept before this boot (/etc/rc "
		"does)",
		"vm contracts                    the deployed contracts",
		"vm deploy NAME FILE.c           compile and deploy a contract (its address: the "
		"return data)",
		"vm call CONTRACT METHOD [ARG..] a read-only call (nothing is kept)",
		"vm tx CONTRACT METHOD [ARG..]   a transaction, as a block of its own",
		"vm block FILE [-v]              execute and keep a block file",
		"vm gen TOKEN.c ACCOUNTS TRANSFERS [PER_BLOCK] [SEED]",
		"                                the token workload (tools/chain gen makes the same)",
		"vm proof CONTRACT KEY..         a state proof, for tools/vm_proof.py",
		"vm verify                       re-execute every block from genesis",
		"vm bench TOKEN.c [TRANSFERS]    a block of token transfers, its cost split",
		"vm reset                        a new chain: every block kept is removed",
		"options: --from ACCOUNT (a name or 64 hex digits; default \"shell\"), --gas N, "
		"--value N, -v",
		"ARG: u8:N u32:N u64:N addr:NAME|HEX bytes:TEXT text:TEXT hex:HEX",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		print_to(print, ctx, "%s\n", lines[i]);
	return 0;
}

int cmd_vm(int argc, char **argv, vm_print_fn print, void *ctx)
{
	const char *sub = argc > 1 ? argv[1] : "help";
	struct opts o;
	struct vm *vm;
	int r;

	if (!strcmp(sub, "help") || !strcmp(sub, "-h") || !strcmp(sub, "--help"))
		return help(print, ctx);
	if (!strcmp(sub, "reset"))
		return argc == 2 ? vm_reset(print, ctx) :
		       (print_to(print, ctx, "usage: vm reset\n"), 1);
	vm = vm_chain(print, ctx);
	if (!vm)
		return 1;
	vm_set_output(print, ctx);
	if (!parse(argc - 2, argv + 2, &o, print, ctx))
		r = 1;
	else if (!strcmp(sub, "restore"))
		r = 0;          /* vm_chain() replayed the kept blocks, if any */
	else if (!strcmp(sub, "status"))
		r = do_status(vm, print, ctx);
	else if (!strcmp(sub, "contracts"))
		r = do_contracts(vm, print, ctx);
	else if (!strcmp(sub, "deploy"))
		r = do_deploy(vm, &o, print, ctx);
	else if (!strcmp(sub, "call") || !strcmp(sub, "tx"))
		r = do_call(vm, &o, sub[0] == 't', print, ctx);
	else if (!strcmp(sub, "block"))
		r = do_block(vm, &o, print, ctx);
	else if (!strcmp(sub, "gen"))
		r = vm_do_gen(vm, &o, print, ctx);
	else if (!strcmp(sub, "bench"))
		r = vm_do_bench(vm, &o, print, ctx);
	else if (!strcmp(sub, "proof"))
		r = do_proof(vm, &o, print, ctx);
	else if (!strcmp(sub, "verify"))
		r = chain_verify(print, ctx);
	else {
		print_to(print, ctx, "vm: unknown subcommand %s (vm help)\n", sub);
		r = 1;
	}
	vm_set_output(NULL, NULL);
	return r;
}
