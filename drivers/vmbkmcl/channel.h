/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The channel object: configuration, state and the locks every other part
 * of the library works under.
 *
 * Locks, outermost first; a lock is only ever taken with those above it
 * held, never the other way round:
 *
 *   state_mutex       Enable, Disable, Pause, Start, Cleanup, every Init*
 *                     and the state callbacks (bind.c: inside an offer's
 *                     device lock, outside vmb_bind_mutex)
 *   gpadl_mutex       the channel's GPADLs; Opened and Closed may create
 *                     and tear them down while state_mutex is held
 *   rx_lock           the one reader of the incoming ring (softirq, or _bh
 *                     in process context); ProcessPacket runs under it in
 *                     softirq mode, so whatever a client may call from
 *                     there nests inside it
 *   lock              the channel lock: the send side (irqsave; the send
 *                     and completion queues, in-flight transactions, open,
 *                     and flow, which sets pending_send_sz for both queues)
 *   hv_vmbus's outbound.ring_lock (and its requestor lock), taken by
 *                     vmbus_sendpacket*() under lock; hv_vmbus calls
 *                     vmb_transaction_next_id() with it held
 *
 * and, beside that chain, leaf spinlocks under which nothing else is taken:
 * rx.retire_lock (rx_outstanding reaching zero, and its waiters; taken
 * under state_mutex or rx_lock, never under lock), defer.lock (the packets
 * deferred to passive, passive.c), xfer.lock (the transfer-page sets,
 * xfer.c; under rx_lock or gpadl_mutex), ex.bounce.lock (the channel's
 * host-visible memory; under lock when a send maps its external data).
 *
 * One owner per piece of state: the send queue is send.c's, the completion
 * queue completion.c's, pending_send_sz flow.c's (all under lock); the
 * reader's spare packet object is receive.c's (rx_lock); the deferred list
 * passive.c's; the transfer-page sets xfer.c's.
 *
 * Two channels' state_mutexes never nest (lockdep would see one class
 * nest in itself): a state callback calls no state function of any
 * channel.
 */
#ifndef _VMB_CHANNEL_H
#define _VMB_CHANNEL_H

#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <vmbkmcl.h>

#include "bounce.h"
#include "flow.h"
#include "obs.h"
#include "passive.h"
#include "receive.h"
#include "xfer.h"

/*
 * hv_vmbus allocates both rings of a channel, header pages included, as
 * one physically contiguous block (vmbus_alloc_ring()): larger than the
 * page allocator's largest order is a WARN there, not an error. 6.1 calls
 * the limit MAX_ORDER (exclusive), 6.8 on MAX_PAGE_ORDER (inclusive); both
 * are 4 MiB with 4 KiB pages.
 */
#ifdef MAX_PAGE_ORDER
#define VMB_MAX_RING_ALLOC	(PAGE_SIZE << MAX_PAGE_ORDER)
#else
#define VMB_MAX_RING_ALLOC	(PAGE_SIZE << (MAX_ORDER - 1))
#endif
/* Ring pages of both directions together, each ring's header page included. */
#define VMB_MAX_RING_TOTAL_PAGES	(VMB_MAX_RING_ALLOC / HV_HYP_PAGE_SIZE)

/*
 * The default maximum packet keeps hv_vmbus's own default incoming copy
 * buffer (VMBUS_DEFAULT_MAX_PKT_SIZE, which counts the 16-byte descriptor).
 */
#define VMB_DEFAULT_MAX_PACKET_SIZE \
	(VMBUS_DEFAULT_MAX_PKT_SIZE - sizeof(struct vmpacket_descriptor))
/* len8 is a u16 count of 8-byte units and covers the descriptor too. */
#define VMB_MAX_PACKET_SIZE \
	((U16_MAX << 3) - sizeof(struct vmpacket_descriptor))
#define VMB_DEFAULT_RING_PAGES	4
/*
 * One ring's pages when the other has one: the other takes two with its
 * header; a ring of 8 pages or more takes its header out of its own size
 * (VMBUS_RING_SIZE()). vmb_rings_fit() checks the pair exactly.
 */
