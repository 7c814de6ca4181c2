// SPDX-License-Identifier: GPL-2.0
/*
 * Outgoing packet objects: VmbPacketAllocate() and friends.
 *
 * A packet object holds room for the largest inline payload of its channel,
 * so that a send can always queue it when the ring is full: KMCL promises
 * that only the allocation can fail for memory, never the send.
 */
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "channel.h"
#include "external.h"
#include "packet.h"

u32 vmb_packet_size(u32 capacity, u32 desc_capacity)
{
	return struct_size_t(struct vmb_packet, data, (size_t)desc_capacity + capacity);
}

static void packet_init(struct vmb_packet *pkt, struct vmb_channel *ch,
			u32 capacity, u32 desc_capacity)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->channel = ch;
	pkt->capacity = capacity;
	pkt->desc_capacity = desc_capacity;
	pkt->state = VMB_PACKET_IDLE;
	INIT_LIST_HEAD(&pkt->link);
}

/* KMCL: the default completion routine of an allocated packet frees it. */
static void default_completion(VMBPACKET packet, NTSTATUS status, void *buffer,
			       u32 buffer_length)
{
	VmbPacketFree(packet);
}

/**
 * vmb_packet_alloc() - allocate a packet object
 * @ch: its channel
 * @capacity: the largest payload it must be able to queue
 * @desc_capacity: room for the largest GPA-direct descriptor, 8-byte multiple
 * @gfp: allocation flags
 *
 * Context: as @gfp allows.
 * Return: the packet, with the freeing default completion routine, or NULL.
 */
struct vmb_packet *vmb_packet_alloc(struct vmb_channel *ch, u32 capacity,
				    u32 desc_capacity, gfp_t gfp)
{
	struct vmb_packet *pkt;

	pkt = kmalloc(vmb_packet_size(capacity, desc_capacity), gfp | __GFP_NOWARN);
	if (!pkt)
		return NULL;
	packet_init(pkt, ch, capacity, desc_capacity);
	pkt->allocated = true;
	pkt->completion_routine = default_completion;
	return pkt;
}

void vmb_packet_destroy(struct vmb_packet *pkt)
{
	if (pkt->allocated)
		kfree(pkt);
}

VMBPACKET VmbPacketAllocate(VMBCHANNEL channel)
{
	return vmb_packet_alloc(channel, READ_ONCE(channel->max_packet_size),
				vmb_external_room(channel), GFP_ATOMIC);
}
EXPORT_SYMBOL_GPL(VmbPacketAllocate);

NTSTATUS VmbPacketInitialize(VMBCHANNEL channel, VMBPACKET packet,
			     u32 byte_count)
{
	u32 capacity, desc_capacity;

	if (!channel)
		return STATUS_INVALID_PARAMETER_1;
	if (!packet || !IS_ALIGNED((unsigned long)packet, sizeof(u64)))
		return STATUS_INVALID_PARAMETER_2;
	capacity = READ_ONCE(channel->max_packet_size);
	desc_capacity = vmb_external_room(channel);
	if (byte_count < vmb_packet_size(capacity, desc_capacity))
		return STATUS_INVALID_PARAMETER_3;

	/* KMCL: no valid completion routine until the caller sets one */
	packet_init(packet, channel, capacity, desc_capacity);
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_GPL(VmbPacketInitialize);

void VmbPacketFree(VMBPACKET packet)
{
	if (!packet)
		return;
	WARN_ON_ONCE(packet->state != VMB_PACKET_IDLE);
	vmb_packet_destroy(packet);
}
EXPORT_SYMBOL_GPL(VmbPacketFree);

void VmbPacketSetCompletionRoutine(VMBPACKET packet,
				   EVT_VMB_PACKET_COMPLETION_ROUTINE *routine)
{
	packet->completion_routine = routine;
}
EXPORT_SYMBOL_GPL(VmbPacketSetCompletionRoutine);

void VmbPacketSetPointer(VMBPACKET packet, void *pointer)
{
	packet->pointer = pointer;
}
EXPORT_SYMBOL_GPL(VmbPacketSetPointer);

void *VmbPacketGetPointer(VMBPACKET packet)
{
	return packet->pointer;
}
EXPORT_SYMBOL_GPL(VmbPacketGetPointer);

VMBCHANNEL VmbPacketGetChannel(VMBPACKET packet)
{
	return packet->channel;
}
EXPORT_SYMBOL_GPL(VmbPacketGetChannel);
