#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-harness.sh: 'make check-harness', proof that the harness can fail.
# Boots each fixture of kunit/fixtures/ on its own (one boot each, since most
# of them end the run) and passes only if the verdict reports every fixture as
# a failure naming the expected cause, and the passing control as a pass.
# Then, over the upstream backend (hvsim.ko and the kernel's hv_vmbus.ko), the
# simulated host's own failures: a guest that never gets its version
# response, and a host that never answers GPADL_TEARDOWN, are hangs the
# verdict names; the same open and close with an answering host passes.
# Environment: KVERS (default "6.1 6.12").
set -uo pipefail
. "$(dirname "$0")/lib.sh"

KVERS=${KVERS:-$ALL_KVERS}
out=$TOP/build/check-harness
rm -rf "$out"
mkdir -p "$out"
bash "$TOP/scripts/deps.sh" || die "installing the dependencies failed"

# fixture -> the cause the verdict must name ("pass": must pass)
declare -A expect=(
	[harness_pass]=pass
	[harness_fail]=ktap
	[harness_warn]=warning
	[harness_leak]=kmemleak
	[harness_lockorder]=lockdep
	[harness_atomic_sleep]=atomic-sleep
	[harness_hang]=hang
	[hvsim_pass]=pass
	[hvsim_no_version]=hang
	[hvsim_no_torndown]=hang
)
# hvsim_* fixtures: "<test module> [hvsim.ko parameters]"
declare -A hv_fixture=(
	[hvsim_pass]="harness_hvsim_torndown"
	[hvsim_no_version]="harness_pass fault=no-version"
	[hvsim_no_torndown]="harness_hvsim_torndown fault=no-torndown"
)

caught=0 missed=0
for kver in $KVERS; do
	kdir=$(bash "$TOP/scripts/kernel.sh" "$kver" debug) || die "test kernel $kver failed to build"
	obj=$TOP/build/obj-$kver-fixtures
	sync_tree "$obj"
	hvsim_obj=$(hvsim_build "$kver" "$kdir" "$out/build-$kver-hvsim.log") ||
		die "building hvsim against $kver failed (see $out/build-$kver-hvsim.log)"
	make -C "$kdir" M="$obj" VMBKMCL_FIXTURES=1 VMBKMCL_HVSIM_FIXTURES=1 \
		KBUILD_EXTRA_SYMBOLS="$hvsim_obj/Module.symvers" W=1 -j"$NPROC" modules \
		> "$out/build-$kver.log" 2>&1 ||
		die "building the fixtures against $kver failed (see $out/build-$kver.log)"
	for fx in $(printf '%s\n' "${!expect[@]}" | sort); do
		tag=$kver-$fx
		# hvsim_*: the fixture module and hvsim's fault, over the upstream backend
		mod=$fx backend=sim params=
		case $fx in
		hvsim_*)
			backend=upstream mod=${hv_fixture[$fx]%% *} params=${hv_fixture[$fx]#* }
			[ "$params" != "$mod" ] || params=
			;;
		esac
		# a short hung-task timeout so the hang fixture ends in seconds, not minutes
		T=$mod FIXTURES=1 BOOT_TIMEOUT=300 EXTRA_CMDLINE="sysctl.kernel.hung_task_timeout_secs=10" \
			BACKEND=$backend HVSIM_OBJ=$hvsim_obj HVSIM_AML=$hvsim_obj/vmbus.aml \
			HVSIM_PARAMS=$params \
			bash "$TOP/scripts/boot.sh" "$kver" "$kdir" "$obj" "$out" "$tag"
		report=$(python3 "$TOP/scripts/verdict.py" "$(kernel_src "$kver")" "$out" "$tag" 300)
		verdict_rc=$?
		causes=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); c={f["cause"] for f in v["failures"]}; c |= {"ktap"} if v["kunit"]["failed"] else set(); print(" ".join(sorted(c)))' \
			"$out/verdict-$tag.json")
		want=${expect[$fx]}
		if [ "$want" = pass ]; then
			if [ $verdict_rc = 0 ] && echo "$report" | grep -q 'KUnit [1-9][0-9]* passed, 0 failed'; then
				echo "harness: ok   $kver $fx passed, as it must"
				caught=$((caught + 1))
			else
				echo "harness: FAILED $kver $fx must pass but was reported: ${causes:-no KUnit pass}"
				missed=$((missed + 1))
			fi
		elif [ $verdict_rc != 0 ] && [[ " $causes " == *" $want "* ]]; then
			echo "harness: ok   $kver $fx reported as failure, cause $want (all causes: $causes)"
			caught=$((caught + 1))
		else
			echo "harness: FAILED $kver $fx not reported with cause $want (verdict $verdict_rc, causes: ${causes:-none})"
			missed=$((missed + 1))
		fi
	done
done
echo "$caught passed, $missed failed"
[ $missed = 0 ]
