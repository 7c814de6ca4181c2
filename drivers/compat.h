/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, force-included into every source of the
 * project (see Kbuild), so the main sources stay upstream-clean. Each entry
 * says which kernels differ and why.
 */
#ifndef _VMB_COMPAT_H
#define _VMB_COMPAT_H

#include <linux/version.h>

/*
 * struct hv_driver.remove returns int up to 6.2 and void from 6.3 on
 * ("Drivers: hv: Make remove callback of hyperv driver void returned", 6.3).
 * Write a remove callback as
 *	static VMB_HV_REMOVE_RET foo_remove(struct hv_device *hdev)
 *	{
 *		...
 *		return VMB_HV_REMOVE_DONE;
 *	}
 * hv_vmbus ignores the int, so it carries nothing.
 */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
#define VMB_HV_REMOVE_RET	void
#define VMB_HV_REMOVE_DONE
#else
#define VMB_HV_REMOVE_RET	int
#define VMB_HV_REMOVE_DONE	0
#endif

/*
 * struct bus_type callbacks (the simulator's "vmbus" bus): .uevent takes a
 * const struct device from 6.3 ("driver core: make struct bus_type.uevent()
 * take a const *"), .match a const struct device_driver from 6.11 ("driver
 * core: have match() callback in struct bus_type take a const *").
 */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
#define VMB_BUS_UEVENT_CONST	const
#else
#define VMB_BUS_UEVENT_CONST
#endif
#if KERNEL_VERSION(6, 11, 0) <= LINUX_VERSION_CODE
#define VMB_BUS_MATCH_CONST	const
#else
#define VMB_BUS_MATCH_CONST
#endif

/*
 * hv_ringbuffer_write() bounds-checks the shared read and write indices and
 * fails with -EIO in 6.12.117 (stable backport "Drivers: hv: vmbus: Bounds
 * check the shared ring buffer indices", Debian changelog 6.12.117-1);
 * 6.1.192 does not. The simulator's copy follows the kernel it is built for.
 */
#if KERNEL_VERSION(6, 12, 117) <= LINUX_VERSION_CODE
#define VMB_HV_RING_WRITE_CHECKS_INDICES 1
#endif

/*
 * KUnit runs a test module's suites at MODULE_STATE_COMING, before the
 * module's sysfs kobject exists, in 6.1.192, and at MODULE_STATE_LIVE in
 * 6.12.117 (lib/kunit/test.c kunit_module_notify(); upstream changed it in
 * 6.6, a boundary not verified here). A driver that a test registers must
 * not name its module as owner in the former: driver_register() would
 * kobject_get() the uninitialised module kobject and WARN.
 * VMB_KUNIT_DRIVER_OWNER is the owner to pass.
 */
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
#define VMB_KUNIT_DRIVER_OWNER	THIS_MODULE
#else
#define VMB_KUNIT_DRIVER_OWNER	NULL
#endif

/*
 * Whether a physical address lies in a device's swiotlb bounce pool:
 * is_swiotlb_buffer() up to 6.11, swiotlb_find_pool() from 6.12 ("swiotlb:
 * reduce swiotlb pool lookups"). The caller includes <linux/swiotlb.h>.
 */
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define vmb_is_swiotlb_buffer(dev, paddr)	(!!swiotlb_find_pool((dev), (paddr)))
#else
#define vmb_is_swiotlb_buffer(dev, paddr)	is_swiotlb_buffer((dev), (paddr))
#endif

/*
 * hvsim (the simulated Hyper-V below the upstream hv_vmbus): in 6.12 (the
 * boundary between 6.1 and 6.12 not verified here) hv_vmbus reads and
 * writes the synthetic MSRs through out-of-line hv_get_msr() and
 * hv_set_msr(), which vmlinux has with CONFIG_HYPERV and hvsim.ko exports
 * here; 6.1.192 inlines rdmsr/wrmsr in hv_get_register()/hv_set_register()
 * (hvsim's <asm/mshyperv.h> override redirects those), and its ring_buffer.c
 * references vmap_pfn() (for SNP guests only), which CONFIG_VMAP_PFN=n
 * kernels lack and hvsim.ko supplies.
 */
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define VMB_HV_MSR_OUT_OF_LINE	1
#endif

#endif /* _VMB_COMPAT_H */
