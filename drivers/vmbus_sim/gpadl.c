// SPDX-License-Identifier: GPL-2.0
/*
 * GPADLs and guest memory as the host reaches it.
 *
 * The guest half (vmbus_establish_gpadl(), vmbus_teardown_gpadl()) computes
 * the page frame numbers as hv_vmbus's create_gpadl_header() does and
 * reports hv_vmbus's results; the host half records the numbers it was
 * given and reaches guest memory only through them, like Hyper-V, so a wrong
 * description shows as wrong data rather than being papered over.
 *
 * Page frame numbers are Hyper-V's 4 KiB frames whatever PAGE_SIZE is
 * (virt_to_hvpfn(), Documentation/ring-protocol.rst).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "channel.h"
#include "gpadl.h"
#include "host.h"

struct vmbus_sim_gpadl {
	struct list_head node;
	u32 handle;
	u32 bytes;		/* what the host may address */
	u32 npfns;
	u64 pfns[];
};

/* hv_vmbus starts its handles here (vmbus_connection, connection.c). */
static atomic_t next_gpadl_handle = ATOMIC_INIT(0xE1E10);

void vmbus_sim_gpadls_init(struct vmbus_sim_gpadls *gpadls)
{
	spin_lock_init(&gpadls->lock);
	INIT_LIST_HEAD(&gpadls->list);
	gpadls->count = 0;
	gpadls->fail_teardowns = 0;
}

static struct vmbus_sim_gpadl *gpadl_find(struct vmbus_sim_device *dev, u32 handle)
{
	struct vmbus_sim_gpadl *rec;

	lockdep_assert_held(&dev->gpadls.lock);
	list_for_each_entry(rec, &dev->gpadls.list, node)
		if (rec->handle == handle)
			return rec;
	return NULL;
}

u32 vmbus_sim_gpadls_count(struct vmbus_sim_device *dev)
{
	unsigned long flags;
	u32 count;

	spin_lock_irqsave(&dev->gpadls.lock, flags);
	count = dev->gpadls.count;
	spin_unlock_irqrestore(&dev->gpadls.lock, flags);
	return count;
}

/* The number of Hyper-V pages of a GPADL, or -ENOENT. */
int vmbus_sim_gpadl_npages(struct vmbus_sim_device *dev, u32 handle)
{
	struct vmbus_sim_gpadl *rec;
	unsigned long flags;
	int ret = -ENOENT;

	spin_lock_irqsave(&dev->gpadls.lock, flags);
	rec = gpadl_find(dev, handle);
	if (rec)
		ret = rec->npfns;
	spin_unlock_irqrestore(&dev->gpadls.lock, flags);
	return ret;
}

/* At destroy: a driver that never tore a GPADL down leaks it on Hyper-V. */
void vmbus_sim_gpadls_forget(struct vmbus_sim_device *dev)
{
	struct vmbus_sim_gpadl *rec, *tmp;

	list_for_each_entry_safe(rec, tmp, &dev->gpadls.list, node) {
		pr_warn("%pUl: GPADL %#x (%u bytes) was never torn down\n",
			&dev->instance, rec->handle, rec->bytes);
		list_del(&rec->node);
		kfree(rec);
	}
	dev->gpadls.count = 0;
}

/*
 * The bytes Hyper-V sees: a ring GPADL leaves out the part of each ring's
 * header page beyond 4 KiB (hv_gpadl_size()); nothing to leave out when
 * PAGE_SIZE is 4 KiB.
 */
static u32 gpadl_bytes(enum hv_gpadl_type type, u32 size)
{
	if (type == HV_GPADL_RING)
		return size - 2 * (PAGE_SIZE - HV_HYP_PAGE_SIZE);
	return size;
}

