#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh: 'make dkms-check', the packaging check. For the newest
# installed cloud-amd64 headers of 6.1 and of 6.12 (the distro kernels,
# CONFIG_HYPERV=m), driven with -k and --kernelsourcedir since neither is the
# running kernel:
#   1. DKMS, in the real places: 'make dkms-src' into /usr/src/vmbkmcl-<version>,
#      dkms add, dkms build and dkms install for each kernel; the installed
#      vmbkmcl.ko carries the kernel's vermagic and the VERSION, depmod finds it
#      (modinfo -k), and a client module builds against the DKMS files; then
#      dkms remove --all, which must leave nothing installed
#   2. 'make install' staged with DESTDIR for each kernel: the module under
#      lib/modules/<release>/updates with modules.dep naming it; vmbkmcl.h,
#      vmbkmcl.mk and <release>/Module.symvers under usr/src/vmbkmcl-<version>
#   3. the out-of-tree client (samples/oot-client), built from a copy that holds
#      nothing of this checkout but its own two files, with W=1 -Werror against
#      the staged files only: no warning, modpost resolves every Vmb* symbol
#      from the installed Module.symvers and records its CRC; and, as a control
#      that this can fail, the same build with an empty Module.symvers must
#      fail on the undefined symbols
# Prints one line per check, ends with "dkms-check: N passed, M failed", exits 0
# only when M is 0. Logs and the staging tree in build/dkms-check/. Needs root
# (sudo otherwise). Leaves the system as it found it: what a previous
# interrupted run left (marked /usr/src/vmbkmcl-<version>/.dkms-check) is
# removed first, and a vmbkmcl/<version> that this check did not add is never
# touched: the check refuses to run instead.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	exec sudo -E bash "$0" "$@"
fi

bash "$TOP/scripts/deps.sh" || die "installing the dependencies failed"

VERSION=$(cat "$TOP/VERSION")
MOD=vmbkmcl
SRCDIR=/usr/src/$MOD-$VERSION
MARK=$SRCDIR/.dkms-check
DKMS_DIR=/var/lib/dkms/$MOD/$VERSION
out=$TOP/build/dkms-check
start=$(date +%s)

# One run at a time: the DKMS tree and /usr/src are shared.
exec 9> /run/lock/vmbkmcl-dkms-check.lock
flock 9

rm -rf "$out"
mkdir -p "$out"
passed=0 failed=0
ok() { echo "dkms-check: ok     $*"; passed=$((passed + 1)); }
bad() { echo "dkms-check: FAILED $*"; failed=$((failed + 1)); }
# check DESCRIPTION COMMAND...: one check, passed when COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

registered() { dkms status -m "$MOD" -v "$VERSION" 2>/dev/null | grep -q .; }

# What the run changes besides the DKMS tree and /usr/src/vmbkmcl-<version>:
# the depmod indexes DKMS makes for a kernel that had none (before: the
# /lib/modules/<release>/modules.* files there were), and DKMS's module signing
# key, made by its first build (mok_new). Both are kept in the marker, so
# that the next run can undo an interrupted one.
declare -A before=()
mok_new=
cleanup() {
	local rel f
	if [ -e "$MARK" ]; then
		registered && dkms remove "$MOD/$VERSION" --all >> "$out/cleanup.log" 2>&1
		rm -rf "$SRCDIR"
	fi
	for f in $mok_new; do
		rm -f "$f"
	done
	for rel in "${!before[@]}"; do
		for f in /lib/modules/"$rel"/modules.*; do
			[ -e "$f" ] || continue
			case " ${before[$rel]} " in *" ${f##*/} "*) ;; *) rm -f "$f" ;; esac
		done
		rmdir /lib/modules/"$rel"/updates/dkms /lib/modules/"$rel"/updates 2>/dev/null
	done
	return 0
}

# What a previous run left behind goes; anything else is someone's install.
if [ -e "$MARK" ]; then
	log "removing what an interrupted dkms-check left"
	# shellcheck disable=SC1090
	. "$MARK"
	cleanup
	before=()
	mok_new=
fi
if registered || [ -e "$SRCDIR" ]; then
	die "$MOD/$VERSION is already installed ($SRCDIR, dkms status); remove it first:
	dkms remove $MOD/$VERSION --all; rm -rf $SRCDIR"
fi

# The kernels: release name (UTS_RELEASE, what /lib/modules and vermagic use)
# and headers directory of each.
rels=() hdrs=()
for series in $ALL_KVERS; do
	hdr=$(newest_headers cloud-amd64 "$series")
	if [ -z "$hdr" ]; then
		bad "[headers] no linux-headers-$series*-cloud-amd64 installed"
		continue
	fi
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$hdr/include/generated/utsrelease.h")
	hdrs+=("$hdr")
	rels+=("$rel")
	before[$rel]=$(cd "/lib/modules/$rel" 2>/dev/null && echo modules.*)
done
for f in /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; do
	[ -e "$f" ] || mok_new="$mok_new $f"
