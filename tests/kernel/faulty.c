/*
 * faulty - test modules whose init or exit raises a CPU exception, built
 * from this one file (tests/meson.build): -DFAULTY_NULL (init writes
 * through NULL), -DFAULTY_UD2 (init executes ud2), -DFAULTY_EXIT (exit
 * writes through NULL).  kmod must stop each, report it, and run on
 * (test_boot.py's module-faults).
 */
#include <karyon/log.h>
#include <karyon/module.h>

#if defined(FAULTY_NULL)
#define FAULTY_NAME "initnull"
#elif defined(FAULTY_UD2)
#define FAULTY_NAME "initud2"
#else
#define FAULTY_NAME "exitfault"
#endif

/* A pointer the compiler cannot prove is NULL. */
static volatile int *volatile nowhere;

static kr_err_t faulty_init(kr_domain_t *self)
{
	(void)self;
#if defined(FAULTY_NULL)
	*nowhere = 1;
#elif defined(FAULTY_UD2)
	__asm__ volatile("ud2");
#endif
	kr_log(KR_LOG_INFO, "%s: init ran to its end\n", FAULTY_NAME);
	return KR_OK;
}

static void faulty_exit(kr_domain_t *self)
{
	(void)self;
#if defined(FAULTY_EXIT)
	*nowhere = 2;
#endif
}

KR_MODULE(.name = FAULTY_NAME, .version = KR_VERSION(1, 0, 0),
	  .description = "test: a module that faults in its init or exit",
	  .license = "MIT", .author = "Karyon developers", .init = faulty_init,
	  .exit = faulty_exit);
