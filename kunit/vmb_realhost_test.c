// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for what a real host sees and does, where a kind test host
 * would hide a defect:
 *
 * - every byte the guest writes for a packet is payload, zero padding or a
 *   protocol field: no kernel address, no byte of the memory around a
 *   payload (the sources are poisoned and the host scans the ring bytes);
 * - a host owns the pages of a GPA-direct request until it completes it or
 *   the channel is closed, and may write them up to CLOSECHANNEL: the
 *   caller gets its pages back (completion routine, synchronous return)
 *   only after that;
 * - one owner per hv channel: Enable on a channel its driver or another
 *   vmb channel opened fails and touches nothing; a failed open leaves the
 *   hv channel exactly as it was;
 * - ring sizes hv_vmbus cannot allocate fail at Init with a status;
 * - a GPADL whose teardown failed stays shared and is retried at close;
 * - external data reaches the host through the DMA API: its own frames on
 *   an ordinary guest (no copy), bounce frames where swiotlb bounces
 *   everything (swiotlb=force, as on a confidential VM; make check boots
 *   this suite once more that way).
 */
#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0d13, 0x4e11, 0x9a, 0x13, \
				 0x72, 0x65, 0x61, 0x6c, 0x68, 0x73)

#include <linux/mm.h>
#include <linux/swiotlb.h>

#include "vmb_test_host.h"

#define WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define POISON		0xa5
#define SRC_BYTES	64
/* the lowest canonical kernel address on x86_64 (and arm64's linear map) */
#define KERNEL_HALF	0xffff000000000000ULL

/*
 * A test payload of @len bytes (2..SRC_BYTES) at the start of @src, whose
 * rest is poison: byte 0 is the length, the others never 0 or POISON.
 */
static void make_payload(u8 *src, u32 len)
{
	u32 i;

	memset(src, POISON, SRC_BYTES);
	src[0] = len;
	for (i = 1; i < len; i++)
		src[i] = 1 + (i * 7) % 0x70;
}

/* What the scanning host found; th->priv. */
struct wire_scan {
	u32 packets;
	u32 checked;		/* packets whose payload was a test payload */
	u32 kernel_addresses;
	u32 bad_payloads;
	u32 ids_not_zero;	/* a data packet without a transaction, id != 0 */
	u32 bad_reserved;	/* GPA-direct header words that are not 0 */
};

/* Whether @p (@n bytes, VMBus-padded) is make_payload() and zeros after it. */
static bool payload_ok(const u8 *p, u32 n)
{
	u32 len = p[0], i;

	if (len < 2 || len > SRC_BYTES || len > n)
		return false;
	for (i = 1; i < n; i++)
		if (p[i] != (i < len ? 1 + (i * 7) % 0x70 : 0))
			return false;
	return true;
}

static void scan_packet(struct vmb_th *th, const struct vmbus_sim_packet *pkt)
{
	struct wire_scan *w = th->priv;
	const struct vmbus_packet_mpb_array *mpb = pkt->raw;
	u64 word;
	u32 off;

	w->packets++;
	for (off = 0; off + sizeof(u64) <= pkt->raw_length; off += sizeof(u64)) {
		memcpy(&word, (const u8 *)pkt->raw + off, sizeof(word));
		if (word >= KERNEL_HALF)
			w->kernel_addresses++;
	}
	if (pkt->type != VM_PKT_COMP &&
	    !(pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED) && pkt->trans_id)
		w->ids_not_zero++;
	if (pkt->type == VM_PKT_DATA_USING_GPA_DIRECT && mpb->reserved)
		w->bad_reserved++;
	/* the first byte of a test payload is its length, 2..64 */
	if (!pkt->length)
		return;
	w->checked++;
	if (!payload_ok(pkt->data, pkt->length))
		w->bad_payloads++;
}

/* Completes each host packet with a 5-byte test payload. */
static void scan_process(VMBCHANNEL ch, VMBPACKETCOMPLETION pc, void *buf, u32 len,
			 u32 flags)
{
	u8 src[SRC_BYTES];

	make_payload(src, 5);
	VmbChannelPacketComplete(pc, src, 5);
}

