/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU's PMU in the shape the trip-count rules read (tests/analyzer/
 * trip_counts.sh): a counter bitmap each vendor's refresh fills, a loop
 * over it on the exit path, a counter loop with a constant bound, a bitmap
 * set only when the vCPU has an APIC, and counts nothing can derive.
 * Our own code: only the shapes are KVM's.
 */
#ifndef TRIPS_PMU_H
#define TRIPS_PMU_H

#include <stdbool.h>
#include <string.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define PMC_IDX_MAX		64
#define NUM_COUNTERS		4
#define NUM_COUNTERS_CORE	6
#define NUM_COUNTERS_INTEL	8
#define NUM_LBR			3
#define X86_FEATURE_PERFCTR_CORE	(6 * 32 + 23)

struct kvm_arch {
	bool enable_pmu;
};

struct kvm {
	struct kvm_arch arch;
};

struct kvm_pmc {
	int idx;
	unsigned long eventsel;
};

struct kvm_pmu {
	unsigned long all_valid[1];	/* each vendor's refresh fills it */
	unsigned long lbr_valid[1];	/* only with an APIC */
	unsigned long hw_valid[1];	/* as many as the hardware says */
	unsigned int nr_gp;
	struct kvm_pmc gp[8];
};

struct kvm_vcpu {
	struct kvm *kvm;
	struct kvm_pmu *pmu;
	void *apic;
};

struct pmu_ops {
	void (*refresh)(struct kvm_vcpu *vcpu);
	struct kvm_pmc *(*idx_to_pmc)(struct kvm_pmu *pmu, int idx);
};

extern const struct pmu_ops *pmu_ops;

static inline void bitmap_zero(unsigned long *map, unsigned int nbits)
{
	memset(map, 0, (nbits + 63) / 64 * sizeof(long));
}

static inline void bitmap_set(unsigned long *map, unsigned int start, unsigned int n)
{
	unsigned int i;

	for (i = start; i < start + n; i++)
		map[i / 64] |= 1UL << (i % 64);
}

unsigned long find_next_bit(const unsigned long *map, unsigned long size, unsigned long from);

#define for_each_set_bit(bit, map, size) \
	for ((bit) = find_next_bit((map), (size), 0); (bit) < (size); \
	     (bit) = find_next_bit((map), (size), (bit) + 1))

bool guest_cpuid_has(struct kvm_vcpu *vcpu, unsigned int feature);
unsigned int hw_counters(void);
void count_event(struct kvm_pmc *pmc);
void touch_counter(struct kvm_pmu *pmu, int i);
bool more_work(struct kvm_vcpu *vcpu);
void do_work(struct kvm_vcpu *vcpu);

void kvm_pmu_init(struct kvm_vcpu *vcpu);
void kvm_pmu_refresh(struct kvm_vcpu *vcpu);
void kvm_pmu_trigger_event(struct kvm_vcpu *vcpu);
int handle_exit_fixture(struct kvm_vcpu *vcpu);

#endif
