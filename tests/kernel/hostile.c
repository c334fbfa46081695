/*
 * hostile - test modules the loader must refuse, built from this one file
 * (tests/meson.build): with -DHOSTILE_DUPEXPORT it exports hello_greet,
 * which hello exports already; with -DHOSTILE_BADNAME its name holds an
 * escape sequence that would clear the terminal if lsmod printed it.
 * Neither init may ever run.
 */
#include <karyon/log.h>
#include <karyon/module.h>

static kr_err_t hostile_init(kr_domain_t *self)
{
	(void)self;
	kr_log(KR_LOG_ERR, "hostile: init ran\n");
	return KR_OK;
}

#ifdef HOSTILE_DUPEXPORT
int hello_greet(const char *who);

int hello_greet(const char *who)
{
	(void)who;
	return 0;
}
KR_EXPORT(hello_greet);
#define HOSTILE_NAME "dupexport"
#else
#define HOSTILE_NAME "\033[2Jbadname"
#endif

KR_MODULE(.name = HOSTILE_NAME, .version = KR_VERSION(1, 0, 0),
	  .description = "test: a module the loader refuses",
	  .license = "MIT", .author = "Karyon developers", .init = hostile_init);
