/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The channel callback and the reader of the incoming ring.
 */
#ifndef _VMB_RECEIVE_H
#define _VMB_RECEIVE_H

struct vmb_channel;

void vmb_receive_callback(void *context);
void vmb_receive_start(struct vmb_channel *ch);
void vmb_receive_stop(struct vmb_channel *ch);

#endif /* _VMB_RECEIVE_H */
