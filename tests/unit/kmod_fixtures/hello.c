/*
 * hello.c - test module for test_kmod_elf: calls two kernel functions,
 * keeps a global in .data, an array in .bss, a const table and strings in
 * .rodata, dispatches through a switch that -O2 turns into a jump table,
 * and exports one function.  The test runs hello_init and hello_exit and
 * checks what they log.
 */
#include <karyon/cap.h>
#include <karyon/log.h>
#include <karyon/module.h>

int hello_count = 3;
static long hello_seen[16];
static const int hello_primes[8] = { 2, 3, 5, 7, 11, 13, 17, 19 };

/* The calls in the cases keep gcc from turning the switch into a value table. */
static __attribute__((noinline)) long hello_pick(int k)
{
	struct kr_mem_stats st;

	switch (k) {
	case 0: kr_log(KR_LOG_INFO, "zero\n"); return 10;
	case 1: kr_mem_stats(&st); return (long)st.free_pages;
	case 2: return hello_primes[hello_count];
	case 3: kr_log(KR_LOG_DEBUG, "three %d\n", hello_count); return 33;
	case 4: hello_seen[4] += 40; return hello_seen[4];
	case 5: kr_log(KR_LOG_WARN, "five\n"); return 55;
	case 6: kr_mem_stats(&st); return (long)st.heap_blocks;
	default: return -1;
	}
}

long hello_sum(int n)
{
	long s = 0;

	for (int i = 0; i < n && i < 8; i++)
		s += hello_primes[i];
	return s;
}
KR_EXPORT(hello_sum);

static kr_err_t hello_init(kr_domain_t *self)
{
	(void)self;
	for (int i = 0; i < 16; i++)
		if (hello_seen[i])
			return KR_EFORMAT;      /* .bss was not zeroed */
	kr_log(KR_LOG_INFO, "hello %s, count %d\n", "kernel", hello_count);
	for (int k = 0; k < 8; k++)
		kr_log(KR_LOG_INFO, "pick %d = %ld\n", k, hello_pick(k));
	hello_count++;
	return KR_OK;
}

static void hello_exit(kr_domain_t *self)
{
	(void)self;
	kr_log(KR_LOG_INFO, "bye %d\n", hello_count);
}

KR_MODULE(.name = "hello", .version = KR_VERSION(1, 2, 3), .description = "loader test module",
	  .license = "MIT", .author = "Karyon", .init = hello_init, .exit = hello_exit);
