/*
 * gate.c - the kernel calls a handler can make and the checks on their
 * arguments (gate.h).  The numbers are the grant table's (grants.c); the
 * user-mode stubs that make them are in ulib/sys.S.
 */
#include <karyon/event.h>
#include <karyon/parcel.h>
#include "gate.h"
#include "grants.h"
#include "ulib/ulib.h"

#define ARGS(...) { __VA_ARGS__ }

/* Indexed by call number: no search on the way in. */
static const struct gate_call calls[GATE_NR_MAX + 1] = {
	[ULIB_SYS_EXIT] = { "exit", ULIB_SYS_EXIT, GRANT_PURE, ARGS(GA_INT), 0 },
	[ULIB_SYS_ABORT] = { "abort", ULIB_SYS_ABORT, GRANT_PURE, ARGS(GA_WHY), 0 },
	[ULIB_SYS_VFS_READ] = { "vfs_read", ULIB_SYS_VFS_READ, GRANT_VFS_READ,
				ARGS(GA_STR, GA_INT, GA_OUT, GA_LEN), GATE_IO_MAX },
	[ULIB_SYS_VFS_SIZE] = { "vfs_size", ULIB_SYS_VFS_SIZE, GRANT_VFS_READ, ARGS(GA_STR), 0 },
	[ULIB_SYS_VFS_WRITE] = { "vfs_write", ULIB_SYS_VFS_WRITE, GRANT_VFS_WRITE,
				 ARGS(GA_STR, GA_IN, GA_LEN), GATE_IO_MAX },
	[ULIB_SYS_VFS_APPEND] = { "vfs_append", ULIB_SYS_VFS_APPEND, GRANT_VFS_WRITE,
				  ARGS(GA_STR, GA_IN, GA_LEN), GATE_IO_MAX },
	[ULIB_SYS_TIME_US] = { "time_us", ULIB_SYS_TIME_US, GRANT_TIME, ARGS(GA_NONE), 0 },
	[ULIB_SYS_WRITE] = { "__karyon_write", ULIB_SYS_WRITE, GRANT_CONSOLE, ARGS(GA_IN, GA_LEN),
			     GATE_WRITE_MAX },
	[ULIB_SYS_HEAP] = { "__karyon_heap", ULIB_SYS_HEAP, GRANT_PURE, ARGS(GA_INT), 0 },
	[ULIB_SYS_NULL] = { "__karyon_null", ULIB_SYS_NULL, GRANT_PURE, ARGS(GA_NONE), 0 },
	[ULIB_SYS_GAS_OUT] = { "__karyon_gas_out", ULIB_SYS_GAS_OUT, GRANT_PURE, ARGS(GA_NONE),
			       0 },
	[ULIB_SYS_EVENT_RAISE] = { "event_raise", ULIB_SYS_EVENT_RAISE, GRANT_EVENTS_RAISE,
				   ARGS(GA_STR, GA_IN, GA_LEN), KR_EVENT_DATA_MAX - 1 },
	[ULIB_SYS_PARCEL_SEND] = { "parcel_send", ULIB_SYS_PARCEL_SEND, GRANT_PARCEL,
				   ARGS(GA_INT, GA_STR, GA_IN, GA_LEN), KR_PARCEL_PAYLOAD_MAX },
	[ULIB_SYS_PARCEL_SEND_RAW] = { "parcel_send_raw", ULIB_SYS_PARCEL_SEND_RAW, GRANT_PARCEL,
				       ARGS(GA_STR, GA_IN, GA_LEN),
				       KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX },
	/* buf and info are checked when the parcel is known (run.c): a
	 * buffer larger than any payload is fine, only what is written counts. */
	[ULIB_SYS_PARCEL_RECV] = { "parcel_recv", ULIB_SYS_PARCEL_RECV, GRANT_PARCEL,
				   ARGS(GA_INT, GA_INT, GA_INT), 0 },
	/* A contract's (grant "vm"): contract.c copies their arguments itself,
	 * by <karyon/contract.h>'s rules (a bad pointer ends the run). */
#define VM(nr, name) [nr] = { name, nr, GRANT_VM, ARGS(GA_INT), 0 }
	VM(ULIB_SYS_LIBA_GET, "liba_get"), VM(ULIB_SYS_LIBA_SET, "liba_set"),
	VM(ULIB_SYS_LIBA_DEL, "liba_del"), VM(ULIB_SYS_LIBA_LOG, "liba_log"),
	VM(ULIB_SYS_LIBA_BLAKE2B, "liba_blake2b"), VM(ULIB_SYS_LIBA_CTX, "liba_ctx"),
	VM(ULIB_SYS_LIBA_CALL, "liba_call"), VM(ULIB_SYS_LIBA_RETURN, "liba_return"),
	VM(ULIB_SYS_LIBA_REVERT, "liba_revert"), VM(ULIB_SYS_METHOD_END, "__karyon_method_end"),
#undef VM
};

const struct gate_call *gate_find(uint64_t nr)
{
	return nr <= GATE_NR_MAX && calls[nr].name ? &calls[nr] : NULL;
}

bool gate_range_ok(const struct gate_space *space, uint64_t p, uint64_t n, bool write)
{
	if (n == 0)
		return true;
	for (unsigned i = 0; i < space->n && i < GATE_REGIONS; i++) {
		const struct gate_region *r = &space->r[i];

		if (p >= r->lo && p < r->hi && n <= r->hi - p && (r->writable || !write))
			return true;
	}
	return false;
}

static kr_err_t refuse(struct gate_refusal *why, int arg, const char *what, kr_err_t e)
{
	why->arg = arg;
	why->what = what;
	return e;
}

kr_err_t gate_decode(uint64_t nr, const uint64_t args[6], uint32_t grants,
		     const struct gate_space *space, const struct gate_call **call,
		     struct gate_refusal *why)
{
	const struct gate_call *c = gate_find(nr);

	if (!c)
		return refuse(why, -1, "not a system call", KR_ENOSYS);
	if (c->grant != GRANT_PURE && !(grants & GRANT_BIT(c->grant)))
		return refuse(why, -1, "not granted", KR_EPERM);
	for (int i = 0; i < 6 && c->args[i] != GA_NONE; i++) {
		switch (c->args[i]) {
		case GA_STR:
		case GA_WHY:
			if (!gate_range_ok(space, args[i], 1, false))
				return refuse(why, i, "bad pointer", KR_EFAULT);
			break;
		case GA_IN:
		case GA_OUT:
			if (args[i + 1] > c->max_len)
				return refuse(why, i + 1, "length too large", KR_ERANGE);
			if (!gate_range_ok(space, args[i], args[i + 1], c->args[i] == GA_OUT))
				return refuse(why, i, c->args[i] == GA_OUT ?
					      "bad pointer (not writable memory of the handler)" :
					      "bad pointer", KR_EFAULT);
			break;
		default:
			break;
		}
	}
	*call = c;
	return KR_OK;
}
