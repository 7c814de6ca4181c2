// SPDX-License-Identifier: GPL-2.0
/*
 * GPADLs: buffers the guest shares with the host for as long as it likes,
 * named on the wire by a handle (netvsc's receive buffer, storvsc's none).
 *
 * hv_vmbus establishes a GPADL from a kernel virtual buffer only. An MDL is
 * physical frames, so VmbChannelCreateGpadlFromMdl() maps them with vmap()
 * for the call and keeps the mapping until the teardown, which is what
 * hv_vmbus keeps a pointer to (it re-encrypts that buffer on confidential
 * VMs). The channel tracks its GPADLs and tears down the ones the caller
 * left when it is disabled, after vmbus_close(): the host may use a GPADL
 * until the channel is closed (netvsc's order for current hosts). GPADLs
 * may be created from Opened on, which runs under the channel's state
 * mutex, so the list has a mutex of its own.
 *
 * hv_vmbus's vmbus_teardown_gpadl() posts GPADL_TEARDOWN and waits,
 * uninterruptibly, for the host's GPADL_TORNDOWN; a rescind ends the wait
 * (hv_vmbus wakes every waiter of the channel before it removes the
 * device). It fails only when the message could not be sent or, on a
 * confidential VM, the buffer could not be made private again: either way
 * the host may still reach the pages. 6.1 and 6.12 report the first as
 * success (the status of making the buffer private overwrites the post's)
 * but leave the GPADL's handle set, which they clear only after TORNDOWN:
 * a handle still set on a channel that was not rescinded is a failure.
 * Such a GPADL stays on the list, marked, and its teardown is tried again
 * at the next close; its buffer is never handed back. The waits happen
 * under the channel's own mutexes and, for a channel bound by class GUID,
 * its offer's device lock, never under a lock another channel needs: the
 * one hv_vmbus path that wants that device lock is the offer's own
 * rescind, which wakes the wait first.
 */
#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "channel.h"
#include "gpadl.h"
#include "mdl.h"
#include "xfer.h"

struct vmb_gpadl {
	struct list_head link;
	struct vmbus_gpadl gpadl;
	void *mapping;		/* vmap() of an MDL's frames, or NULL */
	u32 handle;		/* the caller's name for it, kept after a failure */
	bool stuck;		/* a teardown failed: the host may still map it */
};

