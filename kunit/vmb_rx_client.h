/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test client for the incoming-path suites, on top of vmb_test_host.h: a
 * ProcessPacket that records every call and retires packets by a policy, a
 * ProcessingComplete that counts batches, and host-side helpers that write
 * numbered packets into the guest's incoming ring.
 *
 * A numbered payload starts with VMB_RC_MAGIC, its length and seq, and
 * continues with a pattern derived from seq, so that every delivery is checked byte for byte
 * (rc->bad counts mismatches) and packets of a hostile host that pass the
 * checks are told apart (rc->foreign).
 *
 * Include after vmb_test_host.h; call vmb_rc_setup() after vmb_th_setup(),
 * and use vmb_rc_case_exit as the suite's exit.
 */
#ifndef _VMB_RX_CLIENT_H
#define _VMB_RX_CLIENT_H

#include <linux/delay.h>
#include <linux/hardirq.h>
#include <linux/preempt.h>
#include <linux/slab.h>

#include "../drivers/vmbkmcl/obs.h"
#include "../drivers/vmbkmcl/receive.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define VMB_RC_MAX	4096
/* first payload word: magic (16 bits), length sent (16 bits), seq (32 bits) */
#define VMB_RC_MAGIC	0x7663000000000000ULL
#define VMB_RC_SEQ(x)	((x) & 0xffffffffULL)
#define VMB_RC_LEN(x)	((u32)((x) >> 32) & 0xffff)
#define VMB_RC_BIG	4080	/* the default maximum packet size */

enum vmb_rc_policy {
	VMB_RC_COMPLETE,	/* complete inside ProcessPacket, echoing the payload */
	VMB_RC_HOLD,		/* keep it: the test retires it */
	VMB_RC_DEFER,		/* defer to passive, complete in the second call */
	VMB_RC_CUSTOM,		/* rc->custom decides */
};

/* One ProcessPacket call. */
struct vmb_rc_rec {
	VMBPACKETCOMPLETION pkt;
	u64 seq;		/* first payload word, 0 if shorter */
	u32 length;
	u32 flags;
	u32 call;		/* 1, or 2 for the passive call of a deferred packet */
	bool softirq;
	bool atomic;
};

/* The client context of each packet. */
struct vmb_rc_ctx {
	u32 calls;
	u32 magic;
};

struct vmb_rc_held {
	VMBPACKETCOMPLETION pkt;
	void *buffer;
	u32 length;
};

struct vmb_rc {
	struct vmb_th *th;
	struct kunit *test;
	enum vmb_rc_policy policy;
	bool sleep_in_call;	/* msleep(1) in process context: proves it may sleep */
	void (*custom)(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt, void *buffer,
		       u32 length, u32 flags, u32 call);

	spinlock_t lock;		/* guards n, recs, nheld, held_head, held */
	u32 n;
	struct vmb_rc_rec *recs;
	u32 nheld, held_head;
	struct vmb_rc_held *held;

	atomic_t calls;
	atomic_t retired;
	atomic_t batches;
	atomic_t batch_sum;
	atomic_t bad;		/* numbered payloads that did not match */
	atomic_t foreign;	/* deliveries without the magic */
	atomic_t in_call;
	atomic_t overlap;	/* ProcessPacket calls that overlapped */
	atomic_t ctx_bad;	/* client context not as left */
};

static struct vmb_rc *vmb_rc_current;

static inline u8 vmb_rc_byte(u64 seq, u32 i)
{
	return (u8)(seq * 31 + i * 7 + 1);
}

/* Fill a numbered payload of @len bytes (at least 8). */
static inline void vmb_rc_fill(void *buf, u64 seq, u32 len)
{
	u64 head = VMB_RC_MAGIC | (u64)len << 32 | VMB_RC_SEQ(seq);
	u8 *b = buf;
	u32 i;

	memcpy(b, &head, min_t(u32, len, sizeof(head)));
	for (i = sizeof(head); i < len; i++)
		b[i] = vmb_rc_byte(seq, i);
}

/*
 * Whether @buf holds the numbered payload it claims: the length VMBus
 * carries (padded to 8), the pattern, zero padding.
 */
