// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for binding channels to offers by class GUID
 * (VmbClientChannelInitSetTargetPnp()): Enable before and after the offer,
 * PnP failure, rescind (the channel ends up Disabled, as KMCL documents,
 * and Enable again binds a later offer), two instances of one class,
 * instance preference, Disable handing the offer on, and a class another
 * driver claims. Each case uses class GUIDs of its own.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include <vmbkmcl.h>
#include <vmbus_sim.h>

#include "vmb_debugfs_files.h"

#define WAIT_TIME	(10 * HZ)
#define WAIT_FLAG	VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

static DECLARE_WAIT_QUEUE_HEAD(bt_wq);

#define bt_wait(cond) wait_event_timeout(bt_wq, (cond), WAIT_TIME)

/* class GUID n of this module */
static guid_t bt_class(u8 n)
{
	return GUID_INIT(0x766d6201, 0x0020, 0x4e11, 0x9a, 0x20, 0x62, 0x69, 0x6e, 0x64, 0x00, n);
}

static guid_t bt_instance(u8 n)
{
	return GUID_INIT(0x766d6201, 0x0021, 0x4e11, 0x9a, 0x21, 0x69, 0x6e, 0x73, 0x74, 0x00, n);
}

/* A host: counts opens, closes and packets; holds what asks for a completion. */
struct bt_host {
	int refuse_open;
	atomic_t opens;
	atomic_t closes;
	atomic_t packets;
	u64 last_seq;
};

static int bt_host_open(struct vmbus_sim_device *dev)
{
	struct bt_host *h = vmbus_sim_host_context(dev);

	if (h->refuse_open)
		return h->refuse_open;
	atomic_inc(&h->opens);
	wake_up_all(&bt_wq);
	return 0;
}

static void bt_host_close(struct vmbus_sim_device *dev)
{
	struct bt_host *h = vmbus_sim_host_context(dev);

	atomic_inc(&h->closes);
	wake_up_all(&bt_wq);
}

static void bt_host_packet(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt)
{
	struct bt_host *h = vmbus_sim_host_context(dev);

	if (pkt->type == VM_PKT_DATA_INBAND && pkt->length >= sizeof(u64))
		WRITE_ONCE(h->last_seq, *(const u64 *)pkt->data);
	/* never completes: a transaction stays outstanding until cancelled */
	atomic_inc(&h->packets);
	wake_up_all(&bt_wq);
}

static const struct vmbus_sim_host_ops bt_host_ops = {
	.open = bt_host_open,
	.close = bt_host_close,
	.packet = bt_host_packet,
};

/* A client channel bound by GUID, and what its callbacks saw. */
struct bt_client {
	struct kunit *test;
	VMBCHANNEL ch;
	atomic_t opened, started, post_started, suspend, closed;
	atomic_t pnp_failures;
	NTSTATUS pnp_status;
	NTSTATUS opened_status;		/* what Opened returns */
	atomic_t sent_done, cancelled;
};

static NTSTATUS bt_opened(VMBCHANNEL ch)
{
	struct bt_client *c = VmbChannelGetPointer(ch);

	atomic_inc(&c->opened);
	wake_up_all(&bt_wq);
	return c->opened_status;
}

static void bt_count(atomic_t *counter)
{
	atomic_inc(counter);
	wake_up_all(&bt_wq);
}

static void bt_started(VMBCHANNEL ch)
{
	bt_count(&((struct bt_client *)VmbChannelGetPointer(ch))->started);
}

static void bt_post_started(VMBCHANNEL ch)
{
	bt_count(&((struct bt_client *)VmbChannelGetPointer(ch))->post_started);
}

static void bt_suspend(VMBCHANNEL ch)
{
	bt_count(&((struct bt_client *)VmbChannelGetPointer(ch))->suspend);
}

static void bt_closed(VMBCHANNEL ch)
{
	bt_count(&((struct bt_client *)VmbChannelGetPointer(ch))->closed);
}

static void bt_pnp_failure(VMBCHANNEL ch, NTSTATUS status)
{
	struct bt_client *c = VmbChannelGetPointer(ch);

	c->pnp_status = status;
	atomic_inc(&c->pnp_failures);
	wake_up_all(&bt_wq);
}

static void bt_sent(VMBPACKET pkt, NTSTATUS status, void *buffer, u32 length)
{
	struct bt_client *c = VmbPacketGetPointer(pkt);

	if (status == STATUS_CANCELLED)
		atomic_inc(&c->cancelled);
	atomic_inc(&c->sent_done);
	VmbPacketFree(pkt);
	wake_up_all(&bt_wq);
}

