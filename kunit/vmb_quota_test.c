// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the transaction quota: never more packets delivered and
 * uncompleted than the quota, the rest left in the ring until a completion
 * restarts delivery (so the host's side of the ring fills and resumes), no
 * spinning of the channel callback meanwhile (the batched-mode re-schedule
 * trap of Documentation/kmcl-semantics.rst, counted), quota changes that do not restart
 * delivery, and our own completions consumed at the quota.
 */
#include <kunit/test.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0022, 0x4e11, 0x9a, 0x22, \
				 0x71, 0x75, 0x6f, 0x74, 0x61, 0x00)
#include "vmb_test_host.h"
#include "vmb_rx_client.h"

#define WAIT VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define REQ VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED

static struct vmb_rc *start(struct kunit *test, struct vmb_th **thp)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	*thp = th;
	return vmb_rc_setup(test, th, VMB_RC_HOLD);
}

/* Wait until @n calls happened, then a while longer to see that no more come. */
static void expect_calls(struct kunit *test, struct vmb_th *th, struct vmb_rc *rc, u32 n)
{
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) >= n));
	vmb_rc_settle(th);
	KUNIT_ASSERT_EQ(test, vmb_rc_calls(rc), n);
}

static void quota_bounds_held_packets(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, &th);
	u32 i, n = 10;

	VmbChannelSetTransactionQuota(th->ch, 3);
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 32, REQ), 0);
	expect_calls(test, th, rc, 3);
	/* each completion lets exactly one more in */
	for (i = 3; i < n; i++) {
		KUNIT_ASSERT_EQ(test, vmb_rc_release(rc, 1), 1u);
		expect_calls(test, th, rc, i + 1);
		KUNIT_EXPECT_EQ(test, vmb_rc_nheld(rc), 3u);
	}
	vmb_rc_release(rc, U32_MAX);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == n));
	KUNIT_EXPECT_GE(test, vmb_rc_stat(th, quota_stops), 1ULL);
}

/*
 * Back-pressure: at quota 1 the host's writes fill the one-page ring and
 * fail; it waits for room (pending_send_sz), and our completions give it,
 * one packet at a time.
 */
static void host_ring_fills_then_resumes(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, &th);
	struct vmbus_sim_stats before, after;
	u8 buf[200];
	u32 sent = 0, total = 60, i;
	int ret;

	vmb_th_small_rings(th);
	VmbChannelSetTransactionQuota(th->ch, 1);
	vmb_th_enable(th);
	for (;;) {
		vmb_rc_fill(buf, sent, sizeof(buf));
		ret = vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND, REQ, sent + 1, buf, sizeof(buf));
		if (ret)
			break;
		sent++;
		KUNIT_ASSERT_LT(test, sent, total);
	}
	KUNIT_ASSERT_EQ(test, ret, -EAGAIN);
	KUNIT_EXPECT_GT(test, sent, 10u);
	expect_calls(test, th, rc, 1);

	/* the host asks for a signal once a packet's worth is free */
	vmbus_sim_get_stats(th->sim, &before);
	KUNIT_ASSERT_EQ(test, vmbus_sim_set_pending_send_size(th->sim, 2 * sizeof(buf)), 0);
	KUNIT_ASSERT_EQ(test, vmb_rc_release(rc, 1), 1u);
	expect_calls(test, th, rc, 2);
	vmbus_sim_get_stats(th->sim, &after);
	KUNIT_EXPECT_GT(test, after.signals, before.signals);
	KUNIT_ASSERT_EQ(test, vmbus_sim_set_pending_send_size(th->sim, 0), 0);

	/* the host writes the rest as room appears; we complete as they come */
	for (i = sent; i < total; i++) {
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 1));
		KUNIT_ASSERT_EQ(test, vmb_rc_release(rc, 1), 1u);
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, sizeof(buf), REQ), 0);
		KUNIT_ASSERT_LE(test, vmb_rc_nheld(rc), 1u);
	}
	/* what is still in the ring comes one completion at a time */
	while (vmb_rc_calls(rc) < total) {
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 1));
		KUNIT_ASSERT_EQ(test, vmb_rc_release(rc, 1), 1u);
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 1 ||
						    vmb_rc_calls(rc) == total));
	}
	vmb_rc_release(rc, U32_MAX);
	for (i = 0; i < total; i++)
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == total));
}

/*
 * The channel runs in HV_CALL_DIRECT mode and leaves the ring unmasked when
 * it stops at the quota: the host signals only writes into an empty ring,
 * so nothing runs until a completion. Under HV_CALL_BATCHED the tasklet
 * would reschedule itself for as long as packets wait.
 */
