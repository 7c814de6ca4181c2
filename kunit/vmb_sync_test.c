// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for VmbChannelSendSynchronousRequest(): timeouts in all four
 * forms, the completion buffer rules, cancellation and late completions,
 * the non-blocking form, and shutdown.
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/spinlock.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0005, 0x4e11, 0x9a, 0x05, \
				 0x73, 0x79, 0x6e, 0x63, 0x00, 0x00)
#include "vmb_test_host.h"

#define WAIT VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define MS_100NS(ms) ((s64)(ms) * 10000)

static NTSTATUS request(struct vmb_th *th, u64 payload, u32 flags, void *buf,
			u32 *size, const s64 *timeout)
{
	return VmbChannelSendSynchronousRequest(th->ch, &payload, sizeof(payload),
						NULL, flags, buf, size, timeout);
}

/* Windows system time: 100 ns units since 1601-01-01 UTC. */
static s64 now_1601(void)
{
	return div_s64(ktime_get_real_ns(), 100) + 116444736000000000LL;
}

static void echo_without_timeout(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u64 buf[8] = { };
	u32 size = sizeof(buf);

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, request(th, 0xabcd, WAIT, buf, &size, NULL), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, size, 8U);
	KUNIT_EXPECT_EQ(test, buf[0], 0xabcdULL);
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).flags,
			(u16)VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
}

static void completion_size_rules(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_mdl *mdl;
	u64 buf[2];
	u32 size = 12;
	s64 zero = 0;

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, buf, &size, NULL),
			STATUS_INVALID_PARAMETER);
	size = 4;
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, buf, &size, &zero),
			STATUS_INVALID_PARAMETER);
	size = 8;
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, NULL, &size, NULL),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, request(th, 1, 0x10, buf, &size, NULL),
			STATUS_INVALID_PARAMETER);
	/* external data is a transaction: refused without WAIT_FOR_COMPLETION */
	mdl = vmb_mdl_from_buffer(buf, 8, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, buf, 8, mdl, 0,
							       buf, &size, NULL),
			STATUS_INVALID_PARAMETER);
	vmb_mdl_free(mdl);
	vmbus_sim_flush_host(th->sim);
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), 0U);

	/* no completion buffer at all is fine */
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, NULL, NULL, NULL), STATUS_SUCCESS);
	size = 0;
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, NULL, &size, NULL), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, size, 0U);
}

static void larger_completion_copies_what_fits(struct kunit *test)
{
	static const u8 reply[64] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
				      15, 16, 17, 18, 19, 20 };
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u8 buf[32];
	u32 size = 16;

	th->reply = reply;
	th->reply_len = sizeof(reply);
	memset(buf, 0xcc, sizeof(buf));
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, buf, &size, NULL), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, size, 16U);
	KUNIT_EXPECT_EQ(test, memcmp(buf, reply, 16), 0);
	KUNIT_EXPECT_EQ(test, buf[16], (u8)0xcc);
	KUNIT_EXPECT_EQ(test, buf[31], (u8)0xcc);

	/* and a smaller one reports its own size */
	th->reply_len = 24;
	size = sizeof(buf);
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, buf, &size, NULL), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, size, 24U);
}

/*
 * A relative timeout expires: the request is cancelled, and the host's late
 * completion is dropped without touching the caller's buffer; the id then
 * serves a new request correctly.
 */
static void relative_timeout_cancels(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	s64 timeout = -MS_100NS(50);
	u8 *buf = kunit_kzalloc(test, 16, GFP_KERNEL);
	u32 size = 16;
	ktime_t start;
	u64 late_id, late = 0xbad;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0xcc, 16);
	vmb_th_enable(th);
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, buf, &size, &timeout), STATUS_CANCELLED);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start), 50LL);
	KUNIT_EXPECT_EQ(test, size, 16U);
	KUNIT_ASSERT_EQ(test, vmb_th_npkts(th), 1U);

	late_id = vmb_th_pkt(th, 0).trans_id;
	KUNIT_EXPECT_EQ(test, vmbus_sim_complete(th->sim, late_id, &late, sizeof(late)), 0);
	/* dropped, it leaves no event behind: only a sleep gives it time to harm */
	msleep(50);
	KUNIT_EXPECT_EQ(test, buf[0], (u8)0xcc);
	KUNIT_EXPECT_EQ(test, buf[15], (u8)0xcc);

	th->model = VMB_TH_ECHO;
	size = 16;
	KUNIT_EXPECT_EQ(test, request(th, 2, WAIT, buf, &size, NULL), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, *(u64 *)buf, 2ULL);
	/* the abandoned id was held until its completion, then reused */
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 1).trans_id, late_id);
}

