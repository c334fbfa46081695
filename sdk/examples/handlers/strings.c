/*
 * strings - string processing with <string.h>, <ctype.h> and snprintf:
 * counts the words of an embedded text (strtok, strcmp, qsort), folds case
 * with tolower/toupper, reverses the order of words and the letters of each
 * word, and formats a table with snprintf.
 *
 *	cc /usr/share/examples/handlers/strings.c
 *	run strings
 *
 * Returns the number of distinct words in the text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char text[] =
	"The kernel loads the module, the module offers a service, and the "
	"shell finds the service by name. A handler is compiled by the kernel "
	"itself; the handler runs, prints, and returns. Small parts, small "
	"promises: the kernel keeps them.";

struct word {
	char name[24];
	int count;
};

/* Most frequent first; words that occur equally often in ASCII order. */
static int by_count(const void *a, const void *b)
{
	const struct word *x = a, *y = b;

	if (x->count != y->count)
		return y->count - x->count;
	return strcmp(x->name, y->name);
}

static void reverse(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		char c = s[i];
		s[i] = s[n - 1 - i];
		s[n - 1 - i] = c;
	}
}

int main(void)
{
	struct word words[64];
	int nwords = 0, total = 0, i;
	char *copy = strdup(text), *tok, *p, line[64], sentence[sizeof text];

	if (copy == NULL)
		return 255;
	for (p = copy; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (tok = strtok(copy, " ,.;:"); tok != NULL; tok = strtok(NULL, " ,.;:")) {
		total++;
		for (i = 0; i < nwords && strcmp(words[i].name, tok) != 0; i++)
			;
		if (i == nwords && nwords < 64) {
			snprintf(words[nwords].name, sizeof words[0].name, "%s", tok);
			words[nwords++].count = 0;
		}
		if (i < nwords)
			words[i].count++;
	}
	free(copy);
	qsort(words, (size_t)nwords, sizeof words[0], by_count);

	printf("%d words, %d distinct; the most frequent:\n", total, nwords);
	for (i = 0; i < 6 && i < nwords; i++) {
		snprintf(line, sizeof line, "%-10s|%3d| %.*s", words[i].name, words[i].count,
			 words[i].count, "**********");
		puts(line);
	}
	/* snprintf returns the length it wanted, even when it truncates. */
	i = snprintf(line, 8, "%s, %s, %s", words[0].name, words[1].name, words[2].name);
	printf("snprintf into 8 bytes wanted %d and kept \"%s\"\n", i, line);

	/* The first sentence, words in reverse order, each word reversed and upper-cased. */
	p = strchr(text, '.');
	memcpy(sentence, text, (size_t)(p - text));
	sentence[p - text] = '\0';
	printf("first sentence: %zu characters, %zu before the first comma\n",
	       strlen(sentence), strcspn(sentence, ","));
	for (p = sentence + strlen(sentence); p > sentence; ) {
		char *start = p, *word;

		while (start > sentence && start[-1] != ' ')
			start--;
		word = strndup(start, (size_t)(p - start));
		reverse(word, strlen(word));
		for (i = 0; word[i]; i++)
			word[i] = (char)toupper((unsigned char)word[i]);
		printf("%s%s", word, start > sentence ? " " : "\n");
		free(word);
		p = start > sentence ? start - 1 : start;
	}
	printf("\"service\" first at offset %d; strcasecmp(\"Kernel\", \"KERNEL\") = %d\n",
	       (int)(strstr(text, "service") - text), strcasecmp("Kernel", "KERNEL"));
	return nwords;
}
