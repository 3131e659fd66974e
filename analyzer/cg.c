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

void cg_init(struct cg *cg)
{
	memset(cg, 0, sizeof(*cg));
}

void cg_free(struct cg *cg)
{
	free(cg->func);
	free(cg->call);
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
	return strcmp0(x->field, y->field);
}

void cg_finish(struct cg *cg)
{
	size_t i, n = 0;

	qsort(cg->func, cg->nfunc, sizeof(*cg->func), func_cmp);
	reindex(cg);
	qsort(cg->call, cg->ncall, sizeof(*cg->call), call_cmp);
	/* A call in a header's inline function is seen once per TU. */
	for (i = 0; i < cg->ncall; i++) {
		if (n && !call_cmp(&cg->call[n - 1], &cg->call[i]))
			continue;
		cg->call[n++] = cg->call[i];
	}
	cg->ncall = n;
}
