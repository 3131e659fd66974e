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
#include <stdlib.h>
#include <string.h>

#include "tu.h"
#include "util.h"

#define TRAMP_PREFIX "__SCT__"

struct walk {
	struct cg *cg;
	const struct tu_opts *opts;
	CXTranslationUnit tu;
	const char *func;	/* USR of the function being walked */
	size_t srclen;
};

static const char *cx_intern(struct cg *cg, CXString s)
{
	const char *r = cg_str(cg, clang_getCString(s) ? clang_getCString(s) : "");

	clang_disposeString(s);
	return r;
}

/* The file of a location, relative to the source tree when inside it. */
static const char *file_name(struct walk *w, CXFile file)
{
	CXString s = clang_File_tryGetRealPathName(file);
	const char *p = clang_getCString(s), *r;

	if (!p || !*p) {
		clang_disposeString(s);
		s = clang_getFileName(file);
		p = clang_getCString(s);
	}
	if (!p)
		p = "";
	if (!strncmp(p, w->opts->srctree, w->srclen) && p[w->srclen] == '/')
		p += w->srclen + 1;
	r = cg_str(w->cg, p);
	clang_disposeString(s);
	return r;
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

/*
 * The macro a call is written through: the preprocessing record has a
 * macro-expansion cursor where the macro is used.  (libclang's spelling
 * location cannot tell: it maps only macro arguments, not macro bodies.)
 */
static const char *macro_at(struct walk *w, CXFile file, unsigned int offset)
{
	CXCursor at = clang_getCursor(w->tu, clang_getLocationForOffset(w->tu, file, offset));

	if (clang_getCursorKind(at) != CXCursor_MacroExpansion)
		return NULL;
	return cx_intern(w->cg, clang_getCursorSpelling(at));
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

static void record_call(struct walk *w, CXCursor call)
{
	struct cg_call c = { .caller = w->func, .kind = CALL_INDIRECT };
	CXSourceLocation loc = clang_getCursorLocation(call);
	CXCursor callee = clang_getNullCursor(), ref;
	struct tramp_search ts = { .hit = false };
	unsigned int offset;
	CXFile file;

	c.file = where(w, loc, &c.line, &c.col, &offset, &file);
	if (!c.file)
		return;
	c.macro = macro_at(w, file, offset);
	clang_visitChildren(call, first_child, &callee);

	ref = clang_getCursorReferenced(call);
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
		if (!clang_Cursor_isNull(callee))
			c.via = callee_text(w, callee);
		if (clang_getCursorKind(ref) == CXCursor_FieldDecl) {
			CXCursor rec = clang_getCursorSemanticParent(ref);
			CXString type = clang_getTypeSpelling(clang_getCursorType(rec));
			CXString field = clang_getCursorSpelling(ref);
			char *s = xasprintf("%s.%s", clang_getCString(type),
					    clang_getCString(field));

			c.field = cg_str(w->cg, s);
			free(s);
			clang_disposeString(type);
			clang_disposeString(field);
		}
	}
	cg_add_call(w->cg, &c);
}

static enum CXChildVisitResult visit_body(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_CallExpr)
		record_call(data, c);
	return CXChildVisit_Recurse;
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData data)
{
	struct walk *w = data;
	struct cg_func f = { 0 };
	const char *file;
	unsigned int col;

	(void)parent;
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
	/* A header's inline function: its calls come once, from its first TU. */
	if (!cg_add_func(w->cg, &f))
		return CXChildVisit_Continue;
	w->func = f.usr;
	clang_visitChildren(c, visit_body, w);
	w->func = NULL;
	return CXChildVisit_Continue;
}

/* Report errors as clang formats them; the first is worth a line of its own. */
static int report_errors(CXTranslationUnit tu, const char *file)
{
	unsigned int i, n = clang_getNumDiagnostics(tu);
	int errors = 0;

	for (i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(tu, i);

		if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
			if (!errors++) {
				CXString s = clang_formatDiagnostic(d,
					clang_defaultDiagnosticDisplayOptions());

				error("%s: %s", file, clang_getCString(s));
				clang_disposeString(s);
			}
		}
		clang_disposeDiagnostic(d);
	}
	return errors;
}

int tu_parse(CXIndex index, const struct cdb_cmd *cmd, const struct tu_opts *opts,
	     struct cg *cg)
{
	struct walk w = { .cg = cg, .opts = opts, .srclen = strlen(opts->srctree) };
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
		error("%s: libclang could not parse it (error %d)", cmd->file, (int)err);
		return -1;
	}
	errors = report_errors(w.tu, cmd->file);
	clang_visitChildren(clang_getTranslationUnitCursor(w.tu), visit_top, &w);
	clang_disposeTranslationUnit(w.tu);
	return errors;
}
