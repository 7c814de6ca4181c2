// SPDX-License-Identifier: GPL-2.0
/*
 * Incoming delivery: the channel callback, the reader of the incoming ring,
 * the transaction quota, Pause and Start (Documentation/kmcl-semantics.rst).
 *
 * Reader. One reader of the incoming ring at a time, under rx_lock: the
 * channel callback (hv_vmbus's tasklet), our own tasklet when something
 * else restarts delivery (a completion below the quota, Start, a budget
 * used up), or the passive worker. It reads with hv_vmbus's iterator, which
 * copies each packet out of the ring, into a packet object of ours for the
 * length of a pass (the copy buffer, below); completions of our own
 * transactions are handled on the spot (transaction.c), every other packet
 * is checked (validate.c) and handed with its object (completion.c) to
 * ProcessPacket: right there in softirq context by default, or by the
 * passive worker (passive.c). ProcessingComplete follows each batch.
 *
 * Copy buffer. hv_pkt_iter_first() copies each packet into the channel's
 * rbi->pkt_buffer, which the next packet overwrites; a client may keep a
 * packet until it completes it. Rather than copy every payload a second
 * time, a pass points rbi->pkt_buffer at the packet room of a spare packet
 * object (rx.spare, as large as hv_vmbus's buffer) before each packet is
 * copied, and a data packet takes the object it landed in. Only the reader
 * touches pkt_buffer, under rx_lock, and it puts hv_vmbus's own buffer back
 * before it drops the lock, so hv_vmbus finds its buffer at close. The copy
 * is as private as hv_vmbus's: the host cannot reach it, and the iterator
 * steps by a copy of the descriptor taken before the client sees the packet.
 * An object the client completed within the call is the spare again, the
 * common case: one copy, no allocation. The spare is this file's alone:
 * allocated, aimed at, taken, recycled, refilled and freed here (take(),
 * recycle(), refill()); completion.c makes and frees the objects.
 *
 * The spare is as large as the largest packet, which with a large
 * external-data bound is a high-order allocation. So a packet the client is
 * expected to keep (the last one was kept, or it goes to the passive
 * worker) and whose payload is small moves into an object of its size, and
 * the spare stays; hv_vmbus's own buffer receives the packets while there
 * is no spare, each copied into an object of its size, and a new spare is
 * allocated in process context (the retry work), never in the reader.
 *
 * Callback mode. The channel runs in HV_CALL_DIRECT mode, not hv_vmbus's
 * default HV_CALL_BATCHED. In batched mode vmbus_on_event() unmasks the
 * ring after the callback and, as long as unread bytes remain, masks it
 * again and reschedules the tasklet; but KMCL leaves packets in the ring
 * on purpose (before Started, while paused, at the transaction quota, after
 * a failure), so the tasklet would spin. In direct mode we mask the host's
 * interrupts ourselves around each pass (hv_begin_read()/hv_end_read()),
 * go round again only when the host wrote while we drained and the pass
 * made progress, and otherwise leave the ring unmasked: the host signals
 * only a write into an empty ring, so a ring we left non-empty stays quiet
 * until we restart it ourselves. The channel_callbacks, reader_kicks and
 * ring_passes counters show it.
 *
 * Quota. At most rx.quota packets are delivered and not yet completed
 * (rx_outstanding); the reader stops at the first data packet beyond it and
 * leaves it in the ring, which is the back-pressure KMCL means: the host's
 * writes fill its side of the ring. The completion that brings the count
 * below the quota restarts the reader; changing the quota does not, as in
 * KMCL.
 *
 * What the reader refuses. A packet whose framing is wrong desynchronises
 * hv_vmbus's iterator, which steps by what the packet claims: a write index out
 * of range, a length beyond the bytes the host wrote, a packet longer than the
 * copy buffer, which hv_vmbus cuts and then steps into the middle of
 * (Documentation/pitfalls.rst, "Indices and framing"). Nothing read after that
 * could be trusted, so the channel stops reading until it is disabled.
 * hv_vmbus's copy buffer is made one slot larger than the largest packet the
 * channel accepts, so that a cut packet is recognisable. Other malformed
 * packets are dropped one by one (validate.c).
 */
