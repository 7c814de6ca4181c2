/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmbus_sim: a simulated VMBus host for kernels without hv_vmbus.
 *
 * vmbus_sim.ko exports the hv_vmbus client API (vmbus_open, vmbus_sendpacket,
 * hv_pkt_iter_first, ...) under hv_vmbus's own names and signatures, on a bus
 * named "vmbus", backed by real VMBus rings in guest memory. This header is
 * the other half: the host side of each offered channel, which tests script.
 *
 * Model: each vmbus_sim_offer() is one host offer and its primary channel. A
 * struct hv_driver whose id_table (or new_id) matches the class GUID is probed
 * for it, in process context, and drives it through the hv_vmbus API; the host
 * sees what that driver writes to the guest->host ring through @ops->packet
 * and answers with vmbus_sim_send() and vmbus_sim_complete(). Both sides follow
 * the ring protocol (signal on empty->non-empty unless masked, pending_send_sz
 * flow control), so the counters of struct vmbus_sim_stats are the signals and
 * interrupts a real host would have seen and raised.
 *
 * Terms: "guest" is the hv driver and the hv_vmbus API it calls; "host" is
 * this header. "inbound" and "outbound" are seen from the guest, as in
 * struct vmbus_channel: the host writes the inbound ring and reads the
 * outbound one.
 */
#ifndef _VMBUS_SIM_H
#define _VMBUS_SIM_H

#include <linux/hyperv.h>
#include <linux/types.h>
#include <linux/uuid.h>

/*
 * struct vmbus_sim_device: one simulated offer and its channel, opaque.
 * Created by vmbus_sim_offer(), freed by vmbus_sim_destroy(). Owned by the
 * host side; the guest sees the struct hv_device and struct vmbus_channel
 * that the simulator made for it.
 */
struct vmbus_sim_device;

/**
 * struct vmbus_sim_packet - a packet the guest wrote, as the host read it
 * @type: packet type (VM_PKT_*), from the descriptor
 * @flags: descriptor flags (VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
 * @trans_id: transaction id as it is on the wire: for a guest using a
 *            requestor this is the small request id, not its request address
 * @data: inline payload, at the descriptor's offset8 * 8
 * @length: bytes at @data: len8 * 8 - offset8 * 8, so it includes the zero
 *          padding to 8 bytes (VMBus carries no exact payload length)
 * @range_count: number of GPA ranges, for VM_PKT_DATA_USING_GPA_DIRECT only
 * @ranges: the GPA ranges, each { byte_count, byte_offset, pfn_array[] } with
 *          HVPFN_UP(byte_offset + byte_count) Hyper-V (4 KiB) page numbers
 * @raw: the whole packet as it was in the ring, descriptor first: every
 *       byte the guest wrote for it, padding included (not the trailer)
 * @raw_length: bytes at @raw: len8 * 8
 *
 * Everything is a host-private copy of the ring bytes, validated: @ranges fit
 * in the packet's header area, every byte_offset is below HV_HYP_PAGE_SIZE,
 * every byte_count is non-zero. The packet and everything it points to are
 * valid only during the &vmbus_sim_host_ops.packet call that receives it;
 * a host model that answers later copies what it needs.
 */
struct vmbus_sim_packet {
	u16 type;
	u16 flags;
	u64 trans_id;
	const void *data;
	u32 length;
	u32 range_count;
	const struct gpa_range *const *ranges;
	const void *raw;
	u32 raw_length;
};

