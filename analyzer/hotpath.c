// SPDX-License-Identifier: GPL-2.0
/*
 * hotpath: the analyzer's command line.
 *   hotpath callgraph --cdb DIR --srctree DIR [--scope PREFIX]... [-o FILE]
 * parses every TU of the compilation database and writes callgraph.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "calibrate.h"
#include "measure.h"
#include "cdb.h"
#include "cg.h"
#include "jobs.h"
#include "json.h"
#include "options.h"
#include "paths.h"
#include "review.h"
#include "roots.h"
#include "version.h"
#include "tu.h"
#include "util.h"
#include "validate.h"

/*
 * KVM: arch/x86/kvm and virt/kvm, and the headers only KVM includes, whose
 * inline functions and tracepoints are compiled into the KVM objects.
 */
static const char *const default_scope[] = {
	"arch/x86/kvm/", "virt/kvm/", "include/kvm/", "include/linux/kvm_",
	"include/trace/events/kvm.h", "arch/x86/include/asm/kvm",
};

static void usage(FILE *out)
{
	fprintf(out, "usage: hotpath callgraph --cdb DIR --srctree DIR [options]\n"
		     "       hotpath commands --cdb DIR\n"
		     "       hotpath paths --to FUNCTION CALLGRAPH.json\n"
		     "       hotpath dot --to FUNCTION [--depth N] CALLGRAPH.json\n"
		     "       hotpath validate --build DIR [--function NAME]... [--misses] CALLGRAPH.json\n"
		     "       hotpath audit --build DIR --profile FILE... [--exits FILE] [--measured FILE[,FILE]] [--output-dir DIR] CALLGRAPH.json\n"
		     "       hotpath review [--commits FILE] [--renames FILE] [--fail-on new|RULE|+N] [--tree NAME] [--output-dir DIR] BASE.json AFTER.json...\n"
		     "       hotpath measure [--tree NAME] --output measure.json RAW | --table FILE | --check FILE | --compare BEFORE AFTER\n"
		     "       hotpath calibrate [--runs N] [--cpuinfo FILE] [--vulnerabilities DIR] > CPU.profile\n"
		     "       hotpath --version\n");
}

/*
 * A command's options: the index of its first operand, or -1 when it is
 * done (--help printed: exit 0) and -2 on a bad option (exit 2).
 */
static int command_options(int argc, char **argv, const struct option *opts, const int *help)
{
	int first = parse_options(argc, argv, 1, opts);

	if (first < 0)
		return -2;
	if (*help) {
		usage(stdout);
		print_options(opts);
		return -1;
	}
	return first;
}

struct graph_out {
	const struct cg *cg;
	const struct reach *reach;
	const char *tree;
};

static void fill_callgraph(const void *arg, FILE *out)
{
	const struct graph_out *g = arg;

	rep_json_callgraph(g->cg, g->reach, g->tree, out);
}

