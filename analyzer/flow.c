// SPDX-License-Identifier: GPL-2.0
/*
 * Conditions, read the way a reviewer reads them.  libclang 16 exposes no
 * operator kinds, and the location of a BinaryOperator cursor is its first
 * operand, so an operator is found in the text: "&&" or "||" is what ends
 * just before the right operand, "!" is where a unary operator starts.
 * clang_getFileLocation() puts a token from a macro argument where it is
 * written and a token of a macro body at the macro's use; an operator
 * written inside a macro body is therefore not found, and the condition is
 * treated as an opaque one (no likely/unlikely, no guard): the cost model
 * then errs towards charging the call.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "util.h"

static enum CXChildVisitResult collect(CXCursor c, CXCursor parent, CXClientData data)
{
	struct kids *k = data;

	(void)parent;
	if (k->n < MAX_KIDS)
		k->c[k->n] = c;
	k->n++;
	return CXChildVisit_Continue;
}

void kids_of(CXCursor c, struct kids *k)
{
	k->n = 0;
	clang_visitChildren(c, collect, k);
}

static enum CXChildVisitResult collect_last(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	*(CXCursor *)data = c;
	return CXChildVisit_Continue;
}

static CXCursor last_kid(CXCursor c)
{
	CXCursor last = clang_getNullCursor();

	clang_visitChildren(c, collect_last, &last);
	return last;
}

/* The text of the file a location is in, and its offset there. */
/*
 * clang_getFileContents() costs a search of the translation unit's files
 * each time (two thirds of a callgraph run when called per condition), so
 * the files asked for last are remembered until flow_forget().
 */
#define TEXT_CACHE 16

static struct {
	CXTranslationUnit tu;
	CXFile file;
	const char *text;
	size_t size;
} text_cache[TEXT_CACHE];
static unsigned int text_next;

const char *flow_file_text(CXTranslationUnit tu, CXFile file, size_t *size)
{
	unsigned int i;

	for (i = 0; i < TEXT_CACHE; i++) {
		if (text_cache[i].file == file && text_cache[i].tu == tu && file) {
			*size = text_cache[i].size;
			return text_cache[i].text;
		}
	}
	i = text_next++ % TEXT_CACHE;
	text_cache[i].tu = tu;
	text_cache[i].file = file;
	text_cache[i].size = 0;
	text_cache[i].text = clang_getFileContents(tu, file, &text_cache[i].size);
	*size = text_cache[i].size;
	return text_cache[i].text;
}

void flow_forget(void)
{
	memset(text_cache, 0, sizeof(text_cache));
	text_next = 0;
}

static const char *text_at(CXTranslationUnit tu, CXSourceLocation loc, unsigned int *off,
			   size_t *size)
{
	CXFile file;
	const char *text;

	clang_getFileLocation(loc, &file, NULL, NULL, off);
	if (!file)
		return NULL;
	text = flow_file_text(tu, file, size);
	if (!text || *off >= *size)
		return NULL;
	return text;
}

static unsigned int file_offset(CXSourceLocation loc, CXFile *file)
{
	unsigned int off;

	clang_getFileLocation(loc, file, NULL, NULL, &off);
	return off;
}

static enum flow_op binary_op(CXTranslationUnit tu, CXCursor lhs, CXCursor rhs)
{
	CXSourceLocation at = clang_getRangeStart(clang_getCursorExtent(rhs));
	CXFile file, lfile;
	unsigned int off, lend;
	const char *text;
	size_t size;

	text = text_at(tu, at, &off, &size);
	if (!text)
		return OP_OTHER;
	clang_getFileLocation(at, &file, NULL, NULL, NULL);
	while (off > 0) {
		if (isspace((unsigned char)text[off - 1]))
			off--;
		else if (off > 1 && text[off - 1] == '\\' && text[off] == '\n')
			off--;
		else
			break;
	}
	if (off < 2)
		return OP_OTHER;
	/* The left operand must end before it: not a macro body's operator. */
	lend = file_offset(clang_getRangeEnd(clang_getCursorExtent(lhs)), &lfile);
	if (!clang_File_isEqual(file, lfile) || lend > off - 2)
		return OP_OTHER;
	if (text[off - 2] == '&' && text[off - 1] == '&')
		return OP_AND;
	if (text[off - 2] == '|' && text[off - 1] == '|')
		return OP_OR;
	return OP_OTHER;
}

