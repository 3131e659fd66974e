/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the harnesses share: the input as a file the parser opens by name
 * (a memfd, so nothing touches the disk), and a quiet analyzer (its error
 * lines would drown libFuzzer's; the exit status is what counts).
 */
#ifndef HOTPATH_FUZZ_H
#define HOTPATH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input, written to a memfd: returns its /proc/self/fd path. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("hotpath-fuzz", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	return path;
}

/* No diagnostics, no tables on stdout: only a crash speaks. */
static inline void fuzz_quiet(void)
{
	diag_silent = true;
	if (!freopen("/dev/null", "w", stdout))
		abort();
}

#endif
