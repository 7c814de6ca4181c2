/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmb_bench: Vmb* against the raw hv_vmbus API it wraps, both over
 * vmbus_sim's rings, in instruction time (QEMU -icount shift=0: one guest
 * nanosecond per instruction). Documentation/performance.rst says how to
 * run it and how to read its output.
 *
 * Each case runs a Vmb* variant and a raw variant of the same work on
 * channels of the same configuration, against the same host model, in the
 * same boot, alternately. The module prints one @@ line per run on the
 * kernel log; scripts/bench-report.py turns them into tables, JSON and a
 * plot. Nothing here judges a figure: a benchmark is not a test.
 */
#ifndef _VMB_BENCH_H
#define _VMB_BENCH_H

#include <linux/atomic.h>
#include <linux/hyperv.h>
#include <linux/ktime.h>
#include <linux/llist.h>
#include <linux/scatterlist.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <vmbkmcl.h>
#include <vmbus_sim.h>

/* Completion payload of the host models: one status word, as most VSPs send. */
#define BENCH_REPLY_LEN		8

/* ---- devices: one simulated offer each, guest and host side ---------------- */

struct bench_dev {
	struct vmbus_sim_device *sim;
	struct hv_device *hv;
	struct vmbus_channel *chan;
	guid_t instance;
	VMBCHANNEL ch;			/* the Vmb channel, if this is a Vmb device */
	struct bench_dev *primary;	/* a sub-channel's (bench_subdev_create()) */
	bool raw_open;			/* vmbus_open()ed by the raw paths */

	/* host model: answer every completion request at once, or hold some */
	bool echo;			/* complete with the request's payload */
	u32 hold;			/* completion requests still to hold */
	u32 nheld;
	u32 held_cap;
	u64 *held;			/* trans_ids of the held requests */
	atomic_t host_pkts;		/* packets the host read */
	u32 host_target;		/* wake host_wq when host_pkts reaches it */
	wait_queue_head_t host_wq;
	u64 host_full;			/* host completions retried for a full ring */

	/* what the host saw of the last GPA-direct packet */
	u32 gpa_ranges;
	u32 gpa_bytes;
	u64 gpa_pfn0;

	/* guest side */
	wait_queue_head_t wq;		/* ring space (raw), received packets */
	atomic_t rx;			/* non-completion packets the guest took */
	u32 rx_target;
	void (*rx_hook)(struct bench_dev *d);	/* Vmb ProcessPacket's packet */
};

struct bench_dev *bench_dev_create(void);
void bench_dev_destroy(struct bench_dev *d);
struct bench_dev *bench_subdev_create(struct bench_dev *primary, u16 index);
void bench_subdevs_destroy(struct bench_dev *primary, struct bench_dev **subs, u32 n);
int bench_dev_hold(struct bench_dev *d, u32 count);
void bench_dev_wait_held(struct bench_dev *d);
void bench_dev_release(struct bench_dev *d);
void bench_host_expect(struct bench_dev *d, u32 packets);
void bench_host_wait(struct bench_dev *d);
int bench_host_send(struct bench_dev *d, const void *buf, u32 len);
int bench_driver_register(void);
void bench_driver_unregister(void);

/* ---- a stream of sends, the engine of the throughput and scale cases ------- */

struct raw_req {
	void (*done)(struct raw_req *req, void *data, u32 len);
};

struct bench_pool;

enum stream_kind {
	STREAM_INLINE,			/* inline payload */
	STREAM_EXTERNAL,		/* GPA-direct: inline header + external data */
};

struct stream {
	struct bench_dev **devs;	/* send i goes to devs[i % ndev] */
	u32 ndev;
	u32 n;				/* sends */
	u32 size;			/* inline bytes */
	u32 window;			/* transactions in flight at most */
	u32 burst;			/* sends to a device before the next (0: 1) */
	bool wait;			/* WAIT_FOR_COMPLETION / COMPLETION_REQUESTED */
	bool alloc;			/* Vmb: VmbPacketAllocate() per send */
	bool send_only;			/* time the send calls only, host paused */
	bool no_end_wait;		/* return once sent: the caller waits for done */
	const void *buf;
	enum stream_kind kind;

	/* STREAM_EXTERNAL */
	struct vmb_mdl *mdl;		/* Vmb */
	const u64 *pfns;		/* raw: the data's Hyper-V frames */
	u32 npfns;
	u32 ext_bytes;
	struct vmbus_packet_mpb_array *desc;	/* raw: built per send */

