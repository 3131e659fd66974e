// SPDX-License-Identifier: GPL-2.0
/*
 * Parallel parsing with a per-TU cache.  Forked workers take TU numbers from
 * a pipe (so a long TU does not hold up a fixed share of others), parse each
 * into a graph of its own and write it to a result file: the graph's
 * functions, calls, stores and updates, the TU's first error, and every file
 * it read with its size and mtime.  The parent merges the files in TU order,
 * so the graph and the messages do not depend on which worker was faster.
 * A result file is reused while the command is the same (its name holds a
 * hash of it) and none of the files the TU read has changed.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobs.h"
#include "util.h"

#define MAGIC "hotpath-tu 2"

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull;	/* a separator between strings */
}

/*
 * The analyzer itself: a rebuilt hotpath may extract differently, so its
 * bytes are part of every result's name.
 */
static uint64_t self_hash(void)
{
	static uint64_t h;
	unsigned char buf[65536];
	size_t n, i;
	FILE *f;

	if (h)
		return h;
	h = 0xcbf29ce484222325ull;
	f = fopen("/proc/self/exe", "rb");
	if (!f)
		die("cannot read /proc/self/exe to key the cache; run without --cache");
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		for (i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
	}
	fclose(f);
	return h;
}

/* Everything a TU's result depends on besides the files it reads. */
static char *result_path(const char *dir, const struct cdb_cmd *cmd, const struct tu_opts *o)
{
	CXString version = clang_getClangVersion();
	uint64_t h = fnv(self_hash(), MAGIC);
	const char *base = strrchr(cmd->file, '/');
	size_t i;
	int a;

	h = fnv(h, clang_getCString(version));
	clang_disposeString(version);
	h = fnv(h, o->srctree);
	for (i = 0; i < o->nscope; i++)
		h = fnv(h, o->scope[i]);
	h = fnv(h, cmd->dir);
	h = fnv(h, cmd->file);
	for (a = 0; a < cmd->argc; a++)
		h = fnv(h, cmd->argv[a]);
	return xasprintf("%s/%s-%016llx.tu", dir, base ? base + 1 : cmd->file,
			 (unsigned long long)h);
}

/*
 * Strings go between tabs: keep them on one line.  Written a run at a
 * time, not a character at a time: a big TU's file has a million of them.
 */
static void field(FILE *f, const char *s)
{
	size_t n;

	fputc('\t', f);
	while (s && *s) {
		n = strcspn(s, "\t\n");
		fwrite(s, 1, n, f);
		s += n;
		if (*s) {
			fputc(' ', f);
			s++;
		}
	}
}

static void scope_fields(FILE *f, const struct cg_scope *sc)
{
	fprintf(f, "\t%u\t%d", sc->loop, (int)sc->base);
	field(f, sc->conds);
}

