/*
 * clog_golden.h - the fixed inputs of the golden record
 * (tests/unit/golden/clog_record.bin), shared by test_clog.c and
 * clog_golden.c; tests/tools/test_ledger.py states the same inputs.
 */
#ifndef CLOG_GOLDEN_H
#define CLOG_GOLDEN_H

#include "log.h"

#define GOLDEN_EPOCH    3
#define GOLDEN_SEQ      42
#define GOLDEN_DURABLE  40
#define GOLDEN_KIND     "vfs.write"
#define GOLDEN_PAYLOAD  "/etc/motd\0hello, world\n"     /* subject, then the owner's bytes */

/* prev: bytes 0, 1, ... 31.  Returns the record's size. */
static inline size_t golden_record(void *buf)
{
	uint8_t prev[32];

	for (int i = 0; i < 32; i++)
		prev[i] = (uint8_t)i;
	clog_rec_encode(buf, GOLDEN_EPOCH, GOLDEN_SEQ, GOLDEN_DURABLE, GOLDEN_KIND, GOLDEN_PAYLOAD,
			sizeof(GOLDEN_PAYLOAD) - 1, prev);
	return clog_rec_size(sizeof(GOLDEN_PAYLOAD) - 1);
}

#endif
