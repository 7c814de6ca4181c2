/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A channel's host-visible memory: the bounce pool that
 * VmbChannelInitSetBounceBufferSizes() reserves and the buffers of
 * VmbChannelAllocateBounceBuffer() (bounce.c).
 */
#ifndef _VMB_BOUNCE_H
#define _VMB_BOUNCE_H

#include <linux/compiler.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <vmbkmcl.h>

struct device;
struct vmb_bounce_buffer;

/*
 * Set up by vmb_bounce_init() with the channel, freed by
 * vmb_bounce_cleanup() at its Cleanup. The pool is replaced only while
 * none of its frames is in use; buffers are only ever added.
 */
struct vmb_bounce {
	spinlock_t lock;		/* leaf: everything below */
	void *pool;			/* pool_frames 4 KiB frames, or NULL */
	u32 pool_frames;
	u32 pool_used;
	unsigned long *pool_map;	/* the frames holding a piece */
	phys_addr_t *pool_orig;		/* per frame in use: the piece it holds */
	struct vmb_bounce_buffer *buffers;
};

void vmb_bounce_init(struct vmb_bounce *b);
void vmb_bounce_cleanup(struct vmb_bounce *b);
NTSTATUS vmb_bounce_set_pool(struct vmb_bounce *b, u32 bytes);
NTSTATUS vmb_bounce_alloc_buffer(struct vmb_bounce *b, u32 size, void **buffer);
bool vmb_bounce_map_piece(struct vmb_bounce *b, struct device *dev, bool bouncing,
			  phys_addr_t phys, u32 len, dma_addr_t *dma);
bool vmb_bounce_unmap_piece(struct vmb_bounce *b, struct device *dev, bool bouncing,
			    dma_addr_t dma, u32 len);

/* Whether the channel has memory of its own that a mapping may use. */
static inline bool vmb_bounce_active(const struct vmb_bounce *b)
{
	return READ_ONCE(b->pool) || READ_ONCE(b->buffers);
}

#endif /* _VMB_BOUNCE_H */
