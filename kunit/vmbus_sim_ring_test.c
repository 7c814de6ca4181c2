// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the simulator's rings: the byte layout against the
 * <linux/hyperv.h> structs and the worked example of
 * Documentation/ring-protocol.rst, wrap-around at every 8-byte offset in both
 * directions, the exactly-full rule on both sides, and hostile packets as the
 * guest iterator sees them.
 */
#include <kunit/test.h>
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#include <vmbus_sim.h>

#include "vmbus_sim_test.h"

static int ring_init(struct kunit *test)
{
	return simt_init_seed(test, 1);
}

static u8 *out_ring(struct simt *t)
{
	return hv_get_ring_buffer(&t->chan->outbound);
}

static u8 *in_ring(struct simt *t)
{
	return hv_get_ring_buffer(&t->chan->inbound);
}

/* The header page fields where <linux/hyperv.h> puts them. */
static void ring_header_layout(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_channel *chan;
	u32 send_pages;

	KUNIT_EXPECT_EQ(test, offsetof(struct hv_ring_buffer, write_index), 0x00);
	KUNIT_EXPECT_EQ(test, offsetof(struct hv_ring_buffer, read_index), 0x04);
	KUNIT_EXPECT_EQ(test, offsetof(struct hv_ring_buffer, interrupt_mask), 0x08);
	KUNIT_EXPECT_EQ(test, offsetof(struct hv_ring_buffer, pending_send_sz), 0x0c);
	KUNIT_EXPECT_EQ(test, offsetof(struct hv_ring_buffer, feature_bits), 0x40);
	KUNIT_EXPECT_EQ(test, offsetof(struct hv_ring_buffer, buffer), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, sizeof(struct vmpacket_descriptor), 16);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmpacket_descriptor, offset8), 2);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmpacket_descriptor, len8), 4);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmpacket_descriptor, flags), 6);
	KUNIT_EXPECT_EQ(test, offsetof(struct vmpacket_descriptor, trans_id), 8);

	t->ring_size = 3 * PAGE_SIZE;
	simt_start(t);
	chan = t->chan;

	/* one allocation: outbound ring first, then inbound */
	send_pages = chan->ringbuffer_send_offset;
	KUNIT_EXPECT_EQ(test, send_pages, 3);
	KUNIT_EXPECT_EQ(test, chan->ringbuffer_pagecount, 6);
	KUNIT_EXPECT_PTR_EQ(test, vmalloc_to_page(chan->outbound.ring_buffer),
			    chan->ringbuffer_page);
	KUNIT_EXPECT_PTR_EQ(test, vmalloc_to_page(chan->inbound.ring_buffer),
			    chan->ringbuffer_page + send_pages);

	/* data pages mapped twice, so a wrapped packet is contiguous */
	KUNIT_EXPECT_PTR_EQ(test, vmalloc_to_page(out_ring(t) + 2 * PAGE_SIZE),
			    vmalloc_to_page(out_ring(t)));
	KUNIT_EXPECT_PTR_EQ(test, vmalloc_to_page(in_ring(t) + 3 * PAGE_SIZE),
			    vmalloc_to_page(in_ring(t) + PAGE_SIZE));

	KUNIT_EXPECT_EQ(test, chan->outbound.ring_size, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, chan->outbound.ring_datasize, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, chan->inbound.ring_datasize, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, chan->outbound.ring_buffer->feature_bits.value, 1);
	KUNIT_EXPECT_EQ(test, chan->inbound.ring_buffer->feature_bits.value, 1);
	KUNIT_EXPECT_EQ(test, chan->inbound.ring_buffer->write_index, 0);
	KUNIT_EXPECT_EQ(test, chan->inbound.ring_buffer->read_index, 0);
	KUNIT_EXPECT_EQ(test, chan->max_pkt_size, VMBUS_DEFAULT_MAX_PKT_SIZE);
	KUNIT_EXPECT_EQ(test, chan->inbound.pkt_buffer_size, VMBUS_DEFAULT_MAX_PKT_SIZE);
	/* the inline helpers work on these rings */
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_write(&chan->outbound), 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_read(&chan->inbound), 0);
	KUNIT_EXPECT_EQ(test, hv_get_avail_to_write_percent(&chan->outbound), 66);
	KUNIT_EXPECT_EQ(test, chan->state, CHANNEL_OPENED_STATE);
}