/* A late completion never completes a later request with the same id. */
static void abandoned_id_not_reused_before_completion(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	s64 timeout = -MS_100NS(20);
	u64 buf[2];
	u32 size = sizeof(buf);

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, buf, &size, &timeout), STATUS_CANCELLED);
	KUNIT_EXPECT_EQ(test, request(th, 2, WAIT, buf, &size, &timeout), STATUS_CANCELLED);
	/* the host reads asynchronously: wait until it has seen both */
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 2));
	KUNIT_EXPECT_NE(test, vmb_th_pkt(th, 0).trans_id, vmb_th_pkt(th, 1).trans_id);
}

static void absolute_timeouts(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	u64 buf[2];
	u32 size = sizeof(buf);
	ktime_t start;
	s64 when;

	vmb_th_enable(th);
	when = now_1601() + MS_100NS(60);
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, buf, &size, &when), STATUS_CANCELLED);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start), 50LL);

	/* already past: sent, then cancelled without waiting */
	when = now_1601() - MS_100NS(1000);
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, request(th, 2, WAIT, buf, &size, &when), STATUS_CANCELLED);
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), start), 1000LL);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 2));

	/* far enough ahead: succeeds */
	th->model = VMB_TH_ECHO;
	when = now_1601() + MS_100NS(10000);
	KUNIT_EXPECT_EQ(test, request(th, 3, WAIT, buf, &size, &when), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, buf[0], 3ULL);
}

static void waits_for_a_slow_host(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_DELAY);
	s64 timeout = -MS_100NS(5000);
	u64 buf[2];
	u32 size = sizeof(buf);
	ktime_t start;

	th->delay_ms = 300;
	vmb_th_enable(th);
	start = ktime_get();
	/* no timeout: longer than one of the waiter's rescind-poll slices */
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, buf, &size, NULL), STATUS_SUCCESS);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start), 300LL);
	KUNIT_EXPECT_EQ(test, buf[0], 1ULL);
	/*
	 * The host's work may still be in its release loop, which would
	 * complete the next request as soon as it is held: let it return.
	 */
	flush_delayed_work(&th->work);

	start = ktime_get();
	size = sizeof(buf);
	KUNIT_EXPECT_EQ(test, request(th, 2, WAIT, buf, &size, &timeout), STATUS_SUCCESS);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start), 300LL);
	KUNIT_EXPECT_EQ(test, buf[0], 2ULL);
}

static DEFINE_SPINLOCK(atomic_lock);

/* The zero-timeout send without a transaction is atomic-safe. */
static void zero_timeout_no_wait_in_atomic(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	unsigned long flags;
	NTSTATUS status;
	u32 size = 8;
	s64 zero = 0;
	u64 buf;

	vmb_th_enable(th);
	spin_lock_irqsave(&atomic_lock, flags);
	status = request(th, 9, 0, &buf, &size, &zero);
	spin_unlock_irqrestore(&atomic_lock, flags);
	KUNIT_EXPECT_EQ(test, status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, size, 0U);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).seq, 9ULL);
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).flags, (u16)0);
}

static void zero_timeout_full_ring_overflows(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_tp *last;
	u32 size, n, i;
	s64 zero = 0;
	u64 buf;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	n = vmb_th_fill_ring(th, 0, &last);
	size = 8;
	KUNIT_EXPECT_EQ(test, request(th, 0xdead, 0, &buf, &size, &zero),
			STATUS_BUFFER_OVERFLOW);
	KUNIT_EXPECT_EQ(test, request(th, 0xdead, WAIT, &buf, &size, &zero),
			STATUS_BUFFER_OVERFLOW);
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&last->calls)));
	vmbus_sim_flush_host(th->sim);
	/* nothing was queued: the host saw exactly the fill */
	KUNIT_EXPECT_TRUE(test, vmb_th_quiet(th, vmb_th_npkts(th) != n));
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), n);
	for (i = 0; i < vmb_th_npkts(th); i++)
		KUNIT_EXPECT_NE(test, vmb_th_pkt(th, i).seq, 0xdeadULL);
}

