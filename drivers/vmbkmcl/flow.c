// SPDX-License-Identifier: GPL-2.0
/*
 * Flow control of the outgoing ring: the one owner of pending_send_sz.
 *
 * hv_vmbus never waits for ring space: a write that does not fit returns
 * -EAGAIN. Two queues of ours wait instead, each in order: the send queue
 * (send.c) and the completion queue (completion.c). The ring header has one
 * pending_send_sz, and the host signals the channel once, when a read takes
 * the free space from not more than it to more than it
 * (Documentation/ring-protocol.rst, "Flow control"). This file decides what
 * the request is, for both queues:
 *
 * - a queue whose write failed for room calls vmb_flow_wait() with the ring
 *   bytes its head needs, then writes again (the host may have drained the
 *   ring before it could see the request: the lost wake-up);
 * - the request is the smallest need of the two: the host signals when the
 *   first of them can go, and the callback runs both queues
 *   (vmb_flow_run()); one that still does not fit waits again;
 * - a queue that emptied calls vmb_flow_done(); the request becomes the
 *   other queue's need, or 0;
 * - whenever the request grows, a queue whose need the free space already
 *   exceeds would never see its crossing: the host passed it while it asked
 *   for less. The recheck work runs the queues then, as the signal would.
 *
 * A send that takes a transaction id and failed with room in the ring
 * failed for the id (the requestor is full), not for room: it waits without
 * a need, and the completion that frees an id runs the queues (the reader
 * calls vmb_flow_run() after every pass). The room seen under the channel lock
 * only grows until that lock is dropped, since only its holder writes the
 * ring, so a write that fails after the room was seen sufficient failed
 * for an id. Such a send must not ask for room the ring has: a request the
 * free space already exceeds is never crossed, and a completion waiting
 * behind it would wait for nothing.
 *
 * No poll backs this up: every wait ends with a host signal, a completion
 * of ours read from the ring, or the recheck.
 */
#include <linux/hyperv.h>
#include <linux/workqueue.h>

#include "channel.h"
#include "completion.h"
#include "flow.h"
#include "send.h"

/* Free bytes of the outgoing ring as the host left them; 0 when out of range. */
static u32 ring_room(const struct vmb_channel *ch)
{
	const struct hv_ring_buffer_info *rbi = &ch->chan->outbound;
	u32 read = READ_ONCE(rbi->ring_buffer->read_index);

	if (read >= rbi->ring_datasize)
		return 0;
	return hv_get_bytes_to_write(rbi);
}

/*
 * Set pending_send_sz to the smaller need (0 is none: 0 - 1 is the largest
 * u32). A write needs more free bytes than it takes, and the host signals
 * on more than pending_send_sz free: a need is the packet's ring bytes.
 * @other is the need of the queue that does not write again itself now.
 */
static void ask(struct vmb_channel *ch, u32 other)
{
	struct vmb_flow *f = &ch->flow;
	u32 want;

	lockdep_assert_held(&ch->lock);

	want = min(f->need[VMB_FLOW_SEND] - 1, f->need[VMB_FLOW_COMP] - 1) + 1;
	if (want == f->asked)
		return;
	f->asked = want;
	set_channel_pending_send_size(ch->chan, want);
	if (!want)
		return;
	/* the pending_send_sz store before the host's read_index is read again */
	virt_mb();
	if (unlikely(other) && ring_room(ch) > other)
		queue_work(system_wq, &f->recheck);
}

/**
 * vmb_flow_wait() - a queue's write failed: ask the host for room
 * @ch: the channel, open
 * @q: the queue
 * @bytes: ring bytes its head takes (vmb_packet_ring_bytes())
 * @id: the write takes a transaction id too, so it may have failed for one
 *
 * Marks @q waiting, so that the channel callback runs it, before the host
 * can see the request. The caller writes again afterwards, and keeps the
 * entry queued if that fails too.
 *
 * Context: any; ch->lock held.
 */
