// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for channel objects: allocation, the Init* rules, Enable,
 * Disable, Cleanup, the state-change callback order and the accessors.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/slab.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0001, 0x4e11, 0x9a, 0x01, \
				 0x63, 0x68, 0x61, 0x6e, 0x6e, 0x6c)
#include "vmb_test_host.h"

static void allocate_rejects_server(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	VMBCHANNEL ch = NULL;

	KUNIT_EXPECT_EQ(test, VmbChannelAllocate(&th->hv_dev->device, true, &ch),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocate(NULL, true, &ch),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_NULL(test, ch);
}

static void target_pnp_rejects_parent_channel(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	guid_t class = VMB_TEST_CLASS;

	/* a channel made with a parent is bound to that device already */
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(th->ch, &class, NULL, NULL),
			STATUS_INVALID_PARAMETER_1);
}

static void allocate_rejects_other_devices(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct device *other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	VMBCHANNEL ch = NULL;

	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocate(other, false, &ch),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocate(&th->hv_dev->device, false, NULL),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_NULL(test, ch);
}

static void init_parameter_rules(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_channel_state_change_callbacks cb;
	VMBCHANNEL ch = th->ch;

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, 1 << 20),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, 512),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(ch, 0, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(ch, 4096, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(ch, 4096, 2),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(ch, 0, 4),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(ch, 4, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(ch, 4, 4),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetClientContextSize(ch, 1 << 20),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetClientContextSize(ch, 64),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(ch, NULL, NULL),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(ch, NULL),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(ch, "test channel"),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(ch, "renamed"),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(ch, 0x2),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(ch, VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(ch, 0), STATUS_SUCCESS);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ch, NULL),
			STATUS_INVALID_PARAMETER_2);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	KUNIT_EXPECT_EQ(test, cb.version, 1U);
	KUNIT_EXPECT_EQ(test, cb.size, (u32)sizeof(cb));
	KUNIT_EXPECT_NULL(test, cb.opened);
	cb.version = 2;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ch, &cb),
			STATUS_INVALID_PARAMETER_2);
	cb.version = 1;
	cb.size--;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ch, &cb),
			STATUS_INVALID_PARAMETER_2);
	cb.size++;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ch, &cb),
			STATUS_SUCCESS);
}

static void init_null_channel(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(NULL, 64),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(NULL, 1, 1),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(NULL, 1, 1),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetClientContextSize(NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(NULL, "x"),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(NULL), STATUS_INVALID_PARAMETER_1);
}

static void dummy_process_packet(VMBCHANNEL channel, VMBPACKETCOMPLETION packet,
				 void *buffer, u32 buffer_length, u32 flags)
{
}

/* Every Init* is refused between Enable and Disable, allowed again after. */
static void init_refused_while_enabled(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_channel_state_change_callbacks cb;
	VMBCHANNEL ch = th->ch;

	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, 64),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(ch, 1, 1),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(ch, 1, 1),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetClientContextSize(ch, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(ch, dummy_process_packet,
								      NULL),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ch, &cb),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(ch, "x"),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(ch, 0),
			STATUS_INVALID_PARAMETER_1);

	VmbChannelDisable(ch);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, 64),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(ch, dummy_process_packet,
								      NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(ch), STATUS_SUCCESS);
}

static void enable_uses_configured_rings(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmbus_channel *chan = th->hv_dev->channel;
	struct vmbus_sim_stats stats;

	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, 2, 3),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 1000),
			STATUS_SUCCESS);
	vmb_th_enable(th);

	KUNIT_EXPECT_EQ(test, chan->inbound.ring_datasize, 2U * HV_HYP_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, chan->outbound.ring_datasize, 3U * HV_HYP_PAGE_SIZE);
	/*
	 * hv_vmbus's max_pkt_size counts the 16-byte descriptor; vmbkmcl adds
	 * room for external-data headers and one 8-byte slot to spot a longer
	 * packet, within what the incoming ring can hold (receive.c)
	 */
	KUNIT_EXPECT_GE(test, chan->max_pkt_size, 16U + 1000U + 8U);
	KUNIT_EXPECT_LE(test, chan->max_pkt_size, chan->inbound.ring_datasize - 8U);
	/* the requestor: one slot per smallest packet both rings can hold */
	KUNIT_EXPECT_EQ(test, chan->rqstor_size, (2U * 4096 + 3U * 4096) / 24);
	KUNIT_EXPECT_EQ(test, chan->callback_mode, HV_CALL_DIRECT);
	vmbus_sim_get_stats(th->sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.opens, 1ULL);

	VmbChannelDisable(th->ch);
	vmbus_sim_get_stats(th->sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.closes, 1ULL);
	/* the hv channel is left as it was found */
	KUNIT_EXPECT_EQ(test, chan->rqstor_size, 0U);
	KUNIT_EXPECT_EQ(test, chan->callback_mode, HV_CALL_BATCHED);
}

