// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of pipe mode (VMBUS_CHANNEL_INIT_FLAG_IS_PIPE), as the host
 * sees it: the library writes a pipe header before every message and
 * checks and strips the host's; a pipe has no transactions and no external
 * data; a bad header from the host drops that packet only.
 */
#include <kunit/test.h>

#define VMB_TEST_CLASS GUID_INIT(0x766d6201, 0x0030, 0x4e11, 0x9a, 0x30, \
				 0x70, 0x69, 0x70, 0x65, 0x6d, 0x64)
#include "vmb_test_host.h"
#include "../drivers/vmbkmcl/obs.h"
#include "../drivers/vmbkmcl/receive.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define WAIT	VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define MSG_MAX	256

/* What the client and the host saw. */
struct pipe_seen {
	spinlock_t lock;		/* guards the rest */
	/* ProcessPacket */
	unsigned int delivered;
	u32 length;
	u32 flags;
	u8 data[MSG_MAX];
	/* the host: pipe messages the guest wrote, and what was not one */
	unsigned int host_msgs;
	unsigned int host_bad;
	u32 host_raw_length;
	u32 host_length;
	u8 host_data[MSG_MAX];
};

static struct pipe_seen *seen_of(struct vmb_th *th)
{
	return th->priv;
}

static void pipe_process_packet(VMBCHANNEL channel, VMBPACKETCOMPLETION packet,
				void *buffer, u32 length, u32 flags)
{
	struct vmb_th *th = VmbChannelGetPointer(channel);
	struct pipe_seen *s = seen_of(th);
	unsigned long irqflags;

	spin_lock_irqsave(&s->lock, irqflags);
	s->length = length;
	s->flags = flags;
	memcpy(s->data, buffer, min_t(u32, length, MSG_MAX));
	s->delivered++;
	spin_unlock_irqrestore(&s->lock, irqflags);
	VmbChannelPacketComplete(packet, NULL, 0);
	wake_up_all(&th->wq);
}

static void pipe_host_packet(struct vmb_th *th, const struct vmbus_sim_packet *pkt)
{
	struct pipe_seen *s = seen_of(th);
	unsigned long irqflags;
	const void *data;
	u32 length;

	spin_lock_irqsave(&s->lock, irqflags);
	s->host_raw_length = pkt->length;
	if (vmbus_sim_pipe_data(pkt, &data, &length)) {
		s->host_bad++;
	} else {
		s->host_msgs++;
		s->host_length = length;
		memcpy(s->host_data, data, min_t(u32, length, MSG_MAX));
	}
	spin_unlock_irqrestore(&s->lock, irqflags);
}

/* A channel in pipe mode (or not), with the recording callbacks, enabled. */
static struct vmb_th *pipe_setup(struct kunit *test, bool pipe, u32 max_packet)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);
	struct pipe_seen *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	spin_lock_init(&s->lock);
	th->priv = s;
	th->on_packet = pipe_host_packet;
	if (pipe)
		KUNIT_ASSERT_EQ(test, VmbChannelInitSetFlags(th->ch,
							     VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
				STATUS_SUCCESS);
	if (max_packet)
		KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(th->ch, max_packet),
				STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(th->ch,
								      pipe_process_packet, NULL),
			STATUS_SUCCESS);
	vmb_th_enable(th);
	return th;
}

static NTSTATUS send_bytes(struct vmb_th *th, const void *buffer, u32 length, u32 flags)
{
	VMBPACKET packet = VmbPacketAllocate(th->ch);
	NTSTATUS status;

	KUNIT_ASSERT_NOT_NULL(th->test, packet);
	status = VmbPacketSend(packet, buffer, length, NULL, flags);
	if (!NT_SUCCESS(status))
		VmbPacketFree(packet);
	return status;
}

static void flags_unknown_bits_rejected(struct kunit *test)
{
	struct vmb_th *th = vmb_th_setup(test, VMB_TH_ECHO);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(th->ch, 0x2), STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(th->ch, VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(th->ch, 0), STATUS_SUCCESS);
}

static void send_puts_a_pipe_header_before_the_message(struct kunit *test)
{
	static const char msg[] = "pipe message, 30 bytes long..";
	struct vmb_th *th = pipe_setup(test, true, 0);
	struct pipe_seen *s = seen_of(th);

	KUNIT_ASSERT_EQ(test, send_bytes(th, msg, sizeof(msg), 0), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_EXPECT_EQ(test, s->host_msgs, 1u);
	KUNIT_EXPECT_EQ(test, s->host_bad, 0u);
	KUNIT_EXPECT_EQ(test, s->host_length, (u32)sizeof(msg));
	KUNIT_EXPECT_EQ(test, memcmp(s->host_data, msg, sizeof(msg)), 0);
	/* the header, then the message padded to 8 bytes */
	KUNIT_EXPECT_EQ(test, s->host_raw_length, (u32)ALIGN(8 + sizeof(msg), 8));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).type, (u16)VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).flags, (u16)0);
}

