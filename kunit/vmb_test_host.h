/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test fixture shared by the vmbkmcl KUnit modules: a simulated host with a
 * choice of behaviours, an hv_driver that binds to it, a channel on the
 * bound device, and trackers for completion routines and state callbacks.
 * The code is one module, vmb_kunit_helpers.ko (kunit/helpers/), which the
 * harness loads with the modules under test.
 *
 * Each test module defines VMB_TEST_CLASS (a class GUID of its own, so that
 * modules loaded side by side never bind each other's offers) before
 * including this header, uses vmb_th_suite_init/exit and vmb_th_case_exit
 * in its suite, and calls vmb_th_setup() at the start of each case. All
 * state is set up from the suite, never from module init: 6.1 runs a
 * module's suites before its init.
 */
#ifndef _VMB_TEST_HOST_H
#define _VMB_TEST_HOST_H

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hyperv.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <vmbkmcl.h>
#include <vmbus_sim.h>

#define VMB_TH_WAIT		(10 * HZ)
#define VMB_TH_MAX_PKTS		4096
#define VMB_TH_MAX_EVENTS	32
#define VMB_TH_DATA		64

/* What the host does with a packet that asks for a completion. */
enum vmb_th_model {
	VMB_TH_ECHO,		/* completes at once, echoing the payload or th->reply */
	VMB_TH_SILENT,		/* never answers */
	VMB_TH_TWICE,		/* completes twice */
	VMB_TH_UNKNOWN_IDS,	/* completes ids 0, unknown and U64_MAX, then the real one */
	VMB_TH_DELAY,		/* completes after th->delay_ms */
	VMB_TH_HOLD,		/* keeps them until vmb_th_release() */
	VMB_TH_SHUFFLE,		/* completes in batches, last received first */
	VMB_TH_RESCIND,		/* rescinds the offer instead */
};

enum vmb_th_event {
	VMB_EV_NONE,
	VMB_EV_HOST_OPEN,
	VMB_EV_OPENED,
	VMB_EV_STARTED,
	VMB_EV_POST_STARTED,
	VMB_EV_SUSPEND,
	VMB_EV_CLOSED,
	VMB_EV_HOST_CLOSE,
	VMB_EV_REMOVE,
};

struct vmb_th_sync;

struct vmb_th_pkt {		/* a packet as the host saw it */
	u16 type;
	u16 flags;
	u64 trans_id;
	u32 length;
	u64 seq;		/* first 8 payload bytes */
};

struct vmb_th_held {		/* a completion the host owes */
	u64 trans_id;
	u32 length;
	u8 data[VMB_TH_DATA];
};

struct vmb_th {
	struct kunit *test;
	struct vmbus_sim_device *sim;
	struct hv_device *hv_dev;
	VMBCHANNEL ch;
	guid_t instance;

	enum vmb_th_model model;
	unsigned int delay_ms;
	const void *reply;		/* completion payload instead of an echo */
	u32 reply_len;
	int refuse_open;
	bool disable_on_remove;		/* remove calls VmbChannelDisable() */
	/* sees each packet first, while its external data can be reached */
	void (*on_packet)(struct vmb_th *th, const struct vmbus_sim_packet *pkt);
	/* runs when the guest closes the channel, the host's last moment */
	void (*on_close)(struct vmb_th *th);
	void *priv;			/* for on_packet and on_close */
	struct completion *remove_gate;	/* remove waits for it first */

	spinlock_t lock;		/* the host records, held and events */
	u32 npkts;
	struct vmb_th_pkt *pkts;
	u32 nheld;			/* held[held_head..nheld) are owed */
	u32 held_head;
	struct vmb_th_held *held;
	struct delayed_work work;

	enum vmb_th_event events[VMB_TH_MAX_EVENTS];
	int event_cancelled[VMB_TH_MAX_EVENTS];	/* routines cancelled by then */
	unsigned int nevents;

	/* state callback behaviour */
	NTSTATUS opened_status;
	void (*on_started)(struct vmb_th *th);
	void (*on_post_started)(struct vmb_th *th);

	struct vmb_th_sync *syncs[8];	/* request threads, waited for at exit */
	unsigned int nsyncs;

	atomic_t routines;		/* completion routines run */
	atomic_t cancelled;		/* ... with STATUS_CANCELLED */
	atomic_t order;
	wait_queue_head_t wq;
	bool removed;
};

/* One tracked packet send. */
struct vmb_tp {
	struct vmb_th *th;
	atomic_t calls;
	NTSTATUS status;
	u32 length;
	int order;			/* position among all routines */
	bool free;			/* free the packet in the routine */
	bool had_buffer;
	u8 data[VMB_TH_DATA];
};

/* A synchronous request run from a thread of its own. */
struct vmb_th_sync {
	struct vmb_th *th;
	u32 flags;
	u64 payload;
	s64 timeout;
	bool forever;
	u8 buffer[VMB_TH_DATA];
	u32 size;
	NTSTATUS status;
	struct completion done;		/* the request returned: for the test */
	struct completion exited;	/* the thread is gone: for the exit */
};

int vmb_th_find(struct vmb_th *th, enum vmb_th_event ev);
int vmb_th_count(struct vmb_th *th, enum vmb_th_event ev);
void vmb_th_clear_events(struct vmb_th *th);

/* The host side. */
void vmb_th_complete(struct vmb_th *th, u64 trans_id, const void *data, u32 length);
bool vmb_th_pop(struct vmb_th *th, bool reverse, struct vmb_th_held *h);
void vmb_th_release(struct vmb_th *th, bool reverse);
u32 vmb_th_npkts(struct vmb_th *th);
struct vmb_th_pkt vmb_th_pkt(struct vmb_th *th, u32 i);

/* The guest driver, one per suite. */
int vmb_th_register(struct kunit_suite *suite, const guid_t *class);
void vmb_th_suite_exit(struct kunit_suite *suite);

#ifdef VMB_TEST_CLASS
/* The suite_init of a test module: its driver, for its own class. */
static inline int vmb_th_suite_init(struct kunit_suite *suite)
{
	const guid_t class = VMB_TEST_CLASS;

	return vmb_th_register(suite, &class);
}
#endif

/* State callbacks, recorded. */
NTSTATUS vmb_th_opened(VMBCHANNEL ch);
void vmb_th_started(VMBCHANNEL ch);
void vmb_th_post_started(VMBCHANNEL ch);
void vmb_th_suspend(VMBCHANNEL ch);
void vmb_th_closed(VMBCHANNEL ch);

struct vmb_th *vmb_th_setup(struct kunit *test, enum vmb_th_model model);
void vmb_th_small_rings(struct vmb_th *th);
void vmb_th_enable(struct vmb_th *th);
void vmb_th_case_exit(struct kunit *test);

/* Wait up to VMB_TH_WAIT for @cond, re-evaluated on every host event. */
#define vmb_th_wait(th, cond) \
	(wait_event_timeout((th)->wq, (cond), VMB_TH_WAIT) > 0)

/*
 * A negative check: wait for @cond, the event that would prove the check
 * wrong, and whether it stayed away. @cond is re-evaluated on every event
 * that wakes th->wq (a host packet, a completion routine, a delivery), so a
 * wrong guest fails at once; a right one leaves nothing to wait for, so the
 * wait ends after VMB_TH_QUIET, time enough for the guest's tasklets and
 * work items to act on what the host did.
 */
#define VMB_TH_QUIET		msecs_to_jiffies(50)
#define vmb_th_quiet(th, cond) \
	(wait_event_timeout((th)->wq, (cond), VMB_TH_QUIET) == 0)

/* Completion routine trackers. */
void vmb_th_routine(VMBPACKET packet, NTSTATUS status, void *buffer, u32 length);
struct vmb_tp *vmb_th_tracker(struct vmb_th *th, bool free);
VMBPACKET vmb_th_packet(struct vmb_th *th, struct vmb_tp **tpp);
NTSTATUS vmb_th_send_seq(struct vmb_th *th, u64 seq, u32 flags, struct vmb_tp **tpp);
u32 vmb_th_fill_ring(struct vmb_th *th, u64 first_seq, struct vmb_tp **last);

/* Synchronous requests from a thread of their own. */
struct vmb_th_sync *vmb_th_sync_start(struct vmb_th *th, u32 flags, const s64 *timeout);

#endif /* _VMB_TEST_HOST_H */