/*
 * Every kind of packet the library writes: inband with and without a
 * transaction, from the ring and from the send queue (a packet object in
 * poisoned caller memory), GPA-direct, a synchronous request, and
 * completions of host packets. The host finds only payload, zero padding
 * and protocol fields: no kernel address and no poison byte.
 */
static void wire_bytes_are_payload_padding_or_protocol(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct wire_scan *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	u8 src[SRC_BYTES], reply[16];
	u32 size, i, sent = 0, obj_size;
	struct vmb_tp *tp;
	VMBPACKET pkt;
	struct vmb_mdl *mdl;
	void *obj, *ext;

	KUNIT_ASSERT_NOT_NULL(test, w);
	th->priv = w;
	th->on_packet = scan_packet;
	vmb_th_small_rings(th);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(th->ch, scan_process, NULL),
			STATUS_SUCCESS);
	vmb_th_enable(th);

	/* inband, each length from 2 to 17, without and with a transaction */
	for (i = 2; i < 18; i++) {
		make_payload(src, i);
		pkt = vmb_th_packet(th, &tp);
		KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, src, i, NULL, i % 2 ? WAIT : 0),
				STATUS_SUCCESS);
		sent++;
	}

	/* queued behind a paused host, in a poisoned caller-allocated object */
	obj_size = VmbChannelSizeofPacket(th->ch);
	obj = kunit_kmalloc(test, obj_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	memset(obj, POISON, obj_size);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, READ_ONCE(w->packets) == sent));
	vmbus_sim_pause_host(th->sim, true);
	make_payload(src, 16);
	do {
		pkt = vmb_th_packet(th, &tp);
		KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, src, 16, NULL, 0), STATUS_SUCCESS);
		KUNIT_ASSERT_LT(test, ++sent, 1000U);
	} while (atomic_read(&tp->calls));
	KUNIT_ASSERT_EQ(test, VmbPacketInitialize(th->ch, obj, obj_size), STATUS_SUCCESS);
	tp = vmb_th_tracker(th, false);
	VmbPacketSetPointer(obj, tp);
	VmbPacketSetCompletionRoutine(obj, vmb_th_routine);
	make_payload(src, 11);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(obj, src, 11, NULL, 0), STATUS_SUCCESS);
	sent++;
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));

	/* GPA-direct, inline part 13 bytes */
	ext = kunit_kzalloc(test, 3000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ext);
	mdl = vmb_mdl_from_buffer(ext, 3000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	make_payload(src, 13);
	pkt = vmb_th_packet(th, &tp);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, src, 13, mdl, 0, 0, WAIT),
			STATUS_SUCCESS);
	sent++;
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	vmb_mdl_free(mdl);

	/* a synchronous request of 7 bytes */
	make_payload(src, 7);
	size = sizeof(reply);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, src, 7, NULL, WAIT,
							       reply, &size, NULL),
			STATUS_SUCCESS);
	sent++;

	/* host packets the guest completes with 5 bytes of a poisoned buffer */
	make_payload(src, 9);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND,
						     VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED,
						     40 + i, src, 9), 0);
	sent += 3;
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, READ_ONCE(w->packets) >= sent));

	KUNIT_EXPECT_EQ(test, w->packets, sent);
	KUNIT_EXPECT_EQ(test, w->checked, w->packets);
	KUNIT_EXPECT_EQ(test, w->kernel_addresses, 0U);
	KUNIT_EXPECT_EQ(test, w->bad_payloads, 0U);
	KUNIT_EXPECT_EQ(test, w->ids_not_zero, 0U);
	KUNIT_EXPECT_EQ(test, w->bad_reserved, 0U);
}

/* A data packet without a transaction carries id 0, whatever sent it. */
static void send_without_transaction_carries_id_zero(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_th_pkt p;
	struct vmb_tp *tp;
	u32 i;

	vmb_th_enable(th);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, i, 0, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 4));
	for (i = 0; i < 4; i++) {
		p = vmb_th_pkt(th, i);
		KUNIT_EXPECT_EQ(test, p.seq, (u64)i);
		KUNIT_EXPECT_EQ(test, p.trans_id, 0ULL);
	}
}

