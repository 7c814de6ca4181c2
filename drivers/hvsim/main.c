// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: a simulated Hyper-V (hypervisor and VMBus host) below the upstream
 * hv_vmbus of the test kernels, which have no CONFIG_HYPERV. See
 * Documentation/hvsim.rst.
 *
 * hvsim.ko is loaded first and holds what vmlinux holds on a Hyper-V guest
 * kernel: hv_common.c (built unmodified from the kernel's own source), the
 * hypervisor entry points the <asm/mshyperv.h> override sends hv_vmbus to,
 * and the few symbols a kernel without CONFIG_HYPERV lacks. Its init does
 * what hyperv_init() does at boot for hv_vmbus's sake. Then hv_vmbus.ko
 * (unmodified upstream sources) loads on top, binds to the ACPI device
 * "VMBUS" that the test VM's SSDT provides, and connects to the host half.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/cpuhotplug.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <asm/mshyperv.h>

#include "hyperv_vmbus.h"
#include "hvsim.h"

static int cpuhp_state;

/* ---- what vmlinux lacks without CONFIG_HYPERV ----------------------------- */

/* arch/x86/hyperv/hv_init.c: hv_vmbus's hv_acpi_init() asks first */
bool hv_is_hyperv_initialized(void)
{
	return true;
}
EXPORT_SYMBOL_GPL(hv_is_hyperv_initialized);

/* hv_common.c's panic notifier (crash MSRs, not offered here) */
void hyperv_report_panic(struct pt_regs *regs, long err, bool in_die)
{
}

/* set by hv_common_init() only when the crash MSRs are offered */
bool crash_kexec_post_notifiers;

#ifndef VMB_HV_MSR_OUT_OF_LINE
/*
 * ring_buffer.c maps rings with vmap_pfn() only in SNP isolated VMs, which
 * this hypervisor never reports (CONFIG_VMAP_PFN is off in the test kernels).
 */
void *vmap_pfn(unsigned long *pfns, unsigned int count, pgprot_t prot)
{
	return NULL;
}
EXPORT_SYMBOL_GPL(vmap_pfn);
#endif

#ifdef CONFIG_ACPI
/* in vmlinux but not exported; hv_vmbus's hibernation check asks (no S4) */
bool acpi_sleep_state_supported(u8 sleep_state)
{
	return false;
}
EXPORT_SYMBOL_GPL(acpi_sleep_state_supported);
#endif

#ifdef VMB_HV_MSR_OUT_OF_LINE
/* 6.12: the MSR accessors are out of line in vmlinux with CONFIG_HYPERV */
/* arch/x86/kernel/cpu/mshyperv.c: the CPUID leaf of a Windows Server 2022 host */
int hv_get_hypervisor_version(union hv_hypervisor_version_info *info)
{
	memset(info, 0, sizeof(*info));
	info->major_version = 10;
	info->build_number = 20348;
	return 0;
}

/*
 * vmlinux's is __init and not exported; hv_common.c seeds the RNG with it
 * from a Hyper-V OEM0 ACPI table, which this VM does not have.
 */
void add_bootloader_randomness(const void *buf, size_t len)
{
	add_device_randomness(buf, len);
}

u64 hv_get_msr(unsigned int reg)
{
	return hvsim_msr_read(reg);
}
EXPORT_SYMBOL_GPL(hv_get_msr);

void hv_set_msr(unsigned int reg, u64 value)
{
	hvsim_msr_write(reg, value);
}
EXPORT_SYMBOL_GPL(hv_set_msr);

u64 hv_get_non_nested_msr(unsigned int reg)
{
	return hvsim_msr_read(reg);
}
EXPORT_SYMBOL_GPL(hv_get_non_nested_msr);

void hv_set_non_nested_msr(unsigned int reg, u64 value)
{
	hvsim_msr_write(reg, value);
}
EXPORT_SYMBOL_GPL(hv_set_non_nested_msr);
#endif

/*
 * ---- what hv_vmbus leaves behind ----
 * hv_vmbus never frees hv_context.cpu_context, the per-CPU context that
 * hv_init() allocates: on Hyper-V it is never unloaded. Here it is, after
 * every test run, and kmemleak (6.12) reports it. hvsim frees it when
 * hv_vmbus goes (its exit has run), found by name in hv_vmbus's symbol
 * table: hv_context is not exported.
 */
static struct hv_context *find_hv_context(struct module *mod)
{
#ifdef CONFIG_KALLSYMS_ALL
	struct mod_kallsyms *ks;
	void *addr = NULL;
	unsigned int i;

	preempt_disable();
	ks = rcu_dereference_sched(mod->kallsyms);
	for (i = 0; ks && i < ks->num_symtab; i++) {
		if (!strcmp(ks->strtab + ks->symtab[i].st_name, "hv_context")) {
			addr = (void *)ks->symtab[i].st_value;
			break;
		}
	}
	preempt_enable();
	return addr;
#else
	return NULL;
#endif
}

static int hv_vmbus_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct module *mod = data;
	struct hv_context *ctx;

	if (action != MODULE_STATE_GOING || strcmp(mod->name, "hv_vmbus"))
		return NOTIFY_DONE;
	ctx = find_hv_context(mod);
	if (ctx && ctx->cpu_context) {
		free_percpu(ctx->cpu_context);
		ctx->cpu_context = NULL;
	}
	return NOTIFY_DONE;
}