/**
 * struct vmbus_sim_host_ops - the host model of one offer
 * @open: the guest opened the channel (vmbus_open(), in the guest's context,
 *        with the rings already shared); nonzero refuses the open, which then
 *        fails with -EAGAIN as when Hyper-V answers OPENCHANNEL with an error
 *        status. May be NULL (accept). May send.
 * @close: the guest closed the channel (vmbus_close(), in the guest's
 *         context, after the host stopped reading the ring); also called if
 *         a rescind or destroy takes the channel away while it is open and
 *         the guest does not close it. May be NULL.
 * @packet: one packet from the guest->host ring, in process context (a
 *          workqueue of the simulator, one at a time per device); may sleep,
 *          send and complete. May be NULL (packets are read and dropped).
 *
 * The callbacks may call the vmbus_sim_* functions on their own device
 * except vmbus_sim_destroy() and vmbus_sim_flush_host(), and not
 * vmbus_sim_offer(); vmbus_sim_rescind() and vmbus_sim_pause_host() then do
 * not wait (see there).
 */
struct vmbus_sim_host_ops {
	int (*open)(struct vmbus_sim_device *dev);
	void (*close)(struct vmbus_sim_device *dev);
	void (*packet)(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt);
};

/**
 * struct vmbus_sim_stats - host-side counters of one device
 * @signals: signals the guest sent to the host (vmbus_setevent() calls, as
 *           from hv_vmbus's "signal on empty->non-empty" and "pending_send_sz
 *           crossed" rules); each one would be a hypercall on Hyper-V
 * @interrupts: interrupts the host raised to the guest (by the same rules
 *              from the host side, plus vmbus_sim_interrupt())
 * @packets_read: packets the host read from the guest->host ring
 * @bytes_read: ring bytes those packets occupied (len8 * 8 + 8-byte trailer)
 * @packets_written: packets the host wrote to the host->guest ring
 * @bytes_written: ring bytes those packets occupied (with the trailer)
 * @send_full: host sends refused with -EAGAIN because the ring was full
 * @protocol_errors: what the host found wrong in what the guest did (also
 *                   logged): malformed packets or GPA ranges, ring indices
 *                   out of range, teardown of an unknown GPADL, an unusable
 *                   ring GPADL; a bad descriptor stops the host from reading
 *                   that ring until the channel is reopened
 * @opens: successful vmbus_open() calls on this channel
 * @closes: times the host let go of an open channel: vmbus_close(), or the
 *          channel's release after a rescind that the driver did not close
 * @gpadls: GPADLs currently established on the channel, the ring's included
 *
 * All counters start at zero at vmbus_sim_offer() and only grow, except
 * @gpadls; compare snapshots taken with vmbus_sim_get_stats().
 */
struct vmbus_sim_stats {
	u64 signals;
	u64 interrupts;
	u64 packets_read;
	u64 bytes_read;
	u64 packets_written;
	u64 bytes_written;
	u64 send_full;
	u64 protocol_errors;
	u64 opens;
	u64 closes;
	u32 gpadls;
};

/**
 * vmbus_sim_offer() - offer a channel to the guest
 * @type: class GUID (offer.if_type, hv_device.dev_type): drivers bind by it
 * @instance: instance GUID (offer.if_instance, hv_device.dev_instance, and
 *            the device's name on the bus); unique per offer
 * @ops: the host model; may be NULL for a host that accepts and ignores all
 * @host_context: returned by vmbus_sim_host_context()
 *
 * Creates the channel and its hv_device the way hv_vmbus does on an
 * OFFERCHANNEL message and registers the device on the vmbus bus; a matching
 * driver's probe runs in a workqueue (process context) before this returns.
 *
 * Context: process context; not from a driver's probe or remove.
 * Return: the new device, or ERR_PTR(-EEXIST) if @type and @instance are
 * already offered, ERR_PTR(-ENOSPC) if no relid is left, ERR_PTR(-ENOMEM),
 * or the error of device registration. A failing probe is not an error here:
 * the device stays offered without a driver, as on Hyper-V.
 */
struct vmbus_sim_device *vmbus_sim_offer(const guid_t *type, const guid_t *instance,
					 const struct vmbus_sim_host_ops *ops,
					 void *host_context);

