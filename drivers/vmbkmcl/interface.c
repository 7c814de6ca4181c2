// SPDX-License-Identifier: GPL-2.0
/*
 * The KMCL client interface tables: vmb_query_client_interface() fills a
 * KMCL_CLIENT_INTERFACE_V1 to _V5, as WdfFdoQueryForInterface() does with
 * KMCL_CLIENT_INTERFACE_TYPE on Windows 10 1803 and later. Each version's
 * members begin with the previous version's (include/vmbkmcl.h), so the
 * table of any version is the first bytes of the V5 table.
 */
#include <linux/module.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include <vmbkmcl.h>

/* The header's reference and dereference: the functions live with the module. */
static void interface_noop(void *context)
{
}

static const KMCL_CLIENT_INTERFACE_V5 client_interface = {
	.InterfaceHeader = {
		.reference = interface_noop,
		.dereference = interface_noop,
	},
	.VmbChannelAllocate = VmbChannelAllocate,
	.VmbChannelCleanup = VmbChannelCleanup,
	.VmbChannelCreateGpadlFromBuffer = VmbChannelCreateGpadlFromBuffer,
	.VmbChannelCreateGpadlFromMdl = VmbChannelCreateGpadlFromMdl,
	.VmbChannelDeleteGpadl = VmbChannelDeleteGpadl,
	.VmbChannelDisable = VmbChannelDisable,
	.VmbChannelEnable = VmbChannelEnable,
	.VmbChannelGetInterfaceInstance = VmbChannelGetInterfaceInstance,
	.VmbChannelGetMmioSpace = VmbChannelGetMmioSpace,
	.VmbChannelGetPointer = VmbChannelGetPointer,
	.VmbChannelInitSetClientContextSize = VmbChannelInitSetClientContextSize,
	.VmbChannelInitSetFlags = VmbChannelInitSetFlags,
	.VmbChannelInitSetFriendlyName = VmbChannelInitSetFriendlyName,
	.VmbChannelInitSetMaximumExternalData = VmbChannelInitSetMaximumExternalData,
	.VmbChannelInitSetMaximumPacketSize = VmbChannelInitSetMaximumPacketSize,
	.VmbChannelInitSetProcessPacketCallbacks = VmbChannelInitSetProcessPacketCallbacks,
	.VmbChannelInitSetStateChangeCallbacks = VmbChannelInitSetStateChangeCallbacks,
	.VmbChannelPacketComplete = VmbChannelPacketComplete,
	.VmbChannelPacketDeferToPassive = VmbChannelPacketDeferToPassive,
	.VmbChannelPacketFail = VmbChannelPacketFail,
	.VmbChannelPacketGetExternalData = VmbChannelPacketGetExternalData,
	.VmbChannelPause = VmbChannelPause,
	.VmbChannelSendSynchronousRequest = VmbChannelSendSynchronousRequest,
	.VmbChannelSetIncomingProcessingAtPassive = VmbChannelSetIncomingProcessingAtPassive,
	.VmbChannelSetInterruptLatency = VmbChannelSetInterruptLatency,
	.VmbChannelSetPointer = VmbChannelSetPointer,
	.VmbChannelSetTransactionQuota = VmbChannelSetTransactionQuota,
	.VmbChannelSizeofPacket = VmbChannelSizeofPacket,
	.VmbChannelStart = VmbChannelStart,
	.VmbClientChannelInitSetRingBufferPageCount = VmbClientChannelInitSetRingBufferPageCount,
	.VmbClientChannelInitSetTargetPnp = VmbClientChannelInitSetTargetPnp,
	.VmbPacketAllocate = VmbPacketAllocate,
	.VmbPacketFree = VmbPacketFree,
	.VmbPacketGetChannel = VmbPacketGetChannel,
	.VmbPacketGetPointer = VmbPacketGetPointer,
	.VmbPacketInitialize = VmbPacketInitialize,
	.VmbPacketSend = VmbPacketSend,
	.VmbPacketSendWithExternalMdl = VmbPacketSendWithExternalMdl,
	.VmbPacketSendWithExternalPfns = VmbPacketSendWithExternalPfns,
	.VmbPacketSetCompletionRoutine = VmbPacketSetCompletionRoutine,
	.VmbPacketSetPointer = VmbPacketSetPointer,
	.VmbChannelPacketGetClientContext = VmbChannelPacketGetClientContext,
	.VmbChannelGetTargetDeviceObject = VmbChannelGetTargetDeviceObject,
	.VmbChannelGetParentDeviceObject = VmbChannelGetParentDeviceObject,
	.VmbChannelInitSetBounceBufferSizes = VmbChannelInitSetBounceBufferSizes,
	.VmbChannelAllocateBounceBuffer = VmbChannelAllocateBounceBuffer,
	.VmbChannelInitSetMaximumPacketCount = VmbChannelInitSetMaximumPacketCount,
	.VmbChannelCreateGpadlFromPfnList = VmbChannelCreateGpadlFromPfnList,
	.VmbChannelInitSetPrimaryChannel = VmbChannelInitSetPrimaryChannel,
	.VmbChannelInitialize = VmbChannelInitialize,
	.VmbSizeofChannel = VmbSizeofChannel,
	.VmbClientChannelInitSetTargetProcessorIndex = VmbClientChannelInitSetTargetProcessorIndex,
	.VmbChannelSetAllowableDpcCpuUsage = VmbChannelSetAllowableDpcCpuUsage,
	.VmbChannelInitSetInlinePacketContextSize = VmbChannelInitSetInlinePacketContextSize,
	.VmbPacketGetInlinePacketContextPointer = VmbPacketGetInlinePacketContextPointer,
	.VmbChannelInitSetProcessPacketCallbacksEx = VmbChannelInitSetProcessPacketCallbacksEx,
	.VmbPacketSetCompletionRoutineEx = VmbPacketSetCompletionRoutineEx,
};

static const u32 table_size[] = {
	[KMCL_CLIENT_INTERFACE_VERSION_V1] = sizeof(KMCL_CLIENT_INTERFACE_V1),
	[KMCL_CLIENT_INTERFACE_VERSION_V2] = sizeof(KMCL_CLIENT_INTERFACE_V2),
	[KMCL_CLIENT_INTERFACE_VERSION_V3] = sizeof(KMCL_CLIENT_INTERFACE_V3),
	[KMCL_CLIENT_INTERFACE_VERSION_V4] = sizeof(KMCL_CLIENT_INTERFACE_V4),
	[KMCL_CLIENT_INTERFACE_VERSION_V5] = sizeof(KMCL_CLIENT_INTERFACE_V5),
};

/* Each version ends where the next one's additions begin. */
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V5, VmbChannelPacketGetClientContext) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V1));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V5, VmbChannelInitSetBounceBufferSizes) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V2));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V5, VmbChannelInitSetMaximumPacketCount) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V3));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V5, VmbChannelInitSetPrimaryChannel) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V4));

NTSTATUS vmb_query_client_interface(struct vmb_interface_header *interface, u32 size,
				    u16 version)
{
	u32 bytes;

	if (!interface)
		return STATUS_INVALID_PARAMETER_1;
	if (version < KMCL_CLIENT_INTERFACE_VERSION_V1 ||
	    version > KMCL_CLIENT_INTERFACE_VERSION_V5)
		return STATUS_NOT_SUPPORTED;
	bytes = table_size[version];
	if (size < bytes)
		return STATUS_BUFFER_TOO_SMALL;
	memcpy(interface, &client_interface, bytes);
	interface->size = bytes;
	interface->version = version;
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_GPL(vmb_query_client_interface);