/* A host that kept a GPA-direct request and writes its pages at close. */
struct late_host {
	u8 raw[512];
	const struct gpa_range *ranges[4];
	struct vmbus_sim_packet pkt;	/* a copy, its ranges into raw[] */
	bool have;
	u8 pattern[64];
	int write_ret;
	/* what the completion routine found in the caller's buffer */
	bool routine_saw_write;
	NTSTATUS routine_status;
	u8 *buffer;			/* the caller's, freed by the routine */
	struct vmb_mdl *mdl;
};

static void late_keep(struct vmb_th *th, const struct vmbus_sim_packet *pkt)
{
	struct late_host *l = th->priv;
	u32 i;

	if (pkt->type != VM_PKT_DATA_USING_GPA_DIRECT || l->have ||
	    pkt->raw_length > sizeof(l->raw) || pkt->range_count > ARRAY_SIZE(l->ranges))
		return;
	memcpy(l->raw, pkt->raw, pkt->raw_length);
	for (i = 0; i < pkt->range_count; i++)
		l->ranges[i] = (const void *)(l->raw + ((const u8 *)pkt->ranges[i] -
							(const u8 *)pkt->raw));
	l->pkt.range_count = pkt->range_count;
	l->pkt.ranges = l->ranges;
	l->have = true;
}

/* CLOSECHANNEL: the last moment the host may still write the pages. */
static void late_write(struct vmb_th *th)
{
	struct late_host *l = th->priv;

	if (l->have)
		l->write_ret = vmbus_sim_copy_to_guest(th->sim, &l->pkt, 0, l->pattern,
						       sizeof(l->pattern));
}

/* The caller's routine: its buffer is its own again, so it frees it. */
static void late_routine(VMBPACKET packet, NTSTATUS status, void *buf, u32 len)
{
	struct vmb_tp *tp = VmbPacketGetPointer(packet);
	struct late_host *l = tp->th->priv;

	l->routine_status = status;
	l->routine_saw_write = !memcmp(l->buffer, l->pattern, sizeof(l->pattern));
	kfree(l->buffer);
	l->buffer = NULL;
	vmb_th_routine(packet, status, buf, len);
}

static struct late_host *late_setup(struct kunit *test, struct vmb_th *th)
{
	struct late_host *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	memset(l->pattern, 0x3c, sizeof(l->pattern));
	l->buffer = kzalloc(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->buffer);
	l->mdl = vmb_mdl_from_buffer(l->buffer, 256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->mdl);
	th->priv = l;
	th->on_packet = late_keep;
	th->on_close = late_write;
	return l;
}

/*
 * Disable with a GPA-direct request the host still holds: the host writes
 * the pages at CLOSECHANNEL, and the cancelled routine, which frees them,
 * sees that write: it ran after the close. (Run the other way round, the
 * host writes into freed memory, which KASAN reports.)
 */
static void cancelled_routine_runs_after_host_let_go(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	struct late_host *l = late_setup(test, th);
	struct vmb_tp *tp, *inband;
	VMBPACKET pkt;
	u64 seq = 1;
	int closed;

	vmb_th_enable(th);
	pkt = vmb_th_packet(th, &tp);
	VmbPacketSetCompletionRoutine(pkt, late_routine);
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(pkt, &seq, sizeof(seq), l->mdl,
							   0, 0, WAIT),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 2, WAIT, &inband), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 2 && l->have));
	vmb_mdl_free(l->mdl);
	vmb_th_clear_events(th);

	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, l->write_ret, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
	KUNIT_EXPECT_EQ(test, l->routine_status, STATUS_CANCELLED);
	KUNIT_EXPECT_TRUE(test, l->routine_saw_write);
	KUNIT_EXPECT_EQ(test, inband->status, STATUS_CANCELLED);
	/* no routine had run when the host handled CLOSECHANNEL; Closed after */
	closed = vmb_th_find(th, VMB_EV_HOST_CLOSE);
	KUNIT_ASSERT_GE(test, closed, 0);
	KUNIT_EXPECT_EQ(test, th->event_cancelled[closed], 0);
	KUNIT_EXPECT_GT(test, vmb_th_find(th, VMB_EV_CLOSED), closed);
}

