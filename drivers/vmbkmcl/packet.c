// SPDX-License-Identifier: GPL-2.0
/*
 * Outgoing packet objects: VmbPacketAllocate() and friends.
 *
 * A packet object holds room for the largest inline payload of its channel,
 * so that a send can always queue it when the ring is full: KMCL promises
 * that only the allocation can fail for memory, never the send. After the
 * GPA-direct descriptor room and the payload room comes the client's inline
 * context (VmbChannelInitSetInlinePacketContextSize(), KMCL V5).
 */
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "channel.h"
#include "external.h"
#include "packet.h"
#include "pipe.h"

u32 vmb_packet_size(u32 capacity, u32 desc_capacity)
{
	return struct_size_t(struct vmb_packet, data, (size_t)desc_capacity + capacity);
}

/* Bytes of an object with @context_size client bytes after its rooms. */
static u32 object_size(u32 capacity, u32 desc_capacity, u32 context_size)
{
	if (!context_size)
		return vmb_packet_size(capacity, desc_capacity);
	return vmb_packet_size(ALIGN(capacity, sizeof(u64)) + ALIGN(context_size, sizeof(u64)),
			       desc_capacity);
}

static void *inline_context(struct vmb_packet *pkt)
{
	return pkt->data + pkt->desc_capacity + ALIGN(pkt->capacity, sizeof(u64));
}

/**
 * vmb_packet_object_size() - bytes of a packet object of a channel
 * @ch: the channel
 *
 * Context: any.
 * Return: what VmbChannelSizeofPacket() reports.
 */
u32 vmb_packet_object_size(struct vmb_channel *ch)
{
	return object_size(vmb_pipe_wire_size(ch, READ_ONCE(ch->max_packet_size)),
			   vmb_external_room(ch), READ_ONCE(ch->ex.inline_context_size));
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
	u32 capacity = vmb_pipe_wire_size(channel, READ_ONCE(channel->max_packet_size));
	u32 context_size = READ_ONCE(channel->ex.inline_context_size);
	u32 desc_capacity = vmb_external_room(channel);
	struct vmb_packet *pkt;

	if (!context_size)
		return vmb_packet_alloc(channel, capacity, desc_capacity, GFP_ATOMIC);
	pkt = kmalloc(object_size(capacity, desc_capacity, context_size),
		      GFP_ATOMIC | __GFP_NOWARN);
	if (!pkt)
		return NULL;
	packet_init(pkt, channel, capacity, desc_capacity);
	pkt->allocated = true;
	pkt->completion_routine = default_completion;
	pkt->context_size = context_size;
	memset(inline_context(pkt), 0, context_size);
	return pkt;
}
EXPORT_SYMBOL_GPL(VmbPacketAllocate);

NTSTATUS VmbPacketInitialize(VMBCHANNEL channel, VMBPACKET packet,
			     u32 byte_count)
{
	u32 capacity, desc_capacity, context_size;

	if (!channel)
		return STATUS_INVALID_PARAMETER_1;
	if (!packet || !IS_ALIGNED((unsigned long)packet, sizeof(u64)))
		return STATUS_INVALID_PARAMETER_2;
	capacity = vmb_pipe_wire_size(channel, READ_ONCE(channel->max_packet_size));
	desc_capacity = vmb_external_room(channel);
	context_size = READ_ONCE(channel->ex.inline_context_size);
	if (byte_count < object_size(capacity, desc_capacity, context_size))
		return STATUS_INVALID_PARAMETER_3;

	/* KMCL: no valid completion routine until the caller sets one */
	packet_init(packet, channel, capacity, desc_capacity);
	packet->context_size = context_size;
	if (context_size)
		memset(inline_context(packet), 0, context_size);
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

void *VmbPacketGetInlinePacketContextPointer(VMBPACKET packet)
{
	return packet->context_size ? inline_context(packet) : NULL;
}
EXPORT_SYMBOL_GPL(VmbPacketGetInlinePacketContextPointer);

/* The routine of a packet given VmbPacketSetCompletionRoutineEx(). */
static void completion_ex(VMBPACKET packet, NTSTATUS status, void *buffer, u32 length)
{
	packet->completion_ex(packet, status, buffer, length, packet->completion_context);
}

void VmbPacketSetCompletionRoutineEx(VMBPACKET packet,
				     EVT_VMB_PACKET_COMPLETION_ROUTINE_EX *routine,
				     void *context)
{
	packet->completion_ex = routine;
	packet->completion_context = context;
	packet->completion_routine = routine ? completion_ex : NULL;
}
EXPORT_SYMBOL_GPL(VmbPacketSetCompletionRoutineEx);
