/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the simulator's own tests: a small hv driver that uses only
 * the hv_vmbus API, a host model that records what it sees, and helpers to
 * put the rings into a given state. One struct simt per test case, made by
 * the suite's init and torn down by its exit, so a failed assertion leaves
 * no driver or offer behind.
 */
#ifndef _VMBUS_SIM_TEST_H
#define _VMBUS_SIM_TEST_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hyperv.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <vmbus_sim.h>

/* Two pages per ring: one header page, 4 KiB of data. */
#define SIMT_RING_SIZE		(2 * PAGE_SIZE)
#define SIMT_DSIZE		((u32)(SIMT_RING_SIZE - PAGE_SIZE))
#define SIMT_TRAILER		8
#define SIMT_DESC		((u32)sizeof(struct vmpacket_descriptor))
/* the smallest packet in ring bytes: descriptor and trailer */
#define SIMT_MIN_PKT		(SIMT_DESC + SIMT_TRAILER)
#define SIMT_TIMEOUT		(10 * HZ)
#define SIMT_DATA_MAX		512
#define SIMT_MAX_EVENTS		16

enum simt_event {
	SIMT_PROBE = 1,
	SIMT_REMOVE,
	SIMT_HOST_OPEN,
	SIMT_HOST_CLOSE,
	SIMT_RESCIND_CB,
};

struct simt {
	struct kunit *test;
	struct task_struct *test_task;
	struct hv_driver drv;
	struct hv_vmbus_device_id ids[2];
	guid_t type;
	guid_t instance;
	struct vmbus_sim_host_ops ops;
	struct vmbus_sim_device *sim;
	bool registered;

	/* what the guest driver does in probe */
	bool open_in_probe;
	u32 ring_size;
	enum hv_callback_mode mode;
	u32 max_pkt_size;
	u32 rqstor_size;
	bool set_rescind_cb;
	void (*guest_cb)(struct simt *t);	/* channel callback body */

	/* what the guest driver saw */
	struct hv_device *hv_dev;
	struct vmbus_channel *chan;
	const struct hv_vmbus_device_id *probe_id;
	bool probe_in_task;
	int open_ret;
	int remove_send_ret;
	bool remove_saw_rescind;
	atomic_t callbacks;
	struct completion callback;
	bool cb_hardirq;
	bool cb_softirq;
	u32 cb_mask;

	/* host model */
	int host_open_ret;
	bool host_rescind_in_open;
	void (*host_pkt)(struct simt *t, const struct vmbus_sim_packet *pkt);
	atomic_t host_packets;
	u16 last_type;
	u16 last_flags;
	u64 last_trans_id;
	u32 last_length;
	u32 last_ranges;
	u8 last_data[SIMT_DATA_MAX];

	/* order of events, across contexts */
	spinlock_t lock;
	int events[SIMT_MAX_EVENTS];
	int nevents;
};

/*
 * hv_vmbus exports this for drivers that handle a rescind themselves, but
 * declares it only in its private drivers/hv/hyperv_vmbus.h.
 */
void vmbus_device_unregister(struct hv_device *device_obj);

/* The test that runs now: probe finds its fixture here (tests run one at a time). */
static struct simt *simt_current;

static inline void simt_event(struct simt *t, int event)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	if (t->nevents < SIMT_MAX_EVENTS)
		t->events[t->nevents++] = event;
	spin_unlock_irqrestore(&t->lock, flags);
}

static inline void simt_channel_cb(void *context)
{
	struct simt *t = context;

	t->cb_hardirq = in_hardirq();
	t->cb_softirq = in_serving_softirq();
	t->cb_mask = READ_ONCE(t->chan->inbound.ring_buffer->interrupt_mask);
	if (t->guest_cb)
		t->guest_cb(t);
	atomic_inc(&t->callbacks);
	complete(&t->callback);
}

static inline void simt_rescind_cb(struct vmbus_channel *channel)
{
	struct simt *t = hv_get_drvdata(channel->device_obj);

	simt_event(t, SIMT_RESCIND_CB);
}

static inline int simt_probe(struct hv_device *hv_dev, const struct hv_vmbus_device_id *id)
{
	struct simt *t = simt_current;
	struct vmbus_channel *chan = hv_dev->channel;

	simt_event(t, SIMT_PROBE);
	t->probe_in_task = !in_interrupt() && current != t->test_task;
	t->probe_id = id;
	t->hv_dev = hv_dev;
	t->chan = chan;
	hv_set_drvdata(hv_dev, t);
	if (t->set_rescind_cb)
		vmbus_set_chn_rescind_callback(chan, simt_rescind_cb);
	if (!t->open_in_probe)
		return 0;

	set_channel_read_mode(chan, t->mode);
	if (t->max_pkt_size)
		chan->max_pkt_size = t->max_pkt_size;
	if (t->rqstor_size) {
		chan->rqstor_size = t->rqstor_size;
		chan->next_request_id_callback = vmbus_next_request_id;
		chan->request_addr_callback = vmbus_request_addr;
	}
	t->open_ret = vmbus_open(chan, t->ring_size, t->ring_size, NULL, 0,
				 simt_channel_cb, t);
	return t->open_ret;
}

