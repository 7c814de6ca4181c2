// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for sends with external data: VmbPacketSend() with an MDL,
 * VmbPacketSendWithExternalMdl() and ...Pfns(), synchronous requests with an
 * MDL, and their limits. The simulated host reads (and writes) the data
 * through the GPA ranges it received, so what is checked is the guest's
 * description of its memory, byte for byte.
 */
#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0010, 0x4e11, 0x9a, 0x10, \
				 0x00, 0x00, 0x00, 0x00, 0x00, 0x10)

#include <linux/bvec.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>

#include "vmb_test_host.h"

#define WAIT	VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

#define MAX_READ	(SZ_1M + SZ_64K)
#define MAX_RANGES	16

/* What the host saw of the last GPA-direct packet. */
struct ext_host {
	u8 *data;		/* the external data, read through the ranges */
	u32 bytes;		/* sum of the ranges' byte counts */
	int read_ret;
	u32 ranges;
	u32 range_bytes[MAX_RANGES];
	u32 range_offset[MAX_RANGES];
	u32 inline_len;
	u64 inline_head;
	u32 packets;		/* GPA-direct packets seen */
	const u8 *write;	/* written into the guest's data before completing */
	u32 write_len;
};

static void ext_on_packet(struct vmb_th *th, const struct vmbus_sim_packet *pkt)
{
	struct ext_host *h = th->priv;
	u32 i;

	if (pkt->type != VM_PKT_DATA_USING_GPA_DIRECT)
		return;
	h->packets++;
	h->ranges = pkt->range_count;
	h->bytes = 0;
	for (i = 0; i < pkt->range_count; i++) {
		if (i < MAX_RANGES) {
			h->range_bytes[i] = pkt->ranges[i]->byte_count;
			h->range_offset[i] = pkt->ranges[i]->byte_offset;
		}
		h->bytes += pkt->ranges[i]->byte_count;
	}
	h->inline_len = pkt->length;
	h->inline_head = 0;
	memcpy(&h->inline_head, pkt->data, min_t(u32, pkt->length, sizeof(u64)));
	h->read_ret = h->bytes <= MAX_READ ?
		      vmbus_sim_copy_from_guest(th->sim, pkt, 0, h->data, h->bytes) : -E2BIG;
	if (h->write)
		vmbus_sim_copy_to_guest(th->sim, pkt, 0, h->write, h->write_len);
}

/* vmalloc'd memory freed with the test (6.1 has no kunit_add_action()) */
static int test_vmalloc_init(struct kunit_resource *res, void *size)
{
	res->data = vzalloc((size_t)size);
	return res->data ? 0 : -ENOMEM;
}

static void test_vmalloc_free(struct kunit_resource *res)
{
	vfree(res->data);
}

static void *test_vmalloc(struct kunit *test, size_t size)
{
	void *p = kunit_alloc_resource(test, test_vmalloc_init, test_vmalloc_free, GFP_KERNEL,
				       (void *)size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

static struct ext_host *ext_setup(struct kunit *test, struct vmb_th **thp)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct ext_host *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->data = test_vmalloc(test, MAX_READ);
	th->priv = h;
	th->on_packet = ext_on_packet;
	*thp = th;
	return h;
}

static void fill(u8 *p, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed + i * 13 + (i >> 11));
}

