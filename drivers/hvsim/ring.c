// SPDX-License-Identifier: GPL-2.0
/*
 * The host's end of each channel of hvsim: the rings the guest shared with
 * its ring GPADL, mapped by the host itself from the page numbers the guest
 * sent (no double mapping: wrap-around is split by hand, as Hyper-V's and
 * OpenVMM's hosts do), the host's reader of the guest->host ring, its writes
 * to the host->guest ring with the interrupts they owe, and the vmbus_sim_*
 * calls of the host API that use them (documented in include/vmbus_sim.h).
 *
 * A real host's rules: the host reads and writes the rings only between
 * OPENCHANNEL and CLOSECHANNEL; after a rescind it touches them no more.
 * GPA-direct pages a packet named may be read and written until
 * CLOSECHANNEL, however late the host model completes the request.
 *
 * Locking: ring_lock (spinlock, irqsave) covers the attachment to the rings
 * and the writes into the inbound ring. The reader, rx_work, touches the
 * outbound ring without a lock: detaching waits for it with
 * cancel_work_sync() before unmapping.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "hvsim.h"

/* The host maps guest pages by Hyper-V frame number as kernel pages. */
static_assert(PAGE_SIZE == HV_HYP_PAGE_SIZE);

static struct workqueue_struct *host_wq;

/* ---- guest memory --------------------------------------------------------- */

/*
 * The page behind a Hyper-V frame number, if it is guest RAM. Reserved
 * pages count: a host reaches all of the guest's memory, and swiotlb's
 * bounce pool, which a confidential VM shares with the host, is memblock
 * memory and so reserved.
 */
static struct page *hvpfn_page(u64 hvpfn)
{
	if (hvpfn > (PHYS_ADDR_MAX >> HV_HYP_PAGE_SHIFT) || !pfn_valid(hvpfn))
		return NULL;
	return pfn_to_page(hvpfn);
}

static int gpa_copy(u64 hvpfn, u32 offset, void *buf, u32 length, bool to_guest)
{
	struct page *page = hvpfn_page(hvpfn);
	void *kaddr;

	if (!page)
		return -EFAULT;
	kaddr = kmap_local_page(page);
	if (to_guest)
		memcpy(kaddr + offset, buf, length);
	else
		memcpy(buf, kaddr + offset, length);
	kunmap_local(kaddr);
	return 0;
}

/* ---- host ring access --------------------------------------------------- */

static u32 free_bytes(u32 read, u32 write, u32 dsize)
{
	return write >= read ? dsize - (write - read) : read - write;
}

static void hring_read(const struct hvsim_hring *r, u32 pos, void *to, u32 len)
{
	u32 first = min(len, r->dsize - pos);

	memcpy(to, r->data + pos, first);
	memcpy(to + first, r->data, len - first);
}

static u32 hring_write(struct hvsim_hring *r, u32 pos, const void *from, u32 len)
{
	u32 first = min(len, r->dsize - pos);

	memcpy(r->data + pos, from, first);
	memcpy(r->data, from + first, len - first);
	pos += len;
	if (pos >= r->dsize)
		pos -= r->dsize;
	return pos;
}

static int hring_map(struct vmbus_sim_device *dev, struct hvsim_hring *r, u32 handle,
		     u32 first, u32 count)
{
	struct hvsim_gpadl *g;
	struct page **pages;
	unsigned long flags;
	int ret = 0;
	u32 i;

	/* a header page and at least one data page, as QEMU's host demands */
	if (count < 2)
		return -EINVAL;
	pages = kcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	spin_lock_irqsave(&dev->gpadl_lock, flags);
	g = hvsim_gpadl_find(dev, handle);
	if (!g || !g->created || first > g->npfns || count > g->npfns - first)
		ret = -EINVAL;
	for (i = 0; !ret && i < count; i++) {
		pages[i] = hvpfn_page(g->pfns[first + i]);
		if (!pages[i])
			ret = -EFAULT;
	}
	spin_unlock_irqrestore(&dev->gpadl_lock, flags);
	if (!ret) {
		r->hdr = vmap(pages, count, VM_MAP, PAGE_KERNEL);
		if (!r->hdr)
			ret = -ENOMEM;
	}
	kfree(pages);
	if (ret)
		return ret;
	r->data = r->hdr->buffer;
	r->dsize = (count - 1) * HV_HYP_PAGE_SIZE;
	r->index = 0;
	return 0;
}

