// SPDX-License-Identifier: GPL-2.0
/*
 * Binding by class GUID: VmbClientChannelInitSetTargetPnp().
 *
 * KMCL finds a client channel's VMBus device through PnP. Here, for each
 * class GUID that enabled channels ask for, vmbkmcl registers an hv_driver
 * named "vmbkmcl-<class GUID>" whose id_table holds that GUID, so the
 * driver binds every offer of the class:
 *
 * - its probe gives the offer to a channel waiting for it (same class;
 *   the same instance, or any instance for a channel that gave none) and
 *   opens the channel there: vmbus_open, Opened, Started and PostStarted run
 *   in the probe. An offer that no channel waits for stays bound to the
 *   driver, as a spare, until one does;
 * - if the open fails, the channel's PnpFailure callback runs and the
 *   channel waits on; the offer stays a spare marked failed, so it is not
 *   retried for ever: a new offer, or the offer freed by another channel,
 *   is the next chance;
 * - its remove (the host rescinded the offer, or the offer was unbound)
 *   closes the channel like VmbChannelDisable() (Suspend, wait, cancel,
 *   Closed, vmbus_close) and leaves it Disabled, as KMCL documents for a
 *   rescind: the client enables it again to wait for another offer
 *   (vmb_channel_retire(), vmb_bind_release()). A class whose last channel
 *   went that way keeps its driver (a driver cannot be unregistered from its
 *   own remove), so that the channel enabled again finds it: it goes when a
 *   channel of the class is disabled, or when vmbkmcl unloads;
 * - VmbChannelDisable() closes and unbinds the channel, which frees its
 *   offer for any other waiting channel; the last channel of a class
 *   unregisters the class's driver.
 *
 * A waiting channel and a spare offer are paired by vmb_bind_dispatch(), run
 * directly from Enable and Disable; a remove pairs nothing (the channel it
 * closes is Disabled).
 *
 * A class GUID that another hv_driver lists in its id_table, or whose offer
 * is bound to another driver already, fails Enable with
 * STATUS_DEVICE_BUSY: the bus would give the offers to whichever driver
 * came first. hv_vmbus keeps no public list of the bus's drivers, so an
 * hv_driver of vmbkmcl's own that matches nothing ("vmbkmcl") is
 * registered at module load to find the bus.
 *
 * Locks, outermost first: vmb_bind_reg_mutex (the class list's membership,
 * the claim check and unregistration; never held while a channel's
 * callback runs), an offer's device lock (probe and remove run under it,
 * and so do the state callbacks of a channel bound by class GUID), a
 * channel's state_mutex, vmb_bind_mutex (the lists and the channels' bind
 * fields; no other lock is taken under it).
 */
#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "bind.h"
#include "channel.h"

/* One class GUID that enabled channels ask for, and its driver. */
struct vmb_bind_class {
	struct list_head link;		/* vmb_bind_classes */
	guid_t class;
	unsigned int users;		/* enabled channels of the class */
	bool registering;		/* a vmb_bind_start() registers drv */
	bool registered;
	struct list_head waiting;	/* struct vmb_channel, by bind_link */
	struct list_head spare;		/* struct vmb_bind_dev, by link */
	struct hv_driver drv;
	struct hv_vmbus_device_id ids[2];
	char name[sizeof("vmbkmcl-") + UUID_STRING_LEN];
};

/* One offer bound to a class driver; the device's drvdata. */
struct vmb_bind_dev {
	struct list_head link;		/* on the class's spare list */
	struct hv_device *hv_dev;
	struct vmb_bind_class *cls;
	struct vmb_channel *channel;	/* the channel bound to it, or NULL */
	bool failed;			/* its open failed; not retried */
};

static DEFINE_MUTEX(vmb_bind_reg_mutex);
static DEFINE_MUTEX(vmb_bind_mutex);
static LIST_HEAD(vmb_bind_classes);

static const struct hv_vmbus_device_id vmb_no_ids[] = {
	{ },
};

/* Matches nothing: registered to know the bus (see above). */
static struct hv_driver vmb_anchor = {
	.name = "vmbkmcl",
	.id_table = vmb_no_ids,
};

/*
 * The waiting channel of @cls that takes @instance: the first that asked
 * for exactly it, else the first that takes any instance.
 */
