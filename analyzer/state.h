/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How often each loop on the exit paths runs, derived from the code: the
 * writes of the field it loops over (bitmap_set(), bitmap_zero(), an
 * assignment, a memset() of the whole struct), run in order along the
 * vCPU's set-up and refresh paths under a scenario, for one vendor's code.
 */
#ifndef HOTPATH_STATE_H
#define HOTPATH_STATE_H

#include <stdbool.h>

#include "cost.h"
#include "scenario.h"

struct st_trip {
	bool known;		/* derived: lo == hi */
	double lo, hi;		/* iterations; hi is INFINITY without a bound */
	char *why;		/* where the count comes from, in words */
};

/*
 * Each of m's loops (m->nloop of them, into trip) under scenario s on
 * profile p's vendor; p's CPUID features decide cpuid() tests.
 */
void st_trips(const struct cm_model *m, const struct profile *p, const struct scenario *s,
	      struct st_trip *trip);
void st_trips_free(struct st_trip *trip, size_t n);

#endif
