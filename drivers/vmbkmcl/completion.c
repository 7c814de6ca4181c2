// SPDX-License-Identifier: GPL-2.0
/*
 * VMBPACKETCOMPLETION: one received packet, from the ring until the client
 * completes it, and the VM_PKT_COMP packet that answers it.
 *
 * hv_pkt_iter_first() copies each packet into one buffer per channel that the
 * next packet overwrites, but KMCL lets a client keep a packet's payload until
 * it completes it, from any context, much later
 * (Documentation/kmcl-semantics.rst). So every packet lands in an object of its
 * own: the reader points hv_vmbus's copy buffer at the packet room of a free
 * object for the length of a pass, so that hv_vmbus's one copy out of the
 * ring is the only one, and the object that received a packet goes to the
 * client with it. The host cannot reach that copy. That spare object, and
 * which object a packet gets, are receive.c's alone; this file makes,
 * resets and frees objects. Each object: the packet room, then the client
 * context (VmbChannelInitSetClientContextSize()). External data is
 * described by an MDL built when the packet is read.
 *
 * VmbChannelPacketComplete() returns nothing, so it cannot report a full
 * ring: when the completion does not fit, its payload is copied into the
 * packet object, which for a packet that asked for a completion has room for
 * the largest (receive.c; only an incoming ring smaller than the maximum
 * packet makes a completion longer than that room, then copied on its own),
 * which waits on a queue of its own (ch->comp_queue, this file's, under
 * the channel lock) until the host frees space. flow.c asks the host for
 * that room, for this queue and the send queue together, and the queue is
 * drained from the channel callback, which hv_vmbus runs when the host read
 * past the request. A completion is lost only when the channel closes (the
 * host that asked for it is gone with the channel) or when memory for the
 * copy of a completion longer than its packet room runs short, which is
 * reported.
 */
#include <linux/atomic.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "channel.h"
#include "completion.h"
#include "flow.h"
#include "mdl.h"
#include "obs.h"
#include "passive.h"
#include "receive.h"
#include "trace.h"

/* One object: its header, @room bytes of packet room, the client context. */
static size_t object_size(const struct vmb_channel *ch, u32 room)
{
	return struct_size_t(struct vmb_packet_completion, data,
			     room + ALIGN(ch->rx.context_size, sizeof(u64)));
}

/**
 * vmb_completion_room() - packet room of an object for one payload
 * @payload: its bytes
 *
 * Return: @payload in 8-byte units, at least VMB_COMP_MIN_ROOM.
 */
u32 vmb_completion_room(u32 payload)
{
	return max_t(u32, ALIGN(payload, sizeof(u64)), VMB_COMP_MIN_ROOM);
}

/**
 * vmb_completion_size() - the memory one object takes
 * @ch: the channel, prepared
 * @room: its bytes of packet room
 *
 * Return: bytes, header and client context included.
 */
size_t vmb_completion_size(const struct vmb_channel *ch, u32 room)
{
	return object_size(ch, room);
}

static void *client_context(struct vmb_packet_completion *pc)
{
	return pc->data + pc->room;
}

/* A new object: every field as if zeroed, one reference. */
static void completion_init(struct vmb_channel *ch, struct vmb_packet_completion *pc,
			    u32 room)
{
	memset(pc, 0, sizeof(*pc));
	pc->channel = ch;
	pc->room = room;
	INIT_LIST_HEAD(&pc->link);
	refcount_set(&pc->refs, 1);
	if (ch->rx.context_size)
		memset(client_context(pc), 0, ch->rx.context_size);
}

/*
 * A completion off the queue: its own copy, for one longer than the packet
 * room, goes. An object that leaves the queue has none any more.
 */
static void comp_data_free(struct vmb_packet_completion *pc)
{
	if (pc->comp_data != pc->data)
		kfree(pc->comp_data);
	pc->comp_data = NULL;
}

/**
 * vmb_completion_reuse() - make a packet object the client is done with new
 * @ch: its channel
 * @pc: an object that went through delivery and that nobody else holds
 *
 * What a packet sets when it is taken (validate.c) it sets again; what it
 * may leave is reset here. Its link is off every list (list_del_init()).
 *
 * Context: any.
 */
void vmb_completion_reuse(struct vmb_channel *ch, struct vmb_packet_completion *pc)
{
	if (pc->mdl) {
		vmb_mdl_free(pc->mdl);
		pc->mdl = NULL;
	}
	pc->flags = 0;
	pc->comp_length = 0;
	refcount_set(&pc->refs, 1);
	if (ch->rx.context_size)
		memset(client_context(pc), 0, ch->rx.context_size);
}

/**
 * vmb_completion_alloc() - a packet object for one received packet
 * @ch: the channel, prepared (vmb_receive_prepare())
 * @room: bytes of packet room, a multiple of 8
 * @gfp: GFP_ATOMIC, or GFP_KERNEL for the reader's spare, which may then
 *       come from vmalloc
 *
 * Context: any with GFP_ATOMIC; process with GFP_KERNEL.
 * Return: the object, with its client context zeroed and one reference, or
 * NULL.
 */
