// SPDX-License-Identifier: GPL-2.0
/*
 * hotpath review: what a change does to the VM-exit paths, from the audit
 * of its base and of the tree after each of its patches.
 *
 * Sites are matched by their identity (audit_fingerprint: file, calling
 * function, callee as written, which such call of the function), never by
 * line, with the change's renames applied to the base's files.  A site
 * left over on each side of one function, as many on one side as on the
 * other, is the same call rewritten (a static call that became a call
 * through kvm_x86_ops).  The findings:
 *
 *   unguarded-pmu-trigger, thunked-indirect-call   as audit.sarif has them
 *   exit-path-call       any other call site on the exit paths
 *   exit-path-function   a function on the exit paths: reachable from an
 *                        exit root or not, its own instructions
 *
 * each New, Resolved or Changed from the base to the result, named with
 * the patch that made it so; and the cycles per exit of each exit reason's
 * handler and of the run loop, before and after, on each profile.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "json.h"
#include "jread.h"
#include "review.h"
#include "util.h"
#include "version.h"

#define NONE	((size_t)-1)
#define WIDTH	100
#define LABEL	36	/* "SVM_EXIT_AVIC_UNACCELERATED_ACCESS" */

enum { RV_PMU, RV_THUNK, RV_CALL, RV_FUNC, RV_NRULES };
enum { ST_NEW, ST_RESOLVED, ST_CHANGED, ST_SAME };
enum { CH_KIND = 1, CH_WHEN = 2, CH_GUARD = 4, CH_WHAT = 8, CH_INSNS = 16 };

static const struct audit_rule own_rule[] = {
	{
		"exit-path-call", "ExitPathCall", "note",
		"A call site on the VM-exit paths that the change adds, removes or alters.",
		"Every call on an exit path is paid on the exits that reach it: the call "
		"sequence, the return thunk and the callee's own path. A new call costs what "
		"review.md gives per exit on each profile; a changed one says what changed "
		"(kind, when it runs, its guard, the callee as written).",
	},
	{
		"exit-path-function", "ExitPathFunction", "note",
		"A function that the change makes reachable from an exit root, or not, or "
		"whose own instructions change.",
		"A function newly reachable from an exit handler or the run loop runs on those "
		"exits; one that grows on its shortest path costs every call of it more.",
	},
};

static const struct audit_rule *rv_rule(int r)
{
	return r < RV_CALL ? &audit_rule[r] : &own_rule[r - RV_CALL];
}

static const char *const status_word[] = { "new", "resolved", "changed", "unchanged" };
static const char *const baseline[] = { "new", "absent", "updated", "unchanged" };

struct rsite {
	const char *file, *key_file, *caller, *what, *kind, *when, *guard, *pmu;
	unsigned int line, col, nth;
	bool run_loop;
	const struct jval *reasons;
	double *per_exit;		/* per profile; NAN where it is not priced */
	const char **sequence;		/* per profile */
	int rule;
};

struct rfunc {
	const char *file, *key_file, *name;
	unsigned int line;
	long insns;			/* -1: not emitted */
	const struct jval *path;
};

struct rstate {
	const char *path;
	struct jval *doc;
	char *commit, *subject;
	struct rsite *site;
	size_t nsite;
	struct rfunc *func;
	size_t nfunc;
	const struct jval *reasons, *loop, *exits;
};

struct rentry {
	int status, rule;
	const struct rsite *a, *b;
	const struct rfunc *fa, *fb;
	unsigned int changes;
	size_t patch;			/* the patch that made it so, 1...; 0: not known */
	size_t removed;			/* within the series: the patch that undid it */
};

struct rdiff {
	struct rentry *e;
	size_t n, alloc;
};

struct rename {
	char *from, *to;
};

struct review {
	struct rstate *st;
	size_t nst;			/* the base and one state per patch */
	const char **prof, **indirect;
	size_t nprof;
	struct rename *ren;
	size_t nren, aren;
	struct rdiff all;		/* the base against the result */
	struct rdiff *step;		/* step[i]: state i-1 against state i */
	struct rdiff within;		/* new in one patch, undone by a later one */
	const char *fail_on;
	const char *tree;
	char *scenario;			/* the facts every state was priced under, "; "-joined */
	bool failed;
	char *why;
};

/* ---- reading ---- */

static const char *canon(const struct review *r, const char *file)
{
	size_t i;

	for (i = 0; i < r->nren; i++) {
		if (!strcmp(r->ren[i].from, file))
			return r->ren[i].to;
	}
	return file;
}

static double jnum_or_nan(const struct jval *v)
{
	return v && v->type == J_NUM ? v->num : NAN;
}

static bool jtrue(const struct jval *obj, const char *key)
{
	const struct jval *v = jget(obj, key);

	return v && v->type == J_BOOL && v->b;
}

static int bad(const struct rstate *s, const char *what)
{
	error("%s: %s; rerun make audit with this hotpath (%s)", s->path, what, HOTPATH_TOOL);
	return -1;
}

static int read_profiles(struct review *r, struct rstate *s)
{
	const struct jval *p = jget(s->doc, "profiles");
	size_t i;

	if (!p || p->type != J_ARR || !p->n)
		return bad(s, "no profiles");
	if (s == r->st) {
		r->nprof = p->n;
		r->prof = xcalloc(p->n, sizeof(*r->prof));
		r->indirect = xcalloc(p->n, sizeof(*r->indirect));
	} else if (p->n != r->nprof) {
		error("%s: priced on %zu profiles, the base's audit on %zu; audit both with the same CPU=",
		      s->path, p->n, r->nprof);
		return -1;
	}
	for (i = 0; i < p->n; i++) {
		const char *name = jstr(&p->item[i], "name");
		const char *ind = jstr(jget(&p->item[i], "defaults"), "indirect");

		if (!name || !ind)
			return bad(s, "a profile without its name or defaults");
		if (s == r->st) {
			r->prof[i] = name;
			r->indirect[i] = ind;
		} else if (strcmp(name, r->prof[i])) {
			error("%s: profile %s where the base's audit has %s; audit both with the same CPU=",
			      s->path, name, r->prof[i]);
			return -1;
		}
	}
	return 0;
}

