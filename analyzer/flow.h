/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a condition says about the code it controls: whether the author
 * marked it likely() or unlikely(), whether it can only hold with the
 * guest PMU enabled, and which statements leave the code after them.
 * libclang 16 has no operator kinds, so "&&", "||" and "!" are read from
 * the source text where the operator is written.
 */
#ifndef HOTPATH_FLOW_H
#define HOTPATH_FLOW_H

#include <stdbool.h>

#include <clang-c/Index.h>

/* The name a PMU guard tests: kvm->arch.enable_pmu, or the module parameter. */
#define FLOW_GUARD "enable_pmu"

/* A cursor's children: the first MAX_KIDS of them, and how many in all. */
#define MAX_KIDS 8

struct kids {
	CXCursor c[MAX_KIDS];
	unsigned int n;
};

void kids_of(CXCursor c, struct kids *k);

/*
 * A file's text in the translation unit, as clang_getFileContents() gives
 * it, remembered until flow_forget(), which is due before the unit goes.
 */
const char *flow_file_text(CXTranslationUnit tu, CXFile file, size_t *size);
void flow_forget(void);

enum flow_op { OP_OTHER, OP_AND, OP_OR, OP_NOT };

/* "&&", "||" (binary) or "!" (unary), when written outside a macro body. */
enum flow_op flow_op(CXTranslationUnit tu, CXCursor e);
/*
 * __builtin_expect(x, 1) (likely) gives 1, (x, 0) (unlikely) gives 0, else
 * -1; a statement expression (WARN_ON()) is judged by its value.
 */
int flow_expect(CXTranslationUnit tu, CXCursor cond);
/* The condition holds only when the guard is set: a conjunct tests it. */
bool flow_needs_guard(CXTranslationUnit tu, CXCursor cond);
/* The condition holds whenever the guard is clear: "!enable_pmu || ...". */
bool flow_guard_off(CXTranslationUnit tu, CXCursor cond);
/* The statement never falls through to the next: return, goto, break... */
bool flow_exits(CXCursor stmt);

/*
 * What the VM's state decides, in the grammar scenarios are written in
 * (analyzer/scenario.h):
 *   term     a field reached through a pointer, by the struct's tag:
 *            "kvm->arch.enable_pmu", "kvm_pmu->all_valid_pmc_idx"; a global
 *            variable or a field of one: "enable_pmu"; with locals, a local
 *            variable of the function: "local:bitmap".  NULL for anything
 *            else (a field of a local struct, an array element, a call).
 *   cond     terms, terms compared with constants ("kvm_pmu->version == 1"),
 *            constants, CPUID features ("cpuid(HLE)", and "guest_cpuid(...)"
 *            from a guest_*() test), calls of functions ("lapic_in_kernel()",
 *            decided by what the function returns), joined by "!", "&&",
 *            "||" and parentheses; what is none of those is "?".
 */
char *flow_term(CXCursor e, bool locals);
/* A pointer variable to a struct: the struct's tag ("kvm_pmu"), else NULL. */
char *flow_struct_of(CXCursor e);
/* The expression is a constant clang can evaluate: its value. */
bool flow_value(CXCursor e, long long *v);
/* The spelling of a binary operator ("<", "=", "+="), from the tokens. */
bool flow_binop(CXTranslationUnit tu, CXCursor binop, char *buf, size_t size);
/*
 * The condition on its taken side or its other (!taken), as text; NULL
 * when nothing in it is a term, a constant or a feature (no scenario can
 * decide it).  The caller frees it.
 */
char *flow_cond(CXTranslationUnit tu, CXCursor cond, bool taken);

#endif
