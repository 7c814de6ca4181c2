// SPDX-License-Identifier: GPL-2.0
/*
 * The Vmb* side of each case, written as a KMCL client would write it.
 *
 * Streams reuse packet objects from a pool per channel (allocated once,
 * given back by the completion routine), so that what is timed is the send
 * and completion path; the variant that allocates a packet per send
 * (VmbPacketAllocate() with its freeing default routine, the common KMCL
 * idiom) is timed separately.
 */
#include <linux/ktime.h>
#include <linux/slab.h>

#include "bench.h"

struct vmb_late vmb_late;

/* ---- channels --------------------------------------------------------------- */

static void process_packet(VMBCHANNEL channel, VMBPACKETCOMPLETION packet,
			   void *buffer, u32 buffer_length, u32 flags)
{
	struct bench_dev *d = VmbChannelGetPointer(channel);

	vmb_late.packet_complete(packet, NULL, 0);
	if (atomic_inc_return(&d->rx) == (int)READ_ONCE(d->rx_target))
		wake_up(&d->wq);
}

/**
 * vmb_configure() - allocate and configure a Disabled Vmb channel on @d
 * @d: the device
 * @cfg: the configuration
 *
 * Return: 0 or a negative errno from the failing Vmb* call's status.
 */
int vmb_configure(struct bench_dev *d, const struct vmb_config *cfg)
{
	NTSTATUS st;

	st = VmbChannelAllocate(&d->hv->device, false, &d->ch);
	if (st)
		return vmb_ntstatus_to_errno(st);
	VmbChannelSetPointer(d->ch, d);
	/* a sub-channel: opened on a sub-channel offer of its primary */
	st = d->primary ? VmbChannelInitSetPrimaryChannel(d->ch, d->primary->ch) : 0;
	if (!st)
		st = VmbChannelInitSetMaximumPacketSize(d->ch, cfg->max_packet);
	if (!st)
		st = VmbClientChannelInitSetRingBufferPageCount(d->ch, cfg->in_pages,
								cfg->out_pages);
	if (!st && cfg->max_external)
		st = VmbChannelInitSetMaximumExternalData(d->ch, cfg->max_external, 1);
	if (!st && cfg->incoming)
		st = VmbChannelInitSetProcessPacketCallbacks(d->ch, process_packet, NULL);
	if (st) {
		vmb_close(d);
		return vmb_ntstatus_to_errno(st);
	}
	return 0;
}

/* Enable a channel vmb_configure() made. */
int vmb_enable(struct bench_dev *d)
{
	NTSTATUS st = VmbChannelEnable(d->ch);

	if (st) {
		vmb_close(d);
		return vmb_ntstatus_to_errno(st);
	}
	return 0;
}

/**
 * vmb_open() - allocate, configure and enable a Vmb channel on @d
 * @d: the device
 * @cfg: the configuration
 *
 * Return: 0 or a negative errno.
 */
int vmb_open(struct bench_dev *d, const struct vmb_config *cfg)
{
	int ret = vmb_configure(d, cfg);

	return ret ? ret : vmb_enable(d);
}

void vmb_close(struct bench_dev *d)
{
	VmbChannelCleanup(d->ch);
	d->ch = NULL;
}

/* ---- packet pools ------------------------------------------------------------ */

struct pool_entry {
	struct llist_node node;
	VMBPACKET pkt;
	struct bench_pool *pool;
};

struct bench_pool {
	struct llist_head returned;	/* given back by completion routines */
	struct llist_node *local;	/* the sender's, taken from returned */
	struct pool_entry *entries;
	u32 count;
	struct stream *s;
};

static void pool_routine(VMBPACKET packet, NTSTATUS status, void *buffer, u32 length)
{
	struct pool_entry *e = VmbPacketGetPointer(packet);
	struct stream *s = e->pool->s;

	if (status && !s->status)
		s->status = status;
	llist_add(&e->node, &e->pool->returned);
	if (s->wait)
		atomic_dec(&s->outstanding);
	atomic_inc(&s->done);
	if (wq_has_sleeper(&s->wq))
		wake_up(&s->wq);
}

static void alloc_routine(VMBPACKET packet, NTSTATUS status, void *buffer, u32 length)
{
	struct stream *s = VmbPacketGetPointer(packet);

	if (status && !s->status)
		s->status = status;
	VmbPacketFree(packet);
	if (s->wait)
		atomic_dec(&s->outstanding);
	atomic_inc(&s->done);
	if (wq_has_sleeper(&s->wq))
		wake_up(&s->wq);
}

static VMBPACKET pool_get(struct stream *s, struct bench_pool *p)
{
	struct pool_entry *e;

	if (!p->local) {
		p->local = llist_del_all(&p->returned);
		if (!p->local) {
			wait_event(s->wq, !llist_empty(&p->returned));
			p->local = llist_del_all(&p->returned);
		}
	}
	e = llist_entry(p->local, struct pool_entry, node);
	p->local = p->local->next;
	return e->pkt;
}

/**
 * stream_prepare() - packet pools for a Vmb stream
 * @s: the stream, its devices Vmb devices when @vmb
 * @vmb: whether the stream is the Vmb variant
 *
 * One pool of @s->window packets per device: the window bounds what is in
 * flight over all devices, so no pool runs dry while the window is open.
 *
 * Return: 0 or -ENOMEM.
 */