static void no_spinning_at_the_quota(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, &th);
	/* two counter snapshots are too large for the stack of a debug kernel */
	struct vmb_counter_values *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct vmb_counter_values *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct vmbus_sim_stats sa, sb;
	u32 i, n = 20;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);

	VmbChannelSetTransactionQuota(th->ch, 1);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, th->hv_dev->channel->callback_mode, HV_CALL_DIRECT);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 64, 0), 0);
	expect_calls(test, th, rc, 1);

	vmb_rc_stats(th, a);
	vmbus_sim_get_stats(th->sim, &sa);
	msleep(300);
	vmb_rc_stats(th, b);
	vmbus_sim_get_stats(th->sim, &sb);
	KUNIT_EXPECT_EQ(test, b->channel_callbacks, a->channel_callbacks);
	KUNIT_EXPECT_EQ(test, b->reader_kicks, a->reader_kicks);
	KUNIT_EXPECT_EQ(test, b->ring_passes, a->ring_passes);
	KUNIT_EXPECT_EQ(test, sb.interrupts, sa.interrupts);
	/* every callback so far answered a host interrupt */
	KUNIT_EXPECT_LE(test, b->channel_callbacks, sb.interrupts);

	/* interrupts for nothing: one short pass each, no more */
	for (i = 0; i < 5; i++) {
		KUNIT_ASSERT_EQ(test, vmbus_sim_interrupt(th->sim), 0);
		/* apart, so that each is a run of its own, not coalesced */
		msleep(20);
	}
	msleep(100);
	vmb_rc_stats(th, a);
	KUNIT_EXPECT_LE(test, a->channel_callbacks, b->channel_callbacks + 5);
	KUNIT_EXPECT_LE(test, a->ring_passes, b->ring_passes + 10);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 1u);

	for (i = 1; i < n; i++) {
		KUNIT_ASSERT_EQ(test, vmb_rc_release(rc, 1), 1u);
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == i + 1));
	}
	vmb_rc_stats(th, b);
	/* one kick per completion that restarted delivery, a pass or two each */
	KUNIT_EXPECT_LE(test, b->reader_kicks, a->reader_kicks + n);
	KUNIT_EXPECT_LE(test, b->ring_passes, a->ring_passes + 3 * n);
}

static void quota_change_does_not_restart(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, &th);
	u32 i;

	VmbChannelSetTransactionQuota(th->ch, 2);
	vmb_th_enable(th);
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 16, 0), 0);
	expect_calls(test, th, rc, 2);
	VmbChannelSetTransactionQuota(th->ch, 100);
	expect_calls(test, th, rc, 2);
	/* the next completion does */
	vmb_rc_release(rc, 1);
	expect_calls(test, th, rc, 8);

	/* below what is held: nothing until the count is under it */
	VmbChannelSetTransactionQuota(th->ch, 3);
	for (i = 8; i < 12; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 16, 0), 0);
	vmb_rc_release(rc, 4);		/* 3 held */
	expect_calls(test, th, rc, 8);
	vmb_rc_release(rc, 1);		/* 2 held: one more in */
	expect_calls(test, th, rc, 9);
	/* KMCL wants a quota above 0: refused, the quota stays 3 */
	VmbChannelSetTransactionQuota(th->ch, 0);
	vmb_rc_release(rc, 1);		/* 2 held: one more in */
	expect_calls(test, th, rc, 10);
	/* no bound to speak of */
	VmbChannelSetTransactionQuota(th->ch, U32_MAX);
	vmb_rc_release(rc, 1);
	expect_calls(test, th, rc, 12);
	for (i = 0; i < 12; i++)
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
}

static void own_completions_pass_the_quota(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, &th);
	struct vmb_tp *tp;

	VmbChannelSetTransactionQuota(th->ch, 1);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 0, 16, 0), 0);
	expect_calls(test, th, rc, 1);
	/* the host's completion is at the head of the ring: consumed */
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 42, WAIT, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, *(u64 *)tp->data, 42ULL);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 1u);
}

static void quota_in_passive_mode(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, &th);
	u32 i, n = 24;

	VmbChannelSetIncomingProcessingAtPassive(th->ch, true);
	VmbChannelSetTransactionQuota(th->ch, 2);
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 40, REQ), 0);
	for (i = 2; i <= n; i += 2) {
		expect_calls(test, th, rc, i);
		KUNIT_EXPECT_EQ(test, vmb_rc_release(rc, 2), 2u);
	}
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
		KUNIT_EXPECT_FALSE(test, vmb_rc_rec(rc, i).atomic);
	}
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == n));
}

static struct kunit_case vmb_quota_cases[] = {
	KUNIT_CASE(quota_bounds_held_packets),
	KUNIT_CASE(host_ring_fills_then_resumes),
	KUNIT_CASE(no_spinning_at_the_quota),
	KUNIT_CASE(quota_change_does_not_restart),
	KUNIT_CASE(own_completions_pass_the_quota),
	KUNIT_CASE(quota_in_passive_mode),
	{ }
};

static struct kunit_suite vmb_quota_suite = {
	.name = "vmb_quota",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_rc_case_exit,
	.test_cases = vmb_quota_cases,
};

kunit_test_suite(vmb_quota_suite);

MODULE_DESCRIPTION("KUnit tests for the vmbkmcl transaction quota");
MODULE_LICENSE("GPL");
