// SPDX-License-Identifier: GPL-2.0
/*
 * vmb_heartbeat: the guest side of the Hyper-V heartbeat integration
 * service, written against the Vmb* (KMCL) API of vmbkmcl only.
 *
 * A sample to copy: one VMBus channel, bound by class GUID when the module
 * loads, that answers the host from its ProcessPacket callback. It does
 * what the heartbeat part of hv_utils does (drivers/hv/hv_util.c). A class
 * has one driver: on Hyper-V, unload or blacklist hv_utils first, or
 * VmbChannelEnable() fails with STATUS_DEVICE_BUSY.
 *
 * The protocol as Hyper-V speaks it. Sources: Linux drivers/hv/hv_util.c
 * (heartbeat_onchannelcallback()), drivers/hv/channel_mgmt.c
 * (vmbus_prep_negotiate_resp()) and include/linux/hyperv.h; OpenVMM's
 * host ICs (vm/devices/hyperv_ic/src/common.rs), guest ICs
 * (vm/devices/hyperv_ic_guest), IC definitions (vm/devices/hyperv_ic_protocol)
 * and message pipes (vm/devices/vmbus/vmbus_async/src/pipe.rs).
 *
 * Framing. IC channels are pipes: every message is one inband VMBus packet
 * (VM_PKT_DATA_INBAND) that asks for no completion, whose payload is a
 * struct vmbuspipe_hdr (flags VMB_IC_PIPE_DATA, msgsize the bytes that
 * follow), a struct icmsg_hdr and the body, icmsgsize bytes. The channel
 * runs in KMCL's pipe mode (VMBUS_CHANNEL_INIT_FLAG_IS_PIPE), as a Windows
 * IC driver's does: vmbkmcl writes the pipe header before each reply and
 * checks and strips the host's, so this driver sees and sends the IC
 * header and body only, and a message whose pipe header is bad never
 * reaches it.
 *
 * Negotiation. The host starts with ICMSGTYPE_NEGOTIATE: a struct
 * icmsg_negotiate, then icframe_vercnt framework versions, then icmsg_vercnt
 * heartbeat versions. The guest takes the first version of its own list
 * (best first) that the host offers, for each list, and answers with both
 * counts 1 and the two versions; with both counts 0 when a list has no
 * common version, which the host takes as a failure (OpenVMM: "no
 * supported versions"). The host may negotiate again at any time; each
 * negotiation starts over.
 *
 * Heartbeats. Then, every two seconds on Hyper-V, ICMSGTYPE_HEARTBEAT with
 * a struct heartbeat_msg_data; the guest answers with seq_num + 1.
 *
 * Replies. A reply is the request's icmsg_hdr (ictransaction_id and the
 * versions echoed; OpenVMM's host checks the id) with icflags
 * TRANSACTION | RESPONSE, a status (HV_S_OK, or HV_E_FAIL for a message
 * type we do not know, as hv_utils answers it) and its own body, framed
 * like a request and written as a new inband packet with VmbPacketSend().
 * It is not a VMBus completion: the host asks for none, so
 * VmbChannelPacketComplete() only retires the request, and OpenVMM's pipe
 * reader fails on a completion packet. hv_utils puts the request's VMBus
 * transaction id on its reply; VmbPacketSend() writes 0 for a packet that
 * asks for no completion. That is the id a pipe-mode host writes and it
 * ignores the id it reads (OpenVMM), but a host that matched ids would
 * need an inband send with a chosen id, which the Vmb* API does not have.
 *
 * Rescind. KMCL leaves a channel Disabled once its offer is rescinded, and
 * only VmbChannelEnable() starts it again. Closed cannot call it (no state
 * call from a state callback), so it queues a work item that enables the
 * channel again, to wait for the next heartbeat device: what a Windows IC
 * driver gets from PnP when a new device comes.
 *
 * Hostile host. Every message is checked before it is used: its size
 * against the bytes received, the IC header, the version counts
 * of a negotiation against the bytes that carry them. A message that fails
 * is dropped with a rate-limited message and gets no reply; the channel
 * goes on and answers the next good one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/hyperv.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <vmbkmcl.h>

#include "vmb_ic.h"

/* {57164f39-9115-4e78-ab55-382f3bd5422d}, the heartbeat device class */
static const struct hv_vmbus_device_id heartbeat_class = { HV_HEART_BEAT_GUID };

/* What we speak, best first: hv_util.c's fw_versions and hb_versions. */
static const struct ic_version framework_versions[] = { { 3, 0 }, { 1, 0 } };
static const struct ic_version heartbeat_versions[] = { { 3, 0 }, { 1, 0 } };

/* The body of our negotiation reply: counts, then one version of each. */
#define NEGOTIATE_REPLY_SIZE	(sizeof(struct icmsg_negotiate) + 2 * sizeof(struct ic_version))

