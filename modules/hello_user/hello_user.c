/*
 * hello_user - depends on hello and calls the function it exports.
 */
#include <karyon/log.h>
#include <karyon/module.h>

int hello_greet(const char *who);      /* exported by hello */

static kr_err_t hello_user_init(kr_domain_t *self)
{
	(void)self;
	kr_log(KR_LOG_INFO, "hello_user: hello_greet returned %d\n", hello_greet("hello_user"));
	return KR_OK;
}

KR_MODULE(.name = "hello_user", .version = KR_VERSION(1, 0, 0),
	  .description = "calls hello_greet from the hello module",
	  .license = "MIT", .author = "Karyon developers",
	  .deps = { { .name = "hello", .min_version = KR_VERSION(1, 0, 0) } }, .ndeps = 1,
	  .init = hello_user_init);
