// SPDX-License-Identifier: GPL-2.0
// check-name: tests of enable_pmu that do not keep the trigger off with the PMU off
#include "kvm_fixture.h"

/* Either operand of || lets the trigger run with the PMU off. */
static void either(struct kvm_vcpu *vcpu, int arg)
{
	if ((arg & 1) || vcpu->kvm->arch.enable_pmu)
		kvm_pmu_branch_retired(vcpu);
	trace("either", arg);
}

/* A negated test runs its body only with the PMU off. */
static void negated(struct kvm_vcpu *vcpu, int arg)
{
	if (!vcpu->kvm->arch.enable_pmu) {
		trace("negated", arg);
		kvm_pmu_instruction_retired(vcpu);
	}
}

/* Returns only when both hold: with the PMU off and bit 0 set, it goes on. */
static int both_needed(struct kvm_vcpu *vcpu, int arg)
{
	if (!(arg & 1) && !vcpu->kvm->arch.enable_pmu)
		return 0;
	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
	return 1;
}

/* An early return inside a branch does not guard what follows the branch. */
static int nested_return(struct kvm_vcpu *vcpu, int arg)
{
	if (arg & 2) {
		if (!vcpu->kvm->arch.enable_pmu)
			return 0;
	}
	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
	return 2;
}

/* The else of an unrelated negated test is an ordinary branch. */
static void else_branch(struct kvm_vcpu *vcpu, int arg)
{
	if (!(arg & 4))
		trace("then", arg);
	else
		kvm_pmu_branch_retired(vcpu);
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	either(vcpu, arg);
	negated(vcpu, arg);
	else_branch(vcpu, arg);
	return both_needed(vcpu, arg) + nested_return(vcpu, arg);
}
