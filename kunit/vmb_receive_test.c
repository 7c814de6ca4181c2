// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for incoming delivery and completion: one ProcessPacket call
 * per host packet, in order, with its own copy of the payload and client
 * context; completions echoed to the host whether given inline, later, from
 * another thread or from hard IRQ context, and queued when the ring is full;
 * the external data of GPA-direct and transfer-page packets as MDLs; our
 * own transactions' completions kept away from ProcessPacket.
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/irq_work.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0020, 0x4e11, 0x9a, 0x20, \
				 0x72, 0x65, 0x63, 0x76, 0x00, 0x00)
#include "vmb_test_host.h"
#include "vmb_rx_client.h"

#define WAIT VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define REQ VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED
#define EXT VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA

static struct vmb_rc *start(struct kunit *test, enum vmb_rc_policy policy,
			    struct vmb_th **thp)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_rc *rc = vmb_rc_setup(test, th, policy);

	*thp = th;
	return rc;
}

static void inband_delivered_in_order(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 i, n = 64;

	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 8 + (i * 37) % 300, 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n));
	for (i = 0; i < n; i++) {
		struct vmb_rc_rec r = vmb_rc_rec(rc, i);

		KUNIT_EXPECT_EQ(test, r.seq, (u64)i);
		KUNIT_EXPECT_EQ(test, r.length, ALIGN(8 + (i * 37) % 300, 8));
		KUNIT_EXPECT_EQ(test, r.flags, 0u);
		KUNIT_EXPECT_EQ(test, r.call, 1u);
		KUNIT_EXPECT_TRUE(test, r.softirq);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->foreign), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->overlap), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->ctx_bad), 0);
	/* nothing asked for a completion */
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_host_completions(th), 0u);
}

/* Host completions in the fixture's log, checked against seq 0..n-1 in order. */
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
		KUNIT_EXPECT_EQ(test, p.flags, 0);
		KUNIT_EXPECT_EQ(test, p.trans_id, (u64)k + 1);
		KUNIT_EXPECT_EQ(test, VMB_RC_SEQ(p.seq), (u64)k);
		k++;
	}
}

static void completion_echoes_transaction_id(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 i, n = 16;

	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 24, REQ), 0);
	expect_completions(test, th, n);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), n);
}

static void complete_later_from_process_context(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_HOLD, &th);
	u32 i, n = 8;

	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 100 + i, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == n));
	/* more traffic meanwhile must not touch the held payloads */
	for (i = n; i < 2 * n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 200, 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 2 * n));
	/* a stray write leaves no event: a sleep is the only way to give it time */
	msleep(20);
	for (i = 0; i < n; i++) {
		struct vmb_rc_held h = rc->held[i];

		KUNIT_EXPECT_TRUE(test, vmb_rc_check(h.buffer, h.length));
	}
	KUNIT_EXPECT_EQ(test, vmb_rc_host_completions(th), 0u);
	KUNIT_EXPECT_EQ(test, vmb_rc_release(rc, U32_MAX), 2 * n);
	expect_completions(test, th, n);
}

struct irq_completer {
	struct irq_work work;
	struct vmb_rc *rc;
	atomic_t done;
	atomic_t in_hardirq;
};

static void complete_in_irq(struct irq_work *work)
{
	struct irq_completer *c = container_of(work, struct irq_completer, work);

	if (in_hardirq())
		atomic_inc(&c->in_hardirq);
	atomic_add(vmb_rc_release(c->rc, U32_MAX), &c->done);
}

static void complete_from_hardirq(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_HOLD, &th);
	struct irq_completer *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	u32 i, n = 8;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->rc = rc;
	init_irq_work(&c->work, complete_in_irq);
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 64, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == n));
	irq_work_queue(&c->work);
	irq_work_sync(&c->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->done), (int)n);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->in_hardirq), 1);
	expect_completions(test, th, n);
}

