/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotpath validate: the analyzer's indirect and static-call sites checked
 * against what the compiler emitted, read from objdump -drl of the built
 * KVM objects.
 */
#ifndef HOTPATH_VALIDATE_H
#define HOTPATH_VALIDATE_H

#include <stdbool.h>
#include <stdio.h>

#include "jread.h"

struct val_opts {
	const char *build;	/* the kernel build folder (O= or in-tree) */
	const char **func;	/* functions to show site by site */
	size_t nfunc;
	bool misses;		/* list every site that did not match */
};

/* 0: report printed; 1: bad input (after one line naming it). */
int val_run(const struct jval *cg, const struct val_opts *opts, FILE *out);

#endif
