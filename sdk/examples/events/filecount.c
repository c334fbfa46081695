/*
 * filecount.c - count the writes to files under /data, keeping the count
 * in a global across events (docs/event-guide.md walks through it).
 *
 *   mkdir /data
 *   cc /usr/share/examples/events/filecount.c
 *   on vfs.write:/data filecount
 *   echo hello > /data/a       prints: filecount: 1 writes, the last to /data/a
 */
#include <stdio.h>
#include <karyon/handler.h>

KR_MANIFEST("version=1; events=vfs.write:/data; grants=console; contexts=background");

static unsigned long writes;

int on_event(const struct kr_event *ev)
{
	writes++;
	printf("filecount: %lu writes, the last to %s\n", writes, ev->data);
	return 0;
}
