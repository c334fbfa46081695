/*
 * builtin_b - the test built-in module builtin_a depends on (linked after it).
 */
#include <karyon/log.h>
#include <karyon/module.h>

static kr_err_t builtin_b_init(kr_domain_t *self)
{
	(void)self;
	kr_log(KR_LOG_INFO, "builtin_b: started\n");
	return KR_OK;
}

KR_MODULE(.name = "builtin_b", .version = KR_VERSION(1, 0, 0),
	  .description = "test: built-in, needed by builtin_a", .license = "MIT",
	  .author = "Karyon developers",
	  .init = builtin_b_init);
