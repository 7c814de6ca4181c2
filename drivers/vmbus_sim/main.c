// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus_sim: a simulated VMBus host that exports the hv_vmbus client API,
 * for kernels without hv_vmbus (CONFIG_HYPERV=n). See
 * Documentation/vmbus_sim.rst and include/vmbus_sim.h.
 */
#include <linux/module.h>

#include "bus.h"
#include "host.h"

static int __init vmbus_sim_init(void)
{
	int ret;

	ret = vmbus_sim_host_init();
	if (ret)
		return ret;
	ret = vmbus_sim_bus_init();
	if (ret)
		goto err_host;
	return 0;

err_host:
	vmbus_sim_host_exit();
	return ret;
}

static void __exit vmbus_sim_exit(void)
{
	/* offers first: their devices are on the bus */
	vmbus_sim_host_exit();
	vmbus_sim_bus_exit();
}

module_init(vmbus_sim_init);
module_exit(vmbus_sim_exit);

MODULE_DESCRIPTION("Simulated VMBus host exporting the hv_vmbus client API");
MODULE_LICENSE("GPL");
