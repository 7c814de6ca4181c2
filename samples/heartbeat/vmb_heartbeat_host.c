// SPDX-License-Identifier: GPL-2.0
/*
 * vmb_heartbeat_host: the Hyper-V host side of the heartbeat integration
 * service, as a vmbus_sim host model (test kernels only, CONFIG_HYPERV=n).
 *
 * It speaks as Hyper-V does (see the protocol in vmb_heartbeat.c): when the
 * guest opens the device it sends ICMSGTYPE_NEGOTIATE with its framework and
 * heartbeat versions, then ICMSGTYPE_HEARTBEAT messages, each one answered
 * before the next goes out. Every message is a pipe message in an inband
 * packet that asks for no completion, with VMBus transaction id 0 and IC
 * flags TRANSACTION | REQUEST, as OpenVMM's IC host writes them
 * (vm/devices/hyperv_ic/src/common.rs). vmbus_sim's pipe helpers
 * (vmbus_sim_pipe_send(), vmbus_sim_pipe_data()) write and check the pipe
 * header.
 *
 * What the guest writes is checked at least as strictly as OpenVMM's IC host
 * checks it: an inband packet (OpenVMM's pipe refuses completions; this
 * model also refuses a request for completion, which no IC guest sends), a
 * data pipe header whose length fits the packet, an IC header with
 * TRANSACTION and RESPONSE set and the request's ictransaction_id, icmsgsize
 * within the message; a negotiation answer with both counts 1 and versions
 * the host offered, or both counts 0 (no common version); a heartbeat answer
 * of the sequence number + 1.
 *
 * Tests drive it through the functions of vmb_heartbeat_host.h. With the
 * demo_beats parameter it offers a device at load and sends that many
 * heartbeats by itself, for a demonstration; every event is one pr_info line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <vmbus_sim.h>

#include "vmb_heartbeat_host.h"
#include "vmb_ic.h"

static const struct hv_vmbus_device_id heartbeat_class = { HV_HEART_BEAT_GUID };

/* Hyper-V's lists: OpenVMM's FRAMEWORK_VERSIONS; hv_util.c's hb_versions. */
static const struct ic_version hyperv_framework[] = { { 1, 0 }, { 3, 0 } };
static const struct ic_version hyperv_heartbeat[] = { { 1, 0 }, { 3, 0 } };

static const struct vmb_heartbeat_host_versions hyperv_versions = {
	.framework = hyperv_framework,
	.n_framework = ARRAY_SIZE(hyperv_framework),
	.heartbeat = hyperv_heartbeat,
	.n_heartbeat = ARRAY_SIZE(hyperv_heartbeat),
};

enum request {
	REQUEST_NONE,
	REQUEST_NEGOTIATE,
	REQUEST_HEARTBEAT,
};

/**
 * struct vmb_heartbeat_host - one heartbeat device and its host
 * @sim: the simulated offer
 * @instance: its instance GUID
 * @lock: protects the fields below it
 * @wait: woken whenever a request settles or the record changes
 * @open: the guest has the device open
 * @framework: framework versions offered in the next negotiation
 * @n_framework: entries at @framework
 * @heartbeat: heartbeat versions offered in the next negotiation
 * @n_heartbeat: entries at @heartbeat
 * @request: what the outstanding request is, REQUEST_NONE if none
 * @tid: ictransaction_id of the last request
 * @seq: sequence number of the outstanding heartbeat
 * @beat_result: how the last heartbeat request settled
 * @settled: requests settled so far: answered, timed out or cut by a close
 * @rec: what the host saw
 */
struct vmb_heartbeat_host {
	struct vmbus_sim_device *sim;
	guid_t instance;
	spinlock_t lock;		/* protects everything below */
	wait_queue_head_t wait;
	bool open;
	struct ic_version framework[VMB_HEARTBEAT_HOST_MAX_VERSIONS];
	unsigned int n_framework;
	struct ic_version heartbeat[VMB_HEARTBEAT_HOST_MAX_VERSIONS];
	unsigned int n_heartbeat;
	enum request request;
	u8 tid;
	u64 seq;
	int beat_result;
	u64 settled;
	struct vmb_heartbeat_host_record rec;
};

