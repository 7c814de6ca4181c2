// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor half of hvsim: what the upstream hv_vmbus reaches through
 * <asm/mshyperv.h> on Hyper-V, simulated in the guest kernel itself.
 *
 * - Synthetic MSRs: VP index, reference time, and the SynIC registers
 *   (SCONTROL, SIMP, SIEFP, SINTx, EOM) of each virtual processor (a CPU
 *   here; VP index = CPU number).
 * - Hypercalls: HvPostMessage (the guest's channel messages, handed to the
 *   VMBus host in vmbus.c) and HvSignalEvent (a channel's signal to the host).
 * - SynIC delivery: one message slot per VP and SINT in the guest's message
 *   page, filled from a queue with the message-pending flag and EOM as Hyper-V
 *   does; event flags set in the guest's event page; the SINT raised on the
 *   target VP in hard interrupt context, where the handler that
 *   hv_setup_vmbus_handler() installed (vmbus_isr) runs as from the real
 *   HYPERVISOR_CALLBACK_VECTOR.
 *
 * Hypercalls arrive with interrupts off (HvPostMessage uses the per-CPU input
 * page under local_irq_save()): nothing here sleeps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>

#include <asm/mshyperv.h>

#include "hvsim.h"

/* The guest's HvPostMessage input, as the TLFS lays it out. */
struct hvsim_post_message {
	u32 connection_id;
	u32 reserved;
	u32 message_type;
	u32 payload_size;
	u64 payload[HV_MESSAGE_PAYLOAD_QWORD_COUNT];
} __packed;

/* Connection ids of the VMBus message connection (hv_vmbus's connection.c). */
#define HVSIM_MSG_CONN_ID	1
#define HVSIM_MSG_CONN_ID_4	4

struct hvsim_vp {
	unsigned int cpu;
	u64 scontrol;
	u64 simp;
	u64 siefp;
	u64 sint[HV_SYNIC_SINT_COUNT];
	struct hv_message *msg_page;		/* NULL unless SIMP enabled */
	union hv_synic_event_flags *event_page;	/* NULL unless SIEFP enabled */
	struct irq_work sint_work;
	call_single_data_t csd;
	raw_spinlock_t csd_lock;
};

struct hvsim_qmsg {
	struct list_head node;
	u64 seq;
	u32 len;
	u8 data[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
};

static struct hvsim_vp *vps;
/* vmbus_isr(), as hv_setup_vmbus_handler() installs it */
typedef void (*hvsim_isr_t)(void);
static hvsim_isr_t vmbus_handler;

/* hyp_lock: the VPs' page pointers, the message queue and its counters */
static DEFINE_RAW_SPINLOCK(hyp_lock);
static LIST_HEAD(msg_queue);
static u32 connect_vp;
static u64 msg_posted;		/* sequence of the last message queued */
static u64 msg_delivered;	/* ... of the last one put in the slot */

static struct hvsim_vp *this_vp(void)
{
	return &vps[raw_smp_processor_id()];
}

/* A guest page named by a SynIC register (base GPA in bits 12..63). */
static void *guest_page(u64 reg)
{
	u64 pfn = reg >> HV_HYP_PAGE_SHIFT;

	if (!(reg & 1) || !pfn_valid(pfn))
		return NULL;
	return page_address(pfn_to_page(pfn));
}

static bool sint_live(struct hvsim_vp *vp, unsigned int sint)
{
	union hv_synic_sint s = { .as_uint64 = vp->sint[sint] };

	return (vp->scontrol & 1) && !s.masked && READ_ONCE(vmbus_handler);
}

/* The SINT's interrupt, in hard IRQ context on its VP. */
static void sint_irq_work(struct irq_work *work)
{
	hvsim_isr_t handler = READ_ONCE(vmbus_handler);

	if (handler)
		handler();
}

static void sint_csd(void *info)
{
	struct hvsim_vp *vp = info;

	irq_work_queue(&vp->sint_work);
}

/* Raise VMBus's SINT on @vp: as the APIC would, coalesced while pending. */
static void raise_sint(struct hvsim_vp *vp)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vp->csd_lock, flags);
	/* -EBUSY: a raise is in flight and will run the handler */
	smp_call_function_single_async(vp->cpu, &vp->csd);
	raw_spin_unlock_irqrestore(&vp->csd_lock, flags);
}

