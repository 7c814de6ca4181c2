// SPDX-License-Identifier: GPL-2.0
/*
 * The server-only KMCL functions (Documentation/kmcl-semantics.rst). hv_vmbus
 * is a guest stack: it cannot offer channels, map a guest's GPADLs or save a
 * channel's state, so these exist only so that ported code links, and they
 * always fail with STATUS_NOT_SUPPORTED. Out parameters are cleared so that a
 * caller that ignores the status does not use garbage.
 */
#include <linux/module.h>

#include <vmbkmcl.h>

NTSTATUS VmbServerChannelInitSetFlags(VMBCHANNEL channel, u32 flags)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbServerChannelInitSetFlags);

NTSTATUS VmbServerChannelInitSetMmioMegabytes(VMBCHANNEL channel,
					      u16 mmio_megabytes,
					      u16 mmio_megabytes_optional)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbServerChannelInitSetMmioMegabytes);

NTSTATUS VmbServerChannelInitSetTargetInterfaceId(VMBCHANNEL channel,
						  guid_t interface_type,
						  guid_t interface_instance)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbServerChannelInitSetTargetInterfaceId);

NTSTATUS VmbServerChannelInitSetTargetVtl(VMBCHANNEL channel, u8 target_vtl)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbServerChannelInitSetTargetVtl);

NTSTATUS VmbServerChannelInitSetVmbusHandle(VMBCHANNEL channel,
					    void *vmbus_handle)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbServerChannelInitSetVmbusHandle);

NTSTATUS
VmbServerChannelInitSetSaveRestorePacketCallbacks(VMBCHANNEL channel,
						  EVT_VMB_CHANNEL_SAVE_PACKET *save_packet,
						  EVT_VMB_CHANNEL_RESTORE_PACKET *restore_packet)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbServerChannelInitSetSaveRestorePacketCallbacks);

NTSTATUS VmbConvertVmbusHandleToKernelHandle(void *vmbus_handle,
					     void **kernel_handle)
{
	if (kernel_handle)
		*kernel_handle = NULL;
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbConvertVmbusHandleToKernelHandle);

NTSTATUS VmbChannelMapGpadl(VMBCHANNEL channel, u32 flags, u32 gpadl_handle,
			    struct vmb_mdl **mdl)
{
	if (mdl)
		*mdl = NULL;
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbChannelMapGpadl);

void VmbChannelUnmapGpadl(VMBCHANNEL channel, u32 gpadl_handle)
{
}
EXPORT_SYMBOL_GPL(VmbChannelUnmapGpadl);

NTSTATUS VmbChannelSaveBegin(VMBCHANNEL channel)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbChannelSaveBegin);

NTSTATUS VmbChannelSaveContinue(VMBCHANNEL channel, void *save_buffer,
				u32 save_buffer_size, u32 *bytes_filled,
				u32 *bytes_required)
{
	if (bytes_filled)
		*bytes_filled = 0;
	if (bytes_required)
		*bytes_required = 0;
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbChannelSaveContinue);

void VmbChannelSaveEnd(VMBCHANNEL channel)
{
}
EXPORT_SYMBOL_GPL(VmbChannelSaveEnd);

NTSTATUS VmbChannelRestoreFromBuffer(VMBCHANNEL channel, void *buffer,
				     u32 buffer_size)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbChannelRestoreFromBuffer);

NTSTATUS VmbPacketRestore(VMBPACKET packet, void *buffer, u32 buffer_size)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbPacketRestore);

NTSTATUS
VmbServerChannelInitSetSaveRestorePacketCallbacksEx(VMBCHANNEL channel,
						    EVT_VMB_CHANNEL_SAVE_PACKET *save_packet,
						    EVT_VMB_CHANNEL_RESTORE_PACKET *restore_packet,
						    void *context)
{
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_GPL(VmbServerChannelInitSetSaveRestorePacketCallbacksEx);
