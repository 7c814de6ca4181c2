// SPDX-License-Identifier: GPL-2.0
/*
 * vmb_bench: the cases of issue 7 and the runner that times them.
 *
 * The module does all its work in its init, then stays loaded doing
 * nothing until it is removed. Output, on the kernel log, one JSON object
 * per line after a tag (scripts/bench-report.py reads them):
 *   @@CASE  a case: id, group, title, kind, payload bytes
 *   @@RUN   one timed run of one variant: ops and elapsed guest ns
 *   @@NA    a variant that cannot run yet, and why
 *   @@ERR   a variant that failed
 *   @@MEM   a memory figure
 *   @@CHECK a fact checked during a run (e.g. external data not copied)
 *   @@PROFRUN a profiled run of a variant and its plugin region (prof.c)
 *
 * Kinds: "throughput" (target Vmb/raw packets per second >= 0.95),
 * "latency" (target Vmb/raw time <= 1.05), "cost" (a send's or an
 * operation's guest cost, compared as time), "floor" (memcpy, one variant).
 */
#include <linux/delay.h>
#include <linux/glob.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "bench.h"

static char *cases = "*";
module_param(cases, charp, 0444);
MODULE_PARM_DESC(cases, "glob over the case ids to run (default *)");

static char *profile = "auto";
module_param(profile, charp, 0444);
MODULE_PARM_DESC(profile, "auto: profile the cases that miss their target; none; or globs over case ids (every run)");

static unsigned int runs = 5;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "timed runs per variant (default 5, at most 15)");

static unsigned int quick;
module_param(quick, uint, 0444);
MODULE_PARM_DESC(quick, "1: a tenth of the operations (a smoke run)");

#define MAX_RUNS	15
#define MAX_VARIANTS	3
#define WINDOW		16	/* transactions in flight in the streaming cases */

enum kind { THROUGHPUT, LATENCY, COST, FLOOR };

static const char *const kind_names[] = {
	[THROUGHPUT] = "throughput",
	[LATENCY] = "latency",
	[COST] = "cost",
	[FLOOR] = "floor",
};

/* The two forms of a scale case: end to end, or the send calls alone. */
static enum kind kind_of(bool send_calls_only)
{
	if (send_calls_only)
		return COST;
	return THROUGHPUT;
}

struct variant {
	const char *name;		/* "raw" first, then "vmb", "vmb-alloc" */
	s64 (*fn)(void *arg);
	void *arg;
	const char *na;			/* why it cannot run, or NULL */
};

static u32 ops(u32 n)
{
	return quick ? max(n / 10, 1U) : n;
}

/*
 * Whether @id matches one of the comma-separated globs of @list, or with
 * @prefix_only, whether some id starting with @id could match one.
 */
