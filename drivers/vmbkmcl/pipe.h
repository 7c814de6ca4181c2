/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pipe mode (VMBUS_CHANNEL_INIT_FLAG_IS_PIPE): the header the library puts
 * before each outgoing payload and checks and strips from each incoming one.
 */
#ifndef _VMB_PIPE_H
#define _VMB_PIPE_H

#include <linux/hyperv.h>
#include <linux/types.h>

#include <vmbkmcl.h>

struct vmb_channel;
struct vmb_packet;

/*
 * The pipe header: struct vmbuspipe_hdr of <linux/hyperv.h>, a type then
 * the bytes of data that follow it. Type 1 is a whole message (hv_sock
 * writes it; OpenVMM's message pipes accept nothing else).
 */
#define VMB_PIPE_HEADER		sizeof(struct vmbuspipe_hdr)
#define VMB_PIPE_TYPE_DATA	1

bool vmb_pipe_enabled(const struct vmb_channel *ch);
u32 vmb_pipe_wire_size(const struct vmb_channel *ch, u32 payload);
NTSTATUS vmb_pipe_check_send(const struct vmb_channel *ch, u32 flags, bool external);
void vmb_pipe_frame(struct vmb_packet *pkt, const void **buffer, u32 *length);
const char *vmb_pipe_strip(const u8 *payload, u32 length, u32 *data_length);

#endif /* _VMB_PIPE_H */
