/*
 * minimal - the smallest Karyon module: logs a line when it is loaded and
 * another when it is unloaded.  Build it with
 *	./karyon module sdk/examples/minimal.c
 */
#include <karyon/log.h>
#include <karyon/module.h>

static kr_err_t minimal_init(kr_domain_t *self)
{
	(void)self;
	kr_log(KR_LOG_INFO, "minimal: loaded\n");
	return KR_OK;
}

static void minimal_exit(kr_domain_t *self)
{
	(void)self;
	kr_log(KR_LOG_INFO, "minimal: unloaded\n");
}

KR_MODULE(.name = "minimal", .version = KR_VERSION(1, 0, 0),
	  .description = "the smallest module: logs on load and unload",
	  .license = "MIT", .author = "Karyon developers",
	  .init = minimal_init, .exit = minimal_exit);
