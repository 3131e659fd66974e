/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports on a callgraph.json: a function's exit path, with the call site
 * of every step, and a DOT graph of the exit paths that reach it.
 */
#ifndef HOTPATH_PATHS_H
#define HOTPATH_PATHS_H

#include <stdio.h>

#include "jread.h"

/* 0: printed; 1: no function of that name (after one line saying so). */
int rep_paths(const struct jval *cg, const char *to, FILE *out);
int rep_dot(const struct jval *cg, const char *to, unsigned int depth, FILE *out);

#endif