#include <kunit/visibility.h>
#include <linux/hyperv.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "channel.h"
#include "completion.h"
#include "external.h"
#include "flow.h"
#include "mdl.h"
#include "obs.h"
#include "passive.h"
#include "pipe.h"
#include "receive.h"
#include "transaction.h"
#include "validate.h"
#include "xfer.h"

#define RX_BUDGET	256	/* data packets per softirq run, then our tasklet */
#define RX_RETRY	msecs_to_jiffies(10)	/* after memory ran short */
#define RX_TRAILER	sizeof(u64)

/* rx.retry_read: what the retry work does */
#define RX_RETRY_READ	0	/* run the reader again */
#define RX_RETRY_SPARE	1	/* allocate a spare */

enum rx_mode {
	RX_DELIVER,		/* ProcessPacket right here, in softirq */
	RX_PULL,		/* onto a batch for the passive worker */
	RX_COMPLETIONS,		/* our completions, up to the first data packet */
};

struct rx_pass {
	enum rx_mode mode;
	struct list_head *batch;
	u32 budget;		/* data packets the pass may take */
	u32 taken;		/* data packets delivered or pulled */
	u32 consumed;		/* packets taken off the ring */
	bool empty;		/* stopped because the ring looked empty */
	bool more;		/* stopped with work left for another run */
};

static noinline void rx_fail(struct vmb_channel *ch, const char *why, u32 a, u32 b)
{
	lockdep_assert_held(&ch->rx_lock);

	/* once per Enable: the flag stays until the channel is disabled */
	if (!ch->rx.failed)
		dev_err(vmb_channel_dev(ch),
			"vmbkmcl: incoming ring unusable (%s: %u, %u), delivery stopped until disable\n",
			why, a, b);
	WRITE_ONCE(ch->rx.failed, true);
}

static bool may_read(const struct vmb_channel *ch)
{
	lockdep_assert_held(&ch->rx_lock);

	return ch->rx_enabled && !READ_ONCE(ch->rx.failed);
}

/*
 * The host's write index. It is the host's to write: check it before the
 * iterator trusts it (hv_vmbus's receive side does not).
 */
static __always_inline bool ring_write_index(struct vmb_channel *ch, u32 *write)
{
	struct hv_ring_buffer_info *rbi = &ch->chan->inbound;
	u32 dsize = rbi->ring_datasize;

	*write = READ_ONCE(rbi->ring_buffer->write_index);
	if (unlikely(*write >= dsize || *write % sizeof(u64))) {
		rx_fail(ch, "write index out of range", *write, dsize);
		return false;
	}
	return true;
}

/* Bytes between our iterator and a checked write index. */
static u32 ring_avail(const struct vmb_channel *ch, u32 write)
{
	const struct hv_ring_buffer_info *rbi = &ch->chan->inbound;
	u32 read = rbi->priv_read_index;

	return write >= read ? write - read : rbi->ring_datasize - read + write;
}

/*
 * Whether hv_vmbus's copy @desc frames as the host wrote it.
 * @write is the write index last checked in this pass, checked again when
 * the packet reaches past it or the host changed it: hv_pkt_iter_first()
 * cut the packet to the write index it read itself, so a host that moved
 * its index back meanwhile would make a cut packet look whole against ours,
 * and the iterator step past the host's index.
 */
static bool framing_ok(struct vmb_channel *ch, const struct vmpacket_descriptor *desc,
		       u32 *write)
{
	u32 len = desc->len8 << 3;

	/* hv_vmbus cut it to its buffer, and steps by the cut length */
	if (len > ch->rx.limit) {
		rx_fail(ch, "packet longer than the channel's maximum", len, ch->rx.limit);
		return false;
	}
	if (likely(len + RX_TRAILER <= ring_avail(ch, *write) &&
		   READ_ONCE(ch->chan->inbound.ring_buffer->write_index) == *write))
		return true;
	if (!ring_write_index(ch, write))
		return false;
	/* len8 below 2 or beyond the bytes written: hv_vmbus took what it found */
	if (len + RX_TRAILER > ring_avail(ch, *write)) {
		rx_fail(ch, "packet length beyond the bytes written", len,
			ring_avail(ch, *write));
		return false;
	}
	return true;
}

