/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sub-channels of a primary channel and the channels' target processor
 * (VmbChannelInitSetPrimaryChannel(),
 * VmbClientChannelInitSetTargetProcessorIndex()).
 */
#ifndef _VMB_SUBCHANNEL_H
#define _VMB_SUBCHANNEL_H

#include <linux/hyperv.h>

#include <vmbkmcl.h>

struct vmb_channel;

void vmb_sub_init(struct vmb_channel *ch);
void vmb_sub_cleanup(struct vmb_channel *ch);
void vmb_sub_lock(struct vmb_channel *ch);
void vmb_sub_unlock(struct vmb_channel *ch);
NTSTATUS vmb_sub_bind(struct vmb_channel *ch);
void vmb_sub_unbind(struct vmb_channel *ch, bool park);
void vmb_sub_park(struct vmb_channel *ch);
void vmb_sub_primary_opened(struct vmb_channel *ch);
void vmb_sub_primary_closing(struct vmb_channel *ch);
void vmb_sub_primary_closed(struct vmb_channel *ch);
NTSTATUS vmb_target_apply(struct vmb_channel *ch, struct vmbus_channel *chan);
void vmb_target_restore(struct vmb_channel *ch, struct vmbus_channel *chan);

#endif /* _VMB_SUBCHANNEL_H */
