// SPDX-License-Identifier: GPL-2.0
// check-name: kvm_pmu_eventsel selectors in the emulator pair, two new-API calls in a row
#include "kvm_fixture.h"

static int emulate_writeback(struct kvm_vcpu *vcpu, int arg)
{
	bool have_exception = arg & 1;
	bool exception_is_trap = arg & 2;
	bool ctxt_is_branch = arg & 4;
	int r = 1;

	trace("writeback", arg);
	if (!have_exception || exception_is_trap) {
		kvm_pmu_trigger_event(vcpu, kvm_pmu_eventsel.INSTRUCTIONS_RETIRED);
		if (ctxt_is_branch)
			kvm_pmu_trigger_event(vcpu, kvm_pmu_eventsel.BRANCH_INSTRUCTIONS_RETIRED);
		trace("rip", 0x1000 + arg);
		r = 2;
	}
	trace("writeback done", r);
	return r;
}

static int skip_branch(struct kvm_vcpu *vcpu, int arg)
{
	trace("skip branch", arg);
	kvm_pmu_instruction_retired(vcpu);
	kvm_pmu_branch_retired(vcpu);
	return arg + 1;
}

static int skip_instruction(struct kvm_vcpu *vcpu, int arg)
{
	if (arg & 2) {
		kvm_pmu_instruction_retired(vcpu);
		kvm_pmu_branch_retired(vcpu);
		trace("skip taken", arg);
	}
	return arg;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	if (arg & 8)
		return emulate_writeback(vcpu, arg);
	if (arg & 4)
		return skip_branch(vcpu, arg);
	return skip_instruction(vcpu, arg);
}