/* Fill the VMBus message slot of the connect VP from the queue. */
static void deliver_locked(void)
{
	struct hvsim_vp *vp = &vps[connect_vp];
	struct hv_message *slot;
	struct hvsim_qmsg *q;

	lockdep_assert_held(&hyp_lock);
	if (!vp->msg_page || !sint_live(vp, HVSIM_VMBUS_SINT))
		return;
	slot = &vp->msg_page[HVSIM_VMBUS_SINT];
	if (list_empty(&msg_queue))
		return;
	if (READ_ONCE(slot->header.message_type) != HVMSG_NONE) {
		/* the guest writes EOM when it frees a slot with this set */
		WRITE_ONCE(slot->header.message_flags.asu8, 1);
		/* flag set before the re-check, as the guest clears then checks */
		smp_mb();
		if (READ_ONCE(slot->header.message_type) != HVMSG_NONE)
			return;
	}
	q = list_first_entry(&msg_queue, struct hvsim_qmsg, node);
	list_del(&q->node);
	memcpy(slot->u.payload, q->data, q->len);
	slot->header.payload_size = q->len;
	slot->header.message_flags.asu8 = list_empty(&msg_queue) ? 0 : 1;
	slot->header.sender = 0;
	/* the payload is in place before the type that publishes it */
	smp_wmb();
	WRITE_ONCE(slot->header.message_type, HVSIM_MSG_TYPE_CHANNEL);
	msg_delivered = q->seq;
	kfree(q);
	raise_sint(vp);
}

/**
 * hvsim_post_guest_msg() - queue a channel message for the guest
 * @msg: the message, starting with struct vmbus_channel_message_header
 * @len: its bytes, at most HV_MESSAGE_PAYLOAD_BYTE_COUNT
 * @seq: if not NULL, the message's sequence number for
 *       hvsim_wait_guest_consumed()
 *
 * Context: any.
 * Return: 0, -EINVAL, -ENOMEM.
 */
int hvsim_post_guest_msg(const void *msg, u32 len, u64 *seq)
{
	struct hvsim_qmsg *q;
	unsigned long flags;

	if (len > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return -EINVAL;
	q = kzalloc(sizeof(*q), GFP_ATOMIC);
	if (!q)
		return -ENOMEM;
	memcpy(q->data, msg, len);
	q->len = len;

	raw_spin_lock_irqsave(&hyp_lock, flags);
	q->seq = ++msg_posted;
	if (seq)
		*seq = q->seq;
	list_add_tail(&q->node, &msg_queue);
	deliver_locked();
	raw_spin_unlock_irqrestore(&hyp_lock, flags);
	return 0;
}

static bool consumed(u64 seq)
{
	struct hvsim_vp *vp = &vps[connect_vp];
	unsigned long flags;
	bool done;

	raw_spin_lock_irqsave(&hyp_lock, flags);
	if (msg_delivered > seq)
		done = true;
	else if (msg_delivered < seq)
		done = !vp->msg_page;	/* the guest went away */
	else
		done = !vp->msg_page ||
		       READ_ONCE(vp->msg_page[HVSIM_VMBUS_SINT].header.message_type) ==
		       HVMSG_NONE;
	/* a freed slot may wait for a queued message (no EOM was due) */
	if (done)
		deliver_locked();
	raw_spin_unlock_irqrestore(&hyp_lock, flags);
	return done;
}

/**
 * hvsim_wait_guest_consumed() - wait until the guest took a message
 * @seq: from hvsim_post_guest_msg()
 *
 * The guest's message handler (vmbus_on_msg_dpc) has copied the message and
 * queued its work, or handled it, when it frees the slot.
 *
 * Context: process context.
 * Return: 0, or -ETIMEDOUT after 60 s.
 */
int hvsim_wait_guest_consumed(u64 seq)
{
	unsigned long end = jiffies + 60 * HZ;

	while (!consumed(seq)) {
		if (time_after(jiffies, end)) {
			pr_err("guest did not take message %llu in 60 s\n", seq);
			return -ETIMEDOUT;
		}
		usleep_range(200, 1000);
	}
	return 0;
}

/* Drop queued messages: the guest is gone (UNLOAD) or leaving. */
void hvsim_flush_guest_msgs(void)
{
	struct hvsim_qmsg *q, *tmp;
	unsigned long flags;
	LIST_HEAD(drop);

	raw_spin_lock_irqsave(&hyp_lock, flags);
	list_splice_init(&msg_queue, &drop);
	raw_spin_unlock_irqrestore(&hyp_lock, flags);
	list_for_each_entry_safe(q, tmp, &drop, node)
		kfree(q);
}

void hvsim_set_connect_vp(u32 vp)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&hyp_lock, flags);
	connect_vp = vp;
	raw_spin_unlock_irqrestore(&hyp_lock, flags);
}

