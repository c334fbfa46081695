/*
 * vblk.h - what the virtio_blk module's files share (virtio_blk.c: the
 * device and the blk service; cmds.c: the blk shell command).
 */
#ifndef KARYON_VIRTIO_VBLK_H
#define KARYON_VIRTIO_VBLK_H

#include <stdbool.h>
#include <karyon/blk.h>
#include <karyon/cap.h>

struct vblk {
	uint16_t device;                /* PCI device id */
	uint64_t sectors;
	bool flush, read_only;
	volatile bool broken;           /* reset after it misbehaved: requests fail */
	uint32_t notify_mult, notify_len;
	volatile uint64_t submitted, done, irqs, errors;
	/* TSC cycles spent in the driver (guest instructions under -icount):
	 * in submit, in the interrupt handler, in the notify write alone */
	volatile uint64_t tsc_submit, tsc_irq, tsc_notify;
};
uint64_t vblk_tsc(void);
extern struct vblk vblk;

/* One request, waited for: its status. */
kr_err_t vblk_io(uint32_t op, uint64_t lba, uint32_t count, void *buf);
const struct kr_blk_ops *vblk_ops(void);
void vblk_cmds_add(kr_domain_t *self);

#endif
