// SPDX-License-Identifier: GPL-2.0
// check-name: -D global_pmu guards with the enable_pmu module parameter
// check-options: -D global_pmu
#include "kvm_fixture.h"

static void skip_instruction(struct kvm_vcpu *vcpu, int arg)
{
	trace("skip", arg);
	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
}

static void emulate_branch(struct vcpu_vmx *vmx, int arg)
{
	if (arg & 1)
		kvm_pmu_trigger_event(&vmx->vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
	else
		trace("not taken", arg);
}

static void emulate_pair(struct kvm_vcpu *vcpu, int arg)
{
	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
	if (arg & 2)
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
}

static void already_on(struct kvm_vcpu *vcpu, int arg)
{
	if (enable_pmu)
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
	trace("already on", arg);
}

static int early_off(struct kvm_vcpu *vcpu, int arg)
{
	if (!enable_pmu)
		return 0;
	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
	return arg;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	struct vcpu_vmx vmx = { .vcpu = *vcpu };

	skip_instruction(vcpu, arg);
	emulate_branch(&vmx, arg);
	if (arg & 4)
		emulate_pair(vcpu, arg);
	if (arg & 8)
		already_on(vcpu, arg);
	return early_off(vcpu, arg);
}
