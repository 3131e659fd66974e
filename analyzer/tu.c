// SPDX-License-Identifier: GPL-2.0
/*
 * Walk a translation unit's function definitions and classify every call
 * in them, the way the compiler will emit it:
 *   direct       the callee is a named function;
 *   static_call  the callee is a static-call trampoline (__SCT__<key>), which
 *                is what static_call(), static_call_cond(), kvm_x86_call()
 *                and kvm_pmu_call() expand to (include/linux/static_call.h);
 *   indirect     anything else: a pointer variable, a member, a table entry;
 *   indirect_wrapper  the fallback call of INDIRECT_CALL_n()
 *                (include/linux/indirect_call_wrapper.h).
 * A call inside a macro is placed where the macro is used.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "tu.h"
#include "util.h"

#define TRAMP_PREFIX "__SCT__"

/* A macro expansion: where its name is, in the file that holds it. */
struct expansion {
	unsigned int offset;
	CXCursor cursor;
};

/* The macro clang_getCursor() found at an offset (NULL: none). */
struct asked {
	unsigned int offset;
	const char *macro;
};

/*
 * A file the TU read, by its CXFile: how many times the preprocessor
 * entered it, its name as the output gives it, and the macro expansions
 * written in it, in the order (and so by offset) the preprocessor met them;
 * for a file entered more than once, the answers clang_getCursor() gave.
 */
struct tu_file {
	CXFile file;
	unsigned int entries;
	const char *name;	/* NULL until asked for */
	struct expansion *exp;
	size_t nexp, aexp;
	bool unsorted;
	struct asked *asked;
	size_t nasked, aasked;
};

/* The files, open addressing on the CXFile pointer. */
struct files {
	struct tu_file *slot;
	size_t nslots, used;
};

/* A condition a scenario may decide, on the path to where the walk is. */
struct fcond {
	const char *entry;	/* "when:line:how:cond", as struct cg_scope has them */
	const struct fcond *next;	/* the condition around it, or NULL */
};

/* Where the walk is in a function's control flow. */
struct flow {
	enum call_when when;
	const char *guard;	/* FLOW_GUARD when a condition requires it */
	unsigned int loop;	/* the loop it is in, from 1, or 0 */
	enum call_when base;	/* within one run of that loop's body */
	const struct fcond *conds;	/* since that body began */
};

struct walk {
	struct cg *cg;
	const struct tu_opts *opts;
	CXTranslationUnit tu;
	const char *func;	/* USR of the function being walked */
	size_t srclen;
	struct files files;
	struct tu_result *res;	/* NULL: no dependencies wanted */
	unsigned int nloop;	/* the loops of the function so far */
	struct fcond **fc;	/* the function's conditions, freed after it */
	size_t nfc, afc;
};

static const char *cx_intern(struct cg *cg, CXString s)
{
	const char *r = cg_str(cg, clang_getCString(s) ? clang_getCString(s) : "");

	clang_disposeString(s);
	return r;
}

static size_t file_hash(CXFile file, size_t n)
{
	return (size_t)(((uintptr_t)file >> 4) * 0x9e3779b97f4a7c15ull) & (n - 1);
}

static void files_rehash(struct files *fs)
{
	size_t n = fs->nslots ? fs->nslots * 2 : 1024, i, j;
	struct tu_file *slot = xcalloc(n, sizeof(*slot));

	for (i = 0; i < fs->nslots; i++) {
		if (!fs->slot[i].file)
			continue;
		for (j = file_hash(fs->slot[i].file, n); slot[j].file; j = (j + 1) & (n - 1))
			;
		slot[j] = fs->slot[i];
	}
	free(fs->slot);
	fs->slot = slot;
	fs->nslots = n;
}

/* The entry of file, added if new; valid until the next one is added. */
static struct tu_file *file_get(struct files *fs, CXFile file)
{
	size_t i;

	if (2 * (fs->used + 1) > fs->nslots)
		files_rehash(fs);
	for (i = file_hash(file, fs->nslots); fs->slot[i].file; i = (i + 1) & (fs->nslots - 1)) {
		if (fs->slot[i].file == file)
			return &fs->slot[i];
	}
	fs->slot[i].file = file;
	fs->used++;
	return &fs->slot[i];
}

static void files_free(struct files *fs)
{
	size_t i;

	for (i = 0; i < fs->nslots; i++) {
		free(fs->slot[i].exp);
		free(fs->slot[i].asked);
	}
	free(fs->slot);
	memset(fs, 0, sizeof(*fs));
}

/* The file of a location, relative to the source tree when inside it. */
static const char *file_name(struct walk *w, CXFile file)
{
	struct tu_file *tf = file_get(&w->files, file);
	CXString s;
	const char *p;

	if (tf->name)
		return tf->name;
	s = clang_File_tryGetRealPathName(file);
	p = clang_getCString(s);

	if (!p || !*p) {
		clang_disposeString(s);
		s = clang_getFileName(file);
		p = clang_getCString(s);
	}
	if (!p)
		p = "";
	if (!strncmp(p, w->opts->srctree, w->srclen) && p[w->srclen] == '/')
		p += w->srclen + 1;
	tf->name = cg_str(w->cg, p);
	clang_disposeString(s);
	return tf->name;
}

static const char *where(struct walk *w, CXSourceLocation loc, unsigned int *line,
			 unsigned int *col, unsigned int *offset, CXFile *filep)
{
	CXFile file;

	clang_getExpansionLocation(loc, &file, line, col, offset);
	if (filep)
		*filep = file;
	return file ? file_name(w, file) : NULL;
}

static bool in_scope(const struct walk *w, const char *file)
{
	size_t i;

	if (!file)
		return false;
	for (i = 0; i < w->opts->nscope; i++) {
		if (!strncmp(file, w->opts->scope[i], strlen(w->opts->scope[i])))
			return true;
	}
	return false;
}

static void add_dep(struct tu_result *res, CXFile file)
{
	CXString s = clang_File_tryGetRealPathName(file);
	const char *p = clang_getCString(s);

	if (p && *p) {
		GROW(res->deps, res->adeps, res->ndeps + 1);
		res->deps[res->ndeps++] = xstrdup(p);
	}
	clang_disposeString(s);
}

/*
 * Every time the preprocessor entered a file is one call: a dependency for
 * the cache, and a count macro_at() needs.
 */
static void note_inclusion(CXFile file, CXSourceLocation *stack, unsigned int len,
			   CXClientData data)
{
	struct walk *w = data;

	(void)stack;
	(void)len;
	file_get(&w->files, file)->entries++;
	if (w->res)
		add_dep(w->res, file);
}

/*
 * The preprocessing record's macro expansions, kept for the files entered
 * once: there a file and offset name one place, and the expansion at the
 * offset of a call's expansion location is the macro it is written through.
 */
static enum CXChildVisitResult note_expansion(CXCursor c, CXCursor parent, CXClientData data)
{
	struct walk *w = data;
	struct tu_file *tf;
	unsigned int offset;
	CXFile file;