	/* run state */
	atomic_t done;
	atomic_t outstanding;
	wait_queue_head_t wq;
	struct raw_req req;
	struct bench_pool *pools;	/* Vmb: packet objects per device */
	NTSTATUS status;		/* first failure of a Vmb send */
};

int stream_prepare(struct stream *s, bool vmb);
void stream_release(struct stream *s);
void stream_pause(struct stream *s, bool paused);
s64 raw_stream(struct stream *s);
s64 vmb_stream(struct stream *s);

/* ---- raw hv_vmbus client ---------------------------------------------------- */

int raw_open(struct bench_dev *d, u32 in_pages, u32 out_pages, u32 max_packet,
	     u32 rqstor);
void raw_close(struct bench_dev *d);
int raw_write(struct bench_dev *d, const void *buf, u32 size, u64 reqid, u16 flags);
s64 raw_sync(struct bench_dev *d, u32 n, u32 size);
s64 raw_receive(struct bench_dev *d, u32 n, u32 size);

/* ---- Vmb* client ------------------------------------------------------------ */

struct vmb_config {
	u32 in_pages;
	u32 out_pages;
	u32 max_packet;
	u32 max_external;		/* 0: not set */
	bool incoming;			/* set ProcessPacket callbacks */
};

/* Functions that later issues add: looked up at run time (main.c). */
struct vmb_late {
	NTSTATUS (*send_ext_mdl)(VMBPACKET packet, const void *buffer, u32 length,
				 struct vmb_mdl *mdl, u32 mdl_offset, u32 mdl_length,
				 u32 flags);
	void (*packet_complete)(VMBPACKETCOMPLETION packet, const void *buffer,
				u32 size);
	struct vmb_mdl *(*mdl_from_sg)(struct scatterlist *sgl, unsigned int nents,
				       gfp_t gfp);
	struct vmb_mdl *(*mdl_from_buffer)(void *kva, u32 length, gfp_t gfp);
	void (*mdl_free)(struct vmb_mdl *mdl);
};

extern struct vmb_late vmb_late;

int vmb_configure(struct bench_dev *d, const struct vmb_config *cfg);
int vmb_enable(struct bench_dev *d);
int vmb_open(struct bench_dev *d, const struct vmb_config *cfg);
void vmb_close(struct bench_dev *d);
s64 vmb_sync(struct bench_dev *d, u32 n, u32 size);
s64 vmb_receive(struct bench_dev *d, u32 n, u32 size);

/* ---- memory accounting (mem.c) --------------------------------------------------- */

int mem_track_begin(void);
long mem_track_kept(void);
void mem_track_phase(int tag);
void mem_track_sites(const char *variant, int tag, unsigned int divisor);
long mem_track_end(void);

/* ---- profiles (prof.c) --------------------------------------------------------- */

/* nopl 0x4d42c0de(%rax) and nopl 0x4d42c0df(%rax): scripts/bench-plugin.c */
#define PROF_MARKER_BEGIN	".byte 0x0f, 0x1f, 0x80, 0xde, 0xc0, 0x42, 0x4d"
#define PROF_MARKER_END		".byte 0x0f, 0x1f, 0x80, 0xdf, 0xc0, 0x42, 0x4d"

extern bool prof_on;
void prof_marker_begin(void);
void prof_marker_end(void);
s64 prof_run(const char *id, const char *variant, s64 (*fn)(void *arg), void *arg, u32 ops);

/* Start and end a timed region: guest ns, in instruction time. */
static inline u64 timed_begin(void)
{
	if (unlikely(READ_ONCE(prof_on)))
		prof_marker_begin();
	return ktime_get_ns();
}

static inline u64 timed_end(u64 t0)
{
	u64 t = ktime_get_ns() - t0;

	if (unlikely(READ_ONCE(prof_on)))
		prof_marker_end();
	return t;
}

static inline struct bench_dev *stream_dev(const struct stream *s, u32 i)
{
	return s->devs[(i / max(s->burst, 1U)) % s->ndev];
}

static inline u32 stream_dev_index(const struct stream *s, u32 i)
{
	return (i / max(s->burst, 1U)) % s->ndev;
}

#endif /* _VMB_BENCH_H */
