// SPDX-License-Identifier: GPL-2.0
/*
 * Sub-channels (VmbChannelInitSetPrimaryChannel()) and the target
 * processor (VmbClientChannelInitSetTargetProcessorIndex()), on hv_vmbus's
 * own sub-channel and target-CPU support.
 *
 * Sub-channel offers: a host offers them (same class and instance GUIDs as
 * the primary, a non-zero sub_channel_index) once the guest asked for them
 * over the open primary, in its device protocol. hv_vmbus puts each on the
 * primary's sc_list, with no device of its own, and calls the primary's
 * sub-channel callback (vmbus_set_sc_create_callback()). An open primary
 * vmb channel sets that callback and keeps each offer it hears of, holding
 * a reference to the offer's kobject so that the struct vmbus_channel
 * outlives a rescind. A sub-channel vmb channel's Enable takes the free
 * offer with the lowest sub-channel index and opens it as a channel of its
 * own (its own rings, callbacks, state machine, transactions).
 *
 * Closing: hv_vmbus closes a sub-channel only when its primary is closed
 * (vmbus_close() of a sub-channel does nothing, vmbus_disconnect_ring()
 * refuses it). So:
 *
 * - the primary's close closes its open sub-channels too, in two halves
 *   around the primary's vmbus_close(), which sends their CLOSECHANNEL:
 *   before it, Suspend and the wait for delivered packets; after it, the
 *   cancellations, Closed and the GPADLs. The sub-channels end Disabled,
 *   as after a rescind, and their Enable fails until the primary is open
 *   again and offers come again;
 * - a sub-channel disabled alone stops its callback (what
 *   vmbus_reset_channel_cb() does), is closed on the vmbkmcl side as by
 *   Disable and leaves its offer parked, open at the host, until the
 *   primary closes; the offer is not given to another channel. Its
 *   transactions in flight are cancelled at Disable, while the host may
 *   still hold their pages (Documentation/porting.rst).
 *
 * Locks, outermost first: a primary's state_mutex, its subs_mutex, a
 * sub-channel's state_mutex (nested in the primary's: the primary's close
 * closes its sub-channels), vmb_sub_mutex (the offer lists and the
 * primaries' accepting flags; taken by hv_vmbus's sub-channel callback).
 * A sub-channel's Enable and Disable take its primary's subs_mutex first.
 *
 * Target processor: hv_vmbus sends the channel's target_cpu (as a VP
 * number) in OPENCHANNEL, and Hyper-V interrupts that VP; hv_vmbus runs
 * the channel callback on the CPU the interrupt arrives on. Setting
 * target_cpu before vmbus_open() is what hv_vmbus's own init_vp_index()
 * does at offer time; it is written with the CPU hotplug lock held and
 * the CPU online, and put back at close.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/hyperv.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "channel.h"
#include "subchannel.h"

/* One sub-channel offer an open primary heard of. */
struct vmb_sub_offer {
	struct list_head link;		/* on the primary's sub.offers */
	struct vmbus_channel *chan;	/* with a kobject reference */
	struct vmb_channel *owner;	/* the sub-channel bound to it */
	bool parked;			/* its owner let it go: not given again */
};

static DEFINE_MUTEX(vmb_sub_mutex);

/*
 * A sub-channel's state_mutex is a lock class of its own: its primary's
 * close takes it inside the primary's (through subs_mutex), and its own
 * Enable inside the primary's subs_mutex.
 */
static struct lock_class_key vmb_sub_state_key;

/**
 * vmb_sub_init() - a new channel object
 * @ch: the channel
 *
 * Context: process.
 */
void vmb_sub_init(struct vmb_channel *ch)
{
	mutex_init(&ch->sub.subs_mutex);
	INIT_LIST_HEAD(&ch->sub.offers);
}

/**
 * vmb_sub_cleanup() - the channel object is being freed
 * @ch: a Disabled channel
 *
 * Context: process.
 */