	(void)parent;
	if (clang_getCursorKind(c) != CXCursor_MacroExpansion)
		return CXChildVisit_Continue;
	clang_getExpansionLocation(clang_getCursorLocation(c), &file, NULL, NULL, &offset);
	if (!file)
		return CXChildVisit_Continue;
	tf = file_get(&w->files, file);
	if (tf->entries != 1)
		return CXChildVisit_Continue;
	if (tf->nexp && tf->exp[tf->nexp - 1].offset > offset)
		tf->unsorted = true;
	GROW(tf->exp, tf->aexp, tf->nexp + 1);
	tf->exp[tf->nexp].offset = offset;
	tf->exp[tf->nexp++].cursor = c;
	return CXChildVisit_Continue;
}

/* The last expansion at offset, as clang_getCursor() would pick it. */
static const struct expansion *expansion_at(const struct tu_file *tf, unsigned int offset)
{
	size_t lo = 0, hi = tf->nexp;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tf->exp[mid].offset <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && tf->exp[lo - 1].offset == offset ? &tf->exp[lo - 1] : NULL;
}

/*
 * For a file entered more than once (trace.h, paging_tmpl.h), ask
 * clang_getCursor(), which looks in the file's first entry, as
 * clang_getLocationForOffset() places the offset there.  That call scans
 * the source manager's entries, so each offset is asked once: a trace
 * event's functions all place their calls at its TRACE_EVENT().
 */
static const char *ask_clang(struct walk *w, struct tu_file *tf, unsigned int offset)
{
	CXCursor at;
	size_t i;

	for (i = 0; i < tf->nasked; i++) {
		if (tf->asked[i].offset == offset)
			return tf->asked[i].macro;
	}
	GROW(tf->asked, tf->aasked, tf->nasked + 1);
	tf->asked[tf->nasked].offset = offset;
	tf->asked[tf->nasked].macro = NULL;
	at = clang_getCursor(w->tu, clang_getLocationForOffset(w->tu, tf->file, offset));
	if (clang_getCursorKind(at) == CXCursor_MacroExpansion)
		tf->asked[tf->nasked].macro = cx_intern(w->cg, clang_getCursorSpelling(at));
	return tf->asked[tf->nasked++].macro;
}

/*
 * The macro a call is written through: the preprocessing record has a
 * macro-expansion cursor where the macro is used.  (libclang's spelling
 * location cannot tell: it maps only macro arguments, not macro bodies.)
 * In a file entered once, the expansions noted above say it without
 * asking clang for each call, which took most of the walk's time.
 */
static const char *macro_at(struct walk *w, CXFile file, unsigned int offset)
{
	struct tu_file *tf = file_get(&w->files, file);
	const struct expansion *e;

	if (tf->entries != 1 || tf->unsorted)
		return ask_clang(w, tf, offset);
	e = expansion_at(tf, offset);
	return e ? cx_intern(w->cg, clang_getCursorSpelling(e->cursor)) : NULL;
}

/*
 * __builtin_expect() and friends are the compiler's: expanded in place, or
 * lowered to a named call it chooses.  (Clang places their implicit
 * declarations at the first use, so only the name tells.)
 */
static bool is_builtin(CXCursor decl)
{
	CXString name = clang_getCursorSpelling(decl);
	bool builtin = !strncmp(clang_getCString(name), "__builtin_", 10);

	clang_disposeString(name);
	return builtin;
}

static enum CXChildVisitResult first_child(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	*(CXCursor *)data = c;
	return CXChildVisit_Break;
}

struct tramp_search {
	CXCursor found;
	bool hit;
};

/* A reference to a static-call trampoline anywhere in the callee. */
static enum CXChildVisitResult find_tramp(CXCursor c, CXCursor parent, CXClientData data)
{
	struct tramp_search *ts = data;
	CXCursor ref;
	CXString name;
	bool hit;

	(void)parent;
	if (clang_getCursorKind(c) != CXCursor_DeclRefExpr)
		return CXChildVisit_Recurse;
	ref = clang_getCursorReferenced(c);
	if (clang_getCursorKind(ref) != CXCursor_FunctionDecl)
		return CXChildVisit_Continue;
	name = clang_getCursorSpelling(ref);
	hit = !strncmp(clang_getCString(name), TRAMP_PREFIX, strlen(TRAMP_PREFIX));
	clang_disposeString(name);
	if (!hit)
		return CXChildVisit_Continue;
	ts->found = ref;
	ts->hit = true;
	return CXChildVisit_Break;
}

/* The callee as written: its tokens, spaced only between words. */
static const char *callee_text(struct walk *w, CXCursor callee)
{
	CXToken *tok;
	unsigned int i, n;
	char *buf = NULL;
	size_t len = 0, alloc = 0;
	const char *r;
	int prev_word = 0;

	clang_tokenize(w->tu, clang_getCursorExtent(callee), &tok, &n);
	for (i = 0; i < n; i++) {
		CXString s = clang_getTokenSpelling(w->tu, tok[i]);
		const char *t = clang_getCString(s);
		size_t tl = strlen(t);
		int word = isalnum((unsigned char)t[0]) || t[0] == '_';

		GROW(buf, alloc, len + tl + 2);
		if (word && prev_word)
			buf[len++] = ' ';
		memcpy(buf + len, t, tl);
		len += tl;
		prev_word = word;
		clang_disposeString(s);
	}
	clang_disposeTokens(w->tu, tok, n);
	GROW(buf, alloc, len + 1);
	buf[len] = '\0';
	r = cg_str(w->cg, buf);
	free(buf);
	return r;
}

/* Through implicit casts, parentheses, explicit casts and '&'. */
static CXCursor strip(CXCursor c)
{
	for (;;) {
		enum CXCursorKind kind = clang_getCursorKind(c);
		struct kids k;

		if (kind != CXCursor_UnexposedExpr && kind != CXCursor_ParenExpr &&
		    kind != CXCursor_CStyleCastExpr && kind != CXCursor_UnaryOperator)
			return c;
		kids_of(c, &k);
		/* Two or more children: a designated initializer, not a wrapper. */
		if (k.n == 0 || (k.n > 1 && kind != CXCursor_CStyleCastExpr))
			return c;
		c = k.c[k.n < MAX_KIDS ? k.n - 1 : MAX_KIDS - 1];
	}
}

/* The function an expression names, or a null cursor. */
static CXCursor func_of(CXCursor e)
{
	CXCursor ref;

	e = strip(e);
	if (clang_getCursorKind(e) != CXCursor_DeclRefExpr)
		return clang_getNullCursor();
	ref = clang_getCursorReferenced(e);
	return clang_getCursorKind(ref) == CXCursor_FunctionDecl ? ref : clang_getNullCursor();
}

struct member_search {
	CXCursor rec, found;
};

static enum CXVisitorResult find_member(CXCursor field, CXClientData data)
{
	struct member_search *ms = data;

	if (!clang_equalCursors(clang_getTypeDeclaration(clang_getCursorType(field)), ms->rec))
		return CXVisit_Continue;
	ms->found = field;
	return CXVisit_Break;
}

/*
 * A field's slot: "struct kvm_x86_ops.run".  A field of an unnamed struct
 * is named by the member path from the enclosing named one, since clang's
 * spelling of an unnamed type carries its absolute file path.
 */
