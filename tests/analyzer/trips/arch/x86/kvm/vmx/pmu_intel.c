// SPDX-License-Identifier: GPL-2.0
/* Intel's refresh: returns before filling the bitmap when the PMU is off. */
#include "../pmu.h"

static struct kvm_pmc *intel_idx_to_pmc(struct kvm_pmu *pmu, int idx)
{
	return idx < (int)pmu->nr_gp ? &pmu->gp[idx] : NULL;
}

static void intel_pmu_refresh(struct kvm_vcpu *vcpu)
{
	struct kvm_pmu *pmu = vcpu->pmu;

	pmu->nr_gp = 0;
	if (!vcpu->kvm->arch.enable_pmu)
		return;
	pmu->nr_gp = NUM_COUNTERS_INTEL;
	bitmap_set(pmu->all_valid, 0, pmu->nr_gp);
}

const struct pmu_ops intel_pmu_ops = {
	.refresh = intel_pmu_refresh,
	.idx_to_pmc = intel_idx_to_pmc,
};