struct vmb_packet_completion *vmb_completion_alloc(struct vmb_channel *ch, u32 room,
						   gfp_t gfp)
{
	struct vmb_packet_completion *pc;

	if (gfp == GFP_KERNEL)
		pc = kvmalloc(object_size(ch, room), GFP_KERNEL);
	else
		pc = kmalloc(object_size(ch, room), gfp | __GFP_NOWARN);
	if (!pc)
		return NULL;
	completion_init(ch, pc, room);
	return pc;
}

void vmb_completion_free(struct vmb_packet_completion *pc)
{
	vmb_mdl_free(pc->mdl);
	if (pc->comp_data)
		comp_data_free(pc);
	kvfree(pc);
}

static void vmb_completion_put(struct vmb_packet_completion *pc)
{
	if (refcount_dec_and_test(&pc->refs))
		vmb_completion_free(pc);
}

/**
 * vmb_completion_deliver() - one ProcessPacket call
 * @ch: the channel
 * @pc: a packet taken off the ring, or deferred to passive, with the
 *      client's reference
 *
 * Context: the reader (softirq, rx_lock held) or the passive worker.
 * Return: true when the client completed the packet in the call and nothing
 * else holds it any more: the caller owns @pc and frees or reuses it.
 */
bool vmb_completion_deliver(struct vmb_channel *ch, struct vmb_packet_completion *pc)
{
	/* the client may complete it inside the call: ours keeps it for after */
	refcount_inc(&pc->refs);
	pc->defer = false;
	WRITE_ONCE(pc->in_call, true);
	atomic64_inc(&ch->obs.n.process_packet_calls);
	trace_vmb_delivery(ch, pc);
	ch->process_packet(ch, pc, pc->payload, pc->length, pc->flags);
	WRITE_ONCE(pc->in_call, false);
	/* deferred: the client's reference goes to the deferred list */
	if (pc->defer)
		vmb_passive_defer(ch, pc);
	/* ours alone: nobody else can take a reference any more */
	return refcount_read(&pc->refs) == 1 || refcount_dec_and_test(&pc->refs);
}

/* Ring bytes of a completion with @length payload bytes, trailer included. */
static u32 comp_ring_bytes(u32 length)
{
	return vmb_packet_ring_bytes(sizeof(struct vmpacket_descriptor), length);
}

/*
 * hv_vmbus takes no request id for flags 0, so @trans_id goes on the wire
 * as it is: the host's own id, echoed (Documentation/ring-protocol.rst).
 */
static int write_completion(struct vmb_channel *ch, u64 trans_id,
			    const void *buffer, u32 length)
{
	static const u64 empty;
	void *data = length ? (void *)buffer : (void *)&empty;
	int ret;

	lockdep_assert_held(&ch->lock);

	ret = vmbus_sendpacket(ch->chan, data, length, trans_id, VM_PKT_COMP, 0);
	if (unlikely(ret == -EAGAIN)) {
		/*
		 * The queue waits (flow.c asks the host for the room); then
		 * look again, for a host that drained the ring before it
		 * could see the request (the lost wake-up of
		 * Documentation/ring-protocol.rst, "Flow control").
		 */
		vmb_flow_wait(ch, VMB_FLOW_COMP, comp_ring_bytes(length), false);
		ret = vmbus_sendpacket(ch->chan, data, length, trans_id, VM_PKT_COMP, 0);
	}
	if (!ret)
		vmb_count(&ch->obs.n.completions_sent);
	return ret;
}

/* Nothing left on the queue: it waits no more, if it waited (flow.c). */
static void queue_emptied(struct vmb_channel *ch)
{
	lockdep_assert_held(&ch->lock);

	if (unlikely(ch->flow.waiting & BIT(VMB_FLOW_COMP)) && list_empty(&ch->comp_queue))
		vmb_flow_done(ch, VMB_FLOW_COMP);
}

static void comp_failed(struct vmb_channel *ch, int ret)
{
	atomic64_inc(&ch->obs.n.completions_not_sent);
	/* -ENODEV: rescinded; -EIO: the host corrupted the ring indices */
	dev_warn_ratelimited(vmb_channel_dev(ch),
			     "vmbkmcl: completion not sent (%d)\n", ret);
}