static int bt_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void bt_res_free_channel(struct kunit_resource *res)
{
	VmbChannelCleanup(res->data);
}

static void bt_res_free_offer(struct kunit_resource *res)
{
	vmbus_sim_destroy(res->data);
}

/* A channel for @class (and @instance), set up but not enabled. */
static struct bt_client *bt_client(struct kunit *test, const guid_t *class,
				   const guid_t *instance)
{
	struct vmb_channel_state_change_callbacks cb;
	struct bt_client *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->test = test;
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(NULL, false, &c->ch), STATUS_SUCCESS);
	/* cleaned up at the end of the case, before c and the offers go */
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, bt_res_init, bt_res_free_channel,
							 GFP_KERNEL, c->ch));
	VmbChannelSetPointer(c->ch, c);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	cb.opened = bt_opened;
	cb.started = bt_started;
	cb.post_started = bt_post_started;
	cb.suspend = bt_suspend;
	cb.closed = bt_closed;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c->ch, &cb), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(c->ch, class, instance,
							       bt_pnp_failure),
			STATUS_SUCCESS);
	return c;
}

static struct bt_host *bt_host(struct kunit *test)
{
	struct bt_host *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	return h;
}

/* The host offers @class/@instance; destroyed at the end of the case. */
static struct vmbus_sim_device *bt_offer(struct kunit *test, const guid_t *class,
					 const guid_t *instance, struct bt_host *h)
{
	struct vmbus_sim_device *dev = vmbus_sim_offer(class, instance, &bt_host_ops, h);

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, bt_res_init, bt_res_free_offer,
							 GFP_KERNEL, dev));
	return dev;
}

/* Send one 8-byte inband packet; its routine counts and frees it. */
static NTSTATUS bt_send(struct bt_client *c, u64 seq, u32 flags)
{
	VMBPACKET pkt = VmbPacketAllocate(c->ch);
	NTSTATUS status;

	KUNIT_ASSERT_NOT_NULL(c->test, pkt);
	VmbPacketSetPointer(pkt, c);
	VmbPacketSetCompletionRoutine(pkt, bt_sent);
	status = VmbPacketSend(pkt, &seq, sizeof(seq), NULL, flags);
	if (!NT_SUCCESS(status))
		VmbPacketFree(pkt);
	return status;
}

static bool bt_is_open(struct bt_client *c)
{
	return atomic_read(&c->post_started) > atomic_read(&c->closed);
}

static void bt_expect_instance(struct kunit *test, struct bt_client *c, const guid_t *want)
{
	guid_t got;

	VmbChannelGetInterfaceInstance(c->ch, &got);
	KUNIT_EXPECT_TRUE(test, guid_equal(&got, want));
}

static void target_pnp_rejects_bad_input(struct kunit *test)
{
	guid_t class = bt_class(1);
	VMBCHANNEL ch;

	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(NULL, &class, NULL, NULL),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(NULL, false, &ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(ch, NULL, NULL, NULL),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(ch, &guid_null, NULL, NULL),
			STATUS_INVALID_PARAMETER_2);
	/* no parent and no target: nothing to open */
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(ch), STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(ch, &class, NULL, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(ch), STATUS_SUCCESS);
	/* Init* only while Disabled, also while waiting for the offer */
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(ch, &class, NULL, NULL),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(ch), STATUS_INVALID_DEVICE_STATE);
	VmbChannelCleanup(ch);
}

static void enable_before_offer_opens_on_offer(struct kunit *test)
{
	guid_t class = bt_class(2), inst = bt_instance(2);
	struct bt_client *c = bt_client(test, &class, NULL);
	struct bt_host *h = bt_host(test);
	struct vmbus_sim_device *dev;
	char name[48];

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	/* no offer yet: returns at once; sends wait in the queue */
	KUNIT_EXPECT_EQ(test, atomic_read(&c->opened), 0);
	bt_expect_instance(test, c, &guid_null);
	KUNIT_EXPECT_EQ(test, bt_send(c, 7, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->sent_done), 0);

	dev = bt_offer(test, &class, &inst, h);
	KUNIT_ASSERT_TRUE(test, bt_wait(bt_is_open(c)));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->opened), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->started), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->opens), 1);
	bt_expect_instance(test, c, &inst);
	/* the queued packet went out when the channel opened */
	KUNIT_EXPECT_TRUE(test, bt_wait(atomic_read(&h->packets) == 1));
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->last_seq), 7ULL);
	KUNIT_EXPECT_TRUE(test, bt_wait(atomic_read(&c->sent_done) == 1));
	/* the offer is bound to vmbkmcl's driver for the class */
	snprintf(name, sizeof(name), "vmbkmcl-%pUl", &class);
	KUNIT_ASSERT_NOT_NULL(test, vmbus_sim_hv_device(dev)->device.driver);
	KUNIT_EXPECT_STREQ(test, vmbus_sim_hv_device(dev)->device.driver->name, name);

	VmbChannelDisable(c->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->suspend), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->closed), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->closes), 1);
	bt_expect_instance(test, c, &guid_null);
}

