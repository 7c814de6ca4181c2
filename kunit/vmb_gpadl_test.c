// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for GPADLs: VmbChannelCreateGpadlFromBuffer(),
 * VmbChannelCreateGpadlFromMdl(), VmbChannelDeleteGpadl() and the teardown
 * of what the caller left at Disable. The simulated host reads and writes
 * through the GPADL's recorded frames, as Hyper-V would.
 */
#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0011, 0x4e11, 0x9a, 0x11, \
				 0x00, 0x00, 0x00, 0x00, 0x00, 0x11)

#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "vmb_test_host.h"

static void fill(u8 *p, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed + i * 29 + (i >> 12));
}

static u64 host_gpadls(struct vmb_th *th)
{
	struct vmbus_sim_stats stats;

	vmbus_sim_get_stats(th->sim, &stats);
	return stats.gpadls;
}

/* Both directions through a GPADL over @buf: the host sees the guest's bytes and back. */
static void expect_shared(struct kunit *test, struct vmb_th *th, u32 gpadl, u8 *buf, u32 size)
{
	u8 *seen = kunit_kzalloc(test, size, GFP_KERNEL);
	u8 *pattern = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_NOT_NULL(test, pattern);
	KUNIT_ASSERT_EQ(test, vmbus_sim_gpadl_copy_from_guest(th->sim, gpadl, 0, seen, size), 0);
	KUNIT_EXPECT_EQ(test, memcmp(seen, buf, size), 0);
	fill(pattern, size, 77);
	KUNIT_ASSERT_EQ(test, vmbus_sim_gpadl_copy_to_guest(th->sim, gpadl, 0, pattern, size), 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf, pattern, size), 0);
	/* nothing past its end */
	KUNIT_EXPECT_NE(test, vmbus_sim_gpadl_copy_from_guest(th->sim, gpadl, size, seen, 1), 0);
}

static void from_page_allocator_buffer(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	unsigned long addr = __get_free_pages(GFP_KERNEL, 2);
	u64 before;
	u32 gpadl;

	KUNIT_ASSERT_NE(test, addr, 0ul);
	fill((u8 *)addr, 4 * PAGE_SIZE, 1);
	vmb_th_enable(th);
	before = host_gpadls(th);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, (void *)addr,
							      4 * PAGE_SIZE, &gpadl),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, host_gpadls(th), before + 1);
	expect_shared(test, th, gpadl, (u8 *)addr, 4 * PAGE_SIZE);
	VmbChannelDeleteGpadl(th->ch, gpadl);
	KUNIT_EXPECT_EQ(test, host_gpadls(th), before);
	/* gone for the host too */
	KUNIT_EXPECT_NE(test, vmbus_sim_gpadl_copy_from_guest(th->sim, gpadl, 0, &before, 1), 0);
	free_pages(addr, 2);
}

static void from_vmalloc_buffer(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u8 *v = vmalloc(5 * PAGE_SIZE);
	u32 gpadl;

	KUNIT_ASSERT_NOT_NULL(test, v);
	fill(v, 5 * PAGE_SIZE, 2);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch,
							      VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY,
							      v, 5 * PAGE_SIZE, &gpadl),
			STATUS_SUCCESS);
	expect_shared(test, th, gpadl, v, 5 * PAGE_SIZE);
	VmbChannelDeleteGpadl(th->ch, gpadl);
	vfree(v);
}

/* Scattered pages through an MDL: the host sees them as one buffer, in chain order. */
static void from_mdl_of_scattered_pages(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	u8 *whole = kunit_kzalloc(test, 3 * PAGE_SIZE, GFP_KERNEL);
	struct page *pages[3];
	struct vmb_mdl *mdl, *tail;
	u8 *seen;
	u32 gpadl, i;

	KUNIT_ASSERT_NOT_NULL(test, whole);
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		fill(page_address(pages[i]), PAGE_SIZE, 10 + i);
	}
	/* pages 2 and 0 in one element, page 1 in a second: chain order counts */
	mdl = vmb_mdl_from_pages(&pages[2], 0, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	tail = vmb_mdl_from_pages(&pages[0], 0, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tail));
	vmb_mdl_chain(mdl, tail);
	memcpy(whole, page_address(pages[2]), PAGE_SIZE);
	memcpy(whole + PAGE_SIZE, page_address(pages[0]), PAGE_SIZE);
	memcpy(whole + 2 * PAGE_SIZE, page_address(pages[1]), PAGE_SIZE);
	vmb_th_enable(th);

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromMdl(th->ch, 0, mdl, 0, 0, &gpadl),
			STATUS_SUCCESS);
	seen = kunit_kzalloc(test, 3 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_EQ(test, vmbus_sim_gpadl_copy_from_guest(th->sim, gpadl, 0, seen,
							      3 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, memcmp(seen, whole, 3 * PAGE_SIZE), 0);
	/* the host writes the last page: it lands in pages[1] */
	memset(seen, 0x3c, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, vmbus_sim_gpadl_copy_to_guest(th->sim, gpadl, 2 * PAGE_SIZE, seen,
							    PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(pages[1]), seen, PAGE_SIZE), 0);
	VmbChannelDeleteGpadl(th->ch, gpadl);

	/* a window of whole frames: the second page of the chain only */
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromMdl(th->ch, 0, mdl, PAGE_SIZE, PAGE_SIZE,
							   &gpadl), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, vmbus_sim_gpadl_copy_from_guest(th->sim, gpadl, 0, seen,
							      PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, memcmp(seen, page_address(pages[0]), PAGE_SIZE), 0);
	KUNIT_EXPECT_NE(test, vmbus_sim_gpadl_copy_from_guest(th->sim, gpadl, PAGE_SIZE, seen, 1),
			0);
	VmbChannelDeleteGpadl(th->ch, gpadl);

	/* a GPADL is whole pages: a window that starts or ends mid-frame is refused */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(th->ch, 0, mdl, 100, PAGE_SIZE, &gpadl),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(th->ch, 0, mdl, 0, 100, &gpadl),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(th->ch, 0, mdl, 3 * PAGE_SIZE, 0,
							   &gpadl), STATUS_INVALID_PARAMETER);
	vmb_mdl_free(mdl);
	for (i = 0; i < 3; i++)
		__free_page(pages[i]);
}

