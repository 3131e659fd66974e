// SPDX-License-Identifier: GPL-2.0
// check-name: a vcpu argument with side effects is not evaluated twice: left for a human
// check-pmu-off-triggers: 32
#include "kvm_fixture.h"

static int next_vcpu(struct kvm_vcpu *vcpu, int arg)
{
	int id = arg;

	trace("vcpu", vcpu->mode);
	kvm_pmu_branch_retired(vcpu_of(id++));
	trace("id", id);
	if (arg & 1)
		kvm_pmu_instruction_retired(vcpu_of(id += 1));
	if (arg & 2)
		kvm_pmu_branch_retired(vcpu_of(id--));
	return id;
}

static int pure(struct kvm_vcpu *vcpu, int arg)
{
	kvm_pmu_branch_retired(vcpu_of(arg == 3));
	return vcpu->mode;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	return next_vcpu(vcpu, arg) + pure(vcpu, arg);
}
