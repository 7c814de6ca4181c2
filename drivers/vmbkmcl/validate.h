/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host's packets are checked for before they reach a client.
 */
#ifndef _VMB_VALIDATE_H
#define _VMB_VALIDATE_H

#include <linux/hyperv.h>
#include <linux/types.h>

struct vmb_channel;
struct vmb_packet_completion;

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

enum vmb_rx_verdict vmb_validate_drop(struct vmb_channel *ch,
				      const struct vmpacket_descriptor *desc,
				      const char *why);
enum vmb_rx_verdict vmb_validate_take(struct vmb_channel *ch,
				      const struct vmpacket_descriptor *desc, bool keep,
				      struct vmb_packet_completion **out);

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

#endif /* _VMB_VALIDATE_H */
