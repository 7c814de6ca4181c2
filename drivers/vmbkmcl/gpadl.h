/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GPADLs a channel shares with the host.
 */
#ifndef _VMB_GPADL_H
#define _VMB_GPADL_H

struct vmb_channel;

void vmb_gpadl_teardown_all(struct vmb_channel *ch);
void vmb_gpadl_forget(struct vmb_channel *ch);

#endif /* _VMB_GPADL_H */
