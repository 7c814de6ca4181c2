// SPDX-License-Identifier: GPL-2.0
/*
 * The test fixture of the vmbkmcl KUnit modules (kunit/vmb_test_host.h),
 * one copy for all of them: a simulated host with a choice of behaviours,
 * an hv_driver that binds to it, a channel on the bound device, and
 * trackers for completion routines and state callbacks.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hyperv.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <vmbkmcl.h>
#include <vmbus_sim.h>

#include "../vmb_test_host.h"

static void vmb_th_event(struct vmb_th *th, enum vmb_th_event ev)
{
	unsigned long flags;

	spin_lock_irqsave(&th->lock, flags);
	if (th->nevents < VMB_TH_MAX_EVENTS) {
		th->event_cancelled[th->nevents] = atomic_read(&th->cancelled);
		th->events[th->nevents++] = ev;
	}
	spin_unlock_irqrestore(&th->lock, flags);
	wake_up_all(&th->wq);
}

/* Index of the first @ev in the log, -1 if absent. */
int vmb_th_find(struct vmb_th *th, enum vmb_th_event ev)
{
	unsigned int i;

	for (i = 0; i < th->nevents; i++)
		if (th->events[i] == ev)
			return i;
	return -1;
}
EXPORT_SYMBOL_GPL(vmb_th_find);

int vmb_th_count(struct vmb_th *th, enum vmb_th_event ev)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < th->nevents; i++)
		n += th->events[i] == ev;
	return n;
}
EXPORT_SYMBOL_GPL(vmb_th_count);

void vmb_th_clear_events(struct vmb_th *th)
{
	unsigned long flags;

	spin_lock_irqsave(&th->lock, flags);
	th->nevents = 0;
	spin_unlock_irqrestore(&th->lock, flags);
}
EXPORT_SYMBOL_GPL(vmb_th_clear_events);

/* The host side. */

void vmb_th_complete(struct vmb_th *th, u64 trans_id,
		     const void *data, u32 length)
{
	int tries = 1000;

	/* the guest drains its ring from the channel callback: retry */
	while (vmbus_sim_complete(th->sim, trans_id, data, length) == -EAGAIN &&
	       --tries)
		usleep_range(500, 1000);
}
EXPORT_SYMBOL_GPL(vmb_th_complete);

/* Keep a completion for later; th->lock held. */
static void vmb_th_hold(struct vmb_th *th, const struct vmbus_sim_packet *pkt)
{
	struct vmb_th_held *h;

	lockdep_assert_held(&th->lock);
	if (th->nheld < VMB_TH_MAX_PKTS) {
		h = &th->held[th->nheld++];
		h->trans_id = pkt->trans_id;
		h->length = min_t(u32, pkt->length, VMB_TH_DATA);
		memcpy(h->data, pkt->data, h->length);
	}
}

/* Take one held completion, the newest if @reverse, else the oldest. */
bool vmb_th_pop(struct vmb_th *th, bool reverse,
		struct vmb_th_held *h)
{
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&th->lock, flags);
	if (th->nheld > th->held_head) {
		*h = reverse ? th->held[--th->nheld] : th->held[th->held_head++];
		found = true;
	}
	if (th->nheld == th->held_head) {
		th->nheld = 0;
		th->held_head = 0;
	}
	spin_unlock_irqrestore(&th->lock, flags);
	return found;
}
EXPORT_SYMBOL_GPL(vmb_th_pop);

/* Complete every held transaction, last received first if @reverse. */
void vmb_th_release(struct vmb_th *th, bool reverse)
{
	struct vmb_th_held h;

	while (vmb_th_pop(th, reverse, &h))
		vmb_th_complete(th, h.trans_id, h.data, h.length);
}
EXPORT_SYMBOL_GPL(vmb_th_release);

static void vmb_th_work(struct work_struct *work)
{
	struct vmb_th *th = container_of(to_delayed_work(work), struct vmb_th,
					 work);

	vmb_th_release(th, th->model == VMB_TH_SHUFFLE);
}

static int vmb_th_host_open(struct vmbus_sim_device *dev)
{
	struct vmb_th *th = vmbus_sim_host_context(dev);

	vmb_th_event(th, VMB_EV_HOST_OPEN);
	return th->refuse_open;
}

