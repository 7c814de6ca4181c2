// SPDX-License-Identifier: GPL-2.0
/*
 * The demo device's host side, on the simulated VMBus host of
 * include/vmbus_sim.h: offers the device, answers GET_INFO, and for CHECKSUM
 * reads the guest's external data through the GPA ranges of the packet, as
 * a Hyper-V VSP would by DMA, computes the crc32 itself and completes with
 * it and with whether it matched the guest's.
 *
 * Everything the guest sends is checked before use; a malformed request is
 * answered with VMB_DEMO_BAD_REQUEST and logged, rate-limited.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <vmbus_sim.h>

#include "demo.h"

#define HOST_NAME	"demo device (vmbus_sim)"
#define HOST_LIMIT	(VMB_DEMO_MAX_TRANSFER + 1)	/* "too much", saturating */

struct vmb_demo_host {
	struct vmbus_sim_device *sim;
	u8 *buf;			/* VMB_DEMO_MAX_TRANSFER bytes, for the guest's data */
};

/* The guest drains its ring from its channel callback: retry when full. */
static void host_complete(struct vmbus_sim_device *sim, u64 trans_id, const void *data, u32 len)
{
	int tries = 1000, ret;

	while ((ret = vmbus_sim_complete(sim, trans_id, data, len)) == -EAGAIN && --tries)
		usleep_range(500, 1000);
	if (ret)
		pr_warn_ratelimited("completing transaction %llu failed: %d\n", trans_id, ret);
}

static void host_get_info(struct vmbus_sim_device *sim, const struct vmbus_sim_packet *pkt)
{
	struct vmb_demo_info info = {
		.status = cpu_to_le32(VMB_DEMO_OK),
		.version = cpu_to_le32(VMB_DEMO_VERSION),
		.max_transfer = cpu_to_le32(VMB_DEMO_MAX_TRANSFER),
	};

	strscpy(info.name, HOST_NAME, sizeof(info.name));
	pr_info("GET_INFO: answering \"%s\", version %u.%u\n", HOST_NAME,
		VMB_DEMO_VERSION >> 16, VMB_DEMO_VERSION & 0xffff);
	host_complete(sim, pkt->trans_id, &info, sizeof(info));
}

static enum vmb_demo_status host_checksum(struct vmb_demo_host *host,
					  const struct vmbus_sim_packet *pkt,
					  const struct vmb_demo_request *req,
					  struct vmb_demo_checksum *reply)
{
	u32 length = le32_to_cpu(req->length), bytes = 0, pages = 0, crc, i;
	int ret;

	if (pkt->type != VM_PKT_DATA_USING_GPA_DIRECT || !pkt->range_count) {
		pr_warn_ratelimited("CHECKSUM without external data\n");
		return VMB_DEMO_BAD_REQUEST;
	}
	/* the simulator validated each range; their sum is ours to bound */
	for (i = 0; i < pkt->range_count; i++) {
		const struct gpa_range *range = pkt->ranges[i];

		bytes = min_t(u32, bytes + min_t(u32, range->byte_count, HOST_LIMIT), HOST_LIMIT);
		pages += HVPFN_UP(range->byte_offset + min_t(u32, range->byte_count, HOST_LIMIT));
	}
	if (bytes != length || length > VMB_DEMO_MAX_TRANSFER) {
		pr_warn_ratelimited("CHECKSUM of %u bytes with %u bytes of external data\n",
				    length, bytes);
		return VMB_DEMO_BAD_REQUEST;
	}
	ret = vmbus_sim_copy_from_guest(host->sim, pkt, 0, host->buf, length);
	if (ret) {
		pr_warn_ratelimited("CHECKSUM: reading the guest's pages failed: %d\n", ret);
		return VMB_DEMO_BAD_REQUEST;
	}
	crc = crc32_le(~0, host->buf, length) ^ ~0;
	reply->crc32 = cpu_to_le32(crc);
	reply->length = cpu_to_le32(length);
	if (crc != le32_to_cpu(req->crc32)) {
		pr_warn_ratelimited("CHECKSUM: read %u bytes in %u GPA range(s), %u pages: crc32 %08x, the guest says %08x: MISMATCH\n",
				    length, pkt->range_count, pages, crc, le32_to_cpu(req->crc32));
		return VMB_DEMO_BAD_CHECKSUM;
	}
	pr_info("CHECKSUM: read %u bytes in %u GPA range(s), %u pages: crc32 %08x, as the guest says\n",
		length, pkt->range_count, pages, crc);
	return VMB_DEMO_OK;
}