static void hring_unmap(struct hvsim_hring *r)
{
	vunmap(r->hdr);
	r->hdr = NULL;
	r->data = NULL;
}

/* ---- interrupts to the guest ------------------------------------------------ */

static void host_interrupt(struct vmbus_sim_device *dev)
{
	atomic64_inc(&dev->stats.interrupts);
	hvsim_raise_event(READ_ONCE(dev->target_vp), dev->relid);
}

/* ---- state helpers -------------------------------------------------------- */

bool hvsim_in_host_callback(struct vmbus_sim_device *dev)
{
	return current == READ_ONCE(dev->rx_task) || current == READ_ONCE(dev->ctl_task);
}

/* Whether the host can use the rings now; ring_lock held. */
static int ring_state(struct vmbus_sim_device *dev)
{
	lockdep_assert_held(&dev->ring_lock);
	if (READ_ONCE(dev->rescinded))
		return -ENODEV;
	if (!dev->attached)
		return -ENOTCONN;
	return 0;
}

int vmbus_sim_interrupt_cpu(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&dev->ring_lock, flags);
	ret = ring_state(dev);
	/* VP numbers are CPU numbers here (HV_X64_MSR_VP_INDEX) */
	if (!ret)
		ret = READ_ONCE(dev->target_vp);
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_sim_interrupt_cpu);

/* A descriptor the host cannot parse: it cannot find the next one either. */
static void reader_broken(struct vmbus_sim_device *dev, const char *what)
{
	unsigned long flags;

	hvsim_protocol_error(dev, what);
	spin_lock_irqsave(&dev->ring_lock, flags);
	dev->broken = true;
	spin_unlock_irqrestore(&dev->ring_lock, flags);
}

static bool reader_may_run(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	bool run;

	spin_lock_irqsave(&dev->ring_lock, flags);
	run = !ring_state(dev) && !dev->paused && !dev->broken;
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	return run;
}

/* ---- the host reads the guest's outbound ring ----------------------------- */

/*
 * The ranges of a GPA-direct packet: { u32 byte_count; u32 byte_offset;
 * u64 pfn[HVPFN_UP(byte_offset + byte_count)] } back to back after the
 * 24-byte header, all inside offset8 * 8.
 */
