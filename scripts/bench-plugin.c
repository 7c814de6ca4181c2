// SPDX-License-Identifier: GPL-2.0
/*
 * bench-plugin.so: a QEMU TCG plugin that counts, exactly, the guest
 * instructions executed per translation block inside regions the guest
 * marks, for the profiles of 'make bench' (Documentation/performance.rst).
 *
 * The guest opens a region with the 7-byte no-op "nopl 0x4d42c0de(%rax)"
 * and closes it with "nopl 0x4d42c0df(%rax)" (bench/bench.h, timed_begin()
 * and timed_end() of a profiled run). At each close the plugin appends to
 * the output file
 *	region N
 *	<block start address, hex> <instructions in the block> <executions>
 * for every block executed in the region, N counting regions from 0 in the
 * order they were opened. Executions times instructions is what -icount
 * shift=0 turns into guest nanoseconds: the profile is exact, without the
 * skid of a timer-interrupt sampler.
 *
 * Usage: qemu-system-x86_64 ... -plugin bench-plugin.so,out=FILE
 *
 * The API is QEMU's plugin API version 1 (QEMU 4.2 to 8.x); the few
 * declarations needed are below, so that no QEMU headers are required.
 * One vCPU is assumed (make bench runs -smp 1): counters are not atomic.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the QEMU plugin API (include/qemu/qemu-plugin.h, version 1) ---------- */

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
				    void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* ---- the plugin ------------------------------------------------------------- */

struct block {
	uint64_t count;			/* executions, bumped inline by QEMU */
	uint64_t base;			/* count when the current region opened */
	uint64_t vaddr;
	uint32_t insns;
	struct block *next;
};

static const uint8_t marker[7] = { 0x0f, 0x1f, 0x80, 0xde, 0xc0, 0x42, 0x4d };

static struct block *blocks;
static FILE *out;
static long region = -1;
static bool open_region;

static void on_marker(unsigned int vcpu, void *userdata)
{
	bool start = (uintptr_t)userdata;
	struct block *b;

	if (start) {
		for (b = blocks; b; b = b->next)
			b->base = b->count;
		region++;
		open_region = true;
		return;
	}
	if (!open_region)
		return;
	open_region = false;
	fprintf(out, "region %ld\n", region);
	for (b = blocks; b; b = b->next)
		if (b->count != b->base)
			fprintf(out, "%llx %u %llu\n", (unsigned long long)b->vaddr, b->insns,
				(unsigned long long)(b->count - b->base));
	fflush(out);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct block *b = calloc(1, sizeof(*b));
	struct qemu_plugin_insn *insn;
	const uint8_t *data;

	if (!b)
		abort();
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	b->insns = n;
	b->next = blocks;
	blocks = b;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->count, 1);

	for (i = 0; i < n; i++) {
		insn = qemu_plugin_tb_get_insn(tb, i);
		if (qemu_plugin_insn_size(insn) != sizeof(marker))
			continue;
		data = qemu_plugin_insn_data(insn);
		/* byte 3 is the displacement's low byte: 0xde opens, 0xdf closes */
		if (memcmp(data, marker, 3) || memcmp(data + 4, marker + 4, 3) ||
		    (data[3] != 0xde && data[3] != 0xdf))
			continue;
		qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
						       (void *)(uintptr_t)(data[3] == 0xde));
	}
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
	if (out)
		fclose(out);
	out = NULL;
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path) {
		fprintf(stderr, "bench-plugin: out=FILE is required\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
