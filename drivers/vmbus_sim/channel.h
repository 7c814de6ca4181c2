/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's channel object and the hv_vmbus channel API on it: open and
 * close, send and receive, request ids, signalling and callback dispatch.
 */
#ifndef _VMBUS_SIM_CHANNEL_H
#define _VMBUS_SIM_CHANNEL_H

#include <linux/hyperv.h>

struct vmbus_sim_device;

/*
 * struct vmbus_channel is what drivers see; the simulator keeps its own
 * back pointer next to it instead of in a field drivers might use.
 */
struct vmbus_sim_channel {
	struct vmbus_channel channel;
	struct vmbus_sim_device *dev;
};

static inline struct vmbus_sim_device *vmbus_sim_channel_dev(const struct vmbus_channel *channel)
{
	return container_of(channel, struct vmbus_sim_channel, channel)->dev;
}

struct vmbus_channel *vmbus_sim_channel_alloc(struct vmbus_sim_device *dev,
					      const guid_t *type, const guid_t *instance,
					      u32 relid);
void vmbus_sim_channel_free(struct vmbus_channel *channel);
void vmbus_sim_channel_make_sub(struct vmbus_channel *channel, struct vmbus_channel *primary,
				u16 index);

/* hv_vmbus's vmbus_connection.channel_mutex: sub-channel lists, closes */
extern struct mutex vmbus_sim_channel_mutex;
void vmbus_sim_channel_interrupt(struct vmbus_channel *channel);
void vmbus_sim_channel_rescind(struct vmbus_channel *channel);

#endif /* _VMBUS_SIM_CHANNEL_H */
