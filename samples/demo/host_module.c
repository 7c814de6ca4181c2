// SPDX-License-Identifier: GPL-2.0
/*
 * vmb_demo_host.ko: the demo device's host model (host.c) as a module, for
 * kernels whose VMBus is vmbus_sim.ko. Loading it offers one demo device;
 * unloading it rescinds the offer.
 */
#include <linux/err.h>
#include <linux/module.h>

#include "demo.h"

static struct vmb_demo_host *host;

static int __init vmb_demo_host_init(void)
{
	const guid_t class = VMB_DEMO_CLASS, instance = VMB_DEMO_INSTANCE;

	host = vmb_demo_host_create(&class, &instance);
	return PTR_ERR_OR_ZERO(host);
}
module_init(vmb_demo_host_init);

static void __exit vmb_demo_host_exit(void)
{
	vmb_demo_host_destroy(host);
}
module_exit(vmb_demo_host_exit);

MODULE_DESCRIPTION("vmbkmcl sample: the demo device's simulated host");
MODULE_LICENSE("GPL");
