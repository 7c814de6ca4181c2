// SPDX-License-Identifier: GPL-2.0
/*
 * Passive-level delivery (Documentation/kmcl-semantics.rst): a work item per
 * channel calls ProcessPacket in process context, where it may sleep.
 *
 * It does two things, in this order, each time it runs:
 * - packets that ProcessPacket deferred with VmbChannelPacketDeferToPassive()
 *   get their second call, in the order they were deferred;
 * - on a channel set to passive processing, it reads the incoming ring in
 *   batches (the reader copies each packet out under rx_lock) and delivers
 *   each batch with that lock dropped, in ring order.
 * A work item never runs on two CPUs at once, so one worker per channel
 * keeps the order. In passive mode the channel callback still handles the
 * completions of our own transactions it finds at the head of the ring, and
 * hands the rest to the worker: a ProcessPacket that waits for a completion
 * behind another data packet would wait for itself.
 */
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "channel.h"
#include "completion.h"
#include "passive.h"
#include "receive.h"

#define PASSIVE_BATCH	32	/* packets read per lock hold */
#define PASSIVE_ROUNDS	16	/* batches per run, then the worker queues itself again */

static u32 deliver_deferred(struct vmb_channel *ch)
{
	struct vmb_packet_completion *pc;
	unsigned long flags;
	LIST_HEAD(list);
	u32 n = 0;

	spin_lock_irqsave(&ch->defer.lock, flags);
	list_splice_init(&ch->defer.list, &list);
	spin_unlock_irqrestore(&ch->defer.lock, flags);

	while ((pc = list_first_entry_or_null(&list, struct vmb_packet_completion, link))) {
		list_del_init(&pc->link);
		if (vmb_completion_deliver(ch, pc))
			vmb_completion_free(pc);
		n++;
	}
	return n;
}

static u32 deliver_from_ring(struct vmb_channel *ch)
{
	struct vmb_packet_completion *pc;
	LIST_HEAD(batch);
	u32 n;

	n = vmb_receive_pull(ch, &batch, PASSIVE_BATCH);
	while ((pc = list_first_entry_or_null(&batch, struct vmb_packet_completion, link))) {
		list_del_init(&pc->link);
		if (vmb_completion_deliver(ch, pc))
			vmb_completion_free(pc);
	}
	return n;
}

static void passive_work(struct work_struct *work)
{
	struct vmb_channel *ch = container_of(work, struct vmb_channel, defer.work);
	unsigned int rounds = 0;
	u32 n;

	atomic64_inc(&ch->obs.n.passive_runs);
	do {
		n = deliver_deferred(ch);
		n += deliver_from_ring(ch);
		if (n && ch->processing_complete)
			ch->processing_complete(ch, n);
		cond_resched();
	} while (n && ++rounds < PASSIVE_ROUNDS);
	/* more to do: let other work run first */
	if (n)
		vmb_passive_kick(ch);
}

void vmb_passive_init(struct vmb_channel *ch)
{
	INIT_WORK(&ch->defer.work, passive_work);
	spin_lock_init(&ch->defer.lock);
	INIT_LIST_HEAD(&ch->defer.list);
}

/**
 * vmb_passive_kick() - run the worker
 * @ch: the channel
 *
 * Context: any.
 */
void vmb_passive_kick(struct vmb_channel *ch)
{
	queue_work(system_unbound_wq, &ch->defer.work);
}

/**
 * vmb_passive_defer() - queue a packet for its passive call
 * @ch: the channel
 * @pc: the packet, with the client's reference, which the list takes over
 *
 * Context: any.
 */
void vmb_passive_defer(struct vmb_channel *ch, struct vmb_packet_completion *pc)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->defer.lock, flags);
	list_add_tail(&pc->link, &ch->defer.list);
	spin_unlock_irqrestore(&ch->defer.lock, flags);
	vmb_passive_kick(ch);
}

/**
 * vmb_passive_flush() - wait until every deferred packet had its call
 * @ch: a channel whose incoming delivery is stopped
 *
 * A ProcessPacket that defers again is called again.
 *
 * Context: process; not from the worker.
 */
void vmb_passive_flush(struct vmb_channel *ch)
{
	unsigned long flags;
	bool waiting;

	might_sleep();
	for (;;) {
		flush_work(&ch->defer.work);
		spin_lock_irqsave(&ch->defer.lock, flags);
		waiting = !list_empty(&ch->defer.list);
		spin_unlock_irqrestore(&ch->defer.lock, flags);
		if (!waiting)
			break;
		vmb_passive_kick(ch);
	}
}

void vmb_passive_cancel(struct vmb_channel *ch)
{
	cancel_work_sync(&ch->defer.work);
}

void VmbChannelSetIncomingProcessingAtPassive(VMBCHANNEL channel, bool passive)
{
	might_sleep();

	spin_lock_bh(&channel->rx_lock);
	WRITE_ONCE(channel->rx.passive, passive);
	spin_unlock_bh(&channel->rx_lock);
	/* packets already waiting are read in the new context */
	vmb_receive_kick(channel);
}
EXPORT_SYMBOL_GPL(VmbChannelSetIncomingProcessingAtPassive);

void VmbChannelPacketDeferToPassive(VMBPACKETCOMPLETION packet)
{
	if (!packet)
		return;
	/* the reader queues it once ProcessPacket returned */
	if (!READ_ONCE(packet->in_call)) {
		dev_warn_ratelimited(vmb_channel_dev(packet->channel),
				     "vmbkmcl: deferral to passive outside ProcessPacket ignored\n");
		return;
	}
	packet->defer = true;
}
EXPORT_SYMBOL_GPL(VmbChannelPacketDeferToPassive);
