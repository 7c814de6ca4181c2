// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vmbkmcl's debugfs files, read through the VFS as a user
 * reads them: the channel's directory carries its friendly name and goes
 * away at Cleanup; state follows Enable, Pause, Start and Disable; ring
 * shows the bytes in each ring; queue shows queued sends, transactions in
 * flight and delivered packets not yet completed; counters move by exactly
 * what the channel did.
 */
#include <kunit/test.h>
#include <linux/delay.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0080, 0x4e11, 0x9a, 0x80, \
				 0x64, 0x62, 0x67, 0x66, 0x00, 0x00)
#include "vmb_test_host.h"
#include "vmb_rx_client.h"
#include "vmb_debugfs_files.h"

#define WAIT VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define REQ VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED
/* an 8-byte inband packet in a ring: descriptor, payload, trailer */
#define SMALL_PACKET_BYTES	(16 + 8 + 8)

static struct vmb_df *new_df(struct kunit *test)
{
	struct vmb_df *df = kunit_kzalloc(test, sizeof(*df), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, df);
	df->test = test;
	return df;
}

/* A channel with a unique friendly name, and its directory. */
static struct vmb_df *start(struct kunit *test, enum vmb_th_model model,
			    struct vmb_th **thp)
{
	struct vmb_th *th = vmb_th_setup(test, model);
	struct vmb_df *df = new_df(test);

	vmb_df_unique_name(df->name, sizeof(df->name), "dbgfs");
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetFriendlyName(th->ch, df->name), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, vmb_df_find(df->name, df->dir), 0);
	*thp = th;
	return df;
}

static void dir_renamed_to_friendly_name(struct kunit *test)
{
	struct vmb_df_list *before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	struct vmb_df_list *after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_df *df = new_df(test);
	char old[VMB_DF_NAME];
	u32 i, gone = 0;
	u64 id;

	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	KUNIT_ASSERT_EQ(test, vmb_df_list(VMB_DF_ROOT, before), 0);
	vmb_df_unique_name(df->name, sizeof(df->name), "dbgfs");
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetFriendlyName(th->ch, df->name), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, vmb_df_list(VMB_DF_ROOT, after), 0);
	KUNIT_ASSERT_EQ(test, vmb_df_find(df->name, df->dir), 0);

	/* "ch<id>-<name>", and the state file agrees on both */
	id = vmb_df_num(df, "state", "id");
	snprintf(old, sizeof(old), "ch%llu", id);
	KUNIT_EXPECT_EQ(test, strncmp(df->dir, old, strlen(old)), 0);
	KUNIT_EXPECT_EQ(test, df->dir[strlen(old)], '-');
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "name"), df->name);

	/* renamed: the unnamed "ch<id>" was there before and is gone */
	KUNIT_EXPECT_TRUE(test, vmb_df_listed(before, old));
	KUNIT_EXPECT_FALSE(test, vmb_df_listed(after, old));
	KUNIT_EXPECT_FALSE(test, vmb_df_listed(before, df->dir));
	for (i = 0; i < before->n; i++)
		gone += !vmb_df_listed(after, before->names[i]);
	KUNIT_EXPECT_EQ(test, gone, 1u);
	KUNIT_EXPECT_EQ(test, after->n, before->n);
}

static void unsafe_name_characters_replaced(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct vmb_df *df = new_df(test);
	char unique[24], name[40], want[48];

	vmb_df_unique_name(unique, sizeof(unique), "x");
	snprintf(name, sizeof(name), "a/b c\t%s", unique);
	snprintf(want, sizeof(want), "a_b_c_%s", unique);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetFriendlyName(th->ch, name), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, vmb_df_find(want, df->dir), 0);
	/* the state file keeps the name as given */
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "name"), name);
}

static void state_follows_lifecycle(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_df *df = start(test, VMB_TH_ECHO, &th);

	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Disabled");
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "ring", "open"), "no");
	vmb_th_enable(th);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Open");
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "paused"), "no");
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "ring", "open"), "yes");
	VmbChannelPause(th->ch);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Paused");
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "paused"), "yes");
	VmbChannelStart(th->ch);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Open");
	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "state"), "Disabled");
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "ring", "open"), "no");
	KUNIT_EXPECT_STREQ(test, vmb_df_text(df, "state", "rescinded"), "no");
}

static void config_shows_init_values(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_df *df = start(test, VMB_TH_ECHO, &th);

	vmb_th_small_rings(th);
	VmbChannelSetTransactionQuota(th->ch, 7);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "config", "max_packet_size"), 1024ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "config", "incoming_pages"), 1ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "config", "outgoing_pages"), 1ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "config", "transaction_quota"), 7ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "ring", "outgoing_size"), 4096ull);
}

static void ring_shows_bytes_in_each_ring(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_df *df = start(test, VMB_TH_ECHO, &th);
	struct vmb_tp *tp;
	u64 i;

	vmb_th_small_rings(th);
	vmb_rc_setup(test, th, VMB_RC_COMPLETE);
	vmb_th_enable(th);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "ring", "outgoing_size"), 4096ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "ring", "incoming_size"), 4096ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "ring", "outgoing_used"), 0ull);

	/* the host reads nothing: three packets stay in the outgoing ring */
	vmbus_sim_pause_host(th->sim, true);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, i, 0, &tp), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "ring", "outgoing_used"),
			3ull * SMALL_PACKET_BYTES);

	/* paused: two host packets stay in the incoming ring */
	VmbChannelPause(th->ch);
	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_EQ(test, vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND, 0, i + 1,
						     &i, sizeof(i)), 0);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "ring", "incoming_used"),
			2ull * SMALL_PACKET_BYTES);

	VmbChannelStart(th->ch);
	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 3));
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "ring", "incoming_used"), 0ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "ring", "outgoing_used"), 0ull);
}

