// SPDX-License-Identifier: GPL-2.0
/*
 * hotpath validate: are the analyzer's indirect and static-call sites the
 * ones the compiler emitted?  objdump -drl of every object of the KVM
 * modules gives, per function symbol, each call or jump through a retpoline
 * thunk (__x86_indirect_*) or a static-call trampoline (__SCT__*) with the
 * source line it came from, and the set of source lines the function holds
 * code for.  Inlining puts a callee's sites into its callers, so an
 * analyzer site counts for an emitted function F when its caller is F or a
 * function F reaches through direct calls, and its line has code in F.
 * Sites are matched on file and line: objdump gives no column.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "objcode.h"
#include "util.h"
#include "validate.h"

/* How deep the compiler may have inlined: gcc's own default limit is 9. */
#define INLINE_DEPTH	10

/* The first V_NKIND are the kinds validated; direct calls are only shown. */
enum vkind { V_INDIRECT, V_STATIC, V_NKIND, V_DIRECT = V_NKIND, V_RETURN };

static const char *const vkind_name[] = { "indirect", "static_call", "direct" };
static const char *const vkind_obj[] = { "retpoline", "__SCT__", "direct" };
static const char *const vkind_emitted[] = { "retpoline calls/jumps", "__SCT__ calls/jumps" };

/* A call or jump the compiler emitted through a thunk or trampoline. */
struct osite {
	size_t func;		/* index into val.ofunc */
	const char *file;	/* relative to the source tree; NULL: no line */
	unsigned int line;
	enum vkind kind;
	const char *target;	/* the thunk, trampoline or function */
	bool jump;		/* a jmp (tail call), not a call */
	bool matched;
};

/* A function symbol, its .cold, .part and .constprop pieces folded in. */
struct ofunc {
	const char *obj, *name;
	size_t first, nsite;	/* its sites, after sorting */
	bool has_lines;
};

/* A call site from callgraph.json. */
struct acall {
	size_t caller;		/* index into val.afunc */
	const char *callee, *file, *what;
	unsigned int line;
	int kind;		/* enum vkind, or -1 for none of them */
};

struct afunc {
	const char *name;
	size_t *call, ncall, acall;
	unsigned int mark;	/* generation of the last reach() that saw it */
};

struct lkey {
	size_t func;
	const char *file;
	unsigned int line;
};

struct val {
	const struct val_opts *opts;
	struct strpool pool;
	char *build, *srctree;
	size_t srclen;

	struct osite *osite;
	size_t nosite, aosite;
	struct ofunc *ofunc;
	size_t nofunc, aofunc;
	size_t nobj, nreturn, table[V_RETURN + 1];
	bool any_lines;

	/* (ofunc, file, line) with code: open addressing, 0 func = empty */
	struct lkey *lines;
	size_t nlines, alines;

	struct afunc *afunc;	/* sorted by name */
	size_t nafunc, aafunc;
	struct acall *acall;
	size_t nacall, aacall;

	size_t *reach, nreach, areach;
	unsigned int gen;
};

/* ---- paths ---- */