static bool match_list(const char *list, const char *id, bool prefix_only)
{
	char pat[64];
	const char *p = list, *end;
	size_t len, lit;

	while (*p) {
		end = strchrnul(p, ',');
		len = min_t(size_t, end - p, sizeof(pat) - 1);
		memcpy(pat, p, len);
		pat[len] = 0;
		if (prefix_only) {
			lit = strcspn(pat, "*?[");
			if (!strncmp(pat, id, min(lit, strlen(id))))
				return true;
		} else if (glob_match(pat, id)) {
			return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}

static bool selected(const char *id)
{
	return match_list(cases, id, false);
}

/* Whether any case whose id starts with @prefix is selected. */
static bool group_selected(const char *prefix)
{
	return match_list(cases, prefix, true);
}

static void case_begin(const char *id, const char *title, enum kind kind, u32 bytes)
{
	pr_info("@@CASE {\"id\":\"%s\",\"group\":\"%c\",\"title\":\"%s\",\"kind\":\"%s\",\"bytes\":%u}\n",
		id, id[0], title, kind_names[kind], bytes);
}

static void case_na(const char *id, const char *variant, const char *reason)
{
	pr_info("@@NA {\"id\":\"%s\",\"variant\":\"%s\",\"reason\":\"%s\"}\n", id, variant, reason);
}

static void case_err(const char *id, const char *variant, s64 err)
{
	pr_info("@@ERR {\"id\":\"%s\",\"variant\":\"%s\",\"errno\":%lld}\n", id, variant, err);
}

static int cmp_s64(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? -1 : x > y;
}

/* Whether Vmb (v[1]) misses the target against raw (v[0]), by medians. */
static bool misses(enum kind kind, s64 raw, s64 vmb)
{
	switch (kind) {
	case THROUGHPUT:	/* raw / vmb >= 0.95 */
		return vmb * 95 > raw * 100;
	case LATENCY:
	case COST:		/* vmb / raw <= 1.05 */
		return vmb * 100 > raw * 105;
	default:
		return false;
	}
}

/* profile=GLOBS: every timed run of the matching cases is profiled. */
static bool profile_every_run(const char *id)
{
	return strcmp(profile, "none") && strcmp(profile, "auto") &&
	       match_list(profile, id, false);
}

/* profile=auto: one more run of each variant when Vmb misses its target. */
static bool profile_after(enum kind kind, s64 raw, s64 vmb)
{
	return !strcmp(profile, "auto") && raw > 0 && vmb > 0 && misses(kind, raw, vmb);
}

/*
 * Before each run: let deferred work (workqueues, RCU callbacks, timers)
 * finish while nothing is timed, and start each run from a sleep, so that
 * the scheduler sees every run begin alike. Idle time costs nothing here:
 * with -icount sleep=off the guest clock jumps over it.
 */
static s64 run_settled(const char *id, struct variant *v, bool profiled, u32 nops)
{
	msleep(20);
	if (profiled)
		return prof_run(id, v->name, v->fn, v->arg, nops);
	return v->fn(v->arg);
}

/*
 * Warm up each variant once, then time @runs runs of each, alternating,
 * profiled if the case matches profile=GLOBS; with profile=auto, profile
 * one more run of each when Vmb misses its target. A variant that fails with
 * -EOPNOTSUPP in its warm-up is reported as not available: the library
 * function exists but says STATUS_NOT_SUPPORTED.
 */
static void measure(const char *id, enum kind kind, struct variant *v, unsigned int nv,
		    u32 nops)
{
	s64 t[MAX_VARIANTS][MAX_RUNS], med[MAX_VARIANTS] = { };
	unsigned int i, r, nruns = clamp(runs, 1U, (unsigned int)MAX_RUNS);
	bool every = profile_every_run(id);
	s64 ns;

	for (i = 0; i < nv; i++) {
		if (v[i].na) {
			case_na(id, v[i].name, v[i].na);
			continue;
		}
		ns = v[i].fn(v[i].arg);
		if (ns == -EOPNOTSUPP) {
			v[i].na = "the library returned STATUS_NOT_SUPPORTED";
			case_na(id, v[i].name, v[i].na);
		} else if (ns < 0) {
			v[i].na = "failed";
			case_err(id, v[i].name, ns);
		}
	}
	for (r = 0; r < nruns; r++) {
		for (i = 0; i < nv; i++) {
			if (v[i].na)
				continue;
			ns = run_settled(id, &v[i], every, nops);
			if (ns < 0) {
				case_err(id, v[i].name, ns);
				v[i].na = "failed";
				continue;
			}
			t[i][r] = ns;
			pr_info("@@RUN {\"id\":\"%s\",\"variant\":\"%s\",\"run\":%u,\"ops\":%u,\"ns\":%lld}\n",
				id, v[i].name, r, nops, ns);
		}
	}
	for (i = 0; i < nv; i++) {
		if (v[i].na)
			continue;
		sort(t[i], nruns, sizeof(s64), cmp_s64, NULL);
		med[i] = t[i][nruns / 2];
	}
	if (nv < 2 || every || !profile_after(kind, med[0], med[1]))
		return;
	for (i = 0; i < nv; i++)
		if (!v[i].na)
			run_settled(id, &v[i], true, nops);
}

/* ---- run wrappers -------------------------------------------------------- */

static s64 run_raw_stream(void *arg)
{
	return raw_stream(arg);
}

static s64 run_vmb_stream(void *arg)
{
	return vmb_stream(arg);
}

struct sync_arg {
	struct bench_dev *d;
	u32 n;
	u32 size;
};

static s64 run_raw_sync(void *arg)
{
	struct sync_arg *a = arg;

	return raw_sync(a->d, a->n, a->size);
}

static s64 run_vmb_sync(void *arg)
{
	struct sync_arg *a = arg;

	return vmb_sync(a->d, a->n, a->size);
}

static s64 run_raw_receive(void *arg)
{
	struct sync_arg *a = arg;

	return raw_receive(a->d, a->n, a->size);
}

static s64 run_vmb_receive(void *arg)
{
	struct sync_arg *a = arg;

	return vmb_receive(a->d, a->n, a->size);
}

/* ---- devices in pairs: the same configuration on both sides -------------- */

static struct bench_dev *open_dev(bool vmb, const struct vmb_config *cfg, u32 rqstor)
{
	struct bench_dev *d = bench_dev_create();
	int ret;

	if (IS_ERR(d))
		return d;
	if (vmb)
		ret = vmb_open(d, cfg);
	else
		ret = raw_open(d, cfg->in_pages, cfg->out_pages, cfg->max_packet, rqstor);
	if (ret) {
		bench_dev_destroy(d);
		return ERR_PTR(ret);
	}
	return d;
}

/*
 * A Vmb device and a raw one. The raw requestor gets as many slots as the
 * library gave its channel (hv_vmbus's requestor is the same code on both
 * sides, only its size is the driver's choice).
 */
static int open_pair(const struct vmb_config *cfg, struct bench_dev **raw, struct bench_dev **vmb)
{
	*vmb = open_dev(true, cfg, 0);
	if (IS_ERR(*vmb))
		return PTR_ERR(*vmb);
	*raw = open_dev(false, cfg, (*vmb)->chan->rqstor_size);
	if (IS_ERR(*raw)) {
		bench_dev_destroy(*vmb);
		return PTR_ERR(*raw);
	}
	return 0;
}

static void stream_init(struct stream *s, struct bench_dev **devs, u32 ndev, u32 n,
			u32 size, bool wait, const void *buf)
{
	memset(s, 0, sizeof(*s));
	s->devs = devs;
	s->ndev = ndev;
	s->n = n;
	s->size = size;
	s->wait = wait;
	s->window = WINDOW;
	s->buf = buf;
}

/*
 * One streaming case: raw, Vmb with pooled packets and, if @alloc, Vmb
 * with a packet allocated per send.
 */
static void stream_case(const char *id, enum kind kind, struct stream *tmpl,
			struct bench_dev **raw, struct bench_dev **vmb, bool alloc,
			const char *vmb_na)
{
	struct stream s[MAX_VARIANTS];
	struct variant v[MAX_VARIANTS] = {
		{ .name = "raw", .fn = run_raw_stream, .arg = &s[0] },
		{ .name = "vmb", .fn = run_vmb_stream, .arg = &s[1], .na = vmb_na },
		{ .name = "vmb-alloc", .fn = run_vmb_stream, .arg = &s[2], .na = vmb_na },
	};
	unsigned int i, nv = alloc ? 3 : 2;

	for (i = 0; i < nv; i++) {
		s[i] = *tmpl;
		s[i].devs = i ? vmb : raw;
		s[i].alloc = i == 2;
		if (stream_prepare(&s[i], i > 0)) {
			v[i].na = "out of memory";
			continue;
		}
	}
	measure(id, kind, v, nv, tmpl->n);
	for (i = 0; i < nv; i++)
		stream_release(&s[i]);
}

/* ---- (a) send throughput and send cost ----------------------------------- */

static void group_a(void)
{
	static const u32 sizes[] = { 64, 512, 4096 };
	struct vmb_config cfg = { .in_pages = 64, .out_pages = 256, .max_packet = 4096 };
	struct bench_dev *raw, *vmb;
	struct stream tmpl;
	char id[48], title[96];
	unsigned int i, w;
	void *buf;

	if (!group_selected("a."))
		return;
	buf = kzalloc(4096, GFP_KERNEL);
	if (!buf || open_pair(&cfg, &raw, &vmb)) {
		case_na("a", "all", "setup failed");
		kfree(buf);
		return;
	}

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (w = 0; w < 2; w++) {
			/* end to end: until the host read or completed everything */
			snprintf(id, sizeof(id), "a.%s.%u", w ? "wait" : "nowait", sizes[i]);
			if (selected(id)) {
				snprintf(title, sizeof(title),
					 "VmbPacketSend%s vs vmbus_sendpacket_getid, %u B",
					 w ? " WAIT_FOR_COMPLETION" : "", sizes[i]);
				case_begin(id, title, THROUGHPUT, sizes[i]);
				stream_init(&tmpl, NULL, 1, ops(4000), sizes[i], w, buf);
				stream_case(id, THROUGHPUT, &tmpl, &raw, &vmb, true, NULL);
			}

			/*
			 * The sender's cost alone: the host paused, every packet
			 * fits in the 1 MiB ring, only the send calls timed.
			 */
			snprintf(id, sizeof(id), "a.cost.%s.%u", w ? "wait" : "nowait", sizes[i]);
			if (selected(id)) {
				snprintf(title, sizeof(title),
					 "send call only (host paused)%s, %u B",
					 w ? ", WAIT_FOR_COMPLETION" : "", sizes[i]);
				case_begin(id, title, COST, sizes[i]);
				stream_init(&tmpl, NULL, 1, ops(sizes[i] > 512 ? 200 : 1000),
					    sizes[i], w, buf);
				tmpl.send_only = true;
				tmpl.window = tmpl.n;
				stream_case(id, COST, &tmpl, &raw, &vmb, false, NULL);
			}
		}
	}
	bench_dev_destroy(raw);
	bench_dev_destroy(vmb);
	kfree(buf);
}

/* ---- (b) synchronous round trip ------------------------------------------ */

static void group_b(void)
{
	struct vmb_config cfg = { .in_pages = 4, .out_pages = 4, .max_packet = 4080 };
	struct sync_arg a[2];
	struct variant v[2] = {
		{ .name = "raw", .fn = run_raw_sync, .arg = &a[0] },
		{ .name = "vmb", .fn = run_vmb_sync, .arg = &a[1] },
	};
	struct bench_dev *raw, *vmb;

	if (!selected("b.sync.64"))
		return;
	case_begin("b.sync.64",
		   "VmbChannelSendSynchronousRequest vs vmbus_sendpacket + wait_for_completion, 64 B",
		   LATENCY, 64);
	if (open_pair(&cfg, &raw, &vmb)) {
		case_na("b.sync.64", "all", "setup failed");
		return;
	}
	/* the host echoes the request: 64 bytes come back on both sides */
	raw->echo = true;
	vmb->echo = true;
	a[0] = (struct sync_arg){ .d = raw, .n = ops(1000), .size = 64 };
	a[1] = (struct sync_arg){ .d = vmb, .n = ops(1000), .size = 64 };
	measure("b.sync.64", LATENCY, v, 2, a[0].n);
	bench_dev_destroy(raw);
	bench_dev_destroy(vmb);
}

/* ---- (c) external data --------------------------------------------------- */

struct ext_buf {
	bool vmalloced;
	u32 bytes;
	u32 npages;
	void *vbuf;
	struct page **pages;
	struct scatterlist *sgl;
	u64 *pfns;			/* Hyper-V frames of the data */
	struct vmb_mdl *mdl;
};

static void ext_buf_free(struct ext_buf *b)
{
	u32 i;

	if (b->mdl)
		vmb_late.mdl_free(b->mdl);
	if (b->pages)
		for (i = 0; i < b->npages; i++)
			if (b->pages[i])
				__free_page(b->pages[i]);
	kvfree(b->pages);
	kvfree(b->sgl);
	kvfree(b->pfns);
	vfree(b->vbuf);
	memset(b, 0, sizeof(*b));
}

/* @bytes of data in separate pages under an sg list, or in one vmalloc area. */
static int ext_buf_alloc(struct ext_buf *b, u32 bytes, bool vmalloced)
{
	u32 i;

	memset(b, 0, sizeof(*b));
	b->bytes = bytes;
	b->vmalloced = vmalloced;
	b->npages = DIV_ROUND_UP(bytes, PAGE_SIZE);
	b->pfns = kvcalloc(b->npages, sizeof(u64), GFP_KERNEL);
	if (!b->pfns)
		goto fail;
	if (vmalloced) {
		b->vbuf = vzalloc(bytes);
		if (!b->vbuf)
			goto fail;
		for (i = 0; i < b->npages; i++)
			b->pfns[i] = vmalloc_to_pfn(b->vbuf + i * PAGE_SIZE);
	} else {
		b->pages = kvcalloc(b->npages, sizeof(*b->pages), GFP_KERNEL);
		b->sgl = kvcalloc(b->npages, sizeof(*b->sgl), GFP_KERNEL);
		if (!b->pages || !b->sgl)
			goto fail;
		sg_init_table(b->sgl, b->npages);
		for (i = 0; i < b->npages; i++) {
			b->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
			if (!b->pages[i])
				goto fail;
			sg_set_page(&b->sgl[i], b->pages[i], PAGE_SIZE, 0);
			b->pfns[i] = page_to_pfn(b->pages[i]);
		}
	}
	return 0;
fail:
	ext_buf_free(b);
	return -ENOMEM;
}

static struct vmb_mdl *ext_buf_mdl(struct ext_buf *b)
{
	if (b->vmalloced)
		return vmb_late.mdl_from_buffer(b->vbuf, b->bytes, GFP_KERNEL);
	return vmb_late.mdl_from_sg(b->sgl, b->npages, GFP_KERNEL);
}

struct mdl_arg {
	struct ext_buf *b;
	u32 n;
};

/* The baseline of MDL construction: the page frame list a raw driver builds. */
static s64 run_raw_pfn_list(void *arg)
{
	struct mdl_arg *a = arg;
	struct ext_buf *b = a->b;
	struct scatterlist *sg;
	u64 t0 = timed_begin();
	u64 *pfns;
	u32 i, j;

	for (i = 0; i < a->n; i++) {
		pfns = kmalloc_array(b->npages, sizeof(u64), GFP_KERNEL);
		if (!pfns)
			return -ENOMEM;
		if (b->vmalloced)
			for (j = 0; j < b->npages; j++)
				pfns[j] = vmalloc_to_pfn(b->vbuf + j * PAGE_SIZE);
		else
			for_each_sg(b->sgl, sg, b->npages, j)
				pfns[j] = page_to_pfn(sg_page(sg));
		kfree(pfns);
	}
	return timed_end(t0);
}

static s64 run_vmb_mdl(void *arg)
{
	struct mdl_arg *a = arg;
	struct vmb_mdl *mdl;
	u64 t0 = timed_begin();
	u32 i;

	for (i = 0; i < a->n; i++) {
		mdl = ext_buf_mdl(a->b);
		if (IS_ERR(mdl))
			return PTR_ERR(mdl);
		vmb_late.mdl_free(mdl);
	}
	return timed_end(t0);
}

static const char *ext_missing(void)
{
	if (!vmb_late.mdl_from_sg || !vmb_late.mdl_from_buffer || !vmb_late.mdl_free)
		return "vmb_mdl constructors not exported by vmbkmcl.ko yet";
	if (!vmb_late.send_ext_mdl)
		return "VmbPacketSendWithExternalMdl not exported by vmbkmcl.ko yet (issue 5)";
	return NULL;
}

static void check_zero_copy(const char *id, struct bench_dev *d, struct ext_buf *b)
{
	bool same = d->gpa_bytes == b->bytes && d->gpa_pfn0 == b->pfns[0];

	/* the host saw the caller's own frames: the data was not bounced */
	pr_info("@@CHECK {\"id\":\"%s\",\"check\":\"zero_copy\",\"ok\":%s,\"ranges\":%u,\"bytes\":%u}\n",
		id, same ? "true" : "false", d->gpa_ranges, d->gpa_bytes);
}

static void group_c(void)
{
	static const u32 sizes[] = { SZ_4K, SZ_64K, SZ_1M };
	struct vmb_config cfg = { .in_pages = 16, .out_pages = 64, .max_packet = 4080,
				  .max_external = SZ_1M };
	struct bench_dev *raw, *vmb;
	struct vmbus_packet_mpb_array *desc;
	const char *na = ext_missing();
	u8 hdr[16] = { 2 };
	struct stream tmpl;
	struct ext_buf b;
	char id[48], title[96];
	unsigned int i, m;
	struct mdl_arg ma[2];
	struct variant v[2] = {
		{ .name = "raw", .fn = run_raw_pfn_list, .arg = &ma[0] },
		{ .name = "vmb", .fn = run_vmb_mdl, .arg = &ma[1] },
	};

	if (!group_selected("c."))
		return;
	desc = kzalloc(struct_size(desc, range.pfn_array, SZ_1M / PAGE_SIZE), GFP_KERNEL);
	if (!desc || open_pair(&cfg, &raw, &vmb)) {
		case_na("c", "all", "setup failed");
		kfree(desc);
		return;
	}

	for (m = 0; m < 2; m++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			snprintf(id, sizeof(id), "c.ext.%s.%u", m ? "vmalloc" : "sg", sizes[i]);
			if (!selected(id))
				continue;
			snprintf(title, sizeof(title),
				 "VmbPacketSendWithExternalMdl (%s) vs vmbus_sendpacket_mpb_desc, %u KiB",
				 m ? "vmalloc" : "sg", sizes[i] / SZ_1K);
			case_begin(id, title, THROUGHPUT, sizes[i]);
			if (ext_buf_alloc(&b, sizes[i], m)) {
				case_na(id, "all", "out of memory");
				continue;
			}
			if (!na) {
				b.mdl = ext_buf_mdl(&b);
				if (IS_ERR(b.mdl)) {
					b.mdl = NULL;
					na = "MDL construction failed";
				}
			}
			stream_init(&tmpl, NULL, 1, ops(sizes[i] >= SZ_1M ? 500 : 1000),
				    sizeof(hdr), true, hdr);
			tmpl.kind = STREAM_EXTERNAL;
			tmpl.mdl = b.mdl;
			tmpl.pfns = b.pfns;
			tmpl.npfns = b.npages;
			tmpl.ext_bytes = b.bytes;
			tmpl.desc = desc;
			stream_case(id, THROUGHPUT, &tmpl, &raw, &vmb, false, na);
			check_zero_copy(id, raw, &b);
			if (!na)
				check_zero_copy(id, vmb, &b);
			ext_buf_free(&b);
		}

		/* MDL construction, per page of a 1 MiB buffer */
		snprintf(id, sizeof(id), "c.mdl.%s", m ? "vmalloc" : "sg");
		if (!selected(id))
			continue;
		snprintf(title, sizeof(title),
			 "MDL construction per page (%s, 1 MiB) vs a PFN list",
			 m ? "vmb_mdl_from_buffer, vmalloc" : "vmb_mdl_from_sg");
		case_begin(id, title, COST, PAGE_SIZE);
		if (ext_buf_alloc(&b, SZ_1M, m)) {
			case_na(id, "all", "out of memory");
			continue;
		}
		ma[0] = (struct mdl_arg){ .b = &b, .n = ops(200) };
		ma[1] = ma[0];
		v[0].na = NULL;
		v[1].na = vmb_late.mdl_free && (m ? !!vmb_late.mdl_from_buffer :
						!!vmb_late.mdl_from_sg) ?
			  NULL : "vmb_mdl constructors not exported by vmbkmcl.ko yet";
		measure(id, COST, v, 2, ma[0].n * b.npages);
		ext_buf_free(&b);
	}
	bench_dev_destroy(raw);
	bench_dev_destroy(vmb);
	kfree(desc);
}

