// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON reader (analyzer/jread.c): callgraph.json, audit.json,
 * measure.json, everything hotpath reads back.  A parsed document is also
 * walked, as its users walk it.
 */
#include "fuzz.h"
#include "jread.h"

static size_t walk(const struct jval *v, unsigned int depth)
{
	size_t i, n = 1;

	if (v->type == J_OBJ)
		for (i = 0; i < v->n; i++)
			n += (jget(v, v->key[i]) != NULL) + walk(&v->item[i], depth + 1);
	else if (v->type == J_ARR)
		for (i = 0; i < v->n; i++)
			n += walk(&v->item[i], depth + 1);
	return n;
}

FUZZ_QUIET_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jval *v = jread_file(fuzz_file(data, size));

	if (v) {
		walk(v, 0);
		jfree(v);
	}
	return 0;
}
