// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmbus" bus of the simulator: what hv_vmbus's vmbus_drv.c does for
 * drivers. hv_drivers register with __vmbus_driver_register() and bind to
 * offered devices by class GUID, dynamic ids (new_id) before the id_table;
 * probe and remove get the struct hv_device that hv_vmbus would have made.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/pci_ids.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "bus.h"
#include "channel.h"
#include "host.h"

/*
 * hv_vmbus exports the negotiated protocol version; the simulated host is a
 * WS2022-era one (VMBus 5.3, which also acks MODIFYCHANNEL).
 */
__u32 vmbus_proto_version = VERSION_WIN10_V5_3;
EXPORT_SYMBOL_GPL(vmbus_proto_version);

/*
 * A new_id entry on hv_driver.dynids.list; the list belongs to the bus, so
 * the entry type is ours (hv_vmbus's is private to it).
 */
struct vmbus_sim_dynid {
	struct list_head node;
	struct hv_vmbus_device_id id;
};

/* Parent of the offered devices, in place of hv_vmbus's ACPI VMBUS device. */
static struct device *vmbus_sim_root;

static const struct hv_vmbus_device_id *id_table_match(const struct hv_vmbus_device_id *id,
						       const guid_t *guid)
{
	if (!id)
		return NULL;
	for (; !guid_is_null(&id->guid); id++)
		if (guid_equal(&id->guid, guid))
			return id;
	return NULL;
}

static const struct hv_vmbus_device_id *dynid_match(struct hv_driver *drv, const guid_t *guid)
{
	const struct hv_vmbus_device_id *id = NULL;
	struct vmbus_sim_dynid *dynid;

	spin_lock(&drv->dynids.lock);
	list_for_each_entry(dynid, &drv->dynids.list, node) {
		if (guid_equal(&dynid->id.guid, guid)) {
			id = &dynid->id;
			break;
		}
	}
	spin_unlock(&drv->dynids.lock);
	return id;
}

/* hv_vmbus_get_id(): dynamic ids first, then the id_table. */
static const struct hv_vmbus_device_id *get_id(const struct hv_driver *drv,
					       const struct hv_device *dev)
{
	const struct hv_vmbus_device_id *id;

	/* only the dynids lock is taken, as hv_vmbus's cast does */
	id = dynid_match((struct hv_driver *)drv, &dev->dev_type);
	if (!id)
		id = id_table_match(drv->id_table, &dev->dev_type);
	return id;
}

static int vmbus_sim_match(struct device *device, VMB_BUS_MATCH_CONST struct device_driver *driver)
{
	const struct hv_driver *drv = drv_to_hv_drv(driver);
	const struct hv_device *dev = device_to_hv_device(device);

	/* hv_sock offers go to the hv_sock driver only */
	if (is_hvsock_channel(dev->channel))
		return drv->hvsock;
	return get_id(drv, dev) ? 1 : 0;
}

static int vmbus_sim_probe(struct device *child)
{
	struct hv_driver *drv = drv_to_hv_drv(child->driver);
	struct hv_device *dev = device_to_hv_device(child);
	int ret;

	if (!drv->probe) {
		pr_err("probe not set for driver %s\n", dev_name(child));
		return -ENODEV;
	}
	ret = drv->probe(dev, get_id(drv, dev));
	if (ret)
		pr_err("probe failed for device %s (%d)\n", dev_name(child), ret);
	return ret;
}

static void vmbus_sim_remove(struct device *child)
{
	struct hv_device *dev = device_to_hv_device(child);
	struct hv_driver *drv;

	if (!child->driver)
		return;
	drv = drv_to_hv_drv(child->driver);
	/* 6.1's int result is ignored, as hv_vmbus ignores it */
	if (drv->remove)
		drv->remove(dev);
}

static void vmbus_sim_shutdown(struct device *child)
{
	struct hv_device *dev = device_to_hv_device(child);
	struct hv_driver *drv;

	if (!child->driver)
		return;
	drv = drv_to_hv_drv(child->driver);
	if (drv->shutdown)
		drv->shutdown(dev);
}

/* MODALIAS=vmbus:<class GUID as 32 hex digits>, as udev expects */
static int vmbus_sim_uevent(VMB_BUS_UEVENT_CONST struct device *device,
			    struct kobj_uevent_env *env)
{
	const struct hv_device *dev = device_to_hv_device(device);

	return add_uevent_var(env, "MODALIAS=vmbus:%*phN", UUID_SIZE, &dev->dev_type);
}

