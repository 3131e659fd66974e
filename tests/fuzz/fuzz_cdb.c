// SPDX-License-Identifier: GPL-2.0
/*
 * compile_commands.json (analyzer/cdb.c): libclang's reader, then the
 * flags hotpath keeps or drops of each command.
 */
#include <string.h>

#include "cdb.h"
#include "fuzz.h"

static const char *dir;
static char *file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	dir = fuzz_scratch();
	file = xasprintf("%s/compile_commands.json", dir);
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