static char *field_path(CXCursor field)
{
	CXCursor rec = clang_getCursorSemanticParent(field);
	CXString name = clang_getCursorSpelling(field);
	CXString type = clang_getTypeSpelling(clang_getCursorType(rec));
	char *path;

	if (strchr(clang_getCString(type), '(')) {
		struct member_search ms = { .rec = rec, .found = clang_getNullCursor() };
		CXCursor outer = clang_getCursorSemanticParent(rec);

		clang_Type_visitFields(clang_getCursorType(outer), find_member, &ms);
		if (!clang_Cursor_isNull(ms.found)) {
			char *up = field_path(ms.found);

			path = xasprintf("%s.%s", up, clang_getCString(name));
			free(up);
			goto out;
		}
	}
	path = xasprintf("%s.%s", clang_getCString(type), clang_getCString(name));
out:
	clang_disposeString(type);
	clang_disposeString(name);
	return path;
}

static const char *field_slot(struct walk *w, CXCursor field)
{
	char *s = field_path(field);
	const char *r = cg_str(w->cg, s);

	free(s);
	return r;
}

/* A variable outside any function: a table or a global pointer. */
static const char *var_slot(struct walk *w, CXCursor var)
{
	enum CXCursorKind parent = clang_getCursorKind(clang_getCursorSemanticParent(var));

	if (clang_getCursorKind(var) != CXCursor_VarDecl || parent == CXCursor_FunctionDecl)
		return NULL;
	return cx_intern(w->cg, clang_getCursorUSR(var));
}

/*
 * Where an expression loads a function pointer from, by the place that is
 * written to: a struct field (by type), or a table or global variable.
 */
static const char *slot_of(struct walk *w, CXCursor e)
{
	CXCursor ref;
	struct kids k;

	e = strip(e);
	switch (clang_getCursorKind(e)) {
	case CXCursor_MemberRefExpr:
		ref = clang_getCursorReferenced(e);
		return clang_getCursorKind(ref) == CXCursor_FieldDecl ? field_slot(w, ref) : NULL;
	case CXCursor_ArraySubscriptExpr:
		kids_of(e, &k);
		return k.n ? slot_of(w, k.c[0]) : NULL;
	case CXCursor_DeclRefExpr:
		return var_slot(w, clang_getCursorReferenced(e));
	default:
		return NULL;
	}
}

static void store(struct walk *w, const char *slot, CXCursor func, const char *index)
{
	struct cg_store s;

	if (!slot || clang_Cursor_isNull(func))
		return;
	s.slot = slot;
	s.index = index;
	s.func = cx_intern(w->cg, clang_getCursorUSR(func));
	s.name = cx_intern(w->cg, clang_getCursorSpelling(func));
	cg_add_store(w->cg, &s);
}

struct init_walk {
	struct walk *w;
	const char *slot;
};

static void walk_init(struct walk *w, CXCursor list, const char *slot);

/* text[from, to) with its blanks trimmed, interned. */
static const char *trimmed(struct walk *w, const char *text, size_t from, size_t to)
{
	const char *r;
	char *s;

	while (from < to && isspace((unsigned char)text[from]))
		from++;
	while (to > from && isspace((unsigned char)text[to - 1]))
		to--;
	s = xasprintf("%.*s", (int)(to - from), text + from);
	r = cg_str(w->cg, s);
	free(s);
	return r;
}

/* "[EXIT_REASON_CPUID] = fn": the text between the brackets, as written. */
static const char *designator(struct walk *w, CXCursor entry)
{
	CXSourceLocation at = clang_getRangeStart(clang_getCursorExtent(entry));
	const char *text, *end;
	unsigned int off;
	size_t size;
	CXFile file;

	clang_getExpansionLocation(at, &file, NULL, NULL, &off);
	text = file ? flow_file_text(w->tu, file, &size) : NULL;
	if (!text || off >= size || text[off] != '[')
		return NULL;
	end = memchr(text + off, ']', size - off);
	if (!end)
		return NULL;
	return trimmed(w, text, off + 1, end - text);
}

/*
 * One entry of an initializer list: ".field = fn" stores fn in the field,
 * "[i] = fn" and a plain "fn" in the table being initialized (if any); the
 * designator is kept as written, "EXIT_REASON_CPUID", to name exit reasons.
 */
static enum CXChildVisitResult init_entry(CXCursor e, CXCursor parent, CXClientData data)
{
	struct init_walk *iw = data;
	const char *to = iw->slot, *index = NULL;
	struct kids d;
	unsigned int j;

	(void)parent;
	if (clang_getCursorKind(e) == CXCursor_UnexposedExpr) {
		kids_of(e, &d);
		if (d.n > 1 && d.n <= MAX_KIDS) {
			for (j = 0; j + 1 < d.n; j++) {
				if (clang_getCursorKind(d.c[j]) == CXCursor_MemberRef)
					to = field_slot(iw->w, clang_getCursorReferenced(d.c[j]));
				else if (d.n == 2 && clang_isExpression(clang_getCursorKind(d.c[j])))
					index = designator(iw->w, e);
			}
			e = d.c[d.n - 1];
		}
	}
	if (clang_getCursorKind(strip(e)) == CXCursor_InitListExpr)
		walk_init(iw->w, strip(e), NULL);
	else
		store(iw->w, to, func_of(e), to == iw->slot ? index : NULL);
	return CXChildVisit_Continue;
}

static void walk_init(struct walk *w, CXCursor list, const char *slot)
{
	struct init_walk iw = { .w = w, .slot = slot };

	clang_visitChildren(list, init_entry, &iw);
}

/* A variable's initializer: a table, an ops structure or a pointer. */
static enum CXChildVisitResult var_init(CXCursor e, CXCursor parent, CXClientData data)
{
	struct init_walk *iw = data;

	(void)parent;
	if (clang_getCursorKind(e) == CXCursor_InitListExpr)
		walk_init(iw->w, e, iw->slot);
	else if (clang_isExpression(clang_getCursorKind(e)))
		store(iw->w, iw->slot, func_of(e), NULL);
	return CXChildVisit_Continue;
}

/* "lhs = fn": the operator is the first token after the left-hand side. */
static bool is_assignment(struct walk *w, CXCursor binop, CXCursor lhs)
{
	unsigned int lhs_end, i, n, off;
	bool assign = false;
	CXToken *tok;

	clang_getExpansionLocation(clang_getRangeEnd(clang_getCursorExtent(lhs)), NULL, NULL,
				   NULL, &lhs_end);
	clang_tokenize(w->tu, clang_getCursorExtent(binop), &tok, &n);
	for (i = 0; i < n; i++) {
		clang_getExpansionLocation(clang_getTokenLocation(w->tu, tok[i]), NULL, NULL,
					   NULL, &off);
		if (off >= lhs_end) {
			CXString s = clang_getTokenSpelling(w->tu, tok[i]);

			assign = !strcmp(clang_getCString(s), "=");
			clang_disposeString(s);
			break;
		}
	}
	clang_disposeTokens(w->tu, tok, n);
	return assign;
}

static bool is_func_pointer(CXCursor e)
{
	CXType t = clang_getCanonicalType(clang_getCursorType(e));

	if (t.kind != CXType_Pointer)
		return false;
	t = clang_getCanonicalType(clang_getPointeeType(t));
	return t.kind == CXType_FunctionProto || t.kind == CXType_FunctionNoProto;
}

