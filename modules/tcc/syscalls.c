/*
 * syscalls.c - the system calls of a handler's run (run.h): each decoded
 * by the gate (gate.c: number, grant, every argument) before it is
 * invoked here, through the copy helpers (kr_as_copy): a refused call gets
 * an error code and a report line, and the handler runs on.  The file
 * calls go through a bounce buffer; a token's writes and raised events are
 * kept aside until it completes (runner.c); parcels go to the organelles
 * (endpoint.c).
 */
#include <karyon/console.h>
#include <karyon/events.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/organelles.h>
#include <karyon/uspace.h>
#include <krt/libc.h>
#include "gate.h"
#include "grants.h"
#include "run.h"
#include "tcc.h"
#include "ulib/ulib.h"

#define HEAP_PIECE      (16u << 20)     /* the largest contiguous heap allocation */
#define HEAP_CHUNK_MAX  (1u << 20)      /* what a small request grows the heap by, at most */
#define IO_CHUNK        (64u << 10)     /* vfs calls go through a bounce buffer */

/* The copy helpers refused argument arg of the call being served. */
static kr_err_t copy_refused(struct run *r, int arg, const char *what, kr_err_t e)
{
	r->copy = (struct gate_refusal){ arg, what };
	return e;
}

/* Print user bytes at p, without their NULs (print takes C strings). */
kr_err_t print_user(struct run *r, uint64_t p, uint64_t n)
{
	char buf[257];

	for (uint64_t done = 0, k; done < n; done += k) {
		size_t out = 0;

		k = n - done < 256 ? n - done : 256;
		if (kr_as_copy(r->rd, r->as, p + done, buf, k, false))
			return copy_refused(r, 0, "bad pointer", KR_EFAULT);
		for (size_t i = 0; i < k; i++)
			if (buf[i])
				buf[out++] = buf[i];
		buf[out] = '\0';
		if (out)
			r->print(r->ctx, buf);
	}
	return KR_OK;
}

/* A string from user memory, a page-bounded piece at a time, so nothing
 * past its NUL is touched.  KR_ERANGE without a NUL in max bytes. */
static kr_err_t copy_str(struct run *r, uint64_t p, char *buf, size_t max)
{
	for (size_t got = 0, n; got < max; got += n) {
		n = KR_PAGE_SIZE - ((p + got) & (KR_PAGE_SIZE - 1));
		n = n < max - got ? n : max - got;
		if (kr_as_copy(r->rd, r->as, p + got, buf + got, n, false))
			return copy_refused(r, 0, "bad pointer", KR_EFAULT);
		if (memchr(buf + got, 0, n))
			return KR_OK;
	}
	return copy_refused(r, 0, "string not terminated", KR_ERANGE);
}

/* npages for the run, freed when it ends (run_end). */
static kr_err_t run_pages(struct run *r, size_t npages, kr_cap_t *c)
{
	kr_err_t e = r->npages < RUN_CAPS ? kr_page_alloc(r->rd, npages, c) : KR_ENOSPC;

	if (!e)
		r->pages[r->npages++] = *c;
	return e;
}

/* Map the stack page holding va (inside the stack's range) if it is not. */
kr_err_t stack_page(struct run *r, uint64_t va)
{
	unsigned i = (unsigned)((USTACK_TOP - 1 - va) / KR_PAGE_SIZE);
	kr_cap_t c;
	kr_err_t e;

	if (r->stack_pages & (1ull << i))
		return KR_OK;
	e = run_pages(r, 1, &c);
	if (!e)
		e = kr_as_map(r->rd, r->as, c, 0, 1, USTACK_TOP - (i + 1) * (uint64_t)KR_PAGE_SIZE,
			      KR_RIGHT_READ | KR_RIGHT_WRITE);
	if (!e)
		r->stack_pages |= 1ull << i;
	return e;
}

/* Before the kernel writes [p, p + n): stack pages it covers exist. */
static kr_err_t stack_cover(struct run *r, uint64_t p, uint64_t n)
{
	kr_err_t e = KR_OK;

	if (p < USTACK_TOP - USTACK_MAX || !n)
		return KR_OK;
	for (uint64_t va = p & ~(uint64_t)(KR_PAGE_SIZE - 1); !e && va < p + n; va += KR_PAGE_SIZE)
		e = stack_page(r, va);
	return e;
}

