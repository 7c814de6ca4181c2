/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmb_heartbeat_host: the Hyper-V host side of the heartbeat integration
 * service, on vmbus_sim, for the heartbeat sample's tests and demo.
 *
 * One struct vmb_heartbeat_host is one heartbeat device offered to the
 * guest. When the guest opens it the host sends the version negotiation;
 * afterwards heartbeats go out one at a time, each waiting for its answer.
 * Everything the guest writes is checked as strictly as OpenVMM's IC host
 * checks it, and recorded (struct vmb_heartbeat_host_record); every event is
 * also logged with pr_info, one line each.
 */
#ifndef _VMB_HEARTBEAT_HOST_H
#define _VMB_HEARTBEAT_HOST_H

#include <linux/hyperv.h>
#include <linux/types.h>

struct vmb_heartbeat_host;

/* Most versions per list that a host model offers. */
#define VMB_HEARTBEAT_HOST_MAX_VERSIONS	8

/**
 * struct vmb_heartbeat_host_versions - what the host offers in a negotiation
 * @framework: framework versions, in the order they are sent
 * @n_framework: entries at @framework, at most VMB_HEARTBEAT_HOST_MAX_VERSIONS
 * @heartbeat: heartbeat (message) versions, in the order they are sent
 * @n_heartbeat: entries at @heartbeat, at most VMB_HEARTBEAT_HOST_MAX_VERSIONS
 */
struct vmb_heartbeat_host_versions {
	const struct ic_version *framework;
	unsigned int n_framework;
	const struct ic_version *heartbeat;
	unsigned int n_heartbeat;
};

/**
 * enum vmb_heartbeat_host_negotiation - where the version negotiation is
 * @VMB_HBH_CLOSED: the guest has not opened the device (or closed it)
 * @VMB_HBH_PENDING: negotiation sent, no answer yet
 * @VMB_HBH_NEGOTIATED: the guest chose one version of each list
 * @VMB_HBH_REFUSED: the guest answered with no versions: nothing in common
 * @VMB_HBH_BROKEN: the guest's answer broke the protocol
 */
enum vmb_heartbeat_host_negotiation {
	VMB_HBH_CLOSED,
	VMB_HBH_PENDING,
	VMB_HBH_NEGOTIATED,
	VMB_HBH_REFUSED,
	VMB_HBH_BROKEN,
};

/**
 * struct vmb_heartbeat_host_record - what the host saw of the guest
 * @opens: times the guest opened the device
 * @closes: times the guest closed it, or a rescind took it away
 * @negotiation: state of the last negotiation
 * @negotiations: negotiations the guest completed with common versions
 * @framework: framework version of the last successful negotiation
 * @heartbeat: heartbeat version of the last successful negotiation
 * @beats_sent: heartbeats sent
 * @beats_answered: heartbeats answered with their sequence number + 1
 * @last_seq_sent: sequence number of the last heartbeat sent
 * @last_seq_answered: sequence number in the last good answer
 * @replies: packets read from the guest, good or bad
 * @unsolicited: well-formed replies to no request of the host's (such as the
 *               answers to vmb_heartbeat_host_send_message())
 * @bad: packets that broke the protocol (each also logged)
 * @last_type: icmsgtype of the last well-formed reply
 * @last_status: status of the last well-formed reply
 */
struct vmb_heartbeat_host_record {
	unsigned int opens;
	unsigned int closes;
	enum vmb_heartbeat_host_negotiation negotiation;
	unsigned int negotiations;
	struct ic_version framework;
	struct ic_version heartbeat;
	u64 beats_sent;
	u64 beats_answered;
	u64 last_seq_sent;
	u64 last_seq_answered;
	unsigned int replies;
	unsigned int unsolicited;
	unsigned int bad;
	u16 last_type;
	u32 last_status;
};

/**
 * vmb_heartbeat_host_offer() - offer a heartbeat device to the guest
 * @versions: what to offer in negotiations; NULL for Hyper-V's lists
 *            (framework 1.0 and 3.0, heartbeat 1.0 and 3.0)
 *
 * A heartbeat driver that is waiting binds and opens the device before
 * this returns; the host then sends the negotiation at once.
 *
 * Context: process; may sleep.
 * Return: the device; ERR_PTR(-EBUSY) while another one is offered (a
 * heartbeat driver binds any instance), ERR_PTR(-EINVAL) for bad
 * @versions, or the error of vmbus_sim_offer().
 */
