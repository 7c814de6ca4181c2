#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# static.sh OUT_DIR: the checks that need no boot. Prints one line per failed
# check ("FAILED [cause] detail") and one per passed check, keeps the logs in
# OUT_DIR/static/, and exits with the number of failed checks (capped at 100).
#   checkpatch --strict --no-tree on every C source and header
#   kernel-doc -none on every public header, zero warnings
#   the Sphinx documentation (scripts/docs.sh), zero warnings
#   W=1 -Werror + sparse (C=2) + modpost against the distro headers of 6.1 and
#   6.12, amd64 and cloud-amd64, whose Module.symvers holds the real hv_vmbus
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$1/static
mkdir -p "$out"
failed=0
ok() { echo "static: ok   $*"; }
bad() { echo "static: FAILED $*"; failed=$((failed + 1)); }

src=$(kernel_src 6.1)
[ -f "$src/.vmbkmcl-extracted" ] || bash "$TOP/scripts/kernel.sh" 6.1 >/dev/null ||
	die "no 6.1 source tree for checkpatch"
sources=$(cd "$TOP" && git ls-files --cached --others --exclude-standard -- \
	'drivers/*.[ch]' 'include/*.h' 'kunit/*.[ch]' 'samples/*.[ch]' 'bench/*.[ch]' | sort)
[ -n "$sources" ] || bad "[checkpatch] no sources found (not a git checkout?)"

# checkpatch: CAMELCASE is the one check we ignore (the KMCL names keep Windows' spelling);
# the compat header is the one place that tests LINUX_VERSION_CODE.
spelling=$(python3 -c 'import codespell_lib, os; print(os.path.join(os.path.dirname(codespell_lib.__file__), "data", "dictionary.txt"))' 2>/dev/null)
cp_log=$out/checkpatch.log
: > "$cp_log"
for f in $sources; do
	ignore=CAMELCASE
	[ "$f" = drivers/compat.h ] && ignore=$ignore,LINUX_VERSION_CODE
	(cd "$TOP" && perl "$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
		--ignore "$ignore" ${spelling:+--codespell --codespellfile "$spelling"} -f "$f") \
		| grep -E ': (ERROR|WARNING|CHECK):' >> "$cp_log"
done
if [ -s "$cp_log" ]; then
	bad "[checkpatch] $(wc -l < "$cp_log") reports, first: $(head -n 1 "$cp_log")"
elif [ -n "$sources" ]; then
	ok "checkpatch --strict ($(echo "$sources" | wc -w) files)"
fi

kd_log=$out/kernel-doc.log
headers=$(cd "$TOP" && echo include/*.h)
(cd "$TOP" && perl "$src/scripts/kernel-doc" -none $headers) > "$kd_log" 2>&1
if [ -s "$kd_log" ]; then
	bad "[kernel-doc] $(grep -c . "$kd_log") warnings, first: $(head -n 1 "$kd_log")"
else
	ok "kernel-doc -none ($headers)"
fi

docs_log=$out/docs.log
if bash "$TOP/scripts/docs.sh" "$TOP/build/docs" > "$docs_log" 2>&1; then
	ok "docs: Sphinx + kernel-doc, no warnings (build/docs)"
else
	bad "[docs] $(grep -m1 -iE 'warning|error' "$docs_log")"
fi

# One copy of the tree per header set, so the objects of one kernel never
# mix with another's.
for series in 6.1 6.12; do
	for flavour in amd64 cloud-amd64; do
		hdr=$(newest_headers "$flavour" "$series")
		name=distro-$series-$flavour
		if [ -z "$hdr" ]; then
			bad "[build] no linux-headers-$series*-$flavour installed"
			continue
		fi
		obj=$TOP/build/obj-$name
		sync_tree "$obj"
		log=$out/build-$name.log
		if ! make -C "$hdr" M="$obj" W=1 C=2 modules > "$log" 2>&1; then
			bad "[build] $name ($(basename "$hdr")): $(grep -m1 -E 'error|ERROR' "$log")"
		elif grep -qE 'warning:|WARNING:' "$log"; then
			bad "[build] $name ($(basename "$hdr")): $(grep -m1 -E 'warning:|WARNING:' "$log")"
		else
			ok "W=1 sparse modpost $name ($(basename "$hdr")): $(cd "$obj" && find . -name '*.ko' | wc -l) modules"
		fi
	done
done
[ $failed -le 100 ] || failed=100
exit $failed
