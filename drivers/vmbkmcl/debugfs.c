// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: one directory per channel under /sys/kernel/debug/vmbkmcl/,
 * created by VmbChannelAllocate() and removed by VmbChannelCleanup().
 *
 * A channel's directory is "ch<id>", and "ch<id>-<friendly name>" once
 * VmbChannelInitSetFriendlyName() named it: the directory is renamed then,
 * so it exists, under one name or the other, for the channel's whole life
 * and a name set before Enable is in place by the time the channel opens.
 * The id keeps channels with the same name apart. Characters a file name
 * cannot hold ('/', control characters, spaces) become '_'.
 *
 * Every file is text, one "key: value" line per field (fields in
 * Documentation/observability.rst). Nothing here waits for state_mutex:
 * a reader never blocks behind a slow Opened callback, and Cleanup may
 * remove the directory (which waits for readers) whatever locks a client
 * holds. Each field is read under the lock that guards it, or with
 * READ_ONCE() where it is one word written under a lock.
 */
#include <linux/atomic.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "channel.h"
#include "debugfs.h"
#include "obs.h"
#include "packet.h"
#include "receive.h"

/* the friendly name's share of a directory name */
#define NAME_ROOM	64

static struct dentry *root;

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static int state_show(struct seq_file *m, void *v)
{
	struct vmb_channel *ch = m->private;
	char label[VMB_LABEL_LEN];
	unsigned long irqflags;
	guid_t instance;

	spin_lock_irqsave(&ch->lock, irqflags);
	memcpy(label, ch->obs.label, sizeof(label));
	spin_unlock_irqrestore(&ch->lock, irqflags);
	VmbChannelGetInterfaceInstance(ch, &instance);

	seq_printf(m, "state: %s\n", vmb_state_name(READ_ONCE(ch->obs.state)));
	seq_printf(m, "paused: %s\n", yes_no(READ_ONCE(ch->rx.paused)));
	seq_printf(m, "incoming_failed: %s\n", yes_no(READ_ONCE(ch->rx.failed)));
	seq_printf(m, "rescinded: %s\n", yes_no(vmb_channel_rescinded(ch)));
	seq_printf(m, "id: %u\n", ch->obs.id);
	seq_printf(m, "name: %s\n", label);
	seq_printf(m, "instance: %pUl\n", &instance);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(state);

/* Written with WRITE_ONCE() while Disabled, one word at a time: READ_ONCE() each. */
static int config_show(struct seq_file *m, void *v)
{
	struct vmb_channel *ch = m->private;

	seq_printf(m, "max_packet_size: %u\n", READ_ONCE(ch->max_packet_size));
	seq_printf(m, "max_external_data: %u\n", READ_ONCE(ch->max_external_data));
	seq_printf(m, "max_external_chain: %u\n", READ_ONCE(ch->max_external_chain));
	seq_printf(m, "incoming_pages: %u\n", READ_ONCE(ch->incoming_pages));
	seq_printf(m, "outgoing_pages: %u\n", READ_ONCE(ch->outgoing_pages));
	seq_printf(m, "client_context_size: %u\n", READ_ONCE(ch->client_context_size));
	seq_printf(m, "flags: %#x\n", READ_ONCE(ch->init_flags));
	seq_printf(m, "passive: %s\n", yes_no(READ_ONCE(ch->rx.passive)));
	seq_printf(m, "transaction_quota: %u\n", READ_ONCE(ch->rx.quota));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(config);

struct ring_fill {
	u32 size, used;
	u32 pending_send_sz;	/* outgoing: what we wait for */
	u32 interrupt_mask;	/* incoming: ours, set while we read */
};

/* The indices are the host's to write: never report more than the ring. */
static void ring_fill(const struct hv_ring_buffer_info *rbi, bool outgoing,
		      struct ring_fill *f)
{
	f->size = rbi->ring_datasize;
	if (outgoing)
		f->used = f->size - min(hv_get_bytes_to_write(rbi), f->size);
	else
		f->used = min(hv_get_bytes_to_read(rbi), f->size);
	f->pending_send_sz = READ_ONCE(rbi->ring_buffer->pending_send_sz);
	f->interrupt_mask = READ_ONCE(rbi->ring_buffer->interrupt_mask);
}

/*
 * The rings exist while the channel is open: vmbus_close() frees them only
 * after open was cleared under ch->lock, which we hold while we look.
 */
static int ring_show(struct seq_file *m, void *v)
{
	struct vmb_channel *ch = m->private;
	struct ring_fill out = { }, in = { };
	unsigned long irqflags;
	bool open;

	spin_lock_irqsave(&ch->lock, irqflags);
	open = ch->open && ch->chan;
	if (open) {
		ring_fill(&ch->chan->outbound, true, &out);
		ring_fill(&ch->chan->inbound, false, &in);
	}
	spin_unlock_irqrestore(&ch->lock, irqflags);

	seq_printf(m, "open: %s\n", yes_no(open));
	if (!open) {
		/* what the next Enable asks for */
		seq_printf(m, "outgoing_size: %llu\n",
			   (u64)READ_ONCE(ch->outgoing_pages) * HV_HYP_PAGE_SIZE);
		seq_printf(m, "incoming_size: %llu\n",
			   (u64)READ_ONCE(ch->incoming_pages) * HV_HYP_PAGE_SIZE);
		return 0;
	}
	seq_printf(m, "outgoing_size: %u\n", out.size);
	seq_printf(m, "outgoing_used: %u\n", out.used);
	seq_printf(m, "outgoing_pending_send_sz: %u\n", out.pending_send_sz);
	seq_printf(m, "incoming_size: %u\n", in.size);
	seq_printf(m, "incoming_used: %u\n", in.used);
	seq_printf(m, "incoming_interrupt_mask: %u\n", in.interrupt_mask);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ring);

static u32 count_entries(const struct list_head *head)
{
	const struct list_head *pos;
	u32 n = 0;

	list_for_each(pos, head)
		n++;
	return n;
}

static int queue_show(struct seq_file *m, void *v)
{
	struct vmb_channel *ch = m->private;
	u32 queued, in_flight, abandoned = 0, comp_queued, deferred, slots = 0;
	struct vmb_packet *pkt;
	unsigned long irqflags;

	spin_lock_irqsave(&ch->lock, irqflags);
	queued = count_entries(&ch->send_queue);
	in_flight = count_entries(&ch->in_flight);
	list_for_each_entry(pkt, &ch->in_flight, link)
		abandoned += pkt->state == VMB_PACKET_ABANDONED;
	comp_queued = count_entries(&ch->comp_queue);
	if (ch->open && ch->chan)
		slots = ch->chan->rqstor_size;
	spin_unlock_irqrestore(&ch->lock, irqflags);

	spin_lock_irqsave(&ch->defer.lock, irqflags);
	deferred = count_entries(&ch->defer.list);
	spin_unlock_irqrestore(&ch->defer.lock, irqflags);

	seq_printf(m, "queued_sends: %u\n", queued);
	seq_printf(m, "in_flight: %u\n", in_flight);
	seq_printf(m, "abandoned: %u\n", abandoned);
	seq_printf(m, "transaction_slots: %u\n", slots);
	seq_printf(m, "delivered_outstanding: %d\n", atomic_read(&ch->rx_outstanding));
	seq_printf(m, "transaction_quota: %u\n", READ_ONCE(ch->rx.quota));
	seq_printf(m, "quota_blocked: %s\n", yes_no(atomic_read(&ch->rx.blocked)));
	seq_printf(m, "deferred_to_passive: %u\n", deferred);
	seq_printf(m, "queued_completions: %u\n", comp_queued);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(queue);

static int counters_show(struct seq_file *m, void *v)
{
	struct vmb_counter_values n;

	vmb_obs_read_counters(m->private, &n);
	seq_printf(m, "packets_sent: %llu\n", n.packets_sent);
	seq_printf(m, "packets_queued: %llu\n", n.packets_queued);
	seq_printf(m, "ring_full: %llu\n", n.ring_full);
	seq_printf(m, "send_errors: %llu\n", n.send_errors);
	seq_printf(m, "transactions: %llu\n", n.transactions);
	seq_printf(m, "completions_received: %llu\n", n.completions_received);
	seq_printf(m, "cancelled: %llu\n", n.cancelled);
	seq_printf(m, "abandoned: %llu\n", n.abandoned);
	seq_printf(m, "late_completions_dropped: %llu\n", n.late_completions_dropped);
	seq_printf(m, "unknown_completions_dropped: %llu\n", n.unknown_completions_dropped);
	seq_printf(m, "packets_delivered: %llu\n", n.packets_delivered);
	seq_printf(m, "process_packet_calls: %llu\n", n.process_packet_calls);
	seq_printf(m, "packets_completed: %llu\n", n.packets_completed);
	seq_printf(m, "packets_failed: %llu\n", n.packets_failed);
	seq_printf(m, "host_packets_rejected: %llu\n", n.host_packets_rejected);
	seq_printf(m, "completions_sent: %llu\n", n.completions_sent);
	seq_printf(m, "completions_queued: %llu\n", n.completions_queued);
	seq_printf(m, "completions_not_sent: %llu\n", n.completions_not_sent);
	seq_printf(m, "completions_read: %llu\n", n.completions_read);
	seq_printf(m, "quota_stops: %llu\n", n.quota_stops);
	seq_printf(m, "out_of_memory: %llu\n", n.out_of_memory);
	seq_printf(m, "channel_callbacks: %llu\n", n.channel_callbacks);
	seq_printf(m, "reader_kicks: %llu\n", n.reader_kicks);
	seq_printf(m, "passive_runs: %llu\n", n.passive_runs);
	seq_printf(m, "ring_passes: %llu\n", n.ring_passes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

/* "ch<id>" or "ch<id>-<friendly name>"; state_mutex held or not yet shared. */
static void dir_name(const struct vmb_channel *ch, char *buf, size_t size)
{
	size_t len;
	char *p;

	len = snprintf(buf, size, "ch%u", ch->obs.id);
	if (!ch->friendly_name || !ch->friendly_name[0])
		return;
	snprintf(buf + len, size - len, "-%.*s", NAME_ROOM, ch->friendly_name);
	for (p = buf + len + 1; *p; p++)
		if (*p == '/' || !isgraph(*p))
			*p = '_';
}

#define DIR_NAME_LEN	(sizeof("ch4294967295-") + NAME_ROOM)

/**
 * vmb_debugfs_channel_add() - create a channel's directory
 * @ch: a new channel, nobody else knows it yet
 *
 * debugfs failures are not the channel's: they leave it without files.
 *
 * Context: process.
 */
void vmb_debugfs_channel_add(struct vmb_channel *ch)
{
	char name[DIR_NAME_LEN];
	struct dentry *dir;

	dir_name(ch, name, sizeof(name));
	dir = debugfs_create_dir(name, root);
	ch->obs.dir = dir;
	debugfs_create_file("state", 0444, dir, ch, &state_fops);
	debugfs_create_file("config", 0444, dir, ch, &config_fops);
	debugfs_create_file("ring", 0444, dir, ch, &ring_fops);
	debugfs_create_file("queue", 0444, dir, ch, &queue_fops);
	debugfs_create_file("counters", 0444, dir, ch, &counters_fops);
}

/**
 * vmb_debugfs_channel_rename() - the friendly name changed: rename the
 * directory
 * @ch: the channel
 *
 * Context: process; state_mutex held.
 */
void vmb_debugfs_channel_rename(struct vmb_channel *ch)
{
	char name[DIR_NAME_LEN];

	lockdep_assert_held(&ch->state_mutex);

	if (IS_ERR_OR_NULL(ch->obs.dir))
		return;
	dir_name(ch, name, sizeof(name));
	/* on failure the directory keeps its old name */
	debugfs_rename(root, ch->obs.dir, root, name);
}

/**
 * vmb_debugfs_channel_remove() - remove a channel's directory
 * @ch: the channel
 *
 * Returns once no reader is inside one of its files.
 *
 * Context: process; not under a lock that a reader takes.
 */
void vmb_debugfs_channel_remove(struct vmb_channel *ch)
{
	debugfs_remove_recursive(ch->obs.dir);
	ch->obs.dir = NULL;
}

/**
 * vmb_debugfs_init() - create /sys/kernel/debug/vmbkmcl
 *
 * Context: module init.
 */
void vmb_debugfs_init(void)
{
	root = debugfs_create_dir(KBUILD_MODNAME, NULL);
}

/**
 * vmb_debugfs_exit() - remove it again
 *
 * Context: module exit, every channel cleaned up.
 */
void vmb_debugfs_exit(void)
{
	debugfs_remove_recursive(root);
	root = NULL;
}
