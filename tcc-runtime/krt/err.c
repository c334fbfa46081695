/*
 * err.c - kr_strerror(): the one place error codes become text.  The table is
 * generated from the KR_ERRORS X-macro so a new code cannot miss its text.
 */
#include <karyon/err.h>

static const char *const err_text[] = {
	[0] = "success",
#define KR_ERR_TEXT(name, num, text) [num] = text,
	KR_ERRORS(KR_ERR_TEXT)
#undef KR_ERR_TEXT
};

const char *kr_strerror(kr_err_t err)
{
	/* Codes are negative; compare as unsigned so INT_MIN cannot overflow. */
	unsigned int n = -(unsigned int)err;

	if (n >= sizeof(err_text) / sizeof(err_text[0]) || !err_text[n])
		return "unknown error";
	return err_text[n];
}
