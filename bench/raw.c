// SPDX-License-Identifier: GPL-2.0
/*
 * The baselines: what a driver writes by hand on the hv_vmbus client API.
 *
 * Transactions use hv_vmbus's requestor, as every in-tree driver that
 * sends completion requests does since 5.16 (netvsc, storvsc, pci-hyperv):
 * the request address goes into a slot, the slot id onto the wire. A full
 * ring is handled as netvsc does: set pending_send_sz, look again, and
 * sleep until the channel callback says the host freed room.
 */
#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "bench.h"

/* The channel callback: a bare hv_pkt_iter loop. */
static void raw_callback(void *context)
{
	struct bench_dev *d = context;
	struct vmbus_channel *chan = d->chan;
	const struct vmpacket_descriptor *desc;
	struct raw_req *req;
	u32 rx = 0;
	u64 addr;

	foreach_vmbus_pkt(desc, chan) {
		if (desc->type != VM_PKT_COMP) {
			rx++;
			continue;
		}
		addr = vmbus_request_addr(chan, desc->trans_id);
		if (addr == VMBUS_RQST_ERROR || addr == VMBUS_NO_RQSTOR)
			continue;
		req = (struct raw_req *)(uintptr_t)addr;
		req->done(req, hv_pkt_data(desc), hv_pkt_datalen(desc));
	}
	if (rx && atomic_add_return(rx, &d->rx) >= (int)READ_ONCE(d->rx_target))
		wake_up(&d->wq);
	/* a sender may wait for ring space */
	if (wq_has_sleeper(&d->wq))
		wake_up(&d->wq);
}

/**
 * raw_open() - open the channel the way a hand-written driver does
 * @d: the device
 * @in_pages: inbound ring data pages
 * @out_pages: outbound ring data pages
 * @max_packet: largest inline payload expected from the host
 * @rqstor: requestor slots
 *
 * Return: 0 or vmbus_open()'s error.
 */
int raw_open(struct bench_dev *d, u32 in_pages, u32 out_pages, u32 max_packet, u32 rqstor)
{
	struct vmbus_channel *chan = d->chan;
	int ret;

	chan->max_pkt_size = sizeof(struct vmpacket_descriptor) + ALIGN(max_packet, 8);
	chan->rqstor_size = rqstor;
	chan->next_request_id_callback = vmbus_next_request_id;
	chan->request_addr_callback = vmbus_request_addr;
	ret = vmbus_open(chan, VMBUS_RING_SIZE(out_pages * HV_HYP_PAGE_SIZE),
			 VMBUS_RING_SIZE(in_pages * HV_HYP_PAGE_SIZE), NULL, 0,
			 raw_callback, d);
	if (ret)
		return ret;
	d->raw_open = true;
	return 0;
}

void raw_close(struct bench_dev *d)
{
	struct vmbus_channel *chan = d->chan;

	vmbus_close(chan);
	chan->rqstor_size = 0;
	chan->next_request_id_callback = NULL;
	chan->request_addr_callback = NULL;
	d->raw_open = false;
}

/* Sleep until the host made more than @need bytes free. */
static void raw_wait_room(struct bench_dev *d, u32 need)
{
	struct vmbus_channel *chan = d->chan;

	set_channel_pending_send_size(chan, need);
	/* pending_send_sz is visible before we look at read_index */
	virt_mb();
	wait_event(d->wq, hv_get_bytes_to_write(&chan->outbound) > need);
	set_channel_pending_send_size(chan, 0);
}

/**
 * raw_write() - vmbus_sendpacket_getid(), waiting for room when full
 * @d: the device
 * @buf: payload
 * @size: its bytes
 * @reqid: request address (with COMPLETION_REQUESTED)
 * @flags: 0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED
 *
 * Return: 0 or the send's error.
 */
int raw_write(struct bench_dev *d, const void *buf, u32 size, u64 reqid, u16 flags)
{
	u32 need = sizeof(struct vmpacket_descriptor) + ALIGN(size, 8) + sizeof(u64);
	int ret;

	while ((ret = vmbus_sendpacket_getid(d->chan, (void *)buf, size, reqid, NULL,
					     VM_PKT_DATA_INBAND, flags)) == -EAGAIN)
		raw_wait_room(d, need);
	return ret;
}

/* A GPA-direct send, the descriptor built from the page list as storvsc does. */
static int raw_write_mpb(struct bench_dev *d, struct stream *s)
{
	struct vmbus_packet_mpb_array *desc = s->desc;
	u32 desc_size = struct_size(desc, range.pfn_array, s->npfns);
	u32 need = ALIGN(desc_size + s->size, 8) + sizeof(u64);
	int ret;

	desc->rangecount = 1;
	desc->range.len = s->ext_bytes;
	desc->range.offset = 0;
	memcpy(desc->range.pfn_array, s->pfns, s->npfns * sizeof(u64));

	while ((ret = vmbus_sendpacket_mpb_desc(d->chan, desc, desc_size, (void *)s->buf,
						s->size, (u64)(uintptr_t)&s->req)) == -EAGAIN)
		raw_wait_room(d, need);
	return ret;
}

/* ---- streams ------------------------------------------------------------------ */