done
mkdir -p "$SRCDIR"
declare -p before mok_new > "$MARK"
trap cleanup EXIT

# A copy of the sources, without this checkout's build products.
src=$out/src
sync_tree "$src"

# ko_file DIR: the module file in DIR (compressed or not), empty if none.
ko_file() { find "$1" -maxdepth 1 -name "$MOD.ko*" 2>/dev/null | head -n 1; }
# vermagic_is FILE RELEASE: the module was built for that kernel.
vermagic_is() { modinfo -F vermagic "$1" 2>/dev/null | grep -q "^$2 "; }
version_is() { [ "$(modinfo -F version "$1" 2>/dev/null)" = "$VERSION" ]; }

# client_build RELEASE HEADERS VMBKMCL_DIR LOGNAME [make args...]: build the
# client from a fresh copy of its own directory; the copy's path in $client.
client_build() {
	local rel=$1 hdr=$2 dir=$3 name=$4
	shift 4
	client=$out/$name
	rm -rf "$client"
	mkdir -p "$client"
	cp "$TOP/samples/oot-client/Kbuild" "$TOP/samples/oot-client/vmb_oot_client.c" "$client/"
	make -C "$hdr" M="$client" W=1 VMBKMCL="$dir" "$@" modules > "$out/$name.log" 2>&1
}

# client_links SYMVERS: the client resolved every vmbkmcl symbol it uses from
# SYMVERS (each CRC in the client's __versions is the one SYMVERS gives), and
# its build log has no warning.
client_links() {
	local symvers=$1 log ko=$client/vmb_oot_client.ko
	local crc sym want n=0
	log=$out/$(basename "$client").log
	[ -f "$ko" ] || { echo "no vmb_oot_client.ko" >&2; return 1; }
	if grep -qE 'warning:|WARNING:' "$log"; then
		grep -m1 -E 'warning:|WARNING:' "$log" >&2
		return 1
	fi
	[ "$(modinfo -F depends "$ko")" = "$MOD" ] || { echo "depends is not $MOD" >&2; return 1; }
	while read -r crc sym; do
		want=$(awk -v s="$sym" '$2 == s { print $1 }' "$symvers")
		[ -n "$want" ] || continue
		n=$((n + 1))
		[ $((crc)) -eq $((want)) ] ||
			{ echo "CRC of $sym: $crc, $symvers says $want" >&2; return 1; }
	done < <(modprobe --dump-modversions "$ko")
	[ "$n" -ge 5 ] || { echo "only $n vmbkmcl symbols versioned" >&2; return 1; }
}

