// SPDX-License-Identifier: GPL-2.0
// check-name: mainline's pmu.c: the wrappers' own calls of the static trigger stay as they are
// check-with: mainline_x86
/*
 * The shape of arch/x86/kvm/pmu.c since the mediated-PMU work: the trigger
 * is static and returns at once when no counter counts the event (as with
 * the VM's PMU disabled), and the rest of KVM calls it through two exported
 * wrappers, each a single call of it.  The wrappers are the triggers: a
 * guard inside them would test the flag after their call was paid.  A
 * trigger called elsewhere in this file is an ordinary site.
 */
#define KVM_FIXTURE_OWN_TRIGGERS
#include "kvm_fixture.h"

struct kvm_pmu {
	unsigned long global_ctrl;
	unsigned long pmc_counting_instructions;
	unsigned long pmc_counting_branches;
};

static struct kvm_pmu pmus[2] = {
	{ .global_ctrl = 0x3, .pmc_counting_instructions = 0x1, .pmc_counting_branches = 0x6 },
	{ .global_ctrl = 0x0, .pmc_counting_instructions = 0x1 },
};

/* A VM without a PMU is refreshed to no counters at all. */
static struct kvm_pmu no_counters;

static struct kvm_pmu *vcpu_to_pmu(struct kvm_vcpu *vcpu)
{
	return vcpu->kvm->arch.enable_pmu ? &pmus[vcpu->mode & 1] : &no_counters;
}

static void kvm_pmu_trigger_event(struct kvm_vcpu *vcpu, const unsigned long *event_pmcs)
{
	unsigned long bitmap = *event_pmcs & vcpu_to_pmu(vcpu)->global_ctrl;
	int i;

	trace("trigger", vcpu->mode);
	if (!bitmap)
		return;

	for (i = 0; i < 8; i++) {
		if (bitmap & (1UL << i))
			trace("count", i);
	}
}

void kvm_pmu_instruction_retired(struct kvm_vcpu *vcpu)
{
	kvm_pmu_trigger_event(vcpu, &vcpu_to_pmu(vcpu)->pmc_counting_instructions);
}

void kvm_pmu_branch_retired(struct kvm_vcpu *vcpu)
{
	kvm_pmu_trigger_event(vcpu, &vcpu_to_pmu(vcpu)->pmc_counting_branches);
}

/* Not a trigger: its call of one is guarded like any other. */
int kvm_pmu_emulate_rdpmc(struct kvm_vcpu *vcpu, int idx)
{
	trace("rdpmc", idx);
	kvm_pmu_instruction_retired(vcpu);
	return idx & 1;
}
