// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the simulator's channel API: request ids and their exhaustion,
 * the receive functions' return codes, max_pkt_size, GPA-direct external data
 * and GPADLs read back by the host through the page numbers the guest
 * described, and close.
 */
#include <kunit/test.h>
#include <linux/hyperv.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <vmbus_sim.h>

#include "vmbus_sim_test.h"

static int channel_init(struct kunit *test)
{
	return simt_init_seed(test, 4);
}

/* Transaction ids as the host saw them, in order. */
static u64 seen_ids[16];
static int nseen;

static void record_id(struct simt *t, const struct vmbus_sim_packet *pkt)
{
	if (nseen < ARRAY_SIZE(seen_ids))
		seen_ids[nseen++] = pkt->trans_id;
}

static int send_req(struct simt *t, u64 addr, u64 *id)
{
	u64 b = addr;

	return vmbus_sendpacket_getid(t->chan, &b, sizeof(b), addr, id, VM_PKT_DATA_INBAND,
				      VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
}

static void request_ids_exhaust(struct kunit *test)
{
	static const u64 want[] = { 1, 2, 3, 4, 0x2000, 2 };
	struct simt *t = test->priv;
	u64 id, b = 0;
	u32 windex;
	int i;

	nseen = 0;
	t->rqstor_size = 4;
	t->host_pkt = record_id;
	simt_start(t);
	vmbus_sim_pause_host(t->sim, true);

	/* ids are slot + 1: 0 is the host's unsolicited id */
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_EQ(test, send_req(t, 0x1000 + i, &id), 0);
		KUNIT_EXPECT_EQ(test, id, i + 1);
	}

	/* no slot left: -EAGAIN, and nothing reaches the ring */
	windex = t->chan->outbound.ring_buffer->write_index;
	KUNIT_EXPECT_EQ(test, send_req(t, 0x1004, &id), -EAGAIN);
	KUNIT_EXPECT_EQ(test, t->chan->outbound.ring_buffer->write_index, windex);

	/* a packet without COMPLETION_REQUESTED takes no id */
	KUNIT_EXPECT_EQ(test, vmbus_sendpacket_getid(t->chan, &b, sizeof(b), 0x2000, &id,
						     VM_PKT_DATA_INBAND, 0), 0);
	KUNIT_EXPECT_EQ(test, id, 0x2000);

	/* completing id 2 frees its slot, which is reused first */
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(t->chan, 2), 0x1001);
	KUNIT_EXPECT_EQ(test, send_req(t, 0x1005, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 2);

	/* what the host may send back that is not a live id */
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(t->chan, 0), VMBUS_RQST_ERROR);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(t->chan, 5), VMBUS_RQST_ERROR);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(t->chan, U64_MAX), VMBUS_RQST_ERROR);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(t->chan, 2), 0x1005);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(t->chan, 2), VMBUS_RQST_ERROR);

	/* a late completion for a reused slot does not free it */
	KUNIT_EXPECT_EQ(test, vmbus_request_addr_match(t->chan, 3, 0xdead), 0x1002);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(t->chan, 3), 0x1002);

	vmbus_sim_pause_host(t->sim, false);
	vmbus_sim_flush_host(t->sim);
	KUNIT_ASSERT_EQ(test, nseen, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ_MSG(test, seen_ids[i], want[i], "packet %d", i);
}

