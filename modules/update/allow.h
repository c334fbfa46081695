/*
 * allow.h - the update module's allow-lists (allow.c): the manifest line
 * format kmod reads (modules/kmod/measure.c) parsed into a list of
 * BLAKE2b-256 digests.  Pure C (no kernel calls), so the unit test
 * (tests/unit/test_update_allow.c) runs it on the host.
 *
 *	mode enforce                      (or: mode permissive)
 *	blake2b-256 <64 lowercase hex digits> NAME
 *	# a comment; blank lines; "channels ..." lines are skipped
 */
#ifndef UPDATE_ALLOW_H
#define UPDATE_ALLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/update.h>

#define ALLOW_MAX 64    /* digests per list, as kmod's manifest */

struct allow_list {
	uint32_t n;
	bool enforce;           /* the last mode line said "mode enforce" */
	uint8_t d[ALLOW_MAX][KR_UPDATE_DIGEST_LEN];
};

/* Parse text[0..len) into l (emptied first).  KR_EFORMAT: a malformed line
 * ("want: blake2b-256 HEX NAME"), KR_ENOSPC: more than ALLOW_MAX digests;
 * then *line (1-based) and *why say where and why, and l holds no digest
 * (a damaged list allows nothing).  line and why may be NULL. */
kr_err_t allow_parse(struct allow_list *l, const char *text, size_t len, unsigned *line,
		     const char **why);
bool allow_has(const struct allow_list *l, const uint8_t d[KR_UPDATE_DIGEST_LEN]);
/* 64 lowercase hex digits at s into d; false if they are not. */
bool allow_parse_hex(const char *s, uint8_t d[KR_UPDATE_DIGEST_LEN]);
void allow_hex(const uint8_t d[KR_UPDATE_DIGEST_LEN], char out[2 * KR_UPDATE_DIGEST_LEN + 1]);

#endif