/* ---- (d) incoming -------------------------------------------------------- */

static void group_d(void)
{
	static const u32 sizes[] = { 64, 512, 4096 };
	struct vmb_config cfg = { .in_pages = 64, .out_pages = 16, .max_packet = 4096,
				  .incoming = true };
	struct bench_dev *raw, *vmb;
	struct sync_arg a[2];
	struct variant v[2] = {
		{ .name = "raw", .fn = run_raw_receive, .arg = &a[0] },
		{ .name = "vmb", .fn = run_vmb_receive, .arg = &a[1] },
	};
	char id[48], title[96];
	unsigned int i;

	if (!group_selected("d."))
		return;
	if (open_pair(&cfg, &raw, &vmb)) {
		case_na("d", "all", "setup failed");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(id, sizeof(id), "d.rx.%u", sizes[i]);
		if (!selected(id))
			continue;
		snprintf(title, sizeof(title),
			 "ProcessPacket + VmbChannelPacketComplete vs hv_pkt_iter loop, %u B",
			 sizes[i]);
		case_begin(id, title, THROUGHPUT, sizes[i]);
		a[0] = (struct sync_arg){ .d = raw, .n = ops(4000), .size = sizes[i] };
		a[1] = (struct sync_arg){ .d = vmb, .n = ops(4000), .size = sizes[i] };
		v[0].na = NULL;
		v[1].na = vmb_late.packet_complete ? NULL :
			  "VmbChannelPacketComplete not exported by vmbkmcl.ko yet (issue 6)";
		measure(id, THROUGHPUT, v, 2, a[0].n);
		/* a library that drops host packets never calls ProcessPacket */
		if (!v[1].na && !atomic_read(&vmb->rx))
			case_na(id, "vmb", "ProcessPacket was not called (issue 6)");
	}
	bench_dev_destroy(raw);
	bench_dev_destroy(vmb);
}

