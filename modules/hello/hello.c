/*
 * hello - a small module: says hello on init and goodbye on exit, exports
 * one function for other modules (see hello_user), and adds a "hello"
 * command to the shell while it is loaded.  Where the image has a channel
 * graph (the organelles module), it is the endpoint "hello": every parcel
 * on hello.req is answered "hello, <payload>" on hello.resp to its sender.
 */
#include <karyon/log.h>
#include <karyon/libc.h>
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

/* The channels of images/dev.channels (hello.req, hello.resp). */
#define HELLO_REQ  1
#define HELLO_RESP 2

static const struct kr_org_ops *org;
static kr_domain_t *hello_self;
static uint32_t hello_ep;

static void hello_recv(void *ctx, const struct kr_org_msg *m)
{
	static char out[KR_PARCEL_PAYLOAD_MAX];        /* deliveries come one at a time */
	size_t n = m->length < sizeof(out) - 7 ? m->length : sizeof(out) - 7;

	(void)ctx;
	if (m->channel != HELLO_REQ)
		return;
	memcpy(out, "hello, ", 7);
	memcpy(out + 7, m->payload, n);
	org->send(hello_self, hello_ep, m->from, HELLO_RESP, 0, out, 7 + n, NULL);
}

static kr_err_t hello_init(kr_domain_t *self)
{
	const struct kr_ops_header *ops;
	kr_cap_t shell, c;

	kr_log(KR_LOG_INFO, "hello: loaded\n");
	/* No shell in this image is fine: the command is an extra. */
	if (kr_service_open(self, "shell", KR_SHELL_SERVICE_VERSION, &shell) == KR_OK &&
	    kr_service_ops(self, shell, &ops) == KR_OK)
		((const struct kr_shell_ops *)ops)->add(kr_domain_id(self), &hello_command);
	/* No fabric, or no "hello" in its graph, is fine too. */
	hello_self = self;
	if (kr_service_open(self, KR_ORG_SERVICE, KR_ORG_VERSION, &c) == KR_OK &&
	    kr_service_ops(self, c, &ops) == KR_OK &&
	    ((const struct kr_org_ops *)ops)->open(self, "hello", hello_recv, NULL,
						  &hello_ep) == KR_OK)
		org = (const struct kr_org_ops *)ops;
	return KR_OK;
}

static void hello_exit(kr_domain_t *self)
{
	(void)self;
	kr_log(KR_LOG_INFO, "hello: unloaded\n");
}

KR_MODULE(.name = "hello", .version = KR_VERSION(1, 0, 0),
	  .description = "prints on load and unload, exports hello_greet",
	  .license = "MIT", .author = "Karyon developers",
	  .init = hello_init, .exit = hello_exit);
