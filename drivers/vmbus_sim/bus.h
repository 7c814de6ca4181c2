/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "vmbus" bus: hv_driver registration, matching by class GUID, probe and
 * remove, and the hv_device objects of the offers.
 */
#ifndef _VMBUS_SIM_BUS_H
#define _VMBUS_SIM_BUS_H

#include <linux/hyperv.h>

int vmbus_sim_bus_init(void);
void vmbus_sim_bus_exit(void);
struct hv_device *vmbus_sim_bus_device_create(struct vmbus_channel *channel);
int vmbus_sim_bus_device_register(struct hv_device *hv_dev);

/* Exported by hv_vmbus but declared only in its private hyperv_vmbus.h. */
void vmbus_device_unregister(struct hv_device *device_obj);

#endif /* _VMBUS_SIM_BUS_H */