static void empty_message_is_a_header_alone(struct kunit *test)
{
	struct vmb_th *th = pipe_setup(test, true, 0);
	struct pipe_seen *s = seen_of(th);

	KUNIT_ASSERT_EQ(test, send_bytes(th, NULL, 0, 0), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_EXPECT_EQ(test, s->host_msgs, 1u);
	KUNIT_EXPECT_EQ(test, s->host_length, 0u);
	KUNIT_EXPECT_EQ(test, s->host_raw_length, 8u);
}

static void without_the_flag_no_header(struct kunit *test)
{
	u64 word = 0x1122334455667788ULL;
	struct vmb_th *th = pipe_setup(test, false, 0);
	struct pipe_seen *s = seen_of(th);

	KUNIT_ASSERT_EQ(test, send_bytes(th, &word, sizeof(word), 0), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_EXPECT_EQ(test, vmb_th_pkt(th, 0).seq, word);
	KUNIT_EXPECT_EQ(test, s->host_raw_length, 8u);
}

static void receive_strips_the_header(struct kunit *test)
{
	static const char msg[] = "thirteen byte";
	struct vmb_th *th = pipe_setup(test, true, 0);
	struct pipe_seen *s = seen_of(th);

	KUNIT_ASSERT_EQ(test, vmbus_sim_pipe_send(th->sim, msg, 13), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, READ_ONCE(s->delivered) == 1));
	/* the exact length the header gives, not the padded VMBus payload */
	KUNIT_EXPECT_EQ(test, s->length, 13u);
	KUNIT_EXPECT_EQ(test, s->flags, 0u);
	KUNIT_EXPECT_EQ(test, memcmp(s->data, msg, 13), 0);
}

static void largest_message_fits_both_ways(struct kunit *test)
{
	struct vmb_th *th = pipe_setup(test, true, 64);
	struct pipe_seen *s = seen_of(th);
	u8 msg[65];

	memset(msg, 0xa5, sizeof(msg));
	KUNIT_EXPECT_EQ(test, send_bytes(th, msg, 65, 0), STATUS_INVALID_PARAMETER);
	KUNIT_ASSERT_EQ(test, send_bytes(th, msg, 64, 0), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 1));
	KUNIT_EXPECT_EQ(test, s->host_length, 64u);

	KUNIT_ASSERT_EQ(test, vmbus_sim_pipe_send(th->sim, msg, 64), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, READ_ONCE(s->delivered) == 1));
	KUNIT_EXPECT_EQ(test, s->length, 64u);
}

static void transactions_and_external_data_refused(struct kunit *test)
{
	struct vmb_th *th = pipe_setup(test, true, 0);
	struct pipe_seen *s = seen_of(th);
	u64 word = 7, reply;
	u32 size = sizeof(reply);
	s64 zero = 0;
	struct vmb_mdl *mdl;
	void *page;

	KUNIT_EXPECT_EQ(test, send_bytes(th, &word, sizeof(word), WAIT),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, &word, sizeof(word),
							       NULL, WAIT, &reply, &size, NULL),
			STATUS_INVALID_PARAMETER);
	page = (void *)get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	mdl = vmb_mdl_from_buffer(page, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdl));
	KUNIT_EXPECT_EQ(test, send_bytes(th, &word, sizeof(word), 0), STATUS_SUCCESS);
	{
		VMBPACKET packet = VmbPacketAllocate(th->ch);

		KUNIT_ASSERT_NOT_NULL(test, packet);
		KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(packet, &word, sizeof(word),
								   mdl, 0, 0, WAIT),
				STATUS_INVALID_PARAMETER);
		VmbPacketFree(packet);
	}
	vmb_mdl_free(mdl);
	free_page((unsigned long)page);

	/* a try-send without a transaction is a pipe message */
	size = 0;
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(th->ch, &word, sizeof(word),
							       NULL, 0, NULL, &size, &zero),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, vmb_th_npkts(th) == 2));
	KUNIT_EXPECT_EQ(test, s->host_msgs, 2u);
	KUNIT_EXPECT_EQ(test, s->host_bad, 0u);
}