/* The worked example: "hello" with flags 1 and id T written at 0x100. */
static const u8 hello_packet[] = {
	0x06, 0x00, 0x02, 0x00, 0x03, 0x00, 0x01, 0x00,
	0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
	0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
};

#define HELLO_ID	0x1122334455667788ULL

static void worked_example_guest_to_host(struct kunit *test)
{
	struct simt *t = test->priv;
	char hello[] = "hello";

	simt_start(t);
	simt_out_seek(t, 0x100);

	vmbus_sim_pause_host(t->sim, true);
	KUNIT_ASSERT_EQ(test, vmbus_sendpacket(t->chan, hello, 5, HELLO_ID, VM_PKT_DATA_INBAND,
					       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out_ring(t) + 0x100, hello_packet, sizeof(hello_packet)), 0);
	KUNIT_EXPECT_EQ(test, t->chan->outbound.ring_buffer->write_index, 0x120);

	vmbus_sim_pause_host(t->sim, false);
	vmbus_sim_flush_host(t->sim);
	KUNIT_EXPECT_EQ(test, t->last_type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, t->last_flags, VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	KUNIT_EXPECT_EQ(test, t->last_trans_id, HELLO_ID);
	/* VMBus carries no exact length: the padding is part of the payload */
	KUNIT_EXPECT_EQ(test, t->last_length, 8);
	KUNIT_EXPECT_EQ(test, memcmp(t->last_data, "hello\0\0\0", 8), 0);
	KUNIT_EXPECT_EQ(test, t->chan->outbound.ring_buffer->read_index, 0x120);
}

static void worked_example_host_to_guest(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmpacket_descriptor *desc;

	simt_start(t);
	simt_in_seek(t, 0x100);

	KUNIT_ASSERT_EQ(test, vmbus_sim_send(t->sim, VM_PKT_DATA_INBAND,
					     VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED,
					     HELLO_ID, "hello", 5), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in_ring(t) + 0x100, hello_packet, sizeof(hello_packet)), 0);
	KUNIT_EXPECT_EQ(test, t->chan->inbound.ring_buffer->write_index, 0x120);

	desc = hv_pkt_iter_first(t->chan);
	KUNIT_ASSERT_NOT_NULL(test, desc);
	KUNIT_EXPECT_EQ(test, hv_pkt_len(desc), 24);
	KUNIT_EXPECT_EQ(test, hv_pkt_datalen(desc), 8);
	KUNIT_EXPECT_EQ(test, memcmp(hv_pkt_data(desc), "hello\0\0\0", 8), 0);
	KUNIT_EXPECT_EQ(test, desc->trans_id, HELLO_ID);
	KUNIT_EXPECT_NULL(test, hv_pkt_iter_next(t->chan, desc));
	KUNIT_EXPECT_EQ(test, t->chan->inbound.ring_buffer->read_index, 0x120);
}

/* A 64-byte packet (40 bytes of payload) at every 8-byte offset of the ring. */
#define WRAP_PAYLOAD	40
#define WRAP_TOTAL	(SIMT_DESC + WRAP_PAYLOAD + SIMT_TRAILER)

static void fill_pattern(u8 *p, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = seed * 7 + i;
}

static u64 ring_u64(u8 *ring, u32 off)
{
	/* the double mapping makes a wrapped u64 contiguous */
	return *(u64 *)(ring + off % SIMT_DSIZE);
}