struct vmb_heartbeat_host *
vmb_heartbeat_host_offer(const struct vmb_heartbeat_host_versions *versions);

/**
 * vmb_heartbeat_host_wait_negotiated() - wait for the guest's negotiation answer
 * @host: the device
 * @timeout_ms: how long
 *
 * Context: process; sleeps.
 * Return: 0 when the guest chose versions, -EPROTONOSUPPORT when it had none
 * in common with the host, -EPROTO for a bad answer, -ETIMEDOUT.
 */
int vmb_heartbeat_host_wait_negotiated(struct vmb_heartbeat_host *host,
				       unsigned int timeout_ms);

/**
 * vmb_heartbeat_host_negotiate() - negotiate again, as a host may at any time
 * @host: the device, open
 * @versions: what to offer; NULL: the lists given to the offer
 * @timeout_ms: how long to wait for the answer
 *
 * Context: process; sleeps.
 * Return: as vmb_heartbeat_host_wait_negotiated(); -ENOTCONN if the guest
 * has not opened the device; -EBUSY while a request is outstanding;
 * -EINVAL for bad @versions; the error of vmbus_sim_send().
 */
int vmb_heartbeat_host_negotiate(struct vmb_heartbeat_host *host,
				 const struct vmb_heartbeat_host_versions *versions,
				 unsigned int timeout_ms);

/**
 * vmb_heartbeat_host_beat() - send one heartbeat and wait for its answer
 * @host: the device
 * @seq: its sequence number
 * @timeout_ms: how long to wait
 *
 * Context: process; sleeps.
 * Return: 0 when the guest answered @seq + 1; -EPROTO for another answer;
 * -ENOTCONN if no negotiation succeeded (a host sends no heartbeat then);
 * -EBUSY while another request is outstanding; -ETIMEDOUT; the error of
 * vmbus_sim_send().
 */
int vmb_heartbeat_host_beat(struct vmb_heartbeat_host *host, u64 seq,
			    unsigned int timeout_ms);

/**
 * vmb_heartbeat_host_send_message() - send an IC message of the caller's making
 * @host: the device, open
 * @message: the whole payload, pipe header first; nothing in it is checked
 * @length: bytes at @message
 *
 * For hostile-host tests. The host expects no answer: one that comes is
 * counted in &vmb_heartbeat_host_record.unsolicited.
 *
 * Context: any.
 * Return: 0, or the error of vmbus_sim_send().
 */
int vmb_heartbeat_host_send_message(struct vmb_heartbeat_host *host, const void *message,
				    u32 length);

/**
 * vmb_heartbeat_host_wait_replies() - wait until the guest has sent enough
 * @host: the device
 * @replies: until &vmb_heartbeat_host_record.replies reaches this
 * @timeout_ms: how long
 *
 * Context: process; sleeps.
 * Return: 0, or -ETIMEDOUT.
 */
int vmb_heartbeat_host_wait_replies(struct vmb_heartbeat_host *host, unsigned int replies,
				    unsigned int timeout_ms);

/**
 * vmb_heartbeat_host_get_record() - what the host saw so far
 * @host: the device
 * @record: filled in
 *
 * Context: process.
 */
void vmb_heartbeat_host_get_record(struct vmb_heartbeat_host *host,
				   struct vmb_heartbeat_host_record *record);

/**
 * vmb_heartbeat_host_rescind() - the host takes the device away
 * @host: the device; stays valid, and its record with it
 *
 * Returns when the guest has closed the device (or after 10 s, which shows
 * in &vmb_heartbeat_host_record.closes).
 *
 * Context: process; may sleep.
 */
void vmb_heartbeat_host_rescind(struct vmb_heartbeat_host *host);

/**
 * vmb_heartbeat_host_destroy() - rescind if needed, and free the device
 * @host: the device, or NULL; invalid afterwards
 *
 * Context: process; may sleep.
 */
void vmb_heartbeat_host_destroy(struct vmb_heartbeat_host *host);

#endif /* _VMB_HEARTBEAT_HOST_H */