static int cmd_callgraph(int argc, char **argv)
{
	const char *cdb_dir = NULL, *srctree = NULL, *output = "-", *tree = NULL, *roots = NULL;
	const char *cache = NULL;
	unsigned int jobs = 0;
	struct opt_list scope = { 0 };
	int help = 0, quiet = 0, first, ret = 1;
	const struct option opts[] = {
		{ "cdb", OPT_STRING, &cdb_dir, "DIR", "folder holding compile_commands.json" },
		{ "srctree", OPT_STRING, &srctree, "DIR", "the kernel source tree (paths are made relative to it)" },
		{ "scope", OPT_LIST, &scope, "PREFIX", "analyse functions under this tree path (repeatable; default: arch/x86/kvm/, virt/kvm/ and the KVM headers)" },
		{ "name", OPT_STRING, &tree, "NAME", "the tree's name in the output" },
		{ "roots", OPT_STRING, &roots, "FILE", "add (+name) or drop (-name) exit-path roots" },
		{ "output", OPT_STRING, &output, "FILE", "where to write callgraph.json (default: stdout)" },
		{ "jobs", OPT_UINT, &jobs, "N", "parse N TUs at once (default: one per CPU)" },
		{ "cache", OPT_STRING, &cache, "DIR", "keep per-TU results here and reuse them while current" },
		{ "quiet", OPT_FLAG, &quiet, NULL, "no progress on stderr" },
		{ "help", OPT_FLAG, &help, NULL, "this text" },
		{ NULL, 0, NULL, NULL, NULL },
	};
	struct tu_opts topts = { 0 };
	struct jobs_opts jo = { 0 };
	struct jobs_stats st;
	struct reach reach;
	struct cdb db;
	struct cg cg;
	size_t i, kinds[4] = { 0 };
	char *real;

	first = command_options(argc, argv, opts, &help);
	if (first < 0) {
		free(scope.item);
		return first == -1 ? 0 : 2;
	}
	if (first != argc || !cdb_dir || !srctree) {
		if (first != argc)
			error("unexpected argument '%s'; see hotpath callgraph --help", argv[first]);
		else
			error("callgraph needs --cdb and --srctree; see hotpath callgraph --help");
		free(scope.item);
		return 2;
	}
	real = realpath(srctree, NULL);
	if (!real) {
		error("--srctree %s: no such folder; give the kernel source tree", srctree);
		free(scope.item);
		return 1;
	}
	topts.srctree = real;
	topts.scope = scope.n ? scope.item : default_scope;
	topts.nscope = scope.n ? scope.n : sizeof(default_scope) / sizeof(*default_scope);
	if ((roots && roots_check(roots) < 0) || cdb_load(cdb_dir, &db) < 0)
		goto out_real;

	cg_init(&cg);
	jo.jobs = jobs;
	jo.cache = cache;
	jo.progress = quiet ? JOBS_QUIET : isatty(STDERR_FILENO) ? JOBS_COUNTER : JOBS_LINES;
	if (jobs_run(&db, &topts, &jo, &cg, &st) < 0) {
		cg_free(&cg);
		cdb_free(&db);
		goto out_real;
	}
	cg_finish(&cg);
	if (roots_find(&cg, roots, &reach) < 0) {
		cg_free(&cg);
		cdb_free(&db);
		goto out_real;
	}
	roots_reach(&cg, &reach);
	for (i = 0; i < cg.ncall; i++)
		kinds[cg.call[i].kind]++;
	if (!quiet)
		fprintf(stderr, "%s: %zu TUs (%zu parsed, %zu reused; %zu unparsable, %zu with errors), "
			"%zu functions, %zu calls: %zu direct, %zu static_call, %zu indirect, "
			"%zu indirect_wrapper\n",
			progname, db.ncmd, st.parsed, st.reused, st.failed, st.with_errors,
			cg.nfunc, cg.ncall,
			kinds[CALL_DIRECT], kinds[CALL_STATIC], kinds[CALL_INDIRECT],
			kinds[CALL_WRAPPER]);
	if (!quiet) {
		size_t reached = 0;

		for (i = 0; i < cg.nfunc; i++)
			reached += reach.dist[i] >= 0;
		fprintf(stderr, "%s: %zu exit-path roots, %zu functions on exit paths\n",
			progname, reach.nroot, reached);
	}
	if (write_atomic(output, fill_callgraph, &(struct graph_out){ &cg, &reach, tree }) == 0 &&
	    st.failed < db.ncmd)
		ret = 0;
	roots_free(&reach);
	cg_free(&cg);
	cdb_free(&db);
out_real:
	free(real);
	free(scope.item);
	return ret;
}

/*
 * hotpath commands --cdb DIR: each TU's command as the analyzer gives it to
 * clang (gcc-only flags dropped), one a line: the folder it runs in, then
 * its arguments without argv[0], tab-separated.  make bench times clang's
 * own -fsyntax-only on exactly these.
 */
