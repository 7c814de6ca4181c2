/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transfer-page sets: the GPADLs that the host's transfer-page packets
 * point into, and the MDL of such a packet's ranges.
 */
#ifndef _VMB_XFER_H
#define _VMB_XFER_H

#include <linux/types.h>

struct vmb_channel;
struct vmb_mdl;
struct vmpacket_descriptor;

void vmb_xfer_add(struct vmb_channel *ch, u32 handle, void *buffer, u32 size);
void vmb_xfer_remove(struct vmb_channel *ch, u32 handle);
void vmb_xfer_clear(struct vmb_channel *ch);
int vmb_xfer_mdl(struct vmb_channel *ch, const struct vmpacket_descriptor *desc,
		 struct vmb_mdl **mdl, const char **why);

#endif /* _VMB_XFER_H */
