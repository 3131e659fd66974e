// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer: one object a line inside each array, keys in a fixed
 * order, so two runs give byte-identical files and diffs stay readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "version.h"

void json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	while (*s) {
		const char *end = s;
		unsigned char c;

		/* A run that needs no escape goes out in one write. */
		while ((unsigned char)*end >= 0x20 && *end != '"' && *end != '\\')
			end++;
		fwrite(s, 1, (size_t)(end - s), out);
		s = end;
		if (!*s)
			break;
		c = (unsigned char)*s++;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else
			fprintf(out, "\\u%04x", c);
	}
	fputc('"', out);
}

void json_strings(FILE *out, const struct jval *arr)
{
	size_t i;

	fputc('[', out);
	for (i = 0; arr && i < arr->n; i++) {
		if (i)
			fputs(", ", out);
		json_str(out, arr->item[i].type == J_STR ? arr->item[i].str : NULL);
	}
	fputc(']', out);
}

static const char *name_of(const struct cg *cg, const char *usr)
{
	const struct cg_func *f = cg_find(cg, usr);

	return f ? f->name : NULL;
}

/* The path from a root to function f, root first. */
static void path(const struct cg *cg, const struct reach *r, size_t f, FILE *out)
{
	size_t *up = xcalloc((size_t)r->dist[f] + 1, sizeof(*up));
	int n = 0, i;

	for (; f != SIZE_MAX; f = r->parent[f])
		up[n++] = f;
	fputc('[', out);
	for (i = n - 1; i >= 0; i--) {
		json_str(out, cg->func[up[i]].name);
		if (i)
			fputs(", ", out);
	}
	fputc(']', out);
	free(up);
}

/*
 * ", \"loop\": 1, \"base\": \"conditional\", \"if\": [...]"; for a call only when
 * it is in a loop, under conditions, or its base differs from its when.
 */
static void scope(FILE *out, const struct cg_scope *sc, bool always)
{
	const char *p, *semi;

	if (!always && !sc->loop && !sc->conds)
		return;
	fprintf(out, ", \"loop\": %u, \"base\": \"%s\", \"if\": [", sc->loop, cg_when_name(sc->base));
	for (p = sc->conds; p && *p; p = *semi ? semi + 1 : semi) {
		const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		const char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
		char *cond;

		semi = p + strcspn(p, ";");
		if (!c3 || c3 > semi)
			continue;
		fprintf(out, "%s{\"when\": \"%.*s\", \"line\": %.*s, \"how\": \"%.*s\", \"cond\": ",
			p == sc->conds ? "" : ", ", (int)(c1 - p), p, (int)(c2 - c1 - 1), c1 + 1,
			(int)(c3 - c2 - 1), c2 + 1);
		cond = xasprintf("%.*s", (int)(semi - c3 - 1), c3 + 1);
		json_str(out, cond);
		free(cond);
		fputc('}', out);
	}
	fputc(']', out);
}

