// SPDX-License-Identifier: GPL-2.0
/*
 * The cost model over callgraph.json and the built objects.
 *
 * A call site costs, each time it is made:
 *   call   the call sequence: a direct or static call is a plain call; an
 *          indirect call is what the profile's default mitigation makes of
 *          it (plain, retpoline, lfence retpoline, ITS thunk), plus the
 *          kCFI/FineIBT check when the build has CFI; INDIRECT_CALL_n() is a
 *          compare and a direct call;
 *   ret    what the callee's return costs above a plain ret (return thunk,
 *          SRSO safe-RET, call depth tracking);
 *   body   the callee's instructions on its shortest path in the object, at
 *          the profile's instructions per cycle;
 *   inner  the callee's own calls on its cheapest path: always 1, on the
 *          likely() side 0.9 (gcc's builtin-expect-probability), on the
 *          unlikely() side 0.1, under a plain condition 0 (the cheapest path
 *          skips it); a condition the scenario decides counts 1 when it
 *          holds, 0 when it does not (enable_pmu guards with the PMU off);
 *          a call in a loop as often as the loop runs (state.c), each
 *          iteration also its own instructions in the object.
 * A call the compiler inlined (an inline callee, or one with no symbol in
 * the objects) costs only its callee's inner calls.  For static and
 * indirect calls the cheapest may-target of the profile's vendor is priced.
 * Where a loop's trip count is not derived, a cost has a low end (the loop
 * not run), which ranks, and a high one (its static bound, or none).
 * Per exit, a site counts as often as the cheapest path makes it: its own
 * weight times its function's frequency, the best product of weights over
 * the calls from a root (1) to the function, at most 1.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "state.h"
#include "util.h"

#define NONE SIZE_MAX

static const char *const pmu_triggers[] = {
	"kvm_pmu_trigger_event", "kvm_pmu_instruction_retired", "kvm_pmu_branch_retired",
};

bool cm_is_pmu_trigger(const char *callee)
{
	size_t i;

	for (i = 0; callee && i < sizeof(pmu_triggers) / sizeof(*pmu_triggers); i++) {
		if (!strcmp(callee, pmu_triggers[i]))
			return true;
	}
	return false;
}

/*
 * A trigger called in a trigger's own definition is that trigger's body
 * (mainline's kvm_pmu_instruction_retired() is one call of the static
 * kvm_pmu_trigger_event()): its guard goes at the wrapper's callers.
 */
bool cm_is_pmu_site(const struct cm_model *m, const struct cm_call *c)
{
	return cm_is_pmu_trigger(c->callee_name) && !cm_is_pmu_trigger(m->func[c->caller].name);
}

/*
 * How often a call runs when its function does, on the cheapest path: an
 * unconditional call always, the likely() side 0.9 (gcc's default
 * builtin-expect-probability), the unlikely() side 0.1, a call under a
 * plain condition or an enable_pmu guard never (the path skips it).
 */
double cm_when_weight(enum call_when when, bool guarded)
{
	if (guarded)
		return 0;
	switch (when) {
	case WHEN_ALWAYS:
		return 1;
	case WHEN_LIKELY:
		return 0.9;
	case WHEN_UNLIKELY:
		return 0.1;
	case WHEN_COND:
		return 0;
	}
	return 0;
}

/* ---- loading ---- */

struct name_ix {
	const char *name;
	size_t func;
};

static int cmp_name_ix(const void *a, const void *b)
{
	const struct name_ix *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : (x->func < y->func ? -1 : x->func > y->func);
}

struct loader {
	struct cm_model *m;
	struct name_ix *ix;
	size_t nix;
};

