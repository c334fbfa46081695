/*
 * hello - a small module: says hello on init and goodbye on exit, exports
 * one function for other modules (see hello_user), adds a "hello" command
 * to the shell while it is loaded, and, in an image whose channel graph
 * has the endpoint "hello", answers every parcel on channel "hello.req"
 * with "hello, <payload>" on "hello.resp" to its sender
 * (docs/organelles.md).  Both services are optional: without them the
 * module still loads.
 */
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/organelles.h>
#include <karyon/shell.h>

int hello_greet(const char *who);

int hello_greet(const char *who)
{
	kr_log(KR_LOG_INFO, "hello: hello, %s\n", who);
	return 42;
}
KR_EXPORT(hello_greet);

/* The "hello" shell command, while this module is loaded. */
static int hello_cmd(int argc, char **argv, void (*print)(void *ctx, const char *s), void *ctx)
{
	print(ctx, "hello, ");
	print(ctx, argc > 1 ? argv[1] : "world");
	print(ctx, "\n");
	return 0;
}

static const struct kr_shell_command hello_command = {
	"hello", "hello [NAME]", "say hello (added by the hello module)", hello_cmd,
};

/* ---- the "hello" endpoint of the channel graph ---- */

static kr_domain_t *hello_self;
static const struct kr_org_ops *org;
static uint32_t hello_ep;
static int req_chan, resp_chan;

/* A parcel for "hello": answer greetings, ignore the rest.  Runs in the
 * organelles' delivery task; m->payload is valid until it returns. */
static void hello_recv(void *ctx, const struct kr_org_msg *m)
{
	char reply[KR_PARCEL_PAYLOAD_MAX];
	size_t n = m->length < sizeof(reply) - 7 ? m->length : sizeof(reply) - 7;
	struct kr_org_sent res;

	(void)ctx;
	if (m->channel != req_chan)
		return;
	memcpy(reply, "hello, ", 7);
	memcpy(reply + 7, m->payload, n);
	if (org->send(hello_self, hello_ep, (uint32_t)org->endpoint(m->from), (uint16_t)resp_chan, 0,
		      reply, n + 7, &res))
		kr_log(KR_LOG_WARN, "hello: cannot answer %s: %s\n", m->from, res.why);
}

static void hello_open_endpoint(void)
{
	const struct kr_ops_header *ops;
	kr_cap_t c;

	if (kr_service_open(hello_self, KR_ORG_SERVICE, KR_ORG_VERSION, &c) != KR_OK ||
	    kr_service_ops(hello_self, c, &ops) != KR_OK)
		return;         /* no organelles in this image */
	org = (const struct kr_org_ops *)ops;
	req_chan = org->channel("hello.req");
	resp_chan = org->channel("hello.resp");
	if (req_chan < 0 || resp_chan < 0 ||
	    org->open(hello_self, "hello", hello_recv, NULL, &hello_ep) != KR_OK) {
		org = NULL;     /* the graph has no place for us */
		return;
	}
	kr_log(KR_LOG_INFO, "hello: answering on channel %d (hello.req)\n", req_chan);
}

static kr_err_t hello_init(kr_domain_t *self)
{
	const struct kr_ops_header *ops;
	kr_cap_t shell;

	hello_self = self;
	kr_log(KR_LOG_INFO, "hello: loaded\n");
	/* No shell in this image is fine: the command is an extra. */
	if (kr_service_open(self, "shell", KR_SHELL_SERVICE_VERSION, &shell) == KR_OK &&
	    kr_service_ops(self, shell, &ops) == KR_OK)
		((const struct kr_shell_ops *)ops)->add(kr_domain_id(self), &hello_command);
	hello_open_endpoint();
	return KR_OK;
}

static void hello_exit(kr_domain_t *self)
{
	if (org)
		org->close(self, hello_ep);
	kr_log(KR_LOG_INFO, "hello: unloaded\n");
}

KR_MODULE(.name = "hello", .version = KR_VERSION(1, 0, 0),
	  .description = "prints on load and unload, exports hello_greet, answers parcels",
	  .license = "MIT", .author = "Karyon developers",
	  .init = hello_init, .exit = hello_exit);
