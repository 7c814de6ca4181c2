// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for a hostile host, one case per misbehaviour of the host in
 * Documentation/pitfalls.rst, then a seeded randomized host: at least
 * 100 000 malformed packets per run through vmbus_sim_send_raw(), spread
 * over several cases, interleaved with valid traffic in both directions
 * whose results are checked one by one.
 *
 * What a malformed packet must do: be dropped, counted and reported, when
 * it frames correctly; stop incoming delivery until Disable when the ring's
 * framing cannot be trusted any more; never crash, leak or touch another
 * packet (KASAN, kmemleak and the slab checks of the debug kernels watch).
 *
 * The random cases print their seed. To run them again with it, load the
 * module with seed=<n> (6.12), or build it with KCFLAGS=-DVMB_HOSTILE_SEED=<n>
 * (6.1 runs a module's suites before it parses the module's parameters).
 */
#include <kunit/test.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/vmalloc.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0024, 0x4e11, 0x9a, 0x24, \
				 0x68, 0x6f, 0x73, 0x74, 0x69, 0x6c)
#include "vmb_test_host.h"
#include "vmb_rx_client.h"

#define WAIT VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define REQ VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED
#define EXT VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA

#ifndef VMB_HOSTILE_SEED
#define VMB_HOSTILE_SEED 0
#endif

static ulong seed = VMB_HOSTILE_SEED;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the randomized host (0: a random one)");

static struct vmb_rc *start(struct kunit *test, enum vmb_th_model model,
			    enum vmb_rc_policy policy, struct vmb_th **thp)
{
	struct vmb_th *th = vmb_th_setup(test, model);

	*thp = th;
	return vmb_rc_setup(test, th, policy);
}

static struct hv_ring_buffer_info *inbound(struct vmb_th *th)
{
	return &th->hv_dev->channel->inbound;
}

/* A valid numbered packet goes through, and is the last thing delivered. */
static void expect_alive(struct kunit *test, struct vmb_th *th, struct vmb_rc *rc, u64 seq)
{
	u32 before = vmb_rc_calls(rc);

	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, seq, 24, 0), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == before + 1));
	KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, before).seq, seq);
	KUNIT_EXPECT_FALSE(test, vmb_rc_failed(th));
}

/* Delivery stopped for good: a valid packet is not delivered. */
static void expect_stopped(struct kunit *test, struct vmb_th *th, struct vmb_rc *rc)
{
	u32 before = vmb_rc_calls(rc);

	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_failed(th)));
	KUNIT_EXPECT_EQ(test, vmb_rc_host_send(th, 999, 24, 0), 0);
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), before);
}

/* Disable and enable: a fresh ring, delivery on again. */
static void reopen(struct kunit *test, struct vmb_th *th)
{
	VmbChannelDisable(th->ch);
	vmb_th_enable(th);
	KUNIT_EXPECT_FALSE(test, vmb_rc_failed(th));
}

/* The host writes an out-of-range or misaligned write index. */
static void inbound_write_index_out_of_range(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	struct hv_ring_buffer_info *in;

	vmb_th_enable(th);
	expect_alive(test, th, rc, 1);
	in = inbound(th);
	WRITE_ONCE(in->ring_buffer->write_index, in->ring_datasize + 8);
	KUNIT_ASSERT_EQ(test, vmbus_sim_interrupt(th->sim), 0);
	expect_stopped(test, th, rc);

	reopen(test, th);
	expect_alive(test, th, rc, 2);
	in = inbound(th);
	WRITE_ONCE(in->ring_buffer->write_index, in->ring_buffer->write_index + 4);
	KUNIT_ASSERT_EQ(test, vmbus_sim_interrupt(th->sim), 0);
	expect_stopped(test, th, rc);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->foreign), 0);
}

/*
 * The other ring: the host's read index of our outgoing ring. 6.12.117
 * hv_vmbus refuses to write (-EIO) and the packet waits for Disable; 6.1
 * does not check, and writes where the host's index leaves room.
 */
static void outbound_read_index_out_of_range(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	struct hv_ring_buffer_info *out;
	struct vmb_tp *tp;

	vmb_th_enable(th);
	expect_alive(test, th, rc, 1);
	vmbus_sim_pause_host(th->sim, true);
	out = &th->hv_dev->channel->outbound;
	WRITE_ONCE(out->ring_buffer->read_index, out->ring_datasize + 8);
	KUNIT_EXPECT_EQ(test, vmb_th_send_seq(th, 5, 0, &tp), STATUS_SUCCESS);
#ifdef VMB_HV_RING_WRITE_CHECKS_INDICES
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 0);
#else
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
#endif
	/* incoming delivery is not affected */
	expect_alive(test, th, rc, 2);
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
}

/* len8 and offset8 that do not fit the packet. */
static void lengths_that_do_not_fit(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	struct vmpacket_descriptor *d;
	u8 pkt[64], payload[16];
	u32 len;

	vmb_th_enable(th);
	/* offset8 below 2, then beyond len8: hv_vmbus takes 16, the packet goes on */
	vmb_rc_fill(payload, 10, sizeof(payload));
	len = vmb_rc_packet(pkt, VM_PKT_DATA_INBAND, 0, 0, NULL, 0, payload, sizeof(payload));
	d = (void *)pkt;
	d->offset8 = 1;
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	d->offset8 = 9;
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 2));
	KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, 0).seq, 10ULL);
	KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, 1).seq, 10ULL);
	expect_alive(test, th, rc, 11);

	/* len8 beyond the bytes written: the ring's framing is gone */
	d->offset8 = 2;
	d->len8 = 40;
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	expect_stopped(test, th, rc);

	/* len8 below the descriptor */
	reopen(test, th);
	d->len8 = 1;
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	expect_stopped(test, th, rc);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
}

