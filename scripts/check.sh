#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: 'make check', the project's test command.
#   1. installs what it needs (scripts/deps.sh)
#   2. static checks (scripts/static.sh)
#   3. for each kernel in $KVERS (default "6.1 6.12"): the cached debug test
#      kernel (scripts/kernel.sh), the project's modules and test modules built
#      against it (W=1, -Werror, sparse), hvsim.ko and the kernel's own
#      hv_vmbus.ko built against it (scripts/lib.sh hvsim_build), and for each
#      backend in $B (default "upstream sim") one QEMU boot that loads, tests
#      and unloads them (scripts/boot.sh) over that backend, and its verdict
#      (scripts/verdict.py), tagged <kernel>-<backend>; then vmb_realhost
#      and vmb_bounce once more per backend with swiotlb=force
#      (<kernel>-<backend>-swiotlb)
#   4. build/check/summary.txt and one closing line "N passed, M failed"
# N counts passed KUnit cases over all kernels and backends; M counts failed
# KUnit cases plus every other failed check. Exit status 0 only when M is 0.
# Environment: KVERS, B (backends: upstream, sim), T (test module glob),
# BOOT_TIMEOUT.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

KVERS=${KVERS:-$ALL_KVERS}
B=${B:-$DEFAULT_BACKENDS}
for b in $B; do
	case " $ALL_BACKENDS " in *" $b "*) ;; *) die "unknown backend $b (one of: $ALL_BACKENDS)" ;; esac
done
out=$TOP/build/check
rm -rf "$out"
# Booted once more with swiotlb=force: suite:cases that must pass unskipped.
SWIOTLB_SUITES="vmb_realhost:external_data_bounced_under_swiotlb_force
vmb_bounce:sends_bounce_through_the_channel_pool,pool_overflow_takes_the_dma_api_path,pool_kept_while_a_queued_send_holds_it"
mkdir -p "$out"
summary=$out/summary.txt
start=$(date +%s)

bash "$TOP/scripts/deps.sh" || die "installing the dependencies failed"

passed=0 failed=0
record() { echo "$*" | tee -a "$summary"; }

log "static checks"
bash "$TOP/scripts/static.sh" "$out" > "$out/static.txt"
failed=$((failed + $?))
cat "$out/static.txt" | tee -a "$summary"

for kver in $KVERS; do
	kdir=$(bash "$TOP/scripts/kernel.sh" "$kver" debug) ||
		{ record "$kver: FAILED [kernel] test kernel build failed"; failed=$((failed + 1)); continue; }
	obj=$TOP/build/obj-$kver-debug
	sync_tree "$obj"
	blog=$out/build-$kver.log
	log "building the modules against the $kver test kernel"
	if ! make -C "$kdir" M="$obj" W=1 C=2 -j"$NPROC" modules > "$blog" 2>&1; then
		record "$kver: FAILED [build] $(grep -m1 -E 'error|ERROR' "$blog")"
		failed=$((failed + 1))
		continue
	fi
	if grep -qE 'warning:|WARNING:' "$blog"; then
		record "$kver: FAILED [build] $(grep -m1 -E 'warning:|WARNING:' "$blog")"
		failed=$((failed + 1))
	fi
	timeout_s=${BOOT_TIMEOUT:-1800}
	hvsim_obj=
	if [[ " $B " == *" upstream "* ]]; then
		log "building hvsim and the upstream hv_vmbus against the $kver test kernel"
		hlog=$out/build-$kver-hvsim.log
		if ! hvsim_obj=$(hvsim_build "$kver" "$kdir" "$hlog"); then
			record "$kver-upstream: FAILED [build] $(grep -m1 -E 'error|ERROR' "$hlog")"
			failed=$((failed + 1))
		elif grep -qE 'warning:|WARNING:' "$hlog"; then
			record "$kver-upstream: FAILED [build] $(grep -m1 -E 'warning:|WARNING:' "$hlog")"
			failed=$((failed + 1))
		fi
	fi
	for backend in $B; do
		tag=$kver-$backend
		if [ "$backend" = upstream ] && [ -z "$hvsim_obj" ]; then
			continue
		fi
		boot_start=$(date +%s)
		BACKEND=$backend HVSIM_OBJ=$hvsim_obj HVSIM_AML=$hvsim_obj/vmbus.aml \
			BOOT_TIMEOUT=$timeout_s bash "$TOP/scripts/boot.sh" "$kver" "$kdir" "$obj" "$out" "$tag"
		record "$tag: boot (load, test, unload) took $(( $(date +%s) - boot_start )) s"
		python3 "$TOP/scripts/verdict.py" "$(kernel_src "$kver")" "$out" "$tag" "$timeout_s" \
			| tee -a "$summary"
		read -r p f < <(python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); print(v["kunit"]["passed"], v["kunit"]["failed"] + len(v["failures"]))' \
			"$out/verdict-$tag.json")
		passed=$((passed + p))
		failed=$((failed + f))

		# The bounce path of a confidential VM, where the host reaches
		# only memory the guest shared: vmb_realhost and vmb_bounce
		# once more with swiotlb bouncing every DMA mapping. Their
		# bounce cases must have run, not skipped.
		swiotlb_t=
		for m in $SWIOTLB_SUITES; do
			# shellcheck disable=SC2053
			[[ ${m%%:*}_test == ${T:-*} ]] && swiotlb_t+="|${m%%:*}"
		done
		[ -n "$swiotlb_t" ] || continue
		tag=$kver-$backend-swiotlb
		T="@(${swiotlb_t#|})_test" EXTRA_CMDLINE=swiotlb=force BACKEND=$backend \
			HVSIM_OBJ=$hvsim_obj HVSIM_AML=$hvsim_obj/vmbus.aml BOOT_TIMEOUT=$timeout_s \
			bash "$TOP/scripts/boot.sh" "$kver" "$kdir" "$obj" "$out" "$tag"
		python3 "$TOP/scripts/verdict.py" "$(kernel_src "$kver")" "$out" "$tag" "$timeout_s" \
			| tee -a "$summary"
		read -r p f < <(python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); print(v["kunit"]["passed"], v["kunit"]["failed"] + len(v["failures"]))' \
			"$out/verdict-$tag.json")
		for m in $SWIOTLB_SUITES; do
			[[ "|${swiotlb_t#|}|" == *"|${m%%:*}|"* ]] || continue
			cases=${m#*:}
			for c in ${cases//,/ }; do
				grep -qE "^ *ok [0-9]+ ${c}\$" "$out/results-$tag.ktap" && continue
				record "$tag: FAILED [swiotlb] ${m%%:*}'s bounce case $c did not pass unskipped"
				f=$((f + 1))
			done
		done
		passed=$((passed + p))
		failed=$((failed + f))
	done
done

record "kernels: $KVERS; backends: $B; test modules: ${T:-*}; $(( $(date +%s) - start )) s"
record "$passed passed, $failed failed"
[ "$failed" = 0 ]