static struct vmb_channel *find_waiting(struct vmb_bind_class *cls, const guid_t *instance)
{
	struct vmb_channel *ch, *any = NULL;

	lockdep_assert_held(&vmb_bind_mutex);

	list_for_each_entry(ch, &cls->waiting, bind_link) {
		if (!ch->pnp.any_instance && guid_equal(&ch->pnp.instance, instance))
			return ch;
		if (ch->pnp.any_instance && !any)
			any = ch;
	}
	return any;
}

/* @bdev goes to @ch: neither waits any more. */
static void claim(struct vmb_bind_dev *bdev, struct vmb_channel *ch)
{
	lockdep_assert_held(&vmb_bind_mutex);

	list_del_init(&ch->bind_link);
	list_del_init(&bdev->link);
	bdev->channel = ch;
	ch->bind_dev = bdev;
}

/*
 * @bdev and its channel part: the offer becomes a spare, the channel waits
 * again if it is still enabled. Return: whether it waits.
 */
static bool unclaim(struct vmb_bind_dev *bdev, bool failed)
{
	struct vmb_channel *ch = bdev->channel;

	lockdep_assert_held(&vmb_bind_mutex);

	bdev->channel = NULL;
	bdev->failed = failed;
	ch->bind_dev = NULL;
	list_add_tail(&bdev->link, &bdev->cls->spare);
	if (!ch->bind_class)
		return false;
	list_add_tail(&ch->bind_link, &ch->bind_class->waiting);
	return true;
}

/*
 * Open @ch on the offer it was given. On failure PnpFailure runs while the
 * channel still holds the offer, so that Disable, which takes the offer's
 * device lock, cannot free the channel under the callback.
 *
 * Context: process; the offer's device lock held.
 */
static void bind_connect(struct vmb_bind_dev *bdev, struct vmb_channel *ch)
{
	NTSTATUS status;

	status = vmb_channel_attach(ch, bdev->hv_dev);
	if (NT_SUCCESS(status))
		return;

	dev_warn(&bdev->hv_dev->device, "vmbkmcl: opening the channel failed (%#x)\n",
		 status);
	if (ch->pnp.failure)
		ch->pnp.failure(ch, status);
	mutex_lock(&vmb_bind_mutex);
	unclaim(bdev, true);
	mutex_unlock(&vmb_bind_mutex);
}

/* A spare offer that some waiting channel takes, with a reference. */
static struct hv_device *find_pair(void)
{
	struct vmb_bind_class *cls;
	struct vmb_bind_dev *bdev;

	lockdep_assert_held(&vmb_bind_mutex);

	list_for_each_entry(cls, &vmb_bind_classes, link)
		list_for_each_entry(bdev, &cls->spare, link)
			if (!bdev->failed && find_waiting(cls, &bdev->hv_dev->dev_instance)) {
				get_device(&bdev->hv_dev->device);
				return bdev->hv_dev;
			}
	return NULL;
}

/* The offer's bind record if a live class driver of ours has it. */
static struct vmb_bind_dev *bound_dev(struct hv_device *hv_dev)
{
	struct vmb_bind_class *cls;

	lockdep_assert_held(&vmb_bind_mutex);

	list_for_each_entry(cls, &vmb_bind_classes, link)
		if (hv_dev->device.driver == &cls->drv.driver)
			return hv_get_drvdata(hv_dev);
	return NULL;
}

/*
 * Pair waiting channels with spare offers until no pair is left. The offer
 * is found under vmb_bind_mutex, then its device lock is taken and the
 * pair looked up again: the offer may have gone, or its channel, meanwhile.
 *
 * Context: process; no lock of this file nor any device lock held.
 */
static void vmb_bind_dispatch(void)
{
	struct vmb_bind_dev *bdev;
	struct vmb_channel *ch;
	struct hv_device *hv_dev;

	for (;;) {
		mutex_lock(&vmb_bind_mutex);
		hv_dev = find_pair();
		mutex_unlock(&vmb_bind_mutex);
		if (!hv_dev)
			return;

		device_lock(&hv_dev->device);
		mutex_lock(&vmb_bind_mutex);
		ch = NULL;
		bdev = bound_dev(hv_dev);
		if (bdev && !bdev->channel && !bdev->failed) {
			ch = find_waiting(bdev->cls, &hv_dev->dev_instance);
			if (ch)
				claim(bdev, ch);
		}
		mutex_unlock(&vmb_bind_mutex);
		if (ch)
			bind_connect(bdev, ch);
		device_unlock(&hv_dev->device);
		put_device(&hv_dev->device);
	}
}