/* The i-th Hyper-V page of the GPADL, as hv_gpadl_hvpfn() computes it. */
static u64 gpadl_hvpfn(enum hv_gpadl_type type, void *kbuffer, u32 send_offset, u32 i)
{
	unsigned long delta = 0;
	u32 send_idx;

	if (type == HV_GPADL_RING) {
		send_idx = (send_offset - (PAGE_SIZE - HV_HYP_PAGE_SIZE)) >> HV_HYP_PAGE_SHIFT;
		if (i == 0)
			delta = 0;
		else if (i <= send_idx)
			delta = PAGE_SIZE - HV_HYP_PAGE_SIZE;
		else
			delta = 2 * (PAGE_SIZE - HV_HYP_PAGE_SIZE);
	}
	return virt_to_hvpfn(kbuffer + delta + HV_HYP_PAGE_SIZE * i);
}

/*
 * The page behind a Hyper-V frame number, if it is guest RAM. Reserved
 * pages count: a host reaches all of the guest's memory, and swiotlb's
 * bounce pool, which a confidential VM shares with the host, is memblock
 * memory and so reserved.
 */
static struct page *hvpfn_page(u64 hvpfn, u32 *in_page)
{
	phys_addr_t pa;
	struct page *page;

	if (hvpfn > (PHYS_ADDR_MAX >> HV_HYP_PAGE_SHIFT))
		return NULL;
	pa = (phys_addr_t)hvpfn << HV_HYP_PAGE_SHIFT;
	if (!pfn_valid(PHYS_PFN(pa)))
		return NULL;
	page = pfn_to_page(PHYS_PFN(pa));
	if (in_page)
		*in_page = offset_in_page(pa);
	return page;
}

/**
 * vmbus_sim_gpa_copy() - the host copies to or from one guest page
 * @hvpfn: Hyper-V page frame number
 * @offset: byte offset in that 4 KiB page
 * @buf: host buffer
 * @length: bytes; @offset + @length at most HV_HYP_PAGE_SIZE
 * @to_guest: direction
 *
 * Context: any.
 * Return: 0, or -EFAULT if @hvpfn is not guest RAM.
 */
int vmbus_sim_gpa_copy(u64 hvpfn, u32 offset, void *buf, u32 length, bool to_guest)
{
	struct page *page;
	u32 in_page;
	void *kaddr;

	page = hvpfn_page(hvpfn, &in_page);
	if (!page)
		return -EFAULT;

	kaddr = kmap_local_page(page);
	if (to_guest)
		memcpy(kaddr + in_page + offset, buf, length);
	else
		memcpy(buf, kaddr + in_page + offset, length);
	kunmap_local(kaddr);
	return 0;
}

int vmbus_sim_gpadl_establish(struct vmbus_channel *channel, enum hv_gpadl_type type,
			      void *kbuffer, u32 size, u32 send_offset,
			      struct vmbus_gpadl *gpadl)
{
	struct vmbus_sim_device *dev = vmbus_sim_channel_dev(channel);
	u32 bytes = gpadl_bytes(type, size);
	u32 npfns = bytes >> HV_HYP_PAGE_SHIFT;
	struct vmbus_sim_gpadl *rec;
	unsigned long flags;
	u32 handle, i;
	int ret;

	handle = atomic_inc_return(&next_gpadl_handle) - 1;

	rec = kzalloc(struct_size(rec, pfns, npfns), GFP_KERNEL);
	if (!rec) {
		gpadl->decrypted = false;
		return -ENOMEM;
	}
	rec->handle = handle;
	rec->bytes = bytes;
	rec->npfns = npfns;
	for (i = 0; i < npfns; i++)
		rec->pfns[i] = gpadl_hvpfn(type, kbuffer, send_offset, i);

	/*
	 * hv_vmbus marks the buffer decrypted (host-visible) here and leaks
	 * it if re-encryption later fails; without CoCo both always succeed,
	 * so decrypted is true while the GPADL exists, as drivers observe.
	 */
	gpadl->decrypted = true;

	if (channel->rescind) {
		ret = -ENODEV;
		goto err;
	}

	/* The host refuses what it cannot map: GPADL_CREATED with an error status. */
	for (i = 0; i < npfns; i++)
		if (!hvpfn_page(rec->pfns[i], NULL))
			break;
	if (!npfns || i < npfns) {
		pr_err("%pUl: host refuses GPADL: %s\n", &dev->instance,
		       npfns ? "page is not guest RAM" : "no pages");
		ret = -EDQUOT;
		goto err;
	}

