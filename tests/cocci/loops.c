// SPDX-License-Identifier: GPL-2.0
// check-name: triggers as the whole body of for and while loops, and inside braced loop bodies
#include "kvm_fixture.h"

static int retire_string_op(struct kvm_vcpu *vcpu, int arg)
{
	int i;

	for (i = 0; i < (arg & 3) &&
		    !(arg & 8); i++)
		kvm_pmu_instruction_retired(vcpu);
	return i;
}

static int retire_until_done(struct kvm_vcpu *vcpu, int arg)
{
	int n = 0;

	for (;;) {
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
		if (++n > (arg & 3))
			break;
		trace("again", n);
	}
	return n;
}

static int retire_rep(struct kvm_vcpu *vcpu, int arg)
{
	int count = arg & 6;

	while (count-- > 0 &&
	       !(arg & 1))
		kvm_pmu_branch_retired(vcpu);
	return count;
}

static int retire_block(struct kvm_vcpu *vcpu, int arg)
{
	int n = arg >> 2;

	while (n > 0) {
		trace("block", n);
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
		n--;
	}
	for (int i = 0; i < (arg & 1); i++)
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
	return n;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	return retire_string_op(vcpu, arg) + retire_until_done(vcpu, arg) +
	       retire_rep(vcpu, arg) + retire_block(vcpu, arg);
}
