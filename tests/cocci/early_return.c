// SPDX-License-Identifier: GPL-2.0
// check-name: an early return on !enable_pmu guards the triggers after it, other returns do not
#include "kvm_fixture.h"

static int count_instruction(struct kvm_vcpu *vcpu, int arg)
{
	u64 event = (arg & 1) ? PERF_COUNT_HW_BRANCH_INSTRUCTIONS : PERF_COUNT_HW_INSTRUCTIONS;

	if (!vcpu->kvm->arch.enable_pmu)
		return 0;

	trace("count", arg);
	kvm_pmu_trigger_event(vcpu, event);
	return 1;
}

static void count_branch(struct kvm_vcpu *vcpu, int arg)
{
	if (!vcpu->kvm->arch.enable_pmu)
		return;

	if (arg & 2)
		kvm_pmu_branch_retired(vcpu);
	trace("branch", arg);
}

static int count_checked(struct kvm_vcpu *vcpu, int arg)
{
	bool pmu_ok = arg & 4;

	if (!pmu_ok || !vcpu->kvm->arch.enable_pmu)
		return -1;
	kvm_pmu_instruction_retired(vcpu);
	return 2;
}

static int count_unrelated(struct kvm_vcpu *vcpu, int arg)
{
	if (!(arg & 8))
		return 0;

	trace("unrelated", arg);
	kvm_pmu_instruction_retired(vcpu);
	return 3;
}

static int count_both(struct kvm_vcpu *vcpu, int arg)
{
	if (unlikely(!vcpu->kvm->arch.enable_pmu) || arg > 12)
		return 0;

	kvm_pmu_instruction_retired(vcpu);
	trace("both", arg);
	kvm_pmu_branch_retired(vcpu);
	return 4;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	int r = count_instruction(vcpu, arg) + count_both(vcpu, arg);

	count_branch(vcpu, arg);
	r += count_checked(vcpu, arg);
	return r + count_unrelated(vcpu, arg);
}
