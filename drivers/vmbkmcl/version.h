/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The release of vmbkmcl: modinfo's version, and the DKMS package's
 * (PACKAGE_VERSION is read from the #define line below: keep it one line).
 */
#ifndef _VMB_VERSION_H
#define _VMB_VERSION_H

#define VMBKMCL_VERSION "0.1.0"

#endif /* _VMB_VERSION_H */
