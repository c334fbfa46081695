/*
 * counter.c - an event handler that counts the events it is given and
 * prints the count: 1, 2, 3, ...  The count is a global, so it carries
 * from one event to the next (the handler's snapshot).
 *
 *   cc /usr/share/examples/events/counter.c
 *   timer add tick every 1000
 *   on timer.tick counter
 */
#include <stdio.h>
#include <karyon/handler.h>

KR_MANIFEST("version=1; events=timer.*, custom.*; grants=console; contexts=background");

static int count;

int on_event(const struct kr_event *ev)
{
	count++;
	printf("counter: %d (%s #%llu)\n", count, ev->kind, (unsigned long long)ev->seq);
	return 0;
}
