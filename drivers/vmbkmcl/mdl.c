// SPDX-License-Identifier: GPL-2.0
/*
 * The MDL equivalent: struct vmb_mdl over kmalloc'd and vmalloc'd buffers,
 * page arrays, scatterlists and bio_vecs, and its conversion to GPA ranges.
 *
 * Hyper-V facts this file encodes (Documentation/ring-protocol.rst):
 * - a GPA range is {byte_count, byte_offset, pfn[HVPFN_UP(offset + count)]},
 *   byte_offset < 4096, and only its first frame may start late and only its
 *   last end early;
 * - PFNs are Hyper-V 4 KiB frame numbers whatever PAGE_SIZE is;
 * - a logically contiguous buffer crossing a frame boundary must travel as one
 *   range with several PFNs: Hyper-V's VSPs reject it split into one-frame
 *   ranges (the 2025 hv_netvsc "nvsp_rndis_pkt_complete error status: 2" fix).
 * So the builder below puts consecutive pieces into one element whenever a
 * range can carry them (physically contiguous, or meeting at frame
 * boundaries), and starts a new element only where it cannot.
 */
#include <kunit/visibility.h>
#include <linux/bvec.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <vmbkmcl.h>

#include "mdl.h"

/* Whether seg may continue the element that ends (exclusive) at end. */
static bool seg_continues(phys_addr_t end, const struct vmb_mdl_seg *seg)
{
	return seg->addr == end ||
	       (!offset_in_hvpage(end) && !offset_in_hvpage(seg->addr));
}

/*
 * The element starting at segs[first]: returns the index past its last
 * segment and its frame and byte counts.
 */
static unsigned int element_extent(const struct vmb_mdl_seg *segs, unsigned int nr,
				   unsigned int first, u32 *pfns, u64 *bytes)
{
	phys_addr_t end = segs[first].addr + segs[first].len;
	unsigned int i;

	*pfns = vmb_mdl_hvpfn_span(segs[first].addr, segs[first].len);
	*bytes = segs[first].len;
	for (i = first + 1; i < nr && seg_continues(end, &segs[i]); i++) {
		*pfns += vmb_mdl_hvpfn_span(segs[i].addr, segs[i].len);
		/* a piece that resumes mid-frame shares that frame */
		if (offset_in_hvpage(end))
			*pfns -= 1;
		*bytes += segs[i].len;
		end = segs[i].addr + segs[i].len;
	}
	return i;
}

static void element_fill(struct vmb_mdl *el, const struct vmb_mdl_seg *segs,
			 unsigned int first, unsigned int last)
{
	phys_addr_t end = 0;
	unsigned int i, n = 0;
	u64 pfn, lastpfn;

	el->byte_offset = offset_in_hvpage(segs[first].addr);
	for (i = first; i < last; i++) {
		pfn = HVPFN_DOWN(segs[i].addr);
		lastpfn = HVPFN_DOWN(segs[i].addr + segs[i].len - 1);
		if (i > first && offset_in_hvpage(end))
			pfn++;
		for (; pfn <= lastpfn; pfn++)
			el->pfns[n++] = pfn;
		end = segs[i].addr + segs[i].len;
	}
	WARN_ON_ONCE(n != el->pfn_count);
}

/**
 * vmb_mdl_from_segments() - build an MDL chain from physically contiguous pieces
 * @segs: the pieces, in the order of the byte stream they describe
 * @nr: how many
 * @gfp: allocation flags
 *
 * Every constructor ends here. Consecutive pieces share one element (one GPA
 * range) whenever a range can carry them.
 *
 * Return: the chain, or ERR_PTR(-EINVAL) for no piece, an empty piece or more
 * than U32_MAX bytes in one element, ERR_PTR(-ENOMEM).
 */
