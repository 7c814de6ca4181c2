// SPDX-License-Identifier: GPL-2.0
/*
 * The hv_vmbus channel API over simulated offers: what drivers/hv/channel.c,
 * the channel parts of channel_mgmt.c and connection.c, and the interrupt
 * dispatch of vmbus_drv.c do, where a driver can see it. Messages to the
 * host (OPENCHANNEL, CLOSECHANNEL, GPADL_*) become direct calls into the host
 * side, in the caller's context; their results and the rescind checks around
 * them are hv_vmbus's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/hyperv.h>
#include <linux/interrupt.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "channel.h"
#include "gpadl.h"
#include "host.h"
#include "ring.h"

/*
 * Offers carry this connection id: the one pre-Win7 hosts used for every
 * channel (VMBUS_EVENT_CONNECTION_ID, drivers/hv/hyperv_vmbus.h). Nothing
 * in the simulation signals through it; drivers may read sig_event.
 */
#define VMBUS_SIM_CONNECTION_ID		2

/* hv_vmbus's vmbus_devs[] order, by the GUID macros of <linux/hyperv.h>. */
static const struct {
	guid_t guid;
} vmbus_sim_dev_types[HV_UNKNOWN] = {
	[HV_IDE] = { HV_IDE_GUID },
	[HV_SCSI] = { HV_SCSI_GUID },
	[HV_FC] = { HV_SYNTHFC_GUID },
	[HV_NIC] = { HV_NIC_GUID },
	[HV_ND] = { HV_ND_GUID },
	[HV_PCIE] = { HV_PCIE_GUID },
	[HV_FB] = { HV_SYNTHVID_GUID },
	[HV_KBD] = { HV_KBD_GUID },
	[HV_MOUSE] = { HV_MOUSE_GUID },
	[HV_KVP] = { HV_KVP_GUID },
	[HV_TS] = { HV_TS_GUID },
	[HV_HB] = { HV_HEART_BEAT_GUID },
	[HV_SHUTDOWN] = { HV_SHUTDOWN_GUID },
	[HV_FCOPY] = { HV_FCOPY_GUID },
	[HV_BACKUP] = { HV_VSS_GUID },
	[HV_DM] = { HV_DM_GUID },
};

/* channel->device_id as hv_get_dev_type() computes it. */
static u16 dev_type_of(const guid_t *type)
{
	u16 i;

	for (i = HV_IDE; i < HV_UNKNOWN; i++)
		if (guid_equal(type, &vmbus_sim_dev_types[i].guid))
			return i;
	return HV_UNKNOWN;
}

/*
 * The channel tasklet, hv_vmbus's vmbus_on_event(): run the callback; in
 * BATCHED mode unmask, re-check, and if the host wrote meanwhile (without
 * signalling, since the ring was masked) mask again and go round once more.
 */
static void channel_on_event(struct tasklet_struct *t)
{
	struct vmbus_channel *channel = from_tasklet(channel, t, callback_event);
	void (*callback_fn)(void *context);

	callback_fn = READ_ONCE(channel->onchannel_callback);
	if (unlikely(!callback_fn))
		return;

	callback_fn(channel->channel_callback_context);

	if (channel->callback_mode != HV_CALL_BATCHED)
		return;
	if (likely(hv_end_read(&channel->inbound) == 0))
		return;
	hv_begin_read(&channel->inbound);
	tasklet_schedule(&channel->callback_event);
}

/**
 * vmbus_sim_channel_interrupt() - a host interrupt for this channel
 * @channel: the channel
 *
 * hv_vmbus's vmbus_chan_sched() for one channel: nothing once rescinded or
 * without a callback; HV_CALL_ISR runs the callback right here, in hard IRQ
 * context; HV_CALL_BATCHED masks the inbound ring and HV_CALL_DIRECT does
 * not, and both defer to the channel tasklet.
 *
 * Context: hard IRQ (the host's irq_work).
 */
void vmbus_sim_channel_interrupt(struct vmbus_channel *channel)
{
	void (*callback_fn)(void *context);

	if (channel->rescind)
		return;

	/* onchannel_callback is cleared under sched_lock before rings go away */
	spin_lock(&channel->sched_lock);
	callback_fn = channel->onchannel_callback;
	if (unlikely(!callback_fn))
		goto unlock;

	++channel->interrupts;

	switch (channel->callback_mode) {
	case HV_CALL_ISR:
		callback_fn(channel->channel_callback_context);
		break;
	case HV_CALL_BATCHED:
		hv_begin_read(&channel->inbound);
		fallthrough;
	case HV_CALL_DIRECT:
		tasklet_schedule(&channel->callback_event);
	}
unlock:
	spin_unlock(&channel->sched_lock);
}

