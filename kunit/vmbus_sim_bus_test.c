// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the simulator's bus: what probe sees of the offer, binding
 * by class GUID and by new_id, and the order of probe, open, remove and
 * close on rescind, destroy, driver unregistration and refused or rescinded
 * opens (Documentation/ring-protocol.rst, "Rescind").
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/pci_ids.h>

#include <vmbus_sim.h>

#include "vmbus_sim_test.h"

static int bus_init(struct kunit *test)
{
	return simt_init_seed(test, 3);
}

/* simt_expect_events() with the list inline */
#define EVENTS(t, ...)							\
	do {								\
		static const int __want[] = { __VA_ARGS__ };		\
		simt_expect_events(t, __want, ARRAY_SIZE(__want));	\
	} while (0)

static void probe_sees_the_offer(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_channel *chan;
	struct hv_device *hv_dev;
	char name[40];

	t->open_in_probe = false;
	simt_start(t);
	hv_dev = t->hv_dev;
	KUNIT_ASSERT_NOT_NULL(test, hv_dev);
	chan = hv_dev->channel;

	KUNIT_EXPECT_TRUE(test, t->probe_in_task);
	KUNIT_EXPECT_PTR_EQ(test, t->probe_id, &t->ids[0]);
	KUNIT_EXPECT_PTR_EQ(test, vmbus_sim_hv_device(t->sim), hv_dev);
	KUNIT_EXPECT_PTR_EQ(test, vmbus_sim_host_context(t->sim), (void *)t);

	KUNIT_EXPECT_TRUE(test, guid_equal(&hv_dev->dev_type, &t->type));
	KUNIT_EXPECT_TRUE(test, guid_equal(&hv_dev->dev_instance, &t->instance));
	KUNIT_EXPECT_EQ(test, hv_dev->vendor_id, PCI_VENDOR_ID_MICROSOFT);
	KUNIT_EXPECT_EQ(test, hv_dev->device_id, HV_UNKNOWN);
	KUNIT_EXPECT_STREQ(test, hv_dev->device.bus->name, "vmbus");
	KUNIT_EXPECT_PTR_EQ(test, hv_dev->device.driver, &t->drv.driver);
	snprintf(name, sizeof(name), "%pUl", &t->instance);
	KUNIT_EXPECT_STREQ(test, dev_name(&hv_dev->device), name);
	KUNIT_EXPECT_EQ(test, *hv_dev->device.dma_mask, DMA_BIT_MASK(64));

	KUNIT_EXPECT_PTR_EQ(test, chan->device_obj, hv_dev);
	KUNIT_EXPECT_EQ(test, chan->offermsg.header.msgtype, CHANNELMSG_OFFERCHANNEL);
	KUNIT_EXPECT_TRUE(test, guid_equal(&chan->offermsg.offer.if_type, &t->type));
	KUNIT_EXPECT_TRUE(test, guid_equal(&chan->offermsg.offer.if_instance, &t->instance));
	KUNIT_EXPECT_NE(test, chan->offermsg.child_relid, 0);
	KUNIT_EXPECT_EQ(test, chan->offermsg.offer.sub_channel_index, 0);
	KUNIT_EXPECT_EQ(test, (u8)chan->offermsg.monitor_allocated, 0);
	KUNIT_EXPECT_FALSE(test, is_hvsock_channel(chan));
	KUNIT_EXPECT_FALSE(test, is_sub_channel(chan));
	KUNIT_EXPECT_NULL(test, chan->primary_channel);
	KUNIT_EXPECT_EQ(test, chan->state, CHANNEL_OPEN_STATE);
	KUNIT_EXPECT_FALSE(test, chan->rescind);
	KUNIT_EXPECT_TRUE(test, chan->probe_done);
	KUNIT_EXPECT_EQ(test, chan->callback_mode, HV_CALL_BATCHED);
	KUNIT_EXPECT_EQ(test, chan->max_pkt_size, 0);
	KUNIT_EXPECT_EQ(test, chan->device_id, HV_UNKNOWN);

	/* vmbus_open() gives max_pkt_size its default */
	set_channel_read_mode(chan, HV_CALL_DIRECT);
	KUNIT_ASSERT_EQ(test, vmbus_open(chan, SIMT_RING_SIZE, SIMT_RING_SIZE, NULL, 0,
					 simt_channel_cb, t), 0);
	KUNIT_EXPECT_EQ(test, chan->max_pkt_size, VMBUS_DEFAULT_MAX_PKT_SIZE);
	KUNIT_EXPECT_EQ(test, chan->state, CHANNEL_OPENED_STATE);
	/*
	 * No second vmbus_open() here: on the open channel, hv_vmbus's
	 * allocates new rings over the live ringbuffer_page, fails the state
	 * check, then frees the live rings (Documentation/hvsim.rst).
	 */
	KUNIT_EXPECT_EQ(test, vmbus_sim_send(t->sim, VM_PKT_DATA_INBAND, 0, 1, "x", 1), 0);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_read(&chan->inbound), 32);
}