/**
 * vmbus_sim_offer_subchannel() - offer a sub-channel of an offered device
 * @primary: the device whose primary channel gets the sub-channel; not
 *           itself a sub-channel, not rescinded
 * @index: the sub-channel's index (offer.sub_channel_index), 1 to 65535,
 *         unique among @primary's sub-channels
 * @ops: the sub-channel's host model, as for vmbus_sim_offer()
 * @host_context: returned by vmbus_sim_host_context()
 *
 * What a host does when the guest asked for sub-channels over the primary
 * (storvsc's and netvsc's device protocols): an OFFERCHANNEL with the
 * primary's class and instance GUIDs and a non-zero sub_channel_index.
 * hv_vmbus makes it a struct vmbus_channel on the primary's sc_list, with
 * no struct hv_device of its own, and calls the primary's sub-channel
 * callback (vmbus_set_sc_create_callback()) if one is set, in process
 * context, before this returns. The result is a device like any other for
 * the vmbus_sim_* functions (send, complete, stats, ...), and it belongs to
 * its primary, as follows.
 *
 * - vmbus_sim_rescind() of @primary rescinds its sub-channels first, as
 *   Hyper-V does; a sub-channel may also be rescinded alone;
 * - hv_vmbus closes a sub-channel only when the guest closes the primary
 *   (vmbus_close() of a sub-channel does nothing), and frees a rescinded
 *   one then, or at once if it was not open;
 * - vmbus_sim_destroy() of @primary destroys its sub-channels; of a
 *   sub-channel alone, waits until the guest released it (so after the
 *   guest closed the primary, if the sub-channel was open).
 *
 * Context: process context; not from a host callback.
 * Return: the new device, or ERR_PTR(-EINVAL) for a bad @primary or
 * @index, ERR_PTR(-EEXIST) if @index is offered, ERR_PTR(-ENOSPC) if no
 * relid is left, ERR_PTR(-ENOMEM).
 */
struct vmbus_sim_device *vmbus_sim_offer_subchannel(struct vmbus_sim_device *primary, u16 index,
						    const struct vmbus_sim_host_ops *ops,
						    void *host_context);

/**
 * vmbus_sim_interrupt_cpu() - where the host interrupts the guest
 * @dev: the device
 *
 * The CPU (virtual processor) the host raises the channel's interrupts on:
 * the target the guest named when it opened the channel (OPENCHANNEL's
 * target_vp, hv_vmbus's channel->target_cpu then), or later with
 * MODIFYCHANNEL. hv_vmbus runs the channel callback on the CPU the
 * interrupt arrives on, so this is also where the guest's callback runs.
 *
 * Context: any.
 * Return: the CPU number; -ENOTCONN if the channel is not open; -ENODEV
 * after rescind.
 */
int vmbus_sim_interrupt_cpu(struct vmbus_sim_device *dev);

/**
 * vmbus_sim_host_context() - the host_context given to vmbus_sim_offer()
 * @dev: the device
 *
 * Context: any.
 * Return: the pointer.
 */
void *vmbus_sim_host_context(struct vmbus_sim_device *dev);

/**
 * vmbus_sim_rescind() - the host revokes the offer
 * @dev: the device
 *
 * Does what hv_vmbus does on a RESCINDCHANNEL message: stops channel
 * callbacks, sets channel->rescind (so sends fail with -ENODEV and a
 * vmbus_open() waiting for the host returns -ENODEV), waits for the offer's
 * probe to finish, then calls the channel's rescind callback if the driver set
 * one (vmbus_set_chn_rescind_callback()), else unregisters the device, which
 * calls the driver's remove. A second call does nothing.
 *
 * Context: process context, not from the device's own probe or remove.
 * Waits until the driver's remove has returned, except when called from one
 * of @dev's host callbacks: then channel->rescind is set before it returns
 * and the removal runs in a workqueue afterwards.
 */
void vmbus_sim_rescind(struct vmbus_sim_device *dev);

