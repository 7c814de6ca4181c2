// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the simulator's signalling: signals only on empty to non-empty
 * while unmasked, both ways; the pending_send_sz crossing rule and its counts;
 * no lost wake-up for a producer blocked on a full ring; and the context and
 * interrupt mask handling of each callback mode, with BATCHED's re-schedule
 * rule.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/sched.h>

#include <vmbus_sim.h>

#include "vmbus_sim_test.h"

static int signal_init(struct kunit *test)
{
	return simt_init_seed(test, 2);
}

static void guest_signals_on_empty_to_nonempty(struct kunit *test)
{
	struct simt *t = test->priv;
	u64 signals;
	int i;

	simt_start(t);
	vmbus_sim_pause_host(t->sim, true);
	signals = simt_stats(t).signals;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, simt_guest_send_total(t, 64, i), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).signals, signals + 1);
	KUNIT_EXPECT_EQ(test, t->chan->intr_out_empty, 1);
	KUNIT_EXPECT_EQ(test, t->chan->sig_events, 1);

	vmbus_sim_pause_host(t->sim, false);
	vmbus_sim_flush_host(t->sim);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->host_packets), 10);

	/* empty again: the next packet signals again */
	KUNIT_ASSERT_EQ(test, simt_guest_send_total(t, 64, 0), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).signals, signals + 2);
	vmbus_sim_flush_host(t->sim);
}

/* A draining host sets interrupt_mask; the guest then never signals. */
static void guest_silent_while_host_masks(struct kunit *test)
{
	struct simt *t = test->priv;
	struct hv_ring_buffer *ring;
	u64 signals;
	int i;

	simt_start(t);
	vmbus_sim_pause_host(t->sim, true);
	ring = t->chan->outbound.ring_buffer;
	signals = simt_stats(t).signals;

	WRITE_ONCE(ring->interrupt_mask, 1);
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, simt_guest_send_total(t, 64, i), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).signals, signals);

	/* unmasked, but the ring is not empty: still no signal */
	WRITE_ONCE(ring->interrupt_mask, 0);
	KUNIT_ASSERT_EQ(test, simt_guest_send_total(t, 64, 5), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).signals, signals);

	vmbus_sim_pause_host(t->sim, false);
	vmbus_sim_flush_host(t->sim);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->host_packets), 6);
}

static void host_interrupts_on_empty_to_nonempty(struct kunit *test)
{
	struct simt *t = test->priv;
	u64 interrupts;
	int i;

	simt_start(t);
	interrupts = simt_stats(t).interrupts;

	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, simt_host_send_total(t, 64, i), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).interrupts, interrupts + 1);
	KUNIT_EXPECT_TRUE(test, simt_wait_callbacks(t, 1));

	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, simt_guest_drop(t), 64 - SIMT_TRAILER);
	KUNIT_ASSERT_EQ(test, simt_host_send_total(t, 64, 0), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).interrupts, interrupts + 2);
	KUNIT_EXPECT_TRUE(test, simt_wait_callbacks(t, 2));
	KUNIT_EXPECT_EQ(test, t->chan->interrupts, 2);
}

/* The guest masks (hv_begin_read()): no interrupt; hv_end_read() re-checks. */
static void host_silent_while_guest_masks(struct kunit *test)
{
	struct simt *t = test->priv;
	u64 interrupts;

	simt_start(t);
	interrupts = simt_stats(t).interrupts;

	hv_begin_read(&t->chan->inbound);
	KUNIT_ASSERT_EQ(test, simt_host_send_total(t, 64, 1), 0);
	KUNIT_ASSERT_EQ(test, simt_host_send_total(t, 64, 2), 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).interrupts, interrupts);
	KUNIT_EXPECT_EQ(test, hv_end_read(&t->chan->inbound), 128);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->callbacks), 0);
}

/*
 * The host fills the inbound ring with 256-byte packets and waits for
 * @pending bytes; the guest reads one packet per vmbus_recvpacket() (one
 * read-index update each). hv_vmbus signals only on the read that takes the
 * free space from <= pending to > pending.
 */
struct pending_case {
	const char *name;
	u32 pending;
	int signal_at;		/* 1-based read that signals, 0: none */
};

