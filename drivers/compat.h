/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, force-included into every source of the
 * project (see Kbuild), so the main sources stay upstream-clean. Each entry
 * says which kernels differ and why.
 */
#ifndef _VMB_COMPAT_H
#define _VMB_COMPAT_H

#include <linux/version.h>

#endif /* _VMB_COMPAT_H */
