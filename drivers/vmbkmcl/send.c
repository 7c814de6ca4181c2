// SPDX-License-Identifier: GPL-2.0
/*
 * VmbPacketSend(): inline packets into the outgoing ring, or into a FIFO
 * when they do not fit.
 *
 * hv_vmbus never queues: hv_ringbuffer_write() returns -EAGAIN when the
 * packet plus its 8-byte trailer does not fit (an exactly full ring counts
 * as full) or when the requestor has no free transaction id. KMCL queues
 * instead, never fails the send, and keeps the order of sends. So once a
 * packet is queued, every later one queues behind it, and the queue is
 * drained from the channel callback: hv_vmbus calls it when the host freed
 * the ring space flow.c asked for in pending_send_sz, and after completions,
 * which free transaction ids.
 */
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/string.h>

#include "channel.h"
#include "external.h"
#include "flow.h"
#include "mdl.h"
#include "obs.h"
#include "packet.h"
#include "pipe.h"
#include "send.h"
#include "trace.h"
#include "transaction.h"

static __always_inline int ring_write(struct vmb_channel *ch, struct vmb_packet *pkt,
				      const void *buffer, u32 length)
{
	bool wait = pkt->flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
	u64 trans_id = 0;
	int ret;

	lockdep_assert_held(&ch->lock);

	if (pkt->desc_size) {
		/*
		 * GPA-direct: hv_vmbus always asks for a completion (the host
		 * holds our pages until then) and returns no id; the
		 * requestor callback recorded it in the packet.
		 */
		ret = vmbus_sendpacket_mpb_desc(ch->chan, vmb_packet_desc(pkt),
						pkt->desc_size, (void *)buffer, length,
						(u64)(uintptr_t)pkt);
		if (ret)
			return ret;
		vmb_transaction_start(ch, pkt, pkt->trans_id);
		return 0;
	}

	/*
	 * With COMPLETION_REQUESTED hv_vmbus's requestor stores the packet
	 * and puts a small id (slot + 1) on the wire, which the host echoes in
	 * its completion. Without it no slot is taken and hv_ringbuffer_write()
	 * puts the requestid argument itself on the wire: pass 0 then, never
	 * the packet's address, which would show the host the guest's heap.
	 */
	ret = vmbus_sendpacket_getid(ch->chan, (void *)buffer, length,
				     wait ? (u64)(uintptr_t)pkt : 0, &trans_id,
				     VM_PKT_DATA_INBAND,
				     wait ? VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED : 0);
	if (ret)
		return ret;
	if (wait)
		vmb_transaction_start(ch, pkt, trans_id);
	else
		pkt->state = VMB_PACKET_IDLE;
	return 0;
}

/*
 * After a write failed for room or a transaction id: the send queue waits
 * (flow.c asks the host for a signal once enough is free), and the packet
 * is written again, for a host that drained the ring before it could see
 * the request (the lost wake-up of Documentation/ring-protocol.rst, "Flow
 * control").
 */
static noinline int rearm_write(struct vmb_channel *ch, struct vmb_packet *pkt,
				const void *buffer, u32 length)
{
	u32 header = pkt->desc_size ?: sizeof(struct vmpacket_descriptor);
	/* GPA-direct always takes an id; inband with a transaction */
	bool id = pkt->desc_size || (pkt->flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);

	vmb_flow_wait(ch, VMB_FLOW_SEND, vmb_packet_ring_bytes(header, length), id);
	return ring_write(ch, pkt, buffer, length);
}

/* Write, and when that fails for room or an id and @arm, rearm_write(). */
static __always_inline int try_write(struct vmb_channel *ch, struct vmb_packet *pkt,
				     const void *buffer, u32 length, bool arm)
{
	int ret;

	ret = ring_write(ch, pkt, buffer, length);
	if (unlikely(ret == -EAGAIN) && arm)
		ret = rearm_write(ch, pkt, buffer, length);
	return ret;
}

/* The packet is in the ring; still under the lock, so it is still ours. */
static void note_written(struct vmb_channel *ch, struct vmb_packet *pkt, u32 length)
{
	lockdep_assert_held(&ch->lock);

	vmb_count(&ch->obs.n.packets_sent);
	trace_vmb_send(ch, pkt, length, false);
}

/* The queue is empty: it waits no more, if it waited (flow.c). */
static __always_inline void queue_emptied(struct vmb_channel *ch)
{
	lockdep_assert_held(&ch->lock);

	if (unlikely(ch->flow.waiting & BIT(VMB_FLOW_SEND)))
		vmb_flow_done(ch, VMB_FLOW_SEND);
}

static void queue_packet(struct vmb_channel *ch, struct vmb_packet *pkt,
			 const void *buffer, u32 length)
{
	lockdep_assert_held(&ch->lock);

	/* the caller's buffer is free when VmbPacketSend() returns */
	if (buffer != vmb_packet_payload(pkt))	/* a pipe message is framed there */
		memcpy(vmb_packet_payload(pkt), buffer, length);
	pkt->length = length;
	pkt->state = VMB_PACKET_QUEUED;
	list_add_tail(&pkt->link, &ch->send_queue);
	vmb_count(&ch->obs.n.packets_queued);
	trace_vmb_send(ch, pkt, length, true);
}

