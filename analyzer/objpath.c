// SPDX-License-Identifier: GPL-2.0
/*
 * The shortest path through each emitted function, from objdump -dr.  An
 * instruction leads to the next one unless it is an unconditional jump, a
 * return or a trap; a jump inside the function also leads to its target.
 * The path ends at a return: "ret", a jump to a return thunk (the reloc
 * names __x86_return_thunk), or a tail call (a jump to another symbol,
 * direct or through a retpoline thunk).  A jump out to a .cold piece is
 * not followed: that is the unlikely side.  Breadth first, so the path is
 * the one with the fewest instructions.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "objcode.h"
#include "objpath.h"

/* Tail calls followed from one function: chains are short in KVM. */
#define TAIL_DEPTH	4

enum insn_flow {
	F_NEXT,		/* falls through */
	F_BRANCH,	/* falls through or jumps to target */
	F_JUMP,		/* jumps to target */
	F_END,		/* returns, or tail-calls */
	F_STOP,		/* traps, or leaves for code not followed */
};

struct insn {
	uint64_t off, target;
	enum insn_flow flow;
	char *tail;		/* F_END by a direct tail call: the function */
	bool call;
	char *callee;		/* a call's relocated target */
};

struct fn {
	const char *name;
	uint64_t start;
	struct insn *insn;
	size_t n, alloc;
};

/* The symbol in "<name>" or "<name+0x10>", or a reloc's "name-0x4". */
static char *symbol(const char *s, const char *stop)
{
	size_t len = strcspn(s, stop);

	return len ? xasprintf("%.*s", (int)len, s) : NULL;
}

/* "65d <kvm_pmu_trigger_event+0x15d>": in this function, or elsewhere. */
static bool local_target(const struct fn *f, const char *ops, uint64_t *target)
{
	const char *lt = strchr(ops, '<');
	size_t len = strlen(f->name);
	char *end;

	if (!lt)
		return false;
	*target = strtoull(ops, &end, 16);
	if (end == ops)
		return false;
	return !strncmp(lt + 1, f->name, len) && (lt[1 + len] == '>' || lt[1 + len] == '+');
}

static void add_insn(struct fn *f, uint64_t off, const char *text)
{
	const char *p = text + strspn(text, " \t"), *ops;
	struct insn in = { .off = off, .flow = F_NEXT };
	size_t len;

	p += oc_prefix_len(p);
	len = strcspn(p, " \t\n");
	ops = p + len + strspn(p + len, " \t");
	if ((len == 3 && !strncmp(p, "ret", 3)) || (len == 4 && !strncmp(p, "retq", 4))) {
		in.flow = F_END;
	} else if (!strncmp(p, "ud2", 3) || !strncmp(p, "int3", 4)) {
		in.flow = F_STOP;
	} else if (len >= 4 && !strncmp(p, "call", 4)) {
		in.call = true;
	} else if (p[0] == 'j' && len > 1) {
		bool jmp = !strncmp(p, "jmp", 3);

		if (*ops == '*')
			in.flow = F_END;	/* through a register: a tail call */
		else if (local_target(f, ops, &in.target))
			in.flow = jmp ? F_JUMP : F_BRANCH;
		else
			in.flow = jmp ? F_END : F_NEXT;	/* a tail call; or to .cold */
		if (jmp && in.flow == F_END && strchr(ops, '<'))
			in.tail = symbol(strchr(ops, '<') + 1, "+>");
	}
	GROW(f->insn, f->alloc, f->n + 1);
	f->insn[f->n++] = in;
}

/*
 * A reloc on the last instruction: a jump whose displacement is relocated
 * leaves the function (objdump shows it landing on the next instruction):
 * to a return thunk it is a return, to .cold not followed, else a tail call.
 */
static void add_reloc(struct fn *f, const char *text)
{
	struct insn *in = f->n ? &f->insn[f->n - 1] : NULL;
	const char *sym = strstr(text, "R_X86_64_");

	if (!in || !sym)
		return;
	sym += strcspn(sym, " \t");
	sym += strspn(sym, " \t");
	if (in->call && !in->callee) {
		in->callee = symbol(sym, "-+ \t\n");
		return;
	}
	if (in->flow != F_JUMP && in->flow != F_BRANCH)
		return;
	if (strstr(sym, "return_thunk")) {
		in->flow = in->flow == F_JUMP ? F_END : F_BRANCH;
	} else if (in->flow == F_JUMP) {
		in->flow = strstr(sym, ".cold") || !strncmp(sym, ".text", 5) ? F_STOP : F_END;
		if (in->flow == F_END && strncmp(sym, "__x86_indirect", 14))
			in->tail = symbol(sym, "-+ \t\n");
	} else {
		in->flow = F_NEXT;
	}
	/* A conditional return-thunk jump (jcc __x86_return_thunk) also returns. */
	if (in->flow == F_BRANCH)
		in->target = UINT64_MAX;
}

