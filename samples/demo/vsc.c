// SPDX-License-Identifier: GPL-2.0
/*
 * The demo VSC: a client of the demo device written only against the Vmb*
 * API of include/vmbkmcl.h, as a VSC ported from Windows would be.
 *
 * It binds by class GUID rather than through an hv_driver of its own: a
 * channel allocated without a parent, given the device class with
 * VmbClientChannelInitSetTargetPnp() and enabled, opens when a matching
 * offer appears. A rescind leaves the channel Disabled, as in KMCL; Closed
 * queues a work item that enables it again, so that it opens on the next
 * offer. Each time the
 * channel has started, one exchange runs in a work item:
 *
 *   1. GET_INFO with VmbChannelSendSynchronousRequest(): the host's answer
 *      is copied into our buffer before the call returns;
 *   2. CHECKSUM with VmbPacketSendWithExternalMdl(): a vmalloc'd buffer of
 *      random bytes travels as GPA ranges (not copied), with our crc32 of it
 *      inline; the host reads the pages, computes the crc32 itself and
 *      completes with it; the completion routine compares.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/err.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <vmbkmcl.h>

#include "demo.h"

/* Not a whole number of pages, so that the last GPA range is partial. */
#define VSC_DATA_BYTES	(40 * 1024 + 123)
#define VSC_WAIT	VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

static void vsc_finish(struct vmb_demo *demo, enum vmb_demo_result result)
{
	WRITE_ONCE(demo->exchanges, demo->exchanges + 1);
	/* published last: whoever sees the result sees the rest */
	smp_store_release(&demo->result, result);
}

/* Completion routine of the CHECKSUM packet; any context. */
static void vsc_checksum_done(VMBPACKET packet, NTSTATUS status, void *buffer, u32 length)
{
	struct vmb_demo *demo = VmbPacketGetPointer(packet);
	struct vmb_demo_checksum reply = {};

	/* @buffer is valid only until the packet is freed */
	if (NT_SUCCESS(status))
		memcpy(&reply, buffer, min_t(u32, length, sizeof(reply)));
	VmbPacketFree(packet);
	if (!NT_SUCCESS(status)) {
		pr_warn("external data: transfer ended with status %#x\n", status);
		vsc_finish(demo, VMB_DEMO_FAILED);
		return;
	}
	demo->host_crc = le32_to_cpu(reply.crc32);
	if (length < sizeof(reply)) {
		pr_warn("external data: short completion from the host (%u bytes)\n", length);
		vsc_finish(demo, VMB_DEMO_FAILED);
	} else if (le32_to_cpu(reply.status) == VMB_DEMO_OK && demo->host_crc == demo->crc) {
		pr_info("external data: host read %u bytes, its crc32 %08x matches ours: OK\n",
			le32_to_cpu(reply.length), demo->host_crc);
		vsc_finish(demo, VMB_DEMO_PASSED);
	} else {
		pr_warn("external data: CHECKSUM MISMATCH: host read %u bytes, crc32 %08x, ours %08x (host status %u)\n",
			le32_to_cpu(reply.length), demo->host_crc, demo->crc,
			le32_to_cpu(reply.status));
		vsc_finish(demo, VMB_DEMO_FAILED);
	}
}

static bool vsc_get_info(struct vmb_demo *demo)
{
	struct vmb_demo_request req = { .op = cpu_to_le32(VMB_DEMO_OP_GET_INFO) };
	s64 timeout = -5LL * 10 * 1000 * 1000;	/* 5 s, in 100 ns units */
	u32 size = sizeof(demo->info);
	NTSTATUS status;

	memset(&demo->info, 0, sizeof(demo->info));
	status = VmbChannelSendSynchronousRequest(demo->channel, &req, sizeof(req), NULL, VSC_WAIT,
						  &demo->info, &size, &timeout);
	if (!NT_SUCCESS(status)) {
		pr_warn("sync request: GET_INFO failed with status %#x\n", status);
		return false;
	}
	demo->info.name[sizeof(demo->info.name) - 1] = '\0';
	if (size < sizeof(demo->info) || le32_to_cpu(demo->info.status) != VMB_DEMO_OK) {
		pr_warn("sync request: GET_INFO answered %u bytes, status %u\n", size,
			le32_to_cpu(demo->info.status));
		return false;
	}
	pr_info("sync request: GET_INFO answered: device \"%s\", version %u.%u, max transfer %u bytes\n",
		demo->info.name, le32_to_cpu(demo->info.version) >> 16,
		le32_to_cpu(demo->info.version) & 0xffff, le32_to_cpu(demo->info.max_transfer));
	return true;
}