/*
 * Room below the quota. Stopping sets rx.blocked and looks again, and the
 * completion that lowers the count looks at rx.blocked afterwards, so one of
 * the two sees the other and the reader is never left stopped for nothing.
 */
static bool quota_allows(struct vmb_channel *ch)
{
	u32 quota = READ_ONCE(ch->rx.quota);

	if (!quota || atomic_read(&ch->rx_outstanding) < quota)
		return true;
	atomic_set(&ch->rx.blocked, 1);
	/* pairs with the full barrier of atomic_dec_return() in vmb_receive_retire() */
	smp_mb__after_atomic();
	if (atomic_read(&ch->rx_outstanding) < quota) {
		atomic_set(&ch->rx.blocked, 0);
		return true;
	}
	vmb_count(&ch->obs.n.quota_stops);
	return false;
}

static void out_of_memory(struct vmb_channel *ch)
{
	atomic64_inc(&ch->obs.n.out_of_memory);
	set_bit(RX_RETRY_READ, &ch->rx.retry_read);
	mod_delayed_work(system_wq, &ch->rx.retry, RX_RETRY);
}

/* No spare: hv_vmbus's buffer @own serves, and a new spare is asked for. */
static noinline void aim_copy_own(struct vmb_channel *ch, void *own)
{
	lockdep_assert_held(&ch->rx_lock);

	ch->chan->inbound.pkt_buffer = own;
	if (!ch->rx.spare && !test_and_set_bit(RX_RETRY_SPARE, &ch->rx.retry_read))
		mod_delayed_work(system_wq, &ch->rx.retry, 0);
}

/*
 * Where hv_vmbus copies the next packet: the spare object's packet room,
 * or @own, hv_vmbus's buffer, without one.
 */
static __always_inline void aim_copy(struct vmb_channel *ch, void *own)
{
	struct hv_ring_buffer_info *rbi = &ch->chan->inbound;
	struct vmb_packet_completion *pc = ch->rx.spare;

	if (likely(pc && rbi->pkt_buffer_size <= pc->room))
		rbi->pkt_buffer = pc->data;
	else
		aim_copy_own(ch, own);
}

/*
 * Whether a kept packet's payload moves out of the spare: an object of
 * @room (vmb_completion_room()) takes at most half of the spare's memory.
 */
static bool small_enough(const struct vmb_channel *ch, u32 room)
{
	return 2 * vmb_completion_size(ch, vmb_completion_room(room)) <=
	       vmb_completion_size(ch, ch->rx.buffer_size);
}

/*
 * The packet object of a checked data packet at @desc. A packet that
 * hv_vmbus copied into the spare takes that object as it is, unless it is
 * expected to be kept (@keep) and an object of its size would take half of
 * the spare's memory or less: a packet the client keeps should not hold
 * memory sized for the largest one. That payload, and one in hv_vmbus's own
 * buffer, is copied into an object of its size, or of the maximum packet
 * size if it asked for a completion: a completion that waits for ring space
 * waits in the packet's object, so waiting needs no allocation and cannot
 * fail.
 */