static int parse_ranges(struct vmbus_sim_device *dev, u8 *pkt, u32 offset,
			const struct gpa_range ***out, u32 *count)
{
	const u32 hdr = offsetof(struct vmbus_packet_mpb_array, range);
	const struct gpa_range **ranges;
	const struct gpa_range *range;
	u32 cnt, pos, i;
	u64 end;

	if (offset < hdr) {
		hvsim_protocol_error(dev, "GPA-direct header beyond offset8");
		return -EINVAL;
	}
	cnt = ((struct vmbus_packet_mpb_array *)pkt)->rangecount;
	/* every range takes at least 16 bytes: this bounds the allocation */
	if (cnt > (offset - hdr) / 16) {
		hvsim_protocol_error(dev, "GPA range count beyond offset8");
		return -EINVAL;
	}
	ranges = kcalloc(cnt, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return -ENOMEM;

	pos = hdr;
	for (i = 0; i < cnt; i++) {
		range = (const struct gpa_range *)(pkt + pos);
		if (!range->byte_count || range->byte_offset >= HV_HYP_PAGE_SIZE) {
			hvsim_protocol_error(dev, "GPA range empty or offset >= 4 KiB");
			goto err;
		}
		end = pos + sizeof(*range) +
		      HVPFN_UP((u64)range->byte_offset + range->byte_count) * sizeof(u64);
		if (end > offset) {
			hvsim_protocol_error(dev, "GPA range beyond offset8");
			goto err;
		}
		ranges[i] = range;
		pos = end;
	}
	*out = ranges;
	*count = cnt;
	return 0;
err:
	kfree(ranges);
	return -EINVAL;
}

/*
 * The guest set pending_send_sz: signal it only when this read took the
 * free space from not more than that to more.
 */
static void check_pending_send(struct vmbus_sim_device *dev, u32 freed)
{
	struct hvsim_hring *r = &dev->out;
	u32 pending, write, free_now;

	if (!(READ_ONCE(r->hdr->feature_bits.value) & 1))
		return;
	/* read_index is published before pending_send_sz is read */
	virt_mb();
	pending = READ_ONCE(r->hdr->pending_send_sz);
	if (!pending)
		return;
	/* pending_send_sz is read before write_index */
	virt_rmb();
	write = READ_ONCE(r->hdr->write_index);
	if (write >= r->dsize)
		return;
	free_now = free_bytes(r->index, write, r->dsize);
	if (free_now - freed > pending || free_now <= pending)
		return;
	host_interrupt(dev);
}

/* One packet: 1 if read, 0 if the ring is empty, negative to stop. */
static int host_read_packet(struct vmbus_sim_device *dev)
{
	struct hvsim_hring *r = &dev->out;
	const struct gpa_range **ranges = NULL;
	const struct vmpacket_descriptor *copy;
	struct vmpacket_descriptor desc;
	struct vmbus_sim_packet pkt = {};
	u32 write, avail, len, offset;
	bool deliver = true;
	u8 *buf;

	/* the guest published the packet bytes before this index */
	write = virt_load_acquire(&r->hdr->write_index);
	if (write >= r->dsize || write % 8) {
		reader_broken(dev, "outbound write_index out of range");
		return -EIO;
	}
	avail = write >= r->index ? write - r->index : r->dsize - r->index + write;
	if (!avail)
		return 0;
	if (avail < sizeof(desc)) {
		reader_broken(dev, "partial descriptor");
		return -EIO;
	}

	/* validate one snapshot of len8/offset8, then use only that */
	hring_read(r, r->index, &desc, sizeof(desc));
	len = desc.len8 << 3;
	offset = desc.offset8 << 3;
	if (len < sizeof(desc) || offset < sizeof(desc) || offset > len ||
	    len + HVSIM_PKT_TRAILER > avail) {
		reader_broken(dev, "bad len8/offset8");
		return -EIO;
	}

	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	hring_read(r, r->index, buf, len);
	copy = (const struct vmpacket_descriptor *)buf;

	pkt.type = copy->type;
	pkt.flags = copy->flags;
	pkt.trans_id = copy->trans_id;
	pkt.data = buf + offset;
	pkt.length = len - offset;
	pkt.raw = buf;
	pkt.raw_length = len;
	if (pkt.type == VM_PKT_DATA_USING_GPA_DIRECT) {
		if (parse_ranges(dev, buf, offset, &ranges, &pkt.range_count))
			deliver = false;
		pkt.ranges = ranges;
	}

	/* the copy is taken: the guest may reuse the space */
	r->index += len + HVSIM_PKT_TRAILER;
	if (r->index >= r->dsize)
		r->index -= r->dsize;
	/* every read of the packet is done before the space is given back */
	virt_mb();
	WRITE_ONCE(r->hdr->read_index, r->index);

	atomic64_inc(&dev->stats.packets_read);
	atomic64_add(len + HVSIM_PKT_TRAILER, &dev->stats.bytes_read);

	check_pending_send(dev, len + HVSIM_PKT_TRAILER);

	if (deliver && dev->ops && dev->ops->packet) {
		WRITE_ONCE(dev->rx_task, current);
		dev->ops->packet(dev, &pkt);
		WRITE_ONCE(dev->rx_task, NULL);
	}
	kfree(ranges);
	kvfree(buf);
	return 1;
}

/*
 * The host's reader: mask while draining, drain, unmask and re-check, since
 * the guest does not signal while the mask is set, nor for a ring that was
 * not empty when it wrote.
 */
static void host_rx_work(struct work_struct *work)
{
	struct vmbus_sim_device *dev = container_of(work, struct vmbus_sim_device, rx_work);
	struct hv_ring_buffer *hdr;
	int ret = 0;

	while (reader_may_run(dev)) {
		hdr = dev->out.hdr;
		WRITE_ONCE(hdr->interrupt_mask, 1);
		/* the mask is visible before the first read of write_index */
		virt_mb();

		do {
			ret = host_read_packet(dev);
		} while (ret > 0 && reader_may_run(dev));

		/* rescinded: the host touches the ring no more */
		if (READ_ONCE(dev->rescinded))
			return;
		WRITE_ONCE(hdr->interrupt_mask, 0);
		/* unmask before the re-check, or a packet could be missed */
		virt_mb();

		if (ret == -ENOMEM) {
			queue_work(host_wq, &dev->rx_work);
			return;
		}
		if (ret < 0 || READ_ONCE(hdr->write_index) == dev->out.index)
			return;
	}
}

/* ---- the host writes the guest's inbound ring ----------------------------- */

static int host_write(struct vmbus_sim_device *dev, const struct kvec *kv, u32 kv_count)
{
	static const u8 zeros[8];
	struct hvsim_hring *r = &dev->in;
	u32 read, old, pos, len = 0, i;
	bool signal = false;
	unsigned long flags;
	u64 total, trailer;
	int ret;

	for (i = 0; i < kv_count; i++)
		len += kv[i].iov_len;
	total = ALIGN((u64)len, 8) + HVSIM_PKT_TRAILER;

	spin_lock_irqsave(&dev->ring_lock, flags);
	ret = ring_state(dev);
	if (ret)
		goto unlock;

	/* the guest owns read_index: check it before trusting it */
	read = READ_ONCE(r->hdr->read_index);
	if (read >= r->dsize || read % 8) {
		spin_unlock_irqrestore(&dev->ring_lock, flags);
		hvsim_protocol_error(dev, "inbound read_index out of range");
		return -EIO;
	}

	/* never let the write index catch the read index */
	if (free_bytes(read, r->index, r->dsize) <= total) {
		atomic64_inc(&dev->stats.send_full);
		ret = -EAGAIN;
		goto unlock;
	}

	old = r->index;
	pos = old;
	for (i = 0; i < kv_count; i++)
		pos = hring_write(r, pos, kv[i].iov_base, kv[i].iov_len);
	/* padding is zero: no stale bytes reach the guest */
	pos = hring_write(r, pos, zeros, ALIGN(len, 8) - len);
	trailer = (u64)old << 32;
	pos = hring_write(r, pos, &trailer, sizeof(trailer));

	/* the packet is in memory before the index that publishes it */
	virt_mb();
	WRITE_ONCE(r->hdr->write_index, pos);
	r->index = pos;

	/* empty -> non-empty while the guest does not mask: interrupt */
	virt_mb();
	if (!READ_ONCE(r->hdr->interrupt_mask)) {
		/* and the mask before read_index */
		virt_rmb();
		signal = old == READ_ONCE(r->hdr->read_index);
	}

	atomic64_inc(&dev->stats.packets_written);
	atomic64_add(total, &dev->stats.bytes_written);
unlock:
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	if (signal)
		host_interrupt(dev);
	return ret;
}

int vmbus_sim_send(struct vmbus_sim_device *dev, u16 type, u16 flags, u64 trans_id,
		   const void *data, u32 length)
{
	struct vmpacket_descriptor desc = {
		.type = type,
		.offset8 = sizeof(desc) >> 3,
		.flags = flags,
		.trans_id = trans_id,
	};
	struct kvec kv[2] = {
		{ .iov_base = &desc, .iov_len = sizeof(desc) },
		{ .iov_base = (void *)data, .iov_len = length },
	};

	if (length > HVSIM_MAX_PACKET - sizeof(desc))
		return -EMSGSIZE;
	desc.len8 = ALIGN(sizeof(desc) + length, 8) >> 3;
	return host_write(dev, kv, 2);
}
EXPORT_SYMBOL_GPL(vmbus_sim_send);

int vmbus_sim_complete(struct vmbus_sim_device *dev, u64 trans_id, const void *data,
		       u32 length)
{
	return vmbus_sim_send(dev, VM_PKT_COMP, 0, trans_id, data, length);
}
EXPORT_SYMBOL_GPL(vmbus_sim_complete);

/* Pipe mode (include/vmbus_sim.h), as vmbus_sim has it. */
int vmbus_sim_pipe_send(struct vmbus_sim_device *dev, const void *data, u32 length)
{
	struct vmpacket_descriptor desc = {
		.type = VM_PKT_DATA_INBAND,
		.offset8 = sizeof(desc) >> 3,
	};
	struct vmbuspipe_hdr pipe = {
		.flags = VMBUS_SIM_PIPE_DATA,
		.msgsize = length,
	};
	struct kvec kv[3] = {
		{ .iov_base = &desc, .iov_len = sizeof(desc) },
		{ .iov_base = &pipe, .iov_len = sizeof(pipe) },
		{ .iov_base = (void *)data, .iov_len = length },
	};

	if (length > HVSIM_MAX_PACKET - sizeof(desc) - sizeof(pipe))
		return -EMSGSIZE;
	desc.len8 = ALIGN(sizeof(desc) + sizeof(pipe) + length, 8) >> 3;
	return host_write(dev, kv, 3);
}
EXPORT_SYMBOL_GPL(vmbus_sim_pipe_send);

int vmbus_sim_pipe_data(const struct vmbus_sim_packet *pkt, const void **data, u32 *length)
{
	const struct vmbuspipe_hdr *pipe = pkt->data;

	if (pkt->type != VM_PKT_DATA_INBAND || pkt->flags)
		return -EPROTO;
	if (pkt->length < sizeof(*pipe) || pipe->flags != VMBUS_SIM_PIPE_DATA ||
	    pipe->msgsize > pkt->length - sizeof(*pipe))
		return -EPROTO;
	*data = pipe + 1;
	*length = pipe->msgsize;
	return 0;
}
EXPORT_SYMBOL_GPL(vmbus_sim_pipe_data);

int vmbus_sim_send_raw(struct vmbus_sim_device *dev, const void *bytes, u32 length)
{
	struct kvec kv = { .iov_base = (void *)bytes, .iov_len = length };

	if (!length)
		return -EINVAL;
	if (length > HVSIM_MAX_PACKET)
		return -EMSGSIZE;
	return host_write(dev, &kv, 1);
}
EXPORT_SYMBOL_GPL(vmbus_sim_send_raw);

int vmbus_sim_set_pending_send_size(struct vmbus_sim_device *dev, u32 bytes)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&dev->ring_lock, flags);
	ret = ring_state(dev);
	if (!ret) {
		WRITE_ONCE(dev->in.hdr->pending_send_sz, bytes);
		/* visible before the host model re-reads read_index */
		virt_mb();
	}
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_sim_set_pending_send_size);

