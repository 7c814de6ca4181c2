/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a channel shows of itself (Documentation/observability.rst): an id
 * and a label for debugfs and the trace events, its state, and the counters
 * of the send, completion and retire paths. The incoming reader keeps its
 * own counters (struct vmb_rx_stats).
 */
#ifndef _VMB_OBS_H
#define _VMB_OBS_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/types.h>

struct dentry;
struct vmb_channel;

/*
 * The channel's state, as debugfs and vmb_state_change name it. Changes
 * only under state_mutex (vmb_obs_set_state()); readers take it with
 * READ_ONCE(), one word, and never wait behind a slow Opened callback.
 */
enum vmb_state {
	VMB_STATE_DISABLED,	/* not enabled: new, after Disable, after a failed Enable */
	VMB_STATE_WAITING,	/* enabled, no offer bound yet (binding by class GUID) */
	VMB_STATE_OPENING,	/* vmbus_open() done, Opened running */
	VMB_STATE_OPEN,		/* Opened and Started ran, incoming delivery on */
	VMB_STATE_PAUSED,	/* enabled and open, incoming delivery paused */
	VMB_STATE_CLOSING,	/* Suspend, waiting for delivered packets, Closed, vmbus_close() */
};

/* The label: the friendly name, cut to fit, or "ch<id>" without one. */
#define VMB_LABEL_LEN	32

/*
 * Counters. Each one is written only under the lock named above it, which
 * its path holds anyway, with WRITE_ONCE(), and read without a lock with
 * READ_ONCE(): no atomic operation and no lock of their own on the hot
 * paths. They only grow while the channel object lives.
 */
struct vmb_counters {
	/* ch->lock */
	u64 sent;		/* packets written to the outgoing ring */
	u64 queued;		/* sends put on the send queue */
	u64 ring_full;		/* writes refused for ring space or transaction ids */
	u64 send_errors;	/* writes failed otherwise (rescinded, broken ring) */
	u64 transactions;	/* packets written that await the host's completion */
	u64 completed;		/* transactions the host completed */
	u64 cancelled;		/* sends completed with STATUS_CANCELLED */
	u64 abandoned;		/* transactions whose synchronous waiter gave up */
	u64 late;		/* host completions of abandoned transactions, dropped */
	/* rx_lock */
	u64 unknown;		/* host completions naming no transaction, dropped */
	u64 taken;		/* host packets taken off the ring for ProcessPacket */
	/* rx.retire_lock */
	u64 retired;		/* delivered packets completed or failed by the client */
};

struct vmb_obs {
	u32 id;			/* unique while the module is loaded */
	char label[VMB_LABEL_LEN];	/* written under ch->lock */
	enum vmb_state state;
	struct dentry *dir;	/* debugfs, under state_mutex */
	struct vmb_counters n;
	atomic64_t failed;	/* VmbChannelPacketFail(): rare, no lock of its own */
};

/* One more on @counter; the caller holds the lock it is kept under. */
static inline void vmb_count(u64 *counter)
{
	WRITE_ONCE(*counter, *counter + 1);
}

void vmb_obs_channel_add(struct vmb_channel *ch);
void vmb_obs_channel_rename(struct vmb_channel *ch);
void vmb_obs_channel_remove(struct vmb_channel *ch);
void vmb_obs_set_state(struct vmb_channel *ch, enum vmb_state state);
const char *vmb_state_name(enum vmb_state state);

#endif /* _VMB_OBS_H */
