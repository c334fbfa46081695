/*
 * cmds.c - the commit log's shell commands:
 *
 *   syslog [-n N]                      the gateway's last N calls (20)
 *   ledger status                      the log: device, head, size, counts
 *   ledger inspect [--since SEQ|HASH] [--json]
 *                                      the records (from SEQ, or from the one
 *                                      whose hash starts with HASH)
 *   ledger verify                      the chain, then every state root
 *                                      rebuilt from genesis
 *   ledger format                      erase the disk for a new log (reboot
 *                                      to use it)
 *   checkpoint create --label L | list | diff A B | replay ID | close ID
 *              | restore ID | compact --label L
 *                                      (A, B: an id, a label, or "live";
 *                                      compact: the state now becomes the
 *                                      log's new beginning)
 */
#include <karyon/libc.h>
#include <karyon/log.h>
#include "clog_int.h"

static const struct kr_shell_ops *shell;


bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static void hex(const uint8_t *b, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		ksnprintf(out + 2 * i, 3, "%02x", b[i]);
}

static int cmd_syslog(int argc, char **argv, print_fn print, void *ctx)
{
	uint64_t n = 20;

	if (argc == 3 && !strcmp(argv[1], "-n") && parse_u64(argv[2], &n) && n > 0) {
		/* fine */
	} else if (argc != 1) {
		print(ctx, "usage: syslog [-n N]\n");
		return 1;
	}
	syslog_print(n > 1000 ? 1000 : (unsigned)n, print, ctx);
	return 0;
}

/* ---- ledger ---- */

struct inspect {
	print_fn print;
	void *ctx;
	bool json, started;
	const char *hash;       /* a hex prefix: start at the record it names */
	uint64_t shown;
};

static kr_err_t inspect_one(void *ctx, const struct kr_clog_rec *r, const void *payload,
			    uint64_t off)
{
	struct inspect *in = ctx;
	char h[65], p[65], subject[64];

	hex(r->hash, 32, h);
	if (!in->started) {
		if (strncmp(h, in->hash, strlen(in->hash)))
			return KR_OK;
		in->started = true;
	}
	if (shell && shell->interrupted())
		return KR_EALREADY;
	hex(r->prev, 32, p);
	payload_subject(payload, r->length, subject, sizeof(subject));
	if (in->json) {
		for (char *s = subject; *s; s++)
			if (*s == '"' || *s == '\\')
				*s = '?';
		print_to(in->print, in->ctx, "{\"seq\": %llu, \"kind\": \"%s\", \"length\": %u, "
			 "\"subject\": \"%s\", \"offset\": %llu, \"durable\": %llu, \"prev\": \"%s\", "
			 "\"hash\": \"%s\"}\n", (unsigned long long)r->seq, r->kind, r->length,
			 subject, (unsigned long long)off, (unsigned long long)r->durable, p, h);
	} else {
		h[16] = p[8] = '\0';
		print_to(in->print, in->ctx, "%6llu  %-16s %7u  %s..  %-30s\n",
			 (unsigned long long)r->seq, r->kind, r->length, h, subject);
	}
	in->shown++;
	return KR_OK;
}

static int ledger_inspect(int argc, char **argv, print_fn print, void *ctx)
{
	struct inspect in = { print, ctx, false, true, "", 0 };
	struct clog_info i;
	uint64_t from;
	kr_err_t e;

	clog_info(cl_log, &i);
	from = i.base_seq;
	for (int k = 2; k < argc; k++) {
		if (!strcmp(argv[k], "--json")) {
			in.json = true;
		} else if (!strcmp(argv[k], "--since") && k + 1 < argc) {
			const char *s = argv[++k];
			size_t n = strlen(s);
			bool is_hex = n <= 64;

			for (size_t j = 0; j < n; j++)
				if (!((s[j] >= '0' && s[j] <= '9') || (s[j] >= 'a' && s[j] <= 'f')))
					is_hex = false;
			/* digits are a seq; 8 or more hex digits a hash prefix */
			if (n < 8 && parse_u64(s, &from)) {
				if (from < i.base_seq)
					from = i.base_seq;
			} else if (is_hex && n >= 8) {
				in.hash = s;
				in.started = false;
				from = i.base_seq;
			} else {
				print_to(print, ctx, "ledger inspect: --since %s: not a seq or a hash "
					 "prefix (8..64 hex digits)\n", s);
				return 1;
			}
		} else {
			print(ctx, "usage: ledger inspect [--since SEQ|HASH] [--json]\n");
			return 1;
		}
	}
	if (!in.json)
		print(ctx, "   seq  kind                length  hash                subject\n");
	e = clog_walk(cl_log, from, inspect_one, &in);
	if (e && e != KR_EALREADY) {
		print_to(print, ctx, "ledger inspect: stopped after %llu records: %s\n",
			 (unsigned long long)in.shown, kr_strerror(e));
		return 1;
	}
	if (!in.started) {
		print_to(print, ctx, "ledger inspect: no record's hash starts with %s\n", in.hash);
		return 1;
	}
	return 0;
}

static int ledger_status(print_fn print, void *ctx)
{
	struct kr_clog_status s;
	struct clog_info i;
	char h[65];

	clog_info(cl_log, &i);
	hex(i.head_hash, 32, h);
	print_to(print, ctx, "ledger: %s, epoch %u, area %u; records seq %llu..%llu, head %.16s..\n",
		 cl_device, i.epoch, i.area, (unsigned long long)i.base_seq,
		 (unsigned long long)i.head_seq, h);
	print_to(print, ctx, "ledger: %llu of %llu KiB used; superblock generation %llu; %s\n",
		 (unsigned long long)(i.used_bytes / 1024), (unsigned long long)(i.area_bytes / 1024),
		 (unsigned long long)i.generation,
		 i.corrupt ? "DAMAGED: read-only" : cl_attached ? "the gateway is on" :
		 "the gateway is off (not replayed)");
	if (cl_attached) {
		if (clog_status_now(&s) == KR_OK)
			print_to(print, ctx, "ledger: since boot %llu commits in %llu flushes\n",
				 (unsigned long long)s.commits, (unsigned long long)s.flushes);
	}
	return 0;
}

