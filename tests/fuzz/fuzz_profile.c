// SPDX-License-Identifier: GPL-2.0
/*
 * CPU profiles (analyzer/profile.c): the NAME.profile files of analyzer/profiles/, hotpath
 * calibrate's output, CPU=my.profile.
 */
#include "fuzz.h"
#include "profile.h"

FUZZ_QUIET_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile p;

	if (!prof_read(fuzz_file(data, size), &p)) {
		prof_defaults(&p, 6, 12);
		prof_covers(&p, p.vendor, 0x19, 0x11);
	}
	prof_free(&p);
	return 0;
}
