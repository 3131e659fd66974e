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
 *          skips it), guarded by enable_pmu 0 (the guest PMU is off).
 * A call the compiler inlined (an inline callee, or one with no symbol in
 * the objects) costs only its callee's inner calls.  For static and
 * indirect calls the cheapest may-target of the profile's vendor is priced.
 * Per exit, a site counts as often as the cheapest path makes it: its own
 * weight times its function's frequency, the best product of weights over
 * the calls from a root (1) to the function.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
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
		l->ix[i] = (struct name_ix){ cf->name, i };
	}
	m->nfunc = l->nix = funcs->n;
	xqsort(l->ix, l->nix, sizeof(*l->ix), cmp_name_ix);
	return 0;
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
			for (; i + 1 > 0; i--)
				free(all[i].target);
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
			continue;
		}
		m->call[m->func[f].first + fill[f]++] = all[i];
	}
	m->ncall = n;
	free(all);
	free(fill);
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
	m->loop = xcalloc(ncommon + 1, sizeof(*m->loop));
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
			m->loop[m->nloop++] = common[i];
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

/*
 * Each function's frequency per exit of the roots that reach it: 1 for a
 * root, else the best over its callers of their frequency times the call's
 * weight.  Weights are at most 1, so relaxing until nothing changes ends.
 */
