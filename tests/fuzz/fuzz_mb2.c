/*
 * fuzz_mb2.c - libFuzzer target for the multiboot2 parser (boot/multiboot2.c).
 *
 * The input is the MBI: libFuzzer's exact-size buffer, so ASan sees a read
 * past `readable`.  The parser runs twice, with every byte readable and
 * with a readable bound cut by the first byte, as the bootloader's mapping
 * may be shorter than total_size says.  A refusal must say where and why.
 * Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multiboot2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, uint64_t readable)
{
	struct kr_boot_info info;
	struct mb2_error err = { 0 };
	kr_err_t e;

	memset(&info, 0xa5, sizeof(info));
	e = mb2_parse(data, 0x100000, readable, &info, &err);
	if (e != KR_OK && (!err.what || !mb2_tag_name(err.tag)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	one(data, size);
	one(data, size > data[0] ? size - data[0] : 0);
	return 0;
}