/* Every state priced under one scenario: its facts, as audit.json lists them. */
static int read_scenario(struct review *r, struct rstate *s)
{
	const struct jval *f = jget(jget(s->doc, "scenario"), "facts");
	char *text = NULL;
	size_t size = 0, i;
	FILE *out;

	if (!f || f->type != J_ARR)
		return bad(s, "no scenario");
	out = open_memstream(&text, &size);
	if (!out)
		return -1;
	/* The facts, not where each comes from: a line number may move in a patch. */
	for (i = 0; i < f->n; i++) {
		const char *fact = jstr(&f->item[i], "fact");

		fprintf(out, "%s%s", i ? "; " : "", fact ? fact : "?");
	}
	fclose(out);
	if (s == r->st) {
		r->scenario = text;
		return 0;
	}
	if (strcmp(text, r->scenario)) {
		error("%s: priced under \"%s\", the base's audit under \"%s\"; audit both with the "
		      "same SCENARIO=", s->path, text, r->scenario);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

static int read_site(const struct review *r, const struct rstate *s, const struct jval *j,
		     struct rsite *t)
{
	const struct jval *cost = jget(j, "cost"), *nth = jget(j, "nth");
	const struct jval *line = jget(j, "line"), *col = jget(j, "col");
	bool thunked = false;
	size_t p;

	t->file = jstr(j, "file");
	t->caller = jstr(j, "caller");
	t->what = jstr(j, "what");
	t->kind = jstr(j, "kind");
	t->when = jstr(j, "when");
	t->guard = jstr(j, "guard");
	t->pmu = jstr(j, "pmu_trigger");
	t->reasons = jget(j, "exit_reasons");
	t->run_loop = jtrue(j, "run_loop");
	if (!t->file || !t->caller || !t->what || !t->kind || !t->when || !nth ||
	    nth->type != J_NUM || !line || !col || !cost || cost->type != J_ARR ||
	    cost->n != r->nprof)
		return bad(s, "a site without its file, caller, callee, kind, when, nth or costs");
	if (!juint(nth, &t->nth) || !juint(line, &t->line) || !juint(col, &t->col))
		return bad(s, "a site whose nth, line or col is not a whole number");
	t->key_file = canon(r, t->file);
	t->per_exit = xcalloc(r->nprof, sizeof(*t->per_exit));
	t->sequence = xcalloc(r->nprof, sizeof(*t->sequence));
	for (p = 0; p < r->nprof; p++) {
		const struct jval *c = &cost->item[p];
		bool foreign = jtrue(c, "foreign");

		t->per_exit[p] = foreign ? NAN : jnum_or_nan(jget(c, "per_exit"));
		t->sequence[p] = jstr(c, "sequence");
		thunked |= !foreign && strcmp(r->indirect[p], "indirect");
	}
	if (t->pmu && !strcmp(t->pmu, "unguarded"))
		t->rule = RV_PMU;
	else if (!strcmp(t->kind, "indirect") && thunked)
		t->rule = RV_THUNK;
	else
		t->rule = RV_CALL;
	return 0;
}

static int read_state(struct review *r, struct rstate *s)
{
	const struct jval *sites, *funcs;
	const char *tool;
	size_t i;

	if (access(s->path, R_OK)) {
		error("%s: cannot read it: %s; give the audit.json files of make audit (make review "
		      "writes them)", s->path, strerror(errno));
		return -1;
	}
	s->doc = jread_file(s->path);
	if (!s->doc)
		return -1;
	tool = jstr(s->doc, "tool");
	if (!tool || strcmp(tool, HOTPATH_TOOL))
		return bad(s, tool ? "written by another version of the tool" : "not an audit.json");
	if (read_profiles(r, s) || read_scenario(r, s))
		return -1;
	sites = jget(s->doc, "sites");
	funcs = jget(s->doc, "functions");
	s->reasons = jget(s->doc, "reasons");
	s->loop = jget(jget(s->doc, "run_loop"), "cycles");
	s->exits = jget(s->doc, "exits");
	if (!sites || sites->type != J_ARR || !funcs || funcs->type != J_ARR ||
	    !s->reasons || s->reasons->type != J_ARR || !s->loop)
		return bad(s, "no sites, functions, reasons or run_loop");
	s->site = xcalloc(sites->n + 1, sizeof(*s->site));
	for (i = 0; i < sites->n; i++, s->nsite++) {
		if (read_site(r, s, &sites->item[i], &s->site[i]))
			return -1;
	}
	s->func = xcalloc(funcs->n + 1, sizeof(*s->func));
	for (i = 0; i < funcs->n; i++, s->nfunc++) {
		const struct jval *f = &funcs->item[i], *in = jget(f, "insns");
		struct rfunc *g = &s->func[i];
		unsigned int insns = 0;

		g->name = jstr(f, "name");
		g->file = jstr(f, "file");
		if (!g->name || !g->file)
			return bad(s, "a function without its name or file");
		if (!juint(jget(f, "line"), &g->line) || (in && in->type != J_NULL && !juint(in, &insns)))
			return bad(s, "a function whose line or insns is not a whole number");
		g->key_file = canon(r, g->file);
		g->insns = in && in->type == J_NUM ? (long)insns : -1;
		g->path = jget(f, "path");
	}
	return 0;
}

static void free_state(struct rstate *s)
{
	size_t i;

	for (i = 0; i < s->nsite; i++) {
		free(s->site[i].per_exit);
		free(s->site[i].sequence);
	}
	free(s->site);
	free(s->func);
	free(s->commit);
	free(s->subject);
	jfree(s->doc);
}

/* "OLD<TAB>NEW" per line, from git diff -M --name-status. */
static int read_renames(struct review *r, const char *path)
{
	char *l = NULL, *tab;
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		error("%s: cannot read the renames", path);
		return -1;
	}
	while (getline(&l, &n, f) > 0) {
		l[strcspn(l, "\n")] = 0;
		tab = strchr(l, '\t');
		if (!tab || tab == l || !tab[1] || strchr(tab + 1, '\t')) {
			error("%s: '%s' is not OLD<TAB>NEW", path, l);
			free(l);
			fclose(f);
			return -1;
		}
		*tab = 0;
		GROW(r->ren, r->aren, r->nren + 1);
		r->ren[r->nren].from = xstrdup(l);
		r->ren[r->nren++].to = xstrdup(tab + 1);
	}
	free(l);
	fclose(f);
	return 0;
}

/* "COMMIT SUBJECT" per line, one per audit. */
static int read_commits(struct review *r, const char *path)
{
	char *l = NULL;
	size_t n = 0, k = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		error("%s: cannot read the commits", path);
		return -1;
	}
	while (getline(&l, &n, f) > 0 && k < r->nst) {
		char *sp;

		l[strcspn(l, "\n")] = 0;
		sp = strchr(l, ' ');
		r->st[k].subject = xstrdup(sp ? sp + 1 : "");
		if (sp)
			*sp = 0;
		r->st[k++].commit = xstrdup(l);
	}
	free(l);
	fclose(f);
	if (k != r->nst) {
		error("%s: %zu lines for %zu audits; give one COMMIT SUBJECT line per audit, the base first",
		      path, k, r->nst);
		return -1;
	}
	return 0;
}

/* ---- comparing ---- */

static int cmp_key(const struct rsite *a, const struct rsite *b)
{
	int c;

	if ((c = strcmp(a->key_file, b->key_file)) || (c = strcmp(a->caller, b->caller)) ||
	    (c = strcmp(a->what, b->what)))
		return c;
	return a->nth < b->nth ? -1 : a->nth > b->nth;
}