static void wrap_guest_to_host(struct kunit *test)
{
	struct simt *t = test->priv;
	u8 payload[WRAP_PAYLOAD];
	u32 off;

	simt_start(t);
	for (off = 0; off < SIMT_DSIZE; off += 8) {
		simt_out_seek(t, off);
		fill_pattern(payload, sizeof(payload), off);
		KUNIT_ASSERT_EQ(test, vmbus_sendpacket(t->chan, payload, sizeof(payload), off,
						       VM_PKT_DATA_INBAND, 0), 0);
		/* the guest's trailer, wherever the wrap split it */
		KUNIT_ASSERT_EQ(test, ring_u64(out_ring(t), off + WRAP_TOTAL - 8), (u64)off << 32);
		vmbus_sim_flush_host(t->sim);
		KUNIT_ASSERT_EQ(test, t->last_trans_id, off);
		KUNIT_ASSERT_EQ(test, t->last_length, WRAP_PAYLOAD);
		KUNIT_ASSERT_EQ_MSG(test, memcmp(t->last_data, payload, WRAP_PAYLOAD), 0,
				    "payload at offset %u", off);
		KUNIT_ASSERT_EQ(test, t->chan->outbound.ring_buffer->read_index,
				(off + WRAP_TOTAL) % SIMT_DSIZE);
	}
}

static void wrap_host_to_guest(struct kunit *test)
{
	struct simt *t = test->priv;
	u8 payload[WRAP_PAYLOAD], buf[WRAP_TOTAL];
	struct vmpacket_descriptor *desc = (void *)buf;
	u32 off, actual;
	u64 id;

	simt_start(t);
	for (off = 0; off < SIMT_DSIZE; off += 8) {
		simt_in_seek(t, off);
		fill_pattern(payload, sizeof(payload), off);
		KUNIT_ASSERT_EQ(test, vmbus_sim_send(t->sim, VM_PKT_DATA_INBAND, 0, off,
						     payload, sizeof(payload)), 0);
		/* the host's trailer, wherever the wrap split it */
		KUNIT_ASSERT_EQ(test, ring_u64(in_ring(t), off + WRAP_TOTAL - 8), (u64)off << 32);
		KUNIT_ASSERT_EQ(test, vmbus_recvpacket_raw(t->chan, buf, sizeof(buf),
							   &actual, &id), 0);
		KUNIT_ASSERT_EQ(test, actual, WRAP_TOTAL - SIMT_TRAILER);
		KUNIT_ASSERT_EQ(test, id, off);
		KUNIT_ASSERT_EQ(test, desc->type, VM_PKT_DATA_INBAND);
		KUNIT_ASSERT_EQ(test, desc->offset8, 2);
		KUNIT_ASSERT_EQ(test, desc->len8, (WRAP_TOTAL - SIMT_TRAILER) / 8);
		KUNIT_ASSERT_EQ_MSG(test, memcmp(buf + SIMT_DESC, payload, WRAP_PAYLOAD), 0,
				    "payload at offset %u", off);
		KUNIT_ASSERT_EQ(test, t->chan->inbound.ring_buffer->read_index,
				(off + WRAP_TOTAL) % SIMT_DSIZE);
	}
}

/* One slot stays free: a packet that would fill the ring exactly is refused. */
static void exactly_full_guest(struct kunit *test)
{
	struct simt *t = test->priv;
	u64 full_total;

	simt_start(t);
	vmbus_sim_pause_host(t->sim, true);
	full_total = t->chan->out_full_total;

	KUNIT_EXPECT_EQ(test, simt_guest_send_total(t, SIMT_DSIZE, 0), -EAGAIN);
	KUNIT_EXPECT_EQ(test, t->chan->out_full_total, full_total + 1);
	KUNIT_EXPECT_EQ(test, t->chan->outbound.ring_buffer->write_index, 0);

	KUNIT_EXPECT_EQ(test, simt_guest_send_total(t, SIMT_DSIZE - 8, 0), 0);
	KUNIT_EXPECT_EQ(test, t->chan->outbound.ring_buffer->write_index, SIMT_DSIZE - 8);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_write(&t->chan->outbound), 8);
	KUNIT_EXPECT_EQ(test, simt_guest_send_total(t, SIMT_MIN_PKT, 0), -EAGAIN);

	vmbus_sim_pause_host(t->sim, false);
	vmbus_sim_flush_host(t->sim);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->host_packets), 1);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_write(&t->chan->outbound), SIMT_DSIZE);
}

