// SPDX-License-Identifier: GPL-2.0
// check-name: mainline's x86.c and nested.c: the callers of the wrappers get the guard
// check-with: mainline_pmu
/*
 * The callers of kvm_pmu_instruction_retired() and kvm_pmu_branch_retired()
 * as mainline has them: after skipping an instruction, after emulating one
 * (a branch retires a second event), and on VMLAUNCH/VMRESUME.
 */
#include "kvm_fixture.h"

struct x86_emulate_ctxt {
	bool have_exception;
	bool is_branch;
	unsigned long eip;
};

int kvm_pmu_emulate_rdpmc(struct kvm_vcpu *vcpu, int idx);

int kvm_skip_emulated_instruction(struct kvm_vcpu *vcpu, int arg)
{
	int r = arg & 1;

	trace("skip", r);
	if (unlikely(!r))
		return 0;

	kvm_pmu_instruction_retired(vcpu);

	if (unlikely(arg & 8))
		trace("singlestep", arg);
	return r;
}

static int x86_emulate_instruction(struct kvm_vcpu *vcpu, struct x86_emulate_ctxt *ctxt)
{
	trace("emulate", ctxt->eip);
	if (!ctxt->have_exception) {
		kvm_pmu_instruction_retired(vcpu);
		if (ctxt->is_branch)
			kvm_pmu_branch_retired(vcpu);
		trace("rip", ctxt->eip);
	}
	return 1;
}

static int nested_vmx_run(struct kvm_vcpu *vcpu, bool launch)
{
	trace("vmentry", launch);
	if (launch && (vcpu->mode & 1))
		return 0;

	kvm_pmu_branch_retired(vcpu);
	return 1;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	struct x86_emulate_ctxt ctxt = {
		.have_exception = arg & 2,
		.is_branch = arg & 4,
		.eip = (unsigned long)arg,
	};

	return kvm_skip_emulated_instruction(vcpu, arg) +
	       x86_emulate_instruction(vcpu, &ctxt) +
	       nested_vmx_run(vcpu, arg & 8) +
	       kvm_pmu_emulate_rdpmc(vcpu, arg);
}
