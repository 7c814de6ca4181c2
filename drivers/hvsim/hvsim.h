/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvsim: a simulated Hyper-V below the upstream hv_vmbus. Internal header
 * shared by the hypervisor part (hyp.c: synthetic MSRs, hypercalls, SynIC)
 * and the VMBus host part (vmbus.c: the channel-message protocol; ring.c:
 * the host's end of each channel's rings and the vmbus_sim_* host API).
 */
#ifndef _HVSIM_H
#define _HVSIM_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <vmbus_sim.h>

/* The SINT hv_vmbus uses for messages and events (VMBUS_MESSAGE_SINT) */
#define HVSIM_VMBUS_SINT	2

/* SynIC message type of VMBus channel messages (anything but NONE and timer) */
#define HVSIM_MSG_TYPE_CHANNEL	1

/* Relid 0 is the message connection; the event page has 2048 bits. */
#define HVSIM_MAX_RELID		(HV_EVENT_FLAGS_COUNT - 1)
/* Connection ids the guest signals: this base plus the relid. */
#define HVSIM_CONN_ID_BASE	0x10000
/* Monitor ids: 4 trigger groups of 32 in a monitor page. */
#define HVSIM_MAX_MONITOR_ID	127

/* len8 is 16 bits: the largest packet, trailer excluded. */
#define HVSIM_MAX_PACKET	(U16_MAX * 8)
#define HVSIM_PKT_TRAILER	8

/* ---- hypervisor (hyp.c) ---- */
u64 hvsim_msr_read(unsigned int msr);
void hvsim_msr_write(unsigned int msr, u64 value);
u64 hvsim_hypercall(u64 control, u64 input1, u64 input2, void *input, void *output);
int hvsim_hyp_init(void);
void hvsim_hyp_exit(void);
int hvsim_post_guest_msg(const void *msg, u32 len, u64 *seq);
int hvsim_wait_guest_consumed(u64 seq);
void hvsim_flush_guest_msgs(void);
bool hvsim_raise_event(u32 vp, u32 relid);
void hvsim_set_connect_vp(u32 vp);

/* ---- VMBus host (vmbus.c) ---- */
int hvsim_vmbus_init(void);
void hvsim_vmbus_exit(void);
int hvsim_vmbus_guest_msg(const void *payload, u32 len);
int hvsim_vmbus_signal(u32 conn_id);

struct hvsim_gpadl {
	struct list_head node;
	u32 handle;
	u32 npfns;		/* pfns the header announced */
	u32 got;		/* pfns received so far */
	u32 bytes;		/* the range's byte_count */
	bool created;
	u64 pfns[];
};

struct hvsim_hring {
	struct hv_ring_buffer *hdr;
	u8 *data;
	u32 dsize;
	u32 index;	/* host-private: next read (outbound), next write (inbound) */
};

struct hvsim_counters {
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
	struct list_head node;		/* on the offer list */
	const struct vmbus_sim_host_ops *ops;
	void *host_context;
	guid_t type;
	guid_t instance;
	u32 relid;
	bool monitored;
	/*
	 * A sub-channel's primary and index (vmbus_sim_offer_subchannel()),
	 * else NULL and 0; a primary's sub-channels on subs. Under conn_lock.
	 */
	struct vmbus_sim_device *primary;
	u16 sub_index;
	struct list_head subs;
	struct list_head sub_node;

	/* life: under the host's conn_lock */
	bool offered;			/* OFFERCHANNEL sent to this connection */
	bool rescinded;
	bool released;			/* RELID_RELEASED received */
	struct completion released_done;
	struct hv_device *hv_dev;	/* the guest's device, while offered */
	u32 target_vp;
	u32 ring_gpadl;			/* the open channel's ring GPADL */

	/* the open channel; ring_lock protects these flags and in */
	spinlock_t ring_lock;
	bool attached;			/* rings mapped, host reads and writes */
	bool host_open;			/* ops->open succeeded, ops->close due */
	bool paused;
	bool broken;			/* bad descriptor: reader stopped */
	struct hvsim_hring out;		/* guest->host, read by rx_work */
	struct hvsim_hring in;		/* host->guest */
	struct work_struct rx_work;
	struct task_struct *rx_task;	/* rx_work while it runs ops->packet */
	struct task_struct *ctl_task;	/* host worker running ops->open/close */

	/* GPADLs of this channel */
	spinlock_t gpadl_lock;
	struct list_head gpadls;
	u32 ngpadls;			/* created and not torn down */
	unsigned int teardown_delay_ms;	/* before GPADL_TORNDOWN */
	atomic_t fail_teardowns;	/* GPADL_TEARDOWN posts refused */
	bool closing;			/* ops->close runs: its pages still reachable */

	struct hvsim_counters stats;
};

void hvsim_protocol_error(struct vmbus_sim_device *dev, const char *what);
struct hvsim_gpadl *hvsim_gpadl_find(struct vmbus_sim_device *dev, u32 handle);
void hvsim_gpadls_forget(struct vmbus_sim_device *dev);

/* ---- host rings (ring.c) ---- */
int hvsim_ring_init(void);
void hvsim_ring_exit(void);
void hvsim_host_signal(struct vmbus_sim_device *dev);
int hvsim_host_open(struct vmbus_sim_device *dev, u32 gpadl, u32 send_pages);
void hvsim_host_close(struct vmbus_sim_device *dev);
void hvsim_host_stop(struct vmbus_sim_device *dev);
bool hvsim_in_host_callback(struct vmbus_sim_device *dev);
void hvsim_dev_init_rings(struct vmbus_sim_device *dev);

#endif /* _HVSIM_H */
