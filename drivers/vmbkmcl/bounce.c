// SPDX-License-Identifier: GPL-2.0
/*
 * A channel's host-visible memory, for confidential VMs (SEV-SNP, TDX),
 * where the host can reach only memory the guest shared.
 *
 * KMCL's V3 functions VmbChannelInitSetBounceBufferSizes() and
 * VmbChannelAllocateBounceBuffer() give a channel memory of its own for
 * that, instead of the system-wide pool that Linux's DMA API (swiotlb)
 * bounces every mapping of such a guest through:
 *
 * - the bounce pool: one block of 4 KiB frames, shared with the host once
 *   when it is reserved. While the channel's device bounces its mappings
 *   (is_swiotlb_force_bounce(): a confidential VM, or swiotlb=force), each
 *   frame piece of a send's external data that finds a free frame is
 *   copied there at the same offset, the descriptor names that frame, and
 *   the piece is copied back when the transaction ends, both ways as
 *   swiotlb does (KMCL does not say which way data goes). Pieces that find
 *   no free frame take the DMA API's path as before. A device that does
 *   not bounce leaves the pool unused: its pages go to the host as they
 *   are;
 * - bounce buffers: whole pages shared with the host for the client's own
 *   data. A piece that lies in one is named to the host as it is, with no
 *   copy, whether the device bounces or not.
 *
 * Memory is shared the way hv_vmbus shares its rings: pages from the page
 * allocator, set_memory_decrypted() (nothing to do on other guests), and
 * the host is given the address swiotlb gives for its own shared slots,
 * phys_to_dma_unencrypted(). If making them private again fails when they
 * are freed, the pages are leaked rather than reused while shared, as
 * hv_vmbus does.
 */
#include <linux/bitmap.h>
#include <linux/dma-direct.h>
#include <linux/highmem.h>
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/set_memory.h>
#include <linux/slab.h>

#include "bounce.h"

struct vmb_bounce_buffer {
	struct vmb_bounce_buffer *next;
	void *va;
	size_t size;		/* whole pages */
};

/* Zeroed, physically contiguous pages of @size bytes the host may reach. */
static void *alloc_shared(size_t size)
{
	void *va = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);

	if (!va)
		return NULL;
	if (set_memory_decrypted((unsigned long)va, size >> PAGE_SHIFT)) {
		/* the state of the pages is unknown: never reuse them */
		pr_warn_once("vmbkmcl: bounce memory could not be shared; pages leaked\n");
		return NULL;
	}
	return va;
}

static void free_shared(void *va, size_t size)
{
	if (!va)
		return;
	if (set_memory_encrypted((unsigned long)va, size >> PAGE_SHIFT)) {
		pr_warn_once("vmbkmcl: bounce memory could not be made private; pages leaked\n");
		return;
	}
	free_pages_exact(va, size);
}

/* The pool's pages: its frames rounded up to whole kernel pages. */
static size_t pool_bytes(u32 frames)
{
	return PAGE_ALIGN((size_t)frames * HV_HYP_PAGE_SIZE);
}

/**
 * vmb_bounce_init() - a channel without memory of its own
 * @b: the channel's
 *
 * Context: any.
 */
void vmb_bounce_init(struct vmb_bounce *b)
{
	spin_lock_init(&b->lock);
}

static void free_pool(void *pool, u32 frames, unsigned long *map, phys_addr_t *orig)
{
	free_shared(pool, pool_bytes(frames));
	bitmap_free(map);
	kfree(orig);
}

/**
 * vmb_bounce_cleanup() - free the pool and every bounce buffer
 * @b: the channel's, none of whose pool frames is in use (the channel is
 *     disabled and its sends cancelled)
 *
 * Context: process; may sleep.
 */
void vmb_bounce_cleanup(struct vmb_bounce *b)
{
	struct vmb_bounce_buffer *buf;

	might_sleep();

	WARN_ON_ONCE(b->pool_used);
	free_pool(b->pool, b->pool_frames, b->pool_map, b->pool_orig);
	b->pool = NULL;
	b->pool_frames = 0;
	while ((buf = b->buffers)) {
		b->buffers = buf->next;
		free_shared(buf->va, buf->size);
		kfree(buf);
	}
}

/**
 * vmb_bounce_set_pool() - reserve the bounce pool, or give it up
 * @b: the channel's
 * @bytes: the pool's size, a multiple of 4 KiB; 0 for none
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_DEVICE_STATE while frames of the
 * current pool hold pieces of a send (one queued on a Disabled channel);
 * STATUS_INSUFFICIENT_RESOURCES. The current pool stays on failure.
 */
NTSTATUS vmb_bounce_set_pool(struct vmb_bounce *b, u32 bytes)
{
	u32 frames = bytes / HV_HYP_PAGE_SIZE, old_frames;
	phys_addr_t *orig = NULL, *old_orig;
	unsigned long *map = NULL, *old_map;
	void *pool = NULL, *old;
	unsigned long irqflags;

	might_sleep();

	if (frames) {
		pool = alloc_shared(pool_bytes(frames));
		map = bitmap_zalloc(frames, GFP_KERNEL);
		orig = kcalloc(frames, sizeof(*orig), GFP_KERNEL);
		if (!pool || !map || !orig) {
			free_pool(pool, frames, map, orig);
			return STATUS_INSUFFICIENT_RESOURCES;
		}
	}

	spin_lock_irqsave(&b->lock, irqflags);
	if (b->pool_used) {
		spin_unlock_irqrestore(&b->lock, irqflags);
		free_pool(pool, frames, map, orig);
		return STATUS_INVALID_DEVICE_STATE;
	}
	old = b->pool;
	old_frames = b->pool_frames;
	old_map = b->pool_map;
	old_orig = b->pool_orig;
	b->pool_frames = frames;
	b->pool_map = map;
	b->pool_orig = orig;
	WRITE_ONCE(b->pool, pool);
	spin_unlock_irqrestore(&b->lock, irqflags);

	free_pool(old, old_frames, old_map, old_orig);
	return STATUS_SUCCESS;
}