static int cmd_commands(int argc, char **argv)
{
	const char *cdb_dir = NULL;
	int help = 0, first, a;
	const struct option opts[] = {
		{ "cdb", OPT_STRING, &cdb_dir, "DIR", "folder holding compile_commands.json" },
		{ "help", OPT_FLAG, &help, NULL, "this text" },
		{ NULL, 0, NULL, NULL, NULL },
	};
	struct cdb db;
	size_t i;

	first = command_options(argc, argv, opts, &help);
	if (first < 0)
		return first == -1 ? 0 : 2;
	if (!cdb_dir || first != argc) {
		error("commands needs --cdb DIR; see hotpath commands --help");
		return 2;
	}
	if (cdb_load(cdb_dir, &db) < 0)
		return 1;
	for (i = 0; i < db.ncmd; i++) {
		fputs(db.cmd[i].dir, stdout);
		for (a = 1; a < db.cmd[i].argc; a++)
			printf("\t%s", db.cmd[i].argv[a]);
		putchar('\n');
	}
	cdb_free(&db);
	return fflush(stdout) ? 1 : 0;
}

/* hotpath paths|dot --to NAME FILE: reports over a callgraph.json. */
static int cmd_report(int argc, char **argv, bool dot)
{
	const char *to = NULL;
	unsigned int depth = 3;
	int help = 0, first, ret;
	const struct option opts[] = {
		{ "to", OPT_STRING, &to, "FUNCTION", "the function whose exit paths to show" },
		{ "depth", OPT_UINT, &depth, "N", "dot: callers this many calls back (default 3)" },
		{ "help", OPT_FLAG, &help, NULL, "this text" },
		{ NULL, 0, NULL, NULL, NULL },
	};
	struct jval *cg;

	first = command_options(argc, argv, opts, &help);
	if (first < 0)
		return first == -1 ? 0 : 2;
	if (!to || first != argc - 1) {
		error("%s needs --to FUNCTION and one callgraph.json; see hotpath %s --help",
		      argv[0], argv[0]);
		return 2;
	}
	cg = jread_file(argv[first]);
	if (!cg)
		return 1;
	ret = dot ? rep_dot(cg, to, depth, stdout) : rep_paths(cg, to, stdout);
	jfree(cg);
	return ret;
}

/*
 * hotpath validate --build DIR CALLGRAPH.json: the analyzer's indirect and
 * static-call sites against objdump of the objects built in DIR.
 */
static int cmd_validate(int argc, char **argv)
{
	struct opt_list func = { 0 };
	struct val_opts vo = { 0 };
	int help = 0, misses = 0, first, ret;
	const struct option opts[] = {
		{ "build", OPT_STRING, &vo.build, "DIR", "the kernel build folder holding the KVM objects" },
		{ "function", OPT_LIST, &func, "NAME", "show this function's sites one by one (repeatable)" },
		{ "misses", OPT_FLAG, &misses, NULL, "list every site that did not match" },
		{ "help", OPT_FLAG, &help, NULL, "this text" },
		{ NULL, 0, NULL, NULL, NULL },
	};
	struct jval *cg;

	first = command_options(argc, argv, opts, &help);
	if (first < 0) {
		free(func.item);
		return first == -1 ? 0 : 2;
	}
	if (!vo.build || first != argc - 1) {
		error("validate needs --build DIR and one callgraph.json; see hotpath validate --help");
		free(func.item);
		return 2;
	}
	cg = jread_file(argv[first]);
	if (!cg) {
		free(func.item);
		return 1;
	}
	vo.func = func.item;
	vo.nfunc = func.n;
	vo.misses = misses;
	ret = val_run(cg, &vo, stdout);
	if (!ret && fflush(stdout))
		ret = 1;
	jfree(cg);
	free(func.item);
	return ret;
}

/*
 * hotpath audit --build DIR --profile FILE... CALLGRAPH.json: every exit-path
 * call site priced on each CPU profile, written as the audit files.
 */
