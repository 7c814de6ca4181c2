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

export KVERS T

.PHONY: all modules clean check check-harness bench docs deps help

all: modules

modules:
	@test -n "$(KDIR)" || { echo "no kernel build directory: set KDIR or install linux-headers-amd64"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

clean:
	@test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf build

deps:
	scripts/deps.sh

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
	@echo 'make check           the test suite: KUnit in QEMU on debug 6.1 and 6.12 kernels, static checks'
	@echo '                     T=<glob> only matching test modules, KVERS=6.1 only one kernel'
	@echo 'make check-harness   prove that the harness catches failing fixtures'
	@echo 'make bench           Vmb* vs raw hv_vmbus benchmarks in QEMU -icount (6.1 base kernel); KVERS, CASES, PROFILE'
	@echo 'make docs            HTML documentation (Sphinx + kernel-doc) in build/docs; fails on warnings'
	@echo 'make deps            install the Debian packages the commands need'
	@echo 'make clean           remove build products'
