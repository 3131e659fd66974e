/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Each function the compiler emitted in the KVM objects, and the length of
 * its shortest path from entry to return: the instructions it runs at the
 * least, each call counted as one (the cost model charges calls itself).
 */
#ifndef HOTPATH_OBJPATH_H
#define HOTPATH_OBJPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* A call the function makes in a loop: the fewest instructions round it. */
struct op_loop {
	const char *callee;	/* the call's target symbol: "__SCT__kvm_x86_pmu_pmc_idx_to_pmc" */
	unsigned int insns;	/* the shortest cycle through the call, the call counted once */
};

struct op_func {
	const char *name;	/* the function; .cold and .part pieces are not entries */
	bool clone;		/* emitted as name.isra.N or name.constprop.N */
	const char *obj;
	unsigned int own;	/* on its shortest entry-to-return path; 0: none found */
	const char *tail;	/* that path ends in a tail call to this function */
	unsigned int insns;	/* own, plus the tail-called function's */
	struct op_loop *loop;	/* its calls that are in a cycle, in address order */
	size_t nloop;
	unsigned int cycle;	/* its shortest cycle of any kind; 0: none */
};

struct objpaths {
	struct strpool pool;
	struct op_func *func;	/* sorted by name */
	size_t nfunc, afunc;
	size_t nobj;
};

/* Reads every object of the KVM modules in BUILD; -1 after one error line. */
int op_read(const char *build, struct objpaths *op);
/* The same from one object's objdump -dr text (tests/fuzz/). */
void op_read_text(FILE *in, const char *obj, struct objpaths *op);
const struct op_func *op_find(const struct objpaths *op, const char *name);
void op_free(struct objpaths *op);

#endif
