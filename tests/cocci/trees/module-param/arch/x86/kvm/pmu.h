/* SPDX-License-Identifier: GPL-2.0 */
void kvm_pmu_trigger_event(struct kvm_vcpu *vcpu, u64 event);
