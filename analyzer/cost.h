/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cost model: what each call site on a VM-exit path costs per exit on a
 * CPU profile, with its parts.  A site costs its call sequence (by kind and
 * the profile's default mitigation for the tree's version), the return
 * sequence its callee returns through, the callee's own instructions on its
 * shortest path in the built object, and what the callee calls on its
 * cheapest path, recursively CM_DEPTH deep.  README.md (make audit) gives
 * each rule and where its numbers come from.
 */
#ifndef HOTPATH_COST_H
#define HOTPATH_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "cg.h"
#include "jread.h"
#include "objpath.h"
#include "profile.h"

/* How many calls deep a callee's own calls are charged. */
#define CM_DEPTH	6

struct cm_func {
	const char *name, *file;
	unsigned int line;
	bool is_inline, on_path;
	const struct jval *path;	/* its shortest exit path, names from a root */
	const struct op_func *obj;	/* emitted as a function; NULL: inlined or elsewhere */
	size_t first, ncall;		/* its calls in cm_model.call */
	bool run_loop;			/* reached from the run loop, not via a handler table */
	bool tail_call;			/* its object path ends in a jump to one of its calls */
	double freq;			/* runs per exit of its roots, on the cheapest path */
	size_t *reason;			/* the exit reasons reaching it, sorted */
	size_t nreason, areason;
};

struct cm_call {
	const struct jval *j;
	size_t caller, callee;		/* SIZE_MAX: not in the graph */
	enum call_kind kind;
	enum call_when when;
	bool guarded, callee_inline;
	bool tail;			/* its caller's object path ends in a jump to it */
	bool dispatch;			/* the exit-handler table call itself */
	const char *callee_name, *file, *what;
	unsigned int line, col;
	size_t *target, ntarget;	/* may-targets in the graph */
};

/* An exit reason: a designator of an exit-handler table, and its root. */
struct cm_reason {
	const char *name;		/* "EXIT_REASON_CPUID" */
	const char *perf;		/* as perf kvm stat names it: "CPUID", "cpuid" */
	size_t root;			/* index into cm_model.func */
	double share;			/* of the exits counted (EXITS=), else 0 */
	unsigned long count;
};

struct cm_model {
	const char *tree;
	unsigned int major, minor;
	bool cfi;			/* the build has CONFIG_CFI_CLANG */
	struct cm_func *func;
	size_t nfunc;
	struct cm_call *call;
	size_t ncall;
	struct cm_reason *reason;
	size_t nreason, areason;
	size_t *loop, nloop;		/* the run loop's outermost roots */
	bool weighted;			/* shares come from a perf kvm stat report */
	unsigned long exits, unmatched;	/* exits counted; of those, of no known reason */
};

/* One site on one profile: the parts of its cost, in cycles. */
struct cm_cost {
	double call, ret, body, inner;
	double total;			/* each time the call is made */
	double per_exit;		/* total x its weight x its function's frequency */
	double weighted;		/* per_exit x the share of exits reaching it */
	size_t via;			/* the may-target priced, or SIZE_MAX */
	bool foreign;			/* in the other vendor's code (vmx/ on AMD) */
};

struct cm_eval {
	const struct profile *prof;
	const struct prof_defaults *def;
	struct cm_cost *site;		/* per call */
	double *memo;			/* per function and depth: cheapest-path calls */
	double *reason;			/* per exit reason: its handler's cheapest path, or
					   NAN when it is the other vendor's */
	double loop;			/* the run loop's, without the handler it dispatches to */
};

/* 0, or -1 after one line naming what is wrong with the call graph. */
int cm_load(struct cm_model *m, const struct jval *cg, const struct objpaths *op, bool cfi);
/* Weights by a perf kvm stat report's counts; -1 after one line naming FILE. */
int cm_exits(struct cm_model *m, const char *file);
void cm_free(struct cm_model *m);
void cm_eval(const struct cm_model *m, const struct profile *p, struct cm_eval *e);
void cm_eval_free(struct cm_eval *e);
/* How often a call runs when its function does: always 1, likely 0.9, ... */
double cm_when_weight(enum call_when when, bool guarded);
/* The call's own sequence on this profile, in words: "retpoline", "call". */
const char *cm_sequence(const struct cm_eval *e, const struct cm_call *c);
/* A PMU trigger: kvm_pmu_trigger_event() and its wrappers. */
bool cm_is_pmu_trigger(const char *callee);
/* A call of a PMU trigger that is not in a trigger's own body. */
bool cm_is_pmu_site(const struct cm_model *m, const struct cm_call *c);

#endif
