// SPDX-License-Identifier: GPL-2.0
/*
 * Trip counts from the code.  A loop over a bitmap or up to a counter field
 * runs as often as the bits set, or the value, that the field holds when
 * the exit comes.  That value is what the field's writers leave:
 *
 *  - the struct's constructor runs first: the function that zeroes the
 *    whole struct (memset(pmu, 0, sizeof(*pmu)) in kvm_pmu_init()), with
 *    everything it calls, in the order the code has it;
 *  - then every function that writes the struct's fields and can be
 *    reached (some call of it is not ruled out by the scenario) runs
 *    again on the state that left, as a refresh does when userspace sets
 *    the vCPU's CPUID; until nothing changes.
 *
 * A write, or a call into a writer, runs when the conditions on its path
 * hold under the scenario and the state so far (an early return on
 * !kvm->arch.enable_pmu stops what follows), does not run when one of them
 * fails or is unlikely(), and may run otherwise: then the state afterwards
 * is what both ways allow.  A bitmap is the bits it has for sure and the
 * bits it may have; a number, the range it is in.  Only the vendor's own
 * code runs (vmx/ for Intel, svm/ for AMD).
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "util.h"

#define NONE SIZE_MAX
#define ST_BITS		256
#define ST_WORDS	(ST_BITS / 64)
/* How deep calls are followed from an entry, and how often entries rerun. */
#define ST_DEPTH	8
#define ST_ROUNDS	4
/*
 * The writes and calls one set-up may run: KVM's take some hundreds; a
 * graph that needs more (a hostile callgraph.json) leaves the count unknown.
 */
#define ST_MAX_STEPS	200000

struct aval {
	char *term;
	long long lo, hi;		/* as a number */
	uint64_t def[ST_WORDS];		/* as a bitmap: bits set for sure */
	uint64_t may[ST_WORDS];		/* and bits that may be set */
	const struct cm_write *by;	/* the last write that ran for sure */
	bool by_tested;			/* that write's path tested a fact's term */
	bool scalar;			/* last assigned as a number, not as a bitmap */
};

struct state {
	struct aval *v;
	size_t n, alloc;
	char **zeroed;			/* struct tags zeroed whole for sure */
	size_t nzeroed, azeroed;
	const struct cm_write *zeroed_by;
	bool gave_up;			/* set-up too long to follow: nothing is known */
};

/* Why a writer of the term did not run: the first reason found. */
struct skipped {
	const struct cm_write *w;	/* the write, or NULL */
	size_t func;			/* or the function never reached */
	const struct cm_cond *cond;	/* the condition ruling it out */
	size_t cond_func;		/* in this function */
};

/* A struct's state after set-up, kept for the next loop over the same term. */
struct setup {
	char *tag;			/* the term */
	struct state st;
};

/* The first writer of a term found not to run. */
struct skip_note {
	char *term;
	struct skipped why;
};

struct interp {
	const struct cm_model *m;
	const struct profile *p;
	const struct scenario *s;
	bool amd;
	char **rel;			/* the terms the count being derived depends on */
	size_t nrel, arel;
	unsigned char *writer;		/* per function: writes them, or calls what does */
	unsigned char *on_stack;
	const struct cm_cond **path;	/* the conditions of the calls being run */
	size_t npath, apath;
	struct skip_note *skip;
	size_t nskip, askip;
	signed char *reach;		/* per function: -1 unknown, 0 no, 1 yes */
	struct skipped *reach_why;
	size_t *caller_first, *caller_call;	/* per function: the calls that may reach it */
	struct setup *setup;
	size_t nsetup, asetup;
	unsigned long steps;		/* events run for the current set-up */
};

static bool relevant(const struct interp *in, const char *term);

/* ---- values ---- */

static void top(struct aval *a)
{
	a->lo = INT64_MIN;
	a->hi = INT64_MAX;
	memset(a->def, 0, sizeof(a->def));
	memset(a->may, 0xff, sizeof(a->may));
	a->by = NULL;
	a->by_tested = false;
}

static void zero(struct aval *a)
{
	a->lo = a->hi = 0;
	memset(a->def, 0, sizeof(a->def));
	memset(a->may, 0, sizeof(a->may));
}

static const char *tag_end(const char *term)
{
	return strstr(term, "->");
}

static bool tag_zeroed(const struct state *st, const char *term)
{
	const char *end = tag_end(term);
	size_t i;

	for (i = 0; end && i < st->nzeroed; i++) {
		if (strlen(st->zeroed[i]) == (size_t)(end - term) &&
		    !strncmp(st->zeroed[i], term, (size_t)(end - term)))
			return true;
	}
	return false;
}

/* The value of a term: what was written, 0 in a struct zeroed whole, else anything. */
static struct aval get(const struct state *st, const char *term)
{
	struct aval a = { .term = NULL };
	size_t i;

	for (i = 0; i < st->n; i++) {
		if (!strcmp(st->v[i].term, term)) {
			a = st->v[i];
			a.term = NULL;
			return a;
		}
	}
	if (tag_zeroed(st, term)) {
		zero(&a);
		a.by = st->zeroed_by;
	} else {
		top(&a);
	}
	return a;
}

static struct aval *slot(struct state *st, const char *term)
{
	struct aval a;
	size_t i;

	for (i = 0; i < st->n; i++) {
		if (!strcmp(st->v[i].term, term))
			return &st->v[i];
	}
	a = get(st, term);
	GROW(st->v, st->alloc, st->n + 1);
	st->v[st->n] = a;
	st->v[st->n].term = xstrdup(term);
	return &st->v[st->n++];
}

