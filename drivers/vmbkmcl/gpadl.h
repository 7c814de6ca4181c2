/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GPADLs a channel shares with the host.
 */
#ifndef _VMB_GPADL_H
#define _VMB_GPADL_H

#include <vmbkmcl.h>

struct vmb_channel;

void vmb_gpadl_teardown_all(struct vmb_channel *ch);
void vmb_gpadl_forget(struct vmb_channel *ch);
NTSTATUS vmb_gpadl_create_mapped(struct vmb_channel *ch, void *map, u32 size, u32 *handle);

#endif /* _VMB_GPADL_H */
