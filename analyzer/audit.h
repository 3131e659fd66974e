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
#include "measure.h"

struct audit {
	const struct cm_model *m;
	const struct scenario *scn;	/* what every figure is priced under */
	const struct cm_eval *eval;	/* one per profile, the first ranks */
	size_t nprof;
	size_t *order;			/* the sites on exit paths, ranked */
	size_t nsite;
	unsigned int top;		/* sites per profile in audit.md */
	const struct measured *meas;	/* MEASURED=: none, one, or before and after */
	size_t nmeas;
};

struct audit_opts {
	const char *build;		/* the kernel build holding the KVM objects */
	const char **profile;		/* profile files; the first ranks the sites */
	size_t nprofile;
	const char *exits;		/* perf kvm stat report text, or NULL */
	const char *measured;		/* measure.json[,after.json], or NULL */
	const char *scenario;		/* a SCENARIO file, or NULL: the default */
	const char *outdir;		/* where the files go */
	unsigned int top;
};

/* 0: written (and a summary on stderr); 1: bad input, after one line. */
int audit_run(const struct jval *cg, const struct audit_opts *o);
/* The scenario of FILE (NULL: the default) for the graph: 0, or -1 after one line. */
int audit_scenario(const struct jval *cg, const char *file, struct scenario *s);

void audit_rank(struct audit *a);
void audit_free(struct audit *a);
void audit_json(const struct audit *a, FILE *out);
void audit_md(const struct audit *a, FILE *out);
void audit_folded(const struct audit *a, FILE *out);
void audit_html(const struct audit *a, FILE *out);
void audit_sarif(const struct audit *a, FILE *out);
/* The measured exit costs beside the model's (audit_measured.c); nothing without. */
void audit_measured_md(const struct audit *a, FILE *out);
void audit_measured_html(const struct audit *a, FILE *out, int (*put)(const char *s, FILE *out));

/*
 * Shared by the writers.  put() writes one string from the graph, escaped
 * for the format (fputs for Markdown).
 */
/* "guarded", "unguarded", "off-path", or NULL: not a PMU trigger. */
const char *audit_pmu_status(const struct cm_model *m, const struct cm_call *c);
/* The scenario has the VM's PMU off: the case a PMU guard saves in. */
bool audit_pmu_off(const struct audit *a);
/* A site's cost less LESS: "42.0", "42.0 to 312.0" or "42.0 or more" where a loop's count is not derived. */
void audit_cost_text(const struct cm_cost *k, double less, char *buf, size_t size);
/* The callee's name or expression, "?" when the graph has none. */
const char *audit_what(const struct cm_call *c);
/* The function's exit path, names from its root joined by " → ". */
void audit_path(const struct cm_func *f, FILE *out, int (*put)(const char *s, FILE *out));
/* audit.sarif's rules; review.sarif uses the first two as they are. */
struct audit_rule {
	const char *id, *name, *level, *brief, *full;
};

#define AUDIT_NRULES	3
extern const struct audit_rule audit_rule[AUDIT_NRULES];
void audit_sarif_rules(const struct audit_rule *r, size_t n, FILE *out);
/* A SARIF log up to its run's next member (after "columnKind"). */
void audit_sarif_head(const char *full_name, const struct audit_rule *r, size_t n,
		      const char *tree, FILE *out);

/*
 * A site's identity, whatever line it is on: its file, calling function,
 * callee as written, and which such call of the function it is (0, 1, ...:
 * audit_ordinal).  audit.sarif's fingerprints and make review's matching
 * hash it with the rule: 16 hex digits of FNV-1a.
 */
unsigned int audit_ordinal(const struct cm_model *m, size_t call);
void audit_fingerprint(const char *rule, const char *file, const char *caller,
		       const char *what, unsigned int nth, char buf[17]);
/* The exit reasons reaching it: the run loop, four names and a count, or "-". */
void audit_reasons(const struct cm_model *m, const struct cm_func *f, FILE *out,
		   int (*put)(const char *s, FILE *out));

#endif