/* ---- (e) scale ----------------------------------------------------------- */

/* Send @k transactions the host holds; they stay outstanding until released. */
static int prefill(struct stream *bg, struct bench_dev **d, bool vmb, u32 k, const void *buf)
{
	stream_init(bg, d, 1, k, 64, true, buf);
	bg->window = k + 1;
	bg->alloc = vmb;
	bg->no_end_wait = true;
	if (bench_dev_hold(d[0], k))
		return -ENOMEM;
	if (stream_prepare(bg, vmb))
		return -ENOMEM;
	return vmb ? vmb_stream(bg) : raw_stream(bg);
}

static void unfill(struct stream *bg)
{
	bench_dev_release(bg->devs[0]);
	wait_event(bg->wq, atomic_read(&bg->done) == bg->n);
	stream_release(bg);
}

static void group_e_outstanding(const void *buf)
{
	static const u32 counts[] = { 1, 100, 10000 };
	struct vmb_config cfg = { .in_pages = 64, .out_pages = 64, .max_packet = 64 };
	struct bench_dev *raw, *vmb;
	struct stream tmpl, bg[2];
	char id[48], title[96];
	unsigned int i, c;
	s64 r0, r1;

	if (open_pair(&cfg, &raw, &vmb)) {
		case_na("e.outstanding", "all", "setup failed");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		snprintf(id, sizeof(id), "e.outstanding.%u", counts[i]);
		snprintf(title, sizeof(title), "e.outstanding.cost.%u", counts[i]);
		if (!selected(id) && !selected(title))
			continue;
		r0 = prefill(&bg[0], &raw, false, counts[i], buf);
		r1 = prefill(&bg[1], &vmb, true, counts[i], buf);
		if (r0 < 0 || r1 < 0) {
			case_na(id, "all", "prefill failed");
			break;
		}
		bench_dev_wait_held(raw);
		bench_dev_wait_held(vmb);

		for (c = 0; c < 2; c++) {
			snprintf(id, sizeof(id), "e.outstanding.%s%u", c ? "cost." : "", counts[i]);
			if (!selected(id))
				continue;
			snprintf(title, sizeof(title), "%s with %u transactions outstanding, 64 B",
				 c ? "send call only (host paused)" : "send WAIT_FOR_COMPLETION",
				 counts[i]);
			case_begin(id, title, kind_of(c), 64);
			stream_init(&tmpl, NULL, 1, ops(c ? 1000 : 2000), 64, true, buf);
			if (c) {
				tmpl.send_only = true;
				tmpl.window = tmpl.n;
			}
			stream_case(id, kind_of(c), &tmpl, &raw, &vmb, false, NULL);
		}
		unfill(&bg[0]);
		unfill(&bg[1]);
	}
	bench_dev_destroy(raw);
	bench_dev_destroy(vmb);
}

