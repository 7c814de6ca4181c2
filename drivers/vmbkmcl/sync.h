/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VmbChannelSendSynchronousRequest() and KeWaitForSingleObject-style
 * timeouts.
 */
#ifndef _VMB_SYNC_H
#define _VMB_SYNC_H

#include <linux/types.h>

struct vmb_channel;

long vmb_sync_timeout_jiffies(s64 timeout, u64 now_100ns);
void vmb_sync_cleanup(struct vmb_channel *ch);
u64 vmb_sync_now_100ns(void);

#endif /* _VMB_SYNC_H */