static int cmd_audit(int argc, char **argv)
{
	struct opt_list prof = { 0 };
	struct audit_opts ao = { .outdir = ".", .top = 20 };
	int help = 0, first, ret;
	const struct option opts[] = {
		{ "build", OPT_STRING, &ao.build, "DIR", "the kernel build folder holding the KVM objects" },
		{ "profile", OPT_LIST, &prof, "FILE", "a CPU profile (repeatable; the first ranks the sites)" },
		{ "exits", OPT_STRING, &ao.exits, "FILE", "weight sites by a perf kvm stat report's exit counts" },
		{ "measured", OPT_STRING, &ao.measured, "FILE[,FILE]", "measure.json (or before,after) to set beside the model" },
		{ "scenario", OPT_STRING, &ao.scenario, "FILE", "facts about the VM's state to price under (default: its PMU off)" },
		{ "output-dir", OPT_STRING, &ao.outdir, "DIR", "where the audit files go (default: .)" },
		{ "top", OPT_UINT, &ao.top, "N", "sites per profile in audit.md (default 20)" },
		{ "help", OPT_FLAG, &help, NULL, "this text" },
		{ NULL, 0, NULL, NULL, NULL },
	};
	struct jval *cg;

	first = command_options(argc, argv, opts, &help);
	if (first < 0) {
		free(prof.item);
		return first == -1 ? 0 : 2;
	}
	if (!ao.build || !prof.n || first != argc - 1) {
		error("audit needs --build DIR, at least one --profile FILE and one callgraph.json; "
		      "see hotpath audit --help");
		free(prof.item);
		return 2;
	}
	cg = jread_file(argv[first]);
	if (!cg) {
		free(prof.item);
		return 1;
	}
	ao.profile = prof.item;
	ao.nprofile = prof.n;
	ret = audit_run(cg, &ao);
	jfree(cg);
	free(prof.item);
	return ret;
}

/*
 * The exit status is the gate's: 0 passed, 2 failed, 1 an error (a bad
 * option too, so that a typo never reads as a failed gate).
 */
static int cmd_review(int argc, char **argv)
{
	struct review_opts ro = { .fail_on = "new", .outdir = "." };
	int help = 0, first;
	const struct option opts[] = {
		{ "commits", OPT_STRING, &ro.commits, "FILE", "a COMMIT SUBJECT line per audit, the base first" },
		{ "renames", OPT_STRING, &ro.renames, "FILE", "OLD<TAB>NEW lines: files the change renames" },
		{ "fail-on", OPT_STRING, &ro.fail_on, "WHAT", "new (default), a rule's id, or +N cycles per exit" },
		{ "output-dir", OPT_STRING, &ro.outdir, "DIR", "where review.md, .json and .sarif go (default: .)" },
		{ "tree", OPT_STRING, &ro.tree, "NAME", "the tree's name in the review (default: the base audit's)" },
		{ "help", OPT_FLAG, &help, NULL, "this text" },
		{ NULL, 0, NULL, NULL, NULL },
	};

	first = command_options(argc, argv, opts, &help);
	if (first < 0)
		return first == -1 ? 0 : 1;
	if (argc - first < 2) {
		error("review needs the base's audit.json and one audit.json after each patch; "
		      "see hotpath review --help");
		return 1;
	}
	ro.audit = (const char **)argv + first;
	ro.naudit = (size_t)(argc - first);
	return review_run(&ro);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hotpath (%s)\n", HOTPATH_TOOL);
		return 0;
	}
	if (!strcmp(argv[1], "callgraph"))
		return cmd_callgraph(argc - 1, argv + 1);
	if (!strcmp(argv[1], "commands"))
		return cmd_commands(argc - 1, argv + 1);
	if (!strcmp(argv[1], "paths"))
		return cmd_report(argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "dot"))
		return cmd_report(argc - 1, argv + 1, true);
	if (!strcmp(argv[1], "validate"))
		return cmd_validate(argc - 1, argv + 1);
	if (!strcmp(argv[1], "audit"))
		return cmd_audit(argc - 1, argv + 1);
	if (!strcmp(argv[1], "review"))
		return cmd_review(argc - 1, argv + 1);
	if (!strcmp(argv[1], "calibrate"))
		return cal_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "measure"))
		return measure_main(argc - 1, argv + 1);
	error("unknown command '%s'; the commands are: callgraph, commands, paths, dot, validate, audit, review, calibrate, measure",
	      argv[1]);
	return 2;
}
