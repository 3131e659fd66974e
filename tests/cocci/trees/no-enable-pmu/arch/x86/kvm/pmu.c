// SPDX-License-Identifier: GPL-2.0
/* The definition is not a call: coccicheck leaves this file alone. */
void kvm_pmu_trigger_event(struct kvm_vcpu *vcpu, u64 event)
{
	if (!pmu_ready)
		return;
	count_event(vcpu, event);
}