static int bind_probe(struct hv_device *hv_dev, const struct hv_vmbus_device_id *id)
{
	struct hv_driver *drv = drv_to_hv_drv(hv_dev->device.driver);
	struct vmb_bind_class *cls = container_of(drv, struct vmb_bind_class, drv);
	struct vmb_bind_dev *bdev;
	struct vmb_channel *ch;

	/* new_id or driver_override could bring an offer of another class */
	if (!guid_equal(&hv_dev->dev_type, &cls->class))
		return -ENODEV;
	bdev = kzalloc(sizeof(*bdev), GFP_KERNEL);
	if (!bdev)
		return -ENOMEM;
	bdev->hv_dev = hv_dev;
	bdev->cls = cls;
	INIT_LIST_HEAD(&bdev->link);

	mutex_lock(&vmb_bind_mutex);
	hv_set_drvdata(hv_dev, bdev);
	ch = find_waiting(cls, &hv_dev->dev_instance);
	if (ch)
		claim(bdev, ch);
	else
		list_add_tail(&bdev->link, &cls->spare);
	mutex_unlock(&vmb_bind_mutex);

	if (ch)
		bind_connect(bdev, ch);
	return 0;
}

static VMB_HV_REMOVE_RET bind_remove(struct hv_device *hv_dev)
{
	struct vmb_bind_dev *bdev = hv_get_drvdata(hv_dev);
	struct vmb_channel *ch;

	mutex_lock(&vmb_bind_mutex);
	ch = bdev->channel;
	mutex_unlock(&vmb_bind_mutex);

	/* closed and left Disabled; Disable waits for this device's lock */
	if (ch)
		vmb_channel_retire(ch);

	mutex_lock(&vmb_bind_mutex);
	list_del(&bdev->link);
	hv_set_drvdata(hv_dev, NULL);
	mutex_unlock(&vmb_bind_mutex);
	kfree(bdev);
	return VMB_HV_REMOVE_DONE;
}

struct claim_check {
	const guid_t *class;
	const char *by;
};

static int driver_claims(struct device_driver *driver, void *data)
{
	struct claim_check *c = data;
	const struct hv_vmbus_device_id *id;
	struct vmb_bind_class *cls;

	if (driver == &vmb_anchor.driver)
		return 0;
	list_for_each_entry(cls, &vmb_bind_classes, link)
		if (driver == &cls->drv.driver)
			return 0;
	id = drv_to_hv_drv(driver)->id_table;
	for (; id && !guid_is_null(&id->guid); id++) {
		if (guid_equal(&id->guid, c->class)) {
			c->by = driver->name;
			return 1;
		}
	}
	return 0;
}

static int device_claimed(struct device *dev, void *data)
{
	struct claim_check *c = data;
	struct device_driver *driver = READ_ONCE(dev->driver);

	if (!driver || !guid_equal(&device_to_hv_device(dev)->dev_type, c->class))
		return 0;
	c->by = driver->name;
	return 1;
}

/* Whether another driver lists @class or has one of its offers. */
static const char *claimed_by(const guid_t *class)
{
	const struct bus_type *bus = vmb_anchor.driver.bus;
	struct claim_check c = { .class = class };

	lockdep_assert_held(&vmb_bind_reg_mutex);

	/* bus_for_each_drv() and bus_for_each_dev() take a non-const bus */
	if (bus_for_each_drv((struct bus_type *)bus, NULL, &c, driver_claims) ||
	    bus_for_each_dev((struct bus_type *)bus, NULL, &c, device_claimed))
		return c.by;
	return NULL;
}

static struct vmb_bind_class *find_class(const guid_t *class)
{
	struct vmb_bind_class *cls;

	list_for_each_entry(cls, &vmb_bind_classes, link)
		if (guid_equal(&cls->class, class))
			return cls;
	return NULL;
}

