// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for transactions: completions matched through hv_vmbus's
 * requestor, hostile completions dropped, cancellation on Disable, the
 * requestor running out, and many senders against a host that completes
 * out of order.
 */
#include <kunit/test.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0004, 0x4e11, 0x9a, 0x04, \
				 0x74, 0x72, 0x61, 0x6e, 0x73, 0x00)
#include "vmb_test_host.h"

#define WAIT VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

static void completions_match_their_packets(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	struct vmb_tp *tps[16];
	u32 i;

	vmb_th_enable(th);
	for (i = 0; i < ARRAY_SIZE(tps); i++)
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 100 + i, WAIT, &tps[i]),
				STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == ARRAY_SIZE(tps)));
	vmb_th_release(th, true);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&th->routines) ==
						ARRAY_SIZE(tps)));
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 1);
		KUNIT_EXPECT_EQ(test, *(u64 *)tps[i]->data, 100ULL + i);
		/* completed last received first */
		if (i)
			KUNIT_EXPECT_LT(test, tps[i]->order, tps[i - 1]->order);
	}
}

/*
 * Settle: the host is idle and the guest had time to read its ring. For
 * checks that a completion was dropped, which leaves no event to wait for:
 * a sleep is the only way (vmb_rc_settle()).
 */
static void settle(struct vmb_th *th)
{
	vmbus_sim_flush_host(th->sim);
	msleep(50);
}

/* The guest has read everything the host wrote to its inbound ring. */
static bool wait_ring_read(struct vmb_th *th)
{
	struct vmbus_channel *chan = th->hv_dev->channel;
	int i;

	for (i = 0; i < 500 && hv_get_bytes_to_read(&chan->inbound); i++)
		msleep(20);
	return !hv_get_bytes_to_read(&chan->inbound);
}

static void unknown_ids_dropped(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_UNKNOWN_IDS);
	struct vmb_tp *a, *b;

	vmb_th_enable(th);
	/* an unsolicited completion before any transaction */
	KUNIT_EXPECT_EQ(test, vmbus_sim_complete(th->sim, 1, "x", 1), 0);
	/*
	 * and taken by the guest before its first request takes id 1: the
	 * interrupt reaches the channel callback through hv_vmbus's ISR and
	 * tasklet, later than this thread goes on
	 */
	KUNIT_ASSERT_TRUE(test, wait_ring_read(th));
	settle(th);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 1, WAIT, &a), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 2, WAIT, &b), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&th->routines) == 2));
	settle(th);
	KUNIT_EXPECT_EQ(test, atomic_read(&th->routines), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->calls), 1);
	KUNIT_EXPECT_EQ(test, *(u64 *)a->data, 1ULL);
	KUNIT_EXPECT_EQ(test, *(u64 *)b->data, 2ULL);
}

static void duplicate_completion_dropped(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_TWICE);
	struct vmb_tp *tps[8];
	u32 i;

	vmb_th_enable(th);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, i, WAIT, &tps[i]), STATUS_SUCCESS);
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tps[i]->calls)));
		settle(th);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&th->routines), (int)ARRAY_SIZE(tps));
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 1);
		KUNIT_EXPECT_EQ(test, *(u64 *)tps[i]->data, (u64)i);
	}
}

static void disable_cancels_in_flight(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	struct vmb_tp *tps[3];
	int suspend, closed;
	u32 i;

	vmb_th_enable(th);
	for (i = 0; i < ARRAY_SIZE(tps); i++)
		KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, i, WAIT, &tps[i]), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == ARRAY_SIZE(tps)));
	VmbChannelDisable(th->ch);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 1);
		KUNIT_EXPECT_EQ(test, tps[i]->status, STATUS_CANCELLED);
	}
	suspend = vmb_th_find(th, VMB_EV_SUSPEND);
	closed = vmb_th_find(th, VMB_EV_CLOSED);
	KUNIT_ASSERT_GE(test, suspend, 0);
	KUNIT_ASSERT_GT(test, closed, suspend);
	KUNIT_EXPECT_EQ(test, th->event_cancelled[suspend], 0);
	KUNIT_EXPECT_EQ(test, th->event_cancelled[closed], 3);

	/* the ids the host still holds are stale on the reopened channel */
	vmb_th_enable(th);
	vmb_th_release(th, false);
	settle(th);
	KUNIT_EXPECT_EQ(test, atomic_read(&th->routines), 3);
	for (i = 0; i < ARRAY_SIZE(tps); i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 1);
}

/*
 * More transactions than requestor slots: the extra ones queue (hv_vmbus
 * returns -EAGAIN with room in the ring) and go out as completions free
 * slots, so draining must also follow completions, not only ring space.
 */