/* A synchronous request with external data, from a thread. */
struct ext_sync {
	struct vmb_th *th;
	struct late_host *l;
	s64 timeout;
	NTSTATUS status;
	bool saw_write;
	struct completion done;
	struct completion exited;
};

static int ext_sync_fn(void *arg)
{
	struct ext_sync *s = arg;
	u64 payload = 7, reply[2];
	u32 size = sizeof(reply);

	s->status = VmbChannelSendSynchronousRequest(s->th->ch, &payload, sizeof(payload),
						     s->l->mdl, WAIT, reply, &size,
						     &s->timeout);
	/* the pages are the caller's again: what did the host leave there? */
	s->saw_write = !memcmp(s->l->buffer, s->l->pattern, sizeof(s->l->pattern));
	kfree(s->l->buffer);
	s->l->buffer = NULL;
	complete(&s->done);
	kthread_complete_and_exit(&s->exited, 0);
}

static struct ext_sync *ext_sync_start(struct kunit *test, struct vmb_th *th,
				       struct late_host *l)
{
	struct ext_sync *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->th = th;
	s->l = l;
	s->timeout = -50 * 10000LL;	/* 50 ms */
	init_completion(&s->done);
	init_completion(&s->exited);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(ext_sync_fn, s, "vmb_ext_sync")));
	return s;
}

/*
 * The request's 50 ms run out while the host holds it. That the call is
 * still waiting 300 ms later can only be seen by waiting: no event marks
 * a return that does not happen.
 */
static void expect_still_waiting(struct kunit *test, struct vmb_th *th, struct ext_sync *s)
{
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	msleep(300);
	KUNIT_EXPECT_FALSE(test, completion_done(&s->done));
}

/*
 * Past its timeout, a synchronous request with external data returns only
 * when the host completes it; the host's late write is what the caller
 * finds in its pages.
 */
static void sync_with_mdl_waits_past_timeout_for_completion(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	struct late_host *l = late_setup(test, th);
	struct vmb_th_held h;
	struct ext_sync *s;

	vmb_th_enable(th);
	s = ext_sync_start(test, th, l);
	expect_still_waiting(test, th, s);
	KUNIT_ASSERT_TRUE(test, l->have);
	KUNIT_EXPECT_EQ(test, vmbus_sim_copy_to_guest(th->sim, &l->pkt, 0, l->pattern,
						      sizeof(l->pattern)), 0);
	/* a host that completed no longer touches the pages */
	l->have = false;
	KUNIT_ASSERT_TRUE(test, vmb_th_pop(th, false, &h));
	vmb_th_complete(th, h.trans_id, h.data, h.length);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&s->done, VMB_TH_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, s->status, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, s->saw_write);
	wait_for_completion(&s->exited);
	vmb_mdl_free(l->mdl);
}

/* ... or when the channel closes: then the host's CLOSECHANNEL write is in. */
static void sync_with_mdl_waits_past_timeout_for_close(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_HOLD);
	struct late_host *l = late_setup(test, th);
	struct ext_sync *s;

	vmb_th_enable(th);
	s = ext_sync_start(test, th, l);
	expect_still_waiting(test, th, s);
	VmbChannelDisable(th->ch);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&s->done, VMB_TH_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, s->status, STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_EQ(test, l->write_ret, 0);
	KUNIT_EXPECT_TRUE(test, s->saw_write);
	wait_for_completion(&s->exited);
	vmb_mdl_free(l->mdl);
}

/* hv channel settings a driver chose, to prove nobody overwrote them. */
static u64 sentinel_next_id(struct vmbus_channel *chan, u64 addr)
{
	return VMBUS_RQST_ERROR;
}

static u64 sentinel_addr(struct vmbus_channel *chan, u64 id)
{
	return VMBUS_RQST_ERROR;
}

static atomic_t own_callbacks = ATOMIC_INIT(0);

static void own_callback(void *context)
{
	atomic_inc(&own_callbacks);
}

