/*
 * builtin_a - a test built-in module that depends on builtin_b and is
 * linked after it (core/meson.build), so kmod starts it after it; when
 * builtin_b fails (builtin_b.fail), kmod refuses to start this one.
 */
#include <karyon/log.h>
#include <karyon/module.h>

static kr_err_t builtin_a_init(kr_domain_t *self)
{
	(void)self;
	kr_log(KR_LOG_INFO, "builtin_a: started\n");
	return KR_OK;
}

KR_MODULE(.name = "builtin_a", .version = KR_VERSION(1, 0, 0),
	  .description = "test: built-in, depends on builtin_b", .license = "MIT",
	  .author = "Karyon developers",
	  .deps = { { .name = "builtin_b", .min_version = KR_VERSION(1, 0, 0) } }, .ndeps = 1,
	  .init = builtin_a_init);