/*
 * The host rewrites len8 in the ring while the guest reads it. The
 * guest parses only hv_vmbus's private copy, so whatever it sees is
 * consistent in itself: no access outside it, and after a reopen the
 * channel works.
 */
/*
 * Lengths that do not fit, with a write index the host moves back while a pass
 * reads: the first packet's ProcessPacket moves it into the middle of the
 * second, which hv_pkt_iter_first() then cuts to what the moved index leaves.
 * The cut packet must not look whole, and the read index must not pass the
 * host's.
 */
struct backstep {
	u32 to;
	bool done;
};

static struct backstep *backstep;

static void step_back(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt, void *buffer,
		      u32 length, u32 flags, u32 call)
{
	if (!backstep->done) {
		backstep->done = true;
		WRITE_ONCE(inbound(rc->th)->ring_buffer->write_index, backstep->to);
	}
	vmb_rc_complete(rc, pkt, buffer, length);
}

static void write_index_moved_back_mid_pass(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_CUSTOM, &th);
	struct hv_ring_buffer_info *in;
	u32 second, dsize, read;

	backstep = kunit_kzalloc(test, sizeof(*backstep), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, backstep);
	backstep->done = true;
	rc->custom = step_back;
	vmb_th_enable(th);
	expect_alive(test, th, rc, 1);
	in = inbound(th);
	dsize = in->ring_datasize;

	/* both in the ring before the pass that reads them */
	VmbChannelPause(th->ch);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 2, 24, 0), 0);
	second = READ_ONCE(in->ring_buffer->write_index);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 3, 400, 0), 0);
	/* the second packet's descriptor and 8 bytes of its payload */
	backstep->to = (second + 24) % dsize;
	backstep->done = false;
	VmbChannelStart(th->ch);

	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_failed(th)));
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 2u);
	KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, 1).seq, 2ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->foreign), 0);
	/* published up to the cut packet, not past the host's index */
	read = READ_ONCE(in->ring_buffer->read_index);
	KUNIT_EXPECT_EQ(test, read, second);
	/* hv_vmbus's own copy buffer is back, for close */
	KUNIT_EXPECT_NOT_NULL(test, in->pkt_buffer);

	reopen(test, th);
	expect_alive(test, th, rc, 4);
}

struct flipper {
	struct vmb_th *th;
	struct completion exited;
	bool stop;
	u32 flips;
};

static int flip_lengths(void *arg)
{
	struct flipper *f = arg;
	struct hv_ring_buffer_info *in = inbound(f->th);
	struct rnd_state rnd;
	u32 pos;

	u16 *len8, was;

	prandom_seed_state(&rnd, 3);
	while (!READ_ONCE(f->stop)) {
		pos = READ_ONCE(in->ring_buffer->write_index);
		pos = (pos + in->ring_datasize - 8 * (1 + prandom_u32_state(&rnd) % 16)) %
		      in->ring_datasize;
		pos &= ~7u;
		/* the len8 field of whatever starts there, wrong for a moment */
		len8 = (u16 *)((u8 *)hv_get_ring_buffer(in) + pos + 4);
		was = READ_ONCE(*len8);
		WRITE_ONCE(*len8, prandom_u32_state(&rnd) % 600);
		udelay(1 + prandom_u32_state(&rnd) % 20);
		WRITE_ONCE(*len8, was);
		f->flips++;
		usleep_range(20, 100);
	}
	kthread_complete_and_exit(&f->exited, 0);
}

static void length_rewritten_while_read(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	struct flipper *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct task_struct *task;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	vmb_th_enable(th);
	f->th = th;
	init_completion(&f->exited);
	task = kthread_run(flip_lengths, f, "vmb_flipper");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (i = 0; i < 2000 && !vmb_rc_failed(th); i++)
		if (vmb_rc_host_send(th, i, 8 + (i % 40) * 8, REQ))
			break;
	WRITE_ONCE(f->stop, true);
	wait_for_completion(&f->exited);
	kunit_info(test, "%u packets, %u rewrites, %u delivered, failed %d\n", i, f->flips,
		   vmb_rc_calls(rc), vmb_rc_failed(th));
	for (i = 0; i < min_t(u32, vmb_rc_calls(rc), VMB_RC_MAX); i++)
		KUNIT_EXPECT_LE(test, vmb_rc_rec(rc, i).length, (u32)VMB_RC_BIG);

	reopen(test, th);
	expect_alive(test, th, rc, 5000);
}

/* GPA-direct and transfer-page headers cut short. */
static void external_header_cut_short(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	u8 pkt[64], payload[16];
	u32 len;

	vmb_th_enable(th);
	vmb_rc_fill(payload, 1, sizeof(payload));
	len = vmb_rc_packet(pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, 1, NULL, 0,
			    payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	len = vmb_rc_packet(pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, 1, NULL, 0,
			    payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	expect_alive(test, th, rc, 2);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 1u);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, host_packets_rejected), 2ULL);
}

/* GPA ranges that do not add up. */
static void bad_gpa_ranges(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	u8 *page = (u8 *)get_zeroed_page(GFP_KERNEL);
	u8 *pkt = kunit_kzalloc(test, 256, GFP_KERNEL);
	u8 *hdr = kunit_kzalloc(test, 128, GFP_KERNEL);
	u8 payload[16];
	u64 w[8], pfn;
	u32 len, bad = 0;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_NOT_NULL(test, hdr);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, 8192, 4),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	pfn = virt_to_hvpfn(page);
	vmb_rc_fill(payload, 1, sizeof(payload));