/**
 * hvsim_raise_event() - signal a channel to the guest
 * @vp: the channel's target VP
 * @relid: its relid: the bit set in the VP's event page, VMBus's SINT slot
 *
 * Context: any.
 * Return: whether the VP's SynIC could take it.
 */
bool hvsim_raise_event(u32 vp, u32 relid)
{
	struct hvsim_vp *v;
	unsigned long flags;
	bool ok = false;

	if (vp >= nr_cpu_ids || !cpu_online(vp) || relid > HVSIM_MAX_RELID)
		return false;
	v = &vps[vp];
	raw_spin_lock_irqsave(&hyp_lock, flags);
	if (v->event_page && sint_live(v, HVSIM_VMBUS_SINT)) {
		set_bit(relid, (unsigned long *)v->event_page[HVSIM_VMBUS_SINT].flags);
		raise_sint(v);
		ok = true;
	}
	raw_spin_unlock_irqrestore(&hyp_lock, flags);
	return ok;
}

/* ---- synthetic MSRs ---------------------------------------------------- */

u64 hvsim_msr_read(unsigned int msr)
{
	struct hvsim_vp *vp = this_vp();

	switch (msr) {
	case HV_X64_MSR_VP_INDEX:
		return vp->cpu;
	case HV_X64_MSR_TIME_REF_COUNT:
		return div_u64(ktime_get_ns(), 100);
	case HV_X64_MSR_SCONTROL:
		return vp->scontrol;
	case HV_X64_MSR_SIMP:
		return vp->simp;
	case HV_X64_MSR_SIEFP:
		return vp->siefp;
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT15:
		return vp->sint[msr - HV_X64_MSR_SINT0];
	case HV_X64_MSR_EOM:
	case HV_X64_MSR_CRASH_CTL:
	case HV_X64_MSR_GUEST_OS_ID:
		return 0;
	default:
		pr_warn_ratelimited("read of unknown synthetic MSR %#x\n", msr);
		return 0;
	}
}
EXPORT_SYMBOL_GPL(hvsim_msr_read);

