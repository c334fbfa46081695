/*
 * hello - the first handler: greets argv[1] (or "world"), then lists the
 * arguments it was given.  On Karyon:
 *
 *	cc /usr/share/examples/handlers/hello.c
 *	run hello Karyon
 *
 * It returns the number of arguments after the handler's name, so
 * `run hello a b` ends with "hello returned 2".  The same file builds with
 * gcc on Linux: `gcc hello.c -o hello && ./hello Karyon`.
 */
#include <stdio.h>
#include <string.h>

/* The longest argument, to show a helper function and <string.h>. */
static size_t longest(int argc, char **argv)
{
	size_t max = 0;
	int i;

	for (i = 1; i < argc; i++)
		if (strlen(argv[i]) > max)
			max = strlen(argv[i]);
	return max;
}

int main(int argc, char **argv)
{
	const char *who = argc > 1 ? argv[1] : "world";
	int i;

	printf("hello, %s!\n", who);
	printf("argc = %d\n", argc);
	for (i = 1; i < argc; i++)
		printf("  argv[%d] = \"%s\" (%zu characters)\n", i, argv[i], strlen(argv[i]));
	if (argc > 1)
		printf("the longest argument has %zu characters\n", longest(argc, argv));
	else
		puts("no arguments: try `run hello YOUR-NAME`");
	return argc - 1;
}
