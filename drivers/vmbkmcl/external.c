// SPDX-License-Identifier: GPL-2.0
/*
 * External data: the GPA-direct descriptor of a send.
 *
 * The descriptor is what vmbus_sendpacket_mpb_desc() takes: a struct
 * vmbus_packet_mpb_array header (the VMBus descriptor, a reserved word and the
 * range count) followed by the GPA ranges, packed back to back
 * (Documentation/ring-protocol.rst). It is built into room reserved in the
 * packet object, so that a send with external data never allocates and can be
 * queued as it is; the data itself is never copied.
 *
 * vmbus_sendpacket_mpb_desc() took the caller's range count only from the
 * 2025 "Drivers: hv: Allow vmbus_sendpacket_mpb_desc() to create multiple
 * ranges" change on (6.15, and stable 6.1.y, 6.6.y, 6.12.y); before it, it
 * forced one range. The same series removed vmbus_sendpacket_pagebuffer(),
 * so Kbuild tests <linux/hyperv.h> for that declaration and defines
 * VMB_MPB_SINGLE_RANGE where it is still there: such kernels get one range
 * per packet, and a send that needs more fails with a status instead of
 * reaching the host misdescribed.
 *
 * The host reads and writes external data by guest-physical address, and
 * on a confidential VM (SEV-SNP, TDX) it can reach only memory the guest
 * shared. So the frames of a built descriptor are mapped through the DMA
 * API of the channel's VMBus device, as storvsc and netvsc map theirs: on
 * such a guest swiotlb bounces each piece through its shared pool and the
 * descriptor names the bounce frames; elsewhere the DMA address is the
 * physical one and nothing is copied. Each frame piece is one mapping, so
 * the unmap needs nothing but the descriptor: piece i of a range covers
 * [byte_offset, 4096) of its first frame, whole frames in between and the
 * rest in the last, and its DMA address is its frame number << 12 plus
 * its offset. The mapping is DMA_BIDIRECTIONAL (KMCL does not say which
 * way data goes), made at the send and undone when the transaction ends:
 * the host's completion, or its cancellation after the channel closed.
 * swiotlb keeps a mapping's offset within 4 KiB only with the device's
 * min_align_mask set to 4095 (vmb_external_prepare_device()).
 *
 * A channel with host-visible memory of its own (bounce.c) maps the
 * pieces that memory takes care of itself: pieces in a bounce buffer of
 * VmbChannelAllocateBounceBuffer() as they are, and, while the device
 * bounces, other pieces through free frames of the bounce pool of
 * VmbChannelInitSetBounceBufferSizes(). The unmap tells them apart by the
 * address the descriptor names.
 */
#include <linux/dma-mapping.h>
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/swiotlb.h>

#include "bounce.h"
#include "channel.h"
#include "external.h"
#include "mdl.h"

/* The descriptor before its ranges: VMBus header, reserved, range count. */
#define DESC_HEADER	offsetof(struct vmbus_packet_mpb_array, range)
#define MAX_PACKET	VMB_MAX_WIRE_PACKET

/**
 * vmb_external_reserve() - descriptor room a packet object keeps
 * @max_data: the channel's maximum external data, in bytes
 * @max_chain: the channel's maximum number of ranges
 *
 * Each range of L bytes spans at most L / 4096 + 2 frames, so @max_chain
 * ranges over @max_data bytes never need more than
 * HVPFN_UP(@max_data) + 2 * @max_chain PFNs.
 *
 * Return: bytes, saturated at U32_MAX.
 */
static u32 vmb_external_reserve(u32 max_data, u32 max_chain)
{
	u64 pfns = HVPFN_UP((u64)max_data) + 2 * (u64)max_chain;
	u64 bytes = DESC_HEADER + max_chain * (u64)sizeof(struct gpa_range) +
		    pfns * sizeof(u64);

	return min_t(u64, bytes, U32_MAX);
}

/**
 * vmb_external_limits_valid() - whether limits can be met by some packet
 * @max_data: bytes
 * @max_chain: ranges
 *
 * Return: true when the largest descriptor they allow fits a VMBus packet.
 */
bool vmb_external_limits_valid(u32 max_data, u32 max_chain)
{
	return max_data && max_chain && vmb_external_reserve(max_data, max_chain) < MAX_PACKET;
}

/**
 * vmb_external_room() - descriptor room of a channel's packet objects
 * @ch: the channel
 *
 * Return: vmb_external_reserve() of the channel's limits, in 8-byte units.
 */