/**
 * vmbus_sim_destroy() - remove an offer and free it
 * @dev: the device; invalid afterwards
 *
 * Rescinds the offer if that was not done, makes sure the device is gone from
 * the bus (also when a rescind callback kept it), waits until the guest's
 * struct hv_device and struct vmbus_channel are released, and frees the host
 * side. GPADLs the guest never tore down are logged and forgotten.
 *
 * Context: process context; not from @dev's host callbacks.
 */
void vmbus_sim_destroy(struct vmbus_sim_device *dev);

/**
 * vmbus_sim_hv_device() - the guest's device object of an offer
 * @dev: the device
 *
 * For tests that act on the channel directly (struct vmbus_channel is
 * hv_device->channel).
 *
 * Context: any; the result is valid until the offer is rescinded.
 * Return: the struct hv_device, or NULL once the offer is rescinded.
 */
struct hv_device *vmbus_sim_hv_device(struct vmbus_sim_device *dev);

/**
 * vmbus_sim_send() - the host writes a packet to the guest's inbound ring
 * @dev: the device
 * @type: descriptor type (VM_PKT_*)
 * @flags: descriptor flags (0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
 * @trans_id: descriptor transaction id (0 for unsolicited host messages)
 * @data: payload, placed right after the 16-byte descriptor (offset8 = 2)
 * @length: payload bytes; zero-padded to 8 on the wire
 *
 * Writes descriptor, payload, padding and the 8-byte trailer, publishes the
 * write index and interrupts the guest if the ring was empty before and the
 * guest did not mask interrupts (interrupt_mask of the inbound ring).
 *
 * Context: any (takes a spinlock with interrupts disabled).
 * Return: 0; -EAGAIN if the ring has not more free bytes than the packet
 * needs (the write index never catches the read index); -EMSGSIZE if the
 * packet can never fit (len8 is 16 bits); -ENOTCONN if the guest has not
 * opened the channel; -ENODEV after rescind; -EIO if the guest's read index
 * is out of range.
 */
int vmbus_sim_send(struct vmbus_sim_device *dev, u16 type, u16 flags, u64 trans_id,
		   const void *data, u32 length);

/**
 * vmbus_sim_complete() - the host completes a guest transaction
 * @dev: the device
 * @trans_id: the transaction id of the guest's packet (&vmbus_sim_packet.trans_id)
 * @data: completion payload
 * @length: payload bytes
 *
 * Same as vmbus_sim_send(@dev, VM_PKT_COMP, 0, @trans_id, @data, @length).
 *
 * Context: any.
 * Return: as vmbus_sim_send().
 */
int vmbus_sim_complete(struct vmbus_sim_device *dev, u64 trans_id, const void *data,
		       u32 length);

/*
 * The type of a whole message in a pipe header (struct vmbuspipe_hdr's
 * flags): what hv_sock writes and what a message pipe carries.
 */
#define VMBUS_SIM_PIPE_DATA	1

/**
 * vmbus_sim_pipe_send() - the host writes one message to a pipe-mode channel
 * @dev: the device
 * @data: the message
 * @length: its bytes
 *
 * A pipe channel (KMCL's VMBUS_CHANNEL_INIT_FLAG_IS_PIPE on the guest
 * side) carries each message in an inband packet that asks for no
 * completion, behind an 8-byte struct vmbuspipe_hdr: type
 * VMBUS_SIM_PIPE_DATA, then @length. This writes that packet.
 *
 * Context: any.
 * Return: as vmbus_sim_send().
 */
int vmbus_sim_pipe_send(struct vmbus_sim_device *dev, const void *data, u32 length);

/**
 * vmbus_sim_pipe_data() - the message in a packet of a pipe-mode channel
 * @pkt: a packet the guest wrote, as &vmbus_sim_host_ops.packet received it
 * @data: receives the message, inside @pkt
 * @length: receives its bytes, as the pipe header gives them
 *
 * Checks what a pipe host checks: an inband packet without a completion
 * request, a pipe header of type VMBUS_SIM_PIPE_DATA whose length fits the
 * packet.
 *
 * Context: any.
 * Return: 0, or -EPROTO for a packet that is not a pipe message.
 */