int vmbus_sim_interrupt(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&dev->ring_lock, flags);
	ret = ring_state(dev);
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	if (!ret)
		host_interrupt(dev);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_sim_interrupt);

void vmbus_sim_pause_host(struct vmbus_sim_device *dev, bool paused)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->ring_lock, flags);
	dev->paused = paused;
	spin_unlock_irqrestore(&dev->ring_lock, flags);

	if (!paused) {
		queue_work(host_wq, &dev->rx_work);
		return;
	}
	if (!hvsim_in_host_callback(dev))
		flush_work(&dev->rx_work);
}
EXPORT_SYMBOL_GPL(vmbus_sim_pause_host);

void vmbus_sim_flush_host(struct vmbus_sim_device *dev)
{
	might_sleep();
	flush_work(&dev->rx_work);
}
EXPORT_SYMBOL_GPL(vmbus_sim_flush_host);

/* ---- external data: GPA-direct ranges and GPADLs --------------------------- */

/*
 * Whether the host may use the guest's pages of @dev: open, not rescinded.
 * The host model's close callback is the host handling CLOSECHANNEL, the
 * last moment it may still write the pages of requests it held.
 */
static int pages_state(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&dev->ring_lock, flags);
	ret = ring_state(dev);
	if (ret == -ENOTCONN && current == READ_ONCE(dev->ctl_task) &&
	    READ_ONCE(dev->closing))
		ret = 0;
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	return ret;
}