#define MAX_CHANNELS	64

/*
 * One channel's memory: the slab memory its opening kept (per channel, over
 * MAX_CHANNELS, from mem.c; the simulator's share of vmbus_open() is in both
 * variants alike) and the pages of its rings, which come straight from the
 * page allocator (one block, rounded up to a power of two).
 */
static void report_channel_memory(const char *variant, struct bench_dev *d,
				  long configured, long enabled)
{
	struct vmbus_channel *chan = d->chan;
	unsigned long rings = PAGE_SIZE << get_order(chan->ringbuffer_pagecount << PAGE_SHIFT);

	pr_info("@@MEM {\"what\":\"channel\",\"variant\":\"%s\",\"object_bytes\":%zu,\"configured_slab_bytes\":%ld,\"open_slab_bytes\":%ld,\"requestor_slots\":%u,\"ring_bytes\":%lu,\"total_bytes\":%ld}\n",
		variant, d->ch ? ksize(d->ch) : 0, configured, enabled, chan->rqstor_size,
		rings, configured + enabled + (long)rings);
}

static void report_packet_memory(struct bench_dev *d)
{
	static const u32 sizes[] = { 64, 512, 4080, 4096 };
	VMBCHANNEL ch;
	VMBPACKET pkt;
	unsigned int i;

	/* a second channel object on the same device, never enabled */
	if (VmbChannelAllocate(&d->hv->device, false, &ch))
		return;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (VmbChannelInitSetMaximumPacketSize(ch, sizes[i]))
			continue;
		pkt = VmbPacketAllocate(ch);
		if (!pkt)
			continue;
		pr_info("@@MEM {\"what\":\"packet\",\"variant\":\"vmb\",\"max_packet\":%u,\"sizeof_packet\":%u,\"alloc_bytes\":%zu}\n",
			sizes[i], VmbChannelSizeofPacket(ch), ksize(pkt));
		VmbPacketFree(pkt);
	}
	/* a hand-written driver's per-transaction memory in hv_vmbus: one requestor slot */
	pr_info("@@MEM {\"what\":\"packet\",\"variant\":\"raw\",\"max_packet\":0,\"sizeof_packet\":%zu,\"alloc_bytes\":%zu}\n",
		sizeof(u64), sizeof(u64));
	VmbChannelCleanup(ch);
}

