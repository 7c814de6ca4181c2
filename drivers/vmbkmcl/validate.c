// SPDX-License-Identifier: GPL-2.0
/*
 * The host's packets, checked before they reach a client.
 *
 * Every field the host wrote is checked before it is used, on the private
 * copy hv_pkt_iter_first() made (the host may rewrite the ring at any
 * time). hv_pkt_iter_first() already forced 16 <= offset8 * 8 <=
 * len8 * 8 <= the bytes it copied; the reader checked that len8 matches the
 * bytes the host wrote and stays within the channel's limit, the failures
 * that desynchronise the ring and stop the channel (receive.c). What is
 * left is a packet that frames correctly but says something wrong about
 * itself; such a packet is dropped, with a rate-limited message, and the
 * next one is read (Documentation/ring-protocol.rst has the formats,
 * Documentation/pitfalls.rst the cases):
 * - the type is one of inband (6), transfer pages (7), GPA direct (9) and
 *   completion (0xb), and the flags at most COMPLETION_REQUESTED (none on a
 *   completion), as OpenVMM's parser allows;
 * - the payload fits the channel's maximum packet size;
 * - GPA-direct and transfer-page packets have their 24-byte header before
 *   offset8 (OpenVMM #3692);
 * - GPA ranges: at least one, each non-empty, byte_offset below 4096
 *   (OpenVMM #1842), its HVPFN_UP(byte_offset + byte_count) frames inside
 *   the header, the ranges filling the header exactly, every frame guest
 *   RAM, no more bytes in all than the channel's maximum external data
 *   (VmbChannelInitSetMaximumExternalData(), which bounds both directions)
 *   and no more than VMB_RX_MAX_SEGMENTS frames;
 * - transfer-page ranges: see xfer.c;
 * - on a pipe channel: inband only, and a pipe header that fits (pipe.c).
 * Offsets computed from host values are clamped with array_index_nospec()
 * before they address anything, against speculation past the check.
 */
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>

#include "channel.h"
#include "completion.h"
#include "mdl.h"
#include "pipe.h"
#include "receive.h"
#include "validate.h"
#include "xfer.h"

/*
 * Where the GPA ranges start: descriptor, reserved word, range count (the
 * layout of struct vmdata_gpa_direct, whose range[1] is an array of
 * flexible structures, so its own offsetof() is not used).
 */
#define GPA_HEADER	offsetof(struct vmbus_packet_mpb_array, range)

enum vmb_rx_verdict vmb_validate_drop(struct vmb_channel *ch,
				      const struct vmpacket_descriptor *desc,
				      const char *why)
{
	vmb_count(&ch->obs.n.host_packets_rejected);
	dev_warn_ratelimited(vmb_channel_dev(ch),
			     "vmbkmcl: host packet dropped (type %u, flags %#x, %u bytes): %s\n",
			     desc->type, desc->flags, desc->len8 << 3, why);
	return VMB_RX_DROPPED;
}

static bool guest_ram(u64 hvpfn)
{
	/* the frame's address must not overflow, then name a page we have */
	if (hvpfn > (U64_MAX >> HV_HYP_PAGE_SHIFT))
		return false;
	return pfn_valid(PHYS_PFN((phys_addr_t)hvpfn << HV_HYP_PAGE_SHIFT));
}

/*
 * Check the GPA ranges in [GPA_HEADER, end) of @pkt and count their frames.
 * Return: NULL, or why the packet is to be dropped.
 */
static const char *gpa_check(const struct vmb_channel *ch, const u8 *pkt, u32 end,
			     u32 *frames)
{
	const struct vmbus_packet_mpb_array *hdr = (const void *)pkt;
	u32 count = hdr->rangecount, pos = GPA_HEADER, i, k;
	const struct gpa_range *range;
	u64 pfns, bytes = 0;

	*frames = 0;
	if (!count)
		return "GPA-direct packet without a range";
	for (i = 0; i < count; i++) {
		if (end - pos < sizeof(*range))
			return "GPA range beyond the header";
		range = (const void *)(pkt + array_index_nospec(pos, end));
		if (!range->byte_count)
			return "empty GPA range";
		if (range->byte_offset >= HV_HYP_PAGE_SIZE)
			return "GPA range byte_offset past its first frame";
		bytes += range->byte_count;
		pfns = HVPFN_UP((u64)range->byte_offset + range->byte_count);
		pos += sizeof(*range);
		if (pfns > (end - pos) / sizeof(u64))
			return "GPA range frames beyond the header";
		for (k = 0; k < pfns; k++, pos += sizeof(u64))
			if (!guest_ram(*(const u64 *)(pkt + array_index_nospec(pos, end))))
				return "GPA range frame is not guest RAM";
		*frames += pfns;
	}
	if (pos != end)
		return "GPA ranges do not fill the header";
	if (bytes > READ_ONCE(ch->max_external_data))
		return "more external data than the channel's maximum";
	if (*frames > VMB_RX_MAX_SEGMENTS)
		return "too many GPA frames";
	return NULL;
}