/* A host message after its pipe header: a negotiation is the larger body. */
struct host_message {
	struct icmsg_hdr hdr;
	u8 body[sizeof(struct icmsg_negotiate) +
		2 * VMB_HEARTBEAT_HOST_MAX_VERSIONS * sizeof(struct ic_version)];
} __packed;

static_assert(sizeof(struct heartbeat_msg_data) <= sizeof_field(struct host_message, body));

/* How long vmb_heartbeat_host_rescind() waits for the guest to close. */
#define RESCIND_WAIT_MS	10000

/* One offer at a time: the guest's driver binds any heartbeat instance. */
static DEFINE_MUTEX(offer_lock);
static bool offered;
static unsigned int offers;

static int set_versions(struct vmb_heartbeat_host *host,
			const struct vmb_heartbeat_host_versions *v)
{
	if (!v)
		v = &hyperv_versions;
	if (v->n_framework > VMB_HEARTBEAT_HOST_MAX_VERSIONS ||
	    v->n_heartbeat > VMB_HEARTBEAT_HOST_MAX_VERSIONS ||
	    (v->n_framework && !v->framework) || (v->n_heartbeat && !v->heartbeat))
		return -EINVAL;
	memcpy(host->framework, v->framework, v->n_framework * sizeof(*v->framework));
	host->n_framework = v->n_framework;
	memcpy(host->heartbeat, v->heartbeat, v->n_heartbeat * sizeof(*v->heartbeat));
	host->n_heartbeat = v->n_heartbeat;
	return 0;
}

static void settle(struct vmb_heartbeat_host *host)
{
	lockdep_assert_held(&host->lock);
	host->request = REQUEST_NONE;
	host->settled++;
}

static int send_request(struct vmb_heartbeat_host *host, struct vmbus_sim_device *sim,
			struct host_message *msg, u16 type, u16 size)
{
	lockdep_assert_held(&host->lock);

	/* a negotiation carries no versions in its header (OpenVMM) */
	if (type != ICMSGTYPE_NEGOTIATE) {
		msg->hdr.icverframe = host->rec.framework;
		msg->hdr.icvermsg = host->rec.heartbeat;
	}
	msg->hdr.icmsgtype = type;
	msg->hdr.icmsgsize = size;
	msg->hdr.ictransaction_id = ++host->tid;
	msg->hdr.icflags = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_REQUEST;
	return vmbus_sim_pipe_send(sim, msg, sizeof(msg->hdr) + size);
}

static int send_negotiation(struct vmb_heartbeat_host *host, struct vmbus_sim_device *sim)
{
	struct host_message msg = {};
	struct icmsg_negotiate *neg = (struct icmsg_negotiate *)msg.body;
	unsigned int n = host->n_framework + host->n_heartbeat;
	int ret;

	lockdep_assert_held(&host->lock);

	neg->icframe_vercnt = host->n_framework;
	neg->icmsg_vercnt = host->n_heartbeat;
	memcpy(neg->icversion_data, host->framework, host->n_framework * sizeof(struct ic_version));
	memcpy(neg->icversion_data + host->n_framework, host->heartbeat,
	       host->n_heartbeat * sizeof(struct ic_version));
	host->request = REQUEST_NEGOTIATE;
	host->rec.negotiation = VMB_HBH_PENDING;
	pr_info("negotiating: %u framework, %u heartbeat versions\n",
		host->n_framework, host->n_heartbeat);
	ret = send_request(host, sim, &msg, ICMSGTYPE_NEGOTIATE,
			   sizeof(*neg) + n * sizeof(struct ic_version));
	if (ret) {
		pr_info("negotiation not sent: %d\n", ret);
		host->rec.negotiation = VMB_HBH_BROKEN;
		settle(host);
	}
	return ret;
}

