/*
 * parcelcat - parcels (docs/parcels.md) on the host, with the kernel's own
 * codec (modules/organelles/parcel.c) and XXH3 (Debian's libxxhash.a).
 *
 *	parcelcat encode [--channel N] [--kind N] [--seq N] < lines > stream
 *	parcelcat decode [FILE] > text
 *
 * encode frames every stdin line (without its newline) as one parcel, seq
 * counting up from --seq; a line longer than KR_PARCEL_PAYLOAD_MAX goes out
 * as several parcels, all but the last flagged KR_PARCEL_F_MORE.  decode
 * reads a stream of parcels (FILE or stdin) and prints one line each:
 *	channel=C kind=K flags=0xFF seq=S length=L payload="..."
 * (printable ASCII as is but for \ and ", other bytes as \xNN); at the first
 * malformed parcel it says why and where on stderr and exits 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parcel.h"

static const char usage_text[] =
	"usage: parcelcat encode [--channel N] [--kind N] [--seq N]\n"
	"       parcelcat decode [FILE]\n"
	"\n"
	"Frame stdin lines as parcels, or decode and print a stream of parcels.\n"
	"\n"
	"  encode        one parcel per stdin line (longer lines: several, flagged more)\n"
	"  decode        print each parcel of FILE (default stdin); malformed: exit 1\n"
	"  --channel N   the channel to send on, 0..65535 (default 1)\n"
	"  --kind N      the parcels' kind, 0..255 (default 0)\n"
	"  --seq N       the first sequence number, 0..4294967295 (default 0)\n"
	"  --help        print this and exit\n";

static void bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "parcelcat: %s%s%s (parcelcat --help)\n", what, arg ? ": " : "",
		arg ? arg : "");
	exit(2);
}

static unsigned long number(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	if (!s)
		bad_usage("missing value for", opt);
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v > max)
		bad_usage("bad number", s);
	return v;
}

static int put(const uint8_t *p, size_t n)
{
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static int encode(uint16_t channel, uint8_t kind, uint32_t seq)
{
	static uint8_t frame[KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		size_t left = (size_t)n, off = 0, out;

		if (left && line[left - 1] == '\n')
			left--;
		do {
			uint16_t part = left > KR_PARCEL_PAYLOAD_MAX ? KR_PARCEL_PAYLOAD_MAX
								     : (uint16_t)left;
			uint8_t flags = left > part ? KR_PARCEL_F_MORE : 0;
			kr_err_t e = parcel_encode(frame, sizeof(frame), channel, kind, flags, seq++,
						   line + off, part, &out);

			if (e != KR_OK) {
				fprintf(stderr, "parcelcat: encode: error %d\n", e);
				free(line);
				return 1;
			}
			if (put(frame, out)) {
				perror("parcelcat: stdout");
				free(line);
				return 1;
			}
			off += part;
			left -= part;
		} while (left);
	}
	free(line);
	return fflush(stdout) ? 1 : 0;
}

static void print_payload(const uint8_t *p, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' || p[i] == '"')
			printf("\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	putchar('"');
}

static int decode(const char *path)
{
	FILE *f = path ? fopen(path, "rb") : stdin;
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, off = 0;
	int status = 0;

	if (!f) {
		fprintf(stderr, "parcelcat: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *more = realloc(data, cap = cap ? 2 * cap : 65536);

			if (!more) {
				fprintf(stderr, "parcelcat: out of memory\n");
				free(data);
				return 1;
			}
			data = more;
		}
		size_t got = fread(data + len, 1, cap - len, f);

		if (!got)
			break;
		len += got;
	}
	if (ferror(f)) {
		fprintf(stderr, "parcelcat: %s: read error\n", path ? path : "stdin");
		status = 1;
	}
	if (path)
		fclose(f);
	while (!status && off < len) {
		struct parcel_view v;
		const char *why;

		if (parcel_decode(data + off, len - off, &v, &why) != KR_OK) {
			fprintf(stderr, "parcelcat: %s: offset %zu: %s\n", path ? path : "stdin", off,
				why);
			status = 1;
			break;
		}
		printf("channel=%u kind=%u flags=0x%02x seq=%lu length=%u payload=", v.channel,
		       v.kind, v.flags, (unsigned long)v.seq, v.length);
		print_payload(v.payload, v.length);
		putchar('\n');
		off += v.size;
	}
	free(data);
	if (fflush(stdout))
		status = 1;
	return status;
}

int main(int argc, char **argv)
{
	unsigned long channel = 1, kind = 0, seq = 0;
	const char *verb = NULL, *path = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(a, "--channel")) {
			channel = number(a, i + 1 < argc ? argv[++i] : NULL, UINT16_MAX);
		} else if (!strcmp(a, "--kind")) {
			kind = number(a, i + 1 < argc ? argv[++i] : NULL, UINT8_MAX);
		} else if (!strcmp(a, "--seq")) {
			seq = number(a, i + 1 < argc ? argv[++i] : NULL, UINT32_MAX);
		} else if (a[0] == '-' && a[1]) {
			bad_usage("unknown option", a);
		} else if (!verb) {
			verb = a;
		} else if (!path && !strcmp(verb, "decode")) {
			path = a;
		} else {
			bad_usage("unexpected argument", a);
		}
	}
	if (!verb)
		bad_usage("say encode or decode", NULL);
	if (!strcmp(verb, "encode")) {
		if (path)
			bad_usage("encode reads stdin only", path);
		return encode((uint16_t)channel, (uint8_t)kind, (uint32_t)seq);
	}
	if (!strcmp(verb, "decode"))
		return decode(path);
	bad_usage("unknown verb", verb);
	return 2;
}
