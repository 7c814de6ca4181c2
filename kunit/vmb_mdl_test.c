// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the MDL equivalent: construction from every kind of memory,
 * the page-size math for 4 KiB and 64 KiB pages, and the conversion to GPA
 * ranges.
 */
#include <kunit/test.h>
#include <linux/bvec.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <vmbkmcl.h>

#include "../drivers/vmbkmcl/mdl.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define SZ_HV 4096u

static struct vmb_mdl *build(struct kunit *test, const struct vmb_mdl_seg *segs,
			     unsigned int nr)
{
	struct vmb_mdl *mdl = vmb_mdl_from_segments(segs, nr, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(mdl));
	return mdl;
}

/* The worked size of ring-protocol.rst: offset 0x10, length 0x2000, 3 frames */
static void segments_worked_example(struct kunit *test)
{
	struct vmb_mdl_seg seg = { 0x7010, 0x2000 };
	struct vmb_mdl *mdl = build(test, &seg, 1);

	KUNIT_EXPECT_NULL(test, mdl->next);
	KUNIT_EXPECT_EQ(test, mdl->byte_offset, 0x10u);
	KUNIT_EXPECT_EQ(test, mdl->byte_count, 0x2000u);
	KUNIT_EXPECT_EQ(test, mdl->pfn_count, 3u);
	KUNIT_EXPECT_EQ(test, mdl->pfns[0], 7ull);
	KUNIT_EXPECT_EQ(test, mdl->pfns[1], 8ull);
	KUNIT_EXPECT_EQ(test, mdl->pfns[2], 9ull);
	vmb_mdl_free(mdl);
}

/* contiguous memory is one range with several PFNs, never split */
static void segments_contiguous_one_range(struct kunit *test)
{
	struct vmb_mdl_seg segs[] = {
		{ 0x10800, 0x800 }, { 0x11000, 0x1000 }, { 0x12000, 0x300 }, { 0x12300, 0x100 },
	};
	struct vmb_mdl *mdl = build(test, segs, ARRAY_SIZE(segs));

	KUNIT_EXPECT_NULL(test, mdl->next);
	KUNIT_EXPECT_EQ(test, mdl->byte_offset, 0x800u);
	KUNIT_EXPECT_EQ(test, mdl->byte_count, 0x1c00u);
	KUNIT_ASSERT_EQ(test, mdl->pfn_count, 3u);
	KUNIT_EXPECT_EQ(test, mdl->pfns[0], 0x10ull);
	KUNIT_EXPECT_EQ(test, mdl->pfns[1], 0x11ull);
	KUNIT_EXPECT_EQ(test, mdl->pfns[2], 0x12ull);
	vmb_mdl_free(mdl);
}

/* pieces that meet at frame boundaries share a range even when scattered */
static void segments_frame_aligned_pieces_share_range(struct kunit *test)
{
	struct vmb_mdl_seg segs[] = { { 0x5800, 0x800 }, { 0x9000, 0x2000 }, { 0x3000, 0x10 } };
	struct vmb_mdl *mdl = build(test, segs, ARRAY_SIZE(segs));

	KUNIT_EXPECT_NULL(test, mdl->next);
	KUNIT_EXPECT_EQ(test, mdl->byte_offset, 0x800u);
	KUNIT_EXPECT_EQ(test, mdl->byte_count, 0x2810u);
	KUNIT_ASSERT_EQ(test, mdl->pfn_count, 4u);
	KUNIT_EXPECT_EQ(test, mdl->pfns[0], 5ull);
	KUNIT_EXPECT_EQ(test, mdl->pfns[1], 9ull);
	KUNIT_EXPECT_EQ(test, mdl->pfns[2], 10ull);
	KUNIT_EXPECT_EQ(test, mdl->pfns[3], 3ull);
	vmb_mdl_free(mdl);
}

