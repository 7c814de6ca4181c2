/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hyper-V integration component (IC) wire facts that <linux/hyperv.h> does
 * not spell out, shared by the heartbeat sample and its host model. The
 * structures themselves (struct vmbuspipe_hdr, struct icmsg_hdr, struct
 * icmsg_negotiate, struct heartbeat_msg_data) and the ICMSGTYPE_* and
 * ICMSGHDRFLAG_* values are <linux/hyperv.h>'s, as on 6.1 and 6.12.
 */
#ifndef _VMB_IC_H
#define _VMB_IC_H

/*
 * vmbuspipe_hdr.flags of a whole message. IC channels are offered in pipe
 * mode: each VMBus packet carries an 8-byte pipe header, type then length.
 * OpenVMM calls the type PIPE_PACKET_TYPE_DATA (vm/devices/vmbus/vmbus_ring)
 * and refuses any other in a message pipe (vmbus_async/src/pipe.rs);
 * hv_utils never writes the field, it echoes the host's. The sample's
 * channel runs in pipe mode, where vmbkmcl writes and checks the header; the
 * host model frames and checks it with vmbus_sim's pipe helpers.
 */
#define VMB_IC_PIPE_DATA	1

/*
 * Largest host message the heartbeat IC can need, after its pipe header: a
 * negotiation with the most versions hv_vmbus accepts per list
 * (vmbus_prep_negotiate_resp()).
 */
#define VMB_IC_MAX_MESSAGE \
	(ICMSG_NEGOTIATE_PKT_SIZE(IC_VERSION_NEGOTIATION_MAX_VER_COUNT, \
				  IC_VERSION_NEGOTIATION_MAX_VER_COUNT) - \
	 sizeof(struct vmbuspipe_hdr))

#endif /* _VMB_IC_H */
