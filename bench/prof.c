// SPDX-License-Identifier: GPL-2.0
/*
 * Profiles in exact instruction counts.
 *
 * Under -icount shift=0 a guest nanosecond is an instruction, so the
 * profile of a figure is where its instructions went. scripts/bench-plugin.c,
 * a QEMU TCG plugin, counts the instructions of every translation block
 * executed between two marker no-ops; a profiled run is one run of a
 * variant with the markers on (timed_begin(), timed_end()), announced by a
 * @@PROFRUN line naming its region. scripts/bench-report.py adds the counts
 * up per function with System.map and the module symbols the harness dumps.
 * Unlike a timer-interrupt sampler this has no skid: the instructions of a
 * region run with interrupts disabled count where they are.
 */
#include <linux/printk.h>

#include "bench.h"

bool prof_on;
static u32 regions;		/* regions opened so far: the plugin counts the same */

void prof_marker_begin(void)
{
	regions++;
	asm volatile(PROF_MARKER_BEGIN ::: "memory");
}

void prof_marker_end(void)
{
	asm volatile(PROF_MARKER_END ::: "memory");
}

/**
 * prof_run() - one run of a variant, profiled
 * @id: the case
 * @variant: the variant's name
 * @fn: the run
 * @arg: its argument
 * @ops: operations the run does
 *
 * Return: the run's result.
 */
s64 prof_run(const char *id, const char *variant, s64 (*fn)(void *arg), void *arg, u32 ops)
{
	u32 first = regions;
	s64 ns;

	WRITE_ONCE(prof_on, true);
	ns = fn(arg);
	WRITE_ONCE(prof_on, false);
	/* a run opens one timed region */
	if (ns > 0 && regions == first + 1)
		pr_info("@@PROFRUN {\"id\":\"%s\",\"variant\":\"%s\",\"region\":%u,\"ops\":%u,\"ns\":%lld}\n",
			id, variant, first, ops, ns);
	return ns;
}