/* a range can start late only in its first frame and end early only in its last */
static void segments_unaligned_break_starts_new_range(struct kunit *test)
{
	struct vmb_mdl_seg segs[] = {
		{ 0x5000, 0x100 },	/* ends mid-frame ... */
		{ 0x9000, 0x1000 },	/* ... so this needs a range of its own */
		{ 0x20010, 0x20 },	/* starts mid-frame: a third range */
	};
	struct vmb_mdl *mdl = build(test, segs, ARRAY_SIZE(segs));

	KUNIT_EXPECT_EQ(test, vmb_mdl_chain_length(mdl), 3u);
	KUNIT_EXPECT_EQ(test, mdl->pfns[0], 5ull);
	KUNIT_EXPECT_EQ(test, mdl->next->byte_offset, 0u);
	KUNIT_EXPECT_EQ(test, mdl->next->pfns[0], 9ull);
	KUNIT_EXPECT_EQ(test, mdl->next->next->byte_offset, 0x10u);
	KUNIT_EXPECT_EQ(test, mdl->next->next->pfns[0], 0x20ull);
	KUNIT_EXPECT_EQ(test, vmb_mdl_byte_count(mdl), 0x1120u);
	vmb_mdl_free(mdl);
}

static void segments_bad_input(struct kunit *test)
{
	struct vmb_mdl_seg segs[] = { { 0x5000, 0x100 }, { 0x5100, 0 } };

	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_segments(segs, 2, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_segments(segs, 0, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_segments(NULL, 1, GFP_KERNEL)), -EINVAL);
}

/*
 * The same pages described by a 4 KiB and by a 64 KiB PAGE_SIZE kernel
 * give Hyper-V frames, never guest page numbers.
 */
struct page_math_case {
	unsigned int page_shift;
	u64 pfn[2];
	u32 offset, len;	/* offset into the first page; len over both */
	u32 expect_count;
	u64 expect_first, expect_last;
	u32 expect_offset;
	const char *name;
};

static const struct page_math_case page_math_cases[] = {
	{ 12, { 3, 7 }, 0x10, 0x1ff0, 2, 3, 7, 0x10, "4K two pages" },
	{ 16, { 3, 7 }, 0x5010, 0x1aff0, 27, 0x35, 0x7f, 0x10, "64K two pages" },
	{ 16, { 2, 9 }, 0xf000, 0x1000, 1, 0x2f, 0x2f, 0, "64K last frame of a page" },
	{ 12, { 5, 6 }, 0xfff, 0x2, 2, 5, 6, 0xfff, "4K contiguous pages byte each" },
	{ 16, { 1, 2 }, 0xffff, 0x2, 2, 0x1f, 0x20, 0xfff, "64K contiguous pages byte each" },
};