#define SEND_GPA(count, nwords) do {						\
		len = vmb_rc_packet(pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, 1, hdr,	\
				    vmb_rc_gpa_header(hdr, count, w, nwords),	\
				    payload, sizeof(payload));			\
		KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);	\
		bad++;								\
	} while (0)

	w[0] = vmb_rc_range_word(100, 0);
	w[1] = pfn;
	SEND_GPA(0, 2);				/* no range, bytes left over */
	w[0] = vmb_rc_range_word(100, 4096);	/* offset past the frame */
	SEND_GPA(1, 2);
	w[0] = vmb_rc_range_word(0, 0);		/* empty */
	SEND_GPA(1, 2);
	w[0] = vmb_rc_range_word(100, 4000);	/* needs two frames, has one */
	SEND_GPA(1, 2);
	w[0] = vmb_rc_range_word(100, 0);	/* one frame, two given */
	w[2] = pfn;
	SEND_GPA(1, 3);
	SEND_GPA(2, 2);				/* two ranges, one there */
	SEND_GPA(0x7fffffff, 2);		/* absurd count */
	w[1] = 1ULL << 40;			/* not guest RAM */
	SEND_GPA(1, 2);
	w[1] = U64_MAX;				/* its address overflows */
	SEND_GPA(1, 2);
	w[0] = vmb_rc_range_word(4096 * 3, 0);	/* more than the channel's maximum */
	w[1] = pfn;
	w[2] = pfn;
	w[3] = pfn;
	SEND_GPA(1, 4);
	w[0] = vmb_rc_range_word(0xffffffff, 4095);	/* u32 sum overflow */
	SEND_GPA(1, 2);
#undef SEND_GPA

	expect_alive(test, th, rc, 2);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 1u);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, host_packets_rejected), (u64)bad);

	/* and a good one */
	w[0] = vmb_rc_range_word(4000, 96);
	w[1] = pfn;
	len = vmb_rc_packet(pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, 3, hdr,
			    vmb_rc_gpa_header(hdr, 1, w, 2), payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 2));
	KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, 1).flags, (u32)EXT);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 1));
	VmbChannelDisable(th->ch);
	free_page((unsigned long)page);
}

/* A packet longer than the channel accepts. */
static void packet_longer_than_accepted(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	u32 len, big = 8192;
	u8 *pkt = kunit_kzalloc(test, big, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 512), STATUS_SUCCESS);
	vmb_th_enable(th);

	/* a payload above the maximum, in a packet hv_vmbus copies whole: dropped */
	vmb_rc_fill(pkt + big / 2, 1, 1024);
	len = vmb_rc_packet(pkt, VM_PKT_DATA_INBAND, 0, 0, NULL, 0, pkt + big / 2, 1024);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	expect_alive(test, th, rc, 2);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, host_packets_rejected), 1ULL);

	/* beyond hv_vmbus's copy buffer: it cuts the packet and would desync */
	vmb_rc_fill(pkt + big / 2, 3, 3500);
	len = vmb_rc_packet(pkt, VM_PKT_DATA_INBAND, 0, 0, NULL, 0, pkt + big / 2, 3500);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	expect_stopped(test, th, rc);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 1u);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
}

/* A transfer-page header that claims @count ranges and holds @nranges. */
static u32 xfer_header(void *hdr, u16 set, u32 count, u32 nranges, const u64 *r)
{
	u32 len = vmb_rc_xfer_header(hdr, set, nranges, r);

	memcpy((u8 *)hdr + 4, &count, sizeof(count));
	return len;
}

/* Transfer-page ranges outside their GPADL, or naming none. */
static void transfer_ranges_outside_gpadl(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	u8 *pkt = kunit_kzalloc(test, 256, GFP_KERNEL);
	u8 *hdr = kunit_kzalloc(test, 128, GFP_KERNEL);
	u32 handle, len, bad = 0, size = 2 * PAGE_SIZE;
	void *buf = vzalloc(size);
	u64 r[4] = { };
	u8 payload[16];

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_NOT_NULL(test, hdr);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, 16384, 4),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, buf, size, &handle),
			STATUS_SUCCESS);
	vmb_rc_fill(payload, 1, sizeof(payload));

/* count ranges claimed, nranges of them in the header */
#define SEND_XFER(set, count, nranges) do {					\
		len = vmb_rc_packet(pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, 1, hdr,	\
				    xfer_header(hdr, set, count, nranges, r),		\
				    payload, sizeof(payload));			\
		KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);	\
		bad++;								\
	} while (0)

	r[0] = vmb_rc_range_word(1, size);		/* starts at the end */
	SEND_XFER((u16)handle, 1, 1);
	r[0] = vmb_rc_range_word(300, size - 200);	/* runs past the end */
	SEND_XFER((u16)handle, 1, 1);
	r[0] = vmb_rc_range_word(0x200, 0xffffff00);	/* offset + count wraps */
	SEND_XFER((u16)handle, 1, 1);
	r[0] = vmb_rc_range_word(0xffffffff, 1);	/* count wraps */
	SEND_XFER((u16)handle, 1, 1);
	r[0] = vmb_rc_range_word(0, 0);			/* empty */
	SEND_XFER((u16)handle, 1, 1);
	r[0] = vmb_rc_range_word(10, 0);
	SEND_XFER((u16)(handle + 1), 1, 1);		/* unknown set */
	SEND_XFER((u16)handle, 0, 0);			/* no range */
	r[1] = r[0];
	SEND_XFER((u16)handle, 4, 2);			/* more ranges than the header */
	r[0] = vmb_rc_range_word(size, 0);		/* over the channel's maximum */
	r[1] = r[0];
	r[2] = r[0];
	SEND_XFER((u16)handle, 3, 3);
