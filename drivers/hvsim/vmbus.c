// SPDX-License-Identifier: GPL-2.0
/*
 * The VMBus host half of hvsim: the host's side of the channel-message
 * protocol the upstream hv_vmbus speaks over HvPostMessage and the SynIC
 * message slot, and the offer life cycle of the vmbus_sim_* host API
 * (offer, rescind, destroy) on top of it.
 *
 * Guest messages arrive from the HvPostMessage hypercall (interrupts off),
 * are copied and handled one at a time, in order, by an ordered workqueue
 * (process context). Replies go back through the SynIC message queue of
 * hyp.c. What the guest gets wrong is counted and logged (rate-limited) as
 * a protocol error, and answered, where the guest waits for an answer, with
 * a failure status rather than silence.
 *
 * Waiting for the guest: the host API promises that a matching driver's
 * probe has run when vmbus_sim_offer() returns and its remove when
 * vmbus_sim_rescind() returns. The host knows when the guest took a message
 * from the slot; hv_vmbus then handles it on its own workqueues, which the
 * host flushes (reached through the exported vmbus_connection, by symbol
 * lookup at run time: hv_vmbus imports this module, so the reverse import
 * cannot be a link-time one).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/hyperv.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "hyperv_vmbus.h"
#include "hvsim.h"

/* Host faults for the harness's own tests (make check-harness). */
static char *fault = "";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault,
		 "no-version: never answer INITIATE_CONTACT; no-torndown: never answer GPADL_TEARDOWN");

/* Offers with monitored notification: the guest signals through monitor page 2. */
static bool monitor;
module_param(monitor, bool, 0444);
MODULE_PARM_DESC(monitor, "offer every channel with a monitor id (the guest signals by monitor page, no hypercall)");

struct inbox_msg {
	struct list_head node;
	u32 len;
	u8 data[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
};

/*
 * GPADL_HEADER with its one range laid out flat (hyperv.h's struct has an
 * array of flexible structures, which sparse rejects).
 */
struct gpadl_header_msg {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 gpadl;
	u16 range_buflen;
	u16 rangecount;
	u32 byte_count;
	u32 byte_offset;
	u64 pfn[];
} __packed;

struct torndown_work {
	struct delayed_work work;
	struct list_head node;
	u32 gpadl;
};

static struct workqueue_struct *msg_wq;
static struct workqueue_struct *reply_wq;
static DEFINE_SPINLOCK(torndown_lock);
static LIST_HEAD(torndown_list);
static DEFINE_SPINLOCK(inbox_lock);
static LIST_HEAD(inbox);
static void inbox_work_fn(struct work_struct *work);
static DECLARE_WORK(inbox_work, inbox_work_fn);

/* conn_lock: the connection state and the offer list */
static DEFINE_MUTEX(conn_lock);
static bool connected;
static LIST_HEAD(devices);
static DEFINE_IDA(relids);
static struct vmbus_sim_device __rcu *relid_map[HVSIM_MAX_RELID + 1];
static struct hv_monitor_page *monitor_pages[2];
static atomic64_t protocol_errors;

static struct delayed_work monitor_work;

void hvsim_protocol_error(struct vmbus_sim_device *dev, const char *what)
{
	atomic64_inc(&protocol_errors);
	if (dev) {
		atomic64_inc(&dev->stats.protocol_errors);
		pr_err_ratelimited("%pUl: guest protocol error: %s\n", &dev->instance, what);
	} else {
		pr_err_ratelimited("guest protocol error: %s\n", what);
	}
}

static void reply(const void *msg, u32 len)
{
	if (hvsim_post_guest_msg(msg, len, NULL))
		pr_err_ratelimited("cannot queue a message for the guest\n");
}

/* ---- the offer list -------------------------------------------------------- */

static struct vmbus_sim_device *find_dev(u32 relid)
{
	struct vmbus_sim_device *dev;

	lockdep_assert_held(&conn_lock);
	list_for_each_entry(dev, &devices, node)
		if (dev->relid == relid && dev->offered)
			return dev;
	return NULL;
}

static int post_offer(struct vmbus_sim_device *dev, u64 *seq)
{
	struct vmbus_channel_offer_channel msg = {
		.header.msgtype = CHANNELMSG_OFFERCHANNEL,
		.child_relid = dev->relid,
		.connection_id = HVSIM_CONN_ID_BASE + dev->relid,
	};

	lockdep_assert_held(&conn_lock);
	guid_copy(&msg.offer.if_type, &dev->type);
	guid_copy(&msg.offer.if_instance, &dev->instance);
	/* a sub-channel: the primary's GUIDs and its index */
	msg.offer.sub_channel_index = dev->sub_index;
	msg.offer.chn_flags = VMBUS_CHANNEL_SERVER_SUPPORTS_GPADLS;
	if (dev->monitored) {
		msg.monitorid = dev->relid;
		msg.monitor_allocated = 1;
	}
	dev->offered = true;
	dev->released = false;
	reinit_completion(&dev->released_done);
	return hvsim_post_guest_msg(&msg, sizeof(msg), seq);
}

/* ---- guest objects, through hv_vmbus's own state ------------------------- */

/* hv_vmbus's workqueues have run what the message @seq started. */
static void guest_settle(u64 seq, bool rescind)
{
	struct vmbus_connection *conn;

	if (hvsim_wait_guest_consumed(seq))
		return;
	conn = symbol_get(vmbus_connection);
	if (!conn)
		return;
	if (rescind) {
		flush_workqueue(conn->rescind_work_queue);
	} else {
		flush_workqueue(conn->work_queue);
		flush_workqueue(conn->handle_primary_chan_wq);
		/* sub-channel offers, and the primary's sub-channel callback */
		flush_workqueue(conn->handle_sub_chan_wq);
	}
	symbol_put(vmbus_connection);
}

/* The guest's channel object of @relid and its device, with a reference. */
static struct hv_device *guest_device(u32 relid)
{
	struct vmbus_connection *conn;
	struct vmbus_channel *channel;
	struct hv_device *hv_dev = NULL;

