// SPDX-License-Identifier: GPL-2.0
/*
 * Channel objects: allocation, Init* configuration, Enable, Disable,
 * Cleanup and the accessors.
 *
 * State model (Documentation/kmcl-semantics.rst), client side:
 *
 *   Disabled --Enable--> vmbus_open, Opened, Started, incoming on,
 *                        PostStarted: enabled and open
 *   enabled --Disable or rescind (the client's hv_driver remove)-->
 *            incoming off, Suspend, wait for delivered packets,
 *            vmbus_close, transactions and queued sends cancelled, Closed,
 *            GPADLs the client left torn down: Disabled
 */
#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "bind.h"
#include "channel.h"
#include "external.h"
#include "flow.h"
#include "gpadl.h"
#include "obs.h"
#include "packet.h"
#include "pipe.h"
#include "receive.h"
#include "send.h"
#include "subchannel.h"
#include "sync.h"
#include "transaction.h"

static bool is_vmbus_device(struct device *dev)
{
	/* hv_vmbus's bus type is not exported; its name is ABI (sysfs) */
	return dev->bus && dev->bus->name && !strcmp(dev->bus->name, "vmbus");
}

/* A zeroed channel object made ready: Disabled, default settings. */
static void channel_init(struct vmb_channel *ch, struct device *parent)
{
	if (parent) {
		ch->parent = get_device(parent);
		ch->hv_dev = device_to_hv_device(parent);
		ch->chan = ch->hv_dev->channel;
		ch->instance = ch->hv_dev->dev_instance;
	} else {
		ch->bindable = true;
	}
	INIT_LIST_HEAD(&ch->bind_link);
	mutex_init(&ch->state_mutex);
	mutex_init(&ch->gpadl_mutex);
	INIT_LIST_HEAD(&ch->gpadls);
	spin_lock_init(&ch->lock);
	spin_lock_init(&ch->rx_lock);
	INIT_LIST_HEAD(&ch->send_queue);
	INIT_LIST_HEAD(&ch->in_flight);
	INIT_LIST_HEAD(&ch->comp_queue);
	vmb_flow_init(ch);
	atomic_set(&ch->rx_outstanding, 0);
	init_waitqueue_head(&ch->rx_wait);
	vmb_receive_init(ch);
	vmb_bounce_init(&ch->ex.bounce);
	vmb_sub_init(ch);

	ch->max_packet_size = VMB_DEFAULT_MAX_PACKET_SIZE;
	ch->max_external_data = VMB_DEFAULT_MAX_EXTERNAL_DATA;
	ch->max_external_chain = VMB_DEFAULT_MAX_EXTERNAL_CHAIN;
	ch->incoming_pages = VMB_DEFAULT_RING_PAGES;
	ch->outgoing_pages = VMB_DEFAULT_RING_PAGES;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&ch->callbacks);
	vmb_obs_channel_add(ch);
}

/* The checks VmbChannelAllocate() and VmbChannelInitialize() share. */
static NTSTATUS check_parent(struct device *parent, bool is_server)
{
	if (is_server)
		return STATUS_NOT_SUPPORTED;
	/* NULL: bound later by VmbClientChannelInitSetTargetPnp() */
	if (parent && (!is_vmbus_device(parent) || !parent->driver))
		return STATUS_INVALID_PARAMETER_1;
	return STATUS_SUCCESS;
}

