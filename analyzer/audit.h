/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hot-path audit: the cost model's figures for every site on the exit
 * paths, per CPU profile, as audit.json, audit.md, audit.html, audit.sarif
 * and exit-paths.folded.
 */
#ifndef HOTPATH_AUDIT_H
#define HOTPATH_AUDIT_H

#include <stdio.h>

#include "cost.h"

struct audit {
	const struct cm_model *m;
	const struct cm_eval *eval;	/* one per profile, the first ranks */
	size_t nprof;
	size_t *order;			/* the sites on exit paths, ranked */
	size_t nsite;
	unsigned int top;		/* sites per profile in audit.md */
};

struct audit_opts {
	const char *build;		/* the kernel build holding the KVM objects */
	const char **profile;		/* profile files; the first ranks the sites */
	size_t nprofile;
	const char *exits;		/* perf kvm stat report text, or NULL */
	const char *outdir;		/* where the files go */
	unsigned int top;
};

/* 0: written (and a summary on stderr); 1: bad input, after one line. */
int audit_run(const struct jval *cg, const struct audit_opts *o);

void audit_rank(struct audit *a);
void audit_free(struct audit *a);
void audit_json(const struct audit *a, FILE *out);
void audit_md(const struct audit *a, FILE *out);
void audit_folded(const struct audit *a, FILE *out);
void audit_html(const struct audit *a, FILE *out);
void audit_sarif(const struct audit *a, FILE *out);

/*
 * Shared by the writers.  put() writes one string from the graph, escaped
 * for the format (fputs for Markdown).
 */
/* "guarded", "unguarded", "off-path", or NULL: not a PMU trigger. */
const char *audit_pmu_status(const struct cm_model *m, const struct cm_call *c);
/* The callee's name or expression, "?" when the graph has none. */
const char *audit_what(const struct cm_call *c);
/* The function's exit path, names from its root joined by " → ". */
void audit_path(const struct cm_func *f, FILE *out, int (*put)(const char *s, FILE *out));
/* The exit reasons reaching it: the run loop, four names and a count, or "-". */
void audit_reasons(const struct cm_model *m, const struct cm_func *f, FILE *out,
		   int (*put)(const char *s, FILE *out));

#endif
