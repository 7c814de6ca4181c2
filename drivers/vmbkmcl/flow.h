/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one owner of the outgoing ring's pending_send_sz: the send queue and
 * the completion queue ask it for ring space, and it asks the host.
 */
#ifndef _VMB_FLOW_H
#define _VMB_FLOW_H

#include <linux/types.h>
#include <linux/workqueue.h>

struct vmb_channel;

/* The queues that wait for the outgoing ring: two, each the other's q ^ 1. */
enum vmb_flow_queue {
	VMB_FLOW_SEND,		/* VmbPacketSend*() packets (send.c) */
	VMB_FLOW_COMP,		/* completions of host packets (completion.c) */
	VMB_FLOW_QUEUES,
};

/*
 * Under the channel lock, except @waiting, which the channel callback reads
 * without it (vmb_flow_run()).
 */
struct vmb_flow {
	unsigned int waiting;		/* BIT(queue): it may hold entries */
	u32 need[VMB_FLOW_QUEUES];	/* ring bytes its head waits for; 0: none */
	u32 asked;			/* the pending_send_sz last set */
	struct work_struct recheck;	/* a queue's room came before it was asked for */
};

void vmb_flow_init(struct vmb_channel *ch);
void vmb_flow_open(struct vmb_channel *ch);
void vmb_flow_stop(struct vmb_channel *ch);
void vmb_flow_wait(struct vmb_channel *ch, enum vmb_flow_queue q, u32 bytes, bool id);
void vmb_flow_done(struct vmb_channel *ch, enum vmb_flow_queue q);
void vmb_flow_run(struct vmb_channel *ch);

#endif /* _VMB_FLOW_H */