static long sys_heap(struct run *r, uint64_t grow)
{
	uint64_t used = r->heap_end - ULIB_HEAP_BASE, size, piece;
	kr_cap_t c;

	if (!grow)
		return (long)r->heap_end;
	size = (grow + KR_PAGE_SIZE - 1) & ~(uint64_t)(KR_PAGE_SIZE - 1);
	if (grow > r->heap_limit || size > r->heap_limit - used) {
		if (r->tok)             /* a token's memory pages are a budget */
			r->end = NO_MEMORY;
		return KR_ENOMEM;
	}
	if (size < r->heap_chunk && r->heap_chunk <= r->heap_limit - used)
		size = r->heap_chunk;
	for (piece = HEAP_PIECE; size; size -= piece) {
		piece = size < piece ? size : piece;
		while (run_pages(r, piece / KR_PAGE_SIZE, &c) != KR_OK)
			if ((piece /= 2) < KR_PAGE_SIZE || r->npages == RUN_CAPS)
				return KR_ENOMEM;       /* no memory, or memory in too many bits */
		piece &= ~(uint64_t)(KR_PAGE_SIZE - 1);
		if (kr_as_map(r->rd, r->as, c, 0, piece / KR_PAGE_SIZE, r->heap_end,
			      KR_RIGHT_READ | KR_RIGHT_WRITE) != KR_OK)
			return KR_ENOMEM;       /* the pages go with the run */
		r->heap_end += piece;
		r->space.r[4].hi = r->heap_end;
	}
	r->heap_chunk = r->heap_chunk < HEAP_CHUNK_MAX ? r->heap_chunk * 2 : HEAP_CHUNK_MAX;
	return (long)r->heap_end;
}

/* vfs_read(path, off, buf, n) and vfs_write/append(path, buf, n): the
 * decoded arguments, through a bounce buffer. */
static long sys_vfs(struct run *r, uint64_t nr, const char *path, const uint64_t *a)
{
	const char *cwd = tcc_shell->cwd();
	bool rd = nr == ULIB_SYS_VFS_READ;
	uint64_t buf = rd ? a[2] : a[1], n = rd ? a[3] : a[2], done = 0;
	size_t chunk = n < IO_CHUNK ? (size_t)n : IO_CHUNK, got;
	void *b = kr_malloc(tcc_self, chunk ? chunk : 1);
	kr_err_t e = b ? KR_OK : KR_ENOMEM;

	if (rd && !e)
		e = stack_cover(r, buf, n);
	while (!e) {                    /* once at least: a missing file is an error */
		size_t k = n - done < chunk ? (size_t)(n - done) : chunk;

		if (rd) {
			got = 0;
			e = tcc_vfs->read(cwd, path, a[1] + done, b, k, &got);
			if (!e && got && kr_as_copy(r->rd, r->as, buf + done, b, got, true))
				e = copy_refused(r, 2, "bad pointer", KR_EFAULT);
			done += got;
			if (got < k)
				break;
		} else {
			if (kr_as_copy(r->rd, r->as, buf + done, b, k, false))
				e = copy_refused(r, 1, "bad pointer", KR_EFAULT);
			if (!e && r->tok)       /* kept aside until the token completes */
				e = token_stage(r->tok, cwd, path, b, k,
						nr == ULIB_SYS_VFS_APPEND || done);
			else if (!e)
				e = tcc_vfs->write(cwd, path, b, k, nr == ULIB_SYS_VFS_APPEND || done);
			done += k;
		}
		if (done >= n)
			break;
	}
	kr_free(tcc_self, b);
	r->io += done;
	return e ? e : (long)done;
}



/* What the events service's raise would refuse (abi/karyon/events.h),
 * checked before a raise is kept aside. */
static kr_err_t kind_check(const char *kind)
{
	if (strlen(kind) >= KR_EVENT_KIND_MAX || strchr(kind, '*') || strchr(kind, ':') ||
	    event_pattern_check(kind, NULL, 0))
		return KR_EINVAL;
	return kr_event_kind_reserved(kind) ? KR_EPERM : KR_OK;
}

/* event_raise(kind, data, n): through the events service, if there is
 * one.  A token's or an event's run keeps it aside with its file writes
 * (runner.c), raised in order only if the run completes: 0 then, not the
 * sequence number, which it does not have yet. */
static long sys_event_raise(struct run *r, const uint64_t *a)
{
	const struct kr_events_ops *events = events_ops();
	char kind[GATE_STR_MAX], data[KR_EVENT_DATA_MAX];
	uint64_t seq = 0;
	kr_err_t e = copy_str(r, a[0], kind, sizeof(kind));

	if (!e && a[2] && kr_as_copy(r->rd, r->as, a[1], data, a[2], false))
		e = copy_refused(r, 1, "bad pointer", KR_EFAULT);
	if (!e && !events)
		e = KR_ENOSYS;
	if (!e && r->tok && !(e = kind_check(kind)))
		e = token_stage(r->tok, NULL, kind, data, a[2], false);
	else if (!e)
		e = events->raise(kind, data, a[2], &seq);
	return e ? e : (long)seq;
}