/* The guest broke the protocol: log it, and fail what it was answering. */
static void protocol_error(struct vmb_heartbeat_host *host, const char *why)
{
	lockdep_assert_held(&host->lock);

	host->rec.bad++;
	pr_warn("guest broke the protocol: %s\n", why);
	if (host->request == REQUEST_NEGOTIATE)
		host->rec.negotiation = VMB_HBH_BROKEN;
	else if (host->request == REQUEST_HEARTBEAT)
		host->beat_result = -EPROTO;
	if (host->request != REQUEST_NONE)
		settle(host);
}

static bool offered_version(const struct ic_version *list, unsigned int n,
			    const struct ic_version *v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (list[i].major == v->major && list[i].minor == v->minor)
			return true;
	return false;
}

/*
 * The check_*() functions return NULL for a good answer, which they record
 * and settle, or what is wrong with it.
 */
static const char *check_negotiation(struct vmb_heartbeat_host *host, const void *body,
				     u32 size)
{
	const struct icmsg_negotiate *neg = body;
	const struct ic_version *v = neg->icversion_data;

	if (size < sizeof(*neg))
		return "negotiation answer without counts";
	if (neg->icframe_vercnt == 0 && neg->icmsg_vercnt == 0) {
		pr_info("guest has no version in common with the host\n");
		host->rec.negotiation = VMB_HBH_REFUSED;
		settle(host);
		return NULL;
	}
	if (neg->icframe_vercnt != 1 || neg->icmsg_vercnt != 1 ||
	    size < sizeof(*neg) + 2 * sizeof(*v))
		return "negotiation answer without exactly one version of each";
	if (!offered_version(host->framework, host->n_framework, &v[0]) ||
	    !offered_version(host->heartbeat, host->n_heartbeat, &v[1]))
		return "negotiation answer with a version the host did not offer";
	host->rec.framework = v[0];
	host->rec.heartbeat = v[1];
	host->rec.negotiation = VMB_HBH_NEGOTIATED;
	host->rec.negotiations++;
	pr_info("negotiated framework %u.%u, heartbeat %u.%u\n",
		v[0].major, v[0].minor, v[1].major, v[1].minor);
	settle(host);
	return NULL;
}

static const char *check_heartbeat(struct vmb_heartbeat_host *host, const void *body,
				   u32 size)
{
	const struct heartbeat_msg_data *beat = body;

	if (size < sizeof(beat->seq_num))
		return "heartbeat answer without a sequence number";
	if (beat->seq_num != host->seq + 1) {
		pr_warn("heartbeat %llu answered %llu\n", host->seq, beat->seq_num);
		return "heartbeat answer with the wrong sequence number";
	}
	host->rec.beats_answered++;
	host->rec.last_seq_answered = beat->seq_num;
	host->beat_result = 0;
	pr_info("heartbeat %llu answered %llu\n", host->seq, beat->seq_num);
	settle(host);
	return NULL;
}

static const char *check_reply(struct vmb_heartbeat_host *host,
			       const struct vmbus_sim_packet *pkt)
{
	u8 response = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE;
	const struct icmsg_hdr *hdr;
	const void *msg;
	u32 size;

	lockdep_assert_held(&host->lock);

	/* an inband packet without completion request, a data pipe header */
	if (vmbus_sim_pipe_data(pkt, &msg, &size))
		return "not a pipe message";
	if (size < sizeof(*hdr))
		return "pipe message too short for the IC header";
	hdr = msg;
	size -= sizeof(*hdr);
	if (hdr->icmsgsize > size)
		return "icmsgsize beyond the message";
	if ((hdr->icflags & (response | ICMSGHDRFLAG_REQUEST)) != response)
		return "IC flags are not TRANSACTION | RESPONSE";

	host->rec.last_type = hdr->icmsgtype;
	host->rec.last_status = hdr->status;
	if (host->request == REQUEST_NONE) {
		host->rec.unsolicited++;
		pr_info("reply to no request: type %u, status %#x\n", hdr->icmsgtype, hdr->status);
		return NULL;
	}
	if (hdr->ictransaction_id != host->tid)
		return "reply with another ictransaction_id";
	if (host->request == REQUEST_NEGOTIATE && hdr->icmsgtype == ICMSGTYPE_NEGOTIATE)
		return check_negotiation(host, hdr + 1, hdr->icmsgsize);
	if (host->request == REQUEST_HEARTBEAT && hdr->icmsgtype == ICMSGTYPE_HEARTBEAT)
		return check_heartbeat(host, hdr + 1, hdr->icmsgsize);
	return "reply of another message type";
}