static struct notifier_block hv_vmbus_nb = {
	.notifier_call = hv_vmbus_notify,
};

/* ---- module ---------------------------------------------------------------- */

static void common_free(void)
{
	unsigned int cpu;

	/* 6.12's hv_common_cpu_die() keeps the pages for a CPU's return */
	for_each_possible_cpu(cpu) {
		if (!hyperv_pcpu_input_arg)
			break;
		kfree(*per_cpu_ptr(hyperv_pcpu_input_arg, cpu));
		*per_cpu_ptr(hyperv_pcpu_input_arg, cpu) = NULL;
	}
	/* hv_common_free() is __init: the same by hand */
	kfree(hv_vp_index);
	hv_vp_index = NULL;
	free_percpu(hyperv_pcpu_output_arg);
	hyperv_pcpu_output_arg = NULL;
	free_percpu(hyperv_pcpu_input_arg);
	hyperv_pcpu_input_arg = NULL;
}

static int __init hvsim_init(void)
{
	int ret;

	ret = hvsim_hyp_init();
	if (ret)
		return ret;
	ret = hvsim_ring_init();
	if (ret)
		goto err_hyp;
	ret = hvsim_vmbus_init();
	if (ret)
		goto err_ring;

	/* what hyperv_init() and ms_hyperv_init_platform() set up at boot */
	ms_hyperv.features = HV_MSR_VP_INDEX_AVAILABLE | HV_MSR_TIME_REF_COUNT_AVAILABLE |
			     HV_MSR_SYNIC_AVAILABLE | HV_MSR_HYPERCALL_AVAILABLE;
	ms_hyperv.max_vp_index = nr_cpu_ids;
	ret = hv_common_init();
	if (ret)
		goto err_vmbus;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvsim:online", hv_common_cpu_init,
				hv_common_cpu_die);
	if (ret < 0)
		goto err_common;
	cpuhp_state = ret;
	ret = register_module_notifier(&hv_vmbus_nb);
	if (ret)
		goto err_cpuhp;
	pr_info("simulated Hyper-V ready: load hv_vmbus\n");
	return 0;

err_cpuhp:
	cpuhp_remove_state(cpuhp_state);
err_common:
	common_free();
err_vmbus:
	hvsim_vmbus_exit();
err_ring:
	hvsim_ring_exit();
err_hyp:
	hvsim_hyp_exit();
	return ret;
}

static void __exit hvsim_exit(void)
{
	unregister_module_notifier(&hv_vmbus_nb);
	hvsim_vmbus_exit();
	cpuhp_remove_state(cpuhp_state);
	common_free();
	hvsim_ring_exit();
	hvsim_hyp_exit();
}

module_init(hvsim_init);
module_exit(hvsim_exit);

MODULE_DESCRIPTION("Simulated Hyper-V and VMBus host below the upstream hv_vmbus");
MODULE_LICENSE("GPL");
