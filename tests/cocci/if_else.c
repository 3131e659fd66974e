// SPDX-License-Identifier: GPL-2.0
// check-name: a trigger that is the whole then-branch of an if/else
#include "kvm_fixture.h"

static int branch(struct kvm_vcpu *vcpu, int arg)
{
	if (arg & 1)
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
	else
		trace("else", arg);

	if (arg & 2)
		kvm_pmu_instruction_retired(vcpu);
	else if (arg & 4)
		trace("else if", arg);
	else {
		/* a comment the rewrite must keep */
		trace("else block", arg);
	}
	return arg;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	return branch(vcpu, arg);
}
