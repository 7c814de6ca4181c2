// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vmbkmcl's trace events: probes attached to the exported
 * tracepoints see every state change, send, completion and delivery with
 * the channel and the values of the packet; and the formatted output in
 * the trace buffer, with the events enabled through tracefs as a user
 * enables them, names the channel by its friendly name.
 */
#include <kunit/test.h>
#include <linux/trace_events.h>
#include <linux/tracepoint.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0081, 0x4e11, 0x9a, 0x81, \
				 0x74, 0x72, 0x61, 0x63, 0x00, 0x00)
#include "vmb_test_host.h"
#include "vmb_rx_client.h"
#include "vmb_debugfs_files.h"

#include "../drivers/vmbkmcl/channel.h"
#include "../drivers/vmbkmcl/completion.h"
#include "../drivers/vmbkmcl/packet.h"
#include "../drivers/vmbkmcl/trace.h"

#define WAIT VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define REQ VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED
#define MAX_EVENTS 512
#define TRACING "/sys/kernel/debug/tracing"

enum ev_kind { EV_SEND, EV_COMPLETION, EV_DELIVERY, EV_STATE };

struct ev {
	enum ev_kind kind;
	char name[VMB_LABEL_LEN];
	const void *pkt;
	u64 trans_id;
	u32 length;
	u32 flags;
	u16 type;
	bool queued;
	bool requested;
	bool passive;
	NTSTATUS status;
	enum vmb_state old_state, new_state;
};

struct rec {
	spinlock_t lock;		/* guards n and ev */
	const struct vmb_channel *ch;
	u32 n;
	struct ev ev[MAX_EVENTS];
};

static struct rec *rec_current;

/* Start an event of @ch, if it is the recorded channel's. */
static bool begin(struct rec *r, const struct vmb_channel *ch, enum ev_kind kind,
		  struct ev *e)
{
	if (ch != READ_ONCE(r->ch))
		return false;
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	memcpy(e->name, ch->obs.label, sizeof(e->name));
	return true;
}

static void record(struct rec *r, const struct ev *e)
{
	unsigned long flags;

	spin_lock_irqsave(&r->lock, flags);
	if (r->n < MAX_EVENTS)
		r->ev[r->n++] = *e;
	spin_unlock_irqrestore(&r->lock, flags);
}

static void on_send(void *data, const struct vmb_channel *ch, const struct vmb_packet *pkt,
		    u32 length, bool queued)
{
	struct ev e;

	if (!begin(data, ch, EV_SEND, &e))
		return;
	e.pkt = pkt;
	e.trans_id = pkt->trans_id;
	e.length = length;
	e.flags = pkt->flags;
	e.queued = queued;
	record(data, &e);
}

static void on_completion(void *data, const struct vmb_packet *pkt, NTSTATUS status,
			  u32 length)
{
	struct ev e;

	if (!begin(data, pkt->channel, EV_COMPLETION, &e))
		return;
	e.pkt = pkt;
	e.trans_id = pkt->trans_id;
	e.status = status;
	e.length = length;
	record(data, &e);
}

static void on_delivery(void *data, const struct vmb_channel *ch,
			const struct vmb_packet_completion *pc)
{
	struct ev e;

	if (!begin(data, ch, EV_DELIVERY, &e))
		return;
	e.trans_id = pc->trans_id;
	e.length = pc->length;
	e.flags = pc->flags;
	e.type = pc->type;
	e.requested = pc->wants_completion;
	e.passive = in_task();
	record(data, &e);
}

static void on_state(void *data, const struct vmb_channel *ch, enum vmb_state old_state,
		     enum vmb_state new_state)
{
	struct ev e;

	if (!begin(data, ch, EV_STATE, &e))
		return;
	e.old_state = old_state;
	e.new_state = new_state;
	record(data, &e);
}