static inline VMB_HV_REMOVE_RET simt_remove(struct hv_device *hv_dev)
{
	struct simt *t = hv_get_drvdata(hv_dev);
	struct vmbus_channel *chan = hv_dev->channel;
	u64 b = 0;

	simt_event(t, SIMT_REMOVE);
	t->remove_saw_rescind = chan->rescind;
	t->remove_send_ret = -EINVAL;
	if (chan->state == CHANNEL_OPENED_STATE)
		t->remove_send_ret = vmbus_sendpacket(chan, &b, sizeof(b), 0,
						      VM_PKT_DATA_INBAND, 0);
	vmbus_close(chan);
	t->hv_dev = NULL;
	t->chan = NULL;
	return VMB_HV_REMOVE_DONE;
}

static inline int simt_host_open(struct vmbus_sim_device *dev)
{
	struct simt *t = vmbus_sim_host_context(dev);

	simt_event(t, SIMT_HOST_OPEN);
	if (t->host_rescind_in_open)
		vmbus_sim_rescind(dev);
	return t->host_open_ret;
}

static inline void simt_host_close(struct vmbus_sim_device *dev)
{
	struct simt *t = vmbus_sim_host_context(dev);

	simt_event(t, SIMT_HOST_CLOSE);
}

static inline void simt_host_packet(struct vmbus_sim_device *dev,
				    const struct vmbus_sim_packet *pkt)
{
	struct simt *t = vmbus_sim_host_context(dev);

	t->last_type = pkt->type;
	t->last_flags = pkt->flags;
	t->last_trans_id = pkt->trans_id;
	t->last_length = pkt->length;
	t->last_ranges = pkt->range_count;
	memcpy(t->last_data, pkt->data, min_t(u32, pkt->length, SIMT_DATA_MAX));
	if (t->host_pkt)
		t->host_pkt(t, pkt);
	atomic_inc(&t->host_packets);
}

/* Suite init: a fixture with a class GUID of this module (@seed) and defaults. */
static inline int simt_init_seed(struct kunit *test, u8 seed)
{
	struct simt *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->test = test;
	t->test_task = current;
	t->type = GUID_INIT(0x51a0b0c0 + seed, 0x1d2e, 0x4f5a, 0x8b, 0x9c,
			    0x0d, 0x1e, 0x2f, 0x3a, 0x4b, seed);
	t->instance = GUID_INIT(0x1a5e0000 + seed, 0x0001, 0x4000, 0x80, 0x00,
				0x00, 0x00, 0x00, 0x00, 0x00, seed);
	t->ids[0].guid = t->type;
	t->drv.name = "vmbus_sim_test";
	t->drv.id_table = t->ids;
	t->drv.probe = simt_probe;
	t->drv.remove = simt_remove;
	t->ops.open = simt_host_open;
	t->ops.close = simt_host_close;
	t->ops.packet = simt_host_packet;

	t->open_in_probe = true;
	t->ring_size = SIMT_RING_SIZE;
	/* DIRECT: a callback that reads nothing does not re-run (BATCHED would) */
	t->mode = HV_CALL_DIRECT;
	init_completion(&t->callback);
	spin_lock_init(&t->lock);

	test->priv = t;
	simt_current = t;
	return 0;
}

static inline void simt_exit(struct kunit *test)
{
	struct simt *t = test->priv;

	if (t->sim)
		vmbus_sim_destroy(t->sim);
	if (t->registered)
		vmbus_driver_unregister(&t->drv);
	simt_current = NULL;
}

static inline void simt_register(struct simt *t)
{
	/* vmbus_driver_register(), with an owner 6.1's KUnit can bear */
	KUNIT_ASSERT_EQ(t->test, __vmbus_driver_register(&t->drv, VMB_KUNIT_DRIVER_OWNER,
							 KBUILD_MODNAME), 0);
	t->registered = true;
}

static inline void simt_offer(struct simt *t)
{
	struct vmbus_sim_device *sim;

	sim = vmbus_sim_offer(&t->type, &t->instance, &t->ops, t);
	KUNIT_ASSERT_FALSE_MSG(t->test, IS_ERR(sim), "offer: %ld", PTR_ERR(sim));
	t->sim = sim;
}

/* Driver, offer, probe, open. */
static inline void simt_start(struct simt *t)
{
	simt_register(t);
	simt_offer(t);
	if (t->open_in_probe) {
		KUNIT_ASSERT_EQ(t->test, t->open_ret, 0);
		KUNIT_ASSERT_NOT_NULL(t->test, t->chan);
	}
}

static inline struct vmbus_sim_stats simt_stats(struct simt *t)
{
	struct vmbus_sim_stats s;

	vmbus_sim_get_stats(t->sim, &s);
	return s;
}