/*
 * A function's parameter as a slot, "param:<function USR>#<n>".  What a
 * function stores in a table it is given, as nested_vmx_hardware_setup()
 * does in its exit_handlers[] argument, reaches the table its callers pass
 * (record_table_args()).
 */
static const char *param_slot(struct walk *w, CXCursor parm)
{
	CXCursor fn = clang_getCursorSemanticParent(parm);
	int i, n = clang_Cursor_getNumArguments(fn);

	for (i = 0; i < n; i++) {
		if (clang_equalCursors(clang_Cursor_getArgument(fn, i), parm)) {
			CXString usr = clang_getCursorUSR(fn);
			char *s = xasprintf("param:%s#%d", clang_getCString(usr), i);
			const char *r = cg_str(w->cg, s);

			free(s);
			clang_disposeString(usr);
			return r;
		}
	}
	return NULL;
}

/* The source text of an expression, as written, its blanks trimmed. */
static const char *expr_text(struct walk *w, CXCursor e)
{
	CXSourceRange r = clang_getCursorExtent(e);
	unsigned int from, to;
	const char *text;
	size_t size;
	CXFile file, file2;

	clang_getExpansionLocation(clang_getRangeStart(r), &file, NULL, NULL, &from);
	clang_getExpansionLocation(clang_getRangeEnd(r), &file2, NULL, NULL, &to);
	text = file ? flow_file_text(w->tu, file, &size) : NULL;
	if (!text || file2 != file || from >= to || to > size)
		return NULL;
	return trimmed(w, text, from, to);
}

/*
 * "slot = fn" stores fn; "slot = other_slot" copies what other_slot holds,
 * as the emulator's "ctxt->execute = opcode.u.execute".  "table[i] = fn"
 * keeps i as written, as a table's initializer does, and a table may be a
 * parameter.
 */
static void record_assignment(struct walk *w, CXCursor binop)
{
	const char *slot, *from, *index = NULL;
	CXCursor func, lhs;
	struct kids k, sub;

	kids_of(binop, &k);
	if (k.n != 2 || !is_func_pointer(k.c[0]))
		return;
	lhs = strip(k.c[0]);
	slot = slot_of(w, lhs);
	if (clang_getCursorKind(lhs) == CXCursor_ArraySubscriptExpr) {
		kids_of(lhs, &sub);
		if (sub.n == 2) {
			CXCursor base = strip(sub.c[0]);

			index = expr_text(w, sub.c[1]);
			if (!slot && clang_getCursorKind(base) == CXCursor_DeclRefExpr &&
			    clang_getCursorKind(clang_getCursorReferenced(base)) == CXCursor_ParmDecl)
				slot = param_slot(w, clang_getCursorReferenced(base));
		}
	}
	if (!slot || !is_assignment(w, binop, k.c[0]))
		return;
	func = func_of(k.c[1]);
	if (!clang_Cursor_isNull(func)) {
		store(w, slot, func, index);
	} else if ((from = slot_of(w, k.c[1])) && from != slot) {
		struct cg_update u = { .key = slot, .slot = from };

		cg_add_update(w->cg, &u);
	}
}

/* An array of function pointers: an exit-handler table. */
static bool is_func_table(CXType t)
{
	t = clang_getCanonicalType(t);
	if (t.kind != CXType_ConstantArray && t.kind != CXType_IncompleteArray)
		return false;
	t = clang_getCanonicalType(clang_getArrayElementType(t));
	if (t.kind != CXType_Pointer)
		return false;
	t = clang_getCanonicalType(clang_getPointeeType(t));
	return t.kind == CXType_FunctionProto || t.kind == CXType_FunctionNoProto;
}

/*
 * fn(table): what fn stores through that parameter lands in the table, so
 * the parameter's slot flows into the table's.
 */
static void record_table_args(struct walk *w, CXCursor call, CXCursor fn)
{
	int i, n = clang_Cursor_getNumArguments(call);

	for (i = 0; i < n && i < clang_Cursor_getNumArguments(fn); i++) {
		CXCursor arg = strip(clang_Cursor_getArgument(call, i)), var;
		struct cg_update u;

		if (clang_getCursorKind(arg) != CXCursor_DeclRefExpr)
			continue;
		var = clang_getCursorReferenced(arg);
		if (!is_func_table(clang_getCursorType(var)) || !(u.key = var_slot(w, var)))
			continue;
		u.slot = param_slot(w, clang_Cursor_getArgument(fn, i));
		if (u.slot)
			cg_add_update(w->cg, &u);
	}
}

/* The value a local was initialized with: static_call_update()'s __F. */
static CXCursor init_of(CXCursor var)
{
	struct kids k;

	kids_of(var, &k);
	return k.n && k.n <= MAX_KIDS ? k.c[k.n - 1] : clang_getNullCursor();
}

/*
 * __static_call_update(&key, &tramp, func), which static_call_update()
 * expands to (include/linux/static_call.h): the trampoline names the key,
 * the value is a function or an ops structure's field.
 */
static void record_update(struct walk *w, CXCursor call)
{
	struct tramp_search ts = { .hit = false };
	CXCursor value, ref;
	const char *key;
	char *direct;

	if (clang_Cursor_getNumArguments(call) != 3)
		return;
	clang_visitChildren(clang_Cursor_getArgument(call, 1), find_tramp, &ts);
	if (!ts.hit)
		return;
	key = cx_intern(w->cg, clang_getCursorSpelling(ts.found)) + strlen(TRAMP_PREFIX);
	key = cg_str(w->cg, key);
	value = strip(clang_Cursor_getArgument(call, 2));
	if (clang_getCursorKind(value) == CXCursor_DeclRefExpr) {
		ref = clang_getCursorReferenced(value);
		if (clang_getCursorKind(ref) == CXCursor_VarDecl && !var_slot(w, ref))
			value = strip(init_of(ref));
	}
	direct = xasprintf("static_call:%s", key);
	if (!clang_Cursor_isNull(func_of(value))) {
		store(w, cg_str(w->cg, direct), func_of(value), NULL);
	} else if (slot_of(w, value)) {
		struct cg_update u = { .key = cg_str(w->cg, direct), .slot = slot_of(w, value) };

		cg_add_update(w->cg, &u);
	}
	free(direct);
}

struct generic_pick {
	CXType type;		/* the selection's type: its result's */
	CXCursor found;
	unsigned int n;
};

static enum CXChildVisitResult pick_assoc(CXCursor c, CXCursor parent, CXClientData data)
{
	struct generic_pick *gp = data;
	CXCursor ref;

	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_UnexposedExpr)
		return CXChildVisit_Recurse;
	if (clang_getCursorKind(c) != CXCursor_DeclRefExpr)
		return CXChildVisit_Continue;
	ref = clang_getCursorReferenced(c);
	if (clang_getCursorKind(ref) == CXCursor_FunctionDecl &&
	    clang_equalTypes(clang_getCanonicalType(clang_getCursorType(ref)), gp->type)) {
		gp->found = ref;
		gp->n++;
	}
	return CXChildVisit_Continue;
}

/*
 * A callee that is a _Generic selection of functions, as seqlock.h's
 * __seqprop() is: the function chosen, found as the one association whose
 * type is the selection's (libclang does not say which one was chosen).
 */