static void enable_after_offer_opens_before_return(struct kunit *test)
{
	guid_t class = bt_class(3), inst = bt_instance(3);
	struct bt_client *c = bt_client(test, &class, &inst);
	struct bt_host *h = bt_host(test);

	bt_offer(test, &class, &inst, h);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->opens), 0);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, bt_is_open(c));
	KUNIT_EXPECT_EQ(test, atomic_read(&h->opens), 1);
	bt_expect_instance(test, c, &inst);
	KUNIT_EXPECT_EQ(test, bt_send(c, 9, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, bt_wait(READ_ONCE(h->last_seq) == 9));
}

static void open_failure_runs_pnp_failure(struct kunit *test)
{
	guid_t class = bt_class(4), bad = bt_instance(4), good = bt_instance(5);
	struct bt_client *c = bt_client(test, &class, NULL);
	struct bt_host *refusing = bt_host(test), *h = bt_host(test);
	struct vmbus_sim_device *dev;

	refusing->refuse_open = -EIO;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	dev = bt_offer(test, &class, &bad, refusing);
	KUNIT_ASSERT_TRUE(test, bt_wait(atomic_read(&c->pnp_failures) == 1));
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(c->pnp_status));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->opened), 0);
	bt_expect_instance(test, c, &guid_null);

	/* the channel waits on: the next offer of the class opens it */
	bt_offer(test, &class, &good, h);
	KUNIT_ASSERT_TRUE(test, bt_wait(bt_is_open(c)));
	bt_expect_instance(test, c, &good);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->pnp_failures), 1);
	vmbus_sim_rescind(dev);
}

static void opened_failure_runs_pnp_failure(struct kunit *test)
{
	guid_t class = bt_class(6), inst = bt_instance(6);
	struct bt_client *c = bt_client(test, &class, NULL);
	struct bt_host *h = bt_host(test);

	c->opened_status = STATUS_INSUFFICIENT_RESOURCES;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	bt_offer(test, &class, &inst, h);
	KUNIT_ASSERT_TRUE(test, bt_wait(atomic_read(&c->pnp_failures) == 1));
	KUNIT_EXPECT_EQ(test, c->pnp_status, STATUS_INSUFFICIENT_RESOURCES);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->opened), 1);
	/* rolled back: the host saw the open and the close, no Started */
	KUNIT_EXPECT_EQ(test, atomic_read(&c->started), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->opens), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->closes), 1);
	/* a channel that never opened has nothing to close */
	VmbChannelDisable(c->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->closed), 0);
}

static void rescind_disables_enable_binds_next_offer(struct kunit *test)
{
	guid_t class = bt_class(7), first = bt_instance(7), second = bt_instance(8);
	struct bt_client *c = bt_client(test, &class, NULL);
	struct bt_host *h1 = bt_host(test), *h2 = bt_host(test);
	struct vmbus_sim_device *dev;
	u64 seq = 3;

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	dev = bt_offer(test, &class, &first, h1);
	KUNIT_ASSERT_TRUE(test, bt_wait(bt_is_open(c)));
	/* a transaction the host never completes */
	KUNIT_EXPECT_EQ(test, bt_send(c, 1, WAIT_FLAG), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, bt_wait(atomic_read(&h1->packets) == 1));

	vmbus_sim_rescind(dev);
	/* Suspend, the transaction cancelled, Closed: the Disable path */
	KUNIT_EXPECT_EQ(test, atomic_read(&c->suspend), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->closed), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->cancelled), 1);
	bt_expect_instance(test, c, &guid_null);

	/* Disabled: a synchronous request fails at once */
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(c->ch, &seq, sizeof(seq), NULL,
							       WAIT_FLAG, NULL, NULL, NULL),
			STATUS_DEVICE_REMOVED);
	/* the next offer does not open it (a probe runs before the offer returns) */
	bt_offer(test, &class, &second, h2);
	KUNIT_EXPECT_EQ(test, atomic_read(&h2->opens), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->opened), 1);

	/* Enable again, as a KMCL client must: it opens on that offer */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, bt_wait(atomic_read(&c->post_started) == 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->opened), 2);
	bt_expect_instance(test, c, &second);
	KUNIT_EXPECT_EQ(test, bt_send(c, 2, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, bt_wait(READ_ONCE(h2->last_seq) == 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&h1->packets), 1);
}