/**
 * struct heartbeat - the driver's state, one per module
 * @channel: the channel, bound to whichever heartbeat device is offered
 * @negotiated: the last negotiation found common versions; heartbeats are
 *              answered only then
 * @framework: the negotiated framework version
 * @service: the negotiated heartbeat version
 * @beats: heartbeats answered since the channel opened
 * @replies_queued: replies sent whose completion routine has not run yet,
 *                  at most MAX_QUEUED_REPLIES
 * @reenable: enables the channel again after a rescind disabled it
 * @stopping: the module is unloading: no more @reenable
 *
 * Written by Opened, which runs before incoming delivery starts, and by
 * ProcessPacket, which runs one call at a time per channel: no lock; the
 * completion routine touches only @replies_queued.
 */
struct heartbeat {
	VMBCHANNEL channel;
	bool negotiated;
	struct ic_version framework;
	struct ic_version service;
	u64 beats;
	atomic_t replies_queued;
	struct work_struct reenable;
	bool stopping;
};

/*
 * Replies that may wait for ring space at once. The host sends one message
 * at a time; one that keeps sending without reading the ring gets no more
 * replies rather than unbounded memory (hv_utils drops them too).
 */
#define MAX_QUEUED_REPLIES	4

static struct heartbeat heartbeat;

/**
 * struct ic_request - a host message that passed the framing checks
 * @hdr: its IC header, inside the packet's payload
 * @body: the bytes after the header
 * @size: bytes at @body: what the message holds after the IC header
 *
 * hv_utils and OpenVMM's guest ICs read a body as far as the message goes,
 * not as far as icmsgsize says; a header that claims more than that is
 * malformed.
 */
struct ic_request {
	const struct icmsg_hdr *hdr;
	const void *body;
	u32 size;
};

/* A reply after its pipe header; the heartbeat reply is the larger body. */
struct ic_reply {
	struct icmsg_hdr hdr;
	u8 body[sizeof(struct heartbeat_msg_data)];
} __packed;

static_assert(sizeof(struct heartbeat_msg_data) >= NEGOTIATE_REPLY_SIZE);

static bool parse_request(const void *buffer, u32 length, struct ic_request *req)
{
	const struct icmsg_hdr *hdr = buffer;
	u32 size;

	/* @length is the message's, as the pipe header gave it */
	if (length < sizeof(*hdr)) {
		pr_warn_ratelimited("host message of %u bytes has no room for its header\n",
				    length);
		return false;
	}
	size = length - sizeof(*hdr);
	if (hdr->icmsgsize > size) {
		pr_warn_ratelimited("host message type %u says %u body bytes, carries %u\n",
				    hdr->icmsgtype, hdr->icmsgsize, size);
		return false;
	}
	if (hdr->icflags & ICMSGHDRFLAG_RESPONSE) {
		pr_warn_ratelimited("host message type %u is a response (flags %#x)\n",
				    hdr->icmsgtype, hdr->icflags);
		return false;
	}
	req->hdr = hdr;
	req->body = hdr + 1;
	req->size = size;
	return true;
}

/* Our first version that the host's list holds, or NULL. */
static const struct ic_version *choose(const struct ic_version *ours, unsigned int n_ours,
				       const struct ic_version *theirs, unsigned int n_theirs)
{
	unsigned int i, j;

	for (i = 0; i < n_ours; i++)
		for (j = 0; j < n_theirs; j++)
			if (theirs[j].major == ours[i].major && theirs[j].minor == ours[i].minor)
				return &ours[i];
	return NULL;
}

/* Returns the reply's body size, or -EINVAL to drop the message. */
static int answer_negotiate(struct heartbeat *hb, const struct ic_request *req, void *body)
{
	const struct icmsg_negotiate *neg = req->body;
	const struct ic_version *framework, *service;
	struct icmsg_negotiate *out = body;
	u32 n_framework, n_service;

	if (req->size < sizeof(*neg)) {
		pr_warn_ratelimited("negotiation of %u bytes\n", req->size);
		return -EINVAL;
	}
	n_framework = neg->icframe_vercnt;
	n_service = neg->icmsg_vercnt;
	/* bounded first, so the sum below cannot wrap */
	if (n_framework > IC_VERSION_NEGOTIATION_MAX_VER_COUNT ||
	    n_service > IC_VERSION_NEGOTIATION_MAX_VER_COUNT ||
	    sizeof(*neg) + (n_framework + n_service) * sizeof(struct ic_version) > req->size) {
		pr_warn_ratelimited("negotiation with %u + %u versions in %u bytes\n",
				    n_framework, n_service, req->size);
		return -EINVAL;
	}

	framework = choose(framework_versions, ARRAY_SIZE(framework_versions),
			   neg->icversion_data, n_framework);
	service = choose(heartbeat_versions, ARRAY_SIZE(heartbeat_versions),
			 neg->icversion_data + n_framework, n_service);

	memset(out, 0, NEGOTIATE_REPLY_SIZE);
	hb->negotiated = framework && service;
	if (!hb->negotiated) {
		pr_warn_ratelimited("no common %s version with the host; heartbeats stay unanswered\n",
				    framework ? "heartbeat" : "framework");
		return NEGOTIATE_REPLY_SIZE;
	}
	hb->framework = *framework;
	hb->service = *service;
	out->icframe_vercnt = 1;
	out->icmsg_vercnt = 1;
	out->icversion_data[0] = *framework;
	out->icversion_data[1] = *service;
	pr_info("negotiated framework %u.%u, heartbeat %u.%u\n",
		framework->major, framework->minor, service->major, service->minor);
	return NEGOTIATE_REPLY_SIZE;
}

