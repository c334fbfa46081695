/*
 * ioport.c - I/O-port capabilities.
 *
 * The kernel domain holds the original capability to the whole port space
 * (0x0000-0xffff).  kr_ioport_sub carves a capability to a sub-range as a
 * child (revoking the parent revokes it); each access is checked against
 * the range and the rights of the capability it goes through.
 */
#include <krt/kheap.h>

#include "arch/x86_64/x86.h"
#include "cap/domain.h"
#include "kernel/panic.h"

#define NPORTS 0x10000u

static void ioport_destroy(struct cap_object *o);
static const struct cap_object_ops ioport_ops = { ioport_destroy, NULL };
static struct cap_object all_ports = {
	.type = KR_OBJ_IOPORT, .ops = &ioport_ops, .base = 0, .count = NPORTS,
};

static void ioport_destroy(struct cap_object *o)
{
	if (o != &all_ports)
		kfree(o);
}

kr_cap_t ioport_root;

void ioport_boot(struct kr_domain *kd)
{
	if (cap_create(&kd->cs, &all_ports, KR_RIGHT_READ | KR_RIGHT_WRITE | KR_RIGHT_GRANT,
		       &ioport_root) != KR_OK)
		panic("ioport: no kernel slot for the I/O-port space");
}

kr_err_t ioport_mint(struct kr_domain *d, kr_cap_t c, struct cspace *to, uint32_t base,
		     uint32_t count, uint32_t rights, kr_cap_t *out)
{
	struct cap_slot *s;
	struct cap_object *o;
	kr_err_t err;

	if (!domain_ok(d) || !out || count == 0)
		return KR_EINVAL;
	err = cap_lookup(&d->cs, c, KR_OBJ_IOPORT, 0, &s);
	if (err)
		return err;
	if (base < s->obj->base || count > s->obj->count ||
	    base - s->obj->base > s->obj->count - count)
		return KR_ERANGE;
	o = kcalloc(1, sizeof(*o));
	if (!o)
		return KR_ENOMEM;
	*o = (struct cap_object){ .type = KR_OBJ_IOPORT, .ops = &ioport_ops,
				  .base = base, .count = count };
	err = cap_mint(&d->cs, c, to, o, rights, out);
	if (err)
		kfree(o);
	return err;
}

kr_err_t kr_ioport_sub(kr_domain_t *d, kr_cap_t c, uint32_t base, uint32_t count,
		       uint32_t rights, kr_cap_t *out)
{
	return domain_ok(d) ? ioport_mint(d, c, &d->cs, base, count, rights, out) : KR_EINVAL;
}

static kr_err_t io_check(kr_domain_t *d, kr_cap_t c, uint32_t port, unsigned width,
			 uint32_t right)
{
	struct cap_slot *s;
	kr_err_t err;

	if (!domain_ok(d) || (width != 1 && width != 2 && width != 4))
		return KR_EINVAL;
	err = cap_lookup(&d->cs, c, KR_OBJ_IOPORT, right, &s);
	if (err)
		return err;
	if (port < s->obj->base || port - s->obj->base + width > s->obj->count)
		return KR_ERANGE;
	return KR_OK;
}

kr_err_t kr_io_read(kr_domain_t *d, kr_cap_t c, uint32_t port, unsigned width, uint32_t *val)
{
	kr_err_t err = val ? io_check(d, c, port, width, KR_RIGHT_READ) : KR_EINVAL;

	if (err)
		return err;
	*val = width == 1 ? inb(port) : width == 2 ? inw(port) : inl(port);
	return KR_OK;
}

kr_err_t kr_io_write(kr_domain_t *d, kr_cap_t c, uint32_t port, unsigned width, uint32_t val)
{
	kr_err_t err = io_check(d, c, port, width, KR_RIGHT_WRITE);

	if (err)
		return err;
	if (width == 1)
		outb(port, val);
	else if (width == 2)
		outw(port, val);
	else
		outl(port, val);
	return KR_OK;
}