	conn = symbol_get(vmbus_connection);
	if (!conn)
		return NULL;
	mutex_lock(&conn->channel_mutex);
	channel = conn->channels ? conn->channels[relid] : NULL;
	if (channel && channel->device_obj) {
		hv_dev = channel->device_obj;
		get_device(&hv_dev->device);
	}
	mutex_unlock(&conn->channel_mutex);
	symbol_put(vmbus_connection);
	return hv_dev;
}

/* ---- messages from the guest ---------------------------------------------- */

static void on_initiate_contact(const struct vmbus_channel_initiate_contact *m)
{
	struct vmbus_channel_version_response resp = {
		.header.msgtype = CHANNELMSG_VERSION_RESPONSE,
		.msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID_4,
	};
	struct vmbus_sim_device *dev;

	if (!strcmp(fault, "no-version")) {
		pr_info("fault no-version: INITIATE_CONTACT %#x left unanswered\n",
			m->vmbus_version_requested);
		return;
	}
	if (m->vmbus_version_requested == VERSION_WIN10_V5_3) {
		if (m->target_vcpu >= nr_cpu_ids || !cpu_online(m->target_vcpu) ||
		    !pfn_valid(PHYS_PFN(m->monitor_page1)) ||
		    !pfn_valid(PHYS_PFN(m->monitor_page2))) {
			hvsim_protocol_error(NULL, "INITIATE_CONTACT: bad VP or monitor page");
		} else {
			resp.version_supported = 1;
			mutex_lock(&conn_lock);
			connected = true;
			monitor_pages[0] = phys_to_virt(m->monitor_page1);
			monitor_pages[1] = phys_to_virt(m->monitor_page2);
			/* a new connection: nothing was offered to it yet */
			list_for_each_entry(dev, &devices, node)
				dev->offered = false;
			mutex_unlock(&conn_lock);
			hvsim_set_connect_vp(m->target_vcpu);
			pr_info("guest connected: VMBus 5.3, connect VP %u\n", m->target_vcpu);
		}
	}
	reply(&resp, sizeof(resp));
}

static void on_request_offers(void)
{
	struct vmbus_channel_message_header done = {
		.msgtype = CHANNELMSG_ALLOFFERS_DELIVERED,
	};
	struct vmbus_sim_device *dev;

	mutex_lock(&conn_lock);
	list_for_each_entry(dev, &devices, node)
		if (!dev->rescinded && !dev->offered)
			post_offer(dev, NULL);
	mutex_unlock(&conn_lock);
	reply(&done, sizeof(done));
}

static void gpadl_created(struct vmbus_sim_device *dev, u32 handle, u32 status)
{
	struct vmbus_channel_gpadl_created msg = {
		.header.msgtype = CHANNELMSG_GPADL_CREATED,
		.child_relid = dev->relid,
		.gpadl = handle,
		.creation_status = status,
	};

	reply(&msg, sizeof(msg));
}

static void on_gpadl_header(const struct gpadl_header_msg *m, u32 len)
{
	const u32 fixed = sizeof(*m);
	struct vmbus_sim_device *dev;
	struct hvsim_gpadl *g;
	unsigned long flags;
	u32 npfns, here;

	if (len < fixed) {
		hvsim_protocol_error(NULL, "GPADL_HEADER too short");
		return;
	}
	mutex_lock(&conn_lock);
	dev = find_dev(m->child_relid);
	if (!dev || dev->rescinded) {
		/* a rescinded channel's host is gone: no answer, as on Hyper-V */
		if (!dev)
			hvsim_protocol_error(NULL, "GPADL_HEADER for an unknown relid");
		goto out;
	}
	/* an empty buffer: refused, as hv_vmbus's own -EDQUOT path expects */
	if (m->rangecount == 1 && m->range_buflen == sizeof(struct gpa_range) &&
	    !m->byte_count) {
		gpadl_created(dev, m->gpadl, 1);
		goto out;
	}
	if (m->rangecount != 1 || m->range_buflen < sizeof(struct gpa_range) + 8 ||
	    (m->range_buflen - sizeof(struct gpa_range)) % 8 ||
	    m->byte_offset >= HV_HYP_PAGE_SIZE || !m->byte_count) {
		hvsim_protocol_error(dev, "GPADL_HEADER with a bad range");
		gpadl_created(dev, m->gpadl, 1);
		goto out;
	}
	npfns = (m->range_buflen - sizeof(struct gpa_range)) / 8;
	if (HVPFN_UP((u64)m->byte_offset + m->byte_count) != npfns) {
		hvsim_protocol_error(dev, "GPADL_HEADER page count does not match its byte count");
		gpadl_created(dev, m->gpadl, 1);
		goto out;
	}
	if (hvsim_gpadl_find(dev, m->gpadl)) {
		hvsim_protocol_error(dev, "GPADL_HEADER reuses a handle");
		gpadl_created(dev, m->gpadl, 1);
		goto out;
	}
	g = kvzalloc(struct_size(g, pfns, npfns), GFP_KERNEL);
	if (!g) {
		gpadl_created(dev, m->gpadl, 1);
		goto out;
	}
	g->handle = m->gpadl;
	g->npfns = npfns;
	g->bytes = m->byte_count;
	here = min((len - fixed) / 8, npfns);
	memcpy(g->pfns, m->pfn, here * sizeof(u64));
	g->got = here;
	spin_lock_irqsave(&dev->gpadl_lock, flags);
	list_add_tail(&g->node, &dev->gpadls);
	if (g->got == g->npfns) {
		g->created = true;
		dev->ngpadls++;
	}
	spin_unlock_irqrestore(&dev->gpadl_lock, flags);
	if (g->created)
		gpadl_created(dev, g->handle, 0);
out:
	mutex_unlock(&conn_lock);
}

static void on_gpadl_body(const struct vmbus_channel_gpadl_body *m, u32 len)
{
	struct vmbus_sim_device *dev;
	struct hvsim_gpadl *g = NULL;
	unsigned long flags;
	bool done = false;
	u32 n;

	if (len < sizeof(*m)) {
		hvsim_protocol_error(NULL, "GPADL_BODY too short");
		return;
	}
	n = (len - sizeof(*m)) / 8;
	mutex_lock(&conn_lock);
	list_for_each_entry(dev, &devices, node) {
		if (!dev->offered || dev->rescinded)
			continue;
		g = hvsim_gpadl_find(dev, m->gpadl);
		if (g)
			break;
	}
	if (!g || g->created) {
		hvsim_protocol_error(NULL, "GPADL_BODY for no GPADL being created");
		goto out;
	}
	spin_lock_irqsave(&dev->gpadl_lock, flags);
	n = min(n, g->npfns - g->got);
	memcpy(g->pfns + g->got, m->pfn, n * sizeof(u64));
	g->got += n;
	if (g->got == g->npfns) {
		g->created = true;
		dev->ngpadls++;
		done = true;
	}
	spin_unlock_irqrestore(&dev->gpadl_lock, flags);
	if (done)
		gpadl_created(dev, g->handle, 0);
out:
	mutex_unlock(&conn_lock);
}

static void torndown_fn(struct work_struct *work)
{
	struct torndown_work *tw = container_of(to_delayed_work(work), struct torndown_work, work);
	struct vmbus_channel_gpadl_torndown msg = {
		.header.msgtype = CHANNELMSG_GPADL_TORNDOWN,
		.gpadl = tw->gpadl,
	};

	unsigned long flags;

	reply(&msg, sizeof(msg));
	spin_lock_irqsave(&torndown_lock, flags);
	list_del(&tw->node);
	spin_unlock_irqrestore(&torndown_lock, flags);
	kfree(tw);
}

static void on_gpadl_teardown(const struct vmbus_channel_gpadl_teardown *m)
{
	struct vmbus_sim_device *dev;
	struct torndown_work *tw;
	struct hvsim_gpadl *g = NULL;
	unsigned int delay = 0;
	unsigned long flags;

	mutex_lock(&conn_lock);
	dev = find_dev(m->child_relid);
	if (!dev) {
		hvsim_protocol_error(NULL, "GPADL_TEARDOWN for an unknown relid");
	} else if (dev->attached && dev->in.hdr && READ_ONCE(dev->ring_gpadl) == m->gpadl) {
		hvsim_protocol_error(dev, "GPADL_TEARDOWN of the rings of an open channel");
		hvsim_host_close(dev);
	}
	if (dev) {
		delay = dev->teardown_delay_ms;
		spin_lock_irqsave(&dev->gpadl_lock, flags);
		g = hvsim_gpadl_find(dev, m->gpadl);
		if (g) {
			list_del(&g->node);
			if (g->created)
				dev->ngpadls--;
		}
		spin_unlock_irqrestore(&dev->gpadl_lock, flags);
		if (!g)
			hvsim_protocol_error(dev, "GPADL_TEARDOWN of an unknown GPADL");
		kvfree(g);
	}
	mutex_unlock(&conn_lock);

	if (!strcmp(fault, "no-torndown")) {
		pr_info("fault no-torndown: GPADL_TEARDOWN %#x left unanswered\n", m->gpadl);
		return;
	}
	/* the guest waits for it, whatever it got wrong: answer */
	tw = kzalloc(sizeof(*tw), GFP_KERNEL);
	if (!tw)
		return;
	tw->gpadl = m->gpadl;
	INIT_DELAYED_WORK(&tw->work, torndown_fn);
	spin_lock_irqsave(&torndown_lock, flags);
	list_add_tail(&tw->node, &torndown_list);
	spin_unlock_irqrestore(&torndown_lock, flags);
	queue_delayed_work(reply_wq, &tw->work, msecs_to_jiffies(delay));
}

static void on_open(const struct vmbus_channel_open_channel *m)
{
	struct vmbus_channel_open_result res = {
		.header.msgtype = CHANNELMSG_OPENCHANNEL_RESULT,
		.child_relid = m->child_relid,
		.openid = m->openid,
	};
	struct vmbus_sim_device *dev;
	int ret;

	mutex_lock(&conn_lock);
	dev = find_dev(m->child_relid);
	mutex_unlock(&conn_lock);
	if (!dev) {
		hvsim_protocol_error(NULL, "OPENCHANNEL for an unknown relid");
		res.status = 1;
		reply(&res, sizeof(res));
		return;
	}
	/* a rescinded channel's host is gone: the guest's rescind ends its wait */
	if (READ_ONCE(dev->rescinded))
		return;
	if (m->openid != m->child_relid)
		hvsim_protocol_error(dev, "OPENCHANNEL openid is not the relid");
	if (m->target_vp >= nr_cpu_ids || !cpu_online(m->target_vp)) {
		hvsim_protocol_error(dev, "OPENCHANNEL with a bad target VP");
		res.status = 1;
		reply(&res, sizeof(res));
		return;
	}
	WRITE_ONCE(dev->target_vp, m->target_vp);
	ret = hvsim_host_open(dev, m->ringbuffer_gpadlhandle,
			      m->downstream_ringbuffer_pageoffset);
	/*
	 * The host model rescinded the offer while it opened it: a rescinded
	 * channel's host answers nothing, and Hyper-V drops an OPENCHANNEL it
	 * gets after the rescind. hv_vmbus handles OPENCHANNEL_RESULT in its
	 * message tasklet but RESCINDOFFER in a work item, so an answer sent
	 * now would complete the open before the rescind is seen.
	 */
	if (READ_ONCE(dev->rescinded))
		return;
	res.status = ret ? 1 : 0;
	reply(&res, sizeof(res));
}

static void on_close(const struct vmbus_channel_close_channel *m)
{
	struct vmbus_sim_device *dev;

	mutex_lock(&conn_lock);
	dev = find_dev(m->child_relid);
	mutex_unlock(&conn_lock);
	if (!dev) {
		hvsim_protocol_error(NULL, "CLOSECHANNEL for an unknown relid");
		return;
	}
	if (!dev->attached && !dev->host_open && !dev->rescinded)
		hvsim_protocol_error(dev, "CLOSECHANNEL of a channel that is not open");
	hvsim_host_close(dev);
	/* a rescinded channel's GPADLs are never torn down: the host drops them */
	if (READ_ONCE(dev->rescinded))
		hvsim_gpadls_forget(dev);
}

static void on_relid_released(const struct vmbus_channel_relid_released *m)
{
	struct vmbus_sim_device *dev;

	mutex_lock(&conn_lock);
	dev = find_dev(m->child_relid);
	if (!dev) {
		mutex_unlock(&conn_lock);
		if (READ_ONCE(connected))
			hvsim_protocol_error(NULL, "RELID_RELEASED for an unknown relid");
		return;
	}
	dev->offered = false;
	dev->released = true;
	dev->hv_dev = NULL;
	mutex_unlock(&conn_lock);
	/* the guest freed the channel: whatever it did not close, the host drops */
	hvsim_host_close(dev);
	hvsim_gpadls_forget(dev);
	complete_all(&dev->released_done);
}

static void on_modify(const struct vmbus_channel_modifychannel *m)
{
	struct vmbus_channel_modifychannel_response resp = {
		.header.msgtype = CHANNELMSG_MODIFYCHANNEL_RESPONSE,
		.child_relid = m->child_relid,
	};
	struct vmbus_sim_device *dev;

	mutex_lock(&conn_lock);
	dev = find_dev(m->child_relid);
	mutex_unlock(&conn_lock);
	if (!dev || m->target_vp >= nr_cpu_ids || !cpu_online(m->target_vp)) {
		hvsim_protocol_error(dev, "MODIFYCHANNEL of an unknown relid or to a bad VP");
		resp.status = 1;
	} else {
		WRITE_ONCE(dev->target_vp, m->target_vp);
	}
	reply(&resp, sizeof(resp));
}

/* UNLOAD, answered already (hvsim_vmbus_guest_msg()): the guest is gone. */
static void on_unload(void)
{
	struct vmbus_sim_device *dev;

	mutex_lock(&conn_lock);
	connected = false;
	monitor_pages[0] = NULL;
	monitor_pages[1] = NULL;
	list_for_each_entry(dev, &devices, node) {
		if (!dev->offered)
			continue;
		dev->offered = false;
		dev->released = true;
		dev->hv_dev = NULL;
		hvsim_host_close(dev);
		hvsim_gpadls_forget(dev);
		complete_all(&dev->released_done);
	}
	mutex_unlock(&conn_lock);
	pr_info("guest unloaded VMBus\n");
}

struct msg_rule {
	u32 min_len;
	const char *name;
};

static const struct msg_rule rules[CHANNELMSG_COUNT] = {
	[CHANNELMSG_REQUESTOFFERS] = { sizeof(struct vmbus_channel_message_header),
				       "REQUESTOFFERS" },
	[CHANNELMSG_OPENCHANNEL] = { sizeof(struct vmbus_channel_open_channel), "OPENCHANNEL" },
	[CHANNELMSG_CLOSECHANNEL] = { sizeof(struct vmbus_channel_close_channel), "CLOSECHANNEL" },
	[CHANNELMSG_GPADL_HEADER] = { sizeof(struct gpadl_header_msg), "GPADL_HEADER" },
	[CHANNELMSG_GPADL_BODY] = { sizeof(struct vmbus_channel_gpadl_body), "GPADL_BODY" },
	[CHANNELMSG_GPADL_TEARDOWN] = { sizeof(struct vmbus_channel_gpadl_teardown),
					"GPADL_TEARDOWN" },
	[CHANNELMSG_RELID_RELEASED] = { sizeof(struct vmbus_channel_relid_released),
					"RELID_RELEASED" },
	[CHANNELMSG_INITIATE_CONTACT] = { sizeof(struct vmbus_channel_initiate_contact),
					  "INITIATE_CONTACT" },
	[CHANNELMSG_UNLOAD] = { sizeof(struct vmbus_channel_message_header), "UNLOAD" },
	[CHANNELMSG_MODIFYCHANNEL] = { sizeof(struct vmbus_channel_modifychannel),
				       "MODIFYCHANNEL" },
};

static void handle_msg(const void *data, u32 len)
{
	const struct vmbus_channel_message_header *hdr = data;

	if (len < sizeof(*hdr)) {
		hvsim_protocol_error(NULL, "message shorter than its header");
		return;
	}
	if (hdr->msgtype >= CHANNELMSG_COUNT || !rules[hdr->msgtype].name) {
		hvsim_protocol_error(NULL, "message type the guest never sends to a host");
		return;
	}
	if (len < rules[hdr->msgtype].min_len) {
		hvsim_protocol_error(NULL, "message too short for its type");
		return;
	}
	if (hdr->msgtype != CHANNELMSG_INITIATE_CONTACT && !READ_ONCE(connected) &&
	    hdr->msgtype != CHANNELMSG_RELID_RELEASED) {
		hvsim_protocol_error(NULL, "message before version negotiation");
		return;
	}

	switch (hdr->msgtype) {
	case CHANNELMSG_INITIATE_CONTACT:
		on_initiate_contact(data);
		break;
	case CHANNELMSG_REQUESTOFFERS:
		on_request_offers();
		break;
	case CHANNELMSG_GPADL_HEADER:
		on_gpadl_header(data, len);
		break;
	case CHANNELMSG_GPADL_BODY:
		on_gpadl_body(data, len);
		break;
	case CHANNELMSG_GPADL_TEARDOWN:
		on_gpadl_teardown(data);
		break;
	case CHANNELMSG_OPENCHANNEL:
		on_open(data);
		break;
	case CHANNELMSG_CLOSECHANNEL:
		on_close(data);
		break;
	case CHANNELMSG_RELID_RELEASED:
		on_relid_released(data);
		break;
	case CHANNELMSG_MODIFYCHANNEL:
		on_modify(data);
		break;
	case CHANNELMSG_UNLOAD:
		on_unload();
		break;
	default:
		break;
	}
}

static void inbox_work_fn(struct work_struct *work)
{
	struct inbox_msg *m;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&inbox_lock, flags);
		m = list_first_entry_or_null(&inbox, struct inbox_msg, node);
		if (m)
			list_del(&m->node);
		spin_unlock_irqrestore(&inbox_lock, flags);
		if (!m)
			return;
		handle_msg(m->data, m->len);
		kfree(m);
	}
}

