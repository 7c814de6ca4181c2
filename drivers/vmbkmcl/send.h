/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing packets to the outgoing ring, and the FIFO of packets waiting for
 * room in it.
 */
#ifndef _VMB_SEND_H
#define _VMB_SEND_H

#include <vmbkmcl.h>

struct vmb_channel;
struct vmb_external;
struct vmb_packet;

/*
 * What to do with a packet that cannot go to the ring now. A synchronous
 * request is never queued on a channel that is not open: it would sit there
 * until the next Enable, and KMCL reports STATUS_DEVICE_REMOVED instead.
 */
enum vmb_send_mode {
	VMB_SEND_QUEUE,		/* always queue: VmbPacketSend() */
	VMB_SEND_IF_OPEN,	/* queue while open, else STATUS_DEVICE_REMOVED */
	VMB_SEND_TRY,		/* never queue: STATUS_BUFFER_OVERFLOW when full */
};

NTSTATUS vmb_send_submit(struct vmb_packet *pkt, const void *buffer, u32 length,
			 const struct vmb_external *ext, u32 flags,
			 enum vmb_send_mode mode);
void vmb_send_drain(struct vmb_channel *ch);
void vmb_send_cancel_all(struct vmb_channel *ch);

#endif /* _VMB_SEND_H */