/* By function, then place: the order the leftovers of a function pair in. */
static int cmp_place(const struct rsite *a, const struct rsite *b)
{
	int c;

	if ((c = strcmp(a->key_file, b->key_file)) || (c = strcmp(a->caller, b->caller)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->col < b->col ? -1 : a->col > b->col;
}

static int cmp_fkey(const struct rfunc *a, const struct rfunc *b)
{
	int c = strcmp(a->key_file, b->key_file);

	return c ? c : strcmp(a->name, b->name);
}

static const struct rsite *sort_sites;

static int by_key(const void *x, const void *y)
{
	const struct rsite *a = &sort_sites[*(const size_t *)x], *b = &sort_sites[*(const size_t *)y];
	int c = cmp_key(a, b);

	return c ? c : cmp_place(a, b);
}

static int by_place(const void *x, const void *y)
{
	return cmp_place(&sort_sites[*(const size_t *)x], &sort_sites[*(const size_t *)y]);
}

static size_t *sorted(const struct rstate *s, int (*cmp)(const void *, const void *),
		      const size_t *only, size_t n)
{
	size_t *ix = xcalloc(n + 1, sizeof(*ix)), i;

	for (i = 0; i < n; i++)
		ix[i] = only ? only[i] : i;
	sort_sites = s->site;
	xqsort(ix, n, sizeof(*ix), cmp);
	sort_sites = NULL;
	return ix;
}

static struct rentry *add(struct rdiff *d, int status, int rule)
{
	struct rentry *e;

	GROW(d->e, d->alloc, d->n + 1);
	e = &d->e[d->n++];
	memset(e, 0, sizeof(*e));
	e->status = status;
	e->rule = rule;
	return e;
}

static bool differ(const char *x, const char *y)
{
	return (x == NULL) != (y == NULL) || (x && strcmp(x, y));
}

static void pair(struct rdiff *d, const struct rsite *a, const struct rsite *b)
{
	unsigned int ch = 0;

	if (a->rule != b->rule) {
		if (a->rule != RV_CALL) {
			struct rentry *e = add(d, ST_RESOLVED, a->rule);

			e->a = a;
			e->b = b;
		}
		if (b->rule != RV_CALL) {
			struct rentry *e = add(d, ST_NEW, b->rule);

			e->a = a;
			e->b = b;
		}
		return;
	}
	ch |= strcmp(a->kind, b->kind) ? CH_KIND : 0;
	ch |= strcmp(a->when, b->when) ? CH_WHEN : 0;
	ch |= differ(a->guard, b->guard) ? CH_GUARD : 0;
	ch |= strcmp(a->what, b->what) ? CH_WHAT : 0;
	if (ch || a->rule != RV_CALL) {
		struct rentry *e = add(d, ch ? ST_CHANGED : ST_SAME, a->rule);

		e->a = a;
		e->b = b;
		e->changes = ch;
	}
}

/*
 * The sites of A and B: matched by identity, then a function's leftovers
 * paired in place order when it has as many on each side.
 */
static void diff_sites(struct rdiff *d, const struct rstate *A, const struct rstate *B)
{
	size_t *ia = sorted(A, by_key, NULL, A->nsite), *ib = sorted(B, by_key, NULL, B->nsite);
	size_t *ma = xcalloc(A->nsite + 1, sizeof(*ma)), *mb = xcalloc(B->nsite + 1, sizeof(*mb));
	size_t *la = xcalloc(A->nsite + 1, sizeof(*la)), *lb = xcalloc(B->nsite + 1, sizeof(*lb));
	size_t i = 0, j = 0, na = 0, nb = 0, *pa, *pb;

	for (i = 0; i < A->nsite; i++)
		ma[i] = NONE;
	for (j = 0; j < B->nsite; j++)
		mb[j] = NONE;
	for (i = j = 0; i < A->nsite && j < B->nsite;) {
		int c = cmp_key(&A->site[ia[i]], &B->site[ib[j]]);

		if (!c) {
			ma[ia[i]] = ib[j];
			mb[ib[j]] = ia[i];
		}
		i += c <= 0;
		j += c >= 0;
	}
	for (i = 0; i < A->nsite; i++) {
		if (ma[i] == NONE)
			la[na++] = i;
	}
	for (j = 0; j < B->nsite; j++) {
		if (mb[j] == NONE)
			lb[nb++] = j;
	}
	pa = sorted(A, by_place, la, na);
	pb = sorted(B, by_place, lb, nb);
	for (i = j = 0; i < na && j < nb;) {
		const struct rsite *x = &A->site[pa[i]], *y = &B->site[pb[j]];
		int c = strcmp(x->key_file, y->key_file);
		size_t ei = i, ej = j, k;

		if (!c)
			c = strcmp(x->caller, y->caller);
		if (c) {
			i += c < 0;
			j += c > 0;
			continue;
		}
		while (ei < na && !strcmp(A->site[pa[ei]].key_file, x->key_file) &&
		       !strcmp(A->site[pa[ei]].caller, x->caller))
			ei++;
		while (ej < nb && !strcmp(B->site[pb[ej]].key_file, y->key_file) &&
		       !strcmp(B->site[pb[ej]].caller, y->caller))
			ej++;
		for (k = 0; ei - i == ej - j && k < ei - i; k++) {
			ma[pa[i + k]] = pb[j + k];
			mb[pb[j + k]] = pa[i + k];
		}
		i = ei;
		j = ej;
	}
	for (i = 0; i < A->nsite; i++) {
		if (ma[i] != NONE) {
			pair(d, &A->site[i], &B->site[ma[i]]);
		} else {
			struct rentry *e = add(d, ST_RESOLVED, A->site[i].rule);

			e->a = &A->site[i];
		}
	}
	for (j = 0; j < B->nsite; j++) {
		if (mb[j] == NONE)
			add(d, ST_NEW, B->site[j].rule)->b = &B->site[j];
	}
	free(ia);
	free(ib);
	free(ma);
	free(mb);
	free(la);
	free(lb);
	free(pa);
	free(pb);
}

static const struct rfunc *sort_funcs;

static int by_fkey(const void *x, const void *y)
{
	return cmp_fkey(&sort_funcs[*(const size_t *)x], &sort_funcs[*(const size_t *)y]);
}

static size_t *sorted_funcs(const struct rstate *s)
{
	size_t *ix = xcalloc(s->nfunc + 1, sizeof(*ix)), i;

	for (i = 0; i < s->nfunc; i++)
		ix[i] = i;
	sort_funcs = s->func;
	xqsort(ix, s->nfunc, sizeof(*ix), by_fkey);
	sort_funcs = NULL;
	return ix;
}

static void diff_funcs(struct rdiff *d, const struct rstate *A, const struct rstate *B)
{
	size_t *ia = sorted_funcs(A), *ib = sorted_funcs(B), i = 0, j = 0;

	while (i < A->nfunc || j < B->nfunc) {
		const struct rfunc *a = i < A->nfunc ? &A->func[ia[i]] : NULL;
		const struct rfunc *b = j < B->nfunc ? &B->func[ib[j]] : NULL;
		int c = !a ? 1 : !b ? -1 : cmp_fkey(a, b);
		struct rentry *e = NULL;

		if (c < 0)
			e = add(d, ST_RESOLVED, RV_FUNC);
		else if (c > 0)
			e = add(d, ST_NEW, RV_FUNC);
		else if (a->insns != b->insns)
			(e = add(d, ST_CHANGED, RV_FUNC))->changes = CH_INSNS;
		if (e) {
			e->fa = c <= 0 ? a : NULL;
			e->fb = c >= 0 ? b : NULL;
		}
		i += c <= 0;
		j += c >= 0;
	}
	free(ia);
	free(ib);
}

static const struct rsite *entry_site(const struct rentry *e)
{
	return e->b ? e->b : e->a;
}

static const struct rfunc *entry_func(const struct rentry *e)
{
	return e->fb ? e->fb : e->fa;
}

static const char *entry_file(const struct rentry *e)
{
	return e->rule == RV_FUNC ? entry_func(e)->file : entry_site(e)->file;
}

static unsigned int entry_line(const struct rentry *e)
{
	return e->rule == RV_FUNC ? entry_func(e)->line : entry_site(e)->line;
}

/* The same finding, in two diffs: the rule and the identity of its site. */
static bool same_finding(const struct rentry *x, const struct rentry *y, bool by_before)
{
	if (x->rule != y->rule)
		return false;
	if (x->rule == RV_FUNC) {
		const struct rfunc *f = by_before ? x->fa : entry_func(x);
		const struct rfunc *g = by_before ? y->fa : entry_func(y);

		return f && g && !cmp_fkey(f, g);
	}
	if (by_before)
		return x->a && y->a && !cmp_key(x->a, y->a);
	return !cmp_key(entry_site(x), entry_site(y));
}

static int cmp_entry(const void *x, const void *y)
{
	const struct rentry *a = x, *b = y;
	int c;

	if (a->status != b->status)
		return a->status - b->status;
	if (a->rule != b->rule)
		return a->rule - b->rule;
	if ((c = strcmp(entry_file(a), entry_file(b))))
		return c;
	if (entry_line(a) != entry_line(b))
		return entry_line(a) < entry_line(b) ? -1 : 1;
	if (a->rule == RV_FUNC)
		return strcmp(entry_func(a)->name, entry_func(b)->name);
	return cmp_key(entry_site(a), entry_site(b));
}

static void diff(struct rdiff *d, const struct rstate *A, const struct rstate *B)
{
	diff_sites(d, A, B);
	diff_funcs(d, A, B);
	xqsort(d->e, d->n, sizeof(*d->e), cmp_entry);
}

/* Which patch made each finding of the whole change so; what came and went. */
static void attribute(struct review *r)
{
	size_t i, k, s, t;

	for (i = 0; i < r->all.n; i++) {
		struct rentry *e = &r->all.e[i];

		for (s = r->nst - 1; s >= 1 && !e->patch; s--) {
			for (k = 0; k < r->step[s].n && !e->patch; k++) {
				const struct rentry *x = &r->step[s].e[k];

				if (x->status != ST_SAME &&
				    (x->status == e->status || e->status == ST_CHANGED) &&
				    same_finding(e, x, e->status == ST_RESOLVED))
					e->patch = s;
			}
		}
	}
	for (s = 1; s < r->nst; s++) {
		for (k = 0; k < r->step[s].n; k++) {
			const struct rentry *x = &r->step[s].e[k];
			bool undone = false;

			if (x->status != ST_NEW)
				continue;
			for (t = s + 1; t < r->nst && !undone; t++) {
				for (i = 0; i < r->step[t].n && !undone; i++) {
					const struct rentry *y = &r->step[t].e[i];

					if (y->status == ST_RESOLVED && y->rule == x->rule &&
					    (x->rule == RV_FUNC ? y->fa && !cmp_fkey(y->fa, x->fb)
								: y->a && !cmp_key(y->a, x->b))) {
						struct rentry *w = add(&r->within, ST_NEW, x->rule);

						*w = *x;
						w->patch = s;
						w->removed = t;
						undone = true;
					}
				}
			}
		}
	}
}

/* ---- the exit reasons ---- */

struct rrow {
	const char *name, *perf;	/* name NULL: the run loop */
	const struct jval *before, *after;
	double *delta;			/* per profile; NAN: not run there */
};

static double cycles(const struct review *r, const struct jval *v, size_t p)
{
	return v ? jnum_or_nan(jget(v, r->prof[p])) : NAN;
}

static const struct jval *reason_in(const struct rstate *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->reasons->n; i++) {
		if (!strcmp(jstr(&s->reasons->item[i], "name") ?: "", name))
			return &s->reasons->item[i];
	}
	return NULL;
}

/*
 * Delta in tenths, as printed: a row is kept when one is not 0.0; else its
 * deltas are freed again and false returned.
 */
static bool fill_row(const struct review *r, struct rrow *w)
{
	bool shown = (w->before == NULL) != (w->after == NULL);
	size_t p;

	w->delta = xcalloc(r->nprof, sizeof(*w->delta));
	for (p = 0; p < r->nprof; p++) {
		double b = cycles(r, w->before, p), a = cycles(r, w->after, p);

		if (!w->before && !isnan(a))
			b = 0;
		if (!w->after && !isnan(b))
			a = 0;
		w->delta[p] = a - b;
		shown |= !isnan(w->delta[p]) && fabs(w->delta[p]) >= 0.05;
	}
	if (!shown) {
		free(w->delta);
		w->delta = NULL;
	}
	return shown;
}

static bool row_named(const struct rrow *w, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (w[i].name && !strcmp(w[i].name, name))
			return true;
	}
	return false;
}

