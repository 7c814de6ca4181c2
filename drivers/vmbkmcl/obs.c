// SPDX-License-Identifier: GPL-2.0
/*
 * A channel's id, label and state, for debugfs (debugfs.c) and the trace
 * events (trace.h).
 *
 * The label names the channel in trace output: its friendly name, cut to
 * VMB_LABEL_LEN - 1 bytes, or "ch<id>" until it has one. It is written
 * under the channel's lock, so a send traced under that lock (a packet may
 * be queued while the channel is Disabled, when the name may change) never
 * sees it half written.
 */
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/lockdep.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "channel.h"
#include "debugfs.h"
#include "obs.h"
#include "trace.h"

static atomic_t channel_ids = ATOMIC_INIT(0);

static const char *const state_names[] = {
	[VMB_STATE_DISABLED] = "Disabled",
	[VMB_STATE_WAITING] = "Waiting",
	[VMB_STATE_OPENING] = "Opening",
	[VMB_STATE_OPEN] = "Open",
	[VMB_STATE_PAUSED] = "Paused",
	[VMB_STATE_CLOSING] = "Closing",
};

const char *vmb_state_name(enum vmb_state state)
{
	if ((unsigned int)state >= ARRAY_SIZE(state_names))
		return "Unknown";
	return state_names[state];
}

static void set_label(struct vmb_channel *ch)
{
	unsigned long irqflags;

	spin_lock_irqsave(&ch->lock, irqflags);
	if (ch->friendly_name)
		strscpy(ch->obs.label, ch->friendly_name, sizeof(ch->obs.label));
	else
		snprintf(ch->obs.label, sizeof(ch->obs.label), "ch%u", ch->obs.id);
	spin_unlock_irqrestore(&ch->lock, irqflags);
}

/**
 * vmb_obs_channel_add() - give a new channel its id, label and debugfs
 * directory
 * @ch: the channel, its locks initialised
 *
 * Context: process.
 */
void vmb_obs_channel_add(struct vmb_channel *ch)
{
	ch->obs.id = atomic_inc_return(&channel_ids);
	ch->obs.state = VMB_STATE_DISABLED;
	memset(&ch->obs.n, 0, sizeof(ch->obs.n));
	set_label(ch);
	/* nobody else knows the channel yet */
	vmb_debugfs_channel_add(ch);
}

/**
 * vmb_obs_channel_rename() - the friendly name changed
 * @ch: the channel
 *
 * Context: process; state_mutex held.
 */
void vmb_obs_channel_rename(struct vmb_channel *ch)
{
	lockdep_assert_held(&ch->state_mutex);

	set_label(ch);
	vmb_debugfs_channel_rename(ch);
}

/**
 * vmb_obs_channel_remove() - the channel object is about to be freed
 * @ch: the channel
 *
 * Returns once no debugfs reader uses the channel any more.
 *
 * Context: process; state_mutex not held (a reader may wait for it).
 */
void vmb_obs_channel_remove(struct vmb_channel *ch)
{
	vmb_debugfs_channel_remove(ch);
}

/**
 * vmb_obs_set_state() - the channel moved to @state
 * @ch: the channel
 * @state: its new state
 *
 * Context: state_mutex held.
 */
void vmb_obs_set_state(struct vmb_channel *ch, enum vmb_state state)
{
	enum vmb_state old = ch->obs.state;

	lockdep_assert_held(&ch->state_mutex);

	if (old == state)
		return;
	WRITE_ONCE(ch->obs.state, state);
	trace_vmb_state_change(ch, old, state);
}

/**
 * vmb_obs_read_counters() - a snapshot of a channel's counters
 * @ch: the channel
 * @v: filled in
 *
 * Each counter is read once, without a lock; packets_failed before
 * packets_retired, since a failed packet is counted there first.
 *
 * Context: any.
 */
void vmb_obs_read_counters(struct vmb_channel *ch, struct vmb_counter_values *v)
{
	const struct vmb_counters *n = &ch->obs.n;
	u64 retired;

	v->packets_failed = atomic64_read(&n->packets_failed);
	retired = READ_ONCE(n->packets_retired);
	v->packets_completed = retired - min(v->packets_failed, retired);

	v->packets_sent = READ_ONCE(n->packets_sent);
	v->packets_queued = READ_ONCE(n->packets_queued);
	v->ring_full = READ_ONCE(n->ring_full);
	v->send_errors = READ_ONCE(n->send_errors);
	v->transactions = READ_ONCE(n->transactions);
	v->completions_received = READ_ONCE(n->completions_received);
	v->cancelled = READ_ONCE(n->cancelled);
	v->abandoned = READ_ONCE(n->abandoned);
	v->late_completions_dropped = READ_ONCE(n->late_completions_dropped);
	v->completions_sent = READ_ONCE(n->completions_sent);
	v->completions_queued = READ_ONCE(n->completions_queued);
	v->completions_read = READ_ONCE(n->completions_read);
	v->unknown_completions_dropped = READ_ONCE(n->unknown_completions_dropped);
	v->packets_delivered = READ_ONCE(n->packets_delivered);
	v->host_packets_rejected = READ_ONCE(n->host_packets_rejected);
	v->quota_stops = READ_ONCE(n->quota_stops);
	v->ring_passes = READ_ONCE(n->ring_passes);
	v->process_packet_calls = atomic64_read(&n->process_packet_calls);
	v->completions_not_sent = atomic64_read(&n->completions_not_sent);
	v->out_of_memory = atomic64_read(&n->out_of_memory);
	v->channel_callbacks = atomic64_read(&n->channel_callbacks);
	v->reader_kicks = atomic64_read(&n->reader_kicks);
	v->passive_runs = atomic64_read(&n->passive_runs);
	v->incoming_failed = READ_ONCE(ch->rx.failed);
}
EXPORT_SYMBOL_IF_KUNIT(vmb_obs_read_counters);