static __always_inline enum vmb_rx_verdict take(struct vmb_channel *ch,
						const struct vmpacket_descriptor *desc,
						bool keep, struct vmb_packet_completion **out)
{
	struct vmb_packet_completion *pc = ch->rx.spare;
	const u8 *pkt = (const u8 *)desc;
	enum vmb_rx_verdict verdict;
	struct vmb_rx_data d;
	bool in_spare;
	u32 room;

	lockdep_assert_held(&ch->rx_lock);

	verdict = vmb_validate_data(ch, desc, &d);
	if (verdict != VMB_RX_TAKEN)
		return verdict;

	room = d.length;
	if (desc->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
		room = max_t(u32, room, ch->rx.payload_room);

	in_spare = pc && pkt == pc->data;
	if (likely(in_spare) && (!keep || !small_enough(ch, room))) {
		/* hv_vmbus copied it into the spare: it stays where it is */
		ch->rx.spare = NULL;
		pc->payload = pc->data + d.offset;
	} else {
		pc = vmb_completion_alloc(ch, vmb_completion_room(room), GFP_ATOMIC);
		if (pc) {
			pc->payload = pc->data;
			memcpy(pc->data, pkt + d.offset, d.length);
		} else if (in_spare) {
			/* no memory for the small one: the spare as it is */
			pc = ch->rx.spare;
			ch->rx.spare = NULL;
			pc->payload = pc->data + d.offset;
		} else {
			vmb_mdl_free(d.mdl);
			return VMB_RX_NOMEM;
		}
	}
	pc->type = desc->type;
	pc->trans_id = desc->trans_id;
	pc->wants_completion = desc->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	pc->length = d.length;
	pc->mdl = d.mdl;
	if (d.mdl)
		pc->flags = VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA;
	*out = pc;
	return VMB_RX_TAKEN;
}

/* A packet object the client is done with: the next spare, or freed. */
static void recycle(struct vmb_channel *ch, struct vmb_packet_completion *pc)
{
	lockdep_assert_held(&ch->rx_lock);

	if (ch->rx.spare || pc->room != ch->rx.buffer_size) {
		vmb_completion_free(pc);
		return;
	}
	vmb_completion_reuse(ch, pc);
	ch->rx.spare = pc;
}

/*
 * One pass over the ring, in ring order. A packet the pass stops at stays in
 * the ring: the iterator steps past a packet only once it is consumed.
 */
static void read_ring(struct vmb_channel *ch, struct rx_pass *p)
{
	struct vmbus_channel *chan = ch->chan;
	void *own = chan->inbound.pkt_buffer;
	const struct vmpacket_descriptor *desc;
	struct vmb_packet_completion *pc;
	struct vmpacket_descriptor hdr;
	u32 write;

	lockdep_assert_held(&ch->rx_lock);

	vmb_count(&ch->obs.n.ring_passes);
	if (!ring_write_index(ch, &write))
		return;
	aim_copy(ch, own);
	for (desc = hv_pkt_iter_first(chan); desc;
	     aim_copy(ch, own), desc = __hv_pkt_iter_next(chan, &hdr)) {
		/* the iterator's step, before the client may write to the copy */
		hdr = *desc;
		/* ProcessPacket may have failed a packet */
		if (!may_read(ch) || !framing_ok(ch, desc, &write))
			break;

		switch (vmb_validate_kind(ch, desc)) {
		case VMB_RX_BAD:
			p->consumed++;
			continue;
		case VMB_RX_COMPLETION:
			vmb_count(&ch->obs.n.completions_read);
			vmb_transaction_complete(ch, desc->trans_id, hv_pkt_data(desc),
						 hv_pkt_datalen(desc));
			p->consumed++;
			continue;
		case VMB_RX_DATA:
			break;
		}

		if (p->mode == RX_COMPLETIONS || p->taken >= p->budget) {
			p->more = true;
			break;
		}
		if (!quota_allows(ch))
			break;
		switch (take(ch, desc, p->mode == RX_PULL || ch->rx.keeps, &pc)) {
		case VMB_RX_NOMEM:
			out_of_memory(ch);
			goto close;
		case VMB_RX_DROPPED:
			p->consumed++;
			continue;
		case VMB_RX_TAKEN:
			break;
		}
		p->consumed++;
		p->taken++;
		atomic_inc(&ch->rx_outstanding);
		vmb_count(&ch->obs.n.packets_delivered);
		if (p->mode == RX_PULL) {
			list_add_tail(&pc->link, p->batch);
		} else if (vmb_completion_deliver(ch, pc)) {
			ch->rx.keeps = false;
			recycle(ch, pc);
		} else {
			ch->rx.keeps = true;
		}
	}
	p->empty = !desc;
close:
	/* hv_vmbus's buffer back, for close */
	chan->inbound.pkt_buffer = own;
	/* publish the read index; signals the host if it waits for room */
	hv_pkt_iter_close(chan);
}

/*
 * Passes until the ring is empty or the reader has to stop, each between a
 * mask and an unmask of the host's interrupts.
 */
static u32 read_passes(struct vmb_channel *ch, enum rx_mode mode,
		       struct list_head *batch, u32 budget, bool *more)
{
	struct hv_ring_buffer_info *inbound = &ch->chan->inbound;
	u32 taken = 0, idle = 0;
	struct rx_pass p;
	bool again;

	lockdep_assert_held(&ch->rx_lock);

	*more = false;
	do {
		if (!may_read(ch))
			break;
		p = (struct rx_pass){ .mode = mode, .batch = batch,
				      .budget = budget - taken };
		hv_begin_read(inbound);
		read_ring(ch, &p);
		taken += p.taken;
		/*
		 * Unmask, then look again: the host does not signal a write
		 * it made while we masked. Go round when the pass
		 * made progress, or once when it found the ring empty and
		 * bytes came meanwhile; not for packets we leave in the ring
		 * on purpose, nor more than once for stray bytes of a broken
		 * host that no pass can take.
		 */
		idle = p.consumed ? 0 : idle + 1;
		again = hv_end_read(inbound) && (p.consumed || (p.empty && idle == 1));
		if (p.more) {
			*more = true;
			break;
		}
	} while (again);
	return taken;
}

/*
 * Completions the reader handled freed transaction ids, and a callback may
 * mean the host freed ring space: write what waited for either. When
 * neither queue waits, nothing takes the channel lock (flow.c).
 */
static __always_inline void drain_waiting_sends(struct vmb_channel *ch)
{
	if (unlikely(READ_ONCE(ch->flow.waiting)))
		vmb_flow_run(ch);
}

/*
 * The reader in softirq context: the channel callback and our tasklet, both
 * run by a tasklet, so rx_lock needs no _bh here.
 */
static void dispatch(struct vmb_channel *ch)
{
	bool more;
	u32 n;

	spin_lock(&ch->rx_lock);
	if (ch->rx.passive) {
		read_passes(ch, RX_COMPLETIONS, NULL, 0, &more);
		spin_unlock(&ch->rx_lock);
		drain_waiting_sends(ch);
		if (more)
			vmb_passive_kick(ch);
		return;
	}
	n = read_passes(ch, RX_DELIVER, NULL, RX_BUDGET, &more);
	if (n && ch->processing_complete)
		ch->processing_complete(ch, n);
	spin_unlock(&ch->rx_lock);
	drain_waiting_sends(ch);
	/* the budget is used up: let other softirq work run first */
	if (more)
		tasklet_schedule(&ch->rx.tasklet);
}

/**
 * vmb_receive_callback() - the hv_vmbus channel callback
 * @context: the vmb_channel
 *
 * Context: softirq (hv_vmbus's per-channel tasklet, HV_CALL_DIRECT).
 */
void vmb_receive_callback(void *context)
{
	struct vmb_channel *ch = context;

	atomic64_inc(&ch->obs.n.channel_callbacks);
	dispatch(ch);
}

static void rx_tasklet(struct tasklet_struct *t)
{
	struct vmb_channel *ch = from_tasklet(ch, t, rx.tasklet);

	atomic64_inc(&ch->obs.n.reader_kicks);
	dispatch(ch);
}

/* A new spare for the reader, where a high-order allocation may sleep. */
static void refill(struct vmb_channel *ch)
{
	struct vmb_packet_completion *pc;

	pc = vmb_completion_alloc(ch, ch->rx.buffer_size, GFP_KERNEL);
	if (!pc) {
		/* hv_vmbus's buffer serves meanwhile */
		atomic64_inc(&ch->obs.n.out_of_memory);
		set_bit(RX_RETRY_SPARE, &ch->rx.retry_read);
		mod_delayed_work(system_wq, &ch->rx.retry, RX_RETRY);
		return;
	}
	spin_lock_bh(&ch->rx_lock);
	if (ch->rx_enabled && !ch->rx.spare) {
		ch->rx.spare = pc;
		pc = NULL;
	}
	spin_unlock_bh(&ch->rx_lock);
	if (pc)
		vmb_completion_free(pc);
}

static void rx_retry(struct work_struct *work)
{
	struct vmb_channel *ch = container_of(to_delayed_work(work), struct vmb_channel,
					      rx.retry);

	if (test_and_clear_bit(RX_RETRY_SPARE, &ch->rx.retry_read))
		refill(ch);
	if (test_and_clear_bit(RX_RETRY_READ, &ch->rx.retry_read))
		vmb_receive_kick(ch);
}

/**
 * vmb_receive_kick() - run the reader again, in its context
 * @ch: the channel
 *
 * Context: any.
 */
void vmb_receive_kick(struct vmb_channel *ch)
{
	if (READ_ONCE(ch->rx.passive))
		vmb_passive_kick(ch);
	else
		tasklet_schedule(&ch->rx.tasklet);
}

/**
 * vmb_receive_pull() - read packets for the passive worker
 * @ch: the channel
 * @batch: receives the packets, in ring order, each counted as delivered
 * @max: at most this many data packets
 *
 * Context: process (the passive worker); takes rx_lock.
 * Return: the number of packets on @batch.
 */
u32 vmb_receive_pull(struct vmb_channel *ch, struct list_head *batch, u32 max)
{
	bool more;
	u32 n = 0;

	spin_lock_bh(&ch->rx_lock);
	if (ch->rx.passive)
		n = read_passes(ch, RX_PULL, batch, max, &more);
	spin_unlock_bh(&ch->rx_lock);
	drain_waiting_sends(ch);
	return n;
}

/**
 * vmb_receive_retire() - a delivered packet was completed or failed
 * @ch: the channel
 *
 * Restarts a reader that stopped at the quota, and wakes Pause and Disable
 * when it was the last one. Everything happens under rx.retire_lock, which
 * the waiters hold when they find the count at zero: the channel cannot go
 * away under this function.
 *
 * Context: any.
 */
void vmb_receive_retire(struct vmb_channel *ch)
{
	unsigned long flags;
	int left;

	spin_lock_irqsave(&ch->rx.retire_lock, flags);
	left = atomic_dec_return(&ch->rx_outstanding);
	vmb_count(&ch->obs.n.packets_retired);
	WARN_ON_ONCE(left < 0);
	if (atomic_read(&ch->rx.blocked) && atomic_xchg(&ch->rx.blocked, 0))
		vmb_receive_kick(ch);
	/* waiters queue themselves under retire_lock: no barrier needed */
	if (!left && waitqueue_active(&ch->rx_wait))
		wake_up_all(&ch->rx_wait);
	spin_unlock_irqrestore(&ch->rx.retire_lock, flags);
}

static void wait_delivered(struct vmb_channel *ch)
{
	spin_lock_irq(&ch->rx.retire_lock);
	wait_event_lock_irq(ch->rx_wait, !atomic_read(&ch->rx_outstanding),
			    ch->rx.retire_lock);
	spin_unlock_irq(&ch->rx.retire_lock);
}

/* Incoming delivery on: packets that came meanwhile are read now. */
static void open_gate(struct vmb_channel *ch)
{
	spin_lock_bh(&ch->rx_lock);
	ch->rx_enabled = true;
	spin_unlock_bh(&ch->rx_lock);
	/* the host signalled them while we were closed and will not again */
	vmb_receive_kick(ch);
}

/*
 * Incoming delivery off. A softirq reader holds rx_lock for its whole pass,
 * so taking it waits for one that runs; the passive worker finishes its batch
 * and deferred packets get their passive call, before Suspend.
 */
static void close_gate(struct vmb_channel *ch)
{
	spin_lock_bh(&ch->rx_lock);
	ch->rx_enabled = false;
	spin_unlock_bh(&ch->rx_lock);
	vmb_passive_flush(ch);
}

/* Stop delivery, run Suspend, wait for every delivered packet's completion. */
static void suspend_delivery(struct vmb_channel *ch)
{
	close_gate(ch);
	if (ch->callbacks.suspend)
		ch->callbacks.suspend(ch);
	wait_delivered(ch);
}

/* Run Started, start delivery, run PostStarted. */
static void resume_delivery(struct vmb_channel *ch)
{
	if (ch->callbacks.started)
		ch->callbacks.started(ch);
	open_gate(ch);
	if (ch->callbacks.post_started)
		ch->callbacks.post_started(ch);
}

/**
 * vmb_receive_init() - set up a new channel's incoming side
 * @ch: the channel, zeroed
 *
 * Context: process.
 */
void vmb_receive_init(struct vmb_channel *ch)
{
	tasklet_setup(&ch->rx.tasklet, rx_tasklet);
	vmb_passive_init(ch);
	INIT_DELAYED_WORK(&ch->rx.retry, rx_retry);
	spin_lock_init(&ch->rx.retire_lock);
	vmb_xfer_init(ch);
}

/**
 * vmb_receive_prepare() - size the incoming side before the channel opens
 * @ch: a Disabled channel being enabled
 *
 * The largest packet accepted is the largest GPA-direct descriptor the
 * channel's external-data bounds allow plus the maximum packet size as
 * payload, or what the incoming ring can hold if that is less: a ring never
 * holds a packet of more than its size less two 8-byte slots, the one a
 * writer always leaves free and the trailer.
 *
 * Allocates the reader's spare packet object.
 *
 * Context: process; state_mutex held.
 * Return: STATUS_SUCCESS, or STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS vmb_receive_prepare(struct vmb_channel *ch)
{
	u32 ring = VMBUS_RING_SIZE(ch->incoming_pages * HV_HYP_PAGE_SIZE);
	u32 dsize = ring - sizeof(struct hv_ring_buffer);
	u64 limit;

	lockdep_assert_held(&ch->state_mutex);

	ch->rx.payload_room = ALIGN(vmb_pipe_wire_size(ch, ch->max_packet_size), sizeof(u64));
	ch->rx.context_size = ch->client_context_size;
	limit = (u64)vmb_external_room(ch) + ch->rx.payload_room;
	ch->rx.limit = min_t(u64, limit, dsize - 2 * RX_TRAILER);
	/* hv_vmbus's copy buffer, and the payload of a queued completion */
	ch->rx.buffer_size = max(vmb_receive_buffer_size(ch), ch->rx.payload_room);
	WRITE_ONCE(ch->rx.failed, false);
	ch->rx.keeps = false;
	atomic_set(&ch->rx.blocked, 0);
	/* released with the rings; no reader runs before they open */
	if (ch->rx.spare)
		vmb_completion_free(ch->rx.spare);
	ch->rx.spare = vmb_completion_alloc(ch, ch->rx.buffer_size, GFP_KERNEL);
	if (!ch->rx.spare)
		return STATUS_INSUFFICIENT_RESOURCES;
	return STATUS_SUCCESS;
}

