/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of a simulated offer: the host's own view of the channel's
 * rings, its reader, its interrupts to the guest and its counters.
 */
#ifndef _VMBUS_SIM_HOST_H
#define _VMBUS_SIM_HOST_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <vmbus_sim.h>

#include "gpadl.h"

/*
 * One ring as the host sees it: its own mapping of the guest pages that the
 * ring GPADL names, not the guest's double mapping, so wrap-around is split
 * by hand as QEMU's and OpenVMM's hosts do (Documentation/ring-protocol.rst).
 */
struct vmbus_sim_hring {
	struct hv_ring_buffer *hdr;
	u8 *data;
	u32 dsize;
	u32 index;	/* host-private: next read (outbound), next write (inbound) */
};

struct vmbus_sim_counters {
	atomic64_t signals;
	atomic64_t interrupts;
	atomic64_t packets_read;
	atomic64_t bytes_read;
	atomic64_t packets_written;
	atomic64_t bytes_written;
	atomic64_t send_full;
	atomic64_t protocol_errors;
	atomic64_t opens;
	atomic64_t closes;
};

struct vmbus_sim_device {
	struct list_head node;		/* on the module's device list */
	const struct vmbus_sim_host_ops *ops;
	void *host_context;
	guid_t type;
	guid_t instance;
	u32 relid;
	/*
	 * A sub-channel's primary and index (vmbus_sim_offer_subchannel()), or
	 * NULL and 0. A primary's sub-channels are on its subs list, under
	 * its lock, until it is destroyed.
	 */
	struct vmbus_sim_device *primary;
	u16 sub_index;
	struct list_head subs;
	struct list_head sub_node;

	/* Guest objects; lock protects hv_dev, registered and rescinded. */
	struct mutex lock;
	struct vmbus_channel *channel;	/* NULL once released */
	struct hv_device *hv_dev;
	bool registered;		/* hv_dev is on the bus */
	bool rescinded;
	int add_err;
	struct completion released;	/* hv_dev and channel are freed */
	struct work_struct add_work;
	struct work_struct rescind_work;

	/* The open channel; ring_lock protects these flags and in. */
	spinlock_t ring_lock;
	bool attached;			/* rings mapped, host reads and writes */
	bool host_open;			/* ops->open succeeded, ops->close due */
	bool paused;
	bool broken;			/* bad descriptor: reader stopped */
	struct vmbus_sim_hring out;	/* guest->host, read by rx_work */
	struct vmbus_sim_hring in;	/* host->guest, written under ring_lock */
	struct work_struct rx_work;
	struct task_struct *rx_task;	/* rx_work while it runs ops->packet */
	struct task_struct *ctl_task;	/* guest task running ops->open/close */

	/*
	 * Interrupts to the guest; irq_lock protects irq_live. They go to
	 * target_cpu, the target the guest named at OPENCHANNEL: irq_csd
	 * (busy while in flight) queues irq_work there.
	 */
	spinlock_t irq_lock;
	bool irq_live;
	int target_cpu;
	struct irq_work irq_work;
	call_single_data_t irq_csd;
	atomic_t irq_csd_busy;

	struct vmbus_sim_gpadls gpadls;
	unsigned int teardown_delay_ms;	/* before the host's GPADL_TORNDOWN */
	struct vmbus_sim_counters stats;
};

int vmbus_sim_host_init(void);
void vmbus_sim_host_exit(void);

void vmbus_sim_host_signal(struct vmbus_sim_device *dev);
int vmbus_sim_host_open(struct vmbus_sim_device *dev, u32 gpadl, u32 send_hvpages);
void vmbus_sim_host_close(struct vmbus_sim_device *dev);
void vmbus_sim_host_channel_gone(struct vmbus_sim_device *dev);
void vmbus_sim_host_unregister(struct vmbus_sim_device *dev);
void vmbus_sim_host_protocol_error(struct vmbus_sim_device *dev, const char *what);
void vmbus_sim_host_sub_removed(struct vmbus_sim_device *dev);

#endif /* _VMBUS_SIM_HOST_H */