static int gpadl_copy(struct vmbus_sim_device *dev, u32 handle, u32 offset, void *buf,
		      u32 length, bool to_guest)
{
	struct hvsim_gpadl *g;
	unsigned long flags;
	u32 chunk, in_page;
	int ret = 0;

	if (READ_ONCE(dev->rescinded))
		return -ENODEV;
	spin_lock_irqsave(&dev->gpadl_lock, flags);
	g = hvsim_gpadl_find(dev, handle);
	if (!g || !g->created) {
		ret = -ENOENT;
		goto out;
	}
	if ((u64)offset + length > (u64)g->npfns * HV_HYP_PAGE_SIZE) {
		ret = -EINVAL;
		goto out;
	}
	while (length) {
		in_page = offset & (HV_HYP_PAGE_SIZE - 1);
		chunk = min_t(u32, length, HV_HYP_PAGE_SIZE - in_page);
		ret = gpa_copy(g->pfns[offset >> HV_HYP_PAGE_SHIFT], in_page, buf, chunk,
			       to_guest);
		if (ret)
			break;
		buf += chunk;
		offset += chunk;
		length -= chunk;
	}
out:
	spin_unlock_irqrestore(&dev->gpadl_lock, flags);
	return ret;
}

int vmbus_sim_gpadl_copy_from_guest(struct vmbus_sim_device *dev, u32 gpadl, u32 offset,
				    void *to, u32 length)
{
	return gpadl_copy(dev, gpadl, offset, to, length, false);
}
EXPORT_SYMBOL_GPL(vmbus_sim_gpadl_copy_from_guest);

