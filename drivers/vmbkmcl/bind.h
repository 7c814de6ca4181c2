/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Binding channels made without a parent to offers, by class GUID
 * (VmbClientChannelInitSetTargetPnp()).
 */
#ifndef _VMB_BIND_H
#define _VMB_BIND_H

#include <vmbkmcl.h>

struct vmb_channel;

int vmb_bind_init(void);
void vmb_bind_exit(void);
NTSTATUS vmb_bind_start(struct vmb_channel *ch);
void vmb_bind_stop(struct vmb_channel *ch);
void vmb_bind_release(struct vmb_channel *ch);

#endif /* _VMB_BIND_H */