static void group_e_channels(const void *buf)
{
	static const u32 counts[] = { 1, 8, MAX_CHANNELS };
	struct vmb_config cfg = { .in_pages = 4, .out_pages = 4, .max_packet = 64 };
	struct bench_dev **raw, **vmb;
	long m_config = 0, m_enable = 0, m_raw = 0, lost = 0;
	bool tracking = false;
	struct stream tmpl;
	char id[48], title[96];
	unsigned int i, c;
	u32 slots = 0;
	int ret = 0;

	raw = kcalloc(MAX_CHANNELS, sizeof(*raw), GFP_KERNEL);
	vmb = kcalloc(MAX_CHANNELS, sizeof(*vmb), GFP_KERNEL);
	if (!raw || !vmb)
		goto out;

	/* offers first, then the channels on them, their allocations recorded */
	for (i = 0; i < MAX_CHANNELS && !ret; i++) {
		vmb[i] = bench_dev_create();
		ret = PTR_ERR_OR_ZERO(vmb[i]);
		if (!ret) {
			raw[i] = bench_dev_create();
			ret = PTR_ERR_OR_ZERO(raw[i]);
		}
	}
	tracking = !ret && selected("e.mem") && !mem_track_begin();
	mem_track_phase(1);
	for (i = 0; i < MAX_CHANNELS && !ret; i++)
		ret = vmb_configure(vmb[i], &cfg);
	m_config = tracking ? mem_track_kept() : 0;
	mem_track_phase(2);
	for (i = 0; i < MAX_CHANNELS && !ret; i++)
		ret = vmb_enable(vmb[i]);
	m_enable = tracking ? mem_track_kept() : 0;
	if (!ret)
		slots = vmb[0]->chan->rqstor_size;
	mem_track_phase(3);
	for (i = 0; i < MAX_CHANNELS && !ret; i++)
		ret = raw_open(raw[i], cfg.in_pages, cfg.out_pages, cfg.max_packet, slots);
	m_raw = tracking ? mem_track_kept() : 0;
	if (tracking) {
		mem_track_sites("vmb", 1, MAX_CHANNELS);
		mem_track_sites("vmb", 2, MAX_CHANNELS);
		mem_track_sites("raw", 3, MAX_CHANNELS);
		lost = mem_track_end();
	}
	if (ret) {
		case_na("e.channels", "all", "setup failed");
		goto out;
	}
	if (tracking) {
		if (lost)
			pr_info("@@MEM {\"what\":\"untracked allocations\",\"count\":%ld}\n", lost);
		report_channel_memory("vmb", vmb[0], m_config / MAX_CHANNELS,
				      (m_enable - m_config) / MAX_CHANNELS);
		report_channel_memory("raw", raw[0], 0, (m_raw - m_enable) / MAX_CHANNELS);
		report_packet_memory(vmb[0]);
	}

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		for (c = 0; c < 2; c++) {
			snprintf(id, sizeof(id), "e.channels.%s%u", c ? "cost." : "", counts[i]);
			if (!selected(id))
				continue;
			snprintf(title, sizeof(title), "%s, round robin over %u channels, 64 B",
				 c ? "send call only (host paused)" : "send WAIT_FOR_COMPLETION",
				 counts[i]);
			case_begin(id, title, kind_of(c), 64);

			/*
			 * Every channel carries the same load, so that what
			 * changes is the number of channels only: the
			 * protocol signals the host once per packet that
			 * finds a ring empty, per channel. End to end: bursts
			 * of WINDOW sends per channel; send calls only: 32
			 * sends per channel (a paused 4-page ring holds 186
			 * of 64 B), round robin.
			 */
			if (c) {
				stream_init(&tmpl, NULL, counts[i], ops(32) * counts[i], 64,
					    true, buf);
				tmpl.send_only = true;
				tmpl.window = tmpl.n;
			} else {
				stream_init(&tmpl, NULL, counts[i], ops(2048), 64, true, buf);
				tmpl.burst = WINDOW;
			}
			stream_case(id, kind_of(c), &tmpl, raw, vmb, false, NULL);
		}
	}