void vmb_flow_wait(struct vmb_channel *ch, enum vmb_flow_queue q, u32 bytes, bool id)
{
	struct vmb_flow *f = &ch->flow;

	lockdep_assert_held(&ch->lock);

	if (!(f->waiting & BIT(q))) {
		WRITE_ONCE(f->waiting, f->waiting | BIT(q));
		/* waiting before the host sees pending_send_sz: vmb_flow_run() */
		smp_wmb();
	}
	/* room there: the write lacked a transaction id, or the host just read */
	if (id && ring_room(ch) > bytes)
		bytes = 0;
	f->need[q] = bytes;
	ask(ch, f->need[q ^ 1]);
}

/**
 * vmb_flow_done() - a queue emptied: its request goes
 * @ch: the channel
 * @q: the queue
 *
 * After vmbus_close() the ring is gone and nothing is written to it; the
 * next ring starts at 0 (vmb_flow_open()).
 *
 * Context: any; ch->lock held.
 */
void vmb_flow_done(struct vmb_channel *ch, enum vmb_flow_queue q)
{
	struct vmb_flow *f = &ch->flow;

	lockdep_assert_held(&ch->lock);

	if (!(f->waiting & BIT(q)))
		return;
	WRITE_ONCE(f->waiting, f->waiting & ~BIT(q));
	f->need[q] = 0;
	if (ch->open)
		ask(ch, f->need[q ^ 1]);
}

/**
 * vmb_flow_run() - write what waits, if anything may
 * @ch: the channel
 *
 * For the channel callback, after the reader handled completions (which
 * free transaction ids) or when the host freed ring space; the caller
 * looks at flow.waiting first, so that nothing takes the channel lock when
 * nothing waits. An entry queues only after its queue's write failed with
 * the queue empty, or behind such an entry, and that write marks the queue
 * waiting under ch->lock before it asks for room and tries again, and the
 * mark goes only with the queue empty:
 * - when the host's signal for room runs the callback, the mark was set
 *   before pending_send_sz, so the callback sees it and takes the lock,
 *   which waits for the writer to finish queueing;
 * - when completions freed the ids a send lacked, vmb_transaction_complete()
 *   took ch->lock after the sender's failed write, or else that write would
 *   have found the id; either way the mark is visible here.
 * Packets queued while the channel was closed are sent by Enable.
 *
 * Context: any; takes ch->lock for each queue that waits.
 */
void vmb_flow_run(struct vmb_channel *ch)
{
	if (READ_ONCE(ch->flow.waiting) & BIT(VMB_FLOW_SEND))
		vmb_send_drain(ch);
	if (READ_ONCE(ch->flow.waiting) & BIT(VMB_FLOW_COMP))
		vmb_completion_flush(ch);
}

static void recheck(struct work_struct *work)
{
	vmb_flow_run(container_of(work, struct vmb_channel, flow.recheck));
}

/**
 * vmb_flow_init() - set up a new channel's flow control
 * @ch: the channel, zeroed
 *
 * Context: process.
 */
void vmb_flow_init(struct vmb_channel *ch)
{
	INIT_WORK(&ch->flow.recheck, recheck);
}

/**
 * vmb_flow_open() - the rings are new: nothing is asked, nothing waits
 * @ch: the channel, being opened
 *
 * Packets queued while the channel was closed are drained next, and ask
 * again if they do not fit.
 *
 * Context: any; ch->lock held.
 */
void vmb_flow_open(struct vmb_channel *ch)
{
	struct vmb_flow *f = &ch->flow;

	lockdep_assert_held(&ch->lock);

	WRITE_ONCE(f->waiting, 0);
	memset(f->need, 0, sizeof(f->need));
	f->asked = 0;
}

/**
 * vmb_flow_stop() - the channel is closed: no recheck runs any more
 * @ch: the channel, no longer open
 *
 * Context: process.
 */
void vmb_flow_stop(struct vmb_channel *ch)
{
	cancel_work_sync(&ch->flow.recheck);
}