static void state_free(struct state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->v[i].term);
	for (i = 0; i < st->nzeroed; i++)
		free(st->zeroed[i]);
	free(st->v);
	free(st->zeroed);
	memset(st, 0, sizeof(*st));
}

static void state_copy(struct state *dst, const struct state *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->v = xcalloc(src->n + 1, sizeof(*dst->v));
	dst->alloc = src->n + 1;
	for (i = 0; i < src->n; i++) {
		dst->v[i] = src->v[i];
		dst->v[i].term = xstrdup(src->v[i].term);
	}
	dst->n = src->n;
	dst->zeroed = xcalloc(src->nzeroed + 1, sizeof(*dst->zeroed));
	dst->azeroed = src->nzeroed + 1;
	for (i = 0; i < src->nzeroed; i++)
		dst->zeroed[i] = xstrdup(src->zeroed[i]);
	dst->nzeroed = src->nzeroed;
	dst->zeroed_by = src->zeroed_by;
	dst->gave_up = src->gave_up;
}

static void join_val(struct aval *a, const struct aval *b)
{
	size_t k;

	if (b->lo < a->lo)
		a->lo = b->lo;
	if (b->hi > a->hi)
		a->hi = b->hi;
	for (k = 0; k < ST_WORDS; k++) {
		a->def[k] &= b->def[k];
		a->may[k] |= b->may[k];
	}
	if (a->by != b->by) {
		a->by = NULL;
		a->by_tested = false;
	}
	a->scalar = a->scalar && b->scalar;
}

static bool same_val(const struct aval *a, const struct aval *b)
{
	return a->lo == b->lo && a->hi == b->hi && !memcmp(a->def, b->def, sizeof(a->def)) &&
	       !memcmp(a->may, b->may, sizeof(a->may));
}

/* a becomes what a or b allow; whether a changed. */
static bool join(struct state *a, const struct state *b)
{
	bool changed = false;
	size_t i, k;

	for (i = 0; i < b->n; i++) {
		struct aval *x = slot(a, b->v[i].term), old = *x;

		join_val(x, &b->v[i]);
		changed |= !same_val(&old, x);
	}
	for (i = 0; i < a->n; i++) {
		struct aval y = get(b, a->v[i].term), old = a->v[i];

		join_val(&a->v[i], &y);
		changed |= !same_val(&old, &a->v[i]);
	}
	/* A struct stays zeroed whole only where both zeroed it. */
	for (i = k = 0; i < a->nzeroed; i++) {
		size_t j;
		bool both = false;

		for (j = 0; j < b->nzeroed && !both; j++)
			both = !strcmp(a->zeroed[i], b->zeroed[j]);
		if (both)
			a->zeroed[k++] = a->zeroed[i];
		else {
			free(a->zeroed[i]);
			changed = true;
		}
	}
	a->nzeroed = k;
	return changed;
}

/* ---- writes ---- */

static unsigned int popcount(const uint64_t *w, long long bound)
{
	unsigned int n = 0, k;

	for (k = 0; k < ST_WORDS; k++) {
		uint64_t x = w[k];

		if (bound >= 0 && (long long)(k * 64) >= bound)
			break;
		if (bound >= 0 && bound < (long long)(k * 64 + 64))
			x &= bound % 64 ? (UINT64_C(1) << (bound % 64)) - 1 : ~UINT64_C(0);
		n += (unsigned int)__builtin_popcountll(x);
	}
	return n;
}

/* Bits [from, to) of w set, or cleared. */
static void bits(uint64_t *w, long long from, long long to, bool set)
{
	long long b;

	if (from < 0)
		from = 0;
	if (to > ST_BITS)
		to = ST_BITS;
	for (b = from; b < to; b++) {
		if (set)
			w[b / 64] |= UINT64_C(1) << (b % 64);
		else
			w[b / 64] &= ~(UINT64_C(1) << (b % 64));
	}
}

static bool unknown_bits(const struct aval *a)
{
	size_t k;

	for (k = 0; k < ST_WORDS; k++) {
		if (a->def[k] || ~a->may[k])
			return false;
	}
	return true;
}

/* An operand: a constant, a term's value, or anything ("?"). */
static struct aval operand(const struct interp *in, const struct state *st, const char *x)
{
	const struct fact *f;
	struct aval a = { .term = NULL };
	char *end;
	long long v;

	top(&a);
	if (!x || !*x || !strcmp(x, "?"))
		return a;
	v = strtoll(x, &end, 10);
	if (!*end && end != x) {
		a.lo = a.hi = v;
		return a;
	}
	f = scn_fact(in->s, x);
	if (f && !f->ne) {
		a.lo = a.hi = v = f->value;
	} else {
		a = get(st, x);
		if (a.lo != a.hi || !a.scalar)
			return a;
		v = a.lo;
	}
	/* A number used as a bitmap, as &pmu->global_ctrl is: its bits. */
	if (unknown_bits(&a)) {
		memset(a.def, 0, sizeof(a.def));
		memset(a.may, 0, sizeof(a.may));
		a.def[0] = a.may[0] = (uint64_t)v;
	}
	return a;
}

/* Whether a path's conditions test a term the scenario has a fact about. */
static void note_fact(void *arg, const char *term)
{
	struct interp *in = ((void **)arg)[0];
	bool *hit = ((void **)arg)[1];

	if (scn_fact(in->s, term))
		*hit = true;
}

static bool path_tests_fact(struct interp *in, const struct cm_scope *sc)
{
	bool hit = false;
	void *arg[2] = { in, &hit };
	size_t i;

	for (i = 0; i < in->npath; i++)
		scn_cond_terms(in->path[i]->text, note_fact, arg);
	for (i = 0; sc && i < sc->ncond; i++)
		scn_cond_terms(sc->cond[i].text, note_fact, arg);
	return hit;
}

