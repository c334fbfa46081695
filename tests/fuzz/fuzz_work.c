/*
 * fuzz_work.c - libFuzzer target for the scheduler's two text parsers
 * (modules/sched/work.c built with -DWORK_HOST): work_parse, the `task
 * submit` arguments, and conf_parse, /etc/karyon.conf.
 *
 * The first byte picks the parser.  conf_parse gets the rest as an
 * exact-size buffer (it takes a length, so a read past it is a bug);
 * work_parse gets it split at NULs into argv.  A success must give values
 * in range and argv pointers from the input; a refusal a message.  Built
 * and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "work.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_work(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[64], err[128];
	struct work_req r;
	int argc = 0;

	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t i = 0; i <= size && argc < 64; i++)
		if (i == 0 || text[i - 1] == '\0')
			argv[argc++] = text + i;
	if (argc && !size)
		argc = 0;
	memset(&r, 0xa5, sizeof(r));
	err[0] = '\0';
	if (work_parse(argc, argv, &r, err, sizeof(err)) == 0) {
		if (r.argc == 0 || r.argc > WORK_ARGS || r.prio > WORK_PRIO_MAX)
			abort();
		for (uint32_t i = 0; i < r.argc; i++)
			if (r.argv[i] < text || r.argv[i] > text + size)
				abort();
	} else if (!err[0] || !memchr(err, '\0', sizeof(err))) {
		abort();
	}
	free(text);
}

static void parse_conf(const uint8_t *data, size_t size)
{
	char err[128];
	uint32_t fg = 77;

	err[0] = '\0';
	if (conf_parse((const char *)data, size, &fg, err, sizeof(err)) == 0) {
		if (fg == 0)
			abort();        /* "foreground = 0" is refused */
	} else if (!err[0] || !memchr(err, '\0', sizeof(err))) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		parse_conf(data + 1, size - 1);
	else
		parse_work(data + 1, size - 1);
	return 0;
}