u32 vmb_external_room(const struct vmb_channel *ch)
{
	/* the limits were checked to fit a packet: no overflow here */
	return ALIGN(vmb_external_reserve(READ_ONCE(ch->max_external_data),
					  READ_ONCE(ch->max_external_chain)),
		     sizeof(u64));
}

/* The FORCE_MDL_LENGTH window: the first element, up to its last frame's end. */
static bool first_element_window(const struct vmb_mdl *mdl, u32 offset, u32 length,
				 u32 *first, u32 *range_offset, u32 *pfns)
{
	u64 start = (u64)mdl->byte_offset + offset;
	u64 end = start + length;

	if (!length || end > (u64)mdl->pfn_count * HV_HYP_PAGE_SIZE)
		return false;
	*first = HVPFN_DOWN(start);
	*range_offset = offset_in_hvpage(start);
	*pfns = HVPFN_UP(end) - *first;
	return true;
}

/* Ranges, their bytes on the wire, and the external bytes of a send. */
static int external_shape(const struct vmb_external *ext, u32 *ranges, u32 *bytes,
			  u64 *data)
{
	u32 first, range_offset, pfns;

	if (ext->pfns) {
		if (!ext->pfn_count || ext->pfn_count > U32_MAX / HV_HYP_PAGE_SIZE)
			return -EINVAL;
		pfns = ext->pfn_count;
		*data = (u64)pfns * HV_HYP_PAGE_SIZE;
	} else if (ext->first_only) {
		if (!first_element_window(ext->mdl, ext->offset, ext->length, &first,
					  &range_offset, &pfns))
			return -EINVAL;
		*data = ext->length;
	} else {
		*data = ext->length;
		return vmb_mdl_gpa_size(ext->mdl, ext->offset, ext->length, ranges, bytes);
	}
	*ranges = 1;
	*bytes = struct_size_t(struct gpa_range, pfn_array, pfns);
	return 0;
}

/* The limits a shaped send must meet; sets the descriptor's size. */
static NTSTATUS external_limits(const struct vmb_channel *ch, u32 ranges, u32 bytes,
				u64 data, u32 inline_length, u32 *desc_size)
{
	u64 packet;

	if (data > READ_ONCE(ch->max_external_data) ||
	    ranges > READ_ONCE(ch->max_external_chain))
		return STATUS_INVALID_PARAMETER;
#ifdef VMB_MPB_SINGLE_RANGE
	if (ranges > 1)
		return STATUS_NOT_SUPPORTED;
#endif
	packet = ALIGN(DESC_HEADER + (u64)bytes + inline_length, sizeof(u64));
	/* the ring also needs the trailer and one byte never to be full */
	if (packet > MAX_PACKET ||
	    packet + sizeof(u64) >= (u64)ch->outgoing_pages * HV_HYP_PAGE_SIZE)
		return STATUS_INVALID_PARAMETER;
	*desc_size = DESC_HEADER + bytes;
	return STATUS_SUCCESS;
}

/* vmb_external_size(), also giving the range count for the builder. */
static NTSTATUS external_check(const struct vmb_channel *ch, const struct vmb_external *ext,
			       u32 inline_length, u32 *ranges, u32 *desc_size)
{
	u32 bytes;
	u64 data;

	if (external_shape(ext, ranges, &bytes, &data))
		return STATUS_INVALID_PARAMETER;
	return external_limits(ch, *ranges, bytes, data, inline_length, desc_size);
}

/**
 * vmb_external_size() - check a send's external data against the limits
 * @ch: the channel
 * @ext: the external data
 * @inline_length: bytes of inline payload that travel with it
 * @desc_size: set to the descriptor's size
 *
 * Return: STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a window outside
 * the MDL, more data or ranges than VmbChannelInitSetMaximumExternalData()
 * allows, a packet over the 512 KiB VMBus limit or larger than the outgoing
 * ring, and, on kernels whose vmbus_sendpacket_mpb_desc() forces one range,
 * STATUS_NOT_SUPPORTED for several.
 */
NTSTATUS vmb_external_size(const struct vmb_channel *ch, const struct vmb_external *ext,
			   u32 inline_length, u32 *desc_size)
{
	u32 ranges;

	return external_check(ch, ext, inline_length, &ranges, desc_size);
}

/**
 * vmb_external_build() - write the GPA-direct descriptor of a send
 * @ch: the channel
 * @ext: the external data
 * @inline_length: bytes of inline payload that travel with it
 * @desc: where to write, 8-byte aligned
 * @capacity: bytes at @desc
 * @desc_size: set to the bytes written
 *
 * The VMBus header fields are left for vmbus_sendpacket_mpb_desc() to fill.
 *
 * Context: any.
 * Return: as vmb_external_size(); STATUS_INVALID_PARAMETER too when the
 * descriptor does not fit @capacity.
 */
