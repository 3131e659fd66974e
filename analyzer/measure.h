/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotpath measure: measure.json from the figures of tests/kvm/exit_cost and
 * the facts of the host they were taken on, its table, and the comparison
 * of two such files (tests/kvm/README.md documents the format).
 */
#ifndef HOTPATH_MEASURE_H
#define HOTPATH_MEASURE_H

#include <stdbool.h>
#include <stdio.h>

#include "jread.h"

#define MEASURE_FORMAT	"kvm-hotpath measure 1"

/* One test and PMU setting of a measure.json that ran. */
struct mfig {
	const char *test, *pmu;
	double median, cycles;	/* cycles < 0: not known */
	double *ticks;		/* the runs */
	size_t nticks;
};

/* A measure.json, read and checked. */
struct measured {
	char *path;
	struct jval *doc;
	const char *host, *kernel, *cpu, *vendor;	/* vendor: intel, amd, other */
	unsigned int family, model;
	bool exit_costs;	/* false: no hardware virtualisation */
	struct mfig *fig;
	size_t nfig;
};

/* The exit reason a test's instruction exits with, per vendor. */
const char *measure_exit_reason(const char *test, const char *vendor);

/* 0, or -1 after one line naming the file and what is wrong. */
int measure_load(const char *path, struct measured *m);
void measure_free(struct measured *m);
const struct mfig *measure_find(const struct measured *m, const char *test, const char *pmu);

/* Where a measure.json's figures come from: "host NAME (CPU, Linux X)...", no newline. */
void measure_source(const struct measured *m, FILE *out);

/* Welch's t-test of two figures' runs: the change of the means. */
struct mdiff {
	double before, after;	/* the means of the runs */
	double change, half, p;	/* half: of the 95% confidence interval */
	bool proven;		/* p < 0.05 */
	bool testable;		/* two runs or more on each side */
};

void measure_diff(const struct mfig *a, const struct mfig *b, struct mdiff *d);

/*
 * The command, argv[0] being "measure": 0 done, 1 on bad input or a refused
 * comparison (after one line), 2 on a bad option.
 */
int measure_main(int argc, char **argv);

#endif