/**
 * vmb_receive_buffer_size() - hv_vmbus's incoming copy buffer for a channel
 * @ch: a prepared channel
 *
 * One slot larger than the largest packet accepted, so that a longer packet,
 * which hv_vmbus cuts to the buffer and then steps into the middle of, is
 * seen as longer.
 *
 * Return: bytes, for channel->max_pkt_size.
 */
u32 vmb_receive_buffer_size(const struct vmb_channel *ch)
{
	return ch->rx.limit + RX_TRAILER;
}

/**
 * vmb_receive_resume() - the channel was enabled: start delivery
 * @ch: the channel
 *
 * Runs Started, enables incoming delivery, runs PostStarted; nothing while
 * the channel is paused (VmbChannelStart() does it then).
 *
 * Context: process; state_mutex held.
 */
void vmb_receive_resume(struct vmb_channel *ch)
{
	lockdep_assert_held(&ch->state_mutex);

	if (!ch->rx.paused)
		resume_delivery(ch);
}

/**
 * vmb_receive_suspend() - the channel is being disabled: stop delivery
 * @ch: the channel
 *
 * Stops incoming delivery, runs Suspend and waits until every delivered
 * packet was completed (already done if the channel is paused), then writes
 * the completions that waited for ring space, if they fit now.
 *
 * Context: process; state_mutex held.
 */
