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
 * vmb_validate_external() - the checks of vmb_validate_data() beyond inband
 * @ch: the channel
 * @desc: the packet's private copy, a VMB_RX_DATA packet whose payload fits
 * @d: as vmb_validate_data() filled it for an inband packet; this adjusts
 *     it for a pipe header and builds the MDL of external data
 *
 * Context: the reader, rx_lock held; GFP_ATOMIC.
 * Return: as vmb_validate_data().
 */
enum vmb_rx_verdict vmb_validate_external(struct vmb_channel *ch,
					  const struct vmpacket_descriptor *desc,
					  struct vmb_rx_data *d)
{
	u32 off = desc->offset8 << 3, frames = 0;
	const u8 *pkt = (const u8 *)desc;
	struct vmb_mdl *mdl = NULL;
	const char *why = NULL;
	int ret = 0;

	lockdep_assert_held(&ch->rx_lock);

	if (vmb_pipe_enabled(ch)) {
		/* a pipe carries messages only: no external data, a header first */
		if (desc->type != VM_PKT_DATA_INBAND)
			return vmb_validate_drop(ch, desc, "external data on a pipe channel");
		why = vmb_pipe_strip(pkt + off, d->length, &d->length);
		if (why)
			return vmb_validate_drop(ch, desc, why);
		d->offset = off + VMB_PIPE_HEADER;
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
	d->mdl = mdl;
	return VMB_RX_TAKEN;
}
