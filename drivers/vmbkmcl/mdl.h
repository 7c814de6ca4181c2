/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MDL equivalent: chains of guest-physical byte ranges, each element one
 * GPA range on the wire, with PFNs in Hyper-V 4 KiB frames.
 */
#ifndef _VMB_MDL_H
#define _VMB_MDL_H

#include <linux/hyperv.h>
#include <linux/types.h>

/*
 * One element of an MDL chain: a byte stream over 4 KiB frames of which only
 * the first may start past its beginning (byte_offset) and only the last may
 * end before its end, exactly what one struct gpa_range carries.
 */
struct vmb_mdl {
	struct vmb_mdl *next;
	u32 byte_offset;	/* into pfns[0], < HV_HYP_PAGE_SIZE */
	u32 byte_count;
	u32 pfn_count;		/* HVPFN_UP(byte_offset + byte_count) */
	u64 pfns[];		/* Hyper-V 4 KiB frame numbers */
};

/* A physically contiguous piece of memory, the input of the MDL builder. */
struct vmb_mdl_seg {
	phys_addr_t addr;
	u32 len;
};

/*
 * Page-size math, kept pure (page_shift is a parameter) so that it is tested
 * for 4 KiB and 64 KiB pages on any kernel.
 */
static inline phys_addr_t vmb_mdl_page_phys(u64 pfn, unsigned int page_shift, u32 offset)
{
	return ((phys_addr_t)pfn << page_shift) + offset;
}

static inline u32 vmb_mdl_hvpfn_span(phys_addr_t addr, u32 len)
{
	return HVPFN_UP(offset_in_hvpage(addr) + (u64)len);
}

struct vmb_mdl *vmb_mdl_from_segments(const struct vmb_mdl_seg *segs, unsigned int nr,
				      gfp_t gfp);

/*
 * GPA ranges of the byte window [offset, offset + length) of a chain, as the
 * body of a GPA-direct packet: vmb_mdl_gpa_size() says how many ranges and
 * bytes, vmb_mdl_gpa_build() writes them.
 */
int vmb_mdl_gpa_size(const struct vmb_mdl *mdl, u32 offset, u32 length,
		     u32 *range_count, u32 *bytes);
int vmb_mdl_gpa_build(const struct vmb_mdl *mdl, u32 offset, u32 length, void *to,
		      u32 capacity, u32 *range_count, u32 *bytes, u64 *data);

unsigned int vmb_mdl_chain_length(const struct vmb_mdl *mdl);

#endif /* _VMB_MDL_H */
