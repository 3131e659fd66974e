// SPDX-License-Identifier: GPL-2.0
/* The exit path: the trigger, and loops of each kind the rules tell apart. */
#include "pmu.h"

__attribute__((noinline)) static void walk_lbr(struct kvm_vcpu *vcpu)
{
	unsigned long i;

	for_each_set_bit(i, vcpu->pmu->lbr_valid, PMC_IDX_MAX)
		touch_counter(vcpu->pmu, i);
}

__attribute__((noinline)) static void walk_hw(struct kvm_vcpu *vcpu)
{
	unsigned long i;

	for_each_set_bit(i, vcpu->pmu->hw_valid, PMC_IDX_MAX)
		touch_counter(vcpu->pmu, i);
}

__attribute__((noinline)) static void walk_constant(struct kvm_vcpu *vcpu)
{
	int i;

	for (i = 0; i < NUM_COUNTERS; i++)
		touch_counter(vcpu->pmu, i);
}

__attribute__((noinline)) static void walk_while(struct kvm_vcpu *vcpu)
{
	while (more_work(vcpu))
		do_work(vcpu);
}

int handle_exit_fixture(struct kvm_vcpu *vcpu)
{
	kvm_pmu_trigger_event(vcpu);
	walk_lbr(vcpu);
	walk_hw(vcpu);
	walk_constant(vcpu);
	walk_while(vcpu);
	return 1;
}
