/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader, enough for callgraph.json: the whole document as a
 * tree of values, errors reported with the line they are on.
 */
#ifndef HOTPATH_JREAD_H
#define HOTPATH_JREAD_H

#include <stdbool.h>
#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

/*
 * What the reader takes, against hostile files: the largest file hotpath
 * writes is ~11 MB of ~520,000 values, nested 6 deep.  Beyond these limits
 * a file gets one error line, never a crash or unbounded memory.
 */
#define JREAD_MAX_BYTES		(128u << 20)
#define JREAD_MAX_VALUES	4194304
#define JREAD_MAX_DEPTH		64

struct jval {
	enum jtype type;
	bool b;
	double num;
	char *str;		/* J_STR */
	struct jval *item;	/* J_ARR, J_OBJ: n values */
	char **key;		/* J_OBJ: n keys */
	size_t n;
};

/* Parse a file; on failure, one error line naming it and NULL. */
struct jval *jread_file(const char *path);
/* The same, the error naming WRITER as what writes the file ("make measure"). */
struct jval *jread_file_as(const char *path, const char *writer);
void jfree(struct jval *v);
/* A member of an object, or NULL. */
const struct jval *jget(const struct jval *obj, const char *key);
/*
 * A whole number from 0 to UINT_MAX (a line, a count, a CPU model), or
 * false: converting anything else to an integer is undefined.
 */
bool juint(const struct jval *v, unsigned int *out);
/* A member's string value, or NULL when absent or not a string. */
const char *jstr(const struct jval *obj, const char *key);

#endif
