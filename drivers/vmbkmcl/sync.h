/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VmbChannelSendSynchronousRequest() and KeWaitForSingleObject-style
 * timeouts.
 */
#ifndef _VMB_SYNC_H
#define _VMB_SYNC_H

#include <linux/types.h>

long vmb_sync_timeout_jiffies(s64 timeout, u64 now_100ns);
u64 vmb_sync_now_100ns(void);

#endif /* _VMB_SYNC_H */
