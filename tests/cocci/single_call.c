// SPDX-License-Identifier: GPL-2.0
// check-name: a lone trigger, the kvm_skip_emulated_instruction() shape
#include "kvm_fixture.h"

static int skip_instruction(struct kvm_vcpu *vcpu, int r)
{
	trace("skip", r);
	if (unlikely(!r))
		return 0;

	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);

	trace("after", r);
	return r;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	return skip_instruction(vcpu, arg & 1);
}
