#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: 'make bench', the benchmarks of Documentation/performance.rst.
#   1. installs what it needs (scripts/deps.sh)
#   2. for each kernel in $KVERS (default 6.1): the cached non-debug test
#      kernel (scripts/kernel.sh KVER base: the base fragment only, no KASAN,
#      no lockdep), the modules and bench/vmb_bench.ko built against it
#      (VMBKMCL_BENCH=1), and one QEMU boot (scripts/boot.sh) with
#      -icount shift=0,sleep=off on one vCPU, in which vmb_bench.ko runs every
#      case against vmbus_sim host models that answer at once
#   3. scripts/bench-report.py: build/bench/results.json, results.txt (the
#      tables, also printed) and ratios.png
# Exit status 0 when every boot ran the bench to its end without a kernel
# warning; the figures themselves are reported, never judged here.
# B=upstream runs the same modules over hvsim.ko and the kernel's own
# hv_vmbus.ko (Documentation/hvsim.rst): the raw baseline is then upstream's
# own ring code. Default B=sim.
# Environment: KVERS, B, CASES (comma-separated globs over case ids), PROFILE
# (auto: the cases that miss their target; none; or globs), RUNS (timed runs
# per variant), QUICK=1 (a tenth of the operations), BOOT_TIMEOUT (s).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

KVERS=${KVERS:-6.1}
backend=${B:-sim}
case $backend in upstream | sim) ;; *) die "unknown backend $backend (upstream or sim)" ;; esac
out=$TOP/build/bench
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)

bash "$TOP/scripts/deps.sh" || die "installing the dependencies failed"

# One vCPU: with -icount QEMU runs vCPUs round robin in one thread, and a
# vCPU that waits on another (a spinning lock holder, an IPI) waits for the
# scheduler's kick, in guest time. The host model's work and the guest's
# then share one CPU, as their instructions share one clock anyway.
qemu_args="-icount shift=0,sleep=off -smp 1"
profile=${PROFILE:-auto}
params="cases=${CASES:-*} profile=$profile runs=${RUNS:-5} quick=${QUICK:-0}"
timeout_s=${BOOT_TIMEOUT:-3600}

# Profiles are exact instruction counts from a TCG plugin (scripts/bench-plugin.c)
if [ "$profile" != none ]; then
	gcc -O2 -Wall -shared -fPIC -fvisibility=hidden -o "$out/bench-plugin.so" \
		"$TOP/scripts/bench-plugin.c" || die "building the profiling plugin failed"
fi

# What was measured: the library is whatever the checkout holds now.
{
	echo "commit $(git -C "$TOP" rev-parse HEAD 2>/dev/null || echo none)"
	echo "uncommitted changes: $(git -C "$TOP" status --porcelain -- drivers include 2>/dev/null | wc -l) files in drivers/ and include/"
	echo "sources sha256 $(cd "$TOP" && cat drivers/vmbkmcl/*.[ch] drivers/vmbus_sim/*.[ch] include/*.h | sha256sum | cut -c1-16)"
} > "$out/source.txt"

booted=""
for kver in $KVERS; do
	kdir=$(bash "$TOP/scripts/kernel.sh" "$kver" base) || die "the $kver base kernel failed to build"
	obj=$TOP/build/obj-$kver-base
	sync_tree "$obj"
	blog=$out/build-$kver.log
	log "building the modules and vmb_bench.ko against the $kver base kernel"
	make -C "$kdir" M="$obj" VMBKMCL_BENCH=1 W=1 -j"$NPROC" modules > "$blog" 2>&1 ||
		die "building against $kver failed: $(grep -m1 -E 'error|ERROR' "$blog")"
	hvsim_obj=
	if [ "$backend" = upstream ]; then
		hvsim_obj=$(hvsim_build "$kver" "$kdir" "$out/build-$kver-hvsim.log") ||
			die "building hvsim against $kver failed (see $out/build-$kver-hvsim.log)"
	fi
	log "running the benchmarks on $kver, backend $backend ($params; $qemu_args)"
	kstart=$(date +%s)
	args=$qemu_args symbols=0
	if [ "$profile" != none ]; then
		args="$args -plugin $out/bench-plugin.so,out=$out/insns-$kver.txt"
		symbols=1
		cp "$kdir/System.map" "$out/System.map-$kver"
	fi
	BACKEND=$backend HVSIM_OBJ=$hvsim_obj HVSIM_AML=$hvsim_obj/vmbus.aml \
		TESTDIR=bench T='*' MODPARAMS="$params" QEMU_ARGS="$args" SYMBOLS=$symbols \
		BOOT_TIMEOUT=$timeout_s bash "$TOP/scripts/boot.sh" "$kver" "$kdir" "$obj" "$out" "$kver"
	log "$kver: boot took $(( $(date +%s) - kstart )) s"
	booted="$booted $kver"
done

# shellcheck disable=SC2086 # one argument per kernel
python3 "$TOP/scripts/bench-report.py" "$out" $booted
rc=$?
log "make bench: $(( $(date +%s) - start )) s"
exit $rc