#define VMB_MAX_RING_PAGES	(VMB_MAX_RING_TOTAL_PAGES - 2)
#define VMB_MAX_CLIENT_CONTEXT	SZ_64K

struct vmb_bind_class;
struct vmb_bind_dev;

/* What VmbClientChannelInitSetTargetPnp() asked for. */
struct vmb_pnp_target {
	bool set;
	guid_t class;
	guid_t instance;
	bool any_instance;
	EVT_VMB_CHANNEL_PNP_FAILURE *failure;
};

/*
 * What the functions of KMCL interface versions 2 to 5 set (channel_ex.c):
 * Init* values under state_mutex while Disabled, the rest as noted.
 */
struct vmb_channel_ex {
	bool caller_memory;		/* VmbChannelInitialize(): not ours to free */
	u32 max_packet_count;		/* transactions in flight; 0: the rings' */
	u32 inline_context_size;	/* client bytes in each packet object */
	u32 dpc_cpu_usage;		/* the hint, percent; 0: never set */
	u16 interrupt_latency;		/* last set; ch->lock */
	EVT_VMB_CHANNEL_PROCESS_PACKET_EX *process_packet;
	EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX *processing_complete;
	void *process_context;
	struct vmb_bounce bounce;	/* host-visible memory: bounce.h */
};

struct vmb_sub_offer;

/*
 * Sub-channels and the target processor (subchannel.c). A primary keeps
 * the sub-channel offers hv_vmbus gave it while it was open; a sub-channel
 * is bound to one of them while enabled.
 */
struct vmb_channel_sub {
	struct vmb_channel *primary;	/* a sub-channel's, fixed by the Init */
	struct vmb_sub_offer *offer;	/* a sub-channel's bound offer */
	/*
	 * A primary's: subs_mutex orders its sub-channels' Enable and
	 * Disable after its own close; offers and accepting are under the
	 * global vmb_sub_mutex (the sub-channel callback of hv_vmbus).
	 */
	struct mutex subs_mutex;
	struct list_head offers;	/* struct vmb_sub_offer */
	bool accepting;			/* open: hears of sub-channel offers */
	unsigned int users;		/* sub-channels naming it; subs_mutex */
	/* a sub-channel closed with its primary: the second half is due */
	bool closing;
	bool target_set;		/* VmbClientChannelInitSetTargetProcessorIndex() */
	u32 target_cpu;
	u32 saved_target_cpu;		/* hv_vmbus's, put back at close */
};

struct vmb_channel {
	/*
	 * The offer the channel drives. Fixed from VmbChannelAllocate() for a
	 * channel made with a parent; for one bound by class GUID (bindable)
	 * set while it is bound to an offer (bind.c), under state_mutex and
	 * only while the channel is not connected.
	 */
	struct device *parent;
	struct hv_device *hv_dev;
	struct vmbus_channel *chan;
	bool bindable;			/* allocated with a NULL parent */
	bool removed;			/* closed after its offer was rescinded */
	guid_t instance;		/* the offer's; zeros when unbound; ch->lock */
	struct vmb_pnp_target pnp;
	/* bind.c's, under its vmb_bind_mutex */
	struct vmb_bind_class *bind_class;	/* enabled: waiting or bound */
	struct vmb_bind_dev *bind_dev;		/* the offer it is bound to */
	struct list_head bind_link;		/* on bind_class's waiting list */

	/*
	 * Serialises Enable, Disable, Cleanup and every Init*: the
	 * configuration below only changes under it, and only while
	 * !enabled; the send and receive paths read it while enabled.
	 */
	struct mutex state_mutex;
	bool enabled;		/* between VmbChannelEnable() and Disable() */
	bool connected;		/* open: vmbus_open() and Opened succeeded */
	/*
	 * GPADLs, under their own mutex: Opened may create one while Enable
	 * holds state_mutex. Nests inside state_mutex.
	 */
	struct mutex gpadl_mutex;
	struct list_head gpadls;	/* struct vmb_gpadl */

