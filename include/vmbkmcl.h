/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmbkmcl: the Windows VMBus Kernel-Mode Client Library (KMCL) programming
 * model for Linux kernel modules, on top of the hv_vmbus client API.
 *
 * The Windows names (Vmb*, VMBUS_*, STATUS_*, EVT_VMB_*) are kept exactly as
 * KMCL spells them so that a VSC can be written once against this model.
 */
#ifndef _VMBKMCL_H
#define _VMBKMCL_H

#include <linux/compiler.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uuid.h>

struct bio_vec;
struct device;
struct page;
struct scatterlist;
struct sg_table;

/**
 * typedef NTSTATUS - a Windows status value, returned by every Vmb* function
 *
 * Bit 31 set means error or warning: test results with NT_SUCCESS(), never
 * against zero alone.
 */
typedef s32 NTSTATUS;

/**
 * NT_SUCCESS() - whether a status is a success or informational value
 * @s: the status
 *
 * Return: true for STATUS_SUCCESS, STATUS_PENDING, STATUS_TIMEOUT and every
 * other value with bit 31 clear; false for warnings and errors.
 */
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)

#define STATUS_SUCCESS			((NTSTATUS)0x00000000)
#define STATUS_TIMEOUT			((NTSTATUS)0x00000102)
#define STATUS_PENDING			((NTSTATUS)0x00000103)
#define STATUS_BUFFER_OVERFLOW		((NTSTATUS)0x80000005)
#define STATUS_DEVICE_BUSY		((NTSTATUS)0x80000011)
#define STATUS_UNSUCCESSFUL		((NTSTATUS)0xC0000001)
#define STATUS_INVALID_PARAMETER	((NTSTATUS)0xC000000D)
#define STATUS_BUFFER_TOO_SMALL		((NTSTATUS)0xC0000023)
#define STATUS_INSUFFICIENT_RESOURCES	((NTSTATUS)0xC000009A)
#define STATUS_NOT_SUPPORTED		((NTSTATUS)0xC00000BB)
#define STATUS_INVALID_PARAMETER_1	((NTSTATUS)0xC00000EF)
#define STATUS_INVALID_PARAMETER_2	((NTSTATUS)0xC00000F0)
#define STATUS_INVALID_PARAMETER_3	((NTSTATUS)0xC00000F1)
#define STATUS_CANCELLED		((NTSTATUS)0xC0000120)
#define STATUS_INVALID_DEVICE_STATE	((NTSTATUS)0xC0000184)
#define STATUS_DEVICE_REMOVED		((NTSTATUS)0xC00002B6)

/**
 * vmb_ntstatus_to_errno() - convert an NTSTATUS to a negative errno
 * @status: the status to convert
 *
 * For Linux-native callers of the Vmb* API. Every STATUS_* value this header
 * defines has a fixed errno: STATUS_SUCCESS 0, STATUS_TIMEOUT -ETIMEDOUT,
 * STATUS_PENDING -EINPROGRESS, STATUS_BUFFER_OVERFLOW -EAGAIN,
 * STATUS_UNSUCCESSFUL -EIO, STATUS_INVALID_PARAMETER and its _1, _2 and _3
 * forms -EINVAL, STATUS_BUFFER_TOO_SMALL -ENOBUFS,
 * STATUS_INSUFFICIENT_RESOURCES -ENOMEM, STATUS_NOT_SUPPORTED -EOPNOTSUPP,
 * STATUS_CANCELLED -ECANCELED, STATUS_INVALID_DEVICE_STATE -EBUSY,
 * STATUS_DEVICE_REMOVED -ENODEV, STATUS_DEVICE_BUSY -EBUSY.
 *
 * Context: any.
 * Return: 0 for any other success or informational status, -EIO for any
 * other warning or error status.
 */
int vmb_ntstatus_to_errno(NTSTATUS status);

/**
 * vmb_errno_to_ntstatus() - convert an errno to an NTSTATUS
 * @err: zero or a negative errno, as the hv_vmbus API returns them
 *
 * The inverse of vmb_ntstatus_to_errno() for the errnos it produces; besides
 * those, -EMSGSIZE gives STATUS_BUFFER_TOO_SMALL and -ETIME gives
 * STATUS_TIMEOUT.
 *
 * Context: any.
 * Return: STATUS_SUCCESS for 0, the matching status for a known errno,
 * STATUS_UNSUCCESSFUL for any other value (a positive one included).
 */
NTSTATUS vmb_errno_to_ntstatus(int err);

/*
 * Handles and flags
 */

/**
 * DOC: Handles
 *
 * VMBCHANNEL is a channel object, made by VmbChannelAllocate(). One channel
 * object drives one VMBus channel through the KMCL state model: Disabled,
 * then after VmbChannelEnable() open and started, then Disabled again after
 * VmbChannelDisable(). The VMBus channel is either the primary channel of a
 * device the caller's hv_driver was probed with (the channel's parent; its
 * rescind is the caller's remove, which disables the channel), or one that
 * vmbkmcl binds by class GUID (VmbClientChannelInitSetTargetPnp(): Enable
 * waits for the offer; a rescind closes the channel and leaves it Disabled,
 * as KMCL documents, until the client enables it again).
 *
 * VMBPACKET is an outgoing packet object, one transaction at a time, made by
 * VmbPacketAllocate() or VmbPacketInitialize(). It belongs to the library
 * from a successful VmbPacketSend() until its completion routine is called,
 * and to the caller again from then on (it may be sent again).
 *
 * VMBPACKETCOMPLETION is one received packet, and the token that retires
 * it; handed to the ProcessPacket callback.
 *
 * All three are opaque pointers, as KMCL's DECLARE_HANDLE types are.
 */
typedef
	struct vmb_channel *VMBCHANNEL;
typedef
	struct vmb_packet *VMBPACKET;
typedef
	struct vmb_packet_completion *VMBPACKETCOMPLETION;

/*
 * struct vmb_mdl - the MDL equivalent: a chain of guest physical byte
 * ranges. Opaque; see "MDL equivalent" below.
 */
struct vmb_mdl;

/* Flags of the VmbPacketSend*() and VmbChannelSendSynchronousRequest() calls. */
#define VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION	0x1
#define VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH	0x2
#define VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER		0x4
#define VMBUS_CHANNEL_FORMAT_FLAGS			0x7

/* Flags of VmbChannelInitSetFlags(). */
#define VMBUS_CHANNEL_INIT_FLAG_IS_PIPE			0x1
#define VMBUS_CHANNEL_INIT_FLAGS			0x1

/* Flags of the ProcessPacket callback. */
#define VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA	0x1
#define VMBUS_CHANNEL_PROCESS_PACKET_FLAGS		0x1

/* Flags of VmbChannelPacketGetExternalData(). */
#define VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY	0x1
#define VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS		0x1

/* Flags of the GPADL calls. */
#define VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY		0x1
#define VMBUS_CHANNEL_GPADL_FLAGS			0x1

/*
 * Flags of VmbServerChannelInitSetFlags(), and the most bytes of an offer's
 * user-defined data (hyperv.h's MAX_USER_DEFINED_BYTES): server only, for
 * code that names them; the values are the WDK's.
 */
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER			0x1
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE	0x2
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE			0x4
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL		0x8
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER		0x10
#define VMBUS_SERVER_CHANNEL_INIT_FLAGS					0x1F
#define VMBUS_SERVER_CHANNEL_INIT_MAXIMUM_OFFER_DATA			120

/*
 * Callbacks
 */

/**
 * typedef EVT_VMB_CHANNEL_PROCESS_PACKET - one received packet
 * @channel: the channel
 * @packet: the token to retire the packet with
 * @buffer: the payload, without VMBus headers; valid until the packet is
 *          completed
 * @buffer_length: bytes at @buffer
 * @flags: VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA when the packet
 *         carries external data
 *
 * Called once per inband, GPA-direct or transfer-page packet, in ring order;
 * the client retires each with VmbChannelPacketComplete() or
 * VmbChannelPacketFail(), inside the call or later. @buffer has the
 * packet's length as VMBus carries it: the payload padded to 8 bytes (on a
 * pipe channel, the message's length as its pipe header gives it).
 *
 * Context: softirq by default, process context when the channel processes
 * incoming packets at passive level (VmbChannelSetIncomingProcessingAtPassive())
 * or the packet was deferred (VmbChannelPacketDeferToPassive()). Completion
 * packets of the channel's own transactions never reach it.
 */
typedef void EVT_VMB_CHANNEL_PROCESS_PACKET(VMBCHANNEL channel,
					    VMBPACKETCOMPLETION packet,
					    void *buffer, u32 buffer_length,
					    u32 flags);

/**
 * typedef EVT_VMB_CHANNEL_PROCESSING_COMPLETE - end of a batch of packets
 * @channel: the channel
 * @packets_processed: packets delivered in the batch
 *
 * Called after each batch of ProcessPacket calls, when the ring is empty or
 * delivery stops for the quota or a budget.
 *
 * Context: as EVT_VMB_CHANNEL_PROCESS_PACKET.
 */
typedef void EVT_VMB_CHANNEL_PROCESSING_COMPLETE(VMBCHANNEL channel,
						 u32 packets_processed);

/**
 * typedef EVT_VMB_PACKET_COMPLETION_ROUTINE - an outgoing packet is done
 * @packet: the packet object, the caller's again from this call on
 * @status: STATUS_SUCCESS, or STATUS_CANCELLED when the channel was disabled
 *          or rescinded before the transaction completed; a cancelled
 *          transaction's routine runs only after the channel was closed
 *          (vmbus_close() returned), when the host can no longer read or
 *          write the packet's external data
 * @buffer: with VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, the payload
 *          of the host's completion packet, valid during the call only;
 *          NULL otherwise
 * @buffer_length: bytes at @buffer (a multiple of 8: VMBus pads payloads)
 *
 * Called exactly once for every successful VmbPacketSend(): without
 * WAIT_FOR_COMPLETION once the packet is in the outgoing ring, with it once
 * the host's completion arrived.
 *
 * External data (an MDL or PFNs) is the caller's again when the routine
 * runs, never earlier: the host owns those pages until it completes the
 * transaction or the channel is closed.
 *
 * Context and locks, by what ends the packet:
 *
 * - the host's completion: the channel's reader, in softirq (or in the
 *   passive worker of a channel that processes packets at passive level,
 *   VmbChannelSetIncomingProcessingAtPassive(), with softirqs disabled),
 *   with the channel's receive lock held;
 * - a packet without WAIT_FOR_COMPLETION that went straight into the ring:
 *   the caller of VmbPacketSend*(), after the send lock was dropped;
 * - a queued packet written later: the reader as above, or Enable (process
 *   context), no channel lock held;
 * - cancellation: Disable, the close after a rescind, or Cleanup (process
 *   context, after the rings were closed), no channel lock held.
 *
 * In every case the routine must not sleep. It may free or reuse the
 * packet and call the atomic-safe functions: VmbPacketSend*(),
 * VmbPacketFree(), VmbChannelPacketComplete(), VmbChannelPacketFail() and
 * the accessors. It must not call VmbChannelEnable(), Disable(), Pause(),
 * Start(), Cleanup() or VmbChannelSendSynchronousRequest() with a wait: they
 * sleep, and Pause and Disable wait for the reader that may be running it.
 */
typedef void EVT_VMB_PACKET_COMPLETION_ROUTINE(VMBPACKET packet,
					       NTSTATUS status, void *buffer,
					       u32 buffer_length);

/**
 * typedef EVT_VMB_CHANNEL_OPENED - the channel's rings are open
 * @channel: the channel
 *
 * Context: process; may sleep, may send (packets go to the ring).
 * Return: STATUS_SUCCESS, or a failure status that makes VmbChannelEnable()
 * close the channel again and return that status.
 */
typedef NTSTATUS EVT_VMB_CHANNEL_OPENED(VMBCHANNEL channel);

/**
 * typedef EVT_VMB_CHANNEL_CLOSED - the channel was closed
 * @channel: the channel
 *
 * Runs after the rings were closed (the host let go of them, so no
 * external data of a transaction is in the host's hands any more) and
 * every outstanding transaction was completed with STATUS_CANCELLED,
 * before the GPADLs the client left are torn down.
 *
 * Context: process; may sleep.
 */
typedef void EVT_VMB_CHANNEL_CLOSED(VMBCHANNEL channel);

/**
 * typedef EVT_VMB_CHANNEL_SUSPEND - incoming delivery has stopped
 * @channel: the channel
 *
 * No ProcessPacket call runs or starts until the next Started. Called
 * by VmbChannelPause(), and first by VmbChannelDisable() and on a rescind
 * (unless the channel is paused); the library waits afterwards until every
 * delivered packet was completed.
 *
 * Context: process; may sleep.
 */
typedef void EVT_VMB_CHANNEL_SUSPEND(VMBCHANNEL channel);

