// SPDX-License-Identifier: GPL-2.0
/* The common PMU code: set-up, refresh, and the trigger's loop. */
#include "pmu.h"

const struct pmu_ops *pmu_ops;

void kvm_pmu_refresh(struct kvm_vcpu *vcpu)
{
	pmu_ops->refresh(vcpu);
}

/* The constructor: the whole struct zeroed, then refreshed. */
void kvm_pmu_init(struct kvm_vcpu *vcpu)
{
	struct kvm_pmu *pmu = vcpu->pmu;

	memset(pmu, 0, sizeof(*pmu));
	if (vcpu->apic)
		bitmap_set(pmu->lbr_valid, 0, NUM_LBR);
	bitmap_set(pmu->hw_valid, 0, hw_counters());
	kvm_pmu_refresh(vcpu);
}

/* A call per counter the refresh made valid. */
void kvm_pmu_trigger_event(struct kvm_vcpu *vcpu)
{
	struct kvm_pmu *pmu = vcpu->pmu;
	struct kvm_pmc *pmc;
	unsigned long i;

	for_each_set_bit(i, pmu->all_valid, PMC_IDX_MAX) {
		pmc = pmu_ops->idx_to_pmc(pmu, i);
		if (!pmc)
			continue;
		count_event(pmc);
	}
}