static void page_math_desc(const struct page_math_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(page_math, page_math_cases, page_math_desc);

static void page_math_to_hv_frames(struct kunit *test)
{
	const struct page_math_case *c = test->param_value;
	u32 page_size = 1u << c->page_shift, first = min(c->len, page_size - c->offset);
	struct vmb_mdl_seg segs[2] = {
		{ vmb_mdl_page_phys(c->pfn[0], c->page_shift, c->offset), first },
		{ vmb_mdl_page_phys(c->pfn[1], c->page_shift, 0), c->len - first },
	};
	struct vmb_mdl *mdl = build(test, segs, segs[1].len ? 2 : 1);

	KUNIT_EXPECT_NULL(test, mdl->next);
	KUNIT_EXPECT_EQ(test, mdl->byte_offset, c->expect_offset);
	KUNIT_EXPECT_EQ(test, mdl->byte_count, c->len);
	KUNIT_ASSERT_EQ(test, mdl->pfn_count, c->expect_count);
	KUNIT_EXPECT_EQ(test, mdl->pfns[0], c->expect_first);
	KUNIT_EXPECT_EQ(test, mdl->pfns[mdl->pfn_count - 1], c->expect_last);
	vmb_mdl_free(mdl);
}

/* two elements: [0x5f00, +0x200) over frames 5,6 and [0x9000, +0x3000) over 9..11 */
static struct vmb_mdl *two_elements(struct kunit *test)
{
	struct vmb_mdl_seg segs[] = { { 0x5f00, 0x200 }, { 0x9010, 0x2ff0 } };
	struct vmb_mdl *mdl = build(test, segs, ARRAY_SIZE(segs));

	KUNIT_ASSERT_EQ(test, vmb_mdl_chain_length(mdl), 2u);
	return mdl;
}

/* expect: per range its byte count, byte offset, frame count and first frame */
static void gpa_window_checks(struct kunit *test, struct vmb_mdl *mdl, u32 offset, u32 length,
			      u32 expect_ranges, const u32 *expect)
{
	u32 ranges, bytes, i, want_bytes = 0, built_ranges, built_bytes;
	struct gpa_range *r;
	u64 *buf, data;

	KUNIT_ASSERT_EQ(test, vmb_mdl_gpa_size(mdl, offset, length, &ranges, &bytes), 0);
	KUNIT_ASSERT_EQ(test, ranges, expect_ranges);
	for (i = 0; i < ranges; i++)
		want_bytes += sizeof(struct gpa_range) + expect[i * 4 + 2] * sizeof(u64);
	KUNIT_ASSERT_EQ(test, bytes, want_bytes);
	/*
	 * Short of room by one frame, then by one byte: refused, and nothing
	 * written past the room given, which is all there is (KASAN).
	 */
	buf = kunit_kzalloc(test, bytes - 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_build(mdl, offset, length, buf, bytes - 8,
						&built_ranges, &built_bytes, &data), -ENOSPC);
	kunit_kfree(test, buf);
	buf = kunit_kzalloc(test, bytes - 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_build(mdl, offset, length, buf, bytes - 1,
						&built_ranges, &built_bytes, &data), -ENOSPC);
	kunit_kfree(test, buf);
	buf = kunit_kzalloc(test, bytes, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, vmb_mdl_gpa_build(mdl, offset, length, buf, bytes,
						&built_ranges, &built_bytes, &data), 0);
	KUNIT_EXPECT_EQ(test, built_ranges, ranges);
	KUNIT_EXPECT_EQ(test, built_bytes, bytes);
	KUNIT_EXPECT_EQ(test, data, (u64)length);
	r = (struct gpa_range *)buf;
	for (i = 0; i < ranges; i++) {
		KUNIT_EXPECT_EQ(test, r->byte_count, expect[i * 4]);
		KUNIT_EXPECT_EQ(test, r->byte_offset, expect[i * 4 + 1]);
		KUNIT_EXPECT_EQ(test, r->pfn_array[0], (u64)expect[i * 4 + 3]);
		KUNIT_EXPECT_LT(test, r->byte_offset, SZ_HV);
		r = (struct gpa_range *)&r->pfn_array[expect[i * 4 + 2]];
	}
}

static void gpa_whole_chain(struct kunit *test)
{
	struct vmb_mdl *mdl = two_elements(test);
	static const u32 expect[] = { 0x200, 0xf00, 2, 5, 0x2ff0, 0x10, 3, 9 };

	gpa_window_checks(test, mdl, 0, 0x31f0, 2, expect);
	vmb_mdl_free(mdl);
}

static void gpa_window_inside_element(struct kunit *test)
{
	struct vmb_mdl *mdl = two_elements(test);
	/* chain bytes 0x200 + 0x1000 = element 2 at 0x9010 + 0x1000 = 0xa010 */
	static const u32 expect[] = { 0x20, 0x10, 1, 0xa };

	gpa_window_checks(test, mdl, 0x1200, 0x20, 1, expect);
	vmb_mdl_free(mdl);
}

static void gpa_window_across_elements(struct kunit *test)
{
	struct vmb_mdl *mdl = two_elements(test);
	/* last 0x100 of element 1 (from 0x6000: frame 6) and first 0xff0 of element 2 */
	static const u32 expect[] = { 0x100, 0, 1, 6, 0xff0, 0x10, 1, 9 };

	gpa_window_checks(test, mdl, 0x100, 0x10f0, 2, expect);
	vmb_mdl_free(mdl);
}

static void gpa_window_every_boundary(struct kunit *test)
{
	struct vmb_mdl *mdl = two_elements(test);
	u32 total = vmb_mdl_byte_count(mdl), off, ranges, bytes;
	u64 buf[16], data;

	/* every window start and end at and around each element and frame edge */
	static const u32 edges[] = { 0, 1, 0xff, 0x100, 0x101, 0x1ff, 0x200, 0x201,
				     0x11ff, 0x1200, 0x21ff, 0x2200, 0x31ef };
	for (off = 0; off < ARRAY_SIZE(edges); off++) {
		u32 e;

		for (e = 0; e < ARRAY_SIZE(edges); e++) {
			u32 start = edges[off], end = edges[e] + 1;

			if (end <= start)
				continue;
			KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_size(mdl, start, end - start,
							       &ranges, &bytes), 0);
			KUNIT_EXPECT_EQ(test, ranges, (start < 0x200) + (end > 0x200));
		}
	}
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_size(mdl, 0, 0, &ranges, &bytes), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_size(mdl, total, 1, &ranges, &bytes), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_size(mdl, 1, total, &ranges, &bytes), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_size(mdl, U32_MAX, 2, &ranges, &bytes), -EINVAL);

	/* the one-pass builder: the same windows refused; length 0 is "to the end" */
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_build(mdl, total, 1, buf, sizeof(buf), &ranges,
						&bytes, &data), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_build(mdl, 1, total, buf, sizeof(buf), &ranges,
						&bytes, &data), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_build(mdl, total, 0, buf, sizeof(buf), &ranges,
						&bytes, &data), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_build(mdl, U32_MAX, 2, buf, sizeof(buf), &ranges,
						&bytes, &data), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmb_mdl_gpa_build(mdl, 0x100, 0, buf, sizeof(buf), &ranges,
						&bytes, &data), 0);
	KUNIT_EXPECT_EQ(test, data, (u64)total - 0x100);
	KUNIT_EXPECT_EQ(test, ranges, 2u);
	vmb_mdl_free(mdl);
}