out:
	for (i = 0; raw && i < MAX_CHANNELS; i++)
		bench_dev_destroy(raw[i]);
	for (i = 0; vmb && i < MAX_CHANNELS; i++)
		bench_dev_destroy(vmb[i]);
	kfree(raw);
	kfree(vmb);
}

#define MAX_SUBCH	4

/*
 * A primary and sub-channels of one device: the stream round robin over
 * 1, 2 and 4 of its channels. The bench boots one vCPU (bench.sh), so
 * every channel targets CPU 0 and what changes is the number of channels
 * alone: per-channel signalling and ring state against spreading the
 * window over more rings, not parallel delivery.
 */
static void group_e_subchannels(const void *buf)
{
	static const u32 counts[] = { 1, 2, MAX_SUBCH };
	struct vmb_config cfg = { .in_pages = 4, .out_pages = 4, .max_packet = 64 };
	struct bench_dev *raw[MAX_SUBCH] = {}, *vmb[MAX_SUBCH] = {};
	struct stream tmpl;
	char id[48], title[96];
	unsigned int i;
	int ret;

	ret = open_pair(&cfg, &raw[0], &vmb[0]);
	if (ret) {
		raw[0] = NULL;
		vmb[0] = NULL;
	}
	for (i = 1; i < MAX_SUBCH && !ret; i++) {
		vmb[i] = bench_subdev_create(vmb[0], i);
		ret = PTR_ERR_OR_ZERO(vmb[i]);
		if (!ret)
			ret = vmb_open(vmb[i], &cfg);
		if (!ret) {
			raw[i] = bench_subdev_create(raw[0], i);
			ret = PTR_ERR_OR_ZERO(raw[i]);
		}
		if (!ret && !raw[i]->chan)
			ret = -ENODEV;
		if (!ret)
			ret = raw_open(raw[i], cfg.in_pages, cfg.out_pages, cfg.max_packet,
				       vmb[0]->chan->rqstor_size);
	}
	if (ret) {
		case_na("e.subch", "all", "setup failed");
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		snprintf(id, sizeof(id), "e.subch.%u", counts[i]);
		if (!selected(id))
			continue;
		snprintf(title, sizeof(title),
			 "send WAIT_FOR_COMPLETION over a primary and %u sub-channels, 64 B",
			 counts[i] - 1);
		case_begin(id, title, THROUGHPUT, 64);
		/* the same load whatever the count: bursts of WINDOW per channel */
		stream_init(&tmpl, NULL, counts[i], ops(4096), 64, true, buf);
		tmpl.burst = WINDOW;
		stream_case(id, THROUGHPUT, &tmpl, raw, vmb, false, NULL);
	}
out:
	bench_subdevs_destroy(raw[0], &raw[1], MAX_SUBCH - 1);
	bench_subdevs_destroy(vmb[0], &vmb[1], MAX_SUBCH - 1);
}