	u32 max_packet_size;
	u32 max_external_data;
	u32 max_external_chain;
	u32 incoming_pages;
	u32 outgoing_pages;
	u32 client_context_size;
	u32 init_flags;
	const char *friendly_name;
	struct vmb_channel_state_change_callbacks callbacks;
	EVT_VMB_CHANNEL_PROCESS_PACKET *process_packet;
	EVT_VMB_CHANNEL_PROCESSING_COMPLETE *processing_complete;
	void *pointer;

	/*
	 * What the library found in the hv channel before it wrote its own
	 * settings there, put back on every path that gives the channel up
	 * (a failed open, close): vmb_hv_settings_save()/_restore().
	 */
	struct vmb_hv_settings {
		u32 max_pkt_size;
		u32 rqstor_size;
		u64 (*next_request_id)(struct vmbus_channel *chan, u64 rqst_addr);
		u64 (*request_addr)(struct vmbus_channel *chan, u64 trans_id);
		enum hv_callback_mode callback_mode;
		bool low_latency;
	} saved;

	/*
	 * Send side. Taken with interrupts disabled: VmbPacketSend() is
	 * atomic-safe. Nests outside hv_vmbus's ring_lock and req_lock.
	 */
	spinlock_t lock;
	bool open;			/* packets may go to the ring */
	struct list_head send_queue;	/* FIFO of packets waiting for the ring (send.c) */
	struct list_head in_flight;	/* packets holding a requestor slot */
	/* FIFO of completions of host packets waiting for the ring (completion.c) */
	struct list_head comp_queue;
	struct vmb_flow flow;		/* pending_send_sz for both queues (flow.c) */
	/* a synchronous request's packet, kept for the next one (sync.c) */
	struct vmb_packet *sync_spare;

	/*
	 * Receive side: one reader of the incoming ring at a time, whether
	 * hv_vmbus's tasklet or our own kick runs it.
	 */
	spinlock_t rx_lock;
	bool rx_enabled;
	atomic_t rx_outstanding;	/* delivered, not yet completed */
	wait_queue_head_t rx_wait;
	struct vmb_rx rx;		/* the rest of it, receive.h */
	struct vmb_defer defer;		/* the passive worker, passive.h */
	struct vmb_xfer xfer;		/* transfer-page sets, xfer.h */

	struct vmb_obs obs;		/* id, label, state, counters: obs.h */
	struct vmb_channel_ex ex;
	struct vmb_channel_sub sub;
};

/*
 * Ring bytes one packet takes: @header bytes (the descriptor and any header
 * of its type, a multiple of 8) and @payload bytes, padded to 8 bytes, and
 * the 8-byte trailer. A write needs more free bytes than this.
 */
static inline u32 vmb_packet_ring_bytes(u32 header, u32 payload)
{
	return ALIGN(header + payload, sizeof(u64)) + sizeof(u64);
}

/*
 * Whether the offer is gone: rescinded while the channel was closed (for a
 * bindable channel its hv channel is unbound and freed afterwards), or
 * rescinded now. hv_vmbus frees a channel after an RCU grace period, so a
 * channel read under rcu_read_lock() stays readable.
 */
static inline bool vmb_channel_rescinded(const struct vmb_channel *ch)
{
	struct vmbus_channel *chan;
	bool gone;

	if (READ_ONCE(ch->removed))
		return true;
	rcu_read_lock();
	chan = READ_ONCE(ch->chan);
	gone = chan && READ_ONCE(chan->rescind);
	rcu_read_unlock();
	return gone;
}

/* Device for messages: the VMBus device, whose name carries the instance. */
static inline struct device *vmb_channel_dev(const struct vmb_channel *ch)
{
	return ch->parent;
}

NTSTATUS vmb_channel_attach(struct vmb_channel *ch, struct hv_device *hv_dev);
void vmb_channel_detach(struct vmb_channel *ch);
void vmb_channel_retire(struct vmb_channel *ch);
NTSTATUS vmb_channel_init_begin(struct vmb_channel *ch);
struct vmb_channel *vmb_hv_owner(struct vmbus_channel *chan);
void vmb_channel_sub_close_begin(struct vmb_channel *ch);
void vmb_channel_sub_close_end(struct vmb_channel *ch);
NTSTATUS vmb_channel_init_end(struct vmb_channel *ch, NTSTATUS status);

#endif /* _VMB_CHANNEL_H */
