/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VmbChannelSendSynchronousRequest() and KeWaitForSingleObject-style
 * timeouts.
 */
#ifndef _VMB_SYNC_H
#define _VMB_SYNC_H

#include <linux/types.h>

struct vmb_channel;

void vmb_sync_cleanup(struct vmb_channel *ch);

#endif /* _VMB_SYNC_H */
