// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for Pause and Start: delivery stops with Suspend and resumes
 * with Started and PostStarted; Pause and Disable wait for every delivered
 * packet to be completed; deferred packets get their passive call before
 * Suspend; a channel paused while Disabled stays paused when enabled.
 */
#include <kunit/test.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0023, 0x4e11, 0x9a, 0x23, \
				 0x70, 0x61, 0x75, 0x73, 0x65, 0x00)
#include "vmb_test_host.h"
#include "vmb_rx_client.h"

#define REQ VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED

static struct vmb_rc *start(struct kunit *test, enum vmb_rc_policy policy,
			    struct vmb_th **thp)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	*thp = th;
	return vmb_rc_setup(test, th, policy);
}

/* A state call (Pause, Start, Disable) run from a thread of its own. */
struct state_call {
	void (*fn)(VMBCHANNEL channel);
	VMBCHANNEL ch;
	struct completion done;
	struct completion exited;
};

static int state_call_fn(void *arg)
{
	struct state_call *c = arg;

	c->fn(c->ch);
	complete(&c->done);
	kthread_complete_and_exit(&c->exited, 0);
}

static struct state_call *state_call_start(struct kunit *test, void (*fn)(VMBCHANNEL),
					   VMBCHANNEL ch)
{
	struct state_call *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->fn = fn;
	c->ch = ch;
	init_completion(&c->done);
	init_completion(&c->exited);
	task = kthread_run(state_call_fn, c, "vmb_state_call");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	return c;
}

/* Deliveries seen when Suspend ran: none may follow it. */
static atomic_t calls_at_suspend;

static void counting_suspend(VMBCHANNEL ch)
{
	atomic_set(&calls_at_suspend, vmb_rc_calls(vmb_rc_current));
	vmb_th_suspend(ch);
}

static void count_at_suspend(struct vmb_th *th)
{
	struct vmb_channel_state_change_callbacks cb;

	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	cb.opened = vmb_th_opened;
	cb.closed = vmb_th_closed;
	cb.suspend = counting_suspend;
	cb.started = vmb_th_started;
	cb.post_started = vmb_th_post_started;
	KUNIT_ASSERT_EQ(th->test, VmbChannelInitSetStateChangeCallbacks(th->ch, &cb),
			STATUS_SUCCESS);
	atomic_set(&calls_at_suspend, -1);
}

static void pause_stops_and_start_resumes(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	int suspend, started, post;
	u32 i;

	count_at_suspend(th);
	vmb_th_enable(th);
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 32, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 5));
	vmb_th_clear_events(th);

	VmbChannelPause(th->ch);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_SUSPEND), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&calls_at_suspend), 5);
	for (i = 5; i < 10; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 32, REQ), 0);
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 5u);

	VmbChannelStart(th->ch);
	started = vmb_th_find(th, VMB_EV_STARTED);
	post = vmb_th_find(th, VMB_EV_POST_STARTED);
	suspend = vmb_th_find(th, VMB_EV_SUSPEND);
	KUNIT_EXPECT_GT(test, started, suspend);
	KUNIT_EXPECT_GT(test, post, started);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 10));
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 10));
}

static void pause_waits_for_held_packets(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_HOLD, &th);
	struct state_call *c;
	u32 i;

	vmb_th_enable(th);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 32, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 3));

	c = state_call_start(test, VmbChannelPause, th->ch);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_count(th, VMB_EV_SUSPEND) == 1));
	/* the wait ends at once if it is wrong */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&c->done, msecs_to_jiffies(100)), 0UL);
	vmb_rc_release(rc, 2);
	/* the wait ends at once if it is wrong */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&c->done, msecs_to_jiffies(50)), 0UL);
	/* the completions went out while pausing */
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 2));
	vmb_rc_release(rc, 1);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&c->done, VMB_TH_WAIT), 0UL);
	wait_for_completion(&c->exited);
	KUNIT_EXPECT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == 3));
	VmbChannelStart(th->ch);
}

