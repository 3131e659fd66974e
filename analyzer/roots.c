// SPDX-License-Identifier: GPL-2.0
/*
 * The roots of the VM-exit paths, from the code rather than a list:
 *  - every function stored in an exit-handler table (a variable whose name
 *    holds "exit_handlers": kvm_vmx_exit_handlers[], svm_exit_handlers[]),
 *    by its initializer or by a function it is passed to, as
 *    nested_vmx_hardware_setup() fills in the VMX instructions' handlers;
 *  - the targets of the handle_exit and vcpu_run ops (the fastpath runs
 *    inside vcpu_run), found through the ops initializers;
 *  - the run loop: the functions that make the vcpu_run static call.
 * A roots file adds ("+name") or drops ("-name") functions by name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roots.h"

static const char *const exit_ops[] = { "kvm_x86_handle_exit", "kvm_x86_vcpu_run" };
#define RUN_OP "kvm_x86_vcpu_run"

static struct root *add_root(struct cg *cg, struct reach *r, const char *usr, const char *name,
			     const char *why)
{
	struct root *rt;
	size_t i;

	if (!cg_find(cg, usr))
		return NULL;	/* not defined in the analysed code */
	for (i = 0; i < r->nroot; i++) {
		if (r->root[i].usr == usr)
			return &r->root[i];
	}
	GROW(r->root, r->aroot, r->nroot + 1);
	rt = &r->root[r->nroot++];
	memset(rt, 0, sizeof(*rt));
	rt->usr = usr;
	rt->name = name;
	rt->why = cg_str(cg, why);
	return rt;
}

/* An exit reason a table root handles, once: stores come sorted. */
static void add_exit(struct root *rt, const char *index)
{
	if (!rt || !index || (rt->nexit && rt->exit[rt->nexit - 1] == index))
		return;
	GROW(rt->exit, rt->aexit, rt->nexit + 1);
	rt->exit[rt->nexit++] = index;
}

/* The variable name in a USR such as "c:vmx.c@kvm_vmx_exit_handlers". */
static const char *usr_name(const char *usr)
{
	const char *at = strrchr(usr, '@');

	return at ? at + 1 : usr;
}

static void drop_root(struct reach *r, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < r->nroot; i++) {
		if (strcmp(r->root[i].name, name))
			r->root[n++] = r->root[i];
		else
			free(r->root[i].exit);
	}
	r->nroot = n;
}

/*
 * The roots file as roots_check() read it: a pipe (--roots <(...)) can be
 * read only once, and it is checked before the parse, applied after.
 */
static struct {
	char *path, *text;
	size_t len;
} loaded;

static FILE *open_roots(const char *file)
{
	if (loaded.path && !strcmp(loaded.path, file))
		return loaded.len ? fmemopen(loaded.text, loaded.len, "r") : fopen("/dev/null", "r");
	return fopen(file, "r");
}

/* Applies FILE's lines to R; with no CG, only checks them. */
static int read_roots_file(struct cg *cg, const char *file, struct reach *r)
{
	char *line = NULL, *s, *e;
	unsigned int lineno = 0;
	size_t i, n = 0;
	ssize_t len;
	FILE *f = open_roots(file);

	if (!f) {
		error("%s: cannot read the roots file; give a file of +name/-name lines", file);
		return -1;
	}
	while ((len = getline(&line, &n, f)) > 0) {
		lineno++;
		if (line_has_nul(line, len)) {
			error("%s:%u: a NUL byte; a roots file is text, +name and -name lines", file, lineno);
			free(line);
			fclose(f);
			return -1;
		}
		line[strcspn(line, "#\n")] = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		if (!*s)
			continue;
		if ((*s != '+' && *s != '-') || !s[1]) {
			error("%s:%u: '%.64s%s': write +name to add a root or -name to drop one",
			      file, lineno, s, strlen(s) > 64 ? "..." : "");
			free(line);
			fclose(f);
			return -1;
		}
		if (!cg)
			continue;
		if (*s == '-') {
			drop_root(r, s + 1);
			continue;
		}
		for (i = 0; i < cg->nfunc; i++) {
			if (!strcmp(cg->func[i].name, s + 1))
				add_root(cg, r, cg->func[i].usr, cg->func[i].name, "roots file");
		}
	}
	free(line);
	fclose(f);
	return 0;
}

static int root_cmp(const void *a, const void *b)
{
	const struct root *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->usr, y->usr);
}

int roots_check(const char *file)
{
	char buf[65536];
	FILE *f = fopen(file, "r");
	size_t n, alloc = 0;

	if (!f) {
		error("%s: cannot read the roots file; give a file of +name/-name lines", file);
		return -1;
	}
	free(loaded.path);
	free(loaded.text);
	loaded.path = xstrdup(file);
	loaded.text = NULL;
	loaded.len = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (loaded.len + n > alloc) {
			alloc = 2 * (loaded.len + n);
			loaded.text = xrealloc(loaded.text, alloc);
		}
		memcpy(loaded.text + loaded.len, buf, n);
		loaded.len += n;
	}
	fclose(f);
	return read_roots_file(NULL, file, NULL);
}