static void rescind_of_one_channel_keeps_the_class(struct kunit *test)
{
	guid_t class = bt_class(15), i1 = bt_instance(15), i2 = bt_instance(16);
	struct bt_client *a = bt_client(test, &class, &i1);
	struct bt_client *b = bt_client(test, &class, &i2);
	struct bt_host *h1 = bt_host(test), *h2 = bt_host(test);
	struct vmbus_sim_device *dev;

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(a->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(b->ch), STATUS_SUCCESS);
	dev = bt_offer(test, &class, &i1, h1);
	bt_offer(test, &class, &i2, h2);
	KUNIT_ASSERT_TRUE(test, bt_wait(bt_is_open(a) && bt_is_open(b)));

	vmbus_sim_rescind(dev);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->closed), 1);
	/* the other channel of the class is untouched */
	KUNIT_EXPECT_TRUE(test, bt_is_open(b));
	KUNIT_EXPECT_EQ(test, bt_send(b, 5, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, bt_wait(READ_ONCE(h2->last_seq) == 5));
	/* the rescinded one may be enabled again: it waits for its instance */
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(a->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->opened), 1);
}

static void two_channels_bind_two_instances(struct kunit *test)
{
	guid_t class = bt_class(9), i1 = bt_instance(9), i2 = bt_instance(10);
	/* enabled first, takes any instance; the other asks for i1 */
	struct bt_client *any = bt_client(test, &class, NULL);
	struct bt_client *one = bt_client(test, &class, &i1);
	struct bt_host *h1 = bt_host(test), *h2 = bt_host(test);

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(any->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(one->ch), STATUS_SUCCESS);

	/* the channel that named i1 gets it, though the other waited longer */
	bt_offer(test, &class, &i1, h1);
	KUNIT_ASSERT_TRUE(test, bt_wait(bt_is_open(one)));
	KUNIT_EXPECT_EQ(test, atomic_read(&any->opened), 0);
	bt_offer(test, &class, &i2, h2);
	KUNIT_ASSERT_TRUE(test, bt_wait(bt_is_open(any)));
	bt_expect_instance(test, one, &i1);
	bt_expect_instance(test, any, &i2);

	/* each talks to its own offer */
	KUNIT_EXPECT_EQ(test, bt_send(one, 11, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, bt_send(any, 22, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, bt_wait(READ_ONCE(h1->last_seq) == 11));
	KUNIT_EXPECT_TRUE(test, bt_wait(READ_ONCE(h2->last_seq) == 22));
}

static void disable_hands_the_offer_on(struct kunit *test)
{
	guid_t class = bt_class(11), inst = bt_instance(11);
	struct bt_client *a = bt_client(test, &class, NULL);
	struct bt_client *b = bt_client(test, &class, NULL);
	struct bt_host *h = bt_host(test);

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(a->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(b->ch), STATUS_SUCCESS);
	bt_offer(test, &class, &inst, h);
	KUNIT_ASSERT_TRUE(test, bt_wait(bt_is_open(a)));
	KUNIT_EXPECT_EQ(test, atomic_read(&b->opened), 0);

	VmbChannelDisable(a->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->closed), 1);
	KUNIT_ASSERT_TRUE(test, bt_wait(bt_is_open(b)));
	bt_expect_instance(test, b, &inst);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->opens), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->closes), 1);
}

static void disable_while_waiting_releases_the_class(struct kunit *test)
{
	guid_t class = bt_class(12), inst = bt_instance(12);
	struct bt_client *c = bt_client(test, &class, NULL);
	struct bt_host *h = bt_host(test);
	struct vmbus_sim_device *dev;

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	VmbChannelDisable(c->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->suspend), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->closed), 0);

	/* no driver for the class any more: the offer stays unbound */
	dev = bt_offer(test, &class, &inst, h);
	KUNIT_EXPECT_NULL(test, vmbus_sim_hv_device(dev)->device.driver);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->opens), 0);

	/* and Enable again binds it */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, bt_is_open(c));
}