/* The device attributes of hv_vmbus that describe the offer. */
static ssize_t id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", device_to_hv_device(dev)->channel->offermsg.child_relid);
}
static DEVICE_ATTR_RO(id);

static ssize_t state_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", device_to_hv_device(dev)->channel->state);
}
static DEVICE_ATTR_RO(state);

static ssize_t class_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "{%pUl}\n",
			  &device_to_hv_device(dev)->channel->offermsg.offer.if_type);
}
static DEVICE_ATTR_RO(class_id);

static ssize_t device_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "{%pUl}\n",
			  &device_to_hv_device(dev)->channel->offermsg.offer.if_instance);
}
static DEVICE_ATTR_RO(device_id);

static ssize_t modalias_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "vmbus:%*phN\n", UUID_SIZE, &device_to_hv_device(dev)->dev_type);
}
static DEVICE_ATTR_RO(modalias);

static ssize_t vendor_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%x\n", device_to_hv_device(dev)->vendor_id);
}
static DEVICE_ATTR_RO(vendor);

static ssize_t device_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%x\n", device_to_hv_device(dev)->device_id);
}
static DEVICE_ATTR_RO(device);

static struct attribute *vmbus_sim_dev_attrs[] = {
	&dev_attr_id.attr,
	&dev_attr_state.attr,
	&dev_attr_class_id.attr,
	&dev_attr_device_id.attr,
	&dev_attr_modalias.attr,
	&dev_attr_vendor.attr,
	&dev_attr_device.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vmbus_sim_dev);

/*
 * new_id / remove_id: a class GUID in guid_parse() form binds the driver to
 * more offers (uio_hv_generic relies on it); -EEXIST for a duplicate.
 */
static ssize_t new_id_store(struct device_driver *driver, const char *buf, size_t count)
{
	struct hv_driver *drv = drv_to_hv_drv(driver);
	struct vmbus_sim_dynid *dynid;
	guid_t guid;
	int ret;

	ret = guid_parse(buf, &guid);
	if (ret)
		return ret;
	if (dynid_match(drv, &guid))
		return -EEXIST;

	dynid = kzalloc(sizeof(*dynid), GFP_KERNEL);
	if (!dynid)
		return -ENOMEM;
	dynid->id.guid = guid;
	spin_lock(&drv->dynids.lock);
	list_add_tail(&dynid->node, &drv->dynids.list);
	spin_unlock(&drv->dynids.lock);

	ret = driver_attach(&drv->driver);
	return ret ? ret : count;
}
static DRIVER_ATTR_WO(new_id);

static ssize_t remove_id_store(struct device_driver *driver, const char *buf, size_t count)
{
	struct hv_driver *drv = drv_to_hv_drv(driver);
	struct vmbus_sim_dynid *dynid, *n;
	guid_t guid;
	ssize_t ret;

	ret = guid_parse(buf, &guid);
	if (ret)
		return ret;

	ret = -ENODEV;
	spin_lock(&drv->dynids.lock);
	list_for_each_entry_safe(dynid, n, &drv->dynids.list, node) {
		if (guid_equal(&dynid->id.guid, &guid)) {
			list_del(&dynid->node);
			kfree(dynid);
			ret = count;
			break;
		}
	}
	spin_unlock(&drv->dynids.lock);
	return ret;
}
static DRIVER_ATTR_WO(remove_id);

static struct attribute *vmbus_sim_drv_attrs[] = {
	&driver_attr_new_id.attr,
	&driver_attr_remove_id.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vmbus_sim_drv);

static struct bus_type vmbus_sim_bus = {
	.name = "vmbus",
	.match = vmbus_sim_match,
	.probe = vmbus_sim_probe,
	.remove = vmbus_sim_remove,
	.shutdown = vmbus_sim_shutdown,
	.uevent = vmbus_sim_uevent,
	.dev_groups = vmbus_sim_dev_groups,
	.drv_groups = vmbus_sim_drv_groups,
};

/**
 * __vmbus_driver_register() - register an hv_driver on the vmbus bus
 * @hv_driver: the driver; name, id_table, probe and remove set
 * @owner: its module (vmbus_driver_register() passes THIS_MODULE)
 * @mod_name: its module name (KBUILD_MODNAME)
 *
 * Binds the driver to every offered device whose class GUID it matches;
 * probe runs before this returns for devices already offered.
 *
 * Context: process context.
 * Return: 0 or the error of driver_register().
 */
