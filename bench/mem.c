// SPDX-License-Identifier: GPL-2.0
/*
 * Memory accounting: the slab memory a piece of code allocates and keeps.
 *
 * Free-page counts cannot see a few kilobytes per channel (the per-CPU page
 * lists absorb them), so the bench listens to the kmem tracepoints instead:
 * between mem_track_begin() and mem_track_end() every kmalloc() and
 * kmem_cache_alloc() made by the calling task is recorded with its size
 * (the slab slot of kmalloc, the object size of a cache), and forgotten
 * again when it is freed, whoever frees it. What is left is what the code
 * keeps. Pages taken directly from the page allocator (the rings) are not
 * seen here; the caller adds them from the channel's own numbers.
 */
#include <linux/hash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>

#include "bench.h"

#define SLOTS_ORDER	15
#define SLOTS		BIT(SLOTS_ORDER)

struct mem_slot {
	const void *ptr;
	size_t bytes;
	unsigned long call_site;
	int phase;
};

static struct mem_slot *slots;
static DEFINE_RAW_SPINLOCK(lock);
static struct task_struct *tracked;
static long kept;		/* bytes allocated and not freed */
static long lost;		/* allocations the table had no room for */
static int phase;		/* tag of the allocations being recorded */

struct mem_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

/* A freed slot: lookups go on past it, insertions may reuse it. */
#define TOMBSTONE	((const void *)1)

static void remember(const void *ptr, size_t bytes, unsigned long call_site)
{
	unsigned long flags, i, h;
	struct mem_slot *s;

	if (!ptr || current != READ_ONCE(tracked))
		return;
	h = hash_ptr((void *)ptr, SLOTS_ORDER);
	raw_spin_lock_irqsave(&lock, flags);
	for (i = 0; i < SLOTS; i++) {
		s = &slots[(h + i) & (SLOTS - 1)];
		if (!s->ptr || s->ptr == TOMBSTONE) {
			s->ptr = ptr;
			s->bytes = bytes;
			s->call_site = call_site;
			s->phase = phase;
			kept += bytes;
			goto unlock;
		}
	}
	lost++;
unlock:
	raw_spin_unlock_irqrestore(&lock, flags);
}

static void forget(const void *ptr)
{
	unsigned long flags, i, h;
	struct mem_slot *s;

	if (!ptr || !READ_ONCE(tracked))
		return;
	h = hash_ptr((void *)ptr, SLOTS_ORDER);
	raw_spin_lock_irqsave(&lock, flags);
	for (i = 0; i < SLOTS; i++) {
		s = &slots[(h + i) & (SLOTS - 1)];
		if (!s->ptr)
			break;
		if (s->ptr == ptr) {
			kept -= s->bytes;
			s->ptr = TOMBSTONE;
			s->bytes = 0;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&lock, flags);
}

static void probe_kmalloc(void *data, unsigned long call_site, const void *ptr,
			  size_t bytes_req, size_t bytes_alloc, gfp_t gfp, int node)
{
	remember(ptr, bytes_alloc, call_site);
}

static void probe_cache_alloc(void *data, unsigned long call_site, const void *ptr,
			      struct kmem_cache *s, gfp_t gfp, int node)
{
	remember(ptr, kmem_cache_size(s), call_site);
}

static void probe_kfree(void *data, unsigned long call_site, const void *ptr)
{
	forget(ptr);
}

static void probe_cache_free(void *data, unsigned long call_site, const void *ptr,
			     const struct kmem_cache *s)
{
	forget(ptr);
}

static struct mem_tp tps[] = {
	{ "kmalloc", probe_kmalloc },
	{ "kmem_cache_alloc", probe_cache_alloc },
	{ "kfree", probe_kfree },
	{ "kmem_cache_free", probe_cache_free },
};

static void find_tp(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tps); i++)
		if (!strcmp(tp->name, tps[i].name))
			tps[i].tp = tp;
}

/**
 * mem_track_begin() - start recording the calling task's slab allocations
 *
 * Return: 0, or -ENOENT when the kmem tracepoints are missing, -ENOMEM.
 */
int mem_track_begin(void)
{
	unsigned int i;
	int ret;

	slots = vzalloc(SLOTS * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	kept = 0;
	lost = 0;
	for_each_kernel_tracepoint(find_tp, NULL);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		ret = tps[i].tp ? tracepoint_probe_register(tps[i].tp, tps[i].probe, NULL) :
				  -ENOENT;
		if (ret)
			goto unregister;
	}
	WRITE_ONCE(tracked, current);
	return 0;
unregister:
	while (i--)
		tracepoint_probe_unregister(tps[i].tp, tps[i].probe, NULL);
	tracepoint_synchronize_unregister();
	vfree(slots);
	slots = NULL;
	return ret;
}

/* Bytes the task allocated since mem_track_begin() (or the last call) and kept. */
long mem_track_kept(void)
{
	long bytes;
	unsigned long flags;

	raw_spin_lock_irqsave(&lock, flags);
	bytes = kept;
	raw_spin_unlock_irqrestore(&lock, flags);
	return bytes;
}

/* Tag the allocations recorded from now on. */
void mem_track_phase(int tag)
{
	WRITE_ONCE(phase, tag);
}

#define MAX_SITES	32

/**
 * mem_track_sites() - print what a phase kept, by allocation call site
 * @variant: name for the output
 * @tag: the phase
 * @divisor: bytes are divided by it (the number of channels)
 */
void mem_track_sites(const char *variant, int tag, unsigned int divisor)
{
	static struct { unsigned long site; long bytes; } sites[MAX_SITES];
	unsigned long flags, i;
	unsigned int n = 0, j;

	raw_spin_lock_irqsave(&lock, flags);
	for (i = 0; i < SLOTS; i++) {
		struct mem_slot *s = &slots[i];

		if (!s->ptr || s->ptr == TOMBSTONE || s->phase != tag)
			continue;
		for (j = 0; j < n && sites[j].site != s->call_site; j++)
			;
		if (j == n) {
			if (n == MAX_SITES)
				continue;
			sites[n].site = s->call_site;
			sites[n++].bytes = 0;
		}
		sites[j].bytes += s->bytes;
	}
	raw_spin_unlock_irqrestore(&lock, flags);
	for (j = 0; j < n; j++)
		pr_info("@@MEMSITE {\"variant\":\"%s\",\"site\":\"%ps\",\"bytes\":%ld}\n",
			variant, (void *)sites[j].site, sites[j].bytes / divisor);
}

/**
 * mem_track_end() - stop recording
 *
 * Return: allocations that were not recorded for want of room (0 normally).
 */
long mem_track_end(void)
{
	unsigned int i;

	WRITE_ONCE(tracked, NULL);
	for (i = 0; i < ARRAY_SIZE(tps); i++)
		tracepoint_probe_unregister(tps[i].tp, tps[i].probe, NULL);
	tracepoint_synchronize_unregister();
	vfree(slots);
	slots = NULL;
	return lost;
}
