/*
 * hello - a small module: says hello on init and goodbye on exit, exports
 * one function for other modules (see hello_user), and adds a "hello"
 * command to the shell while it is loaded.
 */
#include <karyon/log.h>
#include <karyon/module.h>
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

static kr_err_t hello_init(kr_domain_t *self)
{
	const struct kr_ops_header *ops;
	kr_cap_t shell;

	kr_log(KR_LOG_INFO, "hello: loaded\n");
	/* No shell in this image is fine: the command is an extra. */
	if (kr_service_open(self, "shell", KR_SHELL_SERVICE_VERSION, &shell) == KR_OK &&
	    kr_service_ops(self, shell, &ops) == KR_OK)
		((const struct kr_shell_ops *)ops)->add(kr_domain_id(self), &hello_command);
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