static void vmb_th_host_close(struct vmbus_sim_device *dev)
{
	struct vmb_th *th = vmbus_sim_host_context(dev);

	if (th->on_close)
		th->on_close(th);
	vmb_th_event(th, VMB_EV_HOST_CLOSE);
}

static void vmb_th_host_packet(struct vmbus_sim_device *dev,
			       const struct vmbus_sim_packet *pkt)
{
	struct vmb_th *th = vmbus_sim_host_context(dev);
	const void *reply = th->reply ? th->reply : pkt->data;
	u32 reply_len = th->reply ? th->reply_len : pkt->length;
	unsigned long flags;

	bool wants = pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;

	if (th->on_packet)
		th->on_packet(th, pkt);
	/* held before it shows as received: a test may release it at once */
	spin_lock_irqsave(&th->lock, flags);
	if (wants && (th->model == VMB_TH_DELAY || th->model == VMB_TH_HOLD ||
		      th->model == VMB_TH_SHUFFLE))
		vmb_th_hold(th, pkt);
	if (th->npkts < VMB_TH_MAX_PKTS) {
		struct vmb_th_pkt *p = &th->pkts[th->npkts++];

		p->type = pkt->type;
		p->flags = pkt->flags;
		p->trans_id = pkt->trans_id;
		p->length = pkt->length;
		p->seq = 0;
		memcpy(&p->seq, pkt->data, min_t(u32, pkt->length, sizeof(u64)));
	}
	spin_unlock_irqrestore(&th->lock, flags);
	wake_up_all(&th->wq);

	if (!wants)
		return;

	switch (th->model) {
	case VMB_TH_ECHO:
		vmb_th_complete(th, pkt->trans_id, reply, reply_len);
		break;
	case VMB_TH_SILENT:
		break;
	case VMB_TH_TWICE:
		vmb_th_complete(th, pkt->trans_id, reply, reply_len);
		vmb_th_complete(th, pkt->trans_id, reply, reply_len);
		break;
	case VMB_TH_UNKNOWN_IDS:
		vmb_th_complete(th, 0, reply, reply_len);
		vmb_th_complete(th, pkt->trans_id + 100000, reply, reply_len);
		vmb_th_complete(th, U64_MAX, reply, reply_len);
		vmb_th_complete(th, pkt->trans_id, reply, reply_len);
		break;
	case VMB_TH_DELAY:
		schedule_delayed_work(&th->work, msecs_to_jiffies(th->delay_ms));
		break;
	case VMB_TH_HOLD:
		break;
	case VMB_TH_SHUFFLE:
		if (READ_ONCE(th->nheld) - READ_ONCE(th->held_head) >= 7)
			vmb_th_release(th, true);
		else
			mod_delayed_work(system_wq, &th->work, msecs_to_jiffies(5));
		break;
	case VMB_TH_RESCIND:
		vmbus_sim_rescind(dev);
		break;
	}
}

static const struct vmbus_sim_host_ops vmb_th_host_ops = {
	.open = vmb_th_host_open,
	.close = vmb_th_host_close,
	.packet = vmb_th_host_packet,
};

/* Host packets seen so far, and a copy of one. */
u32 vmb_th_npkts(struct vmb_th *th)
{
	return READ_ONCE(th->npkts);
}
EXPORT_SYMBOL_GPL(vmb_th_npkts);

struct vmb_th_pkt vmb_th_pkt(struct vmb_th *th, u32 i)
{
	struct vmb_th_pkt p;
	unsigned long flags;

	spin_lock_irqsave(&th->lock, flags);
	p = th->pkts[i];
	spin_unlock_irqrestore(&th->lock, flags);
	return p;
}
EXPORT_SYMBOL_GPL(vmb_th_pkt);

/*
 * The guest driver: one per test module, registered for the length of its
 * suite with the module's own class GUID. Test modules run their suites
 * one at a time, so one driver, one current fixture.
 */
struct vmb_th_driver {
	struct hv_driver drv;
	struct hv_vmbus_device_id ids[2];
	char *name;			/* the test module's: "<suite>_test" */
};

static struct vmb_th_driver *vmb_th_drv;
static struct vmb_th *vmb_th_current;

