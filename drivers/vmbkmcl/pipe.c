// SPDX-License-Identifier: GPL-2.0
/*
 * Pipe mode: VMBUS_CHANNEL_INIT_FLAG_IS_PIPE.
 *
 * KMCL runs a pipe channel as a datagram channel: each inband packet
 * carries an 8-byte pipe header before the client's bytes, which the
 * library writes on the way out and checks and removes on the way in, so
 * the client sends and receives its messages only. The header is Linux's
 * struct vmbuspipe_hdr: a type (1, a whole message, as hv_sock writes
 * it and OpenVMM's message pipes require) and the number of data bytes
 * that follow. A pipe has no transactions and no external memory
 * (Documentation/kmcl-semantics.rst): sends that ask for either fail.
 *
 * Incoming, the header is the host's: a packet whose header is short, of
 * another type, or claims more bytes than the packet carries is dropped
 * with a rate-limited message (validate.c), and the next one is read. The
 * client sees the exact message length the header gives, not the 8-byte
 * padded VMBus payload.
 */
#include <linux/string.h>

#include "channel.h"
#include "packet.h"
#include "pipe.h"

/**
 * vmb_pipe_enabled() - whether a channel runs in pipe mode
 * @ch: the channel
 *
 * Return: true if VMBUS_CHANNEL_INIT_FLAG_IS_PIPE was set.
 */
bool vmb_pipe_enabled(const struct vmb_channel *ch)
{
	return READ_ONCE(ch->init_flags) & VMBUS_CHANNEL_INIT_FLAG_IS_PIPE;
}

/**
 * vmb_pipe_wire_size() - bytes a payload takes on the wire
 * @ch: the channel
 * @payload: the client's bytes
 *
 * Return: @payload, plus the pipe header in pipe mode.
 */
u32 vmb_pipe_wire_size(const struct vmb_channel *ch, u32 payload)
{
	return payload + (vmb_pipe_enabled(ch) ? VMB_PIPE_HEADER : 0);
}

/**
 * vmb_pipe_check_send() - whether a send is possible on a channel's mode
 * @ch: the channel
 * @flags: VMBUS_CHANNEL_FORMAT_FLAG_* of the send
 * @external: the send carries external data
 *
 * Context: any.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a transaction or
 * external data on a pipe channel.
 */
NTSTATUS vmb_pipe_check_send(const struct vmb_channel *ch, u32 flags, bool external)
{
	if (!vmb_pipe_enabled(ch))
		return STATUS_SUCCESS;
	if (external || (flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

/**
 * vmb_pipe_frame() - put the pipe header before an outgoing payload
 * @pkt: the packet, idle, of a pipe channel; its payload room holds the
 *       header and the largest payload (vmb_pipe_wire_size())
 * @buffer: in: the client's bytes; out: the framed message in @pkt
 * @length: in: their length; out: the framed message's
 *
 * Every byte of the header is written: nothing of the packet's memory
 * reaches the host but the client's bytes.
 *
 * Context: any; the caller owns @pkt.
 */
void vmb_pipe_frame(struct vmb_packet *pkt, const void **buffer, u32 *length)
{
	struct vmbuspipe_hdr *hdr = vmb_packet_payload(pkt);

	hdr->flags = VMB_PIPE_TYPE_DATA;
	hdr->msgsize = *length;
	if (*length)
		memcpy(hdr + 1, *buffer, *length);
	*buffer = hdr;
	*length += VMB_PIPE_HEADER;
}

/**
 * vmb_pipe_strip() - check the pipe header of an incoming payload
 * @payload: the payload, a private copy
 * @length: its bytes, padding included
 * @data_length: receives the message's bytes, after the header
 *
 * Context: any.
 * Return: NULL, or why the packet is to be dropped.
 */
const char *vmb_pipe_strip(const u8 *payload, u32 length, u32 *data_length)
{
	struct vmbuspipe_hdr hdr;

	if (length < VMB_PIPE_HEADER)
		return "pipe packet shorter than its header";
	memcpy(&hdr, payload, sizeof(hdr));
	if (hdr.flags != VMB_PIPE_TYPE_DATA)
		return "pipe packet type is not data";
	if (hdr.msgsize > length - VMB_PIPE_HEADER)
		return "pipe header length beyond the packet";
	*data_length = hdr.msgsize;
	return NULL;
}
