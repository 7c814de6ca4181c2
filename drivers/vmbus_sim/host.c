// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of the simulated offers: offer, rescind and destroy as
 * hv_vmbus processes the host's messages; the host's end of both rings;
 * interrupts to the guest; the counters.
 *
 * The host follows the same ring protocol as the guest but is written
 * separately: it maps the ring pages named by the ring GPADL itself (no
 * double mapping), keeps its own indices, and validates what the guest
 * wrote, so each half checks the other.
 *
 * Locking: dev->lock (mutex) orders the guest objects' life: registration,
 * rescind, release. dev->ring_lock (spinlock, irqsave) covers the host's
 * attachment to the rings and its writes into the inbound ring. The reader,
 * rx_work, touches the outbound ring without a lock: detaching waits for it
 * with cancel_work_sync() before unmapping.
 *
 * The vmbus_sim_* exports are documented in include/vmbus_sim.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hyperv.h>
#include <linux/idr.h>
#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <vmbus_sim.h>

#include "bus.h"
#include "channel.h"
#include "gpadl.h"
#include "host.h"
#include "ring.h"

/* The host maps guest pages by Hyper-V frame number as kernel pages. */
static_assert(PAGE_SIZE == HV_HYP_PAGE_SIZE);

/* Relid 0 is the message connection; the event page has 2048 bits. */
#define VMBUS_SIM_MAX_RELID	(HV_EVENT_FLAGS_COUNT - 1)

/* len8 is 16 bits: the largest packet, trailer excluded. */
#define VMBUS_SIM_MAX_PACKET	(U16_MAX * 8)

/*
 * Offers are added in order and so are rescinds, each on its own queue:
 * hv_vmbus adds devices from a work item while the rescind handler runs on
 * the connection's queue and waits for the probe, so a rescind can arrive
 * while a probe (and its vmbus_open()) is still running.
 */
static struct workqueue_struct *offer_wq;
static struct workqueue_struct *rescind_wq;
static struct workqueue_struct *host_wq;

static DEFINE_MUTEX(devices_lock);
static LIST_HEAD(devices);
static DEFINE_IDA(relids);

/* ---- host ring access --------------------------------------------------- */

static u32 free_bytes(u32 read, u32 write, u32 dsize)
{
	return write >= read ? dsize - (write - read) : read - write;
}

static void hring_read(const struct vmbus_sim_hring *r, u32 pos, void *to, u32 len)
{
	u32 first = min(len, r->dsize - pos);

	memcpy(to, r->data + pos, first);
	memcpy(to + first, r->data, len - first);
}

static u32 hring_write(struct vmbus_sim_hring *r, u32 pos, const void *from, u32 len)
{
	u32 first = min(len, r->dsize - pos);

	memcpy(r->data + pos, from, first);
	memcpy(r->data, from + first, len - first);
	pos += len;
	if (pos >= r->dsize)
		pos -= r->dsize;
	return pos;
}

