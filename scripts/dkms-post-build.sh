#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms-post-build.sh DIR: DKMS's POST_BUILD step (dkms.conf), run in the build
# directory. Keeps the build's Module.symvers in DIR, the per-kernel directory
# of the DKMS tree, where vmbkmcl.mk finds it for client modules.
set -e
mkdir -p "$1"
cp Module.symvers "$1/Module.symvers"