static void batches_counted(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 i, n = 100;

	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 16, 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n));
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&rc->batch_sum) == n));
	vmb_rc_settle(th);
	/* every call belongs to exactly one batch */
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->batch_sum), (int)n);
	KUNIT_EXPECT_GE(test, atomic_read(&rc->batches), 1);
	KUNIT_EXPECT_LE(test, atomic_read(&rc->batches), (int)n);
}

static void no_client_context(VMBCHANNEL ch, VMBPACKETCOMPLETION pkt, void *buf,
			      u32 len, u32 flags)
{
	struct vmb_rc *rc = vmb_rc_current;

	if (VmbChannelPacketGetClientContext(pkt))
		atomic_inc(&rc->ctx_bad);
	atomic_inc(&rc->calls);
	VmbChannelPacketComplete(pkt, NULL, 0);
	wake_up_all(&rc->th->wq);
}

static void client_context_only_when_sized(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetClientContextSize(th->ch, 0), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(th->ch, no_client_context,
								      NULL),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 0, 8, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->ctx_bad), 0);
	/* an empty completion payload goes out as such */
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 1));
}

static void own_completions_never_delivered(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	struct vmb_tp *tps[8];
	u32 i;

	vmb_th_enable(th);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 1000 + i, WAIT, &tps[i]),
				STATUS_SUCCESS);
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 32, 0), 0);
	}
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&th->routines) == ARRAY_SIZE(tps) &&
					    vmb_rc_calls(rc) == ARRAY_SIZE(tps)));
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), (u32)ARRAY_SIZE(tps));
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->foreign), 0);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		KUNIT_EXPECT_EQ(test, tps[i]->status, STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, *(u64 *)tps[i]->data, 1000ULL + i);
	}
}

static void large_packets_across_the_wrap(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 i, n = 200;

	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 8 + (i * 1237) % (VMB_RC_BIG - 7),
						       REQ),
				0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n));
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->foreign), 0);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == n));
}

/* External data: ProcessPacket keeps the packet and its MDL for the test. */
struct ext_seen {
	struct vmb_mdl *mdl;
	NTSTATUS status, bad_flags, no_out;
	u32 flags;
	VMBPACKETCOMPLETION pkt;
};

static struct ext_seen *ext_seen;

static void keep_external(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt, void *buffer,
			  u32 length, u32 flags, u32 call)
{
	struct vmb_mdl *dummy;

	ext_seen->flags = flags;
	ext_seen->status = VmbChannelPacketGetExternalData(pkt, 0, &ext_seen->mdl);
	ext_seen->bad_flags = VmbChannelPacketGetExternalData(pkt, 0x2, &dummy);
	ext_seen->no_out = VmbChannelPacketGetExternalData(pkt, 0, NULL);
	vmb_rc_hold(rc, pkt, buffer, length);
}

/* Copy what an MDL describes, through its scatterlist, into @out. */
static u32 mdl_read(struct kunit *test, struct vmb_mdl *mdl, u8 *out, u32 max)
{
	struct sg_table *sgt = vmb_mdl_to_sg_table(mdl, GFP_KERNEL);
	struct scatterlist *sg;
	u32 n = 0;
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(sgt));
	for_each_sgtable_sg(sgt, sg, i) {
		void *va = kmap_local_page(sg_page(sg));

		KUNIT_ASSERT_LE(test, n + sg->length, max);
		memcpy(out + n, (u8 *)va + sg->offset, sg->length);
		kunmap_local(va);
		n += sg->length;
	}
	sg_free_table(sgt);
	kfree(sgt);
	return n;
}