/* vmbus_sim host ops: each runs in process context. */

static int host_open(struct vmbus_sim_device *sim)
{
	struct vmb_heartbeat_host *host = vmbus_sim_host_context(sim);

	spin_lock(&host->lock);
	host->open = true;
	host->rec.opens++;
	pr_info("guest opened heartbeat device %pUl\n", &host->instance);
	/* the host speaks first; a failed send shows in the record */
	send_negotiation(host, sim);
	spin_unlock(&host->lock);
	wake_up_all(&host->wait);
	return 0;
}

static void host_close(struct vmbus_sim_device *sim)
{
	struct vmb_heartbeat_host *host = vmbus_sim_host_context(sim);

	spin_lock(&host->lock);
	host->open = false;
	host->rec.closes++;
	host->rec.negotiation = VMB_HBH_CLOSED;
	if (host->request != REQUEST_NONE) {
		host->beat_result = -ENOTCONN;
		settle(host);
	}
	pr_info("guest closed heartbeat device %pUl\n", &host->instance);
	spin_unlock(&host->lock);
	wake_up_all(&host->wait);
}

static void host_packet(struct vmbus_sim_device *sim, const struct vmbus_sim_packet *pkt)
{
	struct vmb_heartbeat_host *host = vmbus_sim_host_context(sim);
	const char *why;

	spin_lock(&host->lock);
	host->rec.replies++;
	why = check_reply(host, pkt);
	if (why)
		protocol_error(host, why);
	spin_unlock(&host->lock);
	wake_up_all(&host->wait);
}

static const struct vmbus_sim_host_ops host_ops = {
	.open = host_open,
	.close = host_close,
	.packet = host_packet,
};

/* Exported API, see vmb_heartbeat_host.h */

struct vmb_heartbeat_host *
vmb_heartbeat_host_offer(const struct vmb_heartbeat_host_versions *versions)
{
	struct vmb_heartbeat_host *host;
	struct vmbus_sim_device *sim;
	unsigned int n;
	int ret;

	host = kzalloc(sizeof(*host), GFP_KERNEL);
	if (!host)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&host->lock);
	init_waitqueue_head(&host->wait);
	ret = set_versions(host, versions);
	if (ret)
		goto free;

	mutex_lock(&offer_lock);
	if (offered) {
		mutex_unlock(&offer_lock);
		ret = -EBUSY;
		goto free;
	}
	offered = true;
	n = ++offers;
	mutex_unlock(&offer_lock);

	host->instance = GUID_INIT(0x766d6268, 0x6273, 0x4e11, 0x9a, 0x20,
				   'h', 'o', 's', 't', n >> 8, n);
	pr_info("offering heartbeat device %pUl\n", &host->instance);
	/* a waiting driver binds and opens it before this returns */
	sim = vmbus_sim_offer(&heartbeat_class.guid, &host->instance, &host_ops, host);
	if (IS_ERR(sim)) {
		ret = PTR_ERR(sim);
		goto unoffer;
	}
	host->sim = sim;
	return host;

unoffer:
	mutex_lock(&offer_lock);
	offered = false;
	mutex_unlock(&offer_lock);
free:
	kfree(host);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(vmb_heartbeat_host_offer);