#undef SEND_XFER

	expect_alive(test, th, rc, 2);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 1u);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, host_packets_rejected), (u64)bad);

	r[0] = vmb_rc_range_word(size, 0);
	len = vmb_rc_packet(pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, 3, hdr,
			    vmb_rc_xfer_header(hdr, (u16)handle, 1, r), payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 2));
	KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, 1).flags, (u32)EXT);
	VmbChannelDisable(th->ch);
	vfree(buf);
}

/* Packet types and flags the guest does not take. */
static void unknown_types_and_flags(struct kunit *test)
{
	static const u16 types[] = { 0, 1, 2, 3, 4, 5, 8, 0xa, 0xc, 0xd, 0xe, 0x100, 0xffff };
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	u8 pkt[64], payload[16];
	u32 i, len, bad = 0;

	vmb_th_enable(th);
	vmb_rc_fill(payload, 1, sizeof(payload));
	for (i = 0; i < ARRAY_SIZE(types); i++, bad++) {
		len = vmb_rc_packet(pkt, types[i], 0, 1, NULL, 0, payload, sizeof(payload));
		KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	}
	len = vmb_rc_packet(pkt, VM_PKT_DATA_INBAND, 0x2, 1, NULL, 0, payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	len = vmb_rc_packet(pkt, VM_PKT_DATA_INBAND, 0x8001, 1, NULL, 0, payload,
			    sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	/* a completion that asks for a completion */
	len = vmb_rc_packet(pkt, VM_PKT_COMP, REQ, 1, NULL, 0, payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	bad += 3;
	expect_alive(test, th, rc, 2);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 1u);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, host_packets_rejected), (u64)bad);
	KUNIT_EXPECT_EQ(test, vmb_rc_host_completions(th), 0u);
}

/*
 * Completions with id 0, unknown ids, U64_MAX and duplicates are
 * dropped; a host data packet with id 0 is delivered and answered with 0.
 */
static void bad_completion_ids_dropped(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_HOLD, VMB_RC_COMPLETE, &th);
	struct vmb_th_held h;
	struct vmb_tp *tp;
	u64 junk = 0x4a554e4b;

	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 77, WAIT, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_ASSERT_TRUE(test, vmb_th_pop(th, false, &h));
	KUNIT_EXPECT_EQ(test, vmbus_sim_complete(th->sim, 0, &junk, 8), 0);
	KUNIT_EXPECT_EQ(test, vmbus_sim_complete(th->sim, h.trans_id + 1000, &junk, 8), 0);
	KUNIT_EXPECT_EQ(test, vmbus_sim_complete(th->sim, U64_MAX, &junk, 8), 0);
	KUNIT_EXPECT_EQ(test, vmbus_sim_complete(th->sim, h.trans_id | (1ULL << 32), &junk, 8),
			0);
	expect_alive(test, th, rc, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 0);
	vmb_th_complete(th, h.trans_id, h.data, h.length);
	vmb_th_complete(th, h.trans_id, &junk, 8);
	expect_alive(test, th, rc, 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
	KUNIT_EXPECT_EQ(test, *(u64 *)tp->data, 77ULL);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_read), 6ULL);

	/* the host's own id 0 on a request: answered as it came */
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 3, 16, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, vmb_th_npkts(th) - 1).trans_id, 4ULL);
	KUNIT_EXPECT_EQ(test, vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND, REQ, 0, &junk, 8), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 2));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, vmb_th_npkts(th) - 1).trans_id, 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->foreign), 1);
}

/* More transactions than request ids, with incoming traffic between. */
static void request_ids_run_out(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_HOLD, VMB_RC_COMPLETE, &th);
	u32 i, n, slots;
	struct vmb_tp *tp;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	slots = th->hv_dev->channel->rqstor_size;
	n = slots + 20;
	KUNIT_ASSERT_LT(test, n, (u32)VMB_TH_MAX_PKTS);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, i, WAIT, &tp), STATUS_SUCCESS);
		if (i % 64 == 0)
			KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 16, 0), 0);
	}
	/* the host holds every id; the rest wait for one */
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == slots));
	KUNIT_EXPECT_EQ(test, atomic_read(&th->routines), 0);
	/* give ids back as the host holds them, until every routine ran */
	while (atomic_read(&th->routines) < n) {
		vmb_th_release(th, false);
		KUNIT_ASSERT_TRUE(test,
				  vmb_th_wait(th, atomic_read(&th->routines) == n ||
					      READ_ONCE(th->nheld) > READ_ONCE(th->held_head)));
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&th->cancelled), 0);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), DIV_ROUND_UP(n, 64));
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
}

/* The host completes a synchronous request after it timed out. */
static void completion_after_timeout(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_HOLD, VMB_RC_COMPLETE, &th);
	s64 timeout = -50 * 10000LL;	/* 50 ms */
	u64 req = 5, reply[2];
	u32 size = sizeof(reply);

	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, &req, sizeof(req), NULL,
							       WAIT, reply, &size, &timeout),
			STATUS_CANCELLED);
	reply[0] = 0x1234;
	vmb_th_release(th, false);
	expect_alive(test, th, rc, 1);
	KUNIT_EXPECT_EQ(test, reply[0], 0x1234ULL);

	/* the id may be handed out again, and answers correctly */
	th->model = VMB_TH_ECHO;
	size = sizeof(reply);
	req = 6;
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, &req, sizeof(req), NULL,
							       WAIT, reply, &size, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, reply[0], 6ULL);
	expect_alive(test, th, rc, 2);
}

