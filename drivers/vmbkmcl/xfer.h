/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transfer-page sets: the GPADLs that the host's transfer-page packets
 * point into, and the MDL of such a packet's ranges.
 */
#ifndef _VMB_XFER_H
#define _VMB_XFER_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct vmb_channel;

/* A GPADL that transfer-page packets may name. */
struct vmb_xfer_set {
	struct list_head link;
	u32 handle;
	void *buffer;
	u32 size;
};

/* The channel's transfer-page sets; xfer.c's alone. */
struct vmb_xfer {
	spinlock_t lock;		/* guards sets; a leaf, under rx_lock or gpadl_mutex */
	struct list_head sets;		/* struct vmb_xfer_set */
};

struct vmb_mdl;
struct vmpacket_descriptor;

void vmb_xfer_init(struct vmb_channel *ch);
void vmb_xfer_add(struct vmb_channel *ch, u32 handle, void *buffer, u32 size);
void vmb_xfer_remove(struct vmb_channel *ch, u32 handle);
void vmb_xfer_clear(struct vmb_channel *ch);
int vmb_xfer_mdl(struct vmb_channel *ch, const struct vmpacket_descriptor *desc,
		 struct vmb_mdl **mdl, const char **why);

#endif /* _VMB_XFER_H */
