// SPDX-License-Identifier: GPL-2.0
/*
 * The call graph store.  Strings are interned, so comparing two USRs is
 * comparing two pointers; output order comes from cg_finish() alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"

const char *cg_kind_name(enum call_kind kind)
{
	switch (kind) {
	case CALL_DIRECT:
		return "direct";
	case CALL_STATIC:
		return "static_call";
	case CALL_INDIRECT:
		return "indirect";
	case CALL_WRAPPER:
		return "indirect_wrapper";
	}
	return "?";
}

const char *cg_when_name(enum call_when when)
{
	switch (when) {
	case WHEN_ALWAYS:
		return "always";
	case WHEN_LIKELY:
		return "likely";
	case WHEN_COND:
		return "conditional";
	case WHEN_UNLIKELY:
		return "unlikely";
	}
	return "?";
}

void cg_init(struct cg *cg)
{
	memset(cg, 0, sizeof(*cg));
}

void cg_free(struct cg *cg)
{
	free(cg->func);
	free(cg->call);
	free(cg->store);
	free(cg->update);
	free(cg->loop);
	free(cg->write);
	free(cg->global);
	free(cg->index);
	strpool_free(&cg->strings);
	memset(cg, 0, sizeof(*cg));
}

const char *cg_str(struct cg *cg, const char *s)
{
	return intern(&cg->strings, s);
}

static size_t slot_of(const char *usr, size_t n)
{
	return (size_t)(((uintptr_t)usr >> 4) * 0x9e3779b97f4a7c15ull) & (n - 1);
}

static void reindex(struct cg *cg)
{
	size_t n = cg->nindex ? cg->nindex * 2 : 4096, i;

	free(cg->index);
	cg->index = xmalloc(n * sizeof(*cg->index));
	for (i = 0; i < n; i++)
		cg->index[i] = SIZE_MAX;
	cg->nindex = n;
	for (i = 0; i < cg->nfunc; i++) {
		size_t s = slot_of(cg->func[i].usr, n);

		while (cg->index[s] != SIZE_MAX)
			s = (s + 1) & (n - 1);
		cg->index[s] = i;
	}
}

/* The slot holding usr, or the empty slot where it would go. */
static size_t lookup(const struct cg *cg, const char *usr)
{
	size_t s = slot_of(usr, cg->nindex);

	while (cg->index[s] != SIZE_MAX && cg->func[cg->index[s]].usr != usr)
		s = (s + 1) & (cg->nindex - 1);
	return s;
}

const struct cg_func *cg_find(const struct cg *cg, const char *usr)
{
	size_t s;

	if (!cg->nindex || !usr)
		return NULL;
	s = lookup(cg, usr);
	return cg->index[s] == SIZE_MAX ? NULL : &cg->func[cg->index[s]];
}

bool cg_add_func(struct cg *cg, const struct cg_func *f)
{
	size_t s;

	if (2 * (cg->nfunc + 1) > cg->nindex)
		reindex(cg);
	s = lookup(cg, f->usr);
	if (cg->index[s] != SIZE_MAX)
		return false;
	GROW(cg->func, cg->afunc, cg->nfunc + 1);
	cg->func[cg->nfunc] = *f;
	cg->index[s] = cg->nfunc++;
	return true;
}

void cg_add_call(struct cg *cg, const struct cg_call *c)
{
	GROW(cg->call, cg->acall, cg->ncall + 1);
	cg->call[cg->ncall++] = *c;
}

void cg_add_store(struct cg *cg, const struct cg_store *s)
{
	GROW(cg->store, cg->astore, cg->nstore + 1);
	cg->store[cg->nstore++] = *s;
}

void cg_add_update(struct cg *cg, const struct cg_update *u)
{
	GROW(cg->update, cg->aupdate, cg->nupdate + 1);
	cg->update[cg->nupdate++] = *u;
}

void cg_add_loop(struct cg *cg, const struct cg_loop *l)
{
	GROW(cg->loop, cg->aloop, cg->nloop + 1);
	cg->loop[cg->nloop++] = *l;
}

void cg_add_write(struct cg *cg, const struct cg_write *wr)
{
	GROW(cg->write, cg->awrite, cg->nwrite + 1);
	cg->write[cg->nwrite++] = *wr;
}

void cg_add_global(struct cg *cg, const struct cg_global *g)
{
	GROW(cg->global, cg->aglobal, cg->nglobal + 1);
	cg->global[cg->nglobal++] = *g;
}

static int strcmp0(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (!a || !b)
		return a ? 1 : -1;
	return strcmp(a, b);
}

static int func_cmp(const void *a, const void *b)
{
	const struct cg_func *x = a, *y = b;
	int r;

	if ((r = strcmp(x->file, y->file)))
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if ((r = strcmp(x->name, y->name)))
		return r;
	return strcmp(x->usr, y->usr);
}

static int scope_cmp(const struct cg_scope *x, const struct cg_scope *y)
{
	if (x->loop != y->loop)
		return x->loop < y->loop ? -1 : 1;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return strcmp0(x->conds, y->conds);
}

static int call_cmp(const void *a, const void *b)
{
	const struct cg_call *x = a, *y = b;
	int r;

	if ((r = strcmp(x->file, y->file)))
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if ((r = strcmp(x->caller, y->caller)))
		return r;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if ((r = strcmp0(x->callee_name, y->callee_name)))
		return r;
	if ((r = strcmp0(x->via, y->via)))
		return r;
	if ((r = strcmp0(x->field, y->field)))
		return r;
	if ((r = strcmp0(x->slot, y->slot)))
		return r;
	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	if ((r = strcmp0(x->guard, y->guard)))
		return r;
	return scope_cmp(&x->in, &y->in);
}

