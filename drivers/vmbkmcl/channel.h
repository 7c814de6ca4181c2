/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The channel object: configuration, state and the locks every other part
 * of the library works under.
 */
#ifndef _VMB_CHANNEL_H
#define _VMB_CHANNEL_H

#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <vmbkmcl.h>

#include "obs.h"
#include "receive.h"

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
/* 512 MiB per ring: far above what a host accepts, low enough for u32 math. */
#define VMB_MAX_RING_PAGES	(SZ_512M / HV_HYP_PAGE_SIZE)
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
	bool saved_low_latency;		/* the hv channel's, restored at close */
	EVT_VMB_CHANNEL_PROCESS_PACKET_EX *process_packet;
	EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX *processing_complete;
	void *process_context;
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

	/* what vmbus_open() found in the hv channel, restored at close */
	u32 saved_max_pkt_size;
	u32 saved_rqstor_size;

	/*
	 * Send side. Taken with interrupts disabled: VmbPacketSend() is
	 * atomic-safe. Nests outside hv_vmbus's ring_lock and req_lock.
	 */
	spinlock_t lock;
	bool open;			/* packets may go to the ring */
	bool pending_send_armed;	/* pending_send_sz is set */
	struct list_head send_queue;	/* FIFO of packets waiting for the ring */
	struct list_head in_flight;	/* packets holding a requestor slot */
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

	struct vmb_obs obs;		/* id, label, state, counters: obs.h */
	struct vmb_channel_ex ex;
};

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
NTSTATUS vmb_channel_init_end(struct vmb_channel *ch, NTSTATUS status);

#endif /* _VMB_CHANNEL_H */