/* Send @mdl with an 8-byte inline header and wait for the host's completion. */
static void send_and_wait(struct vmb_th *th, struct vmb_mdl *mdl, u32 flags,
			  NTSTATUS expect)
{
	u64 header = 0x48454144;
	struct vmb_tp *tp;
	VMBPACKET pkt = vmb_th_packet(th, &tp);

	KUNIT_ASSERT_EQ(th->test, VmbPacketSend(pkt, &header, sizeof(header), mdl, flags),
			expect);
	if (expect != STATUS_SUCCESS) {
		VmbPacketFree(pkt);
		return;
	}
	KUNIT_ASSERT_TRUE(th->test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(th->test, tp->status, STATUS_SUCCESS);
}

/* The host read exactly @expect through ranges that obey the wire rules. */
static void expect_host_read(struct kunit *test, struct ext_host *h, const u8 *expect, u32 len,
			     u32 ranges)
{
	u32 i;

	KUNIT_EXPECT_EQ(test, h->read_ret, 0);
	KUNIT_EXPECT_EQ(test, h->bytes, len);
	KUNIT_EXPECT_EQ(test, h->ranges, ranges);
	for (i = 0; i < min_t(u32, h->ranges, MAX_RANGES); i++)
		KUNIT_EXPECT_LT(test, h->range_offset[i], 4096u);
	KUNIT_EXPECT_EQ(test, memcmp(h->data, expect, len), 0);
}

enum shape {
	SHAPE_KMALLOC_SMALL,
	SHAPE_KMALLOC_CROSSING,
	SHAPE_VMALLOC,
	SHAPE_SG,
	SHAPE_BVEC,
	SHAPE_CHAIN,
};

static const char *const shape_names[] = {
	"kmalloc sub-page", "kmalloc page-crossing", "vmalloc multi-page",
	"scatterlist of 3", "bio_vec of 2", "chain of kmalloc and vmalloc",
};

static const enum shape shapes[] = {
	SHAPE_KMALLOC_SMALL, SHAPE_KMALLOC_CROSSING, SHAPE_VMALLOC, SHAPE_SG, SHAPE_BVEC,
	SHAPE_CHAIN,
};

static void shape_desc(const enum shape *s, char *desc)
{
	strscpy(desc, shape_names[*s], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(shape, shapes, shape_desc);

/* Build an MDL of a shape over fresh memory; @expect gets its bytes. */
static struct vmb_mdl *build_shape(struct kunit *test, enum shape s, u8 *expect, u32 *len,
				   u32 *ranges)
{
	struct scatterlist sg[3];
	struct bio_vec bv[2];
	struct vmb_mdl *mdl = NULL, *tail;
	u8 *a, *b, *v;

	switch (s) {
	case SHAPE_KMALLOC_SMALL:
		a = kunit_kzalloc(test, 200, GFP_KERNEL);
		fill(a, 200, 1);
		mdl = vmb_mdl_from_buffer(a + 30, 100, GFP_KERNEL);
		memcpy(expect, a + 30, 100);
		*len = 100;
		*ranges = 1;
		break;
	case SHAPE_KMALLOC_CROSSING:
		a = kunit_kzalloc(test, 3 * SZ_4K, GFP_KERNEL);
		fill(a, 3 * SZ_4K, 2);
		mdl = vmb_mdl_from_buffer(a + 4000, 6000, GFP_KERNEL);
		memcpy(expect, a + 4000, 6000);
		*len = 6000;
		*ranges = 1;
		break;
	case SHAPE_VMALLOC:
		v = test_vmalloc(test, 6 * PAGE_SIZE);
		fill(v, 6 * PAGE_SIZE, 3);
		mdl = vmb_mdl_from_buffer(v + 100, 5 * PAGE_SIZE, GFP_KERNEL);
		memcpy(expect, v + 100, 5 * PAGE_SIZE);
		*len = 5 * PAGE_SIZE;
		*ranges = 1;	/* its pages meet at page boundaries */
		break;
	case SHAPE_SG:
		a = kunit_kzalloc(test, 512, GFP_KERNEL);
		b = kunit_kzalloc(test, 2 * SZ_4K, GFP_KERNEL);
		fill(a, 512, 4);
		fill(b, 2 * SZ_4K, 5);
		sg_init_table(sg, 3);
		sg_set_buf(&sg[0], a + 8, 300);		/* ends mid-frame ... */
		sg_set_buf(&sg[1], b + 16, 5000);	/* ... starts mid-frame */
		sg_set_buf(&sg[2], a + 400, 64);
		memcpy(expect, a + 8, 300);
		memcpy(expect + 300, b + 16, 5000);
		memcpy(expect + 5300, a + 400, 64);
		mdl = vmb_mdl_from_sg(sg, 3, GFP_KERNEL);
		*len = 5364;
		*ranges = 3;
		break;
	case SHAPE_BVEC:
		v = test_vmalloc(test, 3 * PAGE_SIZE);
		fill(v, 3 * PAGE_SIZE, 6);
		bv[0].bv_page = vmalloc_to_page(v);
		bv[0].bv_offset = 1000;
		bv[0].bv_len = PAGE_SIZE - 1000;
		bv[1].bv_page = vmalloc_to_page(v + 2 * PAGE_SIZE);
		bv[1].bv_offset = 0;
		bv[1].bv_len = 700;
		memcpy(expect, v + 1000, PAGE_SIZE - 1000);
		memcpy(expect + PAGE_SIZE - 1000, v + 2 * PAGE_SIZE, 700);
		mdl = vmb_mdl_from_bvec(bv, 2, GFP_KERNEL);
		*len = PAGE_SIZE - 300;
		*ranges = 1;	/* they meet at a page boundary */
		break;
	case SHAPE_CHAIN:
		a = kunit_kzalloc(test, 100, GFP_KERNEL);
		v = test_vmalloc(test, 2 * PAGE_SIZE);
		fill(a, 100, 7);
		fill(v, 2 * PAGE_SIZE, 8);
		mdl = vmb_mdl_from_buffer(a, 100, GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
		tail = vmb_mdl_from_buffer(v, 2 * PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(tail));
		vmb_mdl_chain(mdl, tail);
		memcpy(expect, a, 100);
		memcpy(expect + 100, v, 2 * PAGE_SIZE);
		*len = 100 + 2 * PAGE_SIZE;
		*ranges = 2;
		break;
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(mdl));
	return mdl;
}

static void send_every_shape(struct kunit *test)
{
	const enum shape *s = test->param_value;
	u8 *expect = kunit_kzalloc(test, 8 * PAGE_SIZE, GFP_KERNEL);
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	struct vmb_mdl *mdl;
	u32 len, ranges;

	KUNIT_ASSERT_NOT_NULL(test, expect);
	vmb_th_enable(th);
	mdl = build_shape(test, *s, expect, &len, &ranges);
	KUNIT_ASSERT_EQ(test, vmb_mdl_byte_count(mdl), len);
	send_and_wait(th, mdl, WAIT, STATUS_SUCCESS);
	vmb_mdl_free(mdl);

	KUNIT_EXPECT_EQ(test, h->packets, 1u);
	KUNIT_EXPECT_EQ(test, h->inline_head, 0x48454144ull);
	KUNIT_EXPECT_EQ(test, h->inline_len, 8u);
	expect_host_read(test, h, expect, len, ranges);
}

/* Windows of a three-element chain at and around every boundary. */
static void window_every_boundary(struct kunit *test)
{
	u8 *a = kunit_kzalloc(test, 3 * SZ_4K, GFP_KERNEL);
	u8 *b = kunit_kzalloc(test, 600, GFP_KERNEL);
	u8 *expect = kunit_kzalloc(test, 4 * SZ_4K, GFP_KERNEL);
	/* element edges at 5000 and 5600 of 8100 bytes; frames of a in between */
	static const u32 edges[] = { 0, 1, 95, 96, 97, 4999, 5000, 5001, 5599, 5600, 5601,
				     8099 };
	struct vmb_mdl *mdl, *m2, *m3;
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, expect);
	fill(a, 3 * SZ_4K, 9);
	fill(b, 600, 10);
	mdl = vmb_mdl_from_buffer(a + 100, 5000, GFP_KERNEL);
	m2 = vmb_mdl_from_buffer(b, 600, GFP_KERNEL);
	m3 = vmb_mdl_from_buffer(a + 6000, 2500, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl) || IS_ERR(m2) || IS_ERR(m3));
	vmb_mdl_chain(mdl, m2);
	vmb_mdl_chain(mdl, m3);
	memcpy(expect, a + 100, 5000);
	memcpy(expect + 5000, b, 600);
	memcpy(expect + 5600, a + 6000, 2500);
	vmb_th_enable(th);

	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		for (j = i; j < ARRAY_SIZE(edges); j++) {
			u32 off = edges[i], len = edges[j] + 1 - off;
			struct vmb_tp *tp;
			VMBPACKET pkt = vmb_th_packet(th, &tp);
			u32 seen = h->packets;
			NTSTATUS status;

			status = VmbPacketSendWithExternalMdl(pkt, &off, sizeof(off), mdl, off, len,
							      WAIT);
			KUNIT_ASSERT_EQ(test, status, STATUS_SUCCESS);
			KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
			KUNIT_ASSERT_EQ(test, h->packets, seen + 1);
			KUNIT_EXPECT_EQ(test, h->read_ret, 0);
			KUNIT_EXPECT_EQ(test, h->bytes, len);
			KUNIT_EXPECT_EQ(test, h->ranges,
					(u32)((off < 5000) + (off < 5600 && off + len > 5000) +
					      (off + len > 5600)));
			KUNIT_EXPECT_EQ_MSG(test, memcmp(h->data, expect + off, len), 0,
					    "window %u+%u", off, len);
		}
	}
	/* length 0: to the end of the chain */
	send_and_wait(th, mdl, WAIT, STATUS_SUCCESS);
	expect_host_read(test, h, expect, 8100, 3);
	vmb_mdl_free(mdl);
}

/* FORCE_MDL_LENGTH: the first element only, past its byte count to its last frame's end */
static void force_mdl_length(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	u8 *b = kunit_kzalloc(test, 64, GFP_KERNEL);
	u32 flags = WAIT;
	struct vmb_mdl *mdl, *tail;
	struct vmb_tp *tp;
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	VMBPACKET pkt;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, b);
	p = page_address(page);
	fill(p, PAGE_SIZE, 11);
	mdl = vmb_mdl_from_buffer(p + 1000, 100, GFP_KERNEL);
	tail = vmb_mdl_from_buffer(b, 64, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl) || IS_ERR(tail));
	vmb_mdl_chain(mdl, tail);
	vmb_th_enable(th);

	/* without the flag a window past the chain is refused */
	pkt = vmb_th_packet(th, &tp);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 10, 3000, flags),
			STATUS_INVALID_PARAMETER);
	/* with it: 3000 bytes from offset 10 of the first element, one range */
	KUNIT_ASSERT_EQ(test,
			VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 10, 3000,
						     flags |
						     VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	expect_host_read(test, h, p + 1010, 3000, 1);
	/* but never past the end of the element's last frame */
	pkt = vmb_th_packet(th, &tp);
	KUNIT_EXPECT_EQ(test,
			VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 10, 4096 - 1010 + 1,
						     flags |
						     VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH),
			STATUS_INVALID_PARAMETER);
	VmbPacketFree(pkt);
	vmb_mdl_free(mdl);
	__free_page(page);
}