static int write_result(const char *path, const struct cg *cg, const struct tu_result *res)
{
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	struct stat st;
	size_t i;
	int ok;

	if (!f) {
		free(tmp);
		return -1;
	}
	fprintf(f, "%s\nR\t%d", MAGIC, res->errors);
	field(f, res->first_error);
	fputc('\n', f);
	for (i = 0; i < res->ndeps; i++) {
		if (stat(res->deps[i], &st))
			continue;
		fputs("D", f);
		field(f, res->deps[i]);
		fprintf(f, "\t%lld\t%lld.%09ld\n", (long long)st.st_size,
			(long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	}
	for (i = 0; i < cg->nfunc; i++) {
		const struct cg_func *fn = &cg->func[i];

		fputs("F", f);
		field(f, fn->usr);
		field(f, fn->name);
		field(f, fn->file);
		fprintf(f, "\t%u\t%d\t%d", fn->line, fn->is_inline, fn->is_static);
		field(f, fn->returns);
		fputc('\n', f);
	}
	for (i = 0; i < cg->ncall; i++) {
		const struct cg_call *c = &cg->call[i];

		fputs("C", f);
		field(f, c->caller);
		field(f, c->file);
		fprintf(f, "\t%u\t%u\t%d", c->line, c->col, (int)c->kind);
		field(f, c->callee);
		field(f, c->callee_name);
		fprintf(f, "\t%d", c->callee_inline);
		field(f, c->via);
		field(f, c->field);
		field(f, c->macro);
		field(f, c->slot);
		fprintf(f, "\t%d", (int)c->when);
		field(f, c->guard);
		scope_fields(f, &c->in);
		fputc('\n', f);
	}
	for (i = 0; i < cg->nloop; i++) {
		const struct cg_loop *l = &cg->loop[i];

		fputs("L", f);
		field(f, l->func);
		field(f, l->file);
		fprintf(f, "\t%u\t%u\t%u", l->line, l->col, l->num);
		field(f, l->kind);
		field(f, l->over);
		fprintf(f, "\t%lld\t%lld", l->start, l->bound);
		field(f, l->bound_name);
		scope_fields(f, &l->in);
		fputc('\n', f);
	}
	for (i = 0; i < cg->nwrite; i++) {
		const struct cg_write *wr = &cg->write[i];

		fputs("W", f);
		field(f, wr->func);
		field(f, wr->file);
		fprintf(f, "\t%u\t%u", wr->line, wr->col);
		field(f, wr->op);
		field(f, wr->dst);
		field(f, wr->a);
		field(f, wr->b);
		field(f, wr->a_name);
		scope_fields(f, &wr->in);
		fputc('\n', f);
	}
	for (i = 0; i < cg->nglobal; i++) {
		fputs("G", f);
		field(f, cg->global[i].name);
		field(f, cg->global[i].file);
		fprintf(f, "\t%u\t%lld\n", cg->global[i].line, cg->global[i].value);
	}
	for (i = 0; i < cg->nstore; i++) {
		fputs("S", f);
		field(f, cg->store[i].slot);
		field(f, cg->store[i].func);
		field(f, cg->store[i].name);
		field(f, cg->store[i].index);
		fputc('\n', f);
	}
	for (i = 0; i < cg->nupdate; i++) {
		fputs("U", f);
		field(f, cg->update[i].key);
		field(f, cg->update[i].slot);
		fputc('\n', f);
	}
	ok = !ferror(f);
	ok &= !fclose(f);
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* Split a line at tabs in place; empty fields are NULL strings. */
static int split(char *line, char **v, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		char *tab = strchr(line, '\t');

		v[n++] = line;
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

static const char *s0(struct cg *cg, const char *s)
{
	return *s ? cg_str(cg, s) : NULL;
}

static struct cg_scope scope_read(struct cg *cg, char **v)
{
	return (struct cg_scope){ .loop = (unsigned int)strtoul(v[0], NULL, 10),
				  .base = (enum call_when)atoi(v[1]), .conds = s0(cg, v[2]) };
}

static bool dep_changed(char **v, int n)
{
	struct stat st;
	char now[64];

	if (n != 4 || stat(v[1], &st))
		return true;
	snprintf(now, sizeof(now), "%lld.%09ld", (long long)st.st_mtim.tv_sec,
		 st.st_mtim.tv_nsec);
	return strtoll(v[2], NULL, 10) != (long long)st.st_size || strcmp(v[3], now);
}

/*
 * Read a result file.  With cg NULL, only check that it is current;
 * otherwise merge it into cg.  Returns the TU's error count (<0: not parsed),
 * or INT32_MIN when the file is missing, stale or damaged.
 */
static int read_result(const char *path, struct cg *cg, char **first_error)
{
	char line[8192], *v[24];
	int n, errors = INT32_MIN;
	FILE *f = fopen(path, "r");

	if (!f)
		return INT32_MIN;
	if (!fgets(line, sizeof(line), f) || strncmp(line, MAGIC "\n", sizeof(MAGIC)))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		n = split(line, v, 24);
		switch (v[0][0]) {
		case 'R':
			if (n != 3)
				goto bad;
			errors = atoi(v[1]);
			if (first_error && *v[2])
				*first_error = xstrdup(v[2]);
			break;
		case 'D':
			if (dep_changed(v, n))
				goto bad;
			break;
		case 'F':
			if (n != 8)
				goto bad;
			if (cg) {
				struct cg_func fn = {
					.usr = cg_str(cg, v[1]), .name = cg_str(cg, v[2]),
					.file = cg_str(cg, v[3]),
					.line = (unsigned int)strtoul(v[4], NULL, 10),
					.is_inline = atoi(v[5]), .is_static = atoi(v[6]),
					.returns = s0(cg, v[7]),
				};
				cg_add_func(cg, &fn);
			}
			break;
		case 'C':
			if (n != 18)
				goto bad;
			if (cg) {
				struct cg_call c = {
					.caller = cg_str(cg, v[1]), .file = cg_str(cg, v[2]),
					.line = (unsigned int)strtoul(v[3], NULL, 10),
					.col = (unsigned int)strtoul(v[4], NULL, 10),
					.kind = (enum call_kind)atoi(v[5]),
					.callee = s0(cg, v[6]), .callee_name = s0(cg, v[7]),
					.callee_inline = atoi(v[8]), .via = s0(cg, v[9]),
					.field = s0(cg, v[10]), .macro = s0(cg, v[11]),
					.slot = s0(cg, v[12]),
					.when = (enum call_when)atoi(v[13]),
					.guard = s0(cg, v[14]),
					.in = scope_read(cg, v + 15),
				};
				cg_add_call(cg, &c);
			}
			break;
		case 'L':
			if (n != 14)
				goto bad;
			if (cg) {
				struct cg_loop l = {
					.func = cg_str(cg, v[1]), .file = cg_str(cg, v[2]),
					.line = (unsigned int)strtoul(v[3], NULL, 10),
					.col = (unsigned int)strtoul(v[4], NULL, 10),
					.num = (unsigned int)strtoul(v[5], NULL, 10),
					.kind = cg_str(cg, v[6]), .over = s0(cg, v[7]),
					.start = strtoll(v[8], NULL, 10), .bound = strtoll(v[9], NULL, 10),
					.bound_name = s0(cg, v[10]), .in = scope_read(cg, v + 11),
				};
				cg_add_loop(cg, &l);
			}
			break;
		case 'W':
			if (n != 13)
				goto bad;
			if (cg) {
				struct cg_write wr = {
					.func = cg_str(cg, v[1]), .file = cg_str(cg, v[2]),
					.line = (unsigned int)strtoul(v[3], NULL, 10),
					.col = (unsigned int)strtoul(v[4], NULL, 10),
					.op = cg_str(cg, v[5]), .dst = cg_str(cg, v[6]),
					.a = s0(cg, v[7]), .b = s0(cg, v[8]), .a_name = s0(cg, v[9]),
					.in = scope_read(cg, v + 10),
				};
				cg_add_write(cg, &wr);
			}
			break;
		case 'G':
			if (n != 5)
				goto bad;
			if (cg) {
				struct cg_global g = {
					.name = cg_str(cg, v[1]), .file = cg_str(cg, v[2]),
					.line = (unsigned int)strtoul(v[3], NULL, 10),
					.value = strtoll(v[4], NULL, 10),
				};
				cg_add_global(cg, &g);
			}
			break;
		case 'S':
			if (n != 5)
				goto bad;
			if (cg) {
				struct cg_store s = { cg_str(cg, v[1]), cg_str(cg, v[2]),
						      cg_str(cg, v[3]), s0(cg, v[4]) };
				cg_add_store(cg, &s);
			}
			break;
		case 'U':
			if (n != 3)
				goto bad;
			if (cg) {
				struct cg_update u = { cg_str(cg, v[1]), cg_str(cg, v[2]) };
				cg_add_update(cg, &u);
			}
			break;
		default:
			goto bad;
		}
	}
	goto out;
bad:
	errors = INT32_MIN;
	if (first_error) {
		free(*first_error);
		*first_error = NULL;
	}
out:
	fclose(f);
	return errors;
}

static void parse_one(CXIndex index, const struct cdb *db, const struct tu_opts *topts,
		      char **paths, int32_t i)
{
	struct tu_result res = { 0 };
	struct cg part;

	cg_init(&part);
	tu_parse(index, &db->cmd[i], topts, &part, &res);
	if (write_result(paths[i], &part, &res))
		fprintf(stderr, "%s: %s: cannot write it\n", progname, paths[i]);
	cg_free(&part);
	tu_result_free(&res);
}

static void worker(const struct cdb *db, const struct tu_opts *topts, char **paths,
		   int jobfd, int donefd)
{
	CXIndex index = clang_createIndex(0, 0);
	int32_t i;

	while (read(jobfd, &i, sizeof(i)) == sizeof(i)) {
		parse_one(index, db, topts, paths, i);
		if (write(donefd, &i, sizeof(i)) != sizeof(i))
			break;
	}
	clang_disposeIndex(index);
	_exit(0);
}

/* One job: parse in this process, in order (no fork: easy to debug). */
/* One more TU parsed: the counter, or its line, or nothing. */
static void progress(const struct jobs_opts *jo, const struct tu_opts *topts,
		     const struct cdb_cmd *cmd, size_t done, size_t todo, size_t reused)
{
	size_t n = strlen(topts->srctree);
	const char *f = cmd->file;

	if (jo->progress == JOBS_COUNTER) {
		fprintf(stderr, "\r%s: %zu/%zu TUs parsed, %zu reused", progname, done, todo, reused);
	} else if (jo->progress == JOBS_LINES) {
		if (!strncmp(f, topts->srctree, n) && f[n] == '/')
			f += n + 1;
		fprintf(stderr, "  PARSE   %s\n", f);
	}
}

static void run_here(const struct cdb *db, const struct tu_opts *topts, char **paths,
		     int jobfd, size_t todo, const struct jobs_opts *jo, size_t reused)
{
	CXIndex index = clang_createIndex(0, 0);
	size_t done = 0;
	int32_t i;

	while (read(jobfd, &i, sizeof(i)) == sizeof(i)) {
		parse_one(index, db, topts, paths, i);
		progress(jo, topts, &db->cmd[i], ++done, todo, reused);
	}
	if (jo->progress == JOBS_COUNTER && todo)
		fputc('\n', stderr);
	clang_disposeIndex(index);
}

/*
 * A run killed while parsing leaves its workers' temporary result files
 * (never trusted: only a rename makes a result).  Remove those whose
 * process is gone; a live run's are left alone.
 */
static void drop_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		const char *dot;
		char *end, *path;
		long pid;

		if (n < 5 || strcmp(e->d_name + n - 4, ".tmp"))
			continue;
		dot = e->d_name + n - 5;
		while (dot > e->d_name && *dot != '.')
			dot--;
		pid = strtol(dot + 1, &end, 10);
		if (*dot != '.' || strcmp(end, ".tmp") || pid <= 0 || (pid_t)pid != pid ||
		    !kill((pid_t)pid, 0) || errno != ESRCH)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		unlink(path);
		free(path);
	}
	closedir(d);
}

static unsigned int cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

static int make_dir(const char *dir)
{
	char *p = xstrdup(dir), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0777);
		*s = '/';
	}
	free(p);
	if (mkdir(dir, 0777) && errno != EEXIST) {
		error("%s: cannot create the cache folder; set CACHE= to a writable folder", dir);
		return -1;
	}
	return 0;
}