static void write_failed(struct vmb_channel *ch, int ret)
{
	lockdep_assert_held(&ch->lock);

	/*
	 * -ENODEV: rescinded; -EIO: the host corrupted the ring indices
	 * (6.12.117). Either way the packet waits for Disable to cancel it.
	 */
	if (ret == -EAGAIN) {
		vmb_count(&ch->obs.n.ring_full);
		return;
	}
	vmb_count(&ch->obs.n.send_errors);
	dev_err_ratelimited(vmb_channel_dev(ch),
			    "vmbkmcl: send failed (%d), packet held until disable\n", ret);
}

/*
 * External data goes to the host through the DMA API of the channel's
 * device (external.c): a channel bound by class GUID that waits for an
 * offer has no device yet.
 */
static noinline NTSTATUS map_external(struct vmb_channel *ch, struct vmb_packet *pkt)
{
	struct hv_device *hv_dev = READ_ONCE(ch->hv_dev);
	NTSTATUS status;

	lockdep_assert_held(&ch->lock);

	if (!hv_dev)
		return STATUS_INVALID_DEVICE_STATE;
	status = vmb_external_map(ch, &hv_dev->device, vmb_packet_desc(pkt));
	if (!status)
		pkt->dma_dev = &hv_dev->device;
	return status;
}

/*
 * vmb_send_submit(), inlined into the VmbPacketSend*() calls, where the
 * compiler drops what their constant arguments rule out.
 */
