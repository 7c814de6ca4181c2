// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the heartbeat sample (samples/heartbeat) against its host
 * model: the VSC, vmb_heartbeat.ko, is loaded by the harness before this
 * module and waits for a heartbeat device; each case offers one through
 * vmb_heartbeat_host.ko, plays Hyper-V's part and checks what the host saw.
 * Nothing here reaches into the VSC: it is tested as a host sees it.
 */
#include <kunit/test.h>
#include <linux/hyperv.h>
#include <linux/string.h>

#include "../samples/heartbeat/vmb_heartbeat_host.h"
#include "../samples/heartbeat/vmb_ic.h"

#define WAIT_MS		10000

/* A host message of the test's making, with room for 101 + 1 versions. */
struct ic_msg {
	struct vmbuspipe_hdr pipe;
	struct icmsg_hdr hdr;
	u8 body[sizeof(struct icmsg_negotiate) + 102 * sizeof(struct ic_version)];
} __packed;

static void expect_version(struct kunit *test, struct ic_version v, u16 major, u16 minor)
{
	KUNIT_EXPECT_EQ(test, v.major, major);
	KUNIT_EXPECT_EQ(test, v.minor, minor);
}

static struct vmb_heartbeat_host *offer(struct kunit *test,
					const struct vmb_heartbeat_host_versions *versions)
{
	struct vmb_heartbeat_host *host = vmb_heartbeat_host_offer(versions);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(host), "vmb_heartbeat_host_offer(): %ld",
			       PTR_ERR(host));
	test->priv = host;
	return host;
}

/* Offered with Hyper-V's versions and negotiated. */
static struct vmb_heartbeat_host *offer_negotiated(struct kunit *test)
{
	struct vmb_heartbeat_host *host = offer(test, NULL);

	KUNIT_ASSERT_EQ_MSG(test, vmb_heartbeat_host_wait_negotiated(host, WAIT_MS), 0,
			    "the heartbeat VSC (vmb_heartbeat.ko) did not bind and negotiate");
	return host;
}

static void destroy(struct kunit *test)
{
	vmb_heartbeat_host_destroy(test->priv);
	test->priv = NULL;
}

static void case_exit(struct kunit *test)
{
	destroy(test);
}

/* A well-formed request; returns its length. */
static u32 build(struct ic_msg *m, u16 type, u32 body_size)
{
	memset(m, 0, sizeof(*m));
	m->hdr.icmsgtype = type;
	m->hdr.icmsgsize = body_size;
	m->hdr.ictransaction_id = 0x5a;
	m->hdr.icflags = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_REQUEST;
	m->pipe.flags = VMB_IC_PIPE_DATA;
	m->pipe.msgsize = sizeof(m->hdr) + body_size;
	return sizeof(m->pipe) + m->pipe.msgsize;
}

static u32 build_negotiation(struct ic_msg *m, u16 n_framework, u16 n_heartbeat, u32 carried)
{
	struct icmsg_negotiate *neg = (struct icmsg_negotiate *)m->body;
	u32 i, len = build(m, ICMSGTYPE_NEGOTIATE,
			   sizeof(*neg) + carried * sizeof(struct ic_version));

	neg->icframe_vercnt = n_framework;
	neg->icmsg_vercnt = n_heartbeat;
	for (i = 0; i < carried; i++)
		neg->icversion_data[i] = (struct ic_version){ 3, 0 };
	return len;
}

static void binds_and_negotiates_highest_versions(struct kunit *test)
{
	struct vmb_heartbeat_host *host = offer_negotiated(test);
	struct vmb_heartbeat_host_record rec;

	vmb_heartbeat_host_get_record(host, &rec);
	KUNIT_EXPECT_EQ(test, rec.opens, 1u);
	KUNIT_EXPECT_EQ(test, rec.negotiations, 1u);
	/* Hyper-V offers 1.0 and 3.0 of both: the guest takes the newest */
	expect_version(test, rec.framework, 3, 0);
	expect_version(test, rec.heartbeat, 3, 0);
	KUNIT_EXPECT_EQ(test, rec.replies, 1u);
	KUNIT_EXPECT_EQ(test, rec.bad, 0u);
}

