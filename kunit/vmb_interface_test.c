// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the KMCL interface tables (vmb_query_client_interface())
 * and of the functions KMCL added in interface versions 2 to 5, with the
 * two V1 functions about interrupt latency and MMIO: what a caller and
 * the host see of each.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0031, 0x4e11, 0x9a, 0x31, \
				 0x69, 0x66, 0x61, 0x63, 0x65, 0x73)
#include "vmb_test_host.h"

#define WAIT	VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

static void query_fills_each_version(struct kunit *test)
{
	static const u32 sizes[] = {
		0, sizeof(KMCL_CLIENT_INTERFACE_V1), sizeof(KMCL_CLIENT_INTERFACE_V2),
		sizeof(KMCL_CLIENT_INTERFACE_V3), sizeof(KMCL_CLIENT_INTERFACE_V4),
		sizeof(KMCL_CLIENT_INTERFACE_V5),
	};
	KMCL_CLIENT_INTERFACE_V5 *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct vmb_interface_header *h;
	u16 v;

	KUNIT_ASSERT_NOT_NULL(test, t);
	h = &t->InterfaceHeader;
	for (v = KMCL_CLIENT_INTERFACE_VERSION_V1; v <= KMCL_CLIENT_INTERFACE_VERSION_V5; v++) {
		memset(t, 0xa5, sizeof(*t));
		KUNIT_ASSERT_EQ(test, vmb_query_client_interface(h, sizes[v], v), STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, h->size, (u16)sizes[v]);
		KUNIT_EXPECT_EQ(test, h->version, v);
		KUNIT_EXPECT_NULL(test, h->context);
		KUNIT_EXPECT_NOT_NULL(test, h->reference);
		KUNIT_EXPECT_NOT_NULL(test, h->dereference);
		h->reference(h->context);
		h->dereference(h->context);
		/* V1's first and last members, by their own names */
		KUNIT_EXPECT_PTR_EQ(test, t->VmbChannelAllocate, &VmbChannelAllocate);
		KUNIT_EXPECT_PTR_EQ(test, t->VmbPacketSetPointer, &VmbPacketSetPointer);
		KUNIT_EXPECT_PTR_EQ(test, t->VmbChannelSetInterruptLatency,
				    &VmbChannelSetInterruptLatency);
		if (v == KMCL_CLIENT_INTERFACE_VERSION_V1) {
			/* nothing written past the V1 table */
			KUNIT_EXPECT_EQ(test, *(u8 *)&t->VmbChannelPacketGetClientContext, 0xa5);
			continue;
		}
		KUNIT_EXPECT_PTR_EQ(test, t->VmbChannelGetParentDeviceObject,
				    &VmbChannelGetParentDeviceObject);
		if (v >= KMCL_CLIENT_INTERFACE_VERSION_V3)
			KUNIT_EXPECT_PTR_EQ(test, t->VmbChannelAllocateBounceBuffer,
					    &VmbChannelAllocateBounceBuffer);
		if (v >= KMCL_CLIENT_INTERFACE_VERSION_V4)
			KUNIT_EXPECT_PTR_EQ(test, t->VmbChannelCreateGpadlFromPfnList,
					    &VmbChannelCreateGpadlFromPfnList);
		if (v == KMCL_CLIENT_INTERFACE_VERSION_V5)
			KUNIT_EXPECT_PTR_EQ(test, t->VmbPacketSetCompletionRoutineEx,
					    &VmbPacketSetCompletionRoutineEx);
	}
	KUNIT_EXPECT_EQ(test, vmb_query_client_interface(NULL, sizes[1], 1),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, vmb_query_client_interface(h, sizes[2] - 1, 2),
			STATUS_BUFFER_TOO_SMALL);
	KUNIT_EXPECT_EQ(test, vmb_query_client_interface(h, sizeof(*t), 0), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, vmb_query_client_interface(h, sizeof(*t), 6), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, vmb_query_client_interface(h, sizeof(*t),
							 KMCL_CLIENT_INTERFACE_VERSION_LATEST),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, h->version, (u16)KMCL_CLIENT_INTERFACE_VERSION_V5);
}