static void apply(struct interp *in, struct state *st, const struct cm_write *w)
{
	struct aval a = operand(in, st, w->a), b = operand(in, st, w->b);
	struct aval *d;
	size_t i, k;

	if (!strcmp(w->op, "zero") && strstr(w->dst, "->*")) {
		size_t len = (size_t)(strstr(w->dst, "->*") - w->dst);

		for (i = k = 0; i < st->n; i++) {
			if (!strncmp(st->v[i].term, w->dst, len + 2))
				free(st->v[i].term);
			else
				st->v[k++] = st->v[i];
		}
		st->n = k;
		GROW(st->zeroed, st->azeroed, st->nzeroed + 1);
		st->zeroed[st->nzeroed++] = xasprintf("%.*s", (int)len, w->dst);
		st->zeroed_by = w;
		return;
	}
	if (strncmp(w->dst, "local:", 6) && !relevant(in, w->dst))
		return;
	d = slot(st, w->dst);
	d->scalar = !strcmp(w->op, "assign");
	if (!strcmp(w->op, "assign")) {
		top(d);
		d->lo = a.lo;
		d->hi = a.hi;
		d->scalar = true;
	} else if (!strcmp(w->op, "zero")) {
		zero(d);
	} else if (!strcmp(w->op, "fill")) {
		memset(d->def, 0xff, sizeof(d->def));
		memset(d->may, 0xff, sizeof(d->may));
	} else if (!strcmp(w->op, "set") || !strcmp(w->op, "clear")) {
		bool set = w->op[0] == 's';

		if (a.lo != a.hi || b.lo < 0 || b.hi > ST_BITS) {
			/* Where or how many is not known: any bit may change. */
			if (set)
				memset(d->may, 0xff, sizeof(d->may));
			else
				memset(d->def, 0, sizeof(d->def));
		} else if (set) {
			bits(d->def, a.lo, a.lo + b.lo, true);
			bits(d->may, a.lo, a.lo + b.hi, true);
		} else {
			bits(d->def, a.lo, a.lo + b.hi, false);
			bits(d->may, a.lo, a.lo + b.lo, false);
		}
	} else if (!strcmp(w->op, "setbit") || !strcmp(w->op, "clearbit")) {
		bool set = w->op[0] == 's';

		if (a.lo != a.hi || a.lo < 0 || a.lo >= ST_BITS) {
			if (set)
				memset(d->may, 0xff, sizeof(d->may));
			else
				memset(d->def, 0, sizeof(d->def));
		} else if (set) {
			bits(d->def, a.lo, a.lo + 1, true);
			bits(d->may, a.lo, a.lo + 1, true);
		} else {
			bits(d->def, a.lo, a.lo + 1, false);
			bits(d->may, a.lo, a.lo + 1, false);
		}
	} else if (!strcmp(w->op, "copy")) {
		memcpy(d->def, a.def, sizeof(d->def));
		memcpy(d->may, a.may, sizeof(d->may));
	} else {
		for (k = 0; k < ST_WORDS; k++) {
			if (!strcmp(w->op, "and")) {
				d->def[k] = a.def[k] & b.def[k];
				d->may[k] = a.may[k] & b.may[k];
			} else if (!strcmp(w->op, "or")) {
				d->def[k] = a.def[k] | b.def[k];
				d->may[k] = a.may[k] | b.may[k];
			} else if (!strcmp(w->op, "andnot")) {
				d->def[k] = a.def[k] & ~b.may[k];
				d->may[k] = a.may[k] & ~b.def[k];
			} else {
				d->def[k] = 0;
				d->may[k] = ~UINT64_C(0);
			}
		}
	}
	d->by = w;
	d->by_tested = path_tests_fact(in, &w->in);
}

/* ---- running the code ---- */

enum run { RUN_NO, RUN_MAY, RUN_YES };

static int lookup_state(void *arg, const char *term, long long *v)
{
	const struct state *st = arg;
	struct aval a = get(st, term);

	if (a.lo != a.hi)
		return 0;
	*v = a.lo;
	return 1;
}

static bool cond_holds_text(struct interp *in, const struct state *st, const struct cm_cond *c,
			    int *r)
{
	char *neg = c->ret ? xasprintf("!(%s)", c->text) : NULL;

	*r = scn_eval(in->s, in->p, neg ? neg : c->text, lookup_state, (void *)st);
	free(neg);
	return *r >= 0;
}

/*
 * scope_runs(), and for code that may run, the condition that decides it
 * (the first on an if's or an else's side that nothing decides, at index
 * *at of its own scope) and whether more than that one leaves it open.
 */
static enum run scope_runs2(struct interp *in, const struct state *st, const struct cm_scope *sc,
			    const struct cm_cond **why, const struct cm_cond **decide, size_t *at,
			    bool *more)
{
	enum run r = RUN_YES;
	bool own = true;
	size_t i;

	*why = *decide = NULL;
	*more = false;
	for (; sc; sc = sc->loop != NONE ? &in->m->loop[sc->loop].in : NULL, own = false) {
		if (sc->loop != NONE) {
			r = RUN_MAY;	/* inside a loop: as often as it runs, maybe never */
			*more = true;
		}
		for (i = 0; i < sc->ncond; i++) {
			int h;

			cond_holds_text(in, st, &sc->cond[i], &h);
			if (h == 0 || (h < 0 && sc->cond[i].when == WHEN_UNLIKELY)) {
				*why = &sc->cond[i];
				return RUN_NO;
			}
			if (h < 0 && sc->cond[i].when == WHEN_COND) {
				r = RUN_MAY;
				if (own && !*decide && (sc->cond[i].how == 'i' || sc->cond[i].how == 'e')) {
					*decide = &sc->cond[i];
					*at = i;
				} else {
					*more = true;
				}
			}
		}
		if (sc->base == WHEN_UNLIKELY)
			return RUN_NO;
	}
	return r;
}