# Every symbol the sources export by name must be in a Module.symvers, as
# vmbkmcl's (tracepoint exports add symbols of their own on top).
export_names=$(grep -hoE '^EXPORT_SYMBOL(_GPL)?\([A-Za-z0-9_]+\)' "$TOP"/drivers/vmbkmcl/*.c |
	sed -E 's/.*\((.*)\)/\1/')
exports=$(echo "$export_names" | wc -w)
symvers_complete() {
	[ -f "$1" ] || return 1
	# shellcheck disable=SC2086
	awk -v want="$(echo $export_names)" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) need[w[i]] = 1 }
		$3 ~ /drivers\/vmbkmcl\/vmbkmcl$/ && ($2 in need) { delete need[$2] }
		END { for (s in need) exit 1 }' "$1"
}

# --- 1. DKMS --------------------------------------------------------------

log "DKMS: make dkms-src, dkms add"
if make -C "$src" dkms-src > "$out/dkms-src.log" 2>&1; then
	ok "make dkms-src: $SRCDIR ($(find "$SRCDIR" -type f | wc -l) files)"
else
	bad "make dkms-src: $(tail -n 1 "$out/dkms-src.log")"
fi
if dkms add "$MOD/$VERSION" > "$out/dkms-add.log" 2>&1; then
	ok "dkms add $MOD/$VERSION"
else
	bad "dkms add $MOD/$VERSION: $(tail -n 1 "$out/dkms-add.log")"
fi

arch=$(uname -m)
for i in "${!rels[@]}"; do
	rel=${rels[$i]} hdr=${hdrs[$i]}
	log "DKMS: build and install for $rel"
	t0=$(date +%s)
	if dkms build "$MOD/$VERSION" -k "$rel" --kernelsourcedir "$hdr" > "$out/dkms-build-$rel.log" 2>&1 &&
	   ! grep -q 'bad exit status' "$out/dkms-build-$rel.log"; then
		ok "dkms build -k $rel ($(($(date +%s) - t0)) s)"
	else
		bad "dkms build -k $rel: see $out/dkms-build-$rel.log and $out/dkms-make-$rel.log"
		cp "$DKMS_DIR/build/make.log" "$out/dkms-make-$rel.log" 2>/dev/null
		continue
	fi
	if grep -qE 'warning:|WARNING:' "$DKMS_DIR/$rel/$arch/log/make.log"; then
		bad "dkms build -k $rel: $(grep -m1 -E 'warning:|WARNING:' "$DKMS_DIR/$rel/$arch/log/make.log")"
	fi
	if ! dkms install "$MOD/$VERSION" -k "$rel" --kernelsourcedir "$hdr" > "$out/dkms-install-$rel.log" 2>&1; then
		bad "dkms install -k $rel: $(grep -m1 -iE 'error' "$out/dkms-install-$rel.log")"
		continue
	fi
	ko=$(ko_file "/lib/modules/$rel/updates/dkms")
	if [ -n "$ko" ] && vermagic_is "$ko" "$rel" && version_is "$ko" &&
	   [ "$(modinfo -k "$rel" -n $MOD 2>/dev/null)" = "$ko" ] &&
	   dkms status -m $MOD -v "$VERSION" -k "$rel" 2>/dev/null | grep -q ': installed'; then
		ok "dkms install -k $rel: ${ko#/lib/modules/"$rel"/}, vermagic $rel, version $VERSION, depmod finds it"
	else
		bad "dkms install -k $rel: module '${ko:-none}' (modinfo -k: $(modinfo -k "$rel" -n $MOD 2>&1)," \
			"vermagic $(modinfo -F vermagic "$ko" 2>/dev/null), version $(modinfo -F version "$ko" 2>/dev/null))"
	fi
	symvers=$DKMS_DIR/$rel/$arch/Module.symvers
	check "DKMS keeps Module.symvers for $rel" symvers_complete "$symvers"
	if client_build "$rel" "$hdr" "$SRCDIR" "client-dkms-$rel" && client_links "$symvers"; then
		ok "client module against the DKMS install for $rel"
	else
		bad "client module against the DKMS install for $rel: see $out/client-dkms-$rel.log"
	fi
done

log "DKMS: remove --all"
if dkms remove "$MOD/$VERSION" --all > "$out/dkms-remove.log" 2>&1 && ! registered; then
	left=$(for rel in "${rels[@]}"; do ko_file "/lib/modules/$rel/updates/dkms"; done)
	if [ -z "$left" ] && [ ! -e "$DKMS_DIR" ]; then
		ok "dkms remove --all: nothing left installed"
	else
		bad "dkms remove --all left: $left"
	fi
else
	bad "dkms remove --all: $(tail -n 1 "$out/dkms-remove.log")"
fi

# --- 2. make install, staged; 3. the client against it --------------------

stage=$out/stage
for i in "${!rels[@]}"; do
	rel=${rels[$i]} hdr=${hdrs[$i]}
	log "make install DESTDIR=$stage for $rel"
	t0=$(date +%s)
	if ! make -C "$src" install KDIR="$hdr" DESTDIR="$stage" > "$out/install-$rel.log" 2>&1; then
		bad "make install KDIR=$hdr: $(grep -m1 -E 'error|ERROR' "$out/install-$rel.log")"
		continue
	fi
	dev=$stage$SRCDIR
	ko=$(ko_file "$stage/lib/modules/$rel/updates/drivers/vmbkmcl")
	if [ -n "$ko" ] && vermagic_is "$ko" "$rel" && version_is "$ko" &&
	   grep -q "^updates/drivers/vmbkmcl/$MOD.ko[^:]*:" "$stage/lib/modules/$rel/modules.dep" &&
	   cmp -s "$TOP/include/vmbkmcl.h" "$dev/include/vmbkmcl.h" && [ -f "$dev/vmbkmcl.mk" ] &&
	   symvers_complete "$dev/$rel/Module.symvers"; then
		ok "make install $rel ($(($(date +%s) - t0)) s): ${ko#"$stage"}, modules.dep," \
			"${SRCDIR#/}/{include/vmbkmcl.h,vmbkmcl.mk,$rel/Module.symvers ($exports symbols)}"
	else
		bad "make install $rel: module '${ko:-none}' or the development files wrong or missing under $stage"
		continue
	fi
	if client_build "$rel" "$hdr" "$dev" "client-$rel" && client_links "$dev/$rel/Module.symvers"; then
		ok "client module against the installed files for $rel: W=1 clean, every Vmb* CRC from the installed Module.symvers"
	else
		bad "client module against the installed files for $rel: see $out/client-$rel.log"
	fi
	: > "$out/empty.symvers"
	if client_build "$rel" "$hdr" "$dev" "client-nosymvers-$rel" VMBKMCL_SYMVERS="$out/empty.symvers"; then
		bad "control: the client built for $rel without vmbkmcl's Module.symvers"
	elif grep -q '"VmbChannelAllocate" .* undefined' "$out/client-nosymvers-$rel.log"; then
		ok "control: without the installed Module.symvers the client fails for $rel (Vmb* undefined)"
	else
		bad "control: the client without Module.symvers failed for $rel, but not on undefined symbols"
	fi
done

cleanup
trap - EXIT
echo "dkms-check: $(($(date +%s) - start)) s"
echo "dkms-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
