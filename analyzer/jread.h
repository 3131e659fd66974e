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