static void gpa_direct_external_data(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_CUSTOM, &th);
	struct page *pages = alloc_pages(GFP_KERNEL, 2);
	u8 *pkt = kunit_kzalloc(test, 256, GFP_KERNEL);
	u8 *hdr = kunit_kzalloc(test, 128, GFP_KERNEL);
	u8 *buf, *got, payload[16];
	u64 words[5], base;
	u32 len, n, i;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_NOT_NULL(test, hdr);
	buf = page_address(pages);
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		buf[i] = (u8)(i * 13 + 5);
	got = kunit_kzalloc(test, 4 * PAGE_SIZE, GFP_KERNEL);
	ext_seen = kunit_kzalloc(test, sizeof(*ext_seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_NOT_NULL(test, ext_seen);
	rc->custom = keep_external;
	vmb_th_enable(th);

	/* range 0: 5000 bytes from offset 100 of frame 0; range 1: frame 3 */
	base = virt_to_hvpfn(buf);
	words[0] = vmb_rc_range_word(5000, 100);
	words[1] = base;
	words[2] = base + 1;
	words[3] = vmb_rc_range_word(4096, 0);
	words[4] = base + 3;
	vmb_rc_fill(payload, 7, sizeof(payload));
	len = vmb_rc_packet(pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, 7 + 1, hdr,
			    vmb_rc_gpa_header(hdr, 2, words, 5), payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 1));

	KUNIT_EXPECT_EQ(test, ext_seen->flags, (u32)EXT);
	KUNIT_EXPECT_EQ(test, ext_seen->status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ext_seen->bad_flags, STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, ext_seen->no_out, STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_ASSERT_NOT_NULL(test, ext_seen->mdl);
	KUNIT_EXPECT_EQ(test, vmb_mdl_byte_count(ext_seen->mdl), 9096u);
	n = mdl_read(test, ext_seen->mdl, got, 4 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, n, 9096u);
	KUNIT_EXPECT_EQ(test, memcmp(got, buf + 100, 5000), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got + 5000, buf + 3 * 4096, 4096), 0);

	vmb_rc_release(rc, U32_MAX);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, vmb_th_npkts(th) - 1).trans_id, 8ULL);
	__free_pages(pages, 2);
}

static void transfer_pages_external_data(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_CUSTOM, &th);
	u8 *buf, *got, pkt[128], hdr[64], payload[24];
	u32 handle, len, n, i;
	u64 ranges[3];

	buf = vmalloc(4 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		buf[i] = (u8)(i * 7 + 3);
	got = kunit_kzalloc(test, 4 * PAGE_SIZE, GFP_KERNEL);
	ext_seen = kunit_kzalloc(test, sizeof(*ext_seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_NOT_NULL(test, ext_seen);
	rc->custom = keep_external;
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, buf, 4 * PAGE_SIZE,
							      &handle),
			STATUS_SUCCESS);

	ranges[0] = vmb_rc_range_word(100, 50);		/* 100 bytes at 50 */
	ranges[1] = vmb_rc_range_word(8000, 3000);	/* across three pages */
	ranges[2] = vmb_rc_range_word(1, 4 * PAGE_SIZE - 1);	/* the last byte */
	vmb_rc_fill(payload, 0, sizeof(payload));
	len = vmb_rc_packet(pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, 1, hdr,
			    vmb_rc_xfer_header(hdr, (u16)handle, 3, ranges),
			    payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 1));

	KUNIT_EXPECT_EQ(test, ext_seen->flags, (u32)EXT);
	KUNIT_ASSERT_EQ(test, ext_seen->status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, vmb_mdl_byte_count(ext_seen->mdl), 8101u);
	n = mdl_read(test, ext_seen->mdl, got, 4 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, n, 8101u);
	KUNIT_EXPECT_EQ(test, memcmp(got, buf + 50, 100), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got + 100, buf + 3000, 8000), 0);
	KUNIT_EXPECT_EQ(test, got[8100], buf[4 * PAGE_SIZE - 1]);

	/* the completion gives the ranges back */
	vmb_rc_release(rc, U32_MAX);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, vmb_th_npkts(th) - 1).trans_id, 1ULL);

	/* once deleted, the set is unknown: the next such packet is dropped */
	VmbChannelDeleteGpadl(th->ch, handle);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 1, 8, 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 2));
	KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, 1).seq, 1ULL);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, host_packets_rejected), 1ULL);
	vmb_rc_release(rc, U32_MAX);
	VmbChannelDisable(th->ch);
	vfree(buf);
}