static int hring_map(struct vmbus_sim_device *dev, struct vmbus_sim_hring *r, u32 gpadl,
		     u32 first, u32 count)
{
	struct page **pages;
	int ret;

	/* a header page and at least one data page, as QEMU's host demands */
	if (count < 2)
		return -EINVAL;

	pages = kcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = vmbus_sim_gpadl_pages(dev, gpadl, first, count, pages);
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

static void hring_unmap(struct vmbus_sim_hring *r)
{
	vunmap(r->hdr);
	r->hdr = NULL;
	r->data = NULL;
}

/* ---- interrupts to the guest --------------------------------------------- */

/* Runs in hard IRQ context, as hv_vmbus's vmbus_isr() -> vmbus_chan_sched(). */
static void host_irq_work(struct irq_work *work)
{
	struct vmbus_sim_device *dev = container_of(work, struct vmbus_sim_device, irq_work);
	struct vmbus_channel *channel = READ_ONCE(dev->channel);

	/* irq_live is cleared and this work synced before the channel goes */
	if (channel)
		vmbus_sim_channel_interrupt(channel);
}

/*
 * On the target CPU, from the IPI: the interrupt proper, in hard IRQ
 * context there. busy is cleared last: the channel's release waits for it.
 */
static void host_irq_csd(void *info)
{
	struct vmbus_sim_device *dev = info;

	irq_work_queue(&dev->irq_work);
	atomic_set_release(&dev->irq_csd_busy, 0);
}

/*
 * Hyper-V interrupts the channel's target VP, and hv_vmbus runs the
 * callback (or schedules its tasklet) on the CPU the interrupt arrives on
 * (vmbus_isr() -> vmbus_chan_sched()), so the callback runs on target_cpu
 * whichever CPU the host worked on. A raise while one is in flight is
 * coalesced like a SynIC event flag: the pending interrupt reads the ring
 * after this write.
 */
static void host_interrupt(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	int cpu;

	spin_lock_irqsave(&dev->irq_lock, flags);
	if (dev->irq_live) {
		atomic64_inc(&dev->stats.interrupts);
		cpu = READ_ONCE(dev->target_cpu);
		if (cpu == smp_processor_id() || !cpu_online(cpu)) {
			irq_work_queue(&dev->irq_work);
		} else if (!atomic_xchg(&dev->irq_csd_busy, 1)) {
			if (smp_call_function_single_async(cpu, &dev->irq_csd)) {
				atomic_set(&dev->irq_csd_busy, 0);
				irq_work_queue(&dev->irq_work);
			}
		}
	}
	spin_unlock_irqrestore(&dev->irq_lock, flags);
}

/* No interrupt is raised or runs for @dev after this. */
static void host_irq_stop(struct vmbus_sim_device *dev)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->irq_lock, flags);
	dev->irq_live = false;
	spin_unlock_irqrestore(&dev->irq_lock, flags);
	while (atomic_read_acquire(&dev->irq_csd_busy))
		cpu_relax();
	irq_work_sync(&dev->irq_work);
}

/* ---- state helpers -------------------------------------------------------- */

static bool in_host_callback(struct vmbus_sim_device *dev)
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

void vmbus_sim_host_protocol_error(struct vmbus_sim_device *dev, const char *what)
{
	atomic64_inc(&dev->stats.protocol_errors);
	pr_err_ratelimited("%pUl: guest protocol error: %s\n", &dev->instance, what);
}

/* A descriptor the host cannot parse: it cannot find the next one either. */
static void reader_broken(struct vmbus_sim_device *dev, const char *what)
{
	unsigned long flags;

	vmbus_sim_host_protocol_error(dev, what);
	spin_lock_irqsave(&dev->ring_lock, flags);
	dev->broken = true;
	spin_unlock_irqrestore(&dev->ring_lock, flags);
}

static bool reader_may_run(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	bool run;

	spin_lock_irqsave(&dev->ring_lock, flags);
	run = dev->attached && !dev->paused && !dev->broken;
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	return run;
}

/* ---- the host reads the guest's outbound ring ----------------------------- */

/*
 * The ranges of a GPA-direct packet: { u32 byte_count; u32 byte_offset;
 * u64 pfn[HVPFN_UP(byte_offset + byte_count)] } back to back after the
 * 24-byte header, all inside offset8 * 8 (Documentation/ring-protocol.rst).
 */