/**
 * typedef EVT_VMB_CHANNEL_STARTED - the channel is about to start
 * @channel: the channel
 *
 * Runs after Opened and before incoming delivery is enabled: sends are fine,
 * waiting for a completion is not (it cannot arrive yet).
 *
 * Context: process; may sleep.
 */
typedef void EVT_VMB_CHANNEL_STARTED(VMBCHANNEL channel);

/**
 * typedef EVT_VMB_CHANNEL_POST_STARTED - the channel runs
 * @channel: the channel
 *
 * Runs after incoming delivery was enabled: the place for synchronous
 * protocol negotiation with VmbChannelSendSynchronousRequest().
 *
 * Context: process; may sleep.
 */
typedef void EVT_VMB_CHANNEL_POST_STARTED(VMBCHANNEL channel);

/**
 * typedef EVT_VMB_CHANNEL_PNP_FAILURE - binding to a target device failed
 * @channel: the channel
 * @status: why
 *
 * Context: process.
 */
typedef void EVT_VMB_CHANNEL_PNP_FAILURE(VMBCHANNEL channel, NTSTATUS status);

/**
 * typedef EVT_VMB_CHANNEL_SAVE_PACKET - server-only save callback
 * @channel: the channel
 * @packet: the packet object being saved
 * @save_buffer: where to save
 * @save_buffer_size: bytes at @save_buffer
 * @bytes_needed: bytes the packet's state needs
 *
 * Never called: servers are not supported on Linux.
 *
 * Return: an NTSTATUS.
 */
typedef NTSTATUS EVT_VMB_CHANNEL_SAVE_PACKET(VMBCHANNEL channel,
					     VMBPACKET packet,
					     void *save_buffer,
					     u32 save_buffer_size,
					     u32 *bytes_needed);

/**
 * typedef EVT_VMB_CHANNEL_RESTORE_PACKET - server-only restore callback
 * @channel: the channel
 * @library_buffer: the library's saved state of the packet
 * @library_buffer_size: bytes at @library_buffer
 * @save_buffer: the server's saved state of the packet
 * @save_buffer_size: bytes at @save_buffer
 *
 * Never called: servers are not supported on Linux.
 *
 * Return: an NTSTATUS.
 */
typedef NTSTATUS EVT_VMB_CHANNEL_RESTORE_PACKET(VMBCHANNEL channel,
						void *library_buffer,
						u32 library_buffer_size,
						void *save_buffer,
						u32 save_buffer_size);

/**
 * struct vmb_channel_state_change_callbacks - VMB_CHANNEL_STATE_CHANGE_CALLBACKS
 * @version: 1
 * @size: sizeof(struct vmb_channel_state_change_callbacks)
 * @opened: see EVT_VMB_CHANNEL_OPENED, or NULL
 * @closed: see EVT_VMB_CHANNEL_CLOSED, or NULL
 * @suspend: see EVT_VMB_CHANNEL_SUSPEND, or NULL
 * @started: see EVT_VMB_CHANNEL_STARTED, or NULL
 * @post_started: see EVT_VMB_CHANNEL_POST_STARTED, or NULL
 *
 * Fill it with VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(), then set the
 * callbacks wanted. On VmbChannelEnable() they run in the order opened,
 * started, (incoming delivery enabled), post_started; on VmbChannelDisable()
 * or a rescind: suspend, (outstanding transactions cancelled), closed.
 */
struct vmb_channel_state_change_callbacks {
	u32 version;
	u32 size;
	EVT_VMB_CHANNEL_OPENED *opened;
	EVT_VMB_CHANNEL_CLOSED *closed;
	EVT_VMB_CHANNEL_SUSPEND *suspend;
	EVT_VMB_CHANNEL_STARTED *started;
	EVT_VMB_CHANNEL_POST_STARTED *post_started;
};

#define VMB_CHANNEL_STATE_CHANGE_CALLBACKS_VERSION	1

/**
 * VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT() - prepare a callbacks struct
 * @cb: the struct
 *
 * Zeroes it and sets @cb->version and @cb->size.
 *
 * Context: any.
 */
static inline void
VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(struct vmb_channel_state_change_callbacks *cb)
{
	memset(cb, 0, sizeof(*cb));
	cb->version = VMB_CHANNEL_STATE_CHANGE_CALLBACKS_VERSION;
	cb->size = sizeof(*cb);
}

/*
 * Channel
 *
 * Every Init* function may be called only while the channel is Disabled
 * (before VmbChannelEnable() or after VmbChannelDisable()); otherwise it
 * returns STATUS_INVALID_PARAMETER_1, as it does for a NULL channel. They
 * serialise against Enable, Disable and each other on a per-channel mutex,
 * which the state callbacks run under: not from a state callback.
 */

/**
 * VmbChannelAllocate() - make a channel object
 * @parent: &hv_dev->device of a VMBus device the caller's hv_driver was
 *          probed with; or NULL for a channel that vmbkmcl binds to an
 *          offer by class GUID (VmbClientChannelInitSetTargetPnp())
 * @is_server: must be false: Linux guests are VMBus clients only
 * @channel: receives the channel on success
 *
 * The channel starts Disabled with default settings: a 4080-byte maximum
 * packet, 4-page incoming and outgoing rings. It holds a reference to
 * @parent until VmbChannelCleanup().
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_NOT_SUPPORTED for a server;
 * STATUS_INVALID_PARAMETER_1 if @parent is not a bound VMBus device;
 * STATUS_INVALID_PARAMETER_3 for a NULL @channel;
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelAllocate(struct device *parent, bool is_server,
			    VMBCHANNEL *channel);

/**
 * VmbChannelCleanup() - free a channel object
 * @channel: the channel, or NULL
 *
 * Disables the channel first if needed; packets sent while it was Disabled
 * are completed with STATUS_CANCELLED.
 *
 * Context: process; may sleep. Not from a callback of this channel.
 */
void VmbChannelCleanup(VMBCHANNEL channel);

/**
 * VmbChannelEnable() - open and start a channel
 * @channel: a Disabled channel
 *
 * Opens the VMBus channel (vmbus_open() with the configured ring sizes,
 * maximum packet size and a transaction-id requestor sized to the rings'
 * packet budget), then runs Opened, Started, enables incoming delivery and
 * runs PostStarted. Packets sent while the channel was Disabled go to the
 * ring once it is open. If Opened fails, everything sent so far is completed
 * with STATUS_CANCELLED, the channel is closed and Disabled again.
 *
 * A channel bound by class GUID (VmbClientChannelInitSetTargetPnp()) is
 * opened when its offer is there: Enable returns STATUS_SUCCESS at once, and
 * the open, Opened, Started and PostStarted run in the offer's probe
 * (process context), before Enable returns if the offer is present already,
 * else whenever it arrives. A failed open runs the PnpFailure callback and
 * the channel waits for another offer. A rescind of the offer closes the
 * channel as VmbChannelDisable() does (Suspend ... Closed) and leaves it
 * Disabled, as KMCL does with a client channel whose offer is rescinded:
 * VmbChannelEnable() (from a work item that Closed queues, for instance)
 * makes it wait for the next offer. The state callbacks and PnpFailure
 * of such a channel run under its offer's device lock and the channel's
 * state mutex: like every state callback, they must not enable, disable,
 * pause, start, configure or clean up any channel (defer that to a work
 * item).
 *
 * Context: process; may sleep. Not from a callback of this channel.
 * Return: STATUS_SUCCESS; STATUS_INVALID_DEVICE_STATE if already enabled, or
 * for a channel allocated without a parent and without a target;
 * STATUS_INVALID_PARAMETER if the maximum packet size does not fit in the
 * outgoing ring; Opened's failure status; the status of a failed vmbus_open() (for
 * example STATUS_DEVICE_REMOVED for a rescinded channel); for a channel bound
 * by class GUID, STATUS_DEVICE_BUSY if another hv_driver lists the class in
 * its id_table or has one of its offers, with a message naming it; for a
 * channel made with a parent, STATUS_DEVICE_BUSY if another vmb channel has
 * the device's hv channel open or its driver opened it itself (one owner
 * per hv channel: nothing in it is touched then).
 */
NTSTATUS __must_check VmbChannelEnable(VMBCHANNEL channel);

/**
 * VmbChannelDisable() - stop and close a channel
 * @channel: the channel
 *
 * Closes incoming delivery and runs Suspend, waits for every delivered
 * incoming packet to be completed, completes every outstanding outgoing
 * transaction and queued packet with STATUS_CANCELLED (exactly once each),
 * which wakes synchronous requests with STATUS_DEVICE_REMOVED, runs Closed
 * and closes the VMBus channel. Nothing is left running on return. Packets
 * sent afterwards are queued until the next VmbChannelEnable() or
 * VmbChannelCleanup(). A client's hv_driver remove callback (a rescind)
 * calls this. Does nothing on a Disabled channel.
 *
 * Context: process; may sleep. Not from a callback of this channel.
 */
void VmbChannelDisable(VMBCHANNEL channel);

/**
 * VmbChannelInitSetMaximumPacketSize() - largest inline payload
 * @channel: a Disabled channel
 * @size: bytes, either direction; sizes packet objects and hv_vmbus's copy
 *        buffer for incoming packets
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (see Init* above);
 * STATUS_INVALID_PARAMETER_2 for 0 or more than a VMBus packet can carry.
 */
NTSTATUS VmbChannelInitSetMaximumPacketSize(VMBCHANNEL channel, u32 size);

/**
 * VmbChannelInitSetMaximumExternalData() - bounds of external-data sends
 * @channel: a Disabled channel
 * @data_size: largest external buffer in bytes, more than 0
 * @chain_length: most GPA ranges (MDL chain elements) per send, more than 0
 *
 * Every packet object keeps room for the largest GPA-direct descriptor these
 * allow, so that a send with external data never allocates: about
 * 8 * (@data_size / 4096 + 3 * @chain_length) bytes. Without this call a
 * channel takes up to 1 MiB in up to 16 ranges. A send beyond the bounds
 * fails with STATUS_INVALID_PARAMETER; nothing is truncated.
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for a 0 @data_size or bounds whose descriptor
 * could not fit the 512 KiB VMBus packet; STATUS_INVALID_PARAMETER_3 for a 0
 * @chain_length.
 */
NTSTATUS VmbChannelInitSetMaximumExternalData(VMBCHANNEL channel,
					      u32 data_size, u32 chain_length);

/**
 * VmbClientChannelInitSetRingBufferPageCount() - ring sizes
 * @channel: a Disabled channel
 * @incoming_pages: data pages of the host-to-guest ring, 4 KiB each
 * @outgoing_pages: data pages of the guest-to-host ring, 4 KiB each
 *
 * Each ring is VMBUS_RING_SIZE() of its pages: a ring of fewer than 8
 * pages gets its header page on top, a larger one holds it. hv_vmbus
 * allocates both rings as one physically contiguous block, so together they
 * are bounded by the page allocator's largest block: 4 MiB with 4 KiB pages
 * on 6.1 (MAX_ORDER 11) and 6.12 (MAX_PAGE_ORDER 10), that is 1022 pages
 * for one ring when the other has one, or 512 each. Within the bound the
 * allocation may still fail when memory is fragmented: Enable then returns
 * STATUS_INSUFFICIENT_RESOURCES.
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for 0 or more @incoming_pages than the bound
 * leaves; STATUS_INVALID_PARAMETER_3 for 0 @outgoing_pages or both rings
 * together beyond the bound.
 */
NTSTATUS VmbClientChannelInitSetRingBufferPageCount(VMBCHANNEL channel,
						    u32 incoming_pages,
						    u32 outgoing_pages);

/**
 * VmbClientChannelInitSetTargetPnp() - bind the channel to an offer by GUID
 * @channel: a Disabled channel allocated with a NULL parent
 * @interface_type: the offer's class GUID (hv_device.dev_type)
 * @interface_instance: the offer's instance GUID (hv_device.dev_instance),
 *                      or NULL for any offer of the class
 * @pnp_failure: called when an offer was found but opening it failed, or
 *               NULL
 *
 * vmbkmcl registers an hv_driver named "vmbkmcl-<class GUID>" for the
 * class while channels of it are enabled; it binds every offer of the class
 * and gives each to a waiting channel, see VmbChannelEnable(). Two channels
 * of one class bind two offers. @pnp_failure runs in process context, under
 * the offer's device lock: it must not enable, disable or clean up any
 * channel (defer that to a work item). Offers bound to the class's driver
 * do not support hibernation (the driver has no suspend callback).
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (see Init* above), also
 * for a channel allocated with a parent; STATUS_INVALID_PARAMETER_2 for a
 * NULL or all-zero @interface_type.
 */
NTSTATUS VmbClientChannelInitSetTargetPnp(VMBCHANNEL channel, const guid_t *interface_type,
					  const guid_t *interface_instance,
					  EVT_VMB_CHANNEL_PNP_FAILURE *pnp_failure);

