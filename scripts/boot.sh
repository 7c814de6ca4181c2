#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh KVER KERNEL_DIR OBJ_DIR OUT_DIR TAG: boot the test kernel in QEMU
# (TCG) with an initramfs holding the modules built in OBJ_DIR, and leave
# OUT_DIR/console-TAG.log (the console), OUT_DIR/channel-TAG.log (the result
# channel) and OUT_DIR/qemu-TAG.rc (QEMU's exit status, 124 on timeout).
#
# Modules under test: every .ko outside kunit/ (and outside TESTDIR) in
# OBJ_DIR, and the test modules' fixture (kunit/helpers/), loaded in
# dependency order. Test modules: kunit/*_test.ko (or, with
# FIXTURES=1, kunit/fixtures/*.ko; or TESTDIR/*.ko) whose name matches the
# glob $T, each loaded alone with its kernel log sent to the result channel.
# Backend: BACKEND=sim (default) loads OBJ_DIR's vmbus_sim.ko; BACKEND=upstream
# loads HVSIM_OBJ's hvsim.ko and upstream hv_vmbus.ko in its place (the other
# modules resolve the same symbols by name), gives QEMU the SSDT with the VMBUS
# ACPI device (HVSIM_AML) and hvsim.ko the parameters in HVSIM_PARAMS.
# Environment: T (glob, default *), BOOT_TIMEOUT (s), EXTRA_CMDLINE,
# INIT (the initramfs's /init, default scripts/harness/init),
# TESTDIR (test modules' directory relative to OBJ_DIR, e.g. bench),
# MODPARAMS (parameters for every test module's insmod), QEMU_ARGS (extra
# QEMU arguments, e.g. "-icount shift=0,sleep=off -smp 1"), SYMBOLS=1 (send
# the modules' /proc/kallsyms lines after each test module's log).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kver=$1 kdir=$2 obj=$3 out=$4 tag=$5
T=${T:-*}
BACKEND=${BACKEND:-sim}
timeout_s=${BOOT_TIMEOUT:-1800}

if [ -n "${TESTDIR:-}" ]; then
	testdir=$obj/$TESTDIR
elif [ "${FIXTURES:-0}" = 1 ]; then
	testdir=$obj/kunit/fixtures
else
	testdir=$obj/kunit
fi

root=$out/initramfs-$tag
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules}
cp /usr/bin/busybox "$root/bin/busybox"
cp "${INIT:-$TOP/scripts/harness/init}" "$root/init"
chmod 755 "$root/init"

# modules under test, dependencies first
declare -A path=()
while IFS= read -r ko; do
	path[$(basename "$ko" .ko)]=$ko
done < <(find "$obj" -name '*.ko' \( -path '*/kunit/helpers/*' -o \
	\( ! -path '*/kunit/*' ! -path "$testdir/*" \) \) | sort)
# the backend: what stands in for hv_vmbus
backend_dep=vmbus_sim
if [ "$BACKEND" = upstream ]; then
	unset 'path[vmbus_sim]'
	for m in hvsim hv_vmbus; do
		ko=$(find "${HVSIM_OBJ:?}" -name "$m.ko" | head -n 1)
		[ -n "$ko" ] || die "$m.ko not built in $HVSIM_OBJ"
		path[$m]=$ko
	done
	backend_dep=hv_vmbus
fi
# a module's dependencies, vmbus_sim meaning the backend
deps_of() {
	modinfo -F depends "$1" | tr ',' '\n' | sed "s/^vmbus_sim\$/$backend_dep/"
}
order=() placed=" "
while [ ${#order[@]} -lt ${#path[@]} ]; do
	progress=0
	for m in $(printf '%s\n' "${!path[@]}" | sort); do
		case "$placed" in *" $m "*) continue ;; esac
		ready=1
		for d in $(deps_of "${path[$m]}"); do
			[ -n "${path[$d]:-}" ] || continue
			case "$placed" in *" $d "*) ;; *) ready=0 ;; esac
		done
		[ $ready = 1 ] || continue
		order+=("$m")
		placed="$placed$m "
		progress=1
	done
	[ $progress = 1 ] || die "module dependency cycle among: ${!path[*]}"
done
: > "$root/modules/load.list"
for m in "${order[@]}"; do
	cp "${path[$m]}" "$root/modules/"
	echo "$m.ko" >> "$root/modules/load.list"
done

: > "$root/modules/tests.list"
for ko in "$testdir"/*.ko; do
	[ -e "$ko" ] || continue
	name=$(basename "$ko" .ko)
	# shellcheck disable=SC2053
	[[ $name == $T ]] || continue
	cp "$ko" "$root/modules/"
	echo "$name.ko" >> "$root/modules/tests.list"
done

[ -z "${MODPARAMS:-}" ] || echo "$MODPARAMS" > "$root/modules/params"
[ "${SYMBOLS:-0}" != 1 ] || touch "$root/modules/symbols"
[ -z "${HVSIM_PARAMS:-}" ] || echo "$HVSIM_PARAMS" > "$root/modules/hvsim.params"
qemu_backend=()
[ "$BACKEND" != upstream ] || qemu_backend=(-acpitable "file=${HVSIM_AML:?}")

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out/initramfs-$tag.cpio.gz"

console=$out/console-$tag.log channel=$out/channel-$tag.log
rm -f "$console" "$channel"
cmdline="console=ttyS0 rdinit=/init panic=-1 oops=panic panic_on_warn=1 loglevel=7 kunit.enable=1"
cmdline="$cmdline hung_task_panic=1 softlockup_panic=1 sysctl.kernel.hung_task_timeout_secs=280"
# TCG on a loaded 2-core host can starve a vCPU for tens of seconds: report an
# RCU stall only past 100 s (a real one lasts; the hang detectors stay armed)
cmdline="$cmdline rcupdate.rcu_cpu_stall_timeout=100"
cmdline="$cmdline ${EXTRA_CMDLINE:-}"
log "booting $kver ($tag, backend $BACKEND): $(wc -l < "$root/modules/load.list") modules under test, $(wc -l < "$root/modules/tests.list") test modules"
set +e
# shellcheck disable=SC2086 # QEMU_ARGS is a list of arguments
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
	-nodefaults -display none -no-reboot -monitor none \
	-machine pc -cpu max -smp 2 -m 2G -bios /usr/share/qemu/qboot.rom \
	-serial "file:$console" -serial "file:$channel" \
	-kernel "$kdir/arch/x86/boot/bzImage" -initrd "$out/initramfs-$tag.cpio.gz" \
	-append "$cmdline" "${qemu_backend[@]}" ${QEMU_ARGS:-} </dev/null
echo $? > "$out/qemu-$tag.rc"
set -e
rm -rf "$root"
