// SPDX-License-Identifier: GPL-2.0
// check-name: lone new-API triggers; a 97-column call after indenting stays unwrapped
#include "kvm_fixture.h"

static struct vcpu_svm *to_svm(struct kvm_vcpu *vcpu)
{
	return (struct vcpu_svm *)((char *)vcpu - __builtin_offsetof(struct vcpu_svm, vcpu));
}

static void retire_instruction(struct kvm_vcpu *vcpu)
{
	trace("retire", vcpu->mode);
	kvm_pmu_instruction_retired(vcpu);
}

static int retire_branch(struct kvm_vcpu *vcpu, int arg)
{
	int taken = arg & 1;

	if (taken)
		trace("taken", arg);
	kvm_pmu_branch_retired(vcpu);
	return taken;
}

static int emulate_jump(struct vcpu_svm *svm_for_the_emulated_jump, int arg)
{
	if (arg & 4) {
		trace("near", arg);
		if (arg & 8) {
			if (svm_for_the_emulated_jump->asid == 0) {
				kvm_pmu_branch_retired(&svm_for_the_emulated_jump->vcpu);
				trace("jump", arg);
			}
		}
	}
	return arg >> 2;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	if (arg & 2)
		retire_instruction(vcpu);
	return retire_branch(vcpu, arg) + emulate_jump(to_svm(vcpu), arg);
}