NTSTATUS vmb_external_build(const struct vmb_channel *ch, const struct vmb_external *ext,
			    u32 inline_length, void *desc, u32 capacity, u32 *desc_size)
{
	struct vmbus_packet_mpb_array *mpb = desc;
	u32 ranges, first, range_offset, pfns, bytes;
	struct gpa_range *range;
	NTSTATUS status;
	u64 data;

	range = (struct gpa_range *)((u8 *)desc + DESC_HEADER);
	if (!ext->pfns && !ext->first_only) {
		/* an MDL window: checked, sized and written in one pass */
		if (capacity < DESC_HEADER ||
		    vmb_mdl_gpa_build(ext->mdl, ext->offset, ext->length, range,
				      capacity - DESC_HEADER, &ranges, &bytes, &data))
			return STATUS_INVALID_PARAMETER;
		status = external_limits(ch, ranges, bytes, data, inline_length, desc_size);
		if (status)
			return status;
		memset(mpb, 0, DESC_HEADER);
		mpb->rangecount = ranges;
		return STATUS_SUCCESS;
	}

	status = external_check(ch, ext, inline_length, &ranges, desc_size);
	if (status)
		return status;
	if (*desc_size > capacity)
		return STATUS_INVALID_PARAMETER;

	memset(mpb, 0, DESC_HEADER);
	mpb->rangecount = ranges;
	if (ext->pfns) {
		range->byte_count = ext->pfn_count * HV_HYP_PAGE_SIZE;
		range->byte_offset = 0;
		memcpy(range->pfn_array, ext->pfns, ext->pfn_count * sizeof(u64));
	} else {
		first_element_window(ext->mdl, ext->offset, ext->length, &first,
				     &range_offset, &pfns);
		range->byte_count = ext->length;
		range->byte_offset = range_offset;
		memcpy(range->pfn_array, &ext->mdl->pfns[first], pfns * sizeof(u64));
	}
	return STATUS_SUCCESS;
}

/* The next range after @range, in a packed descriptor. */
static struct gpa_range *next_range(struct gpa_range *range)
{
	u32 frames = HVPFN_UP(range->byte_offset + range->byte_count);

	return (struct gpa_range *)&range->pfn_array[frames];
}

/* Frame @i of @range: its offset in the frame and its length. */
static void frame_piece(const struct gpa_range *range, u32 i, u32 *offset, u32 *len)
{
	u32 end = range->byte_offset + range->byte_count;

	*offset = i ? 0 : range->byte_offset;
	*len = min_t(u32, end - i * HV_HYP_PAGE_SIZE, HV_HYP_PAGE_SIZE) - *offset;
}

/*
 * Undo the mappings of the first @done pieces of the descriptor, in the
 * order vmb_external_map() made them. @b: the channel's memory, its lock
 * held, or NULL when the mapping used none of it; @bouncing as for
 * map_pieces().
 */
static void unmap_pieces(struct vmb_bounce *b, bool bouncing, struct device *dev,
			 struct vmbus_packet_mpb_array *mpb, u32 done)
{
	struct gpa_range *range = (struct gpa_range *)((u8 *)mpb + DESC_HEADER);
	u32 r, i, frames, offset, len;
	dma_addr_t dma;

	for (r = 0; r < mpb->rangecount && done; r++, range = next_range(range)) {
		frames = HVPFN_UP(range->byte_offset + range->byte_count);
		for (i = 0; i < frames && done; i++, done--) {
			frame_piece(range, i, &offset, &len);
			dma = ((dma_addr_t)range->pfn_array[i] << HV_HYP_PAGE_SHIFT) + offset;
			if (!b || !vmb_bounce_unmap_piece(b, dev, bouncing, dma, len))
				dma_unmap_page(dev, dma, len, DMA_BIDIRECTIONAL);
		}
	}
}

/* One piece through the DMA API; DMA_MAPPING_ERROR if it failed. */
static dma_addr_t map_piece(struct device *dev, phys_addr_t phys, u32 len)
{
	dma_addr_t dma;

	dma = dma_map_page(dev, pfn_to_page(PHYS_PFN(phys)), offset_in_page(phys), len,
			   DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, dma))
		return DMA_MAPPING_ERROR;
	/* a range names whole frames: the offset must stay */
	if (offset_in_hvpage(dma) != offset_in_hvpage(phys)) {
		dma_unmap_page(dev, dma, len, DMA_BIDIRECTIONAL);
		return DMA_MAPPING_ERROR;
	}
	return dma;
}