	spin_lock_irqsave(&dev->gpadls.lock, flags);
	list_add_tail(&rec->node, &dev->gpadls.list);
	dev->gpadls.count++;
	spin_unlock_irqrestore(&dev->gpadls.lock, flags);

	gpadl->gpadl_handle = handle;
	gpadl->buffer = kbuffer;
	gpadl->size = size;
	return 0;

err:
	kfree(rec);
	gpadl->decrypted = false;
	return ret;
}

/**
 * vmbus_establish_gpadl() - share a buffer with the host
 * @channel: the channel (need not be open)
 * @kbuffer: kmalloc'd or vmalloc'd memory; its Hyper-V pages from the one
 *           containing @kbuffer on are described, as hv_vmbus does
 * @size: bytes; the host addresses size / 4 KiB whole pages
 * @gpadl: filled in: handle, buffer, size, decrypted (true while shared)
 *
 * Context: process context.
 * Return: 0; -ENOMEM; -ENODEV after rescind; -EDQUOT if the host refuses
 * (an empty buffer, or a page that is not guest RAM).
 */
int vmbus_establish_gpadl(struct vmbus_channel *channel, void *kbuffer, u32 size,
			  struct vmbus_gpadl *gpadl)
{
	might_sleep();
	return vmbus_sim_gpadl_establish(channel, HV_GPADL_BUFFER, kbuffer, size, 0, gpadl);
}
EXPORT_SYMBOL_GPL(vmbus_establish_gpadl);

/**
 * vmbus_teardown_gpadl() - stop sharing a buffer
 * @channel: the channel the GPADL was established on
 * @gpadl: the GPADL; its handle becomes 0 (not after rescind, as in
 *         hv_vmbus) and decrypted false, so the buffer may be freed
 *
 * The host forgets the pages before this returns, and answers after the
 * delay vmbus_sim_set_teardown_delay() set, which this waits for, as
 * hv_vmbus waits for GPADL_TORNDOWN. A handle the host does not know
 * counts as a protocol error.
 *
 * Context: process context.
 * Return: 0; -ENOMEM, the GPADL still established, for a teardown that
 * vmbus_sim_fail_gpadl_teardowns() made fail (hv_vmbus fails so when it
 * cannot allocate the GPADL_TEARDOWN message).
 */
int vmbus_teardown_gpadl(struct vmbus_channel *channel, struct vmbus_gpadl *gpadl)
{
	struct vmbus_sim_device *dev = vmbus_sim_channel_dev(channel);
	struct vmbus_sim_gpadl *rec;
	unsigned long flags;

	might_sleep();

	spin_lock_irqsave(&dev->gpadls.lock, flags);
	if (dev->gpadls.fail_teardowns && !channel->rescind) {
		dev->gpadls.fail_teardowns--;
		spin_unlock_irqrestore(&dev->gpadls.lock, flags);
		return -ENOMEM;
	}
	rec = gpadl_find(dev, gpadl->gpadl_handle);
	if (rec) {
		list_del(&rec->node);
		dev->gpadls.count--;
	}
	spin_unlock_irqrestore(&dev->gpadls.lock, flags);

	if (!rec)
		vmbus_sim_host_protocol_error(dev, "teardown of an unknown GPADL");
	kfree(rec);

	/*
	 * hv_vmbus posts GPADL_TEARDOWN and waits, uninterruptibly, for the
	 * host's GPADL_TORNDOWN, except on a rescinded channel, whose host
	 * is gone
	 */
	if (!channel->rescind && READ_ONCE(dev->teardown_delay_ms))
		msleep(READ_ONCE(dev->teardown_delay_ms));

	if (!channel->rescind)
		gpadl->gpadl_handle = 0;
	gpadl->decrypted = false;
	return 0;
}
EXPORT_SYMBOL_GPL(vmbus_teardown_gpadl);