static int bt_other_probe(struct hv_device *hv_dev, const struct hv_vmbus_device_id *id)
{
	return 0;
}

static VMB_HV_REMOVE_RET bt_other_remove(struct hv_device *hv_dev)
{
	return VMB_HV_REMOVE_DONE;
}

static void class_claimed_by_another_driver(struct kunit *test)
{
	guid_t class = bt_class(13), inst = bt_instance(13);
	struct hv_vmbus_device_id ids[2] = { { .guid = class }, { } };
	struct hv_driver other = {
		.name = "vmb_bind_test_other",
		.id_table = ids,
		.probe = bt_other_probe,
		.remove = bt_other_remove,
	};
	struct bt_client *c = bt_client(test, &class, NULL);
	struct bt_host *h = bt_host(test);
	struct vmbus_sim_device *dev;

	KUNIT_ASSERT_EQ(test, __vmbus_driver_register(&other, VMB_KUNIT_DRIVER_OWNER,
						      KBUILD_MODNAME), 0);
	/* no assertion until the driver on the stack is unregistered */
	dev = vmbus_sim_offer(&class, &inst, &bt_host_ops, h);
	KUNIT_EXPECT_FALSE(test, IS_ERR(dev));
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(c->ch), STATUS_DEVICE_BUSY);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->opens), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->pnp_failures), 0);
	if (!IS_ERR(dev))
		KUNIT_EXPECT_PTR_EQ(test, vmbus_sim_hv_device(dev)->device.driver,
				    &other.driver);
	vmbus_driver_unregister(&other);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, bt_res_init, bt_res_free_offer,
							 GFP_KERNEL, dev));

	/* the class is free now */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, bt_is_open(c));
}

static void debugfs_state_follows_binding(struct kunit *test)
{
	guid_t class = bt_class(14), inst = bt_instance(14);
	struct bt_client *c = bt_client(test, &class, NULL);
	struct vmb_df *df = kunit_kzalloc(test, sizeof(*df), GFP_KERNEL);
	struct bt_host *h = bt_host(test);
	struct vmbus_sim_device *dev;
	char want[UUID_STRING_LEN + 1];

	KUNIT_ASSERT_NOT_NULL(test, df);
	df->test = test;
	vmb_df_unique_name(df->name, sizeof(df->name), "bind");
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetFriendlyName(c->ch, df->name), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, vmb_df_find(df->name, df->dir), 0);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Disabled");

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Waiting");
	snprintf(want, sizeof(want), "%pUl", &guid_null);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "instance"), want);

	dev = bt_offer(test, &class, &inst, h);
	KUNIT_ASSERT_TRUE(test, bt_wait(bt_is_open(c)));
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Open");
	snprintf(want, sizeof(want), "%pUl", &inst);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "instance"), want);

	/* a rescind leaves it Disabled; Enable makes it wait again */
	vmbus_sim_rescind(dev);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Disabled");
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Waiting");
	VmbChannelDisable(c->ch);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Disabled");
}

static struct kunit_case vmb_bind_cases[] = {
	KUNIT_CASE(target_pnp_rejects_bad_input),
	KUNIT_CASE(enable_before_offer_opens_on_offer),
	KUNIT_CASE(enable_after_offer_opens_before_return),
	KUNIT_CASE(open_failure_runs_pnp_failure),
	KUNIT_CASE(opened_failure_runs_pnp_failure),
	KUNIT_CASE(rescind_disables_enable_binds_next_offer),
	KUNIT_CASE(rescind_of_one_channel_keeps_the_class),
	KUNIT_CASE(two_channels_bind_two_instances),
	KUNIT_CASE(disable_hands_the_offer_on),
	KUNIT_CASE(disable_while_waiting_releases_the_class),
	KUNIT_CASE(class_claimed_by_another_driver),
	KUNIT_CASE(debugfs_state_follows_binding),
	{}
};

static struct kunit_suite vmb_bind_suite = {
	.name = "vmb_bind",
	.test_cases = vmb_bind_cases,
};

kunit_test_suite(vmb_bind_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl binding by class GUID");
MODULE_LICENSE("GPL");