static size_t find_off(const struct fn *f, uint64_t off)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->insn[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n && f->insn[lo].off == off ? lo : SIZE_MAX;
}

/*
 * Fewest instructions from the entry to a return, the return included;
 * *tail: the function a path ending in a tail call goes on in.
 */
static unsigned int shortest(const struct fn *f, const char **end)
{
	size_t *queue, head = 0, tail = 0, i, next[2];
	unsigned int *dist, best = 0;

	if (!f->n)
		return 0;
	queue = xcalloc(f->n, sizeof(*queue));
	dist = xcalloc(f->n, sizeof(*dist));
	dist[0] = 1;
	queue[tail++] = 0;
	while (head < tail && !best) {
		const struct insn *in = &f->insn[queue[head]];
		unsigned int d = dist[queue[head++]];
		size_t k, nn = 0;

		if (in->flow == F_END || (in->flow == F_BRANCH && in->target == UINT64_MAX)) {
			best = d;
			*end = in->flow == F_END ? in->tail : NULL;
			break;
		}
		if (in->flow == F_STOP)
			continue;
		if (in->flow == F_NEXT || in->flow == F_BRANCH)
			next[nn++] = (size_t)(in - f->insn) + 1;
		if (in->flow == F_JUMP || in->flow == F_BRANCH)
			next[nn++] = find_off(f, in->target);
		for (k = 0; k < nn; k++) {
			i = next[k];
			if (i >= f->n || dist[i])
				continue;
			dist[i] = d + 1;
			queue[tail++] = i;
		}
	}
	free(queue);
	free(dist);
	return best;
}

/*
 * Fewest instructions from instruction i round to itself, i counted once;
 * 0 when no path comes back.  Breadth first, as shortest() is.
 */
static unsigned int cycle_at(const struct fn *f, size_t i, size_t *queue, unsigned int *dist)
{
	size_t head = 0, tail = 0, next[2];
	unsigned int found = 0;

	memset(dist, 0, f->n * sizeof(*dist));
	queue[tail++] = i;
	dist[i] = 1;
	while (head < tail && !found) {
		const struct insn *in = &f->insn[queue[head]];
		unsigned int d = dist[queue[head++]];
		size_t k, nn = 0;

		if (in->flow == F_NEXT || in->flow == F_BRANCH)
			next[nn++] = (size_t)(in - f->insn) + 1;
		if ((in->flow == F_JUMP || in->flow == F_BRANCH) && in->target != UINT64_MAX)
			next[nn++] = find_off(f, in->target);
		for (k = 0; k < nn && !found; k++) {
			if (next[k] == i)
				found = d;
			else if (next[k] < f->n && !dist[next[k]]) {
				dist[next[k]] = d + 1;
				queue[tail++] = next[k];
			}
		}
	}
	return found;
}

/* The calls in cycles, and the shortest cycle through a backward jump's target. */
static void cycles(const struct fn *f, struct objpaths *op, struct op_func *of)
{
	size_t *queue, i, k, aloop = 0;
	unsigned int *dist, c;

	if (!f->n)
		return;
	queue = xcalloc(f->n, sizeof(*queue));
	dist = xcalloc(f->n, sizeof(*dist));
	for (i = 0; i < f->n; i++) {
		const struct insn *in = &f->insn[i];

		if (in->call && in->callee && (c = cycle_at(f, i, queue, dist))) {
			GROW(of->loop, aloop, of->nloop + 1);
			of->loop[of->nloop].callee = intern(&op->pool, in->callee);
			of->loop[of->nloop++].insns = c;
		}
		if ((in->flow == F_JUMP || in->flow == F_BRANCH) && in->target <= in->off &&
		    (k = find_off(f, in->target)) != SIZE_MAX && (c = cycle_at(f, k, queue, dist)) &&
		    (!of->cycle || c < of->cycle))
			of->cycle = c;
	}
	free(queue);
	free(dist);
}

/*
 * The function a symbol is the entry of, as the length of its name: foo
 * itself, or a clone gcc emits instead of foo's body, foo.isra.0 or
 * foo.constprop.0 (or both, as foo.constprop.0.isra.0).  foo.cold and
 * foo.part.0 are pieces of foo, not its entry, and .L names are local: 0.
 */
static size_t entry_len(const char *name)
{
	const char *dot = strchr(name, '.'), *p = dot;

	if (!dot)
		return strlen(name);
	while (p != dot + strlen(dot)) {
		size_t n;

		if (!strncmp(p, ".isra.", 6))
			p += 6;
		else if (!strncmp(p, ".constprop.", 11))
			p += 11;
		else
			return 0;
		n = strspn(p, "0123456789");
		if (!n)
			return 0;
		p += n;
	}
	return (size_t)(dot - name);
}

/* A symbol's function name, interned: foo for foo.isra.0. */
static const char *entry_name(struct objpaths *op, const char *sym, size_t len)
{
	char *base;
	const char *s;

	if (!sym[len])
		return intern(&op->pool, sym);
	base = xasprintf("%.*s", (int)len, sym);
	s = intern(&op->pool, base);
	free(base);
	return s;
}