static size_t sort_nprof;

static double biggest(const struct rrow *w)
{
	double m = 0;
	size_t p;

	for (p = 0; p < sort_nprof; p++) {
		if (!isnan(w->delta[p]) && fabs(w->delta[p]) > m)
			m = fabs(w->delta[p]);
	}
	return m;
}

/* The run loop first, then the biggest change on any profile first. */
static int cmp_row(const void *x, const void *y)
{
	const struct rrow *a = x, *b = y;
	double da = biggest(a), db = biggest(b);

	if (!a->name || !b->name)
		return !a->name ? -1 : 1;
	if (da != db)
		return da > db ? -1 : 1;
	return strcmp(a->name, b->name);
}

static size_t reason_rows(const struct review *r, struct rrow **rows)
{
	const struct rstate *A = &r->st[0], *B = &r->st[r->nst - 1];
	size_t n = 0, i, cap = A->reasons->n + B->reasons->n + 2;
	struct rrow *w = xcalloc(cap, sizeof(*w));

	w[n] = (struct rrow){ .before = A->loop, .after = B->loop };
	n += fill_row(r, &w[n]);
	for (i = 0; i < B->reasons->n + A->reasons->n; i++) {
		const struct jval *j = i < B->reasons->n ? &B->reasons->item[i]
							 : &A->reasons->item[i - B->reasons->n];
		const char *name = jstr(j, "name");

		if (!name || (i >= B->reasons->n && reason_in(B, name)) || row_named(w, n, name))
			continue;
		w[n] = (struct rrow){ .name = name, .perf = jstr(j, "perf"),
				      .before = jget(reason_in(A, name), "cycles"),
				      .after = jget(reason_in(B, name), "cycles") };
		if (w[n].after || w[n].before)
			n += fill_row(r, &w[n]);
	}
	sort_nprof = r->nprof;
	xqsort(w, n, sizeof(*w), cmp_row);
	*rows = w;
	return n;
}

static void free_rows(struct rrow *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(w[i].delta);
	free(w);
}

/* The share of the exits counted that each reason has, by EXITS=. */
static double share_of(const struct rstate *s, const char *name)
{
	const struct jval *rs = jget(s->exits, "reasons");
	size_t i;

	for (i = 0; name && rs && i < rs->n; i++) {
		if (!strcmp(jstr(&rs->item[i], "name") ?: "", name))
			return jnum_or_nan(jget(&rs->item[i], "share"));
	}
	return 0;
}