static void negotiates_what_the_host_offers(struct kunit *test)
{
	static const struct ic_version fw[] = { { 1, 0 } };
	static const struct ic_version hb[] = { { 4, 2 }, { 1, 0 }, { 3, 0 } };
	static const struct ic_version fw2[] = { { 2, 0 }, { 1, 0 }, { 3, 0 } };
	static const struct ic_version hb2[] = { { 1, 0 } };
	struct vmb_heartbeat_host_versions v = { fw, ARRAY_SIZE(fw), hb, ARRAY_SIZE(hb) };
	struct vmb_heartbeat_host *host = offer(test, &v);
	struct vmb_heartbeat_host_record rec;

	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_wait_negotiated(host, WAIT_MS), 0);
	vmb_heartbeat_host_get_record(host, &rec);
	expect_version(test, rec.framework, 1, 0);
	expect_version(test, rec.heartbeat, 3, 0);

	/* the guest's preference decides, not the host's order */
	v = (struct vmb_heartbeat_host_versions){ fw2, ARRAY_SIZE(fw2), hb2, ARRAY_SIZE(hb2) };
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_negotiate(host, &v, WAIT_MS), 0);
	vmb_heartbeat_host_get_record(host, &rec);
	expect_version(test, rec.framework, 3, 0);
	expect_version(test, rec.heartbeat, 1, 0);
	KUNIT_EXPECT_EQ(test, rec.bad, 0u);
}

static void heartbeats_answered_with_next_sequence_number(struct kunit *test)
{
	struct vmb_heartbeat_host *host = offer_negotiated(test);
	struct vmb_heartbeat_host_record rec;
	u64 seq = 1000;
	unsigned int i, n = 32;

	for (i = 0; i < n; i++, seq += 7)
		KUNIT_ASSERT_EQ_MSG(test, vmb_heartbeat_host_beat(host, seq, WAIT_MS), 0,
				    "heartbeat %u (seq %llu)", i, seq);
	vmb_heartbeat_host_get_record(host, &rec);
	KUNIT_EXPECT_EQ(test, rec.beats_sent, (u64)n);
	KUNIT_EXPECT_EQ(test, rec.beats_answered, (u64)n);
	KUNIT_EXPECT_EQ(test, rec.last_seq_answered, seq - 7 + 1);
	KUNIT_EXPECT_EQ(test, rec.replies, n + 1);
	KUNIT_EXPECT_EQ(test, rec.unsolicited, 0u);
	KUNIT_EXPECT_EQ(test, rec.bad, 0u);

	/* seq_num + 1 wraps, as hv_utils computes it */
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_beat(host, U64_MAX, WAIT_MS), 0);
	vmb_heartbeat_host_get_record(host, &rec);
	KUNIT_EXPECT_EQ(test, rec.last_seq_answered, 0ull);
}

enum malformed {
	SHORTER_THAN_HEADERS,
	PIPE_NOT_DATA,
	PIPE_LENGTH_BEYOND_PACKET,
	PIPE_LENGTH_BELOW_IC_HEADER,
	ICMSGSIZE_BEYOND_MESSAGE,
	RESPONSE_FROM_HOST,
	HEARTBEAT_WITHOUT_SEQUENCE,
	NEGOTIATION_WITHOUT_COUNTS,
	NEGOTIATION_TOO_MANY_VERSIONS,
	NEGOTIATION_COUNTS_BEYOND_BYTES,
	NEGOTIATION_COUNTS_WRAP,
	MALFORMED_KINDS
};

static u32 build_malformed(struct ic_msg *m, enum malformed kind)
{
	u32 len = build(m, ICMSGTYPE_HEARTBEAT, sizeof(struct heartbeat_msg_data));

	switch (kind) {
	case SHORTER_THAN_HEADERS:
		return sizeof(m->pipe) + 4;
	case PIPE_NOT_DATA:
		m->pipe.flags = 2;	/* "partial", never sent by a host */
		break;
	case PIPE_LENGTH_BEYOND_PACKET:
		m->pipe.msgsize = 200;
		break;
	case PIPE_LENGTH_BELOW_IC_HEADER:
		m->pipe.msgsize = sizeof(m->hdr) - 1;
		break;
	case ICMSGSIZE_BEYOND_MESSAGE:
		m->hdr.icmsgsize++;
		break;
	case RESPONSE_FROM_HOST:
		m->hdr.icflags = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE;
		break;
	case HEARTBEAT_WITHOUT_SEQUENCE:
		return build(m, ICMSGTYPE_HEARTBEAT, 4);
	case NEGOTIATION_WITHOUT_COUNTS:
		return build(m, ICMSGTYPE_NEGOTIATE, 2);
	case NEGOTIATION_TOO_MANY_VERSIONS:
		/* all carried, but more than hv_vmbus accepts in a list */
		return build_negotiation(m, IC_VERSION_NEGOTIATION_MAX_VER_COUNT + 1, 1,
					 IC_VERSION_NEGOTIATION_MAX_VER_COUNT + 2);
	case NEGOTIATION_COUNTS_BEYOND_BYTES:
		return build_negotiation(m, 2, 2, 3);
	case NEGOTIATION_COUNTS_WRAP:
		return build_negotiation(m, 0xffff, 0xffff, 2);
	default:
		break;
	}
	return len;
}

