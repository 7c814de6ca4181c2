// SPDX-License-Identifier: GPL-2.0
/*
 * Transfer-page packets (type 7, Documentation/ring-protocol.rst): the host
 * sends data by reference, as byte ranges of a buffer the guest shared earlier
 * (netvsc's receive buffer), and the guest completes the packet to give the
 * ranges back. The packet names the buffer with a 16-bit transfer page set id.
 * vmbkmcl takes that id as the low 16 bits of the handle of a GPADL the channel
 * created (VmbChannelCreateGpadlFromBuffer() or ...FromMdl()), and
 * VmbChannelPacketGetExternalData() gives the ranges as an MDL of that GPADL's
 * memory.
 *
 * The GPADLs are registered here when created and forgotten before they are
 * torn down, under a spinlock, because packets are read in softirq context.
 * A packet's ranges are checked overflow-safe against its GPADL's size
 * (netvsc's checks, netvsc.c, are the template: header within offset8,
 * known set, offset <= size && count <= size - offset).
 */
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "channel.h"
#include "mdl.h"
#include "receive.h"
#include "xfer.h"

#define XFER_HEADER	offsetof(struct vmtransfer_page_packet_header, ranges)

/**
 * vmb_xfer_init() - a new channel has no transfer-page sets
 * @ch: the channel, zeroed
 *
 * Context: process.
 */
void vmb_xfer_init(struct vmb_channel *ch)
{
	spin_lock_init(&ch->xfer.lock);
	INIT_LIST_HEAD(&ch->xfer.sets);
}

/**
 * vmb_xfer_add() - a GPADL transfer-page packets may point into
 * @ch: the channel
 * @handle: the GPADL's handle
 * @buffer: its memory, linear-mapped or vmalloc'd (vmap'd)
 * @size: bytes
 *
 * Context: process; may sleep (a small allocation that does not fail).
 */
void vmb_xfer_add(struct vmb_channel *ch, u32 handle, void *buffer, u32 size)
{
	struct vmb_xfer_set *set = kmalloc(sizeof(*set), GFP_KERNEL | __GFP_NOFAIL);
	unsigned long flags;

	set->handle = handle;
	set->buffer = buffer;
	set->size = size;
	spin_lock_irqsave(&ch->xfer.lock, flags);
	list_add_tail(&set->link, &ch->xfer.sets);
	spin_unlock_irqrestore(&ch->xfer.lock, flags);
}

/**
 * vmb_xfer_remove() - forget a GPADL
 * @ch: the channel
 * @handle: the GPADL's handle
 *
 * Once this returns no new packet points into it; packets that did keep
 * their MDL, which describes memory the caller must not free before
 * completing them.
 *
 * Context: process.
 */
void vmb_xfer_remove(struct vmb_channel *ch, u32 handle)
{
	struct vmb_xfer_set *set, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&ch->xfer.lock, flags);
	list_for_each_entry(set, &ch->xfer.sets, link) {
		if (set->handle == handle) {
			list_del(&set->link);
			found = set;
			break;
		}
	}
	spin_unlock_irqrestore(&ch->xfer.lock, flags);
	kfree(found);
}

void vmb_xfer_clear(struct vmb_channel *ch)
{
	struct vmb_xfer_set *set, *tmp;
	unsigned long flags;
	LIST_HEAD(list);

	spin_lock_irqsave(&ch->xfer.lock, flags);
	list_splice_init(&ch->xfer.sets, &list);
	spin_unlock_irqrestore(&ch->xfer.lock, flags);
	list_for_each_entry_safe(set, tmp, &list, link)
		kfree(set);
}

static struct vmb_xfer_set *find_set(struct vmb_channel *ch, u16 id)
{
	struct vmb_xfer_set *set;

	lockdep_assert_held(&ch->xfer.lock);
	list_for_each_entry(set, &ch->xfer.sets, link)
		if ((u16)set->handle == id)
			return set;
	return NULL;
}

static phys_addr_t buffer_phys(const u8 *va)
{
	if (is_vmalloc_addr(va))
		return page_to_phys(vmalloc_to_page(va)) + offset_in_page(va);
	return virt_to_phys((void *)va);
}

