/* SPDX-License-Identifier: GPL-2.0 */
/*
 * callgraph.json: the call graph as documented in README.md.
 */
#ifndef HOTPATH_JSON_H
#define HOTPATH_JSON_H

#include <stdio.h>

#include "cg.h"

void rep_json_callgraph(const struct cg *cg, const char *tree, FILE *out);

#endif