static int vmb_th_probe(struct hv_device *dev, const struct hv_vmbus_device_id *id)
{
	struct vmb_th *th = vmb_th_current;

	if (!th || !guid_equal(&dev->dev_instance, &th->instance))
		return -ENODEV;
	th->hv_dev = dev;
	hv_set_drvdata(dev, th);
	return 0;
}

static VMB_HV_REMOVE_RET vmb_th_remove(struct hv_device *dev)
{
	struct vmb_th *th = hv_get_drvdata(dev);

	if (th->remove_gate)
		wait_for_completion(th->remove_gate);
	/* what a client driver does on a rescind */
	if (th->disable_on_remove && th->ch)
		VmbChannelDisable(th->ch);
	vmb_th_event(th, VMB_EV_REMOVE);
	WRITE_ONCE(th->removed, true);
	wake_up_all(&th->wq);
	return VMB_HV_REMOVE_DONE;
}

/**
 * vmb_th_register() - register the driver of a test module's suite
 * @suite: the suite; the driver is named after it, as its module is
 * @class: the module's class GUID
 *
 * No owner module: 6.1 runs a module's suites from the MODULE_STATE_COMING
 * notifier, before the module's sysfs object exists, and the driver core
 * would link the driver under it. The suite unregisters the driver before
 * the module can go, so nothing needs pinning.
 *
 * Return: 0 or a negative errno.
 */
int vmb_th_register(struct kunit_suite *suite, const guid_t *class)
{
	struct vmb_th_driver *d = kzalloc(sizeof(*d), GFP_KERNEL);
	int ret;

	if (!d)
		return -ENOMEM;
	d->name = kasprintf(GFP_KERNEL, "%s_test", suite->name);
	if (!d->name) {
		kfree(d);
		return -ENOMEM;
	}
	d->ids[0].guid = *class;
	d->drv.name = d->name;
	d->drv.id_table = d->ids;
	d->drv.probe = vmb_th_probe;
	d->drv.remove = vmb_th_remove;
	ret = __vmbus_driver_register(&d->drv, NULL, NULL);
	if (ret) {
		kfree(d->name);
		kfree(d);
		return ret;
	}
	vmb_th_drv = d;
	return 0;
}
EXPORT_SYMBOL_GPL(vmb_th_register);

void vmb_th_suite_exit(struct kunit_suite *suite)
{
	vmbus_driver_unregister(&vmb_th_drv->drv);
	kfree(vmb_th_drv->name);
	kfree(vmb_th_drv);
	vmb_th_drv = NULL;
}
EXPORT_SYMBOL_GPL(vmb_th_suite_exit);

/* State callbacks, recorded. */

static struct vmb_th *vmb_th_of(VMBCHANNEL ch)
{
	return VmbChannelGetPointer(ch);
}

NTSTATUS vmb_th_opened(VMBCHANNEL ch)
{
	struct vmb_th *th = vmb_th_of(ch);

	vmb_th_event(th, VMB_EV_OPENED);
	return th->opened_status;
}
EXPORT_SYMBOL_GPL(vmb_th_opened);

void vmb_th_started(VMBCHANNEL ch)
{
	struct vmb_th *th = vmb_th_of(ch);

	vmb_th_event(th, VMB_EV_STARTED);
	if (th->on_started)
		th->on_started(th);
}
EXPORT_SYMBOL_GPL(vmb_th_started);

void vmb_th_post_started(VMBCHANNEL ch)
{
	struct vmb_th *th = vmb_th_of(ch);

	vmb_th_event(th, VMB_EV_POST_STARTED);
	if (th->on_post_started)
		th->on_post_started(th);
}
EXPORT_SYMBOL_GPL(vmb_th_post_started);

void vmb_th_suspend(VMBCHANNEL ch)
{
	vmb_th_event(vmb_th_of(ch), VMB_EV_SUSPEND);
}
EXPORT_SYMBOL_GPL(vmb_th_suspend);

void vmb_th_closed(VMBCHANNEL ch)
{
	vmb_th_event(vmb_th_of(ch), VMB_EV_CLOSED);
}
EXPORT_SYMBOL_GPL(vmb_th_closed);