/* The host completes before VmbPacketSend() returns, while data flows in. */
#define EARLY_SENDS 200

static void completion_before_send_returns(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	struct vmb_tp **tps = kunit_kcalloc(test, EARLY_SENDS, sizeof(*tps), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, tps);
	vmb_th_enable(th);
	for (i = 0; i < EARLY_SENDS; i++) {
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, i, WAIT, &tps[i]), STATUS_SUCCESS);
		if (i % 4 == 0)
			KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i / 4, 16, REQ), 0);
	}
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&th->routines) == EARLY_SENDS));
	for (i = 0; i < EARLY_SENDS; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&tps[i]->calls), 1);
		KUNIT_EXPECT_EQ(test, *(u64 *)tps[i]->data, (u64)i);
	}
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == EARLY_SENDS / 4));
	for (i = 0; i < EARLY_SENDS / 4; i++)
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
}

/*
 * The host rescinds while the client holds packets and a synchronous
 * request waits: the waiter gets STATUS_DEVICE_REMOVED at once, the removal
 * (Disable) waits for the held packets, whose completions find the offer
 * gone.
 */
struct rescinder {
	struct vmb_th *th;
	struct completion done;
	struct completion exited;
};

static int rescind_fn(void *arg)
{
	struct rescinder *r = arg;

	vmbus_sim_rescind(r->th->sim);
	complete(&r->done);
	kthread_complete_and_exit(&r->exited, 0);
}

static void rescind_with_packets_held(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_SILENT, VMB_RC_HOLD, &th);
	struct rescinder *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *task;
	struct vmb_th_sync *s;
	int suspend, closed, removed;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	vmb_th_enable(th);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 32, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 3));
	s = vmb_th_sync_start(th, WAIT, NULL);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));

	r->th = th;
	init_completion(&r->done);
	init_completion(&r->exited);
	task = kthread_run(rescind_fn, r, "vmb_rescinder");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&s->done, VMB_TH_WAIT) > 0);
	KUNIT_EXPECT_EQ(test, s->status, STATUS_DEVICE_REMOVED);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_count(th, VMB_EV_SUSPEND) == 1));
	/* the wait ends at once if it is wrong */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&r->done, msecs_to_jiffies(100)), 0UL);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_CLOSED), 0);

	vmb_rc_release(rc, U32_MAX);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&r->done, VMB_TH_WAIT) > 0);
	wait_for_completion(&r->exited);
	suspend = vmb_th_find(th, VMB_EV_SUSPEND);
	closed = vmb_th_find(th, VMB_EV_CLOSED);
	removed = vmb_th_find(th, VMB_EV_REMOVE);
	KUNIT_EXPECT_GT(test, closed, suspend);
	KUNIT_EXPECT_GT(test, removed, closed);
	KUNIT_EXPECT_EQ(test, vmb_rc_host_completions(th), 0u);
}

/*
 * The randomized host. Valid traffic: numbered inband packets with
 * COMPLETION_REQUESTED (ids with VALID_ID set), GPA-direct and
 * transfer-page packets of EXT_BYTES bytes, and transactions from the
 * guest. Malformed: every kind below, each built to be malformed, so that
 * its fate is known: dropped, consumed as an unknown completion, or
 * delivered as foreign data (offset8 out of range: hv_vmbus takes 16).
 */
#define RANDOM_CASES		4
#define RANDOM_PER_CASE		25000
#define VALID_ID		BIT_ULL(62)
#define EXT_BYTES		1000
#define RANDOM_MAX_PACKET	512

enum junk_kind {
	JUNK_TYPE,		/* a type the guest does not take */
	JUNK_FLAGS,		/* unknown flags on a data packet */
	JUNK_COMP_FLAGS,	/* a completion with flags */
	JUNK_COMP_ID,		/* a completion nobody waits for: consumed */
	JUNK_OVERSIZE,		/* payload above the maximum, within the limit */
	JUNK_GPA,		/* GPA-direct header wrong */
	JUNK_XFER,		/* transfer-page header wrong */
	JUNK_OFFSET,		/* offset8 out of range: delivered as foreign */
	JUNK_KINDS,
};

struct random_host {
	struct kunit *test;
	struct vmb_th *th;
	struct vmb_rc *rc;
	struct rnd_state rnd;
	u8 *pkt;
	u8 junk_hdr[256];
	u8 junk_payload[RANDOM_MAX_PACKET + 64];
	u8 *page;		/* what valid GPA-direct packets describe */
	void *gpadl_buf;	/* what valid transfer-page packets describe */
	u32 gpadl;
	u32 kinds[JUNK_KINDS];
	/* valid traffic */
	u64 sent;		/* numbered packets sent */
	u64 next_delivery;	/* the seq the client expects next */
	u64 next_completion;	/* the seq the host expects next */
	atomic_t order_errors;	/* deliveries or completions out of order */
	atomic_t ext_errors;	/* external data not as sent */
	atomic_t host_errors;	/* completion payloads not as sent */
	u32 guest_sends;
};

static struct random_host *random_host;

static u32 rnd(struct random_host *h, u32 n)
{
	return prandom_u32_state(&h->rnd) % n;
}