static NTSTATUS check_create(struct vmb_channel *ch, u32 flags, u32 *handle)
{
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (flags & ~VMBUS_CHANNEL_GPADL_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	if (!handle)
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

/* Establish a GPADL over @buffer; @mapping is freed with it. */
static NTSTATUS create(struct vmb_channel *ch, void *buffer, u32 size, void *mapping,
		       u32 *handle)
{
	struct vmb_gpadl *g;
	NTSTATUS status;
	int ret;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return STATUS_INSUFFICIENT_RESOURCES;
	mutex_lock(&ch->gpadl_mutex);
	if (!READ_ONCE(ch->open)) {
		status = STATUS_INVALID_DEVICE_STATE;
		goto unlock;
	}
	ret = vmbus_establish_gpadl(ch->chan, buffer, size, &g->gpadl);
	if (ret) {
		status = vmb_errno_to_ntstatus(ret);
		goto unlock;
	}
	g->mapping = mapping;
	g->handle = g->gpadl.gpadl_handle;
	list_add_tail(&g->link, &ch->gpadls);
	/* transfer-page packets may name it from now on */
	vmb_xfer_add(ch, g->gpadl.gpadl_handle, buffer, size);
	*handle = g->gpadl.gpadl_handle;
	mutex_unlock(&ch->gpadl_mutex);
	return STATUS_SUCCESS;

unlock:
	mutex_unlock(&ch->gpadl_mutex);
	kfree(g);
	return status;
}

/*
 * Tear @g down and free it; on failure keep it, marked, for the next try.
 * Return: whether it is gone.
 */
static bool destroy(struct vmb_channel *ch, struct vmb_gpadl *g)
{
	int ret;

	lockdep_assert_held(&ch->gpadl_mutex);

	/* no new transfer-page packet may name it; old ones keep their MDL */
	if (!g->stuck)
		vmb_xfer_remove(ch, g->handle);
	ret = vmbus_teardown_gpadl(ch->chan, &g->gpadl);
	if (!ret && g->gpadl.gpadl_handle && !vmb_channel_rescinded(ch))
		ret = -EIO;
	if (ret) {
		if (!g->stuck)
			dev_warn_ratelimited(vmb_channel_dev(ch),
					     "vmbkmcl: GPADL %u teardown failed (%d), kept for a retry at close\n",
					     g->handle, ret);
		g->stuck = true;
		return false;
	}
	if (g->mapping)
		vunmap(g->mapping);
	list_del(&g->link);
	kfree(g);
	return true;
}

NTSTATUS VmbChannelCreateGpadlFromBuffer(VMBCHANNEL channel, u32 flags, void *buffer,
					 u32 size, u32 *gpadl)
{
	NTSTATUS status;

	might_sleep();
	status = check_create(channel, flags, gpadl);
	if (status)
		return status;
	if (!buffer || !size || !PAGE_ALIGNED(buffer) || !PAGE_ALIGNED(size))
		return STATUS_INVALID_PARAMETER;
	if (!is_vmalloc_addr(buffer) &&
	    (!virt_addr_valid(buffer) || !virt_addr_valid((u8 *)buffer + size - 1)))
		return STATUS_INVALID_PARAMETER;
	return create(channel, buffer, size, NULL, gpadl);
}
EXPORT_SYMBOL_GPL(VmbChannelCreateGpadlFromBuffer);

/* The pages of the frame-aligned window [offset, offset + length) of a chain. */
static struct page **window_pages(const struct vmb_mdl *mdl, u32 offset, u32 length,
				  unsigned int *nr)
{
	u64 start = 0, end = (u64)offset + length, from, to;
	struct page **pages;
	unsigned int n = 0;
	u32 i;

	*nr = length / HV_HYP_PAGE_SIZE;
	pages = kcalloc(*nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	for (; mdl && start < end; start += mdl->byte_count, mdl = mdl->next) {
		from = max_t(u64, start, offset);
		to = min_t(u64, start + mdl->byte_count, end);
		if (from >= to)
			continue;
		/* whole frames only: a GPADL cannot start or end mid-page */
		if (offset_in_hvpage(mdl->byte_offset + (from - start)) ||
		    offset_in_hvpage(mdl->byte_offset + (to - start)))
			goto invalid;
		for (i = HVPFN_DOWN(mdl->byte_offset + (from - start));
		     i < HVPFN_UP(mdl->byte_offset + (to - start)); i++) {
			if (n == *nr)
				goto invalid;
			pages[n++] = pfn_to_page(mdl->pfns[i]);
		}
	}
	if (n != *nr)
		goto invalid;
	return pages;

invalid:
	kfree(pages);
	return ERR_PTR(-EINVAL);
}

NTSTATUS VmbChannelCreateGpadlFromMdl(VMBCHANNEL channel, u32 flags, struct vmb_mdl *mdl,
				      u32 offset, u32 length, u32 *gpadl)
{
	struct page **pages;
	unsigned int nr;
	NTSTATUS status;
	u32 total;
	void *map;

	might_sleep();
	status = check_create(channel, flags, gpadl);
	if (status)
		return status;
	/* a frame is a page here; 64 KiB-page kernels would need sub-page GPADLs */
	if (PAGE_SIZE != HV_HYP_PAGE_SIZE)
		return STATUS_NOT_SUPPORTED;
	total = mdl ? vmb_mdl_byte_count(mdl) : 0;
	if (!mdl || offset >= total)
		return STATUS_INVALID_PARAMETER;
	length = length ?: total - offset;
	if ((u64)offset + length > total || offset_in_hvpage(length))
		return STATUS_INVALID_PARAMETER;

	pages = window_pages(mdl, offset, length, &nr);
	if (IS_ERR(pages))
		return PTR_ERR(pages) == -ENOMEM ? STATUS_INSUFFICIENT_RESOURCES :
						   STATUS_INVALID_PARAMETER;
	map = vmap(pages, nr, VM_MAP, PAGE_KERNEL);
	kfree(pages);
	if (!map)
		return STATUS_INSUFFICIENT_RESOURCES;
	status = create(channel, map, length, map, gpadl);
	if (status)
		vunmap(map);
	return status;
}
EXPORT_SYMBOL_GPL(VmbChannelCreateGpadlFromMdl);

void VmbChannelDeleteGpadl(VMBCHANNEL channel, u32 gpadl)
{
	struct vmb_gpadl *g;

	might_sleep();
	if (!channel)
		return;
	mutex_lock(&channel->gpadl_mutex);
	list_for_each_entry(g, &channel->gpadls, link) {
		/* a stuck one is the library's now: the next close retries it */
		if (g->handle == gpadl && !g->stuck) {
			destroy(channel, g);
			break;
		}
	}
	mutex_unlock(&channel->gpadl_mutex);
}
EXPORT_SYMBOL_GPL(VmbChannelDeleteGpadl);

/**
 * vmb_gpadl_create_mapped() - a GPADL over a vmap() of frames
 * @ch: the channel
 * @map: the mapping, vunmap()ed with the GPADL (or by the caller on failure)
 * @size: its bytes, whole pages
 * @handle: receives the GPADL handle
 *
 * For VmbChannelCreateGpadlFromPfnList() (channel_ex.c).
 *
 * Context: process; may sleep.
 * Return: as VmbChannelCreateGpadlFromBuffer().
 */
NTSTATUS vmb_gpadl_create_mapped(struct vmb_channel *ch, void *map, u32 size, u32 *handle)
{
	return create(ch, map, size, map, handle);
}

/**
 * vmb_gpadl_teardown_all() - tear down the GPADLs the caller left, and retry
 * those whose teardown failed before
 * @ch: the channel, closing
 *
 * Context: process; takes the GPADL mutex.
 */
void vmb_gpadl_teardown_all(struct vmb_channel *ch)
{
	struct vmb_gpadl *g, *tmp;

	mutex_lock(&ch->gpadl_mutex);
	list_for_each_entry_safe(g, tmp, &ch->gpadls, link)
		destroy(ch, g);
	mutex_unlock(&ch->gpadl_mutex);
}

/**
 * vmb_gpadl_forget() - the channel is freed with GPADLs it could not tear down
 * @ch: the channel, Disabled
 *
 * Their buffers may still be mapped by the host: the mappings are leaked on
 * purpose rather than freed under it.
 *
 * Context: process; takes the GPADL mutex.
 */
void vmb_gpadl_forget(struct vmb_channel *ch)
{
	struct vmb_gpadl *g, *tmp;

	mutex_lock(&ch->gpadl_mutex);
	list_for_each_entry_safe(g, tmp, &ch->gpadls, link) {
		pr_warn("vmbkmcl: GPADL %u never torn down; its buffer stays shared\n",
			g->handle);
		list_del(&g->link);
		kfree(g);
	}
	mutex_unlock(&ch->gpadl_mutex);
}