int __vmbus_driver_register(struct hv_driver *hv_driver, struct module *owner,
			    const char *mod_name)
{
	pr_debug("registering driver %s\n", hv_driver->name);

	hv_driver->driver.name = hv_driver->name;
	hv_driver->driver.owner = owner;
	hv_driver->driver.mod_name = mod_name;
	hv_driver->driver.bus = &vmbus_sim_bus;

	spin_lock_init(&hv_driver->dynids.lock);
	INIT_LIST_HEAD(&hv_driver->dynids.list);

	return driver_register(&hv_driver->driver);
}
EXPORT_SYMBOL_GPL(__vmbus_driver_register);

/**
 * vmbus_driver_unregister() - unregister an hv_driver
 * @hv_driver: the driver
 *
 * Removes it from every device it is bound to (its remove runs) and frees
 * its dynamic ids.
 *
 * Context: process context.
 */
void vmbus_driver_unregister(struct hv_driver *hv_driver)
{
	struct vmbus_sim_dynid *dynid, *n;

	pr_debug("unregistering driver %s\n", hv_driver->name);

	driver_unregister(&hv_driver->driver);

	spin_lock(&hv_driver->dynids.lock);
	list_for_each_entry_safe(dynid, n, &hv_driver->dynids.list, node) {
		list_del(&dynid->node);
		kfree(dynid);
	}
	spin_unlock(&hv_driver->dynids.lock);
}
EXPORT_SYMBOL_GPL(vmbus_driver_unregister);

/**
 * vmbus_device_unregister() - take a device off the bus
 * @device_obj: the device
 *
 * For drivers that handle the rescind themselves
 * (vmbus_set_chn_rescind_callback()), as uio_hv_generic does: the driver's
 * remove runs, then the device and its channel are released. A second call
 * does nothing.
 *
 * Context: process context; not from the device's own probe or remove.
 */
void vmbus_device_unregister(struct hv_device *device_obj)
{
	vmbus_sim_host_unregister(vmbus_sim_channel_dev(device_obj->channel));
}
EXPORT_SYMBOL_GPL(vmbus_device_unregister);

static void vmbus_sim_device_release(struct device *device)
{
	struct hv_device *hv_dev = device_to_hv_device(device);
	struct vmbus_sim_device *dev = vmbus_sim_channel_dev(hv_dev->channel);

	kfree(hv_dev);
	vmbus_sim_host_channel_gone(dev);
}

/* vmbus_device_create() and the first half of vmbus_device_register() */
struct hv_device *vmbus_sim_bus_device_create(struct vmbus_channel *channel)
{
	struct hv_device *hv_dev;

	hv_dev = kzalloc(sizeof(*hv_dev), GFP_KERNEL);
	if (!hv_dev)
		return NULL;

	hv_dev->channel = channel;
	guid_copy(&hv_dev->dev_type, &channel->offermsg.offer.if_type);
	guid_copy(&hv_dev->dev_instance, &channel->offermsg.offer.if_instance);
	hv_dev->vendor_id = PCI_VENDOR_ID_MICROSOFT;
	hv_dev->device_id = channel->device_id;
	channel->device_obj = hv_dev;

	device_initialize(&hv_dev->device);
	dev_set_name(&hv_dev->device, "%pUl", &channel->offermsg.offer.if_instance);
	hv_dev->device.bus = &vmbus_sim_bus;
	hv_dev->device.parent = vmbus_sim_root;
	hv_dev->device.release = vmbus_sim_device_release;
	/* drivers DMA-map against this device, as storvsc and netvsc do */
	hv_dev->device.dma_parms = &hv_dev->dma_parms;
	hv_dev->device.dma_mask = &hv_dev->dma_mask;
	dma_set_mask(&hv_dev->device, DMA_BIT_MASK(64));
	return hv_dev;
}

/* Matching and probe run in here; on failure the device is released. */
int vmbus_sim_bus_device_register(struct hv_device *hv_dev)
{
	int ret;

	ret = device_add(&hv_dev->device);
	if (ret) {
		pr_err("Unable to register child device\n");
		put_device(&hv_dev->device);
	}
	return ret;
}

int vmbus_sim_bus_init(void)
{
	int ret;

	vmbus_sim_root = root_device_register("vmbus_sim");
	if (IS_ERR(vmbus_sim_root))
		return PTR_ERR(vmbus_sim_root);

	ret = bus_register(&vmbus_sim_bus);
	if (ret)
		root_device_unregister(vmbus_sim_root);
	return ret;
}

void vmbus_sim_bus_exit(void)
{
	bus_unregister(&vmbus_sim_bus);
	root_device_unregister(vmbus_sim_root);
}