void vmb_receive_suspend(struct vmb_channel *ch)
{
	lockdep_assert_held(&ch->state_mutex);

	if (!ch->rx.paused)
		suspend_delivery(ch);
	vmb_completion_flush(ch);
}

/**
 * vmb_receive_release() - the channel's rings are closed
 * @ch: the channel, after vmbus_close() or a failed open
 *
 * Drops the completions still waiting and frees the reader's spare packet
 * object.
 *
 * Context: process; state_mutex held.
 */
void vmb_receive_release(struct vmb_channel *ch)
{
	lockdep_assert_held(&ch->state_mutex);

	spin_lock_bh(&ch->rx_lock);
	ch->rx_enabled = false;
	spin_unlock_bh(&ch->rx_lock);
	cancel_delayed_work_sync(&ch->rx.retry);
	clear_bit(RX_RETRY_READ, &ch->rx.retry_read);
	clear_bit(RX_RETRY_SPARE, &ch->rx.retry_read);
	tasklet_kill(&ch->rx.tasklet);
	vmb_passive_cancel(ch);
	vmb_completion_drop_queued(ch);
	if (ch->rx.spare) {
		vmb_completion_free(ch->rx.spare);
		ch->rx.spare = NULL;
	}
}

/**
 * vmb_receive_cleanup() - the channel object is being freed
 * @ch: a Disabled channel
 *
 * Context: process.
 */
