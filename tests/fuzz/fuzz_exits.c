// SPDX-License-Identifier: GPL-2.0
/*
 * EXITS=: the text of perf kvm stat report (analyzer/cost.c cm_exits),
 * matched against a model that knows a few exit reasons.
 */
#include <string.h>

#include "cost.h"
#include "fuzz.h"

FUZZ_QUIET_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_reason reason[] = {
		{ .name = "EXIT_REASON_CPUID", .perf = "CPUID" },
		{ .name = "EXIT_REASON_MSR_WRITE", .perf = "MSR_WRITE" },
		{ .name = "SVM_EXIT_CPUID", .perf = "cpuid" },
		{ .name = "SVM_EXIT_NPF", .perf = "npf" },
	};
	struct cm_model m;

	memset(&m, 0, sizeof(m));
	m.reason = reason;
	m.nreason = sizeof(reason) / sizeof(reason[0]);
	cm_exits(&m, fuzz_file(data, size));
	return 0;
}