enum flow_op flow_op(CXTranslationUnit tu, CXCursor e)
{
	enum CXCursorKind kind = clang_getCursorKind(e);
	const char *text;
	unsigned int off;
	size_t size;
	struct kids k;

	if (kind == CXCursor_BinaryOperator) {
		/* && and || have type int in C; most other operators do not. */
		if (clang_getCursorType(e).kind != CXType_Int)
			return OP_OTHER;
		kids_of(e, &k);
		return k.n == 2 ? binary_op(tu, k.c[0], k.c[1]) : OP_OTHER;
	}
	if (kind != CXCursor_UnaryOperator)
		return OP_OTHER;
	text = text_at(tu, clang_getRangeStart(clang_getCursorExtent(e)), &off, &size);
	if (text && text[off] == '!' && (off + 1 >= size || text[off + 1] != '='))
		return OP_NOT;
	return OP_OTHER;
}

static bool is_expect(CXCursor call)
{
	CXString name;
	bool r;

	if (clang_getCursorKind(call) != CXCursor_CallExpr ||
	    clang_Cursor_getNumArguments(call) != 2)
		return false;
	name = clang_getCursorSpelling(call);
	r = !strcmp(clang_getCString(name), "__builtin_expect");
	clang_disposeString(name);
	return r;
}

/*
 * Down to the expression that decides: through parentheses, casts, a
 * statement expression's value, __builtin_expect()'s first operand and the
 * "!!" likely() and unlikely() write in their macro body (a unary operator
 * whose file location is the macro's name).
 */
static CXCursor unwrap(CXTranslationUnit tu, CXCursor e, int *expect)
{
	for (;;) {
		enum CXCursorKind kind = clang_getCursorKind(e);
		const char *text;
		unsigned int off;
		size_t size;
		struct kids k;

		if (kind == CXCursor_StmtExpr) {
			kids_of(e, &k);
			if (k.n != 1)
				return e;
			e = last_kid(k.c[0]);
			if (clang_Cursor_isNull(e))
				return e;
			continue;
		}
		if (is_expect(e)) {
			CXEvalResult r = clang_Cursor_Evaluate(clang_Cursor_getArgument(e, 1));

			if (r) {
				if (expect && clang_EvalResult_getKind(r) == CXEval_Int)
					*expect = clang_EvalResult_getAsLongLong(r) ? 1 : 0;
				clang_EvalResult_dispose(r);
			}
			e = clang_Cursor_getArgument(e, 0);
			continue;
		}
		if (kind == CXCursor_UnaryOperator) {
			text = text_at(tu, clang_getRangeStart(clang_getCursorExtent(e)), &off, &size);
			if (!text || !(isalpha((unsigned char)text[off]) || text[off] == '_'))
				return e;
		} else if (kind != CXCursor_UnexposedExpr && kind != CXCursor_ParenExpr &&
			   kind != CXCursor_CStyleCastExpr) {
			return e;
		}
		kids_of(e, &k);
		if (k.n != 1 && kind != CXCursor_CStyleCastExpr)
			return e;
		if (k.n == 0 || k.n > MAX_KIDS)
			return e;
		e = k.c[k.n - 1];
	}
}

int flow_expect(CXTranslationUnit tu, CXCursor cond)
{
	int expect = -1;

	unwrap(tu, cond, &expect);
	return expect;
}

static bool names_guard(CXCursor e)
{
	enum CXCursorKind kind = clang_getCursorKind(e);
	CXString name;
	bool r;

	if (kind != CXCursor_MemberRefExpr && kind != CXCursor_DeclRefExpr)
		return false;
	name = clang_getCursorSpelling(e);
	r = !strcmp(clang_getCString(name), FLOW_GUARD);
	clang_disposeString(name);
	return r;
}

bool flow_needs_guard(CXTranslationUnit tu, CXCursor cond)
{
	CXCursor e = unwrap(tu, cond, NULL);
	struct kids k;

	if (clang_Cursor_isNull(e))
		return false;
	if (names_guard(e))
		return true;
	if (flow_op(tu, e) != OP_AND)
		return false;
	kids_of(e, &k);
	return flow_needs_guard(tu, k.c[0]) || flow_needs_guard(tu, k.c[1]);
}