static void flush(struct objpaths *op, struct fn *f, const char *obj)
{
	size_t i, len;

	if (f->name && (len = entry_len(f->name))) {
		const char *tail = NULL;
		struct op_func *of;

		GROW(op->func, op->afunc, op->nfunc + 1);
		of = &op->func[op->nfunc++];
		of->name = entry_name(op, f->name, len);
		of->clone = f->name[len] != '\0';
		of->obj = obj;
		of->own = shortest(f, &tail);
		of->tail = NULL;
		of->loop = NULL;
		of->nloop = 0;
		of->cycle = 0;
		cycles(f, op, of);
		if (tail) {
			size_t tlen = entry_len(tail);	/* 0: not an entry, kept whole */

			of->tail = entry_name(op, tail, tlen ? tlen : strlen(tail));
		}
	}
	for (i = 0; i < f->n; i++) {
		free(f->insn[i].tail);
		free(f->insn[i].callee);
	}
	free((char *)f->name);
	f->name = NULL;
	f->n = 0;
}

/* One object's objdump -dr text: its functions and their shortest paths. */
static void read_text(struct objpaths *op, FILE *in, const char *obj)
{
	struct fn f = { 0 };
	char *l = NULL, *s, *e;
	size_t n = 0;
	const char *o = intern(&op->pool, obj);

	while (getline(&l, &n, in) > 0) {
		if (isxdigit((unsigned char)l[0]) && (s = strstr(l, " <")) && (e = strstr(s, ">:"))) {
			flush(op, &f, o);
			f.name = xasprintf("%.*s", (int)(e - s - 2), s + 2);
			continue;
		}
		if (!f.name || (l[0] != ' ' && l[0] != '\t'))
			continue;
		s = l + strspn(l, " \t");
		e = s + strspn(s, "0123456789abcdef");
		if (e == s || *e != ':')
			continue;
		if (strstr(e, "R_X86_64_") && l[0] == '\t' && l[1] == '\t')
			add_reloc(&f, e + 1);
		else
			add_insn(&f, strtoull(s, NULL, 16), e + 1);
	}
	flush(op, &f, o);
	free(f.insn);
	free(l);
	op->nobj++;
}

static int read_object(struct objpaths *op, const char *build, const char *obj)
{
	struct oc_pipe p;

	if (oc_objdump(build, "-dr", obj, &p))
		return -1;
	read_text(op, p.f, obj);
	return oc_close(&p);
}

static int cmp_func(const void *a, const void *b)
{
	const struct op_func *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (!r && x->clone != y->clone)
		return x->clone ? 1 : -1;
	return r ? r : strcmp(x->obj, y->obj);
}

/* A tail call's target runs on: its own path counts, a few calls deep. */
static unsigned int with_tail(const struct objpaths *op, const struct op_func *f,
			      unsigned int depth)
{
	const struct op_func *t = f->tail ? op_find(op, f->tail) : NULL;

	if (!t || depth >= TAIL_DEPTH)
		return f->own;
	return f->own + with_tail(op, t, depth + 1);
}

/* The functions of every object read, sorted, each static name once. */
static void finish(struct objpaths *op)
{
	size_t i, k = 0;

	if (op->nfunc)
		xqsort(op->func, op->nfunc, sizeof(*op->func), cmp_func);
	/*
	 * A static name in two objects: keep the first object's, by name
	 * order; foo itself before a clone of it.
	 */
	for (i = 0; i < op->nfunc; i++) {
		if (k && op->func[k - 1].name == op->func[i].name) {
			free(op->func[i].loop);
			continue;
		}
		op->func[k++] = op->func[i];
	}
	op->nfunc = k;
	for (i = 0; i < op->nfunc; i++)
		op->func[i].insns = with_tail(op, &op->func[i], 0);
}

int op_read(const char *build, struct objpaths *op)
{
	struct oc_module *mods;
	size_t nmods, i, j;
	int ret;

	memset(op, 0, sizeof(*op));
	ret = oc_modules(build, &mods, &nmods);
	for (i = 0; i < nmods && !ret; i++) {
		for (j = 0; j < mods[i].nobj && !ret; j++)
			ret = read_object(op, build, mods[i].obj[j]);
	}
	oc_modules_free(mods, nmods);
	finish(op);
	return ret;
}

void op_read_text(FILE *in, const char *obj, struct objpaths *op)
{
	memset(op, 0, sizeof(*op));
	read_text(op, in, obj);
	finish(op);
}

const struct op_func *op_find(const struct objpaths *op, const char *name)
{
	size_t lo = 0, hi = op->nfunc;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(op->func[mid].name, name);

		if (!c)
			return &op->func[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void op_free(struct objpaths *op)
{
	size_t i;

	for (i = 0; i < op->nfunc; i++)
		free(op->func[i].loop);
	free(op->func);
	strpool_free(&op->pool);
	memset(op, 0, sizeof(*op));
}