static void malformed_messages_dropped_and_heartbeats_go_on(struct kunit *test)
{
	struct vmb_heartbeat_host *host = offer_negotiated(test);
	struct vmb_heartbeat_host_record rec;
	struct ic_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	enum malformed kind;

	KUNIT_ASSERT_NOT_NULL(test, m);
	for (kind = 0; kind < MALFORMED_KINDS; kind++) {
		u32 len = build_malformed(m, kind);

		KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_send_message(host, m, len), 0);
		/* answered in ring order: once this is, the bad one was read */
		KUNIT_ASSERT_EQ_MSG(test, vmb_heartbeat_host_beat(host, kind, WAIT_MS), 0,
				    "no heartbeat after malformed message %d", kind);
	}
	vmb_heartbeat_host_get_record(host, &rec);
	/* the negotiation and the heartbeats, nothing for the bad messages */
	KUNIT_EXPECT_EQ(test, rec.replies, MALFORMED_KINDS + 1u);
	KUNIT_EXPECT_EQ(test, rec.beats_answered, (u64)MALFORMED_KINDS);
	KUNIT_EXPECT_EQ(test, rec.unsolicited, 0u);
	KUNIT_EXPECT_EQ(test, rec.bad, 0u);
	/* a bad negotiation did not undo the good one */
	KUNIT_EXPECT_EQ(test, rec.negotiations, 1u);
}

static void unknown_message_type_answered_with_failure(struct kunit *test)
{
	struct vmb_heartbeat_host *host = offer_negotiated(test);
	struct vmb_heartbeat_host_record rec;
	struct ic_msg m;
	u32 len = build(&m, ICMSGTYPE_FCOPY, 8);

	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_send_message(host, &m, len), 0);
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_wait_replies(host, 2, WAIT_MS), 0);
	vmb_heartbeat_host_get_record(host, &rec);
	KUNIT_EXPECT_EQ(test, rec.unsolicited, 1u);
	KUNIT_EXPECT_EQ(test, rec.last_type, (u16)ICMSGTYPE_FCOPY);
	KUNIT_EXPECT_EQ(test, rec.last_status, (u32)HV_E_FAIL);
	KUNIT_EXPECT_EQ(test, rec.bad, 0u);
	KUNIT_EXPECT_EQ(test, vmb_heartbeat_host_beat(host, 1, WAIT_MS), 0);
}

static void version_mismatch_fails_cleanly(struct kunit *test)
{
	static const struct ic_version good[] = { { 1, 0 }, { 3, 0 } };
	static const struct ic_version bad[] = { { 2, 0 }, { 4, 0 } };
	struct vmb_heartbeat_host_versions no_framework = {
		bad, ARRAY_SIZE(bad), good, ARRAY_SIZE(good) };
	struct vmb_heartbeat_host_versions no_heartbeat = {
		good, ARRAY_SIZE(good), bad, ARRAY_SIZE(bad) };
	struct vmb_heartbeat_host_versions both = {
		good, ARRAY_SIZE(good), good, ARRAY_SIZE(good) };
	struct vmb_heartbeat_host_record rec;
	struct vmb_heartbeat_host *host;
	struct ic_msg m;
	u32 len;

	host = offer(test, &no_framework);
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_wait_negotiated(host, WAIT_MS),
			-EPROTONOSUPPORT);
	/* a host sends no heartbeat then; one that does gets no answer */
	KUNIT_EXPECT_EQ(test, vmb_heartbeat_host_beat(host, 1, WAIT_MS), -ENOTCONN);
	len = build(&m, ICMSGTYPE_HEARTBEAT, sizeof(struct heartbeat_msg_data));
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_send_message(host, &m, len), 0);
	/* an unknown type is answered: after that answer, the heartbeat was read */
	len = build(&m, ICMSGTYPE_FCOPY, 0);
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_send_message(host, &m, len), 0);
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_wait_replies(host, 2, WAIT_MS), 0);
	vmb_heartbeat_host_get_record(host, &rec);
	KUNIT_EXPECT_EQ(test, rec.replies, 2u);
	KUNIT_EXPECT_EQ(test, rec.last_type, (u16)ICMSGTYPE_FCOPY);
	KUNIT_EXPECT_EQ(test, rec.bad, 0u);

	/* negotiating again with versions in common succeeds on the same channel */
	KUNIT_EXPECT_EQ(test, vmb_heartbeat_host_negotiate(host, &both, WAIT_MS), 0);
	KUNIT_EXPECT_EQ(test, vmb_heartbeat_host_beat(host, 1, WAIT_MS), 0);
	destroy(test);

	host = offer(test, &no_heartbeat);
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_wait_negotiated(host, WAIT_MS),
			-EPROTONOSUPPORT);
	destroy(test);

	/* and the driver takes the next device as if nothing had happened */
	host = offer_negotiated(test);
	KUNIT_EXPECT_EQ(test, vmb_heartbeat_host_beat(host, 1, WAIT_MS), 0);
	vmb_heartbeat_host_get_record(host, &rec);
	KUNIT_EXPECT_EQ(test, rec.bad, 0u);
}