/* Client: checks the valid traffic, completes everything inline. */
static void random_client(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt, void *buffer,
			  u32 length, u32 flags, u32 call)
{
	struct random_host *h = random_host;
	struct vmb_mdl *mdl;
	u64 head = 0;

	if (length >= sizeof(head))
		memcpy(&head, buffer, sizeof(head));
	if ((head & 0xffff000000000000ULL) == VMB_RC_MAGIC) {
		if (VMB_RC_SEQ(head) != (h->next_delivery & 0xffffffffULL))
			atomic_inc(&h->order_errors);
		h->next_delivery++;
		if (flags & EXT) {
			if (VmbChannelPacketGetExternalData(pkt, 0, &mdl) ||
			    vmb_mdl_byte_count(mdl) != EXT_BYTES)
				atomic_inc(&h->ext_errors);
		}
	}
	vmb_rc_complete(rc, pkt, buffer, length);
}

/* Host: checks the guest's completions of the valid packets. */
static void random_host_packet(struct vmb_th *th, const struct vmbus_sim_packet *pkt)
{
	struct random_host *h = th->priv;
	u64 head = 0;

	if (pkt->type != VM_PKT_COMP || !(pkt->trans_id & VALID_ID))
		return;
	if ((pkt->trans_id & ~VALID_ID) != h->next_completion + 1)
		atomic_inc(&h->order_errors);
	memcpy(&head, pkt->data, min_t(u32, pkt->length, sizeof(head)));
	if (VMB_RC_SEQ(head) != (h->next_completion & 0xffffffffULL))
		atomic_inc(&h->host_errors);
	h->next_completion++;
}

static void random_write(struct random_host *h, u32 len)
{
	KUNIT_ASSERT_EQ(h->test, vmb_rc_host_raw(h->th, h->pkt, len), 0);
}

static void random_valid(struct random_host *h)
{
	u8 hdr[64], payload[64];
	u32 plen = 8 * (1 + rnd(h, 8)), len, kind = rnd(h, 8);
	u64 w[3], id = VALID_ID | (h->sent + 1);

	vmb_rc_fill(payload, h->sent, plen);
	if (kind == 0) {
		/* EXT_BYTES from offset 96 of the page */
		w[0] = vmb_rc_range_word(EXT_BYTES, 96);
		w[1] = virt_to_hvpfn(h->page);
		len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, id, hdr,
				    vmb_rc_gpa_header(hdr, 1, w, 2), payload, plen);
	} else if (kind == 1) {
		/* two ranges inside the two-page GPADL */
		w[0] = vmb_rc_range_word(EXT_BYTES / 2, rnd(h, 4096));
		w[1] = vmb_rc_range_word(EXT_BYTES / 2, 4096 + rnd(h, 4096 - EXT_BYTES / 2));
		len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, id, hdr,
				    vmb_rc_xfer_header(hdr, (u16)h->gpadl, 2, w), payload, plen);
	} else {
		len = vmb_rc_packet(h->pkt, VM_PKT_DATA_INBAND, REQ, id, NULL, 0, payload, plen);
	}
	random_write(h, len);
	h->sent++;
}

