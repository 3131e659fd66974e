// SPDX-License-Identifier: GPL-2.0
// check-name: comments near a trigger are kept; a commented condition is left for a human
// check-pmu-off-triggers: 12
#include "kvm_fixture.h"

static void commented_condition(struct kvm_vcpu *vcpu, int arg)
{
	if ((arg & 4) ||
	    (arg & 8)) /* either bit counts */
		kvm_pmu_branch_retired(vcpu);
	trace("condition", arg);
}

static void commented_calls(struct kvm_vcpu *vcpu, int arg)
{
	/* Count the instruction before anything can fault. */
	kvm_pmu_instruction_retired(vcpu);	/* retired, not executed */
	if (arg == 5)
		kvm_pmu_branch_retired(vcpu);	/* a taken branch */
	trace("calls", arg);
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	commented_condition(vcpu, arg);
	commented_calls(vcpu, arg);
	return arg;
}
