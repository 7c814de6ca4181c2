// SPDX-License-Identifier: GPL-2.0
/*
 * The channel callback: reads the incoming ring and drains the send queue.
 *
 * The channel runs in HV_CALL_DIRECT mode, not hv_vmbus's default
 * HV_CALL_BATCHED. In batched mode vmbus_on_event() reschedules the tasklet
 * as long as unread bytes remain, and KMCL must leave packets in the ring
 * (before Started, while paused, at the transaction quota), which would
 * spin. In direct mode we mask the host's interrupts ourselves around each
 * pass (hv_begin_read()/hv_end_read()) and go round again when the host
 * wrote while we were draining.
 *
 * Completion packets of our own transactions are handled here and never
 * reach ProcessPacket. Delivery of the other packets to ProcessPacket comes
 * with the incoming-packet support; until then they are consumed and
 * dropped.
 */
#include <linux/hyperv.h>

#include "channel.h"
#include "receive.h"
#include "send.h"
#include "transaction.h"

static void dispatch(struct vmb_channel *ch,
		     const struct vmpacket_descriptor *desc)
{
	switch (desc->type) {
	case VM_PKT_COMP:
		vmb_transaction_complete(ch, desc->trans_id, hv_pkt_data(desc),
					 hv_pkt_datalen(desc));
		break;
	default:
		dev_dbg_ratelimited(vmb_channel_dev(ch),
				    "vmbkmcl: packet type %u dropped\n",
				    desc->type);
		break;
	}
}

static void poll_ring(struct vmb_channel *ch)
{
	struct hv_ring_buffer_info *inbound = &ch->chan->inbound;
	const struct vmpacket_descriptor *desc;
	unsigned int count;

	lockdep_assert_held(&ch->rx_lock);

	do {
		if (!ch->rx_enabled)
			return;
		count = 0;
		hv_begin_read(inbound);
		foreach_vmbus_pkt(desc, ch->chan) {
			dispatch(ch, desc);
			count++;
		}
		/*
		 * Unmask, then look again: the host does not signal a write
		 * into a ring it sees as non-empty. Go round only when the
		 * last pass made progress, so that a few stray bytes from a
		 * broken host cannot keep us here.
		 */
	} while (hv_end_read(inbound) && count);
}

/**
 * vmb_receive_callback() - the hv_vmbus channel callback
 * @context: the vmb_channel
 *
 * Context: softirq (hv_vmbus's per-channel tasklet).
 */
void vmb_receive_callback(void *context)
{
	struct vmb_channel *ch = context;

	spin_lock_bh(&ch->rx_lock);
	poll_ring(ch);
	spin_unlock_bh(&ch->rx_lock);

	/* the host freed ring space, or completions freed transaction ids */
	vmb_send_drain(ch);
}

/**
 * vmb_receive_start() - enable incoming delivery
 * @ch: an open channel
 *
 * Packets that arrived before are read now: the host signalled them while
 * the gate was closed, and will not signal again for a non-empty ring.
 *
 * Context: process.
 */
void vmb_receive_start(struct vmb_channel *ch)
{
	spin_lock_bh(&ch->rx_lock);
	ch->rx_enabled = true;
	poll_ring(ch);
	spin_unlock_bh(&ch->rx_lock);
	vmb_send_drain(ch);
}

/**
 * vmb_receive_stop() - stop incoming delivery
 * @ch: the channel
 *
 * Returns once no reader runs: a callback that started before sees the
 * gate closed at its next pass, and taking rx_lock waits for it.
 *
 * Context: process.
 */
void vmb_receive_stop(struct vmb_channel *ch)
{
	spin_lock_bh(&ch->rx_lock);
	ch->rx_enabled = false;
	spin_unlock_bh(&ch->rx_lock);
}