static CXCursor generic_callee(CXCursor callee)
{
	struct generic_pick gp = { .n = 0 };

	while (clang_getCursorKind(callee) == CXCursor_UnexposedExpr ||
	       clang_getCursorKind(callee) == CXCursor_ParenExpr) {
		CXCursor kid = clang_getNullCursor();

		clang_visitChildren(callee, first_child, &kid);
		if (clang_Cursor_isNull(kid))
			break;
		callee = kid;
	}
	if (clang_getCursorKind(callee) != CXCursor_GenericSelectionExpr)
		return clang_getNullCursor();
	gp.type = clang_getCanonicalType(clang_getCursorType(callee));
	clang_visitChildren(callee, pick_assoc, &gp);
	return gp.n == 1 ? gp.found : clang_getNullCursor();
}

/* A condition nothing can decide: "?" on the list. */
static bool opaque(const char *entry)
{
	size_t n = strlen(entry);

	return n >= 2 && !strcmp(entry + n - 2, ":?");
}

/*
 * The conditions since the loop's body began, outermost first, interned.
 * A condition nothing decides is on the list too, as "?", so that the two
 * sides of an if can be told apart; a call's scope (all false) leaves those
 * out, its base has them.
 */
static struct cg_scope scope_of(struct walk *w, const struct flow *fl, bool all)
{
	struct cg_scope sc = { .loop = fl->loop, .base = fl->base };
	const struct fcond *f;
	size_t len = 0;
	char *s, *end;

	for (f = fl->conds; f; f = f->next) {
		if (all || !opaque(f->entry))
			len += strlen(f->entry) + 1;
	}
	if (!len)
		return sc;
	s = xmalloc(len);
	end = s + len - 1;
	*end = '\0';
	for (f = fl->conds; f; f = f->next) {
		size_t n = strlen(f->entry);

		if (!all && opaque(f->entry))
			continue;
		end -= n;
		memcpy(end, f->entry, n);
		if (end > s)
			*--end = ';';
	}
	sc.conds = cg_str(w->cg, s);
	free(s);
	return sc;
}

/* A constant, a term, or "?": an argument of a write, as struct cg_write has it. */
static const char *value_text(struct walk *w, CXCursor e)
{
	long long v;
	char buf[32], *t;
	const char *r;

	if (flow_value(e, &v)) {
		snprintf(buf, sizeof(buf), "%lld", v);
		return cg_str(w->cg, buf);
	}
	if (!(t = flow_term(e, true)))
		return cg_str(w->cg, "?");
	r = cg_str(w->cg, t);
	free(t);
	return r;
}

/*
 * A constant's name as written, when it is one identifier: a macro.  A
 * macro's argument is read where it is written (clang_getFileLocation()).
 */
static const char *const_name(struct walk *w, CXCursor e)
{
	CXSourceRange r = clang_getCursorExtent(e);
	unsigned int from, to;
	CXFile file, file2;
	const char *t = NULL, *text;
	size_t i, size;

	clang_getFileLocation(clang_getRangeStart(r), &file, NULL, NULL, &from);
	clang_getFileLocation(clang_getRangeEnd(r), &file2, NULL, NULL, &to);
	text = file ? flow_file_text(w->tu, file, &size) : NULL;
	if (text && clang_File_isEqual(file, file2) && from < to && to <= size && to - from < 64)
		t = trimmed(w, text, from, to);
	if (!t || !(isalpha((unsigned char)*t) || *t == '_'))
		return NULL;
	for (i = 0; t[i]; i++) {
		if (!isalnum((unsigned char)t[i]) && t[i] != '_')
			return NULL;
	}
	return t;
}

static void add_write(struct walk *w, CXCursor at, const struct flow *fl, const char *op,
		      char *dst, CXCursor a, CXCursor b)
{
	struct cg_write wr = { .func = w->func, .op = op, .in = scope_of(w, fl, true) };

	wr.file = where(w, clang_getCursorLocation(at), &wr.line, &wr.col, NULL, NULL);
	if (!wr.file || !dst) {
		free(dst);
		return;
	}
	wr.dst = cg_str(w->cg, dst);
	free(dst);
	if (!clang_Cursor_isNull(a)) {
		wr.a = value_text(w, a);
		if (isdigit((unsigned char)*wr.a) || *wr.a == '-')
			wr.a_name = const_name(w, a);
	}
	if (!clang_Cursor_isNull(b))
		wr.b = value_text(w, b);
	cg_add_write(w->cg, &wr);
}

/* What a bitmap operation writes, by its arguments: dst, then a and b. */
static const struct {
	const char *name, *op;
	int dst, a, b;		/* argument numbers; -1: none */
} bitmap_ops[] = {
	{ "bitmap_zero", "zero", 0, -1, -1 },	{ "bitmap_fill", "fill", 0, -1, -1 },
	{ "bitmap_set", "set", 0, 1, 2 },	{ "bitmap_clear", "clear", 0, 1, 2 },
	{ "bitmap_copy", "copy", 0, 1, -1 },	{ "bitmap_and", "and", 0, 1, 2 },
	{ "bitmap_or", "or", 0, 1, 2 },		{ "bitmap_andnot", "andnot", 0, 1, 2 },
	{ "__set_bit", "setbit", 1, 0, -1 },	{ "set_bit", "setbit", 1, 0, -1 },
	{ "__clear_bit", "clearbit", 1, 0, -1 }, { "clear_bit", "clearbit", 1, 0, -1 },
};

static CXCursor arg(CXCursor call, int i)
{
	return i < 0 || i >= clang_Cursor_getNumArguments(call) ? clang_getNullCursor()
								: clang_Cursor_getArgument(call, i);
}

/* bitmap_set(pmu->all_valid_pmc_idx, 0, n), memset(pmu, 0, sizeof(*pmu)), ... */
static void record_write_call(struct walk *w, CXCursor call, const char *name,
			      const struct flow *fl)
{
	long long v;
	size_t i;

	if (!strcmp(name, "memset") || !strcmp(name, "__memset") ||
	    !strcmp(name, "__builtin_memset")) {
		char *tag, *all;
		CXCursor p = arg(call, 0);

		if (clang_Cursor_isNull(p) || !flow_value(arg(call, 1), &v) || v)
			return;
		tag = flow_struct_of(p);
		all = tag ? xasprintf("%s->*", tag) : NULL;
		free(tag);
		add_write(w, call, fl, "zero", all, clang_getNullCursor(), clang_getNullCursor());
		return;
	}
	for (i = 0; i < sizeof(bitmap_ops) / sizeof(*bitmap_ops); i++) {
		if (strcmp(name, bitmap_ops[i].name))
			continue;
		if (clang_Cursor_isNull(arg(call, bitmap_ops[i].dst)))
			return;
		add_write(w, call, fl, bitmap_ops[i].op, flow_term(arg(call, bitmap_ops[i].dst), true),
			  arg(call, bitmap_ops[i].a), arg(call, bitmap_ops[i].b));
		return;
	}
}