static int cmd_ledger(int argc, char **argv, print_fn print, void *ctx)
{
	const char *sub = argc > 1 ? argv[1] : "";
	char why[160] = "";
	kr_err_t e;

	if (!strcmp(sub, "format") && argc == 2) {
		e = clog_reformat(why, sizeof(why));
		if (e)
			print_to(print, ctx, "ledger format: %s\n", why[0] ? why : kr_strerror(e));
		else
			print_to(print, ctx, "ledger format: a new, empty log on %s; nothing is "
				 "committed until the next boot starts it from genesis\n", cl_device);
		return e ? 1 : 0;
	}
	if (!cl_log) {
		print_to(print, ctx, "ledger: %s\n", clog_has_device()
			 ? "the disk holds no log (ledger format makes one)"
			 : "no block device: no commit log");
		return 1;
	}
	if (!strcmp(sub, "status") && argc == 2)
		return ledger_status(print, ctx);
	if (!strcmp(sub, "inspect"))
		return ledger_inspect(argc, argv, print, ctx);
	if (!strcmp(sub, "verify") && argc == 2)
		return ledger_verify(print, ctx) ? 1 : 0;
	if (!strcmp(sub, "bench") && cl_attached)
		return ledger_bench(argc, argv, print, ctx);
	print(ctx, "usage: ledger status | inspect [--since SEQ|HASH] [--json] | verify | format "
	      "| bench ...\n");
	return 1;
}

/* ---- checkpoint ---- */

static int cmd_checkpoint(int argc, char **argv, print_fn print, void *ctx)
{
	const char *sub = argc > 1 ? argv[1] : "";
	kr_err_t e;

	if (!cl_log) {
		print(ctx, "checkpoint: no commit log\n");
		return 1;
	}
	if (!strcmp(sub, "list") && argc == 2) {
		if (!cl_nckpts)
			print(ctx, "checkpoint: none yet (checkpoint create --label L)\n");
		for (unsigned i = 0; i < cl_nckpts; i++) {
			char h[65];

			hex(cl_ckpts[i].roots.root, 32, h);
			h[16] = '\0';
			print_to(print, ctx, "%3u  seq %-8llu %-20s root %s..%s\n", i + 1,
				 (unsigned long long)cl_ckpts[i].seq, cl_ckpts[i].label, h,
				 cl_ckpts[i].mounted ? "  (at /ckpt)" : "");
		}
		return 0;
	}
	if (!strcmp(sub, "create") && argc == 4 && !strcmp(argv[2], "--label")) {
		e = ckpt_create(argv[3], print, ctx);
		if (e)
			print_to(print, ctx, "checkpoint create: %s\n",
				 e == KR_EEXIST ? "that label is taken" :
				 e == KR_EINVAL ? "a label is 1..31 printable characters, no spaces" :
				 e == KR_ENODEV ? "the gateway is off: nothing is committed" :
				 kr_strerror(e));
		return e ? 1 : 0;
	}
	if (!strcmp(sub, "diff") && argc == 4)
		e = ckpt_diff(argv[2], argv[3], print, ctx);
	else if (!strcmp(sub, "replay") && argc == 3)
		e = ckpt_replay(argv[2], false, print, ctx);
	else if (!strcmp(sub, "close") && argc == 3)
		e = ckpt_replay(argv[2], true, print, ctx);
	else if (!strcmp(sub, "restore") && argc == 3)
		e = ckpt_restore(argv[2], print, ctx);
	else if (!strcmp(sub, "compact") && argc == 4 && !strcmp(argv[2], "--label"))
		return ckpt_compact(argv[3], print, ctx) ? 1 : 0;      /* it says why */
	else {
		print(ctx, "usage: checkpoint create --label L | list | diff A B | replay ID | "
		      "close ID | restore ID | compact --label L\n");
		return 1;
	}
	if (e && e != KR_ENOENT)
		print_to(print, ctx, "checkpoint %s: %s\n", sub, kr_strerror(e));
	return e ? 1 : 0;
}

static const struct kr_shell_command commands[] = {
	{ "syslog", "syslog [-n N]", "the gateway's audit ring: who changed what, and the answer",
	  cmd_syslog },
	{ "ledger", "ledger status | inspect [--since SEQ|HASH] [--json] | verify | format",
	  "the commit log on disk", cmd_ledger },
	{ "checkpoint", "checkpoint create --label L | list | diff A B | replay ID | close ID | "
	  "restore ID | compact --label L", "labelled points of the committed state",
	  cmd_checkpoint },
};

void cmds_add(void)
{
	const struct kr_ops_header *h;
	kr_cap_t c;

	if (kr_service_open(cl_self, "shell", KR_SHELL_SERVICE_VERSION, &c) != KR_OK ||
	    kr_service_ops(cl_self, c, &h) != KR_OK)
		return;
	shell = (const struct kr_shell_ops *)h;
	for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (shell->add(kr_domain_id(cl_self), &commands[i]) != KR_OK)
			kr_log(KR_LOG_WARN, "clog: cannot add the %s command\n", commands[i].name);
}

void cmds_remove(void)
{
	for (unsigned i = 0; shell && i < sizeof(commands) / sizeof(commands[0]); i++)
		shell->remove(kr_domain_id(cl_self), commands[i].name);
}
