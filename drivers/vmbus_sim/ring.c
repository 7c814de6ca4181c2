// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's half of the ring protocol. It must behave as hv_vmbus's
 * drivers/hv/ring_buffer.c of the kernel it is built for (6.1.192, 6.12.117)
 * wherever a driver can see it: the double mapping, where the indices and
 * the trailer go, when -EAGAIN, -ENODEV and -EIO are returned, when a request
 * id is taken, how incoming packets are copied and sanitised, and when the
 * host is signalled. Documentation/ring-protocol.rst is the specification;
 * the comments below name the hv_vmbus behaviour each rule reproduces.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/reciprocal_div.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "ring.h"

/* Bytes a writer may still use; one slot stays free, so equal means empty. */
static u32 ring_free_bytes(u32 read, u32 write, u32 dsize)
{
	return write >= read ? dsize - (write - read) : read - write;
}

int vmbus_sim_ring_init(struct hv_ring_buffer_info *rbi, struct page *pages,
			u32 page_cnt, u32 max_pkt_size)
{
	struct page **map;
	u32 i;

	BUILD_BUG_ON(sizeof(struct hv_ring_buffer) != PAGE_SIZE);

	/*
	 * Header page, the data pages, then the data pages once more: a packet
	 * that wraps is contiguous in this mapping, which the single memcpy of
	 * the reader and the in-place hv_pkt_data() of drivers rely on
	 * (hv_vmbus hv_ringbuffer_init(); Documentation/ring-protocol.rst). u32
	 * arithmetic as there: a ring of 0 pages fails the allocation.
	 */
	map = kcalloc(page_cnt * 2 - 1, sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	map[0] = pages;
	for (i = 0; i < 2 * (page_cnt - 1); i++)
		map[i + 1] = &pages[1 + i % (page_cnt - 1)];
	rbi->ring_buffer = vmap(map, page_cnt * 2 - 1, VM_MAP, PAGE_KERNEL);
	kfree(map);
	if (!rbi->ring_buffer)
		return -ENOMEM;

	/* 6.4+ zeroes the header page here; fresh rings are zero anyway. */
	memset(rbi->ring_buffer, 0, HV_HYP_PAGE_SIZE);
	/*
	 * The guest sets feat_pending_send_sz in both of its rings: it will set
	 * pending_send_sz when blocked and honour the host's (hyperv.h comment
	 * on struct hv_ring_buffer).
	 */
	rbi->ring_buffer->feature_bits.value = 1;

	rbi->ring_size = page_cnt << PAGE_SHIFT;
	rbi->ring_size_div10_reciprocal = reciprocal_value(rbi->ring_size / 10);
	rbi->ring_datasize = rbi->ring_size - sizeof(struct hv_ring_buffer);
	rbi->priv_read_index = 0;

	/* The copy-out buffer of incoming packets, max_pkt_size bytes (5.14+). */
	if (max_pkt_size) {
		rbi->pkt_buffer = kzalloc(max_pkt_size, GFP_KERNEL);
		if (!rbi->pkt_buffer)
			return -ENOMEM;
		rbi->pkt_buffer_size = max_pkt_size;
	}

	spin_lock_init(&rbi->ring_lock);
	return 0;
}

void vmbus_sim_ring_cleanup(struct hv_ring_buffer_info *rbi)
{
	mutex_lock(&rbi->ring_buffer_mutex);
	vunmap(rbi->ring_buffer);
	rbi->ring_buffer = NULL;
	mutex_unlock(&rbi->ring_buffer_mutex);

	kfree(rbi->pkt_buffer);
	rbi->pkt_buffer = NULL;
	rbi->pkt_buffer_size = 0;
}

/* Copy into the ring at @offset; the double mapping absorbs the wrap. */
static u32 ring_copy_in(struct hv_ring_buffer_info *rbi, u32 offset, const void *src, u32 len)
{
	memcpy(hv_get_ring_buffer(rbi) + offset, src, len);
	offset += len;
	if (offset >= rbi->ring_datasize)
		offset -= rbi->ring_datasize;
	return offset;
}

/*
 * Signal only when the ring went from empty to non-empty and the host does
 * not mask: Hyper-V throttles guests that signal when it does not expect it
 * (hv_vmbus hv_signal_on_write() and its "KYS: Oct. 30, 2016" comment).
 */
static void signal_on_write(struct vmbus_channel *channel, u32 old_write)
{
	struct hv_ring_buffer *ring = channel->outbound.ring_buffer;

	/* write_index is published before the host's fields are looked at */
	virt_mb();
	if (READ_ONCE(ring->interrupt_mask))
		return;
	/* the mask is read before read_index */
	virt_rmb();
	if (old_write == READ_ONCE(ring->read_index)) {
		++channel->intr_out_empty;
		vmbus_setevent(channel);
	}
}

int vmbus_sim_ring_write(struct vmbus_channel *channel, const struct kvec *kv,
			 u32 kv_count, u64 requestid, u64 *trans_id)
{
	struct hv_ring_buffer_info *rbi = &channel->outbound;
	const struct vmpacket_descriptor *desc = kv[0].iov_base;
	u64 rqst_id = VMBUS_NO_RQSTOR;
	struct vmpacket_descriptor *in_ring;
	u32 total = VMBUS_SIM_PKT_TRAILER;
	u32 read, old_write, next, i;
	unsigned long flags;
	u64 wire_id, trailer;

	if (channel->rescind)
		return -ENODEV;

	for (i = 0; i < kv_count; i++)
		total += kv[i].iov_len;

	spin_lock_irqsave(&rbi->ring_lock, flags);

	read = READ_ONCE(rbi->ring_buffer->read_index);
	old_write = READ_ONCE(rbi->ring_buffer->write_index);
#ifdef VMB_HV_RING_WRITE_CHECKS_INDICES
	if (unlikely(read >= rbi->ring_datasize || old_write >= rbi->ring_datasize)) {
		spin_unlock_irqrestore(&rbi->ring_lock, flags);
		pr_err_ratelimited("outbound ring indices out of range: relid %u read %u write %u size %u\n",
				   channel->offermsg.child_relid, read, old_write,
				   rbi->ring_datasize);
		return -EIO;
	}
#endif

	/* "Exactly full" is full, else read == write could not mean empty. */
	if (ring_free_bytes(read, old_write, rbi->ring_datasize) <= total) {
		++channel->out_full_total;
		if (!channel->out_full_flag) {
			++channel->out_full_first;
			channel->out_full_flag = true;
		}
		spin_unlock_irqrestore(&rbi->ring_lock, flags);
		return -EAGAIN;
	}
	channel->out_full_flag = false;

	next = old_write;
	for (i = 0; i < kv_count; i++)
		next = ring_copy_in(rbi, next, kv[i].iov_base, kv[i].iov_len);

	/*
	 * The request id is taken only after the copy, since the completion
	 * path may find and free it at once, and only for flags exactly equal
	 * to COMPLETION_REQUESTED (hv_vmbus hv_ringbuffer_write()). Running
	 * out is -EAGAIN, like a full ring, and publishes nothing.
	 */
	if (desc->flags == VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED &&
	    channel->next_request_id_callback) {
		rqst_id = channel->next_request_id_callback(channel, requestid);
		if (rqst_id == VMBUS_RQST_ERROR) {
			spin_unlock_irqrestore(&rbi->ring_lock, flags);
			return -EAGAIN;
		}
	}
	wire_id = rqst_id == VMBUS_NO_RQSTOR ? requestid : rqst_id;
	/* written into the ring and never read back: the host may change it */
	in_ring = hv_get_ring_buffer(rbi) + old_write;
	WRITE_ONCE(in_ring->trans_id, wire_id);
	if (trans_id)
		*trans_id = wire_id;

	trailer = (u64)old_write << 32;
	next = ring_copy_in(rbi, next, &trailer, sizeof(trailer));

	/* the packet is complete in memory before the host can see the index */
	virt_mb();
	WRITE_ONCE(rbi->ring_buffer->write_index, next);

	spin_unlock_irqrestore(&rbi->ring_lock, flags);

	signal_on_write(channel, old_write);

	/* Rescinded meanwhile: the host will never complete it. */
	if (channel->rescind) {
		if (rqst_id != VMBUS_NO_RQSTOR && channel->request_addr_callback)
			channel->request_addr_callback(channel, rqst_id);
		return -ENODEV;
	}
	return 0;
}

int vmbus_sim_ring_read(struct vmbus_channel *channel, void *buffer, u32 buflen,
			u32 *buffer_actual_len, u64 *requestid, bool raw)
{
	struct vmpacket_descriptor *desc;
	u32 offset, len;

	if (unlikely(!buflen))
		return -EINVAL;

	*buffer_actual_len = 0;
	*requestid = 0;

	/* An empty ring is success with nothing read (hv_ringbuffer_read()). */
	desc = hv_pkt_iter_first(channel);
	if (!desc)
		return 0;

	offset = raw ? 0 : desc->offset8 << 3;
	len = (desc->len8 << 3) - offset;
	*buffer_actual_len = len;
	*requestid = desc->trans_id;

	/* Too small: the needed size is reported and the packet stays. */
	if (unlikely(len > buflen))
		return -ENOBUFS;

	memcpy(buffer, (const u8 *)desc + offset, len);

	/* one packet per call, so one read-index update per packet */
	__hv_pkt_iter_next(channel, desc);
	hv_pkt_iter_close(channel);
	return 0;
}

/* Bytes between the iterator and the host's write index. */
static u32 iter_avail(const struct hv_ring_buffer_info *rbi)
{
	u32 priv = rbi->priv_read_index;
	u32 write;

	/*
	 * Acquire: packet bytes must not be loaded before the index that
	 * published them ("Prevent load re-ordering when reading ring buffer",
	 * 5.18, after stale data was seen on arm64).
	 */
	write = virt_load_acquire(&rbi->ring_buffer->write_index);
	return write >= priv ? write - priv : rbi->ring_datasize - priv + write;
}

/**
 * hv_pkt_iter_first() - copy out the next incoming packet
 * @channel: an open channel
 *
 * Copies the packet at the iterator into the channel's packet buffer
 * (max_pkt_size bytes, VMBUS_DEFAULT_MAX_PKT_SIZE unless the driver set
 * channel->max_pkt_size before vmbus_open()) and returns the copy, with
 * len8 and offset8 rewritten to values consistent with what was copied: a
 * len8 below 2 or beyond the available bytes becomes the available bytes, a
 * packet longer than the buffer is cut to the buffer (and the iterator then
 * advances by the cut length, as hv_vmbus's does), an offset8 below 2 or
 * beyond len8 becomes 2. The host may rewrite the ring meanwhile; the copy
 * is what the caller parses.
 *
 * Context: the channel callback or any context that owns reading the
 * inbound ring; not concurrently with another reader.
 * Return: the copy, or NULL if fewer than 16 bytes are available.
 */
struct vmpacket_descriptor *hv_pkt_iter_first(struct vmbus_channel *channel)
{
	struct hv_ring_buffer_info *rbi = &channel->inbound;
	struct vmpacket_descriptor *desc, *copy;
	u32 avail, len, offset;

	avail = iter_avail(rbi);
	if (avail < sizeof(struct vmpacket_descriptor))
		return NULL;
	avail = min(rbi->pkt_buffer_size, avail);

	desc = hv_get_ring_buffer(rbi) + rbi->priv_read_index;
	/* read the host's values once; they may change under us */
	len = READ_ONCE(desc->len8) << 3;
	offset = READ_ONCE(desc->offset8) << 3;

	if (len < sizeof(struct vmpacket_descriptor) || len > avail)
		len = avail;
	if (offset < sizeof(struct vmpacket_descriptor) || offset > len)
		offset = sizeof(struct vmpacket_descriptor);

	copy = rbi->pkt_buffer;
	memcpy(copy, desc, len);
	copy->len8 = len >> 3;
	copy->offset8 = offset >> 3;
	return copy;
}
EXPORT_SYMBOL_GPL(hv_pkt_iter_first);

/**
 * __hv_pkt_iter_next() - step past a packet and copy out the next one
 * @channel: an open channel
 * @desc: the packet hv_pkt_iter_first() or this function returned
 *
 * Advances the iterator by @desc's (sanitised) length plus the 8-byte
 * trailer, without telling the host; hv_pkt_iter_close() publishes.
 *
 * Context: as hv_pkt_iter_first().
 * Return: the next packet's copy, or NULL if none is complete.
 */
struct vmpacket_descriptor *__hv_pkt_iter_next(struct vmbus_channel *channel,
					       const struct vmpacket_descriptor *desc)
{
	struct hv_ring_buffer_info *rbi = &channel->inbound;

	rbi->priv_read_index += (desc->len8 << 3) + VMBUS_SIM_PKT_TRAILER;
	if (rbi->priv_read_index >= rbi->ring_datasize)
		rbi->priv_read_index -= rbi->ring_datasize;

	return hv_pkt_iter_first(channel);
}
EXPORT_SYMBOL_GPL(__hv_pkt_iter_next);

static u32 iter_bytes_read(const struct hv_ring_buffer_info *rbi, u32 start)
{
	if (rbi->priv_read_index >= start)
		return rbi->priv_read_index - start;
	return rbi->ring_datasize - start + rbi->priv_read_index;
}

/**
 * hv_pkt_iter_close() - publish the iterator's position to the host
 * @channel: an open channel
 *
 * Stores the iterator position as the inbound ring's read_index, then, if
 * the host set pending_send_sz (and the ring's feat_pending_send_sz bit),
 * signals the host only if this batch took the free space from not more
 * than pending_send_sz to more than it: the crossing, not every read, and
 * "exactly pending_send_sz free" still counts as blocked (hv_vmbus
 * hv_pkt_iter_close(); Documentation/ring-protocol.rst, "Flow control").
 *
 * Context: as hv_pkt_iter_first().
 */
void hv_pkt_iter_close(struct vmbus_channel *channel)
{
	struct hv_ring_buffer_info *rbi = &channel->inbound;
	u32 start, pending, free_now, freed;

	/* all packet reads are done before the host may reuse the space */
	virt_rmb();
	start = READ_ONCE(rbi->ring_buffer->read_index);
	WRITE_ONCE(rbi->ring_buffer->read_index, rbi->priv_read_index);

	/* Hosts before WS2012 poll instead; they expect no signal. */
	if (!rbi->ring_buffer->feature_bits.feat_pending_send_sz)
		return;

	/*
	 * read_index is published before pending_send_sz is sampled, or a host
	 * that blocks in between would never be woken (the lost wake-up of
	 * Documentation/ring-protocol.rst, "Flow control").
	 */
	virt_mb();
	pending = READ_ONCE(rbi->ring_buffer->pending_send_sz);
	if (!pending)
		return;

	/* pending_send_sz is read before write_index */
	virt_rmb();
	free_now = hv_get_bytes_to_write(rbi);
	freed = iter_bytes_read(rbi, start);

	if (free_now - freed > pending)		/* was not blocked */
		return;
	if (free_now <= pending)		/* still blocked */
		return;

	++channel->intr_in_full;
	vmbus_setevent(channel);
}
EXPORT_SYMBOL_GPL(hv_pkt_iter_close);

/**
 * hv_ringbuffer_get_debuginfo() - snapshot a ring's indices and sizes
 * @ring_info: &channel->inbound or &channel->outbound
 * @debug_info: filled in
 *
 * Context: process context (takes the ring's mutex).
 * Return: 0, or -EINVAL if the ring is not mapped.
 */
int hv_ringbuffer_get_debuginfo(struct hv_ring_buffer_info *ring_info,
				struct hv_ring_buffer_debug_info *debug_info)
{
	u32 read, write;

	mutex_lock(&ring_info->ring_buffer_mutex);
	if (!ring_info->ring_buffer) {
		mutex_unlock(&ring_info->ring_buffer_mutex);
		return -EINVAL;
	}

	read = READ_ONCE(ring_info->ring_buffer->read_index);
	write = READ_ONCE(ring_info->ring_buffer->write_index);
	debug_info->bytes_avail_towrite = ring_free_bytes(read, write, ring_info->ring_datasize);
	debug_info->bytes_avail_toread = ring_info->ring_datasize -
					 debug_info->bytes_avail_towrite;
	debug_info->current_read_index = read;
	debug_info->current_write_index = write;
	debug_info->current_interrupt_mask = READ_ONCE(ring_info->ring_buffer->interrupt_mask);
	mutex_unlock(&ring_info->ring_buffer_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(hv_ringbuffer_get_debuginfo);