static void record_call(struct walk *w, CXCursor call, const struct flow *fl)
{
	struct cg_call c = { .caller = w->func, .kind = CALL_INDIRECT, .when = fl->when,
			     .guard = fl->guard };
	CXSourceLocation loc = clang_getCursorLocation(call);
	CXCursor callee = clang_getNullCursor(), ref;
	struct tramp_search ts = { .hit = false };
	unsigned int offset;
	CXFile file;

	c.file = where(w, loc, &c.line, &c.col, &offset, &file);
	if (!c.file)
		return;
	c.in = scope_of(w, fl, false);
	c.macro = macro_at(w, file, offset);
	clang_visitChildren(call, first_child, &callee);

	ref = clang_getCursorReferenced(call);
	if (clang_Cursor_isNull(ref) && !clang_Cursor_isNull(callee)) {
		CXCursor picked = generic_callee(callee);

		if (!clang_Cursor_isNull(picked))
			ref = picked;
	}
	if (clang_getCursorKind(ref) == CXCursor_FunctionDecl) {
		CXString name = clang_getCursorSpelling(ref);

		record_write_call(w, call, clang_getCString(name), fl);
		clang_disposeString(name);
	}
	if (clang_getCursorKind(ref) == CXCursor_FunctionDecl && is_builtin(ref))
		return;
	if (clang_getCursorKind(ref) == CXCursor_FunctionDecl) {
		CXString name = clang_getCursorSpelling(ref);
		bool tramp = !strncmp(clang_getCString(name), TRAMP_PREFIX,
				      strlen(TRAMP_PREFIX));

		clang_disposeString(name);
		if (!tramp) {
			CXCursor def = clang_getCursorDefinition(ref);

			c.kind = CALL_DIRECT;
			c.callee = cx_intern(w->cg, clang_getCursorUSR(ref));
			c.callee_name = cx_intern(w->cg, clang_getCursorSpelling(ref));
			c.callee_inline = clang_Cursor_isFunctionInlined(
				clang_Cursor_isNull(def) ? ref : def);
			cg_add_call(w->cg, &c);
			if (!strcmp(c.callee_name, "__static_call_update"))
				record_update(w, call);
			else
				record_table_args(w, call, ref);
			return;
		}
		ts.found = ref;
		ts.hit = true;
	} else if (!clang_Cursor_isNull(callee)) {
		clang_visitChildren(callee, find_tramp, &ts);
	}

	if (ts.hit) {
		const char *tramp = cx_intern(w->cg, clang_getCursorSpelling(ts.found));

		c.kind = CALL_STATIC;
		c.callee_name = tramp;
		c.via = cg_str(w->cg, tramp + strlen(TRAMP_PREFIX));
	} else {
		if (c.macro && !strncmp(c.macro, "INDIRECT_CALL_", 14))
			c.kind = CALL_WRAPPER;
		if (!clang_Cursor_isNull(callee)) {
			c.via = callee_text(w, callee);
			c.slot = slot_of(w, callee);
		}
		if (clang_getCursorKind(ref) == CXCursor_FieldDecl)
			c.field = field_slot(w, ref);
	}
	cg_add_call(w->cg, &c);
}

/*
 * The body is walked with the flow each statement runs under, so every call
 * knows whether its function's cheapest path takes it (enum call_when) and
 * whether a condition on enable_pmu guards it.
 */
static void walk_node(struct walk *w, CXCursor c, struct flow fl);

static struct flow nested(struct flow fl, enum call_when when)
{
	if (when > fl.when)
		fl.when = when;
	if (when > fl.base)
		fl.base = when;
	return fl;
}

/*
 * The flow of an if's then side (taken) or else side (!taken).  What the
 * condition says goes on the list a scenario decides when a term, a
 * constant or a feature is in it, else into the when nothing can change.
 */
static struct flow branch(struct walk *w, CXCursor cond, struct flow fl, bool taken,
			  const char *how)
{
	int expect = flow_expect(w->tu, cond);
	enum call_when when = expect < 0 ? WHEN_COND :
			      expect == taken ? WHEN_LIKELY : WHEN_UNLIKELY;
	/* After an early return the text is the return's condition. */
	bool ret = !strcmp(how, "ret");
	char *text = flow_cond(w->tu, cond, ret ? !taken : taken);

	struct fcond *f = xmalloc(sizeof(*f));
	unsigned int line = 0;
	char *entry;

	if (when > fl.when)
		fl.when = when;
	if (!text && when > fl.base)
		fl.base = when;
	where(w, clang_getCursorLocation(cond), &line, NULL, NULL, NULL);
	entry = xasprintf("%s:%u:%s:%s", cg_when_name(when), line, how, text ? text : "?");
	f->entry = cg_str(w->cg, entry);
	f->next = fl.conds;
	free(entry);
	free(text);
	GROW(w->fc, w->afc, w->nfc + 1);
	w->fc[w->nfc++] = f;
	fl.conds = f;
	if (taken ? flow_needs_guard(w->tu, cond) : flow_guard_off(w->tu, cond))
		fl.guard = FLOW_GUARD;
	return fl;
}

struct kid_walk {
	struct walk *w;
	struct flow fl;
};

static enum CXChildVisitResult kid(CXCursor c, CXCursor parent, CXClientData data)
{
	struct kid_walk *kw = data;

	(void)parent;
	walk_node(kw->w, c, kw->fl);
	return CXChildVisit_Continue;
}

static void walk_kids(struct walk *w, CXCursor c, struct flow fl)
{
	struct kid_walk kw = { w, fl };

	clang_visitChildren(c, kid, &kw);
}

/*
 * A block, statement by statement: after "if (c) return;" the rest runs on
 * the side c does not expect; a label may be jumped to, so from it on the
 * block's own flow holds again.
 */
struct block_walk {
	struct walk *w;
	struct flow entry, fl;
};

static enum CXChildVisitResult block_stmt(CXCursor c, CXCursor parent, CXClientData data)
{
	struct block_walk *bw = data;
	struct kids k;

	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_LabelStmt)
		bw->fl = bw->entry;
	walk_node(bw->w, c, bw->fl);
	if (clang_getCursorKind(c) != CXCursor_IfStmt)
		return CXChildVisit_Continue;
	kids_of(c, &k);
	if (k.n == 2 && flow_exits(k.c[1]))
		bw->fl = branch(bw->w, k.c[0], bw->fl, false, "ret");
	else if (k.n == 3 && flow_exits(k.c[1]) && !flow_exits(k.c[2]))
		bw->fl = branch(bw->w, k.c[0], bw->fl, false, "ret");
	else if (k.n == 3 && flow_exits(k.c[2]) && !flow_exits(k.c[1]))
		bw->fl = branch(bw->w, k.c[0], bw->fl, true, "ret");
	return CXChildVisit_Continue;
}

struct bit_search {
	CXCursor found;
};

/* find_first_bit(), find_next_bit() and the like, in a loop's head. */
static enum CXChildVisitResult find_bit_call(CXCursor c, CXCursor parent, CXClientData data)
{
	struct bit_search *bs = data;
	CXString name;
	const char *n;
	bool hit;

	(void)parent;
	if (clang_getCursorKind(c) != CXCursor_CallExpr)
		return CXChildVisit_Recurse;
	name = clang_getCursorSpelling(c);
	n = clang_getCString(name);
	n += strspn(n, "_");
	hit = !strncmp(n, "find_", 5) && strstr(n, "_bit") && clang_Cursor_getNumArguments(c) >= 2;
	clang_disposeString(name);
	if (!hit)
		return CXChildVisit_Recurse;
	bs->found = c;
	return CXChildVisit_Break;
}