/**
 * VmbChannelInitSetClientContextSize() - caller context per received packet
 * @channel: a Disabled channel
 * @size: bytes of caller context in each VMBPACKETCOMPLETION
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for more than 64 KiB.
 */
NTSTATUS VmbChannelInitSetClientContextSize(VMBCHANNEL channel, u32 size);

/**
 * VmbChannelInitSetProcessPacketCallbacks() - register the receive callbacks
 * @channel: a Disabled channel
 * @process_packet: called once per received packet
 * @processing_complete: called at the end of each batch, or NULL
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for a NULL @process_packet.
 */
NTSTATUS
VmbChannelInitSetProcessPacketCallbacks(VMBCHANNEL channel,
					EVT_VMB_CHANNEL_PROCESS_PACKET *process_packet,
					EVT_VMB_CHANNEL_PROCESSING_COMPLETE *processing_complete);

/**
 * VmbChannelInitSetStateChangeCallbacks() - register the state callbacks
 * @channel: a Disabled channel
 * @callbacks: prepared with VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(); copied
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for NULL, a version other than 1 or a size
 * other than sizeof(struct vmb_channel_state_change_callbacks).
 */
NTSTATUS
VmbChannelInitSetStateChangeCallbacks(VMBCHANNEL channel,
				      const struct vmb_channel_state_change_callbacks *callbacks);

/**
 * VmbChannelInitSetFriendlyName() - a name for messages and debugging
 * @channel: a Disabled channel
 * @name: a C string, copied
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for NULL; STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelInitSetFriendlyName(VMBCHANNEL channel, const char *name);

/**
 * VmbChannelInitSetFlags() - channel flags
 * @channel: a Disabled channel
 * @flags: 0 or VMBUS_CHANNEL_INIT_FLAG_IS_PIPE
 *
 * VMBUS_CHANNEL_INIT_FLAG_IS_PIPE runs the channel in pipe mode, as KMCL
 * does: each message is one inband packet, behind an 8-byte pipe header
 * (struct vmbuspipe_hdr: type 1, data; the message's length) that the
 * library writes on every send and checks and strips from every incoming
 * packet, so ProcessPacket gets the message with its exact length. A pipe
 * has no transactions and no external data: sends that ask for either give
 * STATUS_INVALID_PARAMETER, and an incoming packet with external data or a
 * bad header is dropped with a rate-limited message. The maximum packet
 * size counts the message; the header comes on top.
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for any other bit.
 */
NTSTATUS VmbChannelInitSetFlags(VMBCHANNEL channel, u32 flags);

/**
 * VmbChannelSetPointer() - store one caller pointer in the channel
 * @channel: the channel
 * @pointer: any value
 *
 * Context: any; no locking (a plain store).
 */
void VmbChannelSetPointer(VMBCHANNEL channel, void *pointer);

/**
 * VmbChannelGetPointer() - the pointer VmbChannelSetPointer() stored
 * @channel: the channel
 *
 * Context: any.
 * Return: the pointer, NULL if none was set.
 */
void *VmbChannelGetPointer(VMBCHANNEL channel);

/**
 * VmbChannelGetInterfaceInstance() - the offer's instance GUID
 * @channel: the channel
 * @instance: receives the GUID; all zeros for a channel bound by class GUID
 *            while it has no offer
 *
 * Context: atomic-safe.
 */
void VmbChannelGetInterfaceInstance(VMBCHANNEL channel, guid_t *instance);

/**
 * VmbChannelSizeofPacket() - bytes VmbPacketInitialize() needs
 * @channel: the channel
 *
 * Depends on the maximum packet size: call it after
 * VmbChannelInitSetMaximumPacketSize().
 *
 * Context: atomic-safe.
 * Return: the size of a packet object of this channel in bytes.
 */
u32 VmbChannelSizeofPacket(VMBCHANNEL channel);

/*
 * Outgoing packets
 */

/**
 * VmbPacketAllocate() - allocate a packet object
 * @channel: the channel the packet will be sent on
 *
 * The object holds everything a send needs, including room to queue the
 * largest inline payload, so VmbPacketSend() cannot fail for memory. Its
 * completion routine frees it; a caller that replaces the routine, or never
 * sends the packet, frees it with VmbPacketFree().
 *
 * Context: atomic-safe (GFP_ATOMIC).
 * Return: the packet, or NULL if memory is short.
 */
VMBPACKET VmbPacketAllocate(VMBCHANNEL channel);

/**
 * VmbPacketInitialize() - make a packet object in caller memory
 * @channel: the channel the packet will be sent on
 * @packet: caller memory, 8-byte aligned, of VmbChannelSizeofPacket() bytes
 * @byte_count: bytes at @packet
 *
 * The packet has no completion routine: set one before sending. The memory
 * stays the caller's; VmbPacketFree() is not needed (and does nothing).
 *
 * Context: atomic-safe.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a NULL channel;
 * STATUS_INVALID_PARAMETER_2 for NULL or misaligned memory;
 * STATUS_INVALID_PARAMETER_3 if @byte_count is below
 * VmbChannelSizeofPacket().
 */
NTSTATUS VmbPacketInitialize(VMBCHANNEL channel, VMBPACKET packet,
			     u32 byte_count);

/**
 * VmbPacketFree() - free a packet object
 * @packet: a packet not in flight, or NULL
 *
 * Context: atomic-safe.
 */
void VmbPacketFree(VMBPACKET packet);

/**
 * VmbPacketSetCompletionRoutine() - set what runs when the packet is done
 * @packet: a packet not in flight
 * @routine: the completion routine
 *
 * Context: atomic-safe.
 */
void VmbPacketSetCompletionRoutine(VMBPACKET packet,
				   EVT_VMB_PACKET_COMPLETION_ROUTINE *routine);

/**
 * VmbPacketSetPointer() - store one caller pointer in the packet
 * @packet: the packet
 * @pointer: any value
 *
 * Context: any.
 */
void VmbPacketSetPointer(VMBPACKET packet, void *pointer);

/**
 * VmbPacketGetPointer() - the pointer VmbPacketSetPointer() stored
 * @packet: the packet
 *
 * Context: any.
 * Return: the pointer, NULL if none was set.
 */
void *VmbPacketGetPointer(VMBPACKET packet);

/**
 * VmbPacketGetChannel() - the channel a packet belongs to
 * @packet: the packet
 *
 * Context: any.
 * Return: the channel.
 */
VMBCHANNEL VmbPacketGetChannel(VMBPACKET packet);

/**
 * VmbPacketSend() - send a packet
 * @packet: a packet object that is not in flight, with a completion routine
 * @buffer: the inline payload; free for reuse as soon as the call returns
 * @length: bytes at @buffer, at most the channel's maximum packet size
 * @external: external data, the whole MDL chain, or NULL
 * @flags: VMBUS_CHANNEL_FORMAT_FLAG_*
 *
 * Writes an inband packet to the outgoing ring, or with @external a
 * GPA-direct packet: one GPA range per MDL element, as
 * VmbPacketSendWithExternalMdl() sends the whole chain. If the ring is full, or
 * earlier packets are still queued, or the channel is not open, the payload
 * is copied into the packet object and the packet queued in FIFO order; it
 * is written when hv_vmbus signals free space (pending_send_sz), when a
 * completion frees a transaction id, or when the channel is enabled. A
 * queued send never fails. Without WAIT_FOR_COMPLETION the completion
 * routine runs once the bytes are in the ring (before this call returns when
 * they fit at once); with it, when the host's completion arrives. Disable,
 * rescind and Cleanup complete the packet with STATUS_CANCELLED instead.
 * The routine runs exactly once per successful call.
 *
 * Context: atomic-safe; takes the channel's send spinlock with interrupts
 * disabled.
 * Return: STATUS_SUCCESS (sent or queued); STATUS_INVALID_PARAMETER for
 * unknown flag bits, a NULL buffer with a length, a length above the
 * maximum packet size, external data without WAIT_FOR_COMPLETION or beyond
 * the channel's bounds (see VmbPacketSendWithExternalMdl());
 * STATUS_INVALID_PARAMETER_1 for a packet already in flight or without a
 * completion routine.
 */
NTSTATUS VmbPacketSend(VMBPACKET packet, const void *buffer, u32 length,
		       struct vmb_mdl *external, u32 flags);

/**
 * VmbPacketSendWithExternalMdl() - send a packet with a window of an MDL
 * @packet: as for VmbPacketSend()
 * @buffer: the inline payload; free for reuse as soon as the call returns
 * @length: bytes at @buffer
 * @mdl: the MDL chain; the object may be freed when the call returns, the
 *       memory it describes must stay until the completion routine runs
 * @mdl_offset: first byte of the window, from the start of the chain
 * @mdl_length: bytes in the window; 0: to the end of the chain
 * @flags: VMBUS_CHANNEL_FORMAT_FLAG_*; WAIT_FOR_COMPLETION is required
 *
 * Sends a GPA-direct packet whose external data is the window, one GPA
 * range per MDL element it touches, with Hyper-V 4 KiB frame numbers; the
 * data is not copied. With FORCE_MDL_LENGTH only the first element of the
 * chain is used, and @mdl_length may reach past its byte count up to the end
 * of its last frame, as KMCL defines it. Queueing and completion as for
 * VmbPacketSend(); the host's completion always ends the transaction.
 *
 * Context: atomic-safe.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER for no @mdl, no
 * WAIT_FOR_COMPLETION, a window outside the MDL, more data or ranges than
 * VmbChannelInitSetMaximumExternalData() allows, or a packet larger than
 * 512 KiB or than the outgoing ring; otherwise as VmbPacketSend().
 */
NTSTATUS VmbPacketSendWithExternalMdl(VMBPACKET packet, const void *buffer, u32 length,
				      struct vmb_mdl *mdl, u32 mdl_offset, u32 mdl_length,
				      u32 flags);

/**
 * VmbPacketSendWithExternalPfns() - send a packet with whole pages of data
 * @packet: as for VmbPacketSend()
 * @buffer: the inline payload; free for reuse as soon as the call returns
 * @length: bytes at @buffer
 * @pfns: Hyper-V 4 KiB frame numbers (page_to_hvpfn(), virt_to_hvpfn()),
 *        whatever PAGE_SIZE is; the array is copied before the call returns
 * @pfn_count: entries at @pfns, more than 0
 * @flags: VMBUS_CHANNEL_FORMAT_FLAG_*; WAIT_FOR_COMPLETION is required
 *
 * One GPA range of @pfn_count whole frames from offset 0.
 *
 * Context: atomic-safe.
 * Return: as VmbPacketSendWithExternalMdl().
 */
NTSTATUS VmbPacketSendWithExternalPfns(VMBPACKET packet, const void *buffer, u32 length,
				       const u64 *pfns, u32 pfn_count, u32 flags);

/**
 * VmbChannelSendSynchronousRequest() - send a packet and wait for it
 * @channel: an enabled channel
 * @buffer: the inline payload
 * @size: bytes at @buffer
 * @external: external data, the whole MDL chain (then WAIT_FOR_COMPLETION
 *            is required), or NULL
 * @flags: VMBUS_CHANNEL_FORMAT_FLAG_*
 * @completion_buffer: receives the host's completion payload, or NULL
 * @completion_size: in: bytes at @completion_buffer, a multiple of 8; out:
 *                   bytes copied (0 without WAIT_FOR_COMPLETION); may be NULL
 * @timeout: NULL to wait forever; negative: relative, in 100 ns units;
 *           positive: absolute, 100 ns units since 1601-01-01 UTC; zero: do
 *           not wait, and do not queue a packet that does not fit at once
 *
 * With WAIT_FOR_COMPLETION, waits for the host's completion and copies its
 * payload, or as much of it as fits, to @completion_buffer. Without it,
 * waits only until the packet is in the outgoing ring. When @timeout
 * expires the request is cancelled: a queued packet is never written, and a
 * completion the host sends later is dropped without touching
 * @completion_buffer.
 *
 * With @external, the host owns the pages from the moment the packet is in
 * the ring until it completes the request or the channel is closed, and
 * the call never returns before the pages are the caller's again: when
 * @timeout expires with the packet in the ring, the call goes on waiting
 * for the host's completion (then returns it as if in time) or for the
 * channel's close (Disable, or the close a rescind brings: then
 * STATUS_DEVICE_REMOVED). A packet still queued is taken back at once.
 *
 * Context: process, may sleep; except with @timeout pointing to 0 and no
 * WAIT_FOR_COMPLETION: then atomic-safe, never sleeps. Works from
 * PostStarted, never returns when called with WAIT_FOR_COMPLETION and no
 * timeout from Opened or Started (incoming delivery is not enabled yet).
 * Return: STATUS_SUCCESS; STATUS_BUFFER_OVERFLOW for a zero timeout when
 * the packet did not fit (nothing queued); STATUS_CANCELLED when the timeout
 * expired; STATUS_DEVICE_REMOVED when the channel is not enabled, is being
 * disabled or was rescinded; STATUS_INVALID_PARAMETER for unknown flags, a
 * @completion_size that is not a multiple of 8, a missing buffer, a size
 * above the maximum packet size, or external data that
 * VmbPacketSendWithExternalMdl() would refuse; STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelSendSynchronousRequest(VMBCHANNEL channel,
					  const void *buffer, u32 size,
					  struct vmb_mdl *external, u32 flags,
					  void *completion_buffer,
					  u32 *completion_size,
					  const s64 *timeout);

/**
 * DOC: MDL equivalent
 *
 * A struct vmb_mdl describes a chain of byte ranges of guest physical memory,
 * as a Windows MDL chain does; each element travels as one GPA range, with
 * Hyper-V 4 KiB frame numbers whatever PAGE_SIZE is. Consecutive pieces of
 * memory share an element whenever one GPA range can carry them (physically
 * contiguous, or meeting at 4 KiB boundaries): contiguous memory is never
 * split into one-frame ranges, which Hyper-V's VSPs reject. Constructors take
 * the caller's GFP flags and return ERR_PTR(-errno), never a partial object.
 * An MDL records physical frames only: the memory it describes must stay
 * allocated while the MDL or a send made from it is in use, and freeing the
 * MDL does not free that memory.
 */

