// SPDX-License-Identifier: GPL-2.0
int skip_instruction(struct kvm_vcpu *vcpu)
{
	int r = do_skip(vcpu);

	if (!r)
		return 0;

	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
	return r;
}

int emulate(struct kvm_vcpu *vcpu, bool branch)
{
	if (commit(vcpu)) {
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
		if (branch)
			kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
		advance(vcpu);
	}
	return 1;
}

static void set_msr(struct kvm_vcpu *vcpu)
{
	if (pmu_ready)
		kvm_pmu_trigger_event(vcpu, 0);
}