bool flow_guard_off(CXTranslationUnit tu, CXCursor cond)
{
	CXCursor e = unwrap(tu, cond, NULL);
	struct kids k;

	if (clang_Cursor_isNull(e))
		return false;
	switch (flow_op(tu, e)) {
	case OP_NOT:
		kids_of(e, &k);
		return k.n == 1 && flow_needs_guard(tu, k.c[0]);
	case OP_OR:
		kids_of(e, &k);
		return flow_guard_off(tu, k.c[0]) || flow_guard_off(tu, k.c[1]);
	case OP_AND:
		kids_of(e, &k);
		return flow_guard_off(tu, k.c[0]) && flow_guard_off(tu, k.c[1]);
	default:
		return false;
	}
}

bool flow_exits(CXCursor stmt)
{
	struct kids k;

	switch (clang_getCursorKind(stmt)) {
	case CXCursor_ReturnStmt:
	case CXCursor_GotoStmt:
	case CXCursor_BreakStmt:
	case CXCursor_ContinueStmt:
		return true;
	case CXCursor_CompoundStmt: {
		CXCursor last = last_kid(stmt);

		return !clang_Cursor_isNull(last) && flow_exits(last);
	}
	case CXCursor_IfStmt:
		kids_of(stmt, &k);
		return k.n == 3 && flow_exits(k.c[1]) && flow_exits(k.c[2]);
	default:
		return false;
	}
}

/* ---- conditions as the VM's state decides them ---- */

/* Through parentheses and implicit conversions: what the code names. */
static CXCursor bare(CXCursor e)
{
	struct kids k;

	while (clang_getCursorKind(e) == CXCursor_UnexposedExpr ||
	       clang_getCursorKind(e) == CXCursor_ParenExpr) {
		kids_of(e, &k);
		if (k.n != 1)
			break;
		e = k.c[0];
	}
	return e;
}

/* "kvm" for a pointer to struct kvm; NULL for any other type. */
static char *struct_tag(CXType t)
{
	const char *name;
	char *tag = NULL;
	CXString s;

	t = clang_getCanonicalType(t);
	if (t.kind != CXType_Pointer)
		return NULL;
	t = clang_getCanonicalType(clang_getPointeeType(t));
	if (t.kind != CXType_Record)
		return NULL;
	s = clang_getTypeSpelling(t);
	name = clang_getCString(s);
	/* An unnamed struct's spelling carries a file path: no tag. */
	if (!strncmp(name, "struct ", 7) && !strpbrk(name + 7, " (:"))
		tag = xstrdup(name + 7);
	clang_disposeString(s);
	return tag;
}

static bool is_global(CXCursor var)
{
	return clang_getCursorKind(var) == CXCursor_VarDecl &&
	       clang_getCursorKind(clang_getCursorSemanticParent(var)) != CXCursor_FunctionDecl;
}

/* Through casts and "&": "(unsigned long *)&pmu->global_ctrl" names the field. */
static CXCursor bare_operand(CXCursor e)
{
	for (;;) {
		enum CXCursorKind kind;
		struct kids k;

		e = bare(e);
		kind = clang_getCursorKind(e);
		if (kind != CXCursor_CStyleCastExpr && kind != CXCursor_UnaryOperator)
			return e;
		kids_of(e, &k);
		if (!k.n || k.n > MAX_KIDS)
			return e;
		if (kind == CXCursor_UnaryOperator) {
			CXToken *tok;
			unsigned int n;
			bool amp;

			clang_tokenize(clang_Cursor_getTranslationUnit(e), clang_getCursorExtent(e), &tok,
				       &n);
			if (n) {
				CXString sp = clang_getTokenSpelling(clang_Cursor_getTranslationUnit(e), tok[0]);

				amp = !strcmp(clang_getCString(sp), "&");
				clang_disposeString(sp);
			} else {
				amp = false;
			}
			clang_disposeTokens(clang_Cursor_getTranslationUnit(e), tok, n);
			if (!amp)
				return e;
		}
		e = k.c[k.n - 1];
	}
}