/**
 * vmb_mdl_from_buffer() - describe a kernel buffer
 * @kva: kmalloc'd or page-allocator (linear-mapped) or vmalloc'd memory
 * @length: bytes from @kva
 * @gfp: allocation flags for the MDL itself
 *
 * Linear-mapped memory is physically contiguous and gives one element; vmalloc
 * memory is resolved page by page, contiguous pages still sharing a range.
 * The MDL records physical frames: the buffer must stay allocated (and, for
 * vmalloc memory, mapped) while the MDL is in use.
 *
 * Context: any; @gfp must suit it.
 * Return: the MDL, ERR_PTR(-EINVAL) for a NULL buffer, one that is neither
 * linear-mapped nor vmalloc'd (module data, for instance) or a zero length,
 * ERR_PTR(-ENOMEM).
 */
struct vmb_mdl *vmb_mdl_from_buffer(void *kva, u32 length, gfp_t gfp);

/**
 * vmb_mdl_from_pages() - describe a byte range over an array of pages
 * @pages: the pages, in order; as many as @offset + @length covers
 * @offset: where the data starts in the first page, below PAGE_SIZE
 * @length: bytes
 * @gfp: allocation flags
 *
 * The pages are a virtually contiguous buffer, as an MDL's page list is.
 *
 * Context: any; @gfp must suit it.
 * Return: the MDL, ERR_PTR(-EINVAL) for a NULL array or page, an offset past
 * the first page or a zero length, ERR_PTR(-ENOMEM).
 */
struct vmb_mdl *vmb_mdl_from_pages(struct page **pages, u32 offset, u32 length, gfp_t gfp);

/**
 * vmb_mdl_from_sg() - describe a scatterlist
 * @sgl: the list; chained lists are followed
 * @nents: entries to describe
 * @gfp: allocation flags
 *
 * Entries that a GPA range can carry together (physically contiguous, or
 * meeting at 4 KiB boundaries) share an element; the others start a new one.
 *
 * Context: any; @gfp must suit it.
 * Return: the MDL chain, ERR_PTR(-EINVAL) for no entry, an entry without a
 * page or of zero length, ERR_PTR(-ENOMEM).
 */
struct vmb_mdl *vmb_mdl_from_sg(struct scatterlist *sgl, unsigned int nents, gfp_t gfp);

/**
 * vmb_mdl_from_bvec() - describe an array of bio_vecs
 * @bv: the array
 * @nr: entries
 * @gfp: allocation flags
 *
 * As vmb_mdl_from_sg(), for the block layer's vectors (multi-page entries
 * included).
 *
 * Context: any; @gfp must suit it.
 * Return: the MDL chain, ERR_PTR(-EINVAL) for no entry, an entry without a
 * page, of zero length or with an offset past its first page,
 * ERR_PTR(-ENOMEM).
 */
struct vmb_mdl *vmb_mdl_from_bvec(const struct bio_vec *bv, unsigned int nr, gfp_t gfp);

/**
 * vmb_mdl_chain() - append an MDL chain to another
 * @head: the chain to extend
 * @tail: the chain appended after the last element of @head
 *
 * @head then owns @tail: vmb_mdl_free(@head) frees both.
 *
 * Context: any.
 */
void vmb_mdl_chain(struct vmb_mdl *head, struct vmb_mdl *tail);

/**
 * vmb_mdl_byte_count() - bytes described by a whole chain
 * @mdl: the chain
 *
 * Context: any.
 * Return: the sum of the elements' byte counts, saturated at U32_MAX.
 */
u32 vmb_mdl_byte_count(const struct vmb_mdl *mdl);

/**
 * vmb_mdl_to_sg_table() - a scatter-gather table over the bytes of a chain
 * @mdl: the chain
 * @gfp: allocation flags
 *
 * For handing received external data to Linux interfaces that take an
 * sg_table. One entry per 4 KiB frame of each element.
 *
 * Context: any; @gfp must suit it.
 * Return: the table (free with sg_free_table() and kfree()), or
 * ERR_PTR(-EINVAL) for an empty chain, ERR_PTR(-ENOMEM).
 */
struct sg_table *vmb_mdl_to_sg_table(const struct vmb_mdl *mdl, gfp_t gfp);

/**
 * vmb_mdl_free() - free a whole MDL chain
 * @mdl: the chain, or NULL
 *
 * The memory it describes is not touched.
 *
 * Context: any.
 */
void vmb_mdl_free(struct vmb_mdl *mdl);

/**
 * VmbChannelCreateGpadlFromBuffer() - share a buffer with the host
 * @channel: an enabled channel
 * @flags: 0 or VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY, which KMCL documents as
 *         a hint to the host, not a protection; the GPADL messages of
 *         hv_vmbus carry no such flag, so it has no effect on the wire
 * @buffer: memory that starts on a PAGE_SIZE boundary and is linear-mapped
 *          (kmalloc() of a power-of-two size of at least PAGE_SIZE, the page
 *          allocator) or vmalloc()'d; not the stack, module data or I/O memory
 * @size: bytes, a non-zero multiple of PAGE_SIZE (so of 64 KiB on a
 *        64 KiB-page kernel)
 * @gpadl: receives the GPADL handle to give the host
 *
 * vmbus_establish_gpadl() on the channel. Where KMCL probes and locks any
 * buffer, hv_vmbus describes whole pages of the kernel's PAGE_SIZE and, on a
 * confidential VM, makes them visible to the host, which it can only do
 * for whole pages: a buffer that is not page-aligned, or whose size is not
 * a multiple of PAGE_SIZE, gives STATUS_INVALID_PARAMETER rather than
 * sharing the bytes around it. For other memory, describe it with an MDL and
 * use VmbChannelCreateGpadlFromMdl() with a 4 KiB-aligned window. A GPADL
 * the caller has not deleted is torn down when the channel is disabled.
 *
 * Context: process; may sleep (waits for the host).
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for no channel;
 * STATUS_INVALID_PARAMETER_2 for unknown flags; STATUS_INVALID_PARAMETER for
 * a NULL, unaligned or empty buffer or a NULL @gpadl;
 * STATUS_INVALID_DEVICE_STATE when the channel is not enabled;
 * STATUS_INSUFFICIENT_RESOURCES; or the status of hv_vmbus's error.
 */
NTSTATUS VmbChannelCreateGpadlFromBuffer(VMBCHANNEL channel, u32 flags, void *buffer,
					 u32 size, u32 *gpadl);

/**
 * VmbChannelCreateGpadlFromMdl() - share the pages of an MDL with the host
 * @channel: an enabled channel
 * @flags: as for VmbChannelCreateGpadlFromBuffer()
 * @mdl: the MDL chain
 * @offset: first byte, from the start of the chain
 * @length: bytes; 0: to the end of the chain
 * @gpadl: receives the GPADL handle
 *
 * A GPADL is made of whole pages: the window must start and end on 4 KiB
 * frame boundaries of the MDL's elements. The MDL object may be freed when
 * the call returns; its memory must stay until the GPADL is deleted.
 *
 * Context: process; may sleep.
 * Return: as VmbChannelCreateGpadlFromBuffer(); STATUS_INVALID_PARAMETER for
 * a window outside the MDL or not frame-aligned.
 */
NTSTATUS VmbChannelCreateGpadlFromMdl(VMBCHANNEL channel, u32 flags, struct vmb_mdl *mdl,
				      u32 offset, u32 length, u32 *gpadl);

/**
 * VmbChannelDeleteGpadl() - stop sharing a GPADL
 * @channel: the channel that created it
 * @gpadl: its handle; an unknown handle is ignored
 *
 * vmbus_teardown_gpadl(): returns once the host released it.
 *
 * Context: process; may sleep.
 */
void VmbChannelDeleteGpadl(VMBCHANNEL channel, u32 gpadl);

/*
 * Incoming packets
 */

/**
 * DOC: Incoming packets
 *
 * Every inband, GPA-direct and transfer-page packet the host writes becomes
 * one ProcessPacket call, in ring order, with a VMBPACKETCOMPLETION that
 * holds a private copy of the payload (without VMBus headers, padded to 8
 * bytes as the wire carries it) and, for the last two, an MDL of the
 * external data. Completions of the channel's own transactions are consumed
 * by the library. The client retires every packet exactly once, with
 * VmbChannelPacketComplete() or VmbChannelPacketFail(), inline or later,
 * from any context; Pause, Disable and a rescind wait for that.
 *
 * Delivery runs in softirq context (hv_vmbus's channel tasklet, in its
 * HV_CALL_DIRECT mode, or the library's own) unless the channel processes
 * incoming packets at passive level or the packet was deferred to passive;
 * then a per-channel work item runs it in process context. After each batch
 * ProcessingComplete gets the batch's count.
 *
 * What the host writes is checked before use (Documentation/pitfalls.rst):
 * a packet that frames correctly but is malformed (unknown type or flags,
 * payload above the maximum packet size, GPA-direct or transfer-page header
 * cut short, GPA or transfer-page ranges that do not add up, lie outside
 * their buffer or name memory that is not guest RAM, more external data than
 * VmbChannelInitSetMaximumExternalData() allows) is dropped with a
 * rate-limited message. A ring whose framing is broken (the host's write
 * index out of range, a length beyond what was written, a packet longer than
 * the channel accepts) cannot be read on safely: incoming delivery stops
 * until the channel is disabled, as after VmbChannelPacketFail().
 *
 * Transfer-page packets name their buffer with a 16-bit transfer page set
 * id: the library takes it as the low 16 bits of the handle of a GPADL
 * the channel created.
 */

/**
 * VmbChannelPause() - stop incoming delivery
 * @channel: the channel
 *
 * Stops incoming delivery (packets stay in the ring), gives deferred packets
 * their passive call, runs Suspend and returns when no ProcessPacket runs
 * and every delivered packet was completed. Packets the client holds must be
 * completed from elsewhere meanwhile. Called on a Disabled channel, the
 * channel stays paused when it is enabled: Enable then runs Opened only, and
 * VmbChannelStart() the rest. Does nothing on a paused channel.
 * VmbChannelDisable() of a paused channel does not run Suspend again.
 *
 * Context: process; may sleep. Not from a callback of this channel.
 */
void VmbChannelPause(VMBCHANNEL channel);

/**
 * VmbChannelStart() - resume incoming delivery after VmbChannelPause()
 * @channel: the channel
 *
 * Runs Started, enables incoming delivery (packets that waited in the ring
 * are delivered first), runs PostStarted; on a Disabled channel, only
 * clears the pause. Does nothing on a channel that is not paused.
 *
 * Context: process; may sleep. Not from a callback of this channel.
 */
void VmbChannelStart(VMBCHANNEL channel);

/**
 * VmbChannelSetIncomingProcessingAtPassive() - where ProcessPacket runs
 * @channel: the channel
 * @passive: true: in process context, where it may sleep (a per-channel
 *           work item, one packet at a time, in ring order); false: in
 *           softirq context (the default)
 *
 * May be called at any time; packets already in the ring are read in the new
 * context. In passive mode the completions of the channel's own transactions
 * are still handled in softirq context when nothing else is ahead of them
 * in the ring, but a ProcessPacket that waits for one behind another data
 * packet never returns.
 *
 * Context: process; may sleep.
 */
void VmbChannelSetIncomingProcessingAtPassive(VMBCHANNEL channel, bool passive);

