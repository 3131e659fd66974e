// SPDX-License-Identifier: GPL-2.0
/*
 * Read compile_commands.json with clang_CompilationDatabase_fromDirectory()
 * and keep what clang can use: Kbuild's commands are gcc's, and clang stops
 * on the gcc-only flags below.  Commands are sorted by file, so everything
 * built from them comes out in the same order on every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <clang-c/CXCompilationDatabase.h>

#include "cdb.h"
#include "util.h"

/*
 * gcc flags clang-16 rejects, checked on Debian's 6.1 and 6.12 trees with
 * the project's config and with user configs (ftrace, KASAN, GCOV, ...),
 * plus those of newer gccs; code-generation flags do not change what the
 * parser sees.  -Werror is dropped so warnings are not counted as errors.
 * Dependency output goes too: libclang honours Kbuild's -Wp,-MMD and would
 * write .d files into the build folder, which for a tree configured in-tree
 * is the user's tree.  A trailing '*' matches by prefix.
 */
static const char *const dropped[] = {
	"-mpreferred-stack-boundary=*",
	"-mindirect-branch=*",
	"-mindirect-branch-register",
	"-fno-allow-store-data-races",
	"-fconserve-stack",
	"-Werror",
	"-mrecord-mcount",
	"-femit-struct-debug-baseonly",
	"-fno-tree-loop-im",
	"-fasan-shadow-offset=*",
	"-fsanitize=bounds-strict",
	"-fmin-function-alignment=*",
	"-fzero-init-padding-bits=*",
	"-fno-ipa-cp-clone",
	"-fno-partial-inlining",
	"-mnop-mcount",
	"-maccumulate-outgoing-args",
	"-fplugin=*",
	"-fplugin-arg-*",
	"-Wp,-MMD,*",
	"-Wp,-MD,*",
	"-MD",
	"-MMD",
	"-MP",
	"-MF*",
	"-MT*",
	"-MQ*",
	NULL,
};

/* Dependency options whose value may be the next argument. */
static const char *const with_value[] = { "-MF", "-MT", "-MQ", NULL };

/* 1: drop arg; 2: drop arg and the one after it; 0: keep. */
int cdb_flag_dropped(const char *arg)
{
	const char *const *d;

	for (d = with_value; *d; d++) {
		if (!strcmp(arg, *d))
			return 2;
	}
	for (d = dropped; *d; d++) {
		size_t n = strlen(*d);

		if ((*d)[n - 1] == '*' ? !strncmp(arg, *d, n - 1) : !strcmp(arg, *d))
			return 1;
	}
	return 0;
}

static char *cxstrdup(CXString s)
{
	char *copy = xstrdup(clang_getCString(s) ? clang_getCString(s) : "");

	clang_disposeString(s);
	return copy;
}

static int cmd_cmp(const void *a, const void *b)
{
	const struct cdb_cmd *x = a, *y = b;

	return strcmp(x->file, y->file);
}

/*
 * libclang prints its loader's complaints to stderr itself; catch them, so
 * the user gets one line that says what is wrong with the file.
 */
static CXCompilationDatabase open_quietly(const char *dir, char *why, size_t len)
{
	CXCompilationDatabase_Error err;
	CXCompilationDatabase cdb;
	FILE *tmp = tmpfile();
	int saved = -1;
	char line[512];

	*why = '\0';
	fflush(stderr);
	if (tmp && (saved = dup(STDERR_FILENO)) >= 0)
		dup2(fileno(tmp), STDERR_FILENO);
	cdb = clang_CompilationDatabase_fromDirectory(dir, &err);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (tmp) {
		rewind(tmp);
		while (fgets(line, sizeof(line), tmp)) {
			if (!strncmp(line, "json-compilation-database: ", 27)) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(why, len, "%s", line + 27);
			}
		}
		fclose(tmp);
	}
	if (err != CXCompilationDatabase_NoError) {
		clang_CompilationDatabase_dispose(cdb);
		return NULL;
	}
	return cdb;
}

int cdb_load(const char *dir, struct cdb *db)
{
	CXCompilationDatabase cdb;
	CXCompileCommands cmds;
	unsigned int i, n;
	char why[512];
	char *path;

	memset(db, 0, sizeof(*db));
	path = xasprintf("%s/compile_commands.json", dir);
	if (access(path, R_OK)) {
		error("%s: not found; run 'make analyze' to generate it", path);
		free(path);
		return -1;
	}
	cdb = open_quietly(dir, why, sizeof(why));
	if (!cdb) {
		error("%s: not a compilation database (%s); run 'make analyze' to regenerate it",
		      path, *why ? why : "unreadable");
		free(path);
		return -1;
	}
	free(path);
	cmds = clang_CompilationDatabase_getAllCompileCommands(cdb);
	n = clang_CompileCommands_getSize(cmds);
	for (i = 0; i < n; i++) {
		CXCompileCommand cmd = clang_CompileCommands_getCommand(cmds, i);
		unsigned int a, nargs = clang_CompileCommand_getNumArgs(cmd);
		struct cdb_cmd *c;

		GROW(db->cmd, db->alloc, db->ncmd + 1);
		c = &db->cmd[db->ncmd++];
		c->file = cxstrdup(clang_CompileCommand_getFilename(cmd));
		c->dir = cxstrdup(clang_CompileCommand_getDirectory(cmd));
		c->argv = xcalloc(nargs + 1, sizeof(*c->argv));
		c->argc = 0;
		for (a = 0; a < nargs; a++) {
			char *arg = cxstrdup(clang_CompileCommand_getArg(cmd, a));
			int drop = a > 0 ? cdb_flag_dropped(arg) : 0;

			if (drop) {
				free(arg);
				a += drop - 1;
				continue;
			}
			c->argv[c->argc++] = arg;
		}
	}
	clang_CompileCommands_dispose(cmds);
	clang_CompilationDatabase_dispose(cdb);
	if (!db->ncmd) {
		error("%s/compile_commands.json: no compile commands in it", dir);
		return -1;
	}
	xqsort(db->cmd, db->ncmd, sizeof(*db->cmd), cmd_cmp);
	return 0;
}

void cdb_free(struct cdb *db)
{
	size_t i;
	int a;

	for (i = 0; i < db->ncmd; i++) {
		for (a = 0; a < db->cmd[i].argc; a++)
			free(db->cmd[i].argv[a]);
		free(db->cmd[i].argv);
		free(db->cmd[i].file);
		free(db->cmd[i].dir);
	}
	free(db->cmd);
	memset(db, 0, sizeof(*db));
}