void rep_json_callgraph(const struct cg *cg, const struct reach *r, const char *tree, FILE *out)
{
	const struct cg_store **targets;
	size_t i, t;

	fputs("{\n\"tool\": \"" HOTPATH_TOOL "\",\n\"tree\": ", out);
	json_str(out, tree);
	fputs(",\n\"roots\": [\n", out);
	for (i = 0; i < r->nroot; i++) {
		fputs("{\"name\": ", out);
		json_str(out, r->root[i].name);
		fputs(", \"why\": ", out);
		json_str(out, r->root[i].why);
		fputs(", \"exits\": [", out);
		for (t = 0; t < r->root[i].nexit; t++) {
			if (t)
				fputs(", ", out);
			json_str(out, r->root[i].exit[t]);
		}
		fputs(i + 1 < r->nroot ? "]},\n" : "]}\n", out);
	}
	fputs("],\n\"functions\": [\n", out);
	for (i = 0; i < cg->nfunc; i++) {
		const struct cg_func *f = &cg->func[i];

		fputs("{\"name\": ", out);
		json_str(out, f->name);
		fputs(", \"file\": ", out);
		json_str(out, f->file);
		fprintf(out, ", \"line\": %u, \"inline\": %s, \"static\": %s, \"usr\": ", f->line,
			f->is_inline ? "true" : "false", f->is_static ? "true" : "false");
		json_str(out, f->usr);
		fprintf(out, ", \"on_exit_path\": %s, \"path\": ", r->dist[i] >= 0 ? "true" : "false");
		if (r->dist[i] >= 0)
			path(cg, r, i, out);
		else
			fputs("null", out);
		if (f->returns) {
			fputs(", \"returns\": ", out);
			json_str(out, f->returns);
		}
		fputs(i + 1 < cg->nfunc ? "},\n" : "}\n", out);
	}
	targets = xcalloc(cg->nstore + 1, sizeof(*targets));
	fputs("],\n\"calls\": [\n", out);
	for (i = 0; i < cg->ncall; i++) {
		const struct cg_call *c = &cg->call[i];
		size_t nt;

		fputs("{\"caller\": ", out);
		json_str(out, name_of(cg, c->caller));
		fputs(", \"callee\": ", out);
		json_str(out, c->kind == CALL_DIRECT ? c->callee_name : NULL);
		fprintf(out, ", \"kind\": \"%s\", \"file\": ", cg_kind_name(c->kind));
		json_str(out, c->file);
		fprintf(out, ", \"line\": %u, \"col\": %u", c->line, c->col);
		if (c->kind == CALL_DIRECT)
			fprintf(out, ", \"callee_inline\": %s", c->callee_inline ? "true" : "false");
		if (c->kind == CALL_STATIC) {
			fputs(", \"static_call\": ", out);
			json_str(out, c->via);
		} else if (c->kind != CALL_DIRECT) {
			fputs(", \"expr\": ", out);
			json_str(out, c->via);
			fputs(", \"field\": ", out);
			json_str(out, c->field);
		}
		if (c->kind != CALL_DIRECT) {
			nt = cg_targets(cg, c, targets, cg->nstore + 1);
			fputs(", \"may_targets\": [", out);
			for (t = 0; t < nt; t++) {
				if (t)
					fputs(", ", out);
				json_str(out, targets[t]->name);
			}
			fputc(']', out);
		}
		fputs(", \"macro\": ", out);
		json_str(out, c->macro);
		fprintf(out, ", \"when\": \"%s\", \"guard\": ", cg_when_name(c->when));
		json_str(out, c->guard);
		scope(out, &c->in, c->in.base != c->when);
		fputs(i + 1 < cg->ncall ? "},\n" : "}\n", out);
	}
	fputs("],\n\"loops\": [\n", out);
	for (i = 0; i < cg->nloop; i++) {
		const struct cg_loop *l = &cg->loop[i];

		fputs("{\"func\": ", out);
		json_str(out, name_of(cg, l->func));
		fputs(", \"file\": ", out);
		json_str(out, l->file);
		fprintf(out, ", \"line\": %u, \"col\": %u, \"num\": %u, \"kind\": ", l->line, l->col,
			l->num);
		json_str(out, l->kind);
		fputs(", \"over\": ", out);
		json_str(out, l->over);
		fprintf(out, ", \"start\": %lld, \"bound\": %lld, \"bound_name\": ", l->start, l->bound);
		json_str(out, l->bound_name);
		scope(out, &l->in, true);
		fputs(i + 1 < cg->nloop ? "},\n" : "}\n", out);
	}
	fputs("],\n\"writes\": [\n", out);
	for (i = 0; i < cg->nwrite; i++) {
		const struct cg_write *wr = &cg->write[i];

		fputs("{\"func\": ", out);
		json_str(out, name_of(cg, wr->func));
		fputs(", \"file\": ", out);
		json_str(out, wr->file);
		fprintf(out, ", \"line\": %u, \"col\": %u, \"op\": ", wr->line, wr->col);
		json_str(out, wr->op);
		fputs(", \"dst\": ", out);
		json_str(out, wr->dst);
		fputs(", \"a\": ", out);
		json_str(out, wr->a);
		fputs(", \"b\": ", out);
		json_str(out, wr->b);
		fputs(", \"a_name\": ", out);
		json_str(out, wr->a_name);
		scope(out, &wr->in, true);
		fputs(i + 1 < cg->nwrite ? "},\n" : "}\n", out);
	}
	fputs("],\n\"globals\": [\n", out);
	for (i = 0; i < cg->nglobal; i++) {
		fputs("{\"name\": ", out);
		json_str(out, cg->global[i].name);
		fputs(", \"file\": ", out);
		json_str(out, cg->global[i].file);
		fprintf(out, ", \"line\": %u, \"value\": %lld}%s\n", cg->global[i].line,
			cg->global[i].value, i + 1 < cg->nglobal ? "," : "");
	}
	fputs("]\n}\n", out);
	free(targets);
}