static void random_junk(struct random_host *h)
{
	static const u16 bad_types[] = { 0, 1, 2, 3, 4, 5, 8, 0xa, 0xc, 0xd, 0xe, 0xff, 0xffff };
	u32 kind = rnd(h, JUNK_KINDS), plen = 8 * rnd(h, 8), len, i;
	u8 *hdr = h->junk_hdr, *payload = h->junk_payload;
	struct vmpacket_descriptor *d = (void *)h->pkt;
	u64 w[16] = { }, id;
	u32 o;

	/* junk payloads never carry the magic */
	for (i = 0; i < sizeof(h->junk_payload); i++)
		payload[i] = (u8)prandom_u32_state(&h->rnd);
	payload[7] = 0;
	id = ((u64)prandom_u32_state(&h->rnd) << 32) & ~VALID_ID;
	h->kinds[kind]++;

	switch (kind) {
	case JUNK_TYPE:
		len = vmb_rc_packet(h->pkt, bad_types[rnd(h, ARRAY_SIZE(bad_types))],
				    rnd(h, 2), id, NULL, 0, payload, plen);
		break;
	case JUNK_FLAGS:
		len = vmb_rc_packet(h->pkt, VM_PKT_DATA_INBAND, 2 << rnd(h, 15), id, NULL, 0,
				    payload, plen);
		break;
	case JUNK_COMP_FLAGS:
		len = vmb_rc_packet(h->pkt, VM_PKT_COMP, 1 << rnd(h, 16), id, NULL, 0,
				    payload, plen);
		break;
	case JUNK_COMP_ID:
		/* never an id a guest transaction may hold */
		id = rnd(h, 3) ? (id | (1ULL << 40)) : rnd(h, 2) ? 0 : U64_MAX;
		len = vmb_rc_packet(h->pkt, VM_PKT_COMP, 0, id, NULL, 0, payload, plen);
		break;
	case JUNK_OVERSIZE:
		len = vmb_rc_packet(h->pkt, VM_PKT_DATA_INBAND, REQ, id, NULL, 0, payload,
				    RANDOM_MAX_PACKET + 8 + 8 * rnd(h, 8));
		break;
	case JUNK_GPA:
		switch (rnd(h, 6)) {
		case 0:		/* header cut short */
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, id,
					    NULL, 0, payload, plen);
			break;
		case 1:		/* byte_offset past the frame */
			w[0] = vmb_rc_range_word(1 + rnd(h, 100), 4096 + rnd(h, 1 << 20));
			w[1] = virt_to_hvpfn(h->page);
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, id, hdr,
					    vmb_rc_gpa_header(hdr, 1, w, 2), payload, plen);
			break;
		case 2:		/* more frames than the header holds */
			w[0] = vmb_rc_range_word(4096 + rnd(h, 40000), rnd(h, 4096));
			w[1] = virt_to_hvpfn(h->page);
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, id, hdr,
					    vmb_rc_gpa_header(hdr, 1, w, 2), payload, plen);
			break;
		case 3:		/* count beyond the ranges there */
			w[0] = vmb_rc_range_word(1 + rnd(h, 4095), 0);
			w[1] = virt_to_hvpfn(h->page);
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, id, hdr,
					    vmb_rc_gpa_header(hdr, 2 + rnd(h, 1000), w, 2),
					    payload, plen);
			break;
		case 4:		/* frames that are not guest RAM */
			w[0] = vmb_rc_range_word(1 + rnd(h, 4095), 0);
			w[1] = (1ULL << 44) + prandom_u32_state(&h->rnd);
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, id, hdr,
					    vmb_rc_gpa_header(hdr, 1, w, 2), payload, plen);
			break;
		default:	/* an empty range, bytes left over */
			w[0] = vmb_rc_range_word(0, rnd(h, 4096));
			w[1] = virt_to_hvpfn(h->page);
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_GPA_DIRECT, REQ, id, hdr,
					    vmb_rc_gpa_header(hdr, rnd(h, 2), w,
							      2 + rnd(h, 14)),
					    payload, plen);
			break;
		}
		break;
	case JUNK_XFER:
		switch (rnd(h, 5)) {
		case 0:		/* header cut short */
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, id,
					    NULL, 0, payload, plen);
			break;
		case 1:		/* unknown set */
			w[0] = vmb_rc_range_word(10, 0);
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, id, hdr,
					    vmb_rc_xfer_header(hdr, (u16)(h->gpadl + 1 +
									rnd(h, 1000)),
							       1, w),
					    payload, plen);
			break;
		case 2:		/* a range past the end, or wrapping */
			switch (rnd(h, 3)) {
			case 0:		/* starts past the end */
				w[0] = vmb_rc_range_word(1 + rnd(h, 1u << 30),
							 2 * 4096 + 1 + rnd(h, 1u << 30));
				break;
			case 1:		/* runs past it, offset + count may wrap */
				o = rnd(h, 2 * 4096);
				w[0] = vmb_rc_range_word(2 * 4096 - o + 1 + rnd(h, 1u << 31), o);
				break;
			default:	/* offset + count wraps a u32 */
				w[0] = vmb_rc_range_word(1 + rnd(h, 2 * 4096),
							 U32_MAX - rnd(h, 4096));
				break;
			}
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, id, hdr,
					    vmb_rc_xfer_header(hdr, (u16)h->gpadl, 1, w),
					    payload, plen);
			break;
		case 3:		/* more ranges than the header holds */
			w[0] = vmb_rc_range_word(10, 0);
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, id, hdr,
					    vmb_rc_xfer_header(hdr, (u16)h->gpadl, 1, w),
					    payload, plen);
			*(u32 *)(h->pkt + 20) = 2 + prandom_u32_state(&h->rnd) % 0xfffffff0;
			break;
		default:	/* no range, or an empty one */
			w[0] = vmb_rc_range_word(0, rnd(h, 4096));
			len = vmb_rc_packet(h->pkt, VM_PKT_DATA_USING_XFER_PAGES, REQ, id, hdr,
					    vmb_rc_xfer_header(hdr, (u16)h->gpadl, 1, w),
					    payload, plen);
			if (rnd(h, 2))
				*(u32 *)(h->pkt + 20) = 0;
			break;
		}
		break;
	default:
		/* offset8 below 2 or beyond len8, on an inband packet */
		len = vmb_rc_packet(h->pkt, VM_PKT_DATA_INBAND, 0, id, NULL, 0, payload,
				    8 + plen);
		d->offset8 = rnd(h, 2) ? rnd(h, 2) : d->len8 + 1 + rnd(h, 100);
		break;
	}
	random_write(h, len);
}

static void random_guest_send(struct random_host *h)
{
	struct vmb_tp *tp;

	KUNIT_ASSERT_EQ(h->test, vmb_th_send_seq(h->th, h->guest_sends, WAIT, &tp),
			STATUS_SUCCESS);
	h->guest_sends++;
}

static u64 random_seed(struct kunit *test)
{
	if (!seed)
		seed = get_random_u64() ?: 1;
	return seed;
}

/* One parameter per RANDOM_CASES run, each its own seed: seed + index. */
static const u32 random_indices[RANDOM_CASES] = { 0, 1, 2, 3 };

static void random_index_desc(const u32 *index, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "run %u of %u", *index + 1, RANDOM_CASES);
}

KUNIT_ARRAY_PARAM(random_index, random_indices, random_index_desc);