static const struct pending_case pending_cases[] = {
	{ "pending 1024: exactly 1024 free is still blocked", 1024, 4 },
	{ "pending 1000", 1000, 3 },
	{ "pending dsize - 8: only the empty ring", SIMT_DSIZE - 8, 15 },
	{ "pending dsize - 1: only the empty ring", SIMT_DSIZE - 1, 15 },
	{ "pending dsize: never", SIMT_DSIZE, 0 },
	{ "pending 0: never", 0, 0 },
};

static void pending_case_desc(const struct pending_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(pending, pending_cases, pending_case_desc);

#define PENDING_PKT	256

static void pending_send_crossing(struct kunit *test)
{
	const struct pending_case *c = test->param_value;
	struct simt *t = test->priv;
	u64 signals;
	int n, i;

	simt_start(t);
	n = simt_host_fill(t, PENDING_PKT);
	/* 4096 bytes, one slot kept free: 15 packets, 256 bytes left */
	KUNIT_ASSERT_EQ(test, n, 15);
	KUNIT_ASSERT_EQ(test, vmbus_sim_set_pending_send_size(t->sim, c->pending), 0);
	signals = simt_stats(t).signals;

	for (i = 1; i <= n; i++) {
		KUNIT_ASSERT_EQ(test, simt_guest_drop(t), PENDING_PKT - SIMT_TRAILER);
		KUNIT_EXPECT_EQ_MSG(test, simt_stats(t).signals - signals,
				    (u64)(c->signal_at && i >= c->signal_at),
				    "after read %d", i);
	}
	KUNIT_EXPECT_EQ(test, t->chan->intr_in_full, c->signal_at ? 1 : 0);
}

/* A batch read (one hv_pkt_iter_close()) that crosses signals once. */
static void pending_send_batch(struct kunit *test)
{
	struct simt *t = test->priv;
	struct vmpacket_descriptor *desc;
	u64 signals;
	int n;

	simt_start(t);
	n = simt_host_fill(t, PENDING_PKT);
	KUNIT_ASSERT_EQ(test, n, 15);
	KUNIT_ASSERT_EQ(test, vmbus_sim_set_pending_send_size(t->sim, 2000), 0);
	signals = simt_stats(t).signals;

	foreach_vmbus_pkt(desc, t->chan)
		n--;
	KUNIT_EXPECT_EQ(test, n, 0);
	KUNIT_EXPECT_EQ(test, simt_stats(t).signals, signals + 1);
}

/*
 * The lost wake-up: the guest fills its outbound ring, the host starts draining, and
 * the guest sets pending_send_sz and re-checks while that happens. Either
 * the re-check sees the space or the host's crossing interrupt runs the
 * callback: never neither.
 */
static void pending_send_no_lost_wakeup(struct kunit *test)
{
	struct simt *t = test->priv;
	u32 need = 512;
	int round;

	simt_start(t);
	for (round = 0; round < 40; round++) {
		vmbus_sim_pause_host(t->sim, true);
		/* 4096 bytes, one slot kept free: 7 packets, 512 bytes left */
		KUNIT_ASSERT_EQ(test, simt_guest_fill(t, need), 7);
		reinit_completion(&t->callback);

		vmbus_sim_pause_host(t->sim, false);
		set_channel_pending_send_size(t->chan, need);
		/* pending_send_sz is visible before read_index is re-read */
		virt_mb();
		if (hv_get_bytes_to_write(&t->chan->outbound) <= need)
			KUNIT_ASSERT_NE_MSG(test, wait_for_completion_timeout(&t->callback,
									      SIMT_TIMEOUT),
					    0, "lost wake-up in round %d", round);
		set_channel_pending_send_size(t->chan, 0);
		KUNIT_ASSERT_EQ(test, simt_guest_send_total(t, need, round), 0);
		vmbus_sim_flush_host(t->sim);
	}
}

/* Callback context and masking per callback mode. */
static void read_one(struct simt *t)
{
	struct vmpacket_descriptor *desc = hv_pkt_iter_first(t->chan);

	if (desc) {
		__hv_pkt_iter_next(t->chan, desc);
		hv_pkt_iter_close(t->chan);
	}
}

static void send_three_bh_off(struct simt *t)
{
	int i;

	/*
	 * no softirq runs in between: all three are in the ring first. The
	 * channel's tasklet runs on its target CPU (hv_vmbus schedules it
	 * there from the ISR), so this runs there too.
	 */
	KUNIT_ASSERT_EQ(t->test, set_cpus_allowed_ptr(current, cpumask_of(t->chan->target_cpu)),
			0);
	local_bh_disable();
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(t->test, simt_host_send_total(t, 64, i), 0);
	local_bh_enable();
	set_cpus_allowed_ptr(current, cpu_possible_mask);
}

static void batched_masks_and_reschedules(struct kunit *test)
{
	struct simt *t = test->priv;
	u64 interrupts;

	t->mode = HV_CALL_BATCHED;
	t->guest_cb = read_one;
	simt_start(t);
	interrupts = simt_stats(t).interrupts;

	send_three_bh_off(t);
	KUNIT_EXPECT_TRUE(test, simt_wait_callbacks(t, 3));
	/* one interrupt, then hv_end_read() found more and re-ran the tasklet */
	KUNIT_EXPECT_EQ(test, simt_stats(t).interrupts, interrupts + 1);
	KUNIT_EXPECT_EQ(test, t->chan->interrupts, 1);
	KUNIT_EXPECT_TRUE(test, t->cb_softirq);
	KUNIT_EXPECT_FALSE(test, t->cb_hardirq);
	KUNIT_EXPECT_EQ(test, t->cb_mask, 1);
	KUNIT_EXPECT_EQ(test, t->chan->inbound.ring_buffer->interrupt_mask, 0);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_read(&t->chan->inbound), 0);
}

static void direct_neither_masks_nor_reschedules(struct kunit *test)
{
	struct simt *t = test->priv;

	t->mode = HV_CALL_DIRECT;
	t->guest_cb = read_one;
	simt_start(t);

	send_three_bh_off(t);
	KUNIT_EXPECT_TRUE(test, simt_wait_callbacks(t, 1));
	KUNIT_EXPECT_TRUE(test, simt_no_more_callbacks(t, 1));
	KUNIT_EXPECT_TRUE(test, t->cb_softirq);
	KUNIT_EXPECT_EQ(test, t->cb_mask, 0);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_read(&t->chan->inbound), 128);
}

static void isr_runs_in_hardirq(struct kunit *test)
{
	struct simt *t = test->priv;

	t->mode = HV_CALL_ISR;
	t->guest_cb = read_one;
	simt_start(t);

	KUNIT_ASSERT_EQ(test, simt_host_send_total(t, 64, 1), 0);
	KUNIT_EXPECT_TRUE(test, simt_wait_callbacks(t, 1));
	KUNIT_EXPECT_TRUE(test, t->cb_hardirq);
	KUNIT_EXPECT_EQ(test, t->cb_mask, 0);
	KUNIT_EXPECT_EQ(test, hv_get_bytes_to_read(&t->chan->inbound), 0);
}

/* A host that interrupts for nothing still reaches the callback. */
static void spurious_interrupt(struct kunit *test)
{
	struct simt *t = test->priv;

	simt_start(t);
	KUNIT_ASSERT_EQ(test, vmbus_sim_interrupt(t->sim), 0);
	KUNIT_EXPECT_TRUE(test, simt_wait_callbacks(t, 1));
	KUNIT_EXPECT_EQ(test, simt_stats(t).interrupts, 1);
}

static struct kunit_case vmbus_sim_signal_cases[] = {
	KUNIT_CASE(guest_signals_on_empty_to_nonempty),
	KUNIT_CASE(guest_silent_while_host_masks),
	KUNIT_CASE(host_interrupts_on_empty_to_nonempty),
	KUNIT_CASE(host_silent_while_guest_masks),
	KUNIT_CASE_PARAM(pending_send_crossing, pending_gen_params),
	KUNIT_CASE(pending_send_batch),
	KUNIT_CASE(pending_send_no_lost_wakeup),
	KUNIT_CASE(batched_masks_and_reschedules),
	KUNIT_CASE(direct_neither_masks_nor_reschedules),
	KUNIT_CASE(isr_runs_in_hardirq),
	KUNIT_CASE(spurious_interrupt),
	{}
};

static struct kunit_suite vmbus_sim_signal_suite = {
	.name = "vmbus_sim_signal",
	.init = signal_init,
	.exit = simt_exit,
	.test_cases = vmbus_sim_signal_cases,
};

kunit_test_suite(vmbus_sim_signal_suite);

MODULE_DESCRIPTION("KUnit tests for vmbus_sim's signalling");
MODULE_LICENSE("GPL");
