// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for a host that rescinds its offer: outstanding transactions
 * are cancelled, synchronous waiters get STATUS_DEVICE_REMOVED, and the
 * channel takes the Disable path from the client driver's remove.
 */
#include <kunit/test.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0006, 0x4e11, 0x9a, 0x06, \
				 0x72, 0x65, 0x73, 0x63, 0x69, 0x6e)
#include "vmb_test_host.h"

#define WAIT VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

static void rescind_with_outstanding_work(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	struct vmb_th_sync *s;
	struct vmb_tp *tps[3];
	int suspend, closed, removed;
	u32 i;

	vmb_th_enable(th);
	for (i = 0; i < ARRAY_SIZE(tps); i++)
		KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, i, WAIT, &tps[i]), STATUS_SUCCESS);
	s = vmb_th_sync_start(th, WAIT, NULL);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 4));
	vmb_th_clear_events(th);

	vmbus_sim_rescind(th->sim);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&s->done, VMB_TH_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, s->status, STATUS_DEVICE_REMOVED);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 1);
		KUNIT_EXPECT_EQ(test, tps[i]->status, STATUS_CANCELLED);
	}
	/* the same order as Disable, run from the driver's remove */
	suspend = vmb_th_find(th, VMB_EV_SUSPEND);
	closed = vmb_th_find(th, VMB_EV_CLOSED);
	removed = vmb_th_find(th, VMB_EV_REMOVE);
	KUNIT_ASSERT_GE(test, suspend, 0);
	KUNIT_EXPECT_GT(test, closed, suspend);
	KUNIT_EXPECT_GT(test, removed, closed);
	KUNIT_EXPECT_EQ(test, th->event_cancelled[suspend], 0);
	KUNIT_EXPECT_EQ(test, th->event_cancelled[closed], 3);
}

static void rescind_mid_transaction(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_RESCIND);
	u64 payload = 1, buf;
	u32 size = sizeof(buf);

	vmb_th_enable(th);
	/* the host rescinds when it reads the request */
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, &payload,
							       sizeof(payload), NULL, WAIT,
							       &buf, &size, NULL),
			STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, READ_ONCE(th->removed)));
}

/*
 * A waiter notices the rescind by itself, even when the driver's remove
 * (which would disable the channel) has not run yet.
 */
static void waiter_sees_rescind_before_remove(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_RESCIND);
	struct completion gate;
	struct vmb_th_sync *s;

	init_completion(&gate);
	th->remove_gate = &gate;
	vmb_th_enable(th);
	s = vmb_th_sync_start(th, WAIT, NULL);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&s->done, VMB_TH_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, s->status, STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(th->removed));
	complete(&gate);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, READ_ONCE(th->removed)));
}

static void after_rescind(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u64 payload = 1, buf;
	u32 size = sizeof(buf);
	struct vmb_tp *tp;

	vmb_th_enable(th);
	vmbus_sim_rescind(th->sim);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(th->removed));

	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, &payload,
							       sizeof(payload), NULL, WAIT,
							       &buf, &size, NULL),
			STATUS_DEVICE_REMOVED);
	/* a send is queued, never failed, and cancelled at Cleanup */
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 2, 0, &tp), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 0);
	/* the offer is gone: the channel cannot open again */
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(VmbChannelEnable(th->ch)));
	VmbChannelCleanup(th->ch);
	th->ch = NULL;
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_CANCELLED);
}

static struct kunit_case vmb_rescind_cases[] = {
	KUNIT_CASE(rescind_with_outstanding_work),
	KUNIT_CASE(rescind_mid_transaction),
	KUNIT_CASE(waiter_sees_rescind_before_remove),
	KUNIT_CASE(after_rescind),
	{ }
};

static struct kunit_suite vmb_rescind_suite = {
	.name = "vmb_rescind",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_rescind_cases,
};

kunit_test_suite(vmb_rescind_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl on a rescinded channel");
MODULE_LICENSE("GPL");