/* Read what an MDL describes through an sg_table: proves it names the right memory. */
static void expect_mdl_bytes(struct kunit *test, const struct vmb_mdl *mdl,
			     const u8 *expect, u32 len)
{
	struct sg_table *table = vmb_mdl_to_sg_table(mdl, GFP_KERNEL);
	u8 *got = kunit_kzalloc(test, len + 1, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(table));
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_EXPECT_EQ(test, vmb_mdl_byte_count(mdl), len);
	KUNIT_EXPECT_EQ(test, sg_copy_to_buffer(table->sgl, table->orig_nents, got, len + 1),
			(size_t)len);
	KUNIT_EXPECT_EQ(test, memcmp(got, expect, len), 0);
	sg_free_table(table);
	kfree(table);
}

static void fill_pattern(u8 *p, u32 len, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(i * 7 + seed + (i >> 12));
}

static void from_buffer_kmalloc(struct kunit *test)
{
	u32 lens[] = { 1, 100, SZ_HV, 3 * SZ_HV + 100 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		u8 *buf = kmalloc(lens[i], GFP_KERNEL);
		struct vmb_mdl *mdl;

		KUNIT_ASSERT_NOT_NULL(test, buf);
		fill_pattern(buf, lens[i], i);
		mdl = vmb_mdl_from_buffer(buf, lens[i], GFP_KERNEL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
		/* linear memory is physically contiguous: always one range */
		KUNIT_EXPECT_NULL(test, mdl->next);
		KUNIT_EXPECT_EQ(test, mdl->byte_offset, (u32)offset_in_hvpage(virt_to_phys(buf)));
		KUNIT_EXPECT_EQ(test, mdl->pfns[0], (u64)(virt_to_phys(buf) >> 12));
		expect_mdl_bytes(test, mdl, buf, lens[i]);
		vmb_mdl_free(mdl);
		kfree(buf);
	}
}

static void from_buffer_vmalloc(struct kunit *test)
{
	u32 len = 5 * PAGE_SIZE;
	u8 *buf = vmalloc(len + PAGE_SIZE);
	struct vmb_mdl *mdl, *el;
	u32 frames = 0, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	fill_pattern(buf, len + PAGE_SIZE, 3);
	/* start at an odd offset so that both ends are partial frames */
	mdl = vmb_mdl_from_buffer(buf + 100, len, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	/* vmalloc pages meet at frame boundaries: one range whatever their addresses */
	KUNIT_EXPECT_NULL(test, mdl->next);
	for (el = mdl; el; el = el->next)
		frames += el->pfn_count;
	KUNIT_EXPECT_EQ(test, frames, (u32)HVPFN_UP(100 + len));
	/* frame i holds buf + i * 4 KiB, whatever page it lies in */
	for (i = 0; i < mdl->pfn_count; i++)
		KUNIT_EXPECT_EQ(test, mdl->pfns[i],
				(u64)page_to_hvpfn(vmalloc_to_page(buf + i * SZ_HV)) +
				offset_in_page(buf + i * SZ_HV) / SZ_HV);
	expect_mdl_bytes(test, mdl, buf + 100, len);
	vmb_mdl_free(mdl);
	vfree(buf);
}

static void from_pages_array(struct kunit *test)
{
	struct page *pages[3], *missing = NULL;
	u8 *expect = kunit_kzalloc(test, 3 * PAGE_SIZE, GFP_KERNEL);
	struct vmb_mdl *mdl;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, expect);
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		fill_pattern(page_address(pages[i]), PAGE_SIZE, 10 + i);
		memcpy(expect + i * PAGE_SIZE, page_address(pages[i]), PAGE_SIZE);
	}
	mdl = vmb_mdl_from_pages(pages, 200, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	KUNIT_EXPECT_NULL(test, mdl->next);
	KUNIT_EXPECT_EQ(test, mdl->byte_offset, 200u);
	expect_mdl_bytes(test, mdl, expect + 200, 2 * PAGE_SIZE);
	vmb_mdl_free(mdl);

	/* bad input: no partial object, just -EINVAL */
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_pages(pages, PAGE_SIZE, 10, GFP_KERNEL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_pages(pages, 0, 0, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_pages(NULL, 0, 10, GFP_KERNEL)), -EINVAL);
	/* a NULL page anywhere in the range */
	swap(pages[1], missing);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_pages(pages, 0, 2 * PAGE_SIZE, GFP_KERNEL)),
			-EINVAL);
	swap(pages[1], missing);
	for (i = 0; i < 3; i++)
		__free_page(pages[i]);
}

