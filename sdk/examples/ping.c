/*
 * ping.c - a handler as an endpoint of the channel graph (grant "parcel"):
 * it takes the parcels queued for it on channel "ping", asks the hello
 * module to greet each one (hello.req) and prints hello's answers
 * (hello.resp).  With nothing queued it greets its argument, or "ping".
 * Its endpoint is h:ping of images/dev.channels.
 *
 *   cc /usr/share/examples/ping.c -g parcel
 *   send ping world
 *   run ping
 */
#include <stdio.h>
#include <string.h>
#include <karyon/handler.h>

/* The channels' numbers in images/dev.channels. */
#define CH_HELLO_REQ  1
#define CH_HELLO_RESP 2
#define CH_PING       3

static char buf[PARCEL_PAYLOAD_MAX + 1];

/* Ask hello to greet n bytes of text; 1 if it took the request. */
static int ask(const char *text, unsigned long n)
{
	long r = parcel_send(CH_HELLO_REQ, "hello", text, n);

	if (r < 0)
		printf("ping: hello.req refused: %s\n", karyon_strerror(r));
	return r >= 0;
}

int main(int argc, char **argv)
{
	struct parcel_info info;
	int asked = 0, answered = 0;
	long n;

	while ((n = parcel_recv(buf, sizeof(buf) - 1, &info)) >= 0) {
		buf[n] = '\0';
		if (info.channel == CH_PING) {
			printf("ping: %s sent \"%s\"\n", info.from, buf);
			asked += ask(buf, (unsigned long)n);
		} else if (info.channel == CH_HELLO_RESP) {
			printf("ping: %s says \"%s\"\n", info.from, buf);
			answered++;
		}
	}
	if (!asked && !answered) {
		const char *who = argc > 1 ? argv[1] : "ping";

		asked += ask(who, strlen(who));
		while ((n = parcel_recv(buf, sizeof(buf) - 1, &info)) >= 0) {
			buf[n] = '\0';
			printf("ping: %s says \"%s\"\n", info.from, buf);
			answered++;
		}
	}
	if (n != KR_EAGAIN)
		printf("ping: parcel_recv: %s\n", karyon_strerror(n));
	printf("ping: %d asked, %d answered\n", asked, answered);
	return asked == answered ? 0 : 1;
}
