// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the demo sample (samples/demo/): what 'make run' reports
 * of it holds. The sample's two halves are compiled into this module
 * unchanged, and run on a class GUID of the test's own, so that they never
 * meet the vmb_demo.ko and vmb_demo_host.ko that may be loaded beside it:
 *
 *   - the VSC and the host model together: GET_INFO is answered, the host
 *     reads the external data and its crc32 matches the VSC's;
 *   - the host model against a client of the test's: a wrong crc32, or data
 *     changed after the crc32 was taken, is reported as BAD_CHECKSUM with
 *     the crc32 of what is really in the guest's pages; malformed requests
 *     are refused;
 *   - the VSC against a host of the test's: the crc32 it sends is that of
 *     the data the host reads, and a host answering another crc32 makes the
 *     exchange fail.
 */
#include "../samples/demo/vsc.c"
#include "../samples/demo/host.c"

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>

/* {766d6201-00d0-4e11-9a10-0000000000d0} */
#define TEST_CLASS GUID_INIT(0x766d6201, 0x00d0, 0x4e11, 0x9a, 0x10, \
			     0x00, 0x00, 0x00, 0x00, 0x00, 0xd0)

#define WAIT_MS		10000
#define CLIENT_BYTES	(3 * 4096 + 700)

static const guid_t test_class = TEST_CLASS;

/* A host written by the test: records what it read, answers as told. */
struct fake_host {
	struct vmbus_sim_device *sim;
	u32 crc_xor;			/* the CHECKSUM answer's crc32 is off by this */
	u32 read_crc;			/* crc32 of the external data read */
	u32 read_bytes;
	u32 request_crc;		/* what the guest's request said */
	u32 request_length;
	u16 checksum_type;		/* packet type of the CHECKSUM request */
	atomic_t checksums;
};

/* A client written by the test, bound the same way the VSC binds. */
struct client {
	VMBCHANNEL channel;
	struct completion started;
};

struct ctx {
	guid_t instance;
	struct vmb_demo *demo;
	struct vmb_demo_host *host;
	struct fake_host *fake;
	struct client *client;
	u8 *data;			/* vmalloc'd, for the client's requests */
};

static void ctx_exit(struct kunit *test)
{
	struct ctx *c = test->priv;

	if (!c)
		return;
	if (c->demo)
		vmb_demo_destroy(c->demo);
	if (c->client)
		VmbChannelCleanup(c->client->channel);
	if (c->host)
		vmb_demo_host_destroy(c->host);
	if (c->fake)
		vmbus_sim_destroy(c->fake->sim);
	vfree(c->data);
}

static struct ctx *ctx_init(struct kunit *test)
{
	struct ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	guid_gen(&c->instance);
	test->priv = c;
	return c;
}

static void start_host(struct kunit *test, struct ctx *c)
{
	struct vmb_demo_host *host = vmb_demo_host_create(&test_class, &c->instance);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(host), "vmb_demo_host_create: %ld", PTR_ERR(host));
	c->host = host;
}

static void start_vsc(struct kunit *test, struct ctx *c)
{
	struct vmb_demo *demo = vmb_demo_create(&test_class, &c->instance);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(demo), "vmb_demo_create: %ld", PTR_ERR(demo));
	c->demo = demo;
}

/* Wait until the VSC finished @n exchanges; its last result. */
static enum vmb_demo_result wait_exchanges(struct kunit *test, struct vmb_demo *demo,
					   unsigned int n)
{
	unsigned long end = jiffies + msecs_to_jiffies(WAIT_MS);

	while (READ_ONCE(demo->exchanges) < n && time_before(jiffies, end))
		msleep(20);
	KUNIT_ASSERT_EQ(test, READ_ONCE(demo->exchanges), n);
	/* pairs with the VSC's release: the other results are visible */
	return smp_load_acquire(&demo->result);
}

static u32 crc_of(const void *p, u32 len)
{
	return crc32_le(~0, p, len) ^ ~0;
}

/* The pair */