void vmb_sub_cleanup(struct vmb_channel *ch)
{
	struct vmb_channel *primary = ch->sub.primary;

	if (primary) {
		mutex_lock(&vmb_sub_mutex);
		primary->sub.users--;
		mutex_unlock(&vmb_sub_mutex);
	}
	WARN_ONCE(ch->sub.users, "vmbkmcl: primary channel cleaned up before its sub-channels\n");
	mutex_destroy(&ch->sub.subs_mutex);
}

/**
 * vmb_sub_lock() - a sub-channel's Enable or Disable begins
 * @ch: the channel
 *
 * The primary's close holds the same lock from before its vmbus_close()
 * until its sub-channels ran Closed, so a Disable (or Cleanup) of one of
 * them meanwhile returns only after that.
 *
 * Context: process; no channel lock held.
 */
void vmb_sub_lock(struct vmb_channel *ch)
{
	if (ch->sub.primary)
		mutex_lock(&ch->sub.primary->sub.subs_mutex);
}

/**
 * vmb_sub_unlock() - a sub-channel's Enable or Disable ends
 * @ch: the channel
 *
 * Context: process.
 */
void vmb_sub_unlock(struct vmb_channel *ch)
{
	if (!ch->sub.primary)
		return;
	mutex_unlock(&ch->sub.primary->sub.subs_mutex);
}

/* hv_vmbus's sub-channel callback, process context (its work queue). */
static void sub_offered(struct vmbus_channel *sc)
{
	struct vmb_sub_offer *offer;
	struct vmb_channel *primary;

	offer = kzalloc(sizeof(*offer), GFP_KERNEL);
	mutex_lock(&vmb_sub_mutex);
	primary = vmb_hv_owner(sc->primary_channel);
	if (primary && primary->sub.accepting && offer) {
		offer->chan = sc;
		kobject_get(&sc->kobj);
		list_add_tail(&offer->link, &primary->sub.offers);
		offer = NULL;
	} else if (primary && primary->sub.accepting) {
		dev_err_ratelimited(vmb_channel_dev(primary),
				    "vmbkmcl: no memory for sub-channel offer %u\n",
				    sc->offermsg.offer.sub_channel_index);
	}
	mutex_unlock(&vmb_sub_mutex);
	kfree(offer);
}

/**
 * vmb_sub_primary_opened() - a primary's vmbus_open() succeeded
 * @ch: the channel, not a sub-channel
 *
 * Context: process; state_mutex held.
 */
void vmb_sub_primary_opened(struct vmb_channel *ch)
{
	mutex_lock(&vmb_sub_mutex);
	ch->sub.accepting = true;
	mutex_unlock(&vmb_sub_mutex);
	vmbus_set_sc_create_callback(ch->chan, sub_offered);
}

/* Offers a sub-channel may take: not taken, not parked, not rescinded. */
static struct vmb_sub_offer *free_offer(struct vmb_channel *primary)
{
	struct vmb_sub_offer *offer, *best = NULL;

	lockdep_assert_held(&vmb_sub_mutex);
	list_for_each_entry(offer, &primary->sub.offers, link) {
		if (offer->owner || offer->parked || READ_ONCE(offer->chan->rescind))
			continue;
		if (!best || offer->chan->offermsg.offer.sub_channel_index <
			     best->chan->offermsg.offer.sub_channel_index)
			best = offer;
	}
	return best;
}

/**
 * vmb_sub_bind() - a sub-channel's Enable: take an offer of its primary
 * @ch: a sub-channel, Disabled
 *
 * Context: process; the primary's subs_mutex and @ch's state_mutex held.
 * Return: STATUS_SUCCESS with ch->chan set; STATUS_INVALID_DEVICE_STATE if
 * the primary is not open or has no free sub-channel offer.
 */
