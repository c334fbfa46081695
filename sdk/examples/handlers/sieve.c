/*
 * sieve - the sieve of Eratosthenes on a malloc'd array: counts the primes
 * below a limit (argv[1], default 100000), prints the last five and a
 * checksum of all of them, and frees the array.
 *
 *	cc /usr/share/examples/handlers/sieve.c
 *	run sieve              (or: run sieve 1000)
 *
 * Returns 0 when the default run finds the known 9592 primes below 100000
 * (any count for another limit), 1 if not, 2 for a bad limit or no memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT 100000
#define PRIMES_BELOW_100000 9592

int main(int argc, char **argv)
{
	unsigned long limit = DEFAULT_LIMIT, i, j, count = 0;
	unsigned long last[5] = { 0 };
	uint32_t checksum = 0;
	unsigned char *composite;

	if (argc > 1) {
		limit = strtoul(argv[1], NULL, 10);
		if (limit < 2 || limit > 10000000) {
			printf("usage: sieve [LIMIT], LIMIT from 2 to 10000000\n");
			return 2;
		}
	}

	composite = malloc(limit);
	if (composite == NULL) {
		printf("sieve: cannot allocate %lu bytes\n", limit);
		return 2;
	}
	memset(composite, 0, limit);
	for (i = 2; i * i < limit; i++)
		if (!composite[i])
			for (j = i * i; j < limit; j += i)
				composite[j] = 1;

	for (i = 2; i < limit; i++) {
		if (composite[i])
			continue;
		count++;
		memmove(last, last + 1, 4 * sizeof last[0]);
		last[4] = i;
		/* FNV-1a style mixing: the order of the primes matters. */
		checksum = (checksum ^ (uint32_t)i) * 16777619u;
	}
	free(composite);

	printf("%lu primes below %lu\n", count, limit);
	printf("the last %s:", count < 5 ? "ones" : "five");
	for (i = 0; i < 5; i++)
		if (last[i] != 0)
			printf(" %lu", last[i]);
	printf("\nchecksum: 0x%08x\n", (unsigned)checksum);

	if (limit == DEFAULT_LIMIT && count != PRIMES_BELOW_100000) {
		printf("expected %d primes\n", PRIMES_BELOW_100000);
		return 1;
	}
	return 0;
}