/**
 * VmbChannelSetTransactionQuota() - bound the packets the client holds
 * @channel: the channel
 * @quota: at most this many packets delivered and not yet completed (or
 *         failed); greater than 0, as KMCL requires. A channel has no bound
 *         until the first call; U32_MAX is as good as none.
 *
 * Packets beyond the quota stay in the incoming ring, so a host that keeps
 * sending finds the ring full. Lowering the quota below the packets already
 * held is allowed. Changing it does not restart a stopped delivery: the
 * next completion does. A quota of 0 is refused with a rate-limited message
 * and the quota stays as it was (the function returns nothing).
 *
 * Context: any.
 */
void VmbChannelSetTransactionQuota(VMBCHANNEL channel, u32 quota);

/**
 * VmbChannelPacketComplete() - retire a received packet
 * @packet: a packet delivered to ProcessPacket and not yet retired
 * @buffer: the completion's payload, or NULL
 * @size: bytes at @buffer, at most the channel's maximum packet size (more
 *        is cut, with a message)
 *
 * If the host asked for a completion (COMPLETION_REQUESTED), writes a
 * VM_PKT_COMP packet with the host's transaction id and @buffer, copied when
 * the call returns. When the outgoing ring is full the completion is queued,
 * in order, and written as soon as the host frees room; it is dropped only
 * when the channel closes first. The packet, its payload buffer, client
 * context and external data are invalid once this returns. A client may
 * complete a packet inside ProcessPacket or at any time later.
 *
 * Context: any (atomic-safe); takes the channel's send spinlock with
 * interrupts disabled.
 */
void VmbChannelPacketComplete(VMBPACKETCOMPLETION packet, const void *buffer, u32 size);

/**
 * VmbChannelPacketDeferToPassive() - deliver a packet again, at passive level
 * @packet: the packet ProcessPacket is being called for
 *
 * When ProcessPacket returns, the packet is queued and ProcessPacket is
 * called for it once more, with the same payload and context, from a work
 * item in process context; deferred packets keep their order among
 * themselves. The packet stays delivered (it counts against the quota and
 * Pause waits for it). Called anywhere but inside ProcessPacket for this
 * packet, it does nothing but log.
 *
 * Context: inside ProcessPacket.
 */
void VmbChannelPacketDeferToPassive(VMBPACKETCOMPLETION packet);

/**
 * VmbChannelPacketFail() - retire a packet the client found bad
 * @packet: a packet delivered to ProcessPacket and not yet retired
 *
 * Retires the packet without a completion and stops incoming delivery on the
 * channel until it is disabled: the rest stays in the ring.
 *
 * Context: any (atomic-safe).
 */
void VmbChannelPacketFail(VMBPACKETCOMPLETION packet);

/**
 * VmbChannelPacketGetExternalData() - the external data of a packet
 * @packet: a packet delivered with VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA
 * @flags: 0 or VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY (accepted;
 *         the MDL maps nothing)
 * @mdl: receives the MDL: the packet's GPA ranges (a GPA-direct packet), or
 *       its ranges of the GPADL the transfer page set names (a
 *       transfer-page packet), one element per range or run of ranges that
 *       one GPA range can carry
 *
 * The MDL belongs to the library and is valid until the packet is retired;
 * vmb_mdl_to_sg_table() gives its pages. Never STATUS_PENDING: guest memory
 * is always present.
 *
 * Context: any (atomic-safe).
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a NULL packet or
 * one without external data; STATUS_INVALID_PARAMETER_2 for unknown flags;
 * STATUS_INVALID_PARAMETER_3 for a NULL @mdl.
 */
NTSTATUS VmbChannelPacketGetExternalData(VMBPACKETCOMPLETION packet, u32 flags,
					 struct vmb_mdl **mdl);

/**
 * VmbChannelPacketGetClientContext() - the client's area of a packet
 * @packet: a packet not yet retired
 *
 * VmbChannelInitSetClientContextSize() bytes, 8-byte aligned, zeroed when
 * the packet is delivered, the client's until it retires the packet.
 *
 * Context: any.
 * Return: the area, or NULL when the channel's client context size is 0.
 */
void *VmbChannelPacketGetClientContext(VMBPACKETCOMPLETION packet);

/*
 * The functions added by later KMCL interface versions (V2 to V5), and the
 * two V1 functions about interrupts and MMIO. KMCL publishes their names but
 * not their signatures: the forms here are vmbkmcl's, following the V1
 * functions they extend.
 */

/**
 * typedef EVT_VMB_CHANNEL_PROCESS_PACKET_EX - ProcessPacket with a context
 * @channel: the channel
 * @packet: the token to retire the packet with
 * @buffer: the payload, as for EVT_VMB_CHANNEL_PROCESS_PACKET
 * @buffer_length: bytes at @buffer
 * @flags: as for EVT_VMB_CHANNEL_PROCESS_PACKET
 * @context: the pointer given to VmbChannelInitSetProcessPacketCallbacksEx()
 *
 * Context: as EVT_VMB_CHANNEL_PROCESS_PACKET.
 */
typedef void EVT_VMB_CHANNEL_PROCESS_PACKET_EX(VMBCHANNEL channel,
					       VMBPACKETCOMPLETION packet,
					       void *buffer, u32 buffer_length,
					       u32 flags, void *context);

/**
 * typedef EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX - end of a batch, with a context
 * @channel: the channel
 * @packets_processed: packets delivered in the batch
 * @context: the pointer given to VmbChannelInitSetProcessPacketCallbacksEx()
 *
 * Context: as EVT_VMB_CHANNEL_PROCESS_PACKET.
 */
typedef void EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX(VMBCHANNEL channel,
						    u32 packets_processed,
						    void *context);

/**
 * typedef EVT_VMB_PACKET_COMPLETION_ROUTINE_EX - completion routine with a context
 * @packet: the packet object, the caller's again from this call on
 * @status: as for EVT_VMB_PACKET_COMPLETION_ROUTINE
 * @buffer: as for EVT_VMB_PACKET_COMPLETION_ROUTINE
 * @buffer_length: bytes at @buffer
 * @context: the pointer given to VmbPacketSetCompletionRoutineEx()
 *
 * Context: as EVT_VMB_PACKET_COMPLETION_ROUTINE.
 */
typedef void EVT_VMB_PACKET_COMPLETION_ROUTINE_EX(VMBPACKET packet, NTSTATUS status,
						  void *buffer, u32 buffer_length,
						  void *context);

/**
 * VmbChannelSetInterruptLatency() - how fast the host hears of our packets
 * @channel: a channel bound to its offer (a parent device, or a bound offer)
 * @latency: the signalling latency wanted, in 100 ns units; 0: none
 * @original_latency: receives the value the previous call set (0 before
 *                    any), or NULL
 *
 * Hyper-V lets a guest signal a channel through the monitor page, which
 * the host scans at its own latency, or directly. hv_vmbus keeps one bit of
 * this per channel (struct vmbus_channel.low_latency), so the hint has two
 * values: 0 signals directly, any other latency leaves the monitor page to
 * the host's timing. The bit is restored when the channel closes.
 *
 * Context: process or atomic; also from the state callbacks.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for no channel;
 * STATUS_INVALID_DEVICE_STATE when no offer is bound.
 */
NTSTATUS __must_check VmbChannelSetInterruptLatency(VMBCHANNEL channel, u16 latency,
						    u16 *original_latency);

/**
 * VmbChannelGetMmioSpace() - the MMIO space the host offered the device
 * @channel: a channel bound to its offer
 * @mmio_address: receives 0: the library allocates no MMIO (see below)
 * @mmio_size: receives the bytes the offer asks for (its mmio_megabytes
 *             MiB), 0 for an offer without MMIO or a channel not bound
 *
 * On Hyper-V the VMBus driver of the guest reserves MMIO for an offer that
 * asks for it; on Linux the device's driver does, with vmbus_allocate_mmio()
 * on VmbChannelGetTargetDeviceObject()'s device, and frees it with
 * vmbus_free_mmio(). This gives the size to ask for.
 *
 * Context: any.
 */
void VmbChannelGetMmioSpace(VMBCHANNEL channel, u64 *mmio_address, u64 *mmio_size);

/**
 * VmbChannelGetTargetDeviceObject() - the VMBus device of the channel (V2)
 * @channel: the channel
 *
 * The device of the offer the channel drives: the parent given to
 * VmbChannelAllocate(), or the offer a channel bound by class GUID is bound
 * to. For dev_*() messages, DMA mapping (dma_map_sg() on it) and
 * vmbus_allocate_mmio().
 *
 * Context: any. A bound offer's device stays valid while the channel is
 * open, up to the return of its Closed callback.
 * Return: the device, or NULL while a channel bound by class GUID is not
 * bound.
 */
struct device *VmbChannelGetTargetDeviceObject(VMBCHANNEL channel);

/**
 * VmbChannelGetParentDeviceObject() - the parent given at allocation (V2)
 * @channel: the channel
 *
 * Context: any.
 * Return: the parent of VmbChannelAllocate() or VmbChannelInitialize(), or
 * NULL for a channel bound by class GUID.
 */
struct device *VmbChannelGetParentDeviceObject(VMBCHANNEL channel);

/**
 * VmbChannelInitSetBounceBufferSizes() - reserve a bounce pool (V3)
 * @channel: a Disabled channel
 * @incoming_size: bytes, rounded up to 4 KiB
 * @outgoing_size: bytes, rounded up to 4 KiB
 *
 * On a confidential VM (SEV-SNP, TDX) the host can reach only memory the
 * guest shared, so Linux's DMA API bounces the external data of every send
 * through swiotlb's pool, which all devices share. This reserves a pool of
 * the channel's own instead: @incoming_size + @outgoing_size bytes of
 * memory shared with the host now, in one block. While the channel's
 * VMBus device bounces its mappings (is_swiotlb_force_bounce(): a
 * confidential VM, or a boot with swiotlb=force), each 4 KiB frame piece
 * of a send's external data that finds a free frame in the pool is copied
 * there at the send and back when the transaction ends, and the host is
 * given that frame; pieces that find none go through swiotlb as without a
 * pool. Where the device does not bounce, the pool is not used and the
 * host gets the caller's own frames.
 *
 * KMCL publishes no semantics for the two sizes. A KMCL send does not say
 * which way its external data goes (the host may read and write it), so
 * every bounced piece is copied both ways and the pool serves both: its
 * size is the sum. Both 0 gives the pool up (the default: none). A second
 * call replaces the pool. The pool is freed by VmbChannelCleanup().
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a NULL channel
 * or one that is not Disabled; STATUS_INVALID_PARAMETER_2 when
 * @incoming_size, or _3 when both together, exceed 4 MiB (one block of the
 * page allocator, the bound of hv_vmbus's rings);
 * STATUS_INVALID_DEVICE_STATE while a send queued on the Disabled channel
 * holds frames of the current pool; STATUS_INSUFFICIENT_RESOURCES. On
 * failure the current pool stays.
 */
NTSTATUS VmbChannelInitSetBounceBufferSizes(VMBCHANNEL channel, u32 incoming_size,
					    u32 outgoing_size);

/**
 * VmbChannelAllocateBounceBuffer() - memory shared with the host (V3)
 * @channel: the channel, in any state
 * @size: bytes, 1 to 4 MiB
 * @buffer: receives the buffer, or NULL on failure
 *
 * Zeroed, page-aligned, physically contiguous memory of @size rounded up
 * to whole pages, shared with the host (decrypted on a confidential VM;
 * ordinary memory elsewhere), for the client's own data. External data
 * that lies in a bounce buffer of its channel is given to the host as
 * it is, with no copy, whether the device bounces or not. KMCL has no
 * function to free one: the channel frees its bounce buffers in
 * VmbChannelCleanup(), so the client must not use them after that.
 *
 * Not for GPADLs: vmbus_establish_gpadl() shares a GPADL's pages itself
 * and makes them private again at the teardown; use ordinary memory there.
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a NULL channel;
 * STATUS_INVALID_PARAMETER_2 for a @size of 0 or above 4 MiB;
 * STATUS_INVALID_PARAMETER_3 for a NULL @buffer;
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelAllocateBounceBuffer(VMBCHANNEL channel, u32 size, void **buffer);

/**
 * VmbChannelInitSetMaximumPacketCount() - bound the transactions in flight (V4)
 * @channel: a Disabled channel
 * @count: at most this many sent packets awaiting the host's completion
 *
 * By default a channel has as many transactions in flight as both rings can
 * hold (hv_vmbus's requestor is sized for that). This lowers the bound:
 * further sends that ask for a completion wait in the channel's queue, in
 * order, until completions free a place. A bound above the default has no
 * effect.
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for no channel or one
 * that is not Disabled; STATUS_INVALID_PARAMETER_2 for 0.
 */
NTSTATUS VmbChannelInitSetMaximumPacketCount(VMBCHANNEL channel, u32 count);