static int loop_cmp(const void *a, const void *b)
{
	const struct cg_loop *x = a, *y = b;
	int r;

	if ((r = strcmp(x->file, y->file)))
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if ((r = strcmp(x->func, y->func)))
		return r;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	if ((r = strcmp(x->kind, y->kind)) || (r = strcmp0(x->over, y->over)) ||
	    (r = strcmp0(x->bound_name, y->bound_name)))
		return r;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->bound != y->bound)
		return x->bound < y->bound ? -1 : 1;
	return scope_cmp(&x->in, &y->in);
}

static int write_cmp(const void *a, const void *b)
{
	const struct cg_write *x = a, *y = b;
	int r;

	if ((r = strcmp(x->file, y->file)))
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if ((r = strcmp(x->func, y->func)) || (r = strcmp(x->op, y->op)) ||
	    (r = strcmp(x->dst, y->dst)) || (r = strcmp0(x->a, y->a)) ||
	    (r = strcmp0(x->b, y->b)) || (r = strcmp0(x->a_name, y->a_name)))
		return r;
	return scope_cmp(&x->in, &y->in);
}

static int global_cmp(const void *a, const void *b)
{
	const struct cg_global *x = a, *y = b;
	int r;

	if ((r = strcmp(x->name, y->name)) || (r = strcmp(x->file, y->file)))
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

static int store_cmp(const void *a, const void *b)
{
	const struct cg_store *x = a, *y = b;
	int r;

	if ((r = strcmp(x->slot, y->slot)))
		return r;
	if ((r = strcmp(x->name, y->name)))
		return r;
	if ((r = strcmp(x->func, y->func)))
		return r;
	return strcmp0(x->index, y->index);
}

static int update_cmp(const void *a, const void *b)
{
	const struct cg_update *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	return r ? r : strcmp(x->slot, y->slot);
}

/* Sort and drop duplicates of an array of n elements. */
static size_t uniq(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *p = base;
	size_t i, k = 0;

	if (!n)
		return 0;
	xqsort(base, n, size, cmp);
	for (i = 0; i < n; i++) {
		if (k && !cmp(p + (k - 1) * size, p + i * size))
			continue;
		if (k != i)
			memcpy(p + k * size, p + i * size, size);
		k++;
	}
	return k;
}

/* The stores of one slot: a run in the sorted store array. */
static size_t slot_stores(const struct cg *cg, const char *slot, size_t *first)
{
	size_t lo = 0, hi = cg->nstore, n = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(cg->store[mid].slot, slot) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < cg->nstore && !strcmp(cg->store[lo + n].slot, slot))
		n++;
	return n;
}

static size_t add_target(const struct cg_store **out, size_t max, size_t n,
			 const struct cg_store *s)
{
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		if (out[i]->func == s->func)
			return n;
	}
	if (n < max)
		out[n] = s;
	return n + 1;
}

static int target_cmp(const void *a, const void *b)
{
	const struct cg_store *const *x = a, *const *y = b;
	int r = strcmp((*x)->name, (*y)->name);

	return r ? r : strcmp((*x)->func, (*y)->func);
}

static size_t first_update(const struct cg *cg, const char *key)
{
	size_t lo = 0, hi = cg->nupdate;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(cg->update[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The slots already followed, so a cycle of copies ends. */
struct seen {
	const char **slot;
	size_t n, alloc;
};

static size_t add_slot(const struct cg *cg, const char *slot, const struct cg_store **out,
		       size_t max, size_t n, struct seen *seen)
{
	size_t first, k, j;

	for (j = 0; j < seen->n; j++) {
		if (!strcmp(seen->slot[j], slot))
			return n;
	}
	GROW(seen->slot, seen->alloc, seen->n + 1);
	seen->slot[seen->n++] = slot;
	k = slot_stores(cg, slot, &first);
	for (j = 0; j < k; j++)
		n = add_target(out, max, n, &cg->store[first + j]);
	/* What was copied in from other slots: a run of the sorted updates. */
	for (j = first_update(cg, slot); j < cg->nupdate && !strcmp(cg->update[j].key, slot); j++)
		n = add_slot(cg, cg->update[j].slot, out, max, n, seen);
	return n;
}

size_t cg_targets(const struct cg *cg, const struct cg_call *c, const struct cg_store **out,
		  size_t max)
{
	struct seen seen = { 0 };
	size_t n = 0;

	if (c->kind == CALL_STATIC) {
		char *key = xasprintf("static_call:%s", c->via);

		n = add_slot(cg, key, out, max, n, &seen);
		free(key);
	} else if (c->kind != CALL_DIRECT && c->slot) {
		n = add_slot(cg, c->slot, out, max, n, &seen);
	}
	free(seen.slot);
	if (n && n <= max)
		xqsort(out, n, sizeof(*out), target_cmp);
	return n;
}

void cg_finish(struct cg *cg)
{
	if (cg->nfunc)
		xqsort(cg->func, cg->nfunc, sizeof(*cg->func), func_cmp);
	reindex(cg);
	/* A call in a header's inline function is seen once per TU. */
	cg->ncall = uniq(cg->call, cg->ncall, sizeof(*cg->call), call_cmp);
	cg->nstore = uniq(cg->store, cg->nstore, sizeof(*cg->store), store_cmp);
	cg->nupdate = uniq(cg->update, cg->nupdate, sizeof(*cg->update), update_cmp);
	cg->nloop = uniq(cg->loop, cg->nloop, sizeof(*cg->loop), loop_cmp);
	cg->nwrite = uniq(cg->write, cg->nwrite, sizeof(*cg->write), write_cmp);
	cg->nglobal = uniq(cg->global, cg->nglobal, sizeof(*cg->global), global_cmp);
}