static void bad_input(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	unsigned long addr = __get_free_page(GFP_KERNEL);
	struct vmb_mdl *mdl;
	u64 before;
	u32 gpadl;

	KUNIT_ASSERT_NE(test, addr, 0ul);
	mdl = vmb_mdl_from_buffer((void *)addr, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	/* not enabled yet */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, (void *)addr, PAGE_SIZE,
							      &gpadl),
			STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(th->ch, 0, mdl, 0, 0, &gpadl),
			STATUS_INVALID_DEVICE_STATE);
	vmb_th_enable(th);
	before = host_gpadls(th);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(NULL, 0, (void *)addr, PAGE_SIZE,
							      &gpadl),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 2, (void *)addr, PAGE_SIZE,
							      &gpadl),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, (void *)(addr + 8),
							      PAGE_SIZE, &gpadl),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, (void *)addr, 100,
							      &gpadl),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, (void *)addr, 0, &gpadl),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, NULL, PAGE_SIZE, &gpadl),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, (void *)addr, PAGE_SIZE,
							      NULL),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(th->ch, 0, NULL, 0, 0, &gpadl),
			STATUS_INVALID_PARAMETER);
	/* none of that reached the host; an unknown handle is ignored */
	KUNIT_EXPECT_EQ(test, host_gpadls(th), before);
	VmbChannelDeleteGpadl(th->ch, 0x7fffffff);
	KUNIT_EXPECT_EQ(test, host_gpadls(th), before);
	vmb_mdl_free(mdl);
	free_page(addr);
}

/* What the caller left is torn down at Disable, before the memory can go. */
static void disable_tears_down_leftovers(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	unsigned long a = __get_free_page(GFP_KERNEL), b = __get_free_page(GFP_KERNEL);
	u32 ga, gb;
	u64 idle;

	KUNIT_ASSERT_NE(test, a, 0ul);
	KUNIT_ASSERT_NE(test, b, 0ul);
	idle = host_gpadls(th);
	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, (void *)a, PAGE_SIZE,
							      &ga), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, (void *)b, PAGE_SIZE,
							      &gb), STATUS_SUCCESS);
	KUNIT_EXPECT_NE(test, ga, gb);
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, host_gpadls(th), idle);
	KUNIT_EXPECT_NE(test, vmbus_sim_gpadl_copy_from_guest(th->sim, ga, 0, &idle, 1), 0);
	/* and the channel can be enabled and share again */
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(th->ch, 0, (void *)a, PAGE_SIZE,
							      &ga), STATUS_SUCCESS);
	VmbChannelDisable(th->ch);
	free_page(a);
	free_page(b);
}

/* KMCL drivers share their buffers from Opened: that must not deadlock. */
static unsigned long opened_buffer;
static u32 opened_gpadl;

static NTSTATUS opened_creates_gpadl(VMBCHANNEL ch)
{
	return VmbChannelCreateGpadlFromBuffer(ch, 0, (void *)opened_buffer, PAGE_SIZE,
					       &opened_gpadl);
}

static void create_from_opened(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_channel_state_change_callbacks cb;
	u8 byte = 0x5a;

	opened_buffer = __get_free_page(GFP_KERNEL);
	KUNIT_ASSERT_NE(test, opened_buffer, 0ul);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	cb.opened = opened_creates_gpadl;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(th->ch, &cb), STATUS_SUCCESS);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, vmbus_sim_gpadl_copy_to_guest(th->sim, opened_gpadl, 10, &byte, 1),
			0);
	KUNIT_EXPECT_EQ(test, ((u8 *)opened_buffer)[10], 0x5a);
	VmbChannelDisable(th->ch);
	free_page(opened_buffer);
}

static struct kunit_case vmb_gpadl_cases[] = {
	KUNIT_CASE(from_page_allocator_buffer),
	KUNIT_CASE(from_vmalloc_buffer),
	KUNIT_CASE(from_mdl_of_scattered_pages),
	KUNIT_CASE(bad_input),
	KUNIT_CASE(disable_tears_down_leftovers),
	KUNIT_CASE(create_from_opened),
	{}
};

static struct kunit_suite vmb_gpadl_suite = {
	.name = "vmb_gpadl",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_gpadl_cases,
};

kunit_test_suite(vmb_gpadl_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl's GPADLs");
MODULE_LICENSE("GPL");
