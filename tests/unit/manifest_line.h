/*
 * manifest_line.h - for the manifest tests (unit and fuzz): turn the line
 * manifest_format prints back into manifest text, "key value" into
 * "key=value" and "(none)" into nothing, so a round trip can be parsed.
 * text needs as many bytes as line.  0, or -1 if a field has no space.
 */
#ifndef KARYON_TEST_MANIFEST_LINE_H
#define KARYON_TEST_MANIFEST_LINE_H

#include <string.h>

static inline int manifest_line_to_text(const char *line, char *text)
{
	const char *f = line, *end, *sp;
	char *o = text;
	size_t n;

	while (*f) {
		end = strchr(f, ';');
		if (!end)
			end = f + strlen(f);
		sp = memchr(f, ' ', (size_t)(end - f));
		if (!sp)
			return -1;
		memcpy(o, f, (size_t)(sp - f));
		o += sp - f;
		*o++ = '=';
		n = (size_t)(end - sp - 1);
		if (!(n == 6 && !strncmp(sp + 1, "(none)", 6))) {
			memcpy(o, sp + 1, n);
			o += n;
		}
		f = end;
		if (*f == ';') {
			*o++ = ';';
			f++;
			while (*f == ' ')
				f++;
		}
	}
	*o = '\0';
	return 0;
}

#endif
