/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transactions: packets sent with WAIT_FOR_COMPLETION, tracked by
 * hv_vmbus's requestor until the host's completion arrives.
 */
#ifndef _VMB_TRANSACTION_H
#define _VMB_TRANSACTION_H

#include <linux/types.h>

struct vmb_channel;
struct vmb_packet;
struct vmbus_channel;

enum vmb_cancel_result {
	VMB_CANCEL_UNQUEUED,	/* was queued, never written: caller's again */
	VMB_CANCEL_ABANDONED,	/* in flight: the channel frees it later */
	VMB_CANCEL_IN_FLIGHT,	/* in flight, kept: its routine runs later */
	VMB_CANCEL_TOO_LATE,	/* its completion routine runs or ran */
};

u32 vmb_transaction_budget(u32 incoming_bytes, u32 outgoing_bytes);
u64 vmb_transaction_next_id(struct vmbus_channel *chan, u64 rqst_addr);
void vmb_transaction_start(struct vmb_channel *ch, struct vmb_packet *pkt,
			   u64 trans_id);
void vmb_transaction_complete(struct vmb_channel *ch, u64 trans_id,
			      void *payload, u32 length);
enum vmb_cancel_result vmb_transaction_cancel(struct vmb_packet *pkt, bool abandon);
void vmb_transaction_cancel_all(struct vmb_channel *ch);

#endif /* _VMB_TRANSACTION_H */