int vmbus_sim_gpadl_copy_to_guest(struct vmbus_sim_device *dev, u32 gpadl, u32 offset,
				  const void *from, u32 length)
{
	return gpadl_copy(dev, gpadl, offset, (void *)from, length, true);
}
EXPORT_SYMBOL_GPL(vmbus_sim_gpadl_copy_to_guest);

/* Byte @offset.. of the data the ranges describe, taken as one stream. */
static int ranges_copy(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt,
		       u32 offset, void *buf, u32 length, bool to_guest)
{
	const struct gpa_range *range;
	u64 total = 0, pos;
	u32 i, left, chunk, in_page;
	int ret;

	/*
	 * the guest owns those pages again once it closed the channel; the
	 * ranges alone say where they are (include/vmbus_sim.h), so a host
	 * model that has no device pointer yet (its packet arrived during the
	 * offer's probe) still reaches them
	 */
	ret = dev ? pages_state(dev) : 0;
	if (ret)
		return ret;
	for (i = 0; i < pkt->range_count; i++)
		total += pkt->ranges[i]->byte_count;
	if ((u64)offset + length > total)
		return -EINVAL;

	for (i = 0; i < pkt->range_count && length; i++) {
		range = pkt->ranges[i];
		if (offset >= range->byte_count) {
			offset -= range->byte_count;
			continue;
		}
		pos = (u64)range->byte_offset + offset;
		left = range->byte_count - offset;
		offset = 0;
		while (length && left) {
			in_page = pos & (HV_HYP_PAGE_SIZE - 1);
			chunk = min3(length, left, (u32)HV_HYP_PAGE_SIZE - in_page);
			ret = gpa_copy(range->pfn_array[pos >> HV_HYP_PAGE_SHIFT], in_page, buf,
				       chunk, to_guest);
			if (ret)
				return ret;
			buf += chunk;
			pos += chunk;
			left -= chunk;
			length -= chunk;
		}
	}
	return 0;
}

int vmbus_sim_copy_from_guest(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt,
			      u32 offset, void *to, u32 length)
{
	return ranges_copy(dev, pkt, offset, to, length, false);
}
EXPORT_SYMBOL_GPL(vmbus_sim_copy_from_guest);

int vmbus_sim_copy_to_guest(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt,
			    u32 offset, const void *from, u32 length)
{
	return ranges_copy(dev, pkt, offset, (void *)from, length, true);
}
EXPORT_SYMBOL_GPL(vmbus_sim_copy_to_guest);

/* ---- guest -> host: signal, OPENCHANNEL, CLOSECHANNEL, rescind ------------- */

/* HvSignalEvent or a monitor bit: the host wakes its reader. */
void hvsim_host_signal(struct vmbus_sim_device *dev)
{
	atomic64_inc(&dev->stats.signals);
	queue_work(host_wq, &dev->rx_work);
}

