// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions and their completions.
 *
 * KMCL hides transaction ids: the packet object is the transaction. We let
 * hv_vmbus's requestor hand them out (vmbus_next_request_id() as the
 * channel's next_request_id_callback): it stores the packet pointer and puts
 * slot + 1 on the wire, so the host never sees a guest address and a forged
 * id cannot name arbitrary memory. Id 0 is reserved for unsolicited host
 * packets (Documentation/ring-protocol.rst).
 *
 * Every claim of a slot, by a completion, a cancel or the Disable sweep,
 * happens under the channel's lock, so exactly one of them wins: that is
 * what makes every completion routine run exactly once.
 *
 * A request whose waiter gave up (VmbChannelSendSynchronousRequest() timed
 * out) keeps its slot, marked abandoned, until the host completes it or the
 * channel closes: freeing the slot at once would let the requestor hand the
 * same id to a new request, and the late completion would complete that
 * one with the wrong payload.
 */
#include <linux/hyperv.h>
#include <linux/nospec.h>

#include "channel.h"
#include "flow.h"
#include "obs.h"
#include "packet.h"
#include "transaction.h"

/* The smallest VMBus packet: a bare descriptor plus the ring trailer. */
#define MIN_RING_PACKET	(sizeof(struct vmpacket_descriptor) + sizeof(u64))

/**
 * vmb_transaction_budget() - requestor slots for a channel
 * @incoming_bytes: size of the incoming ring's data area
 * @outgoing_bytes: size of the outgoing ring's data area
 *
 * As many transactions as can sit in both rings at once: requests in the
 * outgoing ring plus completions in the incoming one (the netvsc sizing,
 * hyperv_net.h). A host that holds more requests than that makes further
 * sends queue until it completes some.
 *
 * Return: the number of slots.
 */
u32 vmb_transaction_budget(u32 incoming_bytes, u32 outgoing_bytes)
{
	return incoming_bytes / MIN_RING_PACKET + outgoing_bytes / MIN_RING_PACKET;
}

/**
 * vmb_transaction_next_id() - the channel's next_request_id_callback
 * @chan: the hv channel
 * @rqst_addr: the packet being written
 *
 * hv_vmbus's own vmbus_next_request_id(), which also records the id in the
 * packet: vmbus_sendpacket_mpb_desc() does not return it.
 *
 * Context: hv_ringbuffer_write(), ring_lock held, under our channel lock.
 * Return: the id, or VMBUS_RQST_ERROR when every slot is taken.
 */
u64 vmb_transaction_next_id(struct vmbus_channel *chan, u64 rqst_addr)
{
	u64 id;

	lockdep_assert_held(&chan->outbound.ring_lock);

	id = vmbus_next_request_id(chan, rqst_addr);
	if (id != VMBUS_RQST_ERROR)
		((struct vmb_packet *)(uintptr_t)rqst_addr)->trans_id = id;
	return id;
}

void vmb_transaction_start(struct vmb_channel *ch, struct vmb_packet *pkt,
			   u64 trans_id)
{
	lockdep_assert_held(&ch->lock);

	pkt->trans_id = trans_id;
	pkt->state = VMB_PACKET_IN_FLIGHT;
	list_add_tail(&pkt->link, &ch->in_flight);
	vmb_count(&ch->obs.n.transactions);
}

/* Take a transaction off the requestor and the in-flight list. */
static void transaction_end(struct vmb_channel *ch, struct vmb_packet *pkt)
{
	lockdep_assert_held(&ch->lock);

	list_del_init(&pkt->link);
	pkt->state = VMB_PACKET_IDLE;
}

/**
 * vmb_transaction_complete() - the host completed a transaction
 * @ch: the channel
 * @trans_id: the id of the completion packet, as the host sent it
 * @payload: the completion's payload, valid during the call
 * @length: bytes at @payload
 *
 * Context: the channel callback (softirq), rx_lock held. Takes ch->lock.
 */