/* HvPostMessage: interrupts off, so copy and defer. */
/*
 * vmbus_sim_fail_gpadl_teardowns(): the hypervisor refuses the post, so
 * hv_vmbus's vmbus_teardown_gpadl() fails (-EINVAL) and the host keeps the
 * GPADL. Any context: the hypercall runs with interrupts off.
 */
static bool teardown_refused(const struct vmbus_channel_gpadl_teardown *m)
{
	struct vmbus_sim_device *dev;
	bool refused = false;

	if (m->child_relid > HVSIM_MAX_RELID)
		return false;
	rcu_read_lock();
	dev = rcu_dereference(relid_map[m->child_relid]);
	if (dev)
		refused = atomic_add_unless(&dev->fail_teardowns, -1, 0);
	rcu_read_unlock();
	return refused;
}

int hvsim_vmbus_guest_msg(const void *payload, u32 len)
{
	static const struct vmbus_channel_message_header unload_resp = {
		.msgtype = CHANNELMSG_UNLOAD_RESPONSE,
	};
	const struct vmbus_channel_message_header *hdr = payload;
	struct inbox_msg *m;
	unsigned long flags;

	if (len >= sizeof(struct vmbus_channel_gpadl_teardown) &&
	    hdr->msgtype == CHANNELMSG_GPADL_TEARDOWN && teardown_refused(payload))
		return -EINVAL;
	m = kmalloc(sizeof(*m), GFP_ATOMIC);
	if (!m)
		return -ENOMEM;
	/*
	 * UNLOAD is answered at once: a panicking guest sends it and then
	 * polls its message page with every other CPU stopped, so the host's
	 * worker would never run (the host state is reset there later).
	 */
	if (len >= sizeof(*hdr) && hdr->msgtype == CHANNELMSG_UNLOAD)
		reply(&unload_resp, sizeof(unload_resp));
	memcpy(m->data, payload, len);
	m->len = len;
	spin_lock_irqsave(&inbox_lock, flags);
	list_add_tail(&m->node, &inbox);
	spin_unlock_irqrestore(&inbox_lock, flags);
	queue_work(msg_wq, &inbox_work);
	return 0;
}

