// SPDX-License-Identifier: GPL-2.0
/*
 * vmbkmcl module init and exit, and nothing else.
 */
#include <linux/module.h>

#include "bind.h"

static int __init vmb_init(void)
{
	return vmb_bind_init();
}

static void __exit vmb_exit(void)
{
	vmb_bind_exit();
}

module_init(vmb_init);
module_exit(vmb_exit);

MODULE_DESCRIPTION("Windows VMBus Kernel-Mode Client Library model on top of hv_vmbus");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMBKMCL_VERSION);