static void request_ids_without_requestor(struct kunit *test)
{
	struct simt *t = test->priv;
	u64 id;

	simt_start(t);
	KUNIT_EXPECT_EQ(test, vmbus_next_request_id(t->chan, 5), VMBUS_NO_RQSTOR);
	/*
	 * (not vmbus_request_addr(): hv_vmbus takes the requestor's lock
	 * first, which only a requestor initialises)
	 */
	/* without a callback the caller's id goes on the wire */
	KUNIT_EXPECT_EQ(test, send_req(t, 0xabcdef, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 0xabcdef);
	vmbus_sim_flush_host(t->sim);
	KUNIT_EXPECT_EQ(test, t->last_trans_id, 0xabcdef);
}

static void recvpacket_return_codes(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmpacket_descriptor *desc;
	u8 payload[20], buf[64];
	u32 actual;
	u64 id;

	simt_start(t);
	memset(payload, 0x5a, sizeof(payload));

	KUNIT_EXPECT_EQ(test, vmbus_recvpacket(t->chan, buf, 0, &actual, &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmbus_recvpacket(t->chan, buf, sizeof(buf), &actual, &id), 0);
	KUNIT_EXPECT_EQ(test, actual, 0);

	KUNIT_ASSERT_EQ(test, vmbus_sim_send(t->sim, VM_PKT_DATA_INBAND, 0, 9, payload,
					     sizeof(payload)), 0);
	/* too small: the size needed, and the packet stays */
	KUNIT_EXPECT_EQ(test, vmbus_recvpacket(t->chan, buf, 8, &actual, &id), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, actual, 24);
	KUNIT_EXPECT_EQ(test, id, 9);
	KUNIT_EXPECT_EQ(test, vmbus_recvpacket_raw(t->chan, buf, 39, &actual, &id), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, actual, 40);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_read(&t->chan->inbound), 48);

	KUNIT_EXPECT_EQ(test, vmbus_recvpacket_raw(t->chan, buf, sizeof(buf), &actual, &id), 0);
	KUNIT_EXPECT_EQ(test, actual, 40);
	desc = (void *)buf;
	KUNIT_EXPECT_EQ(test, desc->type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, desc->len8, 5);
	KUNIT_EXPECT_EQ(test, memcmp(buf + 16, payload, sizeof(payload)), 0);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_read(&t->chan->inbound), 0);

	KUNIT_ASSERT_EQ(test, vmbus_sim_complete(t->sim, 10, payload, sizeof(payload)), 0);
	KUNIT_EXPECT_EQ(test, vmbus_recvpacket(t->chan, buf, sizeof(buf), &actual, &id), 0);
	KUNIT_EXPECT_EQ(test, actual, 24);
	KUNIT_EXPECT_EQ(test, id, 10);
	KUNIT_EXPECT_EQ(test, memcmp(buf, payload, sizeof(payload)), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf + sizeof(payload), 0, 4));
}