static void exactly_full_host(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmbus_sim_stats s;

	simt_start(t);

	KUNIT_EXPECT_EQ(test, simt_host_send_total(t, SIMT_DSIZE, 0), -EAGAIN);
	s = simt_stats(t);
	KUNIT_EXPECT_EQ(test, s.send_full, 1);
	KUNIT_EXPECT_EQ(test, t->chan->inbound.ring_buffer->write_index, 0);

	KUNIT_EXPECT_EQ(test, simt_host_send_total(t, SIMT_DSIZE - 8, 0), 0);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_read(&t->chan->inbound), SIMT_DSIZE - 8);
	KUNIT_EXPECT_EQ(test, simt_host_send_total(t, SIMT_MIN_PKT, 0), -EAGAIN);
	s = simt_stats(t);
	KUNIT_EXPECT_EQ(test, s.send_full, 2);
	KUNIT_EXPECT_EQ(test, s.packets_written, 1);
	KUNIT_EXPECT_EQ(test, s.bytes_written, SIMT_DSIZE - 8);

	KUNIT_EXPECT_EQ(test, simt_guest_drop(t), SIMT_DSIZE - 16);
	KUNIT_EXPECT_EQ(test, simt_host_send_total(t, SIMT_MIN_PKT, 0), 0);
}

/* Hostile packets: what hv_pkt_iter_first() hands the driver. */
struct hostile_case {
	const char *name;
	u16 type, offset8, len8, flags;
	u32 raw_len;		/* bytes written, trailer excluded */
	u32 max_pkt_size;	/* 0: the default */
	u16 want_type, want_offset8, want_len8;
	u32 want_next;		/* iterator position after __hv_pkt_iter_next() */
};

static const struct hostile_case hostile_cases[] = {
	{ "offset8 below the descriptor", VM_PKT_DATA_INBAND, 1, 3, 0, 24, 0,
	  VM_PKT_DATA_INBAND, 2, 3, 32 },
	{ "offset8 beyond len8", VM_PKT_DATA_INBAND, 4, 3, 0, 24, 0,
	  VM_PKT_DATA_INBAND, 2, 3, 32 },
	{ "len8 below the descriptor", VM_PKT_DATA_INBAND, 2, 1, 0, 24, 0,
	  VM_PKT_DATA_INBAND, 2, 4, 40 },
	{ "len8 beyond the data", VM_PKT_DATA_INBAND, 2, 0xffff, 0, 24, 0,
	  VM_PKT_DATA_INBAND, 2, 4, 40 },
	{ "longer than max_pkt_size", VM_PKT_DATA_INBAND, 2, 16, 0, 128, 64,
	  VM_PKT_DATA_INBAND, 2, 8, 72 },
	{ "unknown type and flags", VM_PKT_ADDITIONAL_DATA, 2, 3, 0x2, 24, 0,
	  VM_PKT_ADDITIONAL_DATA, 2, 3, 32 },
	{ "GPA-direct without its header", VM_PKT_DATA_USING_GPA_DIRECT, 2, 3, 1, 24, 0,
	  VM_PKT_DATA_USING_GPA_DIRECT, 2, 3, 32 },
};

