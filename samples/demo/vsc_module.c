// SPDX-License-Identifier: GPL-2.0
/*
 * vmb_demo.ko: the demo VSC (vsc.c) as a module. It binds to any device of
 * the demo class, whenever one is offered; vmb_demo_host.ko offers one in
 * test kernels.
 */
#include <linux/err.h>
#include <linux/module.h>

#include "demo.h"

static struct vmb_demo *demo;

static int __init vmb_demo_init(void)
{
	const guid_t class = VMB_DEMO_CLASS;

	demo = vmb_demo_create(&class, NULL);
	return PTR_ERR_OR_ZERO(demo);
}
module_init(vmb_demo_init);

static void __exit vmb_demo_exit(void)
{
	vmb_demo_destroy(demo);
}
module_exit(vmb_demo_exit);

MODULE_DESCRIPTION("vmbkmcl sample: a VSC with a synchronous request and external data");
MODULE_LICENSE("GPL");