/* A function by name; of two static ones, the one in file (if given). */
static size_t lookup(const struct loader *l, const char *name, const char *file)
{
	size_t lo = 0, hi = l->nix, i, found = NONE;

	if (!name)
		return NONE;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(l->ix[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < l->nix && !strcmp(l->ix[i].name, name); i++) {
		if (found == NONE)
			found = l->ix[i].func;
		if (file && !strcmp(l->m->func[l->ix[i].func].file, file))
			return l->ix[i].func;
	}
	return found;
}

static const struct jval *array(const struct jval *v, const char *key)
{
	const struct jval *a = jget(v, key);

	return a && a->type == J_ARR ? a : NULL;
}

static bool jbool(const struct jval *v, const char *key)
{
	const struct jval *b = jget(v, key);

	return b && b->type == J_BOOL && b->b;
}

static unsigned int jnum(const struct jval *v, const char *key)
{
	unsigned int n;

	return juint(jget(v, key), &n) ? n : 0;
}

static int kind_of(const char *s)
{
	static const char *const names[] = { "direct", "static_call", "indirect",
					     "indirect_wrapper" };
	int i;

	for (i = 0; s && i < 4; i++) {
		if (!strcmp(s, names[i]))
			return i;
	}
	return -1;
}

static int when_of(const char *s)
{
	int i;

	for (i = WHEN_ALWAYS; s && i <= WHEN_UNLIKELY; i++) {
		if (!strcmp(s, cg_when_name((enum call_when)i)))
			return i;
	}
	return -1;
}

static int load_funcs(struct loader *l, const struct jval *funcs)
{
	struct cm_model *m = l->m;
	size_t i;

	m->func = xcalloc(funcs->n + 1, sizeof(*m->func));
	l->ix = xcalloc(funcs->n + 1, sizeof(*l->ix));
	for (i = 0; i < funcs->n; i++) {
		const struct jval *f = &funcs->item[i];
		struct cm_func *cf = &m->func[i];

		cf->name = jstr(f, "name");
		cf->file = jstr(f, "file");
		if (!cf->name || !cf->file)
			return -1;
		cf->line = jnum(f, "line");
		cf->is_inline = jbool(f, "inline");
		cf->on_path = jbool(f, "on_exit_path");
		cf->path = array(f, "path");
		cf->returns = jstr(f, "returns");
		l->ix[i] = (struct name_ix){ cf->name, i };
	}
	m->nfunc = l->nix = funcs->n;
	xqsort(l->ix, l->nix, sizeof(*l->ix), cmp_name_ix);
	return 0;
}

static void free_scope(struct cm_scope *sc)
{
	free(sc->cond);
	memset(sc, 0, sizeof(*sc));
}

/*
 * A scope as callgraph.json has it: "loop" (its number in the function,
 * resolved to an index by resolve_scope()), "base" and "if".  Absent: the
 * function's own, always.
 */
static int load_scope(const struct jval *j, struct cm_scope *sc)
{
	const struct jval *ifs = array(j, "if");
	const char *base = jstr(j, "base");
	int w;
	size_t i;

	memset(sc, 0, sizeof(*sc));
	sc->loop = jnum(j, "loop");
	sc->base = WHEN_ALWAYS;
	if (base) {
		if ((w = when_of(base)) < 0)
			return -1;
		sc->base = (enum call_when)w;
	}
	if (!ifs || !ifs->n)
		return 0;
	sc->cond = xcalloc(ifs->n, sizeof(*sc->cond));
	for (i = 0; i < ifs->n; i++) {
		const struct jval *c = &ifs->item[i];
		const char *how = jstr(c, "how");
		struct cm_cond *k = &sc->cond[sc->ncond];

		if ((w = when_of(jstr(c, "when"))) < 0 || !how || !(k->text = jstr(c, "cond"))) {
			free_scope(sc);
			return -1;
		}
		k->when = (enum call_when)w;
		k->line = jnum(c, "line");
		k->ret = !strcmp(how, "ret");
		k->how = !strcmp(how, "else") ? 'e' : !strcmp(how, "and") ? 'a' :
			 !strcmp(how, "or") ? 'o' : k->ret ? 'r' : 'i';
		sc->ncond++;
	}
	return 0;
}

/* The loop number of a scope in function f, as an index into m->loop. */
static void resolve_scope(const struct cm_model *m, size_t f, struct cm_scope *sc)
{
	size_t num = sc->loop, i;

	sc->loop = NONE;
	if (!num || f == NONE)
		return;
	for (i = m->func[f].first_loop; i < m->func[f].first_loop + m->func[f].nloop; i++) {
		if (m->loop[i].num == num) {
			sc->loop = i;
			return;
		}
	}
}

static int load_call(struct loader *l, const struct jval *j, struct cm_call *c)
{
	const struct jval *t = array(j, "may_targets");
	const char *expr = jstr(j, "expr");
	int kind = kind_of(jstr(j, "kind")), when = when_of(jstr(j, "when"));
	size_t i;

	c->j = j;
	c->file = jstr(j, "file");
	if (kind < 0 || when < 0 || !c->file || !jstr(j, "caller"))
		return -1;
	c->kind = (enum call_kind)kind;
	c->when = (enum call_when)when;
	c->caller = lookup(l, jstr(j, "caller"), c->file);
	c->callee_name = jstr(j, "callee");
	c->callee = lookup(l, c->callee_name, c->file);
	c->callee_inline = jbool(j, "callee_inline");
	c->guarded = jstr(j, "guard") != NULL;
	c->line = jnum(j, "line");
	c->col = jnum(j, "col");
	c->what = c->kind == CALL_DIRECT ? c->callee_name :
		  c->kind == CALL_STATIC ? jstr(j, "static_call") : expr;
	if (load_scope(j, &c->in))
		return -1;
	/* No scope written: the function's own, and nothing a scenario decides. */
	if (!jget(j, "base"))
		c->in.base = c->when;
	c->dispatch = expr && strstr(expr, "exit_handlers");
	/*
	 * BUILD_BUG_ON()'s call of __compiletime_assert_N() is compiled away
	 * or fails the build: it costs nothing, and its __COUNTER__ suffix
	 * would make one site a new one whenever a line above it changes.
	 */
	if (c->kind == CALL_DIRECT && c->callee_name &&
	    !strncmp(c->callee_name, "__compiletime_assert_", 21))
		c->caller = NONE;
	c->target = xcalloc(t ? t->n + 1 : 1, sizeof(*c->target));
	for (i = 0; t && i < t->n; i++) {
		size_t f = t->item[i].type == J_STR ? lookup(l, t->item[i].str, NULL) : NONE;

		if (f != NONE)
			c->target[c->ntarget++] = f;
	}
	return 0;
}

/* The calls grouped by caller, in file order within each. */
static int load_calls(struct loader *l, const struct jval *calls)
{
	struct cm_model *m = l->m;
	struct cm_call *all = xcalloc(calls->n + 1, sizeof(*all));
	size_t *fill = xcalloc(m->nfunc + 1, sizeof(*fill)), i, n = 0;

	for (i = 0; i < calls->n; i++) {
		if (load_call(l, &calls->item[i], &all[i])) {
			for (; i + 1 > 0; i--) {
				free(all[i].target);
				free_scope(&all[i].in);
			}
			free(all);
			free(fill);
			return -1;
		}
		if (all[i].caller != NONE)
			m->func[all[i].caller].ncall++;
	}
	for (i = 0; i < m->nfunc; i++) {
		m->func[i].first = n;
		n += m->func[i].ncall;
	}
	m->call = xcalloc(n + 1, sizeof(*m->call));
	for (i = 0; i < calls->n; i++) {
		size_t f = all[i].caller;

		if (f == NONE) {
			free(all[i].target);
			free_scope(&all[i].in);
			continue;
		}
		m->call[m->func[f].first + fill[f]++] = all[i];
	}
	m->ncall = n;
	free(all);
	free(fill);
	return 0;
}

static int loop_kind(const char *k)
{
	return !k ? -1 : !strcmp(k, "bits") ? LOOP_BITS : !strcmp(k, "count") ? LOOP_COUNT :
		!strcmp(k, "other") ? LOOP_OTHER : -1;
}

static long long jll(const struct jval *v, const char *key)
{
	const struct jval *n = jget(v, key);

	/* Loop bounds and starts are small: a kernel constant, a count. */
	return n && n->type == J_NUM && n->num > -1e9 && n->num < 1e9 ? (long long)n->num : 0;
}

/* "loops" and "writes", grouped by function in file order; absent in old files. */
static int load_loops_writes(struct loader *l, const struct jval *cg)
{
	struct cm_model *m = l->m;
	const struct jval *loops = array(cg, "loops"), *writes = array(cg, "writes");
	size_t i, n, *fill;

	m->loop = xcalloc((loops ? loops->n : 0) + 1, sizeof(*m->loop));
	m->write = xcalloc((writes ? writes->n : 0) + 1, sizeof(*m->write));
	for (i = 0; loops && i < loops->n; i++) {
		const struct jval *j = &loops->item[i];
		struct cm_loop *lp = &m->loop[m->nloop];
		int kind = loop_kind(jstr(j, "kind"));

		lp->file = jstr(j, "file");
		if (kind < 0 || !lp->file || load_scope(j, &lp->in))
			return -1;
		lp->func = lookup(l, jstr(j, "func"), lp->file);
		if (lp->func == NONE) {
			free_scope(&lp->in);
			continue;
		}
		lp->kind = (enum cm_loop_kind)kind;
		lp->line = jnum(j, "line");
		lp->col = jnum(j, "col");
		lp->num = jnum(j, "num");
		lp->over = jstr(j, "over");
		lp->bound_name = jstr(j, "bound_name");
		lp->start = jll(j, "start");
		lp->bound = jll(j, "bound");
		m->func[lp->func].nloop++;
		m->nloop++;
	}
	for (i = 0; writes && i < writes->n; i++) {
		const struct jval *j = &writes->item[i];
		struct cm_write *w = &m->write[m->nwrite];

		w->file = jstr(j, "file");
		w->op = jstr(j, "op");
		w->dst = jstr(j, "dst");
		if (!w->file || !w->op || !w->dst || load_scope(j, &w->in))
			return -1;
		w->func = lookup(l, jstr(j, "func"), w->file);
		if (w->func == NONE) {
			free_scope(&w->in);
			continue;
		}
		w->line = jnum(j, "line");
		w->col = jnum(j, "col");
		w->a = jstr(j, "a");
		w->b = jstr(j, "b");
		w->a_name = jstr(j, "a_name");
		m->func[w->func].nwrite++;
		m->nwrite++;
	}
	/* Grouped by function, each group in file order (a stable counting sort). */
	fill = xcalloc(m->nfunc + 1, sizeof(*fill));
	{
		struct cm_loop *lp = xcalloc(m->nloop + 1, sizeof(*lp));
		struct cm_write *wr = xcalloc(m->nwrite + 1, sizeof(*wr));

		for (i = n = 0; i < m->nfunc; i++) {
			m->func[i].first_loop = n;
			n += m->func[i].nloop;
		}
		for (i = 0; i < m->nloop; i++)
			lp[m->func[m->loop[i].func].first_loop + fill[m->loop[i].func]++] = m->loop[i];
		memset(fill, 0, (m->nfunc + 1) * sizeof(*fill));
		for (i = n = 0; i < m->nfunc; i++) {
			m->func[i].first_write = n;
			n += m->func[i].nwrite;
		}
		for (i = 0; i < m->nwrite; i++)
			wr[m->func[m->write[i].func].first_write + fill[m->write[i].func]++] = m->write[i];
		free(m->loop);
		free(m->write);
		m->loop = lp;
		m->write = wr;
	}
	free(fill);
	for (i = 0; i < m->nloop; i++)
		resolve_scope(m, m->loop[i].func, &m->loop[i].in);
	for (i = 0; i < m->nwrite; i++)
		resolve_scope(m, m->write[i].func, &m->write[i].in);
	for (i = 0; i < m->ncall; i++)
		resolve_scope(m, m->call[i].caller, &m->call[i].in);
	return 0;
}

/* "EXIT_REASON_CPUID" as perf kvm stat prints it: "CPUID"; SVM's lower case. */
static const char *perf_name(const char *designator)
{
	char *s;
	size_t i;

	if (!strncmp(designator, "EXIT_REASON_", 12))
		return xstrdup(designator + 12);
	s = xstrdup(!strncmp(designator, "SVM_EXIT_", 9) ? designator + 9 : designator);
	for (i = 0; s[i]; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	return s;
}

/* Breadth first from the seeds, not through the exit-handler table call. */
static size_t reach(const struct cm_model *m, const size_t *seed, size_t nseed, size_t *queue,
		    unsigned char *seen)
{
	size_t head = 0, tail = 0, i, k;

	memset(seen, 0, m->nfunc);
	for (i = 0; i < nseed; i++) {
		if (seed[i] != NONE && !seen[seed[i]]) {
			seen[seed[i]] = 1;
			queue[tail++] = seed[i];
		}
	}
	while (head < tail) {
		const struct cm_func *f = &m->func[queue[head++]];

		for (i = f->first; i < f->first + f->ncall; i++) {
			const struct cm_call *c = &m->call[i];

			if (c->dispatch)
				continue;
			if (c->callee != NONE && !seen[c->callee]) {
				seen[c->callee] = 1;
				queue[tail++] = c->callee;
			}
			for (k = 0; c->kind != CALL_DIRECT && k < c->ntarget; k++) {
				if (!seen[c->target[k]]) {
					seen[c->target[k]] = 1;
					queue[tail++] = c->target[k];
				}
			}
		}
	}
	return tail;
}

static void load_reasons(struct loader *l, const struct jval *roots)
{
	struct cm_model *m = l->m;
	size_t *queue = xcalloc(m->nfunc + 1, sizeof(*queue));
	size_t *common = xcalloc((roots ? roots->n : 0) + 1, sizeof(*common));
	unsigned char *seen = xcalloc(m->nfunc + 1, 1);
	size_t i, k, n, ncommon = 0;

	for (i = 0; roots && i < roots->n; i++) {
		const struct jval *r = &roots->item[i], *ex = array(r, "exits");
		size_t f = lookup(l, jstr(r, "name"), NULL);

		if (f == NONE)
			continue;
		if (!ex || !ex->n)
			common[ncommon++] = f;
		for (k = 0; ex && k < ex->n; k++) {
			struct cm_reason *rs;

			if (ex->item[k].type != J_STR)
				continue;
			GROW(m->reason, m->areason, m->nreason + 1);
			rs = &m->reason[m->nreason++];
			memset(rs, 0, sizeof(*rs));
			rs->name = ex->item[k].str;
			rs->perf = perf_name(rs->name);
			rs->root = f;
		}
	}
	n = reach(m, common, ncommon, queue, seen);
	for (i = 0; i < n; i++)
		m->func[queue[i]].run_loop = true;
	/* The run loop's cost starts at the common roots no other one reaches. */
	m->runloop = xcalloc(ncommon + 1, sizeof(*m->runloop));
	for (i = 0; i < ncommon; i++) {
		bool inner = false;

		for (k = 0; k < ncommon && !inner; k++) {
			size_t j, nr;

			if (common[k] == common[i])
				continue;
			nr = reach(m, &common[k], 1, queue, seen);
			for (j = 0; j < nr && !inner; j++)
				inner = queue[j] == common[i];
		}
		if (!inner)
			m->runloop[m->nrunloop++] = common[i];
	}
	for (k = 0; k < m->nreason; k++) {
		n = reach(m, &m->reason[k].root, 1, queue, seen);
		for (i = 0; i < n; i++) {
			struct cm_func *f = &m->func[queue[i]];

			GROW(f->reason, f->areason, f->nreason + 1);
			f->reason[f->nreason++] = k;
		}
	}
	free(seen);
	free(common);
	free(queue);
}

const char *cm_returns(const void *model, const char *name)
{
	const struct cm_model *m = model;
	size_t lo = 0, hi = m->nfunc;

	/* The names are sorted in m->byname. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(m->func[m->byname[mid]].name, name);

		if (!c)
			return m->func[m->byname[mid]].returns;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void mark_roots(struct cm_model *m, const struct jval *roots, const struct loader *l)
{
	size_t i;

	for (i = 0; roots && i < roots->n; i++) {
		size_t f = lookup(l, jstr(&roots->item[i], "name"), NULL);

		if (f != NONE)
			m->func[f].root = true;
	}
}

/*
 * The call a function's shortest object path ends in a jump to (gcc's
 * sibling call, "return g(x);"): the last direct call of that name in the
 * function, whose callee must be in the graph.  The function's body then
 * stops at the jump and the call is priced as one that makes no call and
 * no return of its own.
 */
static void mark_tail_calls(struct cm_model *m)
{
	size_t f, i;

	for (f = 0; f < m->nfunc; f++) {
		struct cm_func *fn = &m->func[f];

		if (!fn->obj || !fn->obj->tail)
			continue;
		for (i = fn->first + fn->ncall; i-- > fn->first;) {
			struct cm_call *c = &m->call[i];

			if (c->kind == CALL_DIRECT && c->callee != NONE &&
			    !strcmp(m->func[c->callee].name, fn->obj->tail)) {
				c->tail = fn->tail_call = true;
				break;
			}
		}
	}
}

int cm_load(struct cm_model *m, const struct jval *cg, const struct objpaths *op, bool cfi)
{
	const struct jval *funcs = array(cg, "functions"), *calls = array(cg, "calls");
	struct loader l = { .m = m };
	size_t i;
	int ret = -1;

	memset(m, 0, sizeof(*m));
	m->cfi = cfi;
	m->tree = jstr(cg, "tree");
	if (!funcs || !calls || !m->tree ||
	    sscanf(m->tree, "%*[^0-9]%u.%u", &m->major, &m->minor) != 2) {
		error("not a callgraph.json of make analyze (no tree version, functions or calls); "
		      "rerun make analyze");
		return -1;
	}
	if (load_funcs(&l, funcs) || load_calls(&l, calls) || load_loops_writes(&l, cg)) {
		error("callgraph.json: a function, call, loop or write lacks its name, file, kind or "
		      "when; rerun make analyze with this analyzer");
		goto out;
	}
	for (i = 0; i < m->nfunc; i++)
		m->func[i].obj = op_find(op, m->func[i].name);
	mark_tail_calls(m);
	load_reasons(&l, array(cg, "roots"));
	mark_roots(m, array(cg, "roots"), &l);
	m->byname = xcalloc(m->nfunc + 1, sizeof(*m->byname));
	for (i = 0; i < m->nfunc; i++)
		m->byname[i] = l.ix[i].func;
	ret = 0;
out:
	free(l.ix);
	if (ret)
		cm_free(m);
	return ret;
}

void cm_free(struct cm_model *m)
{
	size_t i;

	for (i = 0; i < m->ncall; i++) {
		free(m->call[i].target);
		free_scope(&m->call[i].in);
	}
	for (i = 0; i < m->nloop; i++)
		free_scope(&m->loop[i].in);
	for (i = 0; i < m->nwrite; i++)
		free_scope(&m->write[i].in);
	free(m->loop);
	free(m->write);
	free(m->byname);
	for (i = 0; i < m->nfunc; i++)
		free(m->func[i].reason);
	for (i = 0; i < m->nreason; i++)
		free((char *)m->reason[i].perf);
	free(m->reason);
	free(m->runloop);
	free(m->call);
	free(m->func);
	memset(m, 0, sizeof(*m));
}

/* ---- perf kvm stat report ---- */

/*
 * "           MSR_WRITE      25418    40.96%  ...": a name, a count, a
 * percentage; everything else in the report is headers and totals.
 */
int cm_exits(struct cm_model *m, const char *file)
{
	char *l = NULL, name[64], pct[32];
	unsigned long count;
	size_t n = 0, k;
	ssize_t len;
	FILE *f = fopen(file, "r");

	if (!f) {
		error("EXITS=%s: cannot read it; give the text of perf kvm stat report", file);
		return -1;
	}
	while ((len = getline(&l, &n, f)) > 0) {
		bool matched = false;

		if (line_has_nul(l, len) || sscanf(l, " %63s %lu %31s", name, &count, pct) != 3 ||
		    pct[strlen(pct) - 1] != '%')
			continue;
		m->exits += count;
		for (k = 0; k < m->nreason; k++) {
			if (!strcasecmp(m->reason[k].perf, name)) {
				m->reason[k].count += count;
				matched = true;
			}
		}
		if (!matched)
			m->unmatched += count;
	}
	free(l);
	fclose(f);
	if (!m->exits) {
		error("EXITS=%s: no exit counts in it; give the text of perf kvm stat report", file);
		return -1;
	}
	for (k = 0; k < m->nreason; k++)
		m->reason[k].share = (double)m->reason[k].count / (double)m->exits;
	m->weighted = true;
	return 0;
}

/* ---- pricing ---- */

struct pricer {
	const struct cm_model *m;
	struct cm_eval *e;
	double *memo;		/* per function and depth, -1 until priced */
	double ret;		/* the return sequence's extra */
	bool amd;
	bool no_dispatch;	/* leave out the exit-handler table call */
};

static bool vendor_ok(const struct pricer *pr, size_t f)
{
	const char *file = pr->m->func[f].file;

	if (strstr(file, "/vmx/"))
		return !pr->amd;
	if (strstr(file, "/svm/"))
		return pr->amd;
	return true;
}

static double sequence(const struct pricer *pr, enum call_kind kind)
{
	const struct profile *p = pr->e->prof;
	double c;

	switch (kind) {
	case CALL_DIRECT:
	case CALL_STATIC:
		return p->cost[P_CALL];
	case CALL_WRAPPER:
		return p->cost[P_CALL] + p->cost[P_GUARD];
	case CALL_INDIRECT:
		break;
	}
	switch (pr->e->def->indirect) {
	case IND_RETPOLINE:
		c = p->cost[P_RETPOLINE];
		break;
	case IND_RETPOLINE_LFENCE:
		c = p->cost[P_RETPOLINE_LFENCE];
		break;
	case IND_ITS:
		c = p->cost[P_ITS];
		break;
	default:
		c = p->cost[P_INDIRECT];
		break;
	}
	if (pr->m->cfi)
		c += p->cost[pr->e->def->cfi == CFI_FINEIBT ? P_FINEIBT : P_KCFI];
	return c;
}

const char *cm_sequence(const struct cm_eval *e, const struct cm_call *c)
{
	enum call_kind kind = c->kind;

	if (c->tail)
		return "tail call";
	if (kind == CALL_INDIRECT)
		return e->def->indirect == IND_PLAIN ? "indirect" : mit_indirect_name(e->def->indirect);
	return kind == CALL_WRAPPER ? "compare+call" : "call";
}

static double return_extra(const struct profile *p, enum mit_return r)
{
	switch (r) {
	case RET_THUNK:
		return p->cost[P_RETURN_THUNK];
	case RET_SRSO_SAFE_RET:
		return p->cost[P_SRSO_SAFE_RET];
	case RET_SRSO_ALIAS:
		return p->cost[P_SRSO_ALIAS];
	case RET_CALL_DEPTH:
		return p->cost[P_CALL_DEPTH];
	default:
		return 0;
	}
}

/* A cost with a low end (the cheapest path) and a high one. */
struct span {
	double lo, hi;
	size_t unknown;		/* a loop whose trip count is not derived, or NONE */
};

static struct span inner(struct pricer *pr, size_t f, unsigned int depth);

/* Its tail call's callee is priced at that call, else counted here. */
static double body(const struct pricer *pr, size_t f)
{
	const struct cm_func *fn = &pr->m->func[f];

	if (!fn->obj)
		return 0;
	return (fn->tail_call ? fn->obj->own : fn->obj->insns) / pr->e->prof->cost[P_IPC];
}

static void take_inner(struct cm_cost *k, struct span in)
{
	k->inner = in.lo;
	k->inner_hi = in.hi;
	if (k->unknown == NONE)
		k->unknown = in.unknown;
}

static struct cm_cost price(struct pricer *pr, const struct cm_call *c, unsigned int depth)
{
	struct cm_cost k = { .via = NONE, .unknown = NONE };
	size_t t;

	if (c->kind == CALL_DIRECT) {
		size_t f = c->callee;

		if (c->tail) {
			/* A jump: the caller's own return is the callee's. */
			k.body = body(pr, f);
			take_inner(&k, inner(pr, f, depth + 1));
		} else if (c->callee_inline || (f != NONE && !pr->m->func[f].obj)) {
			if (f != NONE)
				take_inner(&k, inner(pr, f, depth));
		} else {
			k.call = sequence(pr, c->kind);
			k.ret = pr->ret;
			if (f != NONE) {
				k.body = body(pr, f);
				take_inner(&k, inner(pr, f, depth + 1));
			}
		}
	} else {
		double best = INFINITY;

		k.call = sequence(pr, c->kind);
		k.ret = pr->ret;
		for (t = 0; t < c->ntarget; t++) {
			size_t f = c->target[t];
			struct span in;
			double b;

			if (!vendor_ok(pr, f))
				continue;
			b = body(pr, f);
			in = inner(pr, f, depth + 1);
			if (b + in.lo < best) {
				best = b + in.lo;
				k.body = b;
				k.inner = in.lo;
				k.inner_hi = in.hi;
				k.unknown = in.unknown;
				k.via = f;
			}
		}
	}
	k.total = k.call + k.ret + k.body + k.inner;
	k.total_hi = k.call + k.ret + k.body + k.inner_hi;
	return k;
}

static int eval_cond(const struct cm_eval *e, const struct cm_cond *c)
{
	char *neg = c->ret ? xasprintf("!(%s)", c->text) : NULL;
	int r = scn_eval(e->scn, e->prof, neg ? neg : c->text, NULL, NULL);

	free(neg);
	return r;
}

double cm_scope_weight(const struct cm_eval *e, const struct cm_scope *sc)
{
	enum call_when w = sc->base;
	size_t i;

	for (i = 0; i < sc->ncond; i++) {
		int r = eval_cond(e, &sc->cond[i]);

		if (r == 0)
			return 0;
		if (r < 0 && sc->cond[i].when > w)
			w = sc->cond[i].when;
	}
	return cm_when_weight(w, false);
}

static void add(struct span *sum, double w, struct span x)
{
	if (w <= 0)
		return;
	sum->lo += w * x.lo;
	sum->hi += w * x.hi;
	if (sum->unknown == NONE)
		sum->unknown = x.unknown;
}

static struct span loop_cost(struct pricer *pr, size_t l, unsigned int depth);

/*
 * What runs in one scope of function f: its calls and loops directly in
 * loop (NONE: outside any loop), each by its weight there.
 */
static struct span scope_cost(struct pricer *pr, size_t f, size_t loop, unsigned int depth)
{
	const struct cm_func *fn = &pr->m->func[f];
	struct span sum = { 0, 0, NONE };
	size_t i;

	for (i = fn->first; i < fn->first + fn->ncall; i++) {
		const struct cm_call *c = &pr->m->call[i];
		struct cm_cost k;

		if (c->in.loop != loop || (pr->no_dispatch && c->dispatch))
			continue;
		if (cm_scope_weight(pr->e, &c->in) <= 0)
			continue;
		k = price(pr, c, depth);
		add(&sum, cm_scope_weight(pr->e, &c->in),
		    (struct span){ k.total, k.total_hi, k.unknown });
	}
	for (i = fn->first_loop; i < fn->first_loop + fn->nloop; i++) {
		if (pr->m->loop[i].in.loop == loop)
			add(&sum, cm_scope_weight(pr->e, &pr->m->loop[i].in), loop_cost(pr, i, depth));
	}
	return sum;
}

/*
 * One iteration's own instructions, from the object: the shortest cycle
 * through a call the loop makes, else (a loop with no call left in the
 * object, in a function with one loop) the function's shortest cycle.
 */
double cm_iter_insns(const struct cm_model *m, size_t l)
{
	const struct cm_loop *lp = &m->loop[l];
	const struct cm_func *fn = &m->func[lp->func];
	const struct op_func *o = fn->obj;
	size_t i, k;

	if (!o)
		return 0;
	for (i = fn->first; i < fn->first + fn->ncall; i++) {
		const struct cm_call *c = &m->call[i];

		if (c->in.loop != l || c->kind == CALL_INDIRECT || !c->callee_name)
			continue;
		for (k = 0; k < o->nloop; k++) {
			if (!strcmp(o->loop[k].callee, c->callee_name))
				return o->loop[k].insns;
		}
	}
	return fn->nloop == 1 ? o->cycle : 0;
}

/* All iterations of loop l: its trip count times what one iteration runs. */
static struct span loop_cost(struct pricer *pr, size_t l, unsigned int depth)
{
	const struct st_trip *t = &pr->e->trip[l];
	struct span iter = scope_cost(pr, pr->m->loop[l].func, l, depth), r;
	double own = cm_iter_insns(pr->m, l) / pr->e->prof->cost[P_IPC];

	iter.lo += own;
	iter.hi += own;

	r.lo = t->lo * iter.lo;
	r.hi = t->hi > 0 && iter.hi > 0 ? t->hi * iter.hi : 0;
	r.unknown = !t->known && r.hi > r.lo ? l : iter.unknown;
	return r;
}

/* What f calls, memoized per depth: on its cheapest path, and at most. */
static struct span inner(struct pricer *pr, size_t f, unsigned int depth)
{
	double *memo;
	struct span sum;

	if (depth > CM_DEPTH)
		return (struct span){ 0, 0, NONE };
	memo = &pr->memo[(f * (CM_DEPTH + 1) + depth) * 3];
	if (memo[0] >= 0)
		return (struct span){ memo[0], memo[1], (size_t)memo[2] == (size_t)-1 ? NONE
										 : (size_t)memo[2] };
	/* A recursive call back into f adds nothing. */
	memo[0] = memo[1] = 0;
	memo[2] = -1;
	sum = scope_cost(pr, f, NONE, depth);
	memo[0] = sum.lo;
	memo[1] = sum.hi;
	memo[2] = sum.unknown == NONE ? -1 : (double)sum.unknown;
	return sum;
}

static double *new_memo(const struct cm_model *m)
{
	size_t i, n = m->nfunc * (CM_DEPTH + 1) * 3;
	double *memo = xmalloc((n + 1) * sizeof(*memo));

	for (i = 0; i < n; i++)
		memo[i] = -1;
	return memo;
}

/* SVM's exit codes are AMD's, VMX's exit reasons Intel's, whatever the handler. */
static bool reason_ok(const struct pricer *pr, const struct cm_reason *r)
{
	if (!strncmp(r->name, "SVM_EXIT_", 9))
		return pr->amd;
	if (!strncmp(r->name, "EXIT_REASON_", 12))
		return !pr->amd;
	return vendor_ok(pr, r->root);
}

/*
 * What one exit costs from a root on: the root's own instructions and its
 * cheapest-path calls, as the handler-table call prices its target.
 */
static double root_cost(struct pricer *pr, size_t f)
{
	return body(pr, f) + inner(pr, f, 1).lo;
}

/*
 * Per exit reason, its handler; and the run loop, from its outermost roots
 * down to (not into) the exit-handler table call, priced with a memo of
 * its own because that call is left out.
 */
static void cost_roots(struct pricer *pr)
{
	const struct cm_model *m = pr->m;
	struct cm_eval *e = pr->e;
	struct pricer loop = *pr;
	size_t r;

	e->reason = xcalloc(m->nreason + 1, sizeof(*e->reason));
	for (r = 0; r < m->nreason; r++)
		e->reason[r] = reason_ok(pr, &m->reason[r]) ? root_cost(pr, m->reason[r].root) : NAN;
	loop.memo = new_memo(m);
	loop.no_dispatch = true;
	e->loop = 0;
	for (r = 0; r < m->nrunloop; r++) {
		if (vendor_ok(&loop, m->runloop[r]))
			e->loop += root_cost(&loop, m->runloop[r]);
	}
	free(loop.memo);
}

/*
 * How often a call runs per run of its function: its weight in its scope,
 * times, for each loop around it, the loop's trip count (low end) and weight.
 */
static double runs(const struct cm_eval *e, const struct cm_model *m, const struct cm_scope *sc)
{
	double w = cm_scope_weight(e, sc);
	size_t l;

	for (l = sc->loop; l != NONE && w > 0; l = m->loop[l].in.loop)
		w *= e->trip[l].lo * cm_scope_weight(e, &m->loop[l].in);
	return w;
}

/*
 * Each function's frequency per exit of the roots that reach it: 1 for a
 * root, else the best over its callers of their frequency times how often
 * the call runs, capped at 1 (a function that a loop calls runs once per
 * exit at the least, for ranking).  Relaxing until nothing changes ends.
 */
static void frequencies(const struct cm_model *m, struct cm_eval *e)
{
	bool changed = true;
	size_t i, k, t;

	for (i = 0; i < m->nfunc; i++)
		e->freq[i] = m->func[i].root ? 1 : 0;
	while (changed) {
		changed = false;
		for (i = 0; i < m->ncall; i++) {
			const struct cm_call *c = &m->call[i];
			double fr = e->freq[c->caller] * runs(e, m, &c->in);

			if (fr > 1)
				fr = 1;
			if (fr <= 0)
				continue;
			for (k = 0; k <= c->ntarget; k++) {
				t = k < c->ntarget ? (c->kind == CALL_DIRECT ? NONE : c->target[k])
						   : c->callee;
				if (t != NONE && e->freq[t] < fr) {
					e->freq[t] = fr;
					changed = true;
				}
			}
		}
	}
}

void cm_eval(const struct cm_model *m, const struct profile *p, const struct scenario *scn,
	     struct cm_eval *e)
{
	struct pricer pr = { .m = m, .e = e };
	size_t i, r;

	memset(e, 0, sizeof(*e));
	e->prof = p;
	e->scn = scn;
	e->def = prof_defaults(p, m->major, m->minor);
	e->trip = xcalloc(m->nloop + 1, sizeof(*e->trip));
	e->ntrip = m->nloop;
	st_trips(m, p, scn, e->trip);
	e->freq = xcalloc(m->nfunc + 1, sizeof(*e->freq));
	frequencies(m, e);
	e->site = xcalloc(m->ncall + 1, sizeof(*e->site));
	e->memo = pr.memo = new_memo(m);
	pr.ret = return_extra(p, e->def->ret);
	pr.amd = p->vendor && !strcasecmp(p->vendor, "amd");
	for (i = 0; i < m->ncall; i++) {
		const struct cm_call *c = &m->call[i];
		struct cm_cost *k = &e->site[i];
		double share = 0;

		*k = price(&pr, c, 0);
		if (!vendor_ok(&pr, c->caller)) {
			k->foreign = true;
			k->per_exit = k->weighted = 0;
			continue;
		}
		k->runs = runs(e, m, &c->in);
		k->per_exit = k->total * k->runs * e->freq[c->caller];
		if (!m->weighted || m->func[c->caller].run_loop) {
			k->weighted = k->per_exit;
			continue;
		}
		for (r = 0; r < m->func[c->caller].nreason; r++)
			share += m->reason[m->func[c->caller].reason[r]].share;
		k->weighted = k->per_exit * share;
	}
	cost_roots(&pr);
}

void cm_eval_free(struct cm_eval *e)
{
	st_trips_free(e->trip, e->ntrip);
	free(e->trip);
	free(e->freq);
	free(e->site);
	free(e->memo);
	free(e->reason);
	memset(e, 0, sizeof(*e));
}