/* Per profile: the cycles per exit the change adds, over the exits counted. */
static bool weighted(const struct review *r, const struct rrow *w, size_t n, double *out)
{
	const struct rstate *B = &r->st[r->nst - 1];
	size_t p, i;

	if (!B->exits || B->exits->type != J_OBJ)
		return false;
	for (p = 0; p < r->nprof; p++) {
		out[p] = 0;
		for (i = 0; i < n; i++) {
			double sh = w[i].name ? share_of(B, w[i].name) : 1;

			if (!isnan(w[i].delta[p]) && !isnan(sh))
				out[p] += sh * w[i].delta[p];
		}
	}
	return true;
}

/* ---- the gate ---- */

static int gate(struct review *r, const struct rrow *w, size_t nrow)
{
	const char *f = r->fail_on;
	size_t i, n = 0;
	int rule = -1;

	if (f[0] == '+') {
		char *end;
		double lim = strtod(f + 1, &end);

		if (end == f + 1 || *end || lim < 0) {
			error("FAIL_ON=%s: give new, a rule (unguarded-pmu-trigger, "
			      "thunked-indirect-call, exit-path-call, exit-path-function) or +N cycles",
			      f);
			return -1;
		}
		for (i = 0; i < nrow && !r->failed; i++) {
			if (!isnan(w[i].delta[0]) && w[i].delta[0] > lim) {
				r->failed = true;
				r->why = xasprintf("%s is %.1f cycles per exit slower on %s",
						   w[i].name ? w[i].name : "the run loop", w[i].delta[0],
						   r->prof[0]);
			}
		}
		return 0;
	}
	if (strcmp(f, "new")) {
		for (i = 0; i < RV_NRULES; i++) {
			if (!strcmp(f, rv_rule((int)i)->id))
				rule = (int)i;
		}
		if (rule < 0) {
			error("FAIL_ON=%s: give new, a rule (unguarded-pmu-trigger, "
			      "thunked-indirect-call, exit-path-call, exit-path-function) or +N cycles",
			      f);
			return -1;
		}
	}
	for (i = 0; i < r->all.n; i++)
		n += r->all.e[i].status == ST_NEW && (rule < 0 || r->all.e[i].rule == rule);
	if (n) {
		r->failed = true;
		r->why = xasprintf("%zu new %s", n,
				   rule < 0 ? (n == 1 ? "finding" : "findings") : rv_rule(rule)->id);
	}
	return 0;
}

/* ---- review.md ---- */

/* TEXT folded at spaces into lines of at most WIDTH, FIRST then MORE indent. */
static void fold(FILE *out, const char *first, const char *more, const char *text)
{
	const char *ind = first, *s = text;

	while (*s) {
		size_t room = WIDTH - strlen(ind), n = strlen(s), cut = n;

		if (n > room) {
			cut = room;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (!cut) {
				cut = strcspn(s, " ");
			}
		}
		fprintf(out, "%s%.*s\n", ind, (int)cut, s);
		s += cut;
		while (*s == ' ')
			s++;
		ind = more;
	}
}

typedef void (*writer)(const void *arg, FILE *out);

/* What one writer prints, as a string. */
static char *text_of(writer w, const void *arg)
{
	char *t = NULL;
	size_t len = 0;
	FILE *s = open_memstream(&t, &len);

	if (!s)
		die("out of memory");
	w(arg, s);
	if (fclose(s))
		die("out of memory");
	return t;
}

struct ctx {
	const struct review *r;
	const struct rentry *e;
};

static void put_reasons(const struct rsite *s, FILE *out)
{
	size_t i, n = s->reasons && s->reasons->type == J_ARR ? s->reasons->n : 0;

	if (s->run_loop)
		fputs(n ? "the run loop (any exit); " : "the run loop (any exit)", out);
	for (i = 0; i < n && i < 4; i++)
		fprintf(out, "%s%s", i ? ", " : "", s->reasons->item[i].str);
	if (n > 4)
		fprintf(out, " and %zu more", n - 4);
	if (!n && !s->run_loop)
		fputs("its exit root only", out);
}

static void put_cycles(const struct review *r, const struct rentry *e, FILE *out)
{
	size_t p, n = 0;

	fputs("cycles per exit (model):", out);
	for (p = 0; p < r->nprof; p++) {
		double b = e->a ? e->a->per_exit[p] : NAN, a = e->b ? e->b->per_exit[p] : NAN;

		if ((!e->a || isnan(b)) && (!e->b || isnan(a)))
			continue;
		fprintf(out, "%s %s ", n++ ? "," : "", r->prof[p]);
		if (e->a)
			fprintf(out, isnan(b) ? "-" : "%.1f", b);
		if (e->a && e->b)
			fputs(" -> ", out);
		if (e->b)
			fprintf(out, isnan(a) ? "-" : "%.1f", a);
	}
}

/* "static_call" as a reader says it. */
static const char *kind_words(const char *kind)
{
	if (!strcmp(kind, "static_call"))
		return "static call";
	if (!strcmp(kind, "direct"))
		return "direct call";
	if (!strcmp(kind, "indirect"))
		return "indirect call";
	if (!strcmp(kind, "wrapper"))
		return "INDIRECT_CALL_n() call";
	return kind;
}

static void put_seq(const struct review *r, const struct rsite *s, FILE *out)
{
	size_t p, n = 0;

	for (p = 0; p < r->nprof; p++) {
		if (isnan(s->per_exit[p]))
			continue;
		fprintf(out, "%s%s on %s", n++ ? ", " : "", s->sequence[p] ?: "?", r->prof[p]);
	}
}

static void put_what(const void *arg, FILE *out)
{
	const struct ctx *c = arg;
	const struct rentry *e = c->e;
	const struct rsite *a = e->a, *b = e->b;

	fprintf(out, "%s: ", rv_rule(e->rule)->id);
	switch (e->rule) {
	case RV_PMU:
		if (e->status == ST_NEW)
			fputs("a PMU trigger without an enable_pmu guard, paid with the guest PMU off", out);
		else if (e->status == ST_RESOLVED)
			fputs(b ? (b->guard ? "now under the enable_pmu guard" : "no longer unguarded")
				: "the call is gone", out);
		break;
	case RV_THUNK:
		if (e->status == ST_NEW && a)
			fprintf(out, "was a %s (%s), now an indirect call: ", kind_words(a->kind),
				a->what);
		else if (e->status == ST_NEW)
			fputs("a new indirect call: ", out);
		else if (e->status == ST_RESOLVED)
			fprintf(out, b ? "now a %s" : "the call is gone", b ? kind_words(b->kind) : "");
		if (e->status != ST_RESOLVED)
			put_seq(c->r, b, out);
		break;
	case RV_CALL:
		if (e->status == ST_NEW)
			fprintf(out, "a new %s, %s", kind_words(b->kind), b->when);
		else if (e->status == ST_RESOLVED)
			fputs("the call is gone", out);
		break;
	case RV_FUNC:
		if (e->status == ST_NEW)
			fputs("now reachable from an exit root", out);
		else if (e->status == ST_RESOLVED)
			fputs("no longer reachable from an exit root", out);
		break;
	}
	if (e->status == ST_CHANGED) {
		const char *sep = "";

		if (e->changes & CH_KIND)
			fprintf(out, "%s%s -> %s", sep, kind_words(a->kind), kind_words(b->kind)),
				sep = "; ";
		if (e->changes & CH_WHAT)
			fprintf(out, "%scallee %s -> %s", sep, a->what, b->what), sep = "; ";
		if (e->changes & CH_WHEN)
			fprintf(out, "%sruns %s -> %s", sep, a->when, b->when), sep = "; ";
		if (e->changes & CH_GUARD)
			fprintf(out, "%sguard %s -> %s", sep, a->guard ?: "none", b->guard ?: "none"),
				sep = "; ";
		if (e->changes & CH_INSNS)
			fprintf(out, "its own instructions on its shortest path %ld -> %ld",
				e->fa->insns, e->fb->insns);
	}
}