/* A new class and its driver, not registered yet. */
static struct vmb_bind_class *new_class(const guid_t *class)
{
	struct vmb_bind_class *cls = kzalloc(sizeof(*cls), GFP_KERNEL);

	if (!cls)
		return NULL;
	cls->class = *class;
	INIT_LIST_HEAD(&cls->waiting);
	INIT_LIST_HEAD(&cls->spare);
	snprintf(cls->name, sizeof(cls->name), "vmbkmcl-%pUl", &cls->class);
	cls->ids[0].guid = cls->class;
	cls->drv.name = cls->name;
	cls->drv.id_table = cls->ids;
	cls->drv.probe = bind_probe;
	cls->drv.remove = bind_remove;
	return cls;
}

/*
 * @ch joins the class it targets (*@out), made if new, and waits on it.
 * Sets *@do_register when this caller is to register the class's driver.
 */
static NTSTATUS join_class(struct vmb_channel *ch, struct vmb_bind_class **out,
			   bool *do_register)
{
	struct vmb_bind_class *cls;
	bool fresh = false;
	const char *by;

	lockdep_assert_held(&vmb_bind_reg_mutex);

	cls = find_class(&ch->pnp.class);
	if (!cls) {
		by = claimed_by(&ch->pnp.class);
		if (by) {
			pr_err("vmbkmcl: class %pUl is claimed by driver %s\n", &ch->pnp.class, by);
			return STATUS_DEVICE_BUSY;
		}
		cls = new_class(&ch->pnp.class);
		if (!cls)
			return STATUS_INSUFFICIENT_RESOURCES;
		fresh = true;
	}
	/* waiting before the driver comes: its probe of a present offer opens it */
	mutex_lock(&vmb_bind_mutex);
	if (fresh)
		list_add_tail(&cls->link, &vmb_bind_classes);
	cls->users++;
	ch->bind_class = cls;
	list_add_tail(&ch->bind_link, &cls->waiting);
	/* also after an earlier channel's registration failed */
	*do_register = !cls->registered && !cls->registering;
	cls->registering = *do_register;
	mutex_unlock(&vmb_bind_mutex);
	*out = cls;
	return STATUS_SUCCESS;
}

/**
 * vmb_bind_start() - an enabled bindable channel starts waiting for its offer
 * @ch: the channel, with its target set
 *
 * The first channel of a class registers the class's driver, outside
 * vmb_bind_reg_mutex: the probes of the offers present run Opened, Started
 * and PostStarted, which may enable or disable other channels. The class
 * cannot go away meanwhile, since @ch counts among its users; a driver of
 * the same name that the last channel of an earlier class unregisters is
 * gone, since that happens under vmb_bind_reg_mutex.
 *
 * Context: process; no lock of the channel held.
 * Return: STATUS_SUCCESS (the channel may be open already);
 * STATUS_DEVICE_BUSY if another driver claims the class; registration's
 * failure.
 */
NTSTATUS vmb_bind_start(struct vmb_channel *ch)
{
	struct vmb_bind_class *cls;
	bool do_register = false;
	NTSTATUS status;
	int ret;

	mutex_lock(&vmb_bind_reg_mutex);
	status = join_class(ch, &cls, &do_register);
	mutex_unlock(&vmb_bind_reg_mutex);
	if (!NT_SUCCESS(status))
		return status;
	if (!do_register) {
		vmb_bind_dispatch();
		return STATUS_SUCCESS;
	}

	ret = vmbus_driver_register(&cls->drv);
	mutex_lock(&vmb_bind_reg_mutex);
	mutex_lock(&vmb_bind_mutex);
	cls->registering = false;
	cls->registered = !ret;
	mutex_unlock(&vmb_bind_mutex);
	mutex_unlock(&vmb_bind_reg_mutex);
	if (ret) {
		vmb_bind_stop(ch);
		return vmb_errno_to_ntstatus(ret);
	}
	return STATUS_SUCCESS;
}

/**
 * vmb_bind_stop() - a bindable channel is being disabled
 * @ch: the channel
 *
 * Stops it waiting, or closes it and frees its offer for other channels;
 * unregisters the class's driver after its last channel, under
 * vmb_bind_reg_mutex (no channel's callback runs there: the driver holds
 * spare offers only).
 *
 * Context: process; no lock of the channel held.
 */
