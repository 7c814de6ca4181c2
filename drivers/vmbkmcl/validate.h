/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host's packets are checked for before they reach a client.
 */
#ifndef _VMB_VALIDATE_H
#define _VMB_VALIDATE_H

#include <linux/types.h>

struct vmb_channel;
struct vmb_packet_completion;
struct vmpacket_descriptor;

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

enum vmb_rx_kind vmb_validate_kind(struct vmb_channel *ch,
				   const struct vmpacket_descriptor *desc);
enum vmb_rx_verdict vmb_validate_take(struct vmb_channel *ch,
				      const struct vmpacket_descriptor *desc,
				      struct vmb_packet_completion **out);
enum vmb_rx_verdict vmb_validate_drop(struct vmb_channel *ch,
				      const struct vmpacket_descriptor *desc,
				      const char *why);

#endif /* _VMB_VALIDATE_H */