NTSTATUS vmb_sub_bind(struct vmb_channel *ch)
{
	struct vmb_channel *primary = ch->sub.primary;
	struct vmb_sub_offer *offer = NULL;

	lockdep_assert_held(&ch->state_mutex);
	mutex_lock(&vmb_sub_mutex);
	if (primary->sub.accepting)
		offer = free_offer(primary);
	if (offer) {
		offer->owner = ch;
		ch->sub.offer = offer;
		WRITE_ONCE(ch->removed, false);
		WRITE_ONCE(ch->chan, offer->chan);
	}
	mutex_unlock(&vmb_sub_mutex);
	return offer ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_STATE;
}

/**
 * vmb_sub_unbind() - a sub-channel lets go of its offer
 * @ch: a sub-channel, closed or never opened
 * @park: whether the offer stays open at the host (closed alone)
 *
 * Context: process; @ch's state_mutex held.
 */
void vmb_sub_unbind(struct vmb_channel *ch, bool park)
{
	struct vmb_sub_offer *offer = ch->sub.offer;

	if (!offer)
		return;
	mutex_lock(&vmb_sub_mutex);
	offer->owner = NULL;
	offer->parked |= park;
	ch->sub.offer = NULL;
	mutex_unlock(&vmb_sub_mutex);
	WRITE_ONCE(ch->chan, NULL);
}

/**
 * vmb_sub_park() - stop a sub-channel's callback without closing it
 * @ch: a sub-channel being closed alone
 *
 * hv_vmbus's vmbus_reset_channel_cb(), which its vmbus_close() would run:
 * no callback runs into @ch after this. The channel stays open at the
 * host until the primary is closed.
 *
 * Context: process.
 */
void vmb_sub_park(struct vmb_channel *ch)
{
	struct vmbus_channel *chan = ch->chan;
	unsigned long flags;

	tasklet_disable(&chan->callback_event);
	spin_lock_irqsave(&chan->sched_lock, flags);
	chan->onchannel_callback = NULL;
	spin_unlock_irqrestore(&chan->sched_lock, flags);
	tasklet_enable(&chan->callback_event);
}

/* The open sub-channels of @primary, one at a time, for @fn. */
static void run_on_owners(struct vmb_channel *primary,
			  void (*fn)(struct vmb_channel *sub))
{
	struct vmb_sub_offer *offer;
	struct vmb_channel *sub;

	lockdep_assert_held(&primary->sub.subs_mutex);
	list_for_each_entry(offer, &primary->sub.offers, link) {
		/* owners change only under subs_mutex, which we hold */
		sub = READ_ONCE(offer->owner);
		if (sub)
			fn(sub);
	}
}

/**
 * vmb_sub_primary_closing() - a primary is about to call vmbus_close()
 * @ch: the primary, closing
 *
 * It hears of no more offers, and its open sub-channels run the first half
 * of their close (vmb_channel_sub_close_begin()).
 *
 * Context: process; @ch's state_mutex held.
 */
void vmb_sub_primary_closing(struct vmb_channel *ch)
{
	vmbus_set_sc_create_callback(ch->chan, NULL);
	mutex_lock(&vmb_sub_mutex);
	ch->sub.accepting = false;
	mutex_unlock(&vmb_sub_mutex);

	mutex_lock(&ch->sub.subs_mutex);
	run_on_owners(ch, vmb_channel_sub_close_begin);
}

/**
 * vmb_sub_primary_closed() - a primary's vmbus_close() returned
 * @ch: the primary, its hv channel released (vmb_hv_owner() no longer
 *      finds it)
 *
 * Its sub-channels run the second half of their close, then the offers
 * are dropped: a callback that found the primary before has returned.
 *
 * Context: process; @ch's state_mutex and subs_mutex held; subs_mutex is
 * released here.
 */
