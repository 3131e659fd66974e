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

/* <0: the TU could not be parsed; 0: fine; >0: errors clang reported. */
int tu_parse(CXIndex index, const struct cdb_cmd *cmd, const struct tu_opts *opts,
	     struct cg *cg);

#endif