struct vmb_mdl *vmb_mdl_from_segments(const struct vmb_mdl_seg *segs, unsigned int nr,
				      gfp_t gfp)
{
	struct vmb_mdl *head = NULL, **tail = &head, *el;
	unsigned int i, next;
	u64 bytes;
	u32 pfns;

	if (!segs || !nr)
		return ERR_PTR(-EINVAL);
	for (i = 0; i < nr; i++)
		if (!segs[i].len)
			return ERR_PTR(-EINVAL);

	for (i = 0; i < nr; i = next) {
		next = element_extent(segs, nr, i, &pfns, &bytes);
		if (bytes > U32_MAX) {
			vmb_mdl_free(head);
			return ERR_PTR(-EINVAL);
		}
		el = kmalloc(struct_size(el, pfns, pfns), gfp);
		if (!el) {
			vmb_mdl_free(head);
			return ERR_PTR(-ENOMEM);
		}
		el->next = NULL;
		el->byte_count = bytes;
		el->pfn_count = pfns;
		element_fill(el, segs, i, next);
		*tail = el;
		tail = &el->next;
	}
	return head;
}
EXPORT_SYMBOL_IF_KUNIT(vmb_mdl_from_segments);

/* Build from nr pieces that fill() writes into a temporary array. */
static struct vmb_mdl *from_pieces(unsigned int nr, gfp_t gfp,
				   int (*fill)(struct vmb_mdl_seg *segs, const void *arg),
				   const void *arg)
{
	struct vmb_mdl_seg *segs;
	struct vmb_mdl *mdl;
	int err;

	if (!nr)
		return ERR_PTR(-EINVAL);
	segs = kmalloc_array(nr, sizeof(*segs), gfp);
	if (!segs)
		return ERR_PTR(-ENOMEM);
	err = fill(segs, arg);
	mdl = err ? ERR_PTR(err) : vmb_mdl_from_segments(segs, nr, gfp);
	kfree(segs);
	return mdl;
}

struct buffer_arg {
	const u8 *kva;
	u32 length;
};

/* vmalloc memory: each page resolved on its own */
static int fill_vmalloc(struct vmb_mdl_seg *segs, const void *arg)
{
	const struct buffer_arg *b = arg;
	const u8 *p = b->kva, *end = b->kva + b->length;
	struct page *page;
	unsigned int n = 0;
	u32 len;

	while (p < end) {
		len = min_t(size_t, end - p, PAGE_SIZE - offset_in_page(p));
		page = vmalloc_to_page(p);
		if (!page)
			return -EINVAL;
		segs[n].addr = page_to_phys(page) + offset_in_page(p);
		segs[n++].len = len;
		p += len;
	}
	return 0;
}

struct vmb_mdl *vmb_mdl_from_buffer(void *kva, u32 length, gfp_t gfp)
{
	struct buffer_arg arg = { kva, length };
	struct vmb_mdl_seg seg;

	if (!kva || !length)
		return ERR_PTR(-EINVAL);
	if (is_vmalloc_addr(kva))
		return from_pieces(DIV_ROUND_UP(offset_in_page(kva) + (u64)length, PAGE_SIZE),
				   gfp, fill_vmalloc, &arg);
	if (!virt_addr_valid(kva) || !virt_addr_valid((u8 *)kva + length - 1))
		return ERR_PTR(-EINVAL);
	seg.addr = virt_to_phys(kva);
	seg.len = length;
	return vmb_mdl_from_segments(&seg, 1, gfp);
}
EXPORT_SYMBOL_GPL(vmb_mdl_from_buffer);

struct pages_arg {
	struct page **pages;
	u32 offset;
	u32 length;
};

static int fill_pages(struct vmb_mdl_seg *segs, const void *arg)
{
	const struct pages_arg *a = arg;
	u32 off = a->offset, left = a->length, len;
	unsigned int i;

	for (i = 0; left; i++, off = 0, left -= len) {
		if (!a->pages[i])
			return -EINVAL;
		len = min_t(u32, left, PAGE_SIZE - off);
		segs[i].addr = page_to_phys(a->pages[i]) + off;
		segs[i].len = len;
	}
	return 0;
}

struct vmb_mdl *vmb_mdl_from_pages(struct page **pages, u32 offset, u32 length, gfp_t gfp)
{
	struct pages_arg arg = { pages, offset, length };

