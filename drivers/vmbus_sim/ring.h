/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's half of the ring protocol, as hv_vmbus's ring_buffer.c has it:
 * the double-mapped rings, the writer and the copying reader.
 */
#ifndef _VMBUS_SIM_RING_H
#define _VMBUS_SIM_RING_H

#include <linux/hyperv.h>
#include <linux/uio.h>

/* Every packet is followed by 8 bytes: (u64)start_write_index << 32. */
#define VMBUS_SIM_PKT_TRAILER	8

int vmbus_sim_ring_init(struct hv_ring_buffer_info *rbi, struct page *pages,
			u32 page_cnt, u32 max_pkt_size);
void vmbus_sim_ring_cleanup(struct hv_ring_buffer_info *rbi);
int vmbus_sim_ring_write(struct vmbus_channel *channel, const struct kvec *kv,
			 u32 kv_count, u64 requestid, u64 *trans_id);
int vmbus_sim_ring_read(struct vmbus_channel *channel, void *buffer, u32 buflen,
			u32 *buffer_actual_len, u64 *requestid, bool raw);

#endif /* _VMBUS_SIM_RING_H */
