// SPDX-License-Identifier: GPL-2.0
/*
 * SCENARIO files and the condition grammar (analyzer/scenario.c): the
 * input's first line is a condition, as callgraph.json's "if" entries and
 * "returns" have them, decided under the rest read as a SCENARIO file
 * against a handful of terms; predicates resolve to the condition itself,
 * so a predicate calling itself must end.
 */
#include <string.h>

#include "fuzz.h"
#include "scenario.h"

FUZZ_QUIET_INIT()

static const char *cond;

static const char *returns(const void *model, const char *name)
{
	(void)model;
	(void)name;
	return cond;
}

static void count(void *arg, const char *term)
{
	(*(size_t *)arg) += strlen(term) > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Sorted, as scn_terms_collect() leaves them. */
	static char *terms[] = { "cpuid(PERFCTR_CORE)", "enable_pmu", "kvm->arch.enable_pmu",
				 "kvm_pmu->version", "kvm_vcpu->arch.apic", "pred()" };
	const struct scn_terms t = { terms, sizeof(terms) / sizeof(*terms), 0 };
	const uint8_t *nl = memchr(data, '\n', size);
	size_t first = nl ? (size_t)(nl - data) : size, n = 0;
	char *line = xmalloc(first + 1);
	struct scenario s;

	memcpy(line, data, first);
	line[first] = '\0';
	cond = line;
	scn_cond_terms(line, count, &n);
	if (!scn_load(&s, fuzz_file(nl ? nl + 1 : data + size, nl ? size - first - 1 : 0), &t)) {
		s.returns = returns;
		scn_eval(&s, NULL, line, NULL, NULL);
		scn_fact(&s, "kvm->arch.enable_pmu");
		scn_free(&s);
	} else {
		/* A file refused: the condition under no facts, as a default scenario has none. */
		struct scenario none = { .returns = returns };

		scn_eval(&none, NULL, line, NULL, NULL);
	}
	free(line);
	return 0;
}
