// SPDX-License-Identifier: GPL-2.0
/*
 * The channel functions KMCL added in interface versions 2 to 5, and the two
 * V1 functions about interrupt latency and MMIO.
 *
 * KMCL names these functions (the member lists of KMCL_CLIENT_INTERFACE_V2
 * to _V5) but publishes no signatures; include/vmbkmcl.h gives vmbkmcl's.
 * Those with a Linux meaning do what it is: caller-allocated channels,
 * device objects, a bound on transactions in flight (hv_vmbus's requestor),
 * GPADLs from frame lists, callbacks with a context, the interrupt latency
 * hint (hv_vmbus's per-channel low_latency), host-visible memory of the
 * channel's own for confidential VMs (bounce.c). The others say why not.
 */
#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "channel.h"
#include "gpadl.h"

NTSTATUS VmbChannelSetInterruptLatency(VMBCHANNEL channel, u16 latency,
				       u16 *original_latency)
{
	struct vmbus_channel *chan;
	unsigned long irqflags;
	NTSTATUS status = STATUS_INVALID_DEVICE_STATE;

	if (!channel)
		return STATUS_INVALID_PARAMETER_1;
	spin_lock_irqsave(&channel->lock, irqflags);
	chan = READ_ONCE(channel->chan);
	/* KMCL: from Opened through Closed; the close restores the bit */
	if (chan && (channel->open || READ_ONCE(channel->connected))) {
		if (original_latency)
			*original_latency = channel->ex.interrupt_latency;
		channel->ex.interrupt_latency = latency;
		WRITE_ONCE(chan->low_latency, !latency);
		status = STATUS_SUCCESS;
	}
	spin_unlock_irqrestore(&channel->lock, irqflags);
	return status;
}
EXPORT_SYMBOL_GPL(VmbChannelSetInterruptLatency);

void VmbChannelGetMmioSpace(VMBCHANNEL channel, u64 *mmio_address, u64 *mmio_size)
{
	struct vmbus_channel *chan;
	u64 size = 0;

	rcu_read_lock();
	chan = READ_ONCE(channel->chan);
	if (chan)
		size = (u64)chan->offermsg.offer.mmio_megabytes << 20;
	rcu_read_unlock();
	if (mmio_address)
		*mmio_address = 0;
	if (mmio_size)
		*mmio_size = size;
}
EXPORT_SYMBOL_GPL(VmbChannelGetMmioSpace);

struct device *VmbChannelGetTargetDeviceObject(VMBCHANNEL channel)
{
	struct hv_device *hv_dev = READ_ONCE(channel->hv_dev);

	return hv_dev ? &hv_dev->device : NULL;
}
EXPORT_SYMBOL_GPL(VmbChannelGetTargetDeviceObject);

struct device *VmbChannelGetParentDeviceObject(VMBCHANNEL channel)
{
	/* a channel bound by class GUID had none; its parent field is the offer's */
	return channel->bindable ? NULL : channel->parent;
}
EXPORT_SYMBOL_GPL(VmbChannelGetParentDeviceObject);

NTSTATUS VmbChannelInitSetBounceBufferSizes(VMBCHANNEL channel, u32 incoming_size,
					    u32 outgoing_size)
{
	NTSTATUS status = vmb_channel_init_begin(channel);
	u64 in = round_up((u64)incoming_size, HV_HYP_PAGE_SIZE);
	u64 out = round_up((u64)outgoing_size, HV_HYP_PAGE_SIZE);

	if (status)
		return status;
	/* one block of the page allocator, as hv_vmbus's rings */
	if (in > VMB_MAX_RING_ALLOC)
		return vmb_channel_init_end(channel, STATUS_INVALID_PARAMETER_2);
	if (in + out > VMB_MAX_RING_ALLOC)
		return vmb_channel_init_end(channel, STATUS_INVALID_PARAMETER_3);
	/* sends carry no direction: every bounced piece goes both ways */
	status = vmb_bounce_set_pool(&channel->ex.bounce, in + out);
	return vmb_channel_init_end(channel, status);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetBounceBufferSizes);

NTSTATUS VmbChannelAllocateBounceBuffer(VMBCHANNEL channel, u32 size, void **buffer)
{
	might_sleep();

	if (buffer)
		*buffer = NULL;
	if (!channel)
		return STATUS_INVALID_PARAMETER_1;
	if (!size || size > VMB_MAX_RING_ALLOC)
		return STATUS_INVALID_PARAMETER_2;
	if (!buffer)
		return STATUS_INVALID_PARAMETER_3;
	return vmb_bounce_alloc_buffer(&channel->ex.bounce, size, buffer);
}
EXPORT_SYMBOL_GPL(VmbChannelAllocateBounceBuffer);

NTSTATUS VmbChannelInitSetMaximumPacketCount(VMBCHANNEL channel, u32 count)
{
	NTSTATUS status = vmb_channel_init_begin(channel);

	if (status)
		return status;
	if (!count)
		return vmb_channel_init_end(channel, STATUS_INVALID_PARAMETER_2);
	/* the requestor's size at the next open (channel.c) */
	channel->ex.max_packet_count = count;
	return vmb_channel_init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetMaximumPacketCount);

