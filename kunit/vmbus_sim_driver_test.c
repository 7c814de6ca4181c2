// SPDX-License-Identifier: GPL-2.0
/*
 * A plain hv driver against the simulator. The "ping" driver below is
 * written only against <linux/hyperv.h>, as any VMBus driver is: it binds by
 * class GUID, opens its channel with a requestor, sends requests and waits
 * for their completions, and answers the host's requests from its channel
 * callback. The test is its host: a model that completes the driver's
 * requests, sends its own and checks the driver's answers. This is how
 * another module's tests use the simulator (Documentation/vmbus_sim.rst).
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <vmbus_sim.h>

/* ---- the driver: only the hv_vmbus API ----------------------------------- */

#define PING_GUID	GUID_INIT(0x9a1b2c3d, 0x4e5f, 0x4a6b, 0x8c, 0x7d, \
				  0x6e, 0x5f, 0x4a, 0x3b, 0x2c, 0x1d)
#define PING_RING	(4 * PAGE_SIZE)

struct ping_request {
	struct completion done;
	u32 reply_len;
	u8 reply[64];
};

struct ping_dev {
	struct vmbus_channel *chan;
	atomic_t answered;
};

static void ping_on_channel(void *context)
{
	struct ping_dev *pd = context;
	struct vmpacket_descriptor *desc;
	struct ping_request *req;
	u8 pong[4] = "pong";
	u64 addr;

	foreach_vmbus_pkt(desc, pd->chan) {
		switch (desc->type) {
		case VM_PKT_COMP:
			/* the host's id is untrusted: only a live one maps back */
			addr = vmbus_request_addr(pd->chan, desc->trans_id);
			if (addr == VMBUS_RQST_ERROR || addr == VMBUS_NO_RQSTOR)
				break;
			req = (struct ping_request *)(uintptr_t)addr;
			req->reply_len = min_t(u32, hv_pkt_datalen(desc), sizeof(req->reply));
			memcpy(req->reply, hv_pkt_data(desc), req->reply_len);
			complete(&req->done);
			break;
		case VM_PKT_DATA_INBAND:
			if (desc->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED &&
			    !vmbus_sendpacket(pd->chan, pong, sizeof(pong), desc->trans_id,
					      VM_PKT_COMP, 0))
				atomic_inc(&pd->answered);
			break;
		}
	}
}

static int ping_probe(struct hv_device *hdev, const struct hv_vmbus_device_id *id)
{
	struct ping_dev *pd;
	int ret;

	pd = kzalloc(sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;
	pd->chan = hdev->channel;
	pd->chan->rqstor_size = 16;
	pd->chan->next_request_id_callback = vmbus_next_request_id;
	pd->chan->request_addr_callback = vmbus_request_addr;
	hv_set_drvdata(hdev, pd);

	ret = vmbus_open(pd->chan, PING_RING, PING_RING, NULL, 0, ping_on_channel, pd);
	if (ret)
		kfree(pd);
	return ret;
}

static VMB_HV_REMOVE_RET ping_remove(struct hv_device *hdev)
{
	struct ping_dev *pd = hv_get_drvdata(hdev);

	vmbus_close(pd->chan);
	kfree(pd);
	return VMB_HV_REMOVE_DONE;
}

static const struct hv_vmbus_device_id ping_ids[] = {
	{ .guid = PING_GUID },
	{ },
};

static struct hv_driver ping_driver = {
	.name = "vmbus_sim_ping",
	.id_table = ping_ids,
	.probe = ping_probe,
	.remove = ping_remove,
};

/*
 * Send @msg and wait for the host's completion. The request lives on the
 * heap and is leaked on timeout: a late completion must find live memory.
 */
static int ping_request(struct ping_dev *pd, const char *msg, u8 *reply, u32 *reply_len)
{
	struct ping_request *req;
	u8 buf[32];
	u32 len = strlen(msg);
	int ret;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	init_completion(&req->done);
	memcpy(buf, msg, len);

	ret = vmbus_sendpacket(pd->chan, buf, len, (u64)(uintptr_t)req, VM_PKT_DATA_INBAND,
			       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	if (ret) {
		kfree(req);
		return ret;
	}
	if (!wait_for_completion_timeout(&req->done, 10 * HZ))
		return -ETIMEDOUT;
	*reply_len = req->reply_len;
	memcpy(reply, req->reply, req->reply_len);
	kfree(req);
	return 0;
}

/* ---- the host model and the test ----------------------------------------- */

struct ping_host {
	struct vmbus_sim_device *sim;
	bool registered;
	atomic_t requests;
	struct completion got_answer;
	u64 answer_id;
	u32 answer_len;
	u8 answer[8];
};

static void ping_host_packet(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt)
{
	struct ping_host *h = vmbus_sim_host_context(dev);
	u8 reply[64] = "re:";

	if (pkt->type == VM_PKT_DATA_INBAND &&
	    pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED) {
		memcpy(reply + 3, pkt->data, min_t(u32, pkt->length, sizeof(reply) - 3));
		atomic_inc(&h->requests);
		vmbus_sim_complete(dev, pkt->trans_id, reply, 3 + pkt->length);
	} else if (pkt->type == VM_PKT_COMP) {
		h->answer_id = pkt->trans_id;
		h->answer_len = pkt->length;
		memcpy(h->answer, pkt->data, min_t(u32, pkt->length, sizeof(h->answer)));
		complete(&h->got_answer);
	}
}

static const struct vmbus_sim_host_ops ping_host_ops = {
	.packet = ping_host_packet,
};

static const guid_t ping_guid = PING_GUID;
static const guid_t ping_instance = GUID_INIT(0x0b1c2d3e, 0x0001, 0x4002, 0x80, 0x03,
					      0, 0, 0, 0, 0, 0x05);

static int ping_suite_init(struct kunit *test)
{
	struct ping_host *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	init_completion(&h->got_answer);
	test->priv = h;
	return 0;
}

static void ping_suite_exit(struct kunit *test)
{
	struct ping_host *h = test->priv;

	if (h->sim)
		vmbus_sim_destroy(h->sim);
	if (h->registered)
		vmbus_driver_unregister(&ping_driver);
}

static void ping_offer(struct kunit *test, struct ping_host *h)
{
	struct vmbus_sim_device *sim;

	sim = vmbus_sim_offer(&ping_guid, &ping_instance, &ping_host_ops, h);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sim));
	h->sim = sim;
}

