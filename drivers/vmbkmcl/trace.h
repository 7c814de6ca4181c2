/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of the "vmbkmcl" system (Documentation/observability.rst):
 * a packet written to the outgoing ring or queued, the completion routine of
 * a sent packet, a ProcessPacket call, a change of channel state. Each names
 * the channel by its id and label (friendly name, or "ch<id>").
 *
 * Callers pass their objects; trace.c, the one file that defines the events,
 * sees their structures. Test modules may attach probes: the tracepoints
 * are exported.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmbkmcl

#if !defined(_VMB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VMB_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

#include <vmbkmcl.h>

#include "obs.h"

struct vmb_channel;
struct vmb_packet;
struct vmb_packet_completion;

#define VMB_TRACE_STATE_LEN	12

/*
 * A packet went into the outgoing ring, or onto the send queue (queued=1:
 * the ring was full, the channel not open, or others waited already); a
 * queued packet is traced again when it is written. trans_id is the id on
 * the wire, 0 for a packet that asks for no completion; type is VM_PKT_*.
 */
TRACE_EVENT(vmb_send,
	    TP_PROTO(const struct vmb_channel *ch, const struct vmb_packet *pkt,
		     u32 length, bool queued),
	    TP_ARGS(ch, pkt, length, queued),
	    TP_STRUCT__entry(__field(u32, id)
			     __array(char, name, VMB_LABEL_LEN)
			     __field(u64, trans_id)
			     __field(u32, length)
			     __field(u32, flags)
			     __field(u16, type)
			     __field(bool, queued)),
	    TP_fast_assign(__entry->id = ch->obs.id;
			   memcpy(__entry->name, ch->obs.label, VMB_LABEL_LEN);
			   __entry->trans_id = pkt->trans_id;
			   __entry->length = length;
			   __entry->flags = pkt->flags;
			   __entry->type = pkt->desc_size ? VM_PKT_DATA_USING_GPA_DIRECT :
							    VM_PKT_DATA_INBAND;
			   __entry->queued = queued;),
	    TP_printk("%s trans_id=%llu type=%u length=%u flags=%#x queued=%u",
		      __entry->name, __entry->trans_id, __entry->type,
		      __entry->length, __entry->flags, __entry->queued)
);

/*
 * A sent packet's completion routine is about to run: its transaction
 * completed (status 0, length bytes of the host's payload), it was written
 * and needs no completion (status 0, length 0), or it was cancelled.
 */
TRACE_EVENT(vmb_completion,
	    TP_PROTO(const struct vmb_packet *pkt, NTSTATUS status, u32 length),
	    TP_ARGS(pkt, status, length),
	    TP_STRUCT__entry(__field(u32, id)
			     __array(char, name, VMB_LABEL_LEN)
			     __field(u64, trans_id)
			     __field(s32, status)
			     __field(u32, length)),
	    TP_fast_assign(__entry->id = pkt->channel->obs.id;
			   memcpy(__entry->name, pkt->channel->obs.label, VMB_LABEL_LEN);
			   __entry->trans_id = pkt->trans_id;
			   __entry->status = status;
			   __entry->length = length;),
	    TP_printk("%s trans_id=%llu status=%#x length=%u",
		      __entry->name, __entry->trans_id, __entry->status,
		      __entry->length)
);

/*
 * ProcessPacket is called for a host packet: trans_id as the host sent it,
 * type VM_PKT_*, length of the payload, flags as ProcessPacket gets them,
 * passive=1 in process context.
 */
TRACE_EVENT(vmb_delivery,
	    TP_PROTO(const struct vmb_channel *ch, const struct vmb_packet_completion *pc),
	    TP_ARGS(ch, pc),
	    TP_STRUCT__entry(__field(u32, id)
			     __array(char, name, VMB_LABEL_LEN)
			     __field(u64, trans_id)
			     __field(u32, length)
			     __field(u32, flags)
			     __field(u16, type)
			     __field(bool, completion_requested)
			     __field(bool, passive)),
	    TP_fast_assign(__entry->id = ch->obs.id;
			   memcpy(__entry->name, ch->obs.label, VMB_LABEL_LEN);
			   __entry->trans_id = pc->trans_id;
			   __entry->length = pc->length;
			   __entry->flags = pc->flags;
			   __entry->type = pc->type;
			   __entry->completion_requested = pc->wants_completion;
			   __entry->passive = in_task();),
	    TP_printk("%s trans_id=%llu type=%u length=%u flags=%#x completion_requested=%u passive=%u",
		      __entry->name, __entry->trans_id, __entry->type,
		      __entry->length, __entry->flags,
		      __entry->completion_requested, __entry->passive)
);

/* The channel moved from one state to another (enum vmb_state, by name). */
TRACE_EVENT(vmb_state_change,
	    TP_PROTO(const struct vmb_channel *ch, enum vmb_state old_state,
		     enum vmb_state new_state),
	    TP_ARGS(ch, old_state, new_state),
	    TP_STRUCT__entry(__field(u32, id)
			     __array(char, name, VMB_LABEL_LEN)
			     __array(char, old_state, VMB_TRACE_STATE_LEN)
			     __array(char, new_state, VMB_TRACE_STATE_LEN)),
	    TP_fast_assign(__entry->id = ch->obs.id;
			   memcpy(__entry->name, ch->obs.label, VMB_LABEL_LEN);
			   strscpy(__entry->old_state, vmb_state_name(old_state),
				   VMB_TRACE_STATE_LEN);
			   strscpy(__entry->new_state, vmb_state_name(new_state),
				   VMB_TRACE_STATE_LEN);),
	    TP_printk("%s %s -> %s", __entry->name, __entry->old_state,
		      __entry->new_state)
);

#endif /* _VMB_TRACE_H */

/* outside the guard: define_trace.h reads the file again */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