/**
 * VmbChannelCreateGpadlFromPfnList() - share frames with the host (V4)
 * @channel: an enabled channel, open (from Opened on)
 * @flags: as for VmbChannelCreateGpadlFromBuffer()
 * @pfns: Hyper-V frame numbers (4 KiB frames, whatever PAGE_SIZE is) of
 *        guest RAM, in the order the GPADL describes them
 * @pfn_count: entries at @pfns
 * @gpadl: receives the GPADL handle
 *
 * The frames are mapped into one virtually contiguous buffer for
 * vmbus_establish_gpadl(), which shares whole kernel pages: on a kernel
 * whose PAGE_SIZE is larger than 4 KiB (64 KiB on arm64), each run of
 * PAGE_SIZE / 4 KiB entries must name the consecutive frames of one page,
 * starting at its first. The memory must stay allocated until the GPADL is
 * deleted.
 *
 * Context: process; may sleep.
 * Return: as VmbChannelCreateGpadlFromBuffer(); STATUS_INVALID_PARAMETER for
 * no frames, a frame that is not guest RAM, or frames that do not make
 * whole pages.
 */
NTSTATUS VmbChannelCreateGpadlFromPfnList(VMBCHANNEL channel, u32 flags, const u64 *pfns,
					  u32 pfn_count, u32 *gpadl);

/**
 * VmbChannelInitSetPrimaryChannel() - make the channel a sub-channel (V5)
 * @channel: a Disabled channel allocated with @primary's parent device, not
 *           a primary of sub-channels itself
 * @primary: a channel allocated with a parent (not bound by class GUID),
 *           not itself a sub-channel
 *
 * KMCL publishes no signature for its V5 functions; this is vmbkmcl's.
 * The host offers sub-channels (the primary's GUIDs, a non-zero
 * sub-channel index) once the VSC asked for them over the open primary;
 * the primary records each offer hv_vmbus reports while it is open. The
 * sub-channel's VmbChannelEnable() takes the free offer with the lowest
 * index and opens it as a channel of its own (rings, callbacks, state
 * callbacks, transactions), or fails with STATUS_INVALID_DEVICE_STATE if
 * the primary is not open or no offer is free.
 *
 * hv_vmbus closes sub-channels only with their primary. The primary's
 * VmbChannelDisable() (also from the client's remove after a rescind)
 * closes its open sub-channels: Suspend and the wait for delivered packets
 * before the primary's vmbus_close(), the cancellations and Closed after
 * it; they end Disabled and their offers are forgotten. A sub-channel
 * disabled alone is closed on its side and its offer parked, open at the
 * host, until the primary closes. Sub-channels are cleaned up before their
 * primary.
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for no channel, one
 * that is not Disabled, bound by class GUID, already a sub-channel or the
 * primary of one; STATUS_INVALID_PARAMETER_2 for no @primary, @channel
 * itself, a channel bound by class GUID, a sub-channel, or one of another
 * device.
 */
NTSTATUS VmbChannelInitSetPrimaryChannel(VMBCHANNEL channel, VMBCHANNEL primary);

/**
 * VmbSizeofChannel() - bytes of a channel object (V5)
 *
 * For VmbChannelInitialize().
 *
 * Context: any.
 * Return: the size.
 */
u32 VmbSizeofChannel(void);

/**
 * VmbChannelInitialize() - make a channel object in the caller's memory (V5)
 * @parent: as for VmbChannelAllocate()
 * @is_server: as for VmbChannelAllocate()
 * @channel: the memory, at least VmbSizeofChannel() bytes, 8-byte aligned,
 *           not freed or reused until VmbChannelCleanup() returned
 * @byte_count: bytes at @channel
 *
 * The channel is what VmbChannelAllocate() makes, and is used and cleaned
 * up the same way; VmbChannelCleanup() leaves the memory to the caller.
 *
 * Context: process; may sleep.
 * Return: as VmbChannelAllocate(); STATUS_INVALID_PARAMETER_3 for a NULL or
 * misaligned @channel; STATUS_BUFFER_TOO_SMALL for @byte_count below
 * VmbSizeofChannel().
 */
NTSTATUS VmbChannelInitialize(struct device *parent, bool is_server, VMBCHANNEL channel,
			      u32 byte_count);

/**
 * VmbClientChannelInitSetTargetProcessorIndex() - the channel's CPU (V5)
 * @channel: a Disabled channel
 * @processor_index: a Linux CPU number, online
 *
 * At the next Enable the hv channel's target_cpu is set to it before
 * vmbus_open(), as hv_vmbus sets it for an offer: OPENCHANNEL names its
 * virtual processor, the host interrupts that one, and hv_vmbus runs the
 * channel callback there, so the channel's interrupts, its completions and
 * ProcessPacket in the default (softirq) mode run on that CPU. The choice
 * hv_vmbus made for the offer is restored at close. Without this call the
 * channel keeps hv_vmbus's choice.
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for no channel or one
 * that is not Disabled; STATUS_INVALID_PARAMETER_2 for an index that is
 * not an online CPU. Enable fails with STATUS_INVALID_DEVICE_STATE if the
 * CPU went offline meanwhile.
 */
NTSTATUS VmbClientChannelInitSetTargetProcessorIndex(VMBCHANNEL channel, u32 processor_index);

/**
 * VmbChannelSetAllowableDpcCpuUsage() - bound the time delivery takes (V5)
 * @channel: the channel
 * @percent: the share of a CPU that incoming delivery in softirq context
 *           may take, 1 to 100
 *
 * A hint, as in KMCL. vmbkmcl's softirq reader already delivers at most
 * 256 packets per run and leaves the rest to a new run of its tasklet, so
 * that other softirq work gets the CPU in between; the value is recorded
 * and does not change that bound.
 *
 * Context: any.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for no channel;
 * STATUS_INVALID_PARAMETER_2 for a value outside 1 to 100.
 */
NTSTATUS VmbChannelSetAllowableDpcCpuUsage(VMBCHANNEL channel, u32 percent);

/**
 * VmbChannelInitSetInlinePacketContextSize() - client bytes in packet objects (V5)
 * @channel: a Disabled channel
 * @size: bytes of client context in each outgoing packet object, at most
 *        64 KiB
 *
 * Packet objects allocated or initialized from now on carry the area, 8-byte
 * aligned and zeroed when the object is made (not when it is sent again);
 * VmbChannelSizeofPacket() counts it.
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for no channel or one
 * that is not Disabled; STATUS_INVALID_PARAMETER_2 for a size above 64 KiB.
 */
NTSTATUS VmbChannelInitSetInlinePacketContextSize(VMBCHANNEL channel, u32 size);

/**
 * VmbPacketGetInlinePacketContextPointer() - a packet object's client area (V5)
 * @packet: the packet
 *
 * Context: any.
 * Return: the area, or NULL when its channel's inline context size was 0
 * when the object was made.
 */
void *VmbPacketGetInlinePacketContextPointer(VMBPACKET packet);

/**
 * VmbChannelInitSetProcessPacketCallbacksEx() - callbacks with a context (V5)
 * @channel: a Disabled channel
 * @process_packet: called for each packet, with @context
 * @complete: called after each batch (ProcessingComplete), with @context,
 *            or NULL
 * @context: handed to both
 *
 * Replaces what VmbChannelInitSetProcessPacketCallbacks() set, and the other
 * way round.
 *
 * Context: process; may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for no channel or one
 * that is not Disabled; STATUS_INVALID_PARAMETER_2 for a NULL
 * @process_packet.
 */
NTSTATUS
VmbChannelInitSetProcessPacketCallbacksEx(VMBCHANNEL channel,
					  EVT_VMB_CHANNEL_PROCESS_PACKET_EX *process_packet,
					  EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX *complete,
					  void *context);

/**
 * VmbPacketSetCompletionRoutineEx() - completion routine with a context (V5)
 * @packet: a packet not in flight
 * @completion_routine: called when the send is done, with @context
 * @context: handed to it
 *
 * Replaces what VmbPacketSetCompletionRoutine() set, and the other way
 * round.
 *
 * Context: any.
 */
void VmbPacketSetCompletionRoutineEx(VMBPACKET packet,
				     EVT_VMB_PACKET_COMPLETION_ROUTINE_EX *completion_routine,
				     void *context);

/*
 * Server-only KMCL functions. Linux hv_vmbus is a guest (client) stack:
 * there are no offers to make, no guest memory to map and no channel state
 * to save. They exist so that ported code links, and always fail.
 */

/**
 * VmbServerChannelInitSetFlags() - server only, not supported
 * @channel: ignored
 * @flags: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbServerChannelInitSetFlags(VMBCHANNEL channel, u32 flags);

/**
 * VmbServerChannelInitSetMmioMegabytes() - server only, not supported
 * @channel: ignored
 * @mmio_megabytes: ignored
 * @mmio_megabytes_optional: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbServerChannelInitSetMmioMegabytes(VMBCHANNEL channel,
					      u16 mmio_megabytes,
					      u16 mmio_megabytes_optional);

/**
 * VmbServerChannelInitSetTargetInterfaceId() - server only, not supported
 * @channel: ignored
 * @interface_type: ignored
 * @interface_instance: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbServerChannelInitSetTargetInterfaceId(VMBCHANNEL channel,
						  guid_t interface_type,
						  guid_t interface_instance);

/**
 * VmbServerChannelInitSetTargetVtl() - server only, not supported
 * @channel: ignored
 * @target_vtl: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbServerChannelInitSetTargetVtl(VMBCHANNEL channel, u8 target_vtl);

/**
 * VmbServerChannelInitSetVmbusHandle() - server only, not supported
 * @channel: ignored
 * @vmbus_handle: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbServerChannelInitSetVmbusHandle(VMBCHANNEL channel,
					    void *vmbus_handle);

/**
 * VmbServerChannelInitSetSaveRestorePacketCallbacks() - server only, not
 * supported
 * @channel: ignored
 * @save_packet: ignored
 * @restore_packet: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS
VmbServerChannelInitSetSaveRestorePacketCallbacks(VMBCHANNEL channel,
						  EVT_VMB_CHANNEL_SAVE_PACKET *save_packet,
						  EVT_VMB_CHANNEL_RESTORE_PACKET *restore_packet);

/**
 * VmbConvertVmbusHandleToKernelHandle() - server only, not supported
 * @vmbus_handle: ignored
 * @kernel_handle: set to NULL when not NULL
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbConvertVmbusHandleToKernelHandle(void *vmbus_handle,
					     void **kernel_handle);

/**
 * VmbChannelMapGpadl() - server only, not supported
 * @channel: ignored
 * @flags: ignored
 * @gpadl_handle: ignored
 * @mdl: set to NULL when not NULL
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelMapGpadl(VMBCHANNEL channel, u32 flags, u32 gpadl_handle,
			    struct vmb_mdl **mdl);

/**
 * VmbChannelUnmapGpadl() - server only, not supported; does nothing
 * @channel: ignored
 * @gpadl_handle: ignored
 *
 * Context: any.
 */
void VmbChannelUnmapGpadl(VMBCHANNEL channel, u32 gpadl_handle);

/**
 * VmbChannelSaveBegin() - server only, not supported
 * @channel: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS __must_check VmbChannelSaveBegin(VMBCHANNEL channel);

/**
 * VmbChannelSaveContinue() - server only, not supported
 * @channel: ignored
 * @save_buffer: ignored
 * @save_buffer_size: ignored
 * @bytes_filled: set to 0 when not NULL
 * @bytes_required: set to 0 when not NULL
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelSaveContinue(VMBCHANNEL channel, void *save_buffer,
				u32 save_buffer_size, u32 *bytes_filled,
				u32 *bytes_required);

/**
 * VmbChannelSaveEnd() - server only, not supported; does nothing
 * @channel: ignored
 *
 * Context: any.
 */
void VmbChannelSaveEnd(VMBCHANNEL channel);

/**
 * VmbChannelRestoreFromBuffer() - server only, not supported
 * @channel: ignored
 * @buffer: ignored
 * @buffer_size: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS __must_check VmbChannelRestoreFromBuffer(VMBCHANNEL channel,
						  void *buffer,
						  u32 buffer_size);

/**
 * VmbPacketRestore() - server only, not supported
 * @packet: ignored
 * @buffer: ignored
 * @buffer_size: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbPacketRestore(VMBPACKET packet, void *buffer, u32 buffer_size);

/**
 * VmbServerChannelInitSetSaveRestorePacketCallbacksEx() - server only (V5)
 * @channel: ignored
 * @save_packet: ignored
 * @restore_packet: ignored
 * @context: ignored
 *
 * Context: any.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS
VmbServerChannelInitSetSaveRestorePacketCallbacksEx(VMBCHANNEL channel,
						    EVT_VMB_CHANNEL_SAVE_PACKET *save_packet,
						    EVT_VMB_CHANNEL_RESTORE_PACKET *restore_packet,
						    void *context);

/*
 * Function pointer types and the interface tables
 */

