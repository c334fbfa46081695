/*
 * flood.c - a handler that floods a channel: it sends greetings on
 * hello.req in a loop until a send is refused.  Its endpoint h:flood has a
 * budget of 50 parcels (images/dev.channels), so the 51st send runs its
 * energy out: the organelles kill it (dead-map, the answers queued for it
 * dropped) and the run ends there, reported as "h:flood: killed: energy:
 * ...".  It stays dead - `run flood` is refused - until compiled again.
 *
 *   cc /usr/share/examples/flood.c -g parcel
 *   run flood
 *   organelles
 *   energy
 */
#include <stdio.h>
#include <karyon/handler.h>

#define CH_HELLO_REQ 1                  /* images/dev.channels */

int main(void)
{
	char text[32];
	long sent = 0, r;

	for (;;) {
		int n = snprintf(text, sizeof(text), "flood %ld", sent);

		r = parcel_send(CH_HELLO_REQ, "hello", text, (unsigned long)n);
		if (r < 0)
			break;
		sent++;
	}
	/* Only a refusal other than energy gets here: energy ends the run. */
	printf("flood: %ld sent, then refused: %s\n", sent, karyon_strerror(r));
	return 1;
}