/* A packet up to max_pkt_size arrives whole (the driver sized the buffer). */
static void max_pkt_size_set_by_driver(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmpacket_descriptor *desc;
	u8 *big;

	big = kunit_kmalloc(test, 6000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	memset(big, 0xa5, 6000);
	t->max_pkt_size = 8192;
	t->ring_size = 4 * PAGE_SIZE;
	simt_start(t);
	KUNIT_EXPECT_EQ(test, t->chan->inbound.pkt_buffer_size, 8192);

	KUNIT_ASSERT_EQ(test, vmbus_sim_send(t->sim, VM_PKT_DATA_INBAND, 0, 1, big, 6000), 0);
	desc = hv_pkt_iter_first(t->chan);
	KUNIT_ASSERT_NOT_NULL(test, desc);
	KUNIT_EXPECT_EQ(test, hv_pkt_len(desc), 6016);
	KUNIT_EXPECT_EQ(test, memcmp(hv_pkt_data(desc), big, 6000), 0);
	KUNIT_EXPECT_NULL(test, hv_pkt_iter_next(t->chan, desc));
}

/*
 * GPA-direct: two ranges (the 6.15 rule: rangecount is the caller's), one
 * crossing page boundaries. The host reads and writes the guest buffers
 * through the page numbers in the packet.
 */
struct gpa_test {
	u8 *a, *b;
	u32 a_len, b_len;
	u8 host_read[9100];
	int read_ret, write_ret, beyond_ret, inline_ret;
	u32 off0, count0, off1, count1;
	char inline_data[8];
};

static struct gpa_test *gpa;

static void gpa_host_packet(struct simt *t, const struct vmbus_sim_packet *pkt)
{
	static const u8 stamp[20] = "twenty bytes stamped";

	if (pkt->type != VM_PKT_DATA_USING_GPA_DIRECT || pkt->range_count != 2)
		return;
	gpa->off0 = pkt->ranges[0]->byte_offset;
	gpa->count0 = pkt->ranges[0]->byte_count;
	gpa->off1 = pkt->ranges[1]->byte_offset;
	gpa->count1 = pkt->ranges[1]->byte_count;
	memcpy(gpa->inline_data, pkt->data, min_t(u32, pkt->length, 8));
	gpa->read_ret = vmbus_sim_copy_from_guest(t->sim, pkt, 0, gpa->host_read,
						  gpa->a_len + gpa->b_len);
	/* across the end of range 0 into range 1 */
	gpa->write_ret = vmbus_sim_copy_to_guest(t->sim, pkt, gpa->a_len - 10, stamp, 20);
	gpa->beyond_ret = vmbus_sim_copy_from_guest(t->sim, pkt, gpa->a_len + gpa->b_len - 4,
						    gpa->host_read, 5);
}

/* Append a range for [p, p + len) to the descriptor at *pos. */
static u32 put_range(u8 *desc, u32 pos, void *p, u32 len)
{
	struct hv_mpb_array *range = (void *)(desc + pos);
	u32 offset = offset_in_page(p), i;
	void *page = p - offset;

	range->len = len;
	range->offset = offset;
	for (i = 0; i < HVPFN_UP(offset + len); i++)
		range->pfn_array[i] = virt_to_hvpfn(page + i * HV_HYP_PAGE_SIZE);
	return pos + sizeof(*range) + i * sizeof(u64);
}

static void gpa_direct_read_back(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_packet_mpb_array *desc;
	u8 *base, *d;
	u32 size, i;

	gpa = kunit_kzalloc(test, sizeof(*gpa), GFP_KERNEL);
	d = kunit_kzalloc(test, 256, GFP_KERNEL);
	base = kunit_kmalloc(test, 4 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gpa);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, base);
	gpa->a = base + 100;
	gpa->a_len = 9000;
	gpa->b = base + 3 * PAGE_SIZE + 500;
	gpa->b_len = 64;
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		base[i] = i * 13;

	t->host_pkt = gpa_host_packet;
	simt_start(t);

	desc = (void *)d;
	desc->rangecount = 2;
	size = offsetof(struct vmbus_packet_mpb_array, range);
	size = put_range(d, size, gpa->a, gpa->a_len);
	size = put_range(d, size, gpa->b, gpa->b_len);
	KUNIT_ASSERT_EQ(test, vmbus_sendpacket_mpb_desc(t->chan, desc, size, "cmd!", 4, 0x77), 0);
	vmbus_sim_flush_host(t->sim);

	KUNIT_EXPECT_EQ(test, t->last_type, VM_PKT_DATA_USING_GPA_DIRECT);
	KUNIT_EXPECT_EQ(test, t->last_flags, VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	KUNIT_EXPECT_EQ(test, t->last_trans_id, 0x77);
	KUNIT_EXPECT_EQ(test, t->last_ranges, 2);
	KUNIT_EXPECT_EQ(test, t->last_length, 8);
	KUNIT_EXPECT_EQ(test, memcmp(gpa->inline_data, "cmd!\0\0\0\0", 8), 0);
	KUNIT_EXPECT_EQ(test, gpa->off0, offset_in_page(gpa->a));
	KUNIT_EXPECT_EQ(test, gpa->count0, 9000);
	KUNIT_EXPECT_EQ(test, gpa->off1, offset_in_page(gpa->b));
	KUNIT_EXPECT_EQ(test, gpa->count1, 64);

	KUNIT_EXPECT_EQ(test, gpa->read_ret, 0);
	KUNIT_EXPECT_EQ(test, gpa->beyond_ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, gpa->write_ret, 0);
	/* what the host read is what the ranges describe: range 0 then range 1 */
	for (i = 0; i < 9000 - 10; i++)
		if (gpa->host_read[i] != (u8)((100 + i) * 13))
			break;
	KUNIT_EXPECT_EQ(test, i, 9000 - 10);
	KUNIT_EXPECT_EQ(test, gpa->host_read[9000 + 20], (u8)(((3 * PAGE_SIZE + 520) * 13) & 0xff));
	/* and the host's write landed in both buffers */
	KUNIT_EXPECT_EQ(test, memcmp(gpa->a + 8990, "twenty byt", 10), 0);
	KUNIT_EXPECT_EQ(test, memcmp(gpa->b, "es stamped", 10), 0);
	KUNIT_EXPECT_EQ(test, gpa->b[10], (u8)(((3 * PAGE_SIZE + 510) * 13) & 0xff));
	KUNIT_EXPECT_EQ(test, simt_stats(t).protocol_errors, 0);
}

/* A range with a byte_offset beyond the page is not delivered. */
static void gpa_direct_bad_range(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_packet_mpb_array *desc;
	u64 d[8] = {};

	simt_start(t);
	desc = (void *)d;
	desc->rangecount = 1;
	desc->range.len = 16;
	desc->range.offset = HV_HYP_PAGE_SIZE;
	desc->range.pfn_array[0] = virt_to_hvpfn(d);
	desc->range.pfn_array[1] = virt_to_hvpfn(d);
	KUNIT_ASSERT_EQ(test, vmbus_sendpacket_mpb_desc(t->chan, desc, 48, d, 0, 1), 0);
	vmbus_sim_flush_host(t->sim);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->host_packets), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).protocol_errors, 1);
	KUNIT_EXPECT_EQ(test, simt_stats(t).packets_read, 1);
}

