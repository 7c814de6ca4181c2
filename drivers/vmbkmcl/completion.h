/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMBPACKETCOMPLETION objects: one received packet each, from the ring to
 * VmbChannelPacketComplete(), and the VM_PKT_COMP packets that answer them.
 */
#ifndef _VMB_COMPLETION_H
#define _VMB_COMPLETION_H

#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include <vmbkmcl.h>

struct vmb_channel;

struct vmb_packet_completion {
	struct vmb_channel *channel;
	/* on a pulled batch, the deferred list or the completion queue */
	struct list_head link;
	/*
	 * The client's reference, from delivery until it completes or fails
	 * the packet; one more while ProcessPacket runs, and one while a
	 * completion waits for ring space.
	 */
	refcount_t refs;
	u64 trans_id;			/* as the host sent it, echoed in our completion */
	u16 type;			/* VM_PKT_* */
	bool wants_completion;		/* COMPLETION_REQUESTED */
	bool in_call;			/* ProcessPacket runs for it */
	bool defer;			/* VmbChannelPacketDeferToPassive() in that call */
	u32 flags;			/* VMBUS_CHANNEL_PROCESS_PACKET_FLAG_* */
	u32 length;			/* payload bytes at payload */
	u32 comp_length;		/* bytes of a queued completion at comp_data */
	u32 room;			/* bytes of data[] before the client context */
	void *comp_data;		/* a queued completion: data[], or its own copy */
	void *payload;			/* in data[]: the packet's offset8, or 0 */
	struct vmb_mdl *mdl;		/* external data, or NULL */
	/*
	 * The packet room, @room bytes: the whole packet as hv_vmbus copied it
	 * here (the reader's spare, rx.buffer_size), or its payload alone (an
	 * object of its size); then the client context
	 */
	u8 data[] __aligned(8);
};

/* Least packet room of an object: a queued completion this long needs no copy of its own. */
#define VMB_COMP_MIN_ROOM	64

struct vmb_packet_completion *vmb_completion_alloc(struct vmb_channel *ch, u32 room,
						   gfp_t gfp);
u32 vmb_completion_room(u32 payload);
size_t vmb_completion_size(const struct vmb_channel *ch, u32 room);
void vmb_completion_reuse(struct vmb_channel *ch, struct vmb_packet_completion *pc);
void vmb_completion_free(struct vmb_packet_completion *pc);
bool vmb_completion_deliver(struct vmb_channel *ch, struct vmb_packet_completion *pc);
void vmb_completion_flush(struct vmb_channel *ch);
void vmb_completion_drop_queued(struct vmb_channel *ch);

#endif /* _VMB_COMPLETION_H */