/* A channel with a friendly name, and probes on all four events. */
static struct rec *start(struct kunit *test, enum vmb_th_model model, struct vmb_th **thp,
			 char *name)
{
	struct vmb_th *th = vmb_th_setup(test, model);
	struct rec *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	spin_lock_init(&r->lock);
	snprintf(name, VMB_LABEL_LEN, "trace-%08x", get_random_u32());
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetFriendlyName(th->ch, name), STATUS_SUCCESS);
	r->ch = th->ch;
	rec_current = r;
	KUNIT_ASSERT_EQ(test, register_trace_vmb_send(on_send, r), 0);
	KUNIT_ASSERT_EQ(test, register_trace_vmb_completion(on_completion, r), 0);
	KUNIT_ASSERT_EQ(test, register_trace_vmb_delivery(on_delivery, r), 0);
	KUNIT_ASSERT_EQ(test, register_trace_vmb_state_change(on_state, r), 0);
	*thp = th;
	return r;
}

static void trace_case_exit(struct kunit *test)
{
	struct rec *r = rec_current;

	if (r) {
		unregister_trace_vmb_send(on_send, r);
		unregister_trace_vmb_completion(on_completion, r);
		unregister_trace_vmb_delivery(on_delivery, r);
		unregister_trace_vmb_state_change(on_state, r);
		/* no probe runs on @r once this returns */
		tracepoint_synchronize_unregister();
		rec_current = NULL;
	}
	vmb_rc_case_exit(test);
}

/* Copies of the events of one kind, in order. */
static u32 events(struct rec *r, enum ev_kind kind, struct ev *out, u32 max)
{
	unsigned long flags;
	u32 i, n = 0;

	spin_lock_irqsave(&r->lock, flags);
	for (i = 0; i < r->n && n < max; i++)
		if (r->ev[i].kind == kind)
			out[n++] = r->ev[i];
	spin_unlock_irqrestore(&r->lock, flags);
	return n;
}

static struct ev *buffer(struct kunit *test)
{
	struct ev *e = kunit_kcalloc(test, MAX_EVENTS, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	return e;
}

static void state_changes_traced(struct kunit *test)
{
	static const enum vmb_state want[][2] = {
		{ VMB_STATE_DISABLED, VMB_STATE_OPENING },
		{ VMB_STATE_OPENING, VMB_STATE_OPEN },
		{ VMB_STATE_OPEN, VMB_STATE_PAUSED },
		{ VMB_STATE_PAUSED, VMB_STATE_OPEN },
		{ VMB_STATE_OPEN, VMB_STATE_CLOSING },
		{ VMB_STATE_CLOSING, VMB_STATE_DISABLED },
	};
	char name[VMB_LABEL_LEN];
	struct vmb_th *th;
	struct rec *r = start(test, VMB_TH_ECHO, &th, name);
	struct ev *e = buffer(test);
	u32 i, n;

	vmb_th_enable(th);
	VmbChannelPause(th->ch);
	VmbChannelStart(th->ch);
	VmbChannelDisable(th->ch);
	n = events(r, EV_STATE, e, MAX_EVENTS);
	KUNIT_ASSERT_EQ(test, n, (u32)ARRAY_SIZE(want));
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_STREQ(test, e[i].name, name);
		KUNIT_EXPECT_EQ_MSG(test, e[i].old_state, want[i][0], "event %u", i);
		KUNIT_EXPECT_EQ_MSG(test, e[i].new_state, want[i][1], "event %u", i);
	}
}

static void failed_opened_traced_back_to_disabled(struct kunit *test)
{
	char name[VMB_LABEL_LEN];
	struct vmb_th *th;
	struct rec *r = start(test, VMB_TH_ECHO, &th, name);
	struct ev *e = buffer(test);

	th->opened_status = STATUS_UNSUCCESSFUL;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(th->ch), STATUS_UNSUCCESSFUL);
	KUNIT_ASSERT_EQ(test, events(r, EV_STATE, e, MAX_EVENTS), 2u);
	KUNIT_EXPECT_EQ(test, e[0].new_state, VMB_STATE_OPENING);
	KUNIT_EXPECT_EQ(test, e[1].old_state, VMB_STATE_OPENING);
	KUNIT_EXPECT_EQ(test, e[1].new_state, VMB_STATE_DISABLED);
}

