/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The call graph: the functions defined in the analysed scope and every call
 * site in them, merged across translation units.  Functions are identified
 * by their USR, so a static inline from a header seen by many TUs is one
 * function, and a static function of one file is not confused with another.
 */
#ifndef HOTPATH_CG_H
#define HOTPATH_CG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum call_kind {
	CALL_DIRECT,		/* a named function */
	CALL_STATIC,		/* static_call(): a patched direct jump */
	CALL_INDIRECT,		/* through a pointer: a retpoline under mitigations */
	CALL_WRAPPER,		/* INDIRECT_CALL_n(): compares, then indirect */
};

const char *cg_kind_name(enum call_kind kind);

/*
 * When a call runs, each time its function does, on the function's cheapest
 * path: always; on the side a likely() or unlikely() condition expects;
 * under a plain condition (a branch, a loop body, a case, the right of && or
 * ||, or after an early return); on the side an unlikely() (or likely())
 * condition does not expect.  Ordered: nesting keeps the largest.
 */
enum call_when {
	WHEN_ALWAYS,
	WHEN_LIKELY,
	WHEN_COND,
	WHEN_UNLIKELY,
};

const char *cg_when_name(enum call_when when);

/*
 * Where a call, a loop or a write runs within its function: in loop number
 * loop (1, 2, ... in the function's order; 0: in no loop), and within one
 * run of that loop's body (or of the function) under the conditions conds,
 * which the VM's state may decide, and further conditions nothing can
 * decide, which make it at best "base".  conds is "when:line:how:cond"
 * entries joined by ';', outermost first, or NULL: the when of that
 * condition, the line it is written on, how it decides (on the "if" or
 * "else" side of an if or ?:, the right of an "and" or "or", or after a
 * "ret": an early return, when cond is the return's condition), and its
 * text in flow.h's grammar.
 */
struct cg_scope {
	unsigned int loop;
	enum call_when base;
	const char *conds;
};

/*
 * A for or while loop, and what decides how often its body runs:
 *   bits    for_each_set_bit() and the like (a find_first_bit() or
 *           find_next_bit() in its head): the set bits of "over", at most
 *           "bound" (the bitmap's size);
 *   count   for (i = start; i < over; ...): over - start, where over is a
 *           term or the constant bound;
 *   other   anything else: no count.
 */
struct cg_loop {
	const char *func;	/* USR */
	const char *file;
	unsigned int line, col;
	unsigned int num;	/* its number in the function, from 1 */
	const char *kind;	/* "bits", "count", "other" */
	const char *over;	/* a term (flow.h), or NULL */
	long long start, bound;	/* bound: 0 when none is known */
	const char *bound_name;	/* the bound as written: "X86_PMC_IDX_MAX" */
	struct cg_scope in;	/* the loop it is in (0: none) and its conditions there */
};

/*
 * A write of VM state: dst is a term (flow.h); op one of
 *   assign (dst = a), zero (bitmap_zero, and memset(p, 0, ...) of a whole
 *   struct: dst "kvm_pmu->*"), fill, set (bitmap_set(dst, a, b)), clear,
 *   copy (bitmap_copy(dst, a)), and/or/andnot (bitmap_and(dst, a, b)),
 *   setbit, clearbit (__set_bit(a, dst)).
 * a and b are a constant ("6"), a term, or "?" when neither.
 */
struct cg_write {
	const char *func;	/* USR */
	const char *file;
	unsigned int line, col;
	const char *op, *dst, *a, *b;
	const char *a_name;	/* a constant's macro as written: "AMD64_NUM_COUNTERS_CORE" */
	struct cg_scope in;
};

/* A global variable's constant initializer: the module parameter enable_pmu. */
struct cg_global {
	const char *name;
	const char *file;
	unsigned int line;
	long long value;
};

struct cg_func {
	const char *usr;
	const char *name;
	const char *file;	/* relative to the source tree */
	unsigned int line;
	bool is_inline;		/* inline or __always_inline: no call emitted */
	bool is_static;
	const char *returns;	/* a predicate's "return COND;" as a condition (flow.h), or NULL */
};

struct cg_call {
	const char *caller;	/* USR of the function containing the call */
	const char *file;	/* where the call is written, or its macro used */
	unsigned int line, col;
	enum call_kind kind;
	const char *callee;	/* USR of a direct callee, else NULL */
	const char *callee_name;	/* direct: its name; static: the trampoline */
	bool callee_inline;
	const char *via;	/* static: the key; indirect: the callee as written */
	const char *field;	/* indirect through a member: "struct s.field" */
	const char *macro;	/* the macro the call is written through, if any */
	const char *slot;	/* indirect: the field or table it loads, if known */
	enum call_when when;
	const char *guard;	/* runs only with this set ("enable_pmu"), or NULL */
	struct cg_scope in;	/* the loop it is in, and what its running there depends on */
};

/*
 * A function stored where an indirect call can load it: a struct field
 * (slot "struct ops.run", by type, so copies of the struct count) or a
 * table or pointer variable (slot: the variable's USR).
 */
struct cg_store {
	const char *slot;
	const char *func;	/* USR */
	const char *name;
	const char *index;	/* a table's "[EXIT_REASON_CPUID]" designator, or NULL */
};

/*
 * The contents of slot flow into key: static_call_update(key, ops.field)
 * (key "static_call:<key>"), or an assignment "dst = src" between slots,
 * as the emulator's "ctxt->execute = opcode.u.execute".  An update with a
 * function itself is a store in slot "static_call:<key>".
 */
struct cg_update {
	const char *key;
	const char *slot;
};

struct cg {
	struct strpool strings;
	struct cg_func *func;
	size_t nfunc, afunc;
	struct cg_call *call;
	size_t ncall, acall;
	struct cg_store *store;
	size_t nstore, astore;
	struct cg_update *update;
	size_t nupdate, aupdate;
	struct cg_loop *loop;
	size_t nloop, aloop;
	struct cg_write *write;
	size_t nwrite, awrite;
	struct cg_global *global;
	size_t nglobal, aglobal;
	/* USR -> index in func, open addressing on the interned pointer */
	size_t *index;
	size_t nindex;
};

void cg_init(struct cg *cg);
void cg_free(struct cg *cg);
const char *cg_str(struct cg *cg, const char *s);
/* Adds a function once per USR; returns false if it was already there. */
bool cg_add_func(struct cg *cg, const struct cg_func *f);
void cg_add_call(struct cg *cg, const struct cg_call *c);
void cg_add_store(struct cg *cg, const struct cg_store *s);
void cg_add_update(struct cg *cg, const struct cg_update *u);
void cg_add_loop(struct cg *cg, const struct cg_loop *l);
void cg_add_write(struct cg *cg, const struct cg_write *wr);
void cg_add_global(struct cg *cg, const struct cg_global *g);
/*
 * The functions a call may reach, sorted by name: a direct call's callee,
 * what static_call_update() put behind a key, what was stored in a slot.
 * Returns how many were written to out (at most max), or the total needed.
 */
size_t cg_targets(const struct cg *cg, const struct cg_call *c, const struct cg_store **out,
		  size_t max);
const struct cg_func *cg_find(const struct cg *cg, const char *usr);
/* Sorts functions and calls into their output order and drops duplicates. */
void cg_finish(struct cg *cg);

#endif