/* HvSignalEvent: any context. */
int hvsim_vmbus_signal(u32 conn_id)
{
	struct vmbus_sim_device *dev;
	u32 relid = conn_id - HVSIM_CONN_ID_BASE;
	int ret = 0;

	if (conn_id < HVSIM_CONN_ID_BASE || relid > HVSIM_MAX_RELID)
		return -ENOENT;
	rcu_read_lock();
	dev = rcu_dereference(relid_map[relid]);
	if (dev)
		hvsim_host_signal(dev);
	else
		ret = -ENOENT;
	rcu_read_unlock();
	return ret;
}

/*
 * Monitored channels signal by setting their bit in the pending mask of
 * monitor page 2's trigger groups; Hyper-V scans it on a timer, and so
 * does this host.
 */
static void monitor_fn(struct work_struct *work)
{
	struct hv_monitor_page *page;
	struct vmbus_sim_device *dev;
	u32 pending;
	int grp, bit;

	mutex_lock(&conn_lock);
	page = monitor_pages[1];
	for (grp = 0; page && grp < 4; grp++) {
		pending = xchg(&page->trigger_group[grp].pending, 0);
		while (pending) {
			bit = __ffs(pending);
			pending &= ~BIT(bit);
			list_for_each_entry(dev, &devices, node)
				if (dev->monitored && dev->offered && dev->relid == grp * 32 + bit)
					hvsim_host_signal(dev);
		}
	}
	mutex_unlock(&conn_lock);
	if (READ_ONCE(monitor))
		queue_delayed_work(reply_wq, &monitor_work, 1);
}