static void send_and_completion_traced(struct kunit *test)
{
	char name[VMB_LABEL_LEN];
	struct vmb_th *th;
	struct rec *r = start(test, VMB_TH_ECHO, &th, name);
	struct ev *s = buffer(test), *c = buffer(test);
	struct vmb_tp *tp;
	u64 wire_id;

	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 1, 0, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 2, WAIT, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&th->routines) == 2));
	KUNIT_ASSERT_EQ(test, vmb_th_npkts(th), 2u);
	wire_id = vmb_th_pkt(th, 1).trans_id;
	KUNIT_EXPECT_NE(test, wire_id, 0ull);

	KUNIT_ASSERT_EQ(test, events(r, EV_SEND, s, MAX_EVENTS), 2u);
	KUNIT_EXPECT_STREQ(test, s[0].name, name);
	KUNIT_EXPECT_EQ(test, s[0].trans_id, 0ull);
	KUNIT_EXPECT_EQ(test, s[0].length, 8u);
	KUNIT_EXPECT_EQ(test, s[0].flags, 0u);
	KUNIT_EXPECT_FALSE(test, s[0].queued);
	KUNIT_EXPECT_EQ(test, s[1].trans_id, wire_id);
	KUNIT_EXPECT_EQ(test, s[1].flags, (u32)WAIT);
	KUNIT_EXPECT_FALSE(test, s[1].queued);

	/* written without a transaction: done at once, nothing to carry */
	KUNIT_ASSERT_EQ(test, events(r, EV_COMPLETION, c, MAX_EVENTS), 2u);
	KUNIT_EXPECT_STREQ(test, c[0].name, name);
	KUNIT_EXPECT_EQ(test, c[0].trans_id, 0ull);
	KUNIT_EXPECT_EQ(test, c[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, c[0].length, 0u);
	/* the host's completion, echoing the 8 bytes */
	KUNIT_EXPECT_EQ(test, c[1].trans_id, wire_id);
	KUNIT_EXPECT_EQ(test, c[1].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, c[1].length, 8u);

	/* the counters tell the same story as the events */
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, packets_sent), 2ull);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, transactions), 1ull);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_received), 1ull);
}

static void queued_send_traced_when_queued_and_when_written(struct kunit *test)
{
	char name[VMB_LABEL_LEN];
	struct vmb_th *th;
	struct rec *r;
	struct ev *s = buffer(test);
	struct vmb_tp *last;
	u32 i, n, sent;

	r = start(test, VMB_TH_ECHO, &th, name);
	vmb_th_small_rings(th);
	vmb_th_enable(th);
	sent = vmb_th_fill_ring(th, 0, &last);
	n = events(r, EV_SEND, s, MAX_EVENTS);
	KUNIT_ASSERT_EQ(test, n, sent);
	for (i = 0; i + 1 < n; i++)
		KUNIT_EXPECT_FALSE(test, s[i].queued);
	KUNIT_EXPECT_TRUE(test, s[n - 1].queued);
	KUNIT_EXPECT_EQ(test, s[n - 1].trans_id, 0ull);

	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&last->calls) == 1));
	KUNIT_ASSERT_EQ(test, events(r, EV_SEND, s, MAX_EVENTS), sent + 1);
	KUNIT_EXPECT_PTR_EQ(test, s[sent].pkt, s[sent - 1].pkt);
	KUNIT_EXPECT_FALSE(test, s[sent].queued);
	KUNIT_EXPECT_EQ(test, s[sent].length, 8u);
}

static void cancelled_transaction_traced(struct kunit *test)
{
	char name[VMB_LABEL_LEN];
	struct vmb_th *th;
	struct rec *r = start(test, VMB_TH_HOLD, &th, name);
	struct ev *s = buffer(test), *c = buffer(test);
	struct vmb_tp *tp;

	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 1, WAIT, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_EXPECT_EQ(test, events(r, EV_COMPLETION, c, MAX_EVENTS), 0u);
	VmbChannelDisable(th->ch);
	KUNIT_ASSERT_EQ(test, events(r, EV_SEND, s, MAX_EVENTS), 1u);
	KUNIT_ASSERT_EQ(test, events(r, EV_COMPLETION, c, MAX_EVENTS), 1u);
	KUNIT_EXPECT_EQ(test, c[0].status, STATUS_CANCELLED);
	KUNIT_EXPECT_EQ(test, c[0].trans_id, s[0].trans_id);
	KUNIT_EXPECT_EQ(test, c[0].trans_id, vmb_th_pkt(th, 0).trans_id);
}