NTSTATUS VmbChannelAllocate(struct device *parent, bool is_server,
			    VMBCHANNEL *channel)
{
	struct vmb_channel *ch;
	NTSTATUS status;

	might_sleep();

	status = check_parent(parent, is_server);
	if (status)
		return status;
	if (!channel)
		return STATUS_INVALID_PARAMETER_3;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return STATUS_INSUFFICIENT_RESOURCES;
	channel_init(ch, parent);
	*channel = ch;
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_GPL(VmbChannelAllocate);

u32 VmbSizeofChannel(void)
{
	return sizeof(struct vmb_channel);
}
EXPORT_SYMBOL_GPL(VmbSizeofChannel);

NTSTATUS VmbChannelInitialize(struct device *parent, bool is_server, VMBCHANNEL channel,
			      u32 byte_count)
{
	NTSTATUS status;

	might_sleep();

	status = check_parent(parent, is_server);
	if (status)
		return status;
	if (!channel || !IS_ALIGNED((unsigned long)channel, __alignof__(struct vmb_channel)))
		return STATUS_INVALID_PARAMETER_3;
	if (byte_count < sizeof(struct vmb_channel))
		return STATUS_BUFFER_TOO_SMALL;

	memset(channel, 0, sizeof(*channel));
	channel->ex.caller_memory = true;
	channel_init(channel, parent);
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_GPL(VmbChannelInitialize);

void VmbChannelCleanup(VMBCHANNEL channel)
{
	might_sleep();

	if (!channel)
		return;
	VmbChannelDisable(channel);
	/* sends made while Disabled were queued for an Enable that never came */
	vmb_send_cancel_all(channel);
	vmb_gpadl_forget(channel);
	vmb_receive_cleanup(channel);
	vmb_sync_cleanup(channel);
	/* after every send was unmapped */
	vmb_bounce_cleanup(&channel->ex.bounce);
	vmb_sub_cleanup(channel);
	vmb_obs_channel_remove(channel);

	mutex_destroy(&channel->state_mutex);
	kfree(channel->friendly_name);
	put_device(channel->parent);
	/* VmbChannelInitialize(): the caller's memory, the caller's to free */
	if (!channel->ex.caller_memory)
		kfree(channel);
}
EXPORT_SYMBOL_GPL(VmbChannelCleanup);

static void set_open(struct vmb_channel *ch, bool open)
{
	unsigned long irqflags;

	spin_lock_irqsave(&ch->lock, irqflags);
	WRITE_ONCE(ch->open, open);
	if (open)
		vmb_flow_open(ch);	/* a new ring starts at 0 */
	spin_unlock_irqrestore(&ch->lock, irqflags);
}

/*
 * hv channels some vmb channel has open or is opening. One owner per hv
 * channel: a second vmb channel on the same device, or one whose hv
 * channel its parent driver opened itself, would rewrite the settings of
 * a live channel, and hv_vmbus's vmbus_open() of an open channel allocates
 * new rings over the live ones and then frees them. Keyed by the hv
 * channel's address; an entry lives from the claim in open_channel() to
 * the end of close_channel().
 */
static DEFINE_XARRAY(vmb_hv_owners);

static void vmb_hv_settings_save(struct vmb_channel *ch, const struct vmbus_channel *chan)
{
	ch->saved.max_pkt_size = chan->max_pkt_size;
	ch->saved.rqstor_size = chan->rqstor_size;
	ch->saved.next_request_id = chan->next_request_id_callback;
	ch->saved.request_addr = chan->request_addr_callback;
	ch->saved.callback_mode = chan->callback_mode;
	ch->saved.low_latency = chan->low_latency;
}

/* Leave the hv channel exactly as we found it, for whoever drives it next. */
static void vmb_hv_settings_restore(struct vmb_channel *ch, struct vmbus_channel *chan)
{
	chan->max_pkt_size = ch->saved.max_pkt_size;
	chan->rqstor_size = ch->saved.rqstor_size;
	chan->next_request_id_callback = ch->saved.next_request_id;
	chan->request_addr_callback = ch->saved.request_addr;
	set_channel_read_mode(chan, ch->saved.callback_mode);
	chan->low_latency = ch->saved.low_latency;
	vmb_target_restore(ch, chan);
}

/**
 * vmb_hv_owner() - the vmb channel that claimed an hv channel
 * @chan: the hv channel
 *
 * Context: any; the result is valid while the owner cannot close
 * (subchannel.c holds vmb_sub_mutex, which the owner's close waits for
 * after releasing the claim).
 * Return: the owner, or NULL.
 */
struct vmb_channel *vmb_hv_owner(struct vmbus_channel *chan)
{
	return xa_load(&vmb_hv_owners, (unsigned long)chan);
}

/*
 * Claim @chan for @ch, or say why not. A channel that is not in hv_vmbus's
 * offered-and-closed state, or has a callback set, is someone else's.
 */
static NTSTATUS claim_hv_channel(struct vmb_channel *ch, struct vmbus_channel *chan)
{
	int ret;

	ret = xa_insert(&vmb_hv_owners, (unsigned long)chan, ch, GFP_KERNEL);
	if (ret == -ENOMEM)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (!ret && chan->state == CHANNEL_OPEN_STATE && !READ_ONCE(chan->onchannel_callback))
		return STATUS_SUCCESS;
	if (!ret)
		xa_erase(&vmb_hv_owners, (unsigned long)chan);
	dev_err(vmb_channel_dev(ch),
		"vmbkmcl: the VMBus channel is open already (%s); one owner per channel\n",
		ret ? "by another vmbkmcl channel" : "by its driver");
	return STATUS_DEVICE_BUSY;
}

static void release_hv_channel(struct vmbus_channel *chan)
{
	xa_erase(&vmb_hv_owners, (unsigned long)chan);
}

static NTSTATUS open_channel(struct vmb_channel *ch)
{
	struct vmbus_channel *chan = ch->chan;
	u32 in_bytes = ch->incoming_pages * HV_HYP_PAGE_SIZE;
	u32 out_bytes = ch->outgoing_pages * HV_HYP_PAGE_SIZE;
	NTSTATUS status;
	int ret;

	lockdep_assert_held(&ch->state_mutex);

	status = claim_hv_channel(ch, chan);
	if (status)
		return status;
	vmb_hv_settings_save(ch, chan);
	/* VmbClientChannelInitSetTargetProcessorIndex(): OPENCHANNEL's VP */
	status = vmb_target_apply(ch, chan);
	if (status) {
		release_hv_channel(chan);
		return status;
	}
	vmb_external_prepare_device(&ch->hv_dev->device);

	/* hv_vmbus's max_pkt_size counts the descriptor; larger is truncated */
	chan->max_pkt_size = vmb_receive_buffer_size(ch);
	chan->rqstor_size = vmb_transaction_budget(in_bytes, out_bytes);
	/* VmbChannelInitSetMaximumPacketCount() */
	if (ch->ex.max_packet_count)
		chan->rqstor_size = min(chan->rqstor_size, ch->ex.max_packet_count);
	chan->next_request_id_callback = vmb_transaction_next_id;
	chan->request_addr_callback = vmbus_request_addr;
	set_channel_read_mode(chan, HV_CALL_DIRECT);

	/* note the order: vmbus_open() takes the send ring first */
	ret = vmbus_open(chan, VMBUS_RING_SIZE(out_bytes),
			 VMBUS_RING_SIZE(in_bytes), NULL, 0,
			 vmb_receive_callback, ch);
	if (!ret) {
		if (!ch->sub.primary)
			vmb_sub_primary_opened(ch);
		return STATUS_SUCCESS;
	}

	/*
	 * A failed vmbus_open() leaves our callback and context in the
	 * channel; vmbus_close() of a channel that is not open only resets
	 * them, waiting out a callback that runs, so nothing can call into
	 * a vmb channel that Cleanup may free next. vmbus_close() of a
	 * sub-channel does nothing: reset them as it would.
	 */
	if (ch->sub.primary)
		vmb_sub_park(ch);
	else
		vmbus_close(chan);
	vmb_hv_settings_restore(ch, chan);
	release_hv_channel(chan);
	return vmb_errno_to_ntstatus(ret);
}

/*
 * Before hv_vmbus's protocol 4.0 (VERSION_WIN10) the host wants a
 * channel's GPADLs torn down before the channel is closed; later hosts may
 * use a GPADL until the channel is closed, so it goes after (netvsc's
 * rule, netvsc_device_remove()).
 */
static bool teardown_before_close(void)
{
	return vmbus_proto_version < VERSION_WIN10;
}

/*
 * Close the hv channel, then give back what was in flight. A real host
 * owns the pages of a GPA-direct request until it completes it or handles
 * CLOSECHANNEL, so completion routines that run with STATUS_CANCELLED,
 * after which callers free or reuse those pages, run only once
 * vmbus_close() returned: the host can no longer write them. Opened's
 * failure and Disable share this.
 */
static void close_channel(struct vmb_channel *ch, bool call_closed)
{
	struct vmbus_channel *chan = ch->chan;

	lockdep_assert_held(&ch->state_mutex);

	set_open(ch, false);
	vmb_flow_stop(ch);
	/* what the woken synchronous requests report, after the unbind too */
	WRITE_ONCE(ch->removed, READ_ONCE(chan->rescind));
	if (teardown_before_close())
		vmb_gpadl_teardown_all(ch);
	/*
	 * stops the callback (a running one is waited for), then CLOSECHANNEL;
	 * hv_vmbus closes a sub-channel only with its primary (subchannel.c),
	 * and the primary's open sub-channels with it
	 */
	if (ch->sub.primary) {
		vmb_sub_park(ch);
	} else {
		vmb_sub_primary_closing(ch);
		vmbus_close(chan);
	}
	vmb_transaction_cancel_all(ch);
	vmb_send_cancel_all(ch);
	if (call_closed && ch->callbacks.closed)
		ch->callbacks.closed(ch);

	vmb_receive_release(ch);
	vmb_gpadl_teardown_all(ch);
	vmb_hv_settings_restore(ch, chan);
	release_hv_channel(chan);
	if (!ch->sub.primary)
		vmb_sub_primary_closed(ch);
}

/**
 * vmb_channel_sub_close_begin() - a sub-channel's close, before its
 * primary's vmbus_close()
 * @ch: an open sub-channel of a primary being closed
 *
 * Suspend and the wait for delivered packets; no more sends. The primary's
 * vmbus_close() then closes the sub-channel at the host.
 *
 * Context: process; the primary's state_mutex and subs_mutex held.
 */
void vmb_channel_sub_close_begin(struct vmb_channel *ch)
{
	mutex_lock(&ch->state_mutex);
	if (ch->connected) {
		vmb_obs_set_state(ch, VMB_STATE_CLOSING);
		vmb_receive_suspend(ch);
		set_open(ch, false);
		WRITE_ONCE(ch->removed, READ_ONCE(ch->chan->rescind));
		if (teardown_before_close())
			vmb_gpadl_teardown_all(ch);
		ch->sub.closing = true;
	}
	mutex_unlock(&ch->state_mutex);
}

/**
 * vmb_channel_sub_close_end() - a sub-channel's close, after its primary's
 * vmbus_close()
 * @ch: a sub-channel vmb_channel_sub_close_begin() began to close
 *
 * Cancellations, Closed, the GPADLs; the channel ends Disabled, as after a
 * rescind. Its hv channel, which hv_vmbus may have freed if rescinded, is
 * held by the offer's kobject reference until the primary drops it.
 *
 * Context: process; the primary's state_mutex and subs_mutex held.
 */
void vmb_channel_sub_close_end(struct vmb_channel *ch)
{
	struct vmbus_channel *chan = ch->chan;

	mutex_lock(&ch->state_mutex);
	if (ch->sub.closing) {
		vmb_transaction_cancel_all(ch);
		vmb_send_cancel_all(ch);
		if (ch->callbacks.closed)
			ch->callbacks.closed(ch);
		vmb_receive_release(ch);
		vmb_gpadl_teardown_all(ch);
		vmb_hv_settings_restore(ch, chan);
		release_hv_channel(chan);
		ch->sub.closing = false;
		ch->connected = false;
		ch->enabled = false;
		vmb_sub_unbind(ch, false);
		vmb_obs_set_state(ch, VMB_STATE_DISABLED);
	}
	mutex_unlock(&ch->state_mutex);
}

static bool fits_ring(struct vmb_channel *ch)
{
	u64 packet = vmb_packet_ring_bytes(sizeof(struct vmpacket_descriptor),
					   vmb_pipe_wire_size(ch, ch->max_packet_size));

	/* hv_ringbuffer_write() needs one byte more than the packet */
	return packet < (u64)ch->outgoing_pages * HV_HYP_PAGE_SIZE;
}

/*
 * Not open: a bindable channel waits for an offer while enabled and not
 * being disabled (bind.c clears bind_class first).
 */
static enum vmb_state unconnected_state(const struct vmb_channel *ch)
{
	return ch->enabled && READ_ONCE(ch->bind_class) ? VMB_STATE_WAITING : VMB_STATE_DISABLED;
}

/*
 * Open the rings and run Opened, Started and PostStarted: Enable of a
 * channel made with a parent, or bind.c when an offer for a bindable
 * channel arrived.
 */
static NTSTATUS channel_connect(struct vmb_channel *ch)
{
	NTSTATUS status;

	lockdep_assert_held(&ch->state_mutex);

	/* a sub-channel takes a sub-channel offer of its open primary */
	if (ch->sub.primary) {
		status = vmb_sub_bind(ch);
		if (status)
			return status;
	}
	/* the offer is gone; hv_vmbus would fail the open with -ENODEV */
	if (vmb_channel_rescinded(ch)) {
		vmb_sub_unbind(ch, false);
		return STATUS_DEVICE_REMOVED;
	}
	status = vmb_receive_prepare(ch);
	if (status) {
		vmb_sub_unbind(ch, false);
		return status;
	}
	status = open_channel(ch);
	if (status) {
		vmb_receive_release(ch);
		vmb_sub_unbind(ch, false);
		return status;
	}
	vmb_obs_set_state(ch, VMB_STATE_OPENING);
	/* KMCL lets Opened send; packets queued while Disabled go first */
	set_open(ch, true);
	vmb_send_drain(ch);

	if (ch->callbacks.opened) {
		status = ch->callbacks.opened(ch);
		if (!NT_SUCCESS(status)) {
			close_channel(ch, false);
			/* a sub-channel's offer stays open at the host: parked */
			vmb_sub_unbind(ch, true);
			vmb_obs_set_state(ch, unconnected_state(ch));
			return status;
		}
	}
	ch->connected = true;

	/* Started, incoming delivery, PostStarted; not while paused */
	vmb_receive_resume(ch);
	vmb_obs_set_state(ch, ch->rx.paused ? VMB_STATE_PAUSED : VMB_STATE_OPEN);
	return STATUS_SUCCESS;
}

/* Suspend, wait for delivered packets, cancel, Closed, vmbus_close. */
static void channel_disconnect(struct vmb_channel *ch)
{
	lockdep_assert_held(&ch->state_mutex);

	if (!ch->connected)
		return;
	vmb_obs_set_state(ch, VMB_STATE_CLOSING);
	/*
	 * No ProcessPacket runs from here until the next Started; Suspend,
	 * then KMCL waits for the client to complete every delivered packet.
	 */
	vmb_receive_suspend(ch);
	close_channel(ch, true);
	vmb_sub_unbind(ch, true);
	ch->connected = false;
	vmb_obs_set_state(ch, unconnected_state(ch));
}

/* The offer's instance GUID, for readers that do not hold state_mutex. */
static void set_instance(struct vmb_channel *ch, const guid_t *instance)
{
	unsigned long irqflags;

	spin_lock_irqsave(&ch->lock, irqflags);
	guid_copy(&ch->instance, instance);
	spin_unlock_irqrestore(&ch->lock, irqflags);
}

/*
 * A bindable channel lets go of its offer, which may be freed once the
 * reference goes: readers without state_mutex see NULL pointers first.
 */
static void unbind(struct vmb_channel *ch)
{
	struct device *parent = ch->parent;

	lockdep_assert_held(&ch->state_mutex);

	set_instance(ch, &guid_null);
	WRITE_ONCE(ch->chan, NULL);
	WRITE_ONCE(ch->hv_dev, NULL);
	ch->parent = NULL;
	put_device(parent);
}

/**
 * vmb_channel_attach() - bind a bindable channel to an offer and open it
 * @ch: an enabled bindable channel that bind.c claimed for @hv_dev
 * @hv_dev: the offer, which vmbkmcl's class driver was probed with
 *
 * Context: process; the device lock of @hv_dev held.
 * Return: STATUS_SUCCESS, or why the open failed; then @ch is unbound again.
 */
NTSTATUS vmb_channel_attach(struct vmb_channel *ch, struct hv_device *hv_dev)
{
	NTSTATUS status;

	device_lock_assert(&hv_dev->device);
	mutex_lock(&ch->state_mutex);
	ch->parent = get_device(&hv_dev->device);
	WRITE_ONCE(ch->hv_dev, hv_dev);
	WRITE_ONCE(ch->chan, hv_dev->channel);
	WRITE_ONCE(ch->removed, false);
	set_instance(ch, &hv_dev->dev_instance);
	status = channel_connect(ch);
	if (!NT_SUCCESS(status))
		unbind(ch);
	mutex_unlock(&ch->state_mutex);
	return status;
}

/**
 * vmb_channel_detach() - close a bound channel and unbind it from its offer
 * @ch: a bindable channel bound to an offer (connected or not)
 *
 * The channel is being disabled (a rescind goes through
 * vmb_channel_retire() instead).
 *
 * Context: process; the device lock of the offer held.
 */
void vmb_channel_detach(struct vmb_channel *ch)
{
	mutex_lock(&ch->state_mutex);
	channel_disconnect(ch);
	unbind(ch);
	mutex_unlock(&ch->state_mutex);
}

/**
 * vmb_channel_retire() - the offer of a bound channel goes: close, Disable
 * @ch: a bindable channel bound to an offer, whose offer is being removed
 *      (rescinded, or unbound from vmbkmcl's class driver)
 *
 * KMCL: a client channel whose offer is rescinded ends up Disabled, and only
 * VmbChannelEnable() starts it again. The channel is closed as by
 * VmbChannelDisable() (Suspend, wait, cancel, Closed, vmbus_close), unbound,
 * left Disabled and taken off its class (vmb_bind_release()), all under
 * state_mutex, so that an Enable the client makes from Closed's work item
 * sees a Disabled channel with nothing left of the old binding.
 *
 * Context: process; the device lock of the offer held.
 */
void vmb_channel_retire(struct vmb_channel *ch)
{
	mutex_lock(&ch->state_mutex);
	ch->enabled = false;
	channel_disconnect(ch);
	unbind(ch);
	vmb_bind_release(ch);
	vmb_obs_set_state(ch, VMB_STATE_DISABLED);
	mutex_unlock(&ch->state_mutex);
}

NTSTATUS VmbChannelEnable(VMBCHANNEL channel)
{
	struct vmb_channel *ch = channel;
	NTSTATUS status;

	might_sleep();

	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	vmb_sub_lock(ch);
	mutex_lock(&ch->state_mutex);
	if (ch->enabled) {
		status = STATUS_INVALID_DEVICE_STATE;
		goto unlock;
	}
	/* a bindable channel needs to know which offer to wait for */
	if (ch->bindable && !ch->pnp.set) {
		status = STATUS_INVALID_DEVICE_STATE;
		goto unlock;
	}
	if (!fits_ring(ch)) {
		status = STATUS_INVALID_PARAMETER;
		goto unlock;
	}
	if (ch->bindable) {
		/* the offer's probe opens it, now or later, under its own locks */
		ch->enabled = true;
		vmb_obs_set_state(ch, VMB_STATE_WAITING);
		mutex_unlock(&ch->state_mutex);
		status = vmb_bind_start(ch);
		if (!NT_SUCCESS(status)) {
			mutex_lock(&ch->state_mutex);
			ch->enabled = false;
			vmb_obs_set_state(ch, VMB_STATE_DISABLED);
			mutex_unlock(&ch->state_mutex);
		}
		return status;
	}
	status = channel_connect(ch);
	if (NT_SUCCESS(status))
		ch->enabled = true;
unlock:
	mutex_unlock(&ch->state_mutex);
	vmb_sub_unlock(ch);
	return status;
}
EXPORT_SYMBOL_GPL(VmbChannelEnable);

void VmbChannelDisable(VMBCHANNEL channel)
{
	struct vmb_channel *ch = channel;

	might_sleep();

	if (!ch)
		return;
	if (ch->bindable) {
		/* unbinds, and closes through vmb_channel_detach() if bound */
		vmb_bind_stop(ch);
		mutex_lock(&ch->state_mutex);
		if (ch->enabled)
			vmb_obs_set_state(ch, VMB_STATE_DISABLED);
		ch->enabled = false;
		mutex_unlock(&ch->state_mutex);
		return;
	}
	vmb_sub_lock(ch);
	mutex_lock(&ch->state_mutex);
	if (ch->enabled) {
		ch->enabled = false;
		channel_disconnect(ch);
	}
	mutex_unlock(&ch->state_mutex);
	vmb_sub_unlock(ch);
}
EXPORT_SYMBOL_GPL(VmbChannelDisable);

/* Whether vmbus_alloc_ring() can get both rings as one block. */
static bool vmb_rings_fit(u32 incoming_pages, u32 outgoing_pages)
{
	u64 in = VMBUS_RING_SIZE((u64)incoming_pages * HV_HYP_PAGE_SIZE);
	u64 out = VMBUS_RING_SIZE((u64)outgoing_pages * HV_HYP_PAGE_SIZE);

	return in + out <= VMB_MAX_RING_ALLOC;
}

/* Init* are legal only while Disabled; else STATUS_INVALID_PARAMETER_1. */
static NTSTATUS init_begin(struct vmb_channel *ch)
{
	might_sleep();

	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	mutex_lock(&ch->state_mutex);
	if (ch->enabled) {
		mutex_unlock(&ch->state_mutex);
		return STATUS_INVALID_PARAMETER_1;
	}
	return STATUS_SUCCESS;
}

static NTSTATUS init_end(struct vmb_channel *ch, NTSTATUS status)
{
	mutex_unlock(&ch->state_mutex);
	return status;
}

/**
 * vmb_channel_init_begin() - start an Init* call: the channel is Disabled
 * @ch: the channel, or NULL
 *
 * For the Init* functions of other files (channel_ex.c). On success the
 * caller holds state_mutex and ends with vmb_channel_init_end().
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS, or STATUS_INVALID_PARAMETER_1 for no channel or
 * one that is not Disabled.
 */
NTSTATUS vmb_channel_init_begin(struct vmb_channel *ch)
{
	return init_begin(ch);
}

/**
 * vmb_channel_init_end() - end an Init* call begun successfully
 * @ch: the channel
 * @status: what the call returns
 *
 * Context: process; state_mutex held, released here.
 * Return: @status.
 */
NTSTATUS vmb_channel_init_end(struct vmb_channel *ch, NTSTATUS status)
{
	return init_end(ch, status);
}

NTSTATUS VmbChannelInitSetMaximumPacketSize(VMBCHANNEL channel, u32 size)
{
	NTSTATUS status = init_begin(channel);

	if (status)
		return status;
	if (!size || size > VMB_MAX_PACKET_SIZE)
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	WRITE_ONCE(channel->max_packet_size, size);
	return init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetMaximumPacketSize);

NTSTATUS VmbChannelInitSetMaximumExternalData(VMBCHANNEL channel,
					      u32 data_size, u32 chain_length)
{
	NTSTATUS status = init_begin(channel);

	if (status)
		return status;
	if (!data_size)
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	if (!chain_length)
		return init_end(channel, STATUS_INVALID_PARAMETER_3);
	/* descriptors that could never fit a VMBus packet */
	if (!vmb_external_limits_valid(data_size, chain_length))
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	WRITE_ONCE(channel->max_external_data, data_size);
	WRITE_ONCE(channel->max_external_chain, chain_length);
	return init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetMaximumExternalData);

NTSTATUS VmbClientChannelInitSetRingBufferPageCount(VMBCHANNEL channel,
						    u32 incoming_pages,
						    u32 outgoing_pages)
{
	NTSTATUS status = init_begin(channel);

	if (status)
		return status;
	if (!incoming_pages || incoming_pages > VMB_MAX_RING_PAGES)
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	if (!outgoing_pages || outgoing_pages > VMB_MAX_RING_PAGES ||
	    !vmb_rings_fit(incoming_pages, outgoing_pages))
		return init_end(channel, STATUS_INVALID_PARAMETER_3);
	WRITE_ONCE(channel->incoming_pages, incoming_pages);
	WRITE_ONCE(channel->outgoing_pages, outgoing_pages);
	return init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbClientChannelInitSetRingBufferPageCount);

NTSTATUS VmbChannelInitSetClientContextSize(VMBCHANNEL channel, u32 size)
{
	NTSTATUS status = init_begin(channel);

	if (status)
		return status;
	if (size > VMB_MAX_CLIENT_CONTEXT)
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	WRITE_ONCE(channel->client_context_size, size);
	return init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetClientContextSize);

NTSTATUS
VmbChannelInitSetProcessPacketCallbacks(VMBCHANNEL channel,
					EVT_VMB_CHANNEL_PROCESS_PACKET *process_packet,
					EVT_VMB_CHANNEL_PROCESSING_COMPLETE *processing_complete)
{
	NTSTATUS status = init_begin(channel);

	if (status)
		return status;
	if (!process_packet)
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	channel->process_packet = process_packet;
	channel->processing_complete = processing_complete;
	return init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetProcessPacketCallbacks);

NTSTATUS
VmbChannelInitSetStateChangeCallbacks(VMBCHANNEL channel,
				      const struct vmb_channel_state_change_callbacks *callbacks)
{
	NTSTATUS status = init_begin(channel);

	if (status)
		return status;
	if (!callbacks ||
	    callbacks->version != VMB_CHANNEL_STATE_CHANGE_CALLBACKS_VERSION ||
	    callbacks->size != sizeof(*callbacks))
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	channel->callbacks = *callbacks;
	return init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetStateChangeCallbacks);

NTSTATUS VmbChannelInitSetFriendlyName(VMBCHANNEL channel, const char *name)
{
	NTSTATUS status = init_begin(channel);
	const char *copy;

	if (status)
		return status;
	if (!name)
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	copy = kstrdup(name, GFP_KERNEL);
	if (!copy)
		return init_end(channel, STATUS_INSUFFICIENT_RESOURCES);
	kfree(channel->friendly_name);
	channel->friendly_name = copy;
	vmb_obs_channel_rename(channel);
	return init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetFriendlyName);

NTSTATUS VmbChannelInitSetFlags(VMBCHANNEL channel, u32 flags)
{
	NTSTATUS status = init_begin(channel);

	if (status)
		return status;
	if (flags & ~VMBUS_CHANNEL_INIT_FLAGS)
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	WRITE_ONCE(channel->init_flags, flags);
	return init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetFlags);

NTSTATUS VmbClientChannelInitSetTargetPnp(VMBCHANNEL channel, const guid_t *interface_type,
					  const guid_t *interface_instance,
					  EVT_VMB_CHANNEL_PNP_FAILURE *pnp_failure)
{
	NTSTATUS status = init_begin(channel);

	if (status)
		return status;
	/* a channel made with a parent is bound already */
	if (!channel->bindable)
		return init_end(channel, STATUS_INVALID_PARAMETER_1);
	if (!interface_type || guid_is_null(interface_type))
		return init_end(channel, STATUS_INVALID_PARAMETER_2);
	channel->pnp.class = *interface_type;
	channel->pnp.any_instance = !interface_instance;
	channel->pnp.instance = interface_instance ? *interface_instance : guid_null;
	channel->pnp.failure = pnp_failure;
	channel->pnp.set = true;
	return init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbClientChannelInitSetTargetPnp);

void VmbChannelSetPointer(VMBCHANNEL channel, void *pointer)
{
	WRITE_ONCE(channel->pointer, pointer);
}
EXPORT_SYMBOL_GPL(VmbChannelSetPointer);

void *VmbChannelGetPointer(VMBCHANNEL channel)
{
	return READ_ONCE(channel->pointer);
}
EXPORT_SYMBOL_GPL(VmbChannelGetPointer);

void VmbChannelGetInterfaceInstance(VMBCHANNEL channel, guid_t *instance)
{
	unsigned long irqflags;

	/* a copy: a bindable channel's offer may go away meanwhile */
	spin_lock_irqsave(&channel->lock, irqflags);
	guid_copy(instance, &channel->instance);
	spin_unlock_irqrestore(&channel->lock, irqflags);
}
EXPORT_SYMBOL_GPL(VmbChannelGetInterfaceInstance);

u32 VmbChannelSizeofPacket(VMBCHANNEL channel)
{
	return vmb_packet_object_size(channel);
}
EXPORT_SYMBOL_GPL(VmbChannelSizeofPacket);
