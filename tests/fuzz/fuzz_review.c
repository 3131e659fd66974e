// SPDX-License-Identifier: GPL-2.0
/*
 * make review's inputs (analyzer/review.c): an audit.json, taken as the
 * base and as the state after one patch, compared into review.md, .json
 * and .sarif in a scratch folder.
 */
#include <string.h>

#include "fuzz.h"
#include "review.h"

static char dir[] = "/tmp/hotpath-fuzz-review.XXXXXX";

static void cleanup(void)
{
	static const char *const files[] = { "review.md", "review.json", "review.sarif" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);

		unlink(p);
		free(p);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
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