/*
 * Whether a scope's code runs: not when a condition fails, or when only an
 * unlikely() side would take it; maybe under a plain condition nothing
 * decides; for sure otherwise.  *why: the failing condition.
 */
static enum run scope_runs(struct interp *in, const struct state *st, const struct cm_scope *sc,
			   const struct cm_cond **why)
{
	const struct cm_cond *decide;
	size_t at;
	bool more;

	return scope_runs2(in, st, sc, why, &decide, &at, &more);
}

static bool vendor_ok(const struct interp *in, size_t f)
{
	const char *file = in->m->func[f].file;

	if (strstr(file, "/vmx/"))
		return !in->amd;
	if (strstr(file, "/svm/"))
		return in->amd;
	return true;
}

static void run(struct interp *in, struct state *st, size_t f, unsigned int depth);

/* A call into writers: its callee, or its vendor's may-targets joined. */
static void run_call(struct interp *in, struct state *st, const struct cm_call *c,
		     unsigned int depth)
{
	size_t t, n = 0, only = NONE;

	if (c->kind == CALL_DIRECT) {
		if (c->callee != NONE && in->writer[c->callee])
			run(in, st, c->callee, depth + 1);
		return;
	}
	for (t = 0; t < c->ntarget; t++) {
		if (vendor_ok(in, c->target[t]) && in->writer[c->target[t]]) {
			n++;
			only = c->target[t];
		}
	}
	if (n == 1) {
		run(in, st, only, depth + 1);
	} else if (n > 1) {
		struct state acc = { 0 };
		bool first = true;

		for (t = 0; t < c->ntarget; t++) {
			struct state one;

			if (!vendor_ok(in, c->target[t]) || !in->writer[c->target[t]])
				continue;
			state_copy(&one, st);
			run(in, &one, c->target[t], depth + 1);
			if (first)
				state_copy(&acc, &one);
			else
				join(&acc, &one);
			first = false;
			state_free(&one);
		}
		state_free(st);
		*st = acc;
	}
}

static void add_skip(struct interp *in, const char *term, const struct skipped *why)
{
	size_t i;

	for (i = 0; i < in->nskip; i++) {
		if (!strcmp(in->skip[i].term, term))
			return;
	}
	GROW(in->skip, in->askip, in->nskip + 1);
	in->skip[in->nskip].term = xstrdup(term);
	in->skip[in->nskip++].why = *why;
}

static void note_skip(struct interp *in, const struct cm_write *w, const struct cm_cond *why,
		      size_t func)
{
	struct skipped k = { .w = w, .func = NONE, .cond = why, .cond_func = func };

	if (why)
		add_skip(in, w->dst, &k);
}

static const struct skipped *skip_of(const struct interp *in, const char *term)
{
	size_t i;

	for (i = 0; i < in->nskip; i++) {
		if (!strcmp(in->skip[i].term, term))
			return &in->skip[i].why;
	}
	return NULL;
}

/* One write, or one call with its conditions on the path while it runs. */
static void step(struct interp *in, struct state *st, const struct cm_call *c,
		 const struct cm_write *w, unsigned int depth)
{
	size_t i, save = in->npath;

	if (w) {
		apply(in, st, w);
		return;
	}
	GROW(in->path, in->apath, in->npath + c->in.ncond + 1);
	for (i = 0; i < c->in.ncond; i++)
		in->path[in->npath++] = &c->in.cond[i];
	run_call(in, st, c, depth);
	in->npath = save;
}

/*
 * The two sides of an if nothing decides: the code on the if side runs on
 * one copy of the state, the code on the else side on another, both from
 * the state before the if; afterwards the state is what either allows.
 */
struct sides {
	bool open, has_else;
	const struct cm_cond *cond;	/* the if's, on its first event */
	size_t at;
	struct state before, then, other;
};

static void close_sides(struct state *st, struct sides *sd)
{
	if (!sd->open)
		return;
	state_free(st);
	*st = sd->then;
	join(st, sd->has_else ? &sd->other : &sd->before);
	state_free(&sd->before);
	if (sd->has_else)
		state_free(&sd->other);
	memset(sd, 0, sizeof(*sd));
}

/* One write, or one call into writers, in its place among f's events. */
static void event(struct interp *in, struct state *st, struct sides *sd, const struct cm_call *c,
		  const struct cm_write *w, size_t f, unsigned int depth)
{
	const struct cm_scope *sc = c ? &c->in : &w->in;
	const struct cm_cond *why, *decide;
	struct state *on = st;
	enum run r;
	size_t at = 0;
	bool more;

	r = scope_runs2(in, st, sc, &why, &decide, &at, &more);
	if (r == RUN_NO) {
		if (w)
			note_skip(in, w, why, f);
		return;
	}
	if (r == RUN_MAY && decide) {
		bool same = sd->open && sd->cond->line == decide->line && sd->at == at;

		if (decide->how == 'i' && same && !sd->has_else) {
			on = &sd->then;
		} else if (decide->how == 'e' && same) {
			if (!sd->has_else) {
				state_copy(&sd->other, &sd->before);
				sd->has_else = true;
			}
			on = &sd->other;
		} else if (decide->how == 'i') {
			close_sides(st, sd);
			sd->open = true;
			sd->cond = decide;
			sd->at = at;
			state_copy(&sd->before, st);
			state_copy(&sd->then, st);
			on = &sd->then;
		} else {
			close_sides(st, sd);
			more = true;
		}
		if (on != st && !more) {
			step(in, on, c, w, depth);
			return;
		}
	} else {
		close_sides(st, sd);
	}
	if (r == RUN_MAY) {
		struct state alt;

		state_copy(&alt, on);
		step(in, &alt, c, w, depth);
		join(on, &alt);
		state_free(&alt);
	} else {
		step(in, on, c, w, depth);
	}
}