static void frequencies(struct cm_model *m, const struct jval *roots, const struct loader *l)
{
	bool changed = true;
	size_t i, k, t;

	for (i = 0; roots && i < roots->n; i++) {
		size_t f = lookup(l, jstr(&roots->item[i], "name"), NULL);

		if (f != NONE)
			m->func[f].freq = 1;
	}
	while (changed) {
		changed = false;
		for (i = 0; i < m->ncall; i++) {
			const struct cm_call *c = &m->call[i];
			double fr = m->func[c->caller].freq * cm_when_weight(c->when, c->guarded);

			if (fr <= 0)
				continue;
			for (k = 0; k <= c->ntarget; k++) {
				t = k < c->ntarget ? (c->kind == CALL_DIRECT ? NONE : c->target[k])
						   : c->callee;
				if (t != NONE && m->func[t].freq < fr) {
					m->func[t].freq = fr;
					changed = true;
				}
			}
		}
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
	if (load_funcs(&l, funcs) || load_calls(&l, calls)) {
		error("callgraph.json: a function or call lacks its name, file, kind or when; "
		      "rerun make analyze with this analyzer");
		goto out;
	}
	for (i = 0; i < m->nfunc; i++)
		m->func[i].obj = op_find(op, m->func[i].name);
	mark_tail_calls(m);
	load_reasons(&l, array(cg, "roots"));
	frequencies(m, array(cg, "roots"), &l);
	ret = 0;
out:
	free(l.ix);
	return ret;
}

void cm_free(struct cm_model *m)
{
	size_t i;

	for (i = 0; i < m->ncall; i++)
		free(m->call[i].target);
	for (i = 0; i < m->nfunc; i++)
		free(m->func[i].reason);
	for (i = 0; i < m->nreason; i++)
		free((char *)m->reason[i].perf);
	free(m->reason);
	free(m->loop);
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

static double inner(struct pricer *pr, size_t f, unsigned int depth);

/* Its tail call's callee is priced at that call, else counted here. */
static double body(const struct pricer *pr, size_t f)
{
	const struct cm_func *fn = &pr->m->func[f];

	if (!fn->obj)
		return 0;
	return (fn->tail_call ? fn->obj->own : fn->obj->insns) / pr->e->prof->cost[P_IPC];
}

static struct cm_cost price(struct pricer *pr, const struct cm_call *c, unsigned int depth)
{
	struct cm_cost k = { .via = NONE };
	size_t t;

	if (c->kind == CALL_DIRECT) {
		size_t f = c->callee;

		if (c->tail) {
			/* A jump: the caller's own return is the callee's. */
			k.body = body(pr, f);
			k.inner = inner(pr, f, depth + 1);
		} else if (c->callee_inline || (f != NONE && !pr->m->func[f].obj)) {
			k.inner = f != NONE ? inner(pr, f, depth) : 0;
		} else {
			k.call = sequence(pr, c->kind);
			k.ret = pr->ret;
			if (f != NONE) {
				k.body = body(pr, f);
				k.inner = inner(pr, f, depth + 1);
			}
		}
	} else {
		double best = INFINITY;

		k.call = sequence(pr, c->kind);
		k.ret = pr->ret;
		for (t = 0; t < c->ntarget; t++) {
			size_t f = c->target[t];
			double b, in, sum;

			if (!vendor_ok(pr, f))
				continue;
			b = body(pr, f);
			in = inner(pr, f, depth + 1);
			sum = b + in;
			if (sum < best) {
				best = sum;
				k.body = b;
				k.inner = in;
				k.via = f;
			}
		}
	}
	k.total = k.call + k.ret + k.body + k.inner;
	return k;
}

/* What f calls on its cheapest path, memoized per depth. */
static double inner(struct pricer *pr, size_t f, unsigned int depth)
{
	const struct cm_func *fn = &pr->m->func[f];
	double *memo, sum = 0;
	size_t i;

	if (depth > CM_DEPTH)
		return 0;
	memo = &pr->memo[f * (CM_DEPTH + 1) + depth];
	if (*memo >= 0)
		return *memo;
	*memo = 0;	/* a recursive call back into f adds nothing */
	for (i = fn->first; i < fn->first + fn->ncall; i++) {
		const struct cm_call *c = &pr->m->call[i];
		double w = cm_when_weight(c->when, c->guarded);

		if (pr->no_dispatch && c->dispatch)
			continue;
		if (w > 0)
			sum += w * price(pr, c, depth).total;
	}
	*memo = sum;
	return sum;
}

static double *new_memo(const struct cm_model *m)
{
	double *memo = xmalloc((m->nfunc * (CM_DEPTH + 1) + 1) * sizeof(*memo));
	size_t i;

	for (i = 0; i < m->nfunc * (CM_DEPTH + 1); i++)
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
	return body(pr, f) + inner(pr, f, 1);
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
	for (r = 0; r < m->nloop; r++) {
		if (vendor_ok(&loop, m->loop[r]))
			e->loop += root_cost(&loop, m->loop[r]);
	}
	free(loop.memo);
}

void cm_eval(const struct cm_model *m, const struct profile *p, struct cm_eval *e)
{
	struct pricer pr = { .m = m, .e = e };
	size_t i, r;

	memset(e, 0, sizeof(*e));
	e->prof = p;
	e->def = prof_defaults(p, m->major, m->minor);
	e->site = xcalloc(m->ncall + 1, sizeof(*e->site));
	e->memo = pr.memo = new_memo(m);
	pr.ret = return_extra(p, e->def->ret);
	pr.amd = p->vendor && !strcasecmp(p->vendor, "amd");
	for (i = 0; i < m->ncall; i++) {
		const struct cm_call *c = &m->call[i];
		const struct cm_func *caller = &m->func[c->caller];
		struct cm_cost *k = &e->site[i];
		double share = 0;

		*k = price(&pr, c, 0);
		if (!vendor_ok(&pr, c->caller)) {
			k->foreign = true;
			k->per_exit = k->weighted = 0;
			continue;
		}
		k->per_exit = k->total * cm_when_weight(c->when, c->guarded) * caller->freq;
		if (!m->weighted || caller->run_loop) {
			k->weighted = k->per_exit;
			continue;
		}
		for (r = 0; r < caller->nreason; r++)
			share += m->reason[caller->reason[r]].share;
		k->weighted = k->per_exit * share;
	}
	cost_roots(&pr);
}

void cm_eval_free(struct cm_eval *e)
{
	free(e->site);
	free(e->memo);
	free(e->reason);
	memset(e, 0, sizeof(*e));
}