static void random_hostile_host(struct kunit *test)
{
	u32 index = *(const u32 *)test->param_value;
	struct random_host *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct vmb_counter_values *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct vmb_th *th;
	u64 s = random_seed(test) + index;
	u32 i, dropped, foreign;
	unsigned long t0 = jiffies;

	KUNIT_ASSERT_NOT_NULL(test, h);
	random_host = h;
	h->test = test;
	h->rc = start(test, VMB_TH_ECHO, VMB_RC_CUSTOM, &th);
	h->th = th;
	h->rc->custom = random_client;
	th->priv = h;
	th->on_packet = random_host_packet;
	prandom_seed_state(&h->rnd, s);
	kunit_info(test, "seed %llu (module seed %lu, case %u)\n", s, seed, index);

	h->pkt = kunit_kzalloc(test, 4096, GFP_KERNEL);
	h->page = (u8 *)get_zeroed_page(GFP_KERNEL);
	h->gpadl_buf = vzalloc(2 * 4096);
	KUNIT_ASSERT_NOT_NULL(test, h->pkt);
	KUNIT_ASSERT_NOT_NULL(test, h->page);
	KUNIT_ASSERT_NOT_NULL(test, h->gpadl_buf);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, RANDOM_MAX_PACKET),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, 65536, 8),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(th->ch, 8, 4),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, h->gpadl_buf, 2 * 4096,
							      &h->gpadl),
			STATUS_SUCCESS);

	for (i = 0; i < RANDOM_PER_CASE; i++) {
		random_junk(h);
		if (!rnd(h, 8))
			random_valid(h);
		if (!rnd(h, 64))
			random_guest_send(h);
		if (!(i % 256))
			cond_resched();
	}
	random_valid(h);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, h->next_delivery == h->sent &&
					    h->next_completion == h->sent &&
					    atomic_read(&th->routines) == h->guest_sends));
	vmb_rc_settle(th);

	KUNIT_ASSERT_NOT_NULL(test, c);
	vmb_rc_stats(th, c);
	dropped = h->kinds[JUNK_TYPE] + h->kinds[JUNK_FLAGS] + h->kinds[JUNK_COMP_FLAGS] +
		  h->kinds[JUNK_OVERSIZE] + h->kinds[JUNK_GPA] + h->kinds[JUNK_XFER];
	foreign = h->kinds[JUNK_OFFSET];
	kunit_info(test, "%u malformed (%llu dropped, %u foreign), %llu valid, %u sent by the guest, %u ms\n",
		   RANDOM_PER_CASE, c->host_packets_rejected, atomic_read(&h->rc->foreign), h->sent,
		   h->guest_sends, jiffies_to_msecs(jiffies - t0));
	KUNIT_EXPECT_FALSE(test, c->incoming_failed);
	KUNIT_EXPECT_EQ(test, c->host_packets_rejected, (u64)dropped);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->rc->foreign), (int)foreign);
	KUNIT_EXPECT_EQ(test, c->completions_read, (u64)h->kinds[JUNK_COMP_ID] + h->guest_sends);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->rc->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->order_errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->ext_errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->host_errors), 0);
	KUNIT_EXPECT_EQ(test, h->next_delivery, h->sent);
	KUNIT_EXPECT_EQ(test, atomic_read(&th->routines), (int)h->guest_sends);
	KUNIT_EXPECT_EQ(test, atomic_read(&th->cancelled), 0);

	VmbChannelDisable(th->ch);
	vfree(h->gpadl_buf);
	free_page((unsigned long)h->page);
	random_host = NULL;
}

/*
 * Malformed framing, at random: each stops delivery, and a reopen brings a
 * working channel back.
 */
static void random_broken_framing(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_TH_ECHO, VMB_RC_COMPLETE, &th);
	struct rnd_state rs;
	struct vmpacket_descriptor *d;
	u8 *pkt = kunit_kzalloc(test, 8192, GFP_KERNEL);
	u32 round, len, delivered;

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	prandom_seed_state(&rs, random_seed(test) + RANDOM_CASES);
	kunit_info(test, "seed %llu\n", random_seed(test) + RANDOM_CASES);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, 256), STATUS_SUCCESS);
	vmb_th_enable(th);
	for (round = 0; round < 40; round++) {
		delivered = vmb_rc_calls(rc);
		expect_alive(test, th, rc, round);
		d = (void *)pkt;
		switch (prandom_u32_state(&rs) % 3) {
		case 0:		/* len8 beyond what was written */
			len = vmb_rc_packet(pkt, VM_PKT_DATA_INBAND, 0, 1, NULL, 0, pkt + 4096, 16);
			d->len8 += 1 + prandom_u32_state(&rs) % 5000;
			break;
		case 1:		/* len8 below the descriptor */
			len = vmb_rc_packet(pkt, VM_PKT_DATA_INBAND, 0, 1, NULL, 0, pkt + 4096, 16);
			d->len8 = prandom_u32_state(&rs) % 2;
			break;
		default:	/* longer than hv_vmbus's copy buffer */
			len = vmb_rc_packet(pkt, VM_PKT_DATA_INBAND, 0, 1, NULL, 0, pkt + 4096,
					    3600 + 8 * (prandom_u32_state(&rs) % 50));
			break;
		}
		KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
		expect_stopped(test, th, rc);
		KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), delivered + 1);
		reopen(test, th);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->bad), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->foreign), 0);
}

static struct kunit_case vmb_hostile_cases[] = {
	KUNIT_CASE(inbound_write_index_out_of_range),
	KUNIT_CASE(outbound_read_index_out_of_range),
	KUNIT_CASE(lengths_that_do_not_fit),
	KUNIT_CASE(write_index_moved_back_mid_pass),
	KUNIT_CASE(length_rewritten_while_read),
	KUNIT_CASE(external_header_cut_short),
	KUNIT_CASE(bad_gpa_ranges),
	KUNIT_CASE(packet_longer_than_accepted),
	KUNIT_CASE(transfer_ranges_outside_gpadl),
	KUNIT_CASE(unknown_types_and_flags),
	KUNIT_CASE(bad_completion_ids_dropped),
	KUNIT_CASE(request_ids_run_out),
	KUNIT_CASE(completion_after_timeout),
	KUNIT_CASE(completion_before_send_returns),
	KUNIT_CASE(rescind_with_packets_held),
	KUNIT_CASE_PARAM(random_hostile_host, random_index_gen_params),
	KUNIT_CASE(random_broken_framing),
	{ }
};

static struct kunit_suite vmb_hostile_suite = {
	.name = "vmb_hostile",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_rc_case_exit,
	.test_cases = vmb_hostile_cases,
};

kunit_test_suite(vmb_hostile_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl against a hostile host");
MODULE_LICENSE("GPL");