static inline bool vmb_rc_check(const void *buf, u32 len)
{
	const u8 *b = buf;
	u32 i, sent_len;
	u64 head, seq;

	if (len < sizeof(head))
		return false;
	memcpy(&head, b, sizeof(head));
	seq = VMB_RC_SEQ(head);
	sent_len = VMB_RC_LEN(head);
	if (len != ALIGN(sent_len, 8))
		return false;
	for (i = sizeof(head); i < len; i++) {
		u8 want = i < sent_len ? vmb_rc_byte(seq, i) : 0;

		if (b[i] != want)
			return false;
	}
	return true;
}

static inline void vmb_rc_hold(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt,
			       void *buffer, u32 length)
{
	unsigned long flags;

	spin_lock_irqsave(&rc->lock, flags);
	if (!WARN_ON_ONCE(rc->nheld >= VMB_RC_MAX)) {
		rc->held[rc->nheld].pkt = pkt;
		rc->held[rc->nheld].buffer = buffer;
		rc->held[rc->nheld++].length = length;
	}
	spin_unlock_irqrestore(&rc->lock, flags);
	wake_up_all(&rc->th->wq);
}

static inline void vmb_rc_complete(struct vmb_rc *rc, VMBPACKETCOMPLETION pkt,
				   void *buffer, u32 length)
{
	atomic_inc(&rc->retired);
	VmbChannelPacketComplete(pkt, buffer, length);
	wake_up_all(&rc->th->wq);
}

static inline void vmb_rc_process(VMBCHANNEL channel, VMBPACKETCOMPLETION pkt,
				  void *buffer, u32 length, u32 flags)
{
	struct vmb_rc *rc = vmb_rc_current;
	struct vmb_rc_ctx *ctx = VmbChannelPacketGetClientContext(pkt);
	bool atomic = preempt_count() || irqs_disabled();
	struct vmb_rc_rec *r = NULL;
	unsigned long irqflags;
	u32 call = 1;
	u64 head = 0;

	if (atomic_inc_return(&rc->in_call) > 1)
		atomic_inc(&rc->overlap);
	if (ctx) {
		if (ctx->calls && ctx->magic != 0x5a5a5a5a)
			atomic_inc(&rc->ctx_bad);
		call = ++ctx->calls;
		ctx->magic = 0x5a5a5a5a;
	}
	if (length >= sizeof(head))
		memcpy(&head, buffer, sizeof(head));
	if ((head & 0xffff000000000000ULL) != VMB_RC_MAGIC)
		atomic_inc(&rc->foreign);
	else if (!vmb_rc_check(buffer, length))
		atomic_inc(&rc->bad);

	spin_lock_irqsave(&rc->lock, irqflags);
	if (rc->n < VMB_RC_MAX)
		r = &rc->recs[rc->n++];
	spin_unlock_irqrestore(&rc->lock, irqflags);
	if (r) {
		r->pkt = pkt;
		r->seq = VMB_RC_SEQ(head);
		r->length = length;
		r->flags = flags;
		r->call = call;
		r->softirq = in_serving_softirq();
		r->atomic = atomic;
	}
	/* proves it may sleep: DEBUG_ATOMIC_SLEEP would report it otherwise */
	if (rc->sleep_in_call && !atomic)
		usleep_range(1000, 2000);
	atomic_inc(&rc->calls);
	atomic_dec(&rc->in_call);

	switch (rc->policy) {
	case VMB_RC_COMPLETE:
		vmb_rc_complete(rc, pkt, buffer, length);
		break;
	case VMB_RC_HOLD:
		vmb_rc_hold(rc, pkt, buffer, length);
		break;
	case VMB_RC_DEFER:
		if (call == 1)
			VmbChannelPacketDeferToPassive(pkt);
		else
			vmb_rc_complete(rc, pkt, buffer, length);
		break;
	case VMB_RC_CUSTOM:
		rc->custom(rc, pkt, buffer, length, flags, call);
		break;
	}
	wake_up_all(&rc->th->wq);
}

