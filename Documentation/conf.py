# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of the vmbkmcl documentation. scripts/docs.sh (make docs)
# runs sphinx-build with the environment below; the kernel-doc extension and
# the kernel-doc script come from a kernel source tree (the cached Debian
# linux-source tree), as the kernel's own documentation build uses them.
#   VMBKMCL_KERNEL_SRC  the kernel source tree (Documentation/sphinx, scripts/kernel-doc)
#   VMBKMCL_TOP         this project's top directory (kernel-doc paths are relative to it)

import os
import sys

import sphinx

kernel_src = os.environ.get('VMBKMCL_KERNEL_SRC')
if not kernel_src:
    sys.exit('VMBKMCL_KERNEL_SRC is not set: build the documentation with "make docs"')
top = os.environ.get('VMBKMCL_TOP', os.path.abspath('..'))

sys.path.insert(0, os.path.join(kernel_src, 'Documentation', 'sphinx'))

project = 'vmbkmcl'
author = 'the vmbkmcl authors'
copyright = 'the vmbkmcl authors; GPL-2.0'

needs_sphinx = '3.1'
extensions = ['kerneldoc', 'automarkup']

kerneldoc_bin = os.path.join(kernel_src, 'scripts', 'kernel-doc')
kerneldoc_srctree = top
# Show kernel-doc's own warnings; scripts/docs.sh fails on them.
kerneldoc_verbosity = 1

master_doc = 'index'
exclude_patterns = ['_build']
primary_domain = 'c'
highlight_language = 'none'
pygments_style = 'sphinx'

# Attributes the C domain cannot parse in the prototypes kernel-doc emits.
c_id_attributes = ['__must_check', '__always_inline', '__maybe_unused']

html_theme = 'alabaster'
html_title = 'vmbkmcl'
html_show_sourcelink = False