static void gpadl_read_back(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_gpadl g = {}, empty = {};
	u8 *buf, tmp[64];
	u32 i, handle;

	simt_start(t);
	buf = vmalloc(5 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 5 * PAGE_SIZE; i++)
		buf[i] = i * 7;

	KUNIT_EXPECT_EQ(test, vmbus_establish_gpadl(t->chan, buf, 0, &empty), -EDQUOT);
	KUNIT_EXPECT_FALSE(test, empty.decrypted);

	KUNIT_ASSERT_EQ(test, vmbus_establish_gpadl(t->chan, buf, 5 * PAGE_SIZE, &g), 0);
	handle = g.gpadl_handle;
	KUNIT_EXPECT_NE(test, handle, 0);
	KUNIT_EXPECT_NE(test, handle, t->chan->ringbuffer_gpadlhandle.gpadl_handle);
	KUNIT_EXPECT_TRUE(test, g.decrypted);
	KUNIT_EXPECT_PTR_EQ(test, g.buffer, (void *)buf);
	KUNIT_EXPECT_EQ(test, g.size, 5 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, simt_stats(t).gpadls, 2);

	/* across a page boundary of a vmalloc buffer (scattered pages) */
	KUNIT_EXPECT_EQ(test, vmbus_sim_gpadl_copy_from_guest(t->sim, handle, 2 * PAGE_SIZE - 20,
							      tmp, sizeof(tmp)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(tmp, buf + 2 * PAGE_SIZE - 20, sizeof(tmp)), 0);
	KUNIT_EXPECT_EQ(test, vmbus_sim_gpadl_copy_to_guest(t->sim, handle, 3 * PAGE_SIZE - 3,
							    "abcdef", 6), 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf + 3 * PAGE_SIZE - 3, "abcdef", 6), 0);

	KUNIT_EXPECT_EQ(test, vmbus_sim_gpadl_copy_from_guest(t->sim, handle, 5 * PAGE_SIZE - 2,
							      tmp, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmbus_sim_gpadl_copy_from_guest(t->sim, handle + 100, 0, tmp, 4),
			-ENOENT);

	KUNIT_EXPECT_EQ(test, vmbus_teardown_gpadl(t->chan, &g), 0);
	KUNIT_EXPECT_EQ(test, g.gpadl_handle, 0);
	KUNIT_EXPECT_FALSE(test, g.decrypted);
	KUNIT_EXPECT_EQ(test, simt_stats(t).gpadls, 1);
	KUNIT_EXPECT_EQ(test, vmbus_sim_gpadl_copy_from_guest(t->sim, handle, 0, tmp, 4), -ENOENT);
	KUNIT_EXPECT_EQ(test, simt_stats(t).protocol_errors, 0);

	/* tearing down what is not established is the guest's error */
	KUNIT_EXPECT_EQ(test, vmbus_teardown_gpadl(t->chan, &g), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).protocol_errors, 1);
	vfree(buf);
}