/* ---- the host API: offers ------------------------------------------------- */

struct vmbus_sim_device *vmbus_sim_offer(const guid_t *type, const guid_t *instance,
					 const struct vmbus_sim_host_ops *ops,
					 void *host_context)
{
	struct vmbus_sim_device *dev, *other;
	bool posted = false;
	u64 seq = 0;
	int ret;

	might_sleep();
	if (!type || !instance)
		return ERR_PTR(-EINVAL);

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->ops = ops;
	dev->host_context = host_context;
	guid_copy(&dev->type, type);
	guid_copy(&dev->instance, instance);
	init_completion(&dev->released_done);
	spin_lock_init(&dev->gpadl_lock);
	INIT_LIST_HEAD(&dev->gpadls);
	INIT_LIST_HEAD(&dev->subs);
	INIT_LIST_HEAD(&dev->sub_node);
	hvsim_dev_init_rings(dev);

	mutex_lock(&conn_lock);
	list_for_each_entry(other, &devices, node) {
		if (!other->primary && !other->rescinded && guid_equal(&other->type, type) &&
		    guid_equal(&other->instance, instance)) {
			ret = -EEXIST;
			goto err_unlock;
		}
	}
	/* monitor ids are the relids: 4 groups of 32 */
	ret = ida_alloc_range(&relids, 1, monitor ? HVSIM_MAX_MONITOR_ID : HVSIM_MAX_RELID,
			      GFP_KERNEL);
	if (ret < 0)
		goto err_unlock;
	dev->relid = ret;
	dev->monitored = monitor;
	list_add_tail(&dev->node, &devices);
	rcu_assign_pointer(relid_map[dev->relid], dev);
	if (connected) {
		ret = post_offer(dev, &seq);
		if (ret) {
			dev->offered = false;
			list_del(&dev->node);
			RCU_INIT_POINTER(relid_map[dev->relid], NULL);
			ida_free(&relids, dev->relid);
			goto err_unlock;
		}
		posted = true;
	}
	mutex_unlock(&conn_lock);

	if (posted) {
		/* OFFERCHANNEL handled: the device is added and probed */
		guest_settle(seq, false);
		mutex_lock(&conn_lock);
		if (dev->offered && !dev->rescinded) {
			dev->hv_dev = guest_device(dev->relid);
			if (dev->hv_dev)
				put_device(&dev->hv_dev->device);
		}
		mutex_unlock(&conn_lock);
	}
	return dev;

err_unlock:
	mutex_unlock(&conn_lock);
	kfree(dev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(vmbus_sim_offer);

/*
 * Sub-channel offers come after their primary's, in the offer list's
 * order, as hv_vmbus needs: it makes an offer whose GUIDs it knows a
 * sub-channel of that primary.
 */
struct vmbus_sim_device *vmbus_sim_offer_subchannel(struct vmbus_sim_device *primary, u16 index,
						    const struct vmbus_sim_host_ops *ops,
						    void *host_context)
{
	struct vmbus_sim_device *dev, *other;
	bool posted = false;
	u64 seq = 0;
	int ret;

	might_sleep();
	if (!primary || primary->primary || !index)
		return ERR_PTR(-EINVAL);

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->ops = ops;
	dev->host_context = host_context;
	guid_copy(&dev->type, &primary->type);
	guid_copy(&dev->instance, &primary->instance);
	dev->primary = primary;
	dev->sub_index = index;
	init_completion(&dev->released_done);
	spin_lock_init(&dev->gpadl_lock);
	INIT_LIST_HEAD(&dev->gpadls);
	INIT_LIST_HEAD(&dev->subs);
	INIT_LIST_HEAD(&dev->sub_node);
	hvsim_dev_init_rings(dev);

	mutex_lock(&conn_lock);
	ret = primary->rescinded ? -EINVAL : 0;
	list_for_each_entry(other, &primary->subs, sub_node)
		if (other->sub_index == index)
			ret = -EEXIST;
	if (ret)
		goto err_unlock;
	ret = ida_alloc_range(&relids, 1, monitor ? HVSIM_MAX_MONITOR_ID : HVSIM_MAX_RELID,
			      GFP_KERNEL);
	if (ret < 0)
		goto err_unlock;
	dev->relid = ret;
	dev->monitored = monitor;
	list_add_tail(&dev->node, &devices);
	list_add_tail(&dev->sub_node, &primary->subs);
	rcu_assign_pointer(relid_map[dev->relid], dev);
	if (connected && primary->offered) {
		ret = post_offer(dev, &seq);
		if (ret) {
			dev->offered = false;
			list_del(&dev->node);
			list_del(&dev->sub_node);
			RCU_INIT_POINTER(relid_map[dev->relid], NULL);
			ida_free(&relids, dev->relid);
			goto err_unlock;
		}
		posted = true;
	}
	mutex_unlock(&conn_lock);

	/* OFFERCHANNEL handled: on the primary's sc_list, its callback run */
	if (posted)
		guest_settle(seq, false);
	return dev;

err_unlock:
	mutex_unlock(&conn_lock);
	kfree(dev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(vmbus_sim_offer_subchannel);

void *vmbus_sim_host_context(struct vmbus_sim_device *dev)
{
	return dev->host_context;
}
EXPORT_SYMBOL_GPL(vmbus_sim_host_context);

struct hv_device *vmbus_sim_hv_device(struct vmbus_sim_device *dev)
{
	if (READ_ONCE(dev->rescinded))
		return NULL;
	return READ_ONCE(dev->hv_dev);
}
EXPORT_SYMBOL_GPL(vmbus_sim_hv_device);

/* A sub-channel of @dev not rescinded yet, or NULL. */
static struct vmbus_sim_device *live_sub(struct vmbus_sim_device *dev)
{
	struct vmbus_sim_device *sub, *found = NULL;

	mutex_lock(&conn_lock);
	list_for_each_entry(sub, &dev->subs, sub_node) {
		if (!sub->rescinded) {
			found = sub;
			break;
		}
	}
	mutex_unlock(&conn_lock);
	return found;
}

void vmbus_sim_rescind(struct vmbus_sim_device *dev)
{
	struct vmbus_channel_rescind_offer msg = {
		.header.msgtype = CHANNELMSG_RESCIND_CHANNELOFFER,
		.child_relid = dev->relid,
	};
	struct vmbus_sim_device *sub;
	bool posted = false;
	u64 seq = 0;

	might_sleep();
	/* Hyper-V rescinds the sub-channels before their primary */
	while ((sub = live_sub(dev)))
		vmbus_sim_rescind(sub);

	mutex_lock(&conn_lock);
	if (dev->rescinded) {
		mutex_unlock(&conn_lock);
		return;
	}
	dev->rescinded = true;
	dev->hv_dev = NULL;
	/* from here the host no longer touches the channel's rings */
	hvsim_host_stop(dev);
	if (dev->offered && connected)
		posted = !hvsim_post_guest_msg(&msg, sizeof(msg), &seq);
	mutex_unlock(&conn_lock);

	/*
	 * hv_vmbus's rescind handler ran the driver's remove; then the host
	 * handles what that sent (CLOSECHANNEL, RELID_RELEASED)
	 */
	if (posted && !hvsim_in_host_callback(dev)) {
		guest_settle(seq, true);
		flush_workqueue(msg_wq);
	}
}
EXPORT_SYMBOL_GPL(vmbus_sim_rescind);

/* A rescind callback kept the device: unregister it as vmbus_sim does. */
static void unregister_kept(struct vmbus_sim_device *dev)
{
	void (*unreg)(struct hv_device *hv_dev);
	struct hv_device *hv_dev;

	hv_dev = guest_device(dev->relid);
	if (!hv_dev)
		return;
	unreg = symbol_get(vmbus_device_unregister);
	if (unreg && device_is_registered(&hv_dev->device))
		unreg(hv_dev);
	if (unreg)
		symbol_put(vmbus_device_unregister);
	put_device(&hv_dev->device);
}

/* The host side of a device the guest let go of, its sub-channels first. */
static void dev_free(struct vmbus_sim_device *dev)
{
	struct vmbus_sim_device *sub, *tmp;
	LIST_HEAD(subs);
	bool wait;

	/*
	 * hv_vmbus released each open sub-channel when the guest closed the
	 * primary, the others at their rescind; one a driver never closed
	 * stays with the guest, and the host forgets it
	 */
	mutex_lock(&conn_lock);
	list_splice_init(&dev->subs, &subs);
	mutex_unlock(&conn_lock);
	list_for_each_entry_safe(sub, tmp, &subs, sub_node) {
		list_del_init(&sub->sub_node);
		mutex_lock(&conn_lock);
		wait = sub->offered && connected;
		mutex_unlock(&conn_lock);
		if (wait && !wait_for_completion_timeout(&sub->released_done, 5 * HZ))
			pr_warn("%pUl: guest has not released sub-channel relid %u\n",
				&sub->instance, sub->relid);
		sub->primary = NULL;
		dev_free(sub);
	}
	if (dev->primary) {
		mutex_lock(&conn_lock);
		list_del(&dev->sub_node);
		mutex_unlock(&conn_lock);
	}

	hvsim_host_close(dev);
	hvsim_gpadls_forget(dev);

	mutex_lock(&conn_lock);
	list_del(&dev->node);
	RCU_INIT_POINTER(relid_map[dev->relid], NULL);
	mutex_unlock(&conn_lock);
	/* no signal hypercall still sees the device */
	synchronize_rcu();
	hvsim_host_close(dev);
	ida_free(&relids, dev->relid);
	kfree(dev);
}

void vmbus_sim_destroy(struct vmbus_sim_device *dev)
{
	bool wait;

	might_sleep();
	if (hvsim_in_host_callback(dev)) {
		pr_err("%pUl: %s() from a host callback, ignored\n", &dev->instance, __func__);
		return;
	}

	vmbus_sim_rescind(dev);

	mutex_lock(&conn_lock);
	wait = dev->offered && connected;
	mutex_unlock(&conn_lock);
	if (wait) {
		if (!wait_for_completion_timeout(&dev->released_done, HZ))
			unregister_kept(dev);
		while (!wait_for_completion_timeout(&dev->released_done, 60 * HZ))
			pr_warn("%pUl: guest has not released relid %u\n", &dev->instance,
				dev->relid);
	}

	dev_free(dev);
}
EXPORT_SYMBOL_GPL(vmbus_sim_destroy);

void vmbus_sim_set_teardown_delay(struct vmbus_sim_device *dev, unsigned int ms)
{
	mutex_lock(&conn_lock);
	dev->teardown_delay_ms = ms;
	mutex_unlock(&conn_lock);
}
EXPORT_SYMBOL_GPL(vmbus_sim_set_teardown_delay);

void vmbus_sim_fail_gpadl_teardowns(struct vmbus_sim_device *dev, u32 count)
{
	atomic_set(&dev->fail_teardowns, count);
}
EXPORT_SYMBOL_GPL(vmbus_sim_fail_gpadl_teardowns);

void vmbus_sim_get_stats(struct vmbus_sim_device *dev, struct vmbus_sim_stats *stats)
{
	unsigned long flags;

	stats->signals = atomic64_read(&dev->stats.signals);
	stats->interrupts = atomic64_read(&dev->stats.interrupts);
	stats->packets_read = atomic64_read(&dev->stats.packets_read);
	stats->bytes_read = atomic64_read(&dev->stats.bytes_read);
	stats->packets_written = atomic64_read(&dev->stats.packets_written);
	stats->bytes_written = atomic64_read(&dev->stats.bytes_written);
	stats->send_full = atomic64_read(&dev->stats.send_full);
	stats->protocol_errors = atomic64_read(&dev->stats.protocol_errors);
	stats->opens = atomic64_read(&dev->stats.opens);
	stats->closes = atomic64_read(&dev->stats.closes);
	spin_lock_irqsave(&dev->gpadl_lock, flags);
	stats->gpadls = dev->ngpadls;
	spin_unlock_irqrestore(&dev->gpadl_lock, flags);
}
EXPORT_SYMBOL_GPL(vmbus_sim_get_stats);

/* ---- GPADLs --------------------------------------------------------------- */

struct hvsim_gpadl *hvsim_gpadl_find(struct vmbus_sim_device *dev, u32 handle)
{
	struct hvsim_gpadl *g;

	list_for_each_entry(g, &dev->gpadls, node)
		if (g->handle == handle)
			return g;
	return NULL;
}

void hvsim_gpadls_forget(struct vmbus_sim_device *dev)
{
	struct hvsim_gpadl *g, *tmp;
	unsigned long flags;
	LIST_HEAD(drop);

	spin_lock_irqsave(&dev->gpadl_lock, flags);
	list_splice_init(&dev->gpadls, &drop);
	dev->ngpadls = 0;
	spin_unlock_irqrestore(&dev->gpadl_lock, flags);
	list_for_each_entry_safe(g, tmp, &drop, node)
		kvfree(g);
}

int hvsim_vmbus_init(void)
{
	msg_wq = alloc_ordered_workqueue("hvsim_host", 0);
	reply_wq = alloc_workqueue("hvsim_reply", 0, 0);
	if (!msg_wq || !reply_wq) {
		if (msg_wq)
			destroy_workqueue(msg_wq);
		if (reply_wq)
			destroy_workqueue(reply_wq);
		return -ENOMEM;
	}
	INIT_DELAYED_WORK(&monitor_work, monitor_fn);
	if (monitor)
		queue_delayed_work(reply_wq, &monitor_work, 1);
	return 0;
}

void hvsim_vmbus_exit(void)
{
	struct vmbus_sim_device *dev;
	struct torndown_work *tw;
	unsigned long flags;

	for (;;) {
		/* primaries: each takes its sub-channels with it */
		mutex_lock(&conn_lock);
		dev = list_first_entry_or_null(&devices, struct vmbus_sim_device, node);
		while (dev && dev->primary)
			dev = list_is_last(&dev->node, &devices) ? NULL :
			      list_next_entry(dev, node);
		mutex_unlock(&conn_lock);
		if (!dev)
			break;
		pr_warn("%pUl: offer not destroyed by its creator\n", &dev->instance);
		vmbus_sim_destroy(dev);
	}
	WRITE_ONCE(monitor, false);
	cancel_delayed_work_sync(&monitor_work);
	destroy_workqueue(msg_wq);
	/* answers still waiting for their delay go now (to no one) */
	spin_lock_irqsave(&torndown_lock, flags);
	list_for_each_entry(tw, &torndown_list, node)
		mod_delayed_work(reply_wq, &tw->work, 0);
	spin_unlock_irqrestore(&torndown_lock, flags);
	destroy_workqueue(reply_wq);
	ida_destroy(&relids);
}
