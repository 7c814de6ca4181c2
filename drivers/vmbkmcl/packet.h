/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Outgoing packet objects.
 */
#ifndef _VMB_PACKET_H
#define _VMB_PACKET_H

#include <linux/gfp.h>
#include <linux/list.h>

#include <vmbkmcl.h>

#include "external.h"
#include "trace.h"

struct vmb_channel;

/*
 * Where a packet is. Changes only under its channel's lock, except that an
 * IDLE packet belongs to whoever holds it (its caller, or the library while
 * it runs the completion routine).
 */
enum vmb_packet_state {
	VMB_PACKET_IDLE,
	VMB_PACKET_QUEUED,	/* on send_queue, payload copied in data[] */
	VMB_PACKET_IN_FLIGHT,	/* in the ring, holds a requestor slot */
	VMB_PACKET_ABANDONED,	/* in flight, but its waiter gave up */
};

struct vmb_packet {
	struct vmb_channel *channel;
	EVT_VMB_PACKET_COMPLETION_ROUTINE *completion_routine;
	void *pointer;
	struct list_head link;		/* send_queue or in_flight */
	enum vmb_packet_state state;
	u32 flags;			/* VMBUS_CHANNEL_FORMAT_FLAG_* of the send */
	u64 trans_id;			/* requestor id while IN_FLIGHT */
	u32 length;			/* payload bytes while QUEUED */
	u32 capacity;			/* payload bytes it can hold */
	u32 desc_capacity;		/* GPA-direct descriptor room, 8-byte multiple */
	u32 desc_size;			/* descriptor of this send; 0: inband */
	struct device *dma_dev;		/* its frames are mapped for this device */
	bool allocated;			/* kmalloc'd: VmbPacketFree() frees it */
	u32 context_size;		/* inline client context after the payload room */
	/* VmbPacketSetCompletionRoutineEx(): called by completion_routine */
	EVT_VMB_PACKET_COMPLETION_ROUTINE_EX *completion_ex;
	void *completion_context;
	/* the descriptor room, then the payload room */
	u8 data[] __aligned(8);
};

static inline void *vmb_packet_desc(struct vmb_packet *pkt)
{
	return pkt->data;
}

static inline void *vmb_packet_payload(struct vmb_packet *pkt)
{
	return pkt->data + pkt->desc_capacity;
}

u32 vmb_packet_size(u32 capacity, u32 desc_capacity);
u32 vmb_packet_object_size(struct vmb_channel *ch);
struct vmb_packet *vmb_packet_alloc(struct vmb_channel *ch, u32 capacity,
				    u32 desc_capacity, gfp_t gfp);
void vmb_packet_destroy(struct vmb_packet *pkt);

/*
 * The transaction is over, or the packet never reached the host: its
 * external data is unmapped (vmb_external_map()), which copies back what
 * the host wrote into a bounce buffer.
 */
static inline void vmb_packet_unmap(struct vmb_packet *pkt)
{
	if (unlikely(pkt->dma_dev)) {
		vmb_external_unmap(pkt->channel, pkt->dma_dev, vmb_packet_desc(pkt));
		pkt->dma_dev = NULL;
	}
}

static inline void vmb_packet_complete(struct vmb_packet *pkt, NTSTATUS status,
				       void *buffer, u32 length)
{
	trace_vmb_completion(pkt, status, length);
	pkt->completion_routine(pkt, status, buffer, length);
}

#endif /* _VMB_PACKET_H */