void vmbus_sim_fail_gpadl_teardowns(struct vmbus_sim_device *dev, u32 count)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->gpadls.lock, flags);
	dev->gpadls.fail_teardowns = count;
	spin_unlock_irqrestore(&dev->gpadls.lock, flags);
}
EXPORT_SYMBOL_GPL(vmbus_sim_fail_gpadl_teardowns);

/**
 * vmbus_sim_gpadl_pages() - the pages of part of a GPADL, for the host to map
 * @dev: the device
 * @handle: the GPADL
 * @first: first Hyper-V page
 * @count: number of pages
 * @pages: filled with @count pages (PAGE_SIZE must be HV_HYP_PAGE_SIZE)
 *
 * Context: any.
 * Return: 0, -ENOENT, -EINVAL for a range outside the GPADL, -EFAULT.
 */
int vmbus_sim_gpadl_pages(struct vmbus_sim_device *dev, u32 handle, u32 first, u32 count,
			  struct page **pages)
{
	struct vmbus_sim_gpadl *rec;
	unsigned long flags;
	int ret = 0;
	u32 i;

	spin_lock_irqsave(&dev->gpadls.lock, flags);
	rec = gpadl_find(dev, handle);
	if (!rec) {
		ret = -ENOENT;
		goto out;
	}
	if (first > rec->npfns || count > rec->npfns - first) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < count; i++) {
		pages[i] = hvpfn_page(rec->pfns[first + i], NULL);
		if (!pages[i]) {
			ret = -EFAULT;
			break;
		}
	}
out:
	spin_unlock_irqrestore(&dev->gpadls.lock, flags);
	return ret;
}

static int gpadl_copy(struct vmbus_sim_device *dev, u32 handle, u32 offset, void *buf,
		      u32 length, bool to_guest)
{
	struct vmbus_sim_gpadl *rec;
	unsigned long flags;
	u32 chunk, in_page;
	int ret = 0;

	spin_lock_irqsave(&dev->gpadls.lock, flags);
	rec = gpadl_find(dev, handle);
	if (!rec) {
		ret = -ENOENT;
		goto out;
	}
	if ((u64)offset + length > rec->bytes) {
		ret = -EINVAL;
		goto out;
	}
	while (length) {
		in_page = offset & (HV_HYP_PAGE_SIZE - 1);
		chunk = min_t(u32, length, HV_HYP_PAGE_SIZE - in_page);
		ret = vmbus_sim_gpa_copy(rec->pfns[offset >> HV_HYP_PAGE_SHIFT], in_page,
					 buf, chunk, to_guest);
		if (ret)
			break;
		buf += chunk;
		offset += chunk;
		length -= chunk;
	}
out:
	spin_unlock_irqrestore(&dev->gpadls.lock, flags);
	return ret;
}

/* The host's copies; documented in include/vmbus_sim.h. */
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
static int ranges_copy(const struct vmbus_sim_packet *pkt, u32 offset, void *buf,
		       u32 length, bool to_guest)
{
	const struct gpa_range *range;
	u64 total = 0, pos;
	u32 i, left, chunk, in_page;
	int ret;

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
			ret = vmbus_sim_gpa_copy(range->pfn_array[pos >> HV_HYP_PAGE_SHIFT],
						 in_page, buf, chunk, to_guest);
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
	return ranges_copy(pkt, offset, to, length, false);
}
EXPORT_SYMBOL_GPL(vmbus_sim_copy_from_guest);

int vmbus_sim_copy_to_guest(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt,
			    u32 offset, const void *from, u32 length)
{
	return ranges_copy(pkt, offset, (void *)from, length, true);
}
EXPORT_SYMBOL_GPL(vmbus_sim_copy_to_guest);

void vmbus_sim_set_teardown_delay(struct vmbus_sim_device *dev, unsigned int ms)
{
	WRITE_ONCE(dev->teardown_delay_ms, ms);
}
EXPORT_SYMBOL_GPL(vmbus_sim_set_teardown_delay);
