/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One translation unit: parse it with libclang and add its in-scope function
 * definitions and their call sites to the call graph.
 */
#ifndef HOTPATH_TU_H
#define HOTPATH_TU_H

#include <clang-c/Index.h>

#include "cdb.h"
#include "cg.h"

struct tu_opts {
	const char *srctree;		/* absolute, no trailing slash */
	const char *const *scope;	/* path prefixes relative to srctree */
	size_t nscope;
};

/* What a parse depended on, and how it went: for the per-TU cache. */
struct tu_result {
	int errors;		/* <0: not parsed; else errors clang reported */
	char *first_error;	/* formatted, or NULL */
	char **deps;		/* every file the TU read, absolute */
	size_t ndeps, adeps;
};

/*
 * <0: the TU could not be parsed; 0: fine; >0: errors clang reported.
 * res, if not NULL, receives the files read and the first error instead of
 * the error being printed.
 */
int tu_parse(CXIndex index, const struct cdb_cmd *cmd, const struct tu_opts *opts,
	     struct cg *cg, struct tu_result *res);
void tu_result_free(struct tu_result *res);

#endif