static void patch_words(const struct review *r, size_t k, FILE *out)
{
	fprintf(out, "patch %zu/%zu", k, r->nst - 1);
	if (r->st[k].subject && *r->st[k].subject)
		fprintf(out, ": %s", r->st[k].subject);
}

static void put_patch(const void *arg, FILE *out)
{
	const struct ctx *c = arg;
	static const char *const verb[] = { "introduced", "resolved", "changed", "" };

	if (c->e->removed) {
		fputs("introduced by ", out);
		patch_words(c->r, c->e->patch, out);
		fputs("; removed by ", out);
		patch_words(c->r, c->e->removed, out);
		return;
	}
	fprintf(out, "%s by ", verb[c->e->status]);
	patch_words(c->r, c->e->patch, out);
}

static void put_head(const void *arg, FILE *out)
{
	const struct rentry *e = ((const struct ctx *)arg)->e;

	fprintf(out, "%s:%u: ", entry_file(e), entry_line(e));
	if (e->rule == RV_FUNC) {
		fprintf(out, "%s()", entry_func(e)->name);
		return;
	}
	fprintf(out, "%s -> %s", entry_site(e)->caller, entry_site(e)->what);
	if (e->a && e->b && e->a->file != e->b->file && strcmp(e->a->file, e->b->file))
		fprintf(out, " (was %s:%u)", e->a->file, e->a->line);
}

static void put_path(const void *arg, FILE *out)
{
	const struct rfunc *f = entry_func(((const struct ctx *)arg)->e);
	size_t i;

	fputs("exit path: ", out);
	for (i = 0; f->path && i < f->path->n; i++)
		fprintf(out, "%s%s", i ? " -> " : "", f->path->item[i].str);
}

static void put_reasons_of(const void *arg, FILE *out)
{
	fputs("exit reasons: ", out);
	put_reasons(entry_site(((const struct ctx *)arg)->e), out);
}

static void put_cycles_of(const void *arg, FILE *out)
{
	const struct ctx *c = arg;

	put_cycles(c->r, c->e, out);
}

static void md_fold(FILE *out, const char *first, const char *more, writer w, const void *arg)
{
	char *t = text_of(w, arg);

	fold(out, first, more, t);
	free(t);
}

static void md_entry(const struct review *r, const struct rentry *e, FILE *out)
{
	struct ctx c = { r, e };

	md_fold(out, "", "      ", put_head, &c);
	md_fold(out, "    ", "      ", put_what, &c);
	if (e->rule == RV_FUNC) {
		if (e->status == ST_NEW)
			md_fold(out, "    ", "      ", put_path, &c);
	} else {
		md_fold(out, "    ", "      ", put_cycles_of, &c);
		md_fold(out, "    ", "      ", put_reasons_of, &c);
	}
	if (e->patch)
		md_fold(out, "    ", "      ", put_patch, &c);
	fputc('\n', out);
}

static void md_section(const struct review *r, int status, const char *title, FILE *out)
{
	size_t i, n = 0;

	fprintf(out, "%s\n\n", title);
	for (i = 0; i < r->all.n; i++) {
		if (r->all.e[i].status == status) {
			md_entry(r, &r->all.e[i], out);
			n++;
		}
	}
	if (!n)
		fputs("    none\n\n", out);
}

static void commit_words(const struct rstate *s, FILE *out)
{
	if (s->commit)
		fprintf(out, "%.12s", s->commit);
	else
		fputs(s->path, out);
}

static void put_compared(const void *arg, FILE *out)
{
	const struct review *r = ((const struct ctx *)arg)->r;
	size_t p;

	fprintf(out, "Compared: %s at ", r->tree);
	commit_words(&r->st[0], out);
	fprintf(out, " (%s) with ", r->st[0].subject && *r->st[0].subject ? r->st[0].subject : "base");
	commit_words(&r->st[r->nst - 1], out);
	fprintf(out, " (%zu patch%s, each audited); cycles are the model's, on profiles ",
		r->nst - 1, r->nst == 2 ? "" : "es");
	for (p = 0; p < r->nprof; p++)
		fprintf(out, "%s%s", p ? ", " : "", r->prof[p]);
	fprintf(out, ", under the scenario %s; %s.", r->scenario ? r->scenario : "-", HOTPATH_TOOL);
}

static void md_table(const struct review *r, const struct rrow *w, size_t n, FILE *out)
{
	size_t p0 = 0, p, i;

	if (!n) {
		fputs("    no exit reason's cycles change\n\n", out);
		return;
	}
	while (p0 < r->nprof) {
		size_t used = 4 + LABEL, p1 = p0;

		while (p1 < r->nprof && used + 2 + (strlen(r->prof[p1]) > 8 ? strlen(r->prof[p1]) : 8) <= WIDTH)
			used += 2 + (strlen(r->prof[p1]) > 8 ? strlen(r->prof[p1]) : 8), p1++;
		if (p1 == p0)
			p1++;
		fprintf(out, "    %-*s", LABEL, "exit reason");
		for (p = p0; p < p1; p++)
			fprintf(out, "  %8s", r->prof[p]);
		fputc('\n', out);
		for (i = 0; i < n; i++) {
			const char *label = w[i].name ? w[i].name : "the run loop (every exit)";

			fprintf(out, "    %-*s", LABEL, label);
			for (p = p0; p < p1; p++) {
				int wd = (int)(strlen(r->prof[p]) > 8 ? strlen(r->prof[p]) : 8);

				if (isnan(w[i].delta[p]))
					fprintf(out, "  %*s", wd, "-");
				else
					fprintf(out, "  %+*.1f", wd, w[i].delta[p] == 0 ? 0.0 : w[i].delta[p]);
			}
			fputc('\n', out);
		}
		fputc('\n', out);
		p0 = p1;
	}
}

struct out_arg {
	const struct review *r;
	const struct rrow *rows;
	size_t nrow;
	const double *wsum;		/* NULL: no EXITS= */
};

static void put_weighted(const void *arg, FILE *out)
{
	const struct out_arg *o = arg;
	const struct review *r = o->r;
	size_t p;

	fprintf(out, "Weighted by the exit counts of EXITS= (%.0f exits counted):",
		jnum_or_nan(jget(r->st[r->nst - 1].exits, "counted")));
	for (p = 0; p < r->nprof; p++)
		fprintf(out, "%s %s %+.1f", p ? "," : "", r->prof[p], o->wsum[p]);
	fputs(" cycles per exit.", out);
}

