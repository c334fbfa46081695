/*
 * allow.c - manifest lines into a list of digests (allow.h).  The image's
 * manifest and the update manifest (/etc/update.allow) share the format,
 * so one parser serves both; store.c decides what each list allows.
 */
#include <karyon/libc.h>

#include "allow.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool allow_parse_hex(const char *s, uint8_t d[KR_UPDATE_DIGEST_LEN])
{
	for (int i = 0; i < KR_UPDATE_DIGEST_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		d[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void allow_hex(const uint8_t d[KR_UPDATE_DIGEST_LEN], char out[2 * KR_UPDATE_DIGEST_LEN + 1])
{
	for (int i = 0; i < KR_UPDATE_DIGEST_LEN; i++) {
		out[2 * i] = "0123456789abcdef"[d[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	out[2 * KR_UPDATE_DIGEST_LEN] = '\0';
}

/* One line (no newline): 1 a digest in d, 0 nothing to take, -1 malformed. */
static int parse_line(struct allow_list *l, const char *s, size_t n,
		      uint8_t d[KR_UPDATE_DIGEST_LEN])
{
	static const char tag[] = "blake2b-256 ";
	const size_t tl = sizeof(tag) - 1, hl = 2 * KR_UPDATE_DIGEST_LEN;

	if (n == 12 && !memcmp(s, "mode enforce", 12)) {
		l->enforce = true;
		return 0;
	}
	if (n == 15 && !memcmp(s, "mode permissive", 15)) {
		l->enforce = false;
		return 0;
	}
	if (n == 0 || s[0] == '#' || (n > 9 && !memcmp(s, "channels ", 9)))
		return 0;
	/* "blake2b-256 HEX NAME": the name is for the reader, but must be there */
	if (n > tl + hl + 1 && !memcmp(s, tag, tl) && s[tl + hl] == ' ' &&
	    allow_parse_hex(s + tl, d))
		return 1;
	return -1;
}

kr_err_t allow_parse(struct allow_list *l, const char *text, size_t len, unsigned *line,
		     const char **why)
{
	uint8_t d[KR_UPDATE_DIGEST_LEN];
	size_t start = 0;
	unsigned no = 1;

	l->n = 0;
	l->enforce = false;
	for (size_t k = 0; k <= len; k++) {
		int r;

		if (k < len && text[k] != '\n')
			continue;
		r = parse_line(l, text + start, k - start, d);
		if (r < 0 || (r > 0 && l->n == ALLOW_MAX)) {
			if (line)
				*line = no;
			if (why)
				*why = r < 0 ? "want: blake2b-256 HEX NAME" : "more than 64 digests";
			l->n = 0;
			return r < 0 ? KR_EFORMAT : KR_ENOSPC;
		}
		if (r > 0)
			memcpy(l->d[l->n++], d, sizeof(d));
		start = k + 1;
		no++;
	}
	return KR_OK;
}

bool allow_has(const struct allow_list *l, const uint8_t d[KR_UPDATE_DIGEST_LEN])
{
	for (uint32_t i = 0; i < l->n; i++)
		if (!memcmp(l->d[i], d, KR_UPDATE_DIGEST_LEN))
			return true;
	return false;
}
