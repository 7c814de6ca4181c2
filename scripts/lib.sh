# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the vmbkmcl scripts. Sourced, never run.

# Where kernel builds live: outside the checkout so that a fresh clone reuses them.
VMBKMCL_CACHE=${VMBKMCL_CACHE:-/var/cache/vmbkmcl}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NPROC=$(nproc)

# Test kernels supported, each from a Debian source package.
ALL_KVERS="6.1 6.12"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# pkg_version PACKAGE: the installed Debian version, empty when not installed.
pkg_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true
}

# newest_headers FLAVOUR SERIES: /usr/src directory of the newest installed distro
# headers of that flavour ("amd64" or "cloud-amd64") and series ("6.1" or "6.12").
newest_headers() {
	local flavour=$1 series=$2 d
	for d in $(ls -d /usr/src/linux-headers-"$series".*-"$flavour" 2>/dev/null | sort -V); do
		[ -f "$d/Module.symvers" ] || [ -f "$d/Makefile" ] || continue
		case "$d" in
		*-cloud-amd64) [ "$flavour" = cloud-amd64 ] || continue ;;
		esac
		echo "$d"
	done | tail -n 1
}

# kernel_dir KVER VARIANT: the cached build directory (O=) of a test kernel.
# The key holds the source package version and the hash of the fragments, so a
# changed fragment or a new source package gives a new build.
kernel_dir() {
	local kver=$1 variant=$2 ver hash frags
	ver=$(pkg_version "linux-source-$kver")
	[ -n "$ver" ] || die "linux-source-$kver is not installed"
	frags=$(kernel_fragments "$variant")
	# shellcheck disable=SC2086
	hash=$(cat $frags | sha256sum | cut -c1-12)
	echo "$VMBKMCL_CACHE/kbuild-$kver-$ver-$variant-$hash"
}

# kernel_src KVER: the cached extracted source tree of that package version.
kernel_src() {
	local kver=$1
	echo "$VMBKMCL_CACHE/src-$kver-$(pkg_version "linux-source-$kver")"
}

# kernel_fragments VARIANT: the Kconfig fragments of a variant, in merge order.
kernel_fragments() {
	case "$1" in
	debug) echo "$TOP/scripts/kconfig/base.config $TOP/scripts/kconfig/debug.config" ;;
	base) echo "$TOP/scripts/kconfig/base.config" ;;
	*) die "unknown kernel variant $1" ;;
	esac
}

# sync_tree DEST: copy the checkout's sources to DEST for an out-of-place
# build. Build products are neither copied (an in-tree 'make' against another
# kernel leaves some) nor deleted (so that the build in DEST is incremental).
sync_tree() {
	mkdir -p "$1"
	rsync -a --delete --exclude /build --exclude /.git \
		--exclude '*.o' --exclude '*.ko' --exclude '*.mod' --exclude '*.mod.c' \
		--exclude '.*.cmd' --exclude '*.o.d' --exclude modules.order \
		--exclude Module.symvers --exclude '.checkpatch-camelcase.*' \
		"$TOP/" "$1/"
}

# Backends the tests run on: the upstream hv_vmbus over hvsim's simulated
# Hyper-V, and vmbus_sim.
ALL_BACKENDS="upstream sim"
# What make check runs without B=: every suite on both backends.
DEFAULT_BACKENDS="upstream sim"
# What make run uses without B= (make bench: sim, scripts/bench.sh).
DEFAULT_RUN_BACKEND="upstream"

# hvsim_build KVER KDIR LOG: build hvsim.ko and the upstream hv_vmbus.ko (from
# the test kernel's own drivers/hv) against the test kernel in KDIR, in
# build/obj-KVER-VARIANT-hvsim, and the SSDT that gives the VM its VMBUS ACPI
# device (vmbus.aml there). Prints that directory; the build's output goes to
# LOG.
hvsim_build() {
	local kver=$1 kdir=$2 blog=$3 variant=debug obj
	case $kdir in *-base-*) variant=base ;; esac
	obj=$TOP/build/obj-$kver-$variant-hvsim
	sync_tree "$obj"
	make -C "$kdir" M="$obj" VMBKMCL_HVSIM=1 W=1 C=2 -j"$NPROC" modules > "$blog" 2>&1 ||
		return 1
	# "VMBUS" is not a valid _HID for iasl (7 or 8 characters), but it is
	# what Hyper-V's firmware and hv_vmbus use: -f keeps the AML
	iasl -f -p "$obj/vmbus" "$TOP/scripts/hvsim/vmbus.asl" > "$blog.iasl" 2>&1
	[ -s "$obj/vmbus.aml" ] || return 1
	echo "$obj"
}