static void demo_pair_checksum_matches(struct kunit *test)
{
	struct ctx *c = ctx_init(test);
	struct vmb_demo *demo;

	start_host(test, c);
	start_vsc(test, c);
	demo = c->demo;
	KUNIT_EXPECT_EQ(test, wait_exchanges(test, demo, 1), VMB_DEMO_PASSED);
	KUNIT_EXPECT_EQ(test, demo->host_crc, demo->crc);
	KUNIT_EXPECT_EQ(test, demo->crc, crc_of(demo->data, VSC_DATA_BYTES));
	KUNIT_EXPECT_STREQ(test, demo->info.name, HOST_NAME);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(demo->info.version), VMB_DEMO_VERSION);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(demo->info.max_transfer), VMB_DEMO_MAX_TRANSFER);
}

static void demo_vsc_waits_for_the_offer(struct kunit *test)
{
	struct ctx *c = ctx_init(test);

	start_vsc(test, c);
	msleep(200);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->demo->exchanges), 0u);
	start_host(test, c);
	KUNIT_EXPECT_EQ(test, wait_exchanges(test, c->demo, 1), VMB_DEMO_PASSED);
}

static void demo_vsc_runs_again_after_rescind(struct kunit *test)
{
	struct ctx *c = ctx_init(test);

	start_host(test, c);
	start_vsc(test, c);
	KUNIT_ASSERT_EQ(test, wait_exchanges(test, c->demo, 1), VMB_DEMO_PASSED);
	vmb_demo_host_destroy(c->host);
	c->host = NULL;
	start_host(test, c);
	KUNIT_EXPECT_EQ(test, wait_exchanges(test, c->demo, 2), VMB_DEMO_PASSED);
	KUNIT_EXPECT_EQ(test, c->demo->host_crc, c->demo->crc);
}

/* The host model, driven by the test's client */

static void client_post_started(VMBCHANNEL channel)
{
	struct client *cl = VmbChannelGetPointer(channel);

	complete(&cl->started);
}

static void start_client(struct kunit *test, struct ctx *c)
{
	struct vmb_channel_state_change_callbacks callbacks;
	struct client *cl = kunit_kzalloc(test, sizeof(*cl), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cl);
	init_completion(&cl->started);
	c->data = vmalloc(VMB_DEMO_MAX_TRANSFER + SZ_4K);
	KUNIT_ASSERT_NOT_NULL(test, c->data);
	get_random_bytes(c->data, VMB_DEMO_MAX_TRANSFER + SZ_4K);

	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(NULL, false, &cl->channel), STATUS_SUCCESS);
	c->client = cl;
	VmbChannelSetPointer(cl->channel, cl);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&callbacks);
	callbacks.post_started = client_post_started;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(cl->channel, &callbacks),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(cl->channel, &test_class,
							       &c->instance, NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(cl->channel), STATUS_SUCCESS);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&cl->started,
							  msecs_to_jiffies(WAIT_MS)), 0ul);
}

/*
 * One request from the client, external data [0, @bytes) of c->data when
 * @bytes is not 0; the host's CHECKSUM answer in @reply.
 */
static void client_request(struct kunit *test, struct ctx *c, u32 op, u32 length, u32 crc,
			   u32 bytes, struct vmb_demo_checksum *reply)
{
	struct vmb_demo_request req = {
		.op = cpu_to_le32(op),
		.length = cpu_to_le32(length),
		.crc32 = cpu_to_le32(crc),
	};
	s64 timeout = -(s64)WAIT_MS * 10000;
	struct vmb_mdl *mdl = NULL;
	u32 size = sizeof(*reply);

	if (bytes) {
		mdl = vmb_mdl_from_buffer(c->data, bytes, GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	}
	memset(reply, 0xee, sizeof(*reply));
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(c->client->channel, &req,
							       sizeof(req), mdl, VSC_WAIT,
							       reply, &size, &timeout),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, size, (u32)sizeof(*reply));
	if (mdl)
		vmb_mdl_free(mdl);
}

static void demo_host_confirms_a_right_checksum(struct kunit *test)
{
	struct ctx *c = ctx_init(test);
	struct vmb_demo_checksum reply;
	u32 crc;

	start_host(test, c);
	start_client(test, c);
	crc = crc_of(c->data, CLIENT_BYTES);
	client_request(test, c, VMB_DEMO_OP_CHECKSUM, CLIENT_BYTES, crc, CLIENT_BYTES, &reply);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.status), (u32)VMB_DEMO_OK);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.crc32), crc);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.length), (u32)CLIENT_BYTES);
}

