/* SPDX-License-Identifier: GPL-2.0 */
/*
 * callgraph.json: the call graph as documented in analyzer/README.md.
 */
#ifndef HOTPATH_JSON_H
#define HOTPATH_JSON_H

#include <stdio.h>

#include "cg.h"
#include "jread.h"
#include "roots.h"

/* A JSON string, escaped; NULL is null. */
void json_str(FILE *out, const char *s);
/* A JSON array of the strings ARR holds (a non-string is null); NULL is []. */
void json_strings(FILE *out, const struct jval *arr);
void rep_json_callgraph(const struct cg *cg, const struct reach *r, const char *tree, FILE *out);

#endif