static void table_calls_reach_the_channel(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	KMCL_CLIENT_INTERFACE_V2 t;
	struct vmb_tp *tp;
	u64 seq = 77;
	VMBPACKET pkt;

	KUNIT_ASSERT_EQ(test, vmb_query_client_interface(&t.InterfaceHeader, sizeof(t),
							 KMCL_CLIENT_INTERFACE_VERSION_V2),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, t.VmbChannelEnable(th->ch), STATUS_SUCCESS);
	pkt = t.VmbPacketAllocate(th->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	tp = vmb_th_tracker(th, true);
	t.VmbPacketSetPointer(pkt, tp);
	t.VmbPacketSetCompletionRoutine(pkt, vmb_th_routine);
	KUNIT_ASSERT_EQ(test, t.VmbPacketSend(pkt, &seq, sizeof(seq), NULL, WAIT), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).seq, seq);
	KUNIT_EXPECT_PTR_EQ(test, t.VmbChannelGetTargetDeviceObject(th->ch),
			    &th->hv_dev->device);
}

static void server_flag_values_are_the_wdk_ones(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE, 0x2);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE, 0x4);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL, 0x8);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER, 0x10);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAGS, 0x1f);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_MAXIMUM_OFFER_DATA, MAX_USER_DEFINED_BYTES);
}

static void device_objects(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	VMBCHANNEL unbound;

	KUNIT_EXPECT_PTR_EQ(test, VmbChannelGetTargetDeviceObject(th->ch), &th->hv_dev->device);
	KUNIT_EXPECT_PTR_EQ(test, VmbChannelGetParentDeviceObject(th->ch), &th->hv_dev->device);

	/* bound by class GUID: no parent, no target until bound */
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(NULL, false, &unbound), STATUS_SUCCESS);
	KUNIT_EXPECT_NULL(test, VmbChannelGetTargetDeviceObject(unbound));
	KUNIT_EXPECT_NULL(test, VmbChannelGetParentDeviceObject(unbound));
	VmbChannelCleanup(unbound);
}

static void caller_allocated_channel(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u32 size = VmbSizeofChannel();
	struct vmb_tp *tp;
	VMBCHANNEL ch;
	VMBPACKET pkt;
	u8 *mem;
	u64 seq = 5;

	KUNIT_ASSERT_GT(test, size, 0u);
	mem = kunit_kzalloc(test, size + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	ch = (VMBCHANNEL)mem;
	/* the device's one channel is ours */
	VmbChannelCleanup(th->ch);
	th->ch = NULL;

	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(&th->hv_dev->device, false, ch, size - 1),
			STATUS_BUFFER_TOO_SMALL);
	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(&th->hv_dev->device, false,
						   (VMBCHANNEL)(mem + 4), size),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(&th->hv_dev->device, true, ch, size),
			STATUS_NOT_SUPPORTED);
	KUNIT_ASSERT_EQ(test, VmbChannelInitialize(&th->hv_dev->device, false, ch, size),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ch), STATUS_SUCCESS);
	pkt = VmbPacketAllocate(ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	tp = vmb_th_tracker(th, true);
	VmbPacketSetPointer(pkt, tp);
	VmbPacketSetCompletionRoutine(pkt, vmb_th_routine);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, &seq, sizeof(seq), NULL, WAIT), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).seq, seq);
	/* the memory stays the caller's: freed by KUnit afterwards (KASAN watches) */
	VmbChannelCleanup(ch);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_HOST_CLOSE), 1);
}

/* The host holds completions it owes. */
static bool held(struct vmb_th *th)
{
	return READ_ONCE(th->nheld) > READ_ONCE(th->held_head);
}

static void maximum_packet_count_bounds_transactions(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	struct vmb_tp *tp[5];
	u32 i;

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketCount(th->ch, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketCount(th->ch, 2), STATUS_SUCCESS);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketCount(th->ch, 3),
			STATUS_INVALID_PARAMETER_1);
	for (i = 0; i < ARRAY_SIZE(tp); i++)
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, i, WAIT, &tp[i]), STATUS_SUCCESS);
	/* two in flight; the others wait in the channel's queue */
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 2));
	msleep(100);
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), 2u);
	/* each release lets the next ones go */
	while (atomic_read(&th->routines) < (int)ARRAY_SIZE(tp)) {
		vmb_th_release(th, false);
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, held(th) ||
						    atomic_read(&th->routines) == ARRAY_SIZE(tp)));
	}
	KUNIT_EXPECT_EQ(test, vmb_th_npkts(th), (u32)ARRAY_SIZE(tp));
	for (i = 0; i < ARRAY_SIZE(tp); i++) {
		KUNIT_EXPECT_EQ(test, tp[i]->status, STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, i).seq, (u64)i);
	}
}