static void hostile_case_desc(const struct hostile_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(hostile, hostile_cases, hostile_case_desc);

static void hostile_raw_packet(struct kunit *test)
{
	const struct hostile_case *c = test->param_value;
	struct simt *t = test->priv;
	struct vmpacket_descriptor *desc;
	u8 raw[128] = {};

	t->max_pkt_size = c->max_pkt_size;
	simt_start(t);

	desc = (void *)raw;
	desc->type = c->type;
	desc->offset8 = c->offset8;
	desc->len8 = c->len8;
	desc->flags = c->flags;
	desc->trans_id = 42;
	KUNIT_ASSERT_EQ(test, vmbus_sim_send_raw(t->sim, raw, c->raw_len), 0);

	desc = hv_pkt_iter_first(t->chan);
	KUNIT_ASSERT_NOT_NULL(test, desc);
	/* a private copy, never the ring */
	KUNIT_EXPECT_PTR_EQ(test, (void *)desc, t->chan->inbound.pkt_buffer);
	KUNIT_EXPECT_EQ(test, desc->type, c->want_type);
	KUNIT_EXPECT_EQ(test, desc->offset8, c->want_offset8);
	KUNIT_EXPECT_EQ(test, desc->len8, c->want_len8);
	KUNIT_EXPECT_EQ(test, desc->trans_id, 42);
	KUNIT_EXPECT_LE(test, hv_pkt_len(desc), t->chan->inbound.pkt_buffer_size);

	/* hv_vmbus advances by the sanitised length, even into garbage */
	__hv_pkt_iter_next(t->chan, desc);
	KUNIT_EXPECT_EQ(test, t->chan->inbound.priv_read_index, c->want_next);
	/* nothing was published yet */
	KUNIT_EXPECT_EQ(test, t->chan->inbound.ring_buffer->read_index, 0);
}

/* 6.12.117 refuses to write when the host corrupted the indices. */
static void corrupt_read_index(struct kunit *test)
{
#ifdef VMB_HV_RING_WRITE_CHECKS_INDICES
	struct simt *t = test->priv;
	u64 b = 0;

	simt_start(t);
	vmbus_sim_pause_host(t->sim, true);
	WRITE_ONCE(t->chan->outbound.ring_buffer->read_index, SIMT_DSIZE + 8);
	KUNIT_EXPECT_EQ(test, vmbus_sendpacket(t->chan, &b, sizeof(b), 0,
					       VM_PKT_DATA_INBAND, 0), -EIO);
	KUNIT_EXPECT_EQ(test, t->chan->outbound.ring_buffer->write_index, 0);
	WRITE_ONCE(t->chan->outbound.ring_buffer->read_index, 0);
#else
	kunit_skip(test, "hv_vmbus of this kernel does not check the indices");
#endif
}

/* The guest corrupts the inbound read index: the host refuses to write. */
static void host_checks_read_index(struct kunit *test)
{
	struct simt *t = test->priv;

	simt_start(t);
	WRITE_ONCE(t->chan->inbound.ring_buffer->read_index, 4);
	KUNIT_EXPECT_EQ(test, simt_host_send_total(t, SIMT_MIN_PKT, 0), -EIO);
	KUNIT_EXPECT_EQ(test, simt_stats(t).protocol_errors, 1);
	WRITE_ONCE(t->chan->inbound.ring_buffer->read_index, 0);
	KUNIT_EXPECT_EQ(test, simt_host_send_total(t, SIMT_MIN_PKT, 0), 0);
}

static struct kunit_case vmbus_sim_ring_cases[] = {
	KUNIT_CASE(ring_header_layout),
	KUNIT_CASE(worked_example_guest_to_host),
	KUNIT_CASE(worked_example_host_to_guest),
	KUNIT_CASE(wrap_guest_to_host),
	KUNIT_CASE(wrap_host_to_guest),
	KUNIT_CASE(exactly_full_guest),
	KUNIT_CASE(exactly_full_host),
	KUNIT_CASE_PARAM(hostile_raw_packet, hostile_gen_params),
	KUNIT_CASE(corrupt_read_index),
	KUNIT_CASE(host_checks_read_index),
	{}
};

static struct kunit_suite vmbus_sim_ring_suite = {
	.name = "vmbus_sim_ring",
	.init = ring_init,
	.exit = simt_exit,
	.test_cases = vmbus_sim_ring_cases,
};

kunit_test_suite(vmbus_sim_ring_suite);

MODULE_DESCRIPTION("KUnit tests for vmbus_sim's rings");
MODULE_LICENSE("GPL");