static const guid_t nic_guid = GUID_INIT(0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f,
					 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e);

static void known_class_device_id(struct kunit *test)
{
	struct simt *t = test->priv;

	t->type = nic_guid;
	simt_offer(t);
	KUNIT_ASSERT_NOT_NULL(test, vmbus_sim_hv_device(t->sim));
	KUNIT_EXPECT_EQ(test, vmbus_sim_hv_device(t->sim)->device_id, HV_NIC);
	KUNIT_EXPECT_EQ(test, vmbus_sim_hv_device(t->sim)->channel->device_id, HV_NIC);
}

/* The modalias udev sees: vmbus:<the class GUID's 16 bytes in hex>. */
static void modalias_attribute(struct kunit *test)
{
	struct simt *t = test->priv;
	char path[96], want[48], buf[48] = {};
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	simt_offer(t);
	snprintf(path, sizeof(path), "/sys/bus/vmbus/devices/%pUl/modalias", &t->instance);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		kunit_skip(test, "no sysfs: %ld", PTR_ERR(f));
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	snprintf(want, sizeof(want), "vmbus:%*phN\n", (int)sizeof(t->type), &t->type);
	KUNIT_EXPECT_EQ(test, n, (ssize_t)strlen(want));
	KUNIT_EXPECT_STREQ(test, buf, want);
}

static void rescind_removes_driver(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_sim_stats s;

	simt_start(t);
	vmbus_sim_rescind(t->sim);

	/* the driver saw rescind set when remove ran, and sends failed */
	EVENTS(t, SIMT_PROBE, SIMT_HOST_OPEN, SIMT_REMOVE, SIMT_HOST_CLOSE);
	KUNIT_EXPECT_TRUE(test, t->remove_saw_rescind);
	KUNIT_EXPECT_EQ(test, t->remove_send_ret, -ENODEV);
	KUNIT_EXPECT_NULL(test, vmbus_sim_hv_device(t->sim));
	s = simt_stats(t);
	KUNIT_EXPECT_EQ(test, s.opens, 1);
	KUNIT_EXPECT_EQ(test, s.closes, 1);
	KUNIT_EXPECT_EQ(test, s.gpadls, 0);
	KUNIT_EXPECT_EQ(test, vmbus_sim_send(t->sim, VM_PKT_DATA_INBAND, 0, 0, "x", 1), -ENODEV);

	/* a second rescind does nothing */
	vmbus_sim_rescind(t->sim);
	KUNIT_EXPECT_EQ(test, t->nevents, 4);
}

static void destroy_removes_driver(struct kunit *test)
{
	struct simt *t = test->priv;

	simt_start(t);
	vmbus_sim_destroy(t->sim);
	t->sim = NULL;
	EVENTS(t, SIMT_PROBE, SIMT_HOST_OPEN, SIMT_REMOVE, SIMT_HOST_CLOSE);
	KUNIT_EXPECT_TRUE(test, t->remove_saw_rescind);
}

static void unregister_then_register(struct kunit *test)
{
	struct simt *t = test->priv;

	simt_start(t);
	vmbus_driver_unregister(&t->drv);
	t->registered = false;
	EVENTS(t, SIMT_PROBE, SIMT_HOST_OPEN, SIMT_REMOVE, SIMT_HOST_CLOSE);
	/* not rescinded: the send in remove went out */
	KUNIT_EXPECT_FALSE(test, t->remove_saw_rescind);
	KUNIT_EXPECT_EQ(test, t->remove_send_ret, 0);
	KUNIT_EXPECT_NOT_NULL(test, vmbus_sim_hv_device(t->sim));
	KUNIT_EXPECT_NULL(test, vmbus_sim_hv_device(t->sim)->device.driver);

	simt_register(t);
	KUNIT_EXPECT_EQ(test, t->open_ret, 0);
	KUNIT_EXPECT_EQ(test, t->nevents, 6);
	KUNIT_EXPECT_EQ(test, simt_stats(t).opens, 2);
}

static void rescind_callback_replaces_remove(struct kunit *test)
{
	struct simt *t = test->priv;
	struct hv_device *hv_dev;
	u64 b = 0;

	t->set_rescind_cb = true;
	simt_start(t);
	hv_dev = t->hv_dev;

	vmbus_sim_rescind(t->sim);
	EVENTS(t, SIMT_PROBE, SIMT_HOST_OPEN, SIMT_RESCIND_CB);
	/* the device stays until the driver unregisters it */
	KUNIT_EXPECT_TRUE(test, hv_dev->channel->rescind);
	KUNIT_EXPECT_EQ(test, vmbus_sendpacket(hv_dev->channel, &b, sizeof(b), 0,
					       VM_PKT_DATA_INBAND, 0), -ENODEV);

	vmbus_device_unregister(hv_dev);
	EVENTS(t, SIMT_PROBE, SIMT_HOST_OPEN, SIMT_RESCIND_CB, SIMT_REMOVE, SIMT_HOST_CLOSE);
}