static inline void vmb_rc_batch(VMBCHANNEL channel, u32 packets)
{
	struct vmb_rc *rc = vmb_rc_current;

	atomic_inc(&rc->batches);
	atomic_add(packets, &rc->batch_sum);
	wake_up_all(&rc->th->wq);
}

/* Pop the oldest held packet. */
static inline bool vmb_rc_pop(struct vmb_rc *rc, struct vmb_rc_held *h)
{
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&rc->lock, flags);
	if (rc->held_head < rc->nheld) {
		*h = rc->held[rc->held_head++];
		found = true;
	}
	spin_unlock_irqrestore(&rc->lock, flags);
	return found;
}

static inline u32 vmb_rc_nheld(struct vmb_rc *rc)
{
	return READ_ONCE(rc->nheld) - READ_ONCE(rc->held_head);
}

/* Complete up to @max held packets, oldest first, echoing their payloads. */
static inline u32 vmb_rc_release(struct vmb_rc *rc, u32 max)
{
	struct vmb_rc_held h;
	u32 n = 0;

	while (n < max && vmb_rc_pop(rc, &h)) {
		vmb_rc_complete(rc, h.pkt, h.buffer, h.length);
		n++;
	}
	return n;
}

static inline struct vmb_rc *vmb_rc_setup(struct kunit *test, struct vmb_th *th,
					  enum vmb_rc_policy policy)
{
	struct vmb_rc *rc = kunit_kzalloc(test, sizeof(*rc), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rc);
	rc->recs = kunit_kcalloc(test, VMB_RC_MAX, sizeof(*rc->recs), GFP_KERNEL);
	rc->held = kunit_kcalloc(test, VMB_RC_MAX, sizeof(*rc->held), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rc->recs);
	KUNIT_ASSERT_NOT_NULL(test, rc->held);
	rc->th = th;
	rc->test = test;
	rc->policy = policy;
	spin_lock_init(&rc->lock);
	vmb_rc_current = rc;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(th->ch, vmb_rc_process,
								      vmb_rc_batch),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetClientContextSize(th->ch,
								 sizeof(struct vmb_rc_ctx)),
			STATUS_SUCCESS);
	return rc;
}

/*
 * Retire what the client still holds before the fixture disables the
 * channel, which waits for it: a failed assertion must not hang the run.
 */
static inline void vmb_rc_case_exit(struct kunit *test)
{
	struct vmb_rc *rc = vmb_rc_current;

	if (rc) {
		WRITE_ONCE(rc->policy, VMB_RC_COMPLETE);
		vmb_rc_release(rc, U32_MAX);
		if (rc->th && rc->th->ch)
			VmbChannelDisable(rc->th->ch);
		/* delivered between the sweep and the gate closing */
		vmb_rc_release(rc, U32_MAX);
	}
	vmb_th_case_exit(test);
	vmb_rc_current = NULL;
}

static inline u32 vmb_rc_calls(struct vmb_rc *rc)
{
	return atomic_read(&rc->calls);
}

static inline struct vmb_rc_rec vmb_rc_rec(struct vmb_rc *rc, u32 i)
{
	struct vmb_rc_rec r;
	unsigned long flags;

	spin_lock_irqsave(&rc->lock, flags);
	r = rc->recs[i];
	spin_unlock_irqrestore(&rc->lock, flags);
	return r;
}

/* Host side. */

/*
 * The host writes a numbered inband packet of @len bytes (at least 8),
 * trans_id seq + 1, retrying while the ring is full.
 */
static inline int vmb_rc_host_send(struct vmb_th *th, u64 seq, u32 len, u16 flags)
{
	unsigned long end = jiffies + VMB_TH_WAIT;
	void *buf = kmalloc(len, GFP_KERNEL);
	int ret;

	if (!buf)
		return -ENOMEM;
	vmb_rc_fill(buf, seq, len);
	while ((ret = vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND, flags, seq + 1,
				     buf, len)) == -EAGAIN &&
	       time_before(jiffies, end))
		usleep_range(200, 500);
	kfree(buf);
	return ret;
}

/* The host's raw write, retried while the ring is full. */
static inline int vmb_rc_host_raw(struct vmb_th *th, const void *bytes, u32 len)
{
	unsigned long end = jiffies + VMB_TH_WAIT;
	int ret;

	while ((ret = vmbus_sim_send_raw(th->sim, bytes, len)) == -EAGAIN &&
	       time_before(jiffies, end))
		usleep_range(200, 500);
	return ret;
}

