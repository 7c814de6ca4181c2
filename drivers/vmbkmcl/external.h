/* SPDX-License-Identifier: GPL-2.0 */
/*
 * External data of a send: the GPA-direct descriptor that carries an MDL
 * window or a PFN list to the host.
 */
#ifndef _VMB_EXTERNAL_H
#define _VMB_EXTERNAL_H

#include <linux/sizes.h>
#include <linux/types.h>

#include <vmbkmcl.h>

struct device;
struct vmb_channel;

/*
 * Without VmbChannelInitSetMaximumExternalData(), a channel takes up to
 * 1 MiB in up to 16 ranges per packet: about 2.4 KiB of descriptor room in
 * every packet object.
 */
#define VMB_DEFAULT_MAX_EXTERNAL_DATA	SZ_1M
#define VMB_DEFAULT_MAX_EXTERNAL_CHAIN	16

/* len8 is a u16 count of 8-byte units: 512 KiB less 8 bytes per packet. */
#define VMB_MAX_WIRE_PACKET		(U16_MAX * 8u)

/* What a send carries besides its inline payload; one of mdl and pfns. */
struct vmb_external {
	const struct vmb_mdl *mdl;
	u32 offset;		/* the MDL window */
	u32 length;		/* 0: to the chain's end, for vmb_external_build() */
	bool first_only;	/* FORCE_MDL_LENGTH: the first element, to its last frame */
	const u64 *pfns;	/* or whole 4 KiB frames */
	u32 pfn_count;
};

u32 vmb_external_room(const struct vmb_channel *ch);
bool vmb_external_limits_valid(u32 max_data, u32 max_chain);
NTSTATUS vmb_external_build(const struct vmb_channel *ch, const struct vmb_external *ext,
			    u32 inline_length, void *desc, u32 capacity, u32 *desc_size);
NTSTATUS vmb_external_map(struct vmb_channel *ch, struct device *dev, void *desc);
void vmb_external_unmap(struct vmb_channel *ch, struct device *dev, void *desc);
void vmb_external_prepare_device(struct device *dev);
NTSTATUS vmb_external_size(const struct vmb_channel *ch, const struct vmb_external *ext,
			   u32 inline_length, u32 *desc_size);

#endif /* _VMB_EXTERNAL_H */