static void vmb_th_set_callbacks(struct vmb_th *th)
{
	struct vmb_channel_state_change_callbacks cb;

	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	cb.opened = vmb_th_opened;
	cb.closed = vmb_th_closed;
	cb.suspend = vmb_th_suspend;
	cb.started = vmb_th_started;
	cb.post_started = vmb_th_post_started;
	KUNIT_ASSERT_EQ(th->test, VmbChannelInitSetStateChangeCallbacks(th->ch, &cb),
			STATUS_SUCCESS);
}

/*
 * Offer a device, bind it, and allocate a Disabled channel on it with the
 * recording state callbacks set. Cleaned up by vmb_th_case_exit().
 */
struct vmb_th *vmb_th_setup(struct kunit *test,
			    enum vmb_th_model model)
{
	struct vmbus_sim_device *sim;
	struct vmb_th *th;

	th = kunit_kzalloc(test, sizeof(*th), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, th);
	th->pkts = kunit_kcalloc(test, VMB_TH_MAX_PKTS, sizeof(*th->pkts), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, th->pkts);
	th->held = kunit_kcalloc(test, VMB_TH_MAX_PKTS, sizeof(*th->held), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, th->held);
	th->test = test;
	th->model = model;
	th->delay_ms = 100;
	th->disable_on_remove = true;
	spin_lock_init(&th->lock);
	INIT_DELAYED_WORK(&th->work, vmb_th_work);
	init_waitqueue_head(&th->wq);
	guid_gen(&th->instance);
	test->priv = th;

	vmb_th_current = th;
	sim = vmbus_sim_offer(&vmb_th_drv->ids[0].guid, &th->instance,
			      &vmb_th_host_ops, th);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(sim), "vmbus_sim_offer: %ld", PTR_ERR(sim));
	th->sim = sim;
	KUNIT_ASSERT_NOT_NULL(test, th->hv_dev);

	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(&th->hv_dev->device, false, &th->ch),
			STATUS_SUCCESS);
	VmbChannelSetPointer(th->ch, th);
	vmb_th_set_callbacks(th);
	return th;
}
EXPORT_SYMBOL_GPL(vmb_th_setup);

/*
 * One-page rings fill after a few dozen packets. The maximum packet must
 * shrink with them: Enable refuses one that could never fit in the ring.
 */
