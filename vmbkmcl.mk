# SPDX-License-Identifier: GPL-2.0
#
# vmbkmcl.mk: for out-of-tree modules that call vmbkmcl. Installed with the
# public headers in /usr/src/vmbkmcl-<version>/ by 'make install' and by
# 'make dkms-src'. Include it from the client's Kbuild (or the kbuild part of
# its Makefile):
#
#	include /usr/src/vmbkmcl-<version>/vmbkmcl.mk
#	obj-m += my_vsc.o
#
# and '#include <vmbkmcl.h>'. It adds the include directory to ccflags-y and
# the Module.symvers of vmbkmcl for the kernel being built for
# ($(KERNELRELEASE)) to KBUILD_EXTRA_SYMBOLS, so that modpost resolves the
# Vmb* symbols and records their CRCs. That Module.symvers is the one
# 'make install' put in <this directory>/<release>/, else the one of a DKMS
# build (/var/lib/dkms/vmbkmcl/<version>/<release>/<arch>/), where <release>
# is the kernel's UTS_RELEASE, the name of its /lib/modules directory (the
# Debian 6.1 headers' KERNELRELEASE is not). Set VMBKMCL_SYMVERS to use
# another.

VMBKMCL_DIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
VMBKMCL_VERSION := $(shell cat $(VMBKMCL_DIR)/VERSION)
VMBKMCL_KRELEASE := $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(objtree)/include/generated/utsrelease.h 2>/dev/null)

VMBKMCL_SYMVERS ?= $(firstword $(wildcard \
	$(VMBKMCL_DIR)/$(VMBKMCL_KRELEASE)/Module.symvers \
	/var/lib/dkms/vmbkmcl/$(VMBKMCL_VERSION)/$(VMBKMCL_KRELEASE)/*/Module.symvers))

ccflags-y += -I$(VMBKMCL_DIR)/include
ifneq ($(VMBKMCL_SYMVERS),)
KBUILD_EXTRA_SYMBOLS += $(VMBKMCL_SYMVERS)
else ifneq ($(VMBKMCL_KRELEASE),)
$(warning vmbkmcl.mk: no Module.symvers of vmbkmcl $(VMBKMCL_VERSION) for $(VMBKMCL_KRELEASE); \
	install vmbkmcl for this kernel or set VMBKMCL_SYMVERS)
endif
