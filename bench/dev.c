// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark devices: one simulated offer each, bound to the bench's
 * hv_driver, with a host model that answers every completion request at
 * once (or holds the first few, for the outstanding-transaction cases).
 *
 * The host model is the same function for the Vmb and the raw devices, so
 * whatever it costs is the same on both sides of a ratio.
 */
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uuid.h>

#include "bench.h"

/* {3d4f5b1e-6a1c-4b43-9f0e-62656e636801}: "bench" */
#define BENCH_CLASS GUID_INIT(0x3d4f5b1e, 0x6a1c, 0x4b43, 0x9f, 0x0e, \
			      0x62, 0x65, 0x6e, 0x63, 0x68, 0x01)

static const struct hv_vmbus_device_id bench_ids[] = {
	{ .guid = BENCH_CLASS },
	{ },
};

/* The device being offered: vmbus_sim_offer() probes before it returns. */
static struct bench_dev *probing;

static int bench_probe(struct hv_device *hv, const struct hv_vmbus_device_id *id)
{
	struct bench_dev *d = READ_ONCE(probing);

	if (!d || !guid_equal(&hv->dev_instance, &d->instance))
		return -ENODEV;
	d->hv = hv;
	d->chan = hv->channel;
	hv_set_drvdata(hv, d);
	return 0;
}

static VMB_HV_REMOVE_RET bench_remove(struct hv_device *hv)
{
	/* the bench closes its channels before it destroys an offer */
	return VMB_HV_REMOVE_DONE;
}

static struct hv_driver bench_driver = {
	.name = KBUILD_MODNAME,
	.id_table = bench_ids,
	.probe = bench_probe,
	.remove = bench_remove,
};

int bench_driver_register(void)
{
	return vmbus_driver_register(&bench_driver);
}

void bench_driver_unregister(void)
{
	vmbus_driver_unregister(&bench_driver);
}

/* ---- host model ------------------------------------------------------------- */

static void host_complete(struct bench_dev *d, u64 trans_id, const void *data, u32 len)
{
	unsigned long tries = 0;

	/*
	 * The guest drains its inbound ring from the channel tasklet, which
	 * runs on interrupt exit; a full ring is rare here. No sleep: with
	 * -icount sleep=off idle time still advances the guest clock.
	 */
	while (vmbus_sim_complete(d->sim, trans_id, data, len) == -EAGAIN) {
		d->host_full++;
		if (++tries > 10000000) {
			pr_err("vmb_bench: host cannot complete %llu\n", trans_id);
			return;
		}
		cond_resched();
	}
}

static void host_packet(struct vmbus_sim_device *sim, const struct vmbus_sim_packet *pkt)
{
	static const u64 reply;
	struct bench_dev *d = vmbus_sim_host_context(sim);
	u32 i, bytes = 0;

	if (pkt->type == VM_PKT_DATA_USING_GPA_DIRECT && pkt->range_count) {
		for (i = 0; i < pkt->range_count; i++)
			bytes += pkt->ranges[i]->byte_count;
		d->gpa_ranges = pkt->range_count;
		d->gpa_bytes = bytes;
		d->gpa_pfn0 = pkt->ranges[0]->pfn_array[0];
	}

	if (pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED) {
		if (d->hold) {
			if (d->nheld < d->held_cap)
				d->held[d->nheld++] = pkt->trans_id;
			if (!--d->hold)
				wake_up(&d->host_wq);
		} else if (d->echo) {
			host_complete(d, pkt->trans_id, pkt->data, pkt->length);
		} else {
			host_complete(d, pkt->trans_id, &reply, BENCH_REPLY_LEN);
		}
	}

	if (atomic_inc_return(&d->host_pkts) == READ_ONCE(d->host_target))
		wake_up(&d->host_wq);
}

static const struct vmbus_sim_host_ops bench_host_ops = {
	.packet = host_packet,
};

/**
 * bench_host_expect() - arm the wait for the host to read @packets more
 * @d: the device
 * @packets: packets the next run sends to this device without a transaction
 */
void bench_host_expect(struct bench_dev *d, u32 packets)
{
	WRITE_ONCE(d->host_target, atomic_read(&d->host_pkts) + packets);
}

void bench_host_wait(struct bench_dev *d)
{
	wait_event(d->host_wq, atomic_read(&d->host_pkts) - (int)READ_ONCE(d->host_target) >= 0);
}

/**
 * bench_dev_hold() - hold the next @count completion requests unanswered
 * @d: the device
 * @count: how many
 *
 * Return: 0, or -ENOMEM.
 */
int bench_dev_hold(struct bench_dev *d, u32 count)
{
	kvfree(d->held);
	d->held = kvcalloc(count, sizeof(*d->held), GFP_KERNEL);
	if (!d->held)
		return -ENOMEM;
	d->held_cap = count;
	d->nheld = 0;
	WRITE_ONCE(d->hold, count);
	return 0;
}

