// SPDX-License-Identifier: GPL-2.0
/*
 * ROOTS=: the roots file of +name/-name lines (analyzer/roots.c), applied
 * to a graph of a few functions, and reachability from what it leaves.
 */
#include <string.h>

#include "cg.h"
#include "fuzz.h"
#include "roots.h"

static struct cg graph;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[] = { "vcpu_enter_guest", "handle_cpuid", "kvm_emulate_cpuid",
					     "kvm_skip_emulated_instruction", "kvm_pmu_trigger_event" };
	size_t i;

	(void)argc;
	(void)argv;
	fuzz_quiet();
	cg_init(&graph);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct cg_func f = { 0 };

		f.usr = cg_str(&graph, names[i]);
		f.name = f.usr;
		f.file = cg_str(&graph, "arch/x86/kvm/x86.c");
		f.line = (unsigned int)i + 1;
		cg_add_func(&graph, &f);
	}
	for (i = 0; i + 1 < sizeof(names) / sizeof(names[0]); i++) {
		struct cg_call c = { 0 };

		c.caller = cg_str(&graph, names[i]);
		c.callee = cg_str(&graph, names[i + 1]);
		c.callee_name = c.callee;
		c.file = cg_str(&graph, "arch/x86/kvm/x86.c");
		c.line = (unsigned int)i + 10;
		cg_add_call(&graph, &c);
	}
	cg_finish(&graph);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reach r;

	memset(&r, 0, sizeof(r));
	if (!roots_find(&graph, fuzz_file(data, size), &r))
		roots_reach(&graph, &r);
	roots_free(&r);
	return 0;
}