static void demo_host_detects_a_corrupted_checksum(struct kunit *test)
{
	struct ctx *c = ctx_init(test);
	struct vmb_demo_checksum reply;
	u32 crc;

	start_host(test, c);
	start_client(test, c);
	crc = crc_of(c->data, CLIENT_BYTES);
	client_request(test, c, VMB_DEMO_OP_CHECKSUM, CLIENT_BYTES, crc ^ 0x100, CLIENT_BYTES,
		       &reply);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.status), (u32)VMB_DEMO_BAD_CHECKSUM);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.crc32), crc);
}

/* The host reads the guest's pages when the request arrives, not a copy. */
static void demo_host_detects_changed_data(struct kunit *test)
{
	struct ctx *c = ctx_init(test);
	struct vmb_demo_checksum reply;
	u32 crc;

	start_host(test, c);
	start_client(test, c);
	crc = crc_of(c->data, CLIENT_BYTES);
	c->data[CLIENT_BYTES - 1] ^= 0x01;	/* in the last, partial page */
	client_request(test, c, VMB_DEMO_OP_CHECKSUM, CLIENT_BYTES, crc, CLIENT_BYTES, &reply);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.status), (u32)VMB_DEMO_BAD_CHECKSUM);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.crc32), crc_of(c->data, CLIENT_BYTES));
	KUNIT_EXPECT_NE(test, le32_to_cpu(reply.crc32), crc);
}

static void demo_host_refuses_malformed_requests(struct kunit *test)
{
	struct ctx *c = ctx_init(test);
	struct vmb_demo_checksum reply;
	u32 big = VMB_DEMO_MAX_TRANSFER + SZ_4K;

	start_host(test, c);
	start_client(test, c);

	client_request(test, c, 77, 0, 0, 0, &reply);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.status), (u32)VMB_DEMO_BAD_REQUEST);
	/* no external data */
	client_request(test, c, VMB_DEMO_OP_CHECKSUM, CLIENT_BYTES, 0, 0, &reply);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.status), (u32)VMB_DEMO_BAD_REQUEST);
	/* a length that is not what the GPA ranges describe */
	client_request(test, c, VMB_DEMO_OP_CHECKSUM, CLIENT_BYTES + 1,
		       crc_of(c->data, CLIENT_BYTES), CLIENT_BYTES, &reply);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.status), (u32)VMB_DEMO_BAD_REQUEST);
	/* more than the device takes */
	client_request(test, c, VMB_DEMO_OP_CHECKSUM, big, crc_of(c->data, big), big, &reply);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.status), (u32)VMB_DEMO_BAD_REQUEST);
	/* and it still answers a good one */
	client_request(test, c, VMB_DEMO_OP_CHECKSUM, CLIENT_BYTES,
		       crc_of(c->data, CLIENT_BYTES), CLIENT_BYTES, &reply);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.status), (u32)VMB_DEMO_OK);
}

/* The VSC, driven by the test's host */

static void fake_complete(struct fake_host *fake, u64 trans_id, const void *data, u32 len)
{
	int tries = 1000;

	while (vmbus_sim_complete(fake->sim, trans_id, data, len) == -EAGAIN && --tries)
		usleep_range(500, 1000);
}