/* hv_vmbus's vmbus_reset_channel_cb(): no callback runs after this. */
static void reset_channel_callback(struct vmbus_channel *channel)
{
	unsigned long flags;

	tasklet_disable(&channel->callback_event);

	spin_lock_irqsave(&channel->sched_lock, flags);
	channel->onchannel_callback = NULL;
	spin_unlock_irqrestore(&channel->sched_lock, flags);

	channel->sc_creation_callback = NULL;

	tasklet_enable(&channel->callback_event);
}

/**
 * vmbus_sim_channel_rescind() - the guest half of a RESCINDCHANNEL message
 * @channel: the channel
 *
 * As vmbus_onoffer_rescind() before it waits for the probe: stop callbacks,
 * then set channel->rescind, which sends and a pending vmbus_open() check.
 *
 * Context: process context.
 */
void vmbus_sim_channel_rescind(struct vmbus_channel *channel)
{
	reset_channel_callback(channel);
	WRITE_ONCE(channel->rescind, true);
}

struct vmbus_channel *vmbus_sim_channel_alloc(struct vmbus_sim_device *dev,
					      const guid_t *type, const guid_t *instance,
					      u32 relid)
{
	struct vmbus_sim_channel *sim;
	struct vmbus_channel *channel;

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return NULL;
	sim->dev = dev;
	channel = &sim->channel;

	/* what alloc_channel() initialises */
	spin_lock_init(&channel->sched_lock);
	init_completion(&channel->rescind_event);
	INIT_LIST_HEAD(&channel->listentry);
	INIT_LIST_HEAD(&channel->sc_list);
	tasklet_setup(&channel->callback_event, channel_on_event);
	mutex_init(&channel->inbound.ring_buffer_mutex);
	mutex_init(&channel->outbound.ring_buffer_mutex);
	/*
	 * hv_vmbus initialises these at open; drivers may take them earlier
	 * (set_channel_pending_send_size(), lock_requestor()), so do it now.
	 */
	spin_lock_init(&channel->outbound.ring_lock);
	spin_lock_init(&channel->inbound.ring_lock);
	spin_lock_init(&channel->requestor.req_lock);

	/*
	 * The OFFERCHANNEL message: no monitor page (monitor_allocated 0, so
	 * vmbus_setevent() takes the event path), no dedicated interrupt, a
	 * primary channel (sub_channel_index 0), not hv_sock.
	 */
	channel->offermsg.header.msgtype = CHANNELMSG_OFFERCHANNEL;
	guid_copy(&channel->offermsg.offer.if_type, type);
	guid_copy(&channel->offermsg.offer.if_instance, instance);
	channel->offermsg.child_relid = relid;
	channel->offermsg.connection_id = VMBUS_SIM_CONNECTION_ID;

	/* what vmbus_setup_channel_state() derives from it */
	channel->sig_event = channel->offermsg.connection_id;
	channel->is_dedicated_interrupt = channel->offermsg.is_dedicated_interrupt;
	channel->monitor_grp = channel->offermsg.monitorid / 32;
	channel->monitor_bit = channel->offermsg.monitorid % 32;
	channel->device_id = dev_type_of(type);

	/* VMBUS_CONNECT_CPU, where init_vp_index() puts non-performance devices */
	channel->target_cpu = 0;
	channel->state = CHANNEL_OFFER_STATE;
	return channel;
}

/* hv_vmbus's vmbus_connection.channel_mutex: sub-channel lists, their closes */
DEFINE_MUTEX(vmbus_sim_channel_mutex);

/* after a grace period, as hv_vmbus's vmbus_chan_release() frees it */
static void sub_release(struct kobject *kobj)
{
	struct vmbus_channel *channel = container_of(kobj, struct vmbus_channel, kobj);

	kfree_rcu(container_of(channel, struct vmbus_sim_channel, channel), channel.rcu);
}

static const struct kobj_type sub_ktype = {
	.release = sub_release,
};