/* ---- parcels (endpoint.c) ---- */

/* A send's outcome: KR_EENERGY ends the run (the organelles killed the
 * handler); a refusal other than "try later" gets a report line. */
static long parcel_sent(struct run *r, const char *call, long ret, const struct kr_org_sent *res)
{
	if (ret == KR_EENERGY) {
		ksnprintf(r->killed, sizeof(r->killed), "%s", res->why[0] ? res->why : "energy");
		r->end = ENERGY;
	} else if (ret < 0 && ret != KR_EAGAIN) {
		print_to(r->print, r->ctx, "%s: %s refused: %s; it returns %ld (%s)\n", r->h->name,
			 call, res->why[0] ? res->why : kr_strerror((kr_err_t)ret), ret,
			 kr_strerror((kr_err_t)ret));
	}
	return ret;
}

/* parcel_send(channel, to, data, n) and parcel_send_raw(to, bytes, n). */
static long sys_parcel_send(struct run *r, bool raw, const uint64_t *a)
{
	static uint8_t data[KR_PARCEL_HDR_SIZE + KR_PARCEL_PAYLOAD_MAX];  /* no yield in a call */
	const uint64_t *s = raw ? a : a + 1;    /* to, data, n */
	struct kr_org_sent res = { 0 };
	char to[KR_ORG_NAME_MAX + 1];
	kr_err_t e = copy_str(r, s[0], to, sizeof(to));
	long ret;

	if (e == KR_ERANGE) {                   /* no endpoint has so long a name */
		r->copy.what = NULL;
		e = KR_ENOENT;
	}
	if (r->copy.what)
		r->copy.arg = raw ? 0 : 1;
	if (!e && s[2] && kr_as_copy(r->rd, r->as, s[1], data, s[2], false))
		e = copy_refused(r, raw ? 1 : 2, "bad pointer", KR_EFAULT);
	if (e)
		return e;
	ret = raw ? endpoint_send_raw(r->h, to, data, s[2], &res) :
		    endpoint_send(r->h, a[0], to, data, s[2], &res);
	return parcel_sent(r, raw ? "parcel_send_raw" : "parcel_send", ret, &res);
}

/* parcel_recv(buf, cap, info): the next parcel for the handler, its
 * payload into buf and what it is into info (NULL: not wanted).  Both are
 * checked before the parcel is taken, so a bad pointer loses none. */
static long sys_parcel_recv(struct run *r, const uint64_t *a)
{
	static uint8_t buf[KR_PARCEL_PAYLOAD_MAX];
	uint64_t cap = a[1] < sizeof(buf) ? a[1] : sizeof(buf);
	struct ulib_parcel_info info;
	long n;

	if (!gate_range_ok(&r->space, a[0], cap, true))
		return copy_refused(r, 0, "bad pointer (not writable memory of the handler)",
				    KR_EFAULT);
	if (a[2] && !gate_range_ok(&r->space, a[2], sizeof(info), true))
		return copy_refused(r, 2, "bad pointer (not writable memory of the handler)",
				    KR_EFAULT);
	if (stack_cover(r, a[0], cap) || (a[2] && stack_cover(r, a[2], sizeof(info))))
		return KR_ENOMEM;
	n = endpoint_take(r->h, buf, (size_t)cap, &info);
	if (n < 0)
		return n;
	if ((n && kr_as_copy(r->rd, r->as, a[0], buf, (size_t)n, true)) ||
	    (a[2] && kr_as_copy(r->rd, r->as, a[2], &info, sizeof(info), true)))
		return copy_refused(r, 0, "bad pointer", KR_EFAULT);
	return n;
}