/* One inband packet of the host's making: a pipe header and 8 bytes. */
static int send_framed(struct vmb_th *th, u32 type, u32 msgsize, u32 payload)
{
	struct {
		struct vmbuspipe_hdr hdr;
		u64 data;
	} __packed m = { { type, msgsize }, 0x4242424242424242ULL };

	return vmbus_sim_send(th->sim, VM_PKT_DATA_INBAND, 0, 0, &m, payload);
}

static void bad_host_headers_dropped_next_delivered(struct kunit *test)
{
	static const char good[] = "good";
	struct vmb_th *th = pipe_setup(test, true, 0);
	struct pipe_seen *s = seen_of(th);
	struct vmb_counter_values counts;

	/*
	 * shorter than a header (VMBus payloads come in 8-byte units: none);
	 * another type; a length beyond the packet
	 */
	KUNIT_ASSERT_EQ(test, send_framed(th, VMBUS_SIM_PIPE_DATA, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, send_framed(th, 2, 8, 16), 0);
	KUNIT_ASSERT_EQ(test, send_framed(th, VMBUS_SIM_PIPE_DATA, 9, 16), 0);
	KUNIT_ASSERT_EQ(test, send_framed(th, VMBUS_SIM_PIPE_DATA, U32_MAX, 16), 0);
	KUNIT_ASSERT_EQ(test, vmbus_sim_pipe_send(th->sim, good, sizeof(good)), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, READ_ONCE(s->delivered) == 1));
	KUNIT_EXPECT_EQ(test, s->length, (u32)sizeof(good));
	KUNIT_EXPECT_EQ(test, memcmp(s->data, good, sizeof(good)), 0);
	vmb_obs_read_counters(th->ch, &counts);
	KUNIT_EXPECT_EQ(test, counts.host_packets_rejected, 4ull);
	KUNIT_EXPECT_FALSE(test, counts.incoming_failed);
}

static void external_data_from_the_host_dropped(struct kunit *test)
{
	static const char good[] = "after";
	struct vmb_th *th = pipe_setup(test, true, 0);
	struct pipe_seen *s = seen_of(th);
	struct vmb_counter_values counts;
	struct {
		struct vmpacket_descriptor desc;
		u32 reserved;
		u32 rangecount;
		u32 byte_count;
		u32 byte_offset;
		u64 pfn;
		struct vmbuspipe_hdr hdr;
		u64 data;
	} __packed m = {};

	/* a well-formed GPA-direct packet: one range, one frame of guest RAM */
	m.desc.type = VM_PKT_DATA_USING_GPA_DIRECT;
	m.desc.offset8 = offsetof(typeof(m), hdr) >> 3;
	m.desc.len8 = sizeof(m) >> 3;
	m.rangecount = 1;
	m.byte_count = 8;
	m.pfn = virt_to_hvpfn(s);
	m.hdr.flags = VMBUS_SIM_PIPE_DATA;
	m.hdr.msgsize = 8;
	KUNIT_ASSERT_EQ(test, vmbus_sim_send_raw(th->sim, &m, sizeof(m)), 0);
	KUNIT_ASSERT_EQ(test, vmbus_sim_pipe_send(th->sim, good, sizeof(good)), 0);
	KUNIT_ASSERT_TRUE(test, vmb_th_wait(th, READ_ONCE(s->delivered) == 1));
	KUNIT_EXPECT_EQ(test, s->length, (u32)sizeof(good));
	KUNIT_EXPECT_EQ(test, s->flags, 0u);
	vmb_obs_read_counters(th->ch, &counts);
	KUNIT_EXPECT_EQ(test, counts.host_packets_rejected, 1ull);
}

static struct kunit_case vmb_pipe_cases[] = {
	KUNIT_CASE(flags_unknown_bits_rejected),
	KUNIT_CASE(send_puts_a_pipe_header_before_the_message),
	KUNIT_CASE(empty_message_is_a_header_alone),
	KUNIT_CASE(without_the_flag_no_header),
	KUNIT_CASE(receive_strips_the_header),
	KUNIT_CASE(largest_message_fits_both_ways),
	KUNIT_CASE(transactions_and_external_data_refused),
	KUNIT_CASE(bad_host_headers_dropped_next_delivered),
	KUNIT_CASE(external_data_from_the_host_dropped),
	{ }
};

static struct kunit_suite vmb_pipe_suite = {
	.name = "vmb_pipe",
	.suite_init = vmb_th_suite_init,
	.suite_exit = vmb_th_suite_exit,
	.exit = vmb_th_case_exit,
	.test_cases = vmb_pipe_cases,
};

kunit_test_suite(vmb_pipe_suite);

MODULE_DESCRIPTION("KUnit tests of vmbkmcl's pipe mode");
MODULE_LICENSE("GPL");