static void vsc_send_checksum(struct vmb_demo *demo)
{
	struct vmb_demo_request req = {
		.op = cpu_to_le32(VMB_DEMO_OP_CHECKSUM),
		.length = cpu_to_le32(VSC_DATA_BYTES),
	};
	struct vmb_mdl *mdl;
	VMBPACKET packet;
	NTSTATUS status;

	if (le32_to_cpu(demo->info.max_transfer) < VSC_DATA_BYTES) {
		pr_warn("external data: the device takes only %u bytes\n",
			le32_to_cpu(demo->info.max_transfer));
		vsc_finish(demo, VMB_DEMO_FAILED);
		return;
	}
	get_random_bytes(demo->data, VSC_DATA_BYTES);
	demo->crc = crc32_le(~0, demo->data, VSC_DATA_BYTES) ^ ~0;
	req.crc32 = cpu_to_le32(demo->crc);

	/* the MDL only describes the pages: it may go once the send returns */
	mdl = vmb_mdl_from_buffer(demo->data, VSC_DATA_BYTES, GFP_KERNEL);
	packet = VmbPacketAllocate(demo->channel);
	if (IS_ERR(mdl) || !packet) {
		pr_warn("external data: out of memory\n");
		goto fail;
	}
	VmbPacketSetPointer(packet, demo);
	VmbPacketSetCompletionRoutine(packet, vsc_checksum_done);
	/* before the send: its completion may run before it returns */
	pr_info("external data: sending %u bytes of a vmalloc buffer as GPA ranges, crc32 %08x\n",
		VSC_DATA_BYTES, demo->crc);
	status = VmbPacketSendWithExternalMdl(packet, &req, sizeof(req), mdl, 0, 0, VSC_WAIT);
	if (!NT_SUCCESS(status)) {
		pr_warn("external data: send failed with status %#x\n", status);
		goto fail;
	}
	vmb_mdl_free(mdl);
	return;

fail:
	if (packet)
		VmbPacketFree(packet);
	if (!IS_ERR(mdl))
		vmb_mdl_free(mdl);
	vsc_finish(demo, VMB_DEMO_FAILED);
}

static void vsc_exchange(struct work_struct *work)
{
	struct vmb_demo *demo = container_of(work, struct vmb_demo, work);

	WRITE_ONCE(demo->result, VMB_DEMO_PENDING);
	if (vsc_get_info(demo))
		vsc_send_checksum(demo);
	else
		vsc_finish(demo, VMB_DEMO_FAILED);
}

static NTSTATUS vsc_opened(VMBCHANNEL channel)
{
	guid_t instance;

	VmbChannelGetInterfaceInstance(channel, &instance);
	pr_info("bound to the offer of instance %pUl, channel open\n", &instance);
	return STATUS_SUCCESS;
}

/* Incoming delivery is on: a synchronous request can be answered now. */
static void vsc_post_started(VMBCHANNEL channel)
{
	struct vmb_demo *demo = VmbChannelGetPointer(channel);

	queue_work(system_unbound_wq, &demo->work);
}

/* After a rescind: wait for the next offer of the class. */
static void vsc_reenable(struct work_struct *work)
{
	struct vmb_demo *demo = container_of(work, struct vmb_demo, reenable);
	NTSTATUS status;

	status = VmbChannelEnable(demo->channel);
	if (!NT_SUCCESS(status))
		pr_warn("not waiting for another device: status %#x\n", status);
}

static void vsc_closed(VMBCHANNEL channel)
{
	struct vmb_demo *demo = VmbChannelGetPointer(channel);

	pr_info("channel closed\n");
	/* a rescind left it Disabled; no state call from a state callback */
	if (!READ_ONCE(demo->stopping))
		schedule_work(&demo->reenable);
}