/* The local variable an expression names, or a null cursor. */
static CXCursor local_of(CXCursor e)
{
	CXCursor ref;

	e = strip(e);
	if (clang_getCursorKind(e) != CXCursor_DeclRefExpr)
		return clang_getNullCursor();
	ref = clang_getCursorReferenced(e);
	return clang_getCursorKind(ref) == CXCursor_VarDecl ? ref : clang_getNullCursor();
}

/* for (i = start; ...) or for (int i = start; ...): start, for the variable. */
static bool loop_start(struct walk *w, CXCursor init, CXCursor var, long long *start)
{
	char op[8];
	struct kids k;

	if (clang_getCursorKind(init) == CXCursor_DeclStmt) {
		kids_of(init, &k);
		if (k.n != 1 || !clang_equalCursors(k.c[0], var))
			return false;
		return flow_value(init_of(k.c[0]), start);
	}
	if (clang_getCursorKind(init) != CXCursor_BinaryOperator ||
	    !flow_binop(w->tu, init, op, sizeof(op)) || strcmp(op, "="))
		return false;
	kids_of(init, &k);
	return k.n == 2 && clang_equalCursors(local_of(k.c[0]), var) && flow_value(k.c[1], start);
}

/* What decides how often a for loop's body runs (struct cg_loop). */
static void classify_loop(struct walk *w, const struct kids *k, struct cg_loop *l)
{
	struct bit_search bs = { clang_getNullCursor() };
	CXCursor cond, var;
	struct kids c;
	char op[8], *t;
	long long v;

	l->kind = "other";
	if (k->n != 4)
		return;
	clang_visitChildren(k->c[0], find_bit_call, &bs);
	if (clang_Cursor_isNull(bs.found))
		clang_visitChildren(k->c[1], find_bit_call, &bs);
	if (!clang_Cursor_isNull(bs.found)) {
		t = flow_term(clang_Cursor_getArgument(bs.found, 0), true);
		if (!t)
			return;
		l->kind = "bits";
		l->over = cg_str(w->cg, t);
		free(t);
		if (flow_value(clang_Cursor_getArgument(bs.found, 1), &v) && v > 0) {
			l->bound = v;
			l->bound_name = const_name(w, clang_Cursor_getArgument(bs.found, 1));
		}
		return;
	}
	cond = strip(k->c[1]);
	if (clang_getCursorKind(cond) != CXCursor_BinaryOperator ||
	    !flow_binop(w->tu, cond, op, sizeof(op)) ||
	    (strcmp(op, "<") && strcmp(op, "<=") && strcmp(op, "!=")))
		return;
	kids_of(cond, &c);
	if (c.n != 2 || clang_Cursor_isNull(var = local_of(c.c[0])) ||
	    !loop_start(w, k->c[0], var, &l->start))
		return;
	if (!strcmp(op, "<="))
		l->start--;
	if (flow_value(c.c[1], &v)) {
		l->kind = "count";
		l->bound = v;
		l->bound_name = const_name(w, c.c[1]);
	} else if ((t = flow_term(c.c[1], false))) {
		l->kind = "count";
		l->over = cg_str(w->cg, t);
		free(t);
	}
}

/*
 * A loop: the condition always runs, the body (last child) maybe not.  A
 * for or while loop is recorded (struct cg_loop); its body and its step
 * run once per iteration, in a scope of their own.
 */
static void walk_loop(struct walk *w, CXCursor c, struct flow fl, bool body_first)
{
	struct flow iter;
	struct kids k;
	unsigned int i;

	kids_of(c, &k);
	if (k.n > MAX_KIDS)
		return walk_kids(w, c, nested(fl, WHEN_COND));
	if (body_first) {
		for (i = 0; i < k.n; i++)
			walk_node(w, k.c[i], i == 0 ? nested(fl, WHEN_ALWAYS) : fl);
		return;
	}
	iter = nested(fl, WHEN_COND);
	iter.loop = ++w->nloop;
	iter.base = WHEN_ALWAYS;
	iter.conds = NULL;
	{
		struct cg_loop l = { .func = w->func, .num = iter.loop, .in = scope_of(w, &fl, true) };

		l.file = where(w, clang_getCursorLocation(c), &l.line, &l.col, NULL, NULL);
		if (clang_getCursorKind(c) == CXCursor_ForStmt)
			classify_loop(w, &k, &l);
		else
			l.kind = "other";
		if (l.file)
			cg_add_loop(w->cg, &l);
	}
	for (i = 0; i < k.n; i++) {
		/*
		 * for (init; cond; step) body, while (cond) body: init and
		 * the first test of cond run once, on the function's path (a
		 * condition's calls are charged once); step and body run per
		 * iteration.
		 */
		bool once = i + 1 < k.n && (clang_getCursorKind(c) == CXCursor_WhileStmt ||
					    (k.n == 4 && i < 2));

		walk_node(w, k.c[i], once ? fl : iter);
	}
}

/* "pmu->nr_arch_gp_counters = AMD64_NUM_COUNTERS_CORE": a field or global of a scalar type. */
static void record_write_assign(struct walk *w, CXCursor binop, const struct flow *fl)
{
	char op[8];
	struct kids k;
	CXType t;

	kids_of(binop, &k);
	if (k.n != 2)
		return;
	t = clang_getCanonicalType(clang_getCursorType(k.c[0]));
	if (t.kind != CXType_Bool && t.kind != CXType_Int && t.kind != CXType_UInt &&
	    t.kind != CXType_UChar && t.kind != CXType_UShort && t.kind != CXType_ULong &&
	    t.kind != CXType_ULongLong && t.kind != CXType_Long && t.kind != CXType_LongLong &&
	    t.kind != CXType_Short && t.kind != CXType_SChar && t.kind != CXType_Char_S &&
	    t.kind != CXType_Char_U && t.kind != CXType_Enum)
		return;
	if (!flow_binop(w->tu, binop, op, sizeof(op)) || strcmp(op, "="))
		return;
	add_write(w, binop, fl, "assign", flow_term(k.c[0], false), k.c[1], clang_getNullCursor());
}

static void walk_node(struct walk *w, CXCursor c, struct flow fl)
{
	struct kids k;
	unsigned int i;

	switch (clang_getCursorKind(c)) {
	case CXCursor_CallExpr:
		record_call(w, c, &fl);
		break;
	case CXCursor_BinaryOperator:
		record_assignment(w, c);
		record_write_assign(w, c, &fl);
		switch (flow_op(w->tu, c)) {
		case OP_AND:
		case OP_OR:
			kids_of(c, &k);
			if (k.n != 2)
				break;
			walk_node(w, k.c[0], fl);
			walk_node(w, k.c[1], branch(w, k.c[0], fl, flow_op(w->tu, c) == OP_AND,
						    flow_op(w->tu, c) == OP_AND ? "and" : "or"));
			return;
		default:
			break;
		}
		break;
	case CXCursor_CompoundStmt: {
		struct block_walk bw = { w, fl, fl };

		clang_visitChildren(c, block_stmt, &bw);
		return;
	}
	case CXCursor_IfStmt:
	case CXCursor_ConditionalOperator:
		kids_of(c, &k);
		if (k.n < 2 || k.n > 3)
			break;
		walk_node(w, k.c[0], fl);
		walk_node(w, k.c[1], branch(w, k.c[0], fl, true, "if"));
		if (k.n == 3)
			walk_node(w, k.c[2], branch(w, k.c[0], fl, false, "else"));
		return;
	case CXCursor_ForStmt:
	case CXCursor_WhileStmt:
		return walk_loop(w, c, fl, false);
	case CXCursor_DoStmt:
		return walk_loop(w, c, fl, true);
	case CXCursor_SwitchStmt:
		kids_of(c, &k);
		for (i = 0; i < k.n && i < MAX_KIDS; i++)
			walk_node(w, k.c[i], i + 1 == k.n ? nested(fl, WHEN_COND) : fl);
		return;
	default:
		break;
	}
	walk_kids(w, c, fl);
}