static bool negotiation_settled(struct vmb_heartbeat_host *host)
{
	enum vmb_heartbeat_host_negotiation state = READ_ONCE(host->rec.negotiation);

	return state != VMB_HBH_CLOSED && state != VMB_HBH_PENDING;
}

int vmb_heartbeat_host_wait_negotiated(struct vmb_heartbeat_host *host,
				       unsigned int timeout_ms)
{
	wait_event_timeout(host->wait, negotiation_settled(host), msecs_to_jiffies(timeout_ms));
	switch (READ_ONCE(host->rec.negotiation)) {
	case VMB_HBH_NEGOTIATED:
		return 0;
	case VMB_HBH_REFUSED:
		return -EPROTONOSUPPORT;
	case VMB_HBH_BROKEN:
		return -EPROTO;
	default:
		return -ETIMEDOUT;
	}
}
EXPORT_SYMBOL_GPL(vmb_heartbeat_host_wait_negotiated);

int vmb_heartbeat_host_negotiate(struct vmb_heartbeat_host *host,
				 const struct vmb_heartbeat_host_versions *versions,
				 unsigned int timeout_ms)
{
	int ret = 0;

	spin_lock(&host->lock);
	if (!host->open)
		ret = -ENOTCONN;
	else if (host->request != REQUEST_NONE)
		ret = -EBUSY;
	else if (versions)
		ret = set_versions(host, versions);
	if (!ret)
		ret = send_negotiation(host, host->sim);
	spin_unlock(&host->lock);
	if (ret)
		return ret;
	return vmb_heartbeat_host_wait_negotiated(host, timeout_ms);
}
EXPORT_SYMBOL_GPL(vmb_heartbeat_host_negotiate);