static void inband_has_no_external_data(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_CUSTOM, &th);

	ext_seen = kunit_kzalloc(test, sizeof(*ext_seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ext_seen);
	rc->custom = keep_external;
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 0, 8, 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 1));
	KUNIT_EXPECT_EQ(test, ext_seen->flags, 0u);
	KUNIT_EXPECT_EQ(test, ext_seen->status, STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(NULL, 0, &ext_seen->mdl),
			STATUS_INVALID_PARAMETER_1);
}

static void completion_queued_while_ring_full(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_HOLD, &th);
	struct vmb_tp *last;
	u32 i, n = 6, sent;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 40, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == n));

	/* the host stops reading and our outgoing ring fills */
	sent = vmb_th_fill_ring(th, 1000, &last);
	KUNIT_EXPECT_EQ(test, vmb_rc_release(rc, U32_MAX), n);
	KUNIT_EXPECT_GE(test, vmb_rc_stat(th, completions_queued), 1ULL);
	KUNIT_EXPECT_TRUE(test, vmb_th_quiet(th, vmb_rc_host_completions(th)));

	/* it reads again: every completion arrives, once, in order */
	vmbus_sim_pause_host(th->sim, false);
	expect_completions(test, th, n);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&last->calls) == 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&th->routines), (int)sent);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_not_sent), 0ULL);
}

static void fail_third(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt, void *buffer,
		       u32 length, u32 flags, u32 call)
{
	if (VMB_RC_SEQ(*(u64 *)buffer) == 2) {
		atomic_inc(&rc->retired);
		VmbChannelPacketFail(pkt);
	} else {
		vmb_rc_complete(rc, pkt, buffer, length);
	}
}

static void fail_stops_delivery_until_disable(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_CUSTOM, &th);
	u32 i;

	rc->custom = fail_third;
	vmb_th_enable(th);
	for (i = 0; i < 6; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 16, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 3));
	vmb_rc_settle(th);
	/* the failed packet is retired without a completion; nothing follows */
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 3u);
	KUNIT_EXPECT_EQ(test, vmb_rc_host_completions(th), 2u);
	KUNIT_EXPECT_TRUE(test, vmb_rc_failed(th));

	/* a Disable drains nothing more; the next Enable delivers again */
	VmbChannelDisable(th->ch);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 10, 16, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 4));
	KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, 3).seq, 10ULL);
	KUNIT_EXPECT_FALSE(test, vmb_rc_failed(th));
}

static void reenable_starts_clean(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 round, i;

	for (round = 0; round < 4; round++) {
		vmb_th_enable(th);
		for (i = 0; i < 10; i++)
			KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, round * 10 + i, 48, REQ), 0);
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == (round + 1) * 10));
		VmbChannelDisable(th->ch);
	}
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
}

/* The new receive path: hv_vmbus's copy lands in a packet object of ours. */

static struct hv_ring_buffer_info *inbound(struct vmb_th *th)
{
	return &th->hv_dev->channel->inbound;
}

struct copy_seen {
	void *pkt_buffer;	/* hv_vmbus's copy buffer during the call */
	bool payload_inside;	/* the payload lies in it */
};

static struct copy_seen *copy_seen;

static void see_copy(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt, void *buffer,
		     u32 length, u32 flags, u32 call)
{
	struct hv_ring_buffer_info *in = inbound(rc->th);
	u8 *b = in->pkt_buffer;

	copy_seen->pkt_buffer = b;
	copy_seen->payload_inside = (u8 *)buffer >= b &&
				    (u8 *)buffer + length <= b + in->pkt_buffer_size;
	vmb_rc_complete(rc, pkt, buffer, length);
}

/*
 * hv_vmbus copies into our object during a pass and finds its own buffer
 * again after it, after a pass stopped at the quota, and at close (where it
 * frees it: KASAN would see it free one of ours).
 */
