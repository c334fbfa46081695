/*
 * idle.c - kr_idle_hook (abi/karyon/console.h), kept for ABI 1.0 modules:
 * since ABI 1.2 the idle loop is the scheduler's (KR_IRQ_IDLE), so a hook
 * is registered with the sched service, which runs hooks before tasks.
 */
#include <karyon/console.h>
#include <karyon/sched.h>

kr_err_t kr_idle_hook(kr_domain_t *d, kr_idle_fn fn, void *ctx)
{
	const struct kr_ops_header *ops;
	kr_cap_t c;
	kr_err_t err = kr_service_open(d, KR_SCHED_SERVICE, KR_SCHED_VERSION, &c);

	if (!err)
		err = kr_service_ops(d, c, &ops);
	if (!err)
		err = ((const struct kr_sched_ops *)ops)->idle_hook(d, fn, ctx);
	return err;
}
