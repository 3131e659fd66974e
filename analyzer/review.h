/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The review of a change: the audits of a base and of the tree after each
 * patch of a series (audit.json each, as hotpath audit writes it), compared
 * as review.md, review.json and review.sarif, and a gate on what is new.
 */
#ifndef HOTPATH_REVIEW_H
#define HOTPATH_REVIEW_H

#include <stddef.h>

struct review_opts {
	const char **audit;	/* the base's audit.json first, then one per patch */
	size_t naudit;
	const char *commits;	/* one line per audit: "COMMIT SUBJECT"; NULL: none */
	const char *renames;	/* "OLD<TAB>NEW" lines of files the change renames */
	const char *fail_on;	/* "new", a rule's id, or "+N" */
	const char *outdir;
	const char *tree;	/* its name; NULL: the base audit's */
};

/* 0: written, the gate passed; 2: the gate failed; 1: bad input, one line. */
int review_run(const struct review_opts *o);

#endif