static void gpadl_from_pfn_list(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	const u32 frames = 4, bytes = frames * HV_HYP_PAGE_SIZE;
	u64 pfns[4], bad[4];
	u8 *buf, *back;
	u32 handle, i;

	buf = alloc_pages_exact(bytes, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	back = kunit_kzalloc(test, bytes, GFP_KERNEL);
	if (!back)
		free_pages_exact(buf, bytes);
	KUNIT_ASSERT_NOT_NULL(test, back);
	for (i = 0; i < bytes; i++)
		buf[i] = (u8)(i * 7 + i / HV_HYP_PAGE_SIZE);
	/* the frames in reverse order: the GPADL follows the list, not memory */
	for (i = 0; i < frames; i++)
		pfns[i] = virt_to_hvpfn(buf + (frames - 1 - i) * HV_HYP_PAGE_SIZE);
	vmb_th_enable(th);

	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(th->ch, 2, pfns, frames, &handle),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(th->ch, 0, pfns, 0, &handle),
			STATUS_INVALID_PARAMETER);
	memcpy(bad, pfns, sizeof(bad));
	bad[2] = U64_MAX >> HV_HYP_PAGE_SHIFT;
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(th->ch, 0, bad, frames, &handle),
			STATUS_INVALID_PARAMETER);

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromPfnList(th->ch,
							       VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY,
							       pfns, frames, &handle),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vmbus_sim_gpadl_copy_from_guest(th->sim, handle, 0, back, bytes), 0);
	for (i = 0; i < frames; i++)
		KUNIT_EXPECT_EQ(test, memcmp(back + i * HV_HYP_PAGE_SIZE,
					     buf + (frames - 1 - i) * HV_HYP_PAGE_SIZE,
					     HV_HYP_PAGE_SIZE), 0);
	VmbChannelDeleteGpadl(th->ch, handle);
	KUNIT_EXPECT_EQ(test, vmbus_sim_gpadl_copy_from_guest(th->sim, handle, 0, back, 8),
			-ENOENT);
	free_pages_exact(buf, bytes);
}

static void inline_packet_context(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u32 before = VmbChannelSizeofPacket(th->ch), size;
	struct vmb_tp *tp;
	VMBPACKET pkt;
	u64 *ctx;
	void *mem;

	pkt = VmbPacketAllocate(th->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_NULL(test, VmbPacketGetInlinePacketContextPointer(pkt));
	VmbPacketFree(pkt);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetInlinePacketContextSize(th->ch, SZ_64K + 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetInlinePacketContextSize(th->ch, 20),
			STATUS_SUCCESS);
	KUNIT_EXPECT_GE(test, VmbChannelSizeofPacket(th->ch), before + 20);
	vmb_th_enable(th);

	pkt = vmb_th_packet(th, &tp);
	ctx = VmbPacketGetInlinePacketContextPointer(pkt);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)ctx, 8));
	KUNIT_EXPECT_EQ(test, ctx[0] | ctx[1], 0ull);
	ctx[0] = 0x1234;
	ctx[1] = 0x5678;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, ctx, 16, NULL, WAIT), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).seq, 0x1234ull);

	/* in caller memory: VmbChannelSizeofPacket() bytes hold the area too */
	size = VmbChannelSizeofPacket(th->ch);
	mem = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	memset(mem, 0xff, size);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(th->ch, mem, size - 1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_ASSERT_EQ(test, VmbPacketInitialize(th->ch, mem, size), STATUS_SUCCESS);
	ctx = VmbPacketGetInlinePacketContextPointer(mem);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_EXPECT_LE(test, (unsigned long)((u8 *)ctx + 20), (unsigned long)mem + size);
	KUNIT_EXPECT_EQ(test, ctx[0] | ctx[1], 0ull);
}

struct ex_seen {
	atomic_t packets, batches, completions;
	void *packet_context, *batch_context, *completion_context;
	NTSTATUS status;
	u64 payload;
};

static void ex_process_packet(VMBCHANNEL channel, VMBPACKETCOMPLETION packet, void *buffer,
			      u32 length, u32 flags, void *context)
{
	struct ex_seen *s = context;

	memcpy(&s->payload, buffer, min_t(u32, length, sizeof(s->payload)));
	s->packet_context = context;
	atomic_inc(&s->packets);
	VmbChannelPacketComplete(packet, NULL, 0);
}

static void ex_processing_complete(VMBCHANNEL channel, u32 packets, void *context)
{
	struct ex_seen *s = context;
	struct vmb_th *th = VmbChannelGetPointer(channel);

	s->batch_context = context;
	atomic_inc(&s->batches);
	wake_up_all(&th->wq);
}

static void ex_completion(VMBPACKET packet, NTSTATUS status, void *buffer, u32 length,
			  void *context)
{
	struct ex_seen *s = context;
	struct vmb_th *th = VmbChannelGetPointer(VmbPacketGetChannel(packet));

	s->completion_context = context;
	s->status = status;
	VmbPacketFree(packet);
	atomic_inc(&s->completions);
	wake_up_all(&th->wq);
}

