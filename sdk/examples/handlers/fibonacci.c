/*
 * fibonacci - integer arithmetic, recursion and 64-bit values: computes
 * fib(0..n) with a loop and fib(n) by plain recursion, and checks that the
 * two agree.  n comes from argv[1] (default 30, at most 93, the largest
 * whose value fits in 64 bits); the recursion, which makes about 2.7
 * million calls for n = 30, is only tried up to n = 35.
 *
 *	cc /usr/share/examples/handlers/fibonacci.c
 *	run fibonacci          (or: run fibonacci 50)
 *
 * Returns 0 when both methods agree, 1 when they do not, 2 for a bad n.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_N 93
#define MAX_RECURSIVE 35

static uint64_t calls;

static uint64_t fib_recursive(int n)
{
	calls++;
	if (n < 2)
		return (uint64_t)n;
	return fib_recursive(n - 1) + fib_recursive(n - 2);
}

/* Fills table[0..n] and returns table[n]. */
static uint64_t fib_iterative(int n, uint64_t *table)
{
	int i;

	table[0] = 0;
	if (n > 0)
		table[1] = 1;
	for (i = 2; i <= n; i++)
		table[i] = table[i - 1] + table[i - 2];
	return table[n];
}

int main(int argc, char **argv)
{
	uint64_t table[MAX_N + 1];
	uint64_t iter, rec;
	char *end;
	long n = 30;
	int i;

	if (argc > 1) {
		n = strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0' || n < 0 || n > MAX_N) {
			printf("usage: fibonacci [N], N from 0 to %d\n", MAX_N);
			return 2;
		}
	}

	iter = fib_iterative((int)n, table);
	for (i = 0; i <= n; i++)
		printf("fib(%2d) = %" PRIu64 "%s", i, table[i], i % 4 == 3 || i == n ? "\n" : "   ");
	printf("iterative: fib(%ld) = %" PRIu64 " (0x%" PRIx64 ")\n", n, iter, iter);

	if (n > MAX_RECURSIVE) {
		printf("recursive: skipped for n > %d (it would take too long)\n", MAX_RECURSIVE);
		return 0;
	}
	rec = fib_recursive((int)n);
	printf("recursive: fib(%ld) = %" PRIu64 " in %" PRIu64 " calls\n", n, rec, calls);
	if (rec != iter) {
		printf("MISMATCH\n");
		return 1;
	}
	printf("both agree\n");
	return 0;
}