static void write_md(const void *arg, FILE *out)
{
	const struct out_arg *o = arg;
	const struct review *r = o->r;
	struct ctx c = { r, NULL };
	size_t i, n[3] = { 0 };
	char *head;

	for (i = 0; i < r->all.n; i++) {
		if (r->all.e[i].status != ST_SAME)
			n[r->all.e[i].status]++;
	}
	fprintf(out, "kvm-hotpath review of %s: %zu patch%s\n\n", r->tree,
		r->nst - 1, r->nst == 2 ? "" : "es");
	head = xasprintf("%zu new, %zu resolved, %zu changed. Gate FAIL_ON=%s: %s%s.", n[0], n[1],
			 n[2], r->fail_on, r->failed ? "failed: " : "passed", r->failed ? r->why : "");
	fold(out, "", "", head);
	fputc('\n', out);
	free(head);
	md_section(r, ST_NEW, "New hot-path findings:", out);
	md_section(r, ST_RESOLVED, "Resolved:", out);
	md_section(r, ST_CHANGED, "Changed:", out);
	if (r->within.n) {
		fputs("Introduced and removed within the series:\n\n", out);
		for (i = 0; i < r->within.n; i++)
			md_entry(r, &r->within.e[i], out);
	}
	fputs("Cycles per exit by exit reason, after minus before (model):\n\n", out);
	md_table(r, o->rows, o->nrow, out);
	if (o->wsum) {
		md_fold(out, "", "", put_weighted, o);
		fputc('\n', out);
	}
	md_fold(out, "", "", put_compared, &c);
}

/* ---- review.json ---- */

static void json_cycles(const struct review *r, const double *v, FILE *out)
{
	size_t p;

	fputc('{', out);
	for (p = 0; p < r->nprof; p++) {
		fputs(p ? ", " : "", out);
		json_str(out, r->prof[p]);
		if (isnan(v[p]))
			fputs(": null", out);
		else
			fprintf(out, ": %.1f", v[p]);
	}
	fputc('}', out);
}

static void json_site(const struct review *r, const struct rsite *s, FILE *out)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputs("{\"file\": ", out);
	json_str(out, s->file);
	fprintf(out, ", \"line\": %u, \"col\": %u, \"caller\": ", s->line, s->col);
	json_str(out, s->caller);
	fputs(", \"callee\": ", out);
	json_str(out, s->what);
	fprintf(out, ", \"nth\": %u, \"kind\": ", s->nth);
	json_str(out, s->kind);
	fputs(", \"when\": ", out);
	json_str(out, s->when);
	fputs(", \"guard\": ", out);
	json_str(out, s->guard);
	fprintf(out, ", \"run_loop\": %s, \"exit_reasons\": ", s->run_loop ? "true" : "false");
	json_strings(out, s->reasons);
	fputs(", \"cycles_per_exit\": ", out);
	json_cycles(r, s->per_exit, out);
	fputc('}', out);
}

static void json_func(const struct rfunc *f, FILE *out)
{
	if (!f) {
		fputs("null", out);
		return;
	}
	fputs("{\"file\": ", out);
	json_str(out, f->file);
	fprintf(out, ", \"line\": %u, \"function\": ", f->line);
	json_str(out, f->name);
	if (f->insns < 0)
		fputs(", \"insns\": null", out);
	else
		fprintf(out, ", \"insns\": %ld", f->insns);
	fputs(", \"path\": ", out);
	json_strings(out, f->path);
	fputc('}', out);
}

static void fingerprint_of(const struct rentry *e, char fp[17])
{
	const struct rsite *s = entry_site(e);

	if (e->rule == RV_FUNC)
		audit_fingerprint(rv_rule(e->rule)->id, entry_func(e)->key_file,
				  entry_func(e)->name, "", 0, fp);
	else
		audit_fingerprint(rv_rule(e->rule)->id, s->key_file, s->caller, s->what, s->nth, fp);
}

static void json_entry(const struct review *r, const struct rentry *e, FILE *out)
{
	static const char *const change[] = { "kind", "when", "guard", "callee", "insns" };
	char fp[17];
	size_t k, n = 0;

	fingerprint_of(e, fp);
	fprintf(out, "{\"status\": \"%s\", \"rule\": \"%s\", \"fingerprint\": \"%s\", \"patch\": ",
		status_word[e->status], rv_rule(e->rule)->id, fp);
	if (e->patch)
		fprintf(out, "%zu", e->patch);
	else
		fputs("null", out);
	if (e->removed)
		fprintf(out, ", \"removed_by\": %zu", e->removed);
	fputs(", \"changes\": [", out);
	for (k = 0; k < 5; k++) {
		if (e->changes & (1u << k))
			fprintf(out, "%s\"%s\"", n++ ? ", " : "", change[k]);
	}
	fputs("],\n  \"before\": ", out);
	if (e->rule == RV_FUNC)
		json_func(e->fa, out);
	else
		json_site(r, e->a, out);
	fputs(",\n  \"after\": ", out);
	if (e->rule == RV_FUNC)
		json_func(e->fb, out);
	else
		json_site(r, e->b, out);
	fputc('}', out);
}

static void json_commit(const struct rstate *s, FILE *out)
{
	fputs("{\"commit\": ", out);
	json_str(out, s->commit);
	fputs(", \"subject\": ", out);
	json_str(out, s->subject);
	fputs(", \"audit\": ", out);
	json_str(out, s->path);
	fputc('}', out);
}

static void write_json(const void *arg, FILE *out)
{
	const struct out_arg *o = arg;
	const struct review *r = o->r;
	size_t i, k = 0, n[3] = { 0 };

	for (i = 0; i < r->all.n; i++) {
		if (r->all.e[i].status != ST_SAME)
			n[r->all.e[i].status]++;
	}
	fputs("{\n\"tool\": ", out);
	json_str(out, HOTPATH_TOOL);
	fputs(",\n\"tree\": ", out);
	json_str(out, r->tree);
	fputs(",\n\"base\": ", out);
	json_commit(&r->st[0], out);
	fputs(",\n\"patches\": [", out);
	for (i = 1; i < r->nst; i++) {
		fprintf(out, "%s\n  {\"n\": %zu, \"state\": ", i > 1 ? "," : "", i);
		json_commit(&r->st[i], out);
		fputc('}', out);
	}
	fputs("],\n\"profiles\": [", out);
	for (i = 0; i < r->nprof; i++) {
		fputs(i ? ", " : "", out);
		json_str(out, r->prof[i]);
	}
	fputs("],\n\"scenario\": ", out);
	json_str(out, r->scenario);
	fputs(",\n\"fail_on\": ", out);
	json_str(out, r->fail_on);
	fprintf(out, ",\n\"gate\": {\"failed\": %s, \"why\": ", r->failed ? "true" : "false");
	json_str(out, r->why);
	fprintf(out, "},\n\"summary\": {\"new\": %zu, \"resolved\": %zu, \"changed\": %zu},\n"
		     "\"findings\": [", n[0], n[1], n[2]);
	for (i = 0; i < r->all.n; i++) {
		if (r->all.e[i].status == ST_SAME)
			continue;
		fputs(k++ ? ",\n " : "\n ", out);
		json_entry(r, &r->all.e[i], out);
	}
	fputs("\n],\n\"within_series\": [", out);
	for (i = 0; i < r->within.n; i++) {
		fputs(i ? ",\n " : "\n ", out);
		json_entry(r, &r->within.e[i], out);
	}
	fputs("\n],\n\"exit_reasons\": [", out);
	for (i = 0; i < o->nrow; i++) {
		const struct rrow *w = &o->rows[i];
		double *b = xcalloc(r->nprof, sizeof(*b)), *a = xcalloc(r->nprof, sizeof(*a));
		size_t p;

		for (p = 0; p < r->nprof; p++) {
			b[p] = cycles(r, w->before, p);
			a[p] = cycles(r, w->after, p);
		}
		fputs(i ? ",\n {\"name\": " : "\n {\"name\": ", out);
		json_str(out, w->name);
		fputs(", \"perf\": ", out);
		json_str(out, w->perf);
		fputs(", \"before\": ", out);
		json_cycles(r, b, out);
		fputs(", \"after\": ", out);
		json_cycles(r, a, out);
		fputs(", \"delta\": ", out);
		json_cycles(r, w->delta, out);
		fputc('}', out);
		free(a);
		free(b);
	}
	fputs("\n],\n\"weighted\": ", out);
	if (o->wsum) {
		fprintf(out, "{\"exits\": %.0f, \"delta\": ",
			jnum_or_nan(jget(r->st[r->nst - 1].exits, "counted")));
		json_cycles(r, o->wsum, out);
		fputs("}\n}\n", out);
	} else {
		fputs("null\n}\n", out);
	}
}