static void set_sentinels(struct vmbus_channel *chan)
{
	chan->max_pkt_size = 4321;
	chan->rqstor_size = 0;
	chan->next_request_id_callback = NULL;
	chan->request_addr_callback = NULL;
	set_channel_read_mode(chan, HV_CALL_ISR);
}

static void expect_sentinels(struct kunit *test, struct vmbus_channel *chan)
{
	KUNIT_EXPECT_EQ(test, chan->max_pkt_size, 4321U);
	KUNIT_EXPECT_EQ(test, chan->rqstor_size, 0U);
	KUNIT_EXPECT_NULL(test, (void *)chan->next_request_id_callback);
	KUNIT_EXPECT_NULL(test, (void *)chan->request_addr_callback);
	KUNIT_EXPECT_EQ(test, chan->callback_mode, HV_CALL_ISR);
}

/*
 * The driver opened the hv channel itself: Enable fails with
 * STATUS_DEVICE_BUSY and the driver's channel goes on as before.
 */
static void enable_refused_on_channel_its_driver_opened(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmbus_channel *chan = th->hv_dev->channel;
	u64 payload = 3;
	int before;

	set_sentinels(chan);
	KUNIT_ASSERT_EQ(test, vmbus_open(chan, VMBUS_RING_SIZE(SZ_16K), VMBUS_RING_SIZE(SZ_16K),
					 NULL, 0, own_callback, th), 0);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(th->ch), STATUS_DEVICE_BUSY);
	expect_sentinels(test, chan);
	KUNIT_EXPECT_PTR_EQ(test, (void *)chan->onchannel_callback, (void *)own_callback);
	KUNIT_EXPECT_PTR_EQ(test, chan->channel_callback_context, (void *)th);
	KUNIT_EXPECT_EQ(test, chan->state, CHANNEL_OPENED_STATE);

	/* the driver's rings still carry its traffic */
	before = atomic_read(&own_callbacks);
	KUNIT_EXPECT_EQ(test, vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND, 0, 0, &payload,
					     sizeof(payload)), 0);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, atomic_read(&own_callbacks) > before));
	vmbus_close(chan);
}

/* Two vmb channels on one device: the second Enable fails, the first works. */
static void second_channel_on_one_device_refused(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	s64 timeout = -2 * 10000000LL;	/* 2 s */
	u64 payload = 9, reply = 0;
	u32 size = sizeof(reply);
	VMBCHANNEL second;

	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(&th->hv_dev->device, false, &second),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(second), STATUS_DEVICE_BUSY);
	VmbChannelCleanup(second);

	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, &payload, sizeof(payload),
							       NULL, WAIT, &reply, &size,
							       &timeout),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, reply, payload);

	/* once the first lets go, the second may have it */
	VmbChannelDisable(th->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(&th->hv_dev->device, false, &second),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(second), STATUS_SUCCESS);
	VmbChannelCleanup(second);
}

/* The host refuses the open: every hv channel field is as it was. */
static void failed_open_restores_hv_channel(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmbus_channel *chan = th->hv_dev->channel;

	th->refuse_open = -EIO;
	set_sentinels(chan);
	chan->next_request_id_callback = sentinel_next_id;
	chan->request_addr_callback = sentinel_addr;
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(VmbChannelEnable(th->ch)));
	KUNIT_EXPECT_EQ(test, chan->max_pkt_size, 4321U);
	KUNIT_EXPECT_EQ(test, chan->rqstor_size, 0U);
	KUNIT_EXPECT_PTR_EQ(test, (void *)chan->next_request_id_callback,
			    (void *)sentinel_next_id);
	KUNIT_EXPECT_PTR_EQ(test, (void *)chan->request_addr_callback, (void *)sentinel_addr);
	KUNIT_EXPECT_EQ(test, chan->callback_mode, HV_CALL_ISR);
	/* no callback is left pointing at the vmb channel */
	KUNIT_EXPECT_NULL(test, (void *)chan->onchannel_callback);
	KUNIT_EXPECT_EQ(test, chan->state, CHANNEL_OPEN_STATE);

	/* and the channel opens once the host accepts */
	chan->next_request_id_callback = NULL;
	chan->request_addr_callback = NULL;
	th->refuse_open = 0;
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(th->ch), STATUS_SUCCESS);
}

