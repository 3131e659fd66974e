// SPDX-License-Identifier: GPL-2.0
/*
 * make review's inputs (analyzer/review.c): an audit.json, taken as the
 * base and as the state after one patch, compared into review.md, .json
 * and .sarif in a scratch folder.
 */
#include <string.h>

#include "fuzz.h"
#include "review.h"

static const char *dir;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	dir = fuzz_scratch();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = fuzz_file(data, size);
	const char *audit[] = { in, in };
	struct review_opts o = {
		.audit = audit, .naudit = 2, .fail_on = "new", .outdir = dir,
	};

	review_run(&o);
	return 0;
}
