// SPDX-License-Identifier: GPL-2.0
/*
 * VmbChannelSendSynchronousRequest(): a packet object of our own, sent like
 * any other, whose completion routine wakes the caller.
 *
 * The waiter lives on the caller's stack. When the wait ends without a
 * completion (timeout, rescind) the request is cancelled under the channel
 * lock: either it was still queued and is simply taken back, or it is in
 * flight and is abandoned (the channel frees it when the late completion
 * arrives or at close; the completion is dropped and never touches the
 * caller's buffer), or the completion routine already claimed it and we
 * wait for it to finish, which it does without sleeping.
 *
 * The packet object of a request that ended normally is kept in the channel
 * (sync_spare) for the next request that fits it, rather than freed and
 * allocated again for every request.
 */
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "channel.h"
#include "external.h"
#include "mdl.h"
#include "packet.h"
#include "pipe.h"
#include "send.h"
#include "sync.h"
#include "transaction.h"

/* How often a waiter looks at hv_vmbus's rescind flag (as pci-hyperv does). */
#define RESCIND_POLL	(HZ / 10)

struct sync_waiter {
	struct completion done;
	NTSTATUS status;
	void *buffer;
	u32 capacity;
	u32 copied;
};

/* 100 ns units since 1601-01-01 UTC, the Windows system time. */
static u64 vmb_sync_now_100ns(void)
{
	return div_u64(ktime_get_real_ns(), 100) + WLTIMEDELTA;
}

/**
 * vmb_sync_deadline() - a KMCL timeout as a monotonic deadline
 * @timeout: non-zero; negative: relative, positive: absolute, in 100 ns
 * @now_100ns: the current system time, for absolute timeouts
 *
 * The deadline is kept in ktime, not jiffies: jiffies can lag the clock
 * (a tick handled late is caught up at once), and a wait counted from a
 * stale jiffies value ends early.
 *
 * Return: the deadline on the monotonic clock; now for an absolute time
 * already past, KTIME_MAX for one beyond it.
 */
static ktime_t vmb_sync_deadline(s64 timeout, u64 now_100ns)
{
	ktime_t now = ktime_get();
	u64 ticks;

	if (timeout < 0) {
		ticks = timeout == S64_MIN ? (u64)S64_MAX : (u64)-timeout;
	} else {
		if ((u64)timeout <= now_100ns)
			return now;
		ticks = (u64)timeout - now_100ns;
	}
	if (ticks >= div_u64(KTIME_MAX - now, 100))
		return KTIME_MAX;
	return ktime_add_ns(now, ticks * 100);
}

/*
 * A packet object for a request of @capacity payload bytes and a descriptor
 * of @desc_capacity: the spare if it fits, else a new one.
 */
static struct vmb_packet *sync_packet(struct vmb_channel *ch, u32 capacity,
				      u32 desc_capacity, gfp_t gfp)
{
	struct vmb_packet *pkt = xchg(&ch->sync_spare, NULL);

	if (pkt) {
		/* idle, off every list: the send sets the rest */
		if (pkt->capacity >= capacity && pkt->desc_capacity >= desc_capacity)
			return pkt;
		vmb_packet_destroy(pkt);
	}
	return vmb_packet_alloc(ch, capacity, desc_capacity, gfp);
}

/* The request is over and nobody holds @pkt: keep it for the next one. */
static void sync_packet_done(struct vmb_channel *ch, struct vmb_packet *pkt)
{
	pkt = xchg(&ch->sync_spare, pkt);
	if (pkt)
		vmb_packet_destroy(pkt);
}

/**
 * vmb_sync_cleanup() - free the spare request packet
 * @ch: a channel being freed
 *
 * Context: process.
 */
void vmb_sync_cleanup(struct vmb_channel *ch)
{
	struct vmb_packet *pkt = xchg(&ch->sync_spare, NULL);

	if (pkt)
		vmb_packet_destroy(pkt);
}

static void sync_completion(VMBPACKET packet, NTSTATUS status, void *buffer,
			    u32 buffer_length)
{
	struct sync_waiter *waiter = packet->pointer;

	if (status == STATUS_CANCELLED) {
		/* only Disable, a rescind or Cleanup cancel a live request */
		status = STATUS_DEVICE_REMOVED;
	} else if (buffer && waiter->buffer) {
		/* KMCL leaves this undefined: copy what fits, report it */
		waiter->copied = min(buffer_length, waiter->capacity);
		memcpy(waiter->buffer, buffer, waiter->copied);
	}
	waiter->status = status;
	/* the waiter reuses or frees the packet: nothing may touch it after this */
	complete(&waiter->done);
}

/*
 * Wait for the completion until @deadline, not at all for a zero timeout,
 * forever for none; a rescind ends the wait too. Each wait is in whole
 * jiffies rounded up, and the loop ends only once the clock passed the
 * deadline, so the wait never ends early.
 */