/*
 * vmb_external_map() with the channel's memory @b, its lock held (NULL
 * when it has none): @bouncing whether the device bounces its mappings.
 */
static NTSTATUS map_pieces(struct vmb_bounce *b, bool bouncing, struct device *dev,
			   void *desc)
{
	struct vmbus_packet_mpb_array *mpb = desc;
	struct gpa_range *range = (struct gpa_range *)((u8 *)desc + DESC_HEADER);
	u32 r, i, frames, offset, len, done = 0;
	NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
	phys_addr_t phys;
	dma_addr_t dma;

	for (r = 0; r < mpb->rangecount; r++, range = next_range(range)) {
		frames = HVPFN_UP(range->byte_offset + range->byte_count);
		for (i = 0; i < frames; i++) {
			frame_piece(range, i, &offset, &len);
			phys = ((phys_addr_t)range->pfn_array[i] << HV_HYP_PAGE_SHIFT) + offset;
			if (!pfn_valid(PHYS_PFN(phys))) {
				status = STATUS_INVALID_PARAMETER;
				goto undo;
			}
			if (!b || !vmb_bounce_map_piece(b, dev, bouncing, phys, len, &dma)) {
				dma = map_piece(dev, phys, len);
				if (dma == DMA_MAPPING_ERROR)
					goto undo;
			}
			range->pfn_array[i] = dma >> HV_HYP_PAGE_SHIFT;
			done++;
		}
	}
	return STATUS_SUCCESS;

undo:
	unmap_pieces(b, bouncing, dev, mpb, done);
	return status;
}

/**
 * vmb_external_map() - map a built descriptor's frames for the host
 * @ch: the channel, whose host-visible memory (bounce.c) maps what it can
 * @dev: the channel's VMBus device
 * @desc: a descriptor vmb_external_build() wrote, naming guest-physical
 *        frames; rewritten in place to name the frames the host may use
 *
 * Context: any (swiotlb takes only spinlocks).
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a frame that is not
 * RAM; STATUS_INSUFFICIENT_RESOURCES when the DMA API could not map a
 * piece (bounce pool full) or moved it within its frame. Nothing stays
 * mapped on failure, and the descriptor is then unusable.
 */
NTSTATUS vmb_external_map(struct vmb_channel *ch, struct device *dev, void *desc)
{
	struct vmb_bounce *b = &ch->ex.bounce;
	unsigned long irqflags;
	NTSTATUS status;

	if (likely(!vmb_bounce_active(b)))
		return map_pieces(NULL, false, dev, desc);
	spin_lock_irqsave(&b->lock, irqflags);
	status = map_pieces(b, is_swiotlb_force_bounce(dev), dev, desc);
	spin_unlock_irqrestore(&b->lock, irqflags);
	return status;
}

/**
 * vmb_external_unmap() - undo vmb_external_map()
 * @ch: the channel it was mapped for
 * @dev: the device it was mapped for
 * @desc: the mapped descriptor
 *
 * With a bounce buffer, what the host wrote is copied back to the caller's
 * pages here.
 *
 * Context: any.
 */
void vmb_external_unmap(struct vmb_channel *ch, struct device *dev, void *desc)
{
	struct vmb_bounce *b = &ch->ex.bounce;
	unsigned long irqflags;

	/* memory of its own is freed only at Cleanup, after every unmap */
	if (likely(!vmb_bounce_active(b))) {
		unmap_pieces(NULL, false, dev, desc, U32_MAX);
		return;
	}
	spin_lock_irqsave(&b->lock, irqflags);
	unmap_pieces(b, is_swiotlb_force_bounce(dev), dev, desc, U32_MAX);
	spin_unlock_irqrestore(&b->lock, irqflags);
}

/**
 * vmb_external_prepare_device() - let the DMA API keep offsets in 4 KiB
 * @dev: the channel's VMBus device
 *
 * swiotlb places a bounce copy at the same offset within a 4 KiB frame
 * only when the device's min_align_mask asks for it (storvsc sets the
 * same); hv_vmbus gives every VMBus device the dma_parms that hold it.
 *
 * Context: process.
 */
void vmb_external_prepare_device(struct device *dev)
{
	if (dev->dma_parms)
		dma_set_min_align_mask(dev, HV_HYP_PAGE_SIZE - 1);
}