static void delivery_traced(struct kunit *test)
{
	char name[VMB_LABEL_LEN];
	struct vmb_th *th;
	struct rec *r = start(test, VMB_TH_ECHO, &th, name);
	struct vmb_rc *rc = vmb_rc_setup(test, th, VMB_RC_COMPLETE);
	struct ev *d = buffer(test);
	u8 payload[24] = { 0x5a };

	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND, REQ, 77, payload,
					     sizeof(payload)), 0);
	KUNIT_ASSERT_EQ(test, vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND, 0, 0, payload, 8), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 2));
	KUNIT_ASSERT_EQ(test, events(r, EV_DELIVERY, d, MAX_EVENTS), 2u);
	KUNIT_EXPECT_STREQ(test, d[0].name, name);
	KUNIT_EXPECT_EQ(test, d[0].trans_id, 77ull);
	KUNIT_EXPECT_EQ(test, d[0].type, (u16)VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, d[0].length, 24u);
	KUNIT_EXPECT_TRUE(test, d[0].requested);
	KUNIT_EXPECT_FALSE(test, d[0].passive);
	KUNIT_EXPECT_EQ(test, d[1].trans_id, 0ull);
	KUNIT_EXPECT_EQ(test, d[1].length, 8u);
	KUNIT_EXPECT_FALSE(test, d[1].requested);

	/* one event per ProcessPacket call, as counted */
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, process_packet_calls), 2ull);
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, packets_delivered), 2ull);
}

/*
 * Events switched on as "echo 1 > events/vmbkmcl/<event>/enable" does
 * (kernel_write() cannot write tracefs files), read back from the trace
 * file.
 */
static bool events_on;

static void set_events(bool on)
{
	events_on = on;
	trace_set_clr_event("vmbkmcl", "vmb_state_change", on);
	trace_set_clr_event("vmbkmcl", "vmb_completion", on);
}

static void trace_output_names_channel(struct kunit *test)
{
	char name[VMB_LABEL_LEN], want[96];
	size_t size = 64 * 1024;
	char *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	struct vmb_th *th;
	struct vmb_tp *tp;
	u64 wire_id;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	start(test, VMB_TH_ECHO, &th, name);
	events_on = true;
	KUNIT_ASSERT_EQ(test, trace_set_clr_event("vmbkmcl", "vmb_state_change", 1), 0);
	KUNIT_ASSERT_EQ(test, trace_set_clr_event("vmbkmcl", "vmb_completion", 1), 0);

	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, 1, WAIT, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	wire_id = vmb_th_pkt(th, 0).trans_id;
	set_events(false);

	/* the channel's name is new: older events in the buffer do not match */
	KUNIT_ASSERT_GT(test, vmb_seq_read_path(TRACING "/trace", buf, size), 0);
	snprintf(want, sizeof(want), "vmb_state_change: %s Disabled -> Opening\n", name);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, want), "no \"%s\" in the trace", want);
	snprintf(want, sizeof(want), "vmb_state_change: %s Opening -> Open\n", name);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, want), "no \"%s\" in the trace", want);
	snprintf(want, sizeof(want), "vmb_completion: %s trans_id=%llu status=0x0 length=8\n",
		 name, wire_id);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, want), "no \"%s\" in the trace", want);
}

/* Events switched on are switched off again whatever failed. */
static void case_exit(struct kunit *test)
{
	if (events_on)
		set_events(false);
	trace_case_exit(test);
}

static struct kunit_case vmb_trace_cases[] = {
	KUNIT_CASE(state_changes_traced),
	KUNIT_CASE(failed_opened_traced_back_to_disabled),
	KUNIT_CASE(send_and_completion_traced),
	KUNIT_CASE(queued_send_traced_when_queued_and_when_written),
	KUNIT_CASE(cancelled_transaction_traced),
	KUNIT_CASE(delivery_traced),
	KUNIT_CASE(trace_output_names_channel),
	{ }
};

static struct kunit_suite vmb_trace_suite = {
	.name = "vmb_trace",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = case_exit,
	.test_cases = vmb_trace_cases,
};

kunit_test_suite(vmb_trace_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl's trace events");
MODULE_LICENSE("GPL");