void vmb_receive_cleanup(struct vmb_channel *ch)
{
	cancel_delayed_work_sync(&ch->rx.retry);
	tasklet_kill(&ch->rx.tasklet);
	vmb_passive_cancel(ch);
	vmb_xfer_clear(ch);
}

void VmbChannelPause(VMBCHANNEL channel)
{
	might_sleep();

	mutex_lock(&channel->state_mutex);
	if (!channel->rx.paused) {
		/* a Disabled channel pauses now and stays so when enabled */
		if (channel->connected) {
			suspend_delivery(channel);
			vmb_obs_set_state(channel, VMB_STATE_PAUSED);
		}
		WRITE_ONCE(channel->rx.paused, true);
	}
	mutex_unlock(&channel->state_mutex);
}
EXPORT_SYMBOL_GPL(VmbChannelPause);

void VmbChannelStart(VMBCHANNEL channel)
{
	might_sleep();

	mutex_lock(&channel->state_mutex);
	if (channel->rx.paused) {
		WRITE_ONCE(channel->rx.paused, false);
		if (channel->connected) {
			resume_delivery(channel);
			vmb_obs_set_state(channel, VMB_STATE_OPEN);
		}
	}
	mutex_unlock(&channel->state_mutex);
}
EXPORT_SYMBOL_GPL(VmbChannelStart);

void VmbChannelSetTransactionQuota(VMBCHANNEL channel, u32 quota)
{
	/* KMCL: greater than 0; U32_MAX is as good as no bound */
	if (!quota) {
		pr_warn_ratelimited("vmbkmcl: channel %u: transaction quota 0 refused, quota unchanged\n",
				    channel->obs.id);
		return;
	}
	/* no restart: only the next completion restarts a stopped reader */
	WRITE_ONCE(channel->rx.quota, quota);
}
EXPORT_SYMBOL_GPL(VmbChannelSetTransactionQuota);
