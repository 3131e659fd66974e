/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cost model: what each call site on a VM-exit path costs per exit on a
 * CPU profile, with its parts.  A site costs its call sequence (by kind and
 * the profile's default mitigation for the tree's version), the return
 * sequence its callee returns through, the callee's own instructions on its
 * shortest path in the built object, and what the callee calls on its
 * cheapest path, recursively CM_DEPTH deep, under a scenario (scenario.h)
 * and with loops run their trip counts (state.h).  analyzer/README.md
 * gives each rule and where its numbers come from.
 */
#ifndef HOTPATH_COST_H
#define HOTPATH_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "cg.h"
#include "jread.h"
#include "objpath.h"
#include "profile.h"
#include "scenario.h"

/* How many calls deep a callee's own calls are charged. */
#define CM_DEPTH	6

/* A condition on the way to a call, a loop or a write (struct cg_scope). */
struct cm_cond {
	enum call_when when;
	unsigned int line;
	bool ret;		/* after an early return: text is the return's condition */
	char how;		/* 'i' if side, 'e' else side, 'a' and, 'o' or, 'r' ret */
	const char *text;	/* flow.h's grammar; "?" when nothing can decide it */
};

struct cm_scope {
	size_t loop;		/* the loop it is in (index into cm_model.loop), or SIZE_MAX */
	enum call_when base;	/* what no scenario decides makes it at best */
	struct cm_cond *cond;	/* what a scenario may decide, outermost first */
	size_t ncond;
};

enum cm_loop_kind { LOOP_BITS, LOOP_COUNT, LOOP_OTHER };

struct cm_loop {
	size_t func;
	const char *file;
	unsigned int line, col, num;
	enum cm_loop_kind kind;
	const char *over;	/* the term it counts, or NULL */
	const char *bound_name;
	long long start, bound;
	struct cm_scope in;
};

/* A write of VM state (struct cg_write). */
struct cm_write {
	size_t func;
	const char *file;
	unsigned int line, col;
	const char *op, *dst, *a, *b, *a_name;
	struct cm_scope in;
};

struct cm_func {
	const char *name, *file;
	unsigned int line;
	bool is_inline, on_path;
	const struct jval *path;	/* its shortest exit path, names from a root */
	const struct op_func *obj;	/* emitted as a function; NULL: inlined or elsewhere */
	size_t first, ncall;		/* its calls in cm_model.call */
	size_t first_loop, nloop;	/* its loops in cm_model.loop */
	size_t first_write, nwrite;	/* its writes in cm_model.write */
	bool run_loop;			/* reached from the run loop, not via a handler table */
	bool tail_call;			/* its object path ends in a jump to one of its calls */
	bool root;			/* an exit-path root */
	const char *returns;		/* a predicate's return condition, or NULL */
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
	struct cm_scope in;
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
	size_t *byname;			/* the functions by name */
	struct cm_call *call;
	size_t ncall;
	struct cm_loop *loop;
	size_t nloop;
	struct cm_write *write;
	size_t nwrite;
	struct cm_reason *reason;
	size_t nreason, areason;
	size_t *runloop, nrunloop;	/* the run loop's outermost roots */
	bool weighted;			/* shares come from a perf kvm stat report */
	unsigned long exits, unmatched;	/* exits counted; of those, of no known reason */
};

/*
 * One site on one profile: the parts of its cost, in cycles.  Where a loop
 * with no derived trip count is on its path, the low end is the cheapest
 * path (the loop not run) and total_hi what the loop's static bound allows
 * (INFINITY without one); elsewhere total_hi == total.
 */
struct cm_cost {
	double call, ret, body, inner;
	double total;			/* each time the call is made */
	double inner_hi, total_hi;
	double runs;			/* times it runs per run of its function */
	double per_exit;		/* total x runs x its function's frequency */
	double weighted;		/* per_exit x the share of exits reaching it */
	size_t via;			/* the may-target priced, or SIZE_MAX */
	size_t unknown;			/* a loop on its path with no trip count, or SIZE_MAX */
	bool foreign;			/* in the other vendor's code (vmx/ on AMD) */
};

struct st_trip;

struct cm_eval {
	const struct profile *prof;
	const struct prof_defaults *def;
	const struct scenario *scn;	/* what it is priced under */
	struct st_trip *trip;		/* per loop: its trip count under scn */
	size_t ntrip;
	double *freq;			/* per function: runs per exit of its roots */
	struct cm_cost *site;		/* per call */
	double *memo;			/* per function and depth: cheapest-path calls, low and high */
	double *reason;			/* per exit reason: its handler's cheapest path, or
					   NAN when it is the other vendor's */
	double loop;			/* the run loop's, without the handler it dispatches to */
};

/* 0, or -1 after one line naming what is wrong with the call graph. */
int cm_load(struct cm_model *m, const struct jval *cg, const struct objpaths *op, bool cfi);
/* Weights by a perf kvm stat report's counts; -1 after one line naming FILE. */
int cm_exits(struct cm_model *m, const char *file);
void cm_free(struct cm_model *m);
void cm_eval(const struct cm_model *m, const struct profile *p, const struct scenario *scn,
	     struct cm_eval *e);
void cm_eval_free(struct cm_eval *e);
/* How often a call runs when its function does: always 1, likely 0.9, ... */
double cm_when_weight(enum call_when when, bool guarded);
/*
 * How often code in a scope runs per run of the scope around it (its
 * function, or one iteration of its loop) under e's scenario: 0 when a
 * condition fails, else the weight of the strongest when nothing decides.
 */
double cm_scope_weight(const struct cm_eval *e, const struct cm_scope *sc);
/* The call's own sequence on this profile, in words: "retpoline", "call". */
const char *cm_sequence(const struct cm_eval *e, const struct cm_call *c);
/* What function NAME returns, as a condition (struct scenario's returns). */
const char *cm_returns(const void *model, const char *name);
/* One iteration of loop l's own instructions in the object (0: not found). */
double cm_iter_insns(const struct cm_model *m, size_t l);
/* A PMU trigger: kvm_pmu_trigger_event() and its wrappers. */
bool cm_is_pmu_trigger(const char *callee);
/* A call of a PMU trigger that is not in a trigger's own body. */
bool cm_is_pmu_site(const struct cm_model *m, const struct cm_call *c);

#endif