	if (!pages || !length || offset >= PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	return from_pieces(DIV_ROUND_UP((u64)offset + length, PAGE_SIZE), gfp, fill_pages, &arg);
}
EXPORT_SYMBOL_GPL(vmb_mdl_from_pages);

struct sg_arg {
	struct scatterlist *sgl;
	unsigned int nents;
};

static int fill_sg(struct vmb_mdl_seg *segs, const void *arg)
{
	const struct sg_arg *a = arg;
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(a->sgl, sg, a->nents, i) {
		if (!sg_page(sg) || !sg->length)
			return -EINVAL;
		segs[i].addr = sg_phys(sg);
		segs[i].len = sg->length;
	}
	return 0;
}

struct vmb_mdl *vmb_mdl_from_sg(struct scatterlist *sgl, unsigned int nents, gfp_t gfp)
{
	struct sg_arg arg = { sgl, nents };

	if (!sgl)
		return ERR_PTR(-EINVAL);
	return from_pieces(nents, gfp, fill_sg, &arg);
}
EXPORT_SYMBOL_GPL(vmb_mdl_from_sg);

struct bvec_arg {
	const struct bio_vec *bv;
	unsigned int nr;
};

static int fill_bvec(struct vmb_mdl_seg *segs, const void *arg)
{
	const struct bvec_arg *a = arg;
	unsigned int i;

	for (i = 0; i < a->nr; i++) {
		const struct bio_vec *bv = &a->bv[i];

		if (!bv->bv_page || !bv->bv_len || bv->bv_offset >= PAGE_SIZE)
			return -EINVAL;
		segs[i].addr = page_to_phys(bv->bv_page) + bv->bv_offset;
		segs[i].len = bv->bv_len;
	}
	return 0;
}

struct vmb_mdl *vmb_mdl_from_bvec(const struct bio_vec *bv, unsigned int nr, gfp_t gfp)
{
	struct bvec_arg arg = { bv, nr };

