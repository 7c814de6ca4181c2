/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvsim's <asm/mshyperv.h> for Linux 6.1, found before arch/x86's through
 * NOSTDINC_FLAGS when the upstream hv_vmbus sources and hv_common.c are built
 * against a kernel without CONFIG_HYPERV (see Documentation/hvsim.rst).
 *
 * Why a whole header: in 6.1, hv_do_hypercall() and the fast hypercalls are
 * inline asm calling hv_hypercall_pg, and hv_get_register()/hv_set_register()
 * are inline rdmsr/wrmsr, so no symbol can redirect them; here they call the
 * simulated hypervisor in hvsim.ko instead. Everything else the hv sources
 * use from this header keeps its upstream declaration, and the generic half
 * (<asm-generic/mshyperv.h>) is included as with CONFIG_HYPERV=m.
 */
#ifndef _ASM_X86_MSHYPER_H
#define _ASM_X86_MSHYPER_H

#include <linux/types.h>
#include <linux/nmi.h>
#include <linux/msi.h>
#include <asm/io.h>
#include <asm/hyperv-tlfs.h>
#include <asm/nospec-branch.h>
#include <asm/paravirt.h>

union hv_ghcb;

typedef int (*hyperv_fill_flush_list_func)(struct hv_guest_mapping_flush_list *flush,
					   void *data);

#define hv_get_raw_timer() rdtsc_ordered()

/* The simulated hypervisor (hvsim.ko): one entry for every hypercall. */
u64 hvsim_hypercall(u64 control, u64 input1, u64 input2, void *input, void *output);
u64 hvsim_msr_read(unsigned int msr);
void hvsim_msr_write(unsigned int msr, u64 value);

static inline u64 hv_do_hypercall(u64 control, void *input, void *output)
{
	return hvsim_hypercall(control, 0, 0, input, output);
}

static inline u64 hv_do_fast_hypercall8(u16 code, u64 input1)
{
	return hvsim_hypercall((u64)code | HV_HYPERCALL_FAST_BIT, input1, 0, NULL, NULL);
}

static inline u64 hv_do_fast_hypercall16(u16 code, u64 input1, u64 input2)
{
	return hvsim_hypercall((u64)code | HV_HYPERCALL_FAST_BIT, input1, input2, NULL, NULL);
}

static inline struct hv_vp_assist_page *hv_get_vp_assist_page(unsigned int cpu)
{
	return NULL;
}

bool hv_isolation_type_snp(void);
static inline void hv_ghcb_msr_write(u64 msr, u64 value) {}
static inline void hv_ghcb_msr_read(u64 msr, u64 *value) {}

static inline int hv_set_mem_host_visibility(unsigned long addr, int numpages, bool visible)
{
	return -1;
}

static inline u64 hv_get_register(unsigned int reg)
{
	return hvsim_msr_read(reg);
}

static inline void hv_set_register(unsigned int reg, u64 value)
{
	hvsim_msr_write(reg, value);
}

/* the generic half as the kernel has it with hv_vmbus as a module */
#ifndef CONFIG_HYPERV_MODULE
#define CONFIG_HYPERV_MODULE 1
#define HVSIM_UNDEF_HYPERV_MODULE
#endif
#include <asm-generic/mshyperv.h>
#ifdef HVSIM_UNDEF_HYPERV_MODULE
#undef CONFIG_HYPERV_MODULE
#undef HVSIM_UNDEF_HYPERV_MODULE
#endif

#endif