/* Wait until the channel callback ran @n times; false after SIMT_TIMEOUT. */
/*
 * Whether the callback count stays at @n for 20 ms: a negative check that
 * ends as soon as another callback would prove it wrong.
 */
static inline bool simt_no_more_callbacks(struct simt *t, int n)
{
	unsigned long end = jiffies + msecs_to_jiffies(20);

	while (atomic_read(&t->callbacks) == n && time_before(jiffies, end))
		usleep_range(500, 1000);
	return atomic_read(&t->callbacks) == n;
}

static inline bool simt_wait_callbacks(struct simt *t, int n)
{
	unsigned long end = jiffies + SIMT_TIMEOUT;

	while (atomic_read(&t->callbacks) < n && time_before(jiffies, end))
		usleep_range(500, 1000);
	return atomic_read(&t->callbacks) == n;
}

/* Check the order of events against @want. */
static inline void simt_expect_events(struct simt *t, const int *want, int n)
{
	int i;

	KUNIT_EXPECT_EQ(t->test, t->nevents, n);
	for (i = 0; i < n && i < t->nevents; i++)
		KUNIT_EXPECT_EQ_MSG(t->test, t->events[i], want[i], "event %d", i);
}

/* A guest in-band packet of @total ring bytes (a multiple of 8, >= 24). */
static inline int simt_guest_send_total(struct simt *t, u32 total, u64 id)
{
	static u8 zeros[SIMT_DSIZE];

	return vmbus_sendpacket(t->chan, zeros, total - SIMT_MIN_PKT, id,
				VM_PKT_DATA_INBAND, 0);
}

/*
 * Send @total-byte packets until the ring refuses one; the number sent. At
 * most one ring's worth is tried, so a ring that never fills fails the test
 * instead of hanging it.
 */
static inline int simt_guest_fill(struct simt *t, u32 total)
{
	int n = 0;

	while (n <= SIMT_DSIZE / total && simt_guest_send_total(t, total, n) == 0)
		n++;
	return n;
}

/* Move the outbound ring (empty) to write index @off; the host drains. */
static inline void simt_out_seek(struct simt *t, u32 off)
{
	struct hv_ring_buffer *ring = t->chan->outbound.ring_buffer;
	u32 delta = (off + SIMT_DSIZE - READ_ONCE(ring->write_index)) % SIMT_DSIZE;

	vmbus_sim_flush_host(t->sim);
	if (!delta)
		return;
	if (delta < SIMT_MIN_PKT) {
		KUNIT_ASSERT_EQ(t->test, simt_guest_send_total(t, SIMT_DSIZE / 2, 0), 0);
		vmbus_sim_flush_host(t->sim);
		delta += SIMT_DSIZE / 2;
	}
	KUNIT_ASSERT_EQ(t->test, simt_guest_send_total(t, delta, 0), 0);
	vmbus_sim_flush_host(t->sim);
	KUNIT_ASSERT_EQ(t->test, READ_ONCE(ring->read_index), off);
}

/* A host in-band packet of @total ring bytes. */
static inline int simt_host_send_total(struct simt *t, u32 total, u64 id)
{
	static u8 zeros[SIMT_DSIZE];

	return vmbus_sim_send(t->sim, VM_PKT_DATA_INBAND, 0, id, zeros, total - SIMT_MIN_PKT);
}

/* As simt_guest_fill(), host to guest. */
static inline int simt_host_fill(struct simt *t, u32 total)
{
	int n = 0;

	while (n <= SIMT_DSIZE / total && simt_host_send_total(t, total, n) == 0)
		n++;
	return n;
}

/* The guest reads and drops one packet; the size read, 0 if none. */
static inline u32 simt_guest_drop(struct simt *t)
{
	static u8 buf[SIMT_DSIZE];
	u32 actual;
	u64 id;

	KUNIT_ASSERT_EQ(t->test, vmbus_recvpacket_raw(t->chan, buf, sizeof(buf), &actual, &id), 0);
	return actual;
}

/* Move the inbound ring (empty) to write index @off; the guest drains. */
static inline void simt_in_seek(struct simt *t, u32 off)
{
	struct hv_ring_buffer *ring = t->chan->inbound.ring_buffer;
	u32 delta = (off + SIMT_DSIZE - READ_ONCE(ring->write_index)) % SIMT_DSIZE;

	if (!delta)
		return;
	if (delta < SIMT_MIN_PKT) {
		KUNIT_ASSERT_EQ(t->test, simt_host_send_total(t, SIMT_DSIZE / 2, 0), 0);
		KUNIT_ASSERT_EQ(t->test, simt_guest_drop(t), SIMT_DSIZE / 2 - SIMT_TRAILER);
		delta += SIMT_DSIZE / 2;
	}
	KUNIT_ASSERT_EQ(t->test, simt_host_send_total(t, delta, 0), 0);
	KUNIT_ASSERT_EQ(t->test, simt_guest_drop(t), delta - SIMT_TRAILER);
	KUNIT_ASSERT_EQ(t->test, READ_ONCE(ring->read_index), off);
}

#endif /* _VMBUS_SIM_TEST_H */
