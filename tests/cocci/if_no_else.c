// SPDX-License-Identifier: GPL-2.0
// check-name: a trigger that is the whole body of an else-less if gets braces, comments stay
#include "kvm_fixture.h"

static int single_step(struct kvm_vcpu *vcpu, int arg)
{
	bool trap_pending = arg & 1;

	if (trap_pending &&	/* a #DB is queued: the instruction completed */
	    !(arg & 2))
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
	return trap_pending;
}

static int fast_path(struct kvm_vcpu *vcpu, int arg)
{
	/* The fast path completes the instruction without the emulator. */
	if ((arg & 4) || // both count as retired
	    (arg & 8))
		kvm_pmu_instruction_retired(vcpu);

	if (arg == 5)
		kvm_pmu_branch_retired(vcpu);
	return arg & 12;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	return single_step(vcpu, arg) + fast_path(vcpu, arg);
}