static void hv_copy_buffer_restored(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_CUSTOM, &th);
	void *own;
	u32 i, round;

	copy_seen = kunit_kzalloc(test, sizeof(*copy_seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy_seen);
	rc->custom = see_copy;
	for (round = 0; round < 3; round++) {
		vmb_th_enable(th);
		vmb_rc_settle(th);
		own = inbound(th)->pkt_buffer;
		KUNIT_ASSERT_NOT_NULL(test, own);
		for (i = 0; i < 8; i++)
			KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, round * 100 + i, 64, REQ), 0);
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == round * 10 + 8));
		vmb_rc_settle(th);
		KUNIT_EXPECT_TRUE(test, copy_seen->payload_inside);
		KUNIT_EXPECT_PTR_NE(test, copy_seen->pkt_buffer, own);
		KUNIT_EXPECT_PTR_EQ(test, inbound(th)->pkt_buffer, own);

		/* a pass that stops at the quota leaves a packet in the ring */
		rc->policy = VMB_RC_HOLD;
		VmbChannelSetTransactionQuota(th->ch, 1);
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, round * 100 + 50, 64, 0), 0);
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, round * 100 + 51, 64, 0), 0);
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 1));
		vmb_rc_settle(th);
		KUNIT_EXPECT_EQ(test, vmb_rc_nheld(rc), 1u);
		KUNIT_EXPECT_PTR_EQ(test, inbound(th)->pkt_buffer, own);
		VmbChannelSetTransactionQuota(th->ch, U32_MAX);
		rc->policy = VMB_RC_CUSTOM;
		KUNIT_EXPECT_EQ(test, vmb_rc_release(rc, U32_MAX), 1u);
		KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == round * 10 + 10));
		VmbChannelDisable(th->ch);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->ctx_bad), 0);
}

static void scribble(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt, void *buffer,
		     u32 length, u32 flags, u32 call)
{
	/* the whole payload and the client context: the packet is the client's */
	memset(buffer, 0xa5, length);
	memset(VmbChannelPacketGetClientContext(pkt), 0xa5, sizeof(struct vmb_rc_ctx));
	atomic_inc(&rc->retired);
	VmbChannelPacketComplete(pkt, NULL, 0);
}

/* A client writing over its payload in the call breaks no other packet. */
static void client_scribbles_over_payload(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_CUSTOM, &th);
	u32 i, n = 16;

	rc->custom = scribble;
	vmb_th_enable(th);
	/* several packets per pass: they wait in the ring until Start */
	VmbChannelPause(th->ch);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 8 + (i * 53) % 200, REQ), 0);
	VmbChannelStart(th->ch);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n));
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).length, ALIGN(8 + (i * 53) % 200, 8));
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->foreign), 0);
	/* each packet's context starts zeroed, whatever the last one left */
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->ctx_bad), 0);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).call, 1u);
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_host_completions(th), n);
}

/* A packet completed within its call leaves its object to the next one. */
static void spare_reused_after_in_call_complete(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 i, n = 32;

	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 8 + i * 40, i % 2 ? REQ : 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n));
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, vmb_rc_rec(rc, i).pkt, vmb_rc_rec(rc, 0).pkt);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, out_of_memory), 0ULL);
}

/*
 * A completion that echoes the payload it answers, given in the call while
 * the ring is full: it queues over its own payload, in the object hv_vmbus
 * copied the packet into, and the next packets land elsewhere.
 */
static void queued_completion_over_own_payload(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	struct vmb_tp *last;
	u32 i, n = 6, sent;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	sent = vmb_th_fill_ring(th, 1000, &last);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 40 + 8 * i, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n));
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_queued), (u64)n);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_PTR_NE(test, vmb_rc_rec(rc, i).pkt, vmb_rc_rec(rc, 0).pkt);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);

	vmbus_sim_pause_host(th->sim, false);
	expect_completions(test, th, n);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&last->calls) == 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&th->routines), (int)sent);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_not_sent), 0ULL);
}

/*
 * An enabled channel whose client keeps its packets, with a 64 MiB
 * external-data bound and a 64-page incoming ring: the reader's spare
 * holds about 130 KiB of GPA descriptor room.
 */
static struct vmb_rc *start_holding_large_spare(struct kunit *test, struct vmb_th **thp)
{
	struct vmb_rc *rc = start(test, VMB_RC_HOLD, thp);

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData((*thp)->ch, SZ_64M, 16),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetRingBufferPageCount((*thp)->ch, 64, 4),
			STATUS_SUCCESS);
	vmb_th_enable(*thp);
	return rc;
}