static void enable_rejects_packet_larger_than_ring(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, 1, 1),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 8192),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(th->ch), STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, th->nevents, 0U);
}

static void enable_and_disable_callback_order(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, th->nevents, 4U);
	KUNIT_EXPECT_EQ(test, th->events[0], VMB_EV_HOST_OPEN);
	KUNIT_EXPECT_EQ(test, th->events[1], VMB_EV_OPENED);
	KUNIT_EXPECT_EQ(test, th->events[2], VMB_EV_STARTED);
	KUNIT_EXPECT_EQ(test, th->events[3], VMB_EV_POST_STARTED);

	vmb_th_clear_events(th);
	VmbChannelDisable(th->ch);
	KUNIT_ASSERT_EQ(test, th->nevents, 3U);
	/* the host lets go of the rings before Closed: a real host's order */
	KUNIT_EXPECT_EQ(test, th->events[0], VMB_EV_SUSPEND);
	KUNIT_EXPECT_EQ(test, th->events[1], VMB_EV_HOST_CLOSE);
	KUNIT_EXPECT_EQ(test, th->events[2], VMB_EV_CLOSED);

	/* a second Disable has nothing to do */
	vmb_th_clear_events(th);
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, th->nevents, 0U);

	/* and the channel can be enabled again */
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_POST_STARTED), 1);
}

static void enable_twice_is_refused(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(th->ch), STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_OPENED), 1);
}

static void opened_failure_rolls_back(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmbus_sim_stats stats;

	th->opened_status = STATUS_UNSUCCESSFUL;
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(th->ch), STATUS_UNSUCCESSFUL);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_OPENED), 1);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_STARTED), 0);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_POST_STARTED), 0);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_CLOSED), 0);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_HOST_CLOSE), 1);
	vmbus_sim_get_stats(th->sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.closes, 1ULL);

	/* Disabled again: Init* works, Disable is a no-op, Enable retries */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 128),
			STATUS_SUCCESS);
	vmb_th_clear_events(th);
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, th->nevents, 0U);
	th->opened_status = STATUS_SUCCESS;
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(th->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_POST_STARTED), 1);
}

static void open_refused_by_host(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	NTSTATUS status;

	th->refuse_open = -EIO;
	status = VmbChannelEnable(th->ch);
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(status));
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_OPENED), 0);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 128),
			STATUS_SUCCESS);
	th->refuse_open = 0;
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(th->ch), STATUS_SUCCESS);
}

/*
 * Incoming delivery starts between Started and PostStarted: a completion
 * for a packet sent in Started cannot be seen before Started returns, and
 * is seen before PostStarted runs.
 */
static struct vmb_tp *started_tp;
static int started_calls_at_return;
static int post_started_calls;

static void send_in_started(struct vmb_th *th)
{
	KUNIT_EXPECT_EQ(th->test,
			vmb_th_send_seq(th, 1, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
					&started_tp),
			STATUS_SUCCESS);
	/* the echo host answers well within this */
	KUNIT_EXPECT_TRUE(th->test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	msleep(100);
	started_calls_at_return = atomic_read(&started_tp->calls);
}

static void check_in_post_started(struct vmb_th *th)
{
	/* the completion sat in the ring until delivery was enabled */
	KUNIT_EXPECT_TRUE(th->test, vmb_th_wait(th, atomic_read(&started_tp->calls)));
	post_started_calls = atomic_read(&started_tp->calls);
}

static void incoming_enabled_between_started_and_post_started(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	th->on_started = send_in_started;
	th->on_post_started = check_in_post_started;
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, started_calls_at_return, 0);
	KUNIT_EXPECT_EQ(test, post_started_calls, 1);
	KUNIT_EXPECT_EQ(test, started_tp->status, STATUS_SUCCESS);
}

