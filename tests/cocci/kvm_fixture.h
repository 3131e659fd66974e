/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of KVM's x86 types for the pmu_guard fixtures to compile and
 * run: the triggers and trace() record what a fixture did, so a rewritten
 * fixture can be run against its original (see driver.c).
 */
#ifndef KVM_FIXTURE_H
#define KVM_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

typedef uint64_t u64;

struct kvm_arch {
	bool enable_pmu;
};

struct kvm {
	struct kvm_arch arch;
};

struct kvm_vcpu {
	struct kvm *kvm;
	int mode;
};

struct vcpu_svm {
	int asid;
	struct kvm_vcpu vcpu;
};

struct vcpu_vmx {
	struct kvm_vcpu vcpu;
	int nested_run_pending;
};

enum {
	PERF_COUNT_HW_INSTRUCTIONS = 1,
	PERF_COUNT_HW_BRANCH_INSTRUCTIONS = 4,
};

struct kvm_pmu_emulated_event_selectors {
	u64 INSTRUCTIONS_RETIRED;
	u64 BRANCH_INSTRUCTIONS_RETIRED;
};

extern struct kvm_pmu_emulated_event_selectors kvm_pmu_eventsel;
/* The kvm.enable_pmu module parameter, all trees before 5.18 had. */
extern bool enable_pmu;

/*
 * The triggers, defined weakly in driver.c.  Mainline's pmu.c keeps
 * kvm_pmu_trigger_event() static behind the two wrappers: a fixture in its
 * shape defines KVM_FIXTURE_OWN_TRIGGERS and its own.
 */
void kvm_pmu_instruction_retired(struct kvm_vcpu *vcpu);
void kvm_pmu_branch_retired(struct kvm_vcpu *vcpu);
#ifndef KVM_FIXTURE_OWN_TRIGGERS
void kvm_pmu_trigger_event(struct kvm_vcpu *vcpu, u64 event);
#endif

void trace(const char *what, long value);
struct kvm_vcpu *vcpu_of(int id);

/* Each fixture's entry point: runs its functions along the path arg picks. */
int run_fixture(struct kvm_vcpu *vcpu, int arg);

#endif
