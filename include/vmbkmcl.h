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

#include <linux/types.h>

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
 * STATUS_DEVICE_REMOVED -ENODEV.
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

#endif /* _VMBKMCL_H */