/*
 * A function whose body is one "return COND;" of something a scenario can
 * decide: kvm_pmu_has_perf_global_ctrl() is "kvm_pmu->version > 1".
 */
static const char *predicate(struct walk *w, CXCursor fn)
{
	CXCursor body = clang_getNullCursor();
	const char *r = NULL;
	struct kids k;
	char *text;

	kids_of(fn, &k);
	if (k.n && k.n <= MAX_KIDS && clang_getCursorKind(k.c[k.n - 1]) == CXCursor_CompoundStmt)
		body = k.c[k.n - 1];
	if (clang_Cursor_isNull(body))
		return NULL;
	kids_of(body, &k);
	if (k.n != 1 || clang_getCursorKind(k.c[0]) != CXCursor_ReturnStmt)
		return NULL;
	kids_of(k.c[0], &k);
	if (k.n != 1 || !(text = flow_cond(w->tu, k.c[0], true)))
		return NULL;
	r = cg_str(w->cg, text);
	free(text);
	return r;
}

/* A global scalar and its constant initializer (0 without one). */
static void record_global(struct walk *w, CXCursor var, const char *file, unsigned int line)
{
	struct cg_global g = { .file = file, .line = line };
	CXType t = clang_getCanonicalType(clang_getCursorType(var));
	CXCursor init;

	if (t.kind != CXType_Bool && t.kind != CXType_Int && t.kind != CXType_UInt &&
	    t.kind != CXType_Enum)
		return;
	init = init_of(var);
	if (!clang_Cursor_isNull(init) && clang_isExpression(clang_getCursorKind(init)) &&
	    !flow_value(init, &g.value))
		return;
	g.name = cx_intern(w->cg, clang_getCursorSpelling(var));
	cg_add_global(w->cg, &g);
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData data)
{
	struct walk *w = data;
	struct cg_func f = { 0 };
	const char *file;
	unsigned int col;

	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_VarDecl && clang_isCursorDefinition(c)) {
		struct init_walk iw = { .w = w };

		file = where(w, clang_getCursorLocation(c), &f.line, &col, NULL, NULL);
		if (in_scope(w, file)) {
			iw.slot = var_slot(w, c);
			clang_visitChildren(c, var_init, &iw);
			record_global(w, c, file, f.line);
		}
		return CXChildVisit_Continue;
	}
	if (clang_getCursorKind(c) != CXCursor_FunctionDecl || !clang_isCursorDefinition(c))
		return CXChildVisit_Continue;
	file = where(w, clang_getCursorLocation(c), &f.line, &col, NULL, NULL);
	if (!in_scope(w, file))
		return CXChildVisit_Continue;
	f.usr = cx_intern(w->cg, clang_getCursorUSR(c));
	f.name = cx_intern(w->cg, clang_getCursorSpelling(c));
	f.file = file;
	f.is_inline = clang_Cursor_isFunctionInlined(c);
	f.is_static = clang_Cursor_getStorageClass(c) == CX_SC_Static;
	f.returns = predicate(w, c);
	/* A header's inline function: its calls come once, from its first TU. */
	if (!cg_add_func(w->cg, &f))
		return CXChildVisit_Continue;
	w->func = f.usr;
	w->nloop = 0;
	walk_kids(w, c, (struct flow){ .when = WHEN_ALWAYS });
	w->func = NULL;
	while (w->nfc)
		free(w->fc[--w->nfc]);
	return CXChildVisit_Continue;
}

/* Count errors; the first, as clang formats it, is kept or printed. */
static int report_errors(CXTranslationUnit tu, const char *file, struct tu_result *res)
{
	unsigned int i, n = clang_getNumDiagnostics(tu);
	int errors = 0;

	for (i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(tu, i);

		if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
			if (!errors++) {
				CXString s = clang_formatDiagnostic(d,
					clang_defaultDiagnosticDisplayOptions());

				if (res)
					res->first_error = xasprintf("%s: %s", file,
								     clang_getCString(s));
				else
					error("%s: %s", file, clang_getCString(s));
				clang_disposeString(s);
			}
		}
		clang_disposeDiagnostic(d);
	}
	return errors;
}

void tu_result_free(struct tu_result *res)
{
	size_t i;

	for (i = 0; i < res->ndeps; i++)
		free(res->deps[i]);
	free(res->deps);
	free(res->first_error);
	memset(res, 0, sizeof(*res));
}

int tu_parse(CXIndex index, const struct cdb_cmd *cmd, const struct tu_opts *opts,
	     struct cg *cg, struct tu_result *res)
{
	struct walk w = { .cg = cg, .opts = opts, .srclen = strlen(opts->srctree), .res = res };
	const char **argv = xcalloc((size_t)cmd->argc + 4, sizeof(*argv));
	enum CXErrorCode err;
	int argc = 0, i, errors;

	/*
	 * Kbuild's -I paths are relative to the build folder; its -W options
	 * are gcc's, and clang would print a line for each it does not know.
	 */
	argv[argc++] = cmd->argv[0];
	argv[argc++] = "-working-directory";
	argv[argc++] = cmd->dir;
	for (i = 1; i < cmd->argc; i++)
		argv[argc++] = cmd->argv[i];
	argv[argc++] = "-Wno-unknown-warning-option";
	err = clang_parseTranslationUnit2FullArgv(index, NULL, argv, argc, NULL, 0,
						  CXTranslationUnit_KeepGoing |
						  CXTranslationUnit_DetailedPreprocessingRecord,
						  &w.tu);
	free(argv);
	if (err != CXError_Success || !w.tu) {
		if (res) {
			res->errors = -1;
			res->first_error = xasprintf("%s: libclang could not parse it (error %d)",
						     cmd->file, (int)err);
		} else {
			error("%s: libclang could not parse it (error %d)", cmd->file, (int)err);
		}
		return -1;
	}
	errors = report_errors(w.tu, cmd->file, res);
	if (res)
		res->errors = errors;
	clang_getInclusions(w.tu, note_inclusion, &w);
	clang_visitChildren(clang_getTranslationUnitCursor(w.tu), note_expansion, &w);
	clang_visitChildren(clang_getTranslationUnitCursor(w.tu), visit_top, &w);
	free(w.fc);
	files_free(&w.files);
	flow_forget();
	clang_disposeTranslationUnit(w.tu);
	return errors;
}
