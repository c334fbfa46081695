/*
 * hello_next - other versions of the hello module, for module updates
 * (tests/qemu/test_update.py): built with -DHELLO_V2, version 2.0.0, whose
 * "hello" command says which version answers; with -DHELLO_FAIL, version
 * 3.0.0, whose init fails, so an update to it must roll back.
 */
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/service.h>
#include <karyon/shell.h>

#if defined(HELLO_V2)
#define HELLO_NEXT_VERSION KR_VERSION(2, 0, 0)
#elif defined(HELLO_FAIL)
#define HELLO_NEXT_VERSION KR_VERSION(3, 0, 0)
#else
#error "build with -DHELLO_V2 or -DHELLO_FAIL"
#endif

#ifdef HELLO_V2
static int hello_cmd(int argc, char **argv, void (*print)(void *ctx, const char *s), void *ctx)
{
	print(ctx, "hello from version 2, ");
	print(ctx, argc > 1 ? argv[1] : "world");
	print(ctx, "\n");
	return 0;
}

static const struct kr_shell_command hello_command = {
	"hello", "hello [NAME]", "say hello (hello 2.0.0, a test module)", hello_cmd,
};
#endif

static kr_err_t hello_init(kr_domain_t *self)
{
	const struct kr_ops_header *ops;
	kr_cap_t shell;

#ifdef HELLO_FAIL
	(void)self;
	(void)ops;
	(void)shell;
	kr_log(KR_LOG_INFO, "hello: version 3 failing its init\n");
	return KR_EIO;
#else
	kr_log(KR_LOG_INFO, "hello: version 2 loaded\n");
	if (kr_service_open(self, "shell", KR_SHELL_SERVICE_VERSION, &shell) == KR_OK &&
	    kr_service_ops(self, shell, &ops) == KR_OK)
		((const struct kr_shell_ops *)ops)->add(kr_domain_id(self), &hello_command);
	return KR_OK;
#endif
}

KR_MODULE(.name = "hello", .version = HELLO_NEXT_VERSION,
	  .description = "test: another version of hello (module updates)",
	  .license = "MIT", .author = "Karyon developers", .init = hello_init);