/* A host that holds GPADL_TORNDOWN holds the guest's teardown and close. */
static void teardown_waits_for_the_host(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_gpadl g = {};
	unsigned long start;
	void *buf;

	simt_start(t);
	buf = vzalloc(2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, vmbus_establish_gpadl(t->chan, buf, 2 * PAGE_SIZE, &g), 0);
	vmbus_sim_set_teardown_delay(t->sim, 300);

	start = jiffies;
	KUNIT_EXPECT_EQ(test, vmbus_teardown_gpadl(t->chan, &g), 0);
	KUNIT_EXPECT_GE(test, jiffies - start, msecs_to_jiffies(300));
	KUNIT_EXPECT_EQ(test, g.gpadl_handle, 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).gpadls, 1);

	/* the ring's GPADL at close */
	start = jiffies;
	vmbus_close(t->chan);
	KUNIT_EXPECT_GE(test, jiffies - start, msecs_to_jiffies(300));
	KUNIT_EXPECT_EQ(test, simt_stats(t).gpadls, 0);
	vmbus_sim_set_teardown_delay(t->sim, 0);
	vfree(buf);
}

static void close_and_reopen(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_channel *chan;
	struct vmbus_sim_stats s;

	simt_start(t);
	chan = t->chan;
	vmbus_close(chan);
	s = simt_stats(t);
	KUNIT_EXPECT_EQ(test, s.closes, 1);
	KUNIT_EXPECT_EQ(test, s.gpadls, 0);
	KUNIT_EXPECT_EQ(test, chan->state, CHANNEL_OPEN_STATE);
	KUNIT_EXPECT_NULL(test, chan->ringbuffer_page);
	KUNIT_EXPECT_NULL(test, chan->outbound.ring_buffer);
	KUNIT_EXPECT_EQ(test, vmbus_sim_send(t->sim, VM_PKT_DATA_INBAND, 0, 0, "x", 1), -ENOTCONN);
	KUNIT_EXPECT_EQ(test, vmbus_sim_interrupt(t->sim), -ENOTCONN);
	/* closing twice is harmless */
	vmbus_close(chan);
	KUNIT_EXPECT_EQ(test, simt_stats(t).closes, 1);

	KUNIT_ASSERT_EQ(test, vmbus_open(chan, SIMT_RING_SIZE, SIMT_RING_SIZE, NULL, 0,
					 simt_channel_cb, t), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).opens, 2);
	KUNIT_EXPECT_EQ(test, vmbus_sim_send(t->sim, VM_PKT_DATA_INBAND, 0, 0, "x", 1), 0);
	/* bad sizes and user data */
	vmbus_close(chan);
	KUNIT_EXPECT_EQ(test, vmbus_open(chan, PAGE_SIZE + 1, SIMT_RING_SIZE, NULL, 0,
					 simt_channel_cb, t), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmbus_open(chan, SIMT_RING_SIZE, SIMT_RING_SIZE, t,
					 MAX_USER_DEFINED_BYTES + 1, simt_channel_cb, t), -EINVAL);
	KUNIT_EXPECT_EQ(test, chan->state, CHANNEL_OPEN_STATE);
}

static struct kunit_case vmbus_sim_channel_cases[] = {
	KUNIT_CASE(request_ids_exhaust),
	KUNIT_CASE(request_ids_without_requestor),
	KUNIT_CASE(recvpacket_return_codes),
	KUNIT_CASE(max_pkt_size_set_by_driver),
	KUNIT_CASE(gpa_direct_read_back),
	KUNIT_CASE(gpa_direct_bad_range),
	KUNIT_CASE(gpadl_read_back),
	KUNIT_CASE(teardown_waits_for_the_host),
	KUNIT_CASE(close_and_reopen),
	{}
};

static struct kunit_suite vmbus_sim_channel_suite = {
	.name = "vmbus_sim_channel",
	.init = channel_init,
	.exit = simt_exit,
	.test_cases = vmbus_sim_channel_cases,
};

kunit_test_suite(vmbus_sim_channel_suite);

MODULE_DESCRIPTION("KUnit tests for vmbus_sim's channel API");
MODULE_LICENSE("GPL");
