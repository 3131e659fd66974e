// SPDX-License-Identifier: GPL-2.0
/*
 * A recursive-descent JSON reader (RFC 8259), strict: anything else is an
 * error naming the file and line.  \u escapes outside ASCII are kept as
 * UTF-8.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jread.h"
#include "util.h"

struct parser {
	const char *s, *end, *path;
	unsigned int line;
	const char *err;
};

static void ws(struct parser *p)
{
	while (p->s < p->end && strchr(" \t\r\n", *p->s)) {
		if (*p->s == '\n')
			p->line++;
		p->s++;
	}
}

static bool fail(struct parser *p, const char *why)
{
	if (!p->err)
		p->err = why;
	return false;
}

static bool value(struct parser *p, struct jval *v, int depth);

static void put_utf8(char **out, unsigned int c)
{
	char *o = *out;

	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xc0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xe0 | c >> 12);
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	*out = o;
}

static bool string(struct parser *p, char **out)
{
	const char *start = ++p->s;
	char *buf, *o;

	while (p->s < p->end && *p->s != '"') {
		if ((unsigned char)*p->s < 0x20)
			return fail(p, "control character in a string");
		p->s += *p->s == '\\' ? 2 : 1;
	}
	if (p->s >= p->end)
		return fail(p, "unterminated string");
	o = buf = xmalloc((size_t)(p->s - start) + 1);
	for (const char *c = start; c < p->s; c++) {
		if (*c != '\\') {
			*o++ = *c;
			continue;
		}
		switch (*++c) {
		case '"': case '\\': case '/':
			*o++ = *c;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			char hex[5] = { 0 };
			char *e;
			unsigned long u;

			if (p->s - c < 5) {
				free(buf);
				return fail(p, "short \\u escape");
			}
			memcpy(hex, c + 1, 4);
			u = strtoul(hex, &e, 16);
			if (*e) {
				free(buf);
				return fail(p, "bad \\u escape");
			}
			put_utf8(&o, (unsigned int)u);
			c += 4;
			break;
		}
		default:
			free(buf);
			return fail(p, "bad escape in a string");
		}
	}
	*o = '\0';
	p->s++;
	*out = buf;
	return true;
}

static bool word(struct parser *p, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(p->end - p->s) < n || strncmp(p->s, w, n))
		return fail(p, "unexpected text");
	p->s += n;
	return true;
}

static bool list(struct parser *p, struct jval *v, bool obj, int depth)
{
	size_t alloc = 0, kalloc = 0;

	v->type = obj ? J_OBJ : J_ARR;
	p->s++;
	ws(p);
	if (p->s < p->end && *p->s == (obj ? '}' : ']')) {
		p->s++;
		return true;
	}
	for (;;) {
		GROW(v->item, alloc, v->n + 1);
		memset(&v->item[v->n], 0, sizeof(v->item[v->n]));
		if (obj) {
			GROW(v->key, kalloc, v->n + 1);
			v->key[v->n] = NULL;
		}
		/* Counted now, so that jfree() frees a key whose value never came. */
		v->n++;
		if (obj) {
			ws(p);
			if (p->s >= p->end || *p->s != '"')
				return fail(p, "expected a key");
			if (!string(p, &v->key[v->n - 1]))
				return false;
			ws(p);
			if (p->s >= p->end || *p->s++ != ':')
				return fail(p, "expected ':'");
		}
		if (!value(p, &v->item[v->n - 1], depth + 1))
			return false;
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == (obj ? '}' : ']')) {
			p->s++;
			return true;
		}
		return fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static bool value(struct parser *p, struct jval *v, int depth)
{
	char *e;

	if (depth > 64)
		return fail(p, "nested too deeply");
	ws(p);
	if (p->s >= p->end)
		return fail(p, "unexpected end");
	switch (*p->s) {
	case '{':
		return list(p, v, true, depth);
	case '[':
		return list(p, v, false, depth);
	case '"':
		v->type = J_STR;
		return string(p, &v->str);
	case 't':
		v->type = J_BOOL;
		v->b = true;
		return word(p, "true");
	case 'f':
		v->type = J_BOOL;
		return word(p, "false");
	case 'n':
		v->type = J_NULL;
		return word(p, "null");
	default:
		errno = 0;
		v->num = strtod(p->s, &e);
		if (e == p->s || errno)
			return fail(p, "unexpected text");
		v->type = J_NUM;
		p->s = e;
		return true;
	}
}

/* Free what a value holds, recursively. */
static void jclear(struct jval *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (v->key)
			free(v->key[i]);
		jclear(&v->item[i]);
	}
	free(v->item);
	free(v->key);
	free(v->str);
}

void jfree(struct jval *v)
{
	if (v) {
		jclear(v);
		free(v);
	}
}

struct jval *jread_file(const char *path)
{
	return jread_file_as(path, "make analyze");
}

struct jval *jread_file_as(const char *path, const char *writer)
{
	struct parser p = { .path = path, .line = 1 };
	struct jval *v = xcalloc(1, sizeof(*v));
	char *text = NULL;
	size_t len = 0, alloc = 0, n;
	FILE *f = fopen(path, "r");

	if (!f) {
		error("%s: cannot read it: %s; run '%s' to write it", path, strerror(errno), writer);
		free(v);
		return NULL;
	}
	do {
		GROW(text, alloc, len + 65536);
		n = fread(text + len, 1, 65536, f);
		len += n;
	} while (n > 0);
	fclose(f);
	p.s = text;
	p.end = text + len;
	if (value(&p, v, 0)) {
		ws(&p);
		if (p.s != p.end)
			fail(&p, "text after the document");
	}
	free(text);
	if (p.err) {
		error("%s:%u: not valid JSON (%s); run '%s' to rewrite it", path, p.line,
		      p.err, writer);
		jfree(v);
		return NULL;
	}
	return v;
}

bool juint(const struct jval *v, unsigned int *out)
{
	if (!v || v->type != J_NUM || !(v->num >= 0 && v->num <= UINT_MAX) ||
	    v->num != floor(v->num))
		return false;
	*out = (unsigned int)v->num;
	return true;
}

const struct jval *jget(const struct jval *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != J_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++) {
		if (!strcmp(obj->key[i], key))
			return &obj->item[i];
	}
	return NULL;
}

const char *jstr(const struct jval *obj, const char *key)
{
	const struct jval *v = jget(obj, key);

	return v && v->type == J_STR ? v->str : NULL;
}