static void send_completion(struct vmb_channel *ch, struct vmb_packet_completion *pc,
			    const void *buffer, u32 length)
{
	u32 max = READ_ONCE(ch->max_packet_size);
	unsigned long flags;
	int ret;

	if (!buffer)
		length = 0;
	/* the largest payload the outgoing ring was sized for */
	if (length > max) {
		dev_warn_ratelimited(vmb_channel_dev(ch),
				     "vmbkmcl: completion payload of %u bytes cut to %u\n",
				     length, max);
		length = max;
	}

	spin_lock_irqsave(&ch->lock, flags);
	if (!ch->open) {
		spin_unlock_irqrestore(&ch->lock, flags);
		atomic64_inc(&ch->obs.n.completions_not_sent);
		return;
	}
	/* completions keep their order: none overtakes a queued one */
	if (list_empty(&ch->comp_queue)) {
		ret = write_completion(ch, pc->trans_id, buffer, length);
		if (ret != -EAGAIN) {
			queue_emptied(ch);
			spin_unlock_irqrestore(&ch->lock, flags);
			if (ret)
				comp_failed(ch, ret);
			return;
		}
	}
	/* the caller's buffer may be this packet's own payload or context */
	if (length <= pc->room) {
		pc->comp_data = pc->data;
		memmove(pc->data, buffer, length);
	} else {
		pc->comp_data = kmemdup(buffer, length, GFP_ATOMIC | __GFP_NOWARN);
		if (!pc->comp_data) {
			spin_unlock_irqrestore(&ch->lock, flags);
			comp_failed(ch, -ENOMEM);
			return;
		}
	}
	pc->comp_length = length;
	refcount_inc(&pc->refs);
	list_add_tail(&pc->link, &ch->comp_queue);
	vmb_count(&ch->obs.n.completions_queued);
	spin_unlock_irqrestore(&ch->lock, flags);
}

/**
 * vmb_completion_flush() - write the completions that waited for room
 * @ch: the channel
 *
 * Context: any; takes ch->lock.
 */
void vmb_completion_flush(struct vmb_channel *ch)
{
	struct vmb_packet_completion *pc, *tmp;
	unsigned long flags;
	LIST_HEAD(done);
	int ret;

	spin_lock_irqsave(&ch->lock, flags);
	while (ch->open &&
	       (pc = list_first_entry_or_null(&ch->comp_queue,
					       struct vmb_packet_completion, link))) {
		ret = write_completion(ch, pc->trans_id, pc->comp_data, pc->comp_length);
		if (ret == -EAGAIN)
			break;
		if (ret)
			comp_failed(ch, ret);
		comp_data_free(pc);
		list_move_tail(&pc->link, &done);
	}
	queue_emptied(ch);
	spin_unlock_irqrestore(&ch->lock, flags);

	list_for_each_entry_safe(pc, tmp, &done, link) {
		list_del_init(&pc->link);
		vmb_completion_put(pc);
	}
}

/**
 * vmb_completion_drop_queued() - forget the completions still waiting
 * @ch: a channel whose rings are closed
 *
 * Context: any; takes ch->lock.
 */
void vmb_completion_drop_queued(struct vmb_channel *ch)
{
	struct vmb_packet_completion *pc, *tmp;
	unsigned long flags;
	LIST_HEAD(dropped);

	spin_lock_irqsave(&ch->lock, flags);
	list_splice_init(&ch->comp_queue, &dropped);
	queue_emptied(ch);
	spin_unlock_irqrestore(&ch->lock, flags);

	list_for_each_entry_safe(pc, tmp, &dropped, link) {
		list_del_init(&pc->link);
		comp_data_free(pc);
		atomic64_inc(&ch->obs.n.completions_not_sent);
		vmb_completion_put(pc);
	}
}

/* The client is done with the packet: drop its reference, then count it. */
static void retire(struct vmb_packet_completion *pc)
{
	struct vmb_channel *ch = pc->channel;

	/* freed, if it is the last reference, while Disable still waits */
	vmb_completion_put(pc);
	vmb_receive_retire(ch);
}

void VmbChannelPacketComplete(VMBPACKETCOMPLETION packet, const void *buffer, u32 size)
{
	if (!packet)
		return;
	packet->defer = false;
	if (packet->wants_completion)
		send_completion(packet->channel, packet, buffer, size);
	retire(packet);
}
EXPORT_SYMBOL_GPL(VmbChannelPacketComplete);

void VmbChannelPacketFail(VMBPACKETCOMPLETION packet)
{
	struct vmb_channel *ch;

	if (!packet)
		return;
	ch = packet->channel;
	packet->defer = false;
	if (!READ_ONCE(ch->rx.failed))
		dev_err_ratelimited(vmb_channel_dev(ch),
				    "vmbkmcl: client failed a packet: incoming delivery stopped until disable\n");
	/* the reader looks at it before every packet, under rx_lock */
	WRITE_ONCE(ch->rx.failed, true);
	atomic64_inc(&ch->obs.n.packets_failed);
	retire(packet);
}
EXPORT_SYMBOL_GPL(VmbChannelPacketFail);

void *VmbChannelPacketGetClientContext(VMBPACKETCOMPLETION packet)
{
	struct vmb_channel *ch = packet->channel;

	return ch->rx.context_size ? client_context(packet) : NULL;
}
EXPORT_SYMBOL_GPL(VmbChannelPacketGetClientContext);

NTSTATUS VmbChannelPacketGetExternalData(VMBPACKETCOMPLETION packet, u32 flags,
					 struct vmb_mdl **mdl)
{
	if (!packet || !packet->mdl)
		return STATUS_INVALID_PARAMETER_1;
	if (flags & ~VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	if (!mdl)
		return STATUS_INVALID_PARAMETER_3;
	/* read-only is a mapping hint on Windows; an MDL here maps nothing */
	*mdl = packet->mdl;
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_GPL(VmbChannelPacketGetExternalData);