/**
 * vmbus_sim_channel_make_sub() - a new channel becomes a sub-channel
 * @channel: from vmbus_sim_channel_alloc(), not yet known to the guest
 * @primary: the primary channel
 * @index: offer.sub_channel_index, not 0
 *
 * As hv_vmbus's vmbus_process_offer() and vmbus_add_channel_kobj(): the
 * channel goes on @primary's sc_list and, having no device, lives by its
 * kobject, which a driver may hold a reference to (hv_vmbus's sysfs
 * channel directory); the last put frees it.
 *
 * Context: process context.
 */
void vmbus_sim_channel_make_sub(struct vmbus_channel *channel, struct vmbus_channel *primary,
				u16 index)
{
	channel->offermsg.offer.sub_channel_index = index;
	channel->primary_channel = primary;
	channel->target_cpu = primary->target_cpu;
	kobject_init(&channel->kobj, &sub_ktype);
	mutex_lock(&vmbus_sim_channel_mutex);
	list_add_tail(&channel->sc_list, &primary->sc_list);
	mutex_unlock(&vmbus_sim_channel_mutex);
}

void vmbus_sim_channel_free(struct vmbus_channel *channel)
{
	tasklet_kill(&channel->callback_event);
	if (channel->primary_channel) {
		kobject_put(&channel->kobj);
		return;
	}
	kfree_rcu(container_of(channel, struct vmbus_sim_channel, channel), channel.rcu);
}

/**
 * vmbus_setevent() - signal the host about this channel
 * @channel: the channel
 *
 * The simulated offers have no monitor page, so this is always what
 * vmbus_set_event() does: one signal (a HVCALL_SIGNAL_EVENT hypercall on
 * Hyper-V), counted in channel->sig_events and by the host, which then reads
 * the outbound ring and checks its pending_send_sz.
 *
 * Context: any.
 */
void vmbus_setevent(struct vmbus_channel *channel)
{
	vmbus_set_event(channel);
}
EXPORT_SYMBOL_GPL(vmbus_setevent);

/**
 * vmbus_set_event() - signal the host without the monitor page
 * @channel: the channel
 *
 * Context: any.
 */
void vmbus_set_event(struct vmbus_channel *channel)
{
	++channel->sig_events;
	vmbus_sim_host_signal(vmbus_sim_channel_dev(channel));
}
EXPORT_SYMBOL_GPL(vmbus_set_event);

/**
 * vmbus_alloc_ring() - allocate the pages of both rings
 * @channel: the channel
 * @send_size: outbound ring bytes, header page included; a PAGE_SIZE multiple
 * @recv_size: inbound ring bytes, likewise
 *
 * One zeroed, physically contiguous block, outbound ring first.
 *
 * Context: process context.
 * Return: 0, -EINVAL for sizes that are not page multiples, -ENOMEM.
 */