/*
 * The kernel pages of a list of 4 KiB frames: one page per PAGE_SIZE /
 * HV_HYP_PAGE_SIZE entries, which must be that page's frames in order.
 */
static struct page **frame_pages(const u64 *pfns, u32 pfn_count, unsigned int *nr)
{
	const u32 per_page = PAGE_SIZE / HV_HYP_PAGE_SIZE;
	struct page **pages;
	unsigned int i;
	u32 k;

	if (!pfn_count || pfn_count % per_page)
		return ERR_PTR(-EINVAL);
	*nr = pfn_count / per_page;
	pages = kcalloc(*nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < *nr; i++) {
		u64 first = pfns[i * per_page];

		/* the frame's address must not overflow, then be a page we have */
		if (first > (U64_MAX >> HV_HYP_PAGE_SHIFT) || first % per_page ||
		    !pfn_valid(PHYS_PFN((phys_addr_t)first << HV_HYP_PAGE_SHIFT)))
			goto invalid;
		for (k = 1; k < per_page; k++)
			if (pfns[i * per_page + k] != first + k)
				goto invalid;
		pages[i] = pfn_to_page(PHYS_PFN((phys_addr_t)first << HV_HYP_PAGE_SHIFT));
	}
	return pages;

invalid:
	kfree(pages);
	return ERR_PTR(-EINVAL);
}

NTSTATUS VmbChannelCreateGpadlFromPfnList(VMBCHANNEL channel, u32 flags, const u64 *pfns,
					  u32 pfn_count, u32 *gpadl)
{
	struct page **pages;
	unsigned int nr;
	NTSTATUS status;
	void *map;

	might_sleep();
	if (!channel)
		return STATUS_INVALID_PARAMETER_1;
	if (flags & ~VMBUS_CHANNEL_GPADL_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	if (!pfns || !gpadl || pfn_count > U32_MAX / HV_HYP_PAGE_SIZE)
		return STATUS_INVALID_PARAMETER;

	pages = frame_pages(pfns, pfn_count, &nr);
	if (IS_ERR(pages))
		return PTR_ERR(pages) == -ENOMEM ? STATUS_INSUFFICIENT_RESOURCES :
						   STATUS_INVALID_PARAMETER;
	/* hv_vmbus establishes a GPADL from a virtually contiguous buffer */
	map = vmap(pages, nr, VM_MAP, PAGE_KERNEL);
	kfree(pages);
	if (!map)
		return STATUS_INSUFFICIENT_RESOURCES;
	status = vmb_gpadl_create_mapped(channel, map, pfn_count * HV_HYP_PAGE_SIZE, gpadl);
	if (status)
		vunmap(map);
	return status;
}
EXPORT_SYMBOL_GPL(VmbChannelCreateGpadlFromPfnList);

NTSTATUS VmbChannelSetAllowableDpcCpuUsage(VMBCHANNEL channel, u32 percent)
{
	if (!channel)
		return STATUS_INVALID_PARAMETER_1;
	if (!percent || percent > 100)
		return STATUS_INVALID_PARAMETER_2;
	WRITE_ONCE(channel->ex.dpc_cpu_usage, percent);
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_GPL(VmbChannelSetAllowableDpcCpuUsage);

NTSTATUS VmbChannelInitSetInlinePacketContextSize(VMBCHANNEL channel, u32 size)
{
	NTSTATUS status = vmb_channel_init_begin(channel);

	if (status)
		return status;
	if (size > VMB_MAX_CLIENT_CONTEXT)
		return vmb_channel_init_end(channel, STATUS_INVALID_PARAMETER_2);
	WRITE_ONCE(channel->ex.inline_context_size, size);
	return vmb_channel_init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetInlinePacketContextSize);

/* ProcessPacket and ProcessingComplete of a channel given the Ex callbacks. */
static void process_packet_ex(VMBCHANNEL channel, VMBPACKETCOMPLETION packet, void *buffer,
			      u32 length, u32 flags)
{
	channel->ex.process_packet(channel, packet, buffer, length, flags,
				   channel->ex.process_context);
}

static void processing_complete_ex(VMBCHANNEL channel, u32 packets)
{
	channel->ex.processing_complete(channel, packets, channel->ex.process_context);
}

NTSTATUS
VmbChannelInitSetProcessPacketCallbacksEx(VMBCHANNEL channel,
					  EVT_VMB_CHANNEL_PROCESS_PACKET_EX *process_packet,
					  EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX *complete,
					  void *context)
{
	NTSTATUS status = vmb_channel_init_begin(channel);

	if (status)
		return status;
	if (!process_packet)
		return vmb_channel_init_end(channel, STATUS_INVALID_PARAMETER_2);
	channel->ex.process_packet = process_packet;
	channel->ex.processing_complete = complete;
	channel->ex.process_context = context;
	/* the receive path calls the V1 callbacks: these pass the context on */
	channel->process_packet = process_packet_ex;
	channel->processing_complete = complete ? processing_complete_ex : NULL;
	return vmb_channel_init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetProcessPacketCallbacksEx);
