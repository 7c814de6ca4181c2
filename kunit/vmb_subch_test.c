// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for sub-channels (VmbChannelInitSetPrimaryChannel()) and the
 * target processor (VmbClientChannelInitSetTargetProcessorIndex()): a
 * primary and N sub-channels, each opened as a channel of its own on a
 * sub-channel offer of the host, each delivering on its own CPU; traffic
 * on all at once; a sub-channel disabled alone; the primary rescinded
 * with its sub-channels open; invalid indexes and calls refused.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/smp.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0051, 0x4e11, 0x9a, 0x51, \
				 0x73, 0x75, 0x62, 0x63, 0x68, 0x31)
#include "vmb_test_host.h"

#define NSUB		3
#define TRAFFIC		200
#define WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

/* One sub-channel: the host's device and the guest's channel. */
struct subch;

struct sc {
	struct subch *s;
	struct vmbus_sim_device *sim;
	VMBCHANNEL ch;
	int cpu;			/* the target asked for */
	atomic_t host_pkts;		/* guest packets the host read */
	atomic_t delivered;		/* ProcessPacket calls */
	atomic_t wrong_cpu;		/* ... on another CPU than cpu */
	atomic_t done;			/* completion routines, success */
	atomic_t cancelled;		/* ... STATUS_CANCELLED */
	atomic_t closed;		/* Closed callbacks */
	wait_queue_head_t wq;
};

struct subch {
	struct vmb_th *th;
	struct sc sc[NSUB];
	atomic_t primary_delivered;
	atomic_t primary_wrong_cpu;
	int primary_cpu;
};

/* The host of each sub-channel completes what asks for it, echoing. */
static void sc_host_packet(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt)
{
	struct sc *sc = vmbus_sim_host_context(dev);

	if (pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
		vmbus_sim_complete(dev, pkt->trans_id, pkt->data, min_t(u32, pkt->length, 8));
	atomic_inc(&sc->host_pkts);
	wake_up_all(&sc->wq);
}

static const struct vmbus_sim_host_ops sc_host_ops = {
	.packet = sc_host_packet,
};

/* ProcessPacket of a sub-channel, whose pointer is its struct sc */
static void sc_process(VMBCHANNEL ch, VMBPACKETCOMPLETION packet, void *buffer, u32 length,
		       u32 flags)
{
	struct sc *sc = VmbChannelGetPointer(ch);

	if (raw_smp_processor_id() != sc->cpu)
		atomic_inc(&sc->wrong_cpu);
	VmbChannelPacketComplete(packet, NULL, 0);
	atomic_inc(&sc->delivered);
	wake_up_all(&sc->wq);
}

/* ProcessPacket of the primary, whose pointer is the fixture's */
static void primary_process(VMBCHANNEL ch, VMBPACKETCOMPLETION packet, void *buffer,
			    u32 length, u32 flags)
{
	struct vmb_th *th = VmbChannelGetPointer(ch);
	struct subch *s = th->priv;

	if (raw_smp_processor_id() != s->primary_cpu)
		atomic_inc(&s->primary_wrong_cpu);
	VmbChannelPacketComplete(packet, NULL, 0);
	atomic_inc(&s->primary_delivered);
	wake_up_all(&th->wq);
}

static void sc_closed(VMBCHANNEL ch)
{
	struct sc *sc = VmbChannelGetPointer(ch);

	atomic_inc(&sc->closed);
	wake_up_all(&sc->wq);
}

static void sc_routine(VMBPACKET packet, NTSTATUS status, void *buffer, u32 length)
{
	struct sc *sc = VmbPacketGetPointer(packet);

	if (status == STATUS_CANCELLED)
		atomic_inc(&sc->cancelled);
	else if (status == STATUS_SUCCESS)
		atomic_inc(&sc->done);
	VmbPacketFree(packet);
	wake_up_all(&sc->wq);
}

/* The CPU for channel @i: spread over the online CPUs (2 in the harness). */
static int cpu_for(int i)
{
	int n = num_online_cpus(), cpu, k = i % n;

	for_each_online_cpu(cpu)
		if (!k--)
			return cpu;
	return 0;
}

static struct subch *subch_setup(struct kunit *test, bool primary_cpu)
{
	struct subch *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct vmb_th *th;

	KUNIT_ASSERT_NOT_NULL(test, s);
	th = vmb_th_setup(test, VMB_TH_ECHO);
	s->th = th;
	s->primary_cpu = primary_cpu ? cpu_for(1) : 0;
	th->priv = s;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(th->ch, primary_process,
								      NULL),
			STATUS_SUCCESS);
	if (primary_cpu)
		KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(th->ch,
										  s->primary_cpu),
				STATUS_SUCCESS);
	return s;
}

/* Offer sub-channel @i at the host and make its guest channel. */
static void sc_make(struct kunit *test, struct subch *s, int i, bool target)
{
	struct vmb_channel_state_change_callbacks cb;
	struct sc *sc = &s->sc[i];

	sc->s = s;
	init_waitqueue_head(&sc->wq);
	sc->cpu = target ? cpu_for(i) : 0;
	sc->sim = vmbus_sim_offer_subchannel(s->th->sim, i + 1, &sc_host_ops, sc);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(sc->sim), "offer_subchannel: %ld",
			       PTR_ERR(sc->sim));
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(&s->th->hv_dev->device, false, &sc->ch),
			STATUS_SUCCESS);
	VmbChannelSetPointer(sc->ch, sc);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetPrimaryChannel(sc->ch, s->th->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(sc->ch, sc_process, NULL),
			STATUS_SUCCESS);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	cb.closed = sc_closed;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(sc->ch, &cb), STATUS_SUCCESS);
	if (target)
		KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(sc->ch, sc->cpu),
				STATUS_SUCCESS);
}

static void subch_exit(struct kunit *test)
{
	struct vmb_th *th = test->priv;
	struct subch *s = th ? th->priv : NULL;
	int i;

	/* sub-channels first: a primary outlives them */
	for (i = 0; s && i < NSUB; i++) {
		if (s->sc[i].ch)
			VmbChannelCleanup(s->sc[i].ch);
		s->sc[i].ch = NULL;
	}
	vmb_th_case_exit(test);
}

static NTSTATUS sc_send(struct sc *sc, u64 seq, u32 flags)
{
	VMBPACKET pkt = VmbPacketAllocate(sc->ch);
	NTSTATUS status;

	if (!pkt)
		return STATUS_INSUFFICIENT_RESOURCES;
	VmbPacketSetPointer(pkt, sc);
	VmbPacketSetCompletionRoutine(pkt, sc_routine);
	status = VmbPacketSend(pkt, &seq, sizeof(seq), NULL, flags);
	if (status)
		VmbPacketFree(pkt);
	return status;
}

#define sc_wait(sc, cond) (wait_event_timeout((sc)->wq, (cond), VMB_TH_WAIT) > 0)

/* Primary + N sub-channels, each on its own offer and its own CPU. */
static void subch_each_on_its_cpu(struct kunit *test)
{
	struct subch *s = subch_setup(test, true);
	struct vmbus_sim_stats st;
	u64 seq = 7;
	int i;

	vmb_th_enable(s->th);
	KUNIT_EXPECT_EQ(test, vmbus_sim_interrupt_cpu(s->th->sim), s->primary_cpu);
	for (i = 0; i < NSUB; i++) {
		sc_make(test, s, i, true);
		KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->sc[i].ch), STATUS_SUCCESS);
	}
	for (i = 0; i < NSUB; i++) {
		struct sc *sc = &s->sc[i];

		/* each sub-channel opened its own offer, on the CPU it asked for */
		vmbus_sim_get_stats(sc->sim, &st);
		KUNIT_EXPECT_EQ(test, st.opens, 1);
		KUNIT_EXPECT_EQ(test, vmbus_sim_interrupt_cpu(sc->sim), sc->cpu);

		KUNIT_ASSERT_EQ(test, vmbus_sim_send(sc->sim, VM_PKT_DATA_INBAND, 0, 0, &seq,
						     sizeof(seq)), 0);
		KUNIT_EXPECT_TRUE(test, sc_wait(sc, atomic_read(&sc->delivered) == 1));
		KUNIT_EXPECT_EQ(test, atomic_read(&sc->wrong_cpu), 0);

		KUNIT_ASSERT_EQ(test, sc_send(sc, i, WAIT), STATUS_SUCCESS);
		KUNIT_EXPECT_TRUE(test, sc_wait(sc, atomic_read(&sc->done) == 1));
	}
	/* the primary's traffic stays on the primary */
	KUNIT_ASSERT_EQ(test, vmbus_sim_send(s->th->sim, VM_PKT_DATA_INBAND, 0, 0, &seq,
					     sizeof(seq)), 0);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(s->th, atomic_read(&s->primary_delivered) == 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->primary_wrong_cpu), 0);
	for (i = 0; i < NSUB; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&s->sc[i].delivered), 1);

	/* the primary's Disable closes its sub-channels: Closed, then Disabled */
	VmbChannelDisable(s->th->ch);
	for (i = 0; i < NSUB; i++) {
		vmbus_sim_get_stats(s->sc[i].sim, &st);
		KUNIT_EXPECT_EQ(test, st.closes, 1);
		KUNIT_EXPECT_EQ(test, atomic_read(&s->sc[i].closed), 1);
		KUNIT_EXPECT_EQ(test, VmbChannelEnable(s->sc[i].ch), STATUS_INVALID_DEVICE_STATE);
	}
}

/* Host and guest traffic on every channel at once. */
static void subch_traffic_all_at_once(struct kunit *test)
{
	struct subch *s = subch_setup(test, false);
	int i, k, sent;
	u64 seq;

	vmb_th_enable(s->th);
	for (i = 0; i < NSUB; i++) {
		sc_make(test, s, i, true);
		KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->sc[i].ch), STATUS_SUCCESS);
	}
	for (k = 0; k < TRAFFIC; k++) {
		for (i = 0; i < NSUB; i++) {
			seq = k;
			/* a full ring is the host's to retry */
			for (sent = 0; sent < 1000; sent++) {
				if (vmbus_sim_send(s->sc[i].sim, VM_PKT_DATA_INBAND, 0, 0, &seq,
						   sizeof(seq)) != -EAGAIN)
					break;
				usleep_range(100, 200);
			}
			KUNIT_ASSERT_EQ(test, sc_send(&s->sc[i], k, WAIT), STATUS_SUCCESS);
		}
	}
	for (i = 0; i < NSUB; i++) {
		struct sc *sc = &s->sc[i];

		KUNIT_EXPECT_TRUE(test, sc_wait(sc, atomic_read(&sc->delivered) == TRAFFIC));
		KUNIT_EXPECT_TRUE(test, sc_wait(sc, atomic_read(&sc->done) == TRAFFIC));
		/* the host counts after it completed */
		KUNIT_EXPECT_TRUE(test, sc_wait(sc, atomic_read(&sc->host_pkts) == TRAFFIC));
		KUNIT_EXPECT_EQ(test, atomic_read(&sc->wrong_cpu), 0);
		KUNIT_EXPECT_EQ(test, atomic_read(&sc->cancelled), 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&s->primary_delivered), 0);
}

/* The host rescinds the primary with its sub-channels open. */
static void subch_rescind_primary(struct kunit *test)
{
	struct subch *s = subch_setup(test, false);
	struct vmbus_sim_stats st;
	int i;

	vmb_th_enable(s->th);
	for (i = 0; i < NSUB; i++) {
		sc_make(test, s, i, true);
		KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->sc[i].ch), STATUS_SUCCESS);
	}
	/* one transaction the host never answers, on each sub-channel */
	for (i = 0; i < NSUB; i++) {
		vmbus_sim_pause_host(s->sc[i].sim, true);
		KUNIT_ASSERT_EQ(test, sc_send(&s->sc[i], i, WAIT), STATUS_SUCCESS);
	}

	/* sub-channels first, then the primary: the driver's remove disables it */
	vmbus_sim_rescind(s->th->sim);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(s->th, READ_ONCE(s->th->removed)));
	for (i = 0; i < NSUB; i++) {
		struct sc *sc = &s->sc[i];

		KUNIT_EXPECT_EQ(test, atomic_read(&sc->closed), 1);
		KUNIT_EXPECT_EQ(test, atomic_read(&sc->cancelled), 1);
		KUNIT_EXPECT_EQ(test, atomic_read(&sc->done), 0);
		KUNIT_EXPECT_EQ(test, sc_send(sc, 9, WAIT), STATUS_SUCCESS);
		/* queued while Disabled, cancelled by Cleanup */
		KUNIT_EXPECT_EQ(test, VmbChannelEnable(sc->ch), STATUS_INVALID_DEVICE_STATE);
		vmbus_sim_get_stats(sc->sim, &st);
		KUNIT_EXPECT_EQ(test, st.closes, 1);
		VmbChannelCleanup(sc->ch);
		sc->ch = NULL;
		KUNIT_EXPECT_EQ(test, atomic_read(&sc->cancelled), 2);
	}
}

/* A sub-channel disabled alone; the others and the primary go on. */
static void subch_disable_one(struct kunit *test)
{
	struct subch *s = subch_setup(test, false);
	struct vmbus_sim_stats st;
	u64 seq = 3;
	int i;

	vmb_th_enable(s->th);
	for (i = 0; i < 2; i++) {
		sc_make(test, s, i, false);
		KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->sc[i].ch), STATUS_SUCCESS);
	}
	VmbChannelDisable(s->sc[0].ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->sc[0].closed), 1);
	/* hv_vmbus closes it with the primary: parked, not given again */
	vmbus_sim_get_stats(s->sc[0].sim, &st);
	KUNIT_EXPECT_EQ(test, st.closes, 0);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(s->sc[0].ch), STATUS_INVALID_DEVICE_STATE);
	/* nothing reaches the disabled one */
	KUNIT_EXPECT_EQ(test, vmbus_sim_send(s->sc[0].sim, VM_PKT_DATA_INBAND, 0, 0, &seq,
					     sizeof(seq)), 0);
	KUNIT_ASSERT_EQ(test, vmbus_sim_send(s->sc[1].sim, VM_PKT_DATA_INBAND, 0, 0, &seq,
					     sizeof(seq)), 0);
	KUNIT_EXPECT_TRUE(test, sc_wait(&s->sc[1], atomic_read(&s->sc[1].delivered) == 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->sc[0].delivered), 0);

	/* a new offer serves it again */
	s->sc[2].s = s;
	init_waitqueue_head(&s->sc[2].wq);
	s->sc[2].sim = vmbus_sim_offer_subchannel(s->th->sim, 3, &sc_host_ops, &s->sc[0]);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s->sc[2].sim));
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(s->sc[0].ch), STATUS_SUCCESS);
	vmbus_sim_get_stats(s->sc[2].sim, &st);
	KUNIT_EXPECT_EQ(test, st.opens, 1);

	VmbChannelDisable(s->th->ch);
	vmbus_sim_get_stats(s->sc[0].sim, &st);
	KUNIT_EXPECT_EQ(test, st.closes, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->sc[0].closed), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->sc[1].closed), 1);
}

/* Wrong calls: each with its documented status. */
static void subch_refused(struct kunit *test)
{
	struct subch *s = subch_setup(test, false);
	struct vmb_th *th = s->th;
	VMBCHANNEL other;

	/* no sub-channel offer, or the primary not open */
	sc_make(test, s, 0, false);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(s->sc[0].ch), STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(s->sc[0].ch, NULL),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(th->ch, th->ch),
			STATUS_INVALID_PARAMETER_2);
	/* a sub-channel is no primary, and a primary no sub-channel */
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(&th->hv_dev->device, false, &other),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(other, s->sc[0].ch),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(th->ch, other),
			STATUS_INVALID_PARAMETER_1);
	VmbChannelCleanup(other);
	/* a channel bound by class GUID has no fixed device */
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(NULL, false, &other), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(other, th->ch),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(th->ch, other),
			STATUS_INVALID_PARAMETER_2);
	VmbChannelCleanup(other);

	/* target processor indexes */
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(th->ch, nr_cpu_ids),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(th->ch, U32_MAX),
			STATUS_INVALID_PARAMETER_2);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(th->ch, 0),
			STATUS_INVALID_PARAMETER_1);
	/* a sub-channel already */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(s->sc[0].ch, th->ch),
			STATUS_INVALID_PARAMETER_1);
	/* open primary, still no offer */
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(s->sc[0].ch), STATUS_INVALID_DEVICE_STATE);
}

/* The target is honoured, and hv_vmbus's own is back after the close. */
static void subch_target_honoured(struct kunit *test)
{
	struct subch *s = subch_setup(test, true);
	struct vmbus_channel *chan = s->th->hv_dev->channel;
	int before = chan->target_cpu;
	u64 seq = 1;
	int k;

	vmb_th_enable(s->th);
	KUNIT_EXPECT_EQ(test, (int)chan->target_cpu, s->primary_cpu);
	KUNIT_EXPECT_EQ(test, vmbus_sim_interrupt_cpu(s->th->sim), s->primary_cpu);
	for (k = 0; k < 20; k++)
		KUNIT_ASSERT_EQ(test, vmbus_sim_send(s->th->sim, VM_PKT_DATA_INBAND, 0, 0, &seq,
						     sizeof(seq)), 0);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(s->th, atomic_read(&s->primary_delivered) == 20));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->primary_wrong_cpu), 0);
	VmbChannelDisable(s->th->ch);
	KUNIT_EXPECT_EQ(test, (int)chan->target_cpu, before);
}

static struct kunit_case subch_cases[] = {
	KUNIT_CASE(subch_each_on_its_cpu),
	KUNIT_CASE(subch_traffic_all_at_once),
	KUNIT_CASE(subch_rescind_primary),
	KUNIT_CASE(subch_disable_one),
	KUNIT_CASE(subch_refused),
	KUNIT_CASE(subch_target_honoured),
	{}
};

static struct kunit_suite subch_suite = {
	.name = "vmb_subch",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = subch_exit,
	.test_cases = subch_cases,
};

kunit_test_suite(subch_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl sub-channels and target processors");
MODULE_LICENSE("GPL");
