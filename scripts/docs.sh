#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# docs.sh [OUT_DIR]: build the HTML documentation from Documentation/ with
# Sphinx and the kernel's kernel-doc extension, taken from the cached 6.1
# source tree (or only those two parts of linux-source-6.1, when the tree
# is not extracted yet: no kernel build is needed), into
# OUT_DIR (default build/docs). Fails on any Sphinx or kernel-doc warning;
# the log is OUT_DIR/sphinx.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$TOP/build/docs}
command -v sphinx-build > /dev/null || bash "$TOP/scripts/deps.sh" ||
	die "installing python3-sphinx failed"
src=$(kernel_src 6.1)
if [ ! -f "$src/.vmbkmcl-extracted" ]; then
	src=$TOP/build/docs-kernel
	if [ ! -x "$src/scripts/kernel-doc" ]; then
		tarball=/usr/src/linux-source-6.1.tar.xz
		[ -f "$tarball" ] || bash "$TOP/scripts/deps.sh" || die "no $tarball"
		log "extracting kernel-doc and its Sphinx extension from $tarball"
		rm -rf "$src" && mkdir -p "$src"
		tar -xJf "$tarball" -C "$src" --strip-components=1 --wildcards \
			'*/scripts/kernel-doc' '*/Documentation/sphinx/*'
	fi
fi

mkdir -p "$out"
log=$out/sphinx.log
# -E: read every file again, so that warnings of unchanged files are not
# hidden by the cache of a previous run.
# No __pycache__ in the shared kernel tree.
if ! PYTHONDONTWRITEBYTECODE=1 VMBKMCL_KERNEL_SRC=$src VMBKMCL_TOP=$TOP \
	sphinx-build -E -q -b html -d "$out/.doctrees" "$TOP/Documentation" "$out" \
	> "$log" 2>&1; then
	cat "$log" >&2
	die "sphinx-build failed"
fi
# kernel-doc's warnings reach the log as plain text, not as Sphinx warnings.
if grep -qiE 'warning|error' "$log"; then
	cat "$log" >&2
	die "documentation has $(grep -ciE 'warning|error' "$log") warnings (see $log)"
fi
echo "docs: $out/index.html"