static int answer_heartbeat(struct heartbeat *hb, const struct ic_request *req, void *body)
{
	struct heartbeat_msg_data *out = body;

	if (!hb->negotiated) {
		pr_warn_ratelimited("heartbeat before a version negotiation\n");
		return -EINVAL;
	}
	/* hv_utils: the host need not send the reserved words, only seq_num */
	if (req->size < sizeof(out->seq_num)) {
		pr_warn_ratelimited("heartbeat of %u bytes\n", req->size);
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out, req->body, min_t(u32, req->size, sizeof(*out)));
	out->seq_num++;		/* wraps at U64_MAX, as in hv_utils */
	hb->beats++;
	return sizeof(*out);
}

/* Builds the reply to @req; returns its size, or -EINVAL to drop @req. */
static int answer(struct heartbeat *hb, const struct ic_request *req, struct ic_reply *reply)
{
	int size;

	reply->hdr = *req->hdr;
	reply->hdr.status = HV_S_OK;
	switch (req->hdr->icmsgtype) {
	case ICMSGTYPE_NEGOTIATE:
		size = answer_negotiate(hb, req, reply->body);
		break;
	case ICMSGTYPE_HEARTBEAT:
		size = answer_heartbeat(hb, req, reply->body);
		break;
	default:
		pr_warn_ratelimited("host message type %u answered with HV_E_FAIL\n",
				    req->hdr->icmsgtype);
		reply->hdr.status = HV_E_FAIL;
		size = 0;
		break;
	}
	if (size < 0)
		return size;

	reply->hdr.icflags = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE;
	reply->hdr.icmsgsize = size;
	return sizeof(reply->hdr) + size;
}

/* The reply is in the ring (or cancelled): one fewer waiting. */
static void reply_sent(VMBPACKET packet, NTSTATUS status, void *buffer, u32 length)
{
	struct heartbeat *hb = VmbPacketGetPointer(packet);

	atomic_dec(&hb->replies_queued);
	VmbPacketFree(packet);
}

static void send_reply(struct heartbeat *hb, const struct ic_reply *reply, u32 size)
{
	VMBPACKET packet;
	NTSTATUS status;

	if (atomic_inc_return(&hb->replies_queued) > MAX_QUEUED_REPLIES) {
		atomic_dec(&hb->replies_queued);
		pr_warn_ratelimited("host does not read its ring: reply dropped\n");
		return;
	}
	packet = VmbPacketAllocate(hb->channel);
	if (!packet) {
		atomic_dec(&hb->replies_queued);
		pr_warn_ratelimited("no memory to answer the host\n");
		return;
	}
	VmbPacketSetPointer(packet, hb);
	VmbPacketSetCompletionRoutine(packet, reply_sent);
	/* framed and copied before it returns; queued in order if the ring is full */
	status = VmbPacketSend(packet, reply, size, NULL, 0);
	if (!NT_SUCCESS(status)) {
		atomic_dec(&hb->replies_queued);
		VmbPacketFree(packet);
		pr_warn_ratelimited("reply not sent: %#x\n", status);
	}
}

/* ProcessPacket: one host message, in softirq context. */
static void heartbeat_process_packet(VMBCHANNEL channel, VMBPACKETCOMPLETION packet,
				     void *buffer, u32 length, u32 flags)
{
	struct heartbeat *hb = VmbChannelGetPointer(channel);
	struct ic_request req;
	struct ic_reply reply;
	int size;

	if (flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA) {
		pr_warn_ratelimited("host message with external data\n");
	} else if (parse_request(buffer, length, &req)) {
		size = answer(hb, &req, &reply);
		if (size > 0)
			send_reply(hb, &reply, size);
	}
	/*
	 * The host asked for no completion: this only retires the packet. A
	 * bad message is completed too, not failed: VmbChannelPacketFail()
	 * would stop delivery, and the next heartbeat must get through.
	 */
	VmbChannelPacketComplete(packet, NULL, 0);
}

