// SPDX-License-Identifier: GPL-2.0
/*
 * Dump driver for the golden tests: parse one C file with the given clang
 * arguments and print its functions and classified calls, one a line.
 *   test-callgraph [--scope PREFIX]... FILE.c [-- CLANG-ARGS...]
 * Paths are printed relative to the file's folder.
 */
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdb.h"
#include "cg.h"
#include "options.h"
#include "roots.h"
#include "tu.h"
#include "util.h"

static const char *name_of(const struct cg *cg, const char *usr)
{
	const struct cg_func *f = cg_find(cg, usr);

	return f ? f->name : "?";
}

static void dump_reach(const struct cg *cg, const struct reach *r)
{
	size_t i, f;

	for (i = 0; i < r->nroot; i++) {
		printf("root %s (%s)", r->root[i].name, r->root[i].why);
		for (f = 0; f < r->root[i].nexit; f++)
			printf(" %s", r->root[i].exit[f]);
		putchar('\n');
	}
	for (i = 0; i < cg->nfunc; i++) {
		if (r->dist[i] < 0)
			continue;
		printf("path %s:", cg->func[i].name);
		/* Printed leaf first: the parent chain as it is stored. */
		for (f = i; f != SIZE_MAX; f = r->parent[f])
			printf(" %s%s", cg->func[f].name, r->parent[f] != SIZE_MAX ? " <-" : "");
		putchar('\n');
	}
}

static void dump(const struct cg *cg)
{
	const struct cg_store **targets = xcalloc(cg->nstore + 1, sizeof(*targets));
	size_t i, t, nt;

	for (i = 0; i < cg->nfunc; i++) {
		const struct cg_func *f = &cg->func[i];

		printf("func %s %s:%u%s%s\n", f->name, f->file, f->line,
		       f->is_inline ? " inline" : "", f->is_static ? " static" : "");
	}
	for (i = 0; i < cg->ncall; i++) {
		const struct cg_call *c = &cg->call[i];

		printf("call %s %s:%u:%u %s", name_of(cg, c->caller), c->file, c->line, c->col,
		       cg_kind_name(c->kind));
		if (c->kind == CALL_DIRECT)
			printf(" %s%s", c->callee_name, c->callee_inline ? " inline" : "");
		else
			printf(" %s", c->via ? c->via : "?");
		if (c->field)
			printf(" field %s", c->field);
		if (c->macro)
			printf(" macro %s", c->macro);
		if (c->when != WHEN_ALWAYS)
			printf(" when %s", cg_when_name(c->when));
		if (c->guard)
			printf(" guard %s", c->guard);
		if (c->kind != CALL_DIRECT) {
			nt = cg_targets(cg, c, targets, cg->nstore + 1);
			printf(" targets");
			for (t = 0; t < nt; t++)
				printf(" %s", targets[t]->name);
			if (!nt)
				printf(" (unknown)");
		}
		putchar('\n');
	}
	free(targets);
}

int main(int argc, char **argv)
{
	struct opt_list scope = { 0 };
	const char *roots = NULL;
	struct reach reach;
	const struct option opts[] = {
		{ "scope", OPT_LIST, &scope, "PREFIX", "path prefixes to analyse (default: all)" },
		{ "roots", OPT_STRING, &roots, "FILE", "a roots file (+name/-name lines)" },
		{ NULL, 0, NULL, NULL, NULL },
	};
	static const char *const everything[] = { "" };
	struct tu_opts topts = { 0 };
	struct cdb_cmd cmd = { 0 };
	char *real, *dir, *cwd;
	struct cg cg;
	CXIndex index;
	int first, i, r;

	progname = "test-callgraph";
	first = parse_options(argc, argv, 1, opts);
	if (first < 0 || first >= argc) {
		fprintf(stderr, "usage: test-callgraph [--scope PREFIX]... [--roots FILE] FILE.c [-- CLANG-ARGS]\n");
		return 2;
	}
	real = realpath(argv[first], NULL);
	if (!real)
		die("%s: no such file", argv[first]);
	dir = xstrdup(real);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		die("cannot read the current folder");
	topts.srctree = dirname(dir);
	topts.scope = scope.n ? scope.item : everything;
	topts.nscope = scope.n ? scope.n : 1;

	cmd.file = real;
	cmd.dir = cwd;
	cmd.argv = xcalloc((size_t)argc + 3, sizeof(*cmd.argv));
	cmd.argv[cmd.argc++] = "clang";
	for (i = first + 1; i < argc; i++) {
		if (strcmp(argv[i], "--"))
			cmd.argv[cmd.argc++] = argv[i];
	}
	cmd.argv[cmd.argc++] = "-c";
	cmd.argv[cmd.argc++] = real;

	cg_init(&cg);
	index = clang_createIndex(0, 0);
	r = tu_parse(index, &cmd, &topts, &cg, NULL);
	clang_disposeIndex(index);
	cg_finish(&cg);
	if (r >= 0 && roots_find(&cg, roots, &reach) < 0)
		r = -1;
	if (r >= 0) {
		roots_reach(&cg, &reach);
		dump(&cg);
		dump_reach(&cg, &reach);
		roots_free(&reach);
	}
	cg_free(&cg);
	free(cmd.argv);
	free(cwd);
	free(dir);
	free(real);
	free(scope.item);
	return r == 0 ? 0 : 1;
}
