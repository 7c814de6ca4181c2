/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The demo device: a VMBus device class of our own, the wire protocol its
 * VSC (vsc.c, vmb_demo.ko) and its simulated host (host.c,
 * vmb_demo_host.ko) speak, and the interfaces of those two halves.
 *
 * Two requests, both inband packets that ask for a completion:
 *
 *   GET_INFO    no external data; the completion is a struct vmb_demo_info.
 *               The VSC sends it with VmbChannelSendSynchronousRequest().
 *   CHECKSUM    external data (a GPA-direct packet) of @length bytes and
 *               the guest's crc32 of them; the host reads the data through
 *               the GPA ranges, computes the crc32 itself and completes
 *               with a struct vmb_demo_checksum saying whether they agree.
 *               The VSC sends it with VmbPacketSendWithExternalMdl().
 *
 * All fields are little endian, as everything on VMBus is.
 */
#ifndef _VMB_DEMO_H
#define _VMB_DEMO_H

#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>

/* {766d6264-656d-4f21-8a5e-64656d6f0001}: class GUID of the demo device */
#define VMB_DEMO_CLASS GUID_INIT(0x766d6264, 0x656d, 0x4f21, 0x8a, 0x5e, \
				 0x64, 0x65, 0x6d, 0x6f, 0x00, 0x01)
/* {766d6264-656d-4f21-8a5e-64656d6f1001}: the one device vmb_demo_host offers */
#define VMB_DEMO_INSTANCE GUID_INIT(0x766d6264, 0x656d, 0x4f21, 0x8a, 0x5e, \
				    0x64, 0x65, 0x6d, 0x6f, 0x10, 0x01)

#define VMB_DEMO_VERSION	0x00010000	/* 1.0 */
#define VMB_DEMO_MAX_TRANSFER	SZ_64K		/* largest CHECKSUM the host takes */

enum vmb_demo_op {
	VMB_DEMO_OP_GET_INFO = 1,
	VMB_DEMO_OP_CHECKSUM = 2,
};

/* Completion status, in both replies. */
enum vmb_demo_status {
	VMB_DEMO_OK = 0,
	VMB_DEMO_BAD_CHECKSUM = 1,	/* the data read is not what the crc says */
	VMB_DEMO_BAD_REQUEST = 2,	/* malformed: unknown op, no or wrong data */
};

/* guest -> host: every request */
struct vmb_demo_request {
	__le32 op;			/* enum vmb_demo_op */
	__le32 length;			/* CHECKSUM: bytes of external data */
	__le32 crc32;			/* CHECKSUM: crc32 of those bytes */
	__le32 reserved;
};

/* host -> guest: completion of GET_INFO; a multiple of 8 bytes */
struct vmb_demo_info {
	__le32 status;			/* enum vmb_demo_status */
	__le32 version;			/* VMB_DEMO_VERSION */
	__le32 max_transfer;		/* bytes a CHECKSUM may carry */
	__le32 reserved;
	char name[32];			/* NUL-terminated */
};

/* host -> guest: completion of CHECKSUM; a multiple of 8 bytes */
struct vmb_demo_checksum {
	__le32 status;			/* enum vmb_demo_status */
	__le32 crc32;			/* what the host computed */
	__le32 length;			/* bytes the host read */
	__le32 reserved;
};

struct vmb_channel;

/* The VSC (vsc.c): what one exchange with the device gave. */
enum vmb_demo_result {
	VMB_DEMO_PENDING,		/* not bound yet, or the exchange is running */
	VMB_DEMO_PASSED,		/* the host's crc32 matches ours */
	VMB_DEMO_FAILED,		/* anything else, printed */
};

struct vmb_demo {
	struct vmb_channel *channel;
	struct work_struct work;	/* one exchange, queued by PostStarted */
	u8 *data;			/* vmalloc'd, sent as external data */
	u32 crc;			/* our crc32 of @data */
	struct vmb_demo_info info;	/* the last GET_INFO answer */
	u32 host_crc;			/* the last CHECKSUM answer's crc32 */
	enum vmb_demo_result result;	/* of the last exchange */
	unsigned int exchanges;		/* exchanges finished */
	struct work_struct reenable;	/* Enable again after a rescind */
	bool stopping;			/* being destroyed: no more reenable */
};

struct vmb_demo *vmb_demo_create(const guid_t *class, const guid_t *instance);
void vmb_demo_destroy(struct vmb_demo *demo);

/* The host model (host.c). */
struct vmb_demo_host;

struct vmb_demo_host *vmb_demo_host_create(const guid_t *class, const guid_t *instance);
void vmb_demo_host_destroy(struct vmb_demo_host *host);

#endif /* _VMB_DEMO_H */
