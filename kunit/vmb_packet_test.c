// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for outgoing packet objects: allocation, initialization in
 * caller memory, completion routines, pointers, reuse.
 */
#include <kunit/test.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0002, 0x4e11, 0x9a, 0x02, \
				 0x70, 0x61, 0x63, 0x6b, 0x65, 0x74)
#include "vmb_test_host.h"

static void allocate_and_accessors(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	VMBPACKET pkt = VmbPacketAllocate(th->ch);
	int cookie;

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_PTR_EQ(test, VmbPacketGetChannel(pkt), th->ch);
	KUNIT_EXPECT_NULL(test, VmbPacketGetPointer(pkt));
	VmbPacketSetPointer(pkt, &cookie);
	KUNIT_EXPECT_PTR_EQ(test, VmbPacketGetPointer(pkt), (void *)&cookie);
	/* never sent: the caller frees it (kmemleak checks the rest) */
	VmbPacketFree(pkt);
	VmbPacketFree(NULL);
}

/* The default routine of an allocated packet frees it; kmemleak would see. */
static void default_routine_frees(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u64 seq = 7;
	u32 flags;

	vmb_th_enable(th);
	for (flags = 0; flags <= VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION; flags++) {
		VMBPACKET pkt = VmbPacketAllocate(th->ch);

		KUNIT_ASSERT_NOT_NULL(test, pkt);
		KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL, flags),
				STATUS_SUCCESS);
	}
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 2));
	vmbus_sim_flush_host(th->sim);
	/* a cancelled allocated packet is freed by its default routine too */
	th->model = VMB_TH_SILENT;
	{
		VMBPACKET pkt = VmbPacketAllocate(th->ch);

		KUNIT_ASSERT_NOT_NULL(test, pkt);
		KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL,
						    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
				STATUS_SUCCESS);
	}
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 3));
	VmbChannelDisable(th->ch);
}

static void initialize_size_rule(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u32 size = VmbChannelSizeofPacket(th->ch);
	u8 *mem = kunit_kzalloc(test, size + 8, GFP_KERNEL);
	VMBPACKET pkt = (VMBPACKET)mem;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(th->ch, pkt, size - 1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(NULL, pkt, size),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(th->ch, NULL, size),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(th->ch, (VMBPACKET)(mem + 4), size),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(th->ch, pkt, size), STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, VmbPacketGetChannel(pkt), th->ch);
	KUNIT_EXPECT_NULL(test, VmbPacketGetPointer(pkt));
}

static void initialized_packet_needs_routine(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u32 size = VmbChannelSizeofPacket(th->ch);
	VMBPACKET pkt = kunit_kzalloc(test, size, GFP_KERNEL);
	struct vmb_tp *tp = vmb_th_tracker(th, false);
	u64 seq = 3;

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, VmbPacketInitialize(th->ch, pkt, size), STATUS_SUCCESS);
	/* KMCL: an initialized packet has no valid routine until one is set */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	vmbus_sim_flush_host(th->sim);
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), 0U);

	VmbPacketSetPointer(pkt, tp);
	VmbPacketSetCompletionRoutine(pkt, vmb_th_routine);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL,
					    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
			STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	/* caller memory: freeing is a no-op */
	VmbPacketFree(pkt);
}

static void replaced_routine_runs_once(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_tp *tp;
	u64 seq = 11;
	VMBPACKET pkt = vmb_th_packet(th, &tp);

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL,
					    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
			STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	vmbus_sim_flush_host(th->sim);
	KUNIT_EXPECT_TRUE(test, vmb_th_quiet(th, atomic_read(&tp->calls) > 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&th->routines), 1);
}

/* After its routine ran a packet is the caller's again and can be resent. */
static void packet_reuse(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_tp *tp = vmb_th_tracker(th, false);
	VMBPACKET pkt;
	u64 seq;

	vmb_th_enable(th);
	pkt = VmbPacketAllocate(th->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetPointer(pkt, tp);
	VmbPacketSetCompletionRoutine(pkt, vmb_th_routine);
	for (seq = 1; seq <= 3; seq++) {
		KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL,
						    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
				STATUS_SUCCESS);
		KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == seq));
		KUNIT_EXPECT_EQ(test, *(u64 *)tp->data, seq);
	}
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), 3U);
	VmbPacketFree(pkt);
}

static void busy_packet_refused(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	struct vmb_tp *tp;
	u64 seq = 5;
	VMBPACKET pkt;

	vmb_th_enable(th);
	pkt = vmb_th_packet(th, &tp);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL,
					    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
			STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	vmb_th_release(th, false);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), 1U);
}

static void payload_limit(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u8 *buf = kunit_kzalloc(test, 72, GFP_KERNEL);
	struct vmb_tp *tp;
	VMBPACKET pkt;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 64),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	pkt = vmb_th_packet(th, &tp);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 65, NULL, 0),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, NULL, 8, NULL, 0),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 64, NULL, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).length, 64U);
}

/*
 * A packet in caller memory of exactly VmbChannelSizeofPacket() bytes holds
 * a full-size payload while it waits in the queue.
 */
static void initialized_packet_queues_full_payload(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_tp *tp = vmb_th_tracker(th, false), *last;
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	u32 size, n;
	VMBPACKET pkt;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 256),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, 1, 1),
			STATUS_SUCCESS);
	size = VmbChannelSizeofPacket(th->ch);
	pkt = kunit_kmalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_EQ(test, VmbPacketInitialize(th->ch, pkt, size), STATUS_SUCCESS);
	VmbPacketSetPointer(pkt, tp);
	VmbPacketSetCompletionRoutine(pkt, vmb_th_routine);
	vmb_th_enable(th);

	n = vmb_th_fill_ring(th, 0, &last);
	memset(buf, 0xa5, 256);
	*(u64 *)buf = 0xfeed;
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 256, NULL, 0), STATUS_SUCCESS);
	memset(buf, 0, 256);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 0);
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == n + 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, n).seq, 0xfeedULL);
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, n).length, 256U);
}

static struct kunit_case vmb_packet_cases[] = {
	KUNIT_CASE(allocate_and_accessors),
	KUNIT_CASE(default_routine_frees),
	KUNIT_CASE(initialize_size_rule),
	KUNIT_CASE(initialized_packet_needs_routine),
	KUNIT_CASE(replaced_routine_runs_once),
	KUNIT_CASE(packet_reuse),
	KUNIT_CASE(busy_packet_refused),
	KUNIT_CASE(payload_limit),
	KUNIT_CASE(initialized_packet_queues_full_payload),
	{ }
};

static struct kunit_suite vmb_packet_suite = {
	.name = "vmb_packet",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_packet_cases,
};

kunit_test_suite(vmb_packet_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl packet objects");
MODULE_LICENSE("GPL");
