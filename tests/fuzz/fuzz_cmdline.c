/*
 * fuzz_cmdline.c - libFuzzer target for the kernel command-line parser
 * (tcc-runtime/krt/cmdline.c), over a table with every option type.
 *
 * The first byte picks the prefix (none, or "shell"); the rest, up to a
 * NUL, is the command line.  Every destination must stay inside its
 * bounds: strings NUL-terminated in their buffers, numbers in range,
 * enum indexes among the choices, and each warning one NUL-terminated
 * message of at most 199 bytes.  Built and
 * run by tools/fuzz.sh.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <krt/cmdline.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cmdline.c's kr_cmdline_apply reads the kernel's line: none here. */
const char *kr_cmdline(void);

const char *kr_cmdline(void)
{
	return "";
}

static bool debug;
static uint64_t mem, port;
static unsigned level;
static char name[8], path[32];
static const char *const levels[] = { "quiet", "info", "debug", NULL };

static const struct kr_cmdline_opt opts[] = {
	{ KR_CMDLINE_OPT_INIT, .key = "debug", .type = KR_CMDLINE_FLAG, .dst = &debug },
	{ KR_CMDLINE_OPT_INIT, .key = "mem", .type = KR_CMDLINE_UINT, .dst = &mem, .min = 0,
	  .max = UINT64_MAX },
	{ KR_CMDLINE_OPT_INIT, .key = "port", .type = KR_CMDLINE_UINT, .dst = &port, .min = 10,
	  .max = 1000 },
	{ KR_CMDLINE_OPT_INIT, .key = "level", .type = KR_CMDLINE_ENUM, .dst = &level,
	  .choices = levels },
	{ KR_CMDLINE_OPT_INIT, .key = "name", .type = KR_CMDLINE_STR, .dst = name,
	  .dst_size = sizeof(name) },
	{ KR_CMDLINE_OPT_INIT, .key = "script", .type = KR_CMDLINE_STR, .dst = path,
	  .dst_size = sizeof(path) },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static int warnings;

static void warn(void *ctx, const char *line)
{
	(void)ctx;
	/* Not checked: that it is one line.  A quoted value may hold a
	 * newline, which a warning quotes as it is (docs/reliability.md). */
	if (!line || strlen(line) >= 200)
		abort();
	warnings++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;
	int n;

	if (size < 1)
		return 0;
	line = malloc(size);
	memcpy(line, data + 1, size - 1);
	line[size - 1] = '\0';
	debug = false;
	mem = 0;
	port = 10;
	level = 0;
	memset(name, 'N', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(path, 0, sizeof(path));
	warnings = 0;
	n = cmdline_apply(line, data[0] & 1 ? "shell" : NULL, opts, NOPTS, warn, NULL);
	if (n < 0 || n != warnings || port < 10 || port > 1000 || level > 2 ||
	    !memchr(name, '\0', sizeof(name)) || !memchr(path, '\0', sizeof(path)))
		abort();
	free(line);
	return 0;
}
