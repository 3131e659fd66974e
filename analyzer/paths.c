// SPDX-License-Identifier: GPL-2.0
/*
 * hotpath paths and hotpath dot, over callgraph.json.  A step of a path is
 * shown with the call site that makes it: the first call in the caller, in
 * file order, whose callee or may-targets hold the next function.
 */
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "util.h"

static const struct jval *array(const struct jval *cg, const char *key)
{
	const struct jval *a = jget(cg, key);

	return a && a->type == J_ARR ? a : NULL;
}

static bool leads_to(const struct jval *call, const char *name)
{
	const struct jval *t = jget(call, "may_targets");
	const char *callee = jstr(call, "callee");
	size_t i;

	if (callee && !strcmp(callee, name))
		return true;
	for (i = 0; t && t->type == J_ARR && i < t->n; i++) {
		if (t->item[i].type == J_STR && !strcmp(t->item[i].str, name))
			return true;
	}
	return false;
}

static unsigned int num(const struct jval *obj, const char *key)
{
	const struct jval *v = jget(obj, key);

	return v && v->type == J_NUM ? (unsigned int)v->num : 0;
}

static const struct jval *call_site(const struct jval *calls, const char *from, const char *to)
{
	size_t i;

	for (i = 0; calls && i < calls->n; i++) {
		const char *caller = jstr(&calls->item[i], "caller");

		if (caller && !strcmp(caller, from) && leads_to(&calls->item[i], to))
			return &calls->item[i];
	}
	return NULL;
}

static const char *root_why(const struct jval *cg, const char *name)
{
	const struct jval *roots = array(cg, "roots");
	size_t i;

	for (i = 0; roots && i < roots->n; i++) {
		const char *r = jstr(&roots->item[i], "name");

		if (r && !strcmp(r, name))
			return jstr(&roots->item[i], "why");
	}
	return NULL;
}

int rep_paths(const struct jval *cg, const char *to, FILE *out)
{
	const struct jval *funcs = array(cg, "functions"), *calls = array(cg, "calls");
	size_t i, k, found = 0;

	for (i = 0; funcs && i < funcs->n; i++) {
		const struct jval *f = &funcs->item[i], *path = jget(f, "path");
		const char *name = jstr(f, "name");

		if (!name || strcmp(name, to))
			continue;
		found++;
		fprintf(out, "%s (%s:%u): ", name, jstr(f, "file"), num(f, "line"));
		if (!path || path->type != J_ARR || !path->n) {
			fputs("not on any VM-exit path\n", out);
			continue;
		}
		fprintf(out, "on the VM-exit paths, %zu call%s from a root\n", path->n - 1,
			path->n == 2 ? "" : "s");
		fprintf(out, "     %-40s root: %s\n", path->item[0].str,
			root_why(cg, path->item[0].str) ? root_why(cg, path->item[0].str) : "?");
		for (k = 1; k < path->n; k++) {
			const struct jval *c = call_site(calls, path->item[k - 1].str,
							 path->item[k].str);

			if (c)
				fprintf(out, "  -> %-40s %s:%u:%u %s\n", path->item[k].str,
					jstr(c, "file"), num(c, "line"), num(c, "col"),
					jstr(c, "kind"));
			else
				fprintf(out, "  -> %s\n", path->item[k].str);
		}
	}
	if (!found) {
		error("no function named %s in the call graph; names are as in callgraph.json's "
		      "\"functions\"", to);
		return 1;
	}
	return 0;
}

/* The names on the exit paths that reach `to` within depth calls, and edges. */
struct dot {
	const char **node;
	size_t nnode, anode;
	char **edge;
	size_t nedge, aedge;
};

static bool has_node(const struct dot *d, const char *n)
{
	size_t i;

	for (i = 0; i < d->nnode; i++) {
		if (!strcmp(d->node[i], n))
			return true;
	}
	return false;
}

static bool on_path(const struct jval *funcs, const char *name)
{
	size_t i;

	for (i = 0; funcs && i < funcs->n; i++) {
		const char *n = jstr(&funcs->item[i], "name");
		const struct jval *p = jget(&funcs->item[i], "path");

		if (n && !strcmp(n, name) && p && p->type == J_ARR)
			return true;
	}
	return false;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int rep_dot(const struct jval *cg, const char *to, unsigned int depth, FILE *out)
{
	const struct jval *funcs = array(cg, "functions"), *calls = array(cg, "calls");
	struct dot d = { 0 };
	size_t level_start = 0, i, j;
	unsigned int level;

	if (!on_path(funcs, to)) {
		error("%s: no function of that name on the VM-exit paths; see hotpath paths --to %s",
		      to, to);
		return 1;
	}
	GROW(d.node, d.anode, 1);
	d.node[d.nnode++] = to;
	/* Backwards from `to`, one level of callers at a time. */
	for (level = 0; level < depth; level++) {
		size_t level_end = d.nnode;

		for (i = level_start; i < level_end; i++) {
			for (j = 0; calls && j < calls->n; j++) {
				const struct jval *c = &calls->item[j];
				const char *caller = jstr(c, "caller");
				char *e;

				if (!caller || !leads_to(c, d.node[i]) || !on_path(funcs, caller))
					continue;
				e = xasprintf("\"%s\" -> \"%s\" [label=\"%s\"%s]", caller, d.node[i],
					      jstr(c, "kind"),
					      !strcmp(jstr(c, "kind"), "direct") ? "" :
					      !strcmp(jstr(c, "kind"), "static_call") ?
					      ", style=dashed" : ", color=red, penwidth=2");
				GROW(d.edge, d.aedge, d.nedge + 1);
				d.edge[d.nedge++] = e;
				if (!has_node(&d, caller)) {
					GROW(d.node, d.anode, d.nnode + 1);
					d.node[d.nnode++] = caller;
				}
			}
		}
		level_start = level_end;
	}
	if (d.nedge)
		xqsort(d.edge, d.nedge, sizeof(*d.edge), strp_cmp);
	xqsort(d.node, d.nnode, sizeof(*d.node), strp_cmp);
	fprintf(out, "digraph \"exit paths to %s\" {\n\trankdir=LR;\n\tnode [shape=box, fontsize=10];\n", to);
	for (i = 0; i < d.nnode; i++) {
		const char *why = root_why(cg, d.node[i]);

		fprintf(out, "\t\"%s\"%s;\n", d.node[i],
			!strcmp(d.node[i], to) ? " [style=filled, fillcolor=gold]" :
			why ? " [style=filled, fillcolor=lightblue]" : "");
	}
	for (i = 0; i < d.nedge; i++) {
		if (!i || strcmp(d.edge[i], d.edge[i - 1]))
			fprintf(out, "\t%s;\n", d.edge[i]);
	}
	for (i = 0; i < d.nedge; i++)
		free(d.edge[i]);
	fputs("}\n", out);
	free(d.edge);
	free(d.node);
	return 0;
}
