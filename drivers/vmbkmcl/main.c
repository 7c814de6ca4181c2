// SPDX-License-Identifier: GPL-2.0
/*
 * vmbkmcl module init and exit, and nothing else.
 */
#include <linux/module.h>

#include "bind.h"
#include "debugfs.h"

static int __init vmb_init(void)
{
	int ret;

	/* debugfs is for people: a failure there fails nothing */
	vmb_debugfs_init();
	ret = vmb_bind_init();
	if (ret)
		vmb_debugfs_exit();
	return ret;
}

static void __exit vmb_exit(void)
{
	vmb_bind_exit();
	vmb_debugfs_exit();
}

module_init(vmb_init);
module_exit(vmb_exit);

/*
 * No MODULE_SOFTDEP("pre: hv_vmbus"): the hv_vmbus symbols we call make
 * depmod record the module that exports them as a hard dependency, which
 * is hv_vmbus on Hyper-V and vmbus_sim in the test kernels (where no
 * hv_vmbus exists for a soft dependency to name).
 */
MODULE_AUTHOR("vmbkmcl maintainers");
MODULE_DESCRIPTION("Windows VMBus Kernel-Mode Client Library model on top of hv_vmbus");
/* VERSION, passed in by Kbuild: also dkms.conf's PACKAGE_VERSION */
MODULE_VERSION(VMBKMCL_VERSION);
MODULE_LICENSE("GPL");
