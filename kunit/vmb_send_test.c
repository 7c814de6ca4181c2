// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for VmbPacketSend(): what goes on the wire, when completion
 * routines run, and queueing in FIFO order when the ring is full.
 */
#include <kunit/test.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0003, 0x4e11, 0x9a, 0x03, \
				 0x73, 0x65, 0x6e, 0x64, 0x00, 0x00)
#include "vmb_test_host.h"

#define WAIT VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

static void no_wait_routine_runs_in_ring(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_th_pkt p;
	struct vmb_tp *tp;

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 42, 0, &tp), STATUS_SUCCESS);
	/* it fitted: the routine ran before VmbPacketSend() returned */
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	KUNIT_EXPECT_FALSE(test, tp->had_buffer);
	KUNIT_EXPECT_EQ(test, tp->length, 0U);

	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	p = vmb_th_pkt(th, 0);
	KUNIT_EXPECT_EQ(test, p.type, (u16)VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, p.flags, (u16)0);
	KUNIT_EXPECT_EQ(test, p.seq, 42ULL);
	KUNIT_EXPECT_EQ(test, p.length, 8U);
	vmbus_sim_flush_host(th->sim);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
}

static void wait_routine_gets_completion_payload(struct kunit *test)
{
	static const u64 reply[3] = { 0x1111, 0x2222, 0x3333 };
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_th_pkt p;
	struct vmb_tp *tp;

	th->reply = reply;
	th->reply_len = sizeof(reply);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 1, WAIT, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, tp->had_buffer);
	KUNIT_EXPECT_EQ(test, tp->length, (u32)sizeof(reply));
	KUNIT_EXPECT_EQ(test, memcmp(tp->data, reply, sizeof(reply)), 0);

	p = vmb_th_pkt(th, 0);
	KUNIT_EXPECT_EQ(test, p.flags, (u16)VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	/* a requestor id, never 0 (reserved for unsolicited host packets) */
	KUNIT_EXPECT_NE(test, p.trans_id, 0ULL);
	KUNIT_EXPECT_LE(test, p.trans_id, (u64)th->hv_dev->channel->rqstor_size);
}

static void wait_routine_not_before_completion(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	struct vmb_tp *tp;

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 1, WAIT, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_EXPECT_TRUE(test, vmb_th_quiet(th, atomic_read(&tp->calls)));
	vmb_th_release(th, false);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
}

static void invalid_sends_refused(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u64 *external = kunit_kzalloc(test, sizeof(u64), GFP_KERNEL);
	VMBPACKET pkt = VmbPacketAllocate(th->ch);
	struct vmb_mdl *mdl;
	u64 seq = 1;

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_NOT_NULL(test, external);
	mdl = vmb_mdl_from_buffer(external, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL, 0x8),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL, 0x80000000),
			STATUS_INVALID_PARAMETER);
	/* external data is a transaction: the host holds the pages until it completes */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), mdl, 0),
			STATUS_INVALID_PARAMETER);
	vmb_mdl_free(mdl);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(NULL, &seq, sizeof(seq), NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	vmbus_sim_flush_host(th->sim);
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), 0U);
	VmbPacketFree(pkt);
}

/* Every known flag is accepted; PAGED_BUFFER changes nothing on Linux. */
static void known_flags_accepted(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_tp *tp;

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 1, VMBUS_CHANNEL_FORMAT_FLAGS, &tp),
			STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
}

static void full_ring_queues_in_order(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_tp *tps[40], *last;
	u32 n, i, total;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	n = vmb_th_fill_ring(th, 0, &last);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		/* a queued send never fails, and mixes with transactions */
		KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, n + i, i % 2 ? WAIT : 0, &tps[i]),
				STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 0);
	}
	total = n + ARRAY_SIZE(tps);
	KUNIT_EXPECT_TRUE(test, vmb_th_quiet(th, atomic_read(&last->calls)));

	/* the host drains; its pending_send_sz signal wakes the queue */
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&th->routines) == total));
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == total));
	for (i = 0; i < total; i++)
		KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, i).seq, (u64)i);
	KUNIT_EXPECT_EQ(test, atomic_read(&last->calls), 1);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 1);
		KUNIT_EXPECT_EQ(test, tps[i]->status, STATUS_SUCCESS);
	}
	/* packets without a transaction complete in send order */
	for (i = 2; i < ARRAY_SIZE(tps); i += 2)
		KUNIT_EXPECT_GT(test, tps[i]->order, tps[i - 2]->order);
	/* nothing is queued any more: no space is asked of the host */
	KUNIT_EXPECT_EQ(test, th->hv_dev->channel->outbound.ring_buffer->pending_send_sz, 0U);
}

/*
 * Once a packet is queued, a later one queues behind it even when it would
 * fit in what is left of the ring.
 */
