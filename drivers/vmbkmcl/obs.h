/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a channel shows of itself (Documentation/observability.rst): an id
 * and a label for debugfs and the trace events, its state, and its
 * counters, those of the send, receive, completion and retire paths alike.
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
 * The channel's counters, all of them, each named as debugfs shows it
 * (Documentation/observability.rst). They only grow while the channel
 * object lives.
 *
 * Most are written only under the lock named above them, which their path
 * holds anyway, with vmb_count() (WRITE_ONCE()), and read without a lock
 * with READ_ONCE(): no atomic operation and no lock of their own on the hot
 * paths. The last group has no such lock and is atomic.
 */
struct vmb_counters {
	/* ch->lock */
	u64 packets_sent;	/* packets written to the outgoing ring */
	u64 packets_queued;	/* sends put on the send queue */
	u64 ring_full;		/* writes refused for ring space or transaction ids */
	u64 send_errors;	/* writes failed otherwise (rescinded, broken ring) */
	u64 transactions;	/* packets written that await the host's completion */
	u64 completions_received;	/* transactions the host completed */
	u64 cancelled;		/* sends completed with STATUS_CANCELLED */
	u64 abandoned;		/* transactions whose synchronous waiter gave up */
	u64 late_completions_dropped;	/* host completions of abandoned ones */
	u64 completions_sent;	/* VM_PKT_COMP packets we wrote for host packets */
	u64 completions_queued;	/* completions that had to wait for ring space */
	/* rx_lock */
	u64 completions_read;	/* completion packets read off the incoming ring */
	u64 unknown_completions_dropped;	/* of those, naming no transaction */
	u64 packets_delivered;	/* host packets taken off the ring for ProcessPacket */
	u64 host_packets_rejected;	/* malformed host packets dropped */
	u64 quota_stops;	/* reader passes that stopped at the quota */
	u64 ring_passes;	/* reader passes over the incoming ring */
	/* rx.retire_lock */
	u64 packets_retired;	/* delivered packets completed or failed */
	/* no lock of their own */
	atomic64_t packets_failed;	/* VmbChannelPacketFail() */
	atomic64_t process_packet_calls;	/* passive redeliveries included */
	atomic64_t completions_not_sent;	/* channel closed, or the write failed */
	atomic64_t out_of_memory;	/* reader passes or spares short of memory */
	atomic64_t channel_callbacks;	/* runs of hv_vmbus's channel callback */
	atomic64_t reader_kicks;	/* runs of our own reader tasklet */
	atomic64_t passive_runs;	/* runs of the passive worker */
};

/*
 * A snapshot of struct vmb_counters, as debugfs shows it: packets_completed
 * is packets_retired less packets_failed. incoming_failed is the channel's
 * state (delivery stopped until Disable), for tests.
 */
struct vmb_counter_values {
	u64 packets_sent, packets_queued, ring_full, send_errors, transactions;
	u64 completions_received, cancelled, abandoned, late_completions_dropped;
	u64 completions_sent, completions_queued, completions_read;
	u64 unknown_completions_dropped, packets_delivered, host_packets_rejected;
	u64 quota_stops, ring_passes, packets_completed, packets_failed;
	u64 process_packet_calls, completions_not_sent, out_of_memory;
	u64 channel_callbacks, reader_kicks, passive_runs;
	bool incoming_failed;
};

struct vmb_obs {
	u32 id;			/* unique while the module is loaded */
	char label[VMB_LABEL_LEN];	/* written under ch->lock */
	enum vmb_state state;
	struct dentry *dir;	/* debugfs, under state_mutex */
	struct vmb_counters n;
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
void vmb_obs_read_counters(struct vmb_channel *ch, struct vmb_counter_values *v);

#endif /* _VMB_OBS_H */