/*
 * Ring sizes: both rings (VMBUS_RING_SIZE() each: below 8 pages with a
 * header page on top) are one contiguous block of at most 4 MiB, with
 * 4 KiB pages on both kernels.
 */
static void ring_pages_bounded_by_one_contiguous_block(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u32 max = SZ_4M / HV_HYP_PAGE_SIZE - 2;
	u64 payload = 5, reply = 0;
	u32 size = sizeof(reply);

	if (PAGE_SIZE != SZ_4K)
		kunit_skip(test, "bounds computed for 4 KiB pages");
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, max + 1, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, 1, max + 1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, max, 2),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, 513, 512),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, U32_MAX, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, 512, 512),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, max, 1),
			STATUS_SUCCESS);

	/* the largest accepted pair opens and carries a request */
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 1024), STATUS_SUCCESS);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, &payload, sizeof(payload),
							       NULL, WAIT, &reply, &size,
							       NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, reply, payload);
}

/*
 * A GPADL whose teardown failed is still shared: the library keeps it and
 * tears it down at close, and only then does the host lose the pages.
 */
static void failed_gpadl_teardown_is_kept_and_retried(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmbus_sim_stats st;
	u32 handle = 0;
	u64 word = 0;
	void *buf;

	buf = (void *)__get_free_pages(GFP_KERNEL, 1);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0x42, 2 * PAGE_SIZE);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, buf, 2 * PAGE_SIZE,
							      &handle),
			STATUS_SUCCESS);
	vmbus_sim_get_stats(th->sim, &st);
	KUNIT_ASSERT_EQ(test, st.gpadls, 2U);	/* the ring's and ours */

	vmbus_sim_fail_gpadl_teardowns(th->sim, 1);
	VmbChannelDeleteGpadl(th->ch, handle);
	vmbus_sim_get_stats(th->sim, &st);
	KUNIT_EXPECT_EQ(test, st.gpadls, 2U);
	KUNIT_EXPECT_EQ(test, vmbus_sim_gpadl_copy_from_guest(th->sim, handle, 8, &word,
							      sizeof(word)), 0);
	KUNIT_EXPECT_EQ(test, word, 0x4242424242424242ULL);

	VmbChannelDisable(th->ch);
	vmbus_sim_get_stats(th->sim, &st);
	KUNIT_EXPECT_EQ(test, st.gpadls, 0U);
	/* the host may still have the pages when the teardown never worked */
	if (!st.gpadls)
		free_pages((unsigned long)buf, 1);
}

/* What the host saw of a GPA-direct packet's frames. */
struct dma_host {
	struct device *dev;
	u32 frames;
	u32 own_frames;		/* frames of the caller's buffer itself */
	u32 bounce_frames;	/* frames in swiotlb's pool */
	const u8 *buffer;	/* the caller's, for own_frames */
	u32 length;
	u8 data[6000];
	int read_ret;
	int write_ret;
};

static bool frame_of(const u8 *buf, u32 len, u64 gpa)
{
	u32 off;

	for (off = 0; off < len; off = round_down(off, PAGE_SIZE) + PAGE_SIZE)
		if (PHYS_PFN(gpa) == PHYS_PFN(virt_to_phys((void *)(buf + off))))
			return true;
	return false;
}

static void dma_look(struct vmb_th *th, const struct vmbus_sim_packet *pkt)
{
	struct dma_host *h = th->priv;
	const struct gpa_range *range;
	u32 r, i, n;
	u64 gpa;

	if (pkt->type != VM_PKT_DATA_USING_GPA_DIRECT)
		return;
	for (r = 0; r < pkt->range_count; r++) {
		range = pkt->ranges[r];
		n = HVPFN_UP(range->byte_offset + range->byte_count);
		for (i = 0; i < n; i++) {
			gpa = (range->pfn_array[i] << HV_HYP_PAGE_SHIFT) +
			      (i ? 0 : range->byte_offset);
			h->frames++;
			h->own_frames += frame_of(h->buffer, h->length, gpa);
			h->bounce_frames += vmb_is_swiotlb_buffer(h->dev, gpa);
		}
	}
	h->read_ret = vmbus_sim_copy_from_guest(th->sim, pkt, 0, h->data, h->length);
	/* the host's answer: every byte + 1 */
	for (i = 0; i < h->length; i++)
		h->data[i]++;
	h->write_ret = vmbus_sim_copy_to_guest(th->sim, pkt, 0, h->data, h->length);
}

