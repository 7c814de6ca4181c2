#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh KVER [VARIANT]: build (once) the test kernel for KVER (6.1 or 6.12)
# from Debian's linux-source-KVER package, as allnoconfig plus the fragments of
# VARIANT (debug: base + debug; base: base only), and print its build directory.
#
# The build is cached in $VMBKMCL_CACHE keyed on the source package version and
# the hash of the fragments. One build per cache entry at a time: a lock file
# beside the entry (flock) serialises commands started together, and the
# build runs in <entry>.tmp, renamed to <entry> only once it is complete and
# stamped (.vmbkmcl-done), so an interrupted or concurrent build never leaves
# a half-built kernel that a later run trusts. An interrupted .tmp is resumed
# by make under the lock.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kver=${1:?usage: kernel.sh KVER [VARIANT]}
variant=${2:-debug}
src=$(kernel_src "$kver")
out=$(kernel_dir "$kver" "$variant")

if [ -f "$out/.vmbkmcl-done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$VMBKMCL_CACHE"
# The source tree is shared by every variant of a version: one lock for it,
# then one per build. Both are held until this script exits.
exec 8>"$src.lock"
flock 8
if [ ! -f "$src/.vmbkmcl-extracted" ]; then
	log "extracting linux-source-$kver into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "/usr/src/linux-source-$kver.tar.xz" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.vmbkmcl-extracted"
	mv "$src.tmp" "$src"
fi

exec 9>"$out.lock"
exec 8>&-
flock 9
if [ -f "$out/.vmbkmcl-done" ]; then
	# another command finished it while we waited
	echo "$out"
	exit 0
fi
final=$out
out=$final.tmp
[ ! -e "$final" ] || rm -rf "$final"

frags=$(kernel_fragments "$variant")
mkdir -p "$out"
# shellcheck disable=SC2086
cat $frags > "$out/fragment.config"
log "configuring $kver ($variant) in $out"
make -s -C "$src" O="$out" ARCH=x86_64 KCONFIG_ALLCONFIG="$out/fragment.config" allnoconfig >/dev/null

# merge failures are silent: every fragment line must be in the final .config
missing=0
while IFS= read -r line; do
	case "$line" in
	'' | '#'*) continue ;;
	CONFIG_*=n)
		sym=${line%%=*}
		if grep -q "^$sym=" "$out/.config"; then
			echo "fragment line did not survive: $line ($(grep "^$sym=" "$out/.config"))" >&2
			missing=1
		fi
		;;
	*)
		if ! grep -qxF -- "$line" "$out/.config"; then
			echo "fragment line did not survive: $line" >&2
			missing=1
		fi
		;;
	esac
done < "$out/fragment.config"
[ "$missing" = 0 ] || die "Kconfig fragments of $kver ($variant) did not merge"

log "building $kver ($variant) kernel, -j$NPROC (first run only)"
start=$(date +%s)
make -s -C "$out" ARCH=x86_64 -j"$NPROC" bzImage modules >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; die "kernel build of $kver failed"; }
log "built $kver ($variant) in $(( $(date +%s) - start )) s"
touch "$out/.vmbkmcl-done"
mv "$out" "$final"
echo "$final"
