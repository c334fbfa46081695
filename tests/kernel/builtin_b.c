/*
 * builtin_b - the test built-in module builtin_a depends on (linked before
 * it).  With "builtin_b.fail" on the command line its init fails, so the
 * tests see kmod refuse builtin_a for it.
 */
#include <stdbool.h>
#include <karyon/cmdline.h>
#include <karyon/log.h>
#include <karyon/module.h>

static kr_err_t builtin_b_init(kr_domain_t *self)
{
	bool fail = false;
	const struct kr_cmdline_opt opts[] = {
		{ KR_CMDLINE_OPT_INIT, .key = "fail", .type = KR_CMDLINE_FLAG, .dst = &fail,
		  .help = "test: fail to start" },
	};

	(void)self;
	kr_cmdline_apply("builtin_b", opts, 1, NULL, NULL);
	if (fail)
		return KR_ENOSYS;
	kr_log(KR_LOG_INFO, "builtin_b: started\n");
	return KR_OK;
}

KR_MODULE(.name = "builtin_b", .version = KR_VERSION(1, 0, 0),
	  .description = "test: built-in, needed by builtin_a", .license = "MIT",
	  .author = "Karyon developers",
	  .init = builtin_b_init);