void vmb_transaction_complete(struct vmb_channel *ch, u64 trans_id,
			      void *payload, u32 length)
{
	u32 slots = ch->chan->rqstor_size;
	struct vmb_packet *pkt;
	unsigned long irqflags;
	u64 slot, addr;

	lockdep_assert_held(&ch->rx_lock);

	if (!trans_id || trans_id > slots)
		goto unknown;
	/*
	 * The id comes from the host and indexes the requestor's array
	 * (hv_vmbus checks the bound but does not stop speculation past it),
	 * so clamp it before handing it on.
	 */
	slot = array_index_nospec((unsigned long)(trans_id - 1),
				  (unsigned long)slots);

	spin_lock_irqsave(&ch->lock, irqflags);
	addr = vmbus_request_addr(ch->chan, slot + 1);
	if (addr == VMBUS_RQST_ERROR || addr == VMBUS_NO_RQSTOR) {
		spin_unlock_irqrestore(&ch->lock, irqflags);
		/* a free slot: never used, completed already, or swept */
		goto unknown;
	}
	pkt = (struct vmb_packet *)(uintptr_t)addr;
	if (pkt->state == VMB_PACKET_ABANDONED) {
		list_del_init(&pkt->link);
		vmb_count(&ch->obs.n.late_completions_dropped);
		spin_unlock_irqrestore(&ch->lock, irqflags);
		vmb_packet_unmap(pkt);
		dev_warn_ratelimited(vmb_channel_dev(ch),
				     "vmbkmcl: completion %llu of a cancelled request dropped\n",
				     trans_id);
		vmb_packet_destroy(pkt);
		return;
	}
	transaction_end(ch, pkt);
	vmb_count(&ch->obs.n.completions_received);
	spin_unlock_irqrestore(&ch->lock, irqflags);

	/* the host is done with the pages: the caller's again (bounce copied back) */
	vmb_packet_unmap(pkt);
	vmb_packet_complete(pkt, STATUS_SUCCESS, payload, length);
	return;

unknown:
	vmb_count(&ch->obs.n.unknown_completions_dropped);
	dev_warn_ratelimited(vmb_channel_dev(ch),
			     "vmbkmcl: completion with unknown transaction id %llu dropped\n",
			     trans_id);
}

/**
 * vmb_transaction_cancel() - give up on a packet
 * @pkt: a packet sent by the caller
 * @abandon: whether a transaction in flight may be abandoned
 *
 * A queued packet is taken off the queue. A transaction in flight is
 * abandoned if @abandon: it keeps its id until its completion arrives (and
 * is dropped) or the channel closes, and the channel frees it then.
 * Without @abandon it stays as it is (VMB_CANCEL_IN_FLIGHT): a request
 * with external data leaves its pages to the host until the host
 * completes it or the channel closes, and its routine runs then.
 *
 * Context: any; takes the channel's lock.
 * Return: what became of the packet.
 */
enum vmb_cancel_result vmb_transaction_cancel(struct vmb_packet *pkt, bool abandon)
{
	struct vmb_channel *ch = pkt->channel;
	enum vmb_cancel_result result;
	unsigned long irqflags;

	spin_lock_irqsave(&ch->lock, irqflags);
	switch (pkt->state) {
	case VMB_PACKET_QUEUED:
		list_del_init(&pkt->link);
		pkt->state = VMB_PACKET_IDLE;
		vmb_packet_unmap(pkt);
		/* the last one queued: the send queue waits no more */
		if (list_empty(&ch->send_queue))
			vmb_flow_done(ch, VMB_FLOW_SEND);
		result = VMB_CANCEL_UNQUEUED;
		break;
	case VMB_PACKET_IN_FLIGHT:
		if (!abandon) {
			result = VMB_CANCEL_IN_FLIGHT;
			break;
		}
		pkt->state = VMB_PACKET_ABANDONED;
		vmb_count(&ch->obs.n.abandoned);
		result = VMB_CANCEL_ABANDONED;
		break;
	default:
		result = VMB_CANCEL_TOO_LATE;
		break;
	}
	spin_unlock_irqrestore(&ch->lock, irqflags);
	return result;
}

/**
 * vmb_transaction_cancel_all() - complete every transaction in flight with
 * STATUS_CANCELLED
 * @ch: the channel, closed: vmbus_close() returned, so the host no longer
 *      touches any request's pages and no completion can arrive
 *
 * Abandoned requests are freed. hv_vmbus freed the requestor with the
 * close, so the ids are not handed back one by one.
 *
 * Context: process; takes ch->lock.
 */
void vmb_transaction_cancel_all(struct vmb_channel *ch)
{
	struct vmb_packet *pkt, *tmp;
	unsigned long irqflags;
	LIST_HEAD(cancelled);
	LIST_HEAD(abandoned);

	spin_lock_irqsave(&ch->lock, irqflags);
	list_for_each_entry_safe(pkt, tmp, &ch->in_flight, link) {
		if (pkt->state == VMB_PACKET_ABANDONED) {
			list_move_tail(&pkt->link, &abandoned);
			continue;
		}
		pkt->state = VMB_PACKET_IDLE;
		vmb_count(&ch->obs.n.cancelled);
		list_move_tail(&pkt->link, &cancelled);
	}
	spin_unlock_irqrestore(&ch->lock, irqflags);

	list_for_each_entry_safe(pkt, tmp, &abandoned, link) {
		vmb_packet_unmap(pkt);
		vmb_packet_destroy(pkt);
	}
	while ((pkt = list_first_entry_or_null(&cancelled, struct vmb_packet,
					       link))) {
		list_del_init(&pkt->link);
		vmb_packet_unmap(pkt);
		vmb_packet_complete(pkt, STATUS_CANCELLED, NULL, 0);
	}
}