static void cleanup_disables_first(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	vmb_th_enable(th);
	vmb_th_clear_events(th);
	VmbChannelCleanup(th->ch);
	th->ch = NULL;
	KUNIT_ASSERT_EQ(test, th->nevents, 3U);
	/* the host lets go of the rings before Closed: a real host's order */
	KUNIT_EXPECT_EQ(test, th->events[0], VMB_EV_SUSPEND);
	KUNIT_EXPECT_EQ(test, th->events[1], VMB_EV_HOST_CLOSE);
	KUNIT_EXPECT_EQ(test, th->events[2], VMB_EV_CLOSED);
}

static void accessors(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	guid_t instance;
	int cookie;

	KUNIT_EXPECT_PTR_EQ(test, VmbChannelGetPointer(th->ch), (void *)th);
	VmbChannelSetPointer(th->ch, &cookie);
	KUNIT_EXPECT_PTR_EQ(test, VmbChannelGetPointer(th->ch), (void *)&cookie);
	VmbChannelSetPointer(th->ch, th);

	VmbChannelGetInterfaceInstance(th->ch, &instance);
	KUNIT_EXPECT_TRUE(test, guid_equal(&instance, &th->instance));
}

static void sizeof_packet_follows_maximum(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u32 small, large;

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 100),
			STATUS_SUCCESS);
	small = VmbChannelSizeofPacket(th->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 3000),
			STATUS_SUCCESS);
	large = VmbChannelSizeofPacket(th->ch);
	KUNIT_EXPECT_GT(test, small, 100U);
	KUNIT_EXPECT_GT(test, large, 3000U);
	KUNIT_EXPECT_EQ(test, large - small, 2900U);
}

static void server_only_functions(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	VMBCHANNEL ch = th->ch;
	struct vmb_mdl *mdl = (void *)1;
	void *handle = (void *)1;
	u32 filled = 1, required = 1;
	u8 buf[8];

	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetFlags(ch, 0), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetMmioMegabytes(ch, 1, 1),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetInterfaceId(ch, guid_null, guid_null),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(ch, 2), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetVmbusHandle(ch, NULL),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetSaveRestorePacketCallbacks(ch, NULL, NULL),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbConvertVmbusHandleToKernelHandle(NULL, &handle),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_NULL(test, handle);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(ch, 0, 1, &mdl), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_NULL(test, mdl);
	VmbChannelUnmapGpadl(ch, 1);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(ch), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(ch, buf, sizeof(buf), &filled, &required),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, filled, 0U);
	KUNIT_EXPECT_EQ(test, required, 0U);
	VmbChannelSaveEnd(ch);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(ch, buf, sizeof(buf)),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbPacketRestore(NULL, buf, sizeof(buf)), STATUS_NOT_SUPPORTED);
}

static struct kunit_case vmb_channel_cases[] = {
	KUNIT_CASE(allocate_rejects_server),
	KUNIT_CASE(target_pnp_rejects_parent_channel),
	KUNIT_CASE(allocate_rejects_other_devices),
	KUNIT_CASE(init_parameter_rules),
	KUNIT_CASE(init_null_channel),
	KUNIT_CASE(init_refused_while_enabled),
	KUNIT_CASE(enable_uses_configured_rings),
	KUNIT_CASE(enable_rejects_packet_larger_than_ring),
	KUNIT_CASE(enable_and_disable_callback_order),
	KUNIT_CASE(enable_twice_is_refused),
	KUNIT_CASE(opened_failure_rolls_back),
	KUNIT_CASE(open_refused_by_host),
	KUNIT_CASE(incoming_enabled_between_started_and_post_started),
	KUNIT_CASE(cleanup_disables_first),
	KUNIT_CASE(accessors),
	KUNIT_CASE(sizeof_packet_follows_maximum),
	KUNIT_CASE(server_only_functions),
	{ }
};

static struct kunit_suite vmb_channel_suite = {
	.name = "vmb_channel",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_channel_cases,
};

kunit_test_suite(vmb_channel_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl channel objects");
MODULE_LICENSE("GPL");
