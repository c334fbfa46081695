/*
 * <karyon/handler.h> - the calls a handler gets from Karyon itself, and the
 * grants that allow them.
 *
 * A handler links only against what its grants allow (`cc FILE.c -g GRANT`);
 * calling anything else fails when it is compiled, with
 * "undefined symbol NAME (not granted)".  The C library functions that only
 * touch the handler's own memory (<string.h>, <stdlib.h>, <ctype.h>,
 * <math.h>, snprintf/sscanf in <stdio.h>) need no grant.
 *
 *   grant      call numbers  calls                                header
 *   (none)          1-96     <string.h>, <stdlib.h>, <ctype.h>,   those
 *                            <math.h>, snprintf ... vsscanf, and
 *                            the helpers TinyCC's code calls
 *   console          97      printf                               <stdio.h>
 *                    98      vprintf
 *                    99      puts
 *                   100      putchar
 *                   101      fputs
 *                   102      fputc
 *                   103      putc
 *                   104      fprintf
 *                   105      vfprintf
 *                   106      fflush
 *                   107      stdout
 *                   108      stderr
 *   vfs.read        109      vfs_read                             this file
 *                   110      vfs_size
 *   vfs.write       111      vfs_write                            this file
 *                   112      vfs_append
 *   time            113      time_us                              this file
 *   (none)          117      karyon_strerror                      this file
 *   events.raise    120      event_raise                          this file
 *   parcel          121      parcel_send                          this file
 *                   122      parcel_send_raw
 *                   123      parcel_recv
 *
 * "console" is granted by default; `cc -g vfs.read,time` adds others.  The
 * numbers are those of the tcc module's grant table and never change.  A
 * handler runs in user mode: the C library runs in its own address space,
 * and the calls that need the kernel (console output, vfs_*, time_us) are
 * stubs that make system call N, checked by the kernel before it acts.
 *
 * Paths are relative to the shell's working directory.  A negative return
 * is a Karyon error code; karyon_strerror() says what it means.
 */
#ifndef _KARYON_HANDLER_H
#define _KARYON_HANDLER_H

#include <stddef.h>
#include <karyon/err.h>     /* KR_EAGAIN, ...: what the calls return */
#include <karyon/event.h>

#define KARYON_HANDLER 1

/*
 * Event handlers (docs/event-guide.md).  A handler that defines
 *
 *	int on_event(const struct kr_event *ev)
 *
 * can be subscribed to events (`on EVENT HANDLER`); each event it is
 * delivered runs on_event to completion, and its global variables keep
 * their values from one event to the next (a run that fails leaves them
 * as the last good run left them).  It declares what it may see and do
 * with a manifest, read when it is compiled:
 *
 *	KR_MANIFEST("version=1; events=timer.*, vfs.write:/data; "
 *		    "grants=console; contexts=background");
 *
 * version: a number; a new one starts the globals afresh.  events: the
 * patterns (<karyon/event.h>) it may subscribe to, nothing else reaches
 * it.  grants: its grants, and a compile that needs more is refused.
 * contexts: foreground (`run` at the shell, main()), background (events,
 * work tokens), or both.
 */
#define KR_MANIFEST(text) const char __karyon_manifest[] = text

/* Grant "events.raise". */
/* Raise the custom event kind (not timer., vfs., kmod. or irq.) with
 * data[0..n) (n < KR_EVENT_DATA_MAX): its sequence number, or < 0. */
long event_raise(const char *kind, const void *data, unsigned long n);

/*
 * Grant "parcel": the handler as the endpoint "h:NAME" of the image's
 * channel graph (images/NAME.channels, docs/organelles.md; the handler
 * guide's "Parcels").  Sends go only along the graph's edges, under its
 * QoS and the endpoint's energy budget; a send that runs the budget out
 * kills the handler (its run ends at once, as a violation, and it stays
 * dead until it is compiled again).  Sends are immediate, also from a
 * work token's or an event's run (not kept aside until the run completes).
 * Errors: KR_ENOENT (see <karyon/err.h>) the handler or the receiver is no
 * endpoint of the graph, KR_EPERM no such edge, KR_EAGAIN try later
 * (bucket, queue or reservoir), KR_EDEAD a dead receiver, KR_EFORMAT a
 * malformed raw parcel (quarantined), KR_ENOSYS no organelles module.
 */
#define PARCEL_PAYLOAD_MAX 4096         /* bytes of a parcel's payload, at most */
#define PARCEL_FROM_MAX    32           /* an endpoint's name, with its NUL */

struct parcel_info {
	unsigned int channel;           /* its channel's number in the graph */
	unsigned int kind;              /* 0 from parcel_send; a raw parcel's own */
	unsigned int flags;             /* the header's flags */
	unsigned int seq;               /* the sender's sequence number on the channel */
	unsigned int length;            /* payload bytes */
	char from[PARCEL_FROM_MAX];     /* the sender: "hello", "shell", "h:ping", ... */
};

/* Send data[0..n) (n <= PARCEL_PAYLOAD_MAX) to the endpoint named to on
 * channel (its number), as a parcel of kind 0: its seq (>= 0), or < 0. */
long parcel_send(unsigned channel, const char *to, const void *data, unsigned long n);
/* Send a parcel the handler framed itself, header and payload
 * (<karyon/parcel.h>), n bytes: its seq, or < 0 (KR_EFORMAT: malformed). */
long parcel_send_raw(const char *to, const void *bytes, unsigned long n);
/* Take the next parcel queued for the handler: its payload into buf (cap
 * bytes; KR_ERANGE leaves a longer one queued), what it is into *info (if
 * not NULL): the payload's length, or KR_EAGAIN if none is queued. */
long parcel_recv(void *buf, unsigned long cap, struct parcel_info *info);

/* Grant "vfs.read". */
/* Read up to n bytes from offset: the number read (fewer at the end), or < 0. */
long vfs_read(const char *path, unsigned long offset, void *buf, unsigned long n);
/* The size of a file in bytes, or < 0. */
long vfs_size(const char *path);

/* Grant "vfs.write". */
/* Create or replace a file with n bytes: the number written, or < 0. */
long vfs_write(const char *path, const void *buf, unsigned long n);
/* Add n bytes at the end of a file: the number written, or < 0. */
long vfs_append(const char *path, const void *buf, unsigned long n);

/* Grant "time". */
/* Microseconds since boot. */
unsigned long long time_us(void);

/* No grant.  The text for a negative return of the calls above ("bad
 * address", "no such entry", ...); "success" for 0 or more. */
const char *karyon_strerror(long code);

#endif
