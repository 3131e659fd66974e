/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the harnesses share: the input as a file the parser opens by name
 * (a memfd, so nothing touches the disk), and a quiet analyzer (its error
 * lines would drown libFuzzer's; the exit status is what counts).
 */
#ifndef HOTPATH_FUZZ_H
#define HOTPATH_FUZZ_H

#include <dirent.h>
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

/* The initialization of a harness that needs nothing else. */
#define FUZZ_QUIET_INIT()						\
int LLVMFuzzerInitialize(int *argc, char ***argv)			\
{									\
	(void)argc;							\
	(void)argv;							\
	fuzz_quiet();							\
	return 0;							\
}

static char fuzz_dir[] = "/tmp/hotpath-fuzz.XXXXXX";

static inline void fuzz_scratch_rm(void)
{
	DIR *d = opendir(fuzz_dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(fuzz_dir);
}

/* A scratch folder for what a harness writes, removed with its files at exit. */
static inline const char *fuzz_scratch(void)
{
	if (!mkdtemp(fuzz_dir))
		abort();
	atexit(fuzz_scratch_rm);
	return fuzz_dir;
}

#endif
