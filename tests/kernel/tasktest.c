/*
 * tasktest - a test module for the scheduler (tests/qemu/test_sched.py),
 * loaded at boot: its tasks show the order priorities give, sleeping on
 * ticks, two tasks yielding to each other (the switch cost, in TSC cycles:
 * guest instructions under -icount), and faults in tasks, with and without
 * KR_TASK_RESTART.  Its "crash" shell command faults in the shell's task.
 */
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/sched.h>
#include <karyon/shell.h>

#define YIELDS 1000

static const struct kr_sched_ops *s;
static kr_domain_t *self;
static volatile int restart_runs;

/* A pointer the compiler cannot see is near NULL. */
static volatile int *volatile low_page = (volatile int *)0;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void say(void *arg)
{
	kr_log(KR_LOG_INFO, "tasktest: ran %s\n", (const char *)arg);
}

static void sleeper(void *arg)
{
	(void)arg;
	kr_log(KR_LOG_INFO, "tasktest: sleep 5 ticks: %s\n", kr_strerror(s->block(5)));
	kr_log(KR_LOG_INFO, "tasktest: woke up\n");
}

static void ping(void *arg)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < YIELDS; i++)
		s->yield();
	if (arg)
		kr_log(KR_LOG_INFO, "tasktest: %d yields each between two tasks, %llu TSC cycles "
		       "per switch\n", YIELDS, (unsigned long long)((rdtsc() - t0) / (2 * YIELDS)));
}

static void fault(void *arg)
{
	(void)arg;
	low_page[4] = 1;
}

static void fault_once(void *arg)
{
	(void)arg;
	if (restart_runs++ == 0)
		low_page[6] = 1;
	kr_log(KR_LOG_INFO, "tasktest: restarted task ran again (run %d)\n", restart_runs);
}

static int crash_cmd(int argc, char **argv, void (*print)(void *ctx, const char *s), void *ctx)
{
	(void)argc;
	(void)argv;
	print(ctx, "crashing the shell task\n");
	low_page[8] = 1;
	return 0;
}

static const struct kr_shell_command crash_command = {
	"crash", "crash", "test: fault in the shell's task", crash_cmd,
};

static kr_err_t spawn(const char *name, uint32_t prio, uint32_t flags, kr_task_fn fn, void *arg)
{
	struct kr_task_spec t = { KR_TASK_SPEC_VERSION, .prio = prio, .flags = flags,
				  .fn = fn, .arg = arg };
	uint32_t id;

	memcpy(t.name, name, strlen(name) + 1);
	return s->spawn(self, &t, &id);
}

static kr_err_t tasktest_init(kr_domain_t *d)
{
	const struct kr_ops_header *h;
	kr_cap_t c;
	kr_err_t err;

	self = d;
	if ((err = kr_service_open(d, KR_SCHED_SERVICE, KR_SCHED_VERSION, &c)) ||
	    (err = kr_service_ops(d, c, &h)))
		return err;
	s = (const struct kr_sched_ops *)h;
	if (kr_service_open(d, "shell", KR_SHELL_SERVICE_VERSION, &c) == KR_OK &&
	    kr_service_ops(d, c, &h) == KR_OK)
		((const struct kr_shell_ops *)h)->add(kr_domain_id(d), &crash_command);
	kr_log(KR_LOG_INFO, "tasktest: bad spec: %s\n", kr_strerror(spawn("Bad Name", 1, 0, say, "x")));
	/* Spawned low first: the high one must still run first. */
	if ((err = spawn("tt_low", 10, 0, say, "low")) ||
	    (err = spawn("tt_high", 20, 0, say, "high")) ||
	    (err = spawn("tt_sleep", 18, 0, sleeper, NULL)) ||
	    (err = spawn("tt_ping", 5, 0, ping, "ping")) ||
	    (err = spawn("tt_pong", 5, 0, ping, NULL)) ||
	    (err = spawn("tt_fault", 4, 0, fault, NULL)) ||
	    (err = spawn("tt_restart", 4, KR_TASK_RESTART, fault_once, NULL)))
		return err;
	return KR_OK;
}

KR_MODULE(.name = "tasktest", .version = KR_VERSION(1, 0, 0),
	  .description = "test: tasks of every kind for the scheduler",
	  .license = "MIT", .author = "Karyon developers", .init = tasktest_init,
	  .deps = { { .name = "sched", .min_version = KR_VERSION(1, 0, 0) } }, .ndeps = 1);