int vmbus_sim_pipe_data(const struct vmbus_sim_packet *pkt, const void **data, u32 *length);

/**
 * vmbus_sim_send_raw() - the host writes arbitrary bytes as one packet
 * @dev: the device
 * @bytes: what to write at the write index, descriptor included; nothing in
 *         it is checked, so len8 and offset8 may lie (hostile-host tests)
 * @length: bytes; zero-padded to a multiple of 8
 *
 * The bytes are followed by the usual trailer and the write index advances
 * by the padded length plus 8, whatever the bytes say; signalling as in
 * vmbus_sim_send().
 *
 * Context: any.
 * Return: as vmbus_sim_send(); -EINVAL for @length 0.
 */
int vmbus_sim_send_raw(struct vmbus_sim_device *dev, const void *bytes, u32 length);

/**
 * vmbus_sim_copy_from_guest() - read a packet's external data, like a DMA
 * @dev: the device
 * @pkt: a GPA-direct packet received in &vmbus_sim_host_ops.packet
 * @offset: byte offset into the data the ranges describe, taken as one
 *          stream: range 0's bytes, then range 1's, and so on
 * @to: destination
 * @length: bytes to copy
 *
 * Reads guest memory through the page frame numbers the guest wrote, so the
 * guest's description is what is tested, not its intentions. Only
 * @pkt->range_count and @pkt->ranges are used: a host model that answers
 * later may pass its own copy of them.
 *
 * Context: any.
 * Return: 0; -EINVAL if [@offset, @offset + @length) is not inside what the
 * ranges describe; -EFAULT if a page frame number is not guest RAM.
 */
int vmbus_sim_copy_from_guest(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt,
			      u32 offset, void *to, u32 length);

/**
 * vmbus_sim_copy_to_guest() - write a packet's external data, like a DMA
 * @dev: the device
 * @pkt: a GPA-direct packet received in &vmbus_sim_host_ops.packet
 * @offset: byte offset into the described data, as for vmbus_sim_copy_from_guest()
 * @from: source
 * @length: bytes to copy
 *
 * Context: any.
 * Return: as vmbus_sim_copy_from_guest().
 */
int vmbus_sim_copy_to_guest(struct vmbus_sim_device *dev, const struct vmbus_sim_packet *pkt,
			    u32 offset, const void *from, u32 length);

/**
 * vmbus_sim_gpadl_copy_from_guest() - read from a buffer the guest shared
 * @dev: the device
 * @gpadl: a GPADL handle the guest established on this channel
 *         (vmbus_establish_gpadl(), &vmbus_gpadl.gpadl_handle)
 * @offset: byte offset into the GPADL
 * @to: destination
 * @length: bytes to copy
 *
 * Reads through the page frame numbers recorded when the GPADL was
 * established, as Hyper-V would.
 *
 * Context: any.
 * Return: 0; -ENOENT if @gpadl is not established on this channel; -EINVAL
 * if the range is outside it; -EFAULT if a page is not guest RAM.
 */
int vmbus_sim_gpadl_copy_from_guest(struct vmbus_sim_device *dev, u32 gpadl, u32 offset,
				    void *to, u32 length);

/**
 * vmbus_sim_gpadl_copy_to_guest() - write to a buffer the guest shared
 * @dev: the device
 * @gpadl: a GPADL handle established on this channel
 * @offset: byte offset into the GPADL
 * @from: source
 * @length: bytes to copy
 *
 * Context: any.
 * Return: as vmbus_sim_gpadl_copy_from_guest().
 */
int vmbus_sim_gpadl_copy_to_guest(struct vmbus_sim_device *dev, u32 gpadl, u32 offset,
				  const void *from, u32 length);

