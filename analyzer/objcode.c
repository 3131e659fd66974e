// SPDX-License-Identifier: GPL-2.0
/*
 * The built KVM objects and objdump.  Kbuild writes, for each module, a
 * NAME.mod file listing the objects linked into it; those are the objects
 * make analyze built, whatever the tree's Makefile calls them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "objcode.h"
#include "util.h"

static FILE *spawn(char *const argv[], pid_t *pid)
{
	int fd[2];

	if (pipe(fd))
		die("cannot create a pipe: %s", strerror(errno));
	*pid = fork();
	if (*pid < 0)
		die("cannot fork: %s", strerror(errno));
	if (!*pid) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s not found: apt-get install -y binutils\n",
			progname, argv[0]);
		_exit(127);
	}
	close(fd[1]);
	return fdopen(fd[0], "r");
}

int oc_objdump(const char *build, const char *option, const char *obj, struct oc_pipe *p)
{
	char *argv[] = { "objdump", (char *)option, "--no-show-raw-insn", NULL, NULL };

	p->path = xasprintf("%s/%s", build, obj);
	if (access(p->path, R_OK)) {
		error("%s: missing; rebuild with make analyze", p->path);
		free(p->path);
		p->path = NULL;
		return -1;
	}
	argv[3] = p->path;
	p->f = spawn(argv, &p->pid);
	return 0;
}

int oc_close(struct oc_pipe *p)
{
	int status, ret = 0;

	fclose(p->f);
	if (waitpid(p->pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 127)
			error("objdump failed on %s", p->path);
		ret = -1;
	}
	free(p->path);
	p->path = NULL;
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_mod(const char *dir, const char *name, struct oc_module *m)
{
	char *path = xasprintf("%s/%s", dir, name), *obj = NULL;
	size_t n = 0, alloc = 0;
	FILE *f = fopen(path, "r");

	m->module = xasprintf("arch/x86/kvm/%.*s.o", (int)strlen(name) - 4, name);
	if (!f) {
		error("%s: cannot read it", path);
		free(path);
		return -1;
	}
	while (getline(&obj, &n, f) > 0) {
		obj[strcspn(obj, "\n")] = '\0';
		if (!obj[0])
			continue;
		GROW(m->obj, alloc, m->nobj + 1);
		m->obj[m->nobj++] = xstrdup(obj);
	}
	free(obj);
	fclose(f);
	free(path);
	return 0;
}

int oc_modules(const char *build, struct oc_module **mods, size_t *nmods)
{
	char *dir = xasprintf("%s/arch/x86/kvm", build), **names = NULL;
	size_t n = 0, alloc = 0, i;
	struct dirent *de;
	int ret = 0;
	DIR *dp;

	*mods = NULL;
	*nmods = 0;
	dp = opendir(dir);
	if (!dp) {
		error("%s: no such folder; give the kernel build folder (make analyze makes it)", dir);
		free(dir);
		return -1;
	}
	while ((de = readdir(dp))) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".mod")) {
			GROW(names, alloc, n + 1);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(dp);
	if (!n) {
		error("%s: no KVM modules built (no *.mod); run make analyze first", dir);
		ret = -1;
	}
	xqsort(names, n, sizeof(*names), cmp_str);
	*mods = xcalloc(n + 1, sizeof(**mods));
	for (i = 0; i < n && !ret; i++, (*nmods)++)
		ret = read_mod(dir, names[i], &(*mods)[i]);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	if (ret) {
		oc_modules_free(*mods, *nmods);
		*mods = NULL;
		*nmods = 0;
	}
	return ret;
}

void oc_modules_free(struct oc_module *mods, size_t nmods)
{
	size_t i, j;

	for (i = 0; i < nmods; i++) {
		for (j = 0; j < mods[i].nobj; j++)
			free(mods[i].obj[j]);
		free(mods[i].obj);
		free(mods[i].module);
	}
	free(mods);
}

size_t oc_prefix_len(const char *insn)
{
	static const char *const prefix[] = { "cs", "ds", "lock", "rep", "repz", "repnz",
					      "notrack", "bnd", "data16" };
	const char *p = insn;
	size_t i, len;

	for (;;) {
		len = strcspn(p, " \t\n");
		for (i = 0; i < sizeof(prefix) / sizeof(*prefix); i++) {
			if (len == strlen(prefix[i]) && !strncmp(p, prefix[i], len))
				break;
		}
		if (i == sizeof(prefix) / sizeof(*prefix) || (p[len] != ' ' && p[len] != '\t'))
			return p - insn;
		p += len;
		p += strspn(p, " \t");
	}
}
