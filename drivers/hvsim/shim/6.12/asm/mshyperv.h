/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvsim's <asm/mshyperv.h> for Linux 6.12, found before arch/x86's through
 * NOSTDINC_FLAGS when the upstream hv_vmbus sources and hv_common.c are built
 * against a kernel without CONFIG_HYPERV (see Documentation/hvsim.rst).
 *
 * In 6.12 hv_get_msr()/hv_set_msr() are out of line (hvsim.ko exports them,
 * as vmlinux does with CONFIG_HYPERV), but the hypercalls are still inline
 * asm through hv_hypercall_pg: here they call the simulated hypervisor.
 * The generic half (<asm-generic/mshyperv.h>) is included as with
 * CONFIG_HYPERV=m.
 */
#ifndef _ASM_X86_MSHYPER_H
#define _ASM_X86_MSHYPER_H

#include <linux/types.h>
#include <linux/nmi.h>
#include <linux/msi.h>
#include <linux/io.h>
#include <asm/hyperv-tlfs.h>
#include <asm/nospec-branch.h>
#include <asm/paravirt.h>

#define HV_IOAPIC_BASE_ADDRESS 0xfec00000

#define HV_VTL_NORMAL 0x0
#define HV_VTL_SECURE 0x1
#define HV_VTL_MGMT   0x2

union hv_ghcb;

typedef int (*hyperv_fill_flush_list_func)(struct hv_guest_mapping_flush_list *flush,
					   void *data);

static inline unsigned char hv_get_nmi_reason(void)
{
	return 0;
}

extern bool hyperv_paravisor_present;

bool hv_isolation_type_snp(void);
bool hv_isolation_type_tdx(void);
u64 hv_tdx_hypercall(u64 control, u64 param1, u64 param2);

/* The simulated hypervisor (hvsim.ko): one entry for every hypercall. */
u64 hvsim_hypercall(u64 control, u64 input1, u64 input2, void *input, void *output);

static inline u64 hv_do_hypercall(u64 control, void *input, void *output)
{
	return hvsim_hypercall(control, 0, 0, input, output);
}

static inline u64 _hv_do_fast_hypercall8(u64 control, u64 input1)
{
	return hvsim_hypercall(control, input1, 0, NULL, NULL);
}

static inline u64 hv_do_fast_hypercall8(u16 code, u64 input1)
{
	return _hv_do_fast_hypercall8((u64)code | HV_HYPERCALL_FAST_BIT, input1);
}

static inline u64 hv_do_fast_nested_hypercall8(u16 code, u64 input1)
{
	return _hv_do_fast_hypercall8((u64)code | HV_HYPERCALL_FAST_BIT | HV_HYPERCALL_NESTED,
				      input1);
}

static inline u64 _hv_do_fast_hypercall16(u64 control, u64 input1, u64 input2)
{
	return hvsim_hypercall(control, input1, input2, NULL, NULL);
}

static inline u64 hv_do_fast_hypercall16(u16 code, u64 input1, u64 input2)
{
	return _hv_do_fast_hypercall16((u64)code | HV_HYPERCALL_FAST_BIT, input1, input2);
}

static inline u64 hv_do_fast_nested_hypercall16(u16 code, u64 input1, u64 input2)
{
	return _hv_do_fast_hypercall16((u64)code | HV_HYPERCALL_FAST_BIT | HV_HYPERCALL_NESTED,
				       input1, input2);
}

static inline struct hv_vp_assist_page *hv_get_vp_assist_page(unsigned int cpu)
{
	return NULL;
}

static inline void hv_ivm_msr_write(u64 msr, u64 value) {}
static inline void hv_ivm_msr_read(u64 msr, u64 *value) {}

static inline bool hv_is_synic_msr(unsigned int reg)
{
	return (reg >= HV_X64_MSR_SCONTROL) && (reg <= HV_X64_MSR_SINT15);
}

static inline bool hv_is_sint_msr(unsigned int reg)
{
	return (reg >= HV_X64_MSR_SINT0) && (reg <= HV_X64_MSR_SINT15);
}

u64 hv_get_msr(unsigned int reg);
void hv_set_msr(unsigned int reg, u64 value);
u64 hv_get_non_nested_msr(unsigned int reg);
void hv_set_non_nested_msr(unsigned int reg, u64 value);

static inline void __init hv_vtl_init_platform(void) {}
static inline int __init hv_vtl_early_init(void) { return 0; }

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