/**
 * DOC: Function pointer types
 *
 * Each KMCL function has a pointer type named as KMCL names it, the function's
 * name in upper case with underscores after ``PFN_`` (``PFN_VMB_PACKET_SEND``
 * for VmbPacketSend()): the type of its member in the interface tables. Each
 * callback type ``EVT_VMB_FOO`` has its ``PFN_VMB_FOO``, a pointer to it. The
 * function pointer types are declared with typeof() from the functions, so
 * they cannot differ from them.
 */

typedef
	EVT_VMB_CHANNEL_PROCESS_PACKET *PFN_VMB_CHANNEL_PROCESS_PACKET;
typedef
	EVT_VMB_CHANNEL_PROCESSING_COMPLETE *PFN_VMB_CHANNEL_PROCESSING_COMPLETE;
typedef
	EVT_VMB_PACKET_COMPLETION_ROUTINE *PFN_VMB_PACKET_COMPLETION_ROUTINE;
typedef
	EVT_VMB_CHANNEL_OPENED *PFN_VMB_CHANNEL_OPENED;
typedef
	EVT_VMB_CHANNEL_CLOSED *PFN_VMB_CHANNEL_CLOSED;
typedef
	EVT_VMB_CHANNEL_SUSPEND *PFN_VMB_CHANNEL_SUSPEND;
typedef
	EVT_VMB_CHANNEL_STARTED *PFN_VMB_CHANNEL_STARTED;
typedef
	EVT_VMB_CHANNEL_POST_STARTED *PFN_VMB_CHANNEL_POST_STARTED;
typedef
	EVT_VMB_CHANNEL_PNP_FAILURE *PFN_VMB_CHANNEL_PNP_FAILURE;
typedef
	EVT_VMB_CHANNEL_SAVE_PACKET *PFN_VMB_CHANNEL_SAVE_PACKET;
typedef
	EVT_VMB_CHANNEL_RESTORE_PACKET *PFN_VMB_CHANNEL_RESTORE_PACKET;
typedef
	EVT_VMB_CHANNEL_PROCESS_PACKET_EX *PFN_VMB_CHANNEL_PROCESS_PACKET_EX;
typedef
	EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX *PFN_VMB_CHANNEL_PROCESSING_COMPLETE_EX;
typedef
	EVT_VMB_PACKET_COMPLETION_ROUTINE_EX *PFN_VMB_PACKET_COMPLETION_ROUTINE_EX;

typedef
	typeof(VmbChannelAllocate) *PFN_VMB_CHANNEL_ALLOCATE;
typedef
	typeof(VmbChannelCleanup) *PFN_VMB_CHANNEL_CLEANUP;
typedef
	typeof(VmbChannelCreateGpadlFromBuffer) *PFN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER;
typedef
	typeof(VmbChannelCreateGpadlFromMdl) *PFN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL;
typedef
	typeof(VmbChannelDeleteGpadl) *PFN_VMB_CHANNEL_DELETE_GPADL;
typedef
	typeof(VmbChannelDisable) *PFN_VMB_CHANNEL_DISABLE;
typedef
	typeof(VmbChannelEnable) *PFN_VMB_CHANNEL_ENABLE;
typedef
	typeof(VmbChannelGetInterfaceInstance) *PFN_VMB_CHANNEL_GET_INTERFACE_INSTANCE;
typedef
	typeof(VmbChannelGetMmioSpace) *PFN_VMB_CHANNEL_GET_MMIO_SPACE;
typedef
	typeof(VmbChannelGetPointer) *PFN_VMB_CHANNEL_GET_POINTER;
typedef
	typeof(VmbChannelInitSetClientContextSize) *PFN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE;
typedef
	typeof(VmbChannelInitSetFlags) *PFN_VMB_CHANNEL_INIT_SET_FLAGS;
typedef
	typeof(VmbChannelInitSetFriendlyName) *PFN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME;
typedef
	typeof(VmbChannelInitSetMaximumExternalData)
	*PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA;
typedef
	typeof(VmbChannelInitSetMaximumPacketSize) *PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE;
typedef
	typeof(VmbChannelInitSetProcessPacketCallbacks)
	*PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS;
typedef
	typeof(VmbChannelInitSetStateChangeCallbacks)
	*PFN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS;
typedef
	typeof(VmbChannelPacketComplete) *PFN_VMB_CHANNEL_PACKET_COMPLETE;
typedef
	typeof(VmbChannelPacketDeferToPassive) *PFN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE;
typedef
	typeof(VmbChannelPacketFail) *PFN_VMB_CHANNEL_PACKET_FAIL;
typedef
	typeof(VmbChannelPacketGetExternalData) *PFN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA;
typedef
	typeof(VmbChannelPause) *PFN_VMB_CHANNEL_PAUSE;
typedef
	typeof(VmbChannelSendSynchronousRequest) *PFN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST;
typedef
	typeof(VmbChannelSetIncomingProcessingAtPassive)
	*PFN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE;
typedef
	typeof(VmbChannelSetInterruptLatency) *PFN_VMB_CHANNEL_SET_INTERRUPT_LATENCY;
typedef
	typeof(VmbChannelSetPointer) *PFN_VMB_CHANNEL_SET_POINTER;
typedef
	typeof(VmbChannelSetTransactionQuota) *PFN_VMB_CHANNEL_SET_TRANSACTION_QUOTA;
typedef
	typeof(VmbChannelSizeofPacket) *PFN_VMB_CHANNEL_SIZEOF_PACKET;
typedef
	typeof(VmbChannelStart) *PFN_VMB_CHANNEL_START;
typedef
	typeof(VmbClientChannelInitSetRingBufferPageCount)
	*PFN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT;
typedef
	typeof(VmbClientChannelInitSetTargetPnp) *PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP;
typedef
	typeof(VmbPacketAllocate) *PFN_VMB_PACKET_ALLOCATE;
typedef
	typeof(VmbPacketFree) *PFN_VMB_PACKET_FREE;
typedef
	typeof(VmbPacketGetChannel) *PFN_VMB_PACKET_GET_CHANNEL;
typedef
	typeof(VmbPacketGetPointer) *PFN_VMB_PACKET_GET_POINTER;
typedef
	typeof(VmbPacketInitialize) *PFN_VMB_PACKET_INITIALIZE;
typedef
	typeof(VmbPacketSend) *PFN_VMB_PACKET_SEND;
typedef
	typeof(VmbPacketSendWithExternalMdl) *PFN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL;
typedef
	typeof(VmbPacketSendWithExternalPfns) *PFN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS;
typedef
	typeof(VmbPacketSetCompletionRoutine) *PFN_VMB_PACKET_SET_COMPLETION_ROUTINE;
typedef
	typeof(VmbPacketSetPointer) *PFN_VMB_PACKET_SET_POINTER;
typedef
	typeof(VmbChannelPacketGetClientContext) *PFN_VMB_CHANNEL_PACKET_GET_CLIENT_CONTEXT;
typedef
	typeof(VmbChannelGetTargetDeviceObject) *PFN_VMB_CHANNEL_GET_TARGET_DEVICE_OBJECT;
typedef
	typeof(VmbChannelGetParentDeviceObject) *PFN_VMB_CHANNEL_GET_PARENT_DEVICE_OBJECT;
typedef
	typeof(VmbChannelInitSetBounceBufferSizes) *PFN_VMB_CHANNEL_INIT_SET_BOUNCE_BUFFER_SIZES;
typedef
	typeof(VmbChannelAllocateBounceBuffer) *PFN_VMB_CHANNEL_ALLOCATE_BOUNCE_BUFFER;
typedef
	typeof(VmbChannelInitSetMaximumPacketCount) *PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_COUNT;
typedef
	typeof(VmbChannelCreateGpadlFromPfnList) *PFN_VMB_CHANNEL_CREATE_GPADL_FROM_PFN_LIST;
typedef
	typeof(VmbChannelInitSetPrimaryChannel) *PFN_VMB_CHANNEL_INIT_SET_PRIMARY_CHANNEL;
typedef
	typeof(VmbChannelInitialize) *PFN_VMB_CHANNEL_INITIALIZE;
typedef
	typeof(VmbSizeofChannel) *PFN_VMB_SIZEOF_CHANNEL;
typedef
	typeof(VmbClientChannelInitSetTargetProcessorIndex)
	*PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PROCESSOR_INDEX;
typedef
	typeof(VmbChannelSetAllowableDpcCpuUsage) *PFN_VMB_CHANNEL_SET_ALLOWABLE_DPC_CPU_USAGE;
typedef
	typeof(VmbChannelInitSetInlinePacketContextSize)
	*PFN_VMB_CHANNEL_INIT_SET_INLINE_PACKET_CONTEXT_SIZE;
typedef
	typeof(VmbPacketGetInlinePacketContextPointer)
	*PFN_VMB_PACKET_GET_INLINE_PACKET_CONTEXT_POINTER;
typedef
	typeof(VmbChannelInitSetProcessPacketCallbacksEx)
	*PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS_EX;
typedef
	typeof(VmbPacketSetCompletionRoutineEx) *PFN_VMB_PACKET_SET_COMPLETION_ROUTINE_EX;
typedef
	typeof(VmbChannelMapGpadl) *PFN_VMB_CHANNEL_MAP_GPADL;
typedef
	typeof(VmbChannelRestoreFromBuffer) *PFN_VMB_CHANNEL_RESTORE_FROM_BUFFER;
typedef
	typeof(VmbChannelSaveBegin) *PFN_VMB_CHANNEL_SAVE_BEGIN;
typedef
	typeof(VmbChannelSaveContinue) *PFN_VMB_CHANNEL_SAVE_CONTINUE;
typedef
	typeof(VmbChannelSaveEnd) *PFN_VMB_CHANNEL_SAVE_END;
typedef
	typeof(VmbChannelUnmapGpadl) *PFN_VMB_CHANNEL_UNMAP_GPADL;
typedef
	typeof(VmbConvertVmbusHandleToKernelHandle) *PFN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE;
typedef
	typeof(VmbPacketRestore) *PFN_VMB_PACKET_RESTORE;
typedef
	typeof(VmbServerChannelInitSetFlags) *PFN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS;
typedef
	typeof(VmbServerChannelInitSetMmioMegabytes)
	*PFN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES;
typedef
	typeof(VmbServerChannelInitSetSaveRestorePacketCallbacks)
	*PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS;
typedef
	typeof(VmbServerChannelInitSetTargetInterfaceId)
	*PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID;
typedef
	typeof(VmbServerChannelInitSetTargetVtl) *PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL;
typedef
	typeof(VmbServerChannelInitSetVmbusHandle) *PFN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE;
typedef
	typeof(VmbServerChannelInitSetSaveRestorePacketCallbacksEx)
	*PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS_EX;

/**
 * struct vmb_interface_header - the INTERFACE header of a KMCL table
 * @size: bytes of the table filled in
 * @version: its KMCL_CLIENT_INTERFACE_VERSION_*
 * @context: NULL: vmbkmcl has no state per table
 * @reference: does nothing (the table's functions live as long as the
 *             vmbkmcl module, which a caller's module depends on)
 * @dereference: does nothing
 *
 * WDM's INTERFACE, which starts every KMCL table, with Linux types.
 */
struct vmb_interface_header {
	u16 size;
	u16 version;
	void *context;
	void (*reference)(void *context);
	void (*dereference)(void *context);
};

/* Versions of the client table: vmbkmcl's numbers (KMCL's are not public). */
#define KMCL_CLIENT_INTERFACE_VERSION_V1	1
#define KMCL_CLIENT_INTERFACE_VERSION_V2	2
#define KMCL_CLIENT_INTERFACE_VERSION_V3	3
#define KMCL_CLIENT_INTERFACE_VERSION_V4	4
#define KMCL_CLIENT_INTERFACE_VERSION_V5	5
#define KMCL_CLIENT_INTERFACE_VERSION_LATEST	KMCL_CLIENT_INTERFACE_VERSION_V5

/*
 * The members of each version of the client table, the previous version's
 * first, as one anonymous structure. KMCL nests each version in the next as
 * an anonymous member, so that a function is reached by its own name in any
 * version's table (iface.VmbPacketSend); C11's untagged anonymous structures
 * give the same layout and names. Each member is a pointer to the function
 * of its name, of its PFN_VMB_* type.
 */
