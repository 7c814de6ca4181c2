// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for a channel's host-visible memory (KMCL V3):
 * VmbChannelInitSetBounceBufferSizes() and VmbChannelAllocateBounceBuffer().
 *
 * - their statuses on bad input and in the wrong state;
 * - a bounce buffer reaches the host as its own frames, never copied, and
 *   carries data both ways, whether the device bounces or not;
 * - where the device bounces (swiotlb=force, as on a confidential VM; make
 *   check boots this suite once more that way), external data goes
 *   through the channel's pool: the host is given frames that are neither
 *   the caller's nor swiotlb's, reads the data intact and its writes come
 *   back; what the pool cannot hold takes swiotlb's path;
 * - where nothing bounces the pool is not used: no copy;
 * - the pool is not replaced while a queued send holds its frames.
 *
 * Every case ends in VmbChannelCleanup(), which frees the pool and the
 * buffers: the debug kernels' kmemleak reports what it would leave.
 */
#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0b0b, 0x4e11, 0x9a, 0x0b, \
				 0x62, 0x6f, 0x75, 0x6e, 0x63, 0x65)

#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/swiotlb.h>

#include "vmb_test_host.h"

#define WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
/* one block of the page allocator with 4 KiB pages (6.1 and 6.12) */
#define MAX_BOUNCE	SZ_4M
#define WINDOW_OFFSET	100
#define WINDOW		5000	/* two or three 4 KiB frames */

/* What the host saw of a GPA-direct packet's frames. */
struct dma_host {
	struct device *dev;
	u32 frames;
	u32 own_frames;		/* frames of the caller's buffer itself */
	u32 swiotlb_frames;	/* frames in swiotlb's pool */
	const u8 *buffer;	/* the caller's window */
	u8 data[WINDOW];
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

/* Records the frames, reads the data and answers with every byte + 1. */
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
			h->own_frames += frame_of(h->buffer, WINDOW, gpa);
			h->swiotlb_frames += vmb_is_swiotlb_buffer(h->dev, gpa);
		}
	}
	h->read_ret = vmbus_sim_copy_from_guest(th->sim, pkt, 0, h->data, WINDOW);
	for (i = 0; i < WINDOW; i++)
		h->data[i]++;
	h->write_ret = vmbus_sim_copy_to_guest(th->sim, pkt, 0, h->data, WINDOW);
}

static struct dma_host *dma_host(struct kunit *test, struct vmb_th *th, u8 *buf)
{
	struct dma_host *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < WINDOW + WINDOW_OFFSET; i++)
		buf[i] = i * 13;
	h->dev = &th->hv_dev->device;
	h->buffer = buf + WINDOW_OFFSET;
	th->priv = h;
	th->on_packet = dma_look;
	return h;
}

/* Send the window of @buf as external data; returns its tracker. */
static struct vmb_tp *send_window(struct kunit *test, struct vmb_th *th, u8 *buf,
				  struct vmb_mdl **mdl)
{
	struct vmb_tp *tp;
	VMBPACKET pkt;
	u64 seq = 1;

	*mdl = vmb_mdl_from_buffer(buf + WINDOW_OFFSET, WINDOW, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *mdl);
	pkt = vmb_th_packet(th, &tp);
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(pkt, &seq, sizeof(seq), *mdl, 0, 0,
							   WAIT),
			STATUS_SUCCESS);
	return tp;
}

/* The host read the window intact and its answer is in the caller's buffer. */
static void expect_round_trip(struct kunit *test, struct dma_host *h, const u8 *buf)
{
	u32 i;

	KUNIT_EXPECT_EQ(test, h->read_ret, 0);
	KUNIT_EXPECT_EQ(test, h->write_ret, 0);
	KUNIT_EXPECT_GE(test, h->frames, 2U);
	for (i = 0; i < WINDOW; i++)
		if (h->data[i] != (u8)((i + WINDOW_OFFSET) * 13 + 1) ||
		    buf[i + WINDOW_OFFSET] != h->data[i])
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, WINDOW, "data differs at byte %u", i);
}

/* Send the window of @buf on the enabled channel and wait for its completion. */
static struct dma_host *round_trip(struct kunit *test, struct vmb_th *th, u8 *buf)
{
	struct dma_host *h = dma_host(test, th, buf);
	struct vmb_mdl *mdl;
	struct vmb_tp *tp;

	tp = send_window(test, th, buf, &mdl);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	vmb_mdl_free(mdl);
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	expect_round_trip(test, h, buf);
	return h;
}

static bool bouncing(struct vmb_th *th)
{
	return is_swiotlb_force_bounce(&th->hv_dev->device);
}

static void sizes_need_a_disabled_channel_and_fit_one_block(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(NULL, SZ_4K, SZ_4K),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, MAX_BOUNCE + 1, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, U32_MAX, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, 0, MAX_BOUNCE + 1),
			STATUS_INVALID_PARAMETER_3);
	/* together: rounded up to 4 KiB each */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, MAX_BOUNCE, 1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, SZ_2M, SZ_2M),
			STATUS_SUCCESS);
	/* again: replaced; 0 and 0: none */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, 100, 100),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, 0, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, SZ_8K, 0),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, SZ_4K, SZ_4K),
			STATUS_INVALID_PARAMETER_1);
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, SZ_4K, SZ_4K),
			STATUS_SUCCESS);
}