/* f's writes and its calls into writers, in the order the code has them. */
static void run(struct interp *in, struct state *st, size_t f, unsigned int depth)
{
	const struct cm_func *fn = &in->m->func[f];
	size_t ci = fn->first, wi = fn->first_write;
	size_t cend = fn->first + fn->ncall, wend = fn->first_write + fn->nwrite;
	struct sides sd = { .open = false };

	if (depth > ST_DEPTH || in->on_stack[f] || !vendor_ok(in, f) || in->steps > ST_MAX_STEPS)
		return;
	in->on_stack[f] = 1;
	while (ci < cend || wi < wend) {
		const struct cm_call *c = ci < cend ? &in->m->call[ci] : NULL;
		const struct cm_write *w = wi < wend ? &in->m->write[wi] : NULL;

		/* The write before a call on the same spot: bitmap_set() is both. */
		if (c && w && (c->line < w->line || (c->line == w->line && c->col < w->col)))
			w = NULL;
		else if (w)
			c = NULL;
		if (c)
			ci++;
		else
			wi++;
		if (c && (c->caller == NONE || !(c->kind == CALL_DIRECT ? c->callee != NONE &&
									    in->writer[c->callee]
									  : c->ntarget > 0)))
			continue;
		if (++in->steps > ST_MAX_STEPS)
			break;
		event(in, st, &sd, c, w, f, depth);
	}
	close_sides(st, &sd);
	in->on_stack[f] = 0;
}

/* ---- who writes, who is reached ---- */

static bool relevant(const struct interp *in, const char *term)
{
	size_t i;

	for (i = 0; term && i < in->nrel; i++) {
		if (!strcmp(in->rel[i], term))
			return true;
	}
	return false;
}

static void add_rel(void *arg, const char *term)
{
	struct interp *in = arg;
	const char *open;

	if (!term || relevant(in, term) || strchr(term, '*') || !strncmp(term, "local:", 6) ||
	    strchr(term, '?'))
		return;
	open = strchr(term, '(');
	if (open && open[1] == ')') {
		/* A predicate: the terms of what it returns (its own name marks it seen). */
		char *name = xasprintf("%.*s", (int)(open - term), term);
		const char *ret = in->s && in->s->returns ? in->s->returns(in->s->model, name) : NULL;

		free(name);
		GROW(in->rel, in->arel, in->nrel + 1);
		in->rel[in->nrel++] = xstrdup(term);
		if (ret)
			scn_cond_terms(ret, add_rel, in);
		return;
	}
	if (open)
		return;		/* a CPUID feature: the profile's, not the state's */
	GROW(in->rel, in->arel, in->nrel + 1);
	in->rel[in->nrel++] = xstrdup(term);
}

static void add_write_terms(struct interp *in, const struct cm_write *w)
{
	size_t k;

	if (w->a && (isalpha((unsigned char)*w->a) || *w->a == '_'))
		add_rel(in, w->a);
	if (w->b && (isalpha((unsigned char)*w->b) || *w->b == '_'))
		add_rel(in, w->b);
	for (k = 0; k < w->in.ncond; k++)
		scn_cond_terms(w->in.cond[k].text, add_rel, in);
}

/*
 * The terms a term's value depends on: it, what its writes read (bitmap_set()'s
 * count), and what their conditions test (through predicates); with fn and
 * local, also what local's writes in fn read and test.  Until nothing is added.
 */
static void relevant_terms(struct interp *in, const char *term, size_t fn, const char *local)
{
	const struct cm_model *m = in->m;
	size_t i, before;

	while (in->nrel)
		free(in->rel[--in->nrel]);
	add_rel(in, term);
	for (i = 0; fn != NONE && i < m->func[fn].nwrite; i++) {
		const struct cm_write *w = &m->write[m->func[fn].first_write + i];

		if (!strcmp(w->dst, local))
			add_write_terms(in, w);
	}
	do {
		before = in->nrel;
		for (i = 0; i < m->nwrite; i++) {
			if (relevant(in, m->write[i].dst))
				add_write_terms(in, &m->write[i]);
		}
	} while (in->nrel != before);
}

/* f writes a term of the set, or zeroes a struct one of them is in. */
static bool writes_rel(const struct interp *in, size_t f)
{
	const struct cm_model *m = in->m;
	size_t i, k;

	for (i = m->func[f].first_write; i < m->func[f].first_write + m->func[f].nwrite; i++) {
		const struct cm_write *w = &m->write[i];
		const char *star = strstr(w->dst, "->*");

		if (relevant(in, w->dst))
			return true;
		for (k = 0; star && k < in->nrel; k++) {
			if (!strncmp(in->rel[k], w->dst, (size_t)(star - w->dst) + 2))
				return true;
		}
	}
	return false;
}

static bool zeroes_tag(const struct cm_model *m, size_t f, const char *tag, size_t len)
{
	size_t i;

	for (i = m->func[f].first_write; i < m->func[f].first_write + m->func[f].nwrite; i++) {
		const struct cm_write *w = &m->write[i];

		if (!strcmp(w->op, "zero") && !strncmp(w->dst, tag, len) && !strcmp(w->dst + len, "->*"))
			return true;
	}
	return false;
}