static bool sync_wait(struct vmb_channel *ch, struct sync_waiter *waiter,
		      const s64 *timeout, ktime_t deadline)
{
	long wait = RESCIND_POLL;
	s64 left;

	if (timeout && *timeout == 0)
		return try_wait_for_completion(&waiter->done);
	for (;;) {
		if (timeout) {
			left = ktime_to_ns(ktime_sub(deadline, ktime_get()));
			if (left <= 0)
				return try_wait_for_completion(&waiter->done);
			wait = min_t(u64, nsecs_to_jiffies64(left + TICK_NSEC - 1),
				     RESCIND_POLL);
		}
		if (wait_for_completion_timeout(&waiter->done, max(wait, 1L)))
			return true;
		if (vmb_channel_rescinded(ch))
			return false;
	}
}

NTSTATUS VmbChannelSendSynchronousRequest(VMBCHANNEL channel,
					  const void *buffer, u32 size,
					  struct vmb_mdl *external, u32 flags,
					  void *completion_buffer,
					  u32 *completion_size,
					  const s64 *timeout)
{
	bool wait_completion = flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
	bool zero = timeout && *timeout == 0;
	struct vmb_external ext = { .mdl = external };
	struct sync_waiter waiter = { };
	ktime_t deadline = 0;
	struct vmb_packet *pkt;
	u32 capacity, desc_size = 0;
	NTSTATUS status;

	/* KMCL: only a zero-timeout send without a transaction is atomic */
	if (!zero || wait_completion)
		might_sleep();

	if (!channel)
		return STATUS_INVALID_PARAMETER_1;
	if (flags & ~VMBUS_CHANNEL_FORMAT_FLAGS)
		return STATUS_INVALID_PARAMETER;
	if (external) {
		/* the host holds our pages until it completes */
		if (!wait_completion)
			return STATUS_INVALID_PARAMETER;
		ext.length = vmb_mdl_byte_count(external);
		status = vmb_external_size(channel, &ext, size, &desc_size);
		if (status)
			return status;
	}
	capacity = completion_size ? *completion_size : 0;
	/* VMBus payloads come in 8-byte units: KMCL insists on them */
	if (capacity % 8 || (capacity && !completion_buffer))
		return STATUS_INVALID_PARAMETER;
	if ((size && !buffer) || size > READ_ONCE(channel->max_packet_size))
		return STATUS_INVALID_PARAMETER;

	/* the deadline runs from the call, not from when the packet is sent */
	if (timeout && !zero)
		deadline = vmb_sync_deadline(*timeout, vmb_sync_now_100ns());

	/* room for this payload only: it is the one thing this packet sends */
	pkt = sync_packet(channel, vmb_pipe_wire_size(channel, size),
			  ALIGN(desc_size, sizeof(u64)),
			  zero && !wait_completion ? GFP_ATOMIC : GFP_KERNEL);
	if (!pkt)
		return STATUS_INSUFFICIENT_RESOURCES;
	init_completion(&waiter.done);
	waiter.buffer = completion_buffer;
	waiter.capacity = capacity;
	pkt->completion_routine = sync_completion;
	pkt->pointer = &waiter;

	status = vmb_send_submit(pkt, buffer, size, external ? &ext : NULL, flags,
				 zero ? VMB_SEND_TRY : VMB_SEND_IF_OPEN);
	if (status != STATUS_SUCCESS)
		goto release_packet;

	if (!sync_wait(channel, &waiter, timeout, deadline)) {
		/* a request with external data is never abandoned */
		switch (vmb_transaction_cancel(pkt, !external)) {
		case VMB_CANCEL_UNQUEUED:
			break;
		case VMB_CANCEL_ABANDONED:
			/* the channel owns it now */
			return vmb_channel_rescinded(channel) ?
			       STATUS_DEVICE_REMOVED : STATUS_CANCELLED;
		case VMB_CANCEL_IN_FLIGHT:
			/*
			 * The host owns the caller's pages until it completes
			 * the request or the channel closes (Disable, or the
			 * close that a rescind brings): returning earlier would
			 * let the caller free memory the host may still write.
			 */
			wait_for_completion(&waiter.done);
			goto done;
		case VMB_CANCEL_TOO_LATE:
			/* its routine claimed it: it completes without sleeping */
			wait_for_completion(&waiter.done);
			goto done;
		}
		status = vmb_channel_rescinded(channel) ?
			 STATUS_DEVICE_REMOVED : STATUS_CANCELLED;
		goto release_packet;
	}

done:
	status = waiter.status;
	if (completion_size && NT_SUCCESS(status))
		*completion_size = waiter.copied;
release_packet:
	sync_packet_done(channel, pkt);
	return status;
}
EXPORT_SYMBOL_GPL(VmbChannelSendSynchronousRequest);
