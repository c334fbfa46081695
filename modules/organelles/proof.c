/*
 * proof.c - the boot proofs (issue 17, docs/boot-proofs.md): eleven
 * digests of what this boot started from, printed once as a chain
 *
 *	#E0 boot d=HEX c=HEX          ... #E10 summary d=HEX c=HEX
 *	proof ok c=HEX                (or: proof FAILED: WHY)
 *
 * where d_n is the BLAKE2b-256 of what line n proves and
 *	c_n = BLAKE2b-256(c_{n-1} || "#En " || NAME || d_n), c_{-1} = 32 zeros
 * so the last c stands for every line before it.  Most d's hash a short
 * canonical text (one fact a line, decimal numbers, no addresses, times,
 * memory maps or firmware facts), so the same image gives the same chain on
 * every boot, under SeaBIOS and OVMF alike, and tools/verify_proofs.py can
 * rebuild the texts from the ISO.
 *
 * The task that computes them is spawned by the module's init (a built-in,
 * started by kmod before any boot module), and tasks run only once the core
 * has said "karyon: ready": by then every built-in and boot module is up.
 * It runs at the highest priority, spawned before kmod's kernel-measuring
 * task, so it sees the boot state before the shell, /etc/rc or /etc/events
 * change anything.
 */
#include <stddef.h>
#include <karyon/boot_info.h>
#include <karyon/events.h>
#include <karyon/hash.h>
#include <karyon/heap.h>
#include <karyon/kmod.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/parcel.h>
#include "org.h"

#define NPROOF   11
#define TEXT_CAP 32768                  /* the longest text a d hashes */

enum { E_BOOT, E_ABI, E_GRAPH, E_QOS, E_ORG, E_IRQ, E_MANIFEST, E_MEASURE, E_OBS, E_RELEASE,
       E_SUMMARY };

static const char *const names[NPROOF] = {
	"boot", "abi", "graph", "qos", "organelles", "irq", "manifest", "measure", "obs",
	"release", "summary",
};

/* Written once by the proof task, read by `proof` afterwards. */
static uint8_t d[NPROOF][32], c[NPROOF][32];
static bool done;
static char failed[128];                /* why not "proof ok"; "" if it is */

struct bootmod {
	char name[64];
	uint64_t size;
	uint8_t digest[32];
};
static struct bootmod mods[KR_BOOT_MODULES_MAX];
static uint32_t nmods;

/* ---- canonical texts --------------------------------------------------- */

struct text {
	char *p;
	size_t n;
	bool over;                      /* something did not fit */
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (n + 1 >= sizeof(line) || t->n + n >= TEXT_CAP) {
		t->over = true;
		return;
	}
	memcpy(t->p + t->n, line, n);
	t->n += n;
}

static void fail(const char *why)
{
	size_t n = strlen(failed);

	if (n + 3 < sizeof(failed))
		ksnprintf(failed + n, sizeof(failed) - n, "%s%s", n ? "; " : "", why);
}

/* d_e = BLAKE2b-256 of the text, which starts afresh. */
static void seal(struct text *t, int e)
{
	if (t->over)
		fail("a proof's text is too long");
	kr_blake2b_256(d[e], t->p, t->n);
	t->n = 0;
	t->over = false;
}