void vmb_bind_stop(struct vmb_channel *ch)
{
	struct vmb_bind_class *cls;
	struct hv_device *hv_dev = NULL;
	bool freed = false, last;

	mutex_lock(&vmb_bind_mutex);
	cls = ch->bind_class;
	/* from here on a close leaves it Disabled, not waiting */
	WRITE_ONCE(ch->bind_class, NULL);
	list_del_init(&ch->bind_link);
	if (ch->bind_dev) {
		hv_dev = ch->bind_dev->hv_dev;
		get_device(&hv_dev->device);
	}
	mutex_unlock(&vmb_bind_mutex);
	if (!cls)
		return;

	if (hv_dev) {
		/* a remove may have run meanwhile: then it closed the channel */
		device_lock(&hv_dev->device);
		if (READ_ONCE(ch->bind_dev)) {
			vmb_channel_detach(ch);
			mutex_lock(&vmb_bind_mutex);
			unclaim(ch->bind_dev, false);
			mutex_unlock(&vmb_bind_mutex);
			freed = true;
		}
		device_unlock(&hv_dev->device);
		put_device(&hv_dev->device);
	}

	mutex_lock(&vmb_bind_reg_mutex);
	mutex_lock(&vmb_bind_mutex);
	last = !--cls->users;
	if (last)
		list_del(&cls->link);
	mutex_unlock(&vmb_bind_mutex);
	if (last) {
		/* removes the spare offers */
		if (cls->registered)
			vmbus_driver_unregister(&cls->drv);
		kfree(cls);
	}
	mutex_unlock(&vmb_bind_reg_mutex);
	if (freed && !last)
		vmb_bind_dispatch();
}

/**
 * vmb_bind_release() - a bound channel's offer went: the channel leaves it
 * @ch: the channel, closed and unbound by vmb_channel_retire()
 *
 * The offer becomes a spare (its remove is running) and the channel no
 * user of its class, unless a VmbChannelDisable() running meanwhile took
 * it off already (vmb_bind_stop() clears bind_class first, then waits for
 * the offer's device lock). A class left without users stays registered:
 * this runs inside its driver's remove.
 *
 * Context: process; the offer's device lock and @ch's state_mutex held.
 */
void vmb_bind_release(struct vmb_channel *ch)
{
	struct vmb_bind_dev *bdev;
	struct vmb_bind_class *cls;

	mutex_lock(&vmb_bind_mutex);
	bdev = ch->bind_dev;
	if (bdev) {
		bdev->channel = NULL;
		ch->bind_dev = NULL;
		list_add_tail(&bdev->link, &bdev->cls->spare);
	}
	cls = ch->bind_class;
	WRITE_ONCE(ch->bind_class, NULL);
	list_del_init(&ch->bind_link);
	if (cls)
		cls->users--;
	mutex_unlock(&vmb_bind_mutex);
}

/*
 * Unregister and free the classes without users: those whose last channel
 * vmb_bind_release() took off.
 */
static void reap_unused(void)
{
	struct vmb_bind_class *cls, *next;
	LIST_HEAD(dead);

	mutex_lock(&vmb_bind_reg_mutex);
	mutex_lock(&vmb_bind_mutex);
	list_for_each_entry_safe(cls, next, &vmb_bind_classes, link)
		if (!cls->users)
			list_move(&cls->link, &dead);
	mutex_unlock(&vmb_bind_mutex);
	list_for_each_entry_safe(cls, next, &dead, link) {
		if (cls->registered)
			vmbus_driver_unregister(&cls->drv);
		kfree(cls);
	}
	mutex_unlock(&vmb_bind_reg_mutex);
}

/**
 * vmb_bind_init() - module load: find the bus
 *
 * Context: process.
 * Return: 0 or the error of driver registration.
 */
int vmb_bind_init(void)
{
	return vmbus_driver_register(&vmb_anchor);
}

/**
 * vmb_bind_exit() - module unload
 *
 * Every client channel was cleaned up: clients depend on this module.
 *
 * Context: process.
 */
void vmb_bind_exit(void)
{
	/* the classes whose last channel a rescind disabled */
	reap_unused();
	vmbus_driver_unregister(&vmb_anchor);
}