/* ---- review.sarif ---- */

static void sarif_result(const struct review *r, const struct rentry *e, bool *first, FILE *out)
{
	struct ctx c = { r, e };
	const char *file = entry_file(e);
	char fp[17], *what = text_of(put_what, &c), *text;

	fingerprint_of(e, fp);
	if (e->rule == RV_FUNC) {
		text = xasprintf("%s() %s.", entry_func(e)->name, what);
	} else {
		char *cyc = text_of(put_cycles_of, &c), *rs = text_of(put_reasons_of, &c);

		text = xasprintf("%s() -> %s %s; %s; %s.", entry_site(e)->caller, entry_site(e)->what,
				 what, cyc, rs);
		free(cyc);
		free(rs);
	}
	if (e->patch) {
		char *p = text_of(put_patch, &c), *t = xasprintf("%s %c%s.", text,
								 p[0] - 'a' + 'A', p + 1);

		free(text);
		free(p);
		text = t;
	}
	fputs(*first ? "        " : ",\n        ", out);
	*first = false;
	fprintf(out, "{\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"%s\", "
		     "\"baselineState\": \"%s\",\n         \"message\": {\"text\": ",
		rv_rule(e->rule)->id, e->rule, rv_rule(e->rule)->level, baseline[e->status]);
	json_str(out, text);
	fputs("},\n         \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
	json_str(out, file);
	fprintf(out, ", \"uriBaseId\": \"SRCROOT\"}, \"region\": {\"startLine\": %u}}, "
		     "\"logicalLocations\": [{\"name\": ", entry_line(e) ? entry_line(e) : 1);
	json_str(out, e->rule == RV_FUNC ? entry_func(e)->name : entry_site(e)->caller);
	fprintf(out, ", \"kind\": \"function\"}]}],\n"
		     "         \"fingerprints\": {\"kvmHotpath/v1\": \"%s\"},\n"
		     "         \"partialFingerprints\": {\"kvmHotpathSite/v1\": \"%s\"}", fp, fp);
	if (e->patch)
		fprintf(out, ",\n         \"properties\": {\"patch\": %zu}", e->patch);
	fputc('}', out);
	free(what);
	free(text);
}

static void write_sarif(const void *arg, FILE *out)
{
	const struct out_arg *o = arg;
	const struct review *r = o->r;
	struct audit_rule rules[RV_NRULES];
	bool first = true;
	size_t i;

	for (i = 0; i < RV_NRULES; i++)
		rules[i] = *rv_rule((int)i);
	audit_sarif_head("kvm-hotpath review of a change to KVM's VM-exit paths", rules, RV_NRULES,
			 r->tree, out);
	fputs(",\n    \"results\": [\n", out);
	for (i = 0; i < r->all.n; i++)
		sarif_result(r, &r->all.e[i], &first, out);
	fputs(first ? "    ]\n  }]\n}\n" : "\n    ]\n  }]\n}\n", out);
}

/* ---- the run ---- */

static int write_all(const struct out_arg *o, const char *dir)
{
	static const struct {
		const char *name;
		writer w;
	} file[] = {
		{ "review.json", write_json },
		{ "review.sarif", write_sarif },
		{ "review.md", write_md },
	};
	enum { N = sizeof(file) / sizeof(*file) };
	struct atomic_file f[N];
	size_t i;
	int ret;

	for (i = 0; i < N; i++)
		f[i] = (struct atomic_file){ xasprintf("%s/%s", dir, file[i].name), file[i].w, o };
	ret = write_atomic_set(f, N);
	for (i = 0; i < N; i++)
		free((char *)f[i].path);
	return ret;
}

int review_run(const struct review_opts *o)
{
	struct review r = { .nst = o->naudit, .fail_on = o->fail_on ? o->fail_on : "new" };
	struct out_arg out = { .r = &r };
	struct rrow *rows = NULL;
	double *wsum = NULL;
	size_t i, nrow = 0;
	int ret = 1;

	if (o->naudit < 2) {
		error("review needs the base's audit.json and at least one more");
		return 1;
	}
	r.st = xcalloc(r.nst, sizeof(*r.st));
	r.step = xcalloc(r.nst, sizeof(*r.step));
	for (i = 0; i < r.nst; i++)
		r.st[i].path = o->audit[i];
	if ((o->renames && read_renames(&r, o->renames)) ||
	    (o->commits && read_commits(&r, o->commits)))
		goto out;
	for (i = 0; i < r.nst; i++) {
		if (read_state(&r, &r.st[i]))
			goto out;
	}
	r.tree = o->tree ? o->tree : jstr(r.st[0].doc, "tree") ?: "?";
	diff(&r.all, &r.st[0], &r.st[r.nst - 1]);
	for (i = 1; i < r.nst; i++)
		diff(&r.step[i], &r.st[i - 1], &r.st[i]);
	attribute(&r);
	nrow = reason_rows(&r, &rows);
	if (gate(&r, rows, nrow))
		goto out;
	wsum = xcalloc(r.nprof, sizeof(*wsum));
	out.rows = rows;
	out.nrow = nrow;
	out.wsum = weighted(&r, rows, nrow, wsum) ? wsum : NULL;
	if (write_all(&out, o->outdir ? o->outdir : "."))
		goto out;
	ret = r.failed ? 2 : 0;
out:
	free(wsum);
	free_rows(rows, nrow);
	for (i = 0; i < r.nst; i++) {
		free(r.step[i].e);
		free_state(&r.st[i]);
	}
	free(r.all.e);
	free(r.within.e);
	free(r.step);
	free(r.st);
	for (i = 0; i < r.nren; i++) {
		free(r.ren[i].from);
		free(r.ren[i].to);
	}
	free(r.ren);
	free(r.prof);
	free(r.indirect);
	free(r.why);
	free(r.scenario);
	return ret;
}
