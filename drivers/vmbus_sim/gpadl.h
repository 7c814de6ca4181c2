/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GPADLs: guest buffers described to the host as lists of Hyper-V page frame
 * numbers, and the host's access to guest memory through such numbers.
 */
#ifndef _VMBUS_SIM_GPADL_H
#define _VMBUS_SIM_GPADL_H

#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct vmbus_sim_device;

/* The GPADLs established on one channel, as the host recorded them. */
struct vmbus_sim_gpadls {
	spinlock_t lock;		/* protects list, count and fail_teardowns */
	struct list_head list;
	u32 count;
	u32 fail_teardowns;		/* vmbus_sim_fail_gpadl_teardowns() */
};

void vmbus_sim_gpadls_init(struct vmbus_sim_gpadls *gpadls);
void vmbus_sim_gpadls_forget(struct vmbus_sim_device *dev);
u32 vmbus_sim_gpadls_count(struct vmbus_sim_device *dev);
int vmbus_sim_gpadl_npages(struct vmbus_sim_device *dev, u32 handle);

int vmbus_sim_gpadl_establish(struct vmbus_channel *channel, enum hv_gpadl_type type,
			      void *kbuffer, u32 size, u32 send_offset,
			      struct vmbus_gpadl *gpadl);
int vmbus_sim_gpadl_pages(struct vmbus_sim_device *dev, u32 handle, u32 first, u32 count,
			  struct page **pages);
int vmbus_sim_gpa_copy(u64 hvpfn, u32 offset, void *buf, u32 length, bool to_guest);

#endif /* _VMBUS_SIM_GPADL_H */