#define KMCL_CLIENT_INTERFACE_V1_MEMBERS	\
	struct {	\
		struct vmb_interface_header InterfaceHeader;	\
		PFN_VMB_CHANNEL_ALLOCATE VmbChannelAllocate;	\
		PFN_VMB_CHANNEL_CLEANUP VmbChannelCleanup;	\
		PFN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER VmbChannelCreateGpadlFromBuffer;	\
		PFN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL VmbChannelCreateGpadlFromMdl;	\
		PFN_VMB_CHANNEL_DELETE_GPADL VmbChannelDeleteGpadl;	\
		PFN_VMB_CHANNEL_DISABLE VmbChannelDisable;	\
		PFN_VMB_CHANNEL_ENABLE VmbChannelEnable;	\
		PFN_VMB_CHANNEL_GET_INTERFACE_INSTANCE VmbChannelGetInterfaceInstance;	\
		PFN_VMB_CHANNEL_GET_MMIO_SPACE VmbChannelGetMmioSpace;	\
		PFN_VMB_CHANNEL_GET_POINTER VmbChannelGetPointer;	\
		PFN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE	\
			VmbChannelInitSetClientContextSize;	\
		PFN_VMB_CHANNEL_INIT_SET_FLAGS VmbChannelInitSetFlags;	\
		PFN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME VmbChannelInitSetFriendlyName;	\
		PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA	\
			VmbChannelInitSetMaximumExternalData;	\
		PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE	\
			VmbChannelInitSetMaximumPacketSize;	\
		PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS	\
			VmbChannelInitSetProcessPacketCallbacks;	\
		PFN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS	\
			VmbChannelInitSetStateChangeCallbacks;	\
		PFN_VMB_CHANNEL_PACKET_COMPLETE VmbChannelPacketComplete;	\
		PFN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE VmbChannelPacketDeferToPassive;	\
		PFN_VMB_CHANNEL_PACKET_FAIL VmbChannelPacketFail;	\
		PFN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA VmbChannelPacketGetExternalData;	\
		PFN_VMB_CHANNEL_PAUSE VmbChannelPause;	\
		PFN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST VmbChannelSendSynchronousRequest;	\
		PFN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE	\
			VmbChannelSetIncomingProcessingAtPassive;	\
		PFN_VMB_CHANNEL_SET_INTERRUPT_LATENCY VmbChannelSetInterruptLatency;	\
		PFN_VMB_CHANNEL_SET_POINTER VmbChannelSetPointer;	\
		PFN_VMB_CHANNEL_SET_TRANSACTION_QUOTA VmbChannelSetTransactionQuota;	\
		PFN_VMB_CHANNEL_SIZEOF_PACKET VmbChannelSizeofPacket;	\
		PFN_VMB_CHANNEL_START VmbChannelStart;	\
		PFN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT	\
			VmbClientChannelInitSetRingBufferPageCount;	\
		PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP VmbClientChannelInitSetTargetPnp;	\
		PFN_VMB_PACKET_ALLOCATE VmbPacketAllocate;	\
		PFN_VMB_PACKET_FREE VmbPacketFree;	\
		PFN_VMB_PACKET_GET_CHANNEL VmbPacketGetChannel;	\
		PFN_VMB_PACKET_GET_POINTER VmbPacketGetPointer;	\
		PFN_VMB_PACKET_INITIALIZE VmbPacketInitialize;	\
		PFN_VMB_PACKET_SEND VmbPacketSend;	\
		PFN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL VmbPacketSendWithExternalMdl;	\
		PFN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS VmbPacketSendWithExternalPfns;	\
		PFN_VMB_PACKET_SET_COMPLETION_ROUTINE VmbPacketSetCompletionRoutine;	\
		PFN_VMB_PACKET_SET_POINTER VmbPacketSetPointer;	\
	}

#define KMCL_CLIENT_INTERFACE_V2_MEMBERS	\
	struct {	\
		KMCL_CLIENT_INTERFACE_V1_MEMBERS;	\
		PFN_VMB_CHANNEL_PACKET_GET_CLIENT_CONTEXT VmbChannelPacketGetClientContext;	\
		PFN_VMB_CHANNEL_GET_TARGET_DEVICE_OBJECT VmbChannelGetTargetDeviceObject;	\
		PFN_VMB_CHANNEL_GET_PARENT_DEVICE_OBJECT VmbChannelGetParentDeviceObject;	\
	}

#define KMCL_CLIENT_INTERFACE_V3_MEMBERS	\
	struct {	\
		KMCL_CLIENT_INTERFACE_V2_MEMBERS;	\
		PFN_VMB_CHANNEL_INIT_SET_BOUNCE_BUFFER_SIZES	\
			VmbChannelInitSetBounceBufferSizes;	\
		PFN_VMB_CHANNEL_ALLOCATE_BOUNCE_BUFFER VmbChannelAllocateBounceBuffer;	\
	}

#define KMCL_CLIENT_INTERFACE_V4_MEMBERS	\
	struct {	\
		KMCL_CLIENT_INTERFACE_V3_MEMBERS;	\
		PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_COUNT	\
			VmbChannelInitSetMaximumPacketCount;	\
		PFN_VMB_CHANNEL_CREATE_GPADL_FROM_PFN_LIST VmbChannelCreateGpadlFromPfnList;	\
	}

#define KMCL_CLIENT_INTERFACE_V5_MEMBERS	\
	struct {	\
		KMCL_CLIENT_INTERFACE_V4_MEMBERS;	\
		PFN_VMB_CHANNEL_INIT_SET_PRIMARY_CHANNEL VmbChannelInitSetPrimaryChannel;	\
		PFN_VMB_CHANNEL_INITIALIZE VmbChannelInitialize;	\
		PFN_VMB_SIZEOF_CHANNEL VmbSizeofChannel;	\
		PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PROCESSOR_INDEX	\
			VmbClientChannelInitSetTargetProcessorIndex;	\
		PFN_VMB_CHANNEL_SET_ALLOWABLE_DPC_CPU_USAGE VmbChannelSetAllowableDpcCpuUsage;	\
		PFN_VMB_CHANNEL_INIT_SET_INLINE_PACKET_CONTEXT_SIZE	\
			VmbChannelInitSetInlinePacketContextSize;	\
		PFN_VMB_PACKET_GET_INLINE_PACKET_CONTEXT_POINTER	\
			VmbPacketGetInlinePacketContextPointer;	\
		PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS_EX	\
			VmbChannelInitSetProcessPacketCallbacksEx;	\
		PFN_VMB_PACKET_SET_COMPLETION_ROUTINE_EX VmbPacketSetCompletionRoutineEx;	\
	}

/**
 * struct _KMCL_CLIENT_INTERFACE_V1 - the KMCL client table, version 1
 * @KMCL_CLIENT_INTERFACE_V1_MEMBERS: InterfaceHeader (struct vmb_interface_header), then a
 *	pointer to each function, named as the function: the 41
 *	functions of KMCL_CLIENT_INTERFACE_V1 (Windows 10 1803)
 *
 * Filled by vmb_query_client_interface() with KMCL_CLIENT_INTERFACE_VERSION_V1.
 */
typedef
	struct _KMCL_CLIENT_INTERFACE_V1 {
		KMCL_CLIENT_INTERFACE_V1_MEMBERS;
	} KMCL_CLIENT_INTERFACE_V1;

/**
 * struct _KMCL_CLIENT_INTERFACE_V2 - the KMCL client table, version 2
 * @KMCL_CLIENT_INTERFACE_V2_MEMBERS: InterfaceHeader (struct vmb_interface_header), then a
 *	pointer to each function, named as the function: V1, then
 *	VmbChannelPacketGetClientContext,
 *	VmbChannelGetTargetDeviceObject,
 *	VmbChannelGetParentDeviceObject
 *
 * Filled by vmb_query_client_interface() with KMCL_CLIENT_INTERFACE_VERSION_V2.
 */
typedef
	struct _KMCL_CLIENT_INTERFACE_V2 {
		KMCL_CLIENT_INTERFACE_V2_MEMBERS;
	} KMCL_CLIENT_INTERFACE_V2;

/**
 * struct _KMCL_CLIENT_INTERFACE_V3 - the KMCL client table, version 3
 * @KMCL_CLIENT_INTERFACE_V3_MEMBERS: InterfaceHeader (struct vmb_interface_header), then a
 *	pointer to each function, named as the function: V2, then
 *	VmbChannelInitSetBounceBufferSizes,
 *	VmbChannelAllocateBounceBuffer
 *
 * Filled by vmb_query_client_interface() with KMCL_CLIENT_INTERFACE_VERSION_V3.
 */
typedef
	struct _KMCL_CLIENT_INTERFACE_V3 {
		KMCL_CLIENT_INTERFACE_V3_MEMBERS;
	} KMCL_CLIENT_INTERFACE_V3;

/**
 * struct _KMCL_CLIENT_INTERFACE_V4 - the KMCL client table, version 4
 * @KMCL_CLIENT_INTERFACE_V4_MEMBERS: InterfaceHeader (struct vmb_interface_header), then a
 *	pointer to each function, named as the function: V3, then
 *	VmbChannelInitSetMaximumPacketCount,
 *	VmbChannelCreateGpadlFromPfnList
 *
 * Filled by vmb_query_client_interface() with KMCL_CLIENT_INTERFACE_VERSION_V4.
 */
typedef
	struct _KMCL_CLIENT_INTERFACE_V4 {
		KMCL_CLIENT_INTERFACE_V4_MEMBERS;
	} KMCL_CLIENT_INTERFACE_V4;

/**
 * struct _KMCL_CLIENT_INTERFACE_V5 - the KMCL client table, version 5
 * @KMCL_CLIENT_INTERFACE_V5_MEMBERS: InterfaceHeader (struct vmb_interface_header), then a
 *	pointer to each function, named as the function: V4, then
 *	the nine V5 functions
 *
 * Filled by vmb_query_client_interface() with KMCL_CLIENT_INTERFACE_VERSION_V5.
 */
typedef
	struct _KMCL_CLIENT_INTERFACE_V5 {
		KMCL_CLIENT_INTERFACE_V5_MEMBERS;
	} KMCL_CLIENT_INTERFACE_V5;

#define KMCL_SERVER_ONLY_METHODS_MEMBERS	\
	struct {	\
		PFN_VMB_CHANNEL_MAP_GPADL VmbChannelMapGpadl;	\
		PFN_VMB_CHANNEL_RESTORE_FROM_BUFFER VmbChannelRestoreFromBuffer;	\
		PFN_VMB_CHANNEL_SAVE_BEGIN VmbChannelSaveBegin;	\
		PFN_VMB_CHANNEL_SAVE_CONTINUE VmbChannelSaveContinue;	\
		PFN_VMB_CHANNEL_SAVE_END VmbChannelSaveEnd;	\
		PFN_VMB_CHANNEL_UNMAP_GPADL VmbChannelUnmapGpadl;	\
		PFN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE	\
			VmbConvertVmbusHandleToKernelHandle;	\
		PFN_VMB_PACKET_RESTORE VmbPacketRestore;	\
		PFN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS VmbServerChannelInitSetFlags;	\
		PFN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES	\
			VmbServerChannelInitSetMmioMegabytes;	\
		PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS	\
			VmbServerChannelInitSetSaveRestorePacketCallbacks;	\
		PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID	\
			VmbServerChannelInitSetTargetInterfaceId;	\
		PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL VmbServerChannelInitSetTargetVtl;	\
		PFN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE	\
			VmbServerChannelInitSetVmbusHandle;	\
	}

/**
 * struct _KMCL_SERVER_ONLY_METHODS - KMCL's table of the server-only functions
 * @KMCL_SERVER_ONLY_METHODS_MEMBERS: a pointer to each of the 14 server-only
 *	functions, named as the function
 *
 * Declared for code that names it; vmbkmcl fills no server table (a Linux
 * guest is never a VMBus server), and every function it points to returns
 * STATUS_NOT_SUPPORTED or does nothing.
 */
typedef
	struct _KMCL_SERVER_ONLY_METHODS {
		KMCL_SERVER_ONLY_METHODS_MEMBERS;
	} KMCL_SERVER_ONLY_METHODS;

/**
 * vmb_query_client_interface() - fill a KMCL client interface table
 * @interface: the table: a KMCL_CLIENT_INTERFACE_V1 to _V5, its first
 *             member the header
 * @size: bytes at @interface, at least the size of the table of @version
 * @version: KMCL_CLIENT_INTERFACE_VERSION_V1 to _V5 (or _LATEST)
 *
 * What WdfFdoQueryForInterface() with KMCL_CLIENT_INTERFACE_TYPE does on
 * Windows: a driver written against the interface tables calls this in its
 * place and keeps calling through the table. The table of @version is filled
 * (its header: size and version of that table, no context, no-op reference
 * and dereference); bytes beyond it are left alone.
 *
 * Context: any.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a NULL @interface;
 * STATUS_BUFFER_TOO_SMALL for @size below the table of @version;
 * STATUS_NOT_SUPPORTED for another @version.
 */
NTSTATUS vmb_query_client_interface(struct vmb_interface_header *interface, u32 size,
				    u16 version);

#endif /* _VMBKMCL_H */