/* Remove a private results folder (only the files this run put there). */
static void remove_dir(const char *dir, char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		unlink(paths[i]);
	rmdir(dir);
}

int jobs_run(const struct cdb *db, const struct tu_opts *topts, const struct jobs_opts *jo,
	     struct cg *cg, struct jobs_stats *st)
{
	char **paths = xcalloc(db->ncmd, sizeof(*paths)), *tmpdir = NULL;
	unsigned int jobs = jo->jobs ? jo->jobs : cpus(), w, nworkers;
	int jobp[2], donep[2], ret = 0;
	pid_t *pid = NULL;
	size_t i, todo = 0, done = 0;
	const char *dir = jo->cache;
	int32_t k;

	memset(st, 0, sizeof(*st));
	if (!dir) {
		tmpdir = xasprintf("%s/hotpath.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(tmpdir)) {
			error("%s: cannot create a temporary folder; set TMPDIR", tmpdir);
			free(tmpdir);
			free(paths);
			return -1;
		}
		dir = tmpdir;
	} else if (make_dir(dir) < 0) {
		free(paths);
		return -1;
	} else {
		drop_stale(dir);
	}
	if (pipe(jobp) || pipe(donep))
		die("cannot create a pipe: %s", strerror(errno));
	for (i = 0; i < db->ncmd; i++) {
		paths[i] = result_path(dir, &db->cmd[i], topts);
		if (read_result(paths[i], NULL, NULL) != INT32_MIN) {
			st->reused++;
			continue;
		}
		k = (int32_t)i;
		if (write(jobp[1], &k, sizeof(k)) != sizeof(k))
			die("cannot queue TU %zu: %s", i, strerror(errno));
		todo++;
	}
	close(jobp[1]);
	nworkers = todo < jobs ? (unsigned int)todo : jobs;
	if (jobs == 1) {
		run_here(db, topts, paths, jobp[0], todo, jo, st->reused);
		close(jobp[0]);
		close(donep[0]);
		close(donep[1]);
		nworkers = 0;
		goto merge;
	}
	pid = xcalloc(nworkers + 1, sizeof(*pid));
	fflush(NULL);
	for (w = 0; w < nworkers; w++) {
		pid[w] = fork();
		if (pid[w] < 0)
			die("cannot fork a parser: %s", strerror(errno));
		if (!pid[w]) {
			close(donep[0]);
			worker(db, topts, paths, jobp[0], donep[1]);
		}
	}
	close(jobp[0]);
	close(donep[1]);
	while (read(donep[0], &k, sizeof(k)) == sizeof(k)) {
		if (k >= 0 && (size_t)k < db->ncmd)
			progress(jo, topts, &db->cmd[k], ++done, todo, st->reused);
	}
	if (jo->progress == JOBS_COUNTER && todo)
		fputc('\n', stderr);
	close(donep[0]);
	for (w = 0; w < nworkers; w++) {
		int status;

		if (waitpid(pid[w], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			error("a parser process died (status %d); its TUs are missing", status);
	}
merge:
	st->parsed = todo;

	/* Merge in TU order: the same graph and messages whatever the timing. */
	for (i = 0; i < db->ncmd; i++) {
		char *first = NULL;
		int errors = read_result(paths[i], cg, &first);

		if (errors == INT32_MIN) {
			error("%s: no result for it (the parser died or could not write %s)",
			      db->cmd[i].file, paths[i]);
			ret = -1;
		} else if (errors < 0) {
			st->failed++;
		} else if (errors > 0) {
			st->with_errors++;
		}
		if (first) {
			error("%s", first);
			free(first);
		}
	}
	if (tmpdir) {
		remove_dir(tmpdir, paths, db->ncmd);
		free(tmpdir);
	}
	for (i = 0; i < db->ncmd; i++)
		free(paths[i]);
	free(paths);
	free(pid);
	return ret;
}
