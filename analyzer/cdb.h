/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compilation database: Kbuild's compile_commands.json read through
 * libclang's CompilationDatabase API, with gcc-only flags dropped so that
 * clang accepts the commands.
 */
#ifndef HOTPATH_CDB_H
#define HOTPATH_CDB_H

#include <stddef.h>

struct cdb_cmd {
	char *file;		/* the source file, absolute */
	char *dir;		/* where the command runs */
	int argc;
	char **argv;		/* argv[0] is the compiler; NULL-terminated */
};

struct cdb {
	struct cdb_cmd *cmd;
	size_t ncmd, alloc;
};

int cdb_load(const char *dir, struct cdb *db);
int cdb_flag_dropped(const char *arg);
void cdb_free(struct cdb *db);

#endif