/**
 * vmb_bounce_alloc_buffer() - a bounce buffer, the channel's until Cleanup
 * @b: the channel's
 * @size: bytes, at least 1 and at most one page-allocator block
 * @buffer: receives the zeroed, page-aligned buffer
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS vmb_bounce_alloc_buffer(struct vmb_bounce *b, u32 size, void **buffer)
{
	struct vmb_bounce_buffer *buf;
	unsigned long irqflags;

	might_sleep();

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return STATUS_INSUFFICIENT_RESOURCES;
	buf->size = PAGE_ALIGN(size);
	buf->va = alloc_shared(buf->size);
	if (!buf->va) {
		kfree(buf);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	spin_lock_irqsave(&b->lock, irqflags);
	buf->next = b->buffers;
	WRITE_ONCE(b->buffers, buf);
	spin_unlock_irqrestore(&b->lock, irqflags);
	*buffer = buf->va;
	return STATUS_SUCCESS;
}

/* The host's address of shared memory, as swiotlb gives for its slots. */
static dma_addr_t shared_dma(struct device *dev, void *va)
{
	return phys_to_dma_unencrypted(dev, virt_to_phys(va));
}

static bool in_buffer(struct vmb_bounce *b, phys_addr_t phys)
{
	struct vmb_bounce_buffer *buf;
	phys_addr_t start;

	for (buf = b->buffers; buf; buf = buf->next) {
		start = virt_to_phys(buf->va);
		if (phys >= start && phys - start < buf->size)
			return true;
	}
	return false;
}

/**
 * vmb_bounce_map_piece() - map a frame piece through the channel's memory
 * @b: the channel's; its lock held
 * @dev: the channel's VMBus device
 * @bouncing: whether @dev bounces its mappings
 * @phys: the piece: a guest-physical address
 * @len: its bytes, all within one 4 KiB frame
 * @dma: receives the address to give the host, at @phys's offset in its
 *       4 KiB frame
 *
 * Context: any.
 * Return: true if mapped here (a bounce buffer's own page, or a copy in a
 * pool frame), false if the DMA API is to map it.
 */
bool vmb_bounce_map_piece(struct vmb_bounce *b, struct device *dev, bool bouncing,
			  phys_addr_t phys, u32 len, dma_addr_t *dma)
{
	unsigned long frame;
	u8 *slot;

	lockdep_assert_held(&b->lock);

	if (in_buffer(b, phys)) {
		*dma = phys_to_dma_unencrypted(dev, phys);
		return true;
	}
	if (!bouncing || !b->pool || b->pool_used == b->pool_frames)
		return false;
	frame = find_first_zero_bit(b->pool_map, b->pool_frames);
	__set_bit(frame, b->pool_map);
	b->pool_used++;
	b->pool_orig[frame] = phys;
	slot = (u8 *)b->pool + frame * HV_HYP_PAGE_SIZE + offset_in_hvpage(phys);
	memcpy_from_page(slot, pfn_to_page(PHYS_PFN(phys)), offset_in_page(phys), len);
	*dma = shared_dma(dev, slot);
	return true;
}

/**
 * vmb_bounce_unmap_piece() - undo vmb_bounce_map_piece()
 * @b: the channel's; its lock held
 * @dev: the device it was mapped for
 * @bouncing: whether @dev bounces its mappings
 * @dma: the address the host was given
 * @len: the piece's bytes
 *
 * A pool frame's piece is copied back to where it came from, and the
 * frame is free again. The pool is looked at only where the device
 * bounces, as when mapping: elsewhere a caller's frames (a PFN list may
 * name any) are never taken for pool frames.
 *
 * Context: any.
 * Return: true if it was mapped here, false if the DMA API is to unmap it.
 */
bool vmb_bounce_unmap_piece(struct vmb_bounce *b, struct device *dev, bool bouncing,
			    dma_addr_t dma, u32 len)
{
	struct vmb_bounce_buffer *buf;
	phys_addr_t orig;
	dma_addr_t base;
	u32 frame;

	lockdep_assert_held(&b->lock);

	if (bouncing && b->pool) {
		base = shared_dma(dev, b->pool);
		if (dma >= base && dma - base < (u64)b->pool_frames * HV_HYP_PAGE_SIZE) {
			frame = (dma - base) >> HV_HYP_PAGE_SHIFT;
			orig = b->pool_orig[frame];
			memcpy_to_page(pfn_to_page(PHYS_PFN(orig)), offset_in_page(orig),
				       (u8 *)b->pool + (dma - base), len);
			__clear_bit(frame, b->pool_map);
			b->pool_used--;
			return true;
		}
	}
	for (buf = b->buffers; buf; buf = buf->next) {
		base = shared_dma(dev, buf->va);
		if (dma >= base && dma - base < buf->size)
			return true;
	}
	return false;
}