static void send_pfns(struct kunit *test)
{
	u8 *v = test_vmalloc(test, 3 * PAGE_SIZE);
	u64 pfns[3 * (PAGE_SIZE / SZ_4K)];
	struct vmb_tp *tp;
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	VMBPACKET pkt;
	u32 i;

	fill(v, 3 * PAGE_SIZE, 12);
	for (i = 0; i < ARRAY_SIZE(pfns); i++)
		pfns[i] = virt_to_hvpfn(v + i * SZ_4K);
	vmb_th_enable(th);
	pkt = vmb_th_packet(th, &tp);
	KUNIT_ASSERT_EQ(test,
			VmbPacketSendWithExternalPfns(pkt, NULL, 0, pfns, ARRAY_SIZE(pfns),
						      WAIT),
			STATUS_SUCCESS);
	/* the PFN array is the caller's again at once */
	memset(pfns, 0xff, sizeof(pfns));
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	expect_host_read(test, h, v, 3 * PAGE_SIZE, 1);
	KUNIT_EXPECT_EQ(test, h->range_offset[0], 0u);
}

/* A read I/O: the host writes into the guest's pages, the guest sees exactly that. */
static void host_writes_guest_pages(struct kunit *test)
{
	u8 *v = test_vmalloc(test, 4 * PAGE_SIZE);
	u8 *pattern = kunit_kzalloc(test, 3 * PAGE_SIZE, GFP_KERNEL);
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	struct vmb_mdl *mdl;

	KUNIT_ASSERT_NOT_NULL(test, pattern);
	fill(pattern, 3 * PAGE_SIZE, 13);
	memset(v, 0xee, 4 * PAGE_SIZE);
	h->write = pattern;
	h->write_len = 3 * PAGE_SIZE;
	mdl = vmb_mdl_from_buffer(v + 512, 3 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	vmb_th_enable(th);
	send_and_wait(th, mdl, WAIT, STATUS_SUCCESS);
	vmb_mdl_free(mdl);
	KUNIT_EXPECT_EQ(test, memcmp(v + 512, pattern, 3 * PAGE_SIZE), 0);
	/* and not a byte around it */
	KUNIT_EXPECT_EQ(test, v[511], 0xee);
	KUNIT_EXPECT_EQ(test, v[512 + 3 * PAGE_SIZE], 0xee);
}

/* No copy: the host reads the guest's memory as it is when the host gets there. */
static void data_is_not_copied(struct kunit *test)
{
	u8 *a = kunit_kzalloc(test, 2000, GFP_KERNEL);
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	struct vmb_mdl *mdl;
	struct vmb_tp *tp;
	VMBPACKET pkt;

	KUNIT_ASSERT_NOT_NULL(test, a);
	memset(a, 1, 2000);
	mdl = vmb_mdl_from_buffer(a, 2000, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	vmb_th_enable(th);
	vmbus_sim_pause_host(th->sim, true);
	pkt = vmb_th_packet(th, &tp);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, NULL, 0, mdl,
					    WAIT),
			STATUS_SUCCESS);
	vmb_mdl_free(mdl);
	memset(a, 2, 2000);
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, h->data[0], 2);
	KUNIT_EXPECT_EQ(test, h->data[1999], 2);
}

