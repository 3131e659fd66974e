// SPDX-License-Identifier: GPL-2.0
// check-name: -D exit_paths: only the listed exit handlers are rewritten
// check-exit-paths: handle_exit_fast handle_cpuid
// check-pmu-off-triggers: 32
#include "kvm_fixture.h"

static int handle_exit_fast(struct kvm_vcpu *vcpu, int arg)
{
	if (!(arg & 1))
		return 0;
	kvm_pmu_instruction_retired(vcpu);
	return 1;
}

static int handle_cpuid(struct kvm_vcpu *vcpu, int arg)
{
	trace("cpuid", arg);
	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
	if (arg & 2)
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
	return 2;
}

/* Not an exit path: the ioctl that replays a guest's counters on restore. */
static int restore_counters(struct kvm_vcpu *vcpu, int arg)
{
	int i;

	for (i = 0; i < (arg & 3); i++)
		kvm_pmu_branch_retired(vcpu);
	return i;
}

static void emulate_for_debugger(struct kvm_vcpu *vcpu, int arg)
{
	if (arg & 8)
		kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	int r = handle_exit_fast(vcpu, arg);

	if (arg & 4)
		r += handle_cpuid(vcpu, arg);
	r += restore_counters(vcpu, arg);
	emulate_for_debugger(vcpu, arg);
	return r;
}