char *flow_term(CXCursor e, bool locals)
{
	char *chain = NULL, *t = NULL;
	CXString name;
	CXCursor ref;

	e = locals ? bare_operand(e) : bare(e);
	while (clang_getCursorKind(e) == CXCursor_MemberRefExpr) {
		struct kids k;
		CXCursor base;

		name = clang_getCursorSpelling(e);
		t = chain ? xasprintf("%s.%s", clang_getCString(name), chain)
			  : xstrdup(clang_getCString(name));
		clang_disposeString(name);
		free(chain);
		chain = t;
		t = NULL;
		kids_of(e, &k);
		if (k.n != 1)
			goto out;
		base = bare(k.c[0]);
		if (clang_getCanonicalType(clang_getCursorType(base)).kind == CXType_Pointer) {
			char *tag = struct_tag(clang_getCursorType(base));

			if (tag)
				t = xasprintf("%s->%s", tag, chain);
			free(tag);
			goto out;
		}
		e = base;
	}
	if (clang_getCursorKind(e) != CXCursor_DeclRefExpr)
		goto out;
	ref = clang_getCursorReferenced(e);
	if (clang_getCursorKind(ref) != CXCursor_VarDecl || !(is_global(ref) || (locals && !chain)))
		goto out;
	name = clang_getCursorSpelling(ref);
	t = xasprintf("%s%s%s%s", is_global(ref) ? "" : "local:", clang_getCString(name),
		      chain ? "." : "", chain ? chain : "");
	clang_disposeString(name);
out:
	free(chain);
	return t;
}

char *flow_struct_of(CXCursor e)
{
	e = bare(e);
	if (clang_getCursorKind(e) != CXCursor_DeclRefExpr)
		return NULL;
	return struct_tag(clang_getCursorType(e));
}

bool flow_value(CXCursor e, long long *v)
{
	CXEvalResult r;
	bool ok = false;

	e = bare(e);
	if (!clang_isExpression(clang_getCursorKind(e)))
		return false;
	r = clang_Cursor_Evaluate(e);
	if (r) {
		if (clang_EvalResult_getKind(r) == CXEval_Int) {
			*v = clang_EvalResult_getAsLongLong(r);
			ok = true;
		}
		clang_EvalResult_dispose(r);
	}
	return ok;
}

bool flow_binop(CXTranslationUnit tu, CXCursor binop, char *buf, size_t size)
{
	unsigned int lhs_end, i, n, off;
	bool found = false;
	struct kids k;
	CXToken *tok;

	kids_of(binop, &k);
	if (k.n != 2)
		return false;
	clang_getExpansionLocation(clang_getRangeEnd(clang_getCursorExtent(k.c[0])), NULL, NULL,
				   NULL, &lhs_end);
	clang_tokenize(tu, clang_getCursorExtent(binop), &tok, &n);
	for (i = 0; i < n && !found; i++) {
		clang_getExpansionLocation(clang_getTokenLocation(tu, tok[i]), NULL, NULL, NULL,
					   &off);
		if (off >= lhs_end) {
			CXString s = clang_getTokenSpelling(tu, tok[i]);

			snprintf(buf, size, "%s", clang_getCString(s));
			clang_disposeString(s);
			found = true;
		}
	}
	clang_disposeTokens(tu, tok, n);
	return found;
}

/* The NAME of an argument written "X86_FEATURE_NAME", or NULL. */
static char *feature_arg(CXTranslationUnit tu, CXCursor call)
{
	int i, n = clang_Cursor_getNumArguments(call);

	for (i = 0; i < n; i++) {
		CXSourceRange r = clang_getCursorExtent(clang_Cursor_getArgument(call, i));
		unsigned int from, to, at;
		const char *text;
		size_t size;
		CXFile file, file2;

		clang_getFileLocation(clang_getRangeStart(r), &file, NULL, NULL, &from);
		clang_getFileLocation(clang_getRangeEnd(r), &file2, NULL, NULL, &to);
		text = file ? flow_file_text(tu, file, &size) : NULL;
		if (!text || !clang_File_isEqual(file, file2) || to > size || to <= from + 12 ||
		    to - from > 64 || strncmp(text + from, "X86_FEATURE_", 12))
			continue;
		for (at = from + 12; at < to; at++) {
			if (!isupper((unsigned char)text[at]) && !isdigit((unsigned char)text[at]) &&
			    text[at] != '_')
				break;
		}
		if (at == to)
			return xasprintf("%.*s", (int)(to - from - 12), text + from + 12);
	}
	return NULL;
}

static const char *const comparisons[] = { "==", "!=", "<", "<=", ">", ">=" };
/* What a comparison says with its operands swapped: "3 < x" is "x > 3". */
static const char *const swapped[] = { "==", "!=", ">", ">=", "<", "<=" };

static int comparison(const char *op)
{
	int i;

	for (i = 0; i < 6; i++) {
		if (!strcmp(op, comparisons[i]))
			return i;
	}
	return -1;
}

