// SPDX-License-Identifier: GPL-2.0
// check-name: triggers as statements of case labels, with fallthrough and before break
#include "kvm_fixture.h"

#define fallthrough	__attribute__((__fallthrough__))

enum exit_kind { EXIT_NOP, EXIT_JMP, EXIT_JCC, EXIT_CALL, EXIT_HLT };

static int emulate_exit(struct kvm_vcpu *vcpu, enum exit_kind kind, int arg)
{
	int r = 1;

	switch (kind) {
	case EXIT_JCC:
		if (!(arg & 1)) {
			trace("not taken", arg);
			break;
		}
		fallthrough;
	case EXIT_JMP:
		kvm_pmu_branch_retired(vcpu);
		trace("jump", arg);
		fallthrough;
	case EXIT_NOP:
		kvm_pmu_instruction_retired(vcpu);
		break;
	case EXIT_CALL:
		trace("call", arg);
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
		r = 2;
		break;
	default:
		r = 0;
		break;
	}
	return r;
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	return emulate_exit(vcpu, (enum exit_kind)((arg >> 1) % 5), arg);
}
