// SPDX-License-Identifier: GPL-2.0
/*
 * NTSTATUS <-> errno conversion for Linux-native callers of the Vmb* API.
 *
 * The pairs follow what hv_vmbus returns for the same condition, so that a
 * status built from an hv_vmbus error and converted back gives that error:
 * -EAGAIN is a full ring (STATUS_BUFFER_OVERFLOW is what KMCL returns for a
 * zero-timeout send into a full ring), -ENODEV a rescinded channel.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include <vmbkmcl.h>

static const struct {
	NTSTATUS status;
	int err;
} status_map[] = {
	{ STATUS_SUCCESS, 0 },
	{ STATUS_TIMEOUT, -ETIMEDOUT },
	{ STATUS_PENDING, -EINPROGRESS },
	{ STATUS_BUFFER_OVERFLOW, -EAGAIN },
	{ STATUS_UNSUCCESSFUL, -EIO },
	{ STATUS_INVALID_PARAMETER, -EINVAL },
	{ STATUS_BUFFER_TOO_SMALL, -ENOBUFS },
	{ STATUS_INSUFFICIENT_RESOURCES, -ENOMEM },
	{ STATUS_NOT_SUPPORTED, -EOPNOTSUPP },
	{ STATUS_CANCELLED, -ECANCELED },
	{ STATUS_INVALID_DEVICE_STATE, -EBUSY },
	{ STATUS_DEVICE_REMOVED, -ENODEV },
	/* one-way entries: these statuses and errnos have a preferred twin above */
	{ STATUS_INVALID_PARAMETER_1, -EINVAL },
	{ STATUS_INVALID_PARAMETER_2, -EINVAL },
	{ STATUS_INVALID_PARAMETER_3, -EINVAL },
	{ STATUS_BUFFER_TOO_SMALL, -EMSGSIZE },
	{ STATUS_TIMEOUT, -ETIME },
	{ STATUS_DEVICE_BUSY, -EBUSY },
};

int vmb_ntstatus_to_errno(NTSTATUS status)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(status_map); i++)
		if (status_map[i].status == status)
			return status_map[i].err;
	return NT_SUCCESS(status) ? 0 : -EIO;
}
EXPORT_SYMBOL_GPL(vmb_ntstatus_to_errno);

NTSTATUS vmb_errno_to_ntstatus(int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(status_map); i++)
		if (status_map[i].err == err)
			return status_map[i].status;
	return STATUS_UNSUCCESSFUL;
}
EXPORT_SYMBOL_GPL(vmb_errno_to_ntstatus);
