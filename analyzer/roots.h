/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM-exit roots and what they reach: each function's shortest call path
 * from a root, through every edge kind and may-target.
 */
#ifndef HOTPATH_ROOTS_H
#define HOTPATH_ROOTS_H

#include "cg.h"

struct root {
	const char *usr;
	const char *name;
	const char *why;	/* how it was found, for the report */
	const char **exit;	/* its exit-handler table designators: "EXIT_REASON_CPUID" */
	size_t nexit, aexit;
};

struct reach {
	struct root *root;
	size_t nroot, aroot;
	size_t *parent;		/* per function: index of its parent on the path, or SIZE_MAX */
	int *dist;		/* per function: calls from a root, -1 if unreached */
};

/*
 * FILE's "+name"/"-name" lines checked, before the graph exists (a bad file
 * should not cost a parse of the tree first): 0, or -1 after one line.
 */
int roots_check(const char *file);
/* Finds the roots in the graph, then applies FILE's "+name"/"-name" lines. */
int roots_find(struct cg *cg, const char *file, struct reach *r);
void roots_reach(const struct cg *cg, struct reach *r);
void roots_free(struct reach *r);

#endif
