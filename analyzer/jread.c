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

#define JREAD_STR_(x)	#x
#define JREAD_STR(x)	JREAD_STR_(x)

struct parser {
	const char *s, *end, *path;
	unsigned int line;
	const char *err;
	size_t values;
};

static void ws(struct parser *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\r' || *p->s == '\n')) {
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
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | c >> 12);
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | c >> 18);
		*o++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	*out = o;
}

/* The length of the UTF-8 sequence at s (before end), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned int c = s[0], min, len, i, cp;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (end - s < (long)len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF are not UTF-8. */
	if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Four hex digits of a \u escape at s, or -1. */
static long hex4(const char *s)
{
	long u = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int c = s[i];

		u <<= 4;
		if (c >= '0' && c <= '9')
			u |= c - '0';
		else if (c >= 'a' && c <= 'f')
			u |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			u |= c - 'A' + 10;
		else
			return -1;
	}
	return u;
}

static bool string(struct parser *p, char **out)
{
	const char *start = ++p->s;
	char *buf, *o;

	while (p->s < p->end && *p->s != '"') {
		size_t n;

		if ((unsigned char)*p->s < 0x20)
			return fail(p, "control character in a string");
		if (*p->s == '\\') {
			p->s += 2;
			continue;
		}
		n = utf8_len((const unsigned char *)p->s, (const unsigned char *)p->end);
		if (!n)
			return fail(p, "a string that is not UTF-8");
		p->s += n;
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
			long u = p->s - c >= 5 ? hex4(c + 1) : -1, lo;

			if (u < 0) {
				free(buf);
				return fail(p, "bad \\u escape");
			}
			c += 4;
			/* A UTF-16 surrogate pair is one character; half of one is none. */
			if (u >= 0xd800 && u <= 0xdbff && p->s - c >= 7 && c[1] == '\\' && c[2] == 'u' &&
			    (lo = hex4(c + 3)) >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				c += 6;
			} else if (u >= 0xd800 && u <= 0xdfff) {
				free(buf);
				return fail(p, "half a UTF-16 surrogate pair in a \\u escape");
			}
			if (!u) {
				free(buf);
				return fail(p, "a NUL (\\u0000) in a string");
			}
			put_utf8(&o, (unsigned int)u);
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

/*
 * The end of the JSON number (RFC 8259 section 6) at p->s, or NULL:
 * strtod() takes more ("01", "0x1", "nan", "+1", ".5").
 */
static const char *number(struct parser *p)
{
	const char *s = p->s;

	if (s < p->end && *s == '-')
		s++;
	if (s < p->end && *s == '0')
		s++;
	else if (s < p->end && *s >= '1' && *s <= '9')
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	else
		return fail(p, "unexpected text"), NULL;
	if (s < p->end && *s == '.') {
		if (++s >= p->end || *s < '0' || *s > '9')
			return fail(p, "a number without digits after its '.'"), NULL;
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < p->end && (*s == 'e' || *s == 'E')) {
		if (++s < p->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= p->end || *s < '0' || *s > '9')
			return fail(p, "a number without digits in its exponent"), NULL;
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	}
	return s;
}

static bool value(struct parser *p, struct jval *v, int depth)
{
	const char *end;
	char *e;

	if (depth > JREAD_MAX_DEPTH)
		return fail(p, "nested more than " JREAD_STR(JREAD_MAX_DEPTH) " deep");
	if (++p->values > JREAD_MAX_VALUES)
		return fail(p, "more than " JREAD_STR(JREAD_MAX_VALUES) " values");
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
		if (!(end = number(p)))
			return false;
		v->num = strtod(p->s, &e);
		if (e != end)
			return fail(p, "unexpected text");
		if (isinf(v->num))
			return fail(p, "a number out of range");
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
		GROW(text, alloc, len + 65536 + 1);
		n = fread(text + len, 1, 65536, f);
		len += n;
	} while (n > 0 && len <= JREAD_MAX_BYTES);
	fclose(f);
	if (len > JREAD_MAX_BYTES) {
		error("%s: more than %u MB, more than kvm-hotpath reads (what it writes is ~11 MB "
		      "at most); run '%s' to rewrite it", path, JREAD_MAX_BYTES >> 20, writer);
		free(text);
		free(v);
		return NULL;
	}
	text[len] = '\0';	/* strtod() stops there, at the latest */
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