static void allocate_statuses_and_zeroed_pages(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	void *buffer = th, *second = th;
	u32 i;

	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(NULL, SZ_4K, &buffer),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_NULL(test, buffer);
	buffer = th;
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(th->ch, 0, &buffer),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_NULL(test, buffer);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(th->ch, MAX_BOUNCE + 1, &buffer),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(th->ch, SZ_4K, NULL),
			STATUS_INVALID_PARAMETER_3);

	/* whole pages, zeroed, in any state until Cleanup */
	KUNIT_ASSERT_EQ(test, VmbChannelAllocateBounceBuffer(th->ch, 5000, &buffer),
			STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, buffer);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(buffer));
	for (i = 0; i < PAGE_ALIGN(5000); i++)
		if (((u8 *)buffer)[i])
			break;
	KUNIT_EXPECT_EQ(test, i, (u32)PAGE_ALIGN(5000));
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocateBounceBuffer(th->ch, 1, &second),
			STATUS_SUCCESS);
	KUNIT_EXPECT_NOT_NULL(test, second);
	KUNIT_EXPECT_PTR_NE(test, second, buffer);
}

/* A bounce buffer goes to the host as it is, bouncing or not: no copy. */
static void buffer_reaches_host_as_its_own_frames(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct dma_host *h;
	void *buf;

	KUNIT_ASSERT_EQ(test, VmbChannelAllocateBounceBuffer(th->ch, WINDOW + WINDOW_OFFSET,
							     &buf),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	h = round_trip(test, th, buf);
	KUNIT_EXPECT_EQ(test, h->own_frames, h->frames);
	KUNIT_EXPECT_EQ(test, h->swiotlb_frames, 0U);
}

/* Where the device bounces, the channel's pool takes the external data. */
static void sends_bounce_through_the_channel_pool(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct dma_host *h;
	u8 *buf;

	if (!bouncing(th))
		kunit_skip(test, "needs a boot with swiotlb=force");
	buf = kunit_kmalloc(test, WINDOW + WINDOW_OFFSET, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, SZ_8K, SZ_8K),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	h = round_trip(test, th, buf);
	KUNIT_EXPECT_EQ(test, h->own_frames, 0U);
	KUNIT_EXPECT_EQ(test, h->swiotlb_frames, 0U);
	/* and again, from the same frames given back */
	h = round_trip(test, th, buf);
	KUNIT_EXPECT_EQ(test, h->own_frames + h->swiotlb_frames, 0U);
}

/* A pool of one frame: the rest of a send takes swiotlb's path. */
static void pool_overflow_takes_the_dma_api_path(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct dma_host *h;
	u8 *buf;

	if (!bouncing(th))
		kunit_skip(test, "needs a boot with swiotlb=force");
	buf = kunit_kmalloc(test, WINDOW + WINDOW_OFFSET, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, 0, 1),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	h = round_trip(test, th, buf);
	KUNIT_EXPECT_EQ(test, h->own_frames, 0U);
	KUNIT_EXPECT_EQ(test, h->swiotlb_frames, h->frames - 1);
}

/* Where nothing bounces, the pool stays unused: the caller's own frames. */
static void pool_unused_where_nothing_bounces(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct dma_host *h;
	u8 *buf;

	if (bouncing(th))
		kunit_skip(test, "swiotlb bounces every mapping in this boot");
	buf = kunit_kmalloc(test, WINDOW + WINDOW_OFFSET, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, SZ_8K, SZ_8K),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	h = round_trip(test, th, buf);
	KUNIT_EXPECT_EQ(test, h->own_frames, h->frames);
	KUNIT_EXPECT_EQ(test, h->swiotlb_frames, 0U);
}

/*
 * A send made while Disabled is mapped and queued: its pool frames stay
 * taken until it completes, so the pool is not replaced under it.
 */
static void pool_kept_while_a_queued_send_holds_it(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct dma_host *h;
	struct vmb_mdl *mdl;
	struct vmb_tp *tp;
	u8 *buf;

	if (!bouncing(th))
		kunit_skip(test, "needs a boot with swiotlb=force");
	buf = kunit_kmalloc(test, WINDOW + WINDOW_OFFSET, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, SZ_16K, 0),
			STATUS_SUCCESS);
	h = dma_host(test, th, buf);
	tp = send_window(test, th, buf, &mdl);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, SZ_4K, 0),
			STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, 0, 0),
			STATUS_INVALID_DEVICE_STATE);
	/* Enable sends it; the data went through the pool kept */
	vmb_th_enable(th);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	vmb_mdl_free(mdl);
	KUNIT_EXPECT_EQ(test, tp->status, STATUS_SUCCESS);
	expect_round_trip(test, h, buf);
	KUNIT_EXPECT_EQ(test, h->own_frames + h->swiotlb_frames, 0U);
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(th->ch, 0, 0), STATUS_SUCCESS);
}

static struct kunit_case vmb_bounce_cases[] = {
	KUNIT_CASE(sizes_need_a_disabled_channel_and_fit_one_block),
	KUNIT_CASE(allocate_statuses_and_zeroed_pages),
	KUNIT_CASE(buffer_reaches_host_as_its_own_frames),
	KUNIT_CASE(sends_bounce_through_the_channel_pool),
	KUNIT_CASE(pool_overflow_takes_the_dma_api_path),
	KUNIT_CASE(pool_unused_where_nothing_bounces),
	KUNIT_CASE(pool_kept_while_a_queued_send_holds_it),
	{ }
};

static struct kunit_suite vmb_bounce_suite = {
	.name = "vmb_bounce",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_bounce_cases,
};

kunit_test_suite(vmb_bounce_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl's host-visible channel memory (KMCL V3)");
MODULE_LICENSE("GPL");