/* A send that finds the ring full queues, descriptor and all, behind earlier ones. */
static void queued_external_send(struct kunit *test)
{
	u8 *a = kunit_kzalloc(test, 3000, GFP_KERNEL);
	struct vmb_tp *last, *tp;
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	struct vmb_mdl *mdl;
	VMBPACKET pkt;
	u32 n;

	KUNIT_ASSERT_NOT_NULL(test, a);
	fill(a, 3000, 14);
	mdl = vmb_mdl_from_buffer(a, 3000, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	vmb_th_small_rings(th);
	vmb_th_enable(th);
	n = vmb_th_fill_ring(th, 1, &last);
	pkt = vmb_th_packet(th, &tp);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, &n, sizeof(n), mdl,
					    WAIT),
			STATUS_SUCCESS);
	vmb_mdl_free(mdl);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 0);
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	/* FIFO: every inband packet before it was written first */
	KUNIT_EXPECT_GT(test, tp->order, last->order);
	KUNIT_EXPECT_EQ(test, h->packets, 1u);
	KUNIT_EXPECT_EQ(test, h->inline_head, (u64)n);
	expect_host_read(test, h, a, 3000, 1);
}

static void sync_request_with_mdl(struct kunit *test)
{
	u8 *a = kunit_kzalloc(test, 5000, GFP_KERNEL);
	u64 request = 0x53594e43, reply[2] = { };
	u32 size = sizeof(reply);
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	struct vmb_mdl *mdl;

	KUNIT_ASSERT_NOT_NULL(test, a);
	fill(a, 5000, 15);
	mdl = vmb_mdl_from_buffer(a, 5000, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test,
			VmbChannelSendSynchronousRequest(th->ch, &request, sizeof(request), mdl,
							 WAIT,
							 reply, &size, NULL),
			STATUS_SUCCESS);
	/* the host echoes the inline payload */
	KUNIT_EXPECT_EQ(test, size, 8u);
	KUNIT_EXPECT_EQ(test, reply[0], request);
	expect_host_read(test, h, a, 5000, 1);
	/* external data needs a transaction */
	size = sizeof(reply);
	KUNIT_EXPECT_EQ(test,
			VmbChannelSendSynchronousRequest(th->ch, &request, sizeof(request), mdl, 0,
							 reply, &size, NULL),
			STATUS_INVALID_PARAMETER);
	vmb_mdl_free(mdl);
}

