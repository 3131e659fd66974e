// SPDX-License-Identifier: GPL-2.0
// check-name: the 6.1 emulator pair, PERF_COUNT_HW_* events behind one guard
#include "kvm_fixture.h"

static void write_rip(struct kvm_vcpu *vcpu, long rip)
{
	trace("rip", rip + vcpu->mode);
}

static int emulate_writeback(struct kvm_vcpu *vcpu, int arg)
{
	bool have_exception = arg & 1;
	bool exception_is_trap = arg & 2;
	bool ctxt_is_branch = arg & 4;
	int r = 1;

	if (arg & 8) {
		trace("writeback", arg);
		if (!have_exception || exception_is_trap) {
			kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
			if (ctxt_is_branch)
				kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
			write_rip(vcpu, 0x1000 + arg);
			r = 2;
		}
		trace("writeback done", r);
	} else {
		r = 0;
	}
	return r;
}

static void complete_branch(struct kvm_vcpu *vcpu, bool taken)
{
	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
	if (taken)
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
	trace("branch", taken);
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	int r = emulate_writeback(vcpu, arg);

	if (r == 0)
		complete_branch(vcpu, arg & 2);
	return r;
}