static void host_detach(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	bool attached;

	spin_lock_irqsave(&dev->ring_lock, flags);
	attached = dev->attached;
	dev->attached = false;
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	if (!attached)
		return;

	/* the reader uses the mapping unlocked: wait for it first */
	cancel_work_sync(&dev->rx_work);
	hring_unmap(&dev->out);
	hring_unmap(&dev->in);
}

/*
 * OPENCHANNEL: map the two rings from the ring GPADL, the outbound one being
 * its first @send_pages pages (downstream_ringbuffer_pageoffset), then ask
 * the host model. Non-zero fails the open (OPENCHANNEL_RESULT status).
 */
int hvsim_host_open(struct vmbus_sim_device *dev, u32 gpadl, u32 send_pages)
{
	struct hvsim_gpadl *g;
	unsigned long flags;
	u32 npages = 0;
	int ret;

	spin_lock_irqsave(&dev->ring_lock, flags);
	ret = dev->attached || dev->host_open;
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	if (ret) {
		hvsim_protocol_error(dev, "OPENCHANNEL of a channel that is open");
		return -EBUSY;
	}

	spin_lock_irqsave(&dev->gpadl_lock, flags);
	g = hvsim_gpadl_find(dev, gpadl);
	if (g && g->created)
		npages = g->npfns;
	spin_unlock_irqrestore(&dev->gpadl_lock, flags);
	if (!npages || send_pages >= npages) {
		hvsim_protocol_error(dev, "OPENCHANNEL with a bad ring GPADL");
		return -EINVAL;
	}
	ret = hring_map(dev, &dev->out, gpadl, 0, send_pages);
	if (ret)
		goto err;
	ret = hring_map(dev, &dev->in, gpadl, send_pages, npages - send_pages);
	if (ret) {
		hring_unmap(&dev->out);
		goto err;
	}
	/* the host, producer of the inbound ring, honours pending_send_sz */
	dev->in.hdr->feature_bits.value |= 1;
	WRITE_ONCE(dev->ring_gpadl, gpadl);

	spin_lock_irqsave(&dev->ring_lock, flags);
	dev->attached = true;
	dev->broken = false;
	spin_unlock_irqrestore(&dev->ring_lock, flags);

	if (dev->ops && dev->ops->open) {
		WRITE_ONCE(dev->ctl_task, current);
		ret = dev->ops->open(dev);
		WRITE_ONCE(dev->ctl_task, NULL);
		if (ret) {
			host_detach(dev);
			return ret;
		}
	}

	spin_lock_irqsave(&dev->ring_lock, flags);
	dev->host_open = true;
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	atomic64_inc(&dev->stats.opens);
	/* packets the guest wrote before the open result are read now */
	queue_work(host_wq, &dev->rx_work);
	return 0;

err:
	hvsim_protocol_error(dev, "ring GPADL pages the host cannot map");
	return ret;
}

/* CLOSECHANNEL (or the channel's end): the host lets go, then tells the model. */
void hvsim_host_close(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	bool was_open;

	host_detach(dev);

	spin_lock_irqsave(&dev->ring_lock, flags);
	was_open = dev->host_open;
	dev->host_open = false;
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	if (!was_open)
		return;

	atomic64_inc(&dev->stats.closes);
	if (dev->ops && dev->ops->close) {
		WRITE_ONCE(dev->ctl_task, current);
		WRITE_ONCE(dev->closing, true);
		dev->ops->close(dev);
		WRITE_ONCE(dev->closing, false);
		WRITE_ONCE(dev->ctl_task, NULL);
	}
}

/* Rescind: the host stops using the rings now (dev->rescinded is set). */
void hvsim_host_stop(struct vmbus_sim_device *dev)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->ring_lock, flags);
	WRITE_ONCE(dev->rescinded, true);
	spin_unlock_irqrestore(&dev->ring_lock, flags);
}

void hvsim_dev_init_rings(struct vmbus_sim_device *dev)
{
	spin_lock_init(&dev->ring_lock);
	INIT_WORK(&dev->rx_work, host_rx_work);
}

int hvsim_ring_init(void)
{
	host_wq = alloc_workqueue("hvsim_rings", WQ_UNBOUND, 0);
	return host_wq ? 0 : -ENOMEM;
}

void hvsim_ring_exit(void)
{
	destroy_workqueue(host_wq);
}
