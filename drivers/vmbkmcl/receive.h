/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Incoming delivery: the channel callback, the reader of the incoming ring,
 * the transaction quota, Pause and Start.
 */
#ifndef _VMB_RECEIVE_H
#define _VMB_RECEIVE_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <vmbkmcl.h>

/*
 * Most pieces of memory one received packet's external data may come in:
 * bounds the segment array built in atomic context (128 KiB).
 */
#define VMB_RX_MAX_SEGMENTS	8192

struct list_head;
struct vmb_channel;
struct vmb_packet_completion;

/*
 * The incoming side of a channel, besides rx_lock, rx_enabled,
 * rx_outstanding and rx_wait in struct vmb_channel.
 */
struct vmb_rx {
	/* set by vmb_receive_prepare() while Disabled */
	u32 limit;		/* largest packet accepted, descriptor included */
	u32 payload_room;	/* largest payload accepted, 8-byte multiple */
	u32 buffer_size;	/* a completion object's packet room, before the context */
	u32 context_size;	/* client context bytes after the packet room */
	/*
	 * The next packet's copy buffer, a packet object of buffer_size
	 * room; rx_lock, receive.c's alone. Allocated by
	 * vmb_receive_prepare(), and again by the retry work when a packet
	 * kept it.
	 */
	struct vmb_packet_completion *spare;
	bool keeps;		/* the client kept the last packet past its call; rx_lock */

	bool paused;		/* VmbChannelPause() until VmbChannelStart(); state_mutex */
	bool passive;		/* ProcessPacket in process context; rx_lock */
	bool failed;		/* delivery stopped until Disable; rx_lock */
	u32 quota;		/* 0: none */
	atomic_t blocked;	/* the reader stopped at the quota */

	struct tasklet_struct tasklet;	/* re-runs the reader */
	struct delayed_work retry;	/* a new spare; a read after memory ran short */
	unsigned long retry_read;	/* the retry's work: RX_RETRY_* bits */

	/* rx_outstanding drops, and its waiters find it zero, under it */
	spinlock_t retire_lock;
};

void vmb_receive_init(struct vmb_channel *ch);
NTSTATUS vmb_receive_prepare(struct vmb_channel *ch);
u32 vmb_receive_buffer_size(const struct vmb_channel *ch);
void vmb_receive_resume(struct vmb_channel *ch);
void vmb_receive_suspend(struct vmb_channel *ch);
void vmb_receive_release(struct vmb_channel *ch);
void vmb_receive_cleanup(struct vmb_channel *ch);

void vmb_receive_callback(void *context);
void vmb_receive_kick(struct vmb_channel *ch);
u32 vmb_receive_pull(struct vmb_channel *ch, struct list_head *batch, u32 max);
void vmb_receive_retire(struct vmb_channel *ch);

#endif /* _VMB_RECEIVE_H */