static int parse_ranges(struct vmbus_sim_device *dev, u8 *pkt, u32 offset,
			const struct gpa_range ***out, u32 *count)
{
	/* struct vmdata_gpa_direct's layout, told by a sparse-clean twin */
	const u32 hdr = offsetof(struct vmbus_packet_mpb_array, range);
	const struct gpa_range **ranges;
	const struct gpa_range *range;
	u32 cnt, pos, i;
	u64 end;

	if (offset < hdr) {
		vmbus_sim_host_protocol_error(dev, "GPA-direct header beyond offset8");
		return -EINVAL;
	}
	cnt = ((struct vmbus_packet_mpb_array *)pkt)->rangecount;
	/* every range takes at least 16 bytes: this bounds the allocation */
	if (cnt > (offset - hdr) / 16) {
		vmbus_sim_host_protocol_error(dev, "GPA range count beyond offset8");
		return -EINVAL;
	}
	ranges = kcalloc(cnt, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return -ENOMEM;

	pos = hdr;
	for (i = 0; i < cnt; i++) {
		range = (const struct gpa_range *)(pkt + pos);
		if (!range->byte_count || range->byte_offset >= HV_HYP_PAGE_SIZE) {
			vmbus_sim_host_protocol_error(dev, "GPA range empty or offset >= 4 KiB");
			goto err;
		}
		end = pos + sizeof(*range) +
		      HVPFN_UP((u64)range->byte_offset + range->byte_count) * sizeof(u64);
		if (end > offset) {
			vmbus_sim_host_protocol_error(dev, "GPA range beyond offset8");
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
 * free space from not more than that to more (Documentation/ring-protocol.rst,
 * "Flow control").
 */
static void check_pending_send(struct vmbus_sim_device *dev, u32 freed)
{
	struct vmbus_sim_hring *r = &dev->out;
	u32 pending, write, free_now;

	if (!(READ_ONCE(r->hdr->feature_bits.value) & 1))
		return;
	/* read_index is published before pending_send_sz is read: no lost wake-up */
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
	struct vmbus_sim_hring *r = &dev->out;
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
	    len + VMBUS_SIM_PKT_TRAILER > avail) {
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
	r->index += len + VMBUS_SIM_PKT_TRAILER;
	if (r->index >= r->dsize)
		r->index -= r->dsize;
	/* every read of the packet is done before the space is given back */
	virt_mb();
	WRITE_ONCE(r->hdr->read_index, r->index);

	atomic64_inc(&dev->stats.packets_read);
	atomic64_add(len + VMBUS_SIM_PKT_TRAILER, &dev->stats.bytes_read);

	check_pending_send(dev, len + VMBUS_SIM_PKT_TRAILER);

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
 * The host's reader: mask while draining, drain, unmask and re-check, since the
 * guest does not signal while the mask is set (Documentation/ring-protocol.rst,
 * "Signalling"; the host's promise in hv_vmbus's ring_buffer.c header comment).
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

		WRITE_ONCE(hdr->interrupt_mask, 0);
		/* unmask before the re-check, or a packet could be missed */
		virt_mb();

		if (ret == -ENOMEM) {
			queue_work(host_wq, &dev->rx_work);
			return;
		}
		if (READ_ONCE(hdr->write_index) == dev->out.index)
			return;
	}
}

/* ---- the host writes the guest's inbound ring ----------------------------- */

static int host_write(struct vmbus_sim_device *dev, const struct kvec *kv, u32 kv_count)
{
	static const u8 zeros[8];
	struct vmbus_sim_hring *r = &dev->in;
	u32 read, old, pos, len = 0, i;
	bool signal = false;
	unsigned long flags;
	u64 total, trailer;
	int ret;

	for (i = 0; i < kv_count; i++)
		len += kv[i].iov_len;
	total = ALIGN((u64)len, 8) + VMBUS_SIM_PKT_TRAILER;

	spin_lock_irqsave(&dev->ring_lock, flags);
	ret = ring_state(dev);
	if (ret)
		goto unlock;

	/* the guest owns read_index: check it before trusting it */
	read = READ_ONCE(r->hdr->read_index);
	if (read >= r->dsize || read % 8) {
		spin_unlock_irqrestore(&dev->ring_lock, flags);
		vmbus_sim_host_protocol_error(dev, "inbound read_index out of range");
		return -EIO;
	}

	/* never let the write index catch the read index: equal means empty */
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

	/*
	 * Empty -> non-empty while the guest does not mask: interrupt. The
	 * index is published before the mask is read,
	 */
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

	if (length > VMBUS_SIM_MAX_PACKET - sizeof(desc))
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

	if (length > VMBUS_SIM_MAX_PACKET - sizeof(desc) - sizeof(pipe))
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
	if (length > VMBUS_SIM_MAX_PACKET)
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
		/* visible before the host model re-reads read_index: no lost wake-up */
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
	/* the reader checks paused between packets */
	if (!in_host_callback(dev))
		flush_work(&dev->rx_work);
}
EXPORT_SYMBOL_GPL(vmbus_sim_pause_host);

void vmbus_sim_flush_host(struct vmbus_sim_device *dev)
{
	might_sleep();
	flush_work(&dev->rx_work);
}
EXPORT_SYMBOL_GPL(vmbus_sim_flush_host);

/* ---- guest -> host: signal, OPENCHANNEL, CLOSECHANNEL --------------------- */

/* vmbus_set_event(): the host wakes its reader, which also checks pending_send_sz. */
void vmbus_sim_host_signal(struct vmbus_sim_device *dev)
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
 * its first @send_hvpages pages (downstream_ringbuffer_pageoffset), then ask
 * the host model. Non-zero is the OPENCHANNEL_RESULT status.
 */
int vmbus_sim_host_open(struct vmbus_sim_device *dev, u32 gpadl, u32 send_hvpages)
{
	unsigned long flags;
	int npages, ret;

	npages = vmbus_sim_gpadl_npages(dev, gpadl);
	if (npages < 0 || send_hvpages > npages) {
		vmbus_sim_host_protocol_error(dev, "OPENCHANNEL with a bad ring GPADL");
		return -EINVAL;
	}
	ret = hring_map(dev, &dev->out, gpadl, 0, send_hvpages);
	if (ret)
		goto err;
	ret = hring_map(dev, &dev->in, gpadl, send_hvpages, npages - send_hvpages);
	if (ret) {
		hring_unmap(&dev->out);
		goto err;
	}
	/* the host, producer of the inbound ring, honours pending_send_sz */
	dev->in.hdr->feature_bits.value |= 1;
	/* OPENCHANNEL's target_vp: hv_vmbus sends channel->target_cpu's VP */
	WRITE_ONCE(dev->target_cpu, READ_ONCE(dev->channel->target_cpu));

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
	return 0;

err:
	pr_err("%pUl: host cannot map the rings: %d\n", &dev->instance, ret);
	return ret;
}

/* CLOSECHANNEL: the host stops using the rings, then tells the host model. */
void vmbus_sim_host_close(struct vmbus_sim_device *dev)
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
		dev->ops->close(dev);
		WRITE_ONCE(dev->ctl_task, NULL);
	}
}

/* ---- offer, rescind, destroy ---------------------------------------------- */

/*
 * The channel object goes with its device, as in hv_vmbus (the device's
 * release removes the channel): a driver that still uses it after remove is
 * caught by KASAN, not hidden by the simulator.
 */
void vmbus_sim_host_channel_gone(struct vmbus_sim_device *dev)
{
	struct vmbus_channel *channel = dev->channel;

	struct vmbus_channel *sc, *tmp;

	/* a driver that never closed: the host lets go of the rings anyway */
	vmbus_sim_host_close(dev);
	host_irq_stop(dev);

	/* sub-channels the driver never closed outlive their primary's list */
	if (!dev->primary) {
		mutex_lock(&vmbus_sim_channel_mutex);
		list_for_each_entry_safe(sc, tmp, &channel->sc_list, sc_list)
			list_del_init(&sc->sc_list);
		mutex_unlock(&vmbus_sim_channel_mutex);
	}

	mutex_lock(&dev->lock);
	dev->hv_dev = NULL;
	WRITE_ONCE(dev->channel, NULL);
	mutex_unlock(&dev->lock);

	vmbus_sim_channel_free(channel);
	complete(&dev->released);
}

/**
 * vmbus_sim_host_sub_removed() - hv_process_channel_removal() of a sub-channel
 * @dev: the sub-channel, rescinded, closed or never opened
 *
 * Context: process context, vmbus_sim_channel_mutex held.
 */
void vmbus_sim_host_sub_removed(struct vmbus_sim_device *dev)
{
	lockdep_assert_held(&vmbus_sim_channel_mutex);
	if (!dev->channel)
		return;
	list_del_init(&dev->channel->sc_list);
	vmbus_sim_host_channel_gone(dev);
}

/* hv_vmbus's vmbus_add_channel_work() */
static void host_add_work(struct work_struct *work)
{
	struct vmbus_sim_device *dev = container_of(work, struct vmbus_sim_device, add_work);
	struct vmbus_channel *channel = dev->channel;
	void (*sc_cb)(struct vmbus_channel *new_sc);
	struct hv_device *hv_dev;
	int ret;

	channel->state = CHANNEL_OPEN_STATE;

	/* a sub-channel: no device, the primary's driver hears of it */
	if (dev->primary) {
		sc_cb = READ_ONCE(channel->primary_channel->sc_creation_callback);
		if (sc_cb)
			sc_cb(channel);
		WRITE_ONCE(channel->probe_done, true);
		return;
	}

	hv_dev = vmbus_sim_bus_device_create(channel);
	if (!hv_dev) {
		dev->add_err = -ENOMEM;
		vmbus_sim_host_channel_gone(dev);
		return;
	}
	mutex_lock(&dev->lock);
	dev->hv_dev = hv_dev;
	mutex_unlock(&dev->lock);

	/* probe runs in here; on failure the device's release freed the channel */
	ret = vmbus_sim_bus_device_register(hv_dev);
	if (ret) {
		dev->add_err = ret;
		return;
	}

	mutex_lock(&dev->lock);
	dev->registered = true;
	mutex_unlock(&dev->lock);
	WRITE_ONCE(channel->probe_done, true);
}

void vmbus_sim_host_unregister(struct vmbus_sim_device *dev)
{
	struct hv_device *hv_dev;

	mutex_lock(&dev->lock);
	hv_dev = dev->registered ? dev->hv_dev : NULL;
	dev->registered = false;
	mutex_unlock(&dev->lock);

	/* the driver's remove runs in here */
	if (hv_dev)
		device_unregister(&hv_dev->device);
}

/* The rest of vmbus_onoffer_rescind(), after the probe is done. */
static void host_rescind_work(struct work_struct *work)
{
	struct vmbus_sim_device *dev = container_of(work, struct vmbus_sim_device, rescind_work);
	struct vmbus_channel *channel;
	struct hv_device *hv_dev = NULL;

	flush_work(&dev->add_work);

	/* a sub-channel: freed now if closed, else by its primary's close */
	if (dev->primary) {
		mutex_lock(&vmbus_sim_channel_mutex);
		channel = dev->channel;
		if (channel && channel->state == CHANNEL_OPEN_STATE)
			vmbus_sim_host_sub_removed(dev);
		else if (channel)
			complete(&channel->rescind_event);
		mutex_unlock(&vmbus_sim_channel_mutex);
		return;
	}

	mutex_lock(&dev->lock);
	if (dev->registered) {
		hv_dev = dev->hv_dev;
		get_device(&hv_dev->device);
	}
	mutex_unlock(&dev->lock);
	if (!hv_dev)
		return;

	channel = hv_dev->channel;
	if (channel->chn_rescind_callback)
		channel->chn_rescind_callback(channel);
	else
		vmbus_sim_host_unregister(dev);
	put_device(&hv_dev->device);
}

static struct vmbus_sim_device *host_dev_alloc(const guid_t *type, const guid_t *instance,
					       const struct vmbus_sim_host_ops *ops,
					       void *host_context)
{
	struct vmbus_sim_device *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return NULL;
	dev->ops = ops;
	dev->host_context = host_context;
	guid_copy(&dev->type, type);
	guid_copy(&dev->instance, instance);
	INIT_LIST_HEAD(&dev->subs);
	INIT_LIST_HEAD(&dev->sub_node);
	mutex_init(&dev->lock);
	init_completion(&dev->released);
	INIT_WORK(&dev->add_work, host_add_work);
	INIT_WORK(&dev->rescind_work, host_rescind_work);
	spin_lock_init(&dev->ring_lock);
	INIT_WORK(&dev->rx_work, host_rx_work);
	spin_lock_init(&dev->irq_lock);
	dev->irq_work = IRQ_WORK_INIT_HARD(host_irq_work);
	INIT_CSD(&dev->irq_csd, host_irq_csd, dev);
	vmbus_sim_gpadls_init(&dev->gpadls);
	return dev;
}

struct vmbus_sim_device *vmbus_sim_offer(const guid_t *type, const guid_t *instance,
					 const struct vmbus_sim_host_ops *ops,
					 void *host_context)
{
	struct vmbus_sim_device *dev, *other;
	int ret;

	might_sleep();
	if (!type || !instance)
		return ERR_PTR(-EINVAL);

	dev = host_dev_alloc(type, instance, ops, host_context);
	if (!dev)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&devices_lock);
	list_for_each_entry(other, &devices, node) {
		if (!other->primary && !READ_ONCE(other->rescinded) &&
		    guid_equal(&other->type, type) &&
		    guid_equal(&other->instance, instance)) {
			mutex_unlock(&devices_lock);
			ret = -EEXIST;
			goto err_free;
		}
	}
	ret = ida_alloc_range(&relids, 1, VMBUS_SIM_MAX_RELID, GFP_KERNEL);
	if (ret < 0) {
		mutex_unlock(&devices_lock);
		goto err_free;
	}
	dev->relid = ret;
	list_add_tail(&dev->node, &devices);
	mutex_unlock(&devices_lock);

	dev->channel = vmbus_sim_channel_alloc(dev, type, instance, dev->relid);
	if (!dev->channel) {
		ret = -ENOMEM;
		goto err_unlist;
	}
	dev->irq_live = true;

	queue_work(offer_wq, &dev->add_work);
	flush_work(&dev->add_work);
	if (dev->add_err) {
		ret = dev->add_err;
		wait_for_completion(&dev->released);
		goto err_unlist;
	}
	return dev;

err_unlist:
	mutex_lock(&devices_lock);
	list_del(&dev->node);
	mutex_unlock(&devices_lock);
	ida_free(&relids, dev->relid);
err_free:
	kfree(dev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(vmbus_sim_offer);

struct vmbus_sim_device *vmbus_sim_offer_subchannel(struct vmbus_sim_device *primary, u16 index,
						    const struct vmbus_sim_host_ops *ops,
						    void *host_context)
{
	struct vmbus_sim_device *dev, *other;
	struct vmbus_channel *pchan;
	int ret;

	might_sleep();
	if (!primary || primary->primary || !index)
		return ERR_PTR(-EINVAL);

	dev = host_dev_alloc(&primary->type, &primary->instance, ops, host_context);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->primary = primary;
	dev->sub_index = index;

	mutex_lock(&primary->lock);
	pchan = primary->channel;
	ret = primary->rescinded || !pchan ? -EINVAL : 0;
	list_for_each_entry(other, &primary->subs, sub_node)
		if (other->sub_index == index)
			ret = -EEXIST;
	if (!ret)
		list_add_tail(&dev->sub_node, &primary->subs);
	mutex_unlock(&primary->lock);
	if (ret)
		goto err_free;

	ret = ida_alloc_range(&relids, 1, VMBUS_SIM_MAX_RELID, GFP_KERNEL);
	if (ret < 0)
		goto err_unsub;
	dev->relid = ret;
	mutex_lock(&devices_lock);
	list_add_tail(&dev->node, &devices);
	mutex_unlock(&devices_lock);

	dev->channel = vmbus_sim_channel_alloc(dev, &dev->type, &dev->instance, dev->relid);
	if (!dev->channel) {
		ret = -ENOMEM;
		goto err_unlist;
	}
	vmbus_sim_channel_make_sub(dev->channel, pchan, index);
	dev->irq_live = true;

	queue_work(offer_wq, &dev->add_work);
	flush_work(&dev->add_work);
	return dev;

err_unlist:
	mutex_lock(&devices_lock);
	list_del(&dev->node);
	mutex_unlock(&devices_lock);
	ida_free(&relids, dev->relid);
err_unsub:
	mutex_lock(&primary->lock);
	list_del(&dev->sub_node);
	mutex_unlock(&primary->lock);
err_free:
	kfree(dev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(vmbus_sim_offer_subchannel);

int vmbus_sim_interrupt_cpu(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&dev->ring_lock, flags);
	ret = ring_state(dev);
	if (!ret)
		ret = READ_ONCE(dev->target_cpu);
	spin_unlock_irqrestore(&dev->ring_lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_sim_interrupt_cpu);

void *vmbus_sim_host_context(struct vmbus_sim_device *dev)
{
	return dev->host_context;
}
EXPORT_SYMBOL_GPL(vmbus_sim_host_context);

struct hv_device *vmbus_sim_hv_device(struct vmbus_sim_device *dev)
{
	if (READ_ONCE(dev->rescinded))
		return NULL;
	return READ_ONCE(dev->hv_dev);
}
EXPORT_SYMBOL_GPL(vmbus_sim_hv_device);

/* A sub-channel of @dev not rescinded yet, or NULL. */
static struct vmbus_sim_device *live_sub(struct vmbus_sim_device *dev)
{
	struct vmbus_sim_device *sub, *found = NULL;

	mutex_lock(&dev->lock);
	list_for_each_entry(sub, &dev->subs, sub_node) {
		if (!READ_ONCE(sub->rescinded)) {
			found = sub;
			break;
		}
	}
	mutex_unlock(&dev->lock);
	return found;
}

void vmbus_sim_rescind(struct vmbus_sim_device *dev)
{
	struct vmbus_sim_device *sub;

	might_sleep();

	/* Hyper-V rescinds the sub-channels before their primary */
	while ((sub = live_sub(dev)))
		vmbus_sim_rescind(sub);

	mutex_lock(&dev->lock);
	if (dev->rescinded) {
		mutex_unlock(&dev->lock);
		return;
	}
	WRITE_ONCE(dev->rescinded, true);
	/* before anything waits: sends fail and a pending open gives up */
	if (dev->channel)
		vmbus_sim_channel_rescind(dev->channel);
	mutex_unlock(&dev->lock);

	queue_work(rescind_wq, &dev->rescind_work);
	if (!in_host_callback(dev))
		flush_work(&dev->rescind_work);
}
EXPORT_SYMBOL_GPL(vmbus_sim_rescind);

/* The host side of a device whose guest channel is gone. */
static void host_free(struct vmbus_sim_device *dev)
{
	struct vmbus_sim_device *sub, *tmp;
	LIST_HEAD(subs);

	/* a late signal may have queued the reader again */
	cancel_work_sync(&dev->rx_work);
	vmbus_sim_gpadls_forget(dev);

	/*
	 * The sub-channels: released when the guest closed the primary; one
	 * the driver left open goes now, its primary being gone.
	 */
	mutex_lock(&dev->lock);
	list_splice_init(&dev->subs, &subs);
	mutex_unlock(&dev->lock);
	list_for_each_entry_safe(sub, tmp, &subs, sub_node) {
		flush_work(&sub->rescind_work);
		mutex_lock(&vmbus_sim_channel_mutex);
		vmbus_sim_host_sub_removed(sub);
		mutex_unlock(&vmbus_sim_channel_mutex);
		wait_for_completion(&sub->released);
		list_del_init(&sub->sub_node);
		host_free(sub);
	}
	if (dev->primary) {
		mutex_lock(&dev->primary->lock);
		list_del(&dev->sub_node);
		mutex_unlock(&dev->primary->lock);
	}

	mutex_lock(&devices_lock);
	list_del(&dev->node);
	mutex_unlock(&devices_lock);
	ida_free(&relids, dev->relid);
	kfree(dev);
}

void vmbus_sim_destroy(struct vmbus_sim_device *dev)
{
	might_sleep();
	if (in_host_callback(dev)) {
		pr_err("%pUl: %s() from a host callback, ignored\n", &dev->instance, __func__);
		return;
	}

	vmbus_sim_rescind(dev);
	flush_work(&dev->rescind_work);
	/* a rescind callback may have left the device on the bus */
	vmbus_sim_host_unregister(dev);
	wait_for_completion(&dev->released);
	host_free(dev);
}
EXPORT_SYMBOL_GPL(vmbus_sim_destroy);

void vmbus_sim_get_stats(struct vmbus_sim_device *dev, struct vmbus_sim_stats *stats)
{
	stats->signals = atomic64_read(&dev->stats.signals);
	stats->interrupts = atomic64_read(&dev->stats.interrupts);
	stats->packets_read = atomic64_read(&dev->stats.packets_read);
	stats->bytes_read = atomic64_read(&dev->stats.bytes_read);
	stats->packets_written = atomic64_read(&dev->stats.packets_written);
	stats->bytes_written = atomic64_read(&dev->stats.bytes_written);
	stats->send_full = atomic64_read(&dev->stats.send_full);
	stats->protocol_errors = atomic64_read(&dev->stats.protocol_errors);
	stats->opens = atomic64_read(&dev->stats.opens);
	stats->closes = atomic64_read(&dev->stats.closes);
	stats->gpadls = vmbus_sim_gpadls_count(dev);
}
EXPORT_SYMBOL_GPL(vmbus_sim_get_stats);

int vmbus_sim_host_init(void)
{
	offer_wq = alloc_ordered_workqueue("vmbus_sim_offer", 0);
	rescind_wq = alloc_ordered_workqueue("vmbus_sim_rescind", 0);
	host_wq = alloc_workqueue("vmbus_sim_host", WQ_UNBOUND, 0);
	if (!offer_wq || !rescind_wq || !host_wq) {
		vmbus_sim_host_exit();
		return -ENOMEM;
	}
	return 0;
}

void vmbus_sim_host_exit(void)
{
	struct vmbus_sim_device *dev;

	for (;;) {
		/* primaries: each takes its sub-channels with it */
		mutex_lock(&devices_lock);
		dev = list_first_entry_or_null(&devices, struct vmbus_sim_device, node);
		while (dev && dev->primary)
			dev = list_is_last(&dev->node, &devices) ? NULL :
			      list_next_entry(dev, node);
		mutex_unlock(&devices_lock);
		if (!dev)
			break;
		pr_warn("%pUl: offer not destroyed by its creator\n", &dev->instance);
		vmbus_sim_destroy(dev);
	}

	if (host_wq)
		destroy_workqueue(host_wq);
	if (rescind_wq)
		destroy_workqueue(rescind_wq);
	if (offer_wq)
		destroy_workqueue(offer_wq);
	host_wq = NULL;
	rescind_wq = NULL;
	offer_wq = NULL;
	ida_destroy(&relids);
}