static void renegotiation_starts_over(struct kunit *test)
{
	static const struct ic_version old[] = { { 1, 0 } };
	struct vmb_heartbeat_host_versions v = { old, 1, old, 1 };
	struct vmb_heartbeat_host *host = offer_negotiated(test);
	struct vmb_heartbeat_host_record rec;

	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_beat(host, 10, WAIT_MS), 0);
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_negotiate(host, &v, WAIT_MS), 0);
	KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_beat(host, 11, WAIT_MS), 0);
	vmb_heartbeat_host_get_record(host, &rec);
	KUNIT_EXPECT_EQ(test, rec.negotiations, 2u);
	expect_version(test, rec.framework, 1, 0);
	expect_version(test, rec.heartbeat, 1, 0);
	KUNIT_EXPECT_EQ(test, rec.bad, 0u);
}

static void rescind_and_reoffer_resume_heartbeats(struct kunit *test)
{
	struct vmb_heartbeat_host *host = offer_negotiated(test);
	struct vmb_heartbeat_host_record rec;
	u64 seq;

	for (seq = 1; seq <= 3; seq++)
		KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_beat(host, seq, WAIT_MS), 0);
	vmb_heartbeat_host_rescind(host);
	vmb_heartbeat_host_get_record(host, &rec);
	KUNIT_EXPECT_EQ(test, rec.closes, 1u);
	KUNIT_EXPECT_EQ(test, (int)rec.negotiation, (int)VMB_HBH_CLOSED);
	KUNIT_EXPECT_EQ(test, vmb_heartbeat_host_beat(host, seq, WAIT_MS), -ENOTCONN);
	destroy(test);

	/* the driver's channel binds again, negotiates again and answers */
	host = offer_negotiated(test);
	for (; seq <= 6; seq++)
		KUNIT_ASSERT_EQ(test, vmb_heartbeat_host_beat(host, seq, WAIT_MS), 0);
	vmb_heartbeat_host_get_record(host, &rec);
	KUNIT_EXPECT_EQ(test, rec.opens, 1u);
	KUNIT_EXPECT_EQ(test, rec.beats_answered, 3ull);
	KUNIT_EXPECT_EQ(test, rec.last_seq_answered, 7ull);
	KUNIT_EXPECT_EQ(test, rec.bad, 0u);
}

static struct kunit_case vmb_heartbeat_cases[] = {
	KUNIT_CASE(binds_and_negotiates_highest_versions),
	KUNIT_CASE(negotiates_what_the_host_offers),
	KUNIT_CASE(heartbeats_answered_with_next_sequence_number),
	KUNIT_CASE(malformed_messages_dropped_and_heartbeats_go_on),
	KUNIT_CASE(unknown_message_type_answered_with_failure),
	KUNIT_CASE(version_mismatch_fails_cleanly),
	KUNIT_CASE(renegotiation_starts_over),
	KUNIT_CASE(rescind_and_reoffer_resume_heartbeats),
	{ }
};

static struct kunit_suite vmb_heartbeat_suite = {
	.name = "vmb_heartbeat",
	.exit = case_exit,
	.test_cases = vmb_heartbeat_cases,
};

kunit_test_suite(vmb_heartbeat_suite);

MODULE_DESCRIPTION("KUnit tests of the heartbeat sample VSC against its host model");
MODULE_LICENSE("GPL");