int vmbus_alloc_ring(struct vmbus_channel *channel, u32 send_size, u32 recv_size)
{
	struct page *page;
	int order;

	if (send_size % PAGE_SIZE || recv_size % PAGE_SIZE)
		return -EINVAL;

	order = get_order(send_size + recv_size);
	page = alloc_pages_node(cpu_to_node(channel->target_cpu),
				GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return -ENOMEM;

	channel->ringbuffer_page = page;
	channel->ringbuffer_pagecount = (send_size + recv_size) >> PAGE_SHIFT;
	channel->ringbuffer_send_offset = send_size >> PAGE_SHIFT;
	return 0;
}
EXPORT_SYMBOL_GPL(vmbus_alloc_ring);

/**
 * vmbus_free_ring() - unmap both rings and free their pages
 * @channel: the channel
 *
 * Pages still shared with the host (ringbuffer_gpadlhandle.decrypted) are
 * leaked on purpose, as hv_vmbus does.
 *
 * Context: process context.
 */
void vmbus_free_ring(struct vmbus_channel *channel)
{
	vmbus_sim_ring_cleanup(&channel->outbound);
	vmbus_sim_ring_cleanup(&channel->inbound);

	if (channel->ringbuffer_page) {
		if (!channel->ringbuffer_gpadlhandle.decrypted)
			__free_pages(channel->ringbuffer_page,
				     get_order(channel->ringbuffer_pagecount << PAGE_SHIFT));
		channel->ringbuffer_page = NULL;
	}
}
EXPORT_SYMBOL_GPL(vmbus_free_ring);

/*
 * The requestor: slot i holds a request address while in use, else the
 * index of the next free slot; the free list is LIFO and starts at 0
 * (hv_vmbus request_arr_init(), vmbus_alloc_requestor()).
 */
static int alloc_requestor(struct vmbus_requestor *rqstor, u32 size)
{
	u64 *arr;
	u32 i;

	arr = kcalloc(size, sizeof(*arr), GFP_KERNEL);
	if (!arr)
		return -ENOMEM;
	for (i = 0; i < size - 1; i++)
		arr[i] = i + 1;
	arr[i] = U64_MAX;

	rqstor->req_bitmap = bitmap_zalloc(size, GFP_KERNEL);
	if (!rqstor->req_bitmap) {
		kfree(arr);
		return -ENOMEM;
	}
	rqstor->req_arr = arr;
	rqstor->size = size;
	rqstor->next_request_id = 0;
	spin_lock_init(&rqstor->req_lock);
	return 0;
}

static void free_requestor(struct vmbus_requestor *rqstor)
{
	kfree(rqstor->req_arr);
	rqstor->req_arr = NULL;
	bitmap_free(rqstor->req_bitmap);
	rqstor->req_bitmap = NULL;
}

/* The OPENCHANNEL downstream offset: inbound ring start in Hyper-V pages. */
static u32 send_hvpage_offset(u32 send_bytes)
{
	return (send_bytes - (PAGE_SIZE - HV_HYP_PAGE_SIZE)) >> HV_HYP_PAGE_SHIFT;
}

/* hv_vmbus's __vmbus_open(); the host answers OPENCHANNEL synchronously. */
static int open_channel(struct vmbus_channel *channel, void *userdata, u32 userdatalen,
			void (*onchannelcallback)(void *context), void *context)
{
	struct vmbus_sim_device *dev = vmbus_sim_channel_dev(channel);
	struct page *page = channel->ringbuffer_page;
	u32 send_pages, recv_pages;
	int err;

	if (userdatalen > MAX_USER_DEFINED_BYTES)
		return -EINVAL;

	send_pages = channel->ringbuffer_send_offset;
	recv_pages = channel->ringbuffer_pagecount - send_pages;

	if (channel->state != CHANNEL_OPEN_STATE)
		return -EINVAL;

	if (channel->rqstor_size && alloc_requestor(&channel->requestor, channel->rqstor_size))
		return -ENOMEM;

	channel->state = CHANNEL_OPENING_STATE;
	channel->onchannel_callback = onchannelcallback;
	channel->channel_callback_context = context;

	if (!channel->max_pkt_size)
		channel->max_pkt_size = VMBUS_DEFAULT_MAX_PKT_SIZE;

	channel->ringbuffer_gpadlhandle.gpadl_handle = 0;
	err = vmbus_sim_gpadl_establish(channel, HV_GPADL_RING, page_address(page),
					(send_pages + recv_pages) << PAGE_SHIFT,
					send_pages << PAGE_SHIFT,
					&channel->ringbuffer_gpadlhandle);
	if (err)
		goto err_clean_ring;

	err = vmbus_sim_ring_init(&channel->outbound, page, send_pages, 0);
	if (err)
		goto err_free_gpadl;
	err = vmbus_sim_ring_init(&channel->inbound, &page[send_pages], recv_pages,
				  channel->max_pkt_size);
	if (err)
		goto err_free_gpadl;

	if (channel->rescind) {
		err = -ENODEV;
		goto err_free_gpadl;
	}

	err = vmbus_sim_host_open(dev, channel->ringbuffer_gpadlhandle.gpadl_handle,
				  send_hvpage_offset(send_pages << PAGE_SHIFT));

	/* A rescind wakes the OPENCHANNEL wait; the result does not count. */
	if (channel->rescind) {
		if (!err)
			vmbus_sim_host_close(dev);
		err = -ENODEV;
		goto err_free_gpadl;
	}
	/* any non-zero OPENCHANNEL_RESULT status */
	if (err) {
		err = -EAGAIN;
		goto err_free_gpadl;
	}

	channel->state = CHANNEL_OPENED_STATE;
	return 0;

err_free_gpadl:
	vmbus_teardown_gpadl(channel, &channel->ringbuffer_gpadlhandle);
err_clean_ring:
	vmbus_sim_ring_cleanup(&channel->outbound);
	vmbus_sim_ring_cleanup(&channel->inbound);
	free_requestor(&channel->requestor);
	channel->state = CHANNEL_OPEN_STATE;
	return err;
}

/**
 * vmbus_connect_ring() - open a channel on rings from vmbus_alloc_ring()
 * @channel: the channel, offered and not open
 * @onchannel_callback: called on host interrupts, per channel->callback_mode
 * @context: its argument
 *
 * Context: process context.
 * Return: as vmbus_open(), without its allocation errors.
 */
int vmbus_connect_ring(struct vmbus_channel *channel,
		       void (*onchannel_callback)(void *context), void *context)
{
	might_sleep();
	return open_channel(channel, NULL, 0, onchannel_callback, context);
}
EXPORT_SYMBOL_GPL(vmbus_connect_ring);

/**
 * vmbus_open() - allocate the rings and open the channel
 * @channel: the channel, offered and not open
 * @send_ringbuffer_size: outbound ring bytes, header page included
 * @recv_ringbuffer_size: inbound ring bytes, header page included
 * @userdata: OPENCHANNEL user data, may be NULL
 * @userdatalen: at most MAX_USER_DEFINED_BYTES
 * @onchannel_callback: called on host interrupts, per channel->callback_mode
 * @context: its argument
 *
 * Before the call a driver may set channel->max_pkt_size (the inbound copy
 * buffer, default VMBUS_DEFAULT_MAX_PKT_SIZE, descriptor included),
 * channel->rqstor_size and the request id callbacks, and the callback mode.
 * The host's &vmbus_sim_host_ops.open runs before this returns.
 *
 * Context: process context.
 * Return: 0; -EINVAL (sizes not page multiples, @userdatalen too big, the
 * channel not in its offered state, e.g. already open); -ENOMEM; -EDQUOT if
 * the host refuses the ring GPADL; -EAGAIN if the host refuses the open;
 * -ENODEV if the offer is rescinded before or during the open.
 */
int vmbus_open(struct vmbus_channel *channel, u32 send_ringbuffer_size,
	       u32 recv_ringbuffer_size, void *userdata, u32 userdatalen,
	       void (*onchannel_callback)(void *context), void *context)
{
	int err;

	might_sleep();

	/*
	 * hv_vmbus allocates first and finds the wrong state later; its error
	 * path then unmaps the rings of the channel that is open. Same error
	 * code here, without breaking that channel.
	 */
	if (channel->state != CHANNEL_OPEN_STATE)
		return -EINVAL;

	err = vmbus_alloc_ring(channel, send_ringbuffer_size, recv_ringbuffer_size);
	if (err)
		return err;

	err = open_channel(channel, userdata, userdatalen, onchannel_callback, context);
	if (err)
		vmbus_free_ring(channel);
	return err;
}
EXPORT_SYMBOL_GPL(vmbus_open);

/* hv_vmbus's vmbus_close_internal() */
static int close_channel(struct vmbus_channel *channel)
{
	int ret = 0;

	reset_channel_callback(channel);

	/* e.g. remove after a failed open: nothing to close */
	if (channel->state != CHANNEL_OPENED_STATE)
		return -EINVAL;
	channel->state = CHANNEL_OPEN_STATE;

	/* CLOSECHANNEL: the host lets go of the rings */
	vmbus_sim_host_close(vmbus_sim_channel_dev(channel));

	if (channel->ringbuffer_gpadlhandle.gpadl_handle) {
		ret = vmbus_teardown_gpadl(channel, &channel->ringbuffer_gpadlhandle);
		if (ret)
			pr_err("Close failed: teardown gpadl return %d\n", ret);
	}

	if (!ret)
		free_requestor(&channel->requestor);
	return ret;
}

/**
 * vmbus_disconnect_ring() - close a channel but keep its rings
 * @channel: a primary channel
 *
 * First each of its sub-channels, as hv_vmbus does: a rescinded one once
 * its rescind was handled; an open one is closed and its rings freed, and
 * then, if rescinded, released. Then the primary itself: callbacks stop
 * (a running tasklet is waited for), the host lets go of the rings
 * (&vmbus_sim_host_ops.close), the ring GPADL is torn down and the
 * requestor freed.
 *
 * Context: process context.
 * Return: 0; -EINVAL for a sub-channel (which only its primary's close
 * closes) or a channel that is not open.
 */
int vmbus_disconnect_ring(struct vmbus_channel *channel)
{
	struct vmbus_channel *cur, *tmp;

	might_sleep();

	if (channel->primary_channel)
		return -EINVAL;

	list_for_each_entry_safe(cur, tmp, &channel->sc_list, sc_list) {
		if (cur->rescind)
			wait_for_completion(&cur->rescind_event);
		mutex_lock(&vmbus_sim_channel_mutex);
		if (close_channel(cur) == 0) {
			vmbus_free_ring(cur);
			if (cur->rescind)
				vmbus_sim_host_sub_removed(vmbus_sim_channel_dev(cur));
		}
		mutex_unlock(&vmbus_sim_channel_mutex);
	}
	return close_channel(channel);
}
EXPORT_SYMBOL_GPL(vmbus_disconnect_ring);

/**
 * vmbus_close() - close a channel and free its rings
 * @channel: the channel
 *
 * As vmbus_disconnect_ring(), then vmbus_free_ring() if that succeeded;
 * safe on a channel that is not open.
 *
 * Context: process context.
 */
void vmbus_close(struct vmbus_channel *channel)
{
	if (vmbus_disconnect_ring(channel) == 0)
		vmbus_free_ring(channel);
}
EXPORT_SYMBOL_GPL(vmbus_close);

/**
 * vmbus_sendpacket_getid() - send an in-band packet, return its wire id
 * @channel: an open channel
 * @buffer: payload
 * @bufferlen: payload bytes; zero-padded to 8 on the wire
 * @requestid: the caller's id; stored in the requestor if the channel uses
 *             one and @flags is exactly COMPLETION_REQUESTED
 * @trans_id: if not NULL and the send succeeds, the id put on the wire
 * @type: descriptor type, e.g. VM_PKT_DATA_INBAND or VM_PKT_COMP
 * @flags: 0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED
 *
 * len8 is computed in 16 bits, as in hv_vmbus, so a payload beyond what
 * len8 can describe is not caught here.
 *
 * Context: any (the ring lock disables interrupts).
 * Return: 0; -EAGAIN if the ring has not more free bytes than the packet
 * and its trailer need, or no request id is free; -ENODEV after rescind;
 * -EIO on out-of-range shared indices (6.12.117 and later).
 */
int vmbus_sendpacket_getid(struct vmbus_channel *channel, void *buffer, u32 bufferlen,
			   u64 requestid, u64 *trans_id, enum vmbus_packet_type type,
			   u32 flags)
{
	u32 packetlen = sizeof(struct vmpacket_descriptor) + bufferlen;
	u32 aligned = ALIGN(packetlen, sizeof(u64));
	struct vmpacket_descriptor desc;
	u64 pad = 0;
	struct kvec kv[3] = {
		{ .iov_base = &desc, .iov_len = sizeof(desc) },
		{ .iov_base = buffer, .iov_len = bufferlen },
		{ .iov_base = &pad, .iov_len = aligned - packetlen },
	};

	desc.type = type;
	desc.flags = flags;
	desc.offset8 = sizeof(struct vmpacket_descriptor) >> 3;
	desc.len8 = (u16)(aligned >> 3);
	/* the ring writer puts the real id in */
	desc.trans_id = VMBUS_RQST_ERROR;

	return vmbus_sim_ring_write(channel, kv, bufferlen ? 3 : 1, requestid, trans_id);
}
EXPORT_SYMBOL_GPL(vmbus_sendpacket_getid);

/**
 * vmbus_sendpacket() - send an in-band packet
 * @channel: an open channel
 * @buffer: payload
 * @bufferlen: payload bytes
 * @requestid: the caller's id (see vmbus_sendpacket_getid())
 * @type: descriptor type
 * @flags: 0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED
 *
 * Context: any.
 * Return: as vmbus_sendpacket_getid().
 */
int vmbus_sendpacket(struct vmbus_channel *channel, void *buffer, u32 bufferlen,
		     u64 requestid, enum vmbus_packet_type type, u32 flags)
{
	return vmbus_sendpacket_getid(channel, buffer, bufferlen, requestid, NULL,
				      type, flags);
}
EXPORT_SYMBOL_GPL(vmbus_sendpacket);

/**
 * vmbus_sendpacket_mpb_desc() - send a GPA-direct packet
 * @channel: an open channel
 * @desc: descriptor followed by the GPA ranges; the caller sets rangecount
 *        and the ranges, this sets type 9, flags COMPLETION_REQUESTED,
 *        dataoffset8, length8, reserved (the 6.15 rule, backported to both
 *        6.1.192 and 6.12.117: rangecount is not forced to 1 any more)
 * @desc_size: bytes of @desc with its ranges; a multiple of 8
 * @buffer: in-band payload after the ranges
 * @bufferlen: its bytes
 * @requestid: the caller's id (see vmbus_sendpacket_getid())
 *
 * Context: any.
 * Return: as vmbus_sendpacket_getid().
 */
int vmbus_sendpacket_mpb_desc(struct vmbus_channel *channel,
			      struct vmbus_packet_mpb_array *desc, u32 desc_size,
			      void *buffer, u32 bufferlen, u64 requestid)
{
	u32 packetlen = desc_size + bufferlen;
	u32 aligned = ALIGN(packetlen, sizeof(u64));
	u64 pad = 0;
	struct kvec kv[3] = {
		{ .iov_base = desc, .iov_len = desc_size },
		{ .iov_base = buffer, .iov_len = bufferlen },
		{ .iov_base = &pad, .iov_len = aligned - packetlen },
	};

	desc->type = VM_PKT_DATA_USING_GPA_DIRECT;
	desc->flags = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	desc->dataoffset8 = desc_size >> 3;
	desc->length8 = (u16)(aligned >> 3);
	desc->transactionid = VMBUS_RQST_ERROR;
	desc->reserved = 0;

	return vmbus_sim_ring_write(channel, kv, 3, requestid, NULL);
}
EXPORT_SYMBOL_GPL(vmbus_sendpacket_mpb_desc);

/**
 * vmbus_recvpacket() - copy the next packet's payload out of the ring
 * @channel: an open channel
 * @buffer: destination
 * @bufferlen: its size; 0 is -EINVAL
 * @buffer_actual_len: payload bytes (len8 * 8 - offset8 * 8), also on -ENOBUFS
 * @requestid: the packet's trans_id
 *
 * Context: as hv_pkt_iter_first().
 * Return: 0 (with *@buffer_actual_len 0 if the ring is empty); -ENOBUFS if
 * @bufferlen is too small, the packet staying in the ring; -EINVAL.
 */
int vmbus_recvpacket(struct vmbus_channel *channel, void *buffer, u32 bufferlen,
		     u32 *buffer_actual_len, u64 *requestid)
{
	return vmbus_sim_ring_read(channel, buffer, bufferlen, buffer_actual_len,
				   requestid, false);
}
EXPORT_SYMBOL_GPL(vmbus_recvpacket);

/**
 * vmbus_recvpacket_raw() - copy the next whole packet out of the ring
 * @channel: an open channel
 * @buffer: destination for descriptor, headers and payload
 * @bufferlen: its size; 0 is -EINVAL
 * @buffer_actual_len: packet bytes (len8 * 8), also on -ENOBUFS
 * @requestid: the packet's trans_id
 *
 * Context: as hv_pkt_iter_first().
 * Return: as vmbus_recvpacket().
 */
int vmbus_recvpacket_raw(struct vmbus_channel *channel, void *buffer, u32 bufferlen,
			 u32 *buffer_actual_len, u64 *requestid)
{
	return vmbus_sim_ring_read(channel, buffer, bufferlen, buffer_actual_len,
				   requestid, true);
}
EXPORT_SYMBOL_GPL(vmbus_recvpacket_raw);

/**
 * vmbus_next_request_id() - store a request address, return its request id
 * @channel: the channel; its requestor exists from vmbus_open() if
 *           channel->rqstor_size was set
 * @rqst_addr: what vmbus_request_addr() gives back
 *
 * Ids are slot + 1, since 0 is reserved for unsolicited host messages and
 * Hyper-V does not answer completion requests with id 0; free slots are
 * reused last-freed first.
 *
 * Context: any.
 * Return: the id; VMBUS_RQST_ERROR if every slot is in use; VMBUS_NO_RQSTOR
 * if the channel has no requestor.
 */
u64 vmbus_next_request_id(struct vmbus_channel *channel, u64 rqst_addr)
{
	struct vmbus_requestor *rqstor = &channel->requestor;
	unsigned long flags;
	u64 slot;

	if (!channel->rqstor_size)
		return VMBUS_NO_RQSTOR;

	lock_requestor(channel, flags);
	slot = rqstor->next_request_id;
	if (slot >= rqstor->size) {
		unlock_requestor(channel, flags);
		return VMBUS_RQST_ERROR;
	}
	rqstor->next_request_id = rqstor->req_arr[slot];
	rqstor->req_arr[slot] = rqst_addr;
	bitmap_set(rqstor->req_bitmap, slot, 1);
	unlock_requestor(channel, flags);

	return slot + 1;
}
EXPORT_SYMBOL_GPL(vmbus_next_request_id);

/**
 * __vmbus_request_addr_match() - vmbus_request_addr_match(), lock held
 * @channel: the channel
 * @trans_id: an id from the host, untrusted
 * @rqst_addr: the address expected there, or VMBUS_RQST_ADDR_ANY
 *
 * Context: with lock_requestor() held.
 * Return: as vmbus_request_addr_match().
 */
u64 __vmbus_request_addr_match(struct vmbus_channel *channel, u64 trans_id, u64 rqst_addr)
{
	struct vmbus_requestor *rqstor = &channel->requestor;
	u64 addr;

	if (!channel->rqstor_size)
		return VMBUS_NO_RQSTOR;

	/* id 0 is an unsolicited host message, never a request */
	if (!trans_id)
		return VMBUS_RQST_ERROR;
	trans_id--;
	if (trans_id >= rqstor->size || !test_bit(trans_id, rqstor->req_bitmap))
		return VMBUS_RQST_ERROR;
	/* the host chose this index: no speculation past the check */
	trans_id = array_index_nospec(trans_id, rqstor->size);

	addr = rqstor->req_arr[trans_id];
	if (rqst_addr == VMBUS_RQST_ADDR_ANY || addr == rqst_addr) {
		rqstor->req_arr[trans_id] = rqstor->next_request_id;
		rqstor->next_request_id = trans_id;
		bitmap_clear(rqstor->req_bitmap, trans_id, 1);
	}
	return addr;
}
EXPORT_SYMBOL_GPL(__vmbus_request_addr_match);

/**
 * vmbus_request_addr_match() - look up a request id and free it if it matches
 * @channel: the channel
 * @trans_id: an id from the host, untrusted
 * @rqst_addr: the address expected there, or VMBUS_RQST_ADDR_ANY
 *
 * The slot is freed only if it holds @rqst_addr (or for ADDR_ANY), so a
 * late completion after a timeout cannot free a slot reused since.
 *
 * Context: any.
 * Return: the address stored for @trans_id; VMBUS_RQST_ERROR for id 0, an
 * id out of range or not in use; VMBUS_NO_RQSTOR without a requestor.
 */
u64 vmbus_request_addr_match(struct vmbus_channel *channel, u64 trans_id, u64 rqst_addr)
{
	unsigned long flags;
	u64 addr;

	lock_requestor(channel, flags);
	addr = __vmbus_request_addr_match(channel, trans_id, rqst_addr);
	unlock_requestor(channel, flags);
	return addr;
}
EXPORT_SYMBOL_GPL(vmbus_request_addr_match);

/**
 * vmbus_request_addr() - look up a request id and free it
 * @channel: the channel
 * @trans_id: an id from the host, untrusted
 *
 * Context: any.
 * Return: as vmbus_request_addr_match() with VMBUS_RQST_ADDR_ANY.
 */
u64 vmbus_request_addr(struct vmbus_channel *channel, u64 trans_id)
{
	return vmbus_request_addr_match(channel, trans_id, VMBUS_RQST_ADDR_ANY);
}
EXPORT_SYMBOL_GPL(vmbus_request_addr);

/**
 * vmbus_set_chn_rescind_callback() - handle the rescind instead of remove
 * @channel: the channel
 * @chn_rescind_cb: called (process context) on rescind in place of the
 *                  device's removal; the driver then removes the device
 *                  itself, e.g. with vmbus_device_unregister()
 *
 * Context: any.
 */
void vmbus_set_chn_rescind_callback(struct vmbus_channel *channel,
				    void (*chn_rescind_cb)(struct vmbus_channel *))
{
	channel->chn_rescind_callback = chn_rescind_cb;
}
EXPORT_SYMBOL_GPL(vmbus_set_chn_rescind_callback);

/**
 * vmbus_set_sc_create_callback() - set the sub-channel offer callback
 * @primary_channel: the primary channel
 * @sc_cr_cb: called for each sub-channel offer (vmbus_sim_offer_subchannel()),
 *            in process context, with the new sub-channel, whose kobject a
 *            driver may hold a reference to
 *
 * Context: any.
 */
void vmbus_set_sc_create_callback(struct vmbus_channel *primary_channel,
				  void (*sc_cr_cb)(struct vmbus_channel *new_sc))
{
	primary_channel->sc_creation_callback = sc_cr_cb;
}
EXPORT_SYMBOL_GPL(vmbus_set_sc_create_callback);