static void ping_register(struct kunit *test, struct ping_host *h)
{
	/*
	 * What vmbus_driver_register() does, but the owner is one that 6.1's
	 * KUnit can bear (drivers/compat.h); a driver module would use the macro.
	 */
	KUNIT_ASSERT_EQ(test, __vmbus_driver_register(&ping_driver, VMB_KUNIT_DRIVER_OWNER,
						      KBUILD_MODNAME), 0);
	h->registered = true;
}

static struct vmbus_sim_stats ping_stats(struct ping_host *h)
{
	struct vmbus_sim_stats s;

	vmbus_sim_get_stats(h->sim, &s);
	return s;
}

static void exchange(struct kunit *test, struct ping_host *h)
{
	struct vmbus_sim_stats s;
	struct hv_device *hdev;
	struct ping_dev *pd;
	char msg[16];
	u8 reply[64];
	u32 len;
	int i;

	hdev = vmbus_sim_hv_device(h->sim);
	KUNIT_ASSERT_NOT_NULL(test, hdev);
	pd = hv_get_drvdata(hdev);
	KUNIT_ASSERT_NOT_NULL(test, pd);
	KUNIT_EXPECT_EQ(test, ping_stats(h).opens, 1);

	/* guest -> host requests, more than the requestor has slots */
	for (i = 0; i < 40; i++) {
		snprintf(msg, sizeof(msg), "hello %d", i);
		KUNIT_ASSERT_EQ(test, ping_request(pd, msg, reply, &len), 0);
		KUNIT_EXPECT_EQ(test, len, ALIGN(3 + ALIGN(strlen(msg), 8), 8));
		KUNIT_EXPECT_EQ(test, memcmp(reply, "re:", 3), 0);
		KUNIT_EXPECT_EQ(test, memcmp(reply + 3, msg, strlen(msg)), 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&h->requests), 40);

	/* host -> guest request, answered from the channel callback */
	KUNIT_ASSERT_EQ(test, vmbus_sim_send(h->sim, VM_PKT_DATA_INBAND,
					     VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED,
					     0x4242, "ping?", 5), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&h->got_answer, 10 * HZ), 0);
	KUNIT_EXPECT_EQ(test, h->answer_id, 0x4242);
	KUNIT_EXPECT_EQ(test, h->answer_len, 8);
	KUNIT_EXPECT_EQ(test, memcmp(h->answer, "pong\0\0\0\0", 8), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pd->answered), 1);

	/* a completion the driver never asked for is dropped */
	KUNIT_ASSERT_EQ(test, vmbus_sim_complete(h->sim, 7, "stray", 5), 0);
	KUNIT_ASSERT_EQ(test, ping_request(pd, "after", reply, &len), 0);

	/* rescind: the driver's remove closes the channel */
	vmbus_sim_rescind(h->sim);
	KUNIT_EXPECT_NULL(test, vmbus_sim_hv_device(h->sim));
	s = ping_stats(h);
	KUNIT_EXPECT_EQ(test, s.closes, 1);
	KUNIT_EXPECT_EQ(test, s.gpadls, 0);
	KUNIT_EXPECT_EQ(test, s.packets_read, 40 + 1 + 1);
	KUNIT_EXPECT_EQ(test, s.packets_written, 40 + 1 + 1 + 1);
	KUNIT_EXPECT_EQ(test, s.protocol_errors, 0);
	KUNIT_EXPECT_GE(test, s.signals, 1);
	KUNIT_EXPECT_GE(test, s.interrupts, 1);
	vmbus_sim_destroy(h->sim);
	h->sim = NULL;
}

static void driver_first_then_offer(struct kunit *test)
{
	struct ping_host *h = test->priv;

	ping_register(test, h);
	ping_offer(test, h);
	exchange(test, h);
}

static void offer_first_then_driver(struct kunit *test)
{
	struct ping_host *h = test->priv;

	ping_offer(test, h);
	KUNIT_EXPECT_NULL(test, hv_get_drvdata(vmbus_sim_hv_device(h->sim)));
	ping_register(test, h);
	exchange(test, h);
}

static struct kunit_case vmbus_sim_driver_cases[] = {
	KUNIT_CASE(driver_first_then_offer),
	KUNIT_CASE(offer_first_then_driver),
	{}
};

static struct kunit_suite vmbus_sim_driver_suite = {
	.name = "vmbus_sim_driver",
	.init = ping_suite_init,
	.exit = ping_suite_exit,
	.test_cases = vmbus_sim_driver_cases,
};

kunit_test_suite(vmbus_sim_driver_suite);

MODULE_DESCRIPTION("KUnit test of a plain hv driver against vmbus_sim");
MODULE_LICENSE("GPL");