static __always_inline NTSTATUS submit(struct vmb_packet *pkt, const void *buffer,
				       u32 length, const struct vmb_external *ext,
				       u32 flags, enum vmb_send_mode mode)
{
	struct vmb_channel *ch = pkt->channel;
	NTSTATUS status = STATUS_SUCCESS;
	unsigned long irqflags;
	bool written = false;
	int ret;

	spin_lock_irqsave(&ch->lock, irqflags);
	if (pkt->state != VMB_PACKET_IDLE) {
		status = STATUS_INVALID_PARAMETER_1;
		goto unlock;
	}
	if (unlikely(vmb_pipe_enabled(ch))) {
		status = vmb_pipe_check_send(ch, flags, ext);
		if (status) {
			spin_unlock_irqrestore(&ch->lock, irqflags);
			return status;
		}
		vmb_pipe_frame(pkt, &buffer, &length);
	}
	pkt->flags = flags;
	pkt->desc_size = 0;
	pkt->trans_id = 0;	/* what the trace events show without a transaction */
	if (ext) {
		/* into the packet's own room: a queued send keeps it as is */
		status = vmb_external_build(ch, ext, length, vmb_packet_desc(pkt),
					    pkt->desc_capacity, &pkt->desc_size);
		if (!status)
			status = map_external(ch, pkt);
		if (status) {
			pkt->desc_size = 0;
			goto unlock;
		}
	}

	/* FIFO: nothing overtakes a queued packet */
	if (ch->open && list_empty(&ch->send_queue)) {
		ret = try_write(ch, pkt, buffer, length, mode != VMB_SEND_TRY);
		if (!ret) {
			note_written(ch, pkt, length);
			if (list_empty(&ch->send_queue))
				queue_emptied(ch);
			written = true;
			goto unlock;
		}
		write_failed(ch, ret);
	}
	if (mode != VMB_SEND_QUEUE && !ch->open)
		status = STATUS_DEVICE_REMOVED;
	else if (mode == VMB_SEND_TRY)
		status = STATUS_BUFFER_OVERFLOW;
	else
		queue_packet(ch, pkt, buffer, length);
	/* not sent and not queued: its external data never reached the host */
	if (status)
		vmb_packet_unmap(pkt);
unlock:
	spin_unlock_irqrestore(&ch->lock, irqflags);
	/* in the ring: a packet without a transaction is done */
	if (written && !(flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		vmb_packet_complete(pkt, STATUS_SUCCESS, NULL, 0);
	return status;
}

NTSTATUS vmb_send_submit(struct vmb_packet *pkt, const void *buffer, u32 length,
			 const struct vmb_external *ext, u32 flags,
			 enum vmb_send_mode mode)
{
	return submit(pkt, buffer, length, ext, flags, mode);
}

/* Complete a list of packets taken off the channel, in order. */
static void complete_list(struct list_head *list, NTSTATUS status)
{
	struct vmb_packet *pkt;

	while ((pkt = list_first_entry_or_null(list, struct vmb_packet, link))) {
		/* the routine may free, resend or reuse the packet */
		list_del_init(&pkt->link);
		/* a queued packet with external data never reached the host */
		vmb_packet_unmap(pkt);
		vmb_packet_complete(pkt, status, NULL, 0);
	}
}

/**
 * vmb_send_drain() - write queued packets while they fit
 * @ch: the channel
 *
 * Context: any; takes ch->lock. Completion routines of packets without a
 * transaction run here, after the lock is dropped.
 */
void vmb_send_drain(struct vmb_channel *ch)
{
	struct vmb_packet *pkt;
	unsigned long irqflags;
	LIST_HEAD(written);
	int ret;

	spin_lock_irqsave(&ch->lock, irqflags);
	while (ch->open &&
	       (pkt = list_first_entry_or_null(&ch->send_queue,
					       struct vmb_packet, link))) {
		/* off the queue first: a transaction moves it to in_flight */
		list_del_init(&pkt->link);
		ret = try_write(ch, pkt, vmb_packet_payload(pkt), pkt->length, true);
		if (ret) {
			list_add(&pkt->link, &ch->send_queue);
			write_failed(ch, ret);
			break;
		}
		note_written(ch, pkt, pkt->length);
		if (pkt->state == VMB_PACKET_IDLE)
			list_add_tail(&pkt->link, &written);
	}
	if (list_empty(&ch->send_queue))
		queue_emptied(ch);
	spin_unlock_irqrestore(&ch->lock, irqflags);

	complete_list(&written, STATUS_SUCCESS);
}

/**
 * vmb_send_cancel_all() - complete every queued packet with STATUS_CANCELLED
 * @ch: the channel
 *
 * Context: process or atomic; takes ch->lock.
 */
void vmb_send_cancel_all(struct vmb_channel *ch)
{
	struct vmb_packet *pkt;
	unsigned long irqflags;
	LIST_HEAD(cancelled);

	spin_lock_irqsave(&ch->lock, irqflags);
	list_for_each_entry(pkt, &ch->send_queue, link) {
		pkt->state = VMB_PACKET_IDLE;
		vmb_count(&ch->obs.n.cancelled);
	}
	list_splice_init(&ch->send_queue, &cancelled);
	queue_emptied(ch);
	spin_unlock_irqrestore(&ch->lock, irqflags);

	complete_list(&cancelled, STATUS_CANCELLED);
}

/* The checks every VmbPacketSend*() makes of its packet and inline payload. */
static NTSTATUS check_send(VMBPACKET packet, const void *buffer, u32 length, u32 flags)
{
	if (!packet)
		return STATUS_INVALID_PARAMETER_1;
	if (flags & ~VMBUS_CHANNEL_FORMAT_FLAGS)
		return STATUS_INVALID_PARAMETER;
	if ((length && !buffer) || length > packet->capacity ||
	    length > READ_ONCE(packet->channel->max_packet_size))
		return STATUS_INVALID_PARAMETER;
	if (!packet->completion_routine)
		return STATUS_INVALID_PARAMETER_1;
	return STATUS_SUCCESS;
}

NTSTATUS VmbPacketSend(VMBPACKET packet, const void *buffer, u32 length,
		       struct vmb_mdl *external, u32 flags)
{
	NTSTATUS status = check_send(packet, buffer, length, flags);
	struct vmb_external ext;

	if (status)
		return status;
	if (!external)
		return submit(packet, buffer, length, NULL, flags, VMB_SEND_QUEUE);
	/* the host holds our pages until it completes: a transaction always */
	if (!(flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		return STATUS_INVALID_PARAMETER;
	/* the whole chain: length 0 */
	ext = (struct vmb_external){ .mdl = external };
	return submit(packet, buffer, length, &ext, flags, VMB_SEND_QUEUE);
}
EXPORT_SYMBOL_GPL(VmbPacketSend);

NTSTATUS VmbPacketSendWithExternalMdl(VMBPACKET packet, const void *buffer, u32 length,
				      struct vmb_mdl *mdl, u32 mdl_offset, u32 mdl_length,
				      u32 flags)
{
	struct vmb_external ext = {
		.mdl = mdl,
		.offset = mdl_offset,
		.first_only = flags & VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH,
	};
	NTSTATUS status = check_send(packet, buffer, length, flags);

	if (status)
		return status;
	if (!mdl || !(flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		return STATUS_INVALID_PARAMETER;
	/* KMCL: FORCE_MDL_LENGTH uses the first MDL of the chain only */
	if (ext.first_only) {
		if (mdl_offset >= mdl->byte_count)
			return STATUS_INVALID_PARAMETER;
		ext.length = mdl_length ?: mdl->byte_count - mdl_offset;
	} else {
		/* 0: to the end; the builder checks the window in its one pass */
		ext.length = mdl_length;
	}
	return submit(packet, buffer, length, &ext, flags, VMB_SEND_QUEUE);
}
EXPORT_SYMBOL_GPL(VmbPacketSendWithExternalMdl);

NTSTATUS VmbPacketSendWithExternalPfns(VMBPACKET packet, const void *buffer, u32 length,
				       const u64 *pfns, u32 pfn_count, u32 flags)
{
	struct vmb_external ext = { .pfns = pfns, .pfn_count = pfn_count };
	NTSTATUS status = check_send(packet, buffer, length, flags);

	if (status)
		return status;
	if (!pfns || !pfn_count || !(flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		return STATUS_INVALID_PARAMETER;
	return submit(packet, buffer, length, &ext, flags, VMB_SEND_QUEUE);
}
EXPORT_SYMBOL_GPL(VmbPacketSendWithExternalPfns);
