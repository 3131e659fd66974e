/* SPDX-License-Identifier: GPL-2.0 */
/* Miniature: the fields the coccicheck tests need. */
struct kvm_vm_stat {
	unsigned long exits;
};

struct kvm_arch {
	unsigned long n_used_mmu_pages;
	bool enable_pmu;
	struct kvm_vm_stat stat;
};