static void mark_writers(struct interp *in)
{
	const struct cm_model *m = in->m;
	bool changed = true;
	size_t f, i, t;

	for (f = 0; f < m->nfunc; f++)
		in->writer[f] = writes_rel(in, f);
	while (changed) {
		changed = false;
		for (i = 0; i < m->ncall; i++) {
			const struct cm_call *c = &m->call[i];
			bool w = false;

			if (c->caller == NONE || in->writer[c->caller])
				continue;
			if (c->kind == CALL_DIRECT)
				w = c->callee != NONE && in->writer[c->callee];
			for (t = 0; c->kind != CALL_DIRECT && t < c->ntarget && !w; t++)
				w = in->writer[c->target[t]];
			if (w) {
				in->writer[c->caller] = 1;
				changed = true;
			}
		}
	}
}

/*
 * Whether some call of f can run under the scenario (with the facts alone),
 * from a function that is itself reached; a function nothing calls is.
 */
static bool reached(struct interp *in, size_t f, unsigned int depth)
{
	const struct cm_model *m = in->m;
	struct state none = { 0 };
	bool any = false, yes = false;
	size_t k;

	if (in->reach[f] >= 0)
		return in->reach[f];
	if (depth > 2 * ST_DEPTH)
		return true;
	in->reach[f] = 1;	/* a cycle back to f does not rule it out */
	for (k = in->caller_first[f]; k < in->caller_first[f + 1] && !yes; k++) {
		const struct cm_call *c = &m->call[in->caller_call[k]];
		const struct cm_cond *why;

		if (c->caller == NONE || c->caller == f || !vendor_ok(in, c->caller))
			continue;
		any = true;
		if (scope_runs(in, &none, &c->in, &why) == RUN_NO) {
			if (!in->reach_why[f].cond) {
				in->reach_why[f].func = c->caller;
				in->reach_why[f].cond = why;
				in->reach_why[f].cond_func = c->caller;
			}
			continue;
		}
		yes = reached(in, c->caller, depth + 1);
	}
	in->reach[f] = !any || yes;
	return in->reach[f];
}

/* Per function, the calls that name it or may target it. */
static void index_callers(struct interp *in)
{
	const struct cm_model *m = in->m;
	size_t *count = xcalloc(m->nfunc + 2, sizeof(*count)), i, t, n = 0;

	for (i = 0; i < m->ncall; i++) {
		const struct cm_call *c = &m->call[i];

		if (c->kind == CALL_DIRECT && c->callee != NONE)
			count[c->callee]++;
		for (t = 0; c->kind != CALL_DIRECT && t < c->ntarget; t++)
			count[c->target[t]]++;
	}
	in->caller_first = xcalloc(m->nfunc + 2, sizeof(*in->caller_first));
	for (i = 0; i < m->nfunc; i++) {
		in->caller_first[i] = n;
		n += count[i];
		count[i] = 0;
	}
	in->caller_first[m->nfunc] = n;
	in->caller_call = xcalloc(n + 1, sizeof(*in->caller_call));
	for (i = 0; i < m->ncall; i++) {
		const struct cm_call *c = &m->call[i];

		if (c->kind == CALL_DIRECT && c->callee != NONE)
			in->caller_call[in->caller_first[c->callee] + count[c->callee]++] = i;
		for (t = 0; c->kind != CALL_DIRECT && t < c->ntarget; t++)
			in->caller_call[in->caller_first[c->target[t]] + count[c->target[t]]++] = i;
	}
	free(count);
}

/* ---- the count of one loop ---- */

/*
 * The state of the struct a term is in, after set-up and refreshes; with
 * fn and local, tracking too what local's writes in fn test.  Memoized.
 */
static const struct state *setup_state(struct interp *in, const char *term, size_t fn,
					const char *local)
{
	const struct cm_model *m = in->m;
	const char *end = tag_end(term);
	size_t len = end ? (size_t)(end - term) : 0, f, round, i;
	char *key = fn != NONE ? xasprintf("%s|%zu|%s", term, fn, local) : xstrdup(term);
	struct setup *su;
	bool have = false;

	for (i = 0; i < in->nsetup; i++) {
		if (!strcmp(in->setup[i].tag, key)) {
			free(key);
			return &in->setup[i].st;
		}
	}
	GROW(in->setup, in->asetup, in->nsetup + 1);
	su = &in->setup[in->nsetup++];
	memset(su, 0, sizeof(*su));
	su->tag = key;
	if (!end)
		return &su->st;
	relevant_terms(in, term, fn, local);
	mark_writers(in);
	in->steps = 0;
	for (f = 0; f < m->nfunc; f++) {
		struct state one = { 0 };

		if (!zeroes_tag(m, f, term, len) || !vendor_ok(in, f))
			continue;
		run(in, &one, f, 0);
		if (have)
			join(&su->st, &one);
		else
			state_copy(&su->st, &one);
		have = true;
		state_free(&one);
	}
	for (round = 0; round < ST_ROUNDS; round++) {
		bool changed = false;

		for (f = 0; f < m->nfunc; f++) {
			struct state again;

			if (!writes_rel(in, f) || zeroes_tag(m, f, term, len) || !vendor_ok(in, f))
				continue;
			if (!reached(in, f, 0)) {
				struct skipped k = in->reach_why[f];

				k.func = f;
				for (i = m->func[f].first_write; k.cond &&
				     i < m->func[f].first_write + m->func[f].nwrite; i++)
					add_skip(in, m->write[i].dst, &k);
				continue;
			}
			state_copy(&again, &su->st);
			run(in, &again, f, 0);
			changed |= join(&su->st, &again);
			state_free(&again);
		}
		if (!changed)
			break;
	}
	if (in->steps > ST_MAX_STEPS) {
		/* Too much to follow: nothing known of the struct. */
		state_free(&su->st);
		su->st.gave_up = true;
	}
	return &su->st;
}