/* The MDL of checked GPA ranges: one segment per frame, merged by the builder. */
static int gpa_mdl(const u8 *pkt, u32 frames, struct vmb_mdl **out)
{
	const struct vmbus_packet_mpb_array *hdr = (const void *)pkt;
	u32 pos = GPA_HEADER, i, k, n = 0, left, offset, len;
	const struct gpa_range *range;
	struct vmb_mdl_seg *segs;
	struct vmb_mdl *mdl;

	segs = kmalloc_array(frames, sizeof(*segs), GFP_ATOMIC | __GFP_NOWARN);
	if (!segs)
		return -ENOMEM;
	for (i = 0; i < hdr->rangecount; i++) {
		range = (const void *)(pkt + pos);
		left = range->byte_count;
		offset = range->byte_offset;
		for (k = 0; left; k++, offset = 0, left -= len) {
			len = min_t(u32, left, HV_HYP_PAGE_SIZE - offset);
			segs[n].addr = ((phys_addr_t)range->pfn_array[k] << HV_HYP_PAGE_SHIFT) +
				       offset;
			segs[n++].len = len;
		}
		pos += sizeof(*range) + k * sizeof(u64);
	}
	mdl = vmb_mdl_from_segments(segs, n, GFP_ATOMIC | __GFP_NOWARN);
	kfree(segs);
	if (IS_ERR(mdl))
		return PTR_ERR(mdl);
	*out = mdl;
	return 0;
}

/**
 * vmb_validate_take() - check a data packet and give it a packet object
 * @ch: the channel
 * @desc: the packet's private copy, a VMB_RX_DATA packet
 * @keep: the client is expected to keep the packet past ProcessPacket
 * @out: receives the packet object on VMB_RX_TAKEN
 *
 * A packet that hv_vmbus copied into the reader's spare object (receive.c)
 * takes that object as it is, unless it is expected to be kept and its
 * payload would fit an object of half the spare's size or less: a packet
 * the client keeps should not hold memory sized for the largest one. That
 * payload, and one in hv_vmbus's own buffer, is copied into an object of
 * its size, or of the maximum packet size if it asked for a completion
 * (which may have to wait in it for ring space).
 *
 * Context: the reader, rx_lock held; GFP_ATOMIC.
 * Return: VMB_RX_TAKEN; VMB_RX_DROPPED (counted and reported); VMB_RX_NOMEM
 * when memory ran short (nothing is consumed, the packet is read again).
 */
enum vmb_rx_verdict vmb_validate_take(struct vmb_channel *ch,
				      const struct vmpacket_descriptor *desc, bool keep,
				      struct vmb_packet_completion **out)
{
	u32 len = desc->len8 << 3, off = desc->offset8 << 3, frames = 0, room;
	u32 data_off = off, data_len = len - off;
	struct vmb_packet_completion *pc = ch->rx.spare;
	const u8 *pkt = (const u8 *)desc;
	struct vmb_mdl *mdl = NULL;
	const char *why = NULL;
	bool in_spare;
	int ret = 0;

	lockdep_assert_held(&ch->rx_lock);

	if (!ch->process_packet)
		return vmb_validate_drop(ch, desc, "no ProcessPacket callback");
	if (len - off > ch->rx.payload_room)
		return vmb_validate_drop(ch, desc, "payload above the maximum packet size");
	if (vmb_pipe_enabled(ch)) {
		/* a pipe carries messages only: no external data, a header first */
		if (desc->type != VM_PKT_DATA_INBAND)
			return vmb_validate_drop(ch, desc, "external data on a pipe channel");
		why = vmb_pipe_strip(pkt + off, len - off, &data_len);
		if (why)
			return vmb_validate_drop(ch, desc, why);
		data_off = off + VMB_PIPE_HEADER;
	}

	switch (desc->type) {
	case VM_PKT_DATA_USING_GPA_DIRECT:
		if (off < GPA_HEADER)
			return vmb_validate_drop(ch, desc, "GPA-direct header cut short");
		why = gpa_check(ch, pkt, off, &frames);
		break;
	case VM_PKT_DATA_USING_XFER_PAGES:
		/* checked, looked up and built in one go, under the sets' lock */
		ret = vmb_xfer_mdl(ch, desc, &mdl, &why);
		if (ret == -ENOMEM)
			return VMB_RX_NOMEM;
		break;
	}
	if (why)
		return vmb_validate_drop(ch, desc, why);

	if (frames) {
		ret = gpa_mdl(pkt, frames, &mdl);
		if (ret == -ENOMEM)
			return VMB_RX_NOMEM;
		if (ret)
			return vmb_validate_drop(ch, desc, "GPA ranges beyond what an MDL holds");
	}

	/*
	 * A completion that waits for ring space waits in the packet's object:
	 * one that asked for a completion gets room for the largest, so that
	 * waiting needs no allocation and cannot fail.
	 */
	room = data_len;
	if (desc->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
		room = max_t(u32, room, ch->rx.payload_room);

	in_spare = pc && pkt == pc->data;
	if (likely(in_spare) && (!keep || !vmb_completion_fits(ch, room))) {
		/* hv_vmbus copied it into the spare: it stays where it is */
		ch->rx.spare = NULL;
		pc->payload = pc->data + data_off;
	} else {
		pc = vmb_completion_alloc(ch, vmb_completion_room(room), GFP_ATOMIC);
		if (pc) {
			pc->payload = pc->data;
			memcpy(pc->data, pkt + data_off, data_len);
		} else if (in_spare) {
			/* no memory for the small one: the spare as it is */
			pc = ch->rx.spare;
			ch->rx.spare = NULL;
			pc->payload = pc->data + data_off;
		} else {
			vmb_mdl_free(mdl);
			return VMB_RX_NOMEM;
		}
	}
	pc->type = desc->type;
	pc->trans_id = desc->trans_id;
	pc->wants_completion = desc->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	pc->length = data_len;
	pc->mdl = mdl;
	if (mdl)
		pc->flags = VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA;
	*out = pc;
	return VMB_RX_TAKEN;
}
