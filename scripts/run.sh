#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: 'make run', vmbkmcl at work on a machine without Hyper-V.
#   1. installs what it needs (scripts/deps.sh)
#   2. the cached 6.1 debug test kernel (scripts/kernel.sh 6.1 debug, the one
#      'make check' builds and caches)
#   3. vmbus_sim.ko, vmbkmcl.ko and the samples (samples/*: each VSC and its
#      host model) built against it (VMBKMCL_RUN=1: no test modules), and for
#      the upstream backend (the default) hvsim.ko and the kernel's own
#      hv_vmbus.ko, which then stand in for vmbus_sim.ko
#   4. one QEMU boot (scripts/boot.sh with scripts/harness/run-init): the
#      modules loaded, the samples left to run for RUN_SECONDS, every
#      channel's debugfs files read, everything unloaded again
#   5. scripts/run-report.py: a short report of what happened, from the
#      guest's kernel log, trace buffer and debugfs files, ending with one
#      verdict line
# Exit status 0 when every expected step was seen and the kernel stayed clean.
# Everything lands in build/run/ (report.txt, console.log, channel.log).
# Environment: KVER (default 6.1), B (backend: upstream, the default, or
# sim), RUN_SECONDS (default 5), BOOT_TIMEOUT (s, default 300).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kver=${KVER:-6.1}
backend=${B:-$DEFAULT_RUN_BACKEND}
case $backend in upstream | sim) ;; *) die "unknown backend $backend (upstream or sim)" ;; esac
seconds=${RUN_SECONDS:-5}
timeout_s=${BOOT_TIMEOUT:-300}
out=$TOP/build/run
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)

bash "$TOP/scripts/deps.sh" || die "installing the dependencies failed"
kdir=$(bash "$TOP/scripts/kernel.sh" "$kver" debug) || die "the $kver test kernel failed to build"

obj=$TOP/build/obj-$kver-run
sync_tree "$obj"
log "building vmbkmcl, the samples and vmbus_sim against the $kver test kernel"
make -C "$kdir" M="$obj" VMBKMCL_RUN=1 W=1 -j"$NPROC" modules > "$out/build.log" 2>&1 ||
	die "the build failed: $(grep -m1 -E 'error|ERROR' "$out/build.log") (build/run/build.log)"

hvsim_obj=
if [ "$backend" = upstream ]; then
	log "building hvsim and the upstream hv_vmbus against the $kver test kernel"
	hvsim_obj=$(hvsim_build "$kver" "$kdir" "$out/build-hvsim.log") ||
		die "the hvsim build failed: $(grep -m1 -E 'error|ERROR' "$out/build-hvsim.log") (build/run/build-hvsim.log)"
fi

# Module parameters, one "<module>.ko <parameters>" line each: the heartbeat
# host model offers a device and sends heartbeats only when asked to.
params="vmb_heartbeat_host.ko demo_beats=$((seconds * 4)) demo_interval_ms=200"

# What was built, for the report: a sample not built is "not available", a
# sample built but not seen at work is missing.
(cd "$obj" && find . -name '*.ko' ! -path './kunit/*' -printf '%f\n' | sort) > "$out/built.txt"
if [ "$backend" = upstream ]; then
	sed -i '/^vmbus_sim\.ko$/d' "$out/built.txt"
	printf 'hvsim.ko\nhv_vmbus.ko\n' >> "$out/built.txt"
fi

boot() {
	log "booting $kver in QEMU: load, run $seconds s, read debugfs, unload"
	BACKEND=$backend HVSIM_OBJ=$hvsim_obj HVSIM_AML=$hvsim_obj/vmbus.aml \
		INIT=$TOP/scripts/harness/run-init T=none BOOT_TIMEOUT=$timeout_s MODPARAMS=$params \
		EXTRA_CMDLINE="run_seconds=$seconds" \
		bash "$TOP/scripts/boot.sh" "$kver" "$kdir" "$obj" "$out" run ||
		die "the boot failed to start"
}
boot_start=$(date +%s)
boot
# A TCG guest on a loaded host has been seen to stop in early boot, long
# before /init and our modules: boot once more then, and say so.
if ! grep -q '^@@STEP' "$out/channel-run.log" 2>/dev/null; then
	log "the guest never reached /init (last console line: $(tail -n 1 "$out/console-run.log" | tr -d '\r')); booting again"
	mv "$out/console-run.log" "$out/console-run-first.log"
	boot
fi
boot_s=$(( $(date +%s) - boot_start ))

RUN_BACKEND=$backend python3 "$TOP/scripts/run-report.py" "$out" "$kver" "$boot_s" "$(( $(date +%s) - start ))" \
	"$timeout_s" | tee "$out/report.txt"
rc=${PIPESTATUS[0]}
exit "$rc"
