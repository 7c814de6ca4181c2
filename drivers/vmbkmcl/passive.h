/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Passive-level delivery: the per-channel worker that calls ProcessPacket in
 * process context, for a channel set to passive processing and for packets
 * deferred to passive.
 */
#ifndef _VMB_PASSIVE_H
#define _VMB_PASSIVE_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct vmb_channel;

/* The passive worker and the packets deferred to it; passive.c's alone. */
struct vmb_defer {
	struct work_struct work;	/* the passive worker */
	spinlock_t lock;		/* guards list; a leaf */
	struct list_head list;		/* packets waiting for their passive call */
};

struct vmb_packet_completion;

void vmb_passive_init(struct vmb_channel *ch);
void vmb_passive_kick(struct vmb_channel *ch);
void vmb_passive_defer(struct vmb_channel *ch, struct vmb_packet_completion *pc);
void vmb_passive_flush(struct vmb_channel *ch);
void vmb_passive_cancel(struct vmb_channel *ch);

#endif /* _VMB_PASSIVE_H */
