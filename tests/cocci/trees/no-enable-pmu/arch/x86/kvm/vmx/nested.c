// SPDX-License-Identifier: GPL-2.0
static int vmlaunch(struct kvm_vcpu *vcpu)
{
	if (!check(vcpu))
		return 1;
	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
	return enter(vcpu);
}
