#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-harness.sh: 'make check-harness', proof that the harness can fail.
# Boots each fixture of kunit/fixtures/ on its own (one boot each, since most
# of them end the run) and passes only if the verdict reports every fixture as
# a failure naming the expected cause, and the passing control as a pass.
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
)

caught=0 missed=0
for kver in $KVERS; do
	kdir=$(bash "$TOP/scripts/kernel.sh" "$kver" debug) || die "test kernel $kver failed to build"
	obj=$TOP/build/obj-$kver-fixtures
	sync_tree "$obj"
	make -C "$kdir" M="$obj" VMBKMCL_FIXTURES=1 W=1 -j"$NPROC" modules > "$out/build-$kver.log" 2>&1 ||
		die "building the fixtures against $kver failed (see $out/build-$kver.log)"
	for fx in $(printf '%s\n' "${!expect[@]}" | sort); do
		tag=$kver-$fx
		# a short hung-task timeout so the hang fixture ends in seconds, not minutes
		T=$fx FIXTURES=1 BOOT_TIMEOUT=300 EXTRA_CMDLINE="sysctl.kernel.hung_task_timeout_secs=10" \
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
