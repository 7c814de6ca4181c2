/* SPDX-License-Identifier: GPL-2.0 */
/*
 * debugfs: /sys/kernel/debug/vmbkmcl/<channel>/{state,config,ring,queue,counters}.
 */
#ifndef _VMB_DEBUGFS_H
#define _VMB_DEBUGFS_H

struct vmb_channel;

void vmb_debugfs_init(void);
void vmb_debugfs_exit(void);
void vmb_debugfs_channel_add(struct vmb_channel *ch);
void vmb_debugfs_channel_rename(struct vmb_channel *ch);
void vmb_debugfs_channel_remove(struct vmb_channel *ch);

#endif /* _VMB_DEBUGFS_H */