static void bad_sends(struct kunit *test)
{
	u8 *a = kunit_kzalloc(test, 100, GFP_KERNEL);
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	struct vmb_mdl *mdl;
	struct vmb_tp *tp;
	VMBPACKET pkt;
	u64 pfn;

	KUNIT_ASSERT_NOT_NULL(test, a);
	mdl = vmb_mdl_from_buffer(a, 100, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	pfn = virt_to_hvpfn(a);
	vmb_th_enable(th);
	pkt = vmb_th_packet(th, &tp);
	/* the host holds our pages until it completes: WAIT_FOR_COMPLETION always */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, NULL, 0, mdl, 0), STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 0, 0, 0),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, NULL, 0, &pfn, 1, 0),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, NULL, 0, 0, WAIT),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 100, 0, WAIT),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 50, 51, WAIT),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, NULL, 0, NULL, 1, WAIT),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, NULL, 0, &pfn, 0, WAIT),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 0, 0, WAIT | 8),
			STATUS_INVALID_PARAMETER);
	/* nothing reached the host, nothing ran */
	vmbus_sim_flush_host(th->sim);
	KUNIT_EXPECT_EQ(test, h->packets, 0u);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 0);
	VmbPacketFree(pkt);
	vmb_mdl_free(mdl);
}