/*
 * A packet kept past its call holds an object of its payload's size, not
 * one as large as the largest packet the channel accepts (here about 130 KiB
 * of GPA descriptor room), and needs no high-order allocation.
 */
static void kept_packets_sized_by_payload(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start_holding_large_spare(test, &th);
	u32 i, n = 32;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, i == n - 1 ? 4000 : 64, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == n));
	/*
	 * The first one had the spare: nothing said the client keeps packets.
	 * The others asked for a completion, which may have to wait in the
	 * object: room for the maximum packet (4080), not for the 64 MiB
	 * external-data descriptor the spare holds.
	 */
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_LE(test, ksize(rc->held[i].pkt), (size_t)8192);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, out_of_memory), 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->ctx_bad), 0);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE(test, vmb_rc_check(rc->held[i].buffer, rc->held[i].length));
	KUNIT_EXPECT_EQ(test, vmb_rc_release(rc, U32_MAX), n);
	expect_completions(test, th, n);

	/* completed in the call again: back to one object for all */
	rc->policy = VMB_RC_COMPLETE;
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 100 + i, 64, 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n + 8));
	for (i = n + 2; i < n + 8; i++)
		KUNIT_EXPECT_PTR_EQ(test, vmb_rc_rec(rc, i).pkt, vmb_rc_rec(rc, n + 1).pkt);
}

/* Kept packets that ask for no completion take objects of their payload's size. */
static void kept_packets_without_completion_sized_by_payload(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start_holding_large_spare(test, &th);
	u32 i, n = 16;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 64, 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == n));
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_LE(test, ksize(rc->held[i].pkt), (size_t)512);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE(test, vmb_rc_check(rc->held[i].buffer, rc->held[i].length));
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, out_of_memory), 0ULL);
	KUNIT_EXPECT_EQ(test, vmb_rc_release(rc, U32_MAX), n);
}

/*
 * The send queue empties while completions wait for room: theirs becomes
 * the channel's pending_send_sz, so the host's signal sends them as soon as
 * it reads.
 */
static void completions_take_over_pending_send_size(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_HOLD, &th);
	struct hv_ring_buffer_info *out;
	s64 zero = 0, timeout = -500000;	/* 50 ms */
	struct vmb_th_sync *s;
	u64 payload = 0;
	u32 i, n = 4, filled = 0, pending;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 200, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == n));

	/* the host stops reading; fill the ring without queueing anything */
	vmbus_sim_pause_host(th->sim, true);
	while (VmbChannelSendSynchronousRequest(th->ch, &payload, sizeof(payload), NULL, 0,
						NULL, NULL, &zero) == STATUS_SUCCESS)
		KUNIT_ASSERT_LT(test, ++filled, 1000u);
	KUNIT_ASSERT_GT(test, filled, 0u);
	KUNIT_EXPECT_EQ(test, vmb_rc_release(rc, U32_MAX), n);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_queued), (u64)n);

	/* a request queues, takes over pending_send_sz, and times out */
	s = vmb_th_sync_start(th, WAIT, &timeout);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, completion_done(&s->done)));
	KUNIT_EXPECT_EQ(test, s->status, STATUS_CANCELLED);
	out = &th->hv_dev->channel->outbound;
	pending = READ_ONCE(out->ring_buffer->pending_send_sz);
	/* the oldest completion's room: descriptor, 200 bytes, trailer */
	KUNIT_EXPECT_EQ(test, pending, 16u + 200 + 8);

	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == n));
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_not_sent), 0ULL);
}

/* Ring bytes of a completion: descriptor, payload, trailer. */
#define COMP_BYTES(payload)	(16 + ALIGN(payload, 8) + 8)

/* Complete a held packet with @length bytes of @buf. */
static void complete_held(struct vmb_rc *rc, const void *buf, u32 length)
{
	struct vmb_rc_held h;

	KUNIT_ASSERT_TRUE(rc->test, vmb_rc_pop(rc, &h));
	atomic_inc(&rc->retired);
	VmbChannelPacketComplete(h.pkt, buf, length);
}

