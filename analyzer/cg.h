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

struct cg_func {
	const char *usr;
	const char *name;
	const char *file;	/* relative to the source tree */
	unsigned int line;
	bool is_inline;		/* inline or __always_inline: no call emitted */
	bool is_static;
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
};

struct cg {
	struct strpool strings;
	struct cg_func *func;
	size_t nfunc, afunc;
	struct cg_call *call;
	size_t ncall, acall;
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
const struct cg_func *cg_find(const struct cg *cg, const char *usr);
/* Sorts functions and calls into their output order and drops duplicates. */
void cg_finish(struct cg *cg);

#endif