/*
 * Lay out a packet in @out: the descriptor, @hlen bytes of type-specific
 * header from @hdr, then @plen bytes of @payload, each part padded to 8;
 * offset8 and len8 say just that. Return: the bytes to write.
 */
static inline u32 vmb_rc_packet(void *out, u16 type, u16 flags, u64 trans_id,
				const void *hdr, u32 hlen, const void *payload, u32 plen)
{
	struct vmpacket_descriptor *d = out;
	u32 off = sizeof(*d) + ALIGN(hlen, 8), len = off + ALIGN(plen, 8);

	memset(out, 0, len);
	d->type = type;
	d->flags = flags;
	d->trans_id = trans_id;
	d->offset8 = off >> 3;
	d->len8 = len >> 3;
	if (hlen)
		memcpy((u8 *)out + sizeof(*d), hdr, hlen);
	if (plen)
		memcpy((u8 *)out + off, payload, plen);
	return len;
}

/*
 * A GPA-direct header in @hdr: reserved, @count ranges, then each range as
 * given in @words (byte_count, byte_offset, frames...). Return: its bytes.
 */
static inline u32 vmb_rc_gpa_header(void *hdr, u32 count, const u64 *words, u32 nwords)
{
	u32 *h = hdr;

	h[0] = 0;
	h[1] = count;
	memcpy(h + 2, words, nwords * sizeof(u64));
	return 8 + nwords * sizeof(u64);
}

static inline u64 vmb_rc_range_word(u32 byte_count, u32 byte_offset)
{
	return (u64)byte_offset << 32 | byte_count;
}

/* A transfer-page header: set id, @count ranges of {byte_count, byte_offset}. */
static inline u32 vmb_rc_xfer_header(void *hdr, u16 set, u32 count, const u64 *ranges)
{
	u8 *h = hdr;

	memset(h, 0, 8);
	memcpy(h, &set, sizeof(set));
	memcpy(h + 4, &count, sizeof(count));
	memcpy(h + 8, ranges, count * sizeof(u64));
	return 8 + count * sizeof(u64);
}

/* Completions the host received from the guest, in the fixture's log. */
static inline u32 vmb_rc_host_completions(struct vmb_th *th)
{
	u32 i, n = 0;

	for (i = 0; i < vmb_th_npkts(th); i++)
		n += vmb_th_pkt(th, i).type == VM_PKT_COMP;
	return n;
}

/* A snapshot of the channel's counters (debugfs's counters file). */
static inline void vmb_rc_stats(struct vmb_th *th, struct vmb_counter_values *c)
{
	vmb_obs_read_counters(th->ch, c);
}

/* One counter, read in a frame of its own: the snapshot is large. */
static noinline __maybe_unused u64 vmb_rc_stat_at(struct vmb_th *th, size_t offset)
{
	struct vmb_counter_values c;

	vmb_obs_read_counters(th->ch, &c);
	return *(u64 *)((u8 *)&c + offset);
}

#define vmb_rc_stat(th, field) \
	vmb_rc_stat_at(th, offsetof(struct vmb_counter_values, field))

/* Whether incoming delivery stopped until Disable. */
static noinline __maybe_unused bool vmb_rc_failed(struct vmb_th *th)
{
	struct vmb_counter_values c;

	vmb_obs_read_counters(th->ch, &c);
	return c.incoming_failed;
}

/*
 * Let the guest catch up with what the host wrote, before a check of what
 * the guest did not do with it (a packet dropped, nothing delivered while
 * paused or at the quota). A sleep is the only way: the guest's reader
 * leaves no event behind when it rightly drops or leaves a packet, and a
 * counter moves only for some of these cases; 50 ms are many runs of the
 * channel tasklet and the passive worker, even under TCG.
 */
static inline void vmb_rc_settle(struct vmb_th *th)
{
	vmbus_sim_flush_host(th->sim);
	msleep(50);
}

#endif /* _VMB_RX_CLIENT_H */