/*
 * A send waits for a transaction id, not for ring space, while a completion
 * waits for ring space: the host's signal for the completion's room must
 * come (the send's request for room would be met already, so the host
 * would never cross it), and nothing but that signal may send it: the host
 * answers nothing meanwhile, so no other callback runs.
 */
static void completion_sent_while_a_send_waits_for_an_id(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	struct vmb_rc *rc = vmb_rc_setup(test, th, VMB_RC_HOLD);
	struct hv_ring_buffer_info *out;
	struct vmb_tp *first, *second;
	u32 i, n = 10, sent = 0, left = 128, bytes;
	u8 *buf;

	buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	vmb_th_small_rings(th);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketCount(th->ch, 1), STATUS_SUCCESS);
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 64, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == n));

	/* the one transaction id goes to a request the host holds */
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 1000, WAIT, &first), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	/* the next one queues for an id; the ring has room */
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 1001, WAIT, &second), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, packets_queued), 1ULL);

	/* the host stops reading; completions leave @left bytes free */
	vmbus_sim_pause_host(th->sim, true);
	out = &th->hv_dev->channel->outbound;
	while (hv_get_bytes_to_write(out) > left) {
		/* whole completions, none shorter than a bare one */
		bytes = hv_get_bytes_to_write(out) - left;
		if (bytes > COMP_BYTES(1024))
			bytes = min(COMP_BYTES(1024), bytes - COMP_BYTES(0));
		KUNIT_ASSERT_GE(test, bytes, COMP_BYTES(0));
		complete_held(rc, buf, bytes - COMP_BYTES(0));
		KUNIT_ASSERT_LT(test, ++sent, n - 1);
	}
	KUNIT_ASSERT_EQ(test, hv_get_bytes_to_write(out), left);
	/* this one does not fit: it waits for room */
	complete_held(rc, buf, 512);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_queued), 1ULL);

	/* the host reads again: every completion arrives, the request still waits */
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == sent + 1));
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_not_sent), 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&second->calls), 0);

	/* the host answers the first request: the second goes out */
	vmb_th_release(th, false);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&first->calls) == 1));
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == sent + 3));
}

static struct kunit_case vmb_receive_cases[] = {
	KUNIT_CASE(inband_delivered_in_order),
	KUNIT_CASE(completion_echoes_transaction_id),
	KUNIT_CASE(complete_later_from_process_context),
	KUNIT_CASE(complete_from_hardirq),
	KUNIT_CASE(batches_counted),
	KUNIT_CASE(client_context_only_when_sized),
	KUNIT_CASE(own_completions_never_delivered),
	KUNIT_CASE(large_packets_across_the_wrap),
	KUNIT_CASE(gpa_direct_external_data),
	KUNIT_CASE(transfer_pages_external_data),
	KUNIT_CASE(inband_has_no_external_data),
	KUNIT_CASE(completion_queued_while_ring_full),
	KUNIT_CASE(fail_stops_delivery_until_disable),
	KUNIT_CASE(reenable_starts_clean),
	KUNIT_CASE(hv_copy_buffer_restored),
	KUNIT_CASE(client_scribbles_over_payload),
	KUNIT_CASE(spare_reused_after_in_call_complete),
	KUNIT_CASE(queued_completion_over_own_payload),
	KUNIT_CASE(kept_packets_sized_by_payload),
	KUNIT_CASE(kept_packets_without_completion_sized_by_payload),
	KUNIT_CASE(completions_take_over_pending_send_size),
	KUNIT_CASE(completion_sent_while_a_send_waits_for_an_id),
	{ }
};

static struct kunit_suite vmb_receive_suite = {
	.name = "vmb_receive",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_rc_case_exit,
	.test_cases = vmb_receive_cases,
};

kunit_test_suite(vmb_receive_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl incoming delivery and completion");
MODULE_LICENSE("GPL");