static const char *short_file(const char *file)
{
	return !strncmp(file, "arch/x86/kvm/", 13) ? file + 13 : file;
}

/* A condition as the code tests it, "…" for what nothing decides. */
static void say_cond(const char *text, FILE *out)
{
	for (; *text; text++) {
		if (*text == '?')
			fputs("\u2026", out);
		else
			fputc(*text, out);
	}
}

/* The call a write is written as. */
static const char *write_name(const struct cm_write *w)
{
	static const char *const names[][2] = {
		{ "set", "bitmap_set()" },	 { "clear", "bitmap_clear()" },
		{ "fill", "bitmap_fill()" },	 { "copy", "bitmap_copy()" },
		{ "and", "bitmap_and()" },	 { "or", "bitmap_or()" },
		{ "andnot", "bitmap_andnot()" }, { "setbit", "__set_bit()" },
		{ "clearbit", "__clear_bit()" }, { "assign", "assignment" },
	};
	size_t i;

	if (!strcmp(w->op, "zero"))
		return strstr(w->dst, "->*") ? "memset()" : "bitmap_zero()";
	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (!strcmp(w->op, names[i][0]))
			return names[i][1];
	}
	return w->op;
}

static void say_skip(const struct interp *in, const char *term, FILE *out)
{
	const struct cm_model *m = in->m;
	const struct skipped *k = skip_of(in, term);
	const char *at;

	if (!k || !k->cond)
		return;
	at = short_file(m->func[k->cond_func].file);
	if (k->w) {
		const struct cm_write *w = k->w;

		if (k->cond->ret) {
			fprintf(out, "; %s() returns early when ", m->func[w->func].name);
			say_cond(k->cond->text, out);
			fprintf(out, " (%s:%u), before its %s (%s:%u)", at, k->cond->line,
				write_name(w), short_file(w->file), w->line);
		} else {
			fprintf(out, "; the %s in %s() (%s:%u) runs only when ", write_name(w),
				m->func[w->func].name, short_file(w->file), w->line);
			say_cond(k->cond->text, out);
			fprintf(out, " (%s:%u)", at, k->cond->line);
		}
	} else if (k->func != NONE) {
		fprintf(out, "; %s() does not run: %s() %s ", m->func[k->func].name,
			m->func[k->cond_func].name,
			k->cond->ret ? "returns before calling it when" : "calls it only when");
		say_cond(k->cond->text, out);
		fprintf(out, " (%s:%u)", at, k->cond->line);
	}
}

/* The scenario's terms: "kvm->arch.enable_pmu and enable_pmu". */
static void fact_terms(const struct interp *in, FILE *out)
{
	size_t i;

	if (!in->s || !in->s->nfact) {
		fputs("the scenario", out);
		return;
	}
	for (i = 0; i < in->s->nfact; i++)
		fprintf(out, "%s%s", i ? (i + 1 == in->s->nfact ? " and " : ", ") : "",
			in->s->fact[i].term);
}

/* How the last sure write of a term made it, and what did not run. */
static void say_by(const struct interp *in, const char *term, const struct aval *a, FILE *out)
{
	const struct cm_write *w = a->by;

	if (w) {
		const char *verb = strstr(w->dst, "->*") ? "zeroed with the whole struct" :
				   !strcmp(w->op, "zero") || !strcmp(w->op, "clear") ||
				   !strcmp(w->op, "clearbit") ? "cleared" :
				   !strcmp(w->op, "copy") ? "copied" : "set";

		fprintf(out, ", %s by %s() (%s:%u)", verb, in->m->func[w->func].name,
			short_file(w->file), w->line);
		if (!a->by_tested) {
			fputs(", which runs whatever ", out);
			fact_terms(in, out);
			fputs(in->s && in->s->nfact > 1 ? " are" : " is", out);
		}
	}
	say_skip(in, term, out);
}

static void count_bits(struct st_trip *t, const struct aval *a, long long bound)
{
	unsigned int lo = popcount(a->def, bound), hi = popcount(a->may, bound);

	t->lo = lo;
	t->hi = hi;
	t->known = lo == hi;
}

/* The loop's function's writes into a local before the loop, on the state of its source. */
static void derive_local(struct interp *in, const struct cm_loop *l, struct st_trip *t, FILE *out)
{
	const struct cm_model *m = in->m;
	const struct cm_func *fn = &m->func[l->func];
	const char *src = NULL, *local = l->over + 6;
	const struct cm_write *lw;
	const struct fact *f;
	struct sides sd = { .open = false };
	struct state st;
	struct aval a, s;
	size_t i;

	for (i = fn->first_write; i < fn->first_write + fn->nwrite && !src; i++) {
		const struct cm_write *w = &m->write[i];

		if (!strcmp(w->dst, l->over) && w->a && tag_end(w->a))
			src = w->a;
	}
	if (!src) {
		fprintf(out, "trip count unknown: %s is not filled from a field", local);
		return;
	}
	state_copy(&st, setup_state(in, src, l->func, l->over));
	if (st.gave_up) {
		fprintf(out, "%s: trip count unknown: the set-up of %s takes more than %d steps to "
			     "follow", local, src, ST_MAX_STEPS);
		state_free(&st);
		return;
	}
	for (i = fn->first_write; i < fn->first_write + fn->nwrite; i++) {
		const struct cm_write *w = &m->write[i];

		if (w->line < l->line || (w->line == l->line && w->col < l->col))
			if (!strcmp(w->dst, l->over))
				event(in, &st, &sd, NULL, w, l->func, 0);
	}
	close_sides(&st, &sd);
	a = get(&st, l->over);
	s = get(&st, src);
	lw = a.by;
	count_bits(t, &a, l->bound);
	fputs(local, out);
	if (lw)
		fprintf(out, ", the %s of %s%s%s (%s:%u)", write_name(lw), lw->a, lw->b ? " and " : "",
			lw->b ? lw->b : "", short_file(lw->file), lw->line);
	else
		fprintf(out, ", from %s", src);
	if (t->known)
		fprintf(out, ": %.0f bits", t->lo);
	else
		fprintf(out, ": %.0f to %.0f bits (trip count unknown)", t->lo, t->hi);
	fprintf(out, "; %s", src);
	say_by(in, src, &s, out);
	if (lw && lw->b && (f = scn_fact(in->s, lw->b)))
		fprintf(out, "; %s, as the scenario says", f->text);
	state_free(&st);
}