/* Collapse "." and ".." in an absolute path, in place. */
static void normalize(char *p)
{
	char *out = p, *s = p;

	while (*s) {
		char *seg;
		size_t len;

		while (*s == '/')
			s++;
		seg = s;
		while (*s && *s != '/')
			s++;
		len = (size_t)(s - seg);
		if (!len || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, len);
		out += len;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* A path objdump printed, made relative to the source tree. */
static const char *source_file(struct val *v, const char *path)
{
	char *abs = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", v->build, path);
	const char *r, *rel = abs;

	normalize(abs);
	if (!strncmp(abs, v->srctree, v->srclen) && abs[v->srclen] == '/')
		rel = abs + v->srclen + 1;
	r = intern(&v->pool, rel);
	free(abs);
	return r;
}

/* ---- the set of (function, file, line) that hold code ---- */

static size_t lhash(const struct lkey *k)
{
	uintptr_t h = (uintptr_t)k->file * 31 + k->func * 0x9e3779b97f4a7c15ull + k->line;

	return (size_t)(h ^ (h >> 29));
}

static struct lkey *lslot(struct lkey *tab, size_t n, const struct lkey *k)
{
	size_t i;

	for (i = lhash(k) & (n - 1); tab[i].file; i = (i + 1) & (n - 1)) {
		if (tab[i].func == k->func && tab[i].file == k->file && tab[i].line == k->line)
			break;
	}
	return &tab[i];
}

static void line_add(struct val *v, size_t func, const char *file, unsigned int line)
{
	struct lkey k = { func, file, line }, *s;

	if (2 * (v->nlines + 1) > v->alines) {
		size_t n = v->alines ? 2 * v->alines : 1 << 16, i;
		struct lkey *tab = xcalloc(n, sizeof(*tab));

		for (i = 0; i < v->alines; i++) {
			if (v->lines[i].file)
				*lslot(tab, n, &v->lines[i]) = v->lines[i];
		}
		free(v->lines);
		v->lines = tab;
		v->alines = n;
	}
	s = lslot(v->lines, v->alines, &k);
	if (!s->file) {
		*s = k;
		v->nlines++;
	}
}

static bool line_has(const struct val *v, size_t func, const char *file, unsigned int line)
{
	struct lkey k = { func, file, line };

	return v->alines && lslot(v->lines, v->alines, &k)->file;
}

/* ---- reading one object's disassembly ---- */

struct dis {
	const char *obj;
	size_t func;		/* SIZE_MAX: outside a function symbol */
	const char *file;
	unsigned int line;
	char insn[16];		/* the mnemonic of the last instruction */
	bool reloc_seen;	/* that instruction's first relocation was seen */
	const char *pending;	/* its direct target, kept until the next line */
	/* this object's functions by name, for the .cold pieces */
	const char **names;
	size_t *index, nnames, anames;
};

static const char *base_name(struct val *v, const char *symbol);

static size_t ofunc_of(struct val *v, struct dis *d, const char *symbol)
{
	const char *name = base_name(v, symbol);
	size_t i;

	for (i = 0; i < d->nnames; i++) {
		if (d->names[i] == name)
			return d->index[i];
	}
	GROW(d->names, d->anames, d->nnames + 1);
	d->index = xrealloc(d->index, d->anames * sizeof(*d->index));
	GROW(v->ofunc, v->aofunc, v->nofunc + 1);
	v->ofunc[v->nofunc] = (struct ofunc){ .obj = d->obj, .name = name };
	d->names[d->nnames] = name;
	d->index[d->nnames++] = v->nofunc;
	return v->nofunc++;
}

static bool is_branch(const char *insn)
{
	return !strncmp(insn, "call", 4) || insn[0] == 'j';
}

static void add_osite(struct val *v, struct dis *d, enum vkind kind, const char *target)
{
	GROW(v->osite, v->aosite, v->nosite + 1);
	v->osite[v->nosite++] = (struct osite){
		.func = d->func, .file = d->file, .line = d->line, .kind = kind,
		.target = target, .jump = d->insn[0] == 'j',
	};
}

/* A direct call's target: known once the instruction's relocations are. */
static void flush_direct(struct val *v, struct dis *d)
{
	if (d->pending && d->func != SIZE_MAX)
		add_osite(v, d, V_DIRECT, d->pending);
	d->pending = NULL;
}

static const char *base_name(struct val *v, const char *symbol)
{
	char *base = xstrdup(symbol);
	const char *r;

	/* foo.cold, foo.part.0, foo.constprop.0.isra.0: all foo */
	base[strcspn(base, ".")] = '\0';
	r = intern(&v->pool, base);
	free(base);
	return r;
}

static void dis_reloc(struct val *v, struct dis *d, char *l)
{
	char *sym = strstr(l, "R_X86_64_");
	enum vkind kind;

	if (d->reloc_seen || d->func == SIZE_MAX || !sym || !is_branch(d->insn))
		return;
	d->reloc_seen = true;
	sym += strcspn(sym, " \t");
	sym += strspn(sym, " \t");
	sym[strcspn(sym, "+-\n")] = '\0';
	d->pending = NULL;
	if (!strncmp(sym, "__x86_indirect_", 15))
		kind = V_INDIRECT;
	else if (!strncmp(sym, "__SCT__", 7))
		kind = V_STATIC;
	else if (!strcmp(sym, "__x86_return_thunk"))
		kind = V_RETURN;
	else {
		/* a call to another object's function; .text+0x40 is not one */
		if (sym[0] != '.')
			d->pending = base_name(v, sym);
		return;
	}
	if (kind == V_RETURN)
		v->nreturn++;
	else
		add_osite(v, d, kind, intern(&v->pool, sym));
}

/* "/path/file.c:123" or "file.c:123 (discriminator 2)": a line-table row. */
static bool dis_location(struct val *v, struct dis *d, char *l)
{
	char *colon, *end;
	unsigned long line;

	l[strcspn(l, " \n")] = '\0';
	colon = strrchr(l, ':');
	if (!colon || colon == l || !isdigit((unsigned char)colon[1]))
		return false;
	errno = 0;
	line = strtoul(colon + 1, &end, 10);
	if (*end || errno || line > UINT_MAX)
		return false;
	*colon = '\0';
	d->file = source_file(v, l);
	d->line = (unsigned int)line;
	return true;
}

/* "call   1f20 <kvm_pmu_trigger_event>": a call within the object. */
static void direct_target(struct val *v, struct dis *d, char *p)
{
	char *lt = strrchr(p, '<'), *gt;

	if (strcmp(d->insn, "call") && strcmp(d->insn, "jmp"))
		return;
	if (!lt || !(gt = strchr(lt, '>')) || memchr(lt, '+', (size_t)(gt - lt)) || lt[1] == '.')
		return;
	*gt = '\0';
	d->pending = base_name(v, lt + 1);
	*gt = '>';
	if (d->func != SIZE_MAX && d->pending == v->ofunc[d->func].name)
		d->pending = NULL;	/* a loop back into the same function */
}

static void dis_line(struct val *v, struct dis *d, char *l)
{
	char *p, *name;
	size_t len;

	if (!(l[0] == '\t' && strstr(l, "R_X86_64_")))
		flush_direct(v, d);
	if (!strncmp(l, "Disassembly of section ", 23)) {
		d->func = SIZE_MAX;
		return;
	}
	if (isxdigit((unsigned char)l[0]) && (p = strstr(l, " <")) && strstr(p, ">:")) {
		name = p + 2;
		*strstr(name, ">:") = '\0';
		/* <.text>, <.altinstr_replacement>: not a function */
		d->func = name[0] == '.' ? SIZE_MAX : ofunc_of(v, d, name);
		d->file = NULL;
		return;
	}
	if (l[0] == '\t' || l[0] == ' ') {
		p = l + strspn(l, " \t");
		p += strspn(p, "0123456789abcdef");
		if (*p != ':')
			return;
		p++;
		if (strstr(p, "R_X86_64_") && l[0] == '\t') {
			dis_reloc(v, d, p);
			return;
		}
		p += strspn(p, " \t");
		/* "cs call __x86_indirect_thunk_r11": the thunk's own padding prefix */
		p += oc_prefix_len(p);
		len = strcspn(p, " \t\n");
		if (len >= sizeof(d->insn))
			len = sizeof(d->insn) - 1;
		memcpy(d->insn, p, len);
		d->insn[len] = '\0';
		d->reloc_seen = false;
		direct_target(v, d, p);
		if (d->func != SIZE_MAX && d->file) {
			line_add(v, d->func, d->file, d->line);
			v->ofunc[d->func].has_lines = true;
			v->any_lines = true;
		}
		return;
	}
	/* "function():" heads a function's lines; anything else is a row */
	if (l[0] && !strstr(l, "():"))
		dis_location(v, d, l);
}

static int read_object(struct val *v, const char *obj)
{
	struct dis d = { .obj = intern(&v->pool, obj), .func = SIZE_MAX };
	struct oc_pipe p;
	char *l = NULL;
	size_t n = 0;

	if (oc_objdump(v->build, "-drl", obj, &p))
		return -1;
	while (getline(&l, &n, p.f) > 0)
		dis_line(v, &d, l);
	flush_direct(v, &d);
	free(l);
	free(d.names);
	free(d.index);
	v->nobj++;
	return oc_close(&p);
}

/* objtool's own tables in a linked module: entries = size / entry size. */
static int read_tables(struct val *v, const char *module)
{
	static const struct { const char *sec; unsigned int size; int kind; } tab[] = {
		{ ".retpoline_sites", 4, V_INDIRECT },
		{ ".static_call_sites", 8, V_STATIC },
		{ ".return_sites", 4, V_RETURN },
	};
	char *l = NULL, name[64];
	unsigned long size;
	struct oc_pipe p;
	size_t n = 0, i;

	if (oc_objdump(v->build, "-h", module, &p))
		return -1;
	while (getline(&l, &n, p.f) > 0) {
		if (sscanf(l, " %*u %63s %lx", name, &size) != 2)
			continue;
		for (i = 0; i < sizeof(tab) / sizeof(*tab); i++) {
			if (!strcmp(name, tab[i].sec))
				v->table[tab[i].kind] += size / tab[i].size;
		}
	}
	free(l);
	return oc_close(&p);
}

/* The objects of every KVM module, then the module's objtool tables. */
static int read_modules(struct val *v)
{
	struct oc_module *mods;
	size_t nmods, i, j;
	int ret;

	ret = oc_modules(v->build, &mods, &nmods);
	for (i = 0; i < nmods && !ret; i++) {
		for (j = 0; j < mods[i].nobj && !ret; j++)
			ret = read_object(v, mods[i].obj[j]);
		if (!ret)
			ret = read_tables(v, mods[i].module);
	}
	oc_modules_free(mods, nmods);
	return ret;
}

/* ---- the analyzer's side ---- */

static int cmp_afunc(const void *a, const void *b)
{
	return strcmp(((const struct afunc *)a)->name, ((const struct afunc *)b)->name);
}

static struct afunc *afunc_find(struct val *v, const char *name)
{
	struct afunc key = { .name = name };

	return name ? bsearch(&key, v->afunc, v->nafunc, sizeof(key), cmp_afunc) : NULL;
}

static int call_kind(const char *kind)
{
	if (!strcmp(kind, "indirect") || !strcmp(kind, "indirect_wrapper"))
		return V_INDIRECT;
	if (!strcmp(kind, "static_call"))
		return V_STATIC;
	if (!strcmp(kind, "direct"))
		return V_DIRECT;
	return -1;
}

static int load_calls(struct val *v, const struct jval *cg)
{
	const struct jval *calls = jget(cg, "calls"), *line;
	size_t i, j;

	if (!calls || calls->type != J_ARR) {
		error("callgraph.json has no \"calls\" array; write it with hotpath callgraph");
		return -1;
	}
	/* one afunc per caller name; static functions of one name share it */
	for (i = 0; i < calls->n; i++) {
		const char *caller = jstr(&calls->item[i], "caller");

		if (!caller)
			continue;
		GROW(v->afunc, v->aafunc, v->nafunc + 1);
		v->afunc[v->nafunc++] = (struct afunc){ .name = intern(&v->pool, caller) };
	}
	xqsort(v->afunc, v->nafunc, sizeof(*v->afunc), cmp_afunc);
	for (i = j = 0; i < v->nafunc; i++) {
		if (!j || v->afunc[j - 1].name != v->afunc[i].name)
			v->afunc[j++] = v->afunc[i];
	}
	v->nafunc = j;
	for (i = 0; i < calls->n; i++) {
		const struct jval *c = &calls->item[i];
		const char *caller = jstr(c, "caller"), *kind = jstr(c, "kind"), *file = jstr(c, "file");
		struct afunc *f = afunc_find(v, caller ? intern(&v->pool, caller) : NULL);
		struct acall *a;

		line = jget(c, "line");
		if (!f || !kind || !file || !line || line->type != J_NUM) {
			error("callgraph.json: call %zu lacks caller, kind, file or line", i);
			return -1;
		}
		GROW(v->acall, v->aacall, v->nacall + 1);
		a = &v->acall[v->nacall];
		*a = (struct acall){
			.caller = (size_t)(f - v->afunc),
			.callee = jstr(c, "callee") ? intern(&v->pool, jstr(c, "callee")) : NULL,
			.file = intern(&v->pool, file),
			.line = (unsigned int)line->num,
			.kind = call_kind(kind),
			.what = jstr(c, "expr") ? jstr(c, "expr") : jstr(c, "static_call"),
		};
		GROW(f->call, f->acall, f->ncall + 1);
		f->call[f->ncall++] = v->nacall++;
	}
	return 0;
}

/*
 * The analyzer functions whose code can be in symbol NAME: NAME and what it
 * reaches through direct calls, INLINE_DEPTH deep.  Left in v->reach.
 */
static void reach(struct val *v, const char *name)
{
	struct afunc *f = afunc_find(v, name);
	size_t head = 0, level_end, depth = 0, i;

	v->nreach = 0;
	if (!f)
		return;
	v->gen++;
	f->mark = v->gen;
	GROW(v->reach, v->areach, 1);
	v->reach[v->nreach++] = (size_t)(f - v->afunc);
	level_end = v->nreach;
	while (head < v->nreach && depth < INLINE_DEPTH) {
		struct afunc *from = &v->afunc[v->reach[head++]];

		for (i = 0; i < from->ncall; i++) {
			struct acall *c = &v->acall[from->call[i]];
			struct afunc *to = c->kind == V_DIRECT ? afunc_find(v, c->callee) : NULL;

			if (!to || to->mark == v->gen)
				continue;
			to->mark = v->gen;
			GROW(v->reach, v->areach, v->nreach + 1);
			v->reach[v->nreach++] = (size_t)(to - v->afunc);
		}
		if (head == level_end) {
			depth++;
			level_end = v->nreach;
		}
	}
}

/* ---- matching ---- */

struct tally {
	size_t asites, amatched;	/* analyzer sites in emitted code */
	size_t osites, omatched;	/* emitted sites */
	size_t unknown;			/* emitted in a function the analyzer lacks */
};

static const struct acall *match_osite(struct val *v, const struct osite *o)
{
	size_t i, j;

	for (i = 0; i < v->nreach; i++) {
		const struct afunc *f = &v->afunc[v->reach[i]];

		for (j = 0; j < f->ncall; j++) {
			const struct acall *c = &v->acall[f->call[j]];

			if ((int)o->kind == c->kind && c->line == o->line && c->file == o->file &&
			    (o->kind != V_DIRECT || c->callee == o->target))
				return c;
		}
	}
	return NULL;
}

static bool osite_at(const struct val *v, const struct ofunc *of, int kind,
		     const char *file, unsigned int line)
{
	size_t i;

	for (i = of->first; i < of->first + of->nsite; i++) {
		const struct osite *o = &v->osite[i];

		if ((int)o->kind == kind && o->line == line && o->file == file)
			return true;
	}
	return false;
}

static void show_func(struct val *v, size_t fi, FILE *out)
{
	const struct ofunc *of = &v->ofunc[fi];
	size_t i, j;

	fprintf(out, "%s (%s):\n", of->name, of->obj);
	for (i = of->first; i < of->first + of->nsite; i++) {
		const struct osite *o = &v->osite[i];
		const struct acall *c = match_osite(v, o);

		fprintf(out, "  %-9s %-4s %s:%u  ", vkind_obj[o->kind], o->jump ? "jmp" : "call",
			o->file ? o->file : "?", o->line);
		if (c)
			fprintf(out, "analyzer: %s %s in %s\n", vkind_name[c->kind],
				c->what ? c->what : c->callee ? c->callee : "", v->afunc[c->caller].name);
		else if (o->kind == V_DIRECT)
			fprintf(out, "%s, not an analyzer site\n", o->target);
		else
			fprintf(out, "not an analyzer site\n");
	}
	for (i = 0; i < v->nreach; i++) {
		const struct afunc *f = &v->afunc[v->reach[i]];

		for (j = 0; j < f->ncall; j++) {
			const struct acall *c = &v->acall[f->call[j]];

			if (c->kind < 0 || c->kind >= V_NKIND || !line_has(v, fi, c->file, c->line) ||
			    osite_at(v, of, c->kind, c->file, c->line))
				continue;
			fprintf(out, "  %-14s %s:%u  analyzer only: %s in %s, emitted as neither\n",
				vkind_name[c->kind], c->file, c->line, c->what ? c->what : "",
				f->name);
		}
	}
}

static bool wanted(const struct val *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->opts->nfunc; i++) {
		if (!strcmp(v->opts->func[i], name))
			return true;
	}
	return false;
}

static void tally_func(struct val *v, size_t fi, struct tally *t, FILE *out)
{
	struct ofunc *of = &v->ofunc[fi];
	size_t i, j;

	reach(v, of->name);
	for (i = of->first; i < of->first + of->nsite; i++) {
		struct osite *o = &v->osite[i];

		if (o->kind >= V_NKIND)
			continue;
		t[o->kind].osites++;
		o->matched = match_osite(v, o) != NULL;
		t[o->kind].omatched += o->matched;
		t[o->kind].unknown += !v->nreach;
		if (!o->matched && v->opts->misses)
			fprintf(out, "miss: %s in %s (%s) at %s:%u: not an analyzer %s site\n",
				vkind_obj[o->kind], of->name, of->obj, o->file ? o->file : "?",
				o->line, vkind_name[o->kind]);
	}
	for (i = 0; i < v->nreach; i++) {
		const struct afunc *f = &v->afunc[v->reach[i]];

		for (j = 0; j < f->ncall; j++) {
			const struct acall *c = &v->acall[f->call[j]];
			bool hit;

			if (c->kind < 0 || c->kind >= V_NKIND || !line_has(v, fi, c->file, c->line))
				continue;
			hit = osite_at(v, of, c->kind, c->file, c->line);
			t[c->kind].asites++;
			t[c->kind].amatched += hit;
			if (!hit && v->opts->misses)
				fprintf(out, "extra: %s %s in %s, at %s:%u: no %s call in %s (%s)\n",
					vkind_name[c->kind], c->what ? c->what : "", f->name,
					c->file, c->line, vkind_obj[c->kind], of->name, of->obj);
		}
	}
	if (wanted(v, of->name))
		show_func(v, fi, out);
}

static int cmp_osite(const void *a, const void *b)
{
	const struct osite *x = a, *y = b;

	/* by function, then in the order objdump printed them (stable) */
	if (x->func != y->func)
		return x->func < y->func ? -1 : 1;
	return (x > y) - (x < y);
}

static double ratio(size_t a, size_t b)
{
	return b ? (double)a / (double)b : 1.0;
}

static void report(struct val *v, const struct jval *cg, FILE *out)
{
	struct tally t[V_NKIND] = { 0 };
	const char *tree = jstr(cg, "tree");
	size_t i, k, nemitted = 0, len;
	char *buf;
	FILE *det = open_memstream(&buf, &len);	/* details, after the summary */

	if (!det)
		die("out of memory");

	xqsort(v->osite, v->nosite, sizeof(*v->osite), cmp_osite);
	for (i = 0; i < v->nosite; i++) {
		struct ofunc *of = &v->ofunc[v->osite[i].func];

		if (!of->nsite)
			of->first = i;
		of->nsite++;
	}
	for (i = 0; i < v->opts->nfunc; i++) {
		for (k = 0; k < v->nofunc && strcmp(v->ofunc[k].name, v->opts->func[i]); k++)
			;
		if (k == v->nofunc)
			fprintf(det, "%s: no such function symbol in the objects (inlined everywhere?)\n",
				v->opts->func[i]);
	}
	for (i = 0; i < v->nofunc; i++) {
		nemitted += v->ofunc[i].has_lines;
		tally_func(v, i, t, det);
	}
	fclose(det);
	fprintf(out, "validate %s: %zu objects, %zu functions, against %s\n",
		tree ? tree : "callgraph.json", v->nobj, nemitted, v->build);
	fprintf(out, "  emitted: %zu retpoline calls/jumps, %zu __SCT__ calls/jumps, %zu return-thunk jumps\n",
		t[V_INDIRECT].osites, t[V_STATIC].osites, v->nreturn);
	fprintf(out, "  objtool: %zu .retpoline_sites, %zu .static_call_sites, %zu .return_sites%s\n",
		v->table[V_INDIRECT], v->table[V_STATIC], v->table[V_RETURN],
		v->table[V_INDIRECT] == t[V_INDIRECT].osites &&
		v->table[V_STATIC] == t[V_STATIC].osites &&
		v->table[V_RETURN] == v->nreturn ? " (the same)" : " (DIFFERENT)");
	for (k = 0; k < V_NKIND; k++) {
		fprintf(out, "  %-11s precision %.3f  (%zu of %zu analyzer sites with code in a function "
			"are %s there)\n", vkind_name[k], ratio(t[k].amatched, t[k].asites),
			t[k].amatched, t[k].asites, vkind_emitted[k]);
		fprintf(out, "  %-11s recall    %.3f  (%zu of %zu %s are at analyzer sites; "
			"%zu in functions outside its scope)\n", "", ratio(t[k].omatched, t[k].osites),
			t[k].omatched, t[k].osites, vkind_emitted[k], t[k].unknown);
	}
	fputs(buf, out);
	free(buf);
}

int val_run(const struct jval *cg, const struct val_opts *opts, FILE *out)
{
	struct val v = { .opts = opts };
	char *source;
	size_t i;
	int ret = 1;

	v.build = realpath(opts->build, NULL);
	if (!v.build) {
		error("--build %s: no such folder; give the kernel build folder", opts->build);
		return 1;
	}
	source = xasprintf("%s/source", v.build);
	v.srctree = realpath(source, NULL);
	free(source);
	if (!v.srctree)
		v.srctree = xstrdup(v.build);
	v.srclen = strlen(v.srctree);
	if (load_calls(&v, cg) < 0 || read_modules(&v) < 0)
		goto out;
	if (!v.any_lines) {
		error("%s: the objects have no line information; build with CONFIG_DEBUG_INFO_DWARF4 "
		      "(make analyze's own config has it)", v.build);
		goto out;
	}
	report(&v, cg, out);
	ret = 0;
out:
	for (i = 0; i < v.nafunc; i++)
		free(v.afunc[i].call);
	free(v.afunc);
	free(v.acall);
	free(v.osite);
	free(v.ofunc);
	free(v.lines);
	free(v.reach);
	strpool_free(&v.pool);
	free(v.srctree);
	free(v.build);
	return ret;
}
