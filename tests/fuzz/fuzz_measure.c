// SPDX-License-Identifier: GPL-2.0
/*
 * make measure's files (analyzer/measure.c): the figures tests/kvm/exit_cost
 * records, made into measure.json and its table (FUZZ_MEASURE_RAW), and a
 * measure.json read back, printed and compared with itself (BASELINE=,
 * MEASURED=).  The first input byte picks which.
 */
#include <string.h>

#include "fuzz.h"
#include "measure.h"

static char *out;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	out = xasprintf("%s/measure.json", fuzz_scratch());
	return 0;
}

static int run(const char *a, const char *b, const char *c, const char *d)
{
	char *argv[] = { (char *)a, (char *)b, (char *)c, (char *)d, NULL };

	return measure_main(d ? 4 : 3, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in;

	if (!size)
		return 0;
	in = fuzz_file(data + 1, size - 1);
	if (data[0] & 1) {
		run("measure", "--output", out, in);
	} else {
		run("measure", "--table", in, NULL);
		run("measure", "--compare", in, in);
	}
	return 0;
}
