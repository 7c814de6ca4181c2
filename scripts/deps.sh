#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: install the Debian packages the project's commands need, once.
# Non-interactive: CI runs it as root with no terminal.
set -euo pipefail

packages=(
	build-essential bc bison flex libelf-dev libssl-dev cpio kmod rsync
	python3 busybox-static qemu-system-x86 sparse codespell gnuplot-nox dkms
	python3-sphinx acpica-tools
	linux-source-6.1 linux-source-6.12
	linux-headers-amd64 linux-headers-cloud-amd64
	linux-headers-6.12-amd64 linux-headers-6.12-cloud-amd64
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "==> installing: ${missing[*]}" >&2
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
