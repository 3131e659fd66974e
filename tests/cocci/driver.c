// SPDX-License-Identifier: GPL-2.0
/*
 * Runs one fixture's run_fixture() for every arg in 0..15 with the VM's PMU
 * on or off (argv[1]) and prints a trace of everything it did.  The fixture
 * test compares the traces of the original and the rewritten fixture.  The
 * triggers are weak: a fixture may bring its own.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kvm_fixture.h"

struct kvm_pmu_emulated_event_selectors kvm_pmu_eventsel = {
	.INSTRUCTIONS_RETIRED = 0xc0,
	.BRANCH_INSTRUCTIONS_RETIRED = 0xc4,
};
bool enable_pmu;

static struct kvm vm;
static struct vcpu_svm vcpus[2];

__attribute__((weak)) void kvm_pmu_trigger_event(struct kvm_vcpu *vcpu, u64 event)
{
	printf("trigger kvm_pmu_trigger_event vcpu%d 0x%llx\n", vcpu->mode,
	       (unsigned long long)event);
}

__attribute__((weak)) void kvm_pmu_instruction_retired(struct kvm_vcpu *vcpu)
{
	printf("trigger kvm_pmu_instruction_retired vcpu%d\n", vcpu->mode);
}

__attribute__((weak)) void kvm_pmu_branch_retired(struct kvm_vcpu *vcpu)
{
	printf("trigger kvm_pmu_branch_retired vcpu%d\n", vcpu->mode);
}

void trace(const char *what, long value)
{
	printf("%s %ld\n", what, value);
}

struct kvm_vcpu *vcpu_of(int id)
{
	return &vcpus[id & 1].vcpu;
}

int main(int argc, char **argv)
{
	int arg;

	if (argc != 2) {
		fprintf(stderr, "usage: %s 0|1 (the VM's PMU off or on)\n", argv[0]);
		return 2;
	}
	vm.arch.enable_pmu = enable_pmu = atoi(argv[1]);
	for (arg = 0; arg < 2; arg++) {
		vcpus[arg].vcpu.kvm = &vm;
		vcpus[arg].vcpu.mode = arg;
	}
	for (arg = 0; arg < 16; arg++)
		printf("run %d returned %d\n", arg, run_fixture(&vcpus[0].vcpu, arg));
	return 0;
}
