/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parse all translation units of a compilation database, several at once,
 * reusing each TU's cached result while nothing it read has changed.
 */
#ifndef HOTPATH_JOBS_H
#define HOTPATH_JOBS_H

#include "cdb.h"
#include "cg.h"
#include "tu.h"

struct jobs_opts {
	unsigned int jobs;	/* parallel parses; 0: one per CPU */
	const char *cache;	/* folder for per-TU results; NULL: none kept */
	enum {
		JOBS_QUIET,		/* nothing on stderr while parsing */
		JOBS_COUNTER,		/* "n/total TUs", rewritten in place (a terminal) */
		JOBS_LINES,		/* "  PARSE   file" per TU parsed (a log) */
	} progress;
};

struct jobs_stats {
	size_t parsed, reused, failed, with_errors;
};

/* 0 when every TU has a result (even with errors), <0 on a fatal failure. */
int jobs_run(const struct cdb *db, const struct tu_opts *topts, const struct jobs_opts *jo,
	     struct cg *cg, struct jobs_stats *st);

#endif