/* A field: what its writers leave after the struct's set-up and refreshes. */
static void derive_field(struct interp *in, const struct cm_loop *l, struct st_trip *t, FILE *out)
{
	const struct fact *f = scn_fact(in->s, l->over);
	struct state st;
	struct aval a;

	if (f && !f->ne) {
		t->lo = t->hi = l->kind == LOOP_BITS ?
			(double)__builtin_popcountll((unsigned long long)f->value) :
			(double)(f->value > l->start ? f->value - l->start : 0);
		t->known = true;
		fprintf(out, "%s: %.0f %s, as the scenario says (%s)", l->over, t->lo,
			l->kind == LOOP_BITS ? "bits" : "iterations", f->text);
		return;
	}
	state_copy(&st, setup_state(in, l->over, NONE, NULL));
	if (st.gave_up) {
		fprintf(out, "%s: trip count unknown: its set-up takes more than %d steps to follow",
			l->over, ST_MAX_STEPS);
		state_free(&st);
		return;
	}
	a = get(&st, l->over);
	if (l->kind == LOOP_BITS) {
		count_bits(t, &a, l->bound);
		if (t->known)
			fprintf(out, "%s: %.0f bits", l->over, t->lo);
		else
			fprintf(out, "%s: %.0f to %.0f bits (trip count unknown)", l->over, t->lo, t->hi);
	} else if (a.lo == a.hi) {
		t->lo = t->hi = (double)(a.lo > l->start ? a.lo - l->start : 0);
		t->known = true;
		fprintf(out, "%s is %lld: %.0f iteration%s", l->over, a.lo, t->lo, t->lo == 1 ? "" : "s");
	} else {
		t->lo = a.lo > l->start ? (double)(a.lo - l->start) : 0;
		t->hi = a.hi < INT64_MAX && a.hi > l->start ? (double)(a.hi - l->start) : INFINITY;
		fprintf(out, "%s: trip count unknown", l->over);
	}
	say_by(in, l->over, &a, out);
	state_free(&st);
}

static void derive(struct interp *in, const struct cm_loop *l, struct st_trip *t)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	t->lo = 0;
	t->hi = INFINITY;
	t->known = false;
	out = open_memstream(&text, &size);
	if (!out)
		return;
	if (l->kind == LOOP_OTHER || (l->kind == LOOP_BITS && !l->over)) {
		fputs("trip count unknown: not a loop over a bitmap or up to a counter", out);
	} else if (l->kind == LOOP_COUNT && !l->over) {
		t->lo = t->hi = (double)(l->bound > l->start ? l->bound - l->start : 0);
		t->known = true;
		fprintf(out, "%.0f iterations: up to the constant %s", t->lo,
			l->bound_name ? l->bound_name : "bound");
		if (l->bound_name)
			fprintf(out, " (%lld)", l->bound);
	} else if (!strncmp(l->over, "local:", 6)) {
		derive_local(in, l, t, out);
	} else {
		derive_field(in, l, t, out);
	}
	fclose(out);
	t->why = text;
}

void st_trips(const struct cm_model *m, const struct profile *p, const struct scenario *s,
	      struct st_trip *trip)
{
	struct interp in = { .m = m, .p = p, .s = s };
	size_t i;

	in.amd = p && p->vendor && !strcmp(p->vendor, "amd");
	in.writer = xcalloc(m->nfunc + 1, 1);
	in.on_stack = xcalloc(m->nfunc + 1, 1);
	in.reach = xmalloc(m->nfunc + 1);
	in.reach_why = xcalloc(m->nfunc + 1, sizeof(*in.reach_why));
	memset(in.reach, -1, m->nfunc + 1);
	for (i = 0; i <= m->nfunc; i++)
		in.reach_why[i].func = NONE;
	index_callers(&in);
	for (i = 0; i < m->nloop; i++) {
		memset(&trip[i], 0, sizeof(trip[i]));
		if (vendor_ok(&in, m->loop[i].func))
			derive(&in, &m->loop[i], &trip[i]);
		else
			trip[i].hi = INFINITY;
	}
	for (i = 0; i < in.nsetup; i++) {
		free(in.setup[i].tag);
		state_free(&in.setup[i].st);
	}
	for (i = 0; i < in.nskip; i++)
		free(in.skip[i].term);
	while (in.nrel)
		free(in.rel[--in.nrel]);
	free(in.rel);
	free(in.setup);
	free(in.skip);
	free(in.caller_first);
	free(in.caller_call);
	free(in.path);
	free(in.reach_why);
	free(in.reach);
	free(in.on_stack);
	free(in.writer);
}

void st_trips_free(struct st_trip *trip, size_t n)
{
	size_t i;

	for (i = 0; trip && i < n; i++)
		free(trip[i].why);
}
