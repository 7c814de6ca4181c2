/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host's packets are checked for before they reach a client.
 */
#ifndef _VMB_VALIDATE_H
#define _VMB_VALIDATE_H

#include <linux/hyperv.h>
#include <linux/types.h>

#include "channel.h"
#include "pipe.h"

struct vmb_mdl;

enum vmb_rx_kind {
	VMB_RX_COMPLETION,	/* of one of our transactions */
	VMB_RX_DATA,		/* for ProcessPacket */
	VMB_RX_BAD,		/* dropped */
};

enum vmb_rx_verdict {
	VMB_RX_TAKEN,
	VMB_RX_DROPPED,
	VMB_RX_NOMEM,		/* left in the ring, to be read again */
};

/* What a data packet gives its client, once checked (vmb_validate_data()). */
struct vmb_rx_data {
	u32 offset;		/* of the client's payload in the packet */
	u32 length;		/* bytes of it */
	struct vmb_mdl *mdl;	/* the external data, or NULL */
};

enum vmb_rx_verdict vmb_validate_drop(struct vmb_channel *ch,
				      const struct vmpacket_descriptor *desc,
				      const char *why);
enum vmb_rx_verdict vmb_validate_external(struct vmb_channel *ch,
					  const struct vmpacket_descriptor *desc,
					  struct vmb_rx_data *d);

/**
 * vmb_validate_kind() - what a packet is, or that it is to be dropped
 * @ch: the channel
 * @desc: the packet's private copy
 *
 * Inline: the reader calls it for every packet.
 *
 * Context: the reader, rx_lock held.
 * Return: VMB_RX_COMPLETION, VMB_RX_DATA, or VMB_RX_BAD for a packet that
 * was counted and reported as dropped.
 */
static inline enum vmb_rx_kind vmb_validate_kind(struct vmb_channel *ch,
						 const struct vmpacket_descriptor *desc)
{
	switch (desc->type) {
	case VM_PKT_COMP:
		if (desc->flags) {
			vmb_validate_drop(ch, desc, "flags on a completion");
			return VMB_RX_BAD;
		}
		return VMB_RX_COMPLETION;
	case VM_PKT_DATA_INBAND:
	case VM_PKT_DATA_USING_XFER_PAGES:
	case VM_PKT_DATA_USING_GPA_DIRECT:
		if (desc->flags & ~VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED) {
			vmb_validate_drop(ch, desc, "unknown flags");
			return VMB_RX_BAD;
		}
		return VMB_RX_DATA;
	default:
		vmb_validate_drop(ch, desc, "unknown or unsupported type");
		return VMB_RX_BAD;
	}
}

/**
 * vmb_validate_data() - check a data packet for its client
 * @ch: the channel
 * @desc: the packet's private copy, a VMB_RX_DATA packet
 * @d: receives, on VMB_RX_TAKEN, where the client's payload is and the
 *     MDL of the packet's external data, which the caller owns then
 *
 * Inline for an inband packet, the reader's common case; the other types
 * and pipe channels take vmb_validate_external().
 *
 * Context: the reader, rx_lock held; GFP_ATOMIC.
 * Return: VMB_RX_TAKEN; VMB_RX_DROPPED (counted and reported); VMB_RX_NOMEM
 * when memory ran short (nothing is consumed, the packet is read again).
 */
static inline enum vmb_rx_verdict vmb_validate_data(struct vmb_channel *ch,
						    const struct vmpacket_descriptor *desc,
						    struct vmb_rx_data *d)
{
	u32 off = desc->offset8 << 3, len = desc->len8 << 3;

	if (unlikely(!ch->process_packet))
		return vmb_validate_drop(ch, desc, "no ProcessPacket callback");
	if (unlikely(len - off > ch->rx.payload_room))
		return vmb_validate_drop(ch, desc, "payload above the maximum packet size");
	d->offset = off;
	d->length = len - off;
	d->mdl = NULL;
	if (desc->type != VM_PKT_DATA_INBAND || vmb_pipe_enabled(ch))
		return vmb_validate_external(ch, desc, d);
	return VMB_RX_TAKEN;
}

#endif /* _VMB_VALIDATE_H */