struct cond_text {
	FILE *out;
	bool known;
};

/* An atom: a term, a term compared with a constant, a constant, a CPUID feature. */
static void cond_atom(CXTranslationUnit tu, CXCursor e, struct cond_text *ct, int prec)
{
	char op[8], *t, *feature;
	CXString name;
	long long v;
	struct kids k;
	int cmp;

	if (flow_value(e, &v)) {
		fprintf(ct->out, "%lld", v);
		ct->known = true;
		return;
	}
	if ((t = flow_term(e, false))) {
		fputs(t, ct->out);
		free(t);
		ct->known = true;
		return;
	}
	switch (clang_getCursorKind(e)) {
	case CXCursor_BinaryOperator:
		kids_of(e, &k);
		if (k.n != 2 || !flow_binop(tu, e, op, sizeof(op)) || (cmp = comparison(op)) < 0)
			break;
		if ((t = flow_term(k.c[0], false)) && flow_value(k.c[1], &v)) {
			fprintf(ct->out, prec > 1 ? "(%s %s %lld)" : "%s %s %lld", t, op, v);
		} else if (!t && (t = flow_term(k.c[1], false)) && flow_value(k.c[0], &v)) {
			fprintf(ct->out, prec > 1 ? "(%s %s %lld)" : "%s %s %lld", t, swapped[cmp], v);
		} else {
			free(t);
			break;
		}
		free(t);
		ct->known = true;
		return;
	case CXCursor_CallExpr:
		if (!(feature = feature_arg(tu, e))) {
			CXCursor fn = clang_getCursorReferenced(e);

			/* A predicate: decided by what the function returns (struct cg_func). */
			if (clang_getCursorKind(fn) != CXCursor_FunctionDecl)
				break;
			name = clang_getCursorSpelling(fn);
			fprintf(ct->out, "%s()", clang_getCString(name));
			clang_disposeString(name);
			ct->known = true;
			return;
		}
		name = clang_getCursorSpelling(e);
		fprintf(ct->out, "%s(%s)",
			!strncmp(clang_getCString(name), "guest_", 6) ? "guest_cpuid" : "cpuid", feature);
		clang_disposeString(name);
		free(feature);
		ct->known = true;
		return;
	default:
		break;
	}
	fputc('?', ct->out);
}

/* prec: 0 an operand of ||, 1 of &&, 2 of !. */
static void cond_expr(CXTranslationUnit tu, CXCursor e, struct cond_text *ct, int prec)
{
	enum flow_op op;
	struct kids k;

	e = unwrap(tu, e, NULL);
	if (clang_Cursor_isNull(e)) {
		fputc('?', ct->out);
		return;
	}
	op = flow_op(tu, e);
	kids_of(e, &k);
	switch (op) {
	case OP_NOT:
		if (k.n != 1)
			break;
		fputc('!', ct->out);
		cond_expr(tu, k.c[0], ct, 2);
		return;
	case OP_AND:
	case OP_OR:
		if (k.n != 2)
			break;
		if (prec > (op == OP_AND ? 1 : 0))
			fputc('(', ct->out);
		cond_expr(tu, k.c[0], ct, op == OP_AND ? 1 : 0);
		fputs(op == OP_AND ? " && " : " || ", ct->out);
		cond_expr(tu, k.c[1], ct, op == OP_AND ? 1 : 0);
		if (prec > (op == OP_AND ? 1 : 0))
			fputc(')', ct->out);
		return;
	default:
		break;
	}
	cond_atom(tu, e, ct, prec);
}

char *flow_cond(CXTranslationUnit tu, CXCursor cond, bool taken)
{
	struct cond_text ct = { .known = false };
	char *text = NULL;
	size_t size = 0;
	struct kids k;

	ct.out = open_memstream(&text, &size);
	if (!ct.out)
		return NULL;
	cond = unwrap(tu, cond, NULL);
	if (!taken && !clang_Cursor_isNull(cond) && flow_op(tu, cond) == OP_NOT &&
	    (kids_of(cond, &k), k.n == 1)) {
		/* The side "!x" does not take is "x". */
		cond_expr(tu, k.c[0], &ct, 0);
	} else {
		if (!taken)
			fputc('!', ct.out);
		cond_expr(tu, cond, &ct, taken ? 0 : 2);
	}
	fclose(ct.out);
	if (!ct.known) {
		free(text);
		return NULL;
	}
	return text;
}