/**
 * stream_pause() - pause or resume the host of a send-only stream
 * @s: the stream; nothing happens unless @s->send_only
 * @paused: pause or resume
 *
 * Paused, the host reads nothing, so the timed sends are the sender's work
 * alone (the first packet still signals the host, which finds it paused).
 */
void stream_pause(struct stream *s, bool paused)
{
	u32 i;

	if (!s->send_only)
		return;
	for (i = 0; i < s->ndev && i < s->n; i++)
		vmbus_sim_pause_host(s->devs[i]->sim, paused);
}

static void raw_stream_done(struct raw_req *req, void *data, u32 len)
{
	struct stream *s = container_of(req, struct stream, req);

	atomic_dec(&s->outstanding);
	atomic_inc(&s->done);
	if (wq_has_sleeper(&s->wq))
		wake_up(&s->wq);
}

/**
 * raw_stream() - @s->n sends, with at most @s->window transactions in flight
 * @s: the stream
 *
 * Ends when the host read every packet (no transactions) or when every
 * completion arrived.
 *
 * Return: elapsed guest nanoseconds, or a negative errno.
 */
s64 raw_stream(struct stream *s)
{
	struct bench_dev *d;
	u64 t0, elapsed = 0;
	u32 i;
	int ret;

	s->req.done = raw_stream_done;
	atomic_set(&s->done, 0);
	atomic_set(&s->outstanding, 0);
	if (!s->wait)
		for (i = 0; i < s->ndev; i++)
			bench_host_expect(s->devs[i], s->n / s->ndev);

	stream_pause(s, true);
	t0 = timed_begin();
	for (i = 0; i < s->n; i++) {
		d = stream_dev(s, i);
		if (!s->wait) {
			ret = raw_write(d, s->buf, s->size, 0, 0);
		} else {
			wait_event(s->wq, atomic_read(&s->outstanding) < s->window);
			atomic_inc(&s->outstanding);
			if (s->kind == STREAM_EXTERNAL)
				ret = raw_write_mpb(d, s);
			else
				ret = raw_write(d, s->buf, s->size, (u64)(uintptr_t)&s->req,
						VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
		}
		if (ret)
			return ret;
	}
	if (s->send_only) {
		elapsed = timed_end(t0);
		stream_pause(s, false);
	}
	if (s->no_end_wait)
		return 0;
	if (s->wait)
		wait_event(s->wq, atomic_read(&s->done) == s->n);
	else
		for (i = 0; i < s->ndev; i++)
			bench_host_wait(s->devs[i]);
	return s->send_only ? elapsed : timed_end(t0);
}

/* ---- synchronous request: the pci-hyperv pattern ------------------------------ */

struct raw_sync_req {
	struct raw_req req;
	struct completion done;
	u8 *resp;
	u32 resp_cap;
	u32 resp_len;
};

static void raw_sync_done(struct raw_req *req, void *data, u32 len)
{
	struct raw_sync_req *r = container_of(req, struct raw_sync_req, req);

	r->resp_len = min(len, r->resp_cap);
	memcpy(r->resp, data, r->resp_len);
	complete(&r->done);
}

/**
 * raw_sync() - @n synchronous requests of @size bytes
 * @d: the device
 * @n: requests
 * @size: payload bytes
 *
 * Each is pci-hyperv's hv_pci_*() shape: a completion on the stack, its
 * address as request id, vmbus_sendpacket() with COMPLETION_REQUESTED, and
 * wait_for_response(): wait in HZ/10 slices, checking for a rescind.
 *
 * Return: elapsed guest nanoseconds, or a negative errno.
 */
s64 raw_sync(struct bench_dev *d, u32 n, u32 size)
{
	u8 buf[64] = { 1 }, resp[64];
	struct raw_sync_req r = {
		.req.done = raw_sync_done,
		.resp = resp,
		.resp_cap = sizeof(resp),
	};
	u64 t0;
	u32 i;
	int ret;

	if (size > sizeof(buf))
		return -EINVAL;
	t0 = timed_begin();
	for (i = 0; i < n; i++) {
		init_completion(&r.done);
		ret = vmbus_sendpacket(d->chan, buf, size, (u64)(uintptr_t)&r.req,
				       VM_PKT_DATA_INBAND,
				       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
		if (ret)
			return ret;
		while (!wait_for_completion_timeout(&r.done, HZ / 10))
			if (d->chan->rescind)
				return -ENODEV;
	}
	return timed_end(t0);
}

/* ---- incoming ------------------------------------------------------------------ */

/**
 * raw_receive() - the host sends @n packets, the channel callback takes them
 * @d: the device, opened by raw_open()
 * @n: packets
 * @size: payload bytes
 *
 * Return: elapsed guest nanoseconds, or a negative errno.
 */
s64 raw_receive(struct bench_dev *d, u32 n, u32 size)
{
	static u8 buf[4096];
	u64 t0;
	u32 i;
	int ret;

	if (size > sizeof(buf))
		return -EINVAL;
	atomic_set(&d->rx, 0);
	WRITE_ONCE(d->rx_target, n);
	t0 = timed_begin();
	for (i = 0; i < n; i++) {
		ret = bench_host_send(d, buf, size);
		if (ret)
			return ret;
	}
	wait_event(d->wq, atomic_read(&d->rx) >= n);
	return timed_end(t0);
}