static void fake_packet(struct vmbus_sim_device *sim, const struct vmbus_sim_packet *pkt)
{
	struct fake_host *fake = vmbus_sim_host_context(sim);
	struct vmb_demo_info info = {
		.version = cpu_to_le32(VMB_DEMO_VERSION),
		.max_transfer = cpu_to_le32(VMB_DEMO_MAX_TRANSFER),
		.name = "fake",
	};
	struct vmb_demo_checksum reply = {};
	struct vmb_demo_request req = {};
	u32 bytes = 0, i;
	u8 *buf;

	memcpy(&req, pkt->data, min_t(u32, pkt->length, sizeof(req)));
	if (le32_to_cpu(req.op) == VMB_DEMO_OP_GET_INFO) {
		fake_complete(fake, pkt->trans_id, &info, sizeof(info));
		return;
	}
	fake->checksum_type = pkt->type;
	fake->request_crc = le32_to_cpu(req.crc32);
	fake->request_length = le32_to_cpu(req.length);
	for (i = 0; i < pkt->range_count; i++)
		bytes += pkt->ranges[i]->byte_count;
	fake->read_bytes = bytes;
	buf = bytes <= VMB_DEMO_MAX_TRANSFER ? vmalloc(bytes) : NULL;
	if (buf && !vmbus_sim_copy_from_guest(sim, pkt, 0, buf, bytes))
		fake->read_crc = crc_of(buf, bytes);
	vfree(buf);
	reply.crc32 = cpu_to_le32(fake->read_crc ^ fake->crc_xor);
	reply.length = cpu_to_le32(bytes);
	atomic_inc(&fake->checksums);
	fake_complete(fake, pkt->trans_id, &reply, sizeof(reply));
}

static const struct vmbus_sim_host_ops fake_ops = {
	.packet = fake_packet,
};

static struct fake_host *start_fake(struct kunit *test, struct ctx *c, u32 crc_xor)
{
	struct fake_host *fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fake);
	fake->crc_xor = crc_xor;
	fake->sim = vmbus_sim_offer(&test_class, &c->instance, &fake_ops, fake);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fake->sim));
	c->fake = fake;
	return fake;
}

static void demo_vsc_sends_the_crc_of_its_data(struct kunit *test)
{
	struct ctx *c = ctx_init(test);
	struct fake_host *fake = start_fake(test, c, 0);

	start_vsc(test, c);
	KUNIT_EXPECT_EQ(test, wait_exchanges(test, c->demo, 1), VMB_DEMO_PASSED);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->checksums), 1);
	KUNIT_EXPECT_EQ(test, fake->checksum_type, (u16)VM_PKT_DATA_USING_GPA_DIRECT);
	KUNIT_EXPECT_EQ(test, fake->read_bytes, (u32)VSC_DATA_BYTES);
	KUNIT_EXPECT_EQ(test, fake->request_length, (u32)VSC_DATA_BYTES);
	KUNIT_EXPECT_EQ(test, fake->request_crc, fake->read_crc);
	KUNIT_EXPECT_EQ(test, c->demo->crc, fake->read_crc);
}

static void demo_vsc_detects_a_wrong_host_checksum(struct kunit *test)
{
	struct ctx *c = ctx_init(test);
	struct fake_host *fake = start_fake(test, c, 0x80000000);

	start_vsc(test, c);
	KUNIT_EXPECT_EQ(test, wait_exchanges(test, c->demo, 1), VMB_DEMO_FAILED);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->checksums), 1);
	KUNIT_EXPECT_EQ(test, c->demo->host_crc, fake->read_crc ^ 0x80000000);
	KUNIT_EXPECT_NE(test, c->demo->host_crc, c->demo->crc);
}

static struct kunit_case vmb_demo_cases[] = {
	KUNIT_CASE(demo_pair_checksum_matches),
	KUNIT_CASE(demo_vsc_waits_for_the_offer),
	KUNIT_CASE(demo_vsc_runs_again_after_rescind),
	KUNIT_CASE(demo_host_confirms_a_right_checksum),
	KUNIT_CASE(demo_host_detects_a_corrupted_checksum),
	KUNIT_CASE(demo_host_detects_changed_data),
	KUNIT_CASE(demo_host_refuses_malformed_requests),
	KUNIT_CASE(demo_vsc_sends_the_crc_of_its_data),
	KUNIT_CASE(demo_vsc_detects_a_wrong_host_checksum),
	{}
};

static struct kunit_suite vmb_demo_suite = {
	.name = "vmb_demo",
	.exit = ctx_exit,
	.test_cases = vmb_demo_cases,
};

kunit_test_suite(vmb_demo_suite);

MODULE_DESCRIPTION("KUnit tests for the demo sample: VSC and host model");
MODULE_LICENSE("GPL");
