# SPDX-License-Identifier: GPL-2.0
#
# vmbkmcl top-level Makefile. The Kbuild file next to it says what is built;
# this file holds the developer commands. 'make help' lists them.

# Default kernel: the running kernel's build directory, else the newest
# installed distro headers.
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	  if [ -d $$d ]; then echo $$d; \
	  else ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | grep -v cloud | sort -V | tail -n 1; fi)

# Which test kernels and which test modules 'make check' runs.
KVERS ?= 6.1 6.12
T ?= *

export KVERS T B

# The project's version (VERSION): the module's MODULE_VERSION, dkms.conf's
# PACKAGE_VERSION and the install directory.
VERSION := $(shell cat $(CURDIR)/VERSION)

# Install locations; DESTDIR stages them all (INSTALL_MOD_PATH the module alone).
DESTDIR ?=
INSTALL_MOD_PATH ?= $(DESTDIR)
INSTALL_MOD_DIR ?= updates
VMBKMCL_SRC = /usr/src/vmbkmcl-$(VERSION)

# The release of the kernel in KDIR, as /lib/modules and vermagic name it: its
# UTS_RELEASE (the Debian 6.1 headers' 'make kernelrelease' says 6.1.<n>).
KRELEASE = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

# modules_install signs with the kernel's own key when KDIR has it; distro
# headers never do, so skip the signing step that could only fail there (DKMS
# signs with its own key).
NO_SIGN = $(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=)

.PHONY: all modules clean run check check-harness bench docs deps help install dkms-src \
	dkms-check

all: modules

modules:
	@test -n "$(KDIR)" || { echo "no kernel build directory: set KDIR or install linux-headers-amd64"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# vmbkmcl.ko into /lib/modules/<release>/updates (then depmod); the public
# header, vmbkmcl.mk and the kernel's Module.symvers into
# /usr/src/vmbkmcl-<version>/ for client modules (vmbkmcl.mk says how).
install:
	@test -n "$(KDIR)" || { echo "no kernel build directory: set KDIR or install linux-headers-amd64"; exit 1; }
	@test -n "$(KRELEASE)" || { echo "no UTS_RELEASE in $(KDIR)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) VMBKMCL_INSTALL=1 modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) VMBKMCL_INSTALL=1 KERNELRELEASE=$(KRELEASE) $(NO_SIGN) \
		INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KRELEASE)
	install -D -m 644 include/vmbkmcl.h $(DESTDIR)$(VMBKMCL_SRC)/include/vmbkmcl.h
	install -D -m 644 vmbkmcl.mk $(DESTDIR)$(VMBKMCL_SRC)/vmbkmcl.mk
	install -D -m 644 VERSION $(DESTDIR)$(VMBKMCL_SRC)/VERSION
	install -D -m 644 Module.symvers $(DESTDIR)$(VMBKMCL_SRC)/$(KRELEASE)/Module.symvers

# The DKMS source tree: what dkms.conf builds, into /usr/src/vmbkmcl-<version>.
DKMS_FILES = VERSION dkms.conf Kbuild vmbkmcl.mk include/vmbkmcl.h drivers/compat.h \
	drivers/vmbkmcl/Kbuild scripts/dkms-post-build.sh \
	$(filter-out %.mod.c,$(wildcard drivers/vmbkmcl/*.[ch]))

dkms-src:
	for f in $(DKMS_FILES); do \
		install -D -m $$(test -x $$f && echo 755 || echo 644) $$f $(DESTDIR)$(VMBKMCL_SRC)/$$f || exit 1; \
	done

# DKMS add/build/install/remove for the cloud-amd64 headers of 6.1 and 6.12,
# 'make install' staged, and a client module built against what it installed.
dkms-check:
	scripts/dkms-check.sh

clean:
	@test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf build

deps:
	scripts/deps.sh

# The samples at work on the cached 6.1 debug test kernel, with a report.
run:
	KVER='$(if $(filter file,$(origin KVERS)),6.1,$(firstword $(KVERS)))' scripts/run.sh

# HTML documentation in build/docs; fails on any Sphinx or kernel-doc warning.
docs:
	scripts/docs.sh

check:
	scripts/check.sh

check-harness:
	scripts/check-harness.sh

# Benchmarks on the 6.1 base kernel unless KVERS is given.
bench:
	KVERS='$(if $(filter file,$(origin KVERS)),6.1,$(KVERS))' scripts/bench.sh

help:
	@echo 'make                 build the modules against KDIR ($(KDIR))'
	@echo 'make run             boot the 6.1 test kernel with hv_vmbus over hvsim (B=sim: vmbus_sim),'
	@echo '                     vmbkmcl and the samples; print a report'
	@echo 'make check           the test suite: KUnit in QEMU on debug 6.1 and 6.12 kernels, static checks'
	@echo '                     on both backends: hv_vmbus over hvsim (upstream) and vmbus_sim (sim);'
	@echo '                     T=<glob> only matching test modules, KVERS=6.1 only one kernel,'
	@echo '                     B=upstream|sim|"upstream sim" the backends'
	@echo 'make check-harness   prove that the harness catches failing fixtures'
	@echo 'make bench           Vmb* vs raw hv_vmbus benchmarks in QEMU -icount (6.1 base kernel); KVERS, CASES, PROFILE'
	@echo 'make docs            HTML documentation (Sphinx + kernel-doc) in build/docs; fails on warnings'
	@echo 'make install         vmbkmcl.ko into /lib/modules/<release>/updates/drivers/vmbkmcl/ (depmod), and'
	@echo '                     for client modules /usr/src/vmbkmcl-$(VERSION)/{include/vmbkmcl.h,vmbkmcl.mk,<release>/Module.symvers};'
	@echo '                     KDIR as above, DESTDIR (or INSTALL_MOD_PATH for the module) to stage'
	@echo 'make dkms-src        the DKMS source tree into /usr/src/vmbkmcl-$(VERSION), then'
	@echo '                     dkms add vmbkmcl/$(VERSION); dkms install vmbkmcl/$(VERSION) -k <release>'
	@echo 'make dkms-check      DKMS and make install against the 6.1 and 6.12 cloud-amd64 headers, and a'
	@echo '                     client module built against the installed files (root)'
	@echo 'make deps            install the Debian packages the commands need'
	@echo 'make clean           remove build products'