static ssize_t write_driver_attr(const char *attr, const guid_t *guid)
{
	char path[80], buf[48];
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/vmbus/drivers/vmbus_sim_test/%s", attr);
	f = filp_open(path, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = snprintf(buf, sizeof(buf), "%pUl\n", guid);
	n = kernel_write(f, buf, n, &pos);
	filp_close(f, NULL);
	return n;
}

static void new_id_binds(struct kunit *test)
{
	struct simt *t = test->priv;
	ssize_t n;

	/* an empty id_table: only a dynamic id can bind */
	t->ids[0].guid = guid_null;
	simt_register(t);
	simt_offer(t);
	KUNIT_EXPECT_NULL(test, t->hv_dev);

	n = write_driver_attr("new_id", &t->type);
	if (n == -ENOENT)
		kunit_skip(test, "no sysfs");
	KUNIT_EXPECT_EQ(test, n, 37);
	KUNIT_EXPECT_NOT_NULL(test, t->hv_dev);
	KUNIT_EXPECT_EQ(test, t->open_ret, 0);
	KUNIT_EXPECT_EQ(test, write_driver_attr("new_id", &t->type), -EEXIST);
	KUNIT_EXPECT_EQ(test, write_driver_attr("remove_id", &t->type), 37);
	KUNIT_EXPECT_EQ(test, write_driver_attr("remove_id", &t->type), -ENODEV);
}

/* The host answers OPENCHANNEL with an error: -EAGAIN, nothing left behind. */
static void host_refuses_open(struct kunit *test)
{
	struct simt *t = test->priv;
	struct hv_device *hv_dev;
	struct vmbus_sim_stats s;

	t->host_open_ret = -EIO;
	simt_register(t);
	simt_offer(t);
	KUNIT_EXPECT_EQ(test, t->open_ret, -EAGAIN);
	hv_dev = vmbus_sim_hv_device(t->sim);
	KUNIT_ASSERT_NOT_NULL(test, hv_dev);
	KUNIT_EXPECT_NULL(test, hv_dev->device.driver);
	KUNIT_EXPECT_EQ(test, hv_dev->channel->state, CHANNEL_OPEN_STATE);
	KUNIT_EXPECT_NULL(test, hv_dev->channel->ringbuffer_page);
	s = simt_stats(t);
	KUNIT_EXPECT_EQ(test, s.opens, 0);
	KUNIT_EXPECT_EQ(test, s.gpadls, 0);

	/* the channel can be opened once the host agrees */
	t->host_open_ret = 0;
	KUNIT_EXPECT_EQ(test, device_attach(&hv_dev->device), 1);
	KUNIT_EXPECT_EQ(test, t->open_ret, 0);
	EVENTS(t, SIMT_PROBE, SIMT_HOST_OPEN, SIMT_PROBE, SIMT_HOST_OPEN);
}

/* A rescind while vmbus_open() waits for the host: -ENODEV. */
static void rescind_during_open(struct kunit *test)
{
	struct simt *t = test->priv;

	t->host_rescind_in_open = true;
	simt_register(t);
	simt_offer(t);
	KUNIT_EXPECT_EQ(test, t->open_ret, -ENODEV);
	KUNIT_EXPECT_NULL(test, vmbus_sim_hv_device(t->sim));

	vmbus_sim_destroy(t->sim);
	t->sim = NULL;
	/* the probe failed: no remove, but the host saw its open undone */
	EVENTS(t, SIMT_PROBE, SIMT_HOST_OPEN, SIMT_HOST_CLOSE);
}

static void duplicate_offer(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_sim_device *again;

	simt_offer(t);
	again = vmbus_sim_offer(&t->type, &t->instance, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(again), -EEXIST);

	/* once rescinded, the host may offer the same instance again */
	vmbus_sim_rescind(t->sim);
	again = vmbus_sim_offer(&t->type, &t->instance, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(again));
	vmbus_sim_destroy(again);
}

static struct kunit_case vmbus_sim_bus_cases[] = {
	KUNIT_CASE(probe_sees_the_offer),
	KUNIT_CASE(known_class_device_id),
	KUNIT_CASE(modalias_attribute),
	KUNIT_CASE(rescind_removes_driver),
	KUNIT_CASE(destroy_removes_driver),
	KUNIT_CASE(unregister_then_register),
	KUNIT_CASE(rescind_callback_replaces_remove),
	KUNIT_CASE(new_id_binds),
	KUNIT_CASE(host_refuses_open),
	KUNIT_CASE(rescind_during_open),
	KUNIT_CASE(duplicate_offer),
	{}
};

static struct kunit_suite vmbus_sim_bus_suite = {
	.name = "vmbus_sim_bus",
	.init = bus_init,
	.exit = simt_exit,
	.test_cases = vmbus_sim_bus_cases,
};

kunit_test_suite(vmbus_sim_bus_suite);

MODULE_DESCRIPTION("KUnit tests for vmbus_sim's bus");
MODULE_LICENSE("GPL");