void hvsim_msr_write(unsigned int msr, u64 value)
{
	struct hvsim_vp *vp = this_vp();
	unsigned long flags;

	raw_spin_lock_irqsave(&hyp_lock, flags);
	switch (msr) {
	case HV_X64_MSR_SCONTROL:
		vp->scontrol = value;
		break;
	case HV_X64_MSR_SIMP:
		vp->simp = value;
		vp->msg_page = guest_page(value);
		break;
	case HV_X64_MSR_SIEFP:
		vp->siefp = value;
		vp->event_page = guest_page(value);
		break;
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT15:
		vp->sint[msr - HV_X64_MSR_SINT0] = value;
		break;
	case HV_X64_MSR_EOM:
		break;
	case HV_X64_MSR_GUEST_OS_ID:
	case HV_X64_MSR_CRASH_CTL:
	case HV_X64_MSR_CRASH_P0 ... HV_X64_MSR_CRASH_P4:
		break;
	default:
		pr_warn_ratelimited("write of unknown synthetic MSR %#x\n", msr);
		break;
	}
	/* EOM, or a slot that just became usable: the next queued message */
	deliver_locked();
	raw_spin_unlock_irqrestore(&hyp_lock, flags);
}
EXPORT_SYMBOL_GPL(hvsim_msr_write);

/* ---- hypercalls ---------------------------------------------------------- */

static u64 post_message(const struct hvsim_post_message *m)
{
	if (m->connection_id != HVSIM_MSG_CONN_ID && m->connection_id != HVSIM_MSG_CONN_ID_4)
		return HV_STATUS_INVALID_CONNECTION_ID;
	if (m->message_type != HVSIM_MSG_TYPE_CHANNEL ||
	    m->payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	switch (hvsim_vmbus_guest_msg(m->payload, m->payload_size)) {
	case 0:
		return HV_STATUS_SUCCESS;
	case -EINVAL:
		return HV_STATUS_INVALID_PARAMETER;
	default:
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
}

u64 hvsim_hypercall(u64 control, u64 input1, u64 input2, void *input, void *output)
{
	bool fast = control & HV_HYPERCALL_FAST_BIT;
	u16 code = control & 0xffff;

	switch (code) {
	case HVCALL_POST_MESSAGE:
		if (fast || !input)
			return HV_STATUS_INVALID_PARAMETER;
		return post_message(input);
	case HVCALL_SIGNAL_EVENT:
		/* connection id in bits 0..23, flag number in bits 32..47 */
		if (!fast)
			input1 = input ? *(u64 *)input : 0;
		if (hvsim_vmbus_signal(input1 & 0xffffff))
			return HV_STATUS_INVALID_CONNECTION_ID;
		return HV_STATUS_SUCCESS;
	default:
		pr_warn_ratelimited("unsupported hypercall %#x\n", code);
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	}
}
EXPORT_SYMBOL_GPL(hvsim_hypercall);

/*
 * ---- the VMBus interrupt handler ----
 * These replace hv_common.c's weak ones, whose exports then name them.
 */

void hv_setup_vmbus_handler(void (*handler)(void))
{
	WRITE_ONCE(vmbus_handler, handler);
}

void hv_remove_vmbus_handler(void)
{
	unsigned int cpu;

	WRITE_ONCE(vmbus_handler, NULL);
	/* no handler runs once hv_vmbus's module text may go */
	for_each_possible_cpu(cpu)
		irq_work_sync(&vps[cpu].sint_work);
}

int hvsim_hyp_init(void)
{
	unsigned int cpu;

	vps = kcalloc(nr_cpu_ids, sizeof(*vps), GFP_KERNEL);
	if (!vps)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct hvsim_vp *vp = &vps[cpu];

		vp->cpu = cpu;
		vp->sint_work = IRQ_WORK_INIT_HARD(sint_irq_work);
		INIT_CSD(&vp->csd, sint_csd, vp);
		raw_spin_lock_init(&vp->csd_lock);
		for (int i = 0; i < HV_SYNIC_SINT_COUNT; i++)
			vp->sint[i] = HV_SYNIC_SINT_MASKED;
	}
	return 0;
}

void hvsim_hyp_exit(void)
{
	unsigned int cpu;

	hvsim_flush_guest_msgs();
	for_each_possible_cpu(cpu)
		irq_work_sync(&vps[cpu].sint_work);
	kfree(vps);
	vps = NULL;
}