int stream_prepare(struct stream *s, bool vmb)
{
	struct bench_pool *p;
	u32 i, j;

	init_waitqueue_head(&s->wq);
	if (!vmb || s->alloc)
		return 0;
	s->pools = kcalloc(s->ndev, sizeof(*s->pools), GFP_KERNEL);
	if (!s->pools)
		return -ENOMEM;
	for (i = 0; i < s->ndev; i++) {
		p = &s->pools[i];
		p->s = s;
		init_llist_head(&p->returned);
		p->entries = kcalloc(s->window, sizeof(*p->entries), GFP_KERNEL);
		if (!p->entries)
			goto fail;
		for (j = 0; j < s->window; j++) {
			struct pool_entry *e = &p->entries[j];

			e->pkt = VmbPacketAllocate(s->devs[i]->ch);
			if (!e->pkt)
				goto fail;
			p->count++;
			e->pool = p;
			VmbPacketSetPointer(e->pkt, e);
			VmbPacketSetCompletionRoutine(e->pkt, pool_routine);
			llist_add(&e->node, &p->returned);
		}
	}
	return 0;
fail:
	stream_release(s);
	return -ENOMEM;
}

void stream_release(struct stream *s)
{
	struct bench_pool *p;
	u32 i, j;

	if (!s->pools)
		return;
	for (i = 0; i < s->ndev; i++) {
		p = &s->pools[i];
		for (j = 0; j < p->count; j++)
			VmbPacketFree(p->entries[j].pkt);
		kfree(p->entries);
	}
	kfree(s->pools);
	s->pools = NULL;
}

/**
 * vmb_stream() - the Vmb* twin of raw_stream()
 * @s: the stream, prepared with stream_prepare(@s, true)
 *
 * Return: elapsed guest nanoseconds, or a negative errno.
 */
s64 vmb_stream(struct stream *s)
{
	u32 flags = s->wait ? VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION : 0;
	struct bench_dev *d;
	VMBPACKET pkt;
	u64 t0, elapsed = 0;
	NTSTATUS st;
	u32 i;

	s->status = STATUS_SUCCESS;
	atomic_set(&s->done, 0);
	atomic_set(&s->outstanding, 0);
	if (!s->wait)
		for (i = 0; i < s->ndev; i++)
			bench_host_expect(s->devs[i], s->n / s->ndev);

	stream_pause(s, true);
	t0 = timed_begin();
	for (i = 0; i < s->n; i++) {
		d = stream_dev(s, i);
		if (s->wait)
			wait_event(s->wq, atomic_read(&s->outstanding) < s->window);
		if (s->alloc) {
			pkt = VmbPacketAllocate(d->ch);
			if (!pkt)
				return -ENOMEM;
			VmbPacketSetPointer(pkt, s);
			VmbPacketSetCompletionRoutine(pkt, alloc_routine);
		} else {
			pkt = pool_get(s, &s->pools[stream_dev_index(s, i)]);
		}
		/* the same bookkeeping as raw_stream(): the window, for transactions */
		if (s->wait)
			atomic_inc(&s->outstanding);
		if (s->kind == STREAM_EXTERNAL)
			st = vmb_late.send_ext_mdl(pkt, s->buf, s->size, s->mdl, 0, 0, flags);
		else
			st = VmbPacketSend(pkt, s->buf, s->size, NULL, flags);
		if (st) {
			pr_err("vmb_bench: Vmb send failed: %#x\n", st);
			return vmb_ntstatus_to_errno(st);
		}
	}
	if (s->send_only) {
		elapsed = timed_end(t0);
		stream_pause(s, false);
	}
	if (s->no_end_wait)
		return 0;
	/* the routines ran (or run) once the packets are in the ring or completed */
	wait_event(s->wq, atomic_read(&s->done) == s->n);
	if (!s->wait)
		for (i = 0; i < s->ndev; i++)
			bench_host_wait(s->devs[i]);
	if (s->status)
		return vmb_ntstatus_to_errno(s->status);
	return s->send_only ? elapsed : timed_end(t0);
}

/* ---- synchronous request -------------------------------------------------------- */

/**
 * vmb_sync() - @n VmbChannelSendSynchronousRequest() calls of @size bytes
 * @d: the device
 * @n: requests
 * @size: payload bytes
 *
 * Return: elapsed guest nanoseconds, or a negative errno.
 */
s64 vmb_sync(struct bench_dev *d, u32 n, u32 size)
{
	u8 buf[64] = { 1 }, resp[64];
	u32 resp_size;
	NTSTATUS st;
	u64 t0;
	u32 i;

	if (size > sizeof(buf))
		return -EINVAL;
	t0 = timed_begin();
	for (i = 0; i < n; i++) {
		resp_size = sizeof(resp);
		st = VmbChannelSendSynchronousRequest(d->ch, buf, size, NULL,
						      VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
						      resp, &resp_size, NULL);
		if (st)
			return vmb_ntstatus_to_errno(st);
	}
	return timed_end(t0);
}

/* ---- incoming ---------------------------------------------------------------------- */

/**
 * vmb_receive() - the host sends @n packets, ProcessPacket completes each
 * @d: the device, opened with incoming callbacks
 * @n: packets
 * @size: payload bytes
 *
 * Return: elapsed guest nanoseconds; -ETIMEDOUT if ProcessPacket was not
 * called for them (incoming delivery not implemented yet); a negative errno.
 */
s64 vmb_receive(struct bench_dev *d, u32 n, u32 size)
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
	if (!wait_event_timeout(d->wq, atomic_read(&d->rx) >= n, 10 * HZ))
		return -ETIMEDOUT;
	return timed_end(t0);
}
