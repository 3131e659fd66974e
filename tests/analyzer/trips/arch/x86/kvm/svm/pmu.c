// SPDX-License-Identifier: GPL-2.0
/* AMD's refresh: fills the bitmap whatever enable_pmu is. */
#include "../pmu.h"

static struct kvm_pmc *amd_idx_to_pmc(struct kvm_pmu *pmu, int idx)
{
	return idx < (int)pmu->nr_gp ? &pmu->gp[idx] : NULL;
}

static void amd_pmu_refresh(struct kvm_vcpu *vcpu)
{
	struct kvm_pmu *pmu = vcpu->pmu;

	if (guest_cpuid_has(vcpu, X86_FEATURE_PERFCTR_CORE))
		pmu->nr_gp = NUM_COUNTERS_CORE;
	else
		pmu->nr_gp = NUM_COUNTERS;
	bitmap_set(pmu->all_valid, 0, pmu->nr_gp);
}

const struct pmu_ops amd_pmu_ops = {
	.refresh = amd_pmu_refresh,
	.idx_to_pmc = amd_idx_to_pmc,
};