int roots_find(struct cg *cg, const char *file, struct reach *r)
{
	const struct cg_store **t = xcalloc(cg->nstore + 1, sizeof(*t));
	size_t i, j, n;
	char *why;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < cg->nstore; i++) {
		const struct cg_store *s = &cg->store[i];

		if (!strstr(usr_name(s->slot), "exit_handlers"))
			continue;
		why = xasprintf("in %s[]", usr_name(s->slot));
		add_exit(add_root(cg, r, s->func, s->name, why), s->index);
		free(why);
	}
	/* What a setup function stores in the table it is passed, at run time. */
	for (j = 0; j < cg->nupdate; j++) {
		const struct cg_update *u = &cg->update[j];

		if (strncmp(u->slot, "param:", 6) || !strstr(usr_name(u->key), "exit_handlers"))
			continue;
		why = xasprintf("in %s[]", usr_name(u->key));
		for (i = 0; i < cg->nstore; i++) {
			if (!strcmp(cg->store[i].slot, u->slot))
				add_exit(add_root(cg, r, cg->store[i].func, cg->store[i].name, why),
					 cg->store[i].index);
		}
		free(why);
	}
	for (i = 0; i < cg->ncall; i++) {
		const struct cg_call *c = &cg->call[i];
		const struct cg_func *caller;

		if (c->kind != CALL_STATIC)
			continue;
		for (j = 0; j < sizeof(exit_ops) / sizeof(*exit_ops); j++) {
			if (strcmp(c->via, exit_ops[j]))
				continue;
			n = cg_targets(cg, c, t, cg->nstore + 1);
			why = xasprintf("static_call(%s) target", c->via);
			while (n--)
				add_root(cg, r, t[n]->func, t[n]->name, why);
			free(why);
		}
		caller = cg_find(cg, c->caller);
		if (caller && !strcmp(c->via, RUN_OP))
			add_root(cg, r, caller->usr, caller->name, "the run loop: calls static_call(" RUN_OP ")");
	}
	free(t);
	if (file && read_roots_file(cg, file, r) < 0)
		return -1;
	if (r->nroot)
		xqsort(r->root, r->nroot, sizeof(*r->root), root_cmp);
	return 0;
}

static size_t index_of(const struct cg *cg, const char *usr)
{
	const struct cg_func *f = cg_find(cg, usr);

	return f ? (size_t)(f - cg->func) : SIZE_MAX;
}

static void visit(struct reach *r, size_t from, size_t to, size_t *queue, size_t *tail)
{
	if (to == SIZE_MAX || r->dist[to] >= 0)
		return;
	r->dist[to] = r->dist[from] + 1;
	r->parent[to] = from;
	queue[(*tail)++] = to;
}

/*
 * Breadth first from all roots at once, roots and calls in their sorted
 * order: the same graph always gives the same shortest paths.
 */
void roots_reach(const struct cg *cg, struct reach *r)
{
	const struct cg_store **t = xcalloc(cg->nstore + 1, sizeof(*t));
	size_t *queue = xcalloc(cg->nfunc + 1, sizeof(*queue));
	size_t *first = xcalloc(cg->nfunc + 1, sizeof(*first));
	size_t *order = xcalloc(cg->ncall + 1, sizeof(*order));
	size_t head = 0, tail = 0, i, k, n;

	r->parent = xmalloc((cg->nfunc + 1) * sizeof(*r->parent));
	r->dist = xmalloc((cg->nfunc + 1) * sizeof(*r->dist));
	for (i = 0; i < cg->nfunc; i++) {
		r->parent[i] = SIZE_MAX;
		r->dist[i] = -1;
	}
	/* Calls grouped by caller, keeping their sorted order: a counting sort. */
	for (i = 0; i < cg->ncall; i++) {
		size_t f = index_of(cg, cg->call[i].caller);

		if (f != SIZE_MAX)
			first[f + 1]++;
	}
	for (i = 0; i < cg->nfunc; i++)
		first[i + 1] += first[i];
	{
		size_t *fill = xcalloc(cg->nfunc + 1, sizeof(*fill));

		for (i = 0; i < cg->ncall; i++) {
			size_t f = index_of(cg, cg->call[i].caller);

			if (f != SIZE_MAX)
				order[first[f] + fill[f]++] = i;
		}
		free(fill);
	}
	for (i = 0; i < r->nroot; i++) {
		size_t f = index_of(cg, r->root[i].usr);

		if (f != SIZE_MAX && r->dist[f] < 0) {
			r->dist[f] = 0;
			queue[tail++] = f;
		}
	}
	while (head < tail) {
		size_t f = queue[head++];

		for (k = first[f]; k < first[f + 1]; k++) {
			const struct cg_call *c = &cg->call[order[k]];

			if (c->kind == CALL_DIRECT) {
				visit(r, f, index_of(cg, c->callee), queue, &tail);
				continue;
			}
			n = cg_targets(cg, c, t, cg->nstore + 1);
			for (i = 0; i < n; i++)
				visit(r, f, index_of(cg, t[i]->func), queue, &tail);
		}
	}
	free(order);
	free(first);
	free(queue);
	free(t);
}

void roots_free(struct reach *r)
{
	size_t i;

	for (i = 0; i < r->nroot; i++)
		free(r->root[i].exit);
	free(r->root);
	free(r->parent);
	free(r->dist);
	memset(r, 0, sizeof(*r));
}