static void hex(const uint8_t *b, char out[65])
{
	for (int i = 0; i < 32; i++) {
		out[2 * i] = "0123456789abcdef"[b[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[b[i] & 15];
	}
	out[64] = '\0';
}

static const struct bootmod *bootmod(const char *name)
{
	for (uint32_t i = 0; i < nmods; i++)
		if (!strcmp(mods[i].name, name))
			return &mods[i];
	return NULL;
}

/* ---- the proofs -------------------------------------------------------- */

/* Every boot module GRUB handed over, in order, measured. */
static void read_boot_modules(void)
{
	struct kr_boot_module_info bi;
	kr_cap_t cap;
	void *va;

	nmods = 0;
	for (uint32_t i = 0; nmods < KR_BOOT_MODULES_MAX &&
			     kr_boot_module(org_self, i, &cap, &bi) == KR_OK; i++) {
		struct bootmod *m = &mods[nmods++];

		memcpy(m->name, bi.name, sizeof(m->name));
		m->name[sizeof(m->name) - 1] = '\0';
		m->size = bi.size;
		if (kr_page_map(org_self, cap, KR_RIGHT_READ, &va) != KR_OK ||
		    kr_blake2b_256(m->digest, (const uint8_t *)va + bi.offset, bi.size) != KR_OK) {
			memset(m->digest, 0, sizeof(m->digest));
			fail("a boot module could not be read");
		}
		kr_cap_delete(org_self, cap);
	}
}

/* E0: the ABI, the command line, the boot modules' names and sizes. */
static void prove_boot(struct text *t)
{
	add(t, "abi %u.%u\n", KR_ABI_MAJOR, KR_ABI_MINOR);
	add(t, "cmdline %s\n", kr_cmdline() ? kr_cmdline() : "");
	for (uint32_t i = 0; i < nmods; i++)
		add(t, "module %s %llu\n", mods[i].name, (unsigned long long)mods[i].size);
}

#define SIZE(T)      add(t, "%s=%zu\n", #T, sizeof(struct T))
#define OFF(T, F)    add(t, "%s.%s=%zu\n", #T, #F, offsetof(struct T, F))
#define VALUE(N)     add(t, "%s=%llu\n", #N, (unsigned long long)(N))

/* E1: the layouts of the ABI structs the organelles use or publish. */
static void prove_abi(struct text *t)
{
	SIZE(kr_ops_header); OFF(kr_ops_header, version); OFF(kr_ops_header, size);
	SIZE(kr_parcel_hdr); OFF(kr_parcel_hdr, channel); OFF(kr_parcel_hdr, kind);
	OFF(kr_parcel_hdr, flags); OFF(kr_parcel_hdr, length); OFF(kr_parcel_hdr, seq);
	OFF(kr_parcel_hdr, check);
	VALUE(KR_PARCEL_MAGIC); VALUE(KR_PARCEL_VERSION); VALUE(KR_PARCEL_PAYLOAD_MAX);
	SIZE(kr_org_msg); OFF(kr_org_msg, channel); OFF(kr_org_msg, length); OFF(kr_org_msg, seq);
	OFF(kr_org_msg, from); OFF(kr_org_msg, payload); VALUE(KR_ORG_MSG_VERSION);
	SIZE(kr_org_sent); OFF(kr_org_sent, rule); OFF(kr_org_sent, seq); OFF(kr_org_sent, why);
	VALUE(KR_ORG_SENT_VERSION);
	SIZE(kr_org_ops); OFF(kr_org_ops, open); OFF(kr_org_ops, send); OFF(kr_org_ops, take);
	OFF(kr_org_ops, kill); OFF(kr_org_ops, dead); VALUE(KR_ORG_VERSION);
	SIZE(kr_task_spec); OFF(kr_task_spec, fn); OFF(kr_task_spec, name);
	SIZE(kr_work_result); OFF(kr_work_result, gas_used); OFF(kr_work_result, detail);
	SIZE(kr_boot_module_info); OFF(kr_boot_module_info, name);
	SIZE(kr_kmod_entry); OFF(kr_kmod_entry, digest); OFF(kr_kmod_entry, builtin);
	SIZE(kr_irq_source); OFF(kr_irq_source, name);
	SIZE(kr_events_ops); OFF(kr_events_ops, irq_source);
	VALUE(GRAPH_BLOB_VERSION); VALUE(GRAPH_BLOB_HDR); VALUE(GRAPH_BLOB_EP);
	VALUE(GRAPH_BLOB_CHAN);
}

/* E3: each channel's QoS, then the reservoir, as loaded. */
static void prove_qos(struct text *t)
{
	const struct graph_reservoir *r = &org.g.reservoir;

	for (unsigned i = 0; i < org.g.n_chan; i++) {
		const struct graph_chan *ch = &org.g.chan[i];

		add(t, "channel %u %s rate %u burst %u depth %u prio %u\n", i, ch->name, ch->rate,
		    ch->burst, ch->depth, ch->prio);
	}
	add(t, "reservoir gas %llu rate %llu cost %u per-byte %u\n", (unsigned long long)r->cap,
	    (unsigned long long)r->rate, r->cost_base, r->cost_byte);
}

/* E4: the mitochondria's budgets as loaded, and the Golgi's, the
 * lysosome's and the peroxisome's tables of rules and reasons. */
static void prove_organelles(struct text *t)
{
	for (unsigned i = 0; i < org.g.n_ep; i++) {
		add(t, "endpoint %u %s", i, org.g.ep[i]);
		for (unsigned r = 0; r < MITO_NRES; r++) {
			uint64_t l = org.m.d[i].limit[r];

			if (l == MITO_UNLIMITED)
				add(t, " %s -", mito_res_name((enum mito_res)r));
			else
				add(t, " %s %llu", mito_res_name((enum mito_res)r),
				    (unsigned long long)l);
		}
		add(t, "\n");
	}
	for (unsigned r = 0; r < GOLGI_NRULES; r++)
		add(t, "golgi %u %s %s\n", r, golgi_rule_name((enum golgi_rule)r),
		    r == GOLGI_OK ? "deliver" : r >= GOLGI_RESERVOIR ? "defer" : "drop");
	for (unsigned r = 0; r <= LYSO_ADMIN; r++)
		add(t, "lysosome %u %s\n", r, lyso_reason_name((enum lyso_reason)r));
	for (unsigned r = 0; r < PEROX_NREASONS; r++)
		add(t, "peroxisome %u %s\n", r, perox_reason_name((enum perox_reason)r));
}

static const void *service(const char *name, uint32_t version)
{
	const struct kr_ops_header *h;
	kr_cap_t cap;

	if (kr_service_open(org_self, name, version, &cap) != KR_OK ||
	    kr_service_ops(org_self, cap, &h) != KR_OK)
		return NULL;
	return h;
}

/* E5: the lines the events module's IRQ bridge exposes. */
static unsigned prove_irq(struct text *t)
{
	const struct kr_events_ops *ev = service(KR_EVENTS_SERVICE, 2);
	struct kr_irq_source s;
	unsigned n = 0;

	if (!ev) {
		add(t, "events none\n");
		return 0;
	}
	add(t, "events %u\n", ev->hdr.version);
	for (; ev->irq_source(n, &s) == KR_OK; n++)
		add(t, "irq %s line %u rtc %u rate %u burst %u debounce_us %u\n", s.name, s.line,
		    s.rtc_hz, s.rate, s.burst, s.debounce_us);
	return n;
}

/* E7: every boot module's digest, in GRUB's order, and the kernel's code
 * and read-only data (what kmod's "measure: kernel" line says). */
static void prove_measure(struct text *t)
{
	char h[65];
	uint8_t k[32];
	const void *img;
	size_t len;

	for (uint32_t i = 0; i < nmods; i++) {
		hex(mods[i].digest, h);
		add(t, "module %s blake2b-256 %s\n", mods[i].name, h);
	}
	if (kr_kernel_image(&img, &len) != KR_OK || kr_blake2b_256(k, img, len) != KR_OK) {
		fail("the kernel image could not be measured");
		return;
	}
	hex(k, h);
	add(t, "kernel blake2b-256 %s %zu\n", h, len);
}

/* E10: counts, and kmod's table of modules as this boot left it. */
static void prove_summary(struct text *t, unsigned irqs)
{
	const struct kr_kmod_ops *km = service("kmod", 1);
	struct kr_kmod_entry e;
	char h[65];

	add(t, "proofs %u\n", NPROOF);
	add(t, "boot_modules %u\n", nmods);
	add(t, "channels %u endpoints %u\n", org.g.n_chan, org.g.n_ep);
	add(t, "irq_sources %u\n", irqs);
	if (!km) {
		fail("no kmod service");
		return;
	}
	for (uint32_t i = 0; km->get(i, &e) == KR_OK; i++) {
		hex(e.digest, h);
		add(t, "kmod %s %u.%u.%u %s %s %s\n", e.name, KR_VERSION_MAJOR(e.module_version),
		    KR_VERSION_MINOR(e.module_version), KR_VERSION_PATCH(e.module_version),
		    e.builtin ? "builtin" : "loaded", e.state == KR_KMOD_LIVE ? "live" : "down",
		    e.builtin ? "-" : h);
	}
}

/* d[e] = the digest of boot module `module`; failing for why (if not
 * NULL) when the image has none (d[e] stays zero). */
static void prove_file(int e, const char *module, const char *why)
{
	const struct bootmod *m = bootmod(module);

	if (m)
		memcpy(d[e], m->digest, 32);
	else if (why)
		fail(why);
}

static void prove_all(struct text *t)
{
	unsigned irqs;

	read_boot_modules();
	prove_boot(t);
	seal(t, E_BOOT);
	prove_abi(t);
	seal(t, E_ABI);
	if (!org.up)
		fail(org.down_why);
	else if (!org.measured)
		fail("the channel graph is not in the manifest");
	prove_file(E_GRAPH, "channels", org.up ? "no channel graph" : NULL);  /* said above */
	prove_qos(t);
	seal(t, E_QOS);
	prove_organelles(t);
	seal(t, E_ORG);
	irqs = prove_irq(t);
	seal(t, E_IRQ);
	prove_file(E_MANIFEST, "manifest", "no module manifest");
	prove_measure(t);
	seal(t, E_MEASURE);
	obs_config_digest(d[E_OBS]);
	prove_file(E_RELEASE, "release", "no release manifest (boot module \"release\")");
	prove_summary(t, irqs);
	seal(t, E_SUMMARY);
}

/* c_n = BLAKE2b-256(c_{n-1} || "#En " || NAME || d_n). */
static void chain(void)
{
	uint8_t buf[32 + 8 + 16 + 32];
	const uint8_t *prev = (const uint8_t[32]){ 0 };

	for (int n = 0; n < NPROOF; n++) {
		size_t k = 32;

		memcpy(buf, prev, 32);
		k += (size_t)ksnprintf((char *)buf + k, 9, "#E%d ", n);
		memcpy(buf + k, names[n], strlen(names[n]));
		k += strlen(names[n]);
		memcpy(buf + k, d[n], 32);
		kr_blake2b_256(c[n], buf, k + 32);
		prev = c[n];
	}
}

static void show(print_fn print, void *ctx)
{
	char dh[65], ch[65];

	for (int n = 0; n < NPROOF; n++) {
		hex(d[n], dh);
		hex(c[n], ch);
		print_to(print, ctx, "#E%d %s d=%s c=%s\n", n, names[n], dh, ch);
	}
	hex(c[NPROOF - 1], ch);
	if (failed[0])
		print_to(print, ctx, "proof FAILED: %s\n", failed);
	else
		print_to(print, ctx, "proof ok c=%s\n", ch);
}

static void to_log(void *ctx, const char *s)
{
	(void)ctx;
	kr_log(KR_LOG_INFO, "%s", s);
}

static void proof_task(void *arg)
{
	struct text t = { kr_malloc(org_self, TEXT_CAP), 0, false };

	(void)arg;
	if (!t.p) {
		kr_log(KR_LOG_ERR, "proof FAILED: no memory for the proofs\n");
		return;
	}
	prove_all(&t);
	kr_free(org_self, t.p);
	chain();
	done = true;
	show(to_log, NULL);
}

kr_err_t proof_start(void)
{
	const struct kr_task_spec spec = { KR_TASK_SPEC_VERSION, .prio = KR_PRIO_MAX,
					   .stack_pages = 8, .fn = proof_task, .name = "proof" };
	uint32_t id;
	kr_err_t e;

	if (!org_sched) {
		kr_log(KR_LOG_ERR, "proof FAILED: no scheduler to run the proofs after boot\n");
		return KR_ENODEV;
	}
	if ((e = org_sched->spawn(org_self, &spec, &id)) != KR_OK)
		kr_log(KR_LOG_ERR, "proof FAILED: cannot start the proof task: %s\n",
		       kr_strerror(e));
	return e;
}

int proof_cmd(int argc, char **argv, print_fn print, void *ctx)
{
	(void)argv;
	if (argc > 1) {
		print_to(print, ctx, "proof: no arguments\nusage: proof\n");
		return 1;
	}
	if (!done) {
		print_to(print, ctx, "proof: not computed yet (the proof task runs after boot)\n");
		return 1;
	}
	show(print, ctx);
	return failed[0] ? 1 : 0;
}