/* Opened: bound to a heartbeat device, before any of its packets arrives. */
static NTSTATUS heartbeat_opened(VMBCHANNEL channel)
{
	struct heartbeat *hb = VmbChannelGetPointer(channel);
	guid_t instance;

	hb->negotiated = false;
	hb->beats = 0;
	VmbChannelGetInterfaceInstance(channel, &instance);
	pr_info("bound to heartbeat device %pUl\n", &instance);
	return STATUS_SUCCESS;
}

/* After a rescind: wait for the next heartbeat device. */
static void heartbeat_reenable(struct work_struct *work)
{
	struct heartbeat *hb = container_of(work, struct heartbeat, reenable);
	NTSTATUS status;

	status = VmbChannelEnable(hb->channel);
	if (!NT_SUCCESS(status))
		pr_warn("not waiting for another heartbeat device: %#x\n", status);
}

/* Closed: the device went away (rescind) or the module is unloading. */
static void heartbeat_closed(VMBCHANNEL channel)
{
	struct heartbeat *hb = VmbChannelGetPointer(channel);

	/* a rescind left the channel Disabled: enable it again, not from here */
	if (!READ_ONCE(hb->stopping))
		schedule_work(&hb->reenable);

	if (hb->negotiated)
		pr_info("heartbeat device closed after %llu heartbeats (framework %u.%u, heartbeat %u.%u)\n",
			hb->beats, hb->framework.major, hb->framework.minor,
			hb->service.major, hb->service.minor);
	else
		pr_info("heartbeat device closed, no versions negotiated\n");
}

/* The device was offered but could not be opened; we wait for the next. */
static void heartbeat_pnp_failure(VMBCHANNEL channel, NTSTATUS status)
{
	pr_warn("heartbeat device not opened: %#x\n", status);
}

static NTSTATUS heartbeat_configure(VMBCHANNEL channel)
{
	struct vmb_channel_state_change_callbacks callbacks;
	NTSTATUS status;

	status = VmbClientChannelInitSetTargetPnp(channel, &heartbeat_class.guid, NULL,
						  heartbeat_pnp_failure);
	if (!NT_SUCCESS(status))
		return status;
	status = VmbChannelInitSetFriendlyName(channel, "heartbeat");
	if (!NT_SUCCESS(status))
		return status;
	/* vmbkmcl adds and strips the pipe headers */
	status = VmbChannelInitSetFlags(channel, VMBUS_CHANNEL_INIT_FLAG_IS_PIPE);
	if (!NT_SUCCESS(status))
		return status;
	/* both ways: the largest negotiation hv_vmbus would accept */
	status = VmbChannelInitSetMaximumPacketSize(channel, VMB_IC_MAX_MESSAGE);
	if (!NT_SUCCESS(status))
		return status;
	status = VmbChannelInitSetProcessPacketCallbacks(channel, heartbeat_process_packet, NULL);
	if (!NT_SUCCESS(status))
		return status;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&callbacks);
	callbacks.opened = heartbeat_opened;
	callbacks.closed = heartbeat_closed;
	return VmbChannelInitSetStateChangeCallbacks(channel, &callbacks);
}

static int __init heartbeat_init(void)
{
	VMBCHANNEL channel;
	NTSTATUS status;

	/* no parent: the channel binds to the heartbeat class by itself */
	status = VmbChannelAllocate(NULL, false, &channel);
	if (!NT_SUCCESS(status))
		goto fail;
	status = heartbeat_configure(channel);
	if (!NT_SUCCESS(status))
		goto cleanup;
	heartbeat.channel = channel;
	INIT_WORK(&heartbeat.reenable, heartbeat_reenable);
	VmbChannelSetPointer(channel, &heartbeat);
	/* returns at once; Opened runs when a heartbeat device is offered */
	status = VmbChannelEnable(channel);
	if (!NT_SUCCESS(status))
		goto cleanup;
	return 0;

cleanup:
	WRITE_ONCE(heartbeat.stopping, true);
	cancel_work_sync(&heartbeat.reenable);
	VmbChannelCleanup(channel);
fail:
	pr_err("not started: %#x\n", status);
	return vmb_ntstatus_to_errno(status);
}

static void __exit heartbeat_exit(void)
{
	/* no Enable after this; one a rescind queued has returned */
	WRITE_ONCE(heartbeat.stopping, true);
	cancel_work_sync(&heartbeat.reenable);
	/* closes the channel if bound, after the last ProcessPacket call */
	VmbChannelCleanup(heartbeat.channel);
}

module_init(heartbeat_init);
module_exit(heartbeat_exit);

MODULE_DESCRIPTION("Hyper-V heartbeat integration service on the Vmb* API (sample)");
MODULE_LICENSE("GPL");