void vmb_th_small_rings(struct vmb_th *th)
{
	KUNIT_ASSERT_EQ(th->test, VmbChannelInitSetMaximumPacketSize(th->ch, 1024),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(th->test, VmbClientChannelInitSetRingBufferPageCount(th->ch, 1, 1),
			STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(vmb_th_small_rings);

void vmb_th_enable(struct vmb_th *th)
{
	KUNIT_ASSERT_EQ(th->test, VmbChannelEnable(th->ch), STATUS_SUCCESS);
}
EXPORT_SYMBOL_GPL(vmb_th_enable);

void vmb_th_case_exit(struct kunit *test)
{
	struct vmb_th *th = test->priv;

	unsigned int i;

	if (!th)
		return;
	/* wake request threads before freeing what they use */
	if (th->ch)
		VmbChannelDisable(th->ch);
	for (i = 0; i < th->nsyncs; i++)
		wait_for_completion(&th->syncs[i]->exited);
	if (th->ch)
		VmbChannelCleanup(th->ch);
	th->ch = NULL;
	cancel_delayed_work_sync(&th->work);
	if (th->sim)
		vmbus_sim_destroy(th->sim);
	cancel_delayed_work_sync(&th->work);
	vmb_th_current = NULL;
}
EXPORT_SYMBOL_GPL(vmb_th_case_exit);

/* Completion routine trackers. */

void vmb_th_routine(VMBPACKET packet, NTSTATUS status,
		    void *buffer, u32 length)
{
	struct vmb_tp *tp = VmbPacketGetPointer(packet);
	struct vmb_th *th = tp->th;

	tp->status = status;
	tp->length = length;
	tp->had_buffer = buffer;
	if (buffer)
		memcpy(tp->data, buffer, min_t(u32, length, VMB_TH_DATA));
	tp->order = atomic_inc_return(&th->order);
	if (status == STATUS_CANCELLED)
		atomic_inc(&th->cancelled);
	if (tp->free)
		VmbPacketFree(packet);
	atomic_inc(&tp->calls);
	atomic_inc(&th->routines);
	wake_up_all(&th->wq);
}
EXPORT_SYMBOL_GPL(vmb_th_routine);

struct vmb_tp *vmb_th_tracker(struct vmb_th *th, bool free)
{
	struct vmb_tp *tp = kunit_kzalloc(th->test, sizeof(*tp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(th->test, tp);
	tp->th = th;
	tp->free = free;
	return tp;
}
EXPORT_SYMBOL_GPL(vmb_th_tracker);

/* Allocate a packet whose routine records into a new tracker and frees it. */
VMBPACKET vmb_th_packet(struct vmb_th *th, struct vmb_tp **tpp)
{
	VMBPACKET pkt = VmbPacketAllocate(th->ch);
	struct vmb_tp *tp;

	KUNIT_ASSERT_NOT_NULL(th->test, pkt);
	tp = vmb_th_tracker(th, true);
	VmbPacketSetPointer(pkt, tp);
	VmbPacketSetCompletionRoutine(pkt, vmb_th_routine);
	*tpp = tp;
	return pkt;
}
EXPORT_SYMBOL_GPL(vmb_th_packet);

/* Send @seq as an 8-byte payload on a new tracked packet. */
NTSTATUS vmb_th_send_seq(struct vmb_th *th, u64 seq, u32 flags,
			 struct vmb_tp **tpp)
{
	VMBPACKET pkt = vmb_th_packet(th, tpp);

	return VmbPacketSend(pkt, &seq, sizeof(seq), NULL, flags);
}
EXPORT_SYMBOL_GPL(vmb_th_send_seq);

/*
 * Pause the host and send non-transaction packets until one stays queued
 * (its routine did not run before VmbPacketSend() returned). Returns how
 * many were sent; the last one is the first queued.
 */
u32 vmb_th_fill_ring(struct vmb_th *th, u64 first_seq,
		     struct vmb_tp **last)
{
	struct vmb_tp *tp = NULL;
	u32 n = 0;

	vmbus_sim_pause_host(th->sim, true);
	do {
		KUNIT_ASSERT_EQ(th->test,
				vmb_th_send_seq(th, first_seq + n, 0, &tp),
				STATUS_SUCCESS);
		n++;
		KUNIT_ASSERT_LT(th->test, n, (u32)VMB_TH_MAX_PKTS);
	} while (atomic_read(&tp->calls));
	*last = tp;
	return n;
}
EXPORT_SYMBOL_GPL(vmb_th_fill_ring);

/* Synchronous requests from a thread of their own. */

static int vmb_th_sync_fn(void *arg)
{
	struct vmb_th_sync *s = arg;

	s->status = VmbChannelSendSynchronousRequest(s->th->ch, &s->payload,
						     sizeof(s->payload), NULL,
						     s->flags, s->buffer, &s->size,
						     s->forever ? NULL : &s->timeout);
	complete(&s->done);
	/* never returns to module text, which may be unloaded next */
	kthread_complete_and_exit(&s->exited, 0);
}

struct vmb_th_sync *vmb_th_sync_start(struct vmb_th *th,
				      u32 flags, const s64 *timeout)
{
	struct vmb_th_sync *s = kunit_kzalloc(th->test, sizeof(*s), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(th->test, s);
	KUNIT_ASSERT_LT(th->test, th->nsyncs, ARRAY_SIZE(th->syncs));
	s->th = th;
	s->flags = flags;
	s->payload = 0x5359434e;
	s->forever = !timeout;
	if (timeout)
		s->timeout = *timeout;
	s->size = sizeof(s->buffer);
	init_completion(&s->done);
	init_completion(&s->exited);
	task = kthread_run(vmb_th_sync_fn, s, "vmb_th_sync");
	KUNIT_ASSERT_FALSE(th->test, IS_ERR(task));
	th->syncs[th->nsyncs++] = s;
	return s;
}
EXPORT_SYMBOL_GPL(vmb_th_sync_start);

MODULE_DESCRIPTION("vmbkmcl KUnit test fixture");
MODULE_LICENSE("GPL");
