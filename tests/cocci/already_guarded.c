// SPDX-License-Identifier: GPL-2.0
// check-name: triggers already under an if that tests enable_pmu are left alone
#include "kvm_fixture.h"

static void guarded_unlikely(struct kvm_vcpu *vcpu, int arg)
{
	if (unlikely(vcpu->kvm->arch.enable_pmu))
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
	trace("unlikely", arg);
}

static void guarded_likely(struct kvm_vcpu *vcpu, int arg)
{
	if (likely(vcpu->kvm->arch.enable_pmu)) {
		kvm_pmu_instruction_retired(vcpu);
		trace("likely", arg);
	}
}

static void guarded_plain(struct kvm_vcpu *vcpu, int arg)
{
	trace("plain", arg);
	if (vcpu->kvm->arch.enable_pmu)
		kvm_pmu_branch_retired(vcpu);
}

static void guarded_and_first(struct kvm_vcpu *vcpu, int arg)
{
	bool x = arg & 2;

	if (x && vcpu->kvm->arch.enable_pmu)
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
}

static void guarded_and_last(struct kvm_vcpu *vcpu, int arg)
{
	bool x = arg & 4;

	if (vcpu->kvm->arch.enable_pmu && x) {
		kvm_pmu_instruction_retired(vcpu);
		kvm_pmu_branch_retired(vcpu);
	}
}

static void guarded_local_kvm(struct kvm_vcpu *vcpu, int arg)
{
	struct kvm *kvm = vcpu->kvm;

	trace("local kvm", arg);
	if (kvm->arch.enable_pmu)
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
}

static void guarded_nested(struct kvm_vcpu *vcpu, int arg)
{
	if (unlikely(vcpu->kvm->arch.enable_pmu)) {
		trace("nested", arg);
		if (arg & 8) {
			for (int i = 0; i < 2; i++) {
				kvm_pmu_instruction_retired(vcpu);
				if (i)
					kvm_pmu_branch_retired(vcpu);
			}
		} else {
			kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
		}
	}
}

static void guarded_with_else(struct kvm_vcpu *vcpu, int arg)
{
	if (vcpu->kvm->arch.enable_pmu)
		kvm_pmu_branch_retired(vcpu);
	else
		trace("no pmu", arg);

	/* The else of a negated test runs only with the PMU on. */
	if (!vcpu->kvm->arch.enable_pmu)
		trace("still no pmu", arg);
	else
		kvm_pmu_instruction_retired(vcpu);
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	guarded_with_else(vcpu, arg);
	guarded_unlikely(vcpu, arg);
	if (arg & 1)
		guarded_likely(vcpu, arg);
	else
		guarded_plain(vcpu, arg);
	guarded_and_first(vcpu, arg);
	guarded_and_last(vcpu, arg);
	if (arg & 8)
		guarded_local_kvm(vcpu, arg);
	guarded_nested(vcpu, arg);
	return arg;
}