int vmb_heartbeat_host_beat(struct vmb_heartbeat_host *host, u64 seq, unsigned int timeout_ms)
{
	struct host_message msg = {};
	struct heartbeat_msg_data *beat = (struct heartbeat_msg_data *)msg.body;
	u64 ticket;
	int ret;

	spin_lock(&host->lock);
	if (host->rec.negotiation != VMB_HBH_NEGOTIATED) {
		ret = -ENOTCONN;
		goto unlock;
	}
	if (host->request != REQUEST_NONE) {
		ret = -EBUSY;
		goto unlock;
	}
	beat->seq_num = seq;
	host->request = REQUEST_HEARTBEAT;
	host->seq = seq;
	ticket = host->settled;
	ret = send_request(host, host->sim, &msg, ICMSGTYPE_HEARTBEAT, sizeof(*beat));
	if (ret) {
		settle(host);
		goto unlock;
	}
	host->rec.beats_sent++;
	host->rec.last_seq_sent = seq;
	spin_unlock(&host->lock);

	wait_event_timeout(host->wait, READ_ONCE(host->settled) != ticket,
			   msecs_to_jiffies(timeout_ms));

	spin_lock(&host->lock);
	if (host->settled == ticket) {
		pr_info("heartbeat %llu not answered in %u ms\n", seq, timeout_ms);
		settle(host);
		ret = -ETIMEDOUT;
	} else {
		ret = host->beat_result;
	}
unlock:
	spin_unlock(&host->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vmb_heartbeat_host_beat);

int vmb_heartbeat_host_send_message(struct vmb_heartbeat_host *host, const void *message,
				    u32 length)
{
	return vmbus_sim_send(host->sim, VM_PKT_DATA_INBAND, 0, 0, message, length);
}
EXPORT_SYMBOL_GPL(vmb_heartbeat_host_send_message);

int vmb_heartbeat_host_wait_replies(struct vmb_heartbeat_host *host, unsigned int replies,
				    unsigned int timeout_ms)
{
	if (!wait_event_timeout(host->wait, READ_ONCE(host->rec.replies) >= replies,
				msecs_to_jiffies(timeout_ms)))
		return -ETIMEDOUT;
	return 0;
}
EXPORT_SYMBOL_GPL(vmb_heartbeat_host_wait_replies);

void vmb_heartbeat_host_get_record(struct vmb_heartbeat_host *host,
				   struct vmb_heartbeat_host_record *record)
{
	spin_lock(&host->lock);
	*record = host->rec;
	spin_unlock(&host->lock);
}
EXPORT_SYMBOL_GPL(vmb_heartbeat_host_get_record);

void vmb_heartbeat_host_rescind(struct vmb_heartbeat_host *host)
{
	pr_info("rescinding heartbeat device %pUl\n", &host->instance);
	vmbus_sim_rescind(host->sim);
	/* the guest closes from its rescind handling, maybe after the removal */
	wait_event_timeout(host->wait, !READ_ONCE(host->open), msecs_to_jiffies(RESCIND_WAIT_MS));
}
EXPORT_SYMBOL_GPL(vmb_heartbeat_host_rescind);

void vmb_heartbeat_host_destroy(struct vmb_heartbeat_host *host)
{
	struct vmb_heartbeat_host_record *rec;

	if (!host)
		return;
	vmbus_sim_destroy(host->sim);
	rec = &host->rec;
	pr_info("removed heartbeat device %pUl: %u opens, %u negotiations, %llu of %llu heartbeats answered, %u bad packets\n",
		&host->instance, rec->opens, rec->negotiations, rec->beats_answered,
		rec->beats_sent, rec->bad);
	kfree(host);
	mutex_lock(&offer_lock);
	offered = false;
	mutex_unlock(&offer_lock);
}
EXPORT_SYMBOL_GPL(vmb_heartbeat_host_destroy);

/* The demonstration: one device offered at load, demo_beats heartbeats. */

static unsigned int demo_beats;
module_param(demo_beats, uint, 0444);
MODULE_PARM_DESC(demo_beats,
		 "at load, offer a heartbeat device and send this many heartbeats (default 0: offer nothing)");

static unsigned int demo_interval_ms = 100;
module_param(demo_interval_ms, uint, 0444);
MODULE_PARM_DESC(demo_interval_ms, "time between two demo heartbeats (default 100; Hyper-V: 2000)");

#define DEMO_WAIT_MS	1000
#define DEMO_TRIES	60

static struct vmb_heartbeat_host *demo_host;
static bool demo_stop;

static void demo_run(struct work_struct *work)
{
	unsigned int i, answered = 0;
	int ret = -ETIMEDOUT;
	u64 seq = 0;

	/* the guest's driver may load after us */
	for (i = 0; i < DEMO_TRIES && ret == -ETIMEDOUT && !READ_ONCE(demo_stop); i++)
		ret = vmb_heartbeat_host_wait_negotiated(demo_host, DEMO_WAIT_MS);
	if (ret) {
		pr_info("demo: no negotiation (%d)\n", ret);
		return;
	}
	for (i = 0; i < demo_beats && !READ_ONCE(demo_stop); i++) {
		if (i)
			msleep(demo_interval_ms);
		ret = vmb_heartbeat_host_beat(demo_host, seq, DEMO_WAIT_MS);
		if (ret)
			break;
		answered++;
		seq++;
	}
	pr_info("demo: %u of %u heartbeats answered\n", answered, demo_beats);
}

static DECLARE_WORK(demo_work, demo_run);

static int __init heartbeat_host_init(void)
{
	if (!demo_beats)
		return 0;
	demo_host = vmb_heartbeat_host_offer(NULL);
	if (IS_ERR(demo_host))
		return PTR_ERR(demo_host);
	queue_work(system_long_wq, &demo_work);
	return 0;
}

static void __exit heartbeat_host_exit(void)
{
	if (!demo_host)
		return;
	WRITE_ONCE(demo_stop, true);
	flush_work(&demo_work);
	vmb_heartbeat_host_destroy(demo_host);
}

module_init(heartbeat_host_init);
module_exit(heartbeat_host_exit);

MODULE_DESCRIPTION("vmbus_sim host model of the Hyper-V heartbeat integration service");
MODULE_LICENSE("GPL");