/* Wait until the host received every request it is to hold. */
void bench_dev_wait_held(struct bench_dev *d)
{
	wait_event(d->host_wq, !READ_ONCE(d->hold));
}

/* Then answer them all. */
void bench_dev_release(struct bench_dev *d)
{
	static const u64 reply;
	u32 i;

	bench_dev_wait_held(d);
	for (i = 0; i < d->nheld; i++)
		while (vmbus_sim_complete(d->sim, d->held[i], &reply, BENCH_REPLY_LEN) == -EAGAIN)
			cond_resched();
	d->nheld = 0;
}

/* The host writes one packet into the guest's inbound ring, as a VSP would. */
int bench_host_send(struct bench_dev *d, const void *buf, u32 len)
{
	int ret;

	while ((ret = vmbus_sim_send(d->sim, VM_PKT_DATA_INBAND, 0, 0, buf, len)) == -EAGAIN) {
		d->host_full++;
		cond_resched();
	}
	return ret;
}

/* ---- offers ----------------------------------------------------------------- */

struct bench_dev *bench_dev_create(void)
{
	struct bench_dev *d;
	int ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	guid_gen(&d->instance);
	init_waitqueue_head(&d->host_wq);
	init_waitqueue_head(&d->wq);
	atomic_set(&d->host_pkts, 0);
	atomic_set(&d->rx, 0);

	WRITE_ONCE(probing, d);
	d->sim = vmbus_sim_offer(&bench_ids[0].guid, &d->instance, &bench_host_ops, d);
	WRITE_ONCE(probing, NULL);
	if (IS_ERR(d->sim)) {
		ret = PTR_ERR(d->sim);
		goto free;
	}
	if (!d->hv) {
		ret = -ENODEV;
		goto destroy;
	}
	return d;

destroy:
	vmbus_sim_destroy(d->sim);
free:
	kfree(d);
	return ERR_PTR(ret);
}

/* The sub-channel hv_vmbus just reported to a raw primary. */
static struct vmbus_channel *offered_sc;

static void raw_sc_created(struct vmbus_channel *sc)
{
	WRITE_ONCE(offered_sc, sc);
}

/**
 * bench_subdev_create() - a sub-channel offer of an open primary
 * @primary: the device, opened by vmb_open() or raw_open()
 * @index: the sub-channel index, 1 on
 *
 * A raw primary learns of the sub-channel as netvsc does, through its
 * sub-channel callback; a Vmb one through the library's. The result is
 * opened like any device (vmb_open() or raw_open()) and freed with
 * bench_subdevs_destroy() only.
 *
 * Return: the device or an ERR_PTR().
 */
struct bench_dev *bench_subdev_create(struct bench_dev *primary, u16 index)
{
	struct bench_dev *d;
	int ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->instance = primary->instance;
	d->primary = primary;
	d->hv = primary->hv;
	init_waitqueue_head(&d->host_wq);
	init_waitqueue_head(&d->wq);
	if (primary->raw_open)
		vmbus_set_sc_create_callback(primary->chan, raw_sc_created);
	WRITE_ONCE(offered_sc, NULL);
	d->sim = vmbus_sim_offer_subchannel(primary->sim, index, &bench_host_ops, d);
	if (IS_ERR(d->sim)) {
		ret = PTR_ERR(d->sim);
		kfree(d);
		return ERR_PTR(ret);
	}
	d->chan = READ_ONCE(offered_sc);
	return d;
}

/**
 * bench_subdevs_destroy() - a primary and its sub-channels
 * @primary: the primary, as bench_dev_destroy() takes it
 * @subs: its sub-channel devices
 * @n: how many
 *
 * hv_vmbus closes sub-channels with their primary: the primary closes
 * first, then the sub-channels' objects go, then the offers.
 */
void bench_subdevs_destroy(struct bench_dev *primary, struct bench_dev **subs, u32 n)
{
	u32 i;

	if (IS_ERR_OR_NULL(primary))
		return;
	if (primary->ch)
		VmbChannelDisable(primary->ch);
	if (primary->raw_open)
		raw_close(primary);
	for (i = 0; i < n; i++) {
		if (IS_ERR_OR_NULL(subs[i]))
			continue;
		if (subs[i]->ch)
			vmb_close(subs[i]);
		kvfree(subs[i]->held);
		kfree(subs[i]);
	}
	/* the primary's offer takes its sub-channels' with it */
	bench_dev_destroy(primary);
}

void bench_dev_destroy(struct bench_dev *d)
{
	if (IS_ERR_OR_NULL(d))
		return;
	if (d->ch)
		vmb_close(d);
	if (d->raw_open)
		raw_close(d);
	vmbus_sim_destroy(d->sim);
	kvfree(d->held);
	kfree(d);
}