	if (!bv)
		return ERR_PTR(-EINVAL);
	return from_pieces(nr, gfp, fill_bvec, &arg);
}
EXPORT_SYMBOL_GPL(vmb_mdl_from_bvec);

void vmb_mdl_chain(struct vmb_mdl *head, struct vmb_mdl *tail)
{
	while (head->next)
		head = head->next;
	head->next = tail;
}
EXPORT_SYMBOL_GPL(vmb_mdl_chain);

u32 vmb_mdl_byte_count(const struct vmb_mdl *mdl)
{
	u32 total = 0;

	for (; mdl; mdl = mdl->next)
		if (check_add_overflow(total, mdl->byte_count, &total))
			return U32_MAX;
	return total;
}
EXPORT_SYMBOL_GPL(vmb_mdl_byte_count);

unsigned int vmb_mdl_chain_length(const struct vmb_mdl *mdl)
{
	unsigned int n = 0;

	for (; mdl; mdl = mdl->next)
		n++;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(vmb_mdl_chain_length);

struct sg_table *vmb_mdl_to_sg_table(const struct vmb_mdl *mdl, gfp_t gfp)
{
	const struct vmb_mdl *el;
	struct scatterlist *sg;
	struct sg_table *table;
	unsigned int nents = 0;
	u32 i, off, left, len;
	phys_addr_t pa;

	for (el = mdl; el; el = el->next)
		nents += el->pfn_count;
	if (!nents)
		return ERR_PTR(-EINVAL);
	table = kmalloc(sizeof(*table), gfp);
	if (!table)
		return ERR_PTR(-ENOMEM);
	if (sg_alloc_table(table, nents, gfp)) {
		kfree(table);
		return ERR_PTR(-ENOMEM);
	}
	sg = table->sgl;
	for (el = mdl; el; el = el->next) {
		off = el->byte_offset;
		left = el->byte_count;
		for (i = 0; i < el->pfn_count; i++, off = 0, left -= len) {
			len = min_t(u32, left, HV_HYP_PAGE_SIZE - off);
			pa = ((phys_addr_t)el->pfns[i] << HV_HYP_PAGE_SHIFT) + off;
			sg_set_page(sg, pfn_to_page(PHYS_PFN(pa)), len, offset_in_page(pa));
			sg = sg_next(sg);
		}
	}
	return table;
}
EXPORT_SYMBOL_GPL(vmb_mdl_to_sg_table);

void vmb_mdl_free(struct vmb_mdl *mdl)
{
	struct vmb_mdl *next;

	for (; mdl; mdl = next) {
		next = mdl->next;
		kfree(mdl);
	}
}
EXPORT_SYMBOL_GPL(vmb_mdl_free);

/*
 * The part of element el (starting at chain offset start) that the window
 * [offset, end) covers, as a GPA range: first frame index, byte offset into
 * it, byte count and frame count. False when the window misses el.
 */
static bool window_part(const struct vmb_mdl *el, u64 start, u64 offset, u64 end,
			u32 *first, u32 *range_offset, u32 *count, u32 *pfns)
{
	u64 from = max(start, offset), to = min(start + el->byte_count, end);
	u64 abs;

	if (from >= to)
		return false;
	abs = el->byte_offset + (from - start);
	*first = HVPFN_DOWN(abs);
	*range_offset = offset_in_hvpage(abs);
	*count = to - from;
	*pfns = HVPFN_UP((u64)*range_offset + *count);
	return true;
}

/**
 * vmb_mdl_gpa_size() - size of the GPA ranges of a window of a chain
 * @mdl: the chain
 * @offset: first byte of the window, from the start of the chain
 * @length: bytes in the window, at least 1
 * @range_count: set to the number of GPA ranges
 * @bytes: set to their size on the wire (struct gpa_range headers and PFNs)
 *
 * Return: 0, or -EINVAL for an empty window or one past the chain's end.
 */
int vmb_mdl_gpa_size(const struct vmb_mdl *mdl, u32 offset, u32 length,
		     u32 *range_count, u32 *bytes)
{
	u64 start = 0, end = (u64)offset + length, size = 0;
	u32 first, range_offset, count, pfns, n = 0;

	if (!length || end > vmb_mdl_byte_count(mdl))
		return -EINVAL;
	for (; mdl; start += mdl->byte_count, mdl = mdl->next) {
		if (!window_part(mdl, start, offset, end, &first, &range_offset, &count, &pfns))
			continue;
		n++;
		size += struct_size_t(struct gpa_range, pfn_array, pfns);
	}
	if (size > U32_MAX)
		return -EINVAL;
	*range_count = n;
	*bytes = size;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vmb_mdl_gpa_size);

/**
 * vmb_mdl_gpa_build() - write the GPA ranges of a window of a chain
 * @mdl: the chain
 * @offset: first byte of the window, from the start of the chain
 * @length: bytes in the window; 0: up to the end of the chain
 * @to: 8-byte aligned room for the ranges
 * @capacity: bytes at @to
 * @range_count: set to the number of GPA ranges
 * @bytes: set to their size on the wire (struct gpa_range headers and PFNs)
 * @data: set to the bytes the window covers
 *
 * One pass over the chain, for a send: the window is checked, sized and
 * written at once.
 *
 * Context: any.
 * Return: 0; -EINVAL for an empty window or one past the chain's end;
 * -ENOSPC when the ranges do not fit @capacity (then @to holds part of them).
 */
int vmb_mdl_gpa_build(const struct vmb_mdl *mdl, u32 offset, u32 length, void *to,
		      u32 capacity, u32 *range_count, u32 *bytes, u64 *data)
{
	u64 start = 0, end = length ? (u64)offset + length : U64_MAX, covered = 0;
	u32 first, range_offset, count, pfns, size = 0, n = 0;
	struct gpa_range *range = to;
	size_t part;

	for (; mdl && start < end; start += mdl->byte_count, mdl = mdl->next) {
		if (!window_part(mdl, start, offset, end, &first, &range_offset, &count, &pfns))
			continue;
		part = struct_size_t(struct gpa_range, pfn_array, pfns);
		if (part > capacity - size)
			return -ENOSPC;
		range->byte_count = count;
		range->byte_offset = range_offset;
		memcpy(range->pfn_array, &mdl->pfns[first], pfns * sizeof(u64));
		range = (struct gpa_range *)&range->pfn_array[pfns];
		size += part;
		covered += count;
		n++;
	}
	if (!covered || (length && covered != length))
		return -EINVAL;
	*range_count = n;
	*bytes = size;
	*data = covered;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vmb_mdl_gpa_build);