static void disable_waits_for_held_packets(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_HOLD, &th);
	struct state_call *c;
	int suspend, closed;
	u32 i;

	vmb_th_enable(th);
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 32, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 4));

	c = state_call_start(test, VmbChannelDisable, th->ch);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_count(th, VMB_EV_SUSPEND) == 1));
	/* the wait ends at once if it is wrong */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&c->done, msecs_to_jiffies(100)), 0UL);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_CLOSED), 0);
	vmb_rc_release(rc, U32_MAX);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&c->done, VMB_TH_WAIT), 0UL);
	wait_for_completion(&c->exited);
	suspend = vmb_th_find(th, VMB_EV_SUSPEND);
	closed = vmb_th_find(th, VMB_EV_CLOSED);
	KUNIT_EXPECT_GT(test, closed, suspend);
	/* completed before the close: written to the ring (the host may close first) */
	KUNIT_EXPECT_EQ(test, vmb_rc_stat(th, completions_sent), 4ULL);
}

static void paused_while_disabled_stays_paused(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 i;

	VmbChannelPause(th->ch);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_OPENED), 1);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_STARTED), 0);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_POST_STARTED), 0);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_SUSPEND), 0);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 16, 0), 0);
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 0u);

	VmbChannelStart(th->ch);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_STARTED), 1);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_POST_STARTED), 1);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 3));
}

static void disable_of_paused_channel(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);

	vmb_th_enable(th);
	VmbChannelPause(th->ch);
	VmbChannelPause(th->ch);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_SUSPEND), 1);
	VmbChannelDisable(th->ch);
	/* Suspend ran at Pause, not again */
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_SUSPEND), 1);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_CLOSED), 1);

	/* still paused: enabled without Started */
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_STARTED), 1);
	KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, 0, 16, 0), 0);
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 0u);
	VmbChannelStart(th->ch);
	VmbChannelStart(th->ch);
	KUNIT_EXPECT_EQ(test, vmb_th_count(th, VMB_EV_STARTED), 2);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == 1));
}

static u32 first_calls(struct vmb_rc *rc)
{
	u32 i, n = 0;

	for (i = 0; i < vmb_rc_calls(rc); i++)
		n += vmb_rc_rec(rc, i).call == 1;
	return n;
}

static void pause_gives_deferred_packets_their_call(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_DEFER, &th);
	u32 i, n = 10;

	count_at_suspend(th);
	rc->sleep_in_call = true;
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 16, REQ), 0);
	/* every packet was delivered once: the passive calls may still wait */
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, first_calls(rc) == n));
	VmbChannelPause(th->ch);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), 2 * n);
	KUNIT_EXPECT_EQ(test, atomic_read(&calls_at_suspend), (int)(2 * n));
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_host_completions(th) == n));
	VmbChannelStart(th->ch);
}

static void pause_in_passive_mode(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_rc *rc = start(test, VMB_RC_COMPLETE, &th);
	u32 i, n = 30, at_pause;

	count_at_suspend(th);
	rc->sleep_in_call = true;
	VmbChannelSetIncomingProcessingAtPassive(th->ch, true);
	vmb_th_enable(th);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 16, 0), 0);
	VmbChannelPause(th->ch);
	at_pause = vmb_rc_calls(rc);
	KUNIT_EXPECT_EQ(test, atomic_read(&calls_at_suspend), (int)at_pause);
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_rc_calls(rc), at_pause);
	VmbChannelStart(th->ch);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_calls(rc) == n));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, vmb_rc_rec(rc, i).seq, (u64)i);
}

static struct kunit_case vmb_pause_cases[] = {
	KUNIT_CASE(pause_stops_and_start_resumes),
	KUNIT_CASE(pause_waits_for_held_packets),
	KUNIT_CASE(disable_waits_for_held_packets),
	KUNIT_CASE(paused_while_disabled_stays_paused),
	KUNIT_CASE(disable_of_paused_channel),
	KUNIT_CASE(pause_gives_deferred_packets_their_call),
	KUNIT_CASE(pause_in_passive_mode),
	{ }
};

static struct kunit_suite vmb_pause_suite = {
	.name = "vmb_pause",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_rc_case_exit,
	.test_cases = vmb_pause_cases,
};

kunit_test_suite(vmb_pause_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl Pause and Start");
MODULE_LICENSE("GPL");