static void from_sg_list(struct kunit *test)
{
	struct scatterlist sg[3];
	u8 *a = kmalloc(300, GFP_KERNEL), *b = kmalloc(2 * SZ_HV, GFP_KERNEL);
	u8 *expect = kunit_kzalloc(test, 300 + 2 * SZ_HV + 64, GFP_KERNEL);
	struct vmb_mdl *mdl;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, expect);
	fill_pattern(a, 300, 1);
	fill_pattern(b, 2 * SZ_HV, 2);
	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], a, 300);
	sg_set_buf(&sg[1], b, 2 * SZ_HV);
	sg_set_buf(&sg[2], a + 10, 64);
	memcpy(expect, a, 300);
	memcpy(expect + 300, b, 2 * SZ_HV);
	memcpy(expect + 300 + 2 * SZ_HV, a + 10, 64);
	mdl = vmb_mdl_from_sg(sg, 3, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	/* a small kmalloc ends mid-frame: the entries cannot share one range */
	KUNIT_EXPECT_GE(test, vmb_mdl_chain_length(mdl), 2u);
	expect_mdl_bytes(test, mdl, expect, 300 + 2 * SZ_HV + 64);
	vmb_mdl_free(mdl);

	sg[1].length = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_sg(sg, 3, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_sg(sg, 0, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_sg(NULL, 1, GFP_KERNEL)), -EINVAL);
	kfree(a);
	kfree(b);
}