static void callbacks_with_a_context(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct ex_seen *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	u64 word = 0xfeedULL;
	VMBPACKET pkt;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetProcessPacketCallbacksEx(th->ch, NULL, NULL, s),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacksEx(th->ch, ex_process_packet,
									ex_processing_complete, s),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND, 0, 0, &word,
					     sizeof(word)), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&s->batches) >= 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->packets), 1);
	KUNIT_EXPECT_PTR_EQ(test, s->packet_context, (void *)s);
	KUNIT_EXPECT_PTR_EQ(test, s->batch_context, (void *)s);
	KUNIT_EXPECT_EQ(test, s->payload, word);

	pkt = VmbPacketAllocate(th->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetCompletionRoutineEx(pkt, ex_completion, s);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, &word, sizeof(word), NULL, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&s->completions) == 1));
	KUNIT_EXPECT_PTR_EQ(test, s->completion_context, (void *)s);
	KUNIT_EXPECT_EQ(test, s->status, STATUS_SUCCESS);
}

static void interrupt_latency_sets_low_latency(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmbus_channel *chan = th->hv_dev->channel;
	VMBCHANNEL unbound;
	u16 original = 0xffff;

	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(NULL, false, &unbound), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(unbound, 0, &original),
			STATUS_INVALID_DEVICE_STATE);
	VmbChannelCleanup(unbound);
	/* KMCL: from Opened on */
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(th->ch, 0, &original),
			STATUS_INVALID_DEVICE_STATE);

	vmb_th_enable(th);
	KUNIT_EXPECT_FALSE(test, chan->low_latency);
	KUNIT_ASSERT_EQ(test, VmbChannelSetInterruptLatency(th->ch, 0, &original),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, original, 0);
	KUNIT_EXPECT_TRUE(test, chan->low_latency);
	KUNIT_ASSERT_EQ(test, VmbChannelSetInterruptLatency(th->ch, 500, &original),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, original, 0);
	KUNIT_EXPECT_FALSE(test, chan->low_latency);
	KUNIT_ASSERT_EQ(test, VmbChannelSetInterruptLatency(th->ch, 0, &original),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, original, 500);
	KUNIT_EXPECT_TRUE(test, chan->low_latency);
	/* the channel closes: hv_vmbus's bit as it was */
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_FALSE(test, chan->low_latency);
}

static void hints_and_mmio(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u64 address = 1, size = 1;

	KUNIT_EXPECT_EQ(test, VmbChannelSetAllowableDpcCpuUsage(NULL, 50),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelSetAllowableDpcCpuUsage(th->ch, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelSetAllowableDpcCpuUsage(th->ch, 101),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelSetAllowableDpcCpuUsage(th->ch, 50), STATUS_SUCCESS);
	vmb_th_enable(th);
	/* vmbus_sim offers no MMIO */
	VmbChannelGetMmioSpace(th->ch, &address, &size);
	KUNIT_EXPECT_EQ(test, address, 0ull);
	KUNIT_EXPECT_EQ(test, size, 0ull);
}

static void without_a_linux_meaning_not_supported(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetSaveRestorePacketCallbacksEx(th->ch, NULL,
										  NULL, NULL),
			STATUS_NOT_SUPPORTED);
	/* and the channel works as before */
	vmb_th_enable(th);
}

static struct kunit_case vmb_interface_cases[] = {
	KUNIT_CASE(query_fills_each_version),
	KUNIT_CASE(table_calls_reach_the_channel),
	KUNIT_CASE(server_flag_values_are_the_wdk_ones),
	KUNIT_CASE(device_objects),
	KUNIT_CASE(caller_allocated_channel),
	KUNIT_CASE(maximum_packet_count_bounds_transactions),
	KUNIT_CASE(gpadl_from_pfn_list),
	KUNIT_CASE(inline_packet_context),
	KUNIT_CASE(callbacks_with_a_context),
	KUNIT_CASE(interrupt_latency_sets_low_latency),
	KUNIT_CASE(hints_and_mmio),
	KUNIT_CASE(without_a_linux_meaning_not_supported),
	{ }
};

static struct kunit_suite vmb_interface_suite = {
	.name = "vmb_interface",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_interface_cases,
};

kunit_test_suite(vmb_interface_suite);

MODULE_DESCRIPTION("KUnit tests of the KMCL interface tables and the V2-V5 functions");
MODULE_LICENSE("GPL");