/* Segments of [offset, offset + count) of @set, page by page. */
static u32 range_segments(const struct vmb_xfer_set *set, u32 offset, u32 count,
			  struct vmb_mdl_seg *segs)
{
	const u8 *va = (const u8 *)set->buffer + array_index_nospec(offset, set->size);
	u32 n = 0, len;

	for (; count; count -= len, va += len) {
		len = min_t(u32, count, PAGE_SIZE - offset_in_page(va));
		segs[n].addr = buffer_phys(va);
		segs[n++].len = len;
	}
	return n;
}

/**
 * vmb_xfer_mdl() - check a transfer-page packet and describe its ranges
 * @ch: the channel
 * @desc: the packet's private copy
 * @mdl: receives the MDL
 * @why: receives why the packet is to be dropped
 *
 * Context: the reader, rx_lock held; GFP_ATOMIC.
 * Return: 0 with *@mdl set; -EINVAL with *@why set; -ENOMEM.
 */
int vmb_xfer_mdl(struct vmb_channel *ch, const struct vmpacket_descriptor *desc,
		 struct vmb_mdl **mdl, const char **why)
{
	const struct vmtransfer_page_packet_header *hdr = (const void *)desc;
	const struct vmtransfer_page_range *ranges, *range;
	u32 off = desc->offset8 << 3, count, room, i, n = 0;
	u64 bytes = 0, segs_max = 0;
	const struct vmb_xfer_set *set;
	struct vmb_mdl_seg *segs;
	struct vmb_mdl *built;
	unsigned long flags;
	int ret = -EINVAL;

	lockdep_assert_held(&ch->rx_lock);

	if (off < XFER_HEADER) {
		*why = "transfer-page header cut short";
		return -EINVAL;
	}
	count = hdr->range_cnt;
	room = (off - XFER_HEADER) / sizeof(*range);
	if (!count) {
		*why = "transfer-page packet without a range";
		return -EINVAL;
	}
	if (count > room) {
		*why = "transfer-page ranges beyond the header";
		return -EINVAL;
	}

	/* a flexible array only from 6.12 on: address the ranges ourselves */
	ranges = (const void *)((const u8 *)desc + XFER_HEADER);

	spin_lock_irqsave(&ch->xfer.lock, flags);
	set = find_set(ch, hdr->xfer_pageset_id);
	if (!set) {
		*why = "unknown transfer page set";
		goto unlock;
	}
	for (i = 0; i < count; i++) {
		range = &ranges[array_index_nospec(i, room)];
		if (!range->byte_count) {
			*why = "empty transfer-page range";
			goto unlock;
		}
		/* offset + count may wrap a u32: compare against what is left */
		if (range->byte_offset > set->size ||
		    range->byte_count > set->size - range->byte_offset) {
			*why = "transfer-page range outside its GPADL";
			goto unlock;
		}
		bytes += range->byte_count;
		segs_max += range->byte_count / PAGE_SIZE + 2;
	}
	if (bytes > READ_ONCE(ch->max_external_data)) {
		*why = "more external data than the channel's maximum";
		goto unlock;
	}
	if (segs_max > VMB_RX_MAX_SEGMENTS) {
		*why = "too many transfer-page ranges";
		goto unlock;
	}

	ret = -ENOMEM;
	segs = kmalloc_array(segs_max, sizeof(*segs), GFP_ATOMIC | __GFP_NOWARN);
	if (!segs)
		goto unlock;
	for (i = 0; i < count; i++) {
		range = &ranges[array_index_nospec(i, room)];
		n += range_segments(set, range->byte_offset, range->byte_count, segs + n);
	}
	built = vmb_mdl_from_segments(segs, n, GFP_ATOMIC | __GFP_NOWARN);
	kfree(segs);
	if (IS_ERR(built)) {
		ret = PTR_ERR(built);
		if (ret != -ENOMEM)
			*why = "transfer-page ranges beyond what an MDL holds";
		goto unlock;
	}
	*mdl = built;
	ret = 0;
unlock:
	spin_unlock_irqrestore(&ch->xfer.lock, flags);
	return ret;
}
