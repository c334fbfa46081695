/*
 * live.h - live replacement (ABI 1.4): replacing a module while it runs,
 * its state handed to the new version, its users kept.
 *
 * A module that supports it declares a live descriptor with KR_LIVE(...)
 * (section .kr_live, found by kmod in a new image before anything runs)
 * and publishes the same table from its init as the service "live.NAME",
 * so a running version can be found too:
 *
 *	KR_LIVE(.state_version = 1, .busy = my_busy, .export_state = my_export,
 *		.import_state = my_import, .table = my_table);
 *	...in init: kr_service_publish(self, "live.mymod", &kr_this_live.hdr, &c);
 *
 * kmod's live replacement (kmod service v6, `update NAME FILE --live`):
 *   1. loads the new image beside the running one, refusing it (nothing
 *      changed) if it has no descriptor or a different state_version;
 *   2. points the old version's services at its relay, where new calls
 *      wait (queued, not failed), and waits until busy() is 0 (no call of
 *      its in progress: a task blocked inside it); from there on nothing
 *      yields until the handover;
 *   3. export_state() in the old version, import_state() in the new one,
 *      which runs INSTEAD of its init and publishes none of the services
 *      the old one published;
 *   4. hands each service rooted in the old domain to the new one
 *      (kr_service_handover), its table from the new version's table():
 *      users keep their capabilities and their table pointer;
 *   5. probation: the next `window` calls through those services run
 *      guarded; a CPU exception in the new version's code rolls back: the
 *      new version's export_state goes into the old one's import_state
 *      (if either fails, the old version keeps the state it had at the
 *      swap), the services go back, standby(false), and the faulting call
 *      is made again there; at the end of the window the old version is
 *      unloaded (its exit runs).
 * An import that fails or faults leaves the old version as it was.
 *
 * Rules for the module: its service tables hold only functions after the
 * header (the probation relay forwards each slot as a function of at most
 * six integer or pointer arguments); export_state must not change the
 * state; import_state replaces whatever state the module holds (it runs in
 * a fresh new version, and in the running old one at a rollback) and may
 * use the exported bytes only while it runs.
 */
#ifndef KARYON_LIVE_H
#define KARYON_LIVE_H

#include <stdbool.h>
#include <karyon/service.h>

#define KR_LIVE_VERSION 1
#define KR_LIVE_PREFIX  "live."

struct kr_live_ops {
	struct kr_ops_header hdr;       /* version KR_LIVE_VERSION */
	uint32_t state_version;         /* the format export writes and import reads */
	uint32_t reserved;              /* 0 */
	/* Calls of the module's in progress (tasks blocked inside it); 0 lets
	 * the replacement start.  NULL: never busy. */
	uint32_t (*busy)(void);
	/* Its state into buf[0..cap), *len its length; with buf NULL only *len.
	 * KR_ERANGE if cap is short. */
	kr_err_t (*export_state)(void *buf, size_t cap, size_t *len);
	/* In the new version, instead of init, or in the old one at a
	 * rollback: the module's state becomes state[0..len). */
	kr_err_t (*import_state)(kr_domain_t *self, const void *state, size_t len);
	/* The module's ops table for service name, or NULL if it has none. */
	const struct kr_ops_header *(*table)(const char *service);
	/* In the old version: true once its services went to the new one
	 * (stop background work), false when a rollback gives them back.
	 * May be NULL. */
	void (*standby)(bool on);
};
KR_ABI_OFFSET(struct kr_live_ops, busy, 24);
KR_ABI_SIZE(struct kr_live_ops, 64);

#define KR_LIVE(...)                                                         \
	__attribute__((used, section(".kr_live"), aligned(8)))               \
	static const struct kr_live_ops kr_this_live = {                     \
		.hdr = { KR_OPS_MAGIC, KR_LIVE_VERSION,                      \
			 sizeof(struct kr_live_ops), 0 }, __VA_ARGS__ }

#endif