/*
 * A 5000-byte window at offset 100 of a kmalloc'd buffer (three frames,
 * the first and last in part): the host reads it intact through the frames
 * it was given and its write is in the caller's buffer when the routine
 * runs. Return: the host's record.
 */
static struct dma_host *external_round_trip(struct kunit *test, struct vmb_th *th)
{
	struct dma_host *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct vmb_mdl *mdl;
	struct vmb_tp *tp;
	VMBPACKET pkt;
	u8 *buf;
	u64 seq = 1;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	buf = kunit_kmalloc(test, 5200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 5200; i++)
		buf[i] = i * 13;
	h->dev = &th->hv_dev->device;
	h->buffer = buf + 100;
	h->length = 5000;
	th->priv = h;
	th->on_packet = dma_look;
	vmb_th_enable(th);

	mdl = vmb_mdl_from_buffer(buf + 100, 5000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	pkt = vmb_th_packet(th, &tp);
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(pkt, &seq, sizeof(seq), mdl, 0, 0,
							   WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	vmb_mdl_free(mdl);
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, h->read_ret, 0);
	KUNIT_EXPECT_EQ(test, h->write_ret, 0);
	KUNIT_EXPECT_GE(test, h->frames, 2U);
	for (i = 0; i < 5000; i++)
		if (h->data[i] != (u8)((i + 100) * 13 + 1) || buf[i + 100] != h->data[i])
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, 5000U, "data differs at byte %u", i);
	return h;
}

/* An ordinary guest: the host gets the caller's own frames, nothing copied. */
static void external_data_zero_copy_without_bounce(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct dma_host *h;

	if (is_swiotlb_force_bounce(&th->hv_dev->device))
		kunit_skip(test, "swiotlb bounces every mapping in this boot");
	h = external_round_trip(test, th);
	KUNIT_EXPECT_EQ(test, h->own_frames, h->frames);
	KUNIT_EXPECT_EQ(test, h->bounce_frames, 0U);
}

/*
 * swiotlb=force, as on a confidential VM where the host can reach only
 * shared memory: every frame the host is given lies in the bounce pool.
 */
static void external_data_bounced_under_swiotlb_force(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct dma_host *h;

	if (!is_swiotlb_force_bounce(&th->hv_dev->device))
		kunit_skip(test, "needs a boot with swiotlb=force");
	h = external_round_trip(test, th);
	KUNIT_EXPECT_EQ(test, h->bounce_frames, h->frames);
	KUNIT_EXPECT_EQ(test, h->own_frames, 0U);
}

static struct kunit_case vmb_realhost_cases[] = {
	KUNIT_CASE(send_without_transaction_carries_id_zero),
	KUNIT_CASE(wire_bytes_are_payload_padding_or_protocol),
	KUNIT_CASE(cancelled_routine_runs_after_host_let_go),
	KUNIT_CASE(sync_with_mdl_waits_past_timeout_for_completion),
	KUNIT_CASE(sync_with_mdl_waits_past_timeout_for_close),
	KUNIT_CASE(enable_refused_on_channel_its_driver_opened),
	KUNIT_CASE(second_channel_on_one_device_refused),
	KUNIT_CASE(failed_open_restores_hv_channel),
	KUNIT_CASE(ring_pages_bounded_by_one_contiguous_block),
	KUNIT_CASE(failed_gpadl_teardown_is_kept_and_retried),
	KUNIT_CASE(external_data_zero_copy_without_bounce),
	KUNIT_CASE(external_data_bounced_under_swiotlb_force),
	{ }
};

static struct kunit_suite vmb_realhost_suite = {
	.name = "vmb_realhost",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_realhost_cases,
};

kunit_test_suite(vmb_realhost_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl against what a real host sees and does");
MODULE_LICENSE("GPL");
