// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for passive-level delivery: a channel set to passive
 * processing calls ProcessPacket in process context, where it may sleep, in
 * ring order; a packet deferred to passive gets a second call in process
 * context, deferred packets keeping their order; the mode may change while
 * packets flow.
 */
#include <kunit/test.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0021, 0x4e11, 0x9a, 0x21, \
				 0x70, 0x61, 0x73, 0x73, 0x00, 0x00)
#include "vmb_test_host.h"
#include "vmb_rx_client.h"

#define REQ VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED

static struct vmb_rc *start(struct kunit *test, enum vmb_rc_policy policy,
			    struct vmb_th **thp)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	*thp = th;
	return vmb_rc_setup(test, th, policy);
}

/* Host completions, checked against seq 0..n-1 in order. */
static void expect_completions(struct kunit *test, struct vmb_th *th, u32 n)
{
	u32 i, k = 0;

	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) >= n));
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_host_completions(th), n);
	for (i = 0; i < vmb_th_npkts(th); i++) {
		struct vmb_th_pkt p = vmb_th_pkt(th, i);

		if (p.type != VM_PKT_COMP)
			continue;
		KUNIT_EXPECT_EQ(test, p.trans_id, (u64)k + 1);
		k++;
	}
}

static void passive_mode_may_sleep(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 i, n = 40;

	rc->sleep_in_call = true;
	VmbChannelSetIncomingProcessingAtPassive(th->ch, true);
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 8 + i * 8, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n));
	for (i = 0; i < n; i++) {
		struct vmb_rc_rec r = vmb_rc_rec(rc, i);

		KUNIT_EXPECT_EQ(test, r.seq, (u64)i);
		KUNIT_EXPECT_FALSE(test, r.softirq);
		KUNIT_EXPECT_FALSE(test, r.atomic);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->overlap), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	/* ProcessingComplete follows the batch's last call */
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&rc->batch_sum) == n));
	expect_completions(test, th, n);
}

static void defer_gives_a_second_call_in_order(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_DEFER, &th);
	u32 i, n = 30, second = 0;

	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 64, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 2 * n));
	for (i = 0; i < 2 * n; i++) {
		struct vmb_rc_rec r = vmb_rc_rec(rc, i);

		if (r.call == 1) {
			KUNIT_EXPECT_TRUE(test, r.softirq);
			continue;
		}
		KUNIT_EXPECT_EQ(test, r.call, 2u);
		KUNIT_EXPECT_FALSE(test, r.atomic);
		/* deferred packets keep their order */
		KUNIT_EXPECT_EQ(test, r.seq, (u64)second);
		second++;
	}
	KUNIT_EXPECT_EQ(test, second, n);
	/* the same payload, intact, on the second call */
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->ctx_bad), 0);
	expect_completions(test, th, n);
}

static void defer_odd(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt, void *buffer,
		      u32 length, u32 flags, u32 call)
{
	u64 seq = VMB_RC_SEQ(*(u64 *)buffer);

	if (call == 1 && (seq & 1))
		VmbChannelPacketDeferToPassive(pkt);
	else
		vmb_rc_complete(rc, pkt, buffer, length);
}

static void defer_some_keeps_their_order(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_CUSTOM, &th);
	u32 i, n = 40, next_odd = 1, next_even = 0;

	rc->custom = defer_odd;
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 16, 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n + n / 2));
	for (i = 0; i < n + n / 2; i++) {
		struct vmb_rc_rec r = vmb_rc_rec(rc, i);

		if (r.call == 2) {
			KUNIT_EXPECT_EQ(test, r.seq, (u64)next_odd);
			next_odd += 2;
		} else if (!(r.seq & 1)) {
			KUNIT_EXPECT_EQ(test, r.seq, (u64)next_even);
			next_even += 2;
		}
	}
	KUNIT_EXPECT_EQ(test, next_odd, n + 1);
	KUNIT_EXPECT_EQ(test, next_even, n);
}

static void mode_changes_while_running(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 i, round;

	vmb_th_enable(th);
	for (round = 0; round < 3; round++) {
		VmbChannelSetIncomingProcessingAtPassive(th->ch, round == 1);
		for (i = 0; i < 10; i++)
			KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, round * 10 + i, 32, 0), 0);
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == (round + 1) * 10));
	}
	for (i = 0; i < 30; i++) {
		struct vmb_rc_rec r = vmb_rc_rec(rc, i);

		KUNIT_EXPECT_EQ(test, r.seq, (u64)i);
		KUNIT_EXPECT_EQ(test, r.softirq, i / 10 != 1);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->overlap), 0);
}

static void defer_outside_the_call_ignored(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_HOLD, &th);

	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 0, 8, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 1));
	VmbChannelPacketDeferToPassive(rc->held[0].pkt);
	VmbChannelPacketDeferToPassive(NULL);
	KUNIT_EXPECT_TRUE(test, vmb_th_quiet(th, vmb_rc_calls(rc) != 1));
	vmb_rc_release(rc, U32_MAX);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 1));
}

/* Passive processing and deferral together: every packet gets two passive calls. */
static void defer_in_passive_mode(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_DEFER, &th);
	u32 i, n = 20;

	VmbChannelSetIncomingProcessingAtPassive(th->ch, true);
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 24, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 2 * n));
	for (i = 0; i < 2 * n; i++)
		KUNIT_EXPECT_FALSE(test, vmb_rc_rec(rc, i).atomic);
	expect_completions(test, th, n);
}

static struct kunit_case vmb_passive_cases[] = {
	KUNIT_CASE(passive_mode_may_sleep),
	KUNIT_CASE(defer_gives_a_second_call_in_order),
	KUNIT_CASE(defer_some_keeps_their_order),
	KUNIT_CASE(mode_changes_while_running),
	KUNIT_CASE(defer_outside_the_call_ignored),
	KUNIT_CASE(defer_in_passive_mode),
	{ }
};

static struct kunit_suite vmb_passive_suite = {
	.name = "vmb_passive",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_rc_case_exit,
	.test_cases = vmb_passive_cases,
};

kunit_test_suite(vmb_passive_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl passive-level delivery");
MODULE_LICENSE("GPL");