void vmb_sub_primary_closed(struct vmb_channel *ch)
{
	struct vmb_sub_offer *offer, *next;
	LIST_HEAD(drop);

	run_on_owners(ch, vmb_channel_sub_close_end);
	mutex_lock(&vmb_sub_mutex);
	list_splice_init(&ch->sub.offers, &drop);
	mutex_unlock(&vmb_sub_mutex);
	mutex_unlock(&ch->sub.subs_mutex);

	list_for_each_entry_safe(offer, next, &drop, link) {
		kobject_put(&offer->chan->kobj);
		kfree(offer);
	}
}

NTSTATUS VmbChannelInitSetPrimaryChannel(VMBCHANNEL channel, VMBCHANNEL primary)
{
	NTSTATUS status;

	if (!primary || primary == channel || primary->bindable || primary->sub.primary)
		return STATUS_INVALID_PARAMETER_2;
	status = vmb_channel_init_begin(channel);
	if (status)
		return status;
	/* made on the primary's device, not bound by class GUID, not a primary */
	if (channel->bindable || channel->parent != primary->parent ||
	    channel->sub.primary || channel->sub.users) {
		status = channel->bindable || channel->sub.primary || channel->sub.users ?
			 STATUS_INVALID_PARAMETER_1 : STATUS_INVALID_PARAMETER_2;
		return vmb_channel_init_end(channel, status);
	}
	mutex_lock(&vmb_sub_mutex);
	primary->sub.users++;
	mutex_unlock(&vmb_sub_mutex);
	channel->sub.primary = primary;
	/* bound to an offer at Enable */
	WRITE_ONCE(channel->chan, NULL);
	vmb_channel_init_end(channel, STATUS_SUCCESS);
	/* not while held */
	lockdep_set_class(&channel->state_mutex, &vmb_sub_state_key);
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_GPL(VmbChannelInitSetPrimaryChannel);

NTSTATUS VmbClientChannelInitSetTargetProcessorIndex(VMBCHANNEL channel, u32 processor_index)
{
	NTSTATUS status = vmb_channel_init_begin(channel);

	if (status)
		return status;
	if (processor_index >= nr_cpu_ids || !cpu_online(processor_index))
		return vmb_channel_init_end(channel, STATUS_INVALID_PARAMETER_2);
	channel->sub.target_cpu = processor_index;
	channel->sub.target_set = true;
	return vmb_channel_init_end(channel, STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(VmbClientChannelInitSetTargetProcessorIndex);

/**
 * vmb_target_apply() - before vmbus_open(): the channel's target CPU
 * @ch: the channel
 * @chan: its hv channel, claimed
 *
 * Context: process; state_mutex held.
 * Return: STATUS_SUCCESS; STATUS_INVALID_DEVICE_STATE if the CPU the
 * channel asked for went offline since.
 */
NTSTATUS vmb_target_apply(struct vmb_channel *ch, struct vmbus_channel *chan)
{
	NTSTATUS status = STATUS_SUCCESS;

	ch->sub.saved_target_cpu = READ_ONCE(chan->target_cpu);
	if (!ch->sub.target_set)
		return STATUS_SUCCESS;
	/* hv_vmbus writes target_cpu with CPU hotplug held off */
	cpus_read_lock();
	if (cpu_online(ch->sub.target_cpu))
		WRITE_ONCE(chan->target_cpu, ch->sub.target_cpu);
	else
		status = STATUS_INVALID_DEVICE_STATE;
	cpus_read_unlock();
	return status;
}

/**
 * vmb_target_restore() - after the close: hv_vmbus's target CPU back
 * @ch: the channel
 * @chan: its hv channel
 *
 * Context: process; state_mutex held.
 */
void vmb_target_restore(struct vmb_channel *ch, struct vmbus_channel *chan)
{
	if (!ch->sub.target_set)
		return;
	cpus_read_lock();
	if (cpu_online(ch->sub.saved_target_cpu))
		WRITE_ONCE(chan->target_cpu, ch->sub.saved_target_cpu);
	cpus_read_unlock();
}