static void vsc_pnp_failure(VMBCHANNEL channel, NTSTATUS status)
{
	pr_warn("could not open the offered device: status %#x; waiting for another\n", status);
}

/* The host sends nothing unsolicited; a packet here is its mistake. */
static void vsc_process_packet(VMBCHANNEL channel, VMBPACKETCOMPLETION packet, void *buffer,
			       u32 length, u32 flags)
{
	pr_warn_ratelimited("unexpected %u-byte packet from the host, dropped\n", length);
	VmbChannelPacketComplete(packet, NULL, 0);
}

/**
 * vmb_demo_create() - a demo VSC that binds to a device of a class
 * @class: the class GUID to bind by (VMB_DEMO_CLASS)
 * @instance: the instance GUID, or NULL for any device of @class
 *
 * Context: process; may sleep.
 * Return: the VSC, waiting for its device; or an ERR_PTR.
 */
struct vmb_demo *vmb_demo_create(const guid_t *class, const guid_t *instance)
{
	struct vmb_channel_state_change_callbacks callbacks;
	struct vmb_demo *demo;
	VMBCHANNEL channel;
	NTSTATUS status;

	demo = kzalloc(sizeof(*demo), GFP_KERNEL);
	if (!demo)
		return ERR_PTR(-ENOMEM);
	INIT_WORK(&demo->work, vsc_exchange);
	INIT_WORK(&demo->reenable, vsc_reenable);
	demo->data = vmalloc(VSC_DATA_BYTES);
	if (!demo->data) {
		status = STATUS_INSUFFICIENT_RESOURCES;
		goto free_demo;
	}

	status = VmbChannelAllocate(NULL, false, &channel);
	if (!NT_SUCCESS(status))
		goto free_data;
	demo->channel = channel;
	VmbChannelSetPointer(channel, demo);

	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&callbacks);
	callbacks.opened = vsc_opened;
	callbacks.post_started = vsc_post_started;
	callbacks.closed = vsc_closed;
	status = VmbChannelInitSetStateChangeCallbacks(channel, &callbacks);
	if (NT_SUCCESS(status))
		status = VmbChannelInitSetProcessPacketCallbacks(channel, vsc_process_packet, NULL);
	if (NT_SUCCESS(status))
		status = VmbChannelInitSetFriendlyName(channel, "vmb_demo");
	/* one GPA range of up to 64 KiB: packet objects reserve just that */
	if (NT_SUCCESS(status))
		status = VmbChannelInitSetMaximumExternalData(channel, VMB_DEMO_MAX_TRANSFER, 1);
	if (NT_SUCCESS(status))
		status = VmbClientChannelInitSetTargetPnp(channel, class, instance,
							  vsc_pnp_failure);
	if (!NT_SUCCESS(status))
		goto cleanup_channel;

	/* returns at once; the channel opens when a matching offer is probed */
	status = VmbChannelEnable(channel);
	if (!NT_SUCCESS(status))
		goto cleanup_channel;
	pr_info("waiting for a device of class %pUl\n", class);
	return demo;

cleanup_channel:
	WRITE_ONCE(demo->stopping, true);
	cancel_work_sync(&demo->reenable);
	VmbChannelCleanup(channel);
	/* a failed Enable may have opened and closed the channel meanwhile */
	cancel_work_sync(&demo->work);
free_data:
	vfree(demo->data);
free_demo:
	kfree(demo);
	pr_err("setting up the channel failed: status %#x\n", status);
	return ERR_PTR(vmb_ntstatus_to_errno(status));
}

/**
 * vmb_demo_destroy() - close the channel and free the VSC
 * @demo: from vmb_demo_create()
 *
 * Context: process; may sleep.
 */
void vmb_demo_destroy(struct vmb_demo *demo)
{
	/* no Enable from here on; one a rescind queued has returned */
	WRITE_ONCE(demo->stopping, true);
	cancel_work_sync(&demo->reenable);
	/* wakes a waiting GET_INFO and cancels a CHECKSUM in flight */
	VmbChannelDisable(demo->channel);
	cancel_work_sync(&demo->work);
	/* completes what the work may have queued since, with STATUS_CANCELLED */
	VmbChannelCleanup(demo->channel);
	vfree(demo->data);
	kfree(demo);
}