static void group_e(void)
{
	void *buf;

	if (!group_selected("e."))
		return;
	buf = kzalloc(64, GFP_KERNEL);
	if (!buf)
		return;
	if (group_selected("e.outstanding"))
		group_e_outstanding(buf);
	if (group_selected("e.channels") || selected("e.mem"))
		group_e_channels(buf);
	if (group_selected("e.subch"))
		group_e_subchannels(buf);
	kfree(buf);
}

/* ---- (f) the floor ------------------------------------------------------- */

struct copy_arg {
	void *dst;
	const void *src;
	u32 size;
	u32 n;
};

static s64 run_memcpy(void *arg)
{
	struct copy_arg *a = arg;
	u64 t0 = timed_begin();
	u32 i;

	for (i = 0; i < a->n; i++) {
		memcpy(a->dst, a->src, a->size);
		/* keep the copy: the compiler may not drop or merge it */
		barrier_data(a->dst);
	}
	return timed_end(t0);
}

static void group_f(void)
{
	static const u32 sizes[] = { 64, 512, SZ_4K, SZ_64K, SZ_1M };
	struct copy_arg a;
	struct variant v = { .name = "memcpy", .fn = run_memcpy, .arg = &a };
	char id[48], title[64];
	unsigned int i;
	void *src, *dst;

	if (!group_selected("f."))
		return;
	src = vzalloc(SZ_1M);
	dst = vzalloc(SZ_1M);
	if (!src || !dst)
		goto out;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(id, sizeof(id), "f.memcpy.%u", sizes[i]);
		if (!selected(id))
			continue;
		snprintf(title, sizeof(title), "memcpy, %u B", sizes[i]);
		case_begin(id, title, FLOOR, sizes[i]);
		a = (struct copy_arg){ .dst = dst, .src = src, .size = sizes[i],
				       .n = ops(sizes[i] >= SZ_64K ? 50 : 2000) };
		v.na = NULL;
		measure(id, FLOOR, &v, 1, a.n);
	}
out:
	vfree(src);
	vfree(dst);
}

/* ---- module -------------------------------------------------------------- */

/* The library functions that issues 5 and 6 add, looked up when they exist. */
static const struct {
	const char *name;
	void **slot;
} late_symbols[] = {
	{ "VmbPacketSendWithExternalMdl", (void **)&vmb_late.send_ext_mdl },
	{ "VmbChannelPacketComplete", (void **)&vmb_late.packet_complete },
	{ "vmb_mdl_from_sg", (void **)&vmb_late.mdl_from_sg },
	{ "vmb_mdl_from_buffer", (void **)&vmb_late.mdl_from_buffer },
	{ "vmb_mdl_free", (void **)&vmb_late.mdl_free },
};

static void late_lookup(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(late_symbols); i++) {
		*late_symbols[i].slot = __symbol_get(late_symbols[i].name);
		pr_info("@@SYMBOL {\"name\":\"%s\",\"present\":%s}\n", late_symbols[i].name,
			*late_symbols[i].slot ? "true" : "false");
	}
}

static void late_release(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(late_symbols); i++) {
		if (*late_symbols[i].slot)
			__symbol_put(late_symbols[i].name);
		*late_symbols[i].slot = NULL;
	}
}

static int __init vmb_bench_init(void)
{
	int ret;

	ret = bench_driver_register();
	if (ret)
		return ret;
	late_lookup();
	pr_info("@@BEGIN-BENCH {\"runs\":%u,\"quick\":%u,\"cases\":\"%s\",\"profile\":\"%s\",\"cpus\":%u}\n",
		runs, quick, cases, profile, num_online_cpus());

	group_f();
	group_a();
	group_b();
	group_c();
	group_d();
	group_e();

	pr_info("@@END-BENCH {}\n");
	late_release();
	bench_driver_unregister();
	return 0;
}

static void __exit vmb_bench_exit(void)
{
}

module_init(vmb_bench_init);
module_exit(vmb_bench_exit);

MODULE_DESCRIPTION("vmbkmcl benchmarks: Vmb* against the raw hv_vmbus API");
MODULE_LICENSE("GPL");