static void zero_timeout_with_wait_cancels(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	u32 size = 8;
	s64 zero = 0;
	u64 buf;

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, &buf, &size, &zero), STATUS_CANCELLED);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
}

static void no_wait_returns_once_in_ring(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	u32 size = 8;
	u64 buf = 0x55;

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, request(th, 1, 0, &buf, &size, NULL), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, size, 0U);
	KUNIT_EXPECT_EQ(test, buf, 0x55ULL);
}

static void no_wait_waits_for_ring_space(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	s64 timeout = -MS_100NS(5000);
	struct vmb_th_sync *s;
	struct vmb_tp *last;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	vmb_th_fill_ring(th, 0, &last);
	s = vmb_th_sync_start(th, 0, &timeout);
	/* the wait ends at once if it is wrong */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&s->done, msecs_to_jiffies(100)), 0UL);
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&s->done, VMB_TH_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, s->status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, s->size, 0U);
}

static void no_wait_timeout_while_queued_cancels(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	s64 timeout = -MS_100NS(50);
	struct vmb_tp *last;
	u32 size = 8, n, i;
	u64 buf;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	n = vmb_th_fill_ring(th, 0, &last);
	KUNIT_EXPECT_EQ(test, request(th, 0xdead, 0, &buf, &size, &timeout),
			STATUS_CANCELLED);
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&last->calls)));
	vmbus_sim_flush_host(th->sim);
	/* the cancelled request never reached the ring */
	KUNIT_EXPECT_TRUE(test, vmb_th_quiet(th, vmb_th_npkts(th) != n));
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), n);
	for (i = 0; i < vmb_th_npkts(th); i++)
		KUNIT_EXPECT_NE(test, vmb_th_pkt(th, i).seq, 0xdeadULL);
}

static void not_enabled_device_removed(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u32 size = 8;
	s64 zero = 0;
	u64 buf;

	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, &buf, &size, NULL),
			STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_EQ(test, request(th, 1, 0, &buf, &size, &zero),
			STATUS_DEVICE_REMOVED);
	vmb_th_enable(th);
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, request(th, 1, WAIT, &buf, &size, NULL),
			STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), 0U);
}

static void disable_wakes_waiter(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	struct vmb_th_sync *s;

	vmb_th_enable(th);
	s = vmb_th_sync_start(th, WAIT, NULL);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	VmbChannelDisable(th->ch);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&s->done, VMB_TH_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, s->status, STATUS_DEVICE_REMOVED);
}

static NTSTATUS post_started_status;
static u64 post_started_reply;

static void request_in_post_started(struct vmb_th *th)
{
	u32 size = sizeof(post_started_reply);

	post_started_status = request(th, 0x1234, WAIT, &post_started_reply, &size, NULL);
}

static void usable_from_post_started(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	post_started_status = STATUS_UNSUCCESSFUL;
	th->on_post_started = request_in_post_started;
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, post_started_status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, post_started_reply, 0x1234ULL);
}

static struct kunit_case vmb_sync_cases[] = {
	KUNIT_CASE(echo_without_timeout),
	KUNIT_CASE(completion_size_rules),
	KUNIT_CASE(larger_completion_copies_what_fits),
	KUNIT_CASE(relative_timeout_cancels),
	KUNIT_CASE(abandoned_id_not_reused_before_completion),
	KUNIT_CASE(absolute_timeouts),
	KUNIT_CASE(waits_for_a_slow_host),
	KUNIT_CASE(zero_timeout_no_wait_in_atomic),
	KUNIT_CASE(zero_timeout_full_ring_overflows),
	KUNIT_CASE(zero_timeout_with_wait_cancels),
	KUNIT_CASE(no_wait_returns_once_in_ring),
	KUNIT_CASE(no_wait_waits_for_ring_space),
	KUNIT_CASE(no_wait_timeout_while_queued_cancels),
	KUNIT_CASE(not_enabled_device_removed),
	KUNIT_CASE(disable_wakes_waiter),
	KUNIT_CASE(usable_from_post_started),
	{ }
};

static struct kunit_suite vmb_sync_suite = {
	.name = "vmb_sync",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_sync_cases,
};

kunit_test_suite(vmb_sync_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl VmbChannelSendSynchronousRequest");
MODULE_LICENSE("GPL");
