// SPDX-License-Identifier: GPL-2.0
// check-name: the vcpu argument as &svm->vcpu, &vmx->vcpu, a call and a cast
#include "kvm_fixture.h"

static struct vcpu_svm *to_svm(struct kvm_vcpu *vcpu)
{
	return (struct vcpu_svm *)((char *)vcpu - __builtin_offsetof(struct vcpu_svm, vcpu));
}

static void svm_skip(struct vcpu_svm *svm)
{
	trace("svm skip", svm->asid);
	kvm_pmu_trigger_event(&svm->vcpu, PERF_COUNT_HW_INSTRUCTIONS);
}

static void vmx_skip(struct vcpu_vmx *vmx)
{
	if (vmx->nested_run_pending)
		trace("nested", vmx->nested_run_pending);
	kvm_pmu_instruction_retired(&vmx->vcpu);
	vmx->nested_run_pending = 0;
}

static int by_id(int arg)
{
	trace("by id", arg);
	kvm_pmu_branch_retired(vcpu_of(arg));
	return arg & 1;
}

static void by_pointer(void *p, int arg)
{
	trace("by pointer", arg);
	kvm_pmu_trigger_event((struct kvm_vcpu *)p, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	struct vcpu_vmx vmx = { .vcpu = *vcpu, .nested_run_pending = arg & 2 };

	switch (arg & 3) {
	case 0:
		svm_skip(to_svm(vcpu));
		break;
	case 1:
		vmx_skip(&vmx);
		break;
	case 2:
		return by_id(arg >> 2);
	default:
		by_pointer(vcpu, arg);
		break;
	}
	return arg;
}