static void queue_and_counters_show_sends_waiting_for_room(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_df *df = start(test, VMB_TH_ECHO, &th);
	struct vmb_tp *first, *tp;
	u32 n;

	vmb_th_small_rings(th);
	vmb_th_enable(th);
	n = vmb_th_fill_ring(th, 0, &first);
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, n, 0, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, n + 1, 0, &tp), STATUS_SUCCESS);

	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "queue", "queued_sends"), 3ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_queued"), 3ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_sent"), (u64)n - 1);
	/* the first queued one found the ring full; the others queued behind it */
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "ring_full"), 1ull);
	KUNIT_EXPECT_NE(test, vmb_df_num(df, "ring", "outgoing_pending_send_sz"), 0ull);

	vmbus_sim_pause_host(th->sim, false);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&tp->calls) == 1));
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "queue", "queued_sends"), 0ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_sent"), (u64)n + 2);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_queued"), 3ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "cancelled"), 0ull);
}

static void counters_count_transactions_and_completions(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_df *df = start(test, VMB_TH_ECHO, &th);
	struct vmb_tp *tp;
	u64 i;

	vmb_th_enable(th);
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, i, WAIT, &tp), STATUS_SUCCESS);
	for (i = 4; i < 6; i++)
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, i, 0, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, atomic_read(&th->routines) == 6));

	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_sent"), 6ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "transactions"), 4ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "completions_received"), 4ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "completions_read"), 4ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_queued"), 0ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "ring_full"), 0ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "cancelled"), 0ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "queue", "in_flight"), 0ull);
}

static void transactions_in_flight_then_cancelled(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_df *df = start(test, VMB_TH_HOLD, &th);
	struct vmb_tp *tp;
	u64 i;

	vmb_th_enable(th);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, vmb_th_send_seq(th, i, WAIT, &tp), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 3));
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "queue", "in_flight"), 3ull);
	KUNIT_EXPECT_NE(test, vmb_df_num(df, "queue", "transaction_slots"), 0ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "transactions"), 3ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "completions_received"), 0ull);

	VmbChannelDisable(th->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&th->cancelled), 3);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "cancelled"), 3ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "queue", "in_flight"), 0ull);
}

static void incoming_delivered_and_completed(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_df *df = start(test, VMB_TH_ECHO, &th);
	struct vmb_rc *rc = vmb_rc_setup(test, th, VMB_RC_HOLD);
	u32 i;

	vmb_th_enable(th);
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, vmb_rc_host_send(th, i, 32, REQ), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_rc_nheld(rc) == 5));
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_delivered"), 5ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "process_packet_calls"), 5ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_completed"), 0ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "queue", "delivered_outstanding"), 5ull);

	KUNIT_EXPECT_EQ(test, vmb_rc_release(rc, 3), 3u);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_completed"), 3ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "completions_sent"), 3ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_failed"), 0ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "queue", "delivered_outstanding"), 2ull);
}

static void host_misbehaviour_counted(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_df *df = start(test, VMB_TH_ECHO, &th);
	u8 pkt[64];
	u64 payload = 0;
	u32 len;

	vmb_rc_setup(test, th, VMB_RC_COMPLETE);
	vmb_th_enable(th);
	/* a completion with flags: rejected by validation */
	len = vmb_rc_packet(pkt, VM_PKT_COMP, REQ, 1, NULL, 0, &payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, vmb_rc_host_raw(th, pkt, len), 0);
	/* a completion naming no transaction */
	vmb_th_complete(th, 999, &payload, sizeof(payload));
	vmb_rc_settle(th);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "host_packets_rejected"), 1ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "unknown_completions_dropped"), 1ull);
	/* the rejected one is not read as a completion, the unknown one is */
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "completions_read"), 1ull);
	KUNIT_EXPECT_EQ(test, vmb_df_num(df, "counters", "packets_delivered"), 0ull);
}

static void dir_removed_at_cleanup(struct kunit *test)
{
	struct vmb_th *th;
	struct vmb_df *df = start(test, VMB_TH_ECHO, &th);

	vmb_th_enable(th);
	KUNIT_ASSERT_EQ(test, vmb_df_read(df->dir, "state", df->buf), 0);
	VmbChannelCleanup(th->ch);
	th->ch = NULL;
	KUNIT_EXPECT_EQ(test, vmb_df_read(df->dir, "state", df->buf), -ENOENT);
	KUNIT_EXPECT_EQ(test, vmb_df_find(df->name, df->dir), -ENOENT);
}

static struct kunit_case vmb_debugfs_cases[] = {
	KUNIT_CASE(dir_renamed_to_friendly_name),
	KUNIT_CASE(unsafe_name_characters_replaced),
	KUNIT_CASE(state_follows_lifecycle),
	KUNIT_CASE(config_shows_init_values),
	KUNIT_CASE(ring_shows_bytes_in_each_ring),
	KUNIT_CASE(queue_and_counters_show_sends_waiting_for_room),
	KUNIT_CASE(counters_count_transactions_and_completions),
	KUNIT_CASE(transactions_in_flight_then_cancelled),
	KUNIT_CASE(incoming_delivered_and_completed),
	KUNIT_CASE(host_misbehaviour_counted),
	KUNIT_CASE(dir_removed_at_cleanup),
	{ }
};

static struct kunit_suite vmb_debugfs_suite = {
	.name = "vmb_debugfs",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_rc_case_exit,
	.test_cases = vmb_debugfs_cases,
};

kunit_test_suite(vmb_debugfs_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl's debugfs files");
MODULE_LICENSE("GPL");
