// SPDX-License-Identifier: GPL-2.0
/*
 * vmb_oot_client: the smallest vmbkmcl client, built out of tree against the
 * installed <vmbkmcl.h> and Module.symvers only (see Kbuild): a channel that
 * completes every packet it receives. <vmbkmcl.h> comes first: it must build
 * on its own, without this project's compat header.
 */
#include <vmbkmcl.h>
#include <linux/module.h>

static VMBCHANNEL vmb_oot_channel;

static void vmb_oot_process_packet(VMBCHANNEL channel, VMBPACKETCOMPLETION packet,
				   void *buffer, u32 length, u32 flags)
{
	VmbChannelPacketComplete(packet, NULL, 0);
}

static int __init vmb_oot_init(void)
{
	NTSTATUS status;

	status = VmbChannelAllocate(NULL, false, &vmb_oot_channel);
	if (!NT_SUCCESS(status))
		return vmb_ntstatus_to_errno(status);
	status = VmbChannelInitSetFriendlyName(vmb_oot_channel, "vmb_oot_client");
	if (NT_SUCCESS(status))
		status = VmbChannelInitSetProcessPacketCallbacks(vmb_oot_channel,
								 vmb_oot_process_packet, NULL);
	if (!NT_SUCCESS(status)) {
		VmbChannelCleanup(vmb_oot_channel);
		return vmb_ntstatus_to_errno(status);
	}
	return 0;
}

static void __exit vmb_oot_exit(void)
{
	VmbChannelCleanup(vmb_oot_channel);
}

module_init(vmb_oot_init);
module_exit(vmb_oot_exit);

MODULE_DESCRIPTION("Out-of-tree vmbkmcl client, built against the installed files");
MODULE_LICENSE("GPL");