/* Invoke a decoded call: the result for rax, or r->end set. */
static long invoke(struct run *r, const struct gate_call *c, const uint64_t *a)
{
	char path[GATE_STR_MAX];
	struct kr_vfs_stat st;
	kr_err_t e;

	switch (c->nr) {
	case ULIB_SYS_EXIT:
		r->end = EXITED;
		r->status = (int)a[0];
		return 0;
	case ULIB_SYS_ABORT:
		if (copy_str(r, a[0], r->why, sizeof(r->why)))
			ksnprintf(r->why, sizeof(r->why), "abort() called");
		r->end = ABORTED;
		r->status = 134;
		return 0;
	case ULIB_SYS_WRITE:
		e = print_user(r, a[0], a[1]);
		if (!e && a[0] == tcc_ulib_img.out + 4) {       /* the library's own buffer */
			uint32_t zero = 0;

			kr_as_copy(r->rd, r->as, tcc_ulib_img.out, &zero, sizeof(zero), true);
		}
		return e ? e : (long)a[1];
	case ULIB_SYS_HEAP:
		return sys_heap(r, a[0]);
	case ULIB_SYS_TIME_US:          /* a token's: the virtual clock */
		return r->tok ? (long)run_token_time_us(r) : (long)kr_uptime_us();
	case ULIB_SYS_NULL:
		return 0;
	case ULIB_SYS_GAS_OUT:
		run_gas_out(r);
		return 0;
	case ULIB_SYS_EVENT_RAISE:
		return sys_event_raise(r, a);
	case ULIB_SYS_PARCEL_SEND:
	case ULIB_SYS_PARCEL_SEND_RAW:
		return sys_parcel_send(r, c->nr == ULIB_SYS_PARCEL_SEND_RAW, a);
	case ULIB_SYS_PARCEL_RECV:
		return sys_parcel_recv(r, a);
	}
	e = copy_str(r, a[0], path, sizeof(path));
	if (e)
		return e;
	if (c->nr != ULIB_SYS_VFS_SIZE)
		return sys_vfs(r, c->nr, path, a);
	e = tcc_vfs->stat(tcc_shell->cwd(), path, &st);
	return e ? e : st.type != KR_VFS_FILE ? KR_EINVAL : (long)st.size;
}

static void refused(struct run *r, const char *name, const struct gate_refusal *why,
		    const uint64_t *a, kr_err_t e)
{
	char at[112], arg[48] = "", num[24];
	uint64_t ret = 0;

	/* From a library stub, say where the handler called it; else where the
	 * handler made the call itself (its own `syscall`). */
	if (r->u.rip - HANDLER_BASE - r->h->img.text_off < r->h->img.text_size ||
	    kr_as_copy(r->rd, r->as, r->u.rsp, &ret, sizeof(ret), false))
		ret = r->u.rip;
	run_where(r, ret, at, sizeof(at));
	if (why->arg >= 0)
		ksnprintf(arg, sizeof(arg), " (argument %d: %#llx)", why->arg + 1,
			  (unsigned long long)a[why->arg]);
	if (!name) {
		ksnprintf(num, sizeof(num), "%llu", (unsigned long long)r->u.rax);
		name = num;
	}
	print_to(r->print, r->ctx, "%s: system call %s refused: %s%s at %s; it returns %d (%s)\n",
		 r->h->name, name, why->what, arg, at, e, kr_strerror(e));
}

void run_syscall(struct run *r)
{
	const uint64_t a[6] = { r->u.rdi, r->u.rsi, r->u.rdx, r->u.r10, r->u.r8, r->u.r9 };
	const struct gate_call *c = NULL;
	struct gate_refusal why;
	kr_err_t e = gate_decode(r->u.rax, a, r->h->grants, &r->space, &c, &why);
	long ret;

	if (e) {
		refused(r, c ? c->name : gate_find(r->u.rax) ? gate_find(r->u.rax)->name : NULL,
			&why, a, e);
		r->u.rax = (uint64_t)(long)e;
		if (r->tok && (e == KR_EPERM || e == KR_ENOSYS))
			r->end = NOT_GRANTED;   /* a token stops at a call outside its grants */
		return;
	}
	r->copy.what = NULL;
	ret = invoke(r, c, a);
	if (r->copy.what && r->end == RUNNING)  /* refused while copying, not by the vfs */
		refused(r, c->name, &r->copy, a, (kr_err_t)ret);
	r->u.rax = (uint64_t)ret;
}

/* kr_as_run's fast path: the calls that need no copying and no waiting
 * are answered in the kernel's system-call entry, without leaving it for
 * this loop; anything else (and anything refused) takes the slow path. */
bool run_fast_call(void *ctx, struct kr_uctx *u)
{
	const struct run *r = ctx;
	const struct gate_call *c = gate_find(u->rax);

	if (!c || (c->grant != GRANT_PURE && !(r->h->grants & GRANT_BIT(c->grant))))
		return false;
	if (c->nr == ULIB_SYS_NULL)
		u->rax = 0;
	else if (c->nr == ULIB_SYS_TIME_US && !r->tok)
		u->rax = kr_uptime_us();
	else
		return false;
	return true;
}
