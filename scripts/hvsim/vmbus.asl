/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI device hv_vmbus binds to on Hyper-V: \_SB.VMB0, _HID "VMBUS",
 * with a _CRS (hv_vmbus walks it; empty is enough: the interrupt is the
 * fixed HYPERVISOR_CALLBACK_VECTOR on x86 and hvsim raises it itself).
 * Built by iasl (acpica-tools) and given to QEMU with -acpitable file=.
 */
DefinitionBlock ("vmbus.aml", "SSDT", 2, "VMBKML", "HVSIM", 1)
{
    Scope (\_SB)
    {
        Device (VMB0)
        {
            Name (_HID, "VMBUS")
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
            })
        }
    }
}