static void limits(struct kunit *test)
{
	u8 *v = test_vmalloc(test, 3 * SZ_4K);
	u8 *a = kunit_kzalloc(test, 100, GFP_KERNEL);
	struct vmb_mdl *mdl, *chain;
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	struct vmb_tp *tp;
	VMBPACKET pkt;
	u32 before, i;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, 0, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, SZ_4K, 0),
			STATUS_INVALID_PARAMETER_3);
	/* a descriptor for 256 MiB cannot fit the 512 KiB VMBus packet */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, SZ_256M, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, 2 * SZ_4K, 2),
			STATUS_SUCCESS);
	before = VmbChannelSizeofPacket(th->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, 3 * SZ_4K, 2),
			STATUS_SUCCESS);
	/* packet objects keep room for the larger descriptor */
	KUNIT_EXPECT_EQ(test, VmbChannelSizeofPacket(th->ch), before + 8);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, SZ_4K, 1),
			STATUS_INVALID_PARAMETER_1);

	mdl = vmb_mdl_from_buffer(v, 3 * SZ_4K, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	pkt = vmb_th_packet(th, &tp);
	/* at the limit: fine; one byte over: refused, not truncated */
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 1, 0, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, h->bytes, 3u * SZ_4K - 1);
	pkt = vmb_th_packet(th, &tp);
	chain = vmb_mdl_from_buffer(a, 1, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(chain));
	vmb_mdl_chain(chain, mdl);	/* 1 + 3 * 4096 bytes */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, NULL, 0, chain, WAIT), STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, chain, 0, 3 * SZ_4K,
							   WAIT), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, h->ranges, 2u);
	vmb_mdl_free(chain);

	/* three one-byte elements: three ranges, one more than allowed */
	chain = vmb_mdl_from_buffer(a, 1, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(chain));
	for (i = 1; i < 3; i++) {
		mdl = vmb_mdl_from_buffer(a + 40 * i, 1, GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
		vmb_mdl_chain(chain, mdl);
	}
	pkt = vmb_th_packet(th, &tp);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, NULL, 0, chain, WAIT), STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, chain, 1, 0, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, h->ranges, 2u);
	vmb_mdl_free(chain);
}

/* A packet that could never fit the outgoing ring is refused, not queued forever. */
static void larger_than_ring(struct kunit *test)
{
	u64 *pfns = kunit_kcalloc(test, 600, sizeof(u64), GFP_KERNEL);
	u8 *v = test_vmalloc(test, 600 * SZ_4K);
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	struct vmb_tp *tp;
	VMBPACKET pkt;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, pfns);
	for (i = 0; i < 600; i++)
		pfns[i] = virt_to_hvpfn(v + i * SZ_4K);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(th->ch, 600 * SZ_4K, 1),
			STATUS_SUCCESS);
	vmb_th_small_rings(th);
	vmb_th_enable(th);
	pkt = vmb_th_packet(th, &tp);
	/* 600 PFNs are 4.8 KiB of descriptor: more than a one-page ring */
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, NULL, 0, pfns, 600, WAIT),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, NULL, 0, pfns, 256, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls)));
	KUNIT_EXPECT_EQ(test, h->bytes, 256u * SZ_4K);
}

/* Disable cancels an external send in flight exactly once, like any other. */
static void disable_cancels_external(struct kunit *test)
{
	u8 *a = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct vmb_th *th;
	struct ext_host *h = ext_setup(test, &th);
	struct vmb_mdl *mdl;
	struct vmb_tp *tp;
	VMBPACKET pkt;

	KUNIT_ASSERT_NOT_NULL(test, a);
	th->model = VMB_TH_SILENT;
	mdl = vmb_mdl_from_buffer(a, 64, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	vmb_th_enable(th);
	pkt = vmb_th_packet(th, &tp);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, NULL, 0, mdl,
					    WAIT),
			STATUS_SUCCESS);
	vmb_mdl_free(mdl);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, h->packets == 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 0);
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->calls), 1);
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_CANCELLED);
}

static struct kunit_case vmb_external_cases[] = {
	KUNIT_CASE_PARAM(send_every_shape, shape_gen_params),
	KUNIT_CASE(window_every_boundary),
	KUNIT_CASE(force_mdl_length),
	KUNIT_CASE(send_pfns),
	KUNIT_CASE(host_writes_guest_pages),
	KUNIT_CASE(data_is_not_copied),
	KUNIT_CASE(queued_external_send),
	KUNIT_CASE(sync_request_with_mdl),
	KUNIT_CASE(bad_sends),
	KUNIT_CASE(limits),
	KUNIT_CASE(larger_than_ring),
	KUNIT_CASE(disable_cancels_external),
	{}
};

static struct kunit_suite vmb_external_suite = {
	.name = "vmb_external",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_external_cases,
};

kunit_test_suite(vmb_external_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl's external-data sends");
MODULE_LICENSE("GPL");
