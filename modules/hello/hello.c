/*
 * hello - the smallest useful module: says hello on init and goodbye on
 * exit, and exports one function for other modules (see hello_user).
 */
#include <karyon/log.h>
#include <karyon/module.h>

int hello_greet(const char *who);

int hello_greet(const char *who)
{
	kr_log(KR_LOG_INFO, "hello: hello, %s\n", who);
	return 42;
}
KR_EXPORT(hello_greet);

static kr_err_t hello_init(kr_domain_t *self)
{
	(void)self;
	kr_log(KR_LOG_INFO, "hello: loaded\n");
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
