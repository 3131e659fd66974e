/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scenario: facts about the VM's and the vCPU's state that the cost
 * model prices under.  A SCENARIO file has one fact a line,
 *
 *	kvm->arch.enable_pmu = 0	# the VM's PMU is off
 *	enable_pmu = 1			# the module parameter
 *	vcpu->arch.apic != NULL
 *	guest_cpuid(PERFMON_V2) = 0
 *
 * a term of flow.h's grammar (a field through a pointer by its struct's tag,
 * or the variable names KVM gives it: vcpu-> for kvm_vcpu->; a global; a
 * CPUID feature), "=" or "!=", and a number, true, false or NULL.  "#"
 * starts a comment.  The default scenario is the one the PMU guard is for:
 * kvm->arch.enable_pmu = 0, and enable_pmu as the tree initializes it.
 */
#ifndef HOTPATH_SCENARIO_H
#define HOTPATH_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "jread.h"
#include "profile.h"

struct fact {
	char *term;		/* as the analysed code names it: "kvm_vcpu->arch.apic" */
	bool ne;		/* term != value; else term == value */
	long long value;
	char *text;		/* as the reports print it: "kvm->arch.enable_pmu = 0" */
	char *from;		/* where it comes from: "FILE:LINE", or why it is the default */
};

struct scenario {
	char *name;		/* "default", or the file */
	struct fact *fact;
	size_t nfact, afact;
	/* What a function returns, as a condition: decides "name()" atoms. */
	const char *(*returns)(const void *model, const char *name);
	const void *model;
};

/* What the analysed code tests, writes or loops over, for checking facts. */
struct scn_terms {
	char **term;		/* sorted */
	size_t n, alloc;
};

void scn_terms_collect(struct scn_terms *t, const struct jval *cg);
void scn_terms_free(struct scn_terms *t);

/* The default scenario; the module parameter's value from the callgraph's globals. */
void scn_default(struct scenario *s, const struct jval *cg);
/*
 * FILE's facts, each checked against the terms: 0, or -1 after one line
 * "FILE:LINE: ..." (s then holds nothing to free).
 */
int scn_load(struct scenario *s, const char *file, const struct scn_terms *terms);
void scn_free(struct scenario *s);

/*
 * What the state says of a term beyond the facts: 1 and *v set when known,
 * 0 when not.  NULL: nothing beyond the facts.
 */
typedef int (*scn_lookup)(void *arg, const char *term, long long *v);

/*
 * A condition in flow.h's grammar under the scenario: 1 it holds, 0 it does
 * not, -1 it is not decided.  CPUID features come from the profile (NULL:
 * none known); a guest's are the host's unless a fact says otherwise.
 */
int scn_eval(const struct scenario *s, const struct profile *p, const char *cond,
	     scn_lookup look, void *arg);
/* The fact about term, or NULL. */
const struct fact *scn_fact(const struct scenario *s, const char *term);
/* Calls f for each term in a condition (flow.h's grammar). */
void scn_cond_terms(const char *cond, void (*f)(void *arg, const char *term), void *arg);

#endif