static void from_bvec_array(struct kunit *test)
{
	struct page *p0 = alloc_pages(GFP_KERNEL, 1), *p1 = alloc_page(GFP_KERNEL);
	u8 *expect = kunit_kzalloc(test, 3 * PAGE_SIZE, GFP_KERNEL);
	struct bio_vec bv[2];
	struct vmb_mdl *mdl;

	KUNIT_ASSERT_NOT_NULL(test, p0);
	KUNIT_ASSERT_NOT_NULL(test, p1);
	KUNIT_ASSERT_NOT_NULL(test, expect);
	fill_pattern(page_address(p0), 2 * PAGE_SIZE, 5);
	fill_pattern(page_address(p1), PAGE_SIZE, 6);
	/* a multi-page entry ending on a page boundary, then a partial one */
	bv[0].bv_page = p0;
	bv[0].bv_offset = 512;
	bv[0].bv_len = 2 * PAGE_SIZE - 512;
	bv[1].bv_page = p1;
	bv[1].bv_offset = 0;
	bv[1].bv_len = 1000;
	memcpy(expect, (u8 *)page_address(p0) + 512, 2 * PAGE_SIZE - 512);
	memcpy(expect + 2 * PAGE_SIZE - 512, page_address(p1), 1000);
	mdl = vmb_mdl_from_bvec(bv, 2, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	/* they meet at a frame boundary: one range */
	KUNIT_EXPECT_NULL(test, mdl->next);
	KUNIT_EXPECT_EQ(test, mdl->byte_offset, 512u);
	expect_mdl_bytes(test, mdl, expect, 2 * PAGE_SIZE - 512 + 1000);
	vmb_mdl_free(mdl);

	bv[1].bv_offset = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_bvec(bv, 2, GFP_KERNEL)), -EINVAL);
	bv[1].bv_offset = 0;
	bv[1].bv_page = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_bvec(bv, 2, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_bvec(bv, 0, GFP_KERNEL)), -EINVAL);
	__free_pages(p0, 1);
	__free_page(p1);
}

static void chain_counts_and_reads(struct kunit *test)
{
	u8 *a = kmalloc(100, GFP_KERNEL), *b = kmalloc(5000, GFP_KERNEL);
	u8 *expect = kunit_kzalloc(test, 5100, GFP_KERNEL);
	struct vmb_mdl *head, *tail;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, expect);
	fill_pattern(a, 100, 8);
	fill_pattern(b, 5000, 9);
	memcpy(expect, a, 100);
	memcpy(expect + 100, b, 5000);
	head = vmb_mdl_from_buffer(a, 100, GFP_KERNEL);
	tail = vmb_mdl_from_buffer(b, 5000, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(head));
	KUNIT_ASSERT_FALSE(test, IS_ERR(tail));
	vmb_mdl_chain(head, tail);
	KUNIT_EXPECT_EQ(test, vmb_mdl_chain_length(head), 2u);
	KUNIT_EXPECT_EQ(test, vmb_mdl_byte_count(head), 5100u);
	expect_mdl_bytes(test, head, expect, 5100);
	vmb_mdl_free(head);	/* frees tail too: kmemleak would say otherwise */
	kfree(a);
	kfree(b);
}

static void from_buffer_bad_input(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 16, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_buffer(NULL, 16, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_from_buffer(buf, 0, GFP_KERNEL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmb_mdl_byte_count(NULL), 0u);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vmb_mdl_to_sg_table(NULL, GFP_KERNEL)), -EINVAL);
	vmb_mdl_free(NULL);
}

static struct kunit_case vmb_mdl_cases[] = {
	KUNIT_CASE(segments_worked_example),
	KUNIT_CASE(segments_contiguous_one_range),
	KUNIT_CASE(segments_frame_aligned_pieces_share_range),
	KUNIT_CASE(segments_unaligned_break_starts_new_range),
	KUNIT_CASE(segments_bad_input),
	KUNIT_CASE_PARAM(page_math_to_hv_frames, page_math_gen_params),
	KUNIT_CASE(gpa_whole_chain),
	KUNIT_CASE(gpa_window_inside_element),
	KUNIT_CASE(gpa_window_across_elements),
	KUNIT_CASE(gpa_window_every_boundary),
	KUNIT_CASE(from_buffer_kmalloc),
	KUNIT_CASE(from_buffer_vmalloc),
	KUNIT_CASE(from_pages_array),
	KUNIT_CASE(from_sg_list),
	KUNIT_CASE(from_bvec_array),
	KUNIT_CASE(chain_counts_and_reads),
	KUNIT_CASE(from_buffer_bad_input),
	{}
};

static struct kunit_suite vmb_mdl_suite = {
	.name = "vmb_mdl",
	.test_cases = vmb_mdl_cases,
};

kunit_test_suite(vmb_mdl_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl's MDL equivalent");
MODULE_LICENSE("GPL");