static void host_packet(struct vmbus_sim_device *sim, const struct vmbus_sim_packet *pkt)
{
	struct vmb_demo_host *host = vmbus_sim_host_context(sim);
	struct vmb_demo_checksum reply = {};
	struct vmb_demo_request req = {};
	enum vmb_demo_status status;

	if (!(pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)) {
		pr_warn_ratelimited("packet without a completion request, dropped\n");
		return;
	}
	/* @length includes the padding to 8 bytes: a short request is all zeros */
	memcpy(&req, pkt->data, min_t(u32, pkt->length, sizeof(req)));
	switch (le32_to_cpu(req.op)) {
	case VMB_DEMO_OP_GET_INFO:
		host_get_info(sim, pkt);
		return;
	case VMB_DEMO_OP_CHECKSUM:
		status = host_checksum(host, pkt, &req, &reply);
		break;
	default:
		pr_warn_ratelimited("unknown request %u\n", le32_to_cpu(req.op));
		status = VMB_DEMO_BAD_REQUEST;
		break;
	}
	reply.status = cpu_to_le32(status);
	host_complete(sim, pkt->trans_id, &reply, sizeof(reply));
}

static int host_open(struct vmbus_sim_device *sim)
{
	pr_info("the guest opened the channel\n");
	return 0;
}

static void host_close(struct vmbus_sim_device *sim)
{
	pr_info("the guest closed the channel\n");
}

static const struct vmbus_sim_host_ops host_ops = {
	.open = host_open,
	.close = host_close,
	.packet = host_packet,
};

/**
 * vmb_demo_host_create() - offer a demo device
 * @class: its class GUID (VMB_DEMO_CLASS)
 * @instance: its instance GUID
 *
 * A driver of @class already waiting is probed before this returns.
 *
 * Context: process; may sleep.
 * Return: the host side of the device, or an ERR_PTR.
 */
struct vmb_demo_host *vmb_demo_host_create(const guid_t *class, const guid_t *instance)
{
	struct vmb_demo_host *host;
	int ret;

	host = kzalloc(sizeof(*host), GFP_KERNEL);
	if (!host)
		return ERR_PTR(-ENOMEM);
	host->buf = vmalloc(VMB_DEMO_MAX_TRANSFER);
	if (!host->buf) {
		ret = -ENOMEM;
		goto free_host;
	}
	pr_info("offering a demo device: class %pUl, instance %pUl\n", class, instance);
	host->sim = vmbus_sim_offer(class, instance, &host_ops, host);
	if (IS_ERR(host->sim)) {
		ret = PTR_ERR(host->sim);
		goto free_buf;
	}
	return host;

free_buf:
	vfree(host->buf);
free_host:
	kfree(host);
	pr_err("offering the device failed: %d\n", ret);
	return ERR_PTR(ret);
}

/**
 * vmb_demo_host_destroy() - rescind the device and free the host side
 * @host: from vmb_demo_host_create()
 *
 * Context: process; may sleep.
 */
void vmb_demo_host_destroy(struct vmb_demo_host *host)
{
	pr_info("rescinding the demo device\n");
	vmbus_sim_destroy(host->sim);
	vfree(host->buf);
	kfree(host);
}