static void requestor_exhaustion_queues(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	const u32 total = 400;
	struct vmb_tp **tps;
	u32 slots, i;

	tps = kunit_kcalloc(test, total, sizeof(*tps), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tps);
	vmb_th_small_rings(th);
	vmb_th_enable(th);
	slots = th->hv_dev->channel->rqstor_size;
	KUNIT_ASSERT_LT(test, slots, total);

	for (i = 0; i < total; i++)
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, i, WAIT, &tps[i]), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == slots));
	settle(th);
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), slots);

	while (atomic_read(&th->routines) < total) {
		u32 seen = vmb_th_npkts(th);

		vmb_th_release(th, true);
		if (!vmb_th_wait(th, vmb_th_npkts(th) > seen ||
				 atomic_read(&th->routines) == total))
			break;
		settle(th);
	}
	KUNIT_ASSERT_EQ(test, atomic_read(&th->routines), (int)total);
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), total);
	for (i = 0; i < total; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 1);
		KUNIT_EXPECT_EQ(test, tps[i]->status, STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, *(u64 *)tps[i]->data, (u64)i);
	}
}

/*
 * Several threads send on one channel with small rings while the host
 * completes in batches, last received first. Every routine runs exactly
 * once with its own payload; kmemleak checks that every packet was freed.
 */
#define SENDERS		4
#define PER_SENDER	150

struct sender {
	struct vmb_th *th;
	unsigned int id;
	struct vmb_tp *tps[PER_SENDER];
	NTSTATUS status;
	struct completion done;
};

static int sender_fn(void *arg)
{
	struct sender *s = arg;
	unsigned int i;

	for (i = 0; i < PER_SENDER; i++) {
		u64 seq = (u64)s->id << 32 | i;
		VMBPACKET pkt = VmbPacketAllocate(s->th->ch);
		NTSTATUS status;

		if (!pkt) {
			s->status = STATUS_INSUFFICIENT_RESOURCES;
			break;
		}
		VmbPacketSetPointer(pkt, s->tps[i]);
		VmbPacketSetCompletionRoutine(pkt, vmb_th_routine);
		status = VmbPacketSend(pkt, &seq, sizeof(seq), NULL, i % 3 ? WAIT : 0);
		if (status) {
			s->status = status;
			VmbPacketFree(pkt);
			break;
		}
		if (!(i % 16))
			cond_resched();
	}
	kthread_complete_and_exit(&s->done, 0);
}

static void concurrent_senders_out_of_order_host(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SHUFFLE);
	struct sender *senders;
	unsigned int t, i;

	senders = kunit_kcalloc(test, SENDERS, sizeof(*senders), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, senders);
	vmb_th_small_rings(th);
	vmb_th_enable(th);

	for (t = 0; t < SENDERS; t++) {
		senders[t].th = th;
		senders[t].id = t;
		init_completion(&senders[t].done);
		for (i = 0; i < PER_SENDER; i++)
			senders[t].tps[i] = vmb_th_tracker(th, true);
	}
	for (t = 0; t < SENDERS; t++) {
		struct task_struct *task = kthread_run(sender_fn, &senders[t],
						       "vmb_sender%u", t);

		if (IS_ERR(task))
			complete(&senders[t].done);
		KUNIT_EXPECT_FALSE(test, IS_ERR(task));
	}
	for (t = 0; t < SENDERS; t++) {
		wait_for_completion(&senders[t].done);
		KUNIT_EXPECT_EQ(test, senders[t].status, STATUS_SUCCESS);
	}

	KUNIT_EXPECT_TRUE(test, wait_event_timeout(th->wq,
						   atomic_read(&th->routines) ==
						   SENDERS * PER_SENDER,
						   30 * HZ) > 0);
	settle(th);
	KUNIT_EXPECT_EQ(test, atomic_read(&th->routines), SENDERS * PER_SENDER);
	KUNIT_EXPECT_EQ(test, atomic_read(&th->cancelled), 0);
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), (u32)(SENDERS * PER_SENDER));
	for (t = 0; t < SENDERS; t++) {
		for (i = 0; i < PER_SENDER; i++) {
			struct vmb_tp *tp = senders[t].tps[i];

			KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
			KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
			if (i % 3)
				KUNIT_EXPECT_EQ(test, *(u64 *)tp->data, (u64)t << 32 | i);
		}
	}
	/* each sender's packets reached the host in its own order */
	for (t = 0; t < SENDERS; t++) {
		u64 next = (u64)t << 32;
		u32 k;

		for (k = 0; k < vmb_th_npkts(th); k++) {
			u64 seq = vmb_th_pkt(th, k).seq;

			if (seq >> 32 != t)
				continue;
			KUNIT_EXPECT_EQ(test, seq, next);
			next = seq + 1;
		}
	}
}

static struct kunit_case vmb_transaction_cases[] = {
	KUNIT_CASE(completions_match_their_packets),
	KUNIT_CASE(unknown_ids_dropped),
	KUNIT_CASE(duplicate_completion_dropped),
	KUNIT_CASE(disable_cancels_in_flight),
	KUNIT_CASE(requestor_exhaustion_queues),
	KUNIT_CASE(concurrent_senders_out_of_order_host),
	{ }
};

static struct kunit_suite vmb_transaction_suite = {
	.name = "vmb_transaction",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_transaction_cases,
};

kunit_test_suite(vmb_transaction_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl transactions");
MODULE_LICENSE("GPL");
