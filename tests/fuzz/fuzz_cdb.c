// SPDX-License-Identifier: GPL-2.0
/*
 * compile_commands.json (analyzer/cdb.c): libclang's reader, then the
 * flags hotpath keeps or drops of each command.
 */
#include <string.h>

#include "cdb.h"
#include "fuzz.h"

static char dir[] = "/tmp/hotpath-fuzz-cdb.XXXXXX";
static char *file;

static void cleanup(void)
{
	unlink(file);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	if (!mkdtemp(dir))
		abort();
	file = xasprintf("%s/compile_commands.json", dir);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdb db;
	FILE *f = fopen(file, "w");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	if (!cdb_load(dir, &db))
		cdb_free(&db);
	return 0;
}