/**
 * vmbus_sim_fail_gpadl_teardowns() - make the guest's next GPADL teardowns fail
 * @dev: the device
 * @count: how many of the next vmbus_teardown_gpadl() calls on the channel
 *         fail; 0 stops failing
 *
 * Each failing call returns -ENOMEM and leaves the GPADL established, as
 * hv_vmbus does when it cannot allocate the GPADL_TEARDOWN message or post
 * it: the host keeps the pages. Teardowns on a rescinded channel never
 * fail, as in hv_vmbus. Ring GPADLs count too.
 *
 * Context: any.
 */
void vmbus_sim_fail_gpadl_teardowns(struct vmbus_sim_device *dev, u32 count);

/**
 * vmbus_sim_pause_host() - stop or resume the host's reading
 * @dev: the device
 * @paused: true: the host reads nothing more, so the guest's outbound ring
 *          fills; false: the host drains what accumulated
 *
 * Signals from the guest are still counted while paused.
 *
 * Context: process context. Pausing waits until the host is between two
 * packets, except from @dev's own host callbacks, where it takes effect
 * after the current packet; resuming does not wait (use
 * vmbus_sim_flush_host()).
 */
void vmbus_sim_pause_host(struct vmbus_sim_device *dev, bool paused);

/**
 * vmbus_sim_flush_host() - wait until the host is idle
 * @dev: the device
 *
 * Returns when the host has read every packet it was signalled about (or
 * found while draining) before the call, unless it is paused.
 *
 * Context: process context; not from @dev's host callbacks.
 */
void vmbus_sim_flush_host(struct vmbus_sim_device *dev);

/**
 * vmbus_sim_set_teardown_delay() - the host takes its time to let go of GPADLs
 * @dev: the device
 * @ms: how long the host takes to answer a GPADL_TEARDOWN on this channel,
 *      as a real host whose device side still maps the buffer does; 0 (the
 *      default) answers at once
 *
 * vmbus_teardown_gpadl() on the channel (vmbus_close() too, for the ring's
 * GPADL) waits for the answer, uninterruptibly, as hv_vmbus does; not on a
 * rescinded channel, whose host is gone.
 *
 * Context: process context.
 */
void vmbus_sim_set_teardown_delay(struct vmbus_sim_device *dev, unsigned int ms);

/**
 * vmbus_sim_set_pending_send_size() - the host waits for ring space
 * @dev: the device
 * @bytes: pending_send_sz to store in the inbound ring's header: the guest
 *         signals the host when its reading makes more than this many bytes
 *         free, having had no more (hv_pkt_iter_close()); 0 clears it
 *
 * The host->guest counterpart of set_channel_pending_send_size(). The
 * resulting signals show in &vmbus_sim_stats.signals.
 *
 * Context: any.
 * Return: 0; -ENOTCONN if the channel is not open; -ENODEV after rescind.
 */
int vmbus_sim_set_pending_send_size(struct vmbus_sim_device *dev, u32 bytes);

/**
 * vmbus_sim_interrupt() - raise a channel interrupt in the guest
 * @dev: the device
 *
 * Unconditionally, as a host that signals when it need not would: the
 * channel callback runs in its callback mode's context (the hv_vmbus
 * interrupt path, including the BATCHED mode's interrupt masking).
 *
 * Context: any.
 * Return: 0; -ENOTCONN if the channel is not open; -ENODEV after rescind.
 */
int vmbus_sim_interrupt(struct vmbus_sim_device *dev);

/**
 * vmbus_sim_get_stats() - snapshot the host-side counters
 * @dev: the device
 * @stats: filled in
 *
 * Valid until vmbus_sim_destroy(), rescinded or not.
 *
 * Context: any.
 */
void vmbus_sim_get_stats(struct vmbus_sim_device *dev, struct vmbus_sim_stats *stats);

#endif /* _VMBUS_SIM_H */