static void later_send_queues_behind(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u8 *big = kunit_kzalloc(test, 1024, GFP_KERNEL);
	struct vmb_tp *tp, *small;
	u32 n = 0;

	KUNIT_ASSERT_NOT_NULL(test, big);
	vmb_th_small_rings(th);
	vmb_th_enable(th);
	vmbus_sim_pause_host(th->sim, true);
	do {
		VMBPACKET pkt = vmb_th_packet(th, &tp);

		*(u64 *)big = n++;
		KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, big, 1024, NULL, 0), STATUS_SUCCESS);
	} while (atomic_read(&tp->calls));
	/* the ring has room for a small packet now, but one is queued */
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, n, 0, &small), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&small->calls), 0);

	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == n + 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, n - 1).seq, (u64)n - 1);
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, n).seq, (u64)n);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&small->calls) == 1));
	KUNIT_EXPECT_GT(test, small->order, tp->order);
}

static void buffer_free_on_return(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u64 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct vmb_tp *tp, *last;
	VMBPACKET pkt;
	u32 n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	vmb_th_small_rings(th);
	vmb_th_enable(th);
	n = vmb_th_fill_ring(th, 0, &last);
	pkt = vmb_th_packet(th, &tp);
	buf[0] = n + 1;
	buf[7] = 0x77;
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 64, NULL, WAIT), STATUS_SUCCESS);
	/* queued: the caller scribbles over its buffer at once */
	memset(buf, 0xee, 64);
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, n).seq, (u64)n + 1);
	KUNIT_EXPECT_EQ(test, ((u64 *)tp->data)[0], (u64)n + 1);
	KUNIT_EXPECT_EQ(test, ((u64 *)tp->data)[7], 0x77ULL);
}

/* KMCL: before the channel is open packets are queued, not sent or failed. */
static void send_before_enable_waits_for_open(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_tp *a, *b;

	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 1, 0, &a), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 2, WAIT, &b), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, vmb_th_quiet(th, atomic_read(&a->calls)));
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->calls), 1);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&b->calls) == 1));
	KUNIT_EXPECT_EQ(test, b->status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).seq, 1ULL);
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 1).seq, 2ULL);
}

static void disable_cancels_queued(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_SILENT);
	struct vmb_tp *tps[5], *last;
	u32 n, i;
	int suspend, closed;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	n = vmb_th_fill_ring(th, 0, &last);
	for (i = 0; i < ARRAY_SIZE(tps); i++)
		KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, n + i, i % 2 ? WAIT : 0, &tps[i]),
				STATUS_SUCCESS);
	VmbChannelDisable(th->ch);

	KUNIT_EXPECT_EQ(test, atomic_read(&last->calls), 1);
	KUNIT_EXPECT_EQ(test, last->status, STATUS_CANCELLED);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 1);
		KUNIT_EXPECT_EQ(test, tps[i]->status, STATUS_CANCELLED);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&th->cancelled), 1 + (int)ARRAY_SIZE(tps));
	/* Suspend before any cancellation, Closed after all of them */
	suspend = vmb_th_find(th, VMB_EV_SUSPEND);
	closed = vmb_th_find(th, VMB_EV_CLOSED);
	KUNIT_ASSERT_GE(test, suspend, 0);
	KUNIT_ASSERT_GT(test, closed, suspend);
	KUNIT_EXPECT_EQ(test, th->event_cancelled[suspend], 0);
	KUNIT_EXPECT_EQ(test, th->event_cancelled[closed], 1 + (int)ARRAY_SIZE(tps));
}

static void send_after_disable_cancelled_at_cleanup(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_tp *tp;

	vmb_th_enable(th);
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 1, WAIT, &tp), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 0);
	VmbChannelCleanup(th->ch);
	th->ch = NULL;
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_CANCELLED);
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), 0U);
}

static struct kunit_case vmb_send_cases[] = {
	KUNIT_CASE(no_wait_routine_runs_in_ring),
	KUNIT_CASE(wait_routine_gets_completion_payload),
	KUNIT_CASE(wait_routine_not_before_completion),
	KUNIT_CASE(invalid_sends_refused),
	KUNIT_CASE(known_flags_accepted),
	KUNIT_CASE(full_ring_queues_in_order),
	KUNIT_CASE(later_send_queues_behind),
	KUNIT_CASE(buffer_free_on_return),
	KUNIT_CASE(send_before_enable_waits_for_open),
	KUNIT_CASE(disable_cancels_queued),
	KUNIT_CASE(send_after_disable_cancelled_at_cleanup),
	{ }
};

static struct kunit_suite vmb_send_suite = {
	.name = "vmb_send",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_send_cases,
};

kunit_test_suite(vmb_send_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl VmbPacketSend");
MODULE_LICENSE("GPL");
